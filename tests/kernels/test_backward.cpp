// tests/kernels/test_backward.cpp: the analytic backward of every family and layout against
// finite differences (kernels::gradcheck, an independent double forward), the structure of the
// gradients (LayerNorm's dx sums to 0 and is orthogonal to xhat, RMSNorm's to x, which
// examples couple), agreement with the shipped float forward, aliasing, nulls and messages.
// Index: [SECTION] gradcheck sweeps, gradient structure, the shipped forward, contracts.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "kernels/norm_backward.h"
#include "norm_test_util.h"

namespace {

using namespace normlab;
using core::Shape;
using kernels::GradCheckReport;
using kernels::NormKind;
using kernels::NormMode;
using kernels::NormSpec;
using kernels::RunningStats;

constexpr double kGradTol = 1e-4;

struct Layout {
    NormKind kind;
    Shape shape;
    int groups = 1;
};

// Every family on every rank it accepts, with odd sizes so no axis hides another.
const std::vector<Layout>& layouts() {
    static const std::vector<Layout> all = {
        {NormKind::Batch, Shape::matrix(5, 3)},
        {NormKind::Batch, Shape::sequence(2, 3, 4)},
        {NormKind::Batch, Shape::image(3, 2, 2, 3)},
        {NormKind::Batch, Shape::matrix(1, 4)}, // one cell per channel: var 0, dx 0
        {NormKind::Layer, Shape::matrix(3, 7)},
        {NormKind::Layer, Shape::sequence(2, 3, 5)},
        {NormKind::Layer, Shape::image(2, 3, 2, 2)},
        {NormKind::Rms, Shape::matrix(3, 7)},
        {NormKind::Rms, Shape::sequence(2, 3, 5)},
        {NormKind::Rms, Shape::image(2, 3, 2, 2)},
        {NormKind::Group, Shape::matrix(3, 6), 2},
        {NormKind::Group, Shape::sequence(2, 3, 6), 3},
        {NormKind::Group, Shape::image(2, 6, 2, 2), 2},
        {NormKind::Group, Shape::image(2, 4, 1, 3), 4},
        {NormKind::Group, Shape::image(2, 4, 3, 1), 1},
        {NormKind::Instance, Shape::sequence(2, 5, 3)},
        {NormKind::Instance, Shape::image(2, 3, 2, 3)},
    };
    return all;
}

struct Grads {
    std::string error;
    std::vector<float> dx, dgamma, dbeta;
};

Grads backward(const NormSpec& spec, const Shape& s, const std::vector<float>& x,
               const std::vector<float>* gamma, const std::vector<float>& dy,
               const RunningStats* running = nullptr) {
    Grads g;
    const std::size_t c = static_cast<std::size_t>(s.channels());
    g.dx.assign(x.size(), 0.0f);
    g.dgamma.assign(c, 0.0f);
    g.dbeta.assign(c, 0.0f);
    g.error = kernels::normalize_backward(spec, core::TensorView{.data = x.data(), .shape = s},
                                          gamma ? gamma->data() : nullptr, dy.data(), g.dx.data(),
                                          g.dgamma.data(), g.dbeta.data(), running);
    return g;
}

bool contains(const std::string& s, const std::string& part) {
    return s.find(part) != std::string::npos;
}

// The cells of row r when the rows are contiguous slices of `width`.
double row_sum(const std::vector<float>& v, std::size_t r, std::size_t width) {
    double s = 0.0;
    for (std::size_t i = 0; i < width; ++i)
        s += v[r * width + i];
    return s;
}

} // namespace

// [SECTION] gradcheck sweeps

TEST_CASE("backward: gradcheck passes for every family and layout") {
    for (const Layout& l : layouts()) {
        for (std::uint64_t seed : {1u, 2u, 3u}) {
            for (float eps : {1e-5f, 1e-1f}) {
                const NormSpec spec{.kind = l.kind, .eps = eps, .groups = l.groups};
                CAPTURE(std::string(kernels::norm_id(l.kind)));
                CAPTURE(l.shape.str());
                CAPTURE(seed);
                CAPTURE(eps);
                GradCheckReport r;
                const std::string err =
                    kernels::gradcheck(kernels::make_gradcheck_case(spec, l.shape, seed), &r);
                REQUIRE_MESSAGE(err.empty(), err);
                CHECK(r.max_rel_err < kGradTol);
                const std::size_t c = static_cast<std::size_t>(l.shape.channels());
                CHECK(r.checked == l.shape.size() + (l.kind == NormKind::Rms ? c : 2 * c));
            }
        }
    }
}

TEST_CASE("backward: gradcheck of eval-mode batchnorm (running stats are constants)") {
    const NormSpec eval{.kind = NormKind::Batch, .mode = NormMode::Eval};
    for (const Shape& s : {Shape::matrix(4, 3), Shape::sequence(2, 3, 4), Shape::image(2, 3, 2, 2),
                           Shape::matrix(1, 3)}) {
        for (std::uint64_t seed : {5u, 6u}) {
            CAPTURE(s.str());
            GradCheckReport r;
            auto c = kernels::make_gradcheck_case(eval, s, seed);
            REQUIRE(c.running.var.size() == static_cast<std::size_t>(s.channels()));
            std::string err = kernels::gradcheck(c, &r);
            REQUIRE_MESSAGE(err.empty(), err);
            CHECK(r.max_rel_err < kGradTol);
            // Empty buffers mean the fresh-module defaults 0 and 1, in both passes.
            c.running = {};
            err = kernels::gradcheck(c, &r);
            REQUIRE_MESSAGE(err.empty(), err);
            CHECK(r.max_rel_err < kGradTol);
        }
    }
}

TEST_CASE("backward: gradcheck with eps outside the root (the classic bug)") {
    for (const Layout& l : layouts()) {
        if (l.shape.size() / static_cast<std::size_t>(l.shape.channels()) == 1 &&
            l.kind == NormKind::Batch)
            continue; // one cell per channel: var 0, and d sqrt(var) is infinite there
        for (NormMode mode : {NormMode::Train, NormMode::Eval}) {
            CAPTURE(std::string(kernels::norm_id(l.kind)));
            CAPTURE(l.shape.str());
            CAPTURE(std::string(kernels::mode_id(mode)));
            const NormSpec spec{.kind = l.kind,
                                .eps = 1e-2f,
                                .groups = l.groups,
                                .eps_placement = kernels::EpsPlacement::Outside,
                                .mode = mode};
            GradCheckReport r;
            const std::string err =
                kernels::gradcheck(kernels::make_gradcheck_case(spec, l.shape, 17), &r);
            REQUIRE_MESSAGE(err.empty(), err);
            CHECK(r.max_rel_err < kGradTol);
        }
    }
}

TEST_CASE("backward: gradcheck at the lane edges and eps sweep (layernorm, rmsnorm)") {
    for (NormKind kind : {NormKind::Layer, NormKind::Rms}) {
        for (int d : {1, 3, 4, 5, 7, 8, 15, 16, 17, 64, 257}) {
            for (float eps : {0.0f, 1e-6f, 1e-5f, 1e-1f}) {
                if (d == 1 && eps == 0.0f && kind == NormKind::Layer) continue; // 0/0 by design
                CAPTURE(std::string(kernels::norm_id(kind)));
                CAPTURE(d);
                CAPTURE(eps);
                GradCheckReport r;
                const std::string err =
                    kernels::gradcheck(kernels::make_gradcheck_case(
                                           NormSpec{.kind = kind, .eps = eps}, Shape::matrix(2, d),
                                           40u + static_cast<unsigned>(d)),
                                       &r);
                REQUIRE_MESSAGE(err.empty(), err);
                CHECK(r.max_rel_err < kGradTol);
            }
        }
    }
}

TEST_CASE("backward: gradcheck with gamma/beta absent (identity affine)") {
    for (const Layout& l : layouts()) {
        CAPTURE(l.shape.str());
        auto c =
            kernels::make_gradcheck_case(NormSpec{.kind = l.kind, .groups = l.groups}, l.shape, 9);
        c.gamma.clear();
        c.beta.clear();
        GradCheckReport r;
        const std::string err = kernels::gradcheck(c, &r);
        REQUIRE_MESSAGE(err.empty(), err);
        CHECK(r.max_rel_err < kGradTol);
    }
}

TEST_CASE("backward: gradcheck samples a large tensor") {
    GradCheckReport r;
    const Shape s = Shape::image(4, 3, 16, 16);
    const std::string err = kernels::gradcheck(
        kernels::make_gradcheck_case(NormSpec{.kind = NormKind::Batch}, s, 3), &r, 100);
    REQUIRE_MESSAGE(err.empty(), err);
    CHECK(r.checked == 100 + 2 * 3);
    CHECK(r.max_rel_err < kGradTol);
}

// [SECTION] gradient structure

TEST_CASE("backward: layer_norm dx sums to zero per row and is orthogonal to xhat") {
    const std::size_t d = 9;
    const Shape s = Shape::matrix(4, static_cast<int>(d));
    const auto x = test::random_floats(s.size(), 21, 0.7f, 1.5f);
    const auto dy = test::random_floats(s.size(), 22);
    const auto gamma = test::random_floats(d, 23, 1.0f, 0.3f);
    for (float eps : {0.0f, 1e-5f, 1e-1f}) {
        CAPTURE(eps);
        const NormSpec spec{.kind = NormKind::Layer, .eps = eps};
        const Grads g = backward(spec, s, x, &gamma, dy);
        REQUIRE(g.error.empty());
        for (std::size_t r = 0; r < 4; ++r) {
            // Double statistics of the row, to form xhat and r = 1/sqrt(var + eps).
            const double mean = row_sum(x, r, d) / static_cast<double>(d);
            double var = 0.0;
            for (std::size_t i = 0; i < d; ++i)
                var += (x[r * d + i] - mean) * (x[r * d + i] - mean);
            var /= static_cast<double>(d);
            const double inv = 1.0 / std::sqrt(var + eps);
            double xhat_dx = 0.0, g_xhat = 0.0, dx_abs = 0.0;
            for (std::size_t i = 0; i < d; ++i) {
                const double xhat = (x[r * d + i] - mean) * inv;
                xhat_dx += xhat * g.dx[r * d + i];
                g_xhat += dy[r * d + i] * gamma[i] * xhat;
                dx_abs += std::fabs(g.dx[r * d + i]);
            }
            CHECK(std::fabs(row_sum(g.dx, r, d)) < 1e-6 * dx_abs);
            // xhat . dx = eps * r^3 * sum(g * xhat): exactly 0 only for eps = 0.
            CHECK(xhat_dx ==
                  doctest::Approx(eps * inv * inv * inv * g_xhat).epsilon(1e-4).scale(dx_abs));
            if (eps == 0.0f) CHECK(std::fabs(xhat_dx) < 1e-6 * dx_abs);
        }
    }
}

TEST_CASE("backward: rms_norm dx is orthogonal to x but does not sum to zero") {
    const std::size_t d = 8;
    const Shape s = Shape::matrix(3, static_cast<int>(d));
    const auto x = test::random_floats(s.size(), 31, 0.5f, 1.0f);
    const auto dy = test::random_floats(s.size(), 32);
    const Grads g = backward(NormSpec{.kind = NormKind::Rms, .eps = 0.0f}, s, x, nullptr, dy);
    REQUIRE(g.error.empty());
    for (std::size_t r = 0; r < 3; ++r) {
        double x_dx = 0.0, dx_abs = 0.0, x_abs = 0.0;
        for (std::size_t i = 0; i < d; ++i) {
            x_dx += static_cast<double>(x[r * d + i]) * g.dx[r * d + i];
            dx_abs += std::fabs(g.dx[r * d + i]);
            x_abs += std::fabs(x[r * d + i]);
        }
        CHECK(std::fabs(x_dx) < 1e-6 * dx_abs * x_abs);
        // No centering, so no reason for the sum to vanish.
        CHECK(std::fabs(row_sum(g.dx, r, d)) > 1e-3 * dx_abs);
    }
    // dbeta does not exist for RMSNorm: written as zeros.
    for (float b : g.dbeta)
        CHECK(b == 0.0f);
}

TEST_CASE("backward: batch_norm couples examples, layer_norm and eval batch_norm do not") {
    const Shape s = Shape::matrix(4, 5);
    const auto x = test::random_floats(s.size(), 41, 0.0f, 2.0f);
    const auto dy = test::random_floats(s.size(), 42);
    auto dy2 = dy;
    for (std::size_t i = 0; i < 5; ++i)
        dy2[3 * 5 + i] += 1.0f; // change only example 3's upstream gradient
    const RunningStats running{.mean = std::vector<float>(5, 0.1f),
                               .var = std::vector<float>(5, 0.9f)};

    auto dx_of = [&](NormKind kind, bool eval, const std::vector<float>& upstream) {
        std::vector<float> dx(s.size());
        const NormSpec spec{.kind = kind, .mode = eval ? NormMode::Eval : NormMode::Train};
        const std::string err = kernels::normalize_backward(
            spec, core::TensorView{.data = x.data(), .shape = s}, nullptr, upstream.data(),
            dx.data(), nullptr, nullptr, &running);
        REQUIRE_MESSAGE(err.empty(), err);
        return dx;
    };
    auto example0_changed = [](const std::vector<float>& a, const std::vector<float>& b) {
        for (std::size_t i = 0; i < 5; ++i)
            if (a[i] != b[i]) return true;
        return false;
    };
    CHECK(example0_changed(dx_of(NormKind::Batch, false, dy), dx_of(NormKind::Batch, false, dy2)));
    CHECK_FALSE(
        example0_changed(dx_of(NormKind::Layer, false, dy), dx_of(NormKind::Layer, false, dy2)));
    CHECK_FALSE(
        example0_changed(dx_of(NormKind::Rms, false, dy), dx_of(NormKind::Rms, false, dy2)));
    CHECK_FALSE(
        example0_changed(dx_of(NormKind::Batch, true, dy), dx_of(NormKind::Batch, true, dy2)));
}

TEST_CASE("backward: eval batch_norm is dy * gamma / sqrt(running_var + eps)") {
    const Shape s = Shape::image(2, 2, 1, 2);
    const std::vector<float> x = {1, 2, 3, 4, 5, 6, 7, 8};
    const std::vector<float> dy = {1, -1, 0.5f, 2, 0, 3, -2, 1};
    const std::vector<float> gamma = {2, 0.5f};
    const RunningStats running{.mean = {1, -1}, .var = {3, 0.25f}};
    std::vector<float> dx(8), dgamma(2), dbeta(2);
    const std::string err = kernels::normalize_backward(
        NormSpec{.kind = NormKind::Batch, .eps = 1.0f, .mode = NormMode::Eval},
        core::TensorView{.data = x.data(), .shape = s}, gamma.data(), dy.data(), dx.data(),
        dgamma.data(), dbeta.data(), &running);
    REQUIRE(err.empty());
    for (std::size_t f = 0; f < 8; ++f) {
        const std::size_t c = (f / 2) % 2;
        CHECK(dx[f] == doctest::Approx(dy[f] * gamma[c] / std::sqrt(running.var[c] + 1.0)));
    }
    // Channel 0 holds cells 0, 1, 4, 5; channel 1 holds 2, 3, 6, 7.
    CHECK(dbeta[0] == doctest::Approx(1 - 1 + 0 + 3));
    CHECK(dbeta[1] == doctest::Approx(0.5 + 2 - 2 + 1));
    CHECK(dgamma[0] == doctest::Approx((1 * 0 - 1 * 1 + 0 * 4 + 3 * 5) / 2.0));
    CHECK(dgamma[1] == doctest::Approx((0.5 * 4 + 2 * 5 - 2 * 8 + 1 * 9) / std::sqrt(1.25)));
}

// [SECTION] the shipped forward

TEST_CASE("backward: agrees with the shipped float forward") {
    // dbeta = sum(dy) and dgamma = sum(dy * xhat), with xhat = y of normalize(gamma=1, beta=0);
    // dx against central differences of the float forward itself (loose: float rounding).
    // Every variant the backward models: eps inside/outside, BatchNorm train/eval.
    const RunningStats running{.mean = {0.2f, -0.1f, 0.3f, 0.0f, 0.1f, -0.2f},
                               .var = {0.8f, 1.2f, 0.5f, 1.0f, 2.0f, 0.7f}};
    for (const Layout& l : layouts()) {
        for (auto placement : {kernels::EpsPlacement::Inside, kernels::EpsPlacement::Outside}) {
            for (NormMode mode : {NormMode::Train, NormMode::Eval}) {
                const bool eval = l.kind == NormKind::Batch && mode == NormMode::Eval;
                const std::size_t n = l.shape.size();
                const std::size_t channels = static_cast<std::size_t>(l.shape.channels());
                if (placement == kernels::EpsPlacement::Outside && !eval && n == channels &&
                    l.kind == NormKind::Batch)
                    continue; // var 0 with eps outside: NaN gradient by design
                if (mode == NormMode::Eval && l.kind != NormKind::Batch) continue; // same as train
                CAPTURE(std::string(kernels::norm_id(l.kind)));
                CAPTURE(l.shape.str());
                CAPTURE(std::string(kernels::eps_placement_id(placement)));
                CAPTURE(std::string(kernels::mode_id(mode)));
                const NormSpec spec{.kind = l.kind,
                                    .eps = 1e-3f,
                                    .groups = l.groups,
                                    .eps_placement = placement,
                                    .mode = mode};
                RunningStats stats = running;
                stats.mean.resize(channels, 0.0f);
                stats.var.resize(channels, 1.0f);
                const auto x = test::random_floats(n, 51, 0.3f, 1.0f);
                const auto dy = test::random_floats(n, 52);
                const auto gamma = test::random_floats(channels, 53, 1.0f, 0.4f);
                const Grads g = backward(spec, l.shape, x, &gamma, dy, &stats);
                REQUIRE_MESSAGE(g.error.empty(), g.error);

                auto forward = [&](const std::vector<float>& xs, const float* gam) {
                    std::vector<float> y(n);
                    RunningStats copy = stats; // Eval reads it; never updated here
                    const std::string err = kernels::normalize(
                        spec, kernels::NormArgs{
                                  .x = core::TensorView{.data = xs.data(), .shape = l.shape},
                                  .y = y.data(),
                                  .gamma = gam,
                                  .running = eval ? &copy : nullptr,
                                  .impl = test::kn::Impl::Reference});
                    REQUIRE_MESSAGE(err.empty(), err);
                    return y;
                };
                const std::vector<float> xhat = forward(x, nullptr);
                std::vector<double> want_dgamma(channels, 0.0), want_dbeta(channels, 0.0);
                for (std::size_t f = 0; f < n; ++f) {
                    const std::size_t c = kernels::channel_of(l.shape, f);
                    want_dgamma[c] += static_cast<double>(dy[f]) * xhat[f];
                    want_dbeta[c] += dy[f];
                }
                for (std::size_t c = 0; c < channels; ++c) {
                    CHECK(g.dgamma[c] == doctest::Approx(want_dgamma[c]).epsilon(1e-5));
                    if (l.kind != NormKind::Rms)
                        CHECK(g.dbeta[c] == doctest::Approx(want_dbeta[c]).epsilon(1e-5));
                }

                auto loss = [&](const std::vector<float>& xs) {
                    const std::vector<float> y = forward(xs, gamma.data());
                    double sum = 0.0;
                    for (std::size_t f = 0; f < n; ++f)
                        sum += static_cast<double>(dy[f]) * y[f];
                    return sum;
                };
                double worst = 0.0, scale = 0.0;
                for (std::size_t j = 0; j < n; ++j) {
                    auto xp = x, xm = x;
                    xp[j] += 1e-2f;
                    xm[j] -= 1e-2f;
                    const double numeric =
                        (loss(xp) - loss(xm)) / (static_cast<double>(xp[j]) - xm[j]);
                    worst = std::max(worst, std::fabs(numeric - g.dx[j]));
                    scale = std::max(scale, std::fabs(static_cast<double>(g.dx[j])));
                }
                CHECK(worst < 5e-3 * (1.0 + scale));
            }
        }
    }
}

// [SECTION] contracts

TEST_CASE("backward: null outputs are skipped and dx may alias x or dy") {
    const Shape s = Shape::sequence(2, 3, 4);
    const NormSpec spec{.kind = NormKind::Group, .groups = 2};
    const auto x = test::random_floats(s.size(), 61);
    const auto dy = test::random_floats(s.size(), 62);
    const Grads full = backward(spec, s, x, nullptr, dy);
    REQUIRE(full.error.empty());

    std::vector<float> dgamma(4);
    CHECK(kernels::normalize_backward(spec, core::TensorView{.data = x.data(), .shape = s}, nullptr,
                                      dy.data(), nullptr, dgamma.data(), nullptr)
              .empty());
    CHECK(test::bitwise_equal(dgamma, full.dgamma));

    auto in_x = x; // dx written over x
    CHECK(kernels::normalize_backward(spec, core::TensorView{.data = in_x.data(), .shape = s},
                                      nullptr, dy.data(), in_x.data(), nullptr, nullptr)
              .empty());
    CHECK(test::bitwise_equal(in_x, full.dx));

    auto in_dy = dy; // dx written over dy
    std::vector<float> dbeta(4);
    CHECK(kernels::normalize_backward(spec, core::TensorView{.data = x.data(), .shape = s}, nullptr,
                                      in_dy.data(), in_dy.data(), nullptr, dbeta.data())
              .empty());
    CHECK(test::bitwise_equal(in_dy, full.dx));
    CHECK(test::bitwise_equal(dbeta, full.dbeta));
}

TEST_CASE("backward: errors are one-line messages and write nothing") {
    const auto x = test::random_floats(12, 71);
    const auto dy = test::random_floats(12, 72);
    std::vector<float> dx(12, 7.0f);
    auto run = [&](const NormSpec& spec, const Shape& s, const float* xp, const float* dyp) {
        return kernels::normalize_backward(spec, core::TensorView{.data = xp, .shape = s}, nullptr,
                                           dyp, dx.data(), nullptr, nullptr);
    };
    CHECK(contains(
        run(NormSpec{.kind = NormKind::Instance}, Shape::matrix(3, 4), x.data(), dy.data()),
        "InstanceNorm needs spatial axes"));
    CHECK(contains(run(NormSpec{.kind = NormKind::Group, .groups = 3}, Shape::matrix(3, 4),
                       x.data(), dy.data()),
                   "does not divide"));
    CHECK(contains(run(NormSpec{.kind = NormKind::Layer}, Shape::matrix(0, 4), x.data(), dy.data()),
                   "dimension < 1"));
    CHECK(contains(run(NormSpec{.kind = NormKind::Layer, .eps = -1.0f}, Shape::matrix(3, 4),
                       x.data(), dy.data()),
                   "eps must be finite"));
    CHECK(run(NormSpec{}, Shape::matrix(3, 4), nullptr, dy.data()) == "x is null");
    CHECK(run(NormSpec{}, Shape::matrix(3, 4), x.data(), nullptr) == "dy is null");
    for (float v : dx)
        CHECK(v == 7.0f);

    const core::TensorView xv{.data = x.data(), .shape = Shape::matrix(3, 4)};
    auto run_eval = [&](const RunningStats& rs) {
        return kernels::normalize_backward(
            NormSpec{.kind = NormKind::Batch, .mode = NormMode::Eval}, xv, nullptr, dy.data(),
            dx.data(), nullptr, nullptr, &rs);
    };
    CHECK(run_eval(RunningStats{.mean = {}, .var = {1, 1, -0.5f, 1}}) ==
          "running_var[2] must be finite and >= 0 (got -0.5)");
    CHECK(run_eval(RunningStats{.mean = {0, NAN, 0, 0}, .var = {}}) ==
          "running_mean[1] must be finite (got nan)");
    CHECK(run_eval(RunningStats{.mean = {0, 0}, .var = {}}) ==
          "running_mean has 2 values but shape (3, 4) has 4 channels");
    NormSpec fp16{.kind = NormKind::Layer};
    fp16.storage = kernels::Precision::Fp16;
    CHECK(contains(
        kernels::normalize_backward(fp16, xv, nullptr, dy.data(), dx.data(), nullptr, nullptr),
        "fp32 storage and accumulation only (got storage fp16, accumulate fp32)"));
    for (float v : dx)
        CHECK(v == 7.0f);

    // gradcheck: bad cases become messages too.
    auto c = kernels::make_gradcheck_case(NormSpec{}, Shape::matrix(2, 3), 1);
    c.dy.pop_back();
    CHECK(contains(kernels::gradcheck(c, nullptr), "dy has 5 values, expected 6"));
    auto short_var = kernels::make_gradcheck_case(
        NormSpec{.kind = NormKind::Batch, .mode = NormMode::Eval}, Shape::matrix(2, 3), 1);
    short_var.running.var.pop_back();
    CHECK(contains(kernels::gradcheck(short_var, nullptr), "running_var has 2 values"));
    auto constant = kernels::make_gradcheck_case(NormSpec{.kind = NormKind::Layer, .eps = 0.0f},
                                                 Shape::matrix(2, 1), 1);
    CHECK(contains(kernels::gradcheck(constant, nullptr), "not finite"));
}
