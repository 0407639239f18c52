// tests/kernels/norm_test_util.h: small helpers shared by the kernel tests (random tensors, one
// call that returns y + trace + error, magnitude-scaled comparisons). Test-only; no doctest
// macros here so every assertion stays visible in the test that makes it.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/rng.h"
#include "core/shape.h"
#include "kernels/norm.h"

namespace normlab::test {

namespace kn = normlab::kernels;

inline std::vector<float> random_floats(std::size_t n, std::uint64_t seed, float offset = 0.0f,
                                        float scale = 1.0f) {
    core::Rng rng(seed);
    std::vector<float> v(n);
    for (float& f : v)
        f = offset + scale * static_cast<float>(rng.normal());
    return v;
}

struct NormRun {
    std::string error;
    std::vector<float> y;
    kn::NormTrace trace;
};

inline NormRun run_norm(const kn::NormSpec& spec, const core::Shape& shape,
                        const std::vector<float>& x, kn::Impl impl,
                        const std::vector<float>* gamma = nullptr,
                        const std::vector<float>* beta = nullptr) {
    NormRun r;
    r.y.assign(x.size(), 0.0f);
    r.error = kn::normalize(spec, core::TensorView{.data = x.data(), .shape = shape}, r.y.data(),
                            gamma ? gamma->data() : nullptr, beta ? beta->data() : nullptr,
                            &r.trace, impl);
    return r;
}

// Largest |a - b| / (floor + |b|) over two equal-length vectors; inf on a length mismatch or
// when exactly one side is not finite. Both NaN (or equal infinities) count as agreement.
inline double max_scaled_error(const std::vector<float>& a, const std::vector<float>& b,
                               double floor = 1.0) {
    if (a.size() != b.size()) return INFINITY;
    double worst = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const bool fa = std::isfinite(a[i]), fb = std::isfinite(b[i]);
        if (!fa || !fb) {
            const bool same = (std::isnan(a[i]) && std::isnan(b[i])) || a[i] == b[i];
            if (!same) return INFINITY;
            continue;
        }
        const double e = std::fabs(static_cast<double>(a[i]) - b[i]) / (floor + std::fabs(b[i]));
        if (e > worst) worst = e;
    }
    return worst;
}

inline bool bitwise_equal(const std::vector<float>& a, const std::vector<float>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (std::isnan(a[i]) && std::isnan(b[i])) continue;
        if (a[i] != b[i] || std::signbit(a[i]) != std::signbit(b[i])) return false;
    }
    return true;
}

inline bool all_finite(const std::vector<float>& v) {
    for (float f : v)
        if (!std::isfinite(f)) return false;
    return true;
}

} // namespace normlab::test
