// tests/kernels/test_norm.cpp: properties of the forward pass that hold for every input (which
// examples couple, invariances, GroupNorm's two limits, the affine's channel axis) and the
// edge cases a learner can reach from the UI (constant groups, eps 0, NaN, 1e30, in place).
// Every property runs on both implementations.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "norm_test_util.h"

namespace {

using namespace normlab;
using core::Shape;
using kernels::GroupPlan;
using kernels::NormKind;
using kernels::NormSpec;
using test::run_norm;
using test::kn::Impl;

constexpr Impl kImpls[] = {Impl::Reference, Impl::Simd};

std::vector<float> channel_values(int c, float base, float step) {
    std::vector<float> v(static_cast<std::size_t>(c));
    for (int i = 0; i < c; ++i)
        v[static_cast<std::size_t>(i)] = base + step * static_cast<float>(i);
    return v;
}

// y of example `b` in a (B, ...) tensor: the b-th contiguous slice of size()/B cells.
std::vector<float> example_slice(const std::vector<float>& y, const Shape& s, int b) {
    const std::size_t per = s.size() / static_cast<std::size_t>(s.batch());
    return {y.begin() + static_cast<std::ptrdiff_t>(per * static_cast<std::size_t>(b)),
            y.begin() + static_cast<std::ptrdiff_t>(per * static_cast<std::size_t>(b + 1))};
}

} // namespace

TEST_CASE("layer_norm: constant row gives beta") {
    const Shape s = Shape::matrix(3, 20);
    auto x = test::random_floats(s.size(), 11);
    for (int i = 0; i < 20; ++i)
        x[20 + static_cast<std::size_t>(i)] = 0.1f; // row 1 constant
    const auto gamma = channel_values(20, 0.5f, 0.1f);
    const auto beta = channel_values(20, -1.0f, 0.25f);
    for (Impl impl : kImpls) {
        CAPTURE(std::string(kernels::impl_name(impl)));
        const auto r = run_norm(NormSpec{.kind = NormKind::Layer}, s, x, impl, &gamma, &beta);
        REQUIRE(r.error.empty());
        for (int i = 0; i < 20; ++i)
            CHECK(r.y[20 + static_cast<std::size_t>(i)] == beta[static_cast<std::size_t>(i)]);
        CHECK(r.trace.var[1] == 0.0f);
        CHECK(r.trace.mean[1] == 0.1f);
        CHECK(r.trace.inv_std[1] == doctest::Approx(1.0 / std::sqrt(1e-5)).epsilon(1e-6));
    }
}

TEST_CASE("batch_norm: B=1 gives beta for every channel") {
    const Shape s = Shape::image(1, 3, 2, 2);
    auto x = test::random_floats(s.size(), 12);
    for (std::size_t i = 0; i < x.size(); ++i)
        x[i] = static_cast<float>(i / 4) * 1.5f - 2.0f; // constant planes
    const auto beta = channel_values(3, 0.25f, 0.5f);
    for (Impl impl : kImpls) {
        const auto r = run_norm(NormSpec{.kind = NormKind::Batch}, s, x, impl, nullptr, &beta);
        REQUIRE(r.error.empty());
        for (std::size_t i = 0; i < x.size(); ++i)
            CHECK(r.y[i] == beta[i / 4]);
    }
}

TEST_CASE("norm: eps 0 on a constant group gives non-finite y in that group only") {
    const Shape s = Shape::matrix(2, 17);
    auto x = test::random_floats(s.size(), 13);
    for (std::size_t i = 0; i < 17; ++i)
        x[i] = 4.0f;
    for (Impl impl : kImpls) {
        CAPTURE(std::string(kernels::impl_name(impl)));
        const auto r = run_norm(NormSpec{.kind = NormKind::Layer, .eps = 0.0f}, s, x, impl);
        REQUIRE(r.error.empty());
        CHECK(r.trace.var[0] == 0.0f);
        CHECK(std::isinf(r.trace.inv_std[0]));
        for (std::size_t i = 0; i < 17; ++i)
            CHECK(std::isnan(r.y[i])); // 0 * inf
        for (std::size_t i = 17; i < 34; ++i)
            CHECK(std::isfinite(r.y[i]));
    }
}

TEST_CASE("norm: NaN input spreads to its own group only") {
    struct Case {
        NormKind kind;
        Shape shape;
        std::size_t nan_at;
    };
    // (3,20) LayerNorm uses the run path; (6,20) BatchNorm the column path.
    const Case cases[] = {
        {NormKind::Layer, Shape::matrix(3, 20), 25},
        {NormKind::Rms, Shape::matrix(3, 20), 25},
        {NormKind::Batch, Shape::matrix(6, 20), 45},
        {NormKind::Instance, Shape::image(2, 3, 4, 5), 47},
        {NormKind::Group, Shape::sequence(2, 9, 6), 40},
    };
    for (const Case& c : cases) {
        const NormSpec spec{.kind = c.kind, .groups = 3};
        GroupPlan plan;
        REQUIRE(kernels::plan_groups(c.shape, spec, &plan).empty());
        auto x = test::random_floats(c.shape.size(), 14);
        const auto clean = run_norm(spec, c.shape, x, Impl::Reference);
        x[c.nan_at] = std::numeric_limits<float>::quiet_NaN();
        const std::size_t bad_group = kernels::group_of(plan, c.nan_at);
        for (Impl impl : kImpls) {
            CAPTURE(std::string(kernels::norm_name(c.kind)));
            CAPTURE(std::string(kernels::impl_name(impl)));
            const auto r = run_norm(spec, c.shape, x, impl);
            REQUIRE(r.error.empty());
            for (std::size_t i = 0; i < x.size(); ++i) {
                if (kernels::group_of(plan, i) == bad_group) {
                    CHECK(std::isnan(r.y[i]));
                } else {
                    CHECK(r.y[i] == doctest::Approx(clean.y[i]).epsilon(1e-5));
                }
            }
            CHECK(std::isnan(r.trace.mean[bad_group]));
        }
    }
}

TEST_CASE("norm: values near 1e30 stay finite; the float trace shows var = inf") {
    // var ~ 1e60 does not fit a float. The reference keeps it in double, so y is finite; the
    // SIMD path sees its float sums overflow and hands the call to the reference.
    const NormKind kinds[] = {NormKind::Layer, NormKind::Batch, NormKind::Rms};
    for (NormKind kind : kinds) {
        const Shape s = kind == NormKind::Batch ? Shape::matrix(20, 3) : Shape::matrix(2, 20);
        const auto unit = test::random_floats(s.size(), 15);
        std::vector<float> huge(unit.size());
        for (std::size_t i = 0; i < unit.size(); ++i)
            huge[i] = unit[i] * 1e30f;
        const auto expect = run_norm(NormSpec{.kind = kind, .eps = 0.0f}, s, unit, Impl::Reference);
        const auto ref = run_norm(NormSpec{.kind = kind}, s, huge, Impl::Reference);
        const auto simd = run_norm(NormSpec{.kind = kind}, s, huge, Impl::Simd);
        CAPTURE(std::string(kernels::norm_name(kind)));
        REQUIRE(ref.error.empty());
        CHECK(test::all_finite(ref.y));
        CHECK(test::max_scaled_error(ref.y, expect.y) < 1e-5); // scale invariance survives
        CHECK(test::bitwise_equal(simd.y, ref.y));
        for (std::size_t g = 0; g < ref.trace.var.size(); ++g) {
            CHECK(std::isinf(ref.trace.var[g]));
            CHECK(std::isfinite(ref.trace.mean[g]));
            CHECK(std::isfinite(ref.trace.rms[g]));
            CHECK(ref.trace.inv_std[g] > 0.0f);
            CHECK(ref.trace.inv_std[g] < 1e-29f);
            CHECK(std::isinf(simd.trace.var[g]));
        }
    }
}

TEST_CASE("norm: infinite input makes its group non-finite, others untouched") {
    const Shape s = Shape::matrix(2, 16);
    auto x = test::random_floats(s.size(), 16);
    const auto clean = run_norm(NormSpec{}, s, x, Impl::Reference);
    x[3] = std::numeric_limits<float>::infinity();
    for (Impl impl : kImpls) {
        const auto r = run_norm(NormSpec{}, s, x, impl);
        for (std::size_t i = 0; i < 16; ++i)
            CHECK_FALSE(std::isfinite(r.y[i]));
        for (std::size_t i = 16; i < 32; ++i)
            CHECK(r.y[i] == doctest::Approx(clean.y[i]).epsilon(1e-5));
    }
}

TEST_CASE("rms_norm: an infinite input makes mean(x^2) infinite: the row's finite cells give 0") {
    // PyTorch: x * rsqrt(x.pow(2).mean(-1) + eps) = x * rsqrt(inf) = x * 0, and inf * 0 = NaN.
    // Rows of 48 and 1024 cells reach the SIMD path's sums around 0 (whose one-pass variance,
    // q/n - (s/n)^2, is inf - inf: a NaN factor unless the group is handed over); one row stays
    // clean.
    for (int d : {5, 48, 1024}) {
        const Shape s = Shape::matrix(3, d);
        const auto clean_x = test::random_floats(s.size(), 61, 0.5f);
        const auto clean = run_norm(NormSpec{.kind = NormKind::Rms}, s, clean_x, Impl::Reference);
        constexpr float kInf = std::numeric_limits<float>::infinity();
        for (float bad : {kInf, -kInf}) {
            auto x = clean_x;
            const std::size_t row = static_cast<std::size_t>(d);
            x[row + 2] = bad;          // row 1: one infinity
            x[2 * row] = bad;          // row 2: both infinities -> still +inf squared
            x[2 * row + row - 1] = -bad;
            for (Impl impl : kImpls) {
                CAPTURE(d);
                CAPTURE(impl_name(impl));
                const auto r = run_norm(NormSpec{.kind = NormKind::Rms}, s, x, impl);
                REQUIRE(r.error.empty());
                for (std::size_t g : {1u, 2u}) {
                    CHECK(r.trace.inv_std[g] == 0.0f);
                    CHECK(std::isinf(r.trace.rms[g]));
                    for (std::size_t i = g * row; i < (g + 1) * row; ++i) {
                        if (std::isfinite(x[i]))
                            CHECK(r.y[i] == 0.0f);
                        else
                            CHECK(std::isnan(r.y[i]));
                    }
                }
                for (std::size_t i = 0; i < row; ++i)
                    CHECK(r.y[i] == doctest::Approx(clean.y[i]).epsilon(1e-5));
            }
        }
    }
}

TEST_CASE("layer_norm: an example's output ignores the other examples (RMSNorm too)") {
    for (NormKind kind : {NormKind::Layer, NormKind::Rms}) {
        for (const Shape& s :
             {Shape::matrix(4, 8), Shape::sequence(3, 5, 17), Shape::image(3, 4, 3, 3)}) {
            auto x = test::random_floats(s.size(), 17);
            for (Impl impl : kImpls) {
                const auto before = run_norm(NormSpec{.kind = kind}, s, x, impl);
                auto changed = x;
                const std::size_t per = s.size() / static_cast<std::size_t>(s.batch());
                for (std::size_t i = per; i < 2 * per; ++i)
                    changed[i] = changed[i] * 3.0f + 5.0f;
                const auto after = run_norm(NormSpec{.kind = kind}, s, changed, impl);
                for (int b = 0; b < s.batch(); ++b) {
                    if (b == 1) continue;
                    CHECK(test::bitwise_equal(example_slice(after.y, s, b),
                                              example_slice(before.y, s, b)));
                }
                CHECK_FALSE(test::bitwise_equal(example_slice(after.y, s, 1),
                                                example_slice(before.y, s, 1)));
            }
        }
    }
}

TEST_CASE("batch_norm: changing one example changes the others") {
    for (const Shape& s :
         {Shape::matrix(4, 8), Shape::sequence(3, 5, 6), Shape::image(3, 4, 3, 3)}) {
        auto x = test::random_floats(s.size(), 18);
        for (Impl impl : kImpls) {
            const auto before = run_norm(NormSpec{.kind = NormKind::Batch}, s, x, impl);
            auto changed = x;
            const std::size_t per = s.size() / static_cast<std::size_t>(s.batch());
            for (std::size_t i = per; i < 2 * per; ++i)
                changed[i] += 2.0f;
            const auto after = run_norm(NormSpec{.kind = NormKind::Batch}, s, changed, impl);
            // Every other example moves by far more than rounding.
            for (int b = 0; b < s.batch(); ++b) {
                if (b == 1) continue;
                const auto a = example_slice(after.y, s, b), o = example_slice(before.y, s, b);
                CHECK(test::max_scaled_error(a, o) > 0.05);
            }
        }
    }
}

TEST_CASE("layer_norm: shift and scale invariant") {
    const Shape s = Shape::matrix(3, 33);
    const auto x = test::random_floats(s.size(), 19, 0.5f, 2.0f);
    for (Impl impl : kImpls) {
        const NormSpec spec{.kind = NormKind::Layer, .eps = 0.0f};
        const auto base = run_norm(spec, s, x, impl);
        auto shifted = x, scaled = x;
        for (float& v : shifted)
            v += 3.5f;
        for (float& v : scaled)
            v *= 7.0f;
        CHECK(test::max_scaled_error(run_norm(spec, s, shifted, impl).y, base.y) < 1e-5);
        CHECK(test::max_scaled_error(run_norm(spec, s, scaled, impl).y, base.y) < 1e-5);
    }
}

TEST_CASE("rms_norm: scale invariant but not shift invariant") {
    const Shape s = Shape::matrix(3, 33);
    const auto x = test::random_floats(s.size(), 20, 0.5f, 2.0f);
    for (Impl impl : kImpls) {
        const NormSpec spec{.kind = NormKind::Rms, .eps = 0.0f};
        const auto base = run_norm(spec, s, x, impl);
        auto shifted = x, scaled = x;
        for (float& v : shifted)
            v += 3.5f;
        for (float& v : scaled)
            v *= 7.0f;
        CHECK(test::max_scaled_error(run_norm(spec, s, scaled, impl).y, base.y) < 1e-5);
        CHECK(test::max_scaled_error(run_norm(spec, s, shifted, impl).y, base.y) > 0.1);
    }
}

TEST_CASE("rms_norm: ignores beta and does not center") {
    const Shape s = Shape::sequence(2, 3, 5);
    const auto x = test::random_floats(s.size(), 21, 1.0f);
    const auto beta = channel_values(5, 1.0f, 1.0f);
    for (Impl impl : kImpls) {
        const auto with_beta =
            run_norm(NormSpec{.kind = NormKind::Rms}, s, x, impl, nullptr, &beta);
        const auto without = run_norm(NormSpec{.kind = NormKind::Rms}, s, x, impl);
        CHECK(test::bitwise_equal(with_beta.y, without.y));
        // y = x / rms: same sign as x, and the mean of y^2 is ~1 per token.
        for (std::size_t t = 0; t < 6; ++t) {
            double ms = 0.0;
            for (std::size_t i = 0; i < 5; ++i) {
                const float v = without.y[t * 5 + i];
                CHECK((v > 0) == (x[t * 5 + i] > 0));
                ms += static_cast<double>(v) * v;
            }
            CHECK(ms / 5.0 == doctest::Approx(1.0).epsilon(1e-4));
        }
    }
}

TEST_CASE("group_norm: G=1 equals LayerNorm on rank 2 and 4") {
    for (const Shape& s : {Shape::image(2, 6, 3, 3), Shape::matrix(3, 12)}) {
        const auto x = test::random_floats(s.size(), 22, 0.3f);
        const auto gamma = channel_values(s.channels(), 0.5f, 0.2f);
        const auto beta = channel_values(s.channels(), -0.5f, 0.1f);
        for (Impl impl : kImpls) {
            const auto g =
                run_norm(NormSpec{.kind = NormKind::Group, .groups = 1}, s, x, impl, &gamma, &beta);
            const auto l = run_norm(NormSpec{.kind = NormKind::Layer}, s, x, impl, &gamma, &beta);
            CHECK(test::bitwise_equal(g.y, l.y));
            CHECK(test::bitwise_equal(g.trace.var, l.trace.var));
        }
    }
}

TEST_CASE("group_norm: G=C equals InstanceNorm on rank 3 and 4") {
    for (const Shape& s : {Shape::image(2, 6, 3, 3), Shape::sequence(2, 7, 6)}) {
        const auto x = test::random_floats(s.size(), 23, -0.2f);
        const auto gamma = channel_values(6, 1.5f, -0.2f);
        for (Impl impl : kImpls) {
            const auto g =
                run_norm(NormSpec{.kind = NormKind::Group, .groups = 6}, s, x, impl, &gamma);
            const auto in = run_norm(NormSpec{.kind = NormKind::Instance}, s, x, impl, &gamma);
            CHECK(test::bitwise_equal(g.y, in.y));
            CHECK(test::bitwise_equal(g.trace.mean, in.trace.mean));
        }
    }
}

TEST_CASE("norm: gamma and beta apply along the channel axis") {
    // Channel = last axis for rank 2/3, axis 1 for rank 4 (NCHW).
    for (const Shape& s :
         {Shape::matrix(3, 5), Shape::sequence(2, 3, 5), Shape::image(2, 5, 2, 3)}) {
        const auto x = test::random_floats(s.size(), 24);
        const auto gamma = channel_values(5, 0.5f, 0.5f);
        const auto beta = channel_values(5, -2.0f, 1.0f);
        for (NormKind kind : {NormKind::Batch, NormKind::Layer, NormKind::Group}) {
            for (Impl impl : kImpls) {
                const NormSpec spec{.kind = kind, .groups = 5};
                const auto plain = run_norm(spec, s, x, impl);
                const auto affine = run_norm(spec, s, x, impl, &gamma, &beta);
                for (std::size_t i = 0; i < x.size(); ++i) {
                    const std::size_t c = kernels::channel_of(s, i);
                    CHECK(affine.y[i] ==
                          doctest::Approx(plain.y[i] * gamma[c] + beta[c]).epsilon(1e-5));
                }
            }
        }
    }
}

TEST_CASE("norm: y may alias x") {
    for (const Shape& s : {Shape::matrix(5, 40), Shape::matrix(40, 5), Shape::image(2, 3, 4, 4)}) {
        for (NormKind kind : {NormKind::Batch, NormKind::Layer, NormKind::Instance}) {
            if (kind == NormKind::Instance && s.rank == 2) continue;
            for (Impl impl : kImpls) {
                const auto x = test::random_floats(s.size(), 25, 1.0f);
                const auto out = run_norm(NormSpec{.kind = kind}, s, x, impl);
                auto inplace = x;
                const std::string err = kernels::normalize(
                    NormSpec{.kind = kind}, core::TensorView{.data = inplace.data(), .shape = s},
                    inplace.data(), nullptr, nullptr, nullptr, impl);
                REQUIRE(err.empty());
                CHECK(test::bitwise_equal(inplace, out.y));
            }
        }
    }
}

TEST_CASE("norm: trace matches the cells group_of assigns") {
    // Ties the UI's group_of to what the kernels actually reduce.
    struct Case {
        NormKind kind;
        Shape shape;
        int groups;
    };
    const Case cases[] = {
        {NormKind::Batch, Shape::matrix(6, 5), 1},
        {NormKind::Batch, Shape::sequence(2, 3, 5), 1},
        {NormKind::Batch, Shape::image(2, 3, 4, 5), 1},
        {NormKind::Layer, Shape::sequence(2, 3, 5), 1},
        {NormKind::Rms, Shape::image(2, 3, 4, 5), 1},
        {NormKind::Group, Shape::matrix(3, 12), 4},
        {NormKind::Group, Shape::sequence(2, 4, 6), 3},
        {NormKind::Group, Shape::image(2, 6, 2, 3), 2},
        {NormKind::Instance, Shape::sequence(2, 4, 6), 1},
        {NormKind::Instance, Shape::image(2, 3, 4, 5), 1},
    };
    for (const Case& c : cases) {
        const NormSpec spec{.kind = c.kind, .groups = c.groups};
        GroupPlan plan;
        REQUIRE(kernels::plan_groups(c.shape, spec, &plan).empty());
        const auto x = test::random_floats(c.shape.size(), 26, 2.0f);
        std::vector<double> sum(plan.group_count(), 0.0), sq(plan.group_count(), 0.0);
        for (std::size_t i = 0; i < x.size(); ++i) {
            sum[kernels::group_of(plan, i)] += x[i];
            sq[kernels::group_of(plan, i)] += static_cast<double>(x[i]) * x[i];
        }
        for (Impl impl : kImpls) {
            CAPTURE(std::string(kernels::norm_name(c.kind)));
            CAPTURE(c.shape.str());
            const auto r = run_norm(spec, c.shape, x, impl);
            REQUIRE(r.trace.mean.size() == plan.group_count());
            const double n = static_cast<double>(plan.group_size());
            for (std::size_t g = 0; g < plan.group_count(); ++g) {
                CHECK(r.trace.mean[g] == doctest::Approx(sum[g] / n).epsilon(1e-5));
                CHECK(r.trace.rms[g] == doctest::Approx(std::sqrt(sq[g] / n)).epsilon(1e-5));
            }
        }
    }
}

TEST_CASE("simd: large offset with tiny spread keeps its variance") {
    // x = 1e4 + 1e-2 * noise: E[x^2] - E[x]^2 in float would return noise or a negative var.
    const struct {
        NormKind kind;
        Shape shape;
    } cases[] = {
        {NormKind::Layer, Shape::matrix(3, 257)},         // runs
        {NormKind::Batch, Shape::matrix(257, 6)},         // columns
        {NormKind::Instance, Shape::sequence(2, 100, 3)}, // columns, O > 1
        {NormKind::Group, Shape::image(2, 4, 5, 5)},      // runs over planes
    };
    for (const auto& c : cases) {
        const auto x = test::random_floats(c.shape.size(), 27, 1e4f, 1e-2f);
        const NormSpec spec{.kind = c.kind, .groups = 2};
        const auto ref = run_norm(spec, c.shape, x, Impl::Reference);
        const auto simd = run_norm(spec, c.shape, x, Impl::Simd);
        CAPTURE(std::string(kernels::norm_name(c.kind)));
        for (std::size_t g = 0; g < ref.trace.var.size(); ++g) {
            CHECK(ref.trace.var[g] > 5e-5f); // float32 x still has a spread near 1e-2
            CHECK(simd.trace.var[g] == doctest::Approx(ref.trace.var[g]).epsilon(1e-4));
        }
        CHECK(test::max_scaled_error(simd.y, ref.y) < 1e-4);
    }
}
