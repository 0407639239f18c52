#include "sim/families.h"

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

const char* channel_word(const core::Shape& shape) { return shape.rank == 4 ? "channel" : "feature"; }
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
                           const kernels::GroupPlan& plan, std::size_t g) {
    const std::size_t o = g / plan.groups, q = g % plan.groups;
    const std::string ch = channel_word(shape);
    switch (kind) {
    case kernels::NormKind::Batch: return ch + " " + std::to_string(q) + " across the batch";
    case kernels::NormKind::Layer:
    case kernels::NormKind::Rms:
        if (shape.rank == 3) {
            const auto l = static_cast<std::size_t>(shape.dims[1]);
            return "example " + std::to_string(o / l) + ", token " + std::to_string(o % l);
        }
        return "example " + std::to_string(o);
    case kernels::NormKind::Group: {
        const std::size_t per = static_cast<std::size_t>(shape.channels()) / plan.groups;
        return "example " + std::to_string(o) + ", group " + std::to_string(q) + " (" + ch + "s " +
               std::to_string(q * per) + "–" + std::to_string(q * per + per - 1) + ")";
    }
    case kernels::NormKind::Instance: return "example " + std::to_string(o) + ", " + ch + " " + std::to_string(q);
    }
    return "group " + std::to_string(g);
}

std::string describe_cell(const core::Shape& shape, std::size_t flat) {
    const auto& d = shape.dims;
    const auto u = [](int v) { return static_cast<std::size_t>(v); };
    if (shape.rank == 2)
        return "example " + std::to_string(flat / u(d[1])) + ", feature " + std::to_string(flat % u(d[1]));
    if (shape.rank == 3)
        return "example " + std::to_string(flat / (u(d[1]) * u(d[2]))) + ", token " +
               std::to_string((flat / u(d[2])) % u(d[1])) + ", feature " + std::to_string(flat % u(d[2]));
    const std::size_t hw = u(d[2]) * u(d[3]);
    return "example " + std::to_string(flat / (u(d[1]) * hw)) + ", channel " +
           std::to_string((flat / hw) % u(d[1])) + ", (h " + std::to_string((flat % hw) / u(d[3])) +
           ", w " + std::to_string(flat % u(d[3])) + ")";
}

} // namespace normlab::sim
