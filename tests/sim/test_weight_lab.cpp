// tests/sim/test_weight_lab.cpp: the weight-normalization lab keeps its promises: WeightNorm's
// ||w|| is |g| after any drag, the power iteration climbs to the true top singular value (which
// the closed form and the Jacobi reference agree on), W / sigma maps the unit circle into it,
// DyT couples nothing while LayerNorm couples everything, and bad input gives notes, not NaN.
// Index: [SECTION] reference singular values, WeightNorm, SpectralNorm, DyT, lifecycle.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "core/rng.h"
#include "sim/weight_lab.h"

using namespace normlab;
using sim::SpectralMatrix;
using sim::WeightLab;

namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

bool finite(const std::vector<float>& a) {
    return std::all_of(a.begin(), a.end(), [](float e) { return std::isfinite(e); });
}

bool finite(const std::vector<sim::Vec2>& a) {
    return std::all_of(a.begin(), a.end(), [](sim::Vec2 p) { return std::isfinite(p.x) && std::isfinite(p.y); });
}

double radius(sim::Vec2 p) { return std::hypot(static_cast<double>(p.x), static_cast<double>(p.y)); }

double max_radius(const std::vector<sim::Vec2>& poly) {
    double r = 0;
    for (sim::Vec2 p : poly)
        r = std::max(r, radius(p));
    return r;
}

// Steps until converged (or `limit` steps); returns the steps taken.
int run_to_convergence(WeightLab& lab, int limit) {
    int steps = 0;
    while (!lab.spectral().converged() && steps < limit) {
        CHECK(lab.step_power_iteration(1).empty());
        ++steps;
    }
    return steps;
}

void check_weightnorm_invariant(const WeightLab& lab) {
    const sim::WeightNormDemo& d = lab.weightnorm();
    CHECK(finite(d.v));
    CHECK(finite(d.w));
    for (int r = 0; r < sim::kWeightRowsMax; ++r) {
        const double g = d.g[static_cast<std::size_t>(r)];
        CHECK(d.w_norm(r) == doctest::Approx(std::fabs(g)).epsilon(1e-6));
        CHECK(d.v_norm[static_cast<std::size_t>(r)] >= sim::kWeightVMinNorm * (1 - 1e-6));
        CHECK(std::fabs(d.v_at(r).x) <= sim::kWeightVRange);
        CHECK(std::fabs(d.v_at(r).y) <= sim::kWeightVRange);
        // w points along v (g > 0) or against it (g < 0): w = g v / ||v||.
        const double vn = d.v_norm[static_cast<std::size_t>(r)];
        CHECK(d.w_at(r).x == doctest::Approx(g * d.v_at(r).x / vn).epsilon(1e-6).scale(1));
        CHECK(d.w_at(r).y == doctest::Approx(g * d.v_at(r).y / vn).epsilon(1e-6).scale(1));
    }
}

} // namespace

// [SECTION] reference singular values

TEST_CASE("weight_lab: the 2x2 closed form matches hand values") {
    double s1 = 0, s2 = 0;
    sim::singular_values_2x2(3, 0, 0, 1, &s1, &s2);
    CHECK(s1 == doctest::Approx(3));
    CHECK(s2 == doctest::Approx(1));
    sim::singular_values_2x2(0, -2, 5, 0, &s1, &s2);   // a signed permutation
    CHECK(s1 == doctest::Approx(5));
    CHECK(s2 == doctest::Approx(2));
    sim::singular_values_2x2(1, 2, 2, 4, &s1, &s2);    // rank 1: (1, 2)^T (1, 2)
    CHECK(s1 == doctest::Approx(5));
    CHECK(s2 == doctest::Approx(0).scale(1));
    sim::singular_values_2x2(0.6, -0.8, 0.8, 0.6, &s1, &s2);   // a rotation
    CHECK(s1 == doctest::Approx(1));
    CHECK(s2 == doctest::Approx(1));
    sim::singular_values_2x2(0, 0, 0, 0, &s1, &s2);
    CHECK(s1 == 0);
    CHECK(s2 == 0);
}

TEST_CASE("weight_lab: Jacobi agrees with the 2x2 closed form on random matrices") {
    core::Rng rng(42);
    for (int trial = 0; trial < 200; ++trial) {
        float w[4];
        for (float& e : w)
            e = static_cast<float>(rng.normal() * (trial % 3 == 0 ? 100.0 : 1.0));
        double s1 = 0, s2 = 0;
        sim::singular_values_2x2(w[0], w[1], w[2], w[3], &s1, &s2);
        const std::vector<double> s = sim::singular_values(w, 2, 2);
        REQUIRE(s.size() == 2);
        CHECK(s[0] == doctest::Approx(s1).epsilon(1e-12));
        CHECK(s[1] == doctest::Approx(s2).epsilon(1e-9).scale(s1));
        // |det| = s1 s2 and ||W||_F^2 = s1^2 + s2^2
        const double det = static_cast<double>(w[0]) * w[3] - static_cast<double>(w[1]) * w[2];
        CHECK(s1 * s2 == doctest::Approx(std::fabs(det)).epsilon(1e-10).scale(s1 * s1));
    }
}

TEST_CASE("weight_lab: Jacobi finds known spectra of 4x6 and 6x4 matrices") {
    SUBCASE("signed, permuted diagonal") {
        std::vector<float> w(24, 0.f);   // rows 0..3 have 4, -1, 3, -2 in columns 5, 0, 2, 3
        w[0 * 6 + 5] = 4;
        w[1 * 6 + 0] = -1;
        w[2 * 6 + 2] = 3;
        w[3 * 6 + 3] = -2;
        const std::vector<double> s = sim::singular_values(w.data(), 4, 6);
        REQUIRE(s.size() == 4);
        CHECK(s[0] == doctest::Approx(4));
        CHECK(s[1] == doctest::Approx(3));
        CHECK(s[2] == doctest::Approx(2));
        CHECK(s[3] == doctest::Approx(1));
    }
    SUBCASE("orthogonal times diagonal: W = (H / 2) [diag(5, 3, 2, 0.5) 0]") {
        const float h[4][4] = {{1, 1, 1, 1}, {1, -1, 1, -1}, {1, 1, -1, -1}, {1, -1, -1, 1}};
        const float d[4] = {5, 3, 2, 0.5f};
        std::vector<float> w(24, 0.f), wt(24, 0.f);
        for (int r = 0; r < 4; ++r)
            for (int c = 0; c < 4; ++c) {
                w[r * 6 + c] = 0.5f * h[r][c] * d[c];   // exact in float
                wt[c * 4 + r] = w[r * 6 + c];           // its 6x4 transpose
            }
        for (const std::vector<double>& s :
             {sim::singular_values(w.data(), 4, 6), sim::singular_values(wt.data(), 6, 4)}) {
            REQUIRE(s.size() == 4);
            CHECK(s[0] == doctest::Approx(5).epsilon(1e-13));
            CHECK(s[1] == doctest::Approx(3).epsilon(1e-13));
            CHECK(s[2] == doctest::Approx(2).epsilon(1e-13));
            CHECK(s[3] == doctest::Approx(0.5).epsilon(1e-13));
        }
    }
    SUBCASE("rank one: a b^T has sigma ||a|| ||b|| and zeros") {
        const float a[4] = {1, 2, 2, 0}, b[6] = {1, 2, 2, 4, 0, 0};   // norms 3 and 5
        std::vector<float> w(24);
        for (int r = 0; r < 4; ++r)
            for (int c = 0; c < 6; ++c)
                w[static_cast<std::size_t>(r * 6 + c)] = a[r] * b[c];
        const std::vector<double> s = sim::singular_values(w.data(), 4, 6);
        REQUIRE(s.size() == 4);
        CHECK(s[0] == doctest::Approx(15).epsilon(1e-13));
        for (int k = 1; k < 4; ++k)
            CHECK(s[static_cast<std::size_t>(k)] < 1e-12);
    }
    SUBCASE("random: the squares sum to the Frobenius norm squared") {
        core::Rng rng(9);
        std::vector<float> w(24);
        for (float& e : w)
            e = static_cast<float>(rng.normal());
        double frob = 0;
        for (float e : w)
            frob += static_cast<double>(e) * e;
        const std::vector<double> s = sim::singular_values(w.data(), 4, 6);
        REQUIRE(s.size() == 4);
        double sum = 0;
        for (double e : s)
            sum += e * e;
        CHECK(sum == doctest::Approx(frob).epsilon(1e-12));
        CHECK(std::is_sorted(s.rbegin(), s.rend()));
    }
    SUBCASE("bad input gives nothing") {
        const float w[2] = {1, kNaN};
        CHECK(sim::singular_values(w, 1, 2).empty());
        CHECK(sim::singular_values(nullptr, 2, 2).empty());
        CHECK(sim::singular_values(w, 0, 2).empty());
    }
}

// [SECTION] WeightNorm

TEST_CASE("weight_lab: WeightNorm keeps ||w|| = |g| after any drag") {
    WeightLab lab;
    lab.init({.rows = 3});
    check_weightnorm_invariant(lab);
    const float coords[] = {-1e30f, -7.f, -3.f, -1.f, -0.01f, 0.f, 1e-30f, 0.02f, 0.5f, 2.5f, 3.f, 40.f, kNaN, kInf};
    const float gains[] = {-2.5f, -1.f, 0.f, 0.3f, 1.5f, 2.5f};
    int drags = 0;
    for (int row = 0; row < 3; ++row)
        for (float g : gains) {
            CHECK(lab.set_g(row, g).empty());
            for (float x : coords)
                for (float y : coords) {
                    lab.drag_v(row, x, y);
                    ++drags;
                    CHECK(lab.weightnorm().w_norm(row) == doctest::Approx(std::fabs(g)).epsilon(1e-6));
                }
            check_weightnorm_invariant(lab);
        }
    CHECK(drags == 3 * 6 * 14 * 14);
}

TEST_CASE("weight_lab: only v's direction reaches w") {
    WeightLab lab;
    lab.init({});
    CHECK(lab.set_g(0, 1.5f).empty());
    CHECK(lab.drag_v(0, 0.6f, 0.8f).empty());
    const sim::Vec2 w1 = lab.weightnorm().w_at(0);
    CHECK(lab.drag_v(0, 1.8f, 2.4f).empty());   // three times as long, same direction
    const sim::Vec2 w2 = lab.weightnorm().w_at(0);
    CHECK(w1.x == doctest::Approx(0.9));
    CHECK(w1.y == doctest::Approx(1.2));
    CHECK(w2.x == doctest::Approx(w1.x));
    CHECK(w2.y == doctest::Approx(w1.y));
    CHECK(lab.weightnorm().v_norm[0] == doctest::Approx(3.0));
    CHECK(lab.set_g(0, -1.f).empty());   // a negative gain flips w
    CHECK(lab.weightnorm().w_at(0).x == doctest::Approx(-0.6));
    CHECK(lab.weightnorm().w_at(0).y == doctest::Approx(-0.8));
}

TEST_CASE("weight_lab: bad WeightNorm input gives notes, not NaN") {
    WeightLab lab;
    lab.init({});
    CHECK(lab.drag_v(0, 1.f, 2.f).empty());
    SUBCASE("NaN and inf drags keep v") {
        CHECK_FALSE(lab.drag_v(0, kNaN, 1.f).empty());
        CHECK_FALSE(lab.drag_v(0, 1.f, -kInf).empty());
        CHECK(lab.weightnorm().v_at(0).x == 1.f);
        CHECK(lab.weightnorm().v_at(0).y == 2.f);
    }
    SUBCASE("the zero vector keeps the direction at the minimum length") {
        CHECK_FALSE(lab.drag_v(0, 0.f, 0.f).empty());
        const sim::Vec2 v = lab.weightnorm().v_at(0);
        CHECK(radius(v) == doctest::Approx(sim::kWeightVMinNorm));
        CHECK(v.y / v.x == doctest::Approx(2.0));
        CHECK(v.x > 0);
    }
    SUBCASE("a tiny vector is lengthened along its own direction") {
        CHECK_FALSE(lab.drag_v(0, -1e-4f, 0.f).empty());
        CHECK(lab.weightnorm().v_at(0).x == doctest::Approx(-sim::kWeightVMinNorm));
        CHECK(lab.weightnorm().v_at(0).y == 0.f);
    }
    SUBCASE("absurd coordinates are clamped") {
        CHECK_FALSE(lab.drag_v(0, 1e30f, -1e30f).empty());
        CHECK(lab.weightnorm().v_at(0).x == sim::kWeightVRange);
        CHECK(lab.weightnorm().v_at(0).y == -sim::kWeightVRange);
    }
    SUBCASE("g and rows are validated") {
        CHECK_FALSE(lab.set_g(0, kNaN).empty());
        CHECK(lab.weightnorm().g[0] == doctest::Approx(1.5));
        CHECK_FALSE(lab.set_g(0, 1e9f).empty());
        CHECK(lab.weightnorm().g[0] == sim::kWeightGMax);
        CHECK_FALSE(lab.set_g(1, 1.f).empty());   // rows = 1: row 1 is not in use
        CHECK_FALSE(lab.drag_v(-1, 1.f, 1.f).empty());
        CHECK_FALSE(lab.set_rows(0).empty());
        CHECK(lab.weightnorm().rows == 1);
        CHECK_FALSE(lab.set_rows(99).empty());
        CHECK(lab.weightnorm().rows == sim::kWeightRowsMax);
        CHECK(lab.set_g(2, -0.5f).empty());
    }
    check_weightnorm_invariant(lab);
}

// [SECTION] SpectralNorm

TEST_CASE("weight_lab: the 2x2 sigma estimates climb to the true top singular value") {
    WeightLab lab;
    lab.init({});
    const sim::SpectralDemo& s = lab.spectral();
    REQUIRE(s.w.size() == 4);
    CHECK_FALSE(s.has_estimate);   // nothing before the first step
    CHECK(s.ellipse_after.empty());
    double s1 = 0, s2 = 0;
    sim::singular_values_2x2(s.w[0], s.w[1], s.w[2], s.w[3], &s1, &s2);
    CHECK(s.sigma == doctest::Approx(s1).epsilon(1e-15));
    CHECK(s.sigma == doctest::Approx(sim::singular_values(s.w.data(), 2, 2)[0]).epsilon(1e-12));
    CHECK(s.rate() == doctest::Approx((s2 / s1) * (s2 / s1)));

    const int steps = run_to_convergence(lab, sim::kSpectralMaxHistory);
    CHECK(s.converged());
    CHECK(steps >= 3);   // the default W is chosen so the climb is visible
    CHECK(steps <= 20);
    CHECK(s.history.front() < 0.95 * s.sigma);   // and starts well below sigma
    CHECK(static_cast<int>(s.history.size()) == steps);
    CHECK(s.iterations == steps);
    CHECK(s.history.back() == s.sigma_estimate);
    CHECK(s.sigma_estimate == doctest::Approx(s.sigma).epsilon(1e-5));
    for (std::size_t k = 0; k < s.history.size(); ++k) {
        CHECK(s.history[k] <= s.sigma * (1 + 1e-6));                       // never above sigma
        if (k > 0) CHECK(s.history[k] >= s.history[k - 1] * (1 - 1e-6f));  // and climbing
    }
    // The iteration's v lines up with the top right singular vector (up to sign).
    const double dot = s.v_iter.x * s.top_direction.x + s.v_iter.y * s.top_direction.y;
    CHECK(std::fabs(dot) == doctest::Approx(1).epsilon(1e-4));
    CHECK(radius(s.wv_iter) == doctest::Approx(s.sigma).epsilon(1e-5));
}

TEST_CASE("weight_lab: the unit circle's images under W and W / sigma") {
    WeightLab lab;
    lab.init({});
    const sim::SpectralDemo& s = lab.spectral();
    REQUIRE(static_cast<int>(s.ellipse_before.size()) == sim::kEllipseSegments);
    CHECK(radius(s.ellipse_before[0]) == doctest::Approx(s.singular_values[0]).epsilon(1e-6));
    CHECK(radius(s.ellipse_before[sim::kEllipseSegments / 4]) == doctest::Approx(s.singular_values[1]).epsilon(1e-6));
    CHECK(max_radius(s.ellipse_before) == doctest::Approx(s.sigma).epsilon(1e-6));

    CHECK(lab.step_power_iteration(1).empty());   // one step from a random start: not there yet
    REQUIRE(static_cast<int>(s.ellipse_after.size()) == sim::kEllipseSegments);
    CHECK(max_radius(s.ellipse_after) == doctest::Approx(s.sigma / s.sigma_estimate).epsilon(1e-5));
    CHECK(max_radius(s.ellipse_after) >= 1.0 - 1e-6);

    run_to_convergence(lab, sim::kSpectralMaxHistory);
    CHECK(max_radius(s.ellipse_after) == doctest::Approx(1.0).epsilon(2e-5));   // touches the circle
    CHECK(radius(s.ellipse_after[0]) == doctest::Approx(1.0).epsilon(2e-5));
    for (std::size_t k = 0; k < s.w.size(); ++k)
        CHECK(s.w_sn[k] == doctest::Approx(s.w[k] / s.sigma_estimate).epsilon(1e-6));
}

TEST_CASE("weight_lab: the seeded 4x6 matrix converges to its Jacobi sigma") {
    WeightLab lab;
    lab.init({.matrix = SpectralMatrix::Large});
    const sim::SpectralDemo& s = lab.spectral();
    REQUIRE(s.w.size() == 24);
    CHECK(s.shape.dims[0] == 4);
    CHECK(s.shape.dims[1] == 6);
    REQUIRE(s.singular_values.size() == 4);
    CHECK(s.sigma == doctest::Approx(sim::singular_values(s.w.data(), 4, 6)[0]).epsilon(1e-15));
    CHECK(s.ellipse_before.empty());   // drawn for 2x2 only
    const int steps = run_to_convergence(lab, sim::kSpectralMaxHistory);
    CHECK(s.converged());
    CHECK(steps < sim::kSpectralMaxHistory);
    CHECK(s.sigma_estimate == doctest::Approx(s.sigma).epsilon(1e-5));
    CHECK(s.w_sn.size() == 24);
    CHECK(finite(s.w_sn));
    CHECK_FALSE(lab.set_entry(0, 0, 1.f).empty());   // seeded, not editable
    CHECK(lab.set_matrix(SpectralMatrix::Small).empty());
    CHECK(s.w.size() == 4);
    CHECK(s.w[0] == doctest::Approx(0.6));           // the 2x2 entries were kept
}

TEST_CASE("weight_lab: editing W keeps u and v warm") {
    WeightLab lab;
    lab.init({});
    const sim::SpectralDemo& s = lab.spectral();
    const int cold = run_to_convergence(lab, sim::kSpectralMaxHistory);
    CHECK(lab.set_entry(0, 1, s.w[1] + 0.1f).empty());   // a small move, as in training
    CHECK(s.history.empty());   // the plot starts over for the new W
    CHECK(s.has_estimate);      // but u . W v is already close
    CHECK(s.sigma_estimate == doctest::Approx(s.sigma).epsilon(1e-2));
    CHECK(s.sigma_estimate <= s.sigma * (1 + 1e-6));
    const int warm = run_to_convergence(lab, sim::kSpectralMaxHistory);
    CHECK(warm < cold);
    CHECK(s.iterations == cold + warm);
    lab.reset_power_iteration();
    CHECK_FALSE(s.has_estimate);
    CHECK(s.iterations == 0);
}

TEST_CASE("weight_lab: run steps on its own and stops when converged") {
    WeightLab a, b;
    a.init({.iterations_per_second = 10.f});
    b.init({.iterations_per_second = 10.f});
    CHECK(a.set_running(true).empty());
    CHECK(b.set_running(true).empty());
    for (int frame = 0; frame < 600 && a.spectral().running; ++frame) {
        a.step(1.0 / 60);
        b.step(1.0 / 60);
    }
    CHECK_FALSE(a.spectral().running);
    CHECK(a.spectral().converged());
    CHECK(a.spectral().history == b.spectral().history);   // deterministic
    CHECK_FALSE(a.set_running(true).empty());               // converged: nothing to run
    a.step(kNaN);
    a.step(1e9);
    CHECK(a.spectral().converged());
    CHECK_FALSE(a.set_iterations_per_second(1e6f).empty());
    CHECK(a.config().iterations_per_second == 30.f);
    CHECK_FALSE(a.set_iterations_per_second(kNaN).empty());
}

TEST_CASE("weight_lab: bad SpectralNorm input gives notes, not NaN") {
    WeightLab lab;
    lab.init({});
    const sim::SpectralDemo& s = lab.spectral();
    CHECK_FALSE(lab.set_entry(0, 0, kNaN).empty());
    CHECK(s.w[0] == doctest::Approx(0.6));
    CHECK_FALSE(lab.set_entry(2, 0, 1.f).empty());
    CHECK_FALSE(lab.set_entry(1, 1, 1e9f).empty());
    CHECK(s.w[3] == sim::kSpectralEntryMax);
    CHECK_FALSE(lab.step_power_iteration(0).empty());
    SUBCASE("an all-zero W") {
        lab.set_entry(0, 0, 0.f);
        lab.set_entry(0, 1, 0.f);
        lab.set_entry(1, 0, 0.f);
        CHECK_FALSE(lab.set_entry(1, 1, 0.f).empty());
        CHECK_FALSE(s.error.empty());
        CHECK_FALSE(lab.step_power_iteration(1).empty());
        CHECK_FALSE(s.has_estimate);
        CHECK(s.sigma == 0);
        CHECK(finite(s.ellipse_before));
        CHECK(s.ellipse_after.empty());
        CHECK_FALSE(lab.set_running(true).empty());
        CHECK(lab.set_entry(1, 1, 2.f).empty());   // back to a usable W
        CHECK(s.error.empty());
        CHECK(lab.step_power_iteration(1).empty());
        CHECK(s.sigma_estimate == doctest::Approx(2.0));
    }
    SUBCASE("u left orthogonal to W's range is redrawn") {
        // W = [[0, 0], [1, 0]] drives u to exactly (0, +-1); then W = [[1, 0], [0, 0]].
        lab.set_entry(0, 0, 0.f);
        lab.set_entry(0, 1, 0.f);
        lab.set_entry(1, 0, 1.f);
        lab.set_entry(1, 1, 0.f);
        run_to_convergence(lab, 10);
        REQUIRE(s.state.u[0] == 0.f);
        lab.set_entry(0, 0, 1.f);
        lab.set_entry(1, 0, 0.f);
        const std::string note = lab.step_power_iteration(1);
        CHECK(note.find("orthogonal") != std::string::npos);
        CHECK(s.error.empty());
        CHECK(s.sigma_estimate == doctest::Approx(1.0));
    }
    SUBCASE("the history is capped") {
        lab.set_entry(0, 0, 1.f);   // any W
        CHECK_FALSE(lab.step_power_iteration(sim::kSpectralMaxHistory + 5).empty());
        CHECK(static_cast<int>(s.history.size()) == sim::kSpectralMaxHistory);
        CHECK_FALSE(lab.step_power_iteration(1).empty());
        CHECK(static_cast<int>(s.history.size()) == sim::kSpectralMaxHistory);
    }
    CHECK(finite(s.w));
    CHECK(finite(s.history));
    CHECK(finite(s.ellipse_before));
    CHECK(finite(s.ellipse_after));
}

// [SECTION] DyT

TEST_CASE("weight_lab: DyT is gamma tanh(alpha x) + beta, elementwise") {
    WeightLab lab;
    lab.init({});
    CHECK(lab.set_alpha(0.8f).empty());
    CHECK(lab.set_dyt_affine(1.5f, -0.25f).empty());
    const sim::DytDemo& d = lab.dyt();
    REQUIRE(static_cast<int>(d.x.size()) == sim::kDytCount);
    for (std::size_t i = 0; i < d.x.size(); ++i)
        CHECK(d.y[i] == doctest::Approx(1.5 * std::tanh(0.8 * d.x[i]) - 0.25).epsilon(1e-6));
    REQUIRE(static_cast<int>(d.curve_x.size()) == sim::kDytCurveSamples);
    CHECK(d.curve_x.front() == -sim::kDytXMax);
    CHECK(d.curve_x.back() == doctest::Approx(sim::kDytXMax));
    CHECK(std::is_sorted(d.curve_y.begin(), d.curve_y.end()));   // gamma > 0: increasing
    // LayerNorm of the same row: mean beta, std |gamma|.
    double mean = 0, sq = 0;
    for (float e : d.layer_norm)
        mean += e;
    mean /= static_cast<double>(d.layer_norm.size());
    for (float e : d.layer_norm)
        sq += (e - mean) * (e - mean);
    CHECK(mean == doctest::Approx(-0.25).epsilon(1e-5));
    CHECK(std::sqrt(sq / static_cast<double>(d.layer_norm.size())) == doctest::Approx(1.5).epsilon(1e-4));
}

TEST_CASE("weight_lab: changing one input changes one DyT output and every LayerNorm output") {
    WeightLab lab;
    lab.init({});
    const sim::DytDemo& d = lab.dyt();
    CHECK(sim::count_changed(d.changed_dyt) == 0);
    for (int i = 0; i < sim::kDytCount; ++i) {
        const std::vector<float> y = d.y;
        const float x = d.x[static_cast<std::size_t>(i)];
        const float moved = x > 0 ? x - 0.7f : x + 0.7f;
        CHECK(lab.set_dyt_x(i, moved).empty());
        CHECK(lab.set_dyt_x(i, moved).empty());   // a paused drag: the flags stay
        CHECK(d.last_edited == i);
        CHECK(sim::count_changed(d.changed_dyt) == 1);
        CHECK(d.changed_dyt[static_cast<std::size_t>(i)] == 1);
        CHECK(sim::count_changed(d.changed_layer) == sim::kDytCount);
        for (int k = 0; k < sim::kDytCount; ++k)
            if (k != i) CHECK(d.y[static_cast<std::size_t>(k)] == y[static_cast<std::size_t>(k)]);
    }
    CHECK(lab.set_alpha(1.f).empty());   // a parameter edit is not an input edit
    CHECK(sim::count_changed(d.changed_dyt) == 0);
    CHECK(d.last_edited == -1);
}

TEST_CASE("weight_lab: bad DyT input gives notes, not NaN") {
    WeightLab lab;
    lab.init({});
    const sim::DytDemo& d = lab.dyt();
    const float x0 = d.x[0];
    CHECK_FALSE(lab.set_dyt_x(0, kNaN).empty());
    CHECK(d.x[0] == x0);
    CHECK_FALSE(lab.set_dyt_x(sim::kDytCount, 1.f).empty());
    CHECK_FALSE(lab.set_dyt_x(-1, 1.f).empty());
    CHECK_FALSE(lab.set_dyt_x(0, 1e30f).empty());
    CHECK(d.x[0] == sim::kDytXMax);
    CHECK_FALSE(lab.set_alpha(kInf).empty());
    CHECK(d.alpha == 0.5f);
    CHECK_FALSE(lab.set_alpha(-3.f).empty());
    CHECK(d.alpha == sim::kDytAlphaMin);
    CHECK_FALSE(lab.set_dyt_affine(kNaN, 1e9f).empty());
    CHECK(d.gamma == 1.f);
    CHECK(d.beta == sim::kDytAffineMax);
    CHECK(d.error.empty());
    // All inputs equal: LayerNorm has no spread (eps keeps it finite), DyT does not care.
    for (int i = 0; i < sim::kDytCount; ++i)
        lab.set_dyt_x(i, 2.f);
    CHECK(finite(d.y));
    CHECK(finite(d.layer_norm));
    CHECK(finite(d.curve_y));
}

// [SECTION] lifecycle

TEST_CASE("weight_lab: deterministic per seed; reset restores the defaults") {
    WeightLab a, b, c;
    a.init({.matrix = SpectralMatrix::Large, .seed = 3});
    b.init({.matrix = SpectralMatrix::Large, .seed = 3});
    c.init({.matrix = SpectralMatrix::Large, .seed = 4});
    CHECK(a.dyt().x == b.dyt().x);
    CHECK(a.spectral().w == b.spectral().w);
    CHECK(a.spectral().state.u == b.spectral().state.u);
    CHECK(a.dyt().x != c.dyt().x);
    CHECK(a.spectral().w != c.spectral().w);

    a.drag_v(0, -1.f, 0.5f);
    a.set_alpha(2.f);
    a.step_power_iteration(3);
    a.reseed(4);
    CHECK(a.dyt().x == c.dyt().x);
    CHECK(a.spectral().w == c.spectral().w);
    CHECK(a.dyt().alpha == 2.f);   // reseeding keeps the parameters
    a.reset();
    CHECK(a.weightnorm().v == b.weightnorm().v);
    CHECK(a.dyt().alpha == 0.5f);
    CHECK(a.spectral().history.empty());
    CHECK(a.set_section(sim::WeightSection::DyT).empty());
    CHECK(a.config().section == sim::WeightSection::DyT);
    CHECK(std::string(sim::weight_section_name(sim::WeightSection::SpectralNorm)) == "SpectralNorm");
}
