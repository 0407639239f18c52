// sim/weight_lab.cpp: see weight_lab.h. The normalizations themselves are kernel calls; this
// file validates input, keeps state and samples what the panel draws.
// Index: [SECTION] helpers, reference singular values, demos, lifecycle, WeightNorm,
// SpectralNorm, DyT.
#include "sim/weight_lab.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <numbers>
#include <utility>

#include "core/rng.h"
#include "kernels/norm.h"

namespace normlab::sim {

// [SECTION] helpers

namespace {

constexpr float kSmallDefault[4] = {0.6f, -1.0f, 1.4f, 0.8f};  // sigma 1.61, s2/s1 0.72
constexpr float kVDefault[kWeightRowsMax * 2] = {1.6f, 0.9f, -0.8f, 1.4f, 0.5f, -1.7f};
constexpr float kGDefault[kWeightRowsMax] = {1.5f, 1.0f, 2.0f};
constexpr float kDytOutlier = 4.5f;   // one large activation: LayerNorm's statistics follow it

// Distinct streams per use of the seed, so changing one demo's draws leaves the others.
constexpr std::uint64_t kUvStream = 0x5EC7A1ull, kLargeStream = 0x4A6Eull, kDytStream = 0xD17ull;

std::string fmt(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3g", v);
    return buf;
}

std::string clamp_note(const std::string& what, double asked, double used, double lo, double hi) {
    if (asked == used) return "";
    return what + " = " + fmt(asked) + " is out of range; using " + fmt(used) + " (" + fmt(lo) +
           " to " + fmt(hi) + ")";
}

std::string join(std::string a, const std::string& b) {
    if (b.empty()) return a;
    if (a.empty()) return b;
    return a + "; " + b;
}

bool all_zero(const std::vector<float>& a) {
    return std::all_of(a.begin(), a.end(), [](float e) { return e == 0.0f; });
}

} // namespace

const char* weight_section_name(WeightSection section) {
    switch (section) {
    case WeightSection::WeightNorm: return "WeightNorm";
    case WeightSection::SpectralNorm: return "SpectralNorm";
    case WeightSection::DyT: return "DyT";
    }
    return "?";
}

// [SECTION] reference singular values

void singular_values_2x2(double a, double b, double c, double d, double* s1, double* s2) {
    // W = R(phi) diag(s1, s2) R(theta): with h1 = |(a + d, c - b)|, h2 = |(a - d, b + c)|,
    // s1 = (h1 + h2) / 2 and s2 = |h1 - h2| / 2, with no squaring of the entries.
    const double h1 = std::hypot(a + d, c - b), h2 = std::hypot(a - d, b + c);
    if (s1) *s1 = 0.5 * (h1 + h2);
    if (s2) *s2 = 0.5 * std::fabs(h1 - h2);
}

std::vector<double> singular_values(const float* w, int rows, int cols) {
    if (!w || rows < 1 || cols < 1) return {};
    const std::size_t total = static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols);
    if (!std::all_of(w, w + total, [](float e) { return std::isfinite(e); })) return {};
    // One-sided Jacobi (Hestenes) on the k = min(rows, cols) columns of W or W^T, each of
    // length n: rotate column pairs until all are orthogonal; their norms are the sigmas.
    // It never forms W^T W, so small singular values keep their relative accuracy.
    const bool transpose = cols > rows;
    const std::size_t k = static_cast<std::size_t>(transpose ? rows : cols);
    const std::size_t n = static_cast<std::size_t>(transpose ? cols : rows);
    std::vector<std::vector<double>> col(k, std::vector<double>(n));
    for (std::size_t j = 0; j < k; ++j)
        for (std::size_t i = 0; i < n; ++i)
            col[j][i] = transpose ? w[j * n + i] : w[i * k + j];
    for (int sweep = 0; sweep < 60; ++sweep) {
        double off = 0.0;
        for (std::size_t p = 0; p + 1 < k; ++p)
            for (std::size_t q = p + 1; q < k; ++q) {
                double alpha = 0.0, beta = 0.0, gamma = 0.0;
                for (std::size_t i = 0; i < n; ++i) {
                    alpha += col[p][i] * col[p][i];
                    beta += col[q][i] * col[q][i];
                    gamma += col[p][i] * col[q][i];
                }
                if (gamma == 0.0 || std::fabs(gamma) <= 1e-15 * std::sqrt(alpha * beta)) continue;
                off = std::max(off, std::fabs(gamma) / std::sqrt(alpha * beta));
                const double zeta = (beta - alpha) / (2.0 * gamma);
                const double t = (zeta >= 0 ? 1.0 : -1.0) / (std::fabs(zeta) + std::sqrt(1.0 + zeta * zeta));
                const double c = 1.0 / std::sqrt(1.0 + t * t), s = c * t;
                for (std::size_t i = 0; i < n; ++i) {
                    const double up = col[p][i], uq = col[q][i];
                    col[p][i] = c * up - s * uq;
                    col[q][i] = s * up + c * uq;
                }
            }
        if (off <= 1e-15) break;
    }
    std::vector<double> sigma(k);
    for (std::size_t j = 0; j < k; ++j) {
        double s = 0.0;
        for (double e : col[j])
            s += e * e;
        sigma[j] = std::sqrt(s);
    }
    std::sort(sigma.begin(), sigma.end(), std::greater<>());
    return sigma;
}

// [SECTION] demos

float WeightNormDemo::w_norm(int r) const {
    return static_cast<float>(std::hypot(static_cast<double>(w[2 * r]), static_cast<double>(w[2 * r + 1])));
}

bool SpectralDemo::converged() const {
    return has_estimate && sigma > 0 &&
           std::fabs(static_cast<double>(sigma_estimate) - sigma) <= kSpectralConvergedRel * sigma;
}

double SpectralDemo::rate() const {
    if (singular_values.size() < 2 || singular_values[0] <= 0) return 0;
    const double r = singular_values[1] / singular_values[0];
    return r * r;
}

int count_changed(const std::vector<std::uint8_t>& flags) {
    return static_cast<int>(std::count_if(flags.begin(), flags.end(), [](std::uint8_t f) { return f != 0; }));
}

// [SECTION] lifecycle

void WeightLab::init(const WeightLabConfig& config) {
    config_ = config;
    config_.rows = std::clamp(config_.rows, 1, kWeightRowsMax);
    if (!(config_.iterations_per_second >= 0.5f)) config_.iterations_per_second = 0.5f;
    config_.iterations_per_second = std::min(config_.iterations_per_second, 30.f);
    restarts_ = 0;
    reset_weightnorm();
    sn_ = SpectralDemo{};
    sn_.small.assign(std::begin(kSmallDefault), std::end(kSmallDefault));
    set_matrix(config_.matrix);   // sn_.w is empty, so this builds W and starts the iteration
    reset_dyt();
}

void WeightLab::reset() { init(config_); }

void WeightLab::step(double dt) {
    if (!sn_.running) return;
    if (sn_.converged() || static_cast<int>(sn_.history.size()) >= kSpectralMaxHistory ||
        !sn_.error.empty()) {
        sn_.running = false;
        sn_.phase = 0;
        return;
    }
    const double interval = 1.0 / config_.iterations_per_second;
    sn_.phase += std::isfinite(dt) && dt > 0 ? dt : 0.0;
    // A long frame (a background tab) runs a few steps, not a burst.
    for (int k = 0; k < 4 && sn_.phase >= interval && sn_.running; ++k) {
        sn_.phase -= interval;
        step_power_iteration(1);
        if (sn_.converged() || static_cast<int>(sn_.history.size()) >= kSpectralMaxHistory ||
            !sn_.error.empty())
            sn_.running = false;
    }
    sn_.phase = std::min(sn_.phase, interval);
}

std::string WeightLab::set_section(WeightSection section) {
    config_.section = section;
    return "";
}

namespace {
std::vector<float> large_matrix(std::uint64_t seed) {
    core::Rng rng(seed ^ kLargeStream);
    std::vector<float> w(static_cast<std::size_t>(kSpectralLargeRows * kSpectralLargeCols));
    for (float& e : w)
        e = static_cast<float>(rng.normal());
    return w;
}
} // namespace

void WeightLab::reseed(std::uint64_t seed) {
    config_.seed = seed;
    restarts_ = 0;
    if (sn_.matrix == SpectralMatrix::Large) sn_.w = large_matrix(seed);
    restart_power_iteration();
    refresh_spectral();
    const float alpha = dy_.alpha, gamma = dy_.gamma, beta = dy_.beta;
    reset_dyt();
    dy_.alpha = alpha;
    dy_.gamma = gamma;
    dy_.beta = beta;
    recompute_dyt(false);
}

// [SECTION] WeightNorm

void WeightLab::reset_weightnorm() {
    wn_ = WeightNormDemo{};
    wn_.rows = config_.rows;
    wn_.v.assign(std::begin(kVDefault), std::end(kVDefault));
    wn_.g.assign(std::begin(kGDefault), std::end(kGDefault));
    recompute_weightnorm();
}

void WeightLab::recompute_weightnorm() {
    wn_.w.assign(wn_.v.size(), 0.f);
    wn_.v_norm.assign(wn_.g.size(), 0.f);
    // Every row of v is kept non-zero and finite, so the kernel cannot refuse.
    kernels::weight_norm({.data = wn_.v.data(), .shape = core::Shape::matrix(kWeightRowsMax, 2)},
                         wn_.g.data(), wn_.w.data(), wn_.v_norm.data());
}

std::string WeightLab::set_rows(int rows) {
    const int used = std::clamp(rows, 1, kWeightRowsMax);
    wn_.rows = used;
    config_.rows = used;
    return clamp_note("rows", rows, used, 1, kWeightRowsMax);
}

std::string WeightLab::drag_v(int row, float x, float y) {
    if (row < 0 || row >= wn_.rows)
        return "row " + std::to_string(row) + " does not exist (rows = " + std::to_string(wn_.rows) + ")";
    if (!std::isfinite(x) || !std::isfinite(y)) return "v must be finite; kept the previous v";
    const float cx = std::clamp(x, -kWeightVRange, kWeightVRange);
    const float cy = std::clamp(y, -kWeightVRange, kWeightVRange);
    std::string note;
    if (cx != x || cy != y)
        note = "v = (" + fmt(x) + ", " + fmt(y) + ") is out of range; each component stays within ±" +
               fmt(kWeightVRange);
    double nx = cx, ny = cy;
    const double len = std::hypot(nx, ny);
    if (len < kWeightVMinNorm) {
        if (len > 0) {
            nx /= len;
            ny /= len;
        } else {   // exactly zero: keep the previous direction
            const Vec2 old = wn_.v_at(row);
            const double old_len = std::hypot(static_cast<double>(old.x), static_cast<double>(old.y));
            nx = old.x / old_len;
            ny = old.y / old_len;
        }
        nx *= kWeightVMinNorm;
        ny *= kWeightVMinNorm;
        note = join(note, "v cannot be zero: w = g·v/||v|| needs a direction; kept ||v|| = " +
                              fmt(kWeightVMinNorm));
    }
    wn_.v[2 * static_cast<std::size_t>(row)] = static_cast<float>(nx);
    wn_.v[2 * static_cast<std::size_t>(row) + 1] = static_cast<float>(ny);
    recompute_weightnorm();
    return note;
}

std::string WeightLab::set_g(int row, float g) {
    if (row < 0 || row >= wn_.rows)
        return "row " + std::to_string(row) + " does not exist (rows = " + std::to_string(wn_.rows) + ")";
    if (!std::isfinite(g)) return "g must be a finite number; kept g = " + fmt(wn_.g[static_cast<std::size_t>(row)]);
    const float used = std::clamp(g, -kWeightGMax, kWeightGMax);
    wn_.g[static_cast<std::size_t>(row)] = used;
    recompute_weightnorm();
    return clamp_note("g", g, used, -kWeightGMax, kWeightGMax);
}

// [SECTION] SpectralNorm

std::string WeightLab::set_matrix(SpectralMatrix matrix) {
    if (matrix == config_.matrix && !sn_.w.empty()) return "";
    config_.matrix = matrix;
    sn_.matrix = matrix;
    sn_.running = false;
    if (matrix == SpectralMatrix::Small) {
        sn_.shape = core::Shape::matrix(2, 2);
        sn_.w = sn_.small;
    } else {
        sn_.shape = core::Shape::matrix(kSpectralLargeRows, kSpectralLargeCols);
        sn_.w = large_matrix(config_.seed);
    }
    restart_power_iteration();
    refresh_spectral();
    return "";
}

std::string WeightLab::set_entry(int row, int col, float value) {
    if (sn_.matrix != SpectralMatrix::Small) return "the 4×6 matrix is seeded; switch to 2×2 to edit W";
    if (row < 0 || row > 1 || col < 0 || col > 1)
        return "W[" + std::to_string(row) + "][" + std::to_string(col) + "] does not exist (W is 2×2)";
    if (!std::isfinite(value)) return "W entries must be finite; kept the previous value";
    const float used = std::clamp(value, -kSpectralEntryMax, kSpectralEntryMax);
    const std::size_t at = static_cast<std::size_t>(row * 2 + col);
    sn_.small[at] = used;
    sn_.w[at] = used;
    sn_.history.clear();   // a new W: the plot restarts, u and v stay warm
    refresh_spectral();
    std::string note = clamp_note("W entry", value, used, -kSpectralEntryMax, kSpectralEntryMax);
    if (all_zero(sn_.w)) note = join(note, "W is all zero: it has no largest direction and W/σ is undefined");
    return note;
}

void WeightLab::reset_power_iteration() {
    restarts_ = 0;
    restart_power_iteration();
    refresh_spectral();
}

void WeightLab::restart_power_iteration() {
    kernels::spectral_norm_init(sn_.shape, (config_.seed ^ kUvStream) + restarts_, &sn_.state);
    sn_.history.clear();
    sn_.iterations = 0;
    sn_.has_estimate = false;
    sn_.sigma_estimate = 0;
    sn_.w_sn.clear();
    sn_.running = false;
    sn_.phase = 0;
    sn_.error.clear();
}

void WeightLab::refresh_spectral() {
    const int rows = sn_.shape.dims[0], cols = sn_.shape.dims[1];
    if (sn_.matrix == SpectralMatrix::Small) {
        double s1 = 0, s2 = 0;
        singular_values_2x2(sn_.w[0], sn_.w[1], sn_.w[2], sn_.w[3], &s1, &s2);
        sn_.singular_values = {s1, s2};
    } else {
        sn_.singular_values = singular_values(sn_.w.data(), rows, cols);
    }
    sn_.sigma = sn_.singular_values.empty() ? 0.0 : sn_.singular_values[0];
    // Without iterating (PyTorch's eval mode): the estimate u . W v from the u, v we have. After
    // a reset there is none until the first step; after an edit of W it may be stale or <= 0.
    sn_.error.clear();
    sn_.has_estimate = false;
    sn_.sigma_estimate = 0;
    sn_.w_sn.assign(sn_.w.size(), 0.f);
    if (all_zero(sn_.w)) {
        sn_.error = "W is all zero, so W/σ is undefined";
    } else if (sn_.iterations > 0) {
        float s = 0;
        const std::string problem = kernels::spectral_norm({.data = sn_.w.data(), .shape = sn_.shape}, 0,
                                                           &sn_.state, sn_.w_sn.data(), &s, nullptr);
        if (problem.empty()) {
            sn_.has_estimate = true;
            sn_.sigma_estimate = s;
        }
    }
    update_spectral_views();
}

std::string WeightLab::step_power_iteration(int iterations) {
    const int room = kSpectralMaxHistory - static_cast<int>(sn_.history.size());
    if (room <= 0)
        return "the plot holds " + std::to_string(kSpectralMaxHistory) + " iterations; reset to start again";
    if (iterations < 1) return "iterations must be at least 1";
    std::string note;
    if (iterations > room) {
        note = "only " + std::to_string(room) + " more iterations fit in the plot";
        iterations = room;
    }
    const core::TensorView view{.data = sn_.w.data(), .shape = sn_.shape};
    std::vector<float> w_sn(sn_.w.size());
    std::vector<float> per_iteration;
    float s = 0;
    std::string problem = kernels::spectral_norm(view, iterations, &sn_.state, w_sn.data(), &s, &per_iteration);
    if (!problem.empty() && !all_zero(sn_.w)) {
        // u orthogonal to W's range (u left over from another W): draw new u, v and retry once.
        ++restarts_;
        kernels::spectral_norm_init(sn_.shape, (config_.seed ^ kUvStream) + restarts_, &sn_.state);
        problem = kernels::spectral_norm(view, iterations, &sn_.state, w_sn.data(), &s, &per_iteration);
        if (problem.empty()) note = join(note, "u was orthogonal to the range of W; drew new u and v");
    }
    if (!problem.empty()) {
        sn_.error = problem;
        sn_.running = false;
        return join(note, problem);
    }
    sn_.error.clear();
    sn_.history.insert(sn_.history.end(), per_iteration.begin(), per_iteration.end());
    sn_.iterations += iterations;
    sn_.has_estimate = true;
    sn_.sigma_estimate = s;
    sn_.w_sn = std::move(w_sn);
    update_spectral_views();
    return note;
}

std::string WeightLab::set_running(bool running) {
    if (!running) {
        sn_.running = false;
        sn_.phase = 0;
        return "";
    }
    if (!sn_.error.empty()) return sn_.error;
    if (static_cast<int>(sn_.history.size()) >= kSpectralMaxHistory)
        return "the plot is full; reset to start again";
    if (sn_.converged()) return "the estimate has converged; reset to watch it again";
    sn_.running = true;
    sn_.phase = 0;
    return "";
}

std::string WeightLab::set_iterations_per_second(float rate) {
    if (!std::isfinite(rate)) return "the speed must be a finite number";
    const float used = std::clamp(rate, 0.5f, 30.f);
    config_.iterations_per_second = used;
    return clamp_note("iterations per second", rate, used, 0.5, 30);
}

void WeightLab::update_spectral_views() {
    sn_.ellipse_before.clear();
    sn_.ellipse_after.clear();
    sn_.top_direction = {};
    sn_.v_iter = {};
    sn_.wv_iter = {};
    if (!sn_.has_estimate) sn_.w_sn.clear();
    if (sn_.matrix != SpectralMatrix::Small) return;
    const double a = sn_.w[0], b = sn_.w[1], c = sn_.w[2], d = sn_.w[3];
    // The right singular vector of s1 maximizes ||W (cos t, sin t)||^2 = (P + Q)/2 +
    // (P - Q)/2 cos 2t + R sin 2t, with P, Q the column norms^2 and R their dot product.
    const double theta = 0.5 * std::atan2(2.0 * (a * b + c * d), (a * a + c * c) - (b * b + d * d));
    sn_.top_direction = {static_cast<float>(std::cos(theta)), static_cast<float>(std::sin(theta))};
    const auto image = [](const std::vector<float>& m, double x, double y) {
        return Vec2{static_cast<float>(m[0] * x + m[1] * y), static_cast<float>(m[2] * x + m[3] * y)};
    };
    sn_.ellipse_before.reserve(kEllipseSegments);
    for (int k = 0; k < kEllipseSegments; ++k) {
        const double t = theta + 2.0 * std::numbers::pi * k / kEllipseSegments;
        sn_.ellipse_before.push_back(image(sn_.w, std::cos(t), std::sin(t)));
        if (sn_.has_estimate) sn_.ellipse_after.push_back(image(sn_.w_sn, std::cos(t), std::sin(t)));
    }
    sn_.v_iter = {sn_.state.v[0], sn_.state.v[1]};
    sn_.wv_iter = image(sn_.w, sn_.state.v[0], sn_.state.v[1]);
}

// [SECTION] DyT

void WeightLab::reset_dyt() {
    dy_ = DytDemo{};
    core::Rng rng(config_.seed ^ kDytStream);
    dy_.x.resize(kDytCount);
    for (float& e : dy_.x)
        e = std::clamp(static_cast<float>(1.2 * rng.normal()), -0.6f * kDytXMax, 0.6f * kDytXMax);
    dy_.x[static_cast<std::size_t>(rng.next_u64() % kDytCount)] = kDytOutlier;
    dy_.curve_x.resize(kDytCurveSamples);
    for (int k = 0; k < kDytCurveSamples; ++k)
        dy_.curve_x[static_cast<std::size_t>(k)] = -kDytXMax + 2.f * kDytXMax * k / (kDytCurveSamples - 1);
    recompute_dyt(false);
}

void WeightLab::recompute_dyt(bool track_changes) {
    const std::vector<float> old_y = dy_.y, old_ln = dy_.layer_norm;
    const std::size_t n = dy_.x.size();
    const std::vector<float> gamma(n, dy_.gamma), beta(n, dy_.beta);
    const core::TensorView row{.data = dy_.x.data(), .shape = core::Shape::matrix(1, static_cast<int>(n))};
    std::vector<float> y(n), ln(n), curve(dy_.curve_x.size());
    std::string problem = kernels::dyt(row, dy_.alpha, gamma.data(), beta.data(), y.data());
    if (problem.empty())
        problem = kernels::normalize(kernels::NormSpec{.kind = kernels::NormKind::Layer}, row, ln.data(),
                                     gamma.data(), beta.data(), nullptr, kernels::Impl::Reference);
    if (problem.empty())   // (N, 1): one channel, so one gamma and one beta
        problem = kernels::dyt({.data = dy_.curve_x.data(),
                                .shape = core::Shape::matrix(static_cast<int>(curve.size()), 1)},
                               dy_.alpha, &dy_.gamma, &dy_.beta, curve.data());
    dy_.error = problem;
    if (!problem.empty()) return;   // inputs are validated by the setters; keep the last outputs
    dy_.y = std::move(y);
    dy_.layer_norm = std::move(ln);
    dy_.curve_y = std::move(curve);
    dy_.changed_dyt.assign(n, 0);
    dy_.changed_layer.assign(n, 0);
    if (!track_changes || old_y.size() != n || old_ln.size() != n) return;
    for (std::size_t i = 0; i < n; ++i) {
        dy_.changed_dyt[i] = dy_.y[i] != old_y[i];
        dy_.changed_layer[i] = dy_.layer_norm[i] != old_ln[i];
    }
}

std::string WeightLab::set_dyt_x(int index, float value) {
    if (index < 0 || index >= static_cast<int>(dy_.x.size()))
        return "activation " + std::to_string(index) + " does not exist (n = " + std::to_string(dy_.x.size()) + ")";
    if (!std::isfinite(value)) return "x must be a finite number; kept the previous value";
    const float used = std::clamp(value, -kDytXMax, kDytXMax);
    const std::string note = clamp_note("x", value, used, -kDytXMax, kDytXMax);
    // The same value again (a drag that paused) keeps the flags of the edit that moved it.
    if (used == dy_.x[static_cast<std::size_t>(index)] && index == dy_.last_edited) return note;
    dy_.x[static_cast<std::size_t>(index)] = used;
    dy_.last_edited = index;
    recompute_dyt(true);
    return note;
}

std::string WeightLab::set_alpha(float alpha) {
    if (!std::isfinite(alpha)) return "α must be a finite number; kept α = " + fmt(dy_.alpha);
    const float used = std::clamp(alpha, kDytAlphaMin, kDytAlphaMax);
    dy_.alpha = used;
    dy_.last_edited = -1;
    recompute_dyt(false);
    return clamp_note("α", alpha, used, kDytAlphaMin, kDytAlphaMax);
}

std::string WeightLab::set_dyt_affine(float gamma, float beta) {
    std::string note;
    if (std::isfinite(gamma)) {
        const float used = std::clamp(gamma, -kDytAffineMax, kDytAffineMax);
        note = clamp_note("γ", gamma, used, -kDytAffineMax, kDytAffineMax);
        dy_.gamma = used;
    } else {
        note = "γ must be a finite number; kept γ = " + fmt(dy_.gamma);
    }
    if (std::isfinite(beta)) {
        const float used = std::clamp(beta, -kDytAffineMax, kDytAffineMax);
        note = join(note, clamp_note("β", beta, used, -kDytAffineMax, kDytAffineMax));
        dy_.beta = used;
    } else {
        note = join(note, "β must be a finite number; kept β = " + fmt(dy_.beta));
    }
    dy_.last_edited = -1;
    recompute_dyt(false);
    return note;
}

} // namespace normlab::sim
