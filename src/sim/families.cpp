#include "sim/families.h"

#include <cstdio>

namespace normlab::sim {

namespace {
// Greek letters are UTF-8: the UI font carries them.
constexpr FamilyInfo kFamilies[] = {
    {kernels::NormKind::Batch, "each channel, across the batch (and every position)", true, true,
     "y = (x − μ[c]) / √(σ²[c] + ε) · γ[c] + β[c]",
     "μ[c], σ²[c]: mean and variance of channel c over every example in this batch"},
    {kernels::NormKind::Layer, "each example (each token of a sequence), across its features",
     false, true, "y = (x − μ[n]) / √(σ²[n] + ε) · γ + β",
     "μ[n], σ²[n]: mean and variance over the features of one example or token; other examples never enter"},
    {kernels::NormKind::Rms, "like LayerNorm, but scale only: no centering", false, false,
     "y = x / √(mean(x²)[n] + ε) · γ",
     "mean(x²)[n]: mean square over the features of one example or token; no mean is subtracted, no β"},
    {kernels::NormKind::Group, "each example, per group of channels", false, true,
     "y = (x − μ[b,g]) / √(σ²[b,g] + ε) · γ[c] + β[c]",
     "μ[b,g], σ²[b,g]: over the C/G channels of group g and all their positions, per example"},
    {kernels::NormKind::Instance, "each example and channel, across its positions", false, true,
     "y = (x − μ[b,c]) / √(σ²[b,c] + ε) · γ[c] + β[c]",
     "μ[b,c], σ²[b,c]: over the positions (H·W, or L) of channel c in example b"},
};

// printf into a string: the phrases of DescribeWords.
template <typename... Args> std::string format(const char* fmt, Args... args) {
    char buf[160];
    std::snprintf(buf, sizeof buf, fmt, args...);
    return buf;
}
} // namespace

const FamilyInfo& family_info(kernels::NormKind kind) {
    for (const FamilyInfo& f : kFamilies)
        if (f.kind == kind) return f;
    return kFamilies[0];
}

std::string stat_shape(kernels::NormKind kind, const core::Shape& shape, int groups) {
    const char* c = shape.rank == 4 ? "C" : "d";
    switch (kind) {
    case kernels::NormKind::Batch: return std::string("μ, σ: (") + c + ",)";
    case kernels::NormKind::Layer: return shape.rank == 3 ? "μ, σ: (B, L)" : "μ, σ: (B,)";
    case kernels::NormKind::Rms: return shape.rank == 3 ? "rms: (B, L)" : "rms: (B,)";
    case kernels::NormKind::Group: return "μ, σ: (B, G=" + std::to_string(groups) + ")";
    case kernels::NormKind::Instance: return std::string("μ, σ: (B, ") + c + ")";
    }
    return "";
}

std::string describe_group(kernels::NormKind kind, const core::Shape& shape,
                           const kernels::GroupPlan& plan, std::size_t g, const DescribeWords& w) {
    const std::size_t o = g / plan.groups, q = g % plan.groups;
    const char* ch = shape.rank == 4 ? w.channel : w.feature;
    switch (kind) {
    case kernels::NormKind::Batch: return format(w.across_batch, ch, q);
    case kernels::NormKind::Layer:
    case kernels::NormKind::Rms:
        if (shape.rank == 3) {
            const auto l = static_cast<std::size_t>(shape.dims[1]);
            return format(w.example_token, o / l, o % l);
        }
        return format(w.example, o);
    case kernels::NormKind::Group: {
        const std::size_t per = static_cast<std::size_t>(shape.channels()) / plan.groups;
        return format(w.example_group, o, q, shape.rank == 4 ? w.channels : w.features, q * per,
                      q * per + per - 1);
    }
    case kernels::NormKind::Instance: return format(w.example_channel, o, ch, q);
    }
    return "group " + std::to_string(g);
}

std::string describe_cell(const core::Shape& shape, std::size_t flat, const DescribeWords& w) {
    const auto& d = shape.dims;
    const auto u = [](int v) { return static_cast<std::size_t>(v); };
    if (shape.rank == 2) return format(w.cell_2d, flat / u(d[1]), flat % u(d[1]));
    if (shape.rank == 3)
        return format(w.cell_3d, flat / (u(d[1]) * u(d[2])), (flat / u(d[2])) % u(d[1]), flat % u(d[2]));
    const std::size_t hw = u(d[2]) * u(d[3]);
    return format(w.cell_4d, flat / (u(d[1]) * hw), (flat / hw) % u(d[1]), (flat % hw) / u(d[3]),
                  flat % u(d[3]));
}

} // namespace normlab::sim
