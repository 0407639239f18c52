// kernels/weight_norm.h: normalizations that are not activation statistics: WeightNorm and
// SpectralNorm reparametrize a weight matrix, ScaleNorm rescales each feature vector to one
// learned length, DyT replaces the statistics with an elementwise tanh. Forward only.
// Owns: their math and argument checks. Knows nothing of UI, platform or lab state, and shares
// no state with norm.h (no groups, no trace). All math runs in double on float inputs, results
// are rounded to float once. Every function checks everything before writing, so on an error
// (a "" -> message return) no output and no state has changed.
//
//   WeightNorm   (PyTorch torch.nn.utils.weight_norm, dim=0) for a weight v of shape (out, in):
//                  w[r, :] = g[r] * v[r, :] / ||v[r, :]||_2
//                so every row of w has norm |g[r]|. A zero row of v is an error (PyTorch: NaN).
//   SpectralNorm (PyTorch torch.nn.utils.spectral_norm, dim=0) for W of shape (out, in), with
//                persistent vectors u (out) and v (in), normalize(a) = a / max(||a||, 1e-12):
//                  repeat n times:  v = normalize(W^T u);  u = normalize(W v)
//                  sigma = u . (W v),   W_sn = W / sigma
//                sigma is the power-iteration estimate of the largest singular value: it never
//                exceeds it and converges at the rate (s2/s1)^2 per iteration. n = 0 (PyTorch's
//                eval mode) reuses u and v as they are.
//   ScaleNorm    (Nguyen & Salazar 2019) per feature vector x (the last axis of (B, d) or
//                (B, L, d)) with ONE learned scalar g:
//                  y = g * x / max(||x||_2, eps)
//                so every row with ||x|| >= eps has norm |g|. eps = 0 on a zero row gives NaN.
//   DyT          (Dynamic Tanh, Zhu et al. 2025), elementwise on any rank-2/3/4 tensor:
//                  y = gamma[c] * tanh(alpha * x) + beta[c]     (c = channel_of, as in norm.h)
//                no statistics, so no element's output depends on any other element.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/shape.h"

namespace normlab::kernels {

// WeightNorm. v: rank-2 (out, in) view. g: out values. w: out*in floats (may alias v.data).
// row_norms: out floats receiving ||v[r, :]||, or null to skip.
std::string weight_norm(core::TensorView v, const float* g, float* w, float* row_norms);

// PyTorch's guard in normalize(): a / max(||a||, kSpectralNormEps).
inline constexpr double kSpectralNormEps = 1e-12;

// The persistent power-iteration vectors (PyTorch's weight_u / weight_v buffers), unit length.
struct SpectralNormState {
    std::vector<float> u; // out entries
    std::vector<float> v; // in entries
};

// Sets u and v to normalized N(0, 1) draws from core::Rng(seed) (u first, then v).
// w_shape must be a valid rank-2 (out, in) shape.
std::string spectral_norm_init(const core::Shape& w_shape, std::uint64_t seed,
                               SpectralNormState* state);

// Runs `iterations` (>= 0) power iterations on w (rank-2 (out, in), finite, not all zero),
// updating state (which must match w's shape, e.g. from spectral_norm_init), then writes
// W / sigma to w_sn (out*in floats, may alias w.data; null to skip) and sigma to *sigma (null to
// skip). sigma_per_iteration (null to skip) is replaced by the estimate after each iteration,
// for a convergence plot. A zero estimate (u orthogonal to W's range) is an error.
std::string spectral_norm(core::TensorView w, int iterations, SpectralNormState* state, float* w_sn,
                          float* sigma, std::vector<float>* sigma_per_iteration);

// ScaleNorm. x: rank 2 (B, d) or rank 3 (B, L, d); rows are the last axis. g: finite scalar.
// eps: finite and >= 0 (the paper's code uses 1e-5). y: x.shape.size() floats, may alias x.
// row_norms: one float per row receiving ||x_row||, or null to skip.
std::string scale_norm(core::TensorView x, float g, float eps, float* y, float* row_norms);

// DyT. x: any valid rank-2/3/4 view. alpha: finite scalar (the paper initialises it to 0.5).
// gamma/beta: one per channel or null for 1/0. y: x.shape.size() floats, may alias x.
std::string dyt(core::TensorView x, float alpha, const float* gamma, const float* beta, float* y);

} // namespace normlab::kernels
