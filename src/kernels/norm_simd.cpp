// kernels/norm_simd.cpp: Impl::Simd, the forward pass on 128-bit float vectors (kernels/simd.h).
// Knows the canonical (O, P, Q, M) view from norm.h and nothing of UI or lab state.
//
// Two loop shapes, chosen by the contiguous run length M (plan.inner):
//   runs   M >= kBlock: each group is P runs of M adjacent cells; vectorize along m with four
//          independent accumulators (LayerNorm, RMSNorm, GroupNorm, InstanceNorm and BatchNorm
//          on images with a large H*W). Small groups are software-pipelined (stats_runs).
//   columns M < kBlock: a row of Q*M cells holds many groups side by side (BatchNorm on (B,d),
//          InstanceNorm on (B,L,d), ...); vectorize ACROSS the row, accumulating per-column
//          sums, then fold each group's M columns. Sixteen columns stay in registers down a
//          block of kRowBlock rows, then the next sixteen: memory is read a few rows at a time
//          (one load per cell, prefetch- and TLB-friendly), and every column is still summed
//          top to bottom. The apply walks the same tiles, its constants held in registers.
// Accuracy in float: two passes, never E[x^2] - E[x]^2.
//   Pass 1 sums x - s1 around the pivot s1 = the group's first cell, which is small when the
//   spread is small, so a 1e4 offset costs nothing. The mean s1 + s2, s2 = sum(x - s1) / n, is
//   kept exactly as c + r: c = the mean rounded to float, r = what the rounding left (TwoSum).
//   Pass 2 sums (x - c)^2. As c is the mean to float precision, x - c is as small as the
//   spread; the identity sum (x - c)^2 = sum (x - mean)^2 + n r^2 (exact: sum (x - mean) = 0)
//   gives var = sum (x - c)^2 / n - r^2 in double, where r^2 is below (ulp(mean) / 2)^2.
//   Apply: y = ((x - c) - r) * (inv * gamma) + beta; where one factor a = inv * gamma serves a
//   whole H*W plane or column, r is folded into its constant: y = (x - c) * a + (beta - r * a).
//   RMSNorm (c = r = 0, beta = 0) skips the subtractions of zero, which changes no bit.
// A constant group has c = x and r = 0 exactly, so its centered values are 0 and y is beta.
// Overflow: if a group's inputs are all finite but its float sums are not (|x| beyond ~1e19
// squares past FLT_MAX), the whole call is handed to the double reference before any y is
// written. Non-finite inputs are left to IEEE arithmetic: NaN spreads to its group only.
// Results are identical bit for bit on SSE2, WASM SIMD and the scalar fallback (fixed order,
// no fused multiply-add), and do not depend on the alignment of x.
// Speed (tools/bench): every pass is bound by the two float-add pipes of the machine, so the
// statistics use as few adds per cell as the two-pass form allows; see bench/README.md.
//
// [SECTION] index: reductions along a run | reductions across columns | element-wise apply |
//                  statistics (runs, columns) | apply | normalize
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

#include "kernels/norm_impl.h"
#include "kernels/simd.h"

NORMLAB_DECLARE_SIMD_KERNELS(NORMLAB_SIMD_NS)

namespace normlab::kernels::NORMLAB_SIMD_NS {

namespace {

constexpr std::size_t kBlock = 4 * kLanes; // cells per step of the four-accumulator body
constexpr std::size_t kRowBlock = 8;       // rows per column tile in the reductions
constexpr std::size_t kApplyRowBlock = 4;  // ... and in the apply (writes prefer fewer streams)

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

// a.sum += sum_i (x[i] - c)^2
void accumulate_squares(const float* x, std::size_t n, float c, Accumulator& a) {
    const f32x4 vc = splat(c);
    std::size_t i = 0;
    // for (i) { d = x[i] - c; a.acc[(i / 4) % 4] += d * d; }
    for (; i + kBlock <= n; i += kBlock) {
        const f32x4 d0 = sub(load(x + i), vc);
        const f32x4 d1 = sub(load(x + i + 4), vc);
        const f32x4 d2 = sub(load(x + i + 8), vc);
        const f32x4 d3 = sub(load(x + i + 12), vc);
        a.acc[0] = mul_add(d0, d0, a.acc[0]);
        a.acc[1] = mul_add(d1, d1, a.acc[1]);
        a.acc[2] = mul_add(d2, d2, a.acc[2]);
        a.acc[3] = mul_add(d3, d3, a.acc[3]);
    }
    for (; i + kLanes <= n; i += kLanes) {
        const f32x4 d = sub(load(x + i), vc);
        a.acc[0] = mul_add(d, d, a.acc[0]);
    }
    for (; i < n; ++i) {
        const float d = x[i] - c;
        a.tail += d * d;
    }
}

// [SECTION] reductions across columns -----------------------------------------------------

// out[j] = sum_r f(x[r*stride + j] - center[j]) for j < width, r < rows, f(d) = d or d*d.
// Each column is summed top to bottom in one lane; sixteen columns at a time stay in registers
// down a block of kRowBlock rows (the block's partial sums wait in out[] between blocks).
template <bool kSquare>
void accumulate_columns(const float* x, std::size_t stride, std::size_t rows, std::size_t width,
                        const float* center, float* out) {
    auto term = [](f32x4 d, f32x4 acc) { return kSquare ? mul_add(d, d, acc) : add(acc, d); };
    std::fill(out, out + width, 0.0f);
    for (std::size_t r0 = 0; r0 < rows; r0 += kRowBlock) {
        const std::size_t r1 = std::min(rows, r0 + kRowBlock);
        const float* block = x + r0 * stride;
        std::size_t j = 0;
        // for (j) for (r) out[j] += f(x[r*stride + j] - center[j]);
        for (; j + kBlock <= width; j += kBlock) {
            f32x4 a0 = load(out + j), a1 = load(out + j + 4), a2 = load(out + j + 8),
                  a3 = load(out + j + 12);
            const f32x4 p0 = load(center + j), p1 = load(center + j + 4), p2 = load(center + j + 8),
                        p3 = load(center + j + 12);
            const float* row = block + j;
            for (std::size_t r = r0; r < r1; ++r, row += stride) {
                a0 = term(sub(load(row), p0), a0);
                a1 = term(sub(load(row + 4), p1), a1);
                a2 = term(sub(load(row + 8), p2), a2);
                a3 = term(sub(load(row + 12), p3), a3);
            }
            store(out + j, a0);
            store(out + j + 4, a1);
            store(out + j + 8, a2);
            store(out + j + 12, a3);
        }
        for (; j + kLanes <= width; j += kLanes) {
            f32x4 a = load(out + j);
            const f32x4 p = load(center + j);
            const float* row = block + j;
            for (std::size_t r = r0; r < r1; ++r, row += stride)
                a = term(sub(load(row), p), a);
            store(out + j, a);
        }
        for (; j < width; ++j) {
            float a = out[j];
            const float* row = block + j;
            for (std::size_t r = r0; r < r1; ++r, row += stride) {
                const float d = *row - center[j];
                a += kSquare ? d * d : d;
            }
            out[j] = a;
        }
    }
}

// [SECTION] element-wise apply ------------------------------------------------------------
// kCentered = false is RMSNorm (c = r = 0): the same formula with the subtractions of zero
// left out, which changes no bit.

// y[i] = ((x[i] - c) - r) * (inv * gamma[i]) + beta[i]   (channel changes every cell)
template <bool kCentered>
void apply_run_per_cell(const float* x, float* y, std::size_t n, float c, float r, float inv,
                        const float* gamma, const float* beta) {
    const f32x4 vc = splat(c), vr = splat(r), vinv = splat(inv);
    auto centered = [&](f32x4 v) { return kCentered ? sub(sub(v, vc), vr) : v; };
    auto step = [&](std::size_t i) {
        const f32x4 a = mul(vinv, load(gamma + i));
        store(y + i, mul_add(centered(load(x + i)), a, load(beta + i)));
    };
    std::size_t i = 0;
    // for (i) y[i] = centered(x[i]) * (inv * gamma[i]) + beta[i];  four vectors per iteration
    // (lane-wise work: unrolling changes no bit)
    for (; i + kBlock <= n; i += kBlock)
        for (std::size_t k = 0; k < kBlock; k += kLanes)
            step(i + k);
    for (; i + kLanes <= n; i += kLanes)
        step(i);
    for (; i < n; ++i)
        y[i] = (kCentered ? (x[i] - c) - r : x[i]) * (inv * gamma[i]) + beta[i];
}

// y[i] = (x[i] - c) * a + b   (one channel for the whole run; b already holds beta - r * a)
template <bool kCentered>
void apply_run_uniform(const float* x, float* y, std::size_t n, float c, float a, float b) {
    const f32x4 vc = splat(c), va = splat(a), vb = splat(b);
    auto step = [&](std::size_t i) {
        const f32x4 v = load(x + i);
        store(y + i, mul_add(kCentered ? sub(v, vc) : v, va, vb));
    };
    std::size_t i = 0;
    // for (i) y[i] = (x[i] - c) * a + b;
    for (; i + kBlock <= n; i += kBlock)
        for (std::size_t k = 0; k < kBlock; k += kLanes)
            step(i + k);
    for (; i + kLanes <= n; i += kLanes)
        step(i);
    for (; i < n; ++i)
        y[i] = (kCentered ? x[i] - c : x[i]) * a + b;
}

// y[r*stride + j] = (x[r*stride + j] - c[j]) * a[j] + b[j] for j < width, r < rows (every
// column its own group and channel). Like accumulate_columns: sixteen columns' constants stay
// in registers down a block of kApplyRowBlock rows, so each cell costs one load and one store.
template <bool kCentered>
void apply_columns_rows(const float* x, float* y, std::size_t stride, std::size_t rows,
                        std::size_t width, const float* c, const float* a, const float* b) {
    for (std::size_t r0 = 0; r0 < rows; r0 += kApplyRowBlock) {
        const std::size_t r1 = std::min(rows, r0 + kApplyRowBlock);
        std::size_t j = 0;
        // for (j) for (r) y[r*stride + j] = (x[r*stride + j] - c[j]) * a[j] + b[j];
        for (; j + kBlock <= width; j += kBlock) {
            f32x4 vc[4], va[4], vb[4];
            for (std::size_t k = 0; k < 4; ++k) {
                vc[k] = load(c + j + k * kLanes);
                va[k] = load(a + j + k * kLanes);
                vb[k] = load(b + j + k * kLanes);
            }
            for (std::size_t r = r0; r < r1; ++r) {
                const float* xr = x + r * stride + j;
                float* yr = y + r * stride + j;
                for (std::size_t k = 0; k < 4; ++k) {
                    const f32x4 v = load(xr + k * kLanes);
                    store(yr + k * kLanes, mul_add(kCentered ? sub(v, vc[k]) : v, va[k], vb[k]));
                }
            }
        }
        for (; j + kLanes <= width; j += kLanes) {
            const f32x4 vc = load(c + j), va = load(a + j), vb = load(b + j);
            for (std::size_t r = r0; r < r1; ++r) {
                const f32x4 v = load(x + r * stride + j);
                store(y + r * stride + j, mul_add(kCentered ? sub(v, vc) : v, va, vb));
            }
        }
        for (; j < width; ++j) {
            for (std::size_t r = r0; r < r1; ++r) {
                const float v = x[r * stride + j];
                y[r * stride + j] = (kCentered ? v - c[j] : v) * a[j] + b[j];
            }
        }
    }
}

// [SECTION] statistics ----------------------------------------------------------------------

// Per group: c = the mean rounded to float and r = mean - c (so mean = c + r exactly), and the
// biased variance (double). After finish_group, inv holds the factor applied and, for RMSNorm,
// c and r are 0 (it scales x itself).
struct GroupStatsF {
    std::vector<float> c, r, inv;
    std::vector<double> var;

    explicit GroupStatsF(std::size_t count) : c(count), r(count), inv(count), var(count) {}

    // Pass 1 result: pivot s1 and the sum of x - s1 over n cells. The mean is s1 + s2; c and r
    // split it exactly (TwoSum), in float so pass 2 can start a few cycles sooner.
    void set_mean(std::size_t g, float s1, float shifted_sum, float n) {
        const float s2 = shifted_sum / n;
        const float sum = s1 + s2;
        const float back = sum - s1;
        c[g] = sum;
        r[g] = (s1 - (sum - back)) + (s2 - back);
    }
    // Pass 2 result: the sum of (x - c)^2 over n cells. The correction can only round below 0
    // when the spread is under float resolution of the mean; 0 is the right answer there.
    // (Not std::max: a NaN variance must stay NaN.)
    void set_var(std::size_t g, float squares, float n) {
        const double rr = static_cast<double>(r[g]);
        const double v = static_cast<double>(squares) / n - rr * rr;
        var[g] = v < 0.0 ? 0.0 : v;
    }
    double mean(std::size_t g) const { return static_cast<double>(c[g]) + r[g]; }
    bool finite(std::size_t g) const { return std::isfinite(c[g] + r[g]) && std::isfinite(var[g]); }
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

// The factor applied and the trace entries of group g, in double (O(groups)).
void finish_group(const NormJob& job, std::size_t g, GroupStatsF& st) {
    const bool rms = job.kind == NormKind::Rms;
    const double mean = st.mean(g);
    const double var = st.var[g];
    const double ms = var + mean * mean; // exact identity, no cancellation: both terms >= 0
    const double inv_std = 1.0 / std::sqrt((rms ? ms : var) + job.eps);
    st.inv[g] = static_cast<float>(inv_std);
    job.trace->mean[g] = static_cast<float>(mean);
    job.trace->var[g] = static_cast<float>(var);
    job.trace->rms[g] = static_cast<float>(std::sqrt(ms));
    job.trace->inv_std[g] = st.inv[g];
    if (rms) st.c[g] = st.r[g] = 0.0f;
}

// Both passes over every group of the runs layout. Pass 2 of a group waits for its mean (a
// horizontal add, a divide and a TwoSum). For small groups that wait is as long as the group's
// work, so they are software-pipelined: pass 1 runs `lag` groups (about kPipelineCells cells,
// still in L1 for pass 2) ahead of pass 2, and the next groups' pass 1 hides the wait. Larger
// groups run pass 1 then pass 2 (lag 0), which measured faster for them in V8 (rows streaming
// from memory overlap better with the cached pass 2).
constexpr std::size_t kPipelineCells = 512;

void stats_runs(const NormJob& job, GroupStatsF& st) {
    const GroupPlan& p = job.plan;
    const float n = static_cast<float>(p.group_size());
    const std::size_t count = p.group_count();
    const std::size_t lag = p.group_size() < kPipelineCells ? kPipelineCells / p.group_size() : 0;
    // Run pi of group g; with P = 1 the groups simply follow each other (no divide).
    auto run = [&](std::size_t g, std::size_t pi) {
        return p.pre == 1 ? job.x + g * p.inner
                          : job.x + run_start(p, g / p.groups, pi, g % p.groups);
    };
    for (std::size_t k = 0; k < count + lag; ++k) {
        if (k < count) {
            const float s1 = *run(k, 0);
            Accumulator sum;
            for (std::size_t pi = 0; pi < p.pre; ++pi)
                accumulate_shifted(run(k, pi), p.inner, s1, sum);
            st.set_mean(k, s1, sum.total(), n);
        }
        if (k >= lag) {
            const std::size_t g = k - lag; // lag 0: the group pass 1 just summed
            Accumulator squares;
            for (std::size_t pi = 0; pi < p.pre; ++pi)
                accumulate_squares(run(g, pi), p.inner, st.c[g], squares);
            st.set_var(g, squares.total(), n);
        }
    }
}

void stats_columns(const NormJob& job, GroupStatsF& st) {
    const GroupPlan& p = job.plan;
    const std::size_t width = p.groups * p.inner; // one row of the (O*P) x (Q*M) matrix
    const float n = static_cast<float>(p.group_size());
    // With M = 1 (BatchNorm and InstanceNorm on (B,d) / (B,L,d)) every column is a group: the
    // pivots are the first row itself and the pass 2 centers are st.c, so nothing is copied.
    const bool one = p.inner == 1;
    std::vector<float> center(one ? 0 : width), sums(width);
    // total(q): the M column sums of group q, added in column order.
    auto total = [&](std::size_t q) {
        float s = 0.0f;
        for (std::size_t m = 0; m < p.inner; ++m)
            s += sums[q * p.inner + m];
        return s;
    };
    for (std::size_t o = 0; o < p.outer; ++o) {
        const float* block = job.x + run_start(p, o, 0, 0);
        const std::size_t g0 = o * p.groups;
        // Pass 1: every column of group q is shifted by the group's pivot, its first cell.
        if (!one) {
            for (std::size_t q = 0; q < p.groups; ++q)
                std::fill_n(center.begin() + q * p.inner, p.inner, block[q * p.inner]);
        }
        accumulate_columns<false>(block, width, p.pre, width, one ? block : center.data(),
                                  sums.data());
        for (std::size_t q = 0; q < p.groups; ++q)
            st.set_mean(g0 + q, block[q * p.inner], one ? sums[q] : total(q), n);
        // Pass 2: centered on the group's mean rounded to float.
        if (!one) {
            for (std::size_t q = 0; q < p.groups; ++q)
                std::fill_n(center.begin() + q * p.inner, p.inner, st.c[g0 + q]);
        }
        accumulate_columns<true>(block, width, p.pre, width, one ? st.c.data() + g0 : center.data(),
                                 sums.data());
        for (std::size_t q = 0; q < p.groups; ++q)
            st.set_var(g0 + q, one ? sums[q] : total(q), n);
    }
}

// [SECTION] apply ---------------------------------------------------------------------------

// y of run pi of group (o, q) (runs layout).
template <bool kCentered>
void apply_run(const NormJob& job, std::size_t o, std::size_t pi, std::size_t q,
               const GroupStatsF& st) {
    const GroupPlan& p = job.plan;
    const std::size_t cs = job.channel_stride;
    const std::size_t f = run_start(p, o, pi, q);
    const std::size_t g = o * p.groups + q;
    const float c = st.c[g], r = st.r[g], inv = st.inv[g];
    if (cs == 1) {
        // Rank 2/3: the run is a slice of one feature row. A row of the runs layout is exactly
        // the C features (Q * M = C: LayerNorm Q = 1, GroupNorm M = C / G), so group q's run
        // starts at channel q * M (what f % C gives, without a divide per run).
        const std::size_t c0 = q * p.inner;
        apply_run_per_cell<kCentered>(job.x + f, job.y + f, p.inner, c, r, inv, job.gamma + c0,
                                      job.beta + c0);
        return;
    }
    // Rank 4: the run is whole H*W planes, one channel each.
    std::size_t ch = (f / cs) % job.channels;
    for (std::size_t k = 0; k < p.inner; k += cs) {
        const float a = inv * job.gamma[ch];
        apply_run_uniform<kCentered>(job.x + f + k, job.y + f + k, cs, c, a, job.beta[ch] - r * a);
        if (++ch == job.channels) ch = 0;
    }
}

// Every run in memory order (o, pi, q): the reads and writes stream.
template <bool kCentered> void apply_runs(const NormJob& job, const GroupStatsF& st) {
    const GroupPlan& p = job.plan;
    for (std::size_t o = 0; o < p.outer; ++o)
        for (std::size_t pi = 0; pi < p.pre; ++pi)
            for (std::size_t q = 0; q < p.groups; ++q)
                apply_run<kCentered>(job, o, pi, q, st);
}

template <bool kCentered> void apply_columns(const NormJob& job, const GroupStatsF& st) {
    const GroupPlan& p = job.plan;
    const std::size_t width = p.groups * p.inner;
    const std::size_t cs = job.channel_stride;
    std::vector<float> c(width), a(width), b(width);
    for (std::size_t o = 0; o < p.outer; ++o) {
        // A row starts on a channel boundary (width is a multiple of C * channel_stride).
        std::size_t ch = 0, k = 0; // channel of column j, and j's place in that channel's plane
        for (std::size_t q = 0, j = 0; q < p.groups; ++q) {
            const std::size_t g = o * p.groups + q;
            for (std::size_t m = 0; m < p.inner; ++m, ++j) {
                c[j] = st.c[g];
                a[j] = st.inv[g] * job.gamma[ch];
                b[j] = job.beta[ch] - st.r[g] * a[j];
                if (++k == cs) {
                    k = 0;
                    if (++ch == job.channels) ch = 0;
                }
            }
        }
        const std::size_t f = run_start(p, o, 0, 0);
        apply_columns_rows<kCentered>(job.x + f, job.y + f, width, p.pre, width, c.data(), a.data(),
                                      b.data());
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
    GroupStatsF st(count);

    // Every statistic before any y, so y may alias x. (Normalizing each group right after its
    // statistics, while it is in cache, measured no faster in V8: the work is compute-bound.)
    if (columns) {
        stats_columns(job, st);
    } else {
        stats_runs(job, st);
    }
    // Finite inputs with non-finite float statistics: float range, not the data, is the
    // problem. Nothing is written yet, so the double reference can take the whole call.
    for (std::size_t g = 0; g < count; ++g) {
        if (!st.finite(g) && group_inputs_finite(job, g)) {
            reference::normalize(job);
            return;
        }
    }
    for (std::size_t g = 0; g < count; ++g)
        finish_group(job, g, st);

    if (columns) {
        if (rms)
            apply_columns<false>(job, st);
        else
            apply_columns<true>(job, st);
    } else {
        if (rms)
            apply_runs<false>(job, st);
        else
            apply_runs<true>(job, st);
    }
}

} // namespace normlab::kernels::NORMLAB_SIMD_NS
