// kernels/norm.cpp: names, the (O, P, Q, M) grouping of every family and layout, argument
// checks, and the dispatch to the reference or SIMD implementation.
// Knows nothing of how a group is reduced; norm_reference.cpp and norm_simd.cpp do that.
#include "kernels/norm.h"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

#include "kernels/norm_impl.h"

namespace normlab::kernels {

namespace {

struct NormNames {
    NormKind kind;
    const char* name;
    const char* id;
};

constexpr NormNames kNormNames[] = {
    {NormKind::Batch, "BatchNorm", "batchnorm"},
    {NormKind::Layer, "LayerNorm", "layernorm"},
    {NormKind::Rms, "RMSNorm", "rmsnorm"},
    {NormKind::Group, "GroupNorm", "groupnorm"},
    {NormKind::Instance, "InstanceNorm", "instancenorm"},
};

const NormNames& names_of(NormKind kind) {
    for (const NormNames& n : kNormNames)
        if (n.kind == kind) return n;
    return kNormNames[1];
}

std::string format_float(float v) {
    // %g keeps "1e-05" and "-1" short; enough for an error message.
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", static_cast<double>(v));
    return buf;
}

std::size_t spatial_stride(const core::Shape& shape) {
    return shape.rank == 4 ? static_cast<std::size_t>(shape.dims[2]) * shape.dims[3] : 1;
}

} // namespace

const char* norm_name(NormKind kind) {
    return names_of(kind).name;
}
const char* norm_id(NormKind kind) {
    return names_of(kind).id;
}

bool parse_norm_id(const std::string& id, NormKind* out) {
    for (const NormNames& n : kNormNames) {
        if (id == n.id) {
            if (out) *out = n.kind;
            return true;
        }
    }
    return false;
}

const char* impl_name(Impl impl) {
    return impl == Impl::Reference ? "reference" : "simd";
}

bool parse_impl_name(const std::string& name, Impl* out) {
    if (name != "reference" && name != "simd") return false;
    if (out) *out = name == "reference" ? Impl::Reference : Impl::Simd;
    return true;
}

const char* simd_target_name() {
    return simd::compiled_target();
}

std::size_t channel_of(const core::Shape& shape, std::size_t flat_index) {
    return (flat_index / spatial_stride(shape)) % static_cast<std::size_t>(shape.channels());
}

std::string plan_groups(const core::Shape& shape, const NormSpec& spec, GroupPlan* plan) {
    // Shape::str() reads `rank` dims, so an out-of-range rank gets its own message first.
    if (shape.rank < 2 || shape.rank > 4)
        return "shape has rank " + std::to_string(shape.rank) +
               "; need rank 2 (B,d), 3 (B,L,d) or 4 (B,C,H,W)";
    if (!shape.valid()) return "shape " + shape.str() + " has a dimension < 1";
    // The kernels index with size_t, which is 32 bits on wasm32.
    std::uint64_t cells = 1;
    for (int i = 0; i < shape.rank; ++i) {
        cells *= static_cast<std::uint64_t>(shape.dims[i]);
        if (cells > std::numeric_limits<std::size_t>::max() / sizeof(float))
            return "shape " + shape.str() + " is too large to address";
    }
    if (!std::isfinite(spec.eps) || spec.eps < 0.0f)
        return "eps must be finite and >= 0 (got " + format_float(spec.eps) + ")";

    const std::size_t b = static_cast<std::size_t>(shape.dims[0]);
    const std::size_t c = static_cast<std::size_t>(shape.channels());
    // Rows of the row-major tensor that share one channel layout: (B) for rank 2, (B*L) for
    // rank 3; rank 4 keeps B and the H*W plane separately.
    const std::size_t l = shape.rank == 3 ? static_cast<std::size_t>(shape.dims[1]) : 1;
    const std::size_t hw = spatial_stride(shape);
    const bool image = shape.rank == 4;

    GroupPlan p;
    switch (spec.kind) {
    case NormKind::Batch:
        // One group per channel; batch (and L, or H*W) reduced.
        p = image ? GroupPlan{.outer = 1, .pre = b, .groups = c, .inner = hw}
                  : GroupPlan{.outer = 1, .pre = b * l, .groups = c, .inner = 1};
        break;
    case NormKind::Layer:
    case NormKind::Rms:
        // One group per example (per token for rank 3) over every feature of it.
        p = image ? GroupPlan{.outer = b, .pre = 1, .groups = 1, .inner = c * hw}
                  : GroupPlan{.outer = b * l, .pre = 1, .groups = 1, .inner = c};
        break;
    case NormKind::Group: {
        if (spec.groups < 1) return "groups must be >= 1 (got " + std::to_string(spec.groups) + ")";
        const std::size_t g = static_cast<std::size_t>(spec.groups);
        if (c % g != 0)
            return "groups " + std::to_string(g) + " does not divide the " + std::to_string(c) +
                   " channels of shape " + shape.str();
        // Channel group q of example o: C/G adjacent channels over all positions.
        p = GroupPlan{.outer = b, .pre = l, .groups = g, .inner = (c / g) * hw};
        break;
    }
    case NormKind::Instance:
        if (shape.rank == 2)
            return "InstanceNorm needs spatial axes, but shape " + shape.str() +
                   " is rank 2 (B,d); use rank 3 (B,L,d) or 4 (B,C,H,W)";
        p = GroupPlan{.outer = b, .pre = l, .groups = c, .inner = hw};
        break;
    }
    if (plan) *plan = p;
    return {};
}

std::size_t group_of(const GroupPlan& plan, std::size_t flat_index) {
    const std::size_t o = flat_index / (plan.pre * plan.groups * plan.inner);
    const std::size_t q = (flat_index / plan.inner) % plan.groups;
    return o * plan.groups + q;
}

std::string normalize(const NormSpec& spec, core::TensorView x, float* y, const float* gamma,
                      const float* beta, NormTrace* trace, Impl impl) {
    GroupPlan plan;
    std::string error = plan_groups(x.shape, spec, &plan);
    if (!error.empty()) return error;
    if (!x.data) return "x is null";
    if (!y) return "y is null";

    const std::size_t c = static_cast<std::size_t>(x.shape.channels());
    // The implementations always read gamma and beta; null means the identity affine.
    std::vector<float> ones, zeros;
    if (!gamma) {
        ones.assign(c, 1.0f);
        gamma = ones.data();
    }
    if (!beta || spec.kind == NormKind::Rms) {
        zeros.assign(c, 0.0f);
        beta = zeros.data();
    }

    NormTrace local;
    NormTrace* t = trace ? trace : &local;
    const std::size_t n = plan.group_count();
    t->mean.assign(n, 0.0f);
    t->var.assign(n, 0.0f);
    t->rms.assign(n, 0.0f);
    t->inv_std.assign(n, 0.0f);

    const NormJob job{
        .plan = plan,
        .kind = spec.kind,
        .eps = spec.eps,
        .x = x.data,
        .y = y,
        .gamma = gamma,
        .beta = beta,
        .channels = c,
        .channel_stride = spatial_stride(x.shape),
        .trace = t,
    };
    if (impl == Impl::Reference)
        reference::normalize(job);
    else
        simd::normalize(job);
    return {};
}

} // namespace normlab::kernels
