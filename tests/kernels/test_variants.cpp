// tests/kernels/test_variants.cpp: properties of the teaching variants (norm.h): what eps outside
// the root does to a (near) zero-variance group, what fp16 storage does to a sum of squares,
// BatchNorm's running statistics converging and the train/eval gap, and the API's contracts
// (dispatch to the reference, errors that leave every output untouched). Numbers against numpy
// are in test_norm_variants.cpp.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "norm_test_util.h"

namespace {

using namespace normlab;
using core::Shape;
using kernels::Accumulate;
using kernels::EpsPlacement;
using kernels::NormArgs;
using kernels::NormKind;
using kernels::NormMode;
using kernels::NormSpec;
using kernels::Precision;
using kernels::RunningStats;
using test::kn::Impl;

constexpr Impl kImpls[] = {Impl::Reference, Impl::Simd};

struct Run {
    std::string error;
    std::vector<float> y;
    kernels::NormTrace trace;
};

Run run(const NormSpec& spec, const Shape& shape, const std::vector<float>& x, Impl impl,
        RunningStats* running = nullptr, const std::vector<float>* gamma = nullptr,
        const std::vector<float>* beta = nullptr) {
    Run r;
    r.y.assign(x.size(), 0.0f);
    r.error = kernels::normalize(spec, NormArgs{.x = {.data = x.data(), .shape = shape},
                                                .y = r.y.data(),
                                                .gamma = gamma ? gamma->data() : nullptr,
                                                .beta = beta ? beta->data() : nullptr,
                                                .trace = &r.trace,
                                                .running = running,
                                                .impl = impl});
    return r;
}

bool contains(const std::string& s, const std::string& part) {
    return s.find(part) != std::string::npos;
}

// A (B, C) batch whose channel c is mu[c] + sd[c] * N(0, 1).
std::vector<float> channel_batch(int b, const std::vector<float>& mu, const std::vector<float>& sd,
                                 std::uint64_t seed) {
    const std::size_t c = mu.size();
    auto x = test::random_floats(static_cast<std::size_t>(b) * c, seed);
    for (std::size_t i = 0; i < x.size(); ++i)
        x[i] = mu[i % c] + sd[i % c] * x[i];
    return x;
}

double max_abs_diff(const std::vector<float>& a, const std::vector<float>& b) {
    double worst = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i)
        worst = std::max(worst, std::fabs(static_cast<double>(a[i]) - b[i]));
    return worst;
}

double mean_abs_diff(const std::vector<float>& a, const std::vector<float>& b) {
    double sum = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i)
        sum += std::fabs(static_cast<double>(a[i]) - b[i]);
    return sum / static_cast<double>(a.size());
}

const std::vector<float> kMu = {1.0f, -2.0f, 0.5f, 8.0f};
const std::vector<float> kSd = {0.5f, 2.0f, 1.0f, 0.1f};

} // namespace

// [SECTION] eps placement ------------------------------------------------------------------

TEST_CASE("eps outside: a zero-variance group gets gain 1/eps, inside at most 1/sqrt(eps)") {
    struct Case {
        NormKind kind;
        Shape shape;
        int groups;
    };
    const Case cases[] = {
        {NormKind::Layer, Shape::matrix(3, 8), 1},
        {NormKind::Batch, Shape::matrix(6, 4), 1},
        {NormKind::Group, Shape::image(2, 4, 2, 2), 2},
        {NormKind::Instance, Shape::sequence(2, 5, 3), 1},
    };
    const float eps = 1e-6f;
    for (const Case& c : cases) {
        NormSpec spec{.kind = c.kind, .eps = eps, .groups = c.groups};
        kernels::GroupPlan plan;
        REQUIRE(kernels::plan_groups(c.shape, spec, &plan).empty());
        auto x = test::random_floats(c.shape.size(), 101);
        for (std::size_t i = 0; i < x.size(); ++i)
            if (kernels::group_of(plan, i) == 0) x[i] = 0.3f; // group 0 constant
        for (Impl impl : kImpls) {
            CAPTURE(std::string(kernels::norm_name(c.kind)));
            CAPTURE(std::string(kernels::impl_name(impl)));
            spec.eps_placement = EpsPlacement::Inside;
            const Run in = run(spec, c.shape, x, impl);
            spec.eps_placement = EpsPlacement::Outside;
            const Run out = run(spec, c.shape, x, impl);
            REQUIRE(in.error.empty());
            REQUIRE(out.error.empty());
            CHECK(out.trace.impl_used == Impl::Reference); // variants run the reference only
            CHECK(in.trace.impl_used == impl);
            CHECK(in.trace.inv_std[0] <= 1.0f / std::sqrt(eps) * (1.0f + 1e-6f));
            CHECK(out.trace.inv_std[0] == doctest::Approx(1.0 / eps).epsilon(1e-6));
            CHECK(out.trace.inv_std[0] > 900.0f * in.trace.inv_std[0]);
            // Exactly-zero deviations still give y = 0 (no affine) in both.
            for (std::size_t i = 0; i < x.size(); ++i)
                if (kernels::group_of(plan, i) == 0) CHECK(out.y[i] == 0.0f);
            // Elsewhere the variance dwarfs eps: the two placements nearly agree.
            for (std::size_t g = 1; g < plan.group_count(); ++g)
                CHECK(out.trace.inv_std[g] == doctest::Approx(in.trace.inv_std[g]).epsilon(1e-3));
        }
    }
}

TEST_CASE("eps outside: rounding noise on a near-constant row is blown up to O(1)") {
    // Values one float ulp apart: var ~ 1e-14, far below eps = 1e-8.
    const std::vector<float> x = {1.0f, 1.0f + 0x1p-23f, 1.0f, 1.0f + 0x1p-23f,
                                  1.0f, 1.0f,            1.0f, 1.0f + 0x1p-22f};
    const Shape s = Shape::matrix(1, 8);
    const float eps = 1e-8f;
    for (Impl impl : kImpls) {
        const Run in = run(NormSpec{.kind = NormKind::Layer, .eps = eps}, s, x, impl);
        const Run out = run(NormSpec{.kind = NormKind::Layer,
                                     .eps = eps,
                                     .eps_placement = EpsPlacement::Outside},
                            s, x, impl);
        double max_in = 0.0, max_out = 0.0, max_dev = 0.0;
        for (std::size_t i = 0; i < x.size(); ++i) {
            max_in = std::max(max_in, std::fabs(static_cast<double>(in.y[i])));
            max_out = std::max(max_out, std::fabs(static_cast<double>(out.y[i])));
            max_dev = std::max(max_dev, std::fabs(x[i] - static_cast<double>(in.trace.mean[0])));
        }
        // Inside: |y| <= |x - mean| / sqrt(eps), tiny. Outside: ~ the normalized noise itself.
        CHECK(max_in <= max_dev / std::sqrt(static_cast<double>(eps)) * 1.001);
        CHECK(max_in < 0.01);
        CHECK(max_out > 0.5);
        CHECK(max_out > 100.0 * max_in);
    }
}

TEST_CASE("eps outside: RMSNorm uses sqrt(ms) + eps, eps 0 on zeros gives NaN like inside") {
    const Shape s = Shape::matrix(2, 4);
    const std::vector<float> x = {0, 0, 0, 0, 1, -1, 1, -1};
    const Run out = run(NormSpec{.kind = NormKind::Rms,
                                 .eps = 0.5f,
                                 .eps_placement = EpsPlacement::Outside},
                        s, x, Impl::Simd);
    REQUIRE(out.error.empty());
    CHECK(out.trace.inv_std[0] == 2.0f);              // 1 / (0 + 0.5)
    CHECK(out.trace.inv_std[1] == doctest::Approx(1.0 / 1.5)); // 1 / (1 + 0.5)
    CHECK(out.y[4] == doctest::Approx(1.0 / 1.5));
    const Run zero = run(NormSpec{.kind = NormKind::Rms,
                                  .eps = 0.0f,
                                  .eps_placement = EpsPlacement::Outside},
                         s, x, Impl::Reference);
    CHECK(std::isinf(zero.trace.inv_std[0]));
    CHECK(std::isnan(zero.y[0])); // 0 * inf
    CHECK(zero.y[4] == 1.0f);
}

// [SECTION] storage precision --------------------------------------------------------------

TEST_CASE("fp16: a row of 300s overflows the sum of squares only with accumulate=storage") {
    const Shape s = Shape::matrix(2, 16);
    auto x = test::random_floats(s.size(), 102);
    for (std::size_t i = 0; i < 16; ++i)
        x[i] = 300.0f; // 300^2 = 90000 > 65504
    CHECK(kernels::round_to_fp16(300.0f) == 300.0f); // the input itself is exact in fp16
    for (Impl impl : kImpls) {
        CAPTURE(std::string(kernels::impl_name(impl)));
        NormSpec spec{.kind = NormKind::Layer, .storage = Precision::Fp16,
                      .accumulate = Accumulate::Storage};
        const Run naive = run(spec, s, x, impl);
        spec.accumulate = Accumulate::Fp32;
        const Run wide = run(spec, s, x, impl);
        REQUIRE(naive.error.empty());
        REQUIRE(wide.error.empty());
        CHECK(naive.trace.impl_used == Impl::Reference);
        CHECK(wide.trace.impl_used == Impl::Reference);
        // Naive: sum of squares -> inf, so rms = inf and var = inf - inf = NaN: the row is lost.
        CHECK(naive.trace.mean[0] == 300.0f); // the plain sum (4800) still fits
        CHECK(std::isinf(naive.trace.rms[0]));
        CHECK(std::isnan(naive.trace.var[0]));
        for (std::size_t i = 0; i < 16; ++i)
            CHECK(std::isnan(naive.y[i]));
        // Wide accumulation: var 0, y = beta = 0 exactly.
        CHECK(wide.trace.rms[0] == 300.0f);
        CHECK(wide.trace.var[0] == 0.0f);
        for (std::size_t i = 0; i < 16; ++i)
            CHECK(wide.y[i] == 0.0f);
        // The other row has small values: both kernels agree to fp16 precision.
        for (std::size_t i = 16; i < 32; ++i)
            CHECK(naive.y[i] == doctest::Approx(wide.y[i]).epsilon(0.02).scale(1.0));

        // RMSNorm: ms = inf, so inv_std = 1/inf = 0 and y collapses to 0 instead of 1.
        spec = NormSpec{.kind = NormKind::Rms, .storage = Precision::Fp16,
                        .accumulate = Accumulate::Storage};
        const Run rms_naive = run(spec, s, x, impl);
        spec.accumulate = Accumulate::Fp32;
        const Run rms_wide = run(spec, s, x, impl);
        CHECK(rms_naive.trace.inv_std[0] == 0.0f);
        for (std::size_t i = 0; i < 16; ++i) {
            CHECK(rms_naive.y[i] == 0.0f);
            CHECK(rms_wide.y[i] == 1.0f);
        }
    }
}

TEST_CASE("fp16/bf16 storage: inputs and outputs are values of the format") {
    const Shape s = Shape::sequence(2, 3, 5);
    const auto x = test::random_floats(s.size(), 103, 0.3f, 1.7f);
    const std::vector<float> gamma = {0.7f, 1.1f, 1.3f, 0.9f, 1.0f / 3.0f};
    const std::vector<float> beta = {0.1f, -0.2f, 0.3f, 0.0f, 1.0f / 7.0f};
    for (Precision p : {Precision::Fp16, Precision::Bf16}) {
        for (Accumulate a : {Accumulate::Fp32, Accumulate::Storage}) {
            for (NormKind kind : {NormKind::Batch, NormKind::Layer, NormKind::Rms,
                                  NormKind::Group, NormKind::Instance}) {
                CAPTURE(std::string(kernels::precision_id(p)));
                CAPTURE(std::string(kernels::accumulate_id(a)));
                CAPTURE(std::string(kernels::norm_name(kind)));
                const NormSpec spec{.kind = kind, .groups = 5, .storage = p, .accumulate = a};
                const Run r = run(spec, s, x, Impl::Simd, nullptr, &gamma, &beta);
                REQUIRE(r.error.empty());
                for (float y : r.y)
                    CHECK(kernels::round_to(p, y) == y);
                // Storage precision costs accuracy, but not much on tame data.
                const Run exact = run(NormSpec{.kind = kind, .groups = 5}, s, x,
                                      Impl::Reference, nullptr, &gamma, &beta);
                const double tol = p == Precision::Fp16 ? 2e-2 : 1e-1;
                CHECK(test::max_scaled_error(r.y, exact.y) < tol);
                CHECK(test::max_scaled_error(r.y, exact.y) > 0.0); // and it does cost some
            }
        }
    }
}

TEST_CASE("fp16 storage: an input beyond 65504 becomes inf and poisons only its group") {
    const Shape s = Shape::matrix(2, 4);
    const std::vector<float> x = {1, 2, 70000, 4, 1, 2, 3, 4};
    const Run r = run(NormSpec{.kind = NormKind::Layer, .storage = Precision::Fp16}, s, x,
                      Impl::Simd);
    REQUIRE(r.error.empty());
    CHECK(std::isinf(r.trace.mean[0]));
    for (std::size_t i = 0; i < 4; ++i)
        CHECK(std::isnan(r.y[i]));
    for (std::size_t i = 4; i < 8; ++i)
        CHECK(std::isfinite(r.y[i]));
    // In fp32 the same input is an ordinary outlier.
    CHECK(test::all_finite(run(NormSpec{.kind = NormKind::Layer}, s, x, Impl::Simd).y));
}

TEST_CASE("accumulate=storage: E[x^2] - E[x]^2 cancels; the two-pass default does not") {
    // Offset 1e4, spread 1e-2, in plain fp32: the naive one-pass formula loses the variance.
    const Shape s = Shape::matrix(2, 64);
    const auto x = test::random_floats(s.size(), 104, 1e4f, 1e-2f);
    const Run good = run(NormSpec{.kind = NormKind::Layer}, s, x, Impl::Simd);
    const Run naive = run(NormSpec{.kind = NormKind::Layer, .accumulate = Accumulate::Storage},
                          s, x, Impl::Simd);
    for (std::size_t g = 0; g < 2; ++g) {
        CHECK(good.trace.var[g] > 5e-5f);
        CHECK(std::fabs(naive.trace.var[g] - good.trace.var[g]) > 0.5f * good.trace.var[g]);
    }
    CHECK(test::max_scaled_error(naive.y, good.y) > 0.5);
}

TEST_CASE("accumulate=storage: fp16 squares of 1e-4 underflow, so the variance is 0") {
    const Shape s = Shape::matrix(2, 8);
    const auto x = test::random_floats(s.size(), 105, 0.0f, 1e-4f);
    NormSpec spec{.kind = NormKind::Layer, .storage = Precision::Fp16,
                  .accumulate = Accumulate::Storage};
    const Run naive = run(spec, s, x, Impl::Reference);
    spec.accumulate = Accumulate::Fp32;
    const Run wide = run(spec, s, x, Impl::Reference);
    for (std::size_t g = 0; g < 2; ++g) {
        CHECK(naive.trace.var[g] == 0.0f);
        CHECK(wide.trace.var[g] > 1e-9f);
        // With var 0 only eps is left: inv_std is 1/sqrt(eps) rounded to fp16.
        CHECK(naive.trace.inv_std[g] == kernels::round_to_fp16(316.0f));
    }
}

TEST_CASE("variants at their defaults change nothing, bit for bit") {
    const Shape s = Shape::image(2, 4, 3, 3);
    const auto x = test::random_floats(s.size(), 106);
    for (NormKind kind : {NormKind::Batch, NormKind::Layer, NormKind::Rms, NormKind::Group,
                          NormKind::Instance}) {
        for (Impl impl : kImpls) {
            const NormSpec plain{.kind = kind, .groups = 2};
            // Fp32 storage and the default accumulate are the identity; running stats for
            // BatchNorm Train do not change y.
            RunningStats rs;
            const Run full = run(plain, s, x, impl, &rs);
            test::NormRun old = test::run_norm(plain, s, x, impl);
            CHECK(test::bitwise_equal(full.y, old.y));
            CHECK(test::bitwise_equal(full.trace.inv_std, old.trace.inv_std));
            CHECK(full.trace.impl_used == impl);
            CHECK_FALSE(kernels::needs_reference(plain));
        }
    }
}

// [SECTION] BatchNorm running statistics ----------------------------------------------------

TEST_CASE("running stats: one train step is PyTorch's update with the unbiased variance") {
    const Shape s = Shape::matrix(4, 2);
    const std::vector<float> x = {1, 10, 2, 20, 3, 30, 6, 40};
    for (Impl impl : kImpls) {
        RunningStats rs; // empty: starts from mean 0, var 1
        const Run r = run(NormSpec{.kind = NormKind::Batch, .momentum = 0.25f}, s, x, impl, &rs);
        REQUIRE(r.error.empty());
        CHECK(r.trace.impl_used == impl); // Train runs on either impl
        REQUIRE(rs.mean.size() == 2);
        REQUIRE(rs.var.size() == 2);
        // channel 0: mean 3, biased var 3.5, unbiased 14/3; channel 1: mean 25, unbiased 500/3
        CHECK(rs.mean[0] == doctest::Approx(0.25 * 3.0));
        CHECK(rs.var[0] == doctest::Approx(0.75 + 0.25 * 14.0 / 3.0));
        CHECK(rs.mean[1] == doctest::Approx(0.25 * 25.0));
        CHECK(rs.var[1] == doctest::Approx(0.75 + 0.25 * 500.0 / 3.0));
        // y used the batch statistics (biased var), as without running stats.
        CHECK(test::bitwise_equal(r.y, test::run_norm(NormSpec{.kind = NormKind::Batch}, s, x,
                                                      impl)
                                           .y));
    }
}

TEST_CASE("running stats: converge to the data statistics with momentum 0.1") {
    const Shape s = Shape::matrix(32, 4);
    const NormSpec train{.kind = NormKind::Batch};
    SUBCASE("the same batch every step: the batch mean and unbiased variance exactly") {
        const auto x = channel_batch(32, kMu, kSd, 200);
        RunningStats rs;
        for (int step = 0; step < 400; ++step)
            REQUIRE(run(train, s, x, Impl::Simd, &rs).error.empty());
        const Run r = run(train, s, x, Impl::Reference);
        for (std::size_t c = 0; c < 4; ++c) {
            CHECK(rs.mean[c] == doctest::Approx(r.trace.mean[c]).epsilon(1e-5));
            CHECK(rs.var[c] == doctest::Approx(r.trace.var[c] * 32.0 / 31.0).epsilon(1e-5));
        }
    }
    SUBCASE("fresh batches: the distribution's mean and variance") {
        RunningStats rs;
        for (int step = 0; step < 300; ++step)
            REQUIRE(run(train, s, channel_batch(32, kMu, kSd, 300 + step), Impl::Simd, &rs)
                        .error.empty());
        for (std::size_t c = 0; c < 4; ++c) {
            CAPTURE(c);
            // EMA noise: sd/sqrt(32) * sqrt(0.1/1.9) ~ 0.04 sd for the mean, ~6% for the var.
            CHECK(std::fabs(rs.mean[c] - kMu[c]) < 0.2f * kSd[c]);
            CHECK(rs.var[c] == doctest::Approx(kSd[c] * kSd[c]).epsilon(0.25));
        }
    }
}

TEST_CASE("running stats: eval on the training distribution matches train; batch 2 does not") {
    const NormSpec train{.kind = NormKind::Batch};
    const NormSpec eval{.kind = NormKind::Batch, .mode = NormMode::Eval};
    RunningStats rs;
    for (int step = 0; step < 300; ++step)
        REQUIRE(run(train, Shape::matrix(32, 4), channel_batch(32, kMu, kSd, 400 + step),
                    Impl::Simd, &rs)
                    .error.empty());
    const RunningStats frozen = rs;

    // A large batch from the same distribution: batch stats ~ running stats, so y ~ the same.
    // What is left is EMA noise in the running stats (~4% of sd in the mean, ~3% in sd).
    const Shape big = Shape::matrix(512, 4);
    const auto xb = channel_batch(512, kMu, kSd, 999);
    double big_gap = 0.0;
    for (Impl impl : kImpls) {
        RunningStats copy = frozen;
        const Run ev = run(eval, big, xb, impl, &copy);
        REQUIRE(ev.error.empty());
        CHECK(ev.trace.impl_used == Impl::Reference); // Eval is a variant
        CHECK(copy.mean == frozen.mean);               // eval never updates
        CHECK(copy.var == frozen.var);
        const Run tr = run(train, big, xb, impl);
        big_gap = mean_abs_diff(ev.y, tr.y);
        CHECK(big_gap < 0.15);
        CHECK(max_abs_diff(ev.y, tr.y) < 0.75);
    }

    // Batch 2: train mode maps each channel's two values to -1 and +1 whatever they are (up to
    // eps: 1/sqrt(1 + eps/var)); eval keeps the real z-scores. The gap is why running
    // statistics exist.
    const Shape tiny = Shape::matrix(2, 4);
    double gap = 0.0;
    for (int k = 0; k < 20; ++k) {
        const auto x2 = channel_batch(2, kMu, kSd, 2000 + static_cast<std::uint64_t>(k));
        RunningStats copy = frozen;
        const Run tr = run(train, tiny, x2, Impl::Simd);
        const Run ev = run(eval, tiny, x2, Impl::Simd, &copy);
        for (std::size_t i = 0; i < x2.size(); ++i) {
            const double var = tr.trace.var[i % 4];
            CHECK(std::fabs(tr.y[i]) == doctest::Approx(1.0 / std::sqrt(1.0 + 1e-5 / var)));
        }
        // Eval is (x - mu) / sd per channel.
        for (std::size_t i = 0; i < x2.size(); ++i) {
            const std::size_t c = i % 4;
            const double z = (x2[i] - frozen.mean[c]) / std::sqrt(frozen.var[c] + 1e-5);
            CHECK(ev.y[i] == doctest::Approx(z).epsilon(1e-5));
        }
        gap += mean_abs_diff(tr.y, ev.y) / 20.0;
    }
    CHECK(gap > 0.4);
    CHECK(gap > 5.0 * big_gap);
}

TEST_CASE("running stats: eval without running stats uses mean 0 and var 1") {
    const Shape s = Shape::matrix(3, 2);
    const std::vector<float> x = {1, 2, 3, 4, 5, 6};
    const std::vector<float> gamma = {2, 3}, beta = {0.5f, -1};
    RunningStats empty;
    const NormSpec eval{.kind = NormKind::Batch, .eps = 0.25f, .mode = NormMode::Eval};
    for (RunningStats* rs : {static_cast<RunningStats*>(nullptr), &empty}) {
        const Run r = run(eval, s, x, Impl::Simd, rs, &gamma, &beta);
        REQUIRE(r.error.empty());
        for (std::size_t i = 0; i < x.size(); ++i)
            CHECK(r.y[i] == doctest::Approx(x[i] / std::sqrt(1.25) * gamma[i % 2] + beta[i % 2]));
        CHECK(r.trace.inv_std[0] == doctest::Approx(1.0 / std::sqrt(1.25)));
        // The trace still describes the batch.
        CHECK(r.trace.mean[0] == doctest::Approx(3.0));
    }
    CHECK(empty.mean.empty()); // eval writes nothing, not even the defaults
    CHECK(empty.var.empty());
}

TEST_CASE("running stats: other families ignore them; Eval is Train for them") {
    const Shape s = Shape::sequence(2, 3, 4);
    const auto x = test::random_floats(s.size(), 107);
    for (NormKind kind : {NormKind::Layer, NormKind::Rms, NormKind::Group, NormKind::Instance}) {
        for (Impl impl : kImpls) {
            RunningStats rs{.mean = {9, 9}, .var = {9}}; // wrong sizes: not even looked at
            const Run tr = run(NormSpec{.kind = kind, .groups = 2}, s, x, impl, &rs);
            const Run ev = run(NormSpec{.kind = kind, .groups = 2, .mode = NormMode::Eval,
                                        .momentum = 7.0f},
                               s, x, impl, &rs);
            REQUIRE(tr.error.empty());
            REQUIRE(ev.error.empty());
            CHECK(test::bitwise_equal(tr.y, ev.y));
            CHECK(ev.trace.impl_used == impl);
            CHECK(rs.mean == std::vector<float>{9, 9});
            CHECK(rs.var == std::vector<float>{9});
        }
    }
}

TEST_CASE("running stats: momentum 0 freezes them, momentum 1 copies the last batch") {
    const Shape s = Shape::image(3, 2, 2, 2); // n = 3 * 4 = 12 per channel
    const auto x = test::random_floats(s.size(), 108, 1.0f, 2.0f);
    RunningStats frozen{.mean = {0.5f, -0.5f}, .var = {2.0f, 3.0f}};
    REQUIRE(run(NormSpec{.kind = NormKind::Batch, .momentum = 0.0f}, s, x, Impl::Simd, &frozen)
                .error.empty());
    CHECK(frozen.mean == std::vector<float>{0.5f, -0.5f});
    CHECK(frozen.var == std::vector<float>{2.0f, 3.0f});
    RunningStats copied{.mean = {0.5f, -0.5f}, .var = {2.0f, 3.0f}};
    const Run r =
        run(NormSpec{.kind = NormKind::Batch, .momentum = 1.0f}, s, x, Impl::Simd, &copied);
    for (std::size_t c = 0; c < 2; ++c) {
        CHECK(copied.mean[c] == r.trace.mean[c]);
        CHECK(copied.var[c] == doctest::Approx(r.trace.var[c] * 12.0 / 11.0).epsilon(1e-6));
    }
}

TEST_CASE("running stats: B=1 in train is PyTorch's error; outputs stay untouched") {
    const Shape s = Shape::matrix(1, 3);
    const std::vector<float> x = {1, 2, 3};
    std::vector<float> y(3, 42.0f);
    RunningStats rs{.mean = {1, 2, 3}, .var = {4, 5, 6}};
    kernels::NormTrace trace;
    const std::string e = kernels::normalize(
        NormSpec{.kind = NormKind::Batch},
        NormArgs{.x = {.data = x.data(), .shape = s}, .y = y.data(), .trace = &trace, .running = &rs});
    CHECK(contains(e, "Expected more than 1 value per channel when training"));
    CHECK(contains(e, "(1, 3)"));
    CHECK(y == std::vector<float>(3, 42.0f));
    CHECK(trace.mean.empty());
    CHECK(rs.mean == std::vector<float>{1, 2, 3});
    CHECK(rs.var == std::vector<float>{4, 5, 6});
    // Eval with B=1 is fine (it is how a single example is served), and so is a pure
    // batch-statistics call without running stats: y = beta.
    CHECK(run(NormSpec{.kind = NormKind::Batch, .mode = NormMode::Eval}, s, x, Impl::Simd, &rs)
              .error.empty());
    const Run plain = run(NormSpec{.kind = NormKind::Batch}, s, x, Impl::Simd);
    REQUIRE(plain.error.empty());
    CHECK(plain.y == std::vector<float>(3, 0.0f));
    // (1, C, H, W) has H*W values per channel: allowed.
    RunningStats image;
    CHECK(run(NormSpec{.kind = NormKind::Batch}, Shape::image(1, 2, 2, 2),
              test::random_floats(8, 109), Impl::Simd, &image)
              .error.empty());
    CHECK(image.mean.size() == 2);
}

TEST_CASE("running stats and spec: bad sizes and momentum are one-line errors") {
    const Shape s = Shape::matrix(4, 3);
    const auto x = test::random_floats(s.size(), 110);
    std::vector<float> y(x.size(), 7.0f);
    auto call = [&](const NormSpec& spec, RunningStats* rs) {
        return kernels::normalize(spec, NormArgs{.x = {.data = x.data(), .shape = s},
                                                 .y = y.data(),
                                                 .running = rs});
    };
    RunningStats short_mean{.mean = {0, 0}, .var = {}};
    const std::string e1 = call(NormSpec{.kind = NormKind::Batch}, &short_mean);
    CHECK(contains(e1, "running_mean has 2 values but shape (4, 3) has 3 channels"));
    RunningStats long_var{.mean = {}, .var = {1, 1, 1, 1}};
    CHECK(contains(call(NormSpec{.kind = NormKind::Batch, .mode = NormMode::Eval}, &long_var),
                   "running_var has 4 values"));
    for (float m : {-0.1f, 1.5f, std::numeric_limits<float>::quiet_NaN()})
        CHECK(contains(call(NormSpec{.kind = NormKind::Batch, .momentum = m}, nullptr),
                       "momentum must be in [0, 1]"));
    CHECK(y == std::vector<float>(x.size(), 7.0f));
    CHECK(short_mean.mean.size() == 2);
    // Momentum belongs to BatchNorm: other families do not check it.
    CHECK(call(NormSpec{.kind = NormKind::Layer, .momentum = 5.0f}, nullptr).empty());
}

// [SECTION] API ------------------------------------------------------------------------------

TEST_CASE("variants: ids round-trip and needs_reference names the reference-only specs") {
    for (EpsPlacement p : {EpsPlacement::Inside, EpsPlacement::Outside}) {
        EpsPlacement back{};
        CHECK(kernels::parse_eps_placement_id(kernels::eps_placement_id(p), &back));
        CHECK(back == p);
    }
    for (Accumulate a : {Accumulate::Fp32, Accumulate::Storage}) {
        Accumulate back{};
        CHECK(kernels::parse_accumulate_id(kernels::accumulate_id(a), &back));
        CHECK(back == a);
    }
    for (NormMode m : {NormMode::Train, NormMode::Eval}) {
        NormMode back{};
        CHECK(kernels::parse_mode_id(kernels::mode_id(m), &back));
        CHECK(back == m);
    }
    CHECK_FALSE(kernels::parse_eps_placement_id("Inside", nullptr));
    CHECK_FALSE(kernels::parse_accumulate_id("fp16", nullptr));
    CHECK_FALSE(kernels::parse_mode_id("training", nullptr));

    CHECK_FALSE(kernels::needs_reference(NormSpec{}));
    CHECK_FALSE(kernels::needs_reference(NormSpec{.kind = NormKind::Batch}));
    CHECK_FALSE(kernels::needs_reference(NormSpec{.kind = NormKind::Layer, .mode = NormMode::Eval}));
    CHECK(kernels::needs_reference(NormSpec{.kind = NormKind::Batch, .mode = NormMode::Eval}));
    CHECK(kernels::needs_reference(NormSpec{.eps_placement = EpsPlacement::Outside}));
    CHECK(kernels::needs_reference(NormSpec{.storage = Precision::Bf16}));
    CHECK(kernels::needs_reference(NormSpec{.accumulate = Accumulate::Storage}));
}

TEST_CASE("trace: impl_used reports the SIMD path's hand-over to the reference") {
    const Shape s = Shape::matrix(2, 20);
    auto x = test::random_floats(s.size(), 112);
    CHECK(run(NormSpec{}, s, x, Impl::Simd).trace.impl_used == Impl::Simd);
    for (float& v : x)
        v *= 1e30f; // float sums overflow: the SIMD path hands the call to the reference
    CHECK(run(NormSpec{}, s, x, Impl::Simd).trace.impl_used == Impl::Reference);
    CHECK(run(NormSpec{}, s, x, Impl::Reference).trace.impl_used == Impl::Reference);
}

TEST_CASE("variants: y may alias x with a storage format and in eval") {
    const Shape s = Shape::matrix(5, 6);
    const auto x = test::random_floats(s.size(), 111, 0.5f);
    RunningStats rs{.mean = {0, 1, 2, 3, 4, 5}, .var = {1, 2, 3, 4, 5, 6}};
    for (const NormSpec& spec :
         {NormSpec{.kind = NormKind::Batch, .storage = Precision::Fp16},
          NormSpec{.kind = NormKind::Batch, .storage = Precision::Bf16,
                   .accumulate = Accumulate::Storage},
          NormSpec{.kind = NormKind::Batch, .mode = NormMode::Eval}}) {
        RunningStats a = rs, b = rs;
        const Run out = run(spec, s, x, Impl::Simd, &a);
        auto inplace = x;
        REQUIRE(kernels::normalize(spec, NormArgs{.x = {.data = inplace.data(), .shape = s},
                                                  .y = inplace.data(),
                                                  .running = &b})
                    .empty());
        CHECK(test::bitwise_equal(inplace, out.y));
        CHECK(a.mean == b.mean);
    }
}
