// kernels/norm.cpp: names, the (O, P, Q, M) grouping of every family and layout, argument
// checks, the dispatch to the reference or SIMD implementation, storage-format rounding of the
// inputs, and BatchNorm's running statistics (Eval reads them, Train updates them afterwards).
// Knows nothing of how a group is reduced; norm_reference.cpp and norm_simd.cpp do that.
#include "kernels/norm.h"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <string>
#include <utility>
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

const char* eps_placement_id(EpsPlacement p) {
    return p == EpsPlacement::Outside ? "outside" : "inside";
}

bool parse_eps_placement_id(const std::string& id, EpsPlacement* out) {
    if (id != "inside" && id != "outside") return false;
    if (out) *out = id == "outside" ? EpsPlacement::Outside : EpsPlacement::Inside;
    return true;
}

const char* accumulate_id(Accumulate a) {
    return a == Accumulate::Storage ? "storage" : "fp32";
}

bool parse_accumulate_id(const std::string& id, Accumulate* out) {
    if (id != "fp32" && id != "storage") return false;
    if (out) *out = id == "storage" ? Accumulate::Storage : Accumulate::Fp32;
    return true;
}

const char* mode_id(NormMode m) {
    return m == NormMode::Eval ? "eval" : "train";
}

bool parse_mode_id(const std::string& id, NormMode* out) {
    if (id != "train" && id != "eval") return false;
    if (out) *out = id == "eval" ? NormMode::Eval : NormMode::Train;
    return true;
}

bool needs_reference(const NormSpec& spec) {
    return spec.eps_placement != EpsPlacement::Inside || spec.storage != Precision::Fp32 ||
           spec.accumulate != Accumulate::Fp32 ||
           (spec.kind == NormKind::Batch && spec.mode == NormMode::Eval);
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
    if (spec.kind == NormKind::Batch && !(spec.momentum >= 0.0f && spec.momentum <= 1.0f))
        return "momentum must be in [0, 1] (got " + format_float(spec.momentum) + ")";

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

std::size_t group_cell(const GroupPlan& plan, std::size_t g, std::size_t k) {
    const std::size_t o = g / plan.groups, q = g % plan.groups;
    const std::size_t p = k / plan.inner, m = k % plan.inner;
    return ((o * plan.pre + p) * plan.groups + q) * plan.inner + m;
}

std::size_t group_of(const GroupPlan& plan, std::size_t flat_index) {
    const std::size_t o = flat_index / (plan.pre * plan.groups * plan.inner);
    const std::size_t q = (flat_index / plan.inner) % plan.groups;
    return o * plan.groups + q;
}

std::string normalize(const NormSpec& spec, const NormArgs& args) {
    const core::Shape& shape = args.x.shape;
    GroupPlan plan;
    std::string error = plan_groups(shape, spec, &plan);
    if (!error.empty()) return error;
    if (!args.x.data) return "x is null";
    if (!args.y) return "y is null";

    const std::size_t c = static_cast<std::size_t>(shape.channels());
    const bool batch = spec.kind == NormKind::Batch;
    // Only BatchNorm has running statistics; other families leave them untouched.
    RunningStats* running = batch ? args.running : nullptr;
    if (running) {
        const std::pair<const char*, const std::vector<float>*> buffers[] = {
            {"running_mean", &running->mean}, {"running_var", &running->var}};
        for (const auto& [name, v] : buffers) {
            if (!v->empty() && v->size() != c)
                return std::string(name) + " has " + std::to_string(v->size()) +
                       " values but shape " + shape.str() + " has " + std::to_string(c) +
                       " channels";
        }
    }
    const bool update = running && spec.mode == NormMode::Train;
    // n / (n - 1) is undefined; PyTorch refuses before computing anything.
    if (update && plan.group_size() == 1)
        return "Expected more than 1 value per channel when training, got input size " +
               shape.str();
    const bool eval = batch && spec.mode == NormMode::Eval;
    std::vector<float> eval_mean, eval_var;
    if (eval) {
        const bool has_mean = running && !running->mean.empty();
        const bool has_var = running && !running->var.empty();
        eval_mean = has_mean ? running->mean : std::vector<float>(c, 0.0f);
        eval_var = has_var ? running->var : std::vector<float>(c, 1.0f);
    }

    // The implementations always read gamma and beta; null means the identity affine.
    const float* gamma = args.gamma;
    const float* beta = args.beta;
    std::vector<float> ones, zeros;
    if (!gamma) {
        ones.assign(c, 1.0f);
        gamma = ones.data();
    }
    if (!beta || spec.kind == NormKind::Rms) {
        zeros.assign(c, 0.0f);
        beta = zeros.data();
    }

    // A storage format rounds every tensor the model holds in it before the math sees it.
    const float* x = args.x.data;
    std::vector<float> x_stored, gamma_stored, beta_stored;
    if (spec.storage != Precision::Fp32) {
        auto stored = [&](const float* src, std::size_t n, std::vector<float>& dst) {
            dst.resize(n);
            for (std::size_t i = 0; i < n; ++i)
                dst[i] = round_to(spec.storage, src[i]);
            return dst.data();
        };
        x = stored(x, shape.size(), x_stored);
        gamma = stored(gamma, c, gamma_stored);
        beta = stored(beta, c, beta_stored);
    }

    NormTrace local;
    NormTrace* t = args.trace ? args.trace : &local;
    const std::size_t n = plan.group_count();
    t->mean.assign(n, 0.0f);
    t->var.assign(n, 0.0f);
    t->rms.assign(n, 0.0f);
    t->inv_std.assign(n, 0.0f);

    const NormJob job{
        .plan = plan,
        .kind = spec.kind,
        .eps = spec.eps,
        .x = x,
        .y = args.y,
        .gamma = gamma,
        .beta = beta,
        .channels = c,
        .channel_stride = spatial_stride(shape),
        .trace = t,
        .eps_placement = spec.eps_placement,
        .storage = spec.storage,
        .accumulate = spec.accumulate,
        .fixed_mean = eval ? eval_mean.data() : nullptr,
        .fixed_var = eval ? eval_var.data() : nullptr,
    };
    // reference::normalize sets impl_used = Reference itself, so a SIMD call that hands over
    // to the reference (float overflow) reports that too.
    t->impl_used = Impl::Simd;
    if (args.impl == Impl::Reference || needs_reference(spec))
        reference::normalize(job);
    else
        simd::normalize(job);

    if (update) {
        // PyTorch's update (CPU: in double, stored as float); the group of a BatchNorm cell
        // is its channel. Unbiased batch variance: n / (n - 1) with n values per channel.
        if (running->mean.empty()) running->mean.assign(c, 0.0f);
        if (running->var.empty()) running->var.assign(c, 1.0f);
        const double m = spec.momentum;
        const double count = static_cast<double>(plan.group_size());
        const double unbias = count / (count - 1.0);
        for (std::size_t ch = 0; ch < c; ++ch) {
            running->mean[ch] = static_cast<float>((1.0 - m) * running->mean[ch] + m * t->mean[ch]);
            running->var[ch] =
                static_cast<float>((1.0 - m) * running->var[ch] + m * (t->var[ch] * unbias));
        }
    }
    return {};
}

std::string normalize(const NormSpec& spec, core::TensorView x, float* y, const float* gamma,
                      const float* beta, NormTrace* trace, Impl impl) {
    return normalize(spec, NormArgs{.x = x,
                                    .y = y,
                                    .gamma = gamma,
                                    .beta = beta,
                                    .trace = trace,
                                    .running = nullptr,
                                    .impl = impl});
}

} // namespace normlab::kernels
