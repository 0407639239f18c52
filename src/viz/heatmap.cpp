#include "viz/heatmap.h"

#include <algorithm>
#include <cmath>

namespace normlab::viz {

namespace {
struct Stop {
    float t;
    float r, g, b;
};
// Blue-grey-orange anchors: lightness falls monotonically away from zero on both sides, so
// magnitude reads without hue, and the sign is carried by the blue/orange axis that
// deuteranopes and protanopes both distinguish.
constexpr Stop kStops[] = {
    {-1.00f, 0.13f, 0.40f, 0.86f}, {-0.50f, 0.42f, 0.64f, 0.93f}, {0.00f, 0.93f, 0.93f, 0.93f},
    {0.50f, 0.98f, 0.68f, 0.38f},  {1.00f, 0.86f, 0.36f, 0.05f},
};
std::uint8_t to_byte(float v) { return static_cast<std::uint8_t>(std::clamp(v, 0.f, 1.f) * 255.f + 0.5f); }
} // namespace

Rgba diverging(float t) {
    if (std::isnan(t)) return Rgba{255, 0, 255, 255};
    t = std::clamp(t, -1.f, 1.f);
    const Stop* lo = &kStops[0];
    const Stop* hi = &kStops[1];
    for (std::size_t i = 1; i < std::size(kStops); ++i) {
        hi = &kStops[i];
        if (t <= hi->t) break;
        lo = hi;
    }
    const float u = hi->t > lo->t ? (t - lo->t) / (hi->t - lo->t) : 0.f;
    return Rgba{to_byte(lo->r + u * (hi->r - lo->r)), to_byte(lo->g + u * (hi->g - lo->g)),
                to_byte(lo->b + u * (hi->b - lo->b)), 255};
}

float symmetric_range(const std::vector<float>& values) {
    float m = 0.f;
    for (float v : values)
        if (std::isfinite(v)) m = std::max(m, std::fabs(v));
    return std::max(m, 1e-6f);
}

void TensorLayout::grid_pos(std::size_t flat, int* gx, int* gy) const {
    const std::size_t per_tile = static_cast<std::size_t>(tile_h) * tile_w;
    const std::size_t tile = flat / per_tile, in_tile = flat % per_tile;
    const int tr = static_cast<int>(tile / tiles_c), tc = static_cast<int>(tile % tiles_c);
    *gx = tc * (tile_w + 1) + static_cast<int>(in_tile % tile_w);
    *gy = tr * (tile_h + 1) + static_cast<int>(in_tile / tile_w);
}

bool TensorLayout::flat_at(int gx, int gy, std::size_t* flat) const {
    if (gx < 0 || gy < 0 || gx >= grid_w() || gy >= grid_h()) return false;
    const int tc = gx / (tile_w + 1), x = gx % (tile_w + 1);
    const int tr = gy / (tile_h + 1), y = gy % (tile_h + 1);
    if (x == tile_w || y == tile_h) return false;   // the gap after a tile
    const std::size_t tile = static_cast<std::size_t>(tr) * tiles_c + tc;
    if (tile >= static_cast<std::size_t>(tile_count)) return false;
    *flat = (tile * tile_h + y) * tile_w + x;
    return true;
}

Vec2 TensorLayout::cell_min(std::size_t flat) const {
    int gx = 0, gy = 0;
    grid_pos(flat, &gx, &gy);
    return {origin.x + gx * cell, origin.y + gy * cell};
}

bool TensorLayout::hit(Vec2 p, std::size_t* flat) const {
    const float fx = (p.x - origin.x) / cell, fy = (p.y - origin.y) / cell;
    if (fx < 0 || fy < 0) return false;
    return flat_at(static_cast<int>(fx), static_cast<int>(fy), flat);
}

TensorLayout tensor_layout(const core::Shape& shape, int slab_cols) {
    TensorLayout t;
    t.shape = shape;
    const auto& d = shape.dims;
    if (shape.rank == 2) {
        t.tile_h = d[0];
        t.tile_w = d[1];
    } else if (shape.rank == 3) {
        t.tiles_c = std::clamp(slab_cols, 1, d[0]);
        t.tiles_r = (d[0] + t.tiles_c - 1) / t.tiles_c;
        t.tile_count = d[0];
        t.tile_h = d[1];
        t.tile_w = d[2];
    } else {
        t.tiles_r = d[0];
        t.tiles_c = d[1];
        t.tile_count = d[0] * d[1];
        t.tile_h = d[2];
        t.tile_w = d[3];
    }
    return t;
}

int best_slab_cols(const core::Shape& shape, Vec2 size) {
    if (shape.rank != 3) return 1;
    int best = 1;
    float best_cell = 0;
    for (int cols = 1; cols <= shape.dims[0]; ++cols) {
        const TensorLayout t = tensor_layout(shape, cols);
        const float cell = std::min(size.x / t.grid_w(), size.y / t.grid_h());
        if (cell > best_cell * 1.02f) {  // prefer fewer columns unless clearly larger cells
            best_cell = cell;
            best = cols;
        }
    }
    return best;
}

TensorLayout fit_layout(const core::Shape& shape, int slab_cols, Vec2 top_left, Vec2 size,
                        float max_cell) {
    TensorLayout t = tensor_layout(shape, slab_cols);
    const float cell = std::min({size.x / t.grid_w(), size.y / t.grid_h(), max_cell});
    t.cell = cell >= 2.f ? std::floor(cell) : std::max(cell, 0.25f);
    t.origin = {top_left.x + std::floor((size.x - t.grid_w() * t.cell) * 0.5f), top_left.y};
    return t;
}

namespace {
std::uint32_t pack(Rgba c) {
    // Little-endian RGBA8 as GL and ImGui expect it in memory: r first.
    return static_cast<std::uint32_t>(c.r) | (static_cast<std::uint32_t>(c.g) << 8) |
           (static_cast<std::uint32_t>(c.b) << 16) | (static_cast<std::uint32_t>(c.a) << 24);
}
} // namespace

namespace {
Rgba dim(Rgba c) {
    // Darken towards the background: the group stands out without changing hue.
    return Rgba{static_cast<std::uint8_t>(c.r * 0.62f + 7), static_cast<std::uint8_t>(c.g * 0.62f + 8),
                static_cast<std::uint8_t>(c.b * 0.62f + 10), c.a};
}
std::size_t pixel_of(const TensorLayout& layout, std::size_t flat) {
    int gx = 0, gy = 0;
    layout.grid_pos(flat, &gx, &gy);
    return static_cast<std::size_t>(gy) * static_cast<std::size_t>(layout.grid_w()) + static_cast<std::size_t>(gx);
}
} // namespace

void render_heatmap_layers(const TensorLayout& layout, const std::vector<float>& values, float range,
                           std::vector<std::uint32_t>* bright, std::vector<std::uint32_t>* dimmed) {
    const std::size_t n = static_cast<std::size_t>(layout.grid_w()) * static_cast<std::size_t>(layout.grid_h());
    bright->assign(n, 0u);
    dimmed->assign(n, 0u);
    const float inv_range = 1.f / range;
    for (std::size_t i = 0; i < values.size(); ++i) {
        const Rgba c = diverging(values[i] * inv_range);
        const std::size_t px = pixel_of(layout, i);
        (*bright)[px] = pack(c);
        (*dimmed)[px] = pack(dim(c));
    }
}

void highlight_group(const TensorLayout& layout, const kernels::GroupPlan& plan, std::size_t g,
                     const std::vector<std::uint32_t>& bright, const std::vector<std::uint32_t>& dimmed,
                     std::vector<std::uint32_t>* pixels) {
    *pixels = dimmed;
    for (std::size_t k = 0; k < plan.group_size(); ++k) {
        const std::size_t px = pixel_of(layout, kernels::group_cell(plan, g, k));
        (*pixels)[px] = bright[px];
    }
}

void render_heatmap(const TensorLayout& layout, const std::vector<float>& values, float range,
                    const kernels::GroupPlan& plan, std::size_t highlight, bool dim_others,
                    std::vector<std::uint32_t>* rgba) {
    std::vector<std::uint32_t> bright, dimmed;
    render_heatmap_layers(layout, values, range, &bright, &dimmed);
    if (dim_others) highlight_group(layout, plan, highlight, bright, dimmed, rgba);
    else *rgba = std::move(bright);
}

std::vector<Segment> group_outline(const kernels::GroupPlan& plan, const TensorLayout& layout,
                                   std::size_t g) {
    std::vector<Segment> out;
    const auto in_group = [&](int gx, int gy) {
        std::size_t f = 0;
        return layout.flat_at(gx, gy, &f) && kernels::group_of(plan, f) == g;
    };
    for (std::size_t k = 0; k < plan.group_size(); ++k) {
        int gx = 0, gy = 0;
        layout.grid_pos(kernels::group_cell(plan, g, k), &gx, &gy);
        const Vec2 p0 = {layout.origin.x + gx * layout.cell, layout.origin.y + gy * layout.cell};
        const Vec2 p1 = {p0.x + layout.cell, p0.y + layout.cell};
        if (!in_group(gx, gy - 1)) out.push_back({{p0.x, p0.y}, {p1.x, p0.y}});
        if (!in_group(gx, gy + 1)) out.push_back({{p0.x, p1.y}, {p1.x, p1.y}});
        if (!in_group(gx - 1, gy)) out.push_back({{p0.x, p0.y}, {p0.x, p1.y}});
        if (!in_group(gx + 1, gy)) out.push_back({{p1.x, p0.y}, {p1.x, p1.y}});
    }
    return out;
}

} // namespace normlab::viz
