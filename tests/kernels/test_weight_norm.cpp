// tests/kernels/test_weight_norm.cpp: WeightNorm, SpectralNorm, ScaleNorm and DyT against
// numpy's float64 results in tests/data/reference_weight_norm.json (made by
// tests/data/gen_weight_reference.py), plus the properties that define them: WeightNorm and
// ScaleNorm rows have norm |g|, the spectral estimate climbs to the top singular value and
// W / sigma has spectral norm 1, DyT couples nothing. Then the one-line error messages.
// The loader never throws (the WASM test build may run without exception support).
// Index: [SECTION] WeightNorm, SpectralNorm, ScaleNorm, DyT, errors.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "kernels/weight_norm.h"
#include "norm_test_util.h"

namespace {

using namespace normlab;
using core::Shape;
using core::TensorView;
using kernels::SpectralNormState;

const nlohmann::json& golden() {
    static const nlohmann::json doc = [] {
        std::ifstream f(NORMLAB_TEST_DATA_DIR "/reference_weight_norm.json");
        if (!f) return nlohmann::json();
        std::stringstream ss;
        ss << f.rdbuf();
        nlohmann::json d = nlohmann::json::parse(ss.str(), nullptr, false);
        return d.is_discarded() || !d.is_object() ? nlohmann::json() : d;
    }();
    return doc;
}

// The cases of one section; empty (and the caller's REQUIRE fails) when the file is missing.
std::vector<nlohmann::json> cases(const char* section) {
    std::vector<nlohmann::json> out;
    const nlohmann::json& d = golden();
    if (!d.is_object() || !d.contains(section) || !d[section].is_array()) return out;
    for (const auto& c : d[section])
        if (c.is_object()) out.push_back(c);
    return out;
}

std::vector<float> floats(const nlohmann::json& c, const char* key) {
    std::vector<float> out;
    if (!c.contains(key) || !c[key].is_array()) return out;
    for (const auto& v : c[key])
        out.push_back(v.is_number() ? v.get<float>() : NAN);
    return out;
}

std::vector<double> doubles(const nlohmann::json& c, const char* key) {
    std::vector<double> out;
    if (!c.contains(key) || !c[key].is_array()) return out;
    for (const auto& v : c[key])
        out.push_back(v.is_number() ? v.get<double>() : NAN);
    return out;
}

double number(const nlohmann::json& c, const char* key) {
    return c.contains(key) && c[key].is_number() ? c[key].get<double>() : NAN;
}

Shape shape_of(const nlohmann::json& c) {
    Shape s{.rank = 0};
    if (!c.contains("shape") || !c["shape"].is_array()) return s;
    for (const auto& v : c["shape"]) {
        if (s.rank >= 4 || !v.is_number_integer()) return Shape{.rank = 0};
        s.dims[static_cast<std::size_t>(s.rank++)] = v.get<int>();
    }
    return s;
}

std::string name_of(const nlohmann::json& c) {
    return c.contains("name") && c["name"].is_string() ? c["name"].get<std::string>() : "?";
}

double row_norm(const std::vector<float>& m, std::size_t r, std::size_t width) {
    double s = 0.0;
    for (std::size_t i = 0; i < width; ++i)
        s += static_cast<double>(m[r * width + i]) * m[r * width + i];
    return std::sqrt(s);
}

// The largest singular value by plain double power iteration on M^T M: the test's own, so it
// shares nothing with kernels::spectral_norm.
double top_singular_value(const std::vector<float>& m, std::size_t out, std::size_t in) {
    std::vector<double> v(in, 1.0), mv(out), next(in);
    for (std::size_t i = 0; i < in; ++i)
        v[i] += 0.01 * static_cast<double>(i); // not orthogonal to anything in particular
    double sigma = 0.0;
    for (int it = 0; it < 2000; ++it) {
        for (std::size_t r = 0; r < out; ++r) {
            mv[r] = 0.0;
            for (std::size_t i = 0; i < in; ++i)
                mv[r] += m[r * in + i] * v[i];
        }
        double nmv = 0.0;
        for (double e : mv)
            nmv += e * e;
        sigma = std::sqrt(nmv);
        for (std::size_t i = 0; i < in; ++i) {
            next[i] = 0.0;
            for (std::size_t r = 0; r < out; ++r)
                next[i] += m[r * in + i] * mv[r];
        }
        double nn = 0.0;
        for (double e : next)
            nn += e * e;
        nn = std::sqrt(nn);
        for (std::size_t i = 0; i < in; ++i)
            v[i] = next[i] / nn;
    }
    return sigma;
}

bool contains(const std::string& s, const std::string& part) {
    return s.find(part) != std::string::npos;
}

} // namespace

// [SECTION] WeightNorm

TEST_CASE("weight_norm: matches numpy and every row of w has norm |g|") {
    const auto all = cases("weightnorm");
    REQUIRE(all.size() >= 5);
    for (const auto& c : all) {
        CAPTURE(name_of(c));
        const Shape s = shape_of(c);
        const auto v = floats(c, "v"), g = floats(c, "g"), want = floats(c, "w");
        const auto want_norms = floats(c, "row_norms");
        REQUIRE(v.size() == s.size());
        std::vector<float> w(v.size()), norms(g.size());
        const std::string err = kernels::weight_norm(TensorView{.data = v.data(), .shape = s},
                                                     g.data(), w.data(), norms.data());
        REQUIRE_MESSAGE(err.empty(), err);
        CHECK(test::max_scaled_error(w, want, 1e-6) < 1e-6);
        CHECK(test::max_scaled_error(norms, want_norms, 1e-6) < 1e-6);
        const std::size_t in = static_cast<std::size_t>(s.dims[1]);
        for (std::size_t r = 0; r < g.size(); ++r)
            CHECK(row_norm(w, r, in) == doctest::Approx(std::fabs(g[r])).epsilon(1e-6));
    }
}

TEST_CASE("weight_norm: w may alias v, and the direction of each row is kept") {
    const Shape s = Shape::matrix(3, 5);
    auto v = test::random_floats(s.size(), 7);
    const std::vector<float> g = {2.0f, 0.5f, 3.0f};
    std::vector<float> separate(s.size());
    REQUIRE(kernels::weight_norm(TensorView{.data = v.data(), .shape = s}, g.data(),
                                 separate.data(), nullptr)
                .empty());
    for (std::size_t r = 0; r < 3; ++r) {
        const double nv = row_norm(v, r, 5);
        for (std::size_t i = 0; i < 5; ++i)
            CHECK(separate[r * 5 + i] == doctest::Approx(g[r] * v[r * 5 + i] / nv).epsilon(1e-6));
    }
    REQUIRE(
        kernels::weight_norm(TensorView{.data = v.data(), .shape = s}, g.data(), v.data(), nullptr)
            .empty());
    CHECK(test::bitwise_equal(v, separate));
}

// [SECTION] SpectralNorm

TEST_CASE("spectral_norm: power iteration matches numpy step by step") {
    const auto all = cases("spectralnorm");
    REQUIRE(all.size() >= 5);
    for (const auto& c : all) {
        CAPTURE(name_of(c));
        const Shape s = shape_of(c);
        const auto w = floats(c, "w"), want_wsn = floats(c, "w_sn");
        const auto history = doubles(c, "sigma_history");
        const int iterations = static_cast<int>(number(c, "iterations"));
        SpectralNormState state{.u = floats(c, "u0"), .v = floats(c, "v0")};
        std::vector<float> w_sn(w.size()), got_history;
        float sigma = 0.0f;
        const std::string err =
            kernels::spectral_norm(TensorView{.data = w.data(), .shape = s}, iterations, &state,
                                   w_sn.data(), &sigma, &got_history);
        REQUIRE_MESSAGE(err.empty(), err);
        REQUIRE(got_history.size() == history.size());
        for (std::size_t k = 0; k < history.size(); ++k)
            CHECK(got_history[k] == doctest::Approx(history[k]).epsilon(1e-6));
        CHECK(sigma == doctest::Approx(number(c, "sigma")).epsilon(1e-6));
        CHECK(test::max_scaled_error(w_sn, want_wsn, 1e-6) < 1e-5);
        // The estimate ||W v|| climbs monotonically and never passes the top singular value.
        const double s1 = doubles(c, "singular_values").at(0);
        for (std::size_t k = 1; k < got_history.size(); ++k)
            CHECK(got_history[k] >= got_history[k - 1] * (1.0f - 1e-6f));
        for (float e : got_history)
            CHECK(e <= s1 * (1.0 + 1e-6));
        // The persistent vectors stay unit length.
        std::vector<float> u = state.u, v = state.v;
        CHECK(row_norm(u, 0, u.size()) == doctest::Approx(1.0).epsilon(1e-6));
        CHECK(row_norm(v, 0, v.size()) == doctest::Approx(1.0).epsilon(1e-6));
    }
}

TEST_CASE("spectral_norm: converges to the top singular value; W / sigma has norm 1") {
    int checked = 0;
    for (const auto& c : cases("spectralnorm")) {
        const std::string name = name_of(c);
        const auto sv = doubles(c, "singular_values");
        // Only matrices with a clear gap (s2 / s1 <= 0.6), where 30 iterations are plenty.
        if (sv.size() > 1 && sv[1] / sv[0] > 0.6) continue;
        ++checked;
        CAPTURE(name);
        const Shape s = shape_of(c);
        const auto w = floats(c, "w");
        SpectralNormState state;
        REQUIRE(kernels::spectral_norm_init(s, 99, &state).empty());
        std::vector<float> w_sn(w.size());
        float sigma = 0.0f;
        REQUIRE(kernels::spectral_norm(TensorView{.data = w.data(), .shape = s}, 30, &state,
                                       w_sn.data(), &sigma, nullptr)
                    .empty());
        CHECK(std::fabs(sigma - sv[0]) < 1e-4 * sv[0]);
        const std::size_t out = static_cast<std::size_t>(s.dims[0]);
        const std::size_t in = static_cast<std::size_t>(s.dims[1]);
        CHECK(top_singular_value(w_sn, out, in) == doctest::Approx(1.0).epsilon(1e-4));
    }
    CHECK(checked >= 4);
}

TEST_CASE("spectral_norm: state persists across calls; 0 iterations reuses u and v") {
    const auto all = cases("spectralnorm");
    REQUIRE(!all.empty());
    const auto& c = all[0];
    const Shape s = shape_of(c);
    const auto w = floats(c, "w");
    const auto history = doubles(c, "sigma_history");
    REQUIRE(history.size() >= 9);
    const TensorView wv{.data = w.data(), .shape = s};
    SpectralNormState state{.u = floats(c, "u0"), .v = floats(c, "v0")};
    // Three calls of three iterations continue where the last one stopped.
    std::vector<float> h;
    for (int call = 0; call < 3; ++call) {
        REQUIRE(kernels::spectral_norm(wv, 3, &state, nullptr, nullptr, &h).empty());
        REQUIRE(h.size() == 3);
        for (std::size_t k = 0; k < 3; ++k)
            CHECK(h[k] ==
                  doctest::Approx(history[static_cast<std::size_t>(call) * 3 + k]).epsilon(1e-5));
    }
    // Eval: no iteration, sigma = u . W v from the stored vectors, state untouched.
    const SpectralNormState before = state;
    float sigma = 0.0f;
    REQUIRE(kernels::spectral_norm(wv, 0, &state, nullptr, &sigma, &h).empty());
    CHECK(h.empty());
    CHECK(sigma == doctest::Approx(history[8]).epsilon(1e-5));
    CHECK(test::bitwise_equal(state.u, before.u));
    CHECK(test::bitwise_equal(state.v, before.v));
}

TEST_CASE("spectral_norm: init is seeded, unit length, and reproducible") {
    SpectralNormState a, b, other;
    REQUIRE(kernels::spectral_norm_init(Shape::matrix(4, 6), 5, &a).empty());
    REQUIRE(kernels::spectral_norm_init(Shape::matrix(4, 6), 5, &b).empty());
    REQUIRE(kernels::spectral_norm_init(Shape::matrix(4, 6), 6, &other).empty());
    CHECK(a.u.size() == 4);
    CHECK(a.v.size() == 6);
    CHECK(test::bitwise_equal(a.u, b.u));
    CHECK(test::bitwise_equal(a.v, b.v));
    CHECK_FALSE(test::bitwise_equal(a.u, other.u));
    CHECK(row_norm(a.u, 0, 4) == doctest::Approx(1.0).epsilon(1e-6));
    CHECK(row_norm(a.v, 0, 6) == doctest::Approx(1.0).epsilon(1e-6));
}

// [SECTION] ScaleNorm

TEST_CASE("scale_norm: matches numpy and rows have norm |g|") {
    const auto all = cases("scalenorm");
    REQUIRE(all.size() >= 4);
    for (const auto& c : all) {
        CAPTURE(name_of(c));
        const Shape s = shape_of(c);
        const auto x = floats(c, "x"), want = floats(c, "y");
        const float g = static_cast<float>(number(c, "g"));
        const float eps = static_cast<float>(number(c, "eps"));
        REQUIRE(x.size() == s.size());
        const std::size_t d = static_cast<std::size_t>(s.channels());
        std::vector<float> y(x.size()), norms(x.size() / d);
        const std::string err = kernels::scale_norm(TensorView{.data = x.data(), .shape = s}, g,
                                                    eps, y.data(), norms.data());
        REQUIRE_MESSAGE(err.empty(), err);
        CHECK(test::max_scaled_error(y, want, 1e-6) < 1e-6);
        for (std::size_t r = 0; r < norms.size(); ++r) {
            CHECK(norms[r] == doctest::Approx(row_norm(x, r, d)).epsilon(1e-6));
            if (norms[r] >= eps)
                CHECK(row_norm(y, r, d) == doctest::Approx(std::fabs(g)).epsilon(1e-6));
            else
                CHECK(row_norm(y, r, d) < std::fabs(g)); // clamped: shorter than g
        }
    }
}

TEST_CASE("scale_norm: in place, and a zero row stays zero") {
    const Shape s = Shape::sequence(1, 2, 3);
    std::vector<float> x = {3, 0, 4, 0, 0, 0};
    REQUIRE(kernels::scale_norm(TensorView{.data = x.data(), .shape = s}, 10.0f, 1e-5f, x.data(),
                                nullptr)
                .empty());
    CHECK(x == std::vector<float>{6, 0, 8, 0, 0, 0});
}

// [SECTION] DyT

TEST_CASE("dyt: matches numpy tanh") {
    const auto all = cases("dyt");
    REQUIRE(all.size() >= 5);
    for (const auto& c : all) {
        CAPTURE(name_of(c));
        const Shape s = shape_of(c);
        const auto x = floats(c, "x"), gamma = floats(c, "gamma"), beta = floats(c, "beta");
        const auto want = floats(c, "y");
        REQUIRE(x.size() == s.size());
        std::vector<float> y(x.size());
        const std::string err = kernels::dyt(
            TensorView{.data = x.data(), .shape = s}, static_cast<float>(number(c, "alpha")),
            gamma.empty() ? nullptr : gamma.data(), beta.empty() ? nullptr : beta.data(), y.data());
        REQUIRE_MESSAGE(err.empty(), err);
        CHECK(test::max_scaled_error(y, want, 1e-6) < 1e-6);
    }
}

TEST_CASE("dyt: no coupling, changing one element changes only that output") {
    for (const Shape& s :
         {Shape::matrix(3, 4), Shape::sequence(2, 3, 4), Shape::image(2, 3, 2, 2)}) {
        CAPTURE(s.str());
        const std::size_t c = static_cast<std::size_t>(s.channels());
        const auto x = test::random_floats(s.size(), 81);
        const auto gamma = test::random_floats(c, 82, 1.0f, 0.5f);
        const auto beta = test::random_floats(c, 83);
        auto run = [&](const std::vector<float>& in) {
            std::vector<float> y(in.size());
            REQUIRE(kernels::dyt(TensorView{.data = in.data(), .shape = s}, 0.5f, gamma.data(),
                                 beta.data(), y.data())
                        .empty());
            return y;
        };
        const auto base = run(x);
        for (std::size_t j = 0; j < x.size(); j += 5) {
            auto x2 = x;
            x2[j] += 3.0f;
            const auto y2 = run(x2);
            for (std::size_t f = 0; f < x.size(); ++f) {
                if (f == j)
                    CHECK(y2[f] != base[f]);
                else
                    CHECK(y2[f] == base[f]);
            }
        }
    }
}

TEST_CASE("dyt: saturates to beta +- gamma without overflow") {
    const Shape s = Shape::matrix(1, 2);
    const std::vector<float> x = {1e30f, -3e38f};
    const std::vector<float> gamma = {2.0f, 3.0f}, beta = {0.5f, -1.0f};
    std::vector<float> y(2);
    REQUIRE(kernels::dyt(TensorView{.data = x.data(), .shape = s}, 0.5f, gamma.data(), beta.data(),
                         y.data())
                .empty());
    CHECK(y[0] == 2.5f);
    CHECK(y[1] == -4.0f);
}

// [SECTION] errors

TEST_CASE("weight norms: bad shapes and non-finite inputs are one-line messages") {
    const std::vector<float> six = {1, 2, 3, 4, 5, 6};
    const std::vector<float> g = {1, 1, 1};
    std::vector<float> out(6, 7.0f);
    const TensorView m23{.data = six.data(), .shape = Shape::matrix(2, 3)};
    const TensorView m03{.data = six.data(), .shape = Shape::matrix(0, 3)};
    const TensorView r3{.data = six.data(), .shape = Shape::sequence(1, 2, 3)};
    const float nan = std::numeric_limits<float>::quiet_NaN();
    const float inf = std::numeric_limits<float>::infinity();

    CHECK(contains(kernels::weight_norm(r3, g.data(), out.data(), nullptr),
                   "WeightNorm needs a rank-2 (out, in) weight, got rank 3"));
    CHECK(contains(kernels::weight_norm(m03, g.data(), out.data(), nullptr),
                   "weight shape (0, 3) has a dimension < 1"));
    CHECK(kernels::weight_norm(m23, nullptr, out.data(), nullptr) == "WeightNorm: g is null");
    const std::vector<float> zero_row = {1, 2, 3, 0, 0, 0};
    CHECK(contains(
        kernels::weight_norm(TensorView{.data = zero_row.data(), .shape = Shape::matrix(2, 3)},
                             g.data(), out.data(), nullptr),
        "row 1 of v is all zero"));
    const std::vector<float> bad_v = {1, 2, nan, 4, 5, 6};
    CHECK(kernels::weight_norm(TensorView{.data = bad_v.data(), .shape = Shape::matrix(2, 3)},
                               g.data(), out.data(),
                               nullptr) == "WeightNorm: v[2] is not finite (nan)");
    const std::vector<float> bad_g = {1, inf};
    CHECK(kernels::weight_norm(m23, bad_g.data(), out.data(), nullptr) ==
          "WeightNorm: g[1] is not finite (inf)");

    SpectralNormState state;
    CHECK(contains(kernels::spectral_norm_init(Shape::matrix(2, 0), 1, &state),
                   "has a dimension < 1"));
    CHECK(contains(kernels::spectral_norm(m23, 1, &state, out.data(), nullptr, nullptr),
                   "state has u of 0 and v of 0 values but weight (2, 3) needs 2 and 3"));
    REQUIRE(kernels::spectral_norm_init(Shape::matrix(2, 3), 1, &state).empty());
    const SpectralNormState before = state;
    CHECK(contains(kernels::spectral_norm(m23, -1, &state, out.data(), nullptr, nullptr),
                   "iterations must be >= 0 (got -1)"));
    const std::vector<float> zeros(6, 0.0f);
    CHECK(contains(
        kernels::spectral_norm(TensorView{.data = zeros.data(), .shape = Shape::matrix(2, 3)}, 1,
                               &state, out.data(), nullptr, nullptr),
        "w is all zero"));
    CHECK(kernels::spectral_norm(TensorView{.data = bad_v.data(), .shape = Shape::matrix(2, 3)}, 1,
                                 &state, out.data(), nullptr,
                                 nullptr) == "SpectralNorm: w[2] is not finite (nan)");
    CHECK(contains(kernels::spectral_norm(r3, 1, &state, out.data(), nullptr, nullptr), "rank-2"));
    CHECK(test::bitwise_equal(state.u, before.u));
    CHECK(test::bitwise_equal(state.v, before.v));
    // u orthogonal to the range of W: W = [[1, 0], [0, 0]] with u = (0, 1) gives W^T u = 0.
    const std::vector<float> w_rank1 = {1, 0, 0, 0};
    SpectralNormState stuck{.u = {0, 1}, .v = {1, 0}};
    CHECK(contains(
        kernels::spectral_norm(TensorView{.data = w_rank1.data(), .shape = Shape::matrix(2, 2)}, 2,
                               &stuck, out.data(), nullptr, nullptr),
        "sigma estimate is 0"));
    CHECK(stuck.u == std::vector<float>{0, 1});

    CHECK(contains(
        kernels::scale_norm(TensorView{.data = six.data(), .shape = Shape::image(1, 1, 2, 3)}, 1.0f,
                            1e-5f, out.data(), nullptr),
        "ScaleNorm normalizes the feature vectors of (B,d) or (B,L,d); got rank 4"));
    CHECK(contains(kernels::scale_norm(m23, 1.0f, -1.0f, out.data(), nullptr),
                   "eps must be finite and >= 0 (got -1)"));
    CHECK(kernels::scale_norm(m23, nan, 1e-5f, out.data(), nullptr) ==
          "ScaleNorm: g is not finite (nan)");
    CHECK(contains(kernels::scale_norm(m03, 1.0f, 1e-5f, out.data(), nullptr), "dimension < 1"));

    CHECK(kernels::dyt(m23, inf, nullptr, nullptr, out.data()) == "DyT: alpha is not finite (inf)");
    CHECK(kernels::dyt(TensorView{.data = bad_v.data(), .shape = Shape::matrix(2, 3)}, 0.5f,
                       nullptr, nullptr, out.data()) == "DyT: x[2] is not finite (nan)");
    CHECK(kernels::dyt(m23, 0.5f, bad_v.data(), nullptr, out.data()) ==
          "DyT: gamma[2] is not finite (nan)");
    CHECK(contains(kernels::dyt(TensorView{.data = six.data(), .shape = Shape{.rank = 5}}, 0.5f,
                                nullptr, nullptr, out.data()),
                   "need rank 2 (B,d), 3 (B,L,d) or 4 (B,C,H,W)"));
    CHECK(kernels::dyt(m23, 0.5f, nullptr, nullptr, nullptr) == "DyT: y is null");

    for (float v : out)
        CHECK(v == 7.0f);
}
