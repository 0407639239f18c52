#include "sim/families.h"

namespace normlab::sim {

namespace {
// Greek letters are UTF-8: the UI font carries them.
constexpr FamilyInfo kFamilies[] = {
    {kernels::NormKind::Batch, "each feature column, across the batch", "μ, σ: (d,)", true, true,
     "y[i,j] = (x[i,j] − μ[j]) / √(σ²[j] + ε) · γ[j] + β[j]",
     "μ[j], σ²[j]: mean and variance of column j over the B examples of this batch"},
    {kernels::NormKind::Layer, "each example's row, across its features", "μ, σ: (B,)", false, true,
     "y[i,j] = (x[i,j] − μ[i]) / √(σ²[i] + ε) · γ[j] + β[j]",
     "μ[i], σ²[i]: mean and variance of row i over its d features; other rows never enter"},
    {kernels::NormKind::Rms, "each example's row, scale only (no centering)", "rms: (B,)", false, false,
     "y[i,j] = x[i,j] / √(mean_j x[i,j]² + ε) · γ[j]",
     "the mean square of row i over its d features; no mean is subtracted, no β"},
    {kernels::NormKind::Group, "each example, per group of channels", "μ, σ: (B, G)", false, true,
     "y = (x − μ[b,g]) / √(σ²[b,g] + ε) · γ[c] + β[c]",
     "μ[b,g], σ²[b,g]: over the C/G channels of group g and all positions, per example"},
    {kernels::NormKind::Instance, "each example and channel, across space", "μ, σ: (B, C)", false, true,
     "y = (x − μ[b,c]) / √(σ²[b,c] + ε) · γ[c] + β[c]",
     "μ[b,c], σ²[b,c]: over the positions of channel c in example b"},
};
} // namespace

const FamilyInfo& family_info(kernels::NormKind kind) {
    for (const FamilyInfo& f : kFamilies)
        if (f.kind == kind) return f;
    return kFamilies[0];
}

std::string describe_group(kernels::NormKind kind, std::size_t g) {
    switch (kind) {
    case kernels::NormKind::Batch: return "feature " + std::to_string(g) + " across the batch";
    case kernels::NormKind::Layer:
    case kernels::NormKind::Rms: return "example " + std::to_string(g);
    case kernels::NormKind::Group: return "group " + std::to_string(g);
    case kernels::NormKind::Instance: return "channel " + std::to_string(g);
    }
    return "group " + std::to_string(g);
}

} // namespace normlab::sim
