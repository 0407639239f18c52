// kernels/norm_backward.h: backward passes of the activation norms of norm.h, and a finite-
// difference gradient check for them. Owns: the gradient math and its check; nothing of UI,
// platform or lab state. Groups come from the same (O, P, Q, M) plan as the forward
// (plan_groups), the affine index from channel_of, so forward and backward cannot disagree on
// which cells share statistics.
//
// Math (PyTorch semantics, training-mode statistics unless stated). Per group of N cells,
// with L the loss and dy = dL/dy given:
//   mu = mean(x),  var = mean((x - mu)^2)   (BIASED),  r = 1 / sqrt(var + eps)  (eps inside)
//   xhat = (x - mu) * r,   y = gamma[c] * xhat + beta[c]
//   g    = dy * gamma[c]                                  (the gradient w.r.t. xhat)
//   dx   = r * (g - mean(g) - xhat * mean(g * xhat))      (mean() over the cell's group)
// RMSNorm (no centering, no beta):
//   ms = mean(x^2),  r = 1 / sqrt(ms + eps),  xhat = x * r,  y = gamma[c] * xhat
//   dx = r * (g - xhat * mean(g * xhat))
// Affine gradients, summed over every cell of channel c (all groups, all examples):
//   dgamma[c] = sum(dy * xhat),   dbeta[c] = sum(dy)   (RMSNorm: dbeta is written as 0)
// Eval-mode BatchNorm (spec.mode == Eval) uses the running estimates rm, rv as CONSTANTS (not
// functions of x), exactly as the forward applies them:
//   xhat = (x - rm[c]) * r[c],  r[c] = 1 / sqrt(rv[c] + eps),  dx = dy * gamma[c] * r[c]
//   (eps outside: r[c] = 1 / (sqrt(rv[c]) + eps))
// so no example's dx depends on another example, unlike train mode, where mean(g) and
// mean(g * xhat) couple every example of the batch. (Other families have no running statistics;
// for them Eval is Train, as in the forward.)
// eps outside the root (spec.eps_placement == Outside, the classic bug): r = 1 / (sqrt(s) + eps)
// with s = var (RMSNorm: ms), and the chain rule through sqrt(s) gives
//   dx = r * (g - mean(g)) - xhat * mean(g * xhat) / sqrt(s)      (RMSNorm: without mean(g))
// (Inside the same formula reads r * (g - mean(g) - xhat * mean(g * xhat)), since there
// d r / d s = -r^3 / 2.) Outside, a constant group has d sqrt(s) / d s infinite: dx is NaN,
// as PyTorch's autograd gives.
// What follows from it (and what the tests check): LayerNorm's dx sums to 0 over each group and
// xhat . dx = eps * r^3 * sum(g * xhat) (0 when eps = 0: scale invariance); RMSNorm's dx has
// x . dx = eps * r^3 * sum(g * x) (0 when eps = 0) but does not sum to 0.
// eps = 0 on a constant group makes r infinite and the gradients NaN/inf, as in PyTorch.
// The backward is exact real math evaluated with double accumulators on the float inputs (plain
// scalar code). It models fp32 storage and accumulation only: a spec with a 16-bit storage
// format or storage-precision accumulation is refused with a message rather than given the
// gradient of a different function.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/shape.h"
#include "kernels/norm.h"

namespace normlab::kernels {

// [SECTION] analytic backward

// Backward of normalize(spec, NormArgs{.x = x, .gamma = gamma, .running = running}) for every
// family and layout, eps placement and mode. x, dy: shape.size() floats. gamma: one per channel
// or null for ones. running: read only for BatchNorm in Eval mode (null or empty vectors: the
// defaults mean 0, var 1, as in the forward; otherwise one finite value per channel and var >= 0);
// ignored otherwise (Train's running update does not change the gradient). dx (shape.size()),
// dgamma and dbeta (one per channel each; RMSNorm's dbeta is written as 0): null to skip. dx may
// alias x or dy (every reduction finishes before dx is written). Returns "" or a one-line message
// (plan_groups' checks, null x or dy, a storage/accumulate variant, bad running stats); on error
// nothing is written.
std::string normalize_backward(const NormSpec& spec, core::TensorView x, const float* gamma,
                               const float* dy, float* dx, float* dgamma, float* dbeta,
                               const RunningStats* running = nullptr);

// [SECTION] gradient check
// Central finite differences in double on an independent double-precision copy of the forward
// formula, against the analytic backward above, for the scalar loss L = sum(dy * y):
//   numeric_j = (L(p + h e_j) - L(p - h e_j)) / (2 h)
// for every parameter p_j in x (or an evenly spaced sample of max_checks of them), gamma and
// beta (not beta for RMSNorm). The independent forward finds groups from each cell's axes (not
// from the (O, P, Q, M) plan), so it also catches a wrong grouping. h is 1e-4 times the
// group's scale sqrt(var + eps) (RMSNorm: sqrt(ms + eps)) for x, and 1e-3 * (1 + |p|) where L
// is linear in p (gamma, beta, and x in Eval-mode BatchNorm).
// Error per entry, analytic a against numeric n:
//   abs_err = |a - n|,   rel_err = |a - n| / max(|a| + |n|, kGradcheckRelFloor)
// The floor keeps entries that are 0 on both sides (LayerNorm over one cell) at 0 error.
inline constexpr double kGradcheckRelFloor = 1e-6;

struct GradCheckCase {
    NormSpec spec;
    core::Shape shape;
    std::vector<float> x;     // shape.size()
    std::vector<float> gamma; // one per channel; empty means ones
    std::vector<float> beta;  // one per channel; empty means zeros (ignored by RMSNorm)
    std::vector<float> dy;    // shape.size(): the upstream gradient
    RunningStats running;     // BatchNorm in Eval mode (empty vectors: 0 and 1)
};

// A random case from `seed` (core::Rng): x = offset + scale * N(0,1) with a per-case offset in
// [-2, 2] and scale in [0.5, 2]; gamma = 1 + 0.5 N(0,1); beta, dy = N(0,1); for BatchNorm in
// Eval mode running.mean = 0.5 N(0,1) and running.var in [0.5, 1.5). The spec is copied as
// given; an unplannable shape leaves the vectors empty (gradcheck then reports why).
GradCheckCase make_gradcheck_case(const NormSpec& spec, const core::Shape& shape,
                                  std::uint64_t seed);

struct GradCheckReport {
    double max_rel_err = 0.0;
    double max_abs_err = 0.0;
    std::size_t checked = 0; // gradient entries compared (dx sample + dgamma + dbeta)
};

// Runs the check. Returns "" or a one-line message: a bad case (normalize_backward's checks,
// vector lengths, non-finite inputs) or non-finite gradients (a constant group with eps 0 or
// eps outside the root). max_checks >= 1 bounds the dx entries compared. Both eps placements
// and both modes are checked with their own textbook forward.
std::string gradcheck(const GradCheckCase& c, GradCheckReport* report,
                      std::size_t max_checks = 4096);

} // namespace normlab::kernels
