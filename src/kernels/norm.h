// kernels/norm.h: the public entry to the normalization kernels (activation norms).
// Owns: which cells form a group for each family and layout, the forward math, its trace.
// Knows nothing of UI, platform or lab state. Math (PyTorch semantics):
//   y = (x - mean) / sqrt(var + eps) * gamma + beta     (BatchNorm, LayerNorm, GroupNorm,
//                                                         InstanceNorm; var is the BIASED var)
//   y = x / sqrt(mean(x^2) + eps) * gamma               (RMSNorm: no centering, no beta)
// eps sits inside the square root by default. Statistics are per group; the groups are:
//   BatchNorm    per channel, over every other axis (batch coupled)
//   LayerNorm    per example (per token for rank 3) over the feature axis; rank 4: over (C,H,W)
//   RMSNorm      same groups as LayerNorm
//   GroupNorm    per example and channel group, over (C/G channels x spatial)
//   InstanceNorm per example and channel, over the spatial axes (L for rank 3; not rank 2)
//
// Every family and layout maps to one canonical view (O, P, Q, M) of the row-major tensor:
// element (o, p, q, m) sits at ((o*P + p)*Q + q)*M + m, the group of a cell is o*Q + q, and a
// group reduces over its P*M cells. The kernels iterate this view; the UI asks group_of().
//
// Teaching variants (NormSpec fields after `groups`; the defaults are the plain math above):
//   eps_placement  Inside: 1/sqrt(var + eps)   Outside: 1/(sqrt(var) + eps), the classic bug
//                  (RMSNorm: 1/(sqrt(ms) + eps)). NormTrace::inv_std is the factor applied.
//   storage        Fp16/Bf16: x, gamma and beta are rounded to the format (round-to-nearest-
//                  even, overflow to inf, subnormals, NaN kept; kernels/precision.h) before the
//                  math, and y after it. Running statistics stay fp32 buffers (as in PyTorch
//                  mixed precision) and are not rounded.
//   accumulate     Fp32: the arithmetic is a correct wide kernel (the reference's double
//                  two-pass, then y as fp32) on the rounded inputs, i.e. what PyTorch does
//                  for half/bfloat16 tensors (acc type float).
//                  Storage: a naive kernel that keeps EVERY intermediate in the storage
//                  format, one float op at a time, each result rounded with round_to() (for
//                  Fp32 storage that is plain sequential float). Per group, cells in
//                  increasing flat index order, r() = round to storage, n = float(count):
//                    s = r(s + v);  q = r(q + r(v*v))               (from s = q = 0)
//                    mean = r(s / n);  ms = r(q / n);  var = r(ms - r(mean*mean))
//                    d = Inside ? r(sqrt(r(stat + eps))) : r(r(sqrt(stat)) + eps)
//                    inv_std = r(1 / d)   (stat = var, ms for RMSNorm, or BatchNorm eval's
//                                          running var)
//                    y = r(r(r(r(v - center) * inv_std) * gamma) + beta)
//                  The one-pass E[x^2] - E[x]^2 is deliberate: it shows the sum of squares
//                  overflowing fp16 (> 65504), cancellation (var can come out negative; it is
//                  NOT clamped, so sqrt gives NaN) and variance underflow. eps is a float
//                  constant; it is added in float and the sum rounded.
//   mode           BatchNorm only (see RunningStats). Train: batch statistics, then the running
//                  statistics are updated; Eval: running statistics, no update. Every other
//                  family has no running statistics, so Eval is the same as Train for it.
// Only the reference implements the variants: with any non-default variant (eps outside,
// storage or accumulate not Fp32, BatchNorm in Eval) Impl::Simd dispatches to the reference,
// and NormTrace::impl_used says so. BatchNorm Train with running stats runs on either impl
// (the forward is the plain one; the update is a per-channel step after it).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/shape.h"
#include "kernels/precision.h"

namespace normlab::kernels {

enum class NormKind { Batch, Layer, Rms, Group, Instance };

const char* norm_name(NormKind kind);                  // "BatchNorm", ...
const char* norm_id(NormKind kind);                    // "batchnorm", ... (URL / CLI / JSON)
bool parse_norm_id(const std::string& id, NormKind* out); // false on an unknown id

enum class EpsPlacement { Inside, Outside };
enum class Accumulate { Fp32, Storage };
enum class NormMode { Train, Eval };

// Ids for the CLI / JSON / URL: "inside" "outside", "fp32" "storage", "train" "eval".
const char* eps_placement_id(EpsPlacement p);
bool parse_eps_placement_id(const std::string& id, EpsPlacement* out); // false if unknown
const char* accumulate_id(Accumulate a);
bool parse_accumulate_id(const std::string& id, Accumulate* out);
const char* mode_id(NormMode m);
bool parse_mode_id(const std::string& id, NormMode* out);

struct NormSpec {
    NormKind kind = NormKind::Layer;
    float eps = 1e-5f;
    int groups = 1;   // GroupNorm only: number of channel groups G (must divide C)
    EpsPlacement eps_placement = EpsPlacement::Inside;
    Precision storage = Precision::Fp32;    // format of x, gamma, beta and y
    Accumulate accumulate = Accumulate::Fp32;
    NormMode mode = NormMode::Train;        // BatchNorm only
    float momentum = 0.1f;                  // BatchNorm Train only: in [0, 1]
};

// True when `spec` needs a teaching variant only the reference implements (see the header).
bool needs_reference(const NormSpec& spec);

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
// a rank-2 tensor, eps negative or not finite, BatchNorm momentum outside [0, 1]).
std::string plan_groups(const core::Shape& shape, const NormSpec& spec, GroupPlan* plan);

// The group a cell (flat row-major index) belongs to. Precondition: plan from plan_groups.
std::size_t group_of(const GroupPlan& plan, std::size_t flat_index);

// The k-th cell (0 <= k < plan.group_size(), row-major order) of group g: the inverse of
// group_of, so views can visit one group without scanning the whole tensor.
std::size_t group_cell(const GroupPlan& plan, std::size_t g, std::size_t k);

enum class Impl { Reference, Simd };
const char* impl_name(Impl impl);                         // "reference", "simd" (CLI / JSON ids)
bool parse_impl_name(const std::string& name, Impl* out); // false on an unknown name
const char* simd_target_name(); // what Impl::Simd compiled to: "wasm-simd128", "sse2", "scalar"

// Per-group statistics of the INPUT, computed in double-accurate two-pass form so a large
// offset with a tiny spread (1e4 + 1e-2 noise) keeps its variance.
struct NormTrace {
    std::vector<float> mean;     // per group (RMSNorm: still reported, not used)
    std::vector<float> var;      // biased variance per group
    std::vector<float> rms;      // sqrt(mean(x^2)) per group
    std::vector<float> inv_std;  // the factor actually applied: 1/sqrt(var+eps) or 1/sqrt(ms+eps)
                                 // (eps outside: 1/(sqrt(.)+eps); BatchNorm Eval: from running var)
    // With a storage format the stats are those of the ROUNDED input; with Accumulate::Storage
    // they are the storage-format values the naive kernel computed (inf, NaN or negative var
    // included). In BatchNorm Eval mean/var/rms still describe the batch; the applied center
    // and scale came from RunningStats.
    Impl impl_used = Impl::Reference; // the implementation that ran: Reference whenever a
                                      // teaching variant (or float overflow) needed it
};

// The affine (gamma/beta) index of a cell: its channel. Precondition: shape.valid().
std::size_t channel_of(const core::Shape& shape, std::size_t flat_index);

// BatchNorm's running estimates, one entry per channel (PyTorch's running_mean/running_var
// buffers, kept in fp32). An EMPTY vector means the fresh-module default: mean 0, var 1.
//   Train: y uses the batch statistics; afterwards, per channel c (in double, stored as float)
//            mean[c] = (1 - momentum) * mean[c] + momentum * batch_mean[c]
//            var[c]  = (1 - momentum) * var[c]  + momentum * batch_var[c] * n / (n - 1)
//          (the UNBIASED batch variance, n = values per channel = B * spatial). Empty vectors
//          are filled with the defaults first. n == 1 is the error PyTorch raises:
//          "Expected more than 1 value per channel when training, got input size (1, 8)".
//   Eval:  y = (x - mean[c]) / sqrt(var[c] + eps) * gamma[c] + beta[c]; nothing is written.
// Other families ignore RunningStats (they have none), and leave it untouched.
struct RunningStats {
    std::vector<float> mean;
    std::vector<float> var;
};

// Everything one forward pass reads and writes besides the spec:
//   normalize(spec, NormArgs{.x = view, .y = out.data(), .trace = &t, .running = &stats})
struct NormArgs {
    core::TensorView x;              // shape.size() floats
    float* y = nullptr;              // shape.size() floats; may alias x.data
    const float* gamma = nullptr;    // one per channel; null: 1
    const float* beta = nullptr;     // one per channel; null: 0 (ignored by RMSNorm)
    NormTrace* trace = nullptr;      // null: skip
    RunningStats* running = nullptr; // BatchNorm: read in Eval, updated in Train. Null: no
                                     // module state (Train: batch stats only, no update, and
                                     // n == 1 gives y = beta; Eval: the defaults 0 and 1)
    Impl impl = Impl::Simd;          // a hint: teaching variants always run the reference
};

// Forward pass, full form. Returns "" or a one-line error message (plan_groups' checks, null
// x or y, running stats whose non-empty vectors do not hold one value per channel, BatchNorm
// Train with one value per channel and running stats); on error neither y, trace nor running
// is touched.
std::string normalize(const NormSpec& spec, const NormArgs& args);

// Convenience form (no running stats): x: shape.size() floats; y: same size (may alias x).
// gamma/beta: one per channel or null for 1/0 (beta ignored by RMSNorm). trace: null to skip.
std::string normalize(const NormSpec& spec, core::TensorView x, float* y, const float* gamma,
                      const float* beta, NormTrace* trace, Impl impl = Impl::Simd);

} // namespace normlab::kernels
