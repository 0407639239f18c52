// kernels/norm_reference.cpp: Impl::Reference, the forward pass written to be obviously right.
// Plain loops over the canonical (O, P, Q, M) view, double accumulators, two passes (mean,
// then the centered sum of squares). Every other implementation is tested against this one.
// Float only at the edges: inputs are read as float, y and the trace are rounded once at the
// end. Statistics that overflow float (|x| ~ 1e30 squares to 1e60) stay finite in double, so
// y stays finite; only the trace entry shows +inf for that variance.
#include <cmath>
#include <cstddef>
#include <vector>

#include "kernels/norm_impl.h"

namespace normlab::kernels::reference {

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
    const GroupPlan& p = job.plan;
    const std::size_t count = p.group_count();
    const double eps = job.eps;
    const bool rms = job.kind == NormKind::Rms;

    // Statistics for every group first, so y may alias x.
    std::vector<GroupStats> stats(count);
    std::vector<double> inv_std(count);
    for (std::size_t g = 0; g < count; ++g) {
        const GroupStats s = group_stats(job, g);
        stats[g] = s;
        inv_std[g] = 1.0 / std::sqrt((rms ? s.ms : s.var) + eps);
        job.trace->mean[g] = static_cast<float>(s.mean);
        job.trace->var[g] = static_cast<float>(s.var);
        job.trace->rms[g] = static_cast<float>(std::sqrt(s.ms));
        job.trace->inv_std[g] = static_cast<float>(inv_std[g]);
    }

    for (std::size_t o = 0; o < p.outer; ++o) {
        for (std::size_t pi = 0; pi < p.pre; ++pi) {
            for (std::size_t q = 0; q < p.groups; ++q) {
                const std::size_t g = o * p.groups + q;
                // RMSNorm scales x itself: no centering and no beta (job.beta is 0 for it).
                const double center = rms ? 0.0 : stats[g].mean;
                for (std::size_t m = 0; m < p.inner; ++m) {
                    const std::size_t f = ((o * p.pre + pi) * p.groups + q) * p.inner + m;
                    const std::size_t c = (f / job.channel_stride) % job.channels;
                    const double v = (job.x[f] - center) * inv_std[g] * job.gamma[c] + job.beta[c];
                    job.y[f] = static_cast<float>(v);
                }
            }
        }
    }
}

} // namespace normlab::kernels::reference
