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

// The phrases describe_group and describe_cell fill in: printf formats whose arguments come in
// the order noted (indices are size_t: %zu; words are %s). English by default; the UI passes
// its translations (the UI-text loader keeps a translation's conversions the same).
struct DescribeWords {
    const char* feature = "feature";                        // the channel word of (B, d), (B, L, d)
    const char* channel = "channel";                        // ... and of (B, C, H, W)
    const char* features = "features";
    const char* channels = "channels";
    const char* across_batch = "%s %zu across the batch";   // word, index
    const char* example = "example %zu";                    // example
    const char* example_token = "example %zu, token %zu";   // example, token
    const char* example_group = "example %zu, group %zu (%s %zu–%zu)"; // example, group, words, first, last
    const char* example_channel = "example %zu, %s %zu";    // example, word, index
    const char* cell_2d = "example %zu, feature %zu";
    const char* cell_3d = "example %zu, token %zu, feature %zu";
    const char* cell_4d = "example %zu, channel %zu, (h %zu, w %zu)";
};

// "channel 3 across the batch" / "example 2, token 4" for group g.
std::string describe_group(kernels::NormKind kind, const core::Shape& shape,
                           const kernels::GroupPlan& plan, std::size_t g,
                           const DescribeWords& words = {});

// "example 1, token 3, feature 5" / "example 0, channel 2, (h 1, w 3)" for a flat index.
std::string describe_cell(const core::Shape& shape, std::size_t flat, const DescribeWords& words = {});

} // namespace normlab::sim
