// tests/viz/test_plot_scale.cpp: the pure arithmetic of the plots (viz/plot_scale.h): ranges
// that skip NaN/inf, nice ticks, log axes, gaps, labels.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "viz/plot_scale.h"

using namespace normlab;

namespace {
constexpr float kNan = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

// A step is "nice" when it is 1, 2 or 5 times a power of ten.
bool is_nice(double step) {
    const double mag = std::pow(10.0, std::floor(std::log10(step)));
    const double m = step / mag;
    return std::abs(m - 1) < 1e-9 || std::abs(m - 2) < 1e-9 || std::abs(m - 5) < 1e-9;
}
} // namespace

TEST_CASE("plot_scale: data_range skips NaN and infinity, log skips non-positive values") {
    const std::vector<float> v = {kNan, 3.f, -2.f, kInf, 0.f, 7.f, -kInf};
    const viz::PlotRange lin = viz::data_range(v, false);
    CHECK_FALSE(lin.empty);
    CHECK(lin.lo == -2.0);
    CHECK(lin.hi == 7.0);
    const viz::PlotRange lg = viz::data_range(v, true);
    CHECK_FALSE(lg.empty);
    CHECK(lg.lo == 3.0);
    CHECK(lg.hi == 7.0);
    // Only unusable values: empty, and nice_range still gives a drawable range.
    const std::vector<float> bad = {kNan, kInf, -1.f};
    CHECK(viz::data_range(bad, true).empty);
    const viz::PlotRange fallback = viz::nice_range(viz::data_range(bad, true), true);
    CHECK(fallback.lo == 1.0);
    CHECK(fallback.hi == 10.0);
    // Widening an existing range with a second series.
    const std::vector<float> more = {-5.f, kNan};
    const viz::PlotRange both = viz::data_range(more, false, lin);
    CHECK(both.lo == -5.0);
    CHECK(both.hi == 7.0);
}

TEST_CASE("plot_scale: linear ticks are multiples of a 1-2-5 step inside the range") {
    struct Case { double lo, hi; int max; };
    for (const Case c : {Case{0, 1, 5}, Case{-3.2, 17.9, 6}, Case{0.0013, 0.0071, 4},
                         Case{1e3, 1e6, 6}, Case{-1, 1, 2}, Case{2.5, 2.6, 6}}) {
        CAPTURE(c.lo);
        CAPTURE(c.hi);
        const std::vector<double> t = viz::linear_ticks(c.lo, c.hi, c.max);
        REQUIRE(t.size() >= 2);
        CHECK(t.size() <= static_cast<std::size_t>(c.max) + 1);
        const double step = t[1] - t[0];
        CHECK(is_nice(step));
        CHECK(step == doctest::Approx(viz::nice_step(c.hi - c.lo, c.max)));
        for (std::size_t i = 0; i < t.size(); ++i) {
            CHECK(t[i] >= c.lo - step * 1e-6);
            CHECK(t[i] <= c.hi + step * 1e-6);
            CHECK(std::abs(t[i] / step - std::round(t[i] / step)) < 1e-6);
            if (i > 0) CHECK(t[i] - t[i - 1] == doctest::Approx(step));
        }
    }
    // The known answer: 0..1 with at most 5 intervals is 0, 0.2, ..., 1.
    const std::vector<double> t = viz::linear_ticks(0, 1, 5);
    REQUIRE(t.size() == 6);
    CHECK(t[1] == doctest::Approx(0.2));
    CHECK(t[0] == 0.0); // an exact zero, never -0 or 1e-17
    CHECK(viz::linear_ticks(1, 1, 5).empty());
    CHECK(viz::linear_ticks(kNan, 1, 5).empty());
}

TEST_CASE("plot_scale: nice_range widens single values and rounds out to the tick step") {
    const viz::PlotRange r = viz::nice_range({0.13, 2.71, false}, false, 5);
    CHECK(r.lo == doctest::Approx(0.0));
    CHECK(r.hi == doctest::Approx(3.0));
    const viz::PlotRange one = viz::nice_range({4, 4, false}, false);
    CHECK(one.lo < 4);
    CHECK(one.hi > 4);
    const viz::PlotRange zero = viz::nice_range({0, 0, false}, false);
    CHECK(zero.lo < 0);
    CHECK(zero.hi > 0);
    const viz::PlotRange lg = viz::nice_range({0.037, 2.3, false}, true);
    CHECK(lg.lo == doctest::Approx(0.01));
    CHECK(lg.hi == doctest::Approx(10));
    const viz::PlotRange lg1 = viz::nice_range({5, 5, false}, true);
    CHECK(lg1.lo == doctest::Approx(1));
    CHECK(lg1.hi == doctest::Approx(10));
}

TEST_CASE("plot_scale: log ticks are decades, thinned or filled with 2 and 5") {
    const std::vector<double> t = viz::log_ticks(1e-3, 1e2, 6);
    REQUIRE(t.size() == 6);
    for (std::size_t i = 0; i < t.size(); ++i)
        CHECK(t[i] == doctest::Approx(std::pow(10.0, -3 + static_cast<int>(i))));
    // Thirteen powers of ten (1e-6 .. 1e6) with at most 4 ticks: every fourth decade.
    const std::vector<double> thin = viz::log_ticks(1e-6, 1e6, 4);
    REQUIRE(thin.size() == 4);
    CHECK(thin[0] == doctest::Approx(1e-6));
    CHECK(thin[1] / thin[0] == doctest::Approx(1e4));
    CHECK(thin[3] == doctest::Approx(1e6));
    // Within one decade: 1, 2, 5 steps.
    const std::vector<double> fill = viz::log_ticks(0.15, 0.9, 6);
    REQUIRE(fill.size() == 2);
    CHECK(fill[0] == doctest::Approx(0.2));
    CHECK(fill[1] == doctest::Approx(0.5));
    CHECK(viz::log_ticks(-1, 10, 6).empty());
}

TEST_CASE("plot_scale: to_unit maps linear and log axes, NaN for what cannot be drawn") {
    const viz::PlotRange lin{-1, 3, false};
    CHECK(viz::to_unit(-1, lin, false) == doctest::Approx(0));
    CHECK(viz::to_unit(1, lin, false) == doctest::Approx(0.5));
    CHECK(viz::to_unit(5, lin, false) == doctest::Approx(1.5)); // outside: beyond 1
    const viz::PlotRange lg{0.01, 100, false};
    CHECK(viz::to_unit(1, lg, true) == doctest::Approx(0.5));
    CHECK(viz::to_unit(0.1, lg, true) == doctest::Approx(0.25));
    CHECK(std::isnan(viz::to_unit(0, lg, true)));
    CHECK(std::isnan(viz::to_unit(-2, lg, true)));
    CHECK(std::isnan(viz::to_unit(kNan, lin, false)));
    CHECK(std::isnan(viz::to_unit(kInf, lin, false)));
}

TEST_CASE("plot_scale: finite_runs splits a series at NaN and infinity") {
    const std::vector<float> v = {1, 2, kNan, 3, 4, 5, kInf, kInf, 6};
    const auto runs = viz::finite_runs(v, false);
    REQUIRE(runs.size() == 3);
    CHECK(runs[0] == std::pair<std::size_t, std::size_t>{0, 2});
    CHECK(runs[1] == std::pair<std::size_t, std::size_t>{3, 6});
    CHECK(runs[2] == std::pair<std::size_t, std::size_t>{8, 9});
    CHECK(viz::first_nonfinite(v) == 2);
    const std::vector<float> clean = {1, 2};
    CHECK(viz::first_nonfinite(clean) == 2);
    // On a log axis a zero is a gap too.
    const std::vector<float> z = {1, 0, 2};
    CHECK(viz::finite_runs(z, true).size() == 2);
    CHECK(viz::finite_runs(z, false).size() == 1);
    CHECK(viz::finite_runs(std::vector<float>{}, false).empty());
}

TEST_CASE("plot_scale: tick labels and nearest index") {
    CHECK(viz::tick_label(0.25, 0.05) == "0.25");
    CHECK(viz::tick_label(0.4, 0.2) == "0.4");
    CHECK(viz::tick_label(300, 100) == "300");
    CHECK(viz::tick_label(0, 0.1) == "0");
    CHECK(viz::tick_label(1e-4, 1e-4) == "1e-04");
    CHECK(viz::tick_label(1e6, 1e6) == "1e+06");
    CHECK(viz::tick_label(0.002, 0.002) == "0.002");   // a log tick, its own step
    const std::vector<double> xs = {0, 10, 20, 50};
    CHECK(viz::nearest_index(xs, -5) == 0);
    CHECK(viz::nearest_index(xs, 14) == 1);
    CHECK(viz::nearest_index(xs, 16) == 2);
    CHECK(viz::nearest_index(xs, 99) == 3);
    CHECK(viz::nearest_index(std::vector<double>{}, 1) == 0);
}
