// train/jacobian.h: the Jacobian dy/dx of LayerNorm and RMSNorm for one small vector, built from
// the core's backward kernel (kernels::normalize_backward) applied to unit vectors: with
// dy = e_i the backward returns dx = J^T e_i, i.e. row i of J. Owns: the matrix and the two
// products the UI explains. Knows nothing of UI or platform.
// What the math says (gamma = 1, beta = 0, a vector of n values, eps inside the root):
//   LayerNorm  J 1 = 0 exactly (shifting every input by c does not move y: the removed mean
//              direction) and J x = 0 when eps = 0 (scale invariance; with eps > 0 it is
//              O(eps / var) small).
//   RMSNorm    J x = 0 when eps = 0 (same), but J 1 != 0 (no centring: a shift changes y).
#pragma once

#include <span>
#include <string>
#include <vector>

#include "kernels/norm.h"

namespace normlab::train {

inline constexpr int kMaxJacobianSize = 16;

struct Jacobian {
    int n = 0;
    std::vector<float> j; // n * n, row-major: j[i * n + k] = d y_i / d x_k
    std::vector<float> y; // the forward output at x (kernels::normalize)
};

// kind Layer or Rms; x: 1..kMaxJacobianSize finite values; eps >= 0. "" or a one-line message
// (other kinds, empty or too long x, non-finite values, kernel errors such as eps 0 on a
// constant vector).
std::string norm_jacobian(kernels::NormKind kind, std::span<const float> x, float eps,
                          Jacobian* out);

// out = J v (v: n values). Precondition: a Jacobian from norm_jacobian.
void jacobian_apply(const Jacobian& jac, std::span<const float> v, std::vector<float>* out);

} // namespace normlab::train
