// tests/train/test_jacobian.cpp: the LayerNorm and RMSNorm Jacobians built from the backward
// kernel (train/jacobian.h) against central differences of an independent double-precision
// forward written here, and the properties the Jacobian view explains: LayerNorm's J 1 = 0 and
// J x = 0 (eps 0), RMSNorm's J x = 0 but J 1 != 0.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "core/rng.h"
#include "train/jacobian.h"

namespace {

using namespace normlab;
using kernels::NormKind;

// y = (x - mean) / sqrt(var + eps) (LayerNorm) or x / sqrt(mean(x^2) + eps) (RMSNorm), double.
std::vector<double> forward(NormKind kind, const std::vector<double>& x, double eps) {
    const double n = static_cast<double>(x.size());
    double mean = 0.0, ms = 0.0;
    for (double v : x) {
        mean += v / n;
        ms += v * v / n;
    }
    double var = 0.0;
    for (double v : x)
        var += (v - mean) * (v - mean) / n;
    std::vector<double> y;
    for (double v : x)
        y.push_back(kind == NormKind::Layer ? (v - mean) / std::sqrt(var + eps)
                                            : v / std::sqrt(ms + eps));
    return y;
}

double max_abs(const std::vector<float>& v) {
    double m = 0.0;
    for (float f : v)
        m = std::max(m, static_cast<double>(std::abs(f)));
    return m;
}

} // namespace

TEST_CASE("jacobian: matches central differences of an independent forward, n = 1..16") {
    core::Rng rng(11);
    for (NormKind kind : {NormKind::Layer, NormKind::Rms}) {
        for (int n : {2, 3, 4, 5, 8, 16}) {
            for (float eps : {0.0f, 1e-5f, 0.1f}) {
                std::vector<float> x;
                for (int i = 0; i < n; ++i)
                    x.push_back(static_cast<float>(0.5 + 1.5 * rng.normal()));
                train::Jacobian jac;
                REQUIRE(train::norm_jacobian(kind, x, eps, &jac).empty());
                REQUIRE(jac.n == n);
                REQUIRE(jac.j.size() == static_cast<std::size_t>(n * n));
                const std::vector<double> xd(x.begin(), x.end());
                const std::vector<double> y0 = forward(kind, xd, eps);
                for (int i = 0; i < n; ++i)
                    CHECK(jac.y[i] == doctest::Approx(y0[i]).epsilon(1e-5));
                for (int k = 0; k < n; ++k) {
                    const double h = 1e-6;
                    std::vector<double> xp = xd, xm = xd;
                    xp[k] += h;
                    xm[k] -= h;
                    const std::vector<double> yp = forward(kind, xp, eps);
                    const std::vector<double> ym = forward(kind, xm, eps);
                    for (int i = 0; i < n; ++i) {
                        const double numeric = (yp[i] - ym[i]) / (2 * h);
                        CAPTURE(kernels::norm_id(kind));
                        CAPTURE(n);
                        CAPTURE(eps);
                        CHECK(jac.j[i * n + k] == doctest::Approx(numeric).epsilon(1e-4).scale(1));
                    }
                }
            }
        }
    }
    // n = 1: LayerNorm of one value is beta whatever x is; RMSNorm is sign(x) (eps 0).
    train::Jacobian one;
    const float single[] = {3.0f};
    REQUIRE(train::norm_jacobian(NormKind::Layer, single, 1e-5f, &one).empty());
    CHECK(one.j[0] == 0.0f);
    REQUIRE(train::norm_jacobian(NormKind::Rms, single, 0.0f, &one).empty());
    CHECK(one.j[0] == doctest::Approx(0.0).scale(1));
}

TEST_CASE("jacobian: LayerNorm removes the mean direction and the scale, RMSNorm only the scale") {
    const float x[] = {0.3f, -1.2f, 2.5f, 0.7f, -0.4f, 1.9f, -2.2f, 0.05f};
    const std::vector<float> ones(8, 1.0f);
    std::vector<float> jx, j1;
    train::Jacobian ln, rms;
    REQUIRE(train::norm_jacobian(NormKind::Layer, x, 0.0f, &ln).empty());
    REQUIRE(train::norm_jacobian(NormKind::Rms, x, 0.0f, &rms).empty());
    const double scale = max_abs(ln.j); // entries are O(1 / std)

    train::jacobian_apply(ln, ones, &j1);
    train::jacobian_apply(ln, x, &jx);
    CHECK(max_abs(j1) < 1e-6 * scale);
    CHECK(max_abs(jx) < 1e-6 * scale);
    // Each row of LayerNorm's J sums to 0, each column too (J is symmetric for gamma = 1).
    for (int i = 0; i < 8; ++i)
        for (int k = 0; k < 8; ++k)
            CHECK(ln.j[i * 8 + k] == doctest::Approx(ln.j[k * 8 + i]).epsilon(1e-5).scale(scale));

    train::jacobian_apply(rms, x, &jx);
    train::jacobian_apply(rms, ones, &j1);
    CHECK(max_abs(jx) < 1e-6 * max_abs(rms.j));
    CHECK(max_abs(j1) > 0.05); // a shift of every input moves RMSNorm's output

    // With eps > 0 scale invariance is approximate: J x = eps r^3 ... is O(eps / var) small.
    train::Jacobian ln_eps;
    REQUIRE(train::norm_jacobian(NormKind::Layer, x, 0.1f, &ln_eps).empty());
    train::jacobian_apply(ln_eps, x, &jx);
    CHECK(max_abs(jx) > 1e-3);
    train::jacobian_apply(ln_eps, ones, &j1);
    CHECK(max_abs(j1) < 1e-6); // the mean direction is removed whatever eps is
}

TEST_CASE("jacobian: bad input is a message") {
    train::Jacobian j;
    const float x[] = {1.0f, 2.0f};
    CHECK(train::norm_jacobian(NormKind::Batch, x, 1e-5f, &j) ==
          "the Jacobian view supports layernorm and rmsnorm, not batchnorm");
    CHECK(train::norm_jacobian(NormKind::Layer, std::span<const float>(), 1e-5f, &j) ==
          "the vector must have 1..16 values (got 0)");
    const std::vector<float> long_x(17, 1.0f);
    CHECK(train::norm_jacobian(NormKind::Layer, long_x, 1e-5f, &j).find("got 17") !=
          std::string::npos);
    const float bad[] = {1.0f, NAN};
    CHECK(train::norm_jacobian(NormKind::Layer, bad, 1e-5f, &j) ==
          "the vector has a value that is not finite");
    const float flat[] = {2.0f, 2.0f, 2.0f};
    CHECK(train::norm_jacobian(NormKind::Layer, flat, 0.0f, &j).find("not finite") !=
          std::string::npos);
    CHECK(j.n == 0); // untouched on error
}
