// tests/fuzz/fuzz_kernels.cpp: differential libFuzzer target for the forward kernels. Built and
// run by `tools/fuzz kernels` (clang 14, -fsanitize=fuzzer,address,undefined); not part of the
// CMake build. Each input becomes one case: family, rank and dims (up to 70k cells, so chunked
// and fused paths are reached), groups, eps, gamma/beta or none, BatchNorm running statistics,
// and data that is hard on purpose: large offsets with tiny spreads, constant groups, denormals,
// NaN, infinities and values near the float range. Impl::Simd (SSE2 here) is compared with the
// double reference; a disagreement aborts with the case printed. What must hold:
//   - both implementations accept or refuse the case with the same message;
//   - y written in place is y written out of place, bit for bit, and so is the trace;
//   - a group with a non-finite input is NaN in y (all of it) in both, and no other group is;
//   - every other group: y, mean, var and the factor applied agree with the reference within
//     float accuracy, scaled by the group's conditioning; the running statistics too.
#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "../kernels/norm_test_util.h"
#include "core/shape.h"
#include "kernels/norm.h"

using namespace normlab;
using kernels::Impl;
using kernels::NormKind;

namespace {

constexpr double kUlp = 0x1p-24; // half an ulp of 1 in float: one rounding's relative error

[[noreturn]] void fail(const std::string& what, const std::string& context) {
    std::fprintf(stderr, "fuzz_kernels: %s\n  case: %s\n", what.c_str(), context.c_str());
    std::abort();
}

bool same_bits(float a, float b) {
    return (std::isnan(a) && std::isnan(b)) || (a == b && std::signbit(a) == std::signbit(b));
}

struct Run {
    std::string error;
    std::vector<float> y;
    kernels::NormTrace trace;
    kernels::RunningStats running;
};

Run run(const kernels::NormSpec& spec, const core::Shape& shape, const std::vector<float>& x,
        const std::vector<float>* gamma, const std::vector<float>* beta,
        const kernels::RunningStats* running, Impl impl, bool in_place) {
    Run r;
    r.y = in_place ? x : std::vector<float>(x.size(), -7.0f);
    if (running) r.running = *running;
    kernels::NormArgs args{.x = {.data = in_place ? r.y.data() : x.data(), .shape = shape},
                           .y = r.y.data(),
                           .gamma = gamma ? gamma->data() : nullptr,
                           .beta = beta ? beta->data() : nullptr,
                           .trace = &r.trace,
                           .running = running ? &r.running : nullptr,
                           .impl = impl};
    r.error = kernels::normalize(spec, args);
    return r;
}

// The data of one case: a base distribution, then some groups made constant, then a few cells
// overwritten with special values.
std::vector<float> make_data(FuzzedDataProvider& in, std::size_t n,
                             const kernels::GroupPlan& plan) {
    static const float kOffsets[] = {0.0f, 0.5f, -3.0f, 1e4f, -1e6f, 3e7f, 1e-30f};
    static const float kSpreads[] = {1.0f, 1e-2f, 1e-6f, 1e3f, 0.0f, 1e-38f};
    const float offset = kOffsets[in.ConsumeIntegralInRange<std::size_t>(0, 6)];
    const float spread = kSpreads[in.ConsumeIntegralInRange<std::size_t>(0, 5)];
    std::uint64_t s = in.ConsumeIntegral<std::uint64_t>() | 1;
    auto uniform = [&s] { // xorshift64*, in [-1, 1)
        s ^= s >> 12;
        s ^= s << 25;
        s ^= s >> 27;
        return static_cast<double>((s * 2685821657736338717ULL) >> 11) / 4503599627370496.0 - 1.0;
    };
    std::vector<float> x(n);
    for (float& v : x)
        v = static_cast<float>(offset + spread * uniform());
    // Whole groups constant (their variance is exactly 0).
    for (int k = in.ConsumeIntegralInRange<int>(0, 3); k > 0; --k) {
        const std::size_t g = in.ConsumeIntegralInRange<std::size_t>(0, plan.group_count() - 1);
        const float value = static_cast<float>(offset + uniform());
        for (std::size_t c = 0; c < plan.group_size(); ++c)
            x[kernels::group_cell(plan, g, c)] = value;
    }
    static const float kSpecial[] = {NAN,    INFINITY, -INFINITY, 1e30f, -3e38f,
                                     1e-40f, -0.0f,    0.0f,      1e19f, 6e4f};
    for (int k = in.ConsumeIntegralInRange<int>(0, 4); k > 0; --k)
        x[in.ConsumeIntegralInRange<std::size_t>(0, n - 1)] =
            kSpecial[in.ConsumeIntegralInRange<std::size_t>(0, 9)];
    return x;
}

void check(const std::uint8_t* data, std::size_t size) {
    FuzzedDataProvider in(data, size);
    kernels::NormSpec spec;
    spec.kind = static_cast<NormKind>(in.ConsumeIntegralInRange<int>(0, 4));
    core::Shape shape;
    shape.rank = in.ConsumeIntegralInRange<int>(2, 4);
    // Most dims small; one of them may be large, so chunks of 16384 cells and runs of many
    // 16-cell blocks are reached.
    for (int d = 0; d < shape.rank; ++d)
        shape.dims[static_cast<std::size_t>(d)] = in.ConsumeIntegralInRange<int>(1, 9);
    if (in.ConsumeBool())
        shape.dims[in.ConsumeIntegralInRange<std::size_t>(
            0, static_cast<std::size_t>(shape.rank) - 1)] = in.ConsumeIntegralInRange<int>(1, 2100);
    if (shape.size() > 70000) return;
    const int channels = shape.channels();
    spec.groups = in.ConsumeBool() ? in.ConsumeIntegralInRange<int>(1, channels)
                                   : std::max(1, channels / in.ConsumeIntegralInRange<int>(1, 8));
    static const float kEps[] = {1e-5f, 0.0f, 1e-3f, 1e-12f, 1.0f, -1.0f};
    spec.eps = kEps[in.ConsumeIntegralInRange<std::size_t>(0, 5)];
    spec.momentum = in.ConsumeProbability<float>();

    kernels::GroupPlan plan;
    const std::string planned = kernels::plan_groups(shape, spec, &plan);
    const std::size_t cells = shape.size();
    const std::vector<float> x =
        planned.empty() ? make_data(in, cells, plan) : std::vector<float>(cells, 1.0f);
    std::vector<float> gamma(static_cast<std::size_t>(channels)), beta(gamma.size());
    for (std::size_t c = 0; c < gamma.size(); ++c) {
        gamma[c] = static_cast<float>(in.ConsumeIntegralInRange<int>(-40, 40)) / 16.0f;
        beta[c] = static_cast<float>(in.ConsumeIntegralInRange<int>(-40, 40)) / 16.0f;
    }
    const bool affine = in.ConsumeBool();
    kernels::RunningStats running;
    const bool with_running = spec.kind == NormKind::Batch && in.ConsumeBool();
    if (with_running && in.ConsumeBool()) {
        running.mean.assign(gamma.size(), 0.25f);
        running.var.assign(gamma.size(), 2.0f);
    }
    const std::vector<float>* g = affine ? &gamma : nullptr;
    const std::vector<float>* b = affine ? &beta : nullptr;
    const kernels::RunningStats* rs = with_running ? &running : nullptr;

    char context[256];
    std::snprintf(context, sizeof context, "%s %s groups %d eps %g affine %d running %d",
                  kernels::norm_id(spec.kind), shape.str().c_str(), spec.groups,
                  static_cast<double>(spec.eps), affine, with_running);

    const Run ref = run(spec, shape, x, g, b, rs, Impl::Reference, false);
    const Run simd = run(spec, shape, x, g, b, rs, Impl::Simd, false);
    const Run inplace = run(spec, shape, x, g, b, rs, Impl::Simd, true);
    if (ref.error != simd.error || simd.error != inplace.error)
        fail("the implementations refuse differently: \"" + ref.error + "\" / \"" + simd.error +
                 "\" / \"" + inplace.error + "\"",
             context);
    if (!ref.error.empty()) {
        if (!test::bitwise_equal(simd.y, std::vector<float>(cells, -7.0f)))
            fail("y was written although the call was refused: " + ref.error, context);
        return;
    }
    using test::bitwise_equal;
    if (!bitwise_equal(simd.y, inplace.y) || !bitwise_equal(simd.trace.mean, inplace.trace.mean) ||
        !bitwise_equal(simd.trace.var, inplace.trace.var) ||
        !bitwise_equal(simd.trace.inv_std, inplace.trace.inv_std) ||
        !bitwise_equal(simd.running.mean, inplace.running.mean) ||
        !bitwise_equal(simd.running.var, inplace.running.var))
        fail("in place and out of place differ", context);

    // Per group: does it hold a non-finite input? Its size and the reference's statistics.
    std::vector<char> bad(plan.group_count(), 0);
    for (std::size_t i = 0; i < cells; ++i)
        if (!std::isfinite(x[i])) bad[kernels::group_of(plan, i)] = 1;
    const double n = static_cast<double>(plan.group_size());
    for (std::size_t i = 0; i < cells; ++i) {
        const std::size_t grp = kernels::group_of(plan, i);
        const float ys = simd.y[i], yr = ref.y[i];
        char where[160];
        std::snprintf(where, sizeof where,
                      "%s; cell %zu (group %zu): x %.9g simd %.9g reference %.9g", context, i, grp,
                      static_cast<double>(x[i]), static_cast<double>(ys), static_cast<double>(yr));
        if (bad[grp]) { // IEEE decides, as in PyTorch: NaN where the reference has NaN
            if (std::isnan(ys) != std::isnan(yr) || (!std::isnan(yr) && ys != yr))
                fail("a group with a non-finite input differs from the reference", where);
            continue;
        }
        const double var = ref.trace.var[grp];
        const double inv = ref.trace.inv_std[grp];
        if (!std::isfinite(inv) || inv > 1e30) { // eps 0 on a (numerically) constant group
            if (std::isfinite(ys) != std::isfinite(yr) && var > 0)
                fail("a zero-variance group came out finite in one implementation only", where);
            continue;
        }
        if (!std::isfinite(yr)) {
            if (!same_bits(ys, yr) && std::isfinite(ys))
                fail("y overflowed in one implementation only", where);
            continue;
        }
        // The mean is kept exactly (c + r), so even a large offset costs y nothing beyond the
        // float roundings of y itself and of the factor: no term grows with |mean| / sd. The
        // factor carries the float sums' error: up to n roundings in the worst case (a lane of a
        // long run sums thousands of its cells; after an outlier, each small square added to the
        // large sum rounds the same way: LayerNorm (3,40000) with one, var 2.6e-5 low).
        const double gam = affine ? std::fabs(gamma[kernels::channel_of(shape, i)]) : 1.0;
        if (std::fabs(static_cast<double>(ys) - yr) >
            (2e-5 + kUlp * n) * (1.0 + std::fabs(yr) + gam))
            fail("y disagrees with the reference", where);
    }
    for (std::size_t grp = 0; grp < plan.group_count(); ++grp) {
        if (bad[grp]) continue;
        const double mr = ref.trace.mean[grp], vr = ref.trace.var[grp];
        const double ms = simd.trace.mean[grp], vs = simd.trace.var[grp];
        const double sd = std::sqrt(std::max(vr, 0.0));
        char where[200];
        std::snprintf(where, sizeof where, "%s; group %zu: mean %.9g / %.9g, var %.9g / %.9g",
                      context, grp, ms, mr, vs, vr);
        if (!std::isfinite(mr) || !std::isfinite(vr)) continue; // float range: both reference
        // The sums are float: a long group's mean is good to a few ulps times sqrt(n) of its
        // spread (BatchNorm sums each column down all of its rows in one lane).
        if (std::fabs(ms - mr) > 1e-6 * std::fabs(mr) + 4 * kUlp * std::sqrt(n) * sd + 1e-37)
            fail("the mean disagrees with the reference", where);
        if (std::fabs(vs - vr) > (1e-4 + 2 * kUlp * n) * vr + 1e-37)
            fail("the variance disagrees with the reference", where);
    }
    for (std::size_t c = 0; c < ref.running.mean.size(); ++c) {
        const double mr = ref.running.mean[c], vr = ref.running.var[c];
        const double ms = simd.running.mean[c], vs = simd.running.var[c];
        if (!std::isfinite(mr) || !std::isfinite(vr)) {
            if (!same_bits(static_cast<float>(ms), static_cast<float>(mr)) && std::isfinite(ms))
                fail("a running mean is finite in one implementation only", context);
            continue;
        }
        // Built from the batch statistics: the same float accuracy as them.
        if (std::fabs(ms - mr) > 1e-5 * (1.0 + std::fabs(mr) + std::sqrt(std::fabs(vr))) ||
            std::fabs(vs - vr) > (1e-4 + 2 * kUlp * n) * (1e-30 + std::fabs(vr)))
            fail("the running statistics disagree with the reference", context);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    check(data, size);
    return 0;
}
