// sim/families.h: what the lab says about each family: the axis it reduces, the shape of its
// statistics, whether examples are coupled, and how to name a group or a cell for the current
// layout. Short labels only; longer teaching text lives in data files beside the scenarios.
#pragma once

#include <cstddef>
#include <string>

#include "core/shape.h"
#include "kernels/norm.h"

namespace normlab::sim {

struct FamilyInfo {
    kernels::NormKind kind;
    const char* axis;        // "each channel, across the batch and every position"
    bool batch_coupled;      // output of one example depends on the others
    bool centers;            // subtracts the mean
    const char* formula;     // the forward formula with its indices
    const char* over;        // which cells the statistics in the formula come from
};

const FamilyInfo& family_info(kernels::NormKind kind);

// The families the board offers, in menu order.
inline constexpr kernels::NormKind kBoardFamilies[] = {
    kernels::NormKind::Batch, kernels::NormKind::Layer, kernels::NormKind::Rms,
    kernels::NormKind::Group, kernels::NormKind::Instance};

// Shape of the per-group statistics, e.g. "μ, σ: (B, L)" for LayerNorm on (B, L, d).
std::string stat_shape(kernels::NormKind kind, const core::Shape& shape, int groups);

// "channel 3 across the batch" / "example 2, token 4" for group g.
std::string describe_group(kernels::NormKind kind, const core::Shape& shape,
                           const kernels::GroupPlan& plan, std::size_t g);

// "example 1, token 3, feature 5" / "example 0, channel 2, (h 1, w 3)" for a flat index.
std::string describe_cell(const core::Shape& shape, std::size_t flat);

} // namespace normlab::sim
