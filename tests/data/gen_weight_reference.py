#!/usr/bin/python3
"""tests/data/gen_weight_reference.py: golden results for kernels/weight_norm.h, from numpy.

Regenerate (deterministic: fixed seeds, output is byte-identical on every run):
    /usr/bin/python3 tests/data/gen_weight_reference.py   # writes tests/data/reference_weight_norm.json

Written from the textbook/PyTorch definitions; shares no code with src/kernels. Inputs are
float32; every result is computed in float64 from those float32 values. Tensors are stored in
their shortest float32 text (parses back to the exact float32); scalars that the tests compare
tightly (sigma estimates, singular values) are stored as float64 reprs.

{
  "weightnorm":   [{name, shape [out,in], v, g, w, row_norms}]
                  w[r] = g[r] * v[r] / ||v[r]||                 (PyTorch weight_norm, dim=0)
  "spectralnorm": [{name, shape, w, u0, v0, iterations, sigma_history, sigma, w_sn,
                    singular_values}]
                  u0, v0: unit float32 start vectors; per iteration (PyTorch spectral_norm):
                  v = normalize(W^T u); u = normalize(W v); sigma_k = u . (W v),
                  normalize(a) = a / max(||a||, 1e-12); w_sn = W / sigma_last;
                  singular_values: numpy's SVD of W (float64), largest first.
  "scalenorm":    [{name, shape, x, g, eps, y}]   y = g * x / max(||x||, eps) per last-axis row
  "dyt":          [{name, shape, x, alpha, gamma, beta, y}]
                  y = gamma[c] * tanh(alpha * x) + beta[c], c = axis 1 for rank 4, else last
}
"""

import json
import os

import numpy as np

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "reference_weight_norm.json")


def f32_text(v):
    """Shortest text that parses back to the same float32."""
    f = np.float32(v)
    if not np.isfinite(f):
        raise ValueError("non-finite value in golden data")
    return str(f)


def f32_list(a):
    return [float(f32_text(v)) for v in np.asarray(a).ravel()]


def f64(v):
    return float(v)


def normalize(a, eps=1e-12):
    return a / max(np.linalg.norm(a), eps)


# [SECTION] WeightNorm

def weight_norm_case(name, shape, seed, g=None):
    rng = np.random.default_rng(seed)
    v = rng.standard_normal(shape).astype(np.float32)
    if g is None:
        g = (1.0 + 0.5 * rng.standard_normal(shape[0])).astype(np.float32)
    g = np.asarray(g, dtype=np.float32)
    v64 = v.astype(np.float64)
    norms = np.linalg.norm(v64, axis=1)
    w = g.astype(np.float64)[:, None] * v64 / norms[:, None]
    return {"name": name, "shape": list(shape), "v": f32_list(v), "g": f32_list(g),
            "w": f32_list(w), "row_norms": f32_list(norms)}


# [SECTION] SpectralNorm

def matrix_with_spectrum(shape, singular_values, seed):
    """U diag(s) V^T with random orthonormal U, V: a known spectrum (and so a known gap)."""
    rng = np.random.default_rng(seed)
    out, inn = shape
    k = len(singular_values)
    u, _ = np.linalg.qr(rng.standard_normal((out, k)))
    v, _ = np.linalg.qr(rng.standard_normal((inn, k)))
    return (u * np.asarray(singular_values)) @ v.T


def spectral_norm_case(name, w, iterations, seed):
    rng = np.random.default_rng(seed)
    w32 = np.asarray(w, dtype=np.float32)
    out, inn = w32.shape
    u0 = normalize(rng.standard_normal(out)).astype(np.float32)
    v0 = normalize(rng.standard_normal(inn)).astype(np.float32)
    W = w32.astype(np.float64)
    u = u0.astype(np.float64)
    v = v0.astype(np.float64)
    history = []
    for _ in range(iterations):
        v = normalize(W.T @ u)
        u = normalize(W @ v)
        history.append(float(u @ (W @ v)))
    sigma = history[-1]
    return {"name": name, "shape": [out, inn], "w": f32_list(w32), "u0": f32_list(u0),
            "v0": f32_list(v0), "iterations": iterations,
            "sigma_history": [f64(s) for s in history], "sigma": f64(sigma),
            "w_sn": f32_list(W / sigma),
            "singular_values": [f64(s) for s in np.linalg.svd(W, compute_uv=False)]}


# [SECTION] ScaleNorm

def scale_norm_case(name, shape, seed, g, eps=1e-5, tiny_row=None):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape).astype(np.float32)
    d = shape[-1]
    rows = x.reshape(-1, d)
    if tiny_row is not None:
        rows[tiny_row] = (1e-7 * rng.standard_normal(d)).astype(np.float32)
    x = rows.reshape(shape)
    x64 = rows.astype(np.float64)
    norms = np.linalg.norm(x64, axis=1)
    g32 = float(np.float32(g))
    eps32 = float(np.float32(eps))
    y = g32 * x64 / np.maximum(norms, eps32)[:, None]
    return {"name": name, "shape": list(shape), "x": f32_list(x), "g": g32, "eps": eps,
            "y": f32_list(y.reshape(shape))}


# [SECTION] DyT

def dyt_case(name, shape, seed, alpha, scale=1.0, affine=True):
    rng = np.random.default_rng(seed)
    rank = len(shape)
    c_axis = 1 if rank == 4 else rank - 1
    c = shape[c_axis]
    x = (scale * rng.standard_normal(shape)).astype(np.float32)
    bshape = [1] * rank
    bshape[c_axis] = c
    case = {"name": name, "shape": list(shape), "x": f32_list(x),
            "alpha": float(np.float32(alpha))}
    g64 = np.ones(c)
    b64 = np.zeros(c)
    if affine:
        gamma = (1.0 + 0.5 * rng.standard_normal(c)).astype(np.float32)
        beta = (0.5 * rng.standard_normal(c)).astype(np.float32)
        case["gamma"] = f32_list(gamma)
        case["beta"] = f32_list(beta)
        g64 = gamma.astype(np.float64)
        b64 = beta.astype(np.float64)
    y = (g64.reshape(bshape) * np.tanh(case["alpha"] * x.astype(np.float64)) +
         b64.reshape(bshape))
    case["y"] = f32_list(y)
    return case


def build():
    doc = {
        "weightnorm": [
            weight_norm_case("random (5,4)", (5, 4), 2001),
            weight_norm_case("negative and zero g (3,6)", (3, 6), 2002, g=[-2.0, 0.0, 0.5]),
            weight_norm_case("one row (1,7)", (1, 7), 2003),
            weight_norm_case("one column (4,1)", (4, 1), 2004),
            weight_norm_case("wide (2,33)", (2, 33), 2005),
        ],
        "spectralnorm": [
            spectral_norm_case("gap 3/1.5 (6,4)",
                               matrix_with_spectrum((6, 4), [3.0, 1.5, 1.0, 0.5], 3001), 30, 3101),
            spectral_norm_case("gap 2/0.8 wide (3,7)",
                               matrix_with_spectrum((3, 7), [2.0, 0.8, 0.3], 3002), 30, 3102),
            spectral_norm_case("rank 1 (4,3)", matrix_with_spectrum((4, 3), [2.5], 3003), 5, 3103),
            spectral_norm_case("slow gap 1/0.9 (8,8)",
                               matrix_with_spectrum((8, 8), [1.0, 0.9, 0.5, 0.4, 0.3, 0.2, 0.1,
                                                             0.05], 3004), 12, 3104),
            spectral_norm_case("gaussian (5,5)",
                               np.random.default_rng(3005).standard_normal((5, 5)), 60, 3105),
            spectral_norm_case("one by one (1,1)", [[-1.5]], 2, 3106),
        ],
        "scalenorm": [
            scale_norm_case("rank 2 (4,6) g=sqrt(6)", (4, 6), 4001, np.sqrt(6.0)),
            scale_norm_case("rank 3 (2,3,5) tiny row below eps", (2, 3, 5), 4002, 1.5,
                            tiny_row=4),
            scale_norm_case("eps 0.5 clamps small rows (3,2)", (3, 2), 4003, 2.0, eps=0.5),
            scale_norm_case("d=1 (5,1)", (5, 1), 4004, 0.75),
        ],
        "dyt": [
            dyt_case("rank 2 (4,8) alpha 0.5", (4, 8), 5001, 0.5),
            dyt_case("rank 3 (2,3,5) no affine", (2, 3, 5), 5002, 1.25, affine=False),
            dyt_case("rank 4 (2,3,2,2) channel axis 1", (2, 3, 2, 2), 5003, 0.5),
            dyt_case("saturating x*50 (3,4)", (3, 4), 5004, 0.5, scale=50.0),
            dyt_case("negative alpha (2,3)", (2, 3), 5005, -0.7),
        ],
    }
    return doc


def main():
    doc = build()
    lines = ["{"]
    sections = list(doc.items())
    for si, (key, cases) in enumerate(sections):
        lines.append(f'  "{key}": [')
        for ci, case in enumerate(cases):
            comma = "," if ci + 1 < len(cases) else ""
            lines.append("    " + json.dumps(case, separators=(", ", ": ")) + comma)
        lines.append("  ]" + ("," if si + 1 < len(sections) else ""))
    lines.append("}")
    with open(OUT, "w") as f:
        f.write("\n".join(lines) + "\n")
    total = sum(len(c) for c in doc.values())
    print(f"wrote {total} cases to {OUT}")


if __name__ == "__main__":
    main()
