// sim/families.h: what the lab says about each family on a (B, d) board: the axis it
// reduces, the shape of its statistics, whether examples are coupled. Short labels only;
// longer teaching text lives in data files beside the scenarios.
#pragma once

#include <cstddef>
#include <string>

#include "kernels/norm.h"

namespace normlab::sim {

struct FamilyInfo {
    kernels::NormKind kind;
    const char* axis;        // "each feature column across the batch"
    const char* stat_shape;  // "mu, sigma: (d,)"
    bool batch_coupled;      // output of one example depends on the others
    bool centers;            // subtracts the mean
    const char* formula;     // the forward formula with its indices
    const char* over;        // which cells the statistics in the formula come from
};

const FamilyInfo& family_info(kernels::NormKind kind);

// The families the (B, d) board offers, in menu order.
inline constexpr kernels::NormKind kBoardFamilies[] = {
    kernels::NormKind::Batch, kernels::NormKind::Layer, kernels::NormKind::Rms};

// "feature 3 across the batch" / "example 3" for group g of a (B, d) tensor.
std::string describe_group(kernels::NormKind kind, std::size_t g);

} // namespace normlab::sim
