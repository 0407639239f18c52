// viz/heatmap.h: lab state -> drawable data for the heatmaps, on the CPU, with no ImGui.
// Owns: the diverging colour map, where each tensor cell sits on screen for every layout,
// the heatmap image, and the outline of a group (its boundary edges).
// Layouts: (B, d) is one B x d matrix; (B, L, d) is B stacked L x d slabs; (B, C, H, W) is a
// B x C grid of H x W tiles. Group membership always comes from kernels::group_of.
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

// Blue-grey-orange diverging map (colour-blind safe). t in [-1, 1]; NaN -> magenta.
Rgba diverging(float t);
// Symmetric colour range for a set of values: max |v| over finite entries (at least 1e-6).
float symmetric_range(const std::vector<float>& values);

struct Vec2 {
    float x = 0, y = 0;
};

// Where every cell of a tensor sits: tiles (one per matrix / slab / (b, c) plane) of
// tile_h x tile_w cells, separated by a gap of one cell.
struct TensorLayout {
    core::Shape shape;
    int tiles_r = 1, tiles_c = 1;  // tile grid: rank 2: 1x1, rank 3: B slabs wrapped, rank 4: BxC
    int tile_count = 1;            // tiles in use (the last row of wrapped slabs may be short)
    int tile_h = 1, tile_w = 1;    // cells per tile: (B,d), (L,d), (H,W)
    Vec2 origin;                   // screen position of the top-left cell
    float cell = 1;                // side of one cell in pixels

    // Image size in cells, gaps included.
    int grid_w() const { return tiles_c * tile_w + (tiles_c - 1); }
    int grid_h() const { return tiles_r * tile_h + (tiles_r - 1); }
    Vec2 size() const { return {grid_w() * cell, grid_h() * cell}; }

    // Grid position (in cells, gaps included) of a flat cell index.
    void grid_pos(std::size_t flat, int* gx, int* gy) const;
    // Flat index at a grid position, or false for a gap / outside.
    bool flat_at(int gx, int gy, std::size_t* flat) const;
    Vec2 cell_min(std::size_t flat) const;
    bool hit(Vec2 p, std::size_t* flat) const;
};

// Tile structure of a shape (cell size 1, origin 0). For (B, L, d) the B slabs are wrapped
// into `slab_cols` columns; other ranks ignore it.
TensorLayout tensor_layout(const core::Shape& shape, int slab_cols = 1);
// How many slab columns give (B, L, d) the largest cells in a box of `size`; 1 for other ranks.
int best_slab_cols(const core::Shape& shape, Vec2 size);
// The layout scaled to the largest whole-pixel cell that fits in `size` (at most max_cell),
// centred horizontally at `top_left`.
TensorLayout fit_layout(const core::Shape& shape, int slab_cols, Vec2 top_left, Vec2 size,
                        float max_cell);

// The two colourings of every cell (one pixel per cell, gaps transparent): plain and dimmed
// towards the background. Computed once per data change.
void render_heatmap_layers(const TensorLayout& layout, const std::vector<float>& values, float range,
                           std::vector<std::uint32_t>* bright, std::vector<std::uint32_t>* dimmed);
// pixels = dimmed with the cells of group g taken from bright: O(group size) after the copy.
void highlight_group(const TensorLayout& layout, const kernels::GroupPlan& plan, std::size_t g,
                     const std::vector<std::uint32_t>& bright, const std::vector<std::uint32_t>& dimmed,
                     std::vector<std::uint32_t>* pixels);

// RGBA8 image of the tensor, one pixel per cell (grid_w x grid_h, gaps transparent).
// Cells outside group `highlight` are dimmed when dim_others is set; non-finite cells are
// drawn in magenta. `range` scales the colour map.
void render_heatmap(const TensorLayout& layout, const std::vector<float>& values, float range,
                    const kernels::GroupPlan& plan, std::size_t highlight, bool dim_others,
                    std::vector<std::uint32_t>* rgba);

// A line segment of a group outline in pixel space.
struct Segment {
    Vec2 a, b;
};

// The boundary of the cells of group g: every cell edge whose neighbour in the same tile is
// outside g (tile borders always count as boundary).
std::vector<Segment> group_outline(const kernels::GroupPlan& plan, const TensorLayout& layout,
                                   std::size_t g);

} // namespace normlab::viz
