// tests/viz/test_heatmap.cpp: cell placement, outlines and colours.
#include <doctest/doctest.h>

#include <cmath>
#include <set>

#include "viz/heatmap.h"

using namespace normlab;
using kernels::NormKind;

TEST_CASE("tensor_layout: grid_pos and flat_at are inverse for every rank") {
    for (const core::Shape& s : {core::Shape::matrix(3, 5), core::Shape::sequence(5, 2, 3),
                                 core::Shape::image(2, 3, 4, 2)})
        for (int cols : {1, 2, 3}) {
            const viz::TensorLayout t = viz::tensor_layout(s, cols);
            std::set<std::pair<int, int>> seen;
            for (std::size_t f = 0; f < s.size(); ++f) {
                int gx = 0, gy = 0;
                t.grid_pos(f, &gx, &gy);
                CHECK(gx < t.grid_w());
                CHECK(gy < t.grid_h());
                std::size_t back = 0;
                REQUIRE(t.flat_at(gx, gy, &back));
                CHECK(back == f);
                CHECK(seen.insert({gx, gy}).second);  // no two cells share a position
            }
            // Every other grid position is a gap or an unused tile.
            std::size_t cells = 0, f = 0;
            for (int y = 0; y < t.grid_h(); ++y)
                for (int x = 0; x < t.grid_w(); ++x) cells += t.flat_at(x, y, &f) ? 1 : 0;
            CHECK(cells == s.size());
        }
}

TEST_CASE("best_slab_cols: wraps a tall (B, L, d) stack into columns in a wide box") {
    const core::Shape s = core::Shape::sequence(8, 6, 12);
    CHECK(viz::best_slab_cols(s, {600, 300}) > 1);
    CHECK(viz::best_slab_cols(s, {100, 2000}) == 1);
    CHECK(viz::best_slab_cols(core::Shape::matrix(8, 8), {600, 300}) == 1);
}

TEST_CASE("group_outline: a LayerNorm row is one rectangle, a BatchNorm column too") {
    const core::Shape s = core::Shape::matrix(4, 6);
    const viz::TensorLayout t = viz::tensor_layout(s);
    kernels::GroupPlan plan;
    REQUIRE(kernels::plan_groups(s, {.kind = NormKind::Layer}, &plan).empty());
    // A 1 x 6 row has perimeter 2 * (6 + 1) unit edges.
    CHECK(viz::group_outline(plan, t, 2).size() == 14);
    REQUIRE(kernels::plan_groups(s, {.kind = NormKind::Batch}, &plan).empty());
    const auto col = viz::group_outline(plan, t, 5);
    CHECK(col.size() == 10);  // 4 x 1 column
    for (const viz::Segment& seg : col) {
        CHECK(seg.a.x >= 5.f);
        CHECK(seg.b.x <= 6.f);
    }
}

TEST_CASE("group_outline: BatchNorm on (B, C, H, W) outlines one tile per example") {
    const core::Shape s = core::Shape::image(3, 4, 2, 2);
    const viz::TensorLayout t = viz::tensor_layout(s);
    kernels::GroupPlan plan;
    REQUIRE(kernels::plan_groups(s, {.kind = NormKind::Batch}, &plan).empty());
    CHECK(viz::group_outline(plan, t, 1).size() == 3 * 8);  // three 2x2 tiles, 8 edges each
}

TEST_CASE("render_heatmap: colours follow the sign, gaps stay transparent, NaN is magenta") {
    const core::Shape s = core::Shape::sequence(2, 1, 2);
    const viz::TensorLayout t = viz::tensor_layout(s, 1);  // two 1x2 slabs with a gap row
    kernels::GroupPlan plan;
    REQUIRE(kernels::plan_groups(s, {.kind = NormKind::Layer}, &plan).empty());
    std::vector<std::uint32_t> px;
    viz::render_heatmap(t, {-1.f, 1.f, std::nanf(""), 0.f}, 1.f, plan, 0, false, &px);
    REQUIRE(px.size() == 2u * 3u);
    const auto r = [](std::uint32_t p) { return p & 0xff; };
    const auto b = [](std::uint32_t p) { return (p >> 16) & 0xff; };
    CHECK(b(px[0]) > r(px[0]));             // negative: blue
    CHECK(r(px[1]) > b(px[1]));             // positive: orange
    CHECK(px[2] == 0u);                     // the gap row between the two slabs
    CHECK(px[3] == 0u);
    CHECK(px[4] == 0xFFFF00FFu);            // NaN: magenta, opaque
    std::vector<std::uint32_t> dimmed;
    viz::render_heatmap(t, {-1.f, 1.f, 0.5f, 0.f}, 1.f, plan, 0, true, &dimmed);
    CHECK(dimmed[0] == px[0]);              // group 0 keeps its colour
    CHECK(r(dimmed[4]) < viz::diverging(0.5f).r);  // group 1 is darkened
}

TEST_CASE("diverging: lightness falls away from zero on both sides") {
    const auto lum = [](viz::Rgba c) { return 0.2126 * c.r + 0.7152 * c.g + 0.0722 * c.b; };
    CHECK(lum(viz::diverging(0.f)) > lum(viz::diverging(0.5f)));
    CHECK(lum(viz::diverging(0.5f)) > lum(viz::diverging(1.f)));
    CHECK(lum(viz::diverging(0.f)) > lum(viz::diverging(-0.5f)));
    CHECK(lum(viz::diverging(-0.5f)) > lum(viz::diverging(-1.f)));
    CHECK(viz::symmetric_range({1.f, -3.f, std::nanf("")}) == 3.f);
}

#include "viz/histogram.h"

TEST_CASE("make_histogram: counts every finite value once, skips NaN, widens a constant") {
    const viz::Histogram h = viz::make_histogram({0.f, 1.f, 2.f, 3.f, std::nanf(""), 3.f}, 3);
    CHECK(h.lo == 0.0);
    CHECK(h.hi == 3.0);
    CHECK(h.counts == std::vector<int>{1, 1, 3});
    CHECK(h.max_count == 3);
    CHECK(h.nonfinite == 1);
    const viz::Histogram c = viz::make_histogram({5.f, 5.f}, 4);
    CHECK(c.lo < 5.0);
    CHECK(c.hi > 5.0);
    int total = 0;
    for (int k : c.counts) total += k;
    CHECK(total == 2);
    CHECK(viz::make_histogram({}, 4).max_count == 0);
}
