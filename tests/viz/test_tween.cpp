// tests/viz/test_tween.cpp: the board's step-to-step animation curve and value blending.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "viz/tween.h"

using namespace normlab::viz;

TEST_CASE("tween_progress runs from 0 to 1, eased and clamped") {
    CHECK(tween_progress(0.0, 1.0, 0.6) == 0.f);           // not started yet
    CHECK(tween_progress(1.0, 1.0, 0.6) == 0.f);
    CHECK(tween_progress(1.3, 1.0, 0.6) == doctest::Approx(0.5));   // symmetric curve
    CHECK(tween_progress(1.6, 1.0, 0.6) == 1.f);
    CHECK(tween_progress(9.0, 1.0, 0.6) == 1.f);
    CHECK(tween_progress(1.0, 1.0, 0.0) == 1.f);            // zero duration: jump
    CHECK(tween_progress(1.0, 1.0, -1.0) == 1.f);
    // Eased: slower than linear near the ends, monotone throughout.
    CHECK(tween_progress(1.06, 1.0, 0.6) < 0.1f * 0.5f);
    CHECK(tween_progress(1.54, 1.0, 0.6) > 0.95f);
    float last = 0;
    for (int k = 0; k <= 60; ++k) {
        const float p = tween_progress(1.0 + k * 0.01, 1.0, 0.6);
        CHECK(p >= last);
        last = p;
    }
}

TEST_CASE("blend_values interpolates per cell and never blends through NaN or infinity") {
    const float inf = std::numeric_limits<float>::infinity();
    const float nan = std::numeric_limits<float>::quiet_NaN();
    const std::vector<float> from = {0.f, -2.f, 10.f, nan, 1.f, inf};
    const std::vector<float> to = {1.f, 2.f, 10.f, 3.f, nan, 5.f};
    std::vector<float> out;
    blend_values(from, to, 0.f, &out);
    CHECK(out[0] == 0.f);
    CHECK(out[1] == -2.f);
    blend_values(from, to, 0.25f, &out);
    REQUIRE(out.size() == to.size());
    CHECK(out[0] == doctest::Approx(0.25));
    CHECK(out[1] == doctest::Approx(-1.0));
    CHECK(out[2] == 10.f);
    CHECK(out[3] == 3.f);            // from NaN: shows the end value
    CHECK(std::isnan(out[4]));       // to NaN: the end value (the board paints it magenta)
    CHECK(out[5] == 5.f);            // from infinity: the end value
    blend_values(from, to, 1.f, &out);
    CHECK(out[0] == 1.f);
    CHECK(out[1] == 2.f);
}
