// kernels/weight_norm.cpp: see weight_norm.h for the math. Plain scalar loops with double
// accumulators; every check runs before the first write.
#include "kernels/weight_norm.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "core/rng.h"
#include "kernels/norm.h"

namespace normlab::kernels {

namespace {

std::string format_float(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

// "" when p[0..n) is finite, else a message naming the first bad entry.
std::string check_finite(const float* p, std::size_t n, const char* name) {
    for (std::size_t i = 0; i < n; ++i)
        if (!std::isfinite(p[i]))
            return std::string(name) + "[" + std::to_string(i) + "] is not finite (" +
                   format_float(p[i]) + ")";
    return {};
}

std::string check_scalar(float v, const char* name) {
    if (std::isfinite(v)) return {};
    return std::string(name) + " is not finite (" + format_float(v) + ")";
}

// Checks the shape of a view that must be rank 2 (out, in); `what` names the function.
std::string check_matrix(const core::Shape& s, const char* what) {
    if (s.rank != 2)
        return std::string(what) + " needs a rank-2 (out, in) weight, got rank " +
               std::to_string(s.rank);
    if (!s.valid()) return std::string(what) + ": weight shape " + s.str() + " has a dimension < 1";
    return {};
}

// Shapes the activation functions accept: any valid rank 2..4 (as plan_groups reads them).
std::string check_activation(const core::Shape& s, const char* what) {
    if (s.rank < 2 || s.rank > 4)
        return std::string(what) + ": shape has rank " + std::to_string(s.rank) +
               "; need rank 2 (B,d), 3 (B,L,d) or 4 (B,C,H,W)";
    if (!s.valid()) return std::string(what) + ": shape " + s.str() + " has a dimension < 1";
    return {};
}

double norm2(const std::vector<double>& a) {
    double s = 0.0;
    for (double v : a)
        s += v * v;
    return std::sqrt(s);
}

// PyTorch's F.normalize(a, dim=0, eps=1e-12).
void normalize_in_place(std::vector<double>* a) {
    const double d = std::max(norm2(*a), kSpectralNormEps);
    for (double& v : *a)
        v /= d;
}

} // namespace

// [SECTION] WeightNorm

std::string weight_norm(core::TensorView v, const float* g, float* w, float* row_norms) {
    std::string error = check_matrix(v.shape, "WeightNorm");
    if (!error.empty()) return error;
    if (!v.data) return "WeightNorm: v is null";
    if (!g) return "WeightNorm: g is null";
    if (!w) return "WeightNorm: w is null";
    const std::size_t out = static_cast<std::size_t>(v.shape.dims[0]);
    const std::size_t in = static_cast<std::size_t>(v.shape.dims[1]);
    if (!(error = check_finite(v.data, out * in, "WeightNorm: v")).empty()) return error;
    if (!(error = check_finite(g, out, "WeightNorm: g")).empty()) return error;

    std::vector<double> norms(out);
    for (std::size_t r = 0; r < out; ++r) {
        double s = 0.0;
        for (std::size_t i = 0; i < in; ++i) {
            const double e = v.data[r * in + i];
            s += e * e;
        }
        norms[r] = std::sqrt(s);
        if (norms[r] == 0.0)
            return "WeightNorm: row " + std::to_string(r) +
                   " of v is all zero, so v / ||v|| is undefined";
    }
    for (std::size_t r = 0; r < out; ++r) {
        const double k = static_cast<double>(g[r]) / norms[r];
        for (std::size_t i = 0; i < in; ++i)
            w[r * in + i] = static_cast<float>(v.data[r * in + i] * k);
        if (row_norms) row_norms[r] = static_cast<float>(norms[r]);
    }
    return {};
}

// [SECTION] SpectralNorm

std::string spectral_norm_init(const core::Shape& w_shape, std::uint64_t seed,
                               SpectralNormState* state) {
    const std::string error = check_matrix(w_shape, "SpectralNorm");
    if (!error.empty()) return error;
    if (!state) return "SpectralNorm: state is null";
    core::Rng rng(seed);
    std::vector<double> u(static_cast<std::size_t>(w_shape.dims[0]));
    std::vector<double> v(static_cast<std::size_t>(w_shape.dims[1]));
    for (double& e : u)
        e = rng.normal();
    for (double& e : v)
        e = rng.normal();
    normalize_in_place(&u);
    normalize_in_place(&v);
    state->u.assign(u.begin(), u.end());
    state->v.assign(v.begin(), v.end());
    return {};
}

std::string spectral_norm(core::TensorView w, int iterations, SpectralNormState* state, float* w_sn,
                          float* sigma, std::vector<float>* sigma_per_iteration) {
    std::string error = check_matrix(w.shape, "SpectralNorm");
    if (!error.empty()) return error;
    if (!w.data) return "SpectralNorm: w is null";
    if (!state) return "SpectralNorm: state is null";
    if (iterations < 0)
        return "SpectralNorm: iterations must be >= 0 (got " + std::to_string(iterations) + ")";
    const std::size_t out = static_cast<std::size_t>(w.shape.dims[0]);
    const std::size_t in = static_cast<std::size_t>(w.shape.dims[1]);
    if (state->u.size() != out || state->v.size() != in)
        return "SpectralNorm: state has u of " + std::to_string(state->u.size()) + " and v of " +
               std::to_string(state->v.size()) + " values but weight " + w.shape.str() + " needs " +
               std::to_string(out) + " and " + std::to_string(in) + " (call spectral_norm_init)";
    if (!(error = check_finite(w.data, out * in, "SpectralNorm: w")).empty()) return error;
    if (!(error = check_finite(state->u.data(), out, "SpectralNorm: u")).empty()) return error;
    if (!(error = check_finite(state->v.data(), in, "SpectralNorm: v")).empty()) return error;
    if (std::all_of(w.data, w.data + out * in, [](float e) { return e == 0.0f; }))
        return "SpectralNorm: w is all zero, so W / sigma is undefined";

    auto at = [&](std::size_t r, std::size_t i) { return static_cast<double>(w.data[r * in + i]); };
    std::vector<double> u(state->u.begin(), state->u.end());
    std::vector<double> v(state->v.begin(), state->v.end());
    std::vector<double> wv(out);
    auto multiply_wv = [&]() {
        for (std::size_t r = 0; r < out; ++r) {
            double s = 0.0;
            for (std::size_t i = 0; i < in; ++i)
                s += at(r, i) * v[i];
            wv[r] = s;
        }
    };
    auto dot_u_wv = [&]() {
        double s = 0.0;
        for (std::size_t r = 0; r < out; ++r)
            s += u[r] * wv[r];
        return s;
    };

    std::vector<float> history;
    history.reserve(static_cast<std::size_t>(iterations));
    for (int k = 0; k < iterations; ++k) {
        // v = normalize(W^T u)
        for (std::size_t i = 0; i < in; ++i) {
            double s = 0.0;
            for (std::size_t r = 0; r < out; ++r)
                s += at(r, i) * u[r];
            v[i] = s;
        }
        normalize_in_place(&v);
        // u = normalize(W v); the estimate u . W v reuses W v.
        multiply_wv();
        u = wv;
        normalize_in_place(&u);
        history.push_back(static_cast<float>(dot_u_wv()));
    }
    multiply_wv();
    const double s = dot_u_wv();
    if (!(s > 0.0) || !std::isfinite(s))
        return "SpectralNorm: the sigma estimate is " + format_float(s) +
               " (u is orthogonal to the range of W; re-initialise u and v)";

    state->u.assign(u.begin(), u.end());
    state->v.assign(v.begin(), v.end());
    if (w_sn)
        for (std::size_t k = 0; k < out * in; ++k)
            w_sn[k] = static_cast<float>(w.data[k] / s);
    if (sigma) *sigma = static_cast<float>(s);
    if (sigma_per_iteration) *sigma_per_iteration = std::move(history);
    return {};
}

// [SECTION] ScaleNorm

std::string scale_norm(core::TensorView x, float g, float eps, float* y, float* row_norms) {
    if (x.shape.rank != 2 && x.shape.rank != 3)
        return "ScaleNorm normalizes the feature vectors of (B,d) or (B,L,d); got rank " +
               std::to_string(x.shape.rank);
    if (!x.shape.valid()) return "ScaleNorm: shape " + x.shape.str() + " has a dimension < 1";
    if (!x.data) return "ScaleNorm: x is null";
    if (!y) return "ScaleNorm: y is null";
    std::string error = check_scalar(g, "ScaleNorm: g");
    if (!error.empty()) return error;
    if (!std::isfinite(eps) || eps < 0.0f)
        return "ScaleNorm: eps must be finite and >= 0 (got " + format_float(eps) + ")";
    const std::size_t n = x.shape.size();
    if (!(error = check_finite(x.data, n, "ScaleNorm: x")).empty()) return error;

    const std::size_t d = static_cast<std::size_t>(x.shape.channels());
    const std::size_t rows = n / d;
    for (std::size_t r = 0; r < rows; ++r) {
        double s = 0.0;
        for (std::size_t i = 0; i < d; ++i) {
            const double e = x.data[r * d + i];
            s += e * e;
        }
        const double norm = std::sqrt(s);
        const double k = static_cast<double>(g) / std::max(norm, static_cast<double>(eps));
        for (std::size_t i = 0; i < d; ++i)
            y[r * d + i] = static_cast<float>(x.data[r * d + i] * k);
        if (row_norms) row_norms[r] = static_cast<float>(norm);
    }
    return {};
}

// [SECTION] DyT

std::string dyt(core::TensorView x, float alpha, const float* gamma, const float* beta, float* y) {
    std::string error = check_activation(x.shape, "DyT");
    if (!error.empty()) return error;
    if (!x.data) return "DyT: x is null";
    if (!y) return "DyT: y is null";
    if (!(error = check_scalar(alpha, "DyT: alpha")).empty()) return error;
    const std::size_t n = x.shape.size();
    const std::size_t channels = static_cast<std::size_t>(x.shape.channels());
    if (!(error = check_finite(x.data, n, "DyT: x")).empty()) return error;
    if (gamma && !(error = check_finite(gamma, channels, "DyT: gamma")).empty()) return error;
    if (beta && !(error = check_finite(beta, channels, "DyT: beta")).empty()) return error;

    for (std::size_t f = 0; f < n; ++f) {
        const std::size_t c = channel_of(x.shape, f);
        const double gm = gamma ? static_cast<double>(gamma[c]) : 1.0;
        const double bt = beta ? static_cast<double>(beta[c]) : 0.0;
        y[f] = static_cast<float>(gm * std::tanh(static_cast<double>(alpha) * x.data[f]) + bt);
    }
    return {};
}

} // namespace normlab::kernels
