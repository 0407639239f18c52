#!/usr/bin/python3
"""tests/data/gen_reference.py: golden forward-pass results for the norm kernels, from numpy.

Regenerate (deterministic: fixed seeds, output is byte-identical on every run):
    /usr/bin/python3 tests/data/gen_reference.py        # writes tests/data/reference_norm.json

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


def main():
    build_cases()
    size = write(OUT)
    print(f"wrote {len(CASES)} cases, {size / 1024:.0f} KiB to {OUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
