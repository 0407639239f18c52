// tests/kernels/test_norm_simd.cpp: the SIMD path against the reference where vector code
// goes wrong: lengths at the lane edges (1 .. 257), both loop shapes (runs and columns),
// misaligned starts, and the f32x4 wrapper itself.
#include <doctest/doctest.h>

#include <cstring>
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
