// kernels/norm_simd.cpp: Impl::Simd, the forward pass on 128-bit float vectors (kernels/simd.h).
// Knows the canonical (O, P, Q, M) view from norm.h and nothing of UI or lab state.
//
// Two loop shapes, chosen by the contiguous run length M (plan.inner):
//   runs   M >= kBlock: each group is P runs of M adjacent cells; vectorize along m with four
//          independent accumulators (LayerNorm, RMSNorm, GroupNorm, InstanceNorm and BatchNorm
//          on images with a large H*W).
//   columns M < kBlock: a row of Q*M cells holds many groups side by side (BatchNorm on (B,d),
//          InstanceNorm on (B,L,d), ...); vectorize ACROSS the row, accumulating per-column
//          sums row by row, then fold each group's M columns.
// Accuracy in float: two passes, both shifted by a pivot s1 (the group's first cell). Pass 1
// sums x - s1, which is small when the spread is small, so a 1e4 offset costs nothing; the
// mean is s1 + s2 with s2 = sum(x - s1) / n. Pass 2 sums ((x - s1) - s2)^2. Never
// E[x^2] - E[x]^2. A constant group gives exactly 0 centered values, so y is exactly beta.
// Overflow: if a group's inputs are all finite but its float sums are not (|x| beyond ~1e19
// squares past FLT_MAX), the whole call is handed to the double reference before any y is
// written. Non-finite inputs are left to IEEE arithmetic: NaN spreads to its group only.
// Results are identical bit for bit on SSE2, WASM SIMD and the scalar fallback (fixed order,
// no fused multiply-add).
//
// [SECTION] index: reductions along a run | reductions across columns | element-wise apply |
//                  statistics (runs, columns) | normalize
#include <cmath>
#include <cstddef>
#include <vector>

#include "kernels/norm_impl.h"
#include "kernels/simd.h"

NORMLAB_DECLARE_SIMD_KERNELS(NORMLAB_SIMD_NS)

namespace normlab::kernels::NORMLAB_SIMD_NS {

namespace {

constexpr std::size_t kBlock = 4 * kLanes; // cells per step of the four-accumulator body

// [SECTION] reductions along a run -------------------------------------------------------

// Partial sums of one group: four vector accumulators and a scalar tail, added in one fixed
// order by total() so the result never depends on where the runs start or end.
struct Accumulator {
    f32x4 acc[4] = {splat(0.0f), splat(0.0f), splat(0.0f), splat(0.0f)};
    float tail = 0.0f;

    float total() const { return hsum(add(add(acc[0], acc[1]), add(acc[2], acc[3]))) + tail; }
};

// a.sum += sum_i (x[i] - s1)
void accumulate_shifted(const float* x, std::size_t n, float s1, Accumulator& a) {
    const f32x4 vs1 = splat(s1);
    std::size_t i = 0;
    // for (i) a.acc[(i / 4) % 4] += x[i] - s1;
    for (; i + kBlock <= n; i += kBlock) {
        a.acc[0] = add(a.acc[0], sub(load(x + i), vs1));
        a.acc[1] = add(a.acc[1], sub(load(x + i + 4), vs1));
        a.acc[2] = add(a.acc[2], sub(load(x + i + 8), vs1));
        a.acc[3] = add(a.acc[3], sub(load(x + i + 12), vs1));
    }
    for (; i + kLanes <= n; i += kLanes)
        a.acc[0] = add(a.acc[0], sub(load(x + i), vs1));
    for (; i < n; ++i)
        a.tail += x[i] - s1;
}

// a.sum += sum_i ((x[i] - s1) - s2)^2
void accumulate_centered_squares(const float* x, std::size_t n, float s1, float s2,
                                 Accumulator& a) {
    const f32x4 vs1 = splat(s1);
    const f32x4 vs2 = splat(s2);
    std::size_t i = 0;
    // for (i) { d = (x[i] - s1) - s2; a.acc[(i / 4) % 4] += d * d; }
    for (; i + kBlock <= n; i += kBlock) {
        const f32x4 d0 = sub(sub(load(x + i), vs1), vs2);
        const f32x4 d1 = sub(sub(load(x + i + 4), vs1), vs2);
        const f32x4 d2 = sub(sub(load(x + i + 8), vs1), vs2);
        const f32x4 d3 = sub(sub(load(x + i + 12), vs1), vs2);
        a.acc[0] = mul_add(d0, d0, a.acc[0]);
        a.acc[1] = mul_add(d1, d1, a.acc[1]);
        a.acc[2] = mul_add(d2, d2, a.acc[2]);
        a.acc[3] = mul_add(d3, d3, a.acc[3]);
    }
    for (; i + kLanes <= n; i += kLanes) {
        const f32x4 d = sub(sub(load(x + i), vs1), vs2);
        a.acc[0] = mul_add(d, d, a.acc[0]);
    }
    for (; i < n; ++i) {
        const float d = (x[i] - s1) - s2;
        a.tail += d * d;
    }
}

// [SECTION] reductions across columns -----------------------------------------------------

// out[j] = sum_r f((x[r*stride + j] - s1[j]) - s2[j]) for j < width, r < rows, f(d) = d or
// d*d. Each column is summed top to bottom; sixteen columns at a time stay in registers.
template <bool kSquare>
void accumulate_columns(const float* x, std::size_t stride, std::size_t rows, std::size_t width,
                        const float* s1, const float* s2, float* out) {
    auto term = [](f32x4 d, f32x4 acc) { return kSquare ? mul_add(d, d, acc) : add(acc, d); };
    std::size_t j = 0;
    // for (j) for (r) out[j] += f((x[r*stride + j] - s1[j]) - s2[j]);
    for (; j + kBlock <= width; j += kBlock) {
        f32x4 a0 = splat(0.0f), a1 = splat(0.0f), a2 = splat(0.0f), a3 = splat(0.0f);
        const f32x4 p0 = load(s1 + j), p1 = load(s1 + j + 4), p2 = load(s1 + j + 8),
                    p3 = load(s1 + j + 12);
        const f32x4 q0 = load(s2 + j), q1 = load(s2 + j + 4), q2 = load(s2 + j + 8),
                    q3 = load(s2 + j + 12);
        for (std::size_t r = 0; r < rows; ++r) {
            const float* row = x + r * stride + j;
            a0 = term(sub(sub(load(row), p0), q0), a0);
            a1 = term(sub(sub(load(row + 4), p1), q1), a1);
            a2 = term(sub(sub(load(row + 8), p2), q2), a2);
            a3 = term(sub(sub(load(row + 12), p3), q3), a3);
        }
        store(out + j, a0);
        store(out + j + 4, a1);
        store(out + j + 8, a2);
        store(out + j + 12, a3);
    }
    for (; j + kLanes <= width; j += kLanes) {
        f32x4 a = splat(0.0f);
        const f32x4 p = load(s1 + j), q = load(s2 + j);
        for (std::size_t r = 0; r < rows; ++r)
            a = term(sub(sub(load(x + r * stride + j), p), q), a);
        store(out + j, a);
    }
    for (; j < width; ++j) {
        float a = 0.0f;
        for (std::size_t r = 0; r < rows; ++r) {
            const float d = (x[r * stride + j] - s1[j]) - s2[j];
            a += kSquare ? d * d : d;
        }
        out[j] = a;
    }
}

// [SECTION] element-wise apply ------------------------------------------------------------

// y[i] = ((x[i] - s1) - s2) * (inv * gamma[i]) + beta[i]   (channel changes every cell)
void apply_run_per_cell(const float* x, float* y, std::size_t n, float s1, float s2, float inv,
                        const float* gamma, const float* beta) {
    const f32x4 vs1 = splat(s1), vs2 = splat(s2), vinv = splat(inv);
    std::size_t i = 0;
    for (; i + kLanes <= n; i += kLanes) {
        const f32x4 a = mul(vinv, load(gamma + i));
        store(y + i, mul_add(sub(sub(load(x + i), vs1), vs2), a, load(beta + i)));
    }
    for (; i < n; ++i)
        y[i] = ((x[i] - s1) - s2) * (inv * gamma[i]) + beta[i];
}

// y[i] = ((x[i] - s1) - s2) * a + b   (one channel for the whole run)
void apply_run_uniform(const float* x, float* y, std::size_t n, float s1, float s2, float a,
                       float b) {
    const f32x4 vs1 = splat(s1), vs2 = splat(s2), va = splat(a), vb = splat(b);
    std::size_t i = 0;
    for (; i + kLanes <= n; i += kLanes)
        store(y + i, mul_add(sub(sub(load(x + i), vs1), vs2), va, vb));
    for (; i < n; ++i)
        y[i] = ((x[i] - s1) - s2) * a + b;
}

// y[j] = ((x[j] - s1[j]) - s2[j]) * a[j] + b[j]   (every column its own group and channel)
void apply_row(const float* x, float* y, std::size_t n, const float* s1, const float* s2,
               const float* a, const float* b) {
    std::size_t j = 0;
    for (; j + kLanes <= n; j += kLanes) {
        const f32x4 d = sub(sub(load(x + j), load(s1 + j)), load(s2 + j));
        store(y + j, mul_add(d, load(a + j), load(b + j)));
    }
    for (; j < n; ++j)
        y[j] = ((x[j] - s1[j]) - s2[j]) * a[j] + b[j];
}

// [SECTION] statistics ----------------------------------------------------------------------

// Per group: y = ((x - s1) - s2) * inv * gamma + beta. For RMSNorm s1 = s2 = 0 at apply time.
struct Shifts {
    std::vector<float> s1, s2, var;
};

std::size_t run_start(const GroupPlan& p, std::size_t o, std::size_t pi, std::size_t q) {
    return ((o * p.pre + pi) * p.groups + q) * p.inner;
}

// True when every input cell of the group is finite (only asked after a sum went non-finite).
bool group_inputs_finite(const NormJob& job, std::size_t g) {
    const GroupPlan& p = job.plan;
    const std::size_t o = g / p.groups, q = g % p.groups;
    for (std::size_t pi = 0; pi < p.pre; ++pi) {
        const float* run = job.x + run_start(p, o, pi, q);
        for (std::size_t m = 0; m < p.inner; ++m)
            if (!std::isfinite(run[m])) return false;
    }
    return true;
}

void stats_runs(const NormJob& job, Shifts& sh) {
    const GroupPlan& p = job.plan;
    const float n = static_cast<float>(p.group_size());
    for (std::size_t o = 0; o < p.outer; ++o) {
        for (std::size_t q = 0; q < p.groups; ++q) {
            const std::size_t g = o * p.groups + q;
            const float s1 = job.x[run_start(p, o, 0, q)];
            Accumulator sum;
            for (std::size_t pi = 0; pi < p.pre; ++pi)
                accumulate_shifted(job.x + run_start(p, o, pi, q), p.inner, s1, sum);
            const float s2 = sum.total() / n;
            Accumulator squares;
            for (std::size_t pi = 0; pi < p.pre; ++pi)
                accumulate_centered_squares(job.x + run_start(p, o, pi, q), p.inner, s1, s2,
                                            squares);
            sh.s1[g] = s1;
            sh.s2[g] = s2;
            sh.var[g] = squares.total() / n;
        }
    }
}

void stats_columns(const NormJob& job, Shifts& sh) {
    const GroupPlan& p = job.plan;
    const std::size_t width = p.groups * p.inner; // one row of the (O*P) x (Q*M) matrix
    const float n = static_cast<float>(p.group_size());
    std::vector<float> pivot(width), shift(width), sums(width);
    for (std::size_t o = 0; o < p.outer; ++o) {
        const float* block = job.x + run_start(p, o, 0, 0);
        // Every column of group q shares the group's pivot: its first cell.
        for (std::size_t j = 0; j < width; ++j) {
            pivot[j] = block[(j / p.inner) * p.inner];
            shift[j] = 0.0f;
        }
        accumulate_columns<false>(block, width, p.pre, width, pivot.data(), shift.data(),
                                  sums.data());
        for (std::size_t q = 0; q < p.groups; ++q) {
            float s = 0.0f;
            for (std::size_t m = 0; m < p.inner; ++m)
                s += sums[q * p.inner + m];
            sh.s1[o * p.groups + q] = pivot[q * p.inner];
            sh.s2[o * p.groups + q] = s / n;
        }
        for (std::size_t j = 0; j < width; ++j)
            shift[j] = sh.s2[o * p.groups + j / p.inner];
        accumulate_columns<true>(block, width, p.pre, width, pivot.data(), shift.data(),
                                 sums.data());
        for (std::size_t q = 0; q < p.groups; ++q) {
            float s = 0.0f;
            for (std::size_t m = 0; m < p.inner; ++m)
                s += sums[q * p.inner + m];
            sh.var[o * p.groups + q] = s / n;
        }
    }
}

// [SECTION] apply ---------------------------------------------------------------------------

void apply_runs(const NormJob& job, const Shifts& sh, const std::vector<float>& inv) {
    const GroupPlan& p = job.plan;
    const std::size_t cs = job.channel_stride;
    for (std::size_t o = 0; o < p.outer; ++o) {
        for (std::size_t pi = 0; pi < p.pre; ++pi) {
            for (std::size_t q = 0; q < p.groups; ++q) {
                const std::size_t g = o * p.groups + q;
                const std::size_t f = run_start(p, o, pi, q);
                if (cs == 1) {
                    // Rank 2/3: the run is a slice of one feature row, channels f % C onwards.
                    const std::size_t c0 = f % job.channels;
                    apply_run_per_cell(job.x + f, job.y + f, p.inner, sh.s1[g], sh.s2[g], inv[g],
                                       job.gamma + c0, job.beta + c0);
                    continue;
                }
                // Rank 4: the run is whole H*W planes, one channel each.
                for (std::size_t k = 0; k < p.inner; k += cs) {
                    const std::size_t c = ((f + k) / cs) % job.channels;
                    apply_run_uniform(job.x + f + k, job.y + f + k, cs, sh.s1[g], sh.s2[g],
                                      inv[g] * job.gamma[c], job.beta[c]);
                }
            }
        }
    }
}

void apply_columns(const NormJob& job, const Shifts& sh, const std::vector<float>& inv) {
    const GroupPlan& p = job.plan;
    const std::size_t width = p.groups * p.inner;
    std::vector<float> s1(width), s2(width), a(width), b(width);
    for (std::size_t o = 0; o < p.outer; ++o) {
        // A row starts on a channel boundary (width is a multiple of C * channel_stride).
        for (std::size_t j = 0; j < width; ++j) {
            const std::size_t g = o * p.groups + j / p.inner;
            const std::size_t c = (j / job.channel_stride) % job.channels;
            s1[j] = sh.s1[g];
            s2[j] = sh.s2[g];
            a[j] = inv[g] * job.gamma[c];
            b[j] = job.beta[c];
        }
        for (std::size_t pi = 0; pi < p.pre; ++pi) {
            const std::size_t f = run_start(p, o, pi, 0);
            apply_row(job.x + f, job.y + f, width, s1.data(), s2.data(), a.data(), b.data());
        }
    }
}

} // namespace

// [SECTION] normalize -------------------------------------------------------------------------

const char* compiled_target() {
    return target_name();
}

void normalize(const NormJob& job) {
    const GroupPlan& p = job.plan;
    const std::size_t count = p.group_count();
    const bool columns = p.inner < kBlock;
    const bool rms = job.kind == NormKind::Rms;

    Shifts sh{.s1 = std::vector<float>(count),
              .s2 = std::vector<float>(count),
              .var = std::vector<float>(count)};
    if (columns)
        stats_columns(job, sh);
    else
        stats_runs(job, sh);

    // Finite inputs with non-finite float statistics: float range, not the data, is the
    // problem. Nothing is written yet, so the double reference can take the whole call.
    for (std::size_t g = 0; g < count; ++g) {
        if (std::isfinite(sh.s2[g]) && std::isfinite(sh.var[g])) continue;
        if (group_inputs_finite(job, g)) {
            reference::normalize(job);
            return;
        }
    }

    // Per-group scalars in double: a mean of 1e20 squares fine there, and it is O(groups).
    std::vector<float> inv(count);
    for (std::size_t g = 0; g < count; ++g) {
        const double mean = static_cast<double>(sh.s1[g]) + sh.s2[g];
        const double var = sh.var[g];
        const double ms = var + mean * mean; // exact identity, no cancellation: both terms >= 0
        const double inv_std = 1.0 / std::sqrt((rms ? ms : var) + job.eps);
        inv[g] = static_cast<float>(inv_std);
        job.trace->mean[g] = static_cast<float>(mean);
        job.trace->var[g] = sh.var[g];
        job.trace->rms[g] = static_cast<float>(std::sqrt(ms));
        job.trace->inv_std[g] = inv[g];
        if (rms) sh.s1[g] = sh.s2[g] = 0.0f; // RMSNorm scales x itself
    }

    if (columns)
        apply_columns(job, sh, inv);
    else
        apply_runs(job, sh, inv);
}

} // namespace normlab::kernels::NORMLAB_SIMD_NS
