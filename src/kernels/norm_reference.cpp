// kernels/norm_reference.cpp: Impl::Reference, the forward pass written to be obviously right.
// Plain loops over the canonical (O, P, Q, M) view, double accumulators, two passes (mean,
// then the centered sum of squares). Every other implementation is tested against this one.
// Float only at the edges: inputs are read as float, y and the trace are rounded once at the
// end. Statistics that overflow float (|x| ~ 1e30 squares to 1e60) stay finite in double, so
// y stays finite; only the trace entry shows +inf for that variance.
// The teaching variants live here only (norm.h's header states their math): eps outside the
// root, BatchNorm Eval's fixed statistics, y rounded to a storage format, and the naive
// storage-precision kernel (Accumulate::Storage), which is deliberately float-by-float.
#include <cmath>
#include <cstddef>
#include <vector>

#include "kernels/norm_impl.h"

namespace normlab::kernels::reference {

namespace {

// Accumulate::Storage: every intermediate rounded to the storage format, one op at a time, in
// the order norm.h spells out. Plain float arithmetic (FLT_EVAL_METHOD 0 on x86-64 SSE and
// wasm32), so tests/data/reference_variants.json, made with numpy float32 ops, matches bit for
// bit.
void normalize_storage(const NormJob& job) {
    const GroupPlan& p = job.plan;
    const Precision fmt = job.storage;
    auto r = [fmt](float v) { return round_to(fmt, v); };
    const std::size_t count = p.group_count();
    const float n = static_cast<float>(p.group_size());
    const float eps = job.eps;
    const bool rms = job.kind == NormKind::Rms;
    const bool outside = job.eps_placement == EpsPlacement::Outside;

    std::vector<float> center(count), inv_std(count);
    for (std::size_t g = 0; g < count; ++g) {
        const std::size_t o = g / p.groups;
        const std::size_t q = g % p.groups;
        float sum = 0.0f;
        float squares = 0.0f;
        // Cells of a group in increasing flat index order: pi outer, m inner.
        for (std::size_t pi = 0; pi < p.pre; ++pi) {
            for (std::size_t m = 0; m < p.inner; ++m) {
                const float v = job.x[((o * p.pre + pi) * p.groups + q) * p.inner + m];
                sum = r(sum + v);
                squares = r(squares + r(v * v));
            }
        }
        const float mean = r(sum / n);
        const float ms = r(squares / n);
        // One pass, E[x^2] - E[x]^2, not clamped: the cancellation is what the UI shows.
        const float var = r(ms - r(mean * mean));
        const float stat = job.fixed_var ? job.fixed_var[g] : (rms ? ms : var);
        const float denom = outside ? r(r(std::sqrt(stat)) + eps) : r(std::sqrt(r(stat + eps)));
        inv_std[g] = r(1.0f / denom);
        center[g] = rms ? 0.0f : (job.fixed_mean ? job.fixed_mean[g] : mean);
        job.trace->mean[g] = mean;
        job.trace->var[g] = var;
        job.trace->rms[g] = r(std::sqrt(ms));
        job.trace->inv_std[g] = inv_std[g];
    }

    for (std::size_t o = 0; o < p.outer; ++o) {
        for (std::size_t pi = 0; pi < p.pre; ++pi) {
            for (std::size_t q = 0; q < p.groups; ++q) {
                const std::size_t g = o * p.groups + q;
                for (std::size_t m = 0; m < p.inner; ++m) {
                    const std::size_t f = ((o * p.pre + pi) * p.groups + q) * p.inner + m;
                    const std::size_t c = (f / job.channel_stride) % job.channels;
                    const float normalized = r(r(job.x[f] - center[g]) * inv_std[g]);
                    // RMSNorm has no beta (job.beta is 0 for it): not added, so that a -0
                    // stays -0 as in PyTorch's x * rsqrt(ms + eps) * weight.
                    const float scaled = r(normalized * job.gamma[c]);
                    job.y[f] = rms ? scaled : r(scaled + job.beta[c]);
                }
            }
        }
    }
}

} // namespace

GroupStats group_stats(const NormJob& job, std::size_t group) {
    const GroupPlan& p = job.plan;
    const std::size_t o = group / p.groups;
    const std::size_t q = group % p.groups;
    const double n = static_cast<double>(p.group_size());
    auto cell = [&](std::size_t pi, std::size_t m) -> double {
        return job.x[((o * p.pre + pi) * p.groups + q) * p.inner + m];
    };

    // Pass 1: the mean, summed relative to the group's first cell. The shift makes a constant
    // group's mean exactly that constant, so x - mean is exactly 0 and y is exactly beta.
    const double first = cell(0, 0);
    double shifted = 0.0;
    double squares = 0.0;
    for (std::size_t pi = 0; pi < p.pre; ++pi) {
        for (std::size_t m = 0; m < p.inner; ++m) {
            const double v = cell(pi, m);
            shifted += v - first;
            squares += v * v;
        }
    }
    const double mean = first + shifted / n;

    // Pass 2: centered squares; never E[x^2] - E[x]^2, which cancels to noise when the mean is
    // large against the spread.
    double centered = 0.0;
    for (std::size_t pi = 0; pi < p.pre; ++pi) {
        for (std::size_t m = 0; m < p.inner; ++m) {
            const double d = cell(pi, m) - mean;
            centered += d * d;
        }
    }
    return GroupStats{.mean = mean, .var = centered / n, .ms = squares / n};
}

void normalize(const NormJob& job) {
    job.trace->impl_used = Impl::Reference;
    if (job.accumulate == Accumulate::Storage) {
        normalize_storage(job);
        return;
    }
    const GroupPlan& p = job.plan;
    const std::size_t count = p.group_count();
    const double eps = job.eps;
    const bool rms = job.kind == NormKind::Rms;
    const bool outside = job.eps_placement == EpsPlacement::Outside;

    // Statistics for every group first, so y may alias x.
    // center: what is subtracted (RMSNorm: nothing; BatchNorm Eval: the running mean).
    std::vector<double> center(count);
    std::vector<double> inv_std(count);
    for (std::size_t g = 0; g < count; ++g) {
        const GroupStats s = group_stats(job, g);
        const double stat = job.fixed_var ? job.fixed_var[g] : (rms ? s.ms : s.var);
        inv_std[g] = 1.0 / (outside ? std::sqrt(stat) + eps : std::sqrt(stat + eps));
        center[g] = rms ? 0.0 : (job.fixed_mean ? job.fixed_mean[g] : s.mean);
        job.trace->mean[g] = static_cast<float>(s.mean);
        job.trace->var[g] = static_cast<float>(s.var);
        job.trace->rms[g] = static_cast<float>(std::sqrt(s.ms));
        job.trace->inv_std[g] = static_cast<float>(inv_std[g]);
    }

    for (std::size_t o = 0; o < p.outer; ++o) {
        for (std::size_t pi = 0; pi < p.pre; ++pi) {
            for (std::size_t q = 0; q < p.groups; ++q) {
                const std::size_t g = o * p.groups + q;
                // RMSNorm scales x itself: no centering and no beta (job.beta is 0 for it; not
                // added, so that a -0 stays -0 as in PyTorch's x * rsqrt(ms + eps) * weight).
                for (std::size_t m = 0; m < p.inner; ++m) {
                    const std::size_t f = ((o * p.pre + pi) * p.groups + q) * p.inner + m;
                    const std::size_t c = (f / job.channel_stride) % job.channels;
                    const double scaled = (job.x[f] - center[g]) * inv_std[g] * job.gamma[c];
                    const double v = rms ? scaled : scaled + job.beta[c];
                    // A storage-format kernel computes in float and stores y in its format.
                    job.y[f] = round_to(job.storage, static_cast<float>(v));
                }
            }
        }
    }
}

} // namespace normlab::kernels::reference
