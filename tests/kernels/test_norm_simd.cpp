// tests/kernels/test_norm_simd.cpp: the SIMD path against the reference where vector code
// goes wrong: lengths at the lane edges (1 .. 257), both loop shapes (runs and columns),
// misaligned starts, and the f32x4 and f64x2 wrappers themselves.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "norm_test_util.h"

// The wrapper is tested under its own namespace so this file's f32x4 (whatever the test build's
// flags select) can never be confused with the kernels' copy.
#define NORMLAB_SIMD_NS simd_wrapper_test
#include "kernels/simd.h"

namespace {

using namespace normlab;
using core::Shape;
using kernels::NormKind;
using kernels::NormSpec;
using test::run_norm;
using test::kn::Impl;

constexpr int kLaneEdges[] = {1, 3, 4, 5, 7, 8, 15, 16, 17, 64, 257};
constexpr float kEpsSweep[] = {0.0f, 1e-6f, 1e-5f, 1e-1f};

struct SweepCase {
    NormKind kind;
    Shape shape;
    int groups = 1;
};

// Shapes where n (a lane edge) is the reduced run, the row width, or the column count.
std::vector<SweepCase> sweep_cases(int n) {
    return {
        {NormKind::Layer, Shape::matrix(3, n)},
        {NormKind::Rms, Shape::matrix(3, n)},
        {NormKind::Layer, Shape::sequence(2, 2, n)},
        {NormKind::Batch, Shape::matrix(n, 5)},
        {NormKind::Batch, Shape::matrix(4, n)},
        {NormKind::Batch, Shape::sequence(2, n, 3)},
        {NormKind::Batch, Shape::image(3, 2, 1, n)},
        {NormKind::Batch, Shape::image(37, 2, 1, n)}, // many runs a group, summed a few at a time
        {NormKind::Batch, Shape::image(2, n, 1, 2)},
        {NormKind::Instance, Shape::sequence(2, n, 3)},
        {NormKind::Instance, Shape::sequence(2, 3, n)},
        {NormKind::Instance, Shape::image(2, 3, 1, n)},
        {NormKind::Group, Shape::image(2, 4, 1, n), 2},
        {NormKind::Group, Shape::sequence(2, n, 4), 2},
        {NormKind::Group, Shape::matrix(3, 2 * n), 2},
        {NormKind::Rms, Shape::image(2, 2, n, 1)},
    };
}

const char* kind_name(NormKind k) {
    return kernels::norm_name(k);
}

} // namespace

TEST_CASE("simd: agrees with reference at every lane edge, family and eps") {
    int runs = 0;
    for (int n : kLaneEdges) {
        for (const SweepCase& c : sweep_cases(n)) {
            for (float eps : kEpsSweep) {
                // Offset 0.5 keeps every group's variance > 0, so eps = 0 stays finite.
                const auto x =
                    test::random_floats(c.shape.size(), 100 + static_cast<std::uint64_t>(n), 0.5f);
                std::vector<float> gamma(static_cast<std::size_t>(c.shape.channels()));
                std::vector<float> beta(gamma.size());
                for (std::size_t i = 0; i < gamma.size(); ++i) {
                    gamma[i] = 0.5f + 0.1f * static_cast<float>(i % 7);
                    beta[i] = -0.3f + 0.05f * static_cast<float>(i % 5);
                }
                const NormSpec spec{.kind = c.kind, .eps = eps, .groups = c.groups};
                CAPTURE(std::string(kind_name(c.kind)));
                CAPTURE(c.shape.str());
                CAPTURE(eps);
                const auto ref = run_norm(spec, c.shape, x, Impl::Reference, &gamma, &beta);
                const auto simd = run_norm(spec, c.shape, x, Impl::Simd, &gamma, &beta);
                REQUIRE(ref.error.empty());
                REQUIRE(simd.error.empty());
                // A group of one cell under eps 0 is 0/0 in both: that is IEEE, not a bug.
                kernels::GroupPlan plan;
                kernels::plan_groups(c.shape, spec, &plan);
                if (eps == 0.0f && plan.group_size() == 1 && c.kind != NormKind::Rms) {
                    CHECK(test::bitwise_equal(simd.y, ref.y));
                    continue;
                }
                CHECK(test::all_finite(simd.y));
                CHECK(test::max_scaled_error(simd.y, ref.y) < 2e-5);
                CHECK(test::max_scaled_error(simd.trace.mean, ref.trace.mean) < 1e-5);
                CHECK(test::max_scaled_error(simd.trace.var, ref.trace.var, 1e-6) < 2e-5);
                CHECK(test::max_scaled_error(simd.trace.inv_std, ref.trace.inv_std, 1e-6) < 2e-5);
                ++runs;
            }
        }
    }
    CHECK(runs > 500);
}

TEST_CASE("simd: misaligned starts give identical bits") {
    // x at +0..3 floats from a 16-byte boundary: loads are unaligned and the reduction order
    // depends only on the index within a group, so the bits must not change.
    const SweepCase cases[] = {
        {NormKind::Layer, Shape::matrix(3, 257)},
        {NormKind::Batch, Shape::matrix(17, 37)},
        {NormKind::Instance, Shape::image(2, 3, 5, 7)},
        {NormKind::Group, Shape::sequence(3, 5, 12), 3},
        {NormKind::Rms, Shape::sequence(2, 3, 65)},
    };
    for (const SweepCase& c : cases) {
        const NormSpec spec{.kind = c.kind, .groups = c.groups};
        const auto x = test::random_floats(c.shape.size(), 200, 0.25f);
        const auto aligned = run_norm(spec, c.shape, x, Impl::Simd);
        const auto ref = run_norm(spec, c.shape, x, Impl::Reference);
        CHECK(test::max_scaled_error(aligned.y, ref.y) < 2e-5);
        for (std::size_t offset = 1; offset <= 3; ++offset) {
            CAPTURE(std::string(kind_name(c.kind)));
            CAPTURE(offset);
            // Both input and output shifted, separately, inside over-sized buffers.
            std::vector<float> xbuf(x.size() + 8, 0.0f), ybuf(x.size() + 8, -1.0f);
            std::memcpy(xbuf.data() + offset, x.data(), x.size() * sizeof(float));
            kernels::NormTrace trace;
            const std::string err = kernels::normalize(
                spec, core::TensorView{.data = xbuf.data() + offset, .shape = c.shape},
                ybuf.data() + 4 - offset, nullptr, nullptr, &trace, Impl::Simd);
            REQUIRE(err.empty());
            const std::vector<float> y(ybuf.begin() + static_cast<std::ptrdiff_t>(4 - offset),
                                       ybuf.begin() +
                                           static_cast<std::ptrdiff_t>(4 - offset + x.size()));
            CHECK(test::bitwise_equal(y, aligned.y));
            CHECK(test::bitwise_equal(trace.var, aligned.trace.var));
            // Nothing written outside y.
            for (std::size_t i = 0; i < 4 - offset; ++i)
                CHECK(ybuf[i] == -1.0f);
            for (std::size_t i = 4 - offset + x.size(); i < ybuf.size(); ++i)
                CHECK(ybuf[i] == -1.0f);
        }
    }
}

TEST_CASE("simd: target matches the compiler's vector extension") {
    const std::string target = kernels::simd_target_name();
#if defined(__wasm__)
    // The web build may compile only the kernels with -msimd128, so this file cannot tell.
    CHECK((target == "wasm-simd128" || target == "scalar"));
#elif defined(__SSE2__)
    CHECK(target == "sse2");
#else
    CHECK(target == "scalar");
#endif
}

TEST_CASE("simd: f32x4 wrapper ops are lane-wise with a fixed horizontal order") {
    namespace w = normlab::kernels::simd_wrapper_test;
    float buf[9] = {1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 6.0f, 7.0f, 8.0f, 9.0f};
    const w::f32x4 a = w::load(buf + 1); // misaligned on purpose
    const w::f32x4 b = w::splat(0.5f);
    float out[4];
    w::store(out, w::add(a, b));
    CHECK(out[0] == 2.5f);
    CHECK(out[3] == 5.5f);
    w::store(out, w::sub(a, b));
    CHECK(out[1] == 2.5f);
    w::store(out, w::mul(a, b));
    CHECK(out[2] == 2.0f);
    w::store(out, w::mul_add(a, a, b));
    CHECK(out[0] == 4.5f);
    CHECK(out[3] == 25.5f);
    CHECK(w::hsum(a) == 14.0f);
    // (l0 + l1) + (l2 + l3) loses both 1s against 1e8 and gives 0; left to right would give 1
    // and (l0 + l2) + (l1 + l3) would give 2. Pinning the order pins the bits.
    const float big[4] = {1e8f, 1.0f, -1e8f, 1.0f};
    CHECK(w::hsum(w::load(big)) == 0.0f);
    float unaligned_out[6] = {};
    w::store(unaligned_out + 1, w::splat(3.0f));
    CHECK(unaligned_out[0] == 0.0f);
    CHECK(unaligned_out[4] == 3.0f);
    CHECK(unaligned_out[5] == 0.0f);
}

TEST_CASE("simd: hsum2, min/max and lane swaps keep one meaning on every target") {
    namespace w = normlab::kernels::simd_wrapper_test;
    // hsum2 is two hsums, in hsum's order: the cancelling case keeps its 0 in either slot.
    const float big[4] = {1e8f, 1.0f, -1e8f, 1.0f};
    const float small[4] = {0.25f, 0.5f, 1.0f, 2.0f};
    float sa = -1.0f, sb = -1.0f;
    w::hsum2(w::load(big), w::load(small), sa, sb);
    CHECK(sa == 0.0f);
    CHECK(sb == 3.75f);
    w::hsum2(w::load(small), w::load(big), sa, sb);
    CHECK(sa == 3.75f);
    CHECK(sb == 0.0f);
    // lower/upper are b < a ? b : a and b > a ? b : a lane by lane (pmin/pmax), NaN included:
    // a NaN in b never wins, a NaN in a stays.
    const float nan = std::numeric_limits<float>::quiet_NaN();
    const float xa[4] = {1.0f, -2.0f, nan, 5.0f};
    const float xb[4] = {3.0f, -4.0f, 0.0f, nan};
    float out[4];
    w::store(out, w::lower(w::load(xa), w::load(xb)));
    CHECK(out[0] == 1.0f);
    CHECK(out[1] == -4.0f);
    CHECK(std::isnan(out[2]));
    CHECK(out[3] == 5.0f);
    w::store(out, w::upper(w::load(xa), w::load(xb)));
    CHECK(out[0] == 3.0f);
    CHECK(out[1] == -2.0f);
    CHECK(std::isnan(out[2]));
    CHECK(out[3] == 5.0f);
    // Equal zeros: the first operand stays (no strict order between -0 and +0).
    w::store(out, w::lower(w::splat(-0.0f), w::splat(0.0f)));
    CHECK(std::signbit(out[0]));
    const float lanes[4] = {10.0f, 20.0f, 30.0f, 40.0f};
    w::store(out, w::swap_halves(w::load(lanes)));
    CHECK((out[0] == 30.0f && out[1] == 40.0f && out[2] == 10.0f && out[3] == 20.0f));
    w::store(out, w::swap_neighbours(w::load(lanes)));
    CHECK((out[0] == 20.0f && out[1] == 10.0f && out[2] == 40.0f && out[3] == 30.0f));
    CHECK(w::first_lane(w::load(lanes)) == 10.0f);
}

TEST_CASE("simd: f64x2 ops are lane-wise doubles, widen is exact and narrow rounds as a cast") {
    namespace w = normlab::kernels::simd_wrapper_test;
    // widen_low / widen_high: lanes 0, 1 and 2, 3, exactly (a float subnormal too).
    const float f[4] = {1.5f, -2.25f, 3e38f, std::numeric_limits<float>::denorm_min()};
    double d[3] = {};
    w::store2(d + 1, w::widen_low(w::load(f))); // misaligned on purpose
    CHECK(d[0] == 0.0);
    CHECK(d[1] == 1.5);
    CHECK(d[2] == -2.25);
    w::store2(d, w::widen_high(w::load(f)));
    CHECK(d[0] == static_cast<double>(3e38f));
    CHECK(d[1] == static_cast<double>(std::numeric_limits<float>::denorm_min()));
    // narrow(lo, hi) = (float(lo0), float(lo1), float(hi0), float(hi1)): ties to even (1 + 2^-24
    // goes down to 1, 1 + 3 * 2^-24 up to 1 + 2^-22), overflow to inf, -0 kept.
    const double lo[2] = {1.0 + std::ldexp(1.0, -24), 1.0 + 3 * std::ldexp(1.0, -24)};
    const double hi[2] = {1e39, -0.0};
    float out[4];
    w::store(out, w::narrow(w::load2(lo), w::load2(hi)));
    for (int i = 0; i < 2; ++i) {
        CHECK(out[i] == static_cast<float>(lo[i]));
        CHECK(out[2 + i] == static_cast<float>(hi[i]));
    }
    CHECK(out[0] == 1.0f);
    CHECK(out[1] == 1.0f + std::ldexp(1.0f, -22));
    CHECK(std::isinf(out[2]));
    CHECK(std::signbit(out[3]));
    // Arithmetic is IEEE double per lane: the same bits as scalar code.
    const double a[2] = {1.0, 2.0}, b[2] = {3.0, 1e-300};
    double r[2];
    w::store2(r, w::div(w::load2(a), w::load2(b)));
    CHECK(r[0] == 1.0 / 3.0);
    CHECK(r[1] == 2.0 / 1e-300);
    w::store2(r, w::sqrt(w::add(w::load2(a), w::splat2(0.5))));
    CHECK(r[0] == std::sqrt(1.5));
    CHECK(r[1] == std::sqrt(2.5));
    w::store2(r, w::sub(w::mul(w::load2(a), w::load2(b)), w::splat2(1.0)));
    CHECK(r[0] == 2.0);
    CHECK(r[1] == 2e-300 - 1.0);
    // greater_bits / equal_bits: bit k for lane k, false wherever a NaN is compared.
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const double inf = std::numeric_limits<double>::infinity();
    const double g[2] = {1.0, nan};
    CHECK(w::greater_bits(w::load2(g), w::splat2(0.0)) == 1u);
    CHECK(w::greater_bits(w::splat2(0.0), w::load2(g)) == 0u);
    const double e[2] = {inf, 5.0}; // v - v == 0 only where v is finite
    const w::f64x2 ev = w::load2(e);
    CHECK(w::equal_bits(w::sub(ev, ev), w::splat2(0.0)) == 2u);
    CHECK(w::equal_bits(w::splat2(-0.0), w::splat2(0.0)) == 3u);
}

// ---- the one-pass statistics, the fused chunks and their fall-backs (norm_simd.cpp header) ----

namespace {

// x with a group-wise layout chosen by the test: `cell(g, k)` gives cell k (group order) of
// group g, written through group_cell so runs and columns layouts are covered alike.
template <class Cell>
std::vector<float> fill_groups(const Shape& shape, const NormSpec& spec, Cell cell) {
    kernels::GroupPlan plan;
    REQUIRE(kernels::plan_groups(shape, spec, &plan).empty());
    std::vector<float> x(shape.size());
    for (std::size_t g = 0; g < plan.group_count(); ++g)
        for (std::size_t k = 0; k < plan.group_size(); ++k)
            x[kernels::group_cell(plan, g, k)] = cell(g, k);
    return x;
}

const SweepCase kLayouts[] = {
    {NormKind::Layer, Shape::matrix(3, 1024)},        // runs, one group per row
    {NormKind::Group, Shape::matrix(40, 96), 8},      // runs, many small groups per chunk
    {NormKind::Batch, Shape::matrix(257, 20)},        // columns, M = 1
    {NormKind::Group, Shape::sequence(2, 300, 8), 4}, // columns, M = 2
    {NormKind::Batch, Shape::image(9, 3, 8, 8)},      // runs over planes, P > 1
    {NormKind::Instance, Shape::image(2, 5, 9, 9)},   // runs over planes
};

} // namespace

TEST_CASE("simd: a pivot far from the mean falls back to a centered pass and stays exact") {
    // The pivot is the mean of a group's first 8 cells. Put 1e3 there and 1e-3 noise after
    // it: the one-pass var = q/n - (s/n)^2 would cancel ~99% of q (error ~100x a float sum's);
    // the fall-back's centered pass must match the reference as closely as a benign group.
    for (const SweepCase& c : kLayouts) {
        const NormSpec spec{.kind = c.kind, .groups = c.groups};
        const auto noise = test::random_floats(c.shape.size(), 300, 0.0f, 1e-3f);
        const auto x = fill_groups(c.shape, spec, [&](std::size_t g, std::size_t k) {
            return k < 8 ? 1e3f + noise[g + k] : noise[(g * 7 + k) % noise.size()];
        });
        CAPTURE(std::string(kind_name(c.kind)));
        CAPTURE(c.shape.str());
        const auto ref = run_norm(spec, c.shape, x, Impl::Reference);
        const auto simd = run_norm(spec, c.shape, x, Impl::Simd);
        REQUIRE(simd.error.empty());
        CHECK(test::max_scaled_error(simd.trace.var, ref.trace.var, 1e-6) < 1e-5);
        CHECK(test::max_scaled_error(simd.trace.mean, ref.trace.mean, 1e-6) < 1e-6);
        CHECK(test::max_scaled_error(simd.y, ref.y) < 2e-5);
    }
}

TEST_CASE("simd: large offset plus a far pivot keeps the variance (both fall-backs at once)") {
    // 1e4 + 1e-2 noise, the first 8 cells of each group a further +0.5 (50 sigma off): the
    // mean must be split into c + r and the variance re-summed around c.
    for (const SweepCase& c : kLayouts) {
        const NormSpec spec{.kind = c.kind, .groups = c.groups};
        const auto noise = test::random_floats(c.shape.size(), 301, 0.0f, 1e-2f);
        const auto x = fill_groups(c.shape, spec, [&](std::size_t g, std::size_t k) {
            return 1e4f + noise[(g * 13 + k) % noise.size()] + (k < 8 ? 0.5f : 0.0f);
        });
        CAPTURE(std::string(kind_name(c.kind)));
        CAPTURE(c.shape.str());
        const auto ref = run_norm(spec, c.shape, x, Impl::Reference);
        const auto simd = run_norm(spec, c.shape, x, Impl::Simd);
        for (std::size_t g = 0; g < ref.trace.var.size(); ++g)
            CHECK(simd.trace.var[g] == doctest::Approx(ref.trace.var[g]).epsilon(1e-4));
        CHECK(test::max_scaled_error(simd.y, ref.y) < 1e-4);
    }
}

// Runs layouts with groups of at least 512 cells, where the sums may go around 0 instead of
// the pivot (norm_simd.cpp, run_pivot).
const SweepCase kLargeRuns[] = {
    {NormKind::Layer, Shape::matrix(4, 768)},
    {NormKind::Rms, Shape::matrix(4, 1024)},
    {NormKind::Layer, Shape::sequence(2, 3, 520)},
    {NormKind::Group, Shape::image(2, 8, 16, 16), 2},
    {NormKind::Instance, Shape::image(2, 3, 32, 32)},
    {NormKind::Batch, Shape::image(4, 3, 16, 16)},
};

TEST_CASE("simd: groups summed around 0 agree with the reference, misjudged ones too") {
    for (const SweepCase& c : kLargeRuns) {
        const NormSpec spec{.kind = c.kind, .groups = c.groups};
        CAPTURE(std::string(kind_name(c.kind)));
        CAPTURE(c.shape.str());
        SUBCASE("centred data: the first cells straddle 0 and so does the mean") {
            const auto x = test::random_floats(c.shape.size(), 302, 0.1f, 2.0f);
            const auto ref = run_norm(spec, c.shape, x, Impl::Reference);
            const auto simd = run_norm(spec, c.shape, x, Impl::Simd);
            REQUIRE(simd.error.empty());
            CHECK(test::max_scaled_error(simd.y, ref.y) < 2e-6);
            CHECK(test::max_scaled_error(simd.trace.mean, ref.trace.mean, 1e-6) < 1e-5);
            CHECK(test::max_scaled_error(simd.trace.var, ref.trace.var, 1e-6) < 5e-6);
            CHECK(test::max_scaled_error(simd.trace.rms, ref.trace.rms, 1e-6) < 5e-6);
        }
        SUBCASE("misjudged: first cells around 0, the rest 1e3 + 1e-2 noise (a second pass)") {
            // Summed around 0, var = q/n - mean^2 would cancel all but ~1e-10 of q: only the
            // pass around the mean found can give the reference's variance.
            const auto noise = test::random_floats(c.shape.size(), 303, 0.0f, 1e-2f);
            const auto x = fill_groups(c.shape, spec, [&](std::size_t g, std::size_t k) {
                if (k < 8) return k % 2 ? 1.0f : -1.0f;
                return 1e3f + noise[(g * 11 + k) % noise.size()];
            });
            const auto ref = run_norm(spec, c.shape, x, Impl::Reference);
            const auto simd = run_norm(spec, c.shape, x, Impl::Simd);
            REQUIRE(simd.error.empty());
            for (std::size_t g = 0; g < ref.trace.var.size(); ++g)
                CHECK(simd.trace.var[g] == doctest::Approx(ref.trace.var[g]).epsilon(1e-5));
            CHECK(test::max_scaled_error(simd.trace.mean, ref.trace.mean, 1e-6) < 1e-6);
            CHECK(test::max_scaled_error(simd.y, ref.y) < 2e-5);
        }
    }
}

TEST_CASE("simd: constant groups give y = beta exactly in every layout and size") {
    // The pivot is a pairwise mean of equal values (exact), so c = x and r = 0: no rounding
    // noise may leak through inv = 1/sqrt(eps) (~316). RMSNorm (no centering: y = x * inv *
    // gamma) sums around 0, so its constant groups are ill-conditioned; the pass around their
    // first cell must still report var exactly 0.
    for (int n : kLaneEdges) {
        for (const SweepCase& c : sweep_cases(n)) {
            const NormSpec spec{.kind = c.kind, .groups = c.groups};
            const auto x = fill_groups(c.shape, spec, [](std::size_t g, std::size_t) {
                return 0.1f + 0.3f * static_cast<float>(g % 5); // not sums of powers of two
            });
            std::vector<float> gamma(static_cast<std::size_t>(c.shape.channels()), 1.5f);
            std::vector<float> beta(gamma.size());
            for (std::size_t i = 0; i < beta.size(); ++i)
                beta[i] = -0.25f + 0.125f * static_cast<float>(i % 3);
            const auto simd = run_norm(spec, c.shape, x, Impl::Simd, &gamma, &beta);
            CAPTURE(std::string(kind_name(c.kind)));
            CAPTURE(c.shape.str());
            REQUIRE(simd.error.empty());
            for (float v : simd.trace.var)
                CHECK(v == 0.0f);
            if (c.kind == NormKind::Rms) {
                const auto ref = run_norm(spec, c.shape, x, Impl::Reference, &gamma, &beta);
                CHECK(test::max_scaled_error(simd.y, ref.y) < 1e-6);
                CHECK(test::max_scaled_error(simd.trace.rms, ref.trace.rms) < 1e-6);
                continue;
            }
            bool all_beta = true;
            for (std::size_t i = 0; i < x.size(); ++i)
                all_beta = all_beta && simd.y[i] == beta[kernels::channel_of(c.shape, i)];
            CHECK(all_beta);
        }
    }
    // Long RMSNorm rows whose float sums of equal values round (their mean is then not x).
    for (int n : {1000, 1992, 4099}) {
        for (float v : {-3.39990997f, 0.1f, 1e4f + 0.3f}) {
            const Shape s = Shape::matrix(3, n);
            const NormSpec spec{.kind = NormKind::Rms};
            const std::vector<float> x(s.size(), v);
            CAPTURE(n);
            CAPTURE(v);
            const auto simd = run_norm(spec, s, x, Impl::Simd);
            const auto ref = run_norm(spec, s, x, Impl::Reference);
            REQUIRE(simd.error.empty());
            for (float var : simd.trace.var)
                CHECK(var == 0.0f);
            CHECK(test::max_scaled_error(simd.y, ref.y) < 1e-6);
        }
    }
}

TEST_CASE("simd: RMSNorm keeps the sign of a zero input, as the reference, in every loop") {
    // y = x * inv * gamma: x = -0 gives -0 (a zero beta added would have made it +0). Rows and
    // planes, fused chunks (out of place) and the separate passes (in place).
    for (const Shape& shape : {Shape::matrix(40, 1024), Shape::image(8, 16, 32, 32),
                               Shape::image(3, 2, 5, 7)}) {
        const NormSpec spec{.kind = NormKind::Rms};
        auto x = test::random_floats(shape.size(), 77, 0.5f);
        for (std::size_t i = 0; i < x.size(); i += 37)
            x[i] = (i / 37) % 2 ? -0.0f : 0.0f;
        std::vector<float> gamma(static_cast<std::size_t>(shape.channels()), 1.25f);
        CAPTURE(shape.str());
        const auto ref = run_norm(spec, shape, x, Impl::Reference, &gamma);
        const auto out = run_norm(spec, shape, x, Impl::Simd, &gamma);
        auto inplace = x;
        kernels::NormTrace trace;
        REQUIRE(kernels::normalize(spec, core::TensorView{.data = inplace.data(), .shape = shape},
                                   inplace.data(), gamma.data(), nullptr, &trace, Impl::Simd)
                    .empty());
        int zeros = 0, kept = 0, kept_inplace = 0;
        for (std::size_t i = 0; i < x.size(); i += 37) {
            ++zeros;
            kept += out.y[i] == 0.0f && std::signbit(out.y[i]) == std::signbit(x[i]);
            kept_inplace += inplace[i] == 0.0f && std::signbit(inplace[i]) == std::signbit(x[i]);
            REQUIRE(std::signbit(ref.y[i]) == std::signbit(x[i]));
        }
        CHECK(kept == zeros);
        CHECK(kept_inplace == zeros);
        CHECK(test::max_scaled_error(out.y, ref.y) < 1e-6);
    }
}

TEST_CASE("simd: fused chunks give the same bits in place, and overflow in a late chunk") {
    // Out of place, statistics and apply alternate chunk by chunk; in place, every statistic
    // comes first. Both must give the same bits. An overflowing group in the LAST chunk makes
    // the whole call the reference's, even after earlier chunks wrote y.
    for (const SweepCase& c : {SweepCase{NormKind::Layer, Shape::matrix(64, 768)},
                               SweepCase{NormKind::Group, Shape::matrix(64, 768), 8},
                               SweepCase{NormKind::Instance, Shape::sequence(6, 40, 24)},
                               // Planes summed side by side, 4 channels a chunk: 4 + 1.
                               SweepCase{NormKind::Batch, Shape::image(3, 5, 64, 64)}}) {
        const NormSpec spec{.kind = c.kind, .groups = c.groups};
        auto x = test::random_floats(c.shape.size(), 302, 0.5f);
        CAPTURE(std::string(kind_name(c.kind)));
        for (int overflow = 0; overflow < 2; ++overflow) {
            CAPTURE(overflow);
            if (overflow) {
                for (std::size_t i = x.size() - 64; i < x.size(); ++i)
                    x[i] *= 1e30f; // the last group's squares pass FLT_MAX
            }
            const auto out = run_norm(spec, c.shape, x, Impl::Simd);
            auto inplace = x;
            kernels::NormTrace trace;
            REQUIRE(kernels::normalize(spec, core::TensorView{.data = inplace.data(), .shape = c.shape},
                                       inplace.data(), nullptr, nullptr, &trace, Impl::Simd)
                        .empty());
            CHECK(test::bitwise_equal(inplace, out.y));
            CHECK(test::bitwise_equal(trace.var, out.trace.var));
            CHECK(test::all_finite(out.y));
            if (overflow) {
                const auto ref = run_norm(spec, c.shape, x, Impl::Reference);
                CHECK(test::bitwise_equal(out.y, ref.y));
                CHECK(out.trace.impl_used == Impl::Reference);
            }
        }
    }
}

TEST_CASE("simd: a chunk applied while the next is summed keeps every group's own path") {
    // Out of place, groups of one run (P = 1) have chunk k's apply fused with chunk k + 1's
    // sums; in place they stay apart (planes of 18 x 18: never fused, 324 is not 16k). Mix in every
    // per-group path: the exact centre (1e4 + 1e-2), a far pivot (second pass), a constant group,
    // NaN, then check both give the same bits and the reference's values, over chunk edges and a
    // short last chunk.
    for (const SweepCase& c :
         {SweepCase{NormKind::Layer, Shape::matrix(70, 768)},
          SweepCase{NormKind::Rms, Shape::matrix(70, 1000)},
          SweepCase{NormKind::Layer, Shape::sequence(3, 20, 1030)},
          SweepCase{NormKind::Group, Shape::matrix(80, 768), 8},
          SweepCase{NormKind::Group, Shape::sequence(2, 40, 1024), 32},
          // Groups of 30 runs of 512: fused a run of each at a time.
          SweepCase{NormKind::Group, Shape::sequence(2, 30, 2048), 4},
          SweepCase{NormKind::Batch, Shape::image(3, 160, 16, 16)}, // chunks of 64 channels
          // Planes: one channel's factor for a whole H*W plane.
          SweepCase{NormKind::Instance, Shape::image(4, 16, 32, 32)},
          SweepCase{NormKind::Group, Shape::image(8, 32, 16, 16), 4},
          SweepCase{NormKind::Layer, Shape::image(3, 8, 48, 48)},
          SweepCase{NormKind::Rms, Shape::image(3, 8, 48, 48)},
          SweepCase{NormKind::Instance, Shape::image(4, 40, 18, 18)}}) {
        // Every group's path mixed into every chunk, or only into a few groups in the middle, so
        // that most chunks are plain ones (the rows loop has a fast path for those) and the
        // others are not.
        for (const bool everywhere : {true, false}) {
            const NormSpec spec{.kind = c.kind, .groups = c.groups};
            const auto noise = test::random_floats(c.shape.size(), 304, 0.0f, 1.0f);
            kernels::GroupPlan plan;
            REQUIRE(kernels::plan_groups(c.shape, spec, &plan).empty());
            REQUIRE(plan.group_count() * plan.group_size() > 3 * 16384); // several chunks
            const std::size_t middle = plan.group_count() / 2;
            const auto special = [&](std::size_t g) {
                return everywhere || (g >= middle && g < middle + 5);
            };
            const auto x = fill_groups(c.shape, spec, [&](std::size_t g, std::size_t k) {
                const float v = noise[(g * 17 + k) % noise.size()];
                if (!special(g)) return v;
                switch (g % 5) {
                case 0:
                    return 1e4f + 1e-2f * v; // exact centre
                case 1:
                    return k < 8 ? 50.0f + v : v; // pivot far from the mean
                case 2:
                    return 0.75f; // constant
                case 3:
                    return k == 5 ? NAN : 3.0f + v; // NaN in the group
                default:
                    return v;
                }
            });
            // A different gamma and beta for every channel: a misplaced channel shows.
            std::vector<float> gamma(static_cast<std::size_t>(c.shape.channels()));
            std::vector<float> beta(gamma.size());
            for (std::size_t i = 0; i < gamma.size(); ++i) {
                gamma[i] = 0.5f + 0.125f * static_cast<float>(i % 7);
                beta[i] = -0.25f + 0.0625f * static_cast<float>(i % 5);
            }
            CAPTURE(std::string(kind_name(c.kind)));
            CAPTURE(c.shape.str());
            CAPTURE(everywhere);
            const auto out = run_norm(spec, c.shape, x, Impl::Simd, &gamma, &beta);
            const auto ref = run_norm(spec, c.shape, x, Impl::Reference, &gamma, &beta);
            auto inplace = x;
            kernels::NormTrace trace;
            REQUIRE(
                kernels::normalize(spec, core::TensorView{.data = inplace.data(), .shape = c.shape},
                                   inplace.data(), gamma.data(), beta.data(), &trace, Impl::Simd)
                    .empty());
            CHECK(test::bitwise_equal(inplace, out.y));
            CHECK(test::bitwise_equal(trace.var, out.trace.var));
            CHECK(test::bitwise_equal(trace.mean, out.trace.mean));
            // Values: NaN exactly in the NaN groups, the reference's elsewhere.
            std::size_t nan_cells = 0;
            for (std::size_t g = 0; g < plan.group_count(); ++g) {
                for (std::size_t k = 0; k < plan.group_size(); ++k) {
                    const std::size_t i = kernels::group_cell(plan, g, k);
                    if (special(g) && g % 5 == 3) {
                        nan_cells += std::isnan(out.y[i]) ? 1 : 0;
                    } else if (!(std::fabs(out.y[i] - ref.y[i]) <=
                                 2e-4f * (1.0f + std::fabs(ref.y[i])))) {
                        FAIL_CHECK("group " << g << " cell " << k << ": " << out.y[i] << " vs "
                                            << ref.y[i]);
                        break;
                    }
                }
            }
            std::size_t nan_groups = 0;
            for (std::size_t g = 0; g < plan.group_count(); ++g)
                nan_groups += special(g) && g % 5 == 3 ? 1 : 0;
            CHECK(nan_cells == nan_groups * plan.group_size());
        }
    }
}

TEST_CASE("simd: pivot sums that overflow on finite inputs go to the reference") {
    // |x| ~ 2e38: the pairwise pivot sum passes FLT_MAX although every cell is finite.
    const Shape s = Shape::matrix(3, 40);
    auto x = test::random_floats(s.size(), 303, 0.0f, 0.1f);
    for (float& v : x)
        v = (v < 0.0f ? -2e38f : 2e38f) * (0.9f + std::fabs(v));
    const NormSpec spec{.kind = NormKind::Layer};
    const auto ref = run_norm(spec, s, x, Impl::Reference);
    const auto simd = run_norm(spec, s, x, Impl::Simd);
    REQUIRE(simd.error.empty());
    CHECK(test::all_finite(simd.y));
    CHECK(test::bitwise_equal(simd.y, ref.y));
}

TEST_CASE("simd: a long BatchNorm column keeps the small squares that come after an outlier") {
    // 20,000 rows of 100 + N(0, 1), with a -1e4 outlier at the top of column 1 and at the bottom
    // of column 2. Summed straight down one lane, every square of about 1 added after the
    // outlier's 1e8 rounds away (an ulp there is 8): var came out 2.4e-4 low. Pairwise sums of
    // 64-row leaves keep them.
    const Shape s = Shape::matrix(20000, 3);
    auto x = test::random_floats(s.size(), 404, 100.0f);
    x[1] = -1e4f;
    x[s.size() - 1] = -1e4f;
    for (const Shape& shape : {s, Shape::sequence(4000, 5, 3)}) {
        CAPTURE(shape.str());
        const NormSpec spec{.kind = NormKind::Batch};
        const auto ref = run_norm(spec, shape, x, Impl::Reference);
        const auto simd = run_norm(spec, shape, x, Impl::Simd);
        REQUIRE(simd.error.empty());
        for (std::size_t c = 0; c < 3; ++c) {
            CAPTURE(c);
            CHECK(std::fabs(simd.trace.var[c] - ref.trace.var[c]) < 2e-6 * ref.trace.var[c]);
            CHECK(std::fabs(simd.trace.mean[c] - ref.trace.mean[c]) <
                  1e-6 * std::fabs(ref.trace.mean[c]));
        }
        CHECK(test::max_scaled_error(simd.y, ref.y) < 4e-6);
    }
}

TEST_CASE("simd: a long run keeps the small squares that come after an outlier, fused or not") {
    // Groups of 9,000-40,000 cells of 100 + N(0, 1) with a -1e4 outlier early in each. Summed
    // in 16 float lanes straight through, every square of about 1 added after the outlier's 1e8
    // rounded away (LayerNorm (3,40000): var 2.6e-5 low, y 1.3e-5 off); the runs are now summed
    // in stretches of 1024 cells whose totals join the group's (on images a plane may end
    // mid-stretch or be cut by one). Out of place a chunk's sums share a loop with the previous
    // chunk's apply (plane by plane on images), in place they are taken in a pass of their own:
    // both must cut the stretches at the same cells (same bits).
    struct Case {
        NormKind kind;
        Shape shape;
        int groups = 1;
    };
    // Images: 48-cell planes (stretch ends fall inside planes), 9216-cell planes (nine
    // stretches a plane), BatchNorm's groups of one 4096-cell plane per example, 49-cell planes
    // (not fused: not a multiple of 16 cells).
    for (const Case& c : {Case{NormKind::Layer, Shape::matrix(3, 40000)},
                          Case{NormKind::Rms, Shape::matrix(3, 40000)},
                          Case{NormKind::Layer, Shape::sequence(1, 3, 40000)},
                          Case{NormKind::Group, Shape::matrix(3, 40000), 2},
                          Case{NormKind::Layer, Shape::image(3, 400, 4, 12)},
                          Case{NormKind::Instance, Shape::image(2, 3, 96, 96)},
                          Case{NormKind::Batch, Shape::image(3, 3, 64, 64)},
                          Case{NormKind::Layer, Shape::image(3, 400, 7, 7)}}) {
        CAPTURE(std::string(kind_name(c.kind)));
        CAPTURE(c.shape.str());
        auto x = test::random_floats(c.shape.size(), 405, 100.0f);
        const NormSpec spec{.kind = c.kind, .groups = c.groups};
        const auto probe = run_norm(spec, c.shape, x, Impl::Reference);
        const std::size_t groups = probe.trace.var.size();
        const std::size_t size = c.shape.size() / groups;
        REQUIRE(size >= 9000);
        // An outlier past each group's first cells (the pivot stays near 100: one pass).
        for (std::size_t g = 0; g < groups; ++g)
            x[g * size + 100] = -1e4f;
        const auto ref = run_norm(spec, c.shape, x, Impl::Reference);
        const auto simd = run_norm(spec, c.shape, x, Impl::Simd);
        REQUIRE(simd.error.empty());
        auto inplace = x;
        kernels::NormTrace trace;
        REQUIRE(kernels::normalize(spec,
                                   core::TensorView{.data = inplace.data(), .shape = c.shape},
                                   inplace.data(), nullptr, nullptr, &trace, Impl::Simd)
                    .empty());
        CHECK(test::bitwise_equal(inplace, simd.y));
        CHECK(test::bitwise_equal(trace.var, simd.trace.var));
        const bool rms = c.kind == NormKind::Rms;
        const auto& got = rms ? simd.trace.rms : simd.trace.var;
        const auto& want = rms ? ref.trace.rms : ref.trace.var;
        for (std::size_t g = 0; g < groups; ++g) {
            CAPTURE(g);
            CHECK(std::fabs(got[g] - want[g]) < 2e-6 * want[g]);
            CHECK(std::fabs(simd.trace.mean[g] - ref.trace.mean[g]) <
                  1e-6 * std::fabs(ref.trace.mean[g]));
        }
        CHECK(test::max_scaled_error(simd.y, ref.y) < 4e-6);
    }
}

TEST_CASE("simd: column sums of up to one leaf of rows are summed straight down, any height agrees") {
    // Heights around the leaf (64 rows) and the pairwise levels: every one must agree with the
    // reference (a wrong carry or fold would drop or double a leaf's sums).
    for (int rows : {1, 8, 63, 64, 65, 127, 128, 129, 192, 320, 1000, 4097}) {
        const Shape s = Shape::matrix(rows, 19);
        const auto x = test::random_floats(s.size(), 500 + static_cast<std::uint64_t>(rows), 3.0f);
        const NormSpec spec{.kind = NormKind::Batch};
        CAPTURE(rows);
        const auto ref = run_norm(spec, s, x, Impl::Reference);
        const auto simd = run_norm(spec, s, x, Impl::Simd);
        REQUIRE(simd.error.empty());
        CHECK(test::max_scaled_error(simd.trace.mean, ref.trace.mean) < 1e-6);
        CHECK(test::max_scaled_error(simd.trace.var, ref.trace.var, 1e-6) < 1e-5);
        CHECK(test::max_scaled_error(simd.y, ref.y) < 2e-5);
    }
}
