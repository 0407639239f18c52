// tests/kernels/test_norm_golden.cpp: both implementations against numpy's float64 results in
// tests/data/reference_norm.json (made by tests/data/gen_reference.py; see its header).
// The loader never throws (the WASM test build may run without exception support).
#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "norm_test_util.h"

namespace {

using namespace normlab;
using test::kn::Impl;

struct GoldenCase {
    std::string name;
    kernels::NormSpec spec;
    core::Shape shape;
    std::vector<float> x, gamma, beta, y, mean, var, rms;
};

std::vector<float> floats(const nlohmann::json& c, const char* key) {
    std::vector<float> out;
    const auto it = c.find(key);
    if (it == c.end() || !it->is_array()) return out;
    for (const auto& v : *it)
        out.push_back(v.is_number() ? v.get<float>() : NAN);
    return out;
}

// Empty on a missing or unreadable file, which the test reports as a failure.
std::vector<GoldenCase> load_golden() {
    std::vector<GoldenCase> cases;
    std::ifstream f(NORMLAB_TEST_DATA_DIR "/reference_norm.json");
    if (!f) return cases;
    std::stringstream ss;
    ss << f.rdbuf();
    const nlohmann::json doc = nlohmann::json::parse(ss.str(), nullptr, false);
    if (doc.is_discarded() || !doc.is_array()) return cases;
    for (const auto& c : doc) {
        GoldenCase g;
        g.name = c.value("name", std::string("?"));
        if (!kernels::parse_norm_id(c.value("family", std::string()), &g.spec.kind)) continue;
        g.spec.eps = c.value("eps", 1e-5f);
        g.spec.groups = c.value("groups", 1);
        const nlohmann::json shape = c.value("shape", nlohmann::json::array());
        g.shape.rank = static_cast<int>(shape.size());
        for (std::size_t i = 0; i < shape.size() && i < 4; ++i)
            g.shape.dims[i] = shape[i].get<int>();
        g.x = floats(c, "x");
        g.gamma = floats(c, "gamma");
        g.beta = floats(c, "beta");
        g.y = floats(c, "y");
        g.mean = floats(c, "mean");
        g.var = floats(c, "var");
        g.rms = floats(c, "rms");
        cases.push_back(std::move(g));
    }
    return cases;
}

const std::vector<GoldenCase>& golden() {
    static const std::vector<GoldenCase> cases = load_golden();
    return cases;
}

// Per-cell tolerance for y: relative to the terms that make it up, |y| plus the affine of its
// channel, so a y near 0 (normalized value cancelling beta) still gets a fair bound.
double y_error(const GoldenCase& g, const std::vector<float>& got) {
    double worst = 0.0;
    for (std::size_t i = 0; i < g.y.size(); ++i) {
        const std::size_t c = kernels::channel_of(g.shape, i);
        const double gam = g.gamma.empty() ? 1.0 : std::fabs(g.gamma[c]);
        const double bet = g.beta.empty() ? 0.0 : std::fabs(g.beta[c]);
        const double scale = std::fabs(g.y[i]) + gam + bet;
        const double e = std::fabs(static_cast<double>(got[i]) - g.y[i]) / scale;
        if (!(e <= worst)) worst = e; // NaN propagates as a failure
    }
    return worst;
}

// Mean relative to its own size and the spread; var and rms relative to themselves. A
// zero-variance group must come out as exactly 0.
double stats_error(const GoldenCase& g, const kernels::NormTrace& t) {
    if (t.mean.size() != g.mean.size()) return INFINITY;
    double worst = 0.0;
    for (std::size_t k = 0; k < g.mean.size(); ++k) {
        const double sd = std::sqrt(static_cast<double>(g.var[k]));
        const double em = std::fabs(t.mean[k] - static_cast<double>(g.mean[k])) /
                          (std::fabs(g.mean[k]) + sd + 1e-30);
        const double ev = g.var[k] == 0.0f
                              ? (t.var[k] == 0.0f ? 0.0 : INFINITY)
                              : std::fabs(t.var[k] - static_cast<double>(g.var[k])) / g.var[k];
        const double er =
            std::fabs(t.rms[k] - static_cast<double>(g.rms[k])) / (std::fabs(g.rms[k]) + 1e-30);
        for (double e : {em, ev, er})
            if (!(e <= worst)) worst = e;
    }
    return worst;
}

// Reference rounds once from double; SIMD accumulates in float (four accumulators, shifted
// two-pass), so it gets a looser but still tight bound.
constexpr double kRefTolY = 2e-7, kRefTolStats = 2e-7;
constexpr double kSimdTolY = 2e-6, kSimdTolStats = 5e-6;

} // namespace

TEST_CASE("golden: reference file loads and covers every family") {
    const auto& cases = golden();
    REQUIRE_MESSAGE(cases.size() >= 100, "missing or short " NORMLAB_TEST_DATA_DIR
                                         "/reference_norm.json; run tests/data/gen_reference.py");
    int per_kind[5] = {};
    for (const auto& g : cases) {
        ++per_kind[static_cast<int>(g.spec.kind)];
        CHECK_MESSAGE(g.x.size() == g.shape.size(), g.name);
        CHECK_MESSAGE(g.y.size() == g.x.size(), g.name);
    }
    for (int k = 0; k < 5; ++k)
        CHECK(per_kind[k] >= 5);
}

TEST_CASE("golden: reference impl matches numpy") {
    for (const auto& g : golden()) {
        CAPTURE(g.name);
        const auto r = test::run_norm(g.spec, g.shape, g.x, Impl::Reference,
                                      g.gamma.empty() ? nullptr : &g.gamma,
                                      g.beta.empty() ? nullptr : &g.beta);
        REQUIRE(r.error.empty());
        CHECK(y_error(g, r.y) <= kRefTolY);
        CHECK(stats_error(g, r.trace) <= kRefTolStats);
    }
}

TEST_CASE("golden: simd impl matches numpy") {
    for (const auto& g : golden()) {
        CAPTURE(g.name);
        const auto r =
            test::run_norm(g.spec, g.shape, g.x, Impl::Simd, g.gamma.empty() ? nullptr : &g.gamma,
                           g.beta.empty() ? nullptr : &g.beta);
        REQUIRE(r.error.empty());
        CHECK(y_error(g, r.y) <= kSimdTolY);
        CHECK(stats_error(g, r.trace) <= kSimdTolStats);
    }
}

TEST_CASE("golden: zero-variance groups give exactly beta in both impls") {
    int checked = 0;
    for (const auto& g : golden()) {
        if (g.spec.kind == kernels::NormKind::Rms) continue;
        for (Impl impl : {Impl::Reference, Impl::Simd}) {
            const auto r =
                test::run_norm(g.spec, g.shape, g.x, impl, g.gamma.empty() ? nullptr : &g.gamma,
                               g.beta.empty() ? nullptr : &g.beta);
            kernels::GroupPlan plan;
            REQUIRE(kernels::plan_groups(g.shape, g.spec, &plan).empty());
            for (std::size_t i = 0; i < g.x.size(); ++i) {
                if (g.var[kernels::group_of(plan, i)] != 0.0f) continue;
                const float beta = g.beta.empty() ? 0.0f : g.beta[kernels::channel_of(g.shape, i)];
                CAPTURE(g.name);
                CHECK(r.y[i] == beta);
                ++checked;
            }
        }
    }
    CHECK(checked > 50);
}
