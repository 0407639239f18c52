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

bool GridLayout::hit(Vec2 p, int* row, int* col) const {
    const float fx = (p.x - origin.x) / cell, fy = (p.y - origin.y) / cell;
    if (fx < 0 || fy < 0) return false;
    const int c = static_cast<int>(fx), r = static_cast<int>(fy);
    if (r >= rows || c >= cols) return false;
    *row = r;
    *col = c;
    return true;
}

GridLayout layout_grid(const core::Shape& shape, Vec2 top_left, Vec2 size, float max_cell) {
    GridLayout g;
    g.rows = shape.dims[0];
    g.cols = static_cast<int>(shape.size() / static_cast<std::size_t>(shape.dims[0]));
    g.cell = std::max(1.f, std::min({size.x / g.cols, size.y / g.rows, max_cell}));
    g.cell = std::floor(g.cell);
    g.origin = {top_left.x + std::floor((size.x - g.cols * g.cell) * 0.5f), top_left.y};
    return g;
}

std::vector<Segment> group_outline(const kernels::GroupPlan& plan, const GridLayout& layout,
                                   std::size_t g) {
    std::vector<Segment> out;
    const auto in_group = [&](int r, int c) {
        if (r < 0 || c < 0 || r >= layout.rows || c >= layout.cols) return false;
        return kernels::group_of(plan, static_cast<std::size_t>(r) * layout.cols + c) == g;
    };
    for (int r = 0; r < layout.rows; ++r)
        for (int c = 0; c < layout.cols; ++c) {
            if (!in_group(r, c)) continue;
            const Vec2 p0 = layout.cell_min(r, c);
            const Vec2 p1 = {p0.x + layout.cell, p0.y + layout.cell};
            if (!in_group(r - 1, c)) out.push_back({{p0.x, p0.y}, {p1.x, p0.y}});
            if (!in_group(r + 1, c)) out.push_back({{p0.x, p1.y}, {p1.x, p1.y}});
            if (!in_group(r, c - 1)) out.push_back({{p0.x, p0.y}, {p0.x, p1.y}});
            if (!in_group(r, c + 1)) out.push_back({{p1.x, p0.y}, {p1.x, p1.y}});
        }
    return out;
}

} // namespace normlab::viz
