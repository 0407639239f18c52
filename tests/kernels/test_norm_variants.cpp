// tests/kernels/test_norm_variants.cpp: both implementations against numpy's results in
// tests/data/reference_variants.json (made by tests/data/gen_reference.py; its VARIANTS comment
// gives the schema): the hard cases on every family and layout, eps outside the root, fp16 and
// bf16 storage, the naive storage-precision kernel (bit for bit), and BatchNorm's running
// statistics over several train steps and in eval. The loader never throws.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "norm_test_util.h"

namespace {

// The web build's libc++ (emscripten 3.1.6) has no std::bit_cast.
std::uint32_t test_bits_of(float v) {
    std::uint32_t u;
    std::memcpy(&u, &v, sizeof u);
    return u;
}

using namespace normlab;
using kernels::Precision;
using test::kn::Impl;

struct Step {
    kernels::NormMode mode = kernels::NormMode::Train;
    std::vector<float> x, y, mean, var, rms, inv_std, running_mean, running_var;
    bool has_running = false;
    std::string error;
};

struct VariantCase {
    std::string name;
    kernels::NormSpec spec;
    core::Shape shape;
    bool exact = false;
    bool running = false;
    std::vector<float> gamma, beta, running_mean, running_var;
    std::vector<Step> steps;
};

float number(const nlohmann::json& v) {
    if (v.is_number()) return v.get<float>();
    if (v.is_string()) {
        const std::string s = v.get<std::string>();
        if (s == "inf") return std::numeric_limits<float>::infinity();
        if (s == "-inf") return -std::numeric_limits<float>::infinity();
    }
    return std::numeric_limits<float>::quiet_NaN(); // "nan"
}

std::vector<float> floats(const nlohmann::json& c, const char* key) {
    std::vector<float> out;
    const auto it = c.find(key);
    if (it == c.end() || !it->is_array()) return out;
    for (const auto& v : *it)
        out.push_back(number(v));
    return out;
}

std::string text(const nlohmann::json& c, const char* key) {
    const auto it = c.find(key);
    return it != c.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::vector<VariantCase> load_variants() {
    std::vector<VariantCase> cases;
    std::ifstream f(NORMLAB_TEST_DATA_DIR "/reference_variants.json");
    if (!f) return cases;
    std::stringstream ss;
    ss << f.rdbuf();
    const nlohmann::json doc = nlohmann::json::parse(ss.str(), nullptr, false);
    if (doc.is_discarded() || !doc.is_array()) return cases;
    for (const auto& c : doc) {
        if (!c.is_object()) continue;
        VariantCase v;
        v.name = text(c, "name");
        kernels::NormSpec& s = v.spec;
        bool ok = kernels::parse_norm_id(text(c, "family"), &s.kind) &&
                  kernels::parse_eps_placement_id(text(c, "eps_placement"), &s.eps_placement) &&
                  kernels::parse_precision_id(text(c, "precision"), &s.storage) &&
                  kernels::parse_accumulate_id(text(c, "accumulate"), &s.accumulate);
        if (!ok) continue;
        s.eps = c.contains("eps") ? number(c["eps"]) : 1e-5f;
        s.momentum = c.contains("momentum") ? number(c["momentum"]) : 0.1f;
        s.groups = c.value("groups", 1);
        v.exact = c.value("exact", false);
        v.running = c.value("running", false);
        const nlohmann::json shape = c.value("shape", nlohmann::json::array());
        v.shape.rank = static_cast<int>(shape.size());
        for (std::size_t i = 0; i < shape.size() && i < 4; ++i)
            v.shape.dims[i] = shape[i].get<int>();
        v.gamma = floats(c, "gamma");
        v.beta = floats(c, "beta");
        v.running_mean = floats(c, "running_mean");
        v.running_var = floats(c, "running_var");
        const auto steps = c.find("steps");
        if (steps == c.end() || !steps->is_array()) continue;
        for (const auto& j : *steps) {
            Step st;
            if (!kernels::parse_mode_id(text(j, "mode"), &st.mode)) ok = false;
            st.x = floats(j, "x");
            st.y = floats(j, "y");
            st.mean = floats(j, "mean");
            st.var = floats(j, "var");
            st.rms = floats(j, "rms");
            st.inv_std = floats(j, "inv_std");
            st.has_running = j.contains("running_mean");
            st.running_mean = floats(j, "running_mean");
            st.running_var = floats(j, "running_var");
            st.error = text(j, "error");
            v.steps.push_back(std::move(st));
        }
        if (ok) cases.push_back(std::move(v));
    }
    return cases;
}

const std::vector<VariantCase>& variants() {
    static const std::vector<VariantCase> cases = load_variants();
    return cases;
}

// The same non-finite class: both NaN, or equal infinities.
bool same_nonfinite(float a, float b) {
    return (std::isnan(a) && std::isnan(b)) || (std::isinf(a) && a == b);
}

// Bit-for-bit agreement (any NaN equals any NaN); returns the first differing index or -1.
long first_inexact(const std::vector<float>& got, const std::vector<float>& want) {
    if (got.size() != want.size()) return 0;
    for (std::size_t i = 0; i < got.size(); ++i) {
        if (std::isnan(got[i]) && std::isnan(want[i])) continue;
        if (test_bits_of(got[i]) != test_bits_of(want[i]))
            return static_cast<long>(i);
    }
    return -1;
}

// One unit in the last place of `v` in format p (the subnormal spacing near 0).
double storage_ulp(Precision p, float v) {
    const int bits = kernels::significand_bits(p);
    const double a = std::fabs(static_cast<double>(v));
    const double floor_ulp = kernels::min_subnormal(p);
    if (a < kernels::min_normal(p)) return floor_ulp;
    int e = 0;
    std::frexp(a, &e); // a = m * 2^e, 0.5 <= m < 1
    return std::ldexp(1.0, e - bits);
}

// Worst |got - want| / allowed over y, where allowed = tol * (|want| + |gamma| + |beta|) plus,
// for a 16-bit storage format, one unit in the last place of that format. Non-finite values
// must match in kind. > 1 fails.
double y_error(const VariantCase& v, const std::vector<float>& got, const std::vector<float>& want,
               double tol) {
    if (got.size() != want.size()) return INFINITY;
    double worst = 0.0;
    for (std::size_t i = 0; i < want.size(); ++i) {
        if (!std::isfinite(want[i]) || !std::isfinite(got[i])) {
            if (!same_nonfinite(got[i], want[i])) return INFINITY;
            continue;
        }
        const std::size_t c = kernels::channel_of(v.shape, i);
        const double gam = v.gamma.empty() ? 1.0 : std::fabs(v.gamma[c]);
        const double bet = v.beta.empty() ? 0.0 : std::fabs(v.beta[c]);
        double allowed = tol * (std::fabs(want[i]) + gam + bet);
        if (v.spec.storage != Precision::Fp32) allowed += storage_ulp(v.spec.storage, want[i]);
        const double e = std::fabs(static_cast<double>(got[i]) - want[i]) / allowed;
        if (!(e <= worst)) worst = e;
    }
    return worst;
}

// Relative error of a per-group statistic; `spread` (same length or empty) widens the scale for
// means, whose error follows the spread rather than the mean. An exact 0 must stay 0.
double stat_error(const std::vector<float>& got, const std::vector<float>& want,
                  const std::vector<float>& spread) {
    if (got.size() != want.size()) return INFINITY;
    double worst = 0.0;
    for (std::size_t i = 0; i < want.size(); ++i) {
        if (!std::isfinite(want[i]) || !std::isfinite(got[i])) {
            if (!same_nonfinite(got[i], want[i])) return INFINITY;
            continue;
        }
        double scale = std::fabs(want[i]);
        if (!spread.empty() && std::isfinite(spread[i])) scale += std::sqrt(spread[i]);
        const double diff = std::fabs(static_cast<double>(got[i]) - want[i]);
        const double e = scale == 0.0 ? (diff == 0.0 ? 0.0 : INFINITY) : diff / scale;
        if (!(e <= worst)) worst = e;
    }
    return worst;
}

struct Tolerance {
    double y, stats, running;
};

// Reference: one rounding from double. SIMD: float accumulation (see test_norm_golden.cpp). Both
// see a storage format's rounded inputs, so their statistics stay tight; y gets one storage ulp.
constexpr Tolerance kRefTol{2e-7, 3e-7, 1e-6};
constexpr Tolerance kSimdTol{2e-6, 5e-6, 5e-6};

void check_case(const VariantCase& v, Impl impl) {
    CAPTURE(v.name);
    CAPTURE(std::string(kernels::impl_name(impl)));
    kernels::RunningStats rs{.mean = v.running_mean, .var = v.running_var};
    kernels::NormSpec spec = v.spec;
    for (std::size_t k = 0; k < v.steps.size(); ++k) {
        const Step& st = v.steps[k];
        CAPTURE(k);
        spec.mode = st.mode;
        // SIMD is only honoured for the plain forward; the variants are the reference's alone.
        const bool simd_allowed = !kernels::needs_reference(spec);
        const Tolerance tol = impl == Impl::Simd && simd_allowed ? kSimdTol : kRefTol;
        std::vector<float> y(st.x.size(), 12345.0f);
        kernels::NormTrace trace;
        const std::string err = kernels::normalize(
            spec, kernels::NormArgs{.x = core::TensorView{.data = st.x.data(), .shape = v.shape},
                                    .y = y.data(),
                                    .gamma = v.gamma.empty() ? nullptr : v.gamma.data(),
                                    .beta = v.beta.empty() ? nullptr : v.beta.data(),
                                    .trace = &trace,
                                    .running = v.running ? &rs : nullptr,
                                    .impl = impl});
        if (!st.error.empty()) {
            CHECK(err.find(st.error) != std::string::npos);
            CHECK(y == std::vector<float>(st.x.size(), 12345.0f)); // untouched
        } else {
            REQUIRE(err.empty());
            if (impl == Impl::Reference || !simd_allowed)
                CHECK(trace.impl_used == Impl::Reference);
            if (v.exact) {
                CHECK(first_inexact(y, st.y) == -1);
                CHECK(first_inexact(trace.mean, st.mean) == -1);
                CHECK(first_inexact(trace.var, st.var) == -1);
                CHECK(first_inexact(trace.rms, st.rms) == -1);
                CHECK(first_inexact(trace.inv_std, st.inv_std) == -1);
            } else {
                CHECK(y_error(v, y, st.y, tol.y) <= 1.0);
                CHECK(stat_error(trace.mean, st.mean, st.var) <= tol.stats);
                CHECK(stat_error(trace.var, st.var, {}) <= tol.stats);
                CHECK(stat_error(trace.rms, st.rms, {}) <= tol.stats);
                CHECK(stat_error(trace.inv_std, st.inv_std, {}) <= tol.stats);
            }
        }
        if (st.has_running) {
            // Running statistics accumulate float rounding over the steps: relative bound.
            CHECK(rs.mean.size() == st.running_mean.size());
            CHECK(rs.var.size() == st.running_var.size());
            CHECK(stat_error(rs.mean, st.running_mean, st.running_var) <= tol.running);
            CHECK(stat_error(rs.var, st.running_var, {}) <= tol.running);
        }
    }
}

} // namespace

TEST_CASE("variants golden: file loads and covers every variant") {
    const auto& cases = variants();
    REQUIRE_MESSAGE(cases.size() >= 100, "missing or short " NORMLAB_TEST_DATA_DIR
                                         "/reference_variants.json; run tests/data/gen_reference.py");
    int hard = 0, outside = 0, fp16 = 0, bf16 = 0, storage_acc = 0, running = 0, eval = 0,
        errors = 0;
    for (const auto& v : cases) {
        CAPTURE(v.name);
        hard += v.name.rfind("hard ", 0) == 0;
        outside += v.spec.eps_placement == kernels::EpsPlacement::Outside;
        fp16 += v.spec.storage == Precision::Fp16;
        bf16 += v.spec.storage == Precision::Bf16;
        storage_acc += v.spec.accumulate == kernels::Accumulate::Storage;
        running += v.running;
        for (const Step& st : v.steps) {
            eval += st.mode == kernels::NormMode::Eval;
            errors += !st.error.empty();
            CHECK(st.x.size() == v.shape.size());
            if (st.error.empty()) CHECK(st.y.size() == st.x.size());
        }
    }
    CHECK(hard == 14 * 6); // 14 family/layout pairs x (B=1, d=1, zero-var, offset, 1e30, NaN)
    CHECK(outside >= 8);
    CHECK(fp16 >= 10);
    CHECK(bf16 >= 10);
    CHECK(storage_acc >= 20);
    CHECK(running >= 8);
    CHECK(eval >= 8);
    CHECK(errors >= 1);
}

TEST_CASE("variants golden: reference impl matches numpy") {
    for (const auto& v : variants())
        check_case(v, Impl::Reference);
}

TEST_CASE("variants golden: simd impl matches numpy (variants dispatch to the reference)") {
    for (const auto& v : variants())
        check_case(v, Impl::Simd);
}

TEST_CASE("variants golden: the hard cases show what they are meant to show") {
    int checked = 0;
    for (const auto& v : variants()) {
        if (v.name.rfind("hard ", 0) != 0) continue;
        CAPTURE(v.name);
        const Step& st = v.steps.front();
        if (v.name.find("NaN") != std::string::npos) {
            // One group is NaN, every other value is finite.
            int nan_y = 0;
            for (float y : st.y)
                nan_y += std::isnan(y);
            CHECK(nan_y > 0);
            CHECK(nan_y < static_cast<int>(st.y.size()));
            ++checked;
        }
        if (v.name.find("1e30") != std::string::npos) {
            CHECK(test::all_finite(st.y));
            ++checked;
        }
        if (v.name.find("zero-var") != std::string::npos &&
            v.spec.kind != kernels::NormKind::Rms) {
            CHECK(st.var.front() == 0.0f);
            ++checked;
        }
    }
    CHECK(checked == 14 * 2 + 11);
}
