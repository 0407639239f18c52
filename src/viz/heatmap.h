// viz/heatmap.h: lab state -> drawable data for the heatmaps, on the CPU, with no ImGui.
// Owns: the diverging colour map, the layout of cells in a rectangle, and the outline of a
// group (its boundary edges). Group membership always comes from kernels::group_of.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "core/shape.h"
#include "kernels/norm.h"

namespace normlab::viz {

struct Rgba {
    std::uint8_t r = 0, g = 0, b = 0, a = 255;
};

// Blue-white-orange diverging map (colour-blind safe: it varies in lightness and in the
// blue/orange axis that deuteranopes and protanopes both see). t in [-1, 1]; NaN -> magenta.
Rgba diverging(float t);
// Symmetric colour range for a set of values: max |v| over finite entries (at least 1e-6).
float symmetric_range(const std::vector<float>& values);

struct Vec2 {
    float x = 0, y = 0;
};

// Cells of a rank-2 tensor laid out as a rows x cols grid inside a rectangle, square cells.
struct GridLayout {
    Vec2 origin;           // top-left of cell (0, 0)
    float cell = 1;        // side of one cell in pixels
    int rows = 1, cols = 1;

    Vec2 cell_min(int row, int col) const { return {origin.x + col * cell, origin.y + row * cell}; }
    Vec2 size() const { return {cols * cell, rows * cell}; }
    // Cell under a point, or false when outside.
    bool hit(Vec2 p, int* row, int* col) const;
};

// Largest square-celled grid for `shape` (rank 2) that fits in (size), centred horizontally.
GridLayout layout_grid(const core::Shape& shape, Vec2 top_left, Vec2 size, float max_cell);

// A line segment of a group outline in pixel space.
struct Segment {
    Vec2 a, b;
};

// The boundary of the cells of group g: every cell edge whose neighbour is outside g.
std::vector<Segment> group_outline(const kernels::GroupPlan& plan, const GridLayout& layout,
                                   std::size_t g);

} // namespace normlab::viz
