// kernels/norm.h: the public entry to the normalization kernels (activation norms).
// Owns: which cells form a group for each family and layout, the forward math, its trace.
// Knows nothing of UI, platform or lab state. Math (PyTorch semantics):
//   y = (x - mean) / sqrt(var + eps) * gamma + beta     (BatchNorm, LayerNorm, GroupNorm,
//                                                         InstanceNorm; var is the BIASED var)
//   y = x / sqrt(mean(x^2) + eps) * gamma               (RMSNorm: no centering, no beta)
// eps sits inside the square root. Statistics are per group; the groups are:
//   BatchNorm    per channel, over every other axis (batch coupled)
//   LayerNorm    per example (per token for rank 3) over the feature axis; rank 4: over (C,H,W)
//   RMSNorm      same groups as LayerNorm
//   GroupNorm    per example and channel group, over (C/G channels x spatial)
//   InstanceNorm per example and channel, over the spatial axes (L for rank 3; not rank 2)
//
// Every family and layout maps to one canonical view (O, P, Q, M) of the row-major tensor:
// element (o, p, q, m) sits at ((o*P + p)*Q + q)*M + m, the group of a cell is o*Q + q, and a
// group reduces over its P*M cells. The kernels iterate this view; the UI asks group_of().
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/shape.h"

namespace normlab::kernels {

enum class NormKind { Batch, Layer, Rms, Group, Instance };

const char* norm_name(NormKind kind);                  // "BatchNorm", ...
const char* norm_id(NormKind kind);                    // "batchnorm", ... (URL / CLI / JSON)
bool parse_norm_id(const std::string& id, NormKind* out); // false on an unknown id

struct NormSpec {
    NormKind kind = NormKind::Layer;
    float eps = 1e-5f;
    int groups = 1;   // GroupNorm only: number of channel groups G (must divide C)
};

// The canonical (O, P, Q, M) view; see the file header.
struct GroupPlan {
    std::size_t outer = 1;  // O
    std::size_t pre = 1;    // P  (reduced, strided by Q*M)
    std::size_t groups = 1; // Q
    std::size_t inner = 1;  // M  (reduced, contiguous)

    std::size_t group_count() const { return outer * groups; }
    std::size_t group_size() const { return pre * inner; }
};

// Plans the grouping of `spec` on `shape`. Returns an empty string on success, otherwise a
// one-line message naming the problem (invalid shape, groups not dividing C, InstanceNorm on
// a rank-2 tensor, eps negative or not finite).
std::string plan_groups(const core::Shape& shape, const NormSpec& spec, GroupPlan* plan);

// The group a cell (flat row-major index) belongs to. Precondition: plan from plan_groups.
std::size_t group_of(const GroupPlan& plan, std::size_t flat_index);

// Per-group statistics of the INPUT, computed in double-accurate two-pass form so a large
// offset with a tiny spread (1e4 + 1e-2 noise) keeps its variance.
struct NormTrace {
    std::vector<float> mean;     // per group (RMSNorm: still reported, not used)
    std::vector<float> var;      // biased variance per group
    std::vector<float> rms;      // sqrt(mean(x^2)) per group
    std::vector<float> inv_std;  // the factor actually applied: 1/sqrt(var+eps) or 1/sqrt(ms+eps)
};

enum class Impl { Reference, Simd };
const char* impl_name(Impl impl);                         // "reference", "simd" (CLI / JSON ids)
bool parse_impl_name(const std::string& name, Impl* out); // false on an unknown name
const char* simd_target_name(); // what Impl::Simd compiled to: "wasm-simd128", "sse2", "scalar"

// The affine (gamma/beta) index of a cell: its channel. Precondition: shape.valid().
std::size_t channel_of(const core::Shape& shape, std::size_t flat_index);

// Forward pass. x: shape.size() floats; y: same size (may alias x). gamma/beta: one per
// channel or null for 1/0 (beta ignored by RMSNorm). trace: null to skip. Returns "" or an
// error message (from plan_groups); on error y is untouched.
std::string normalize(const NormSpec& spec, core::TensorView x, float* y, const float* gamma,
                      const float* beta, NormTrace* trace, Impl impl = Impl::Simd);

} // namespace normlab::kernels
