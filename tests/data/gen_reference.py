#!/usr/bin/python3
"""tests/data/gen_reference.py: golden forward-pass results for the norm kernels, from numpy.

Regenerate (deterministic: fixed seeds, output is byte-identical on every run):
    /usr/bin/python3 tests/data/gen_reference.py
writes tests/data/reference_norm.json (plain forward passes, described here) and
tests/data/reference_variants.json (hard cases and teaching variants; see VARIANTS below).

Written from the textbook definitions with numpy reductions over axes; it shares no code and
no indexing scheme with src/kernels (no (O, P, Q, M) view here), so it can catch a wrong
grouping, not just rounding. Inputs are float32; every statistic and y is computed in float64
from those float32 values, then rounded to float32 for storage (shortest float32 repr, which
keeps the file small and parses back to the exact float32).

Each case: {name, family, shape, eps, groups, x, gamma?, beta?, y, mean, var, rms}
  stats are per group in the kernel's group order (row-major over the kept axes):
    batchnorm per channel; layernorm/rmsnorm per example (per token for rank 3);
    groupnorm per (example, group); instancenorm per (example, channel).
  var is the biased variance; rms = sqrt(mean(x^2)); eps sits inside the square root.
  Absent gamma/beta mean 1/0; rmsnorm never has beta.
Cases whose y is not finite (eps = 0 on a constant group) are left to the C++ tests, since
JSON cannot hold inf or nan.
"""

import json
import os
import sys

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "reference_norm.json")
LANE_EDGES = [1, 3, 4, 5, 7, 8, 15, 16, 17, 64, 257]


def channel_axis(rank):
    return 1 if rank == 4 else rank - 1


def reduce_axes(family, rank):
    """Axes each family reduces over (GroupNorm handled separately via a reshape)."""
    if family == "batchnorm":
        return tuple(a for a in range(rank) if a != channel_axis(rank))
    if family in ("layernorm", "rmsnorm"):
        return (1, 2, 3) if rank == 4 else (rank - 1,)
    if family == "instancenorm":
        if rank == 2:
            raise ValueError("instancenorm needs rank 3 or 4")
        return (2, 3) if rank == 4 else (1,)
    raise ValueError(family)


def affine_shape(rank, c):
    """gamma/beta broadcast shape: the channel axis kept, every other axis 1."""
    s = [1] * rank
    s[channel_axis(rank)] = c
    return s


def reference(family, x32, eps, groups, gamma32, beta32):
    """float64 forward pass from float32 inputs. Returns y, mean, var, rms (stats flat)."""
    x = x32.astype(np.float64)
    rank = x.ndim
    c = x.shape[channel_axis(rank)]
    if family == "groupnorm":
        # Split the channel axis into (G, C/G) and reduce over everything but batch and G.
        if rank == 4:
            b, _, h, w = x.shape
            v = x.reshape(b, groups, c // groups, h, w)
            axes = (2, 3, 4)
        elif rank == 3:
            b, l, _ = x.shape
            v = x.reshape(b, l, groups, c // groups)
            axes = (1, 3)
        else:
            b, _ = x.shape
            v = x.reshape(b, groups, c // groups)
            axes = (2,)
    else:
        v = x
        axes = reduce_axes(family, rank)

    mean = v.mean(axis=axes, keepdims=True)
    var = v.var(axis=axes, keepdims=True)  # ddof=0: biased
    ms = (v * v).mean(axis=axes, keepdims=True)
    if family == "rmsnorm":
        yn = v / np.sqrt(ms + eps)
    else:
        yn = (v - mean) / np.sqrt(var + eps)
    yn = yn.reshape(x.shape)

    g = np.ones(c) if gamma32 is None else gamma32.astype(np.float64)
    bb = np.zeros(c) if beta32 is None or family == "rmsnorm" else beta32.astype(np.float64)
    y = yn * g.reshape(affine_shape(rank, c)) + bb.reshape(affine_shape(rank, c))

    # keepdims + ravel lists the kept axes in row-major order: the kernel's group order.
    return y, mean.ravel(), var.ravel(), np.sqrt(ms).ravel()


def f32_text(v):
    """Shortest text that parses back to the same float32."""
    f = np.float32(v)
    if not np.isfinite(f):
        raise ValueError("non-finite value in golden data")
    s = str(f)  # numpy prints float32 scalars in their shortest round-trip form
    if s in ("-0.0",):
        return "-0.0"
    return s


def num_list(a):
    return "[" + ",".join(f32_text(v) for v in np.asarray(a).ravel()) + "]"


CASES = []


def add_case(name, family, shape, seed, eps=1e-5, groups=1, affine=True, offset=0.0,
             scale=1.0, constant_groups=None, x=None):
    rng = np.random.default_rng(seed)
    rank = len(shape)
    c = shape[channel_axis(rank)]
    if x is None:
        x = (offset + scale * rng.standard_normal(shape)).astype(np.float32)
    x = np.asarray(x, dtype=np.float32).reshape(shape)
    if constant_groups is not None:
        constant_groups(x)
    gamma = beta = None
    if affine:
        gamma = (1.0 + 0.5 * rng.standard_normal(c)).astype(np.float32)
        if family != "rmsnorm":
            beta = (0.5 * rng.standard_normal(c)).astype(np.float32)
    # NormSpec.eps is a float, so the reference uses the same float32 eps (as a float64).
    y, mean, var, rms = reference(family, x, float(np.float32(eps)), groups, gamma, beta)
    if not np.all(np.isfinite(y)):
        raise ValueError(name + ": non-finite y; such cases belong in the C++ tests")
    case = {
        "name": name,
        "family": family,
        "shape": list(shape),
        "eps": eps,
        "groups": groups,
        "x": x,
        "gamma": gamma,
        "beta": beta,
        "y": y,
        "mean": mean,
        "var": var,
        "rms": rms,
    }
    CASES.append(case)


def build_cases():
    seed = 1000

    def next_seed():
        nonlocal seed
        seed += 1
        return seed

    # Every family on every rank where it is defined, with and without the affine.
    shapes = {2: (4, 8), 3: (2, 3, 8), 4: (2, 4, 3, 3)}
    for family in ("batchnorm", "layernorm", "rmsnorm", "groupnorm", "instancenorm"):
        for rank, shape in shapes.items():
            if family == "instancenorm" and rank == 2:
                continue
            groups = 2 if family == "groupnorm" else 1
            for affine in (True, False):
                add_case(f"basic {family} rank{rank} affine={affine}", family, shape,
                         next_seed(), groups=groups, affine=affine, offset=0.3, scale=1.7)

    # Lane edges: the reduced length n and the row width cross 4/16-float boundaries.
    for n in LANE_EDGES:
        affine = n % 2 == 1
        add_case(f"lanes layernorm (2,{n})", "layernorm", (2, n), next_seed(), affine=affine)
        add_case(f"lanes rmsnorm (2,{n})", "rmsnorm", (2, n), next_seed(), affine=affine)
        add_case(f"lanes batchnorm ({n},5)", "batchnorm", (n, 5), next_seed(), affine=affine)
        add_case(f"lanes batchnorm (3,{n})", "batchnorm", (3, n), next_seed(), affine=affine)
        add_case(f"lanes instancenorm (1,2,1,{n})", "instancenorm", (1, 2, 1, n), next_seed(),
                 affine=affine)
        if n <= 64:
            add_case(f"lanes instancenorm (2,{n},3)", "instancenorm", (2, n, 3), next_seed(),
                     affine=affine)
            add_case(f"lanes groupnorm (1,4,1,{n}) G=2", "groupnorm", (1, 4, 1, n),
                     next_seed(), groups=2, affine=affine)
            add_case(f"lanes batchnorm (2,3,1,{n})", "batchnorm", (2, 3, 1, n), next_seed(),
                     affine=affine)

    # B = 1: BatchNorm has one sample per channel (var 0, y = beta); LayerNorm does not care.
    add_case("B=1 batchnorm (1,8)", "batchnorm", (1, 8), next_seed())
    add_case("B=1 batchnorm (1,3,2,2)", "batchnorm", (1, 3, 2, 2), next_seed())
    add_case("B=1 layernorm (1,8)", "layernorm", (1, 8), next_seed())
    add_case("B=1 groupnorm (1,4,2,2) G=2", "groupnorm", (1, 4, 2, 2), next_seed(), groups=2)
    # d = 1: LayerNorm over one feature is a constant group; RMSNorm gives sign(x)-ish.
    add_case("d=1 layernorm (4,1)", "layernorm", (4, 1), next_seed())
    add_case("d=1 rmsnorm (4,1)", "rmsnorm", (4, 1), next_seed())
    add_case("d=1 batchnorm (5,1)", "batchnorm", (5, 1), next_seed())
    add_case("d=1 instancenorm (2,6,1)", "instancenorm", (2, 6, 1), next_seed())

    # Zero-variance groups inside otherwise random tensors.
    def const_row(x):
        x[1, :] = 2.5

    def const_group(x):
        x[0, 2:4] = -1.25  # GroupNorm G=2 on C=4: example 0, group 1

    def const_plane(x):
        x[1, 0] = 7.0

    def const_column(x):
        x[:, 2] = 0.75

    add_case("zero-var row layernorm (3,8)", "layernorm", (3, 8), next_seed(),
             constant_groups=const_row)
    add_case("zero-var row layernorm (3,20)", "layernorm", (3, 20), next_seed(),
             constant_groups=const_row)
    add_case("zero-var group groupnorm (2,4,3,3) G=2", "groupnorm", (2, 4, 3, 3), next_seed(),
             groups=2, constant_groups=const_group)
    add_case("zero-var plane instancenorm (2,3,4,5)", "instancenorm", (2, 3, 4, 5),
             next_seed(), constant_groups=const_plane)
    add_case("zero-var column batchnorm (6,4)", "batchnorm", (6, 4), next_seed(),
             constant_groups=const_column)

    # Large offset, tiny spread: E[x^2] - E[x]^2 would return noise here.
    big = dict(offset=1e4, scale=1e-2)
    add_case("offset layernorm (4,257)", "layernorm", (4, 257), next_seed(), **big)
    add_case("offset layernorm (3,17)", "layernorm", (3, 17), next_seed(), **big)
    add_case("offset rmsnorm (2,64)", "rmsnorm", (2, 64), next_seed(), **big)
    add_case("offset batchnorm (257,4)", "batchnorm", (257, 4), next_seed(), **big)
    add_case("offset batchnorm (2,3,4,5)", "batchnorm", (2, 3, 4, 5), next_seed(), **big)
    add_case("offset groupnorm (2,4,4,4) G=2", "groupnorm", (2, 4, 4, 4), next_seed(),
             groups=2, **big)
    add_case("offset instancenorm (2,64,3)", "instancenorm", (2, 64, 3), next_seed(), **big)

    # eps sweep on a small spread, where eps visibly changes y.
    for eps in (0.0, 1e-6, 1e-5, 1e-1):
        add_case(f"eps={eps} layernorm (3,16)", "layernorm", (3, 16), next_seed(), eps=eps,
                 scale=0.1)
        add_case(f"eps={eps} batchnorm (8,5)", "batchnorm", (8, 5), next_seed(), eps=eps,
                 scale=0.1)
        add_case(f"eps={eps} rmsnorm (2,7)", "rmsnorm", (2, 7), next_seed(), eps=eps,
                 scale=0.1, affine=False)
        add_case(f"eps={eps} instancenorm (2,3,2,2)", "instancenorm", (2, 3, 2, 2),
                 next_seed(), eps=eps, scale=0.1)

    # GroupNorm: every divisor, including G = 1 (LayerNorm) and G = C (InstanceNorm).
    for g in (1, 2, 4, 8):
        add_case(f"groups groupnorm (2,8,2,3) G={g}", "groupnorm", (2, 8, 2, 3), next_seed(),
                 groups=g, affine=g % 4 != 0)
    for g in (1, 2, 3, 6):
        add_case(f"groups groupnorm (2,5,6) G={g}", "groupnorm", (2, 5, 6), next_seed(),
                 groups=g)
    for g in (1, 3, 4, 12):
        add_case(f"groups groupnorm (3,12) G={g}", "groupnorm", (3, 12), next_seed(),
                 groups=g, affine=g != 3)


def write(path):
    parts = []
    for case in CASES:
        fields = [
            f'"name": {json.dumps(case["name"])}',
            f'"family": "{case["family"]}"',
            f'"shape": {json.dumps(case["shape"])}',
            f'"eps": {f32_text(case["eps"])}',
            f'"groups": {case["groups"]}',
            f'"x": {num_list(case["x"])}',
        ]
        for key in ("gamma", "beta"):
            if case[key] is not None:
                fields.append(f'"{key}": {num_list(case[key])}')
        for key in ("y", "mean", "var", "rms"):
            fields.append(f'"{key}": {num_list(case[key])}')
        parts.append("  {" + ", ".join(fields) + "}")
    text = "[\n" + ",\n".join(parts) + "\n]\n"
    json.loads(text)  # the file must be plain JSON (no NaN / Infinity)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return len(text)


# ---- VARIANTS: tests/data/reference_variants.json -----------------------------------------
#
# The hard cases (every family and layout: B=1, d=1, a zero-variance group, 1e4 + 1e-2 noise,
# 1e30 values, a NaN input) and the teaching variants of norm.h: eps outside the root, fp16 /
# bf16 storage, the naive storage-precision kernel (accumulate = storage), BatchNorm running
# statistics over several train steps and in eval.
#
# Each case: {name, family, shape, groups, eps, eps_placement, precision, accumulate, momentum,
#             exact, running, gamma?, beta?, running_mean?, running_var?, steps}
#   running: true when the C++ call passes a RunningStats; running_mean / running_var are its
#     initial contents, absent for empty vectors (the defaults 0 and 1).
#   steps: calls made in order on the same RunningStats, each
#     {mode, x, y, mean, var, rms, inv_std[, running_mean, running_var]}  (state after the call)
#     or {mode, x, error[, running_mean, running_var]}                   (expected failure)
#   exact: y and the stats must match bit for bit (accumulate = storage, whose float op order
#     norm.h specifies); otherwise the test's tolerances apply.
#   Non-finite numbers are the strings "nan", "inf", "-inf" (JSON has no NaN).
# Independence from the C++: fp16 rounding is numpy's float16 cast, bf16 rounding is done
# arithmetically (frexp + round-half-even), and check_rounding() asserts both against a second,
# bit-level formulation before anything is written. Groups come from numpy axis moves.

VARIANTS_OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                            "reference_variants.json")
VARIANTS = []
FP16_MAX = 65504.0
BF16_MAX = float(np.uint32(0x7F7F0000).view(np.float32))


def _round_arith(a, bits, min_exp, max_finite):
    """Nearest value with `bits` significant bits and exponent floor min_exp, ties to even,
    beyond max_finite -> inf. Pure float64 arithmetic (every float32 is exact in float64)."""
    a = np.asarray(a, dtype=np.float32).astype(np.float64)
    out = a.copy()
    fin = np.isfinite(a) & (a != 0)
    _, e = np.frexp(a[fin])             # a = m * 2^e, 0.5 <= |m| < 1
    e = np.maximum(e, min_exp)          # subnormals: fixed spacing below the normal range
    q = np.round(np.ldexp(a[fin], bits - e))  # np.round rounds half to even
    r = np.ldexp(q, e - bits)
    r = np.where(np.abs(r) > max_finite, np.copysign(np.inf, r), r)
    out[fin] = r
    return out.astype(np.float32)


def round_fp16(a):
    with np.errstate(over="ignore"):
        return np.asarray(a, dtype=np.float32).astype(np.float16).astype(np.float32)


def round_bf16(a):
    # bf16: 8 significant bits, float32's exponent range (min normal 2^-126 -> e = -125).
    return _round_arith(a, 8, -125, BF16_MAX)


def round_bf16_bits(a):
    """Second formulation for the self-check: RNE on the float32 bit pattern."""
    u = np.asarray(a, dtype=np.float32).reshape(-1).view(np.uint32).astype(np.uint64)
    nan = (u & 0x7FFFFFFF) > 0x7F800000
    r = ((u + 0x7FFF + ((u >> 16) & 1)) >> 16) << 16
    r = np.where(nan, (u | 0x00400000) & 0xFFFF0000, r)
    return r.astype(np.uint32).view(np.float32).reshape(np.shape(a))


def round_to(precision, a):
    if precision == "fp16":
        return round_fp16(a)
    if precision == "bf16":
        return round_bf16(a)
    return np.asarray(a, dtype=np.float32)


def scalar_rounder(precision):
    if precision == "fp32":
        return lambda v: np.float32(v)
    return lambda v: round_to(precision, np.float32(v))[()]


def check_rounding():
    """Known values, then both formats against a second formulation on ~10^6 float32s."""
    f = np.float32
    assert round_fp16(f(65504))[()] == 65504 and round_fp16(f(65519.996))[()] == 65504
    assert np.isinf(round_fp16(f(65520))[()]) and round_fp16(f(-65520))[()] == -np.inf
    assert round_fp16(f(1e-8))[()] == 0 and round_fp16(f(5e-8))[()] == 2.0 ** -24
    assert round_fp16(f(1 / 3))[()] == f(0.333251953125)
    assert round_bf16(f(1 / 3))[()] == f(0.333984375)
    assert round_bf16(f(1.00390625))[()] == 1.0  # the tie goes to the even neighbour
    assert round_bf16(f(1.01171875))[()] == f(1.015625)
    assert np.isnan(round_fp16(f(np.nan))[()]) and np.isnan(round_bf16(f(np.nan))[()])
    rng = np.random.default_rng(7)
    bits = rng.integers(0, 2 ** 32, size=1 << 20, dtype=np.uint64).astype(np.uint32)
    specials = np.array([0, 0x80000000, 0x7F800000, 0xFF800000, 0x7F7FFFFF, 0x7F7F8000,
                         0x477FF000, 0x477FEFFF, 0x33000000, 0x33000001, 0x00000001],
                        dtype=np.uint32)
    v = np.concatenate([bits, specials]).view(np.float32)
    with np.errstate(over="ignore", invalid="ignore"):
        b1, b2 = round_bf16(v), round_bf16_bits(v)
        h1, h2 = round_fp16(v), _round_arith(v, 11, -13, FP16_MAX)
    for p, q in ((b1, b2), (h1, h2)):
        same = (p == q) | (np.isnan(p) & np.isnan(q))
        assert np.all(same), v[~same][:5]
        assert np.all(np.signbit(p[p == 0]) == np.signbit(q[q == 0]))


def group_cells(family, shape, groups):
    """(group count, group size) array of flat indices, groups in the kernel's order, each
    group's cells in increasing flat index order (the order the storage kernel sums in)."""
    rank = len(shape)
    idx = np.arange(int(np.prod(shape))).reshape(shape)
    c = shape[channel_axis(rank)]
    b = shape[0]
    if family == "batchnorm":
        cells = np.moveaxis(idx, channel_axis(rank), 0).reshape(c, -1)
    elif family in ("layernorm", "rmsnorm"):
        cells = idx.reshape(b, -1) if rank == 4 else idx.reshape(-1, shape[-1])
    elif family == "instancenorm":
        cells = idx.reshape(b * c, -1) if rank == 4 else np.moveaxis(idx, 2, 1).reshape(b * c, -1)
    elif rank == 4:
        cells = idx.reshape(b * groups, -1)
    elif rank == 3:
        cells = idx.reshape(b, shape[1], groups, c // groups).transpose(0, 2, 1, 3)
        cells = cells.reshape(b * groups, -1)
    else:
        cells = idx.reshape(b * groups, c // groups)
    assert np.all(np.diff(cells, axis=1) > 0)
    return cells


def channel_of_cells(shape):
    rank = len(shape)
    c = shape[channel_axis(rank)]
    return np.broadcast_to(np.arange(c).reshape(affine_shape(rank, c)), shape).ravel()


def forward_wide(family, x32, eps, groups, gamma32, beta32, placement, precision, eval_stats):
    """accumulate = fp32: float64 math on the storage-rounded inputs, y stored in the format.
    Same axis reductions as reference(); eps placement and eval statistics added."""
    x = round_to(precision, x32).astype(np.float64)
    rank = x.ndim
    c = x.shape[channel_axis(rank)]
    if family == "groupnorm":
        if rank == 4:
            b, _, h, w = x.shape
            v, axes = x.reshape(b, groups, c // groups, h, w), (2, 3, 4)
        elif rank == 3:
            b, l, _ = x.shape
            v, axes = x.reshape(b, l, groups, c // groups), (1, 3)
        else:
            v, axes = x.reshape(x.shape[0], groups, c // groups), (2,)
    else:
        v, axes = x, reduce_axes(family, rank)
    mean = v.mean(axis=axes, keepdims=True)
    var = v.var(axis=axes, keepdims=True)
    ms = (v * v).mean(axis=axes, keepdims=True)
    if eval_stats is not None:  # BatchNorm eval: running estimates per channel
        center = eval_stats[0].astype(np.float64).reshape(affine_shape(rank, c))
        stat = eval_stats[1].astype(np.float64).reshape(affine_shape(rank, c))
    else:
        center = np.zeros_like(mean) if family == "rmsnorm" else mean
        stat = ms if family == "rmsnorm" else var
    denom = np.sqrt(stat + eps) if placement == "inside" else np.sqrt(stat) + eps
    yn = ((v - center) / denom).reshape(x.shape)
    g = np.ones(c) if gamma32 is None else round_to(precision, gamma32).astype(np.float64)
    bb = (np.zeros(c) if beta32 is None or family == "rmsnorm"
          else round_to(precision, beta32).astype(np.float64))
    y = yn * g.reshape(affine_shape(rank, c)) + bb.reshape(affine_shape(rank, c))
    # A kernel with float arithmetic stores y as float, then in the storage format.
    y = round_to(precision, y.astype(np.float32))
    inv = 1.0 / np.broadcast_to(denom, mean.shape)
    return dict(y=y, mean=mean.ravel(), var=var.ravel(), rms=np.sqrt(ms).ravel(),
                inv_std=inv.ravel())


def forward_storage(family, x32, eps, groups, gamma32, beta32, placement, precision,
                    eval_stats):
    """accumulate = storage: every float32 op's result rounded to the format, in sequence."""
    R = scalar_rounder(precision)
    f = np.float32
    shape = x32.shape
    c = shape[channel_axis(len(shape))]
    xs = round_to(precision, x32).ravel()
    gs = np.ones(c, np.float32) if gamma32 is None else round_to(precision, gamma32)
    bs = (np.zeros(c, np.float32) if beta32 is None or family == "rmsnorm"
          else round_to(precision, beta32))
    ch = channel_of_cells(shape)
    cells = group_cells(family, shape, groups)
    n, e = f(cells.shape[1]), f(eps)
    y = np.zeros(xs.size, np.float32)
    out = {k: [] for k in ("mean", "var", "rms", "inv_std")}
    for gi, row in enumerate(cells):
        s = q = f(0)
        for i in row:
            s = R(s + xs[i])
            q = R(q + R(xs[i] * xs[i]))
        mean = R(s / n)
        ms = R(q / n)
        var = R(ms - R(mean * mean))
        if eval_stats is not None:
            stat, center = f(eval_stats[1][gi]), f(eval_stats[0][gi])
        else:
            stat = ms if family == "rmsnorm" else var
            center = f(0) if family == "rmsnorm" else mean
        denom = R(np.sqrt(R(stat + e))) if placement == "inside" else R(R(np.sqrt(stat)) + e)
        inv = R(f(1) / denom)
        for i in row:
            y[i] = R(R(R(R(xs[i] - center) * inv) * gs[ch[i]]) + bs[ch[i]])
        for k, val in (("mean", mean), ("var", var), ("rms", R(np.sqrt(ms))), ("inv_std", inv)):
            out[k].append(val)
    result = {k: np.array(v, dtype=np.float32) for k, v in out.items()}
    result["y"] = y.reshape(shape)
    return result


def add_variant(name, family, shape, xs, seed=None, eps=1e-5, groups=1, placement="inside",
                precision="fp32", accumulate="fp32", momentum=0.1, modes=None, affine=True,
                running=False, init=None):
    """xs: list of float32 inputs, one per step; modes: "train"/"eval" per step."""
    rank = len(shape)
    c = shape[channel_axis(rank)]
    rng = np.random.default_rng(seed)
    gamma = beta = None
    if affine:
        gamma = (1.0 + 0.5 * rng.standard_normal(c)).astype(np.float32)
        if family != "rmsnorm":
            beta = (0.5 * rng.standard_normal(c)).astype(np.float32)
    modes = modes or ["train"] * len(xs)
    eps32 = float(np.float32(eps))
    m = float(np.float32(momentum))
    state = None if init is None else [np.asarray(init[0], np.float32),
                                       np.asarray(init[1], np.float32)]
    case = {"name": name, "family": family, "shape": list(shape), "groups": groups,
            "eps": np.float32(eps), "eps_placement": placement, "precision": precision,
            "accumulate": accumulate, "momentum": np.float32(momentum),
            "exact": accumulate == "storage", "running": running}
    if gamma is not None:
        case["gamma"] = gamma
    if beta is not None:
        case["beta"] = beta
    if state is not None:
        case["running_mean"], case["running_var"] = state
    steps = []
    for x, mode in zip(xs, modes):
        x = np.asarray(x, dtype=np.float32).reshape(shape)
        step = {"mode": mode, "x": x}
        bn = family == "batchnorm"
        n = x.size // c
        if bn and running and mode == "train" and n == 1:
            step["error"] = "Expected more than 1 value per channel when training"
        else:
            eval_stats = None
            if bn and mode == "eval":
                eval_stats = state if state is not None else [np.zeros(c, np.float32),
                                                              np.ones(c, np.float32)]
            fwd = forward_storage if accumulate == "storage" else forward_wide
            with np.errstate(all="ignore"):
                r = fwd(family, x, eps32, groups, gamma, beta, placement, precision,
                        eval_stats)
            step.update(r)
            if bn and running and mode == "train":
                if state is None:
                    state = [np.zeros(c, np.float32), np.ones(c, np.float32)]
                bm = r["mean"].astype(np.float64)
                bv = r["var"].astype(np.float64) * n / (n - 1)  # unbiased
                state = [((1 - m) * state[0] + m * bm).astype(np.float32),
                         ((1 - m) * state[1] + m * bv).astype(np.float32)]
        if running and bn:
            empty = np.zeros(0, np.float32)
            step["running_mean"] = state[0] if state is not None else empty
            step["running_var"] = state[1] if state is not None else empty
        steps.append(step)
    case["steps"] = steps
    VARIANTS.append(case)


def build_variants():
    seed = 5000

    def next_seed():
        nonlocal seed
        seed += 1
        return seed

    def randn(shape, offset=0.0, scale=1.0, s=None):
        r = np.random.default_rng(next_seed() if s is None else s)
        return (offset + scale * r.standard_normal(shape)).astype(np.float32)

    # Hard cases on every family and layout, default spec, no running stats.
    layouts = {2: (4, 6), 3: (2, 3, 6), 4: (2, 6, 2, 2)}
    for family in ("batchnorm", "layernorm", "rmsnorm", "groupnorm", "instancenorm"):
        for rank, shape in layouts.items():
            if family == "instancenorm" and rank == 2:
                continue
            g = 2 if family == "groupnorm" else 1
            tag = f"{family} rank{rank}"
            b1 = (1,) + shape[1:]
            add_variant(f"hard B=1 {tag}", family, b1, [randn(b1)], next_seed(), groups=g)
            d1 = {2: (4, 1), 3: (2, 3, 1), 4: (2, 1, 2, 2)}[rank]
            add_variant(f"hard d=1 {tag}", family, d1, [randn(d1)], next_seed(), groups=1)
            x = randn(shape)
            x.ravel()[group_cells(family, shape, g)[0]] = 2.5
            add_variant(f"hard zero-var {tag}", family, shape, [x], next_seed(), groups=g)
            add_variant(f"hard offset {tag}", family, shape, [randn(shape, 1e4, 1e-2)],
                        next_seed(), groups=g)
            add_variant(f"hard 1e30 {tag}", family, shape, [randn(shape, 0.0, 1e30)],
                        next_seed(), groups=g)
            x = randn(shape)
            x.ravel()[5] = np.nan
            add_variant(f"hard NaN {tag}", family, shape, [x], next_seed(), groups=g)

    # eps outside the root (the classic bug): 1/(sqrt(var) + eps).
    x = randn((3, 16), 0.0, 0.1)
    x[1, :] = 0.75
    for place in ("inside", "outside"):
        add_variant(f"eps {place} layernorm (3,16) eps=1e-2 constant row", "layernorm",
                    (3, 16), [x], 11, eps=1e-2, placement=place)
    add_variant("eps outside layernorm (2,5) eps=0 constant row", "layernorm", (2, 5),
                [np.array([3, 3, 3, 3, 3, 1, 2, 4, 8, 16], np.float32)], 12, eps=0.0,
                placement="outside")
    # Noise of one float ulp with a small eps: outside turns it into O(1) outputs.
    tiny = np.array([1, 1 + 2 ** -23, 1, 1 + 2 ** -23, 1 + 2 ** -22, 1, 1, 1], np.float32)
    for place in ("inside", "outside"):
        add_variant(f"eps {place} layernorm (1,8) one-ulp noise eps=1e-8", "layernorm",
                    (1, 8), [tiny], 13, eps=1e-8, placement=place, affine=False)
    add_variant("eps outside rmsnorm (2,7) eps=0.1", "rmsnorm", (2, 7),
                [randn((2, 7), 0.0, 0.1)], 14, eps=0.1, placement="outside")
    x = randn((8, 5), 0.0, 0.1)
    x[:, 3] = -0.5
    add_variant("eps outside batchnorm (8,5) zero-var column", "batchnorm", (8, 5), [x], 15,
                placement="outside")
    add_variant("eps outside groupnorm (2,4,3,3) G=2 eps=1e-3", "groupnorm", (2, 4, 3, 3),
                [randn((2, 4, 3, 3), 0.0, 0.05)], 16, eps=1e-3, groups=2, placement="outside")
    add_variant("eps outside instancenorm (2,3,8) eps=0.1", "instancenorm", (2, 3, 8),
                [randn((2, 3, 8), 0.0, 0.3)], 17, eps=0.1, placement="outside")
    add_variant("eps outside batchnorm (2,3,2,2) rank4", "batchnorm", (2, 3, 2, 2),
                [randn((2, 3, 2, 2), 1.0, 0.2)], 18, eps=1e-2, placement="outside")

    # Storage formats with wide (fp32) accumulation.
    for prec in ("fp16", "bf16"):
        for family, shape, g in (("layernorm", (2, 8), 1), ("rmsnorm", (2, 8), 1),
                                 ("batchnorm", (8, 3), 1), ("groupnorm", (2, 4, 2, 2), 2),
                                 ("instancenorm", (2, 5, 3), 1),
                                 ("batchnorm", (2, 3, 2, 2), 1)):
            add_variant(f"{prec} {family} {shape}", family, shape, [randn(shape, 0.3, 1.7)],
                        next_seed(), groups=g, precision=prec)
    x = np.array([1, 2, 70000, 4, 1, 2, 3, 4], np.float32)
    add_variant("fp16 overflow input layernorm (2,4)", "layernorm", (2, 4), [x], 21,
                precision="fp16")
    add_variant("fp16 subnormal inputs layernorm (2,8)", "layernorm", (2, 8),
                [randn((2, 8), 0.0, 1e-6)], 22, precision="fp16")
    add_variant("fp16 thirds layernorm (1,6)", "layernorm", (1, 6),
                [np.array([1 / 3, 2 / 3, 1, 4 / 3, 5 / 3, 2], np.float32)], 23, precision="fp16")
    add_variant("bf16 offset layernorm (2,16) spread lost", "layernorm", (2, 16),
                [randn((2, 16), 1e4, 1e-2)], 24, precision="bf16")
    add_variant("fp16 offset batchnorm (16,3)", "batchnorm", (16, 3),
                [randn((16, 3), 1e3, 1.0)], 25, precision="fp16")
    add_variant("fp16 eps outside layernorm (2,8)", "layernorm", (2, 8),
                [randn((2, 8), 0.0, 0.05)], 26, eps=1e-3, precision="fp16", placement="outside")

    # The naive storage-precision kernel: exact, op by op.
    for prec in ("fp16", "bf16", "fp32"):
        for family, shape, g in (("layernorm", (2, 8), 1), ("rmsnorm", (2, 8), 1),
                                 ("batchnorm", (6, 3), 1), ("groupnorm", (2, 4, 2, 2), 2),
                                 ("instancenorm", (2, 6, 2), 1),
                                 ("batchnorm", (2, 2, 2, 3), 1)):
            add_variant(f"storage-acc {prec} {family} {shape}", family, shape,
                        [randn(shape, 0.5, 1.5)], next_seed(), groups=g, precision=prec,
                        accumulate="storage")
    x300 = np.full((2, 16), 300.0, np.float32)
    x300[1] = randn(16)
    for family in ("layernorm", "rmsnorm"):
        for acc in ("storage", "fp32"):
            add_variant(f"row of 300s {family} fp16 accumulate={acc}", family, (2, 16), [x300],
                        31, precision="fp16", accumulate=acc)
    add_variant("storage-acc fp16 cancellation layernorm (4,16) 30+0.5n", "layernorm", (4, 16),
                [randn((4, 16), 30.0, 0.5)], 32, precision="fp16", accumulate="storage")
    add_variant("storage-acc fp16 variance underflow layernorm (2,8) 1e-4n", "layernorm",
                (2, 8), [randn((2, 8), 0.0, 1e-4)], 33, precision="fp16", accumulate="storage")
    add_variant("storage-acc fp32 offset layernorm (2,64) 1e4+1e-2n", "layernorm", (2, 64),
                [randn((2, 64), 1e4, 1e-2)], 34, precision="fp32", accumulate="storage")
    add_variant("storage-acc fp16 eps outside layernorm (2,8)", "layernorm", (2, 8),
                [randn((2, 8), 0.0, 0.02)], 35, eps=1e-3, precision="fp16",
                accumulate="storage", placement="outside")
    add_variant("storage-acc bf16 eps outside rmsnorm (2,8)", "rmsnorm", (2, 8),
                [randn((2, 8), 0.0, 0.02)], 36, eps=1e-3, precision="bf16",
                accumulate="storage", placement="outside")

    # BatchNorm running statistics: train steps update them, eval uses them.
    def batches(shape, k, mu, sd, s):
        r = np.random.default_rng(s)
        ca = channel_axis(len(shape))
        ash = affine_shape(len(shape), shape[ca])
        return [(mu.reshape(ash) + sd.reshape(ash) * r.standard_normal(shape))
                .astype(np.float32) for _ in range(k)]

    mu4 = np.array([1.0, -2.0, 0.5, 3.0])
    sd4 = np.array([0.5, 2.0, 1.0, 0.1])
    xs = batches((8, 4), 8, mu4, sd4, 41) + batches((8, 4), 1, mu4 + 1.0, sd4 * 3, 42)
    add_variant("running bn (8,4) m=0.1 fresh: 7 train, eval x2", "batchnorm", (8, 4), xs, 43,
                running=True, modes=["train"] * 7 + ["eval", "eval"])
    mu3, sd3 = np.array([0.0, 5.0, -1.0]), np.array([1.0, 0.5, 3.0])
    add_variant("running bn (4,5,3) m=0.3 given init: 3 train, eval", "batchnorm", (4, 5, 3),
                batches((4, 5, 3), 4, mu3, sd3, 44), 45, momentum=0.3, running=True,
                init=([0.5, 4.0, 0.0], [2.0, 0.25, 4.0]), modes=["train"] * 3 + ["eval"])
    mu2, sd2 = np.array([2.0, -1.0]), np.array([0.3, 1.5])
    add_variant("running bn (3,2,2,2) m=1: running = last batch", "batchnorm", (3, 2, 2, 2),
                batches((3, 2, 2, 2), 3, mu2, sd2, 46), 47, momentum=1.0, running=True,
                modes=["train", "train", "eval"])
    add_variant("running bn (5,3) m=0: running never moves", "batchnorm", (5, 3),
                batches((5, 3), 3, mu3, sd3, 48), 49, momentum=0.0, running=True,
                init=([1.0, 2.0, 3.0], [0.5, 1.0, 2.0]), modes=["train", "train", "eval"])
    add_variant("running bn eval without running stats (4,3): defaults 0 and 1", "batchnorm",
                (4, 3), batches((4, 3), 1, mu3, sd3, 50), 51, modes=["eval"])
    add_variant("running bn eval with empty running stats (4,3)", "batchnorm", (4, 3),
                batches((4, 3), 1, mu3, sd3, 52), 53, running=True, modes=["eval"])
    add_variant("running bn train B=1 (1,4) is an error", "batchnorm", (1, 4),
                batches((1, 4), 1, mu4, sd4, 54), 55, running=True)
    add_variant("running bn train B=1 (1,4) without running stats gives beta", "batchnorm",
                (1, 4), batches((1, 4), 1, mu4, sd4, 56), 57)
    add_variant("running bn train B=1 (1,2,2,2) spatial n=4", "batchnorm", (1, 2, 2, 2),
                batches((1, 2, 2, 2), 2, mu2, sd2, 58), 59, running=True,
                modes=["train", "eval"])
    add_variant("running bn (2,3) batch of 2: 2 train, eval", "batchnorm", (2, 3),
                batches((2, 3), 3, mu3, sd3, 60), 61, running=True,
                modes=["train", "train", "eval"])
    add_variant("running bn eval fp16 (4,3)", "batchnorm", (4, 3),
                batches((4, 3), 1, mu3, sd3, 62), 63, running=True, precision="fp16",
                init=([0.1, 4.9, -1.2], [1.1, 0.3, 8.5]), modes=["eval"])
    add_variant("running bn eval eps outside (4,3)", "batchnorm", (4, 3),
                batches((4, 3), 1, mu3, sd3, 64), 65, running=True, eps=1e-2,
                placement="outside", init=([0.1, 4.9, -1.2], [1.1, 0.0, 8.5]),
                modes=["eval"])
    add_variant("running bn bf16 train x2 + eval (6,3)", "batchnorm", (6, 3),
                batches((6, 3), 3, mu3, sd3, 66), 67, running=True, precision="bf16",
                modes=["train", "train", "eval"])
    add_variant("running bn storage-acc fp16 train x2 + eval (6,3)", "batchnorm", (6, 3),
                batches((6, 3), 3, mu3, sd3, 68), 69, running=True, precision="fp16",
                accumulate="storage", modes=["train", "train", "eval"])


def num_text(v):
    with np.errstate(over="ignore"):  # float64 statistics past FLT_MAX are stored as inf
        f = np.float32(v)
    if np.isnan(f):
        return '"nan"'
    if np.isinf(f):
        return '"inf"' if f > 0 else '"-inf"'
    return f32_text(f)


def to_text(v):
    if isinstance(v, np.ndarray):
        return "[" + ",".join(num_text(e) for e in v.ravel()) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{json.dumps(k)}: {to_text(e)}" for k, e in v.items()) + "}"
    if isinstance(v, list):
        return "[" + ",".join(to_text(e) for e in v) + "]"
    if isinstance(v, (bool, int, str)):
        return json.dumps(v)
    if isinstance(v, (float, np.floating)):
        return num_text(v)
    raise TypeError(type(v))


def write_variants(path):
    text = "[\n" + ",\n".join("  " + to_text(c) for c in VARIANTS) + "\n]\n"
    json.loads(text)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return len(text)


def main():
    build_cases()
    size = write(OUT)
    print(f"wrote {len(CASES)} cases, {size / 1024:.0f} KiB to {OUT}", file=sys.stderr)
    check_rounding()
    build_variants()
    size = write_variants(VARIANTS_OUT)
    print(f"wrote {len(VARIANTS)} cases, {size / 1024:.0f} KiB to {VARIANTS_OUT}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
