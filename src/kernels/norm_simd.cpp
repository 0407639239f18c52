// kernels/norm_simd.cpp: Impl::Simd, the forward pass on 128-bit float vectors (kernels/simd.h).
// Knows the canonical (O, P, Q, M) view from norm.h and nothing of UI or lab state.
//
// Two loop shapes, chosen by the contiguous run length M (plan.inner):
//   runs   M >= kBlock: each group is P runs of M adjacent cells; vectorize along m with four
//          independent accumulator pairs (LayerNorm, RMSNorm, GroupNorm, InstanceNorm and
//          BatchNorm on images with a large H*W).
//   columns M < kBlock: a row of Q*M cells holds many groups side by side (BatchNorm on (B,d),
//          InstanceNorm on (B,L,d), ...); vectorize ACROSS the row, accumulating per-column
//          sums, then fold each group's M columns. Twelve columns stay in registers down a
//          block of kRowBlock rows, then the next twelve: memory is read a few rows at a time
//          (one load per cell, prefetch- and TLB-friendly); each column is summed top to
//          bottom in leaves of kLeafRows rows whose sums then add pairwise (a long column keeps
//          its small terms). The apply walks the same tiles, its constants held in registers.
// Statistics and apply are fused: the statistics of a chunk of groups (about kChunkCells
// cells, or one group if it is larger; a columns block is one outer index) are taken, then
// the same chunk is normalized while it is still in cache, so x is read from memory once; in
// the runs layout that apply shares its loop with the next chunk's sums (stats_rows_applying),
// so the reads from memory overlap the arithmetic instead of waiting for it. (BatchNorm on
// images: its groups are planes strewn over every example, so a chunk holds kChunkCells cells
// of each example, in L2 for the common shapes; BatchNorm on (B,d) reads x twice: normalize.)
// (When y overlaps x, every statistic is taken before any y is written instead; same bits.)
// Accuracy in float, never E[x^2] - E[x]^2:
//   One pass sums d = x - p and d^2 (a run of over kSpillCells cells in stretches of that many,
//   whose float totals join the group's in order) around a pivot p, the mean of the first 8 cells
//   (first cell if it has fewer; the pairwise sum makes p exact for a constant group), or 0 in
//   the runs layout when those cells straddle 0 (groups of 512+ cells; x - 0 == x bit for bit,
//   so that pass has no subtraction at all: run_pivot), and always 0 for RMSNorm's runs (its
//   factor needs mean(x^2) alone: set_run_pivots). Then
//   mean = p + s/n and var = q/n - (s/n)^2 in double. A 1e4 offset costs nothing: d is as
//   small as the spread. The cancellation in var is harmless while (s/n)^2 <= kIllCond * var
//   (error at most 1 + kIllCond times that of the float sum q); past it (a pivot far from the
//   mean, a few sigma off: rare with an 8-cell pivot) the group takes the same pass again
//   around the mean just found, where s/n is tiny: then mean and var are as exact as the
//   reference's two-pass form (E[x^2] - E[x]^2 is never used).
//   The mean is kept exactly as c + r: c = the mean rounded to float, r = what the rounding
//   left (|r| <= ulp(c) / 2).
//   Apply: y = ((x - c) - r) * (inv * gamma) + beta; where one factor a = inv * gamma serves a
//   whole H*W plane or column, r is folded into its constant: y = (x - c) * a + (beta - r * a).
//   Where gamma changes every cell, r is left out when |c| * inv <= kDropR: the mean is within
//   kDropR standard deviations of 0, so r * inv * gamma <= 2^-24 * kDropR * |gamma| (a couple of
//   ulp of a unit-size output). A large offset (1e4 + 1e-2 noise) keeps its r.
//   RMSNorm (c = r = 0, no beta) skips the subtractions of zero, which changes no bit, and has
//   no beta to add (a zero beta could only have turned a -0 into +0).
// A constant group has p = c = x and r = 0 exactly, so its centered values are 0 and y is beta.
// Overflow: if a group's inputs are all finite but its float sums are not (|x| beyond ~1e19
// squares past FLT_MAX), the whole call is handed to the double reference (which rewrites y
// and the trace; with y overlapping x nothing has been written yet). Non-finite inputs are left
// to IEEE arithmetic: NaN spreads to its group only.
// Results are identical bit for bit on SSE2, WASM SIMD and the scalar fallback (fixed order,
// no fused multiply-add), and do not depend on the alignment of x.
// Speed (tools/bench): the passes are bound by instruction throughput (vector float ops, loads,
// stores), so each cell costs one read from memory and as few ops as the exact statistics
// allow; the element-wise loops step pointers, so a load is one base plus a constant offset; the
// per-group double math runs four groups a step in f64x2 ops. See bench/README.md.
//
// [SECTION] index: reductions along a run | reductions across columns | element-wise apply |
//                  group statistics | runs layout | columns layout | normalize
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "kernels/norm_impl.h"
#include "kernels/simd.h"

NORMLAB_DECLARE_SIMD_KERNELS(NORMLAB_SIMD_NS)

namespace normlab::kernels::NORMLAB_SIMD_NS {

namespace {

constexpr std::size_t kBlock = 4 * kLanes; // cells per step of the four-accumulator body
constexpr std::size_t kRowBlock = 8;       // rows per column tile in the reductions
constexpr std::size_t kApplyRowBlock = 8;  // ... and in the apply (4: constants reloaded too often,
                                           // -4%; 16: too many write streams, -13% on (4096,1024))
// Columns a tile of the reductions sums at once: three vectors, whose sums and centres stay in
// V8's 15 vector registers (with four, one sum and one centre lived on the stack).
constexpr std::size_t kColumnTile = 3 * kLanes;
// Rows summed straight down before accumulate_columns adds the sums pairwise: 63 roundings at
// most in a leaf, and at 4096 rows one extra pass over the sums per leaf (about 2% of the time).
constexpr std::size_t kLeafRows = 64;
// Statistics taken ahead of the apply: 8 KiB of x, so the apply that follows (fused with the
// next chunk's sums) reads it from L1; for groups of P > 1 runs as many cells of each example
// (BatchNorm (32,64,32,32): 256 KiB in all, in L2, where 16384 cells made 2 MiB that the apply
// read from memory again). On the Intel host of bench/README.md, against 16384 cells: rows
// x1.02-1.10, BatchNorm on images x1.4; 4096 cells in between, 1024 cells 2-4% slower. (On the
// AMD host of stop 20, 4096 cells had cost LayerNorm (64,768) and GroupNorm (4096,1024) 7%.)
constexpr std::size_t kChunkCells = 2048;
// Short runs of one group summed together before their totals join the group's (stats_runs):
// summing each 16-cell run on its own cost GroupNorm on (B,L,d) 30%, 256 cells a stretch none.
constexpr std::size_t kRunSumCells = 256;
// A run longer than this is summed in stretches of kSpillCells cells from its start, each in its
// own float accumulators, whose totals join the group's in order (spill): no float lane then sums
// more than 64 terms. Straight through, every small square added after a large one rounded the
// same way (LayerNorm (3,40000) with one -1e4 outlier: var 2.6e-5 low). A multiple of kBlock.
constexpr std::size_t kSpillCells = 1024;
constexpr std::size_t kPivotCells = 8;     // cells averaged into a group's pivot
constexpr double kIllCond = 3.0;           // one-pass var kept while (mean - p)^2 <= 3 var
constexpr double kDropR = 4.0;             // r left out of per-cell applies if |c| * inv <= 4
constexpr float kZeroPivot = 0.25f;        // runs sum around 0 if |mean of 8| <= range of 8 / 4
constexpr std::size_t kZeroPivotCells = 512; // ... in groups this large (smaller: not worth it)

// [SECTION] reductions along a run -------------------------------------------------------

// Partial sums of one group: four vector accumulators and a scalar tail, added in one fixed
// order by total() so the result never depends on where the runs start or end.
struct Accumulator {
    f32x4 acc[4] = {splat(0.0f), splat(0.0f), splat(0.0f), splat(0.0f)};
    float tail = 0.0f;

    f32x4 lanes() const { return add(add(acc[0], acc[1]), add(acc[2], acc[3])); }
};

// A stretch's totals (a sum s and its squares q) set into (first) or added to a group's sums
// gs, gq, and its accumulators started again from zero.
inline void spill(Accumulator& s, Accumulator& q, bool first, float& gs, float& gq) {
    float ts, tq;
    hsum2(s.lanes(), q.lanes(), ts, tq);
    ts += s.tail;
    tq += q.tail;
    gs = first ? ts : gs + ts;
    gq = first ? tq : gq + tq;
    s = q = Accumulator{};
}

// One kBlock step of the moments below: cells x[0 .. 16) around vp into the four pairs.
template <bool kShift>
inline void accumulate_block(const float* x, f32x4 vp, Accumulator& s, Accumulator& q) {
    for (std::size_t k = 0; k < 4; ++k) {
        const f32x4 d = kShift ? sub(load(x + k * kLanes), vp) : load(x + k * kLanes);
        s.acc[k] = add(s.acc[k], d);
        q.acc[k] = mul_add(d, d, q.acc[k]);
    }
}

// s.sum += sum_i (x[i] - p), q.sum += sum_i (x[i] - p)^2: both moments in one read.
// kShift = false is the same with p = 0, whose subtraction changes no bit (x - 0 == x, also
// for -0, infinities and NaN), so it is left out: one vector add fewer per 4 cells.
template <bool kShift>
void accumulate_moments(const float* x, std::size_t n, float p, Accumulator& s, Accumulator& q) {
    const f32x4 vp = splat(p);
    auto centered = [&](const float* at) { return kShift ? sub(load(at), vp) : load(at); };
    const float* const end = x + n;
    // for (i) { d = x[i] - p; s.acc[(i / 4) % 4] += d; q.acc[(i / 4) % 4] += d * d; }
    for (; end - x >= static_cast<std::ptrdiff_t>(kBlock); x += kBlock)
        accumulate_block<kShift>(x, vp, s, q);
    for (; end - x >= static_cast<std::ptrdiff_t>(kLanes); x += kLanes) {
        const f32x4 d = centered(x);
        s.acc[0] = add(s.acc[0], d);
        q.acc[0] = mul_add(d, d, q.acc[0]);
    }
    for (; x != end; ++x) {
        const float d = kShift ? *x - p : *x;
        s.tail += d;
        q.tail += d * d;
    }
}

// accumulate_moments around p, without the subtraction when p is 0.
void accumulate_moments_around(const float* x, std::size_t n, float p, Accumulator& s,
                               Accumulator& q) {
    if (p == 0.0f)
        accumulate_moments<false>(x, n, p, s, q);
    else
        accumulate_moments<true>(x, n, p, s, q);
}

// [SECTION] reductions across columns -----------------------------------------------------

// s[j] = sum d, q[j] = sum d^2 over r < rows, d = x[r*stride + j] - center[j], for j < width.
// Each column is summed top to bottom in one lane; kColumnTile columns at a time stay in registers
// down a block of kRowBlock rows (the block's partial sums wait in s[] and q[] between blocks).
// One leaf of accumulate_columns (at most kLeafRows rows); s and q need no zeroing.
void sum_columns(const float* x, std::size_t stride, std::size_t rows, std::size_t width,
                 const float* center, float* s, float* q) {
    for (std::size_t r0 = 0; r0 < rows; r0 += kRowBlock) {
        const bool first = r0 == 0; // the first block starts from 0 (0 + d == d: same bits)
        const std::size_t r1 = std::min(rows, r0 + kRowBlock);
        const float* block = x + r0 * stride;
        std::size_t j = 0;
        // for (j) for (r) { d = x[r*stride + j] - center[j]; s[j] += d; q[j] += d * d; }
        for (; j + kColumnTile <= width; j += kColumnTile) {
            constexpr std::size_t kVecs = kColumnTile / kLanes;
            f32x4 vs[kVecs], vq[kVecs], vp[kVecs];
            for (std::size_t k = 0; k < kVecs; ++k) {
                vs[k] = first ? splat(0.0f) : load(s + j + k * kLanes);
                vq[k] = first ? splat(0.0f) : load(q + j + k * kLanes);
                vp[k] = load(center + j + k * kLanes);
            }
            const float* row = block + j;
            for (std::size_t r = r0; r < r1; ++r, row += stride) {
                for (std::size_t k = 0; k < kVecs; ++k) {
                    const f32x4 d = sub(load(row + k * kLanes), vp[k]);
                    vs[k] = add(vs[k], d);
                    vq[k] = mul_add(d, d, vq[k]);
                }
            }
            for (std::size_t k = 0; k < kVecs; ++k) {
                store(s + j + k * kLanes, vs[k]);
                store(q + j + k * kLanes, vq[k]);
            }
        }
        for (; j + kLanes <= width; j += kLanes) {
            f32x4 vs = first ? splat(0.0f) : load(s + j);
            f32x4 vq = first ? splat(0.0f) : load(q + j);
            const f32x4 vp = load(center + j);
            const float* row = block + j;
            for (std::size_t r = r0; r < r1; ++r, row += stride) {
                const f32x4 d = sub(load(row), vp);
                vs = add(vs, d);
                vq = mul_add(d, d, vq);
            }
            store(s + j, vs);
            store(q + j, vq);
        }
        for (; j < width; ++j) {
            float as = first ? 0.0f : s[j], aq = first ? 0.0f : q[j];
            const float* row = block + j;
            for (std::size_t r = r0; r < r1; ++r, row += stride) {
                const float d = *row - center[j];
                as += d;
                aq += d * d;
            }
            s[j] = as;
            q[j] = aq;
        }
    }
}

#if defined(__clang__)
#define NORMLAB_NO_UNROLL _Pragma("clang loop unroll(disable) vectorize(disable)")
#else
#define NORMLAB_NO_UNROLL
#endif

// dst[j] = a[j] + dst[j] for j < n (a holds the earlier rows' sums: one fixed order).
__attribute__((noinline)) void add_before(const float* a, float* dst, std::size_t n) {
    std::size_t j = 0;
    // (A pass per leaf of 64 rows: kept small, not unrolled; it is not where the time goes.)
    NORMLAB_NO_UNROLL
    for (; j + kLanes <= n; j += kLanes)
        store(dst + j, add(load(a + j), load(dst + j)));
    NORMLAB_NO_UNROLL
    for (; j < n; ++j)
        dst[j] = a[j] + dst[j];
}

// Levels of pending leaf sums accumulate_columns needs for `rows` rows (two arrays of `width`
// floats per level).
std::size_t column_sum_levels(std::size_t rows) {
    std::size_t levels = 0;
    for (std::size_t leaves = (rows + kLeafRows - 1) / kLeafRows; leaves > 1;
         leaves = (leaves + 1) / 2)
        ++levels;
    return levels;
}

// sum_columns over all `rows`, as pairwise sums of leaves of kLeafRows rows: a leaf's sums join
// the pending ones like a binary counter (leaf k carries through the levels its trailing one
// bits name), so each column's sum is a balanced tree of leaves whose error grows with log2 of
// the leaf count. Summed straight down, a long column lost what came after a large value: every
// small square added to a large sum rounds the same way (a 12,528-row BatchNorm column with one
// outlier: y 7e-5 off). Up to kLeafRows rows this is sum_columns itself, bit for bit.
// pending: 2 * width * column_sum_levels(rows) floats of scratch.
void accumulate_columns(const float* x, std::size_t stride, std::size_t rows, std::size_t width,
                        const float* center, float* s, float* q, float* pending) {
    auto level_s = [&](std::size_t i) { return pending + 2 * i * width; };
    auto level_q = [&](std::size_t i) { return pending + (2 * i + 1) * width; };
    auto join = [&](std::size_t i) { // s, q = level i (earlier rows) + s, q
        add_before(level_s(i), s, width);
        add_before(level_q(i), q, width);
    };
    for (std::size_t k = 0, r0 = 0; r0 < rows; ++k, r0 += kLeafRows) {
        const std::size_t r1 = std::min(rows, r0 + kLeafRows);
        sum_columns(x + r0 * stride, stride, r1 - r0, width, center, s, q);
        std::size_t i = 0;
        for (; (k >> i) & 1; ++i) // carry: the pending 2^i leaves come first
            join(i);
        if (r1 < rows) { // park the carry at level i until a leaf of equal weight arrives
            std::copy(s, s + width, level_s(i));
            std::copy(q, q + width, level_q(i));
            continue;
        }
        for (++i; (k >> i) != 0; ++i) // the last leaf: fold in what is still pending
            if ((k >> i) & 1) join(i);
    }
}

// [SECTION] element-wise apply ------------------------------------------------------------

// How a run is centered: RMSNorm not at all (c = r = 0: the subtractions of zero are left out,
// which changes no bit), a well-placed mean by c alone, a far one by c and r (file header).
enum class Center { None, Mean, MeanExact };

// Four cells of apply_run_per_cell (below): y = centered(x) * (inv * gamma) + beta.
template <Center kCenter>
inline void apply_cells(const float* x, float* y, const float* gamma, const float* beta, f32x4 vc,
                        f32x4 vr, f32x4 vinv) {
    const f32x4 v = load(x);
    const f32x4 d = kCenter == Center::None   ? v
                    : kCenter == Center::Mean ? sub(v, vc)
                                              : sub(sub(v, vc), vr);
    const f32x4 w = mul(d, mul(vinv, load(gamma)));
    store(y, kCenter == Center::None ? w : add(w, load(beta)));
}

// y[i] = ((x[i] - c) - r) * (inv * gamma[i]) + beta[i]   (channel changes every cell; RMSNorm
// has no beta: its y is the product alone). The loops step pointers rather than one index, so
// every load and store of an unrolled step is one base plus a constant offset.
template <Center kCenter>
void apply_run_per_cell(const float* x, float* y, std::size_t n, float c, float r, float inv,
                        const float* gamma, const float* beta) {
    const f32x4 vc = splat(c), vr = splat(r), vinv = splat(inv);
    auto step = [&](std::size_t k) {
        apply_cells<kCenter>(x + k, y + k, gamma + k, beta + k, vc, vr, vinv);
    };
    const float* const end = x + n;
    // for (i) y[i] = centered(x[i]) * (inv * gamma[i]) + beta[i];  four vectors per iteration
    // (lane-wise work: unrolling changes no bit)
    for (; end - x >= static_cast<std::ptrdiff_t>(kBlock);
         x += kBlock, y += kBlock, gamma += kBlock, beta += kBlock)
        for (std::size_t k = 0; k < kBlock; k += kLanes)
            step(k);
    for (; end - x >= static_cast<std::ptrdiff_t>(kLanes);
         x += kLanes, y += kLanes, gamma += kLanes, beta += kLanes)
        step(0);
    for (; x != end; ++x, ++y, ++gamma, ++beta) {
        const float v = kCenter == Center::None   ? *x
                        : kCenter == Center::Mean ? *x - c
                                                  : (*x - c) - r;
        *y = kCenter == Center::None ? v * (inv * *gamma) : v * (inv * *gamma) + *beta;
    }
}

// accumulate_moments<kShift>(xs, n, p, s, q) and apply_run_per_cell<kCenter>(x, y, n, ...) in
// one loop: the next group's sums are taken while this group's y is written, so its reads from
// memory overlap the apply's arithmetic (out of cache, apart phases left the memory idle while
// the apply ran; bench/stream_bench.cpp, minimal row kernels on (4096,1024): 56-74% of memcpy
// apart, 70-86% in one loop).
// Each half does exactly what its own function does, in the same order: the same bits.
// The apply comes first in the loop body: with the sums first, LLVM hoisted their four loads
// above the apply, and V8 (15 vector registers) kept three of the eight accumulators on the
// stack, three stores and three loads every 16 cells (node --print-wasm-code): LayerNorm x1.06.
// Always inlined: reached from two loops of stats_rows_applying, the scalar build made it a
// function of its own, whose accumulators then lived in memory (GroupNorm scalar x0.71).
template <bool kShift, Center kCenter>
[[gnu::always_inline]] inline void
accumulate_while_applying(const float* xs, std::size_t n, float p, Accumulator& s, Accumulator& q,
                          const float* x, float* y, float c, float inv, const float* gamma,
                          const float* beta) {
    static_assert(kCenter != Center::MeanExact, "the exact centre takes the separate loops");
    const f32x4 vp = splat(p), vc = splat(c), vinv = splat(inv);
    const float* const end = xs + n; // n is a multiple of kBlock: no remainder loops
    for (; xs != end; xs += kBlock, x += kBlock, y += kBlock, gamma += kBlock, beta += kBlock) {
        for (std::size_t k = 0; k < kBlock; k += kLanes) // (r is not used: vc stands in)
            apply_cells<kCenter>(x + k, y + k, gamma + k, beta + k, vc, vc, vinv);
        accumulate_block<kShift>(xs, vp, s, q);
    }
}

// One stretch of a row group in the fused loops of stats_rows_applying: RMSNorm's sums are
// around 0 and its apply centres nothing; a pivot of 0 needs no subtraction either (LayerNorm
// (64,768) x1.065 on the bench data); else the sums go around the pivot.
[[gnu::always_inline]] inline void accumulate_row_while_applying(
    bool rms, const float* xs, std::size_t n, float pv, Accumulator& s, Accumulator& q,
    const float* x, float* y, float c, float inv, const float* gamma, const float* beta) {
    if (rms)
        accumulate_while_applying<false, Center::None>(xs, n, pv, s, q, x, y, c, inv, gamma, beta);
    else if (pv == 0.0f)
        accumulate_while_applying<false, Center::Mean>(xs, n, pv, s, q, x, y, c, inv, gamma, beta);
    else
        accumulate_while_applying<true, Center::Mean>(xs, n, pv, s, q, x, y, c, inv, gamma, beta);
}

// y[i] = (x[i] - c) * a + b   (one channel for the whole run; b already holds beta - r * a).
// kScale: y[i] = x[i] * a, RMSNorm's (c = r = 0 and no beta: the subtraction of zero changes no
// bit, and a zero beta could only turn a -0 into +0), two vector ops of five fewer per 4 cells.
template <bool kScale>
void apply_run_uniform(const float* x, float* y, std::size_t n, float c, float a, float b) {
    const f32x4 vc = splat(c), va = splat(a), vb = splat(b);
    auto step = [&](std::size_t k) {
        const f32x4 v = load(x + k);
        store(y + k, kScale ? mul(v, va) : mul_add(sub(v, vc), va, vb));
    };
    const float* const end = x + n;
    // for (i) y[i] = (x[i] - c) * a + b;
    for (; end - x >= static_cast<std::ptrdiff_t>(kBlock); x += kBlock, y += kBlock)
        for (std::size_t k = 0; k < kBlock; k += kLanes)
            step(k);
    for (; end - x >= static_cast<std::ptrdiff_t>(kLanes); x += kLanes, y += kLanes)
        step(0);
    for (; x != end; ++x, ++y)
        *y = kScale ? *x * a : (*x - c) * a + b;
}

// accumulate_moments<kShift>(xs, n, p, s, q) and apply_run_uniform<kScale>(x, y, n, c, a, b)
// in one loop, as accumulate_while_applying (one H*W plane or a piece of one: n a multiple of
// kBlock; the apply first, as there: images x1.08-1.12). kShift is false where the pivot is 0
// (always for RMSNorm, kScale; often for a large group: set_run_pivots): the sums take x itself
// (x - 0 == x bit for bit).
template <bool kScale, bool kShift>
void accumulate_while_applying_plane(const float* xs, std::size_t n, float p, Accumulator& s,
                                     Accumulator& q, const float* x, float* y, float c, float a,
                                     float b) {
    const f32x4 vp = splat(p), vc = splat(c), va = splat(a), vb = splat(b);
    const float* const end = xs + n;
    for (; xs != end; xs += kBlock, x += kBlock, y += kBlock) {
        for (std::size_t k = 0; k < kBlock; k += kLanes) {
            const f32x4 v = load(x + k);
            store(y + k, kScale ? mul(v, va) : mul_add(sub(v, vc), va, vb));
        }
        accumulate_block<kShift>(xs, vp, s, q);
    }
}

// y[r*stride + j] = (x[r*stride + j] - c[j]) * a[j] + b[j] for j < width, r < rows (every
// column its own group and channel; RMSNorm's c is 0, and x - 0 == x bit for bit). Like
// accumulate_columns: sixteen columns' constants (twelve vectors) stay in registers down a block of
// kApplyRowBlock rows, so each cell costs one load and one store.
// The row blocks go from the last up to the first: the statistics just read x from first to
// last, so the last rows are the ones still in L2, and the y written evicts the first rows,
// read last (element-wise: the order changes no bit). Top down, each y line written pushed out
// the x rows read next: BatchNorm (512,768), x 1.5 MiB in a 2 MiB L2, x1.11 (bench/README.md).
void apply_columns_rows(const float* x, float* y, std::size_t stride, std::size_t rows,
                        std::size_t width, const float* c, const float* a, const float* b) {
    for (std::size_t block = (rows + kApplyRowBlock - 1) / kApplyRowBlock; block-- > 0;) {
        const std::size_t r0 = block * kApplyRowBlock;
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
                    store(yr + k * kLanes, mul_add(sub(v, vc[k]), va[k], vb[k]));
                }
            }
        }
        for (; j + kLanes <= width; j += kLanes) {
            const f32x4 vc = load(c + j), va = load(a + j), vb = load(b + j);
            for (std::size_t r = r0; r < r1; ++r) {
                const f32x4 v = load(x + r * stride + j);
                store(y + r * stride + j, mul_add(sub(v, vc), va, vb));
            }
        }
        for (; j < width; ++j) {
            for (std::size_t r = r0; r < r1; ++r) {
                const float v = x[r * stride + j];
                y[r * stride + j] = (v - c[j]) * a[j] + b[j];
            }
        }
    }
}

// [SECTION] group statistics ------------------------------------------------------------------

// Per-group double math takes four groups a step in f64x2 (simd.h: the same IEEE operations
// as the scalar loop that finishes the last few groups, so the same bits): for small groups
// (GroupNorm on (B,d), BatchNorm's columns on a small batch) these loops are a visible share of
// the time. (Left to the compiler's vectorizer, two groups a step, every rounding of a double
// to float took a lane out and put it back: BatchNorm (64,768) x1.10, GroupNorm x1.06 since.)

// Per group: c = the mean rounded to float and r = mean - c (so mean = c + r to double
// precision), the biased variance (double), and after finish_groups the factor applied (for
// RMSNorm c and r are then 0: it scales x itself).
struct GroupStatsF {
    std::vector<float> c, r, inv;
    std::vector<double> var;
    std::vector<unsigned char> ill; // 1: the one-pass variance was ill-conditioned
    std::vector<float> pivot, s, q; // runs layout: the one-pass sums, before set_moments

    // Sized for `count` groups; old entries stay (every one is written before it is read).
    void reset(std::size_t count, bool runs) {
        for (auto* v : {&c, &r, &inv})
            v->resize(count);
        var.resize(count);
        ill.resize(count);
        for (auto* v : {&pivot, &s, &q})
            v->resize(runs ? count : 0);
    }

    // One-pass results of groups [g0, g0 + count) around their pivots: for group g0 + k,
    // sum[k] = sum (x - p[k]) and squares[k] = sum (x - p[k])^2 over n cells. Sets ill[g] where
    // the variance is ill-conditioned (file header) and returns whether any is: the caller then
    // sums those again around c, the mean found here, and calls set_moments with p = c.
    bool set_moments(std::size_t g0, std::size_t count, const float* p, const float* sum,
                     const float* squares, double n) {
        const double inv_n = 1.0 / n; // n is a power of two often; either way exact to 1 ulp
        float* __restrict cg = c.data() + g0;
        float* __restrict rg = r.data() + g0;
        double* __restrict vg = var.data() + g0;
        unsigned char* __restrict bad = ill.data() + g0;
        unsigned any = 0;
        std::size_t k = 0;
        // Four groups a step (above), then the rest one at a time.
        const f64x2 vinv_n = splat2(inv_n), vill = splat2(kIllCond);
        for (; k + kLanes <= count; k += kLanes) {
            const f32x4 pk = load(p + k), sk = load(sum + k), qk = load(squares + k);
            f64x2 mean[2];
            unsigned bits = 0;
            for (unsigned h = 0; h < 2; ++h) {
                const f64x2 shift = mul(h ? widen_high(sk) : widen_low(sk), vinv_n);
                const f64x2 shift2 = mul(shift, shift);
                mean[h] = add(h ? widen_high(pk) : widen_low(pk), shift);
                const f64x2 var = sub(mul(h ? widen_high(qk) : widen_low(qk), vinv_n), shift2);
                store2(vg + k + 2 * h, var);
                bits |= greater_bits(shift2, mul(vill, var)) << (2 * h);
            }
            const f32x4 ck = narrow(mean[0], mean[1]);
            store(cg + k, ck);
            store(rg + k, narrow(sub(mean[0], widen_low(ck)), sub(mean[1], widen_high(ck))));
            for (unsigned j = 0; j < kLanes; ++j)
                bad[k + j] = static_cast<unsigned char>(bits >> j & 1u);
            any |= bits;
        }
        for (; k < count; ++k) {
            const double shift = sum[k] * inv_n; // mean - p
            const double mean = p[k] + shift;
            const float ck = static_cast<float>(mean);
            cg[k] = ck;
            rg[k] = static_cast<float>(mean - ck);
            vg[k] = squares[k] * inv_n - shift * shift;
            // Written so that NaN passes (and stays NaN) and var <= 0 with shift != 0 fails.
            bad[k] = shift * shift > kIllCond * vg[k];
            any |= bad[k];
        }
        return any != 0;
    }
    // The same for one group g.
    void set_moments(std::size_t g, float p, float sum, float squares, double n) {
        set_moments(g, 1, &p, &sum, &squares, n);
    }
    double mean(std::size_t g) const { return static_cast<double>(c[g]) + r[g]; }
    bool finite(std::size_t g) const { return std::isfinite(mean(g)) && std::isfinite(var[g]); }
};

std::size_t run_start(const GroupPlan& p, std::size_t o, std::size_t pi, std::size_t q) {
    return ((o * p.pre + pi) * p.groups + q) * p.inner;
}

// The first kPivotCells cells, in group order, of a group whose first run starts at `first`
// (runs of `inner` cells, `stride` apart; the group has at least kPivotCells cells): `first`
// itself when one run holds them all (the usual case; copying the 8 floats compiled to a
// memmove call per group: GroupNorm (64,768) 3-5%), else gathered into buf.
const float* first_cells(const float* first, std::size_t inner, std::size_t stride, float* buf) {
    if (inner >= kPivotCells) return first;
    for (std::size_t k = 0, m = 0, row = 0; k < kPivotCells; ++k) {
        buf[k] = first[row + m];
        if (++m == inner) {
            m = 0;
            row += stride;
        }
    }
    return buf;
}

// Their mean, summed pairwise so a constant group gets its value back exactly.
float pairwise_mean(const float* v) {
    return (((v[0] + v[1]) + (v[2] + v[3])) + ((v[4] + v[5]) + (v[6] + v[7]))) *
           (1.0f / kPivotCells);
}

// The pivot of a group (first cell and geometry as in first_cells; `size` cells in all): the
// mean of its first kPivotCells cells, or its first cell if it is smaller.
float group_pivot(const float* first, std::size_t inner, std::size_t stride, std::size_t size) {
    if (size < kPivotCells) return first[0];
    float buf[kPivotCells];
    return pairwise_mean(first_cells(first, inner, stride, buf));
}

// The pivot the runs layout sums around: group_pivot, or 0 when the first cells straddle 0
// (|their mean| <= kZeroPivot * their range, both finite): the mean is then likely within a
// standard deviation or so of 0, accumulate_moments needs no subtraction, and set_moments still
// sends a group that was misjudged through the second pass. A NaN cell keeps the NaN pivot; a
// constant group keeps its value (range 0), so its centered values are still exactly 0.
float run_pivot(const float* first, std::size_t inner, std::size_t stride, std::size_t size) {
    if (size < kZeroPivotCells) return group_pivot(first, inner, stride, size);
    float buf[kPivotCells];
    const float* v = first_cells(first, inner, stride, buf);
    const float p = pairwise_mean(v);
    // Smallest and largest of the 8 in vector min/max: a float select in WASM, V8 emits as a
    // compare and branch, and random data mispredicted the 14 of them (LayerNorm (64,768) 6%).
    // (Which of two equal zeros is kept cannot change the range; a NaN makes p NaN anyway.)
    const f32x4 a = load(v), b = load(v + kLanes);
    f32x4 lo = lower(a, b), hi = upper(a, b);
    lo = lower(lo, swap_halves(lo));
    hi = upper(hi, swap_halves(hi));
    const float range = first_lane(upper(hi, swap_neighbours(hi))) -
                        first_lane(lower(lo, swap_neighbours(lo)));
    return std::isfinite(range) && std::fabs(p) <= kZeroPivot * range ? 0.0f : p;
}

// group_pivot for every column of a block at once when each column is a group (M = 1) of at
// least kPivotCells rows: the same pairwise sums, lane-wise, so the same bits.
void column_pivots(const float* x, std::size_t stride, std::size_t width, float* out) {
    auto row = [&](std::size_t r, std::size_t j) { return load(x + r * stride + j); };
    auto pivot = [&](std::size_t j) {
        const f32x4 s01 = add(row(0, j), row(1, j)), s23 = add(row(2, j), row(3, j));
        const f32x4 s45 = add(row(4, j), row(5, j)), s67 = add(row(6, j), row(7, j));
        return mul(add(add(s01, s23), add(s45, s67)), splat(1.0f / kPivotCells));
    };
    std::size_t j = 0;
    // for (j) out[j] = group_pivot(x + j, 1, stride, rows);
    for (; j + kLanes <= width; j += kLanes)
        store(out + j, pivot(j));
    for (; j < width; ++j)
        out[j] = group_pivot(x + j, 1, stride, kPivotCells);
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

// The factor applied and the trace entries of groups [g0, g1), in double (O(groups)); two
// groups per square root and divide. Returns false when the float
// statistics of one of them overflowed on finite inputs (the reference must run; what was
// written here is then rewritten). Non-finiteness is noticed in the same loop, branch-free:
// v - v is 0 for a finite v and NaN otherwise (a separate pass with std::isfinite, a branch per
// group, cost BatchNorm (64,768) 5-7%).
bool finish_groups(const NormJob& job, std::size_t g0, std::size_t g1, GroupStatsF& st) {
    const bool rms = job.kind == NormKind::Rms;
    const double eps = job.eps;
    const float* __restrict c = st.c.data();
    const float* __restrict r = st.r.data();
    const double* __restrict var = st.var.data();
    float* __restrict inv = st.inv.data();
    float* __restrict t_mean = job.trace->mean.data();
    float* __restrict t_var = job.trace->var.data();
    float* __restrict t_rms = job.trace->rms.data();
    float* __restrict t_inv = job.trace->inv_std.data();
    int finite = 1;
    std::size_t g = g0;
    // Four groups a step, then the rest one at a time (as set_moments).
    {
        const f64x2 veps = splat2(eps), one = splat2(1.0), zero = splat2(0.0);
        for (; g + kLanes <= g1; g += kLanes) {
            const f32x4 cg = load(c + g), rg = load(r + g);
            f64x2 mean[2], v[2], f[2], rt[2];
            for (unsigned h = 0; h < 2; ++h) {
                mean[h] = add(h ? widen_high(cg) : widen_low(cg),
                              h ? widen_high(rg) : widen_low(rg));
                v[h] = load2(var + g + 2 * h);
                const f64x2 ms = add(v[h], mul(mean[h], mean[h]));
                f[h] = div(one, sqrt(add(rms ? ms : v[h], veps)));
                rt[h] = sqrt(ms);
                finite &= static_cast<int>((equal_bits(sub(mean[h], mean[h]), zero) &
                                            equal_bits(sub(v[h], v[h]), zero)) == 3u);
            }
            const f32x4 fg = narrow(f[0], f[1]);
            store(inv + g, fg);
            store(t_inv + g, fg);
            store(t_mean + g, narrow(mean[0], mean[1]));
            store(t_var + g, narrow(v[0], v[1]));
            store(t_rms + g, narrow(rt[0], rt[1]));
        }
    }
    for (; g < g1; ++g) {
        const double mean = static_cast<double>(c[g]) + r[g];
        const double ms = var[g] + mean * mean; // exact identity, no cancellation: both >= 0
        const float f = static_cast<float>(1.0 / std::sqrt((rms ? ms : var[g]) + eps));
        inv[g] = f;
        t_inv[g] = f;
        t_mean[g] = static_cast<float>(mean);
        t_var[g] = static_cast<float>(var[g]);
        t_rms[g] = static_cast<float>(std::sqrt(ms));
        finite &= static_cast<int>(mean - mean == 0.0) & static_cast<int>(var[g] - var[g] == 0.0);
    }
    if (!finite) {
        // Usually a NaN or infinite input (IEEE arithmetic spreads it to its group only); but
        // finite inputs whose float sums overflowed need the double reference.
        for (std::size_t g = g0; g < g1; ++g)
            if (!st.finite(g) && group_inputs_finite(job, g)) return false;
    }
    if (rms) {
        // A group with an infinite input (and no NaN) has mean(x^2) = +inf, as PyTorch's
        // x.pow(2).mean() does, so its factor is 0 and its finite cells give y = 0; but the
        // one-pass var q/n - (s/n)^2 is inf - inf, which makes ms = var + mean^2 and the factor
        // NaN. A group with a NaN factor (that, or ms + eps rounded below 0 with eps 0) takes
        // the reference's double statistics, which are right in every such case (NaN input
        // stays NaN).
        for (std::size_t g = g0; g < g1; ++g) {
            if (!std::isnan(inv[g])) continue;
            const GroupStats s = reference::group_stats(job, g);
            inv[g] = t_inv[g] = static_cast<float>(1.0 / std::sqrt(s.ms + eps));
            t_mean[g] = static_cast<float>(s.mean);
            t_var[g] = static_cast<float>(s.var);
            t_rms[g] = static_cast<float>(std::sqrt(s.ms));
        }
        // RMSNorm scales x itself.
        std::fill(st.c.begin() + static_cast<std::ptrdiff_t>(g0),
                  st.c.begin() + static_cast<std::ptrdiff_t>(g1), 0.0f);
        std::fill(st.r.begin() + static_cast<std::ptrdiff_t>(g0),
                  st.r.begin() + static_cast<std::ptrdiff_t>(g1), 0.0f);
    }
    return true;
}

// [SECTION] runs layout -----------------------------------------------------------------------

// Run pi of group g; with P = 1 the groups simply follow each other (no divide).
const float* run_of(const NormJob& job, std::size_t g, std::size_t pi) {
    const GroupPlan& p = job.plan;
    if (p.pre == 1) return job.x + g * p.inner;
    return job.x + run_start(p, g / p.groups, 0, g % p.groups) + pi * p.groups * p.inner;
}

// Runs of a group summed in one set of accumulators before their totals join the group's: as
// many as make kRunSumCells cells (one, for BatchNorm on images).
std::size_t runs_per_sum(const GroupPlan& p) {
    return std::max<std::size_t>(1, kRunSumCells / p.inner);
}

// Runs pi .. pi + runs_per_sum - 1 of group g (those that exist) summed around p; their totals
// set into (pi = 0) or added to the group's s and q. A group of many runs so adds the totals of
// its stretches in run order: one fixed order, whatever the chunking.
void add_runs_moments(const NormJob& job, std::size_t g, std::size_t pi, float p, float& s,
                      float& q) {
    const GroupPlan& plan = job.plan;
    const std::size_t end = std::min(plan.pre, pi + runs_per_sum(plan));
    // Short runs make one stretch together; a long one (runs_per_sum is then 1) several.
    const std::size_t len = std::min(plan.inner, kSpillCells);
    bool first = pi == 0;
    Accumulator rs, rq;
    for (std::size_t k = pi; k < end; ++k) {
        const float* run = run_of(job, g, k);
        for (std::size_t i = 0; i < plan.inner; i += len) {
            accumulate_moments_around(run + i, std::min(len, plan.inner - i), p, rs, rq);
            if (i + len < plan.inner) {
                spill(rs, rq, first, s, q);
                first = false;
            }
        }
    }
    spill(rs, rq, first, s, q);
}

// What the statistics of groups [g0, g1) need once their one-pass sums are in st.s and st.q:
// the ill-conditioned ones summed again, then the double math. False if one of them needs the
// reference (overflow). The double math for all of the groups comes after all of their float
// sums: each group's tail (horizontal add, divide, square root) is a long dependency chain,
// and in a separate loop the chains of consecutive groups overlap instead of stalling the sums.
bool close_stats_runs(const NormJob& job, std::size_t g0, std::size_t g1, GroupStatsF& st) {
    const GroupPlan& p = job.plan;
    const double n = static_cast<double>(p.group_size());
    if (st.set_moments(g0, g1 - g0, &st.pivot[g0], &st.s[g0], &st.q[g0], n)) {
        const bool rms = job.kind == NormKind::Rms;
        for (std::size_t g = g0; g < g1; ++g) {
            // Ill-conditioned: one more pass around c, the mean just found (from L1/L2). RMSNorm,
            // summed around 0 (set_run_pivots), first tries the group's first cell, a constant
            // group's value exactly (its var then comes out exactly 0), and c only if still ill.
            // (One loop, not two calls: the pass inlined twice is 0.1 KiB of download.)
            for (int pass = 0; st.ill[g] && pass < (rms ? 2 : 1); ++pass) {
                const float centre = rms && pass == 0 ? *run_of(job, g, 0) : st.c[g];
                float s = 0.0f, q = 0.0f;
                for (std::size_t pi = 0; pi < p.pre; pi += runs_per_sum(p))
                    add_runs_moments(job, g, pi, centre, s, q);
                st.set_moments(g, centre, s, q, n);
            }
        }
    }
    return finish_groups(job, g0, g1, st);
}

// The pivots of groups [g0, g1). RMSNorm sums around 0: its factor needs only mean(x^2), a sum
// of positive terms with nothing to cancel, and the loops save a subtraction per 4 cells; its
// trace's var (reported, not applied) still takes the second pass where the mean is far from 0.
void set_run_pivots(const NormJob& job, std::size_t g0, std::size_t g1, GroupStatsF& st) {
    const GroupPlan& p = job.plan;
    const std::size_t stride = p.groups * p.inner; // between the runs of one group
    if (job.kind == NormKind::Rms) {
        std::fill(st.pivot.begin() + static_cast<std::ptrdiff_t>(g0),
                  st.pivot.begin() + static_cast<std::ptrdiff_t>(g1), 0.0f);
    } else if (p.inner >= kPivotCells && p.group_size() < kZeroPivotCells) {
        // The usual small group (GroupNorm on (B,d)): run_pivot is the mean of the first run's
        // first cells, here without a call per group (GroupNorm (64,768) x1.04-1.07).
        for (std::size_t g = g0; g < g1; ++g)
            st.pivot[g] = pairwise_mean(run_of(job, g, 0));
    } else {
        for (std::size_t g = g0; g < g1; ++g)
            st.pivot[g] = run_pivot(run_of(job, g, 0), p.inner, stride, p.group_size());
    }
}

// Statistics of groups [g0, g1). False if one of them needs the reference (overflow).
// With P > 1 the chunk's groups are summed side by side in memory order, run pi of every group
// before run pi + 1 (short runs a few at a time: add_runs_moments); why: normalize.
bool stats_runs(const NormJob& job, std::size_t g0, std::size_t g1, GroupStatsF& st) {
    const GroupPlan& p = job.plan;
    set_run_pivots(job, g0, g1, st);
    for (std::size_t pi = 0; pi < p.pre; pi += runs_per_sum(p))
        for (std::size_t g = g0; g < g1; ++g)
            add_runs_moments(job, g, pi, st.pivot[g], st.s[g], st.q[g]);
    return close_stats_runs(job, g0, g1, st);
}

// How group g's runs are centered where gamma changes every cell (file header).
Center run_center(const NormJob& job, const GroupStatsF& st, std::size_t g) {
    if (job.kind == NormKind::Rms) return Center::None;
    const bool near =
        st.r[g] == 0.0f || std::fabs(static_cast<double>(st.c[g])) * st.inv[g] <= kDropR;
    return near ? Center::Mean : Center::MeanExact;
}

// y of run pi of group g = (o, q) (runs layout).
void apply_run(const NormJob& job, std::size_t o, std::size_t q, std::size_t pi,
               const GroupStatsF& st) {
    const GroupPlan& p = job.plan;
    const std::size_t cs = job.channel_stride;
    const std::size_t g = o * p.groups + q;
    const std::size_t f = run_start(p, o, pi, q);
    const float c = st.c[g], r = st.r[g], inv = st.inv[g];
    const float* x = job.x + f;
    float* y = job.y + f;
    if (cs == 1) {
        // Rank 2/3: the run is a slice of one feature row. A row of the runs layout is exactly
        // the C features (Q * M = C: LayerNorm Q = 1, GroupNorm M = C / G), so group q's run
        // starts at channel q * M (what f % C gives, without a divide per run).
        const float* gamma = job.gamma + q * p.inner;
        const float* beta = job.beta + q * p.inner;
        switch (run_center(job, st, g)) {
        case Center::None:
            return apply_run_per_cell<Center::None>(x, y, p.inner, c, r, inv, gamma, beta);
        case Center::Mean:
            return apply_run_per_cell<Center::Mean>(x, y, p.inner, c, r, inv, gamma, beta);
        case Center::MeanExact:
            return apply_run_per_cell<Center::MeanExact>(x, y, p.inner, c, r, inv, gamma, beta);
        }
    }
    // Rank 4: the run is whole H*W planes, one channel each.
    std::size_t ch = (f / cs) % job.channels;
    for (std::size_t k = 0; k < p.inner; k += cs) {
        const float a = inv * job.gamma[ch];
        const float b = job.beta[ch] - r * a;
        if (job.kind == NormKind::Rms)
            apply_run_uniform<true>(x + k, y + k, cs, c, a, b);
        else
            apply_run_uniform<false>(x + k, y + k, cs, c, a, b);
        if (++ch == job.channels) ch = 0;
    }
}

// y of groups [g0, g1) in memory order: run pi of every group, then pi + 1 (as stats_runs
// reads them; with P = 1 simply group after group).
void apply_runs(const NormJob& job, std::size_t g0, std::size_t g1, const GroupStatsF& st) {
    const GroupPlan& p = job.plan;
    for (std::size_t pi = 0; pi < p.pre; ++pi) {
        for (std::size_t g = g0, o = g0 / p.groups, q = g0 % p.groups; g < g1; ++g) {
            apply_run(job, o, q, pi, st);
            if (++q == p.groups) {
                q = 0;
                ++o;
            }
        }
    }
}

// stats_runs for groups [g0, g1) while applying groups [a0, a0 + g1 - g0) (normalize: a chunk's
// apply overlaps the reading of the next chunk), y apart from x, when every group is one run of
// a feature row (P = 1, rank 2/3: LayerNorm and RMSNorm on (B,d) and (B,L,d), GroupNorm on
// (B,d)). Same bits as stats_runs, then apply_runs; a pair that the fused loop cannot take (the
// exact centre; a run not a multiple of kBlock) takes those. The groups follow each other in
// memory, so the pointers step along (GroupNorm (B,d) x1.04-1.10 against recomputing each
// pair's places from the plan; its 96-cell groups still spend about a third of their time
// between groups: bench/README.md).
bool stats_rows_applying(const NormJob& job, std::size_t g0, std::size_t g1, std::size_t a0,
                         GroupStatsF& st) {
    const GroupPlan& p = job.plan;
    const std::size_t n = p.inner;
    const bool rms = job.kind == NormKind::Rms;
    // Each group's pivot (as set_run_pivots takes it) is taken here, just before its sums read
    // the same cells: a pass of its own over the groups cost GroupNorm (64,768) 2%, and out of
    // cache, where it met each group's first cache line alone, (4096,1024) 24%.
    const bool small = n >= kPivotCells && n < kZeroPivotCells;
    const float* xs = job.x + g0 * n;
    const float* x = job.x + a0 * n;
    float* y = job.y + a0 * n;
    // The usual chunk: runs of whole kBlock steps, each one stretch, and no group of the applied
    // chunk centred exactly. Then one loop with nothing else in it: the statistics' arrays held
    // as plain pointers, no stretches, no fall-backs (with those in the loop V8 kept a dozen of
    // its values on the stack and reloaded the arrays' places from st for every group:
    // GroupNorm (64,768) x1.10, (512,768) x1.07).
    if (n % kBlock == 0 && n <= kSpillCells) {
        const std::size_t count = g1 - g0;
        const float* __restrict c = st.c.data() + a0;
        const float* __restrict inv = st.inv.data() + a0;
        int exact = 0;
        for (std::size_t k = 0; k < count; ++k)
            exact |= static_cast<int>(run_center(job, st, a0 + k) == Center::MeanExact);
        if (!exact) {
            float* __restrict pivot = st.pivot.data() + g0;
            float* __restrict sums = st.s.data() + g0;
            float* __restrict squares = st.q.data() + g0;
            for (std::size_t k = 0, qa = a0 % p.groups; k < count; ++k, xs += n, x += n, y += n) {
                const float* gamma = job.gamma + qa * n;
                const float* beta = job.beta + qa * n;
                if (++qa == p.groups) qa = 0;
                const float pv = pivot[k] = rms     ? 0.0f
                                            : small ? pairwise_mean(xs)
                                                    : run_pivot(xs, n, n, n);
                Accumulator s, sq;
                accumulate_row_while_applying(rms, xs, n, pv, s, sq, x, y, c[k], inv[k], gamma,
                                              beta);
                spill(s, sq, true, sums[k], squares[k]);
            }
            return close_stats_runs(job, g0, g1, st);
        }
    }
    // Group q of a row starts at channel q * M (apply_run); q counted along, not divided.
    for (std::size_t g = g0, ga = a0, qa = a0 % p.groups; g < g1;
         ++g, ++ga, xs += n, x += n, y += n) {
        const float* gamma = job.gamma + qa * n;
        const float* beta = job.beta + qa * n;
        const std::size_t q = qa;
        if (++qa == p.groups) qa = 0;
        st.pivot[g] = rms ? 0.0f : small ? pairwise_mean(xs) : run_pivot(xs, n, n, n);
        const Center center = run_center(job, st, ga);
        if (center == Center::MeanExact || n % kBlock != 0) {
            apply_run(job, ga / p.groups, q, 0, st);
            add_runs_moments(job, g, 0, st.pivot[g], st.s[g], st.q[g]);
            continue;
        }
        const float pv = st.pivot[g], c = st.c[ga], inv = st.inv[ga];
        // Spilled where add_runs_moments spills: every kSpillCells cells of the run.
        bool first = true;
        Accumulator s, sq;
        for (std::size_t i = 0;;) {
            const std::size_t m = std::min(kSpillCells, n - i);
            accumulate_row_while_applying(rms, xs + i, m, pv, s, sq, x + i, y + i, c, inv,
                                          gamma + i, beta + i);
            spill(s, sq, first, st.s[g], st.q[g]);
            first = false;
            if ((i += m) == n) break;
        }
    }
    return close_stats_runs(job, g0, g1, st);
}

// The same where every group is whole H*W planes, one channel each (rank 4: LayerNorm, RMSNorm,
// GroupNorm, InstanceNorm on images, BatchNorm on small batches: groups of one run, or
// runs_per_sum is 1), one run of each group at a time; r folded into b (apply_run). A plane
// that crosses a stretch's end is taken in two pieces.
bool stats_planes_applying(const NormJob& job, std::size_t g0, std::size_t g1, std::size_t a0,
                           GroupStatsF& st) {
    const GroupPlan& p = job.plan;
    const std::size_t n = p.inner;
    const std::size_t cs = job.channel_stride;
    const bool rms = job.kind == NormKind::Rms; // (its own loops: kScale)
    for (std::size_t pi = 0; pi < p.pre; ++pi) {
        // (o and q of group ga counted along: a divide per group cost GroupNorm (64,768) 1-2%.)
        for (std::size_t g = g0, ga = a0, oa = a0 / p.groups, qa = a0 % p.groups; g < g1;
             ++g, ++ga) {
            // The pivot as set_run_pivots takes it, as the group's first run is read (as rows).
            if (pi == 0)
                st.pivot[g] = rms ? 0.0f
                                  : run_pivot(run_of(job, g, 0), n, p.groups * n, p.group_size());
            if (cs % kBlock != 0) {
                apply_run(job, oa, qa, pi, st);
                add_runs_moments(job, g, pi, st.pivot[g], st.s[g], st.q[g]);
            } else {
                const float* xs = run_of(job, g, pi);
                const std::size_t f = run_start(p, oa, pi, qa);
                const float* x = job.x + f;
                float* y = job.y + f;
                const float pv = st.pivot[g], c = st.c[ga], inv = st.inv[ga];
                // Spilled where add_runs_moments spills: every kSpillCells cells of the run.
                bool first = pi == 0;
                Accumulator s, q;
                std::size_t ch = (f / cs) % job.channels;
                for (std::size_t k = 0; k < n; k += cs) {
                    const float a = inv * job.gamma[ch];
                    const float b = job.beta[ch] - st.r[ga] * a;
                    for (std::size_t i = k; i < k + cs;) {
                        const std::size_t stop =
                            std::min(k + cs, (i / kSpillCells + 1) * kSpillCells);
                        if (rms)
                            accumulate_while_applying_plane<true, false>(xs + i, stop - i, pv, s,
                                                                         q, x + i, y + i, c, a, b);
                        else if (pv == 0.0f)
                            accumulate_while_applying_plane<false, false>(
                                xs + i, stop - i, pv, s, q, x + i, y + i, c, a, b);
                        else
                            accumulate_while_applying_plane<false, true>(
                                xs + i, stop - i, pv, s, q, x + i, y + i, c, a, b);
                        if (stop % kSpillCells == 0 || stop == n) {
                            spill(s, q, first, st.s[g], st.q[g]);
                            first = false;
                        }
                        i = stop;
                    }
                    if (++ch == job.channels) ch = 0;
                }
            }
            if (++qa == p.groups) {
                qa = 0;
                ++oa;
            }
        }
    }
    return close_stats_runs(job, g0, g1, st);
}

// [SECTION] columns layout --------------------------------------------------------------------
// The unit of work is one outer index o: a block of P rows of width Q*M.

struct ColumnScratch {
    std::vector<float> center, s, q;   // per column of the block
    std::vector<float> pivots, gs, gq; // per group of the block: pivot, sums over its M columns
    std::vector<float> pending;        // accumulate_columns' pending leaf sums
    // Sized for a block of `rows` rows of `width` columns in `groups` groups (as reset above).
    void reset(std::size_t width, std::size_t groups, std::size_t rows) {
        for (auto* v : {&center, &s, &q})
            v->resize(width);
        for (auto* v : {&pivots, &gs, &gq})
            v->resize(groups);
        pending.resize(2 * width * column_sum_levels(rows));
    }
};

// The scratch of a normalize call, kept for the next call on the same thread: allocating and
// zeroing it every call cost BatchNorm (64,768) about 5%. It holds a few floats per group and
// per column of the largest call so far (LayerNorm (4096,1024): 130 KiB), and is never freed
// (a thread_local object would register an exit-time destructor: 0.2 KiB of download).
struct Workspace {
    GroupStatsF stats;
    ColumnScratch columns;
};

// Statistics of the groups of block o. False if one of them needs the reference (overflow).
bool stats_columns(const NormJob& job, std::size_t o, GroupStatsF& st, ColumnScratch& cs) {
    const GroupPlan& p = job.plan;
    const std::size_t width = p.groups * p.inner;
    const double n = static_cast<double>(p.group_size());
    const float* block = job.x + run_start(p, o, 0, 0);
    const std::size_t g0 = o * p.groups;
    // Per group, the sums over its M columns in column order (with M = 1 the column sums).
    auto group_sums = [&](std::vector<float>& column, std::vector<float>& group) -> const float* {
        if (p.inner == 1) return column.data();
        for (std::size_t q = 0; q < p.groups; ++q) {
            float t = 0.0f;
            for (std::size_t m = 0; m < p.inner; ++m)
                t += column[q * p.inner + m];
            group[q] = t;
        }
        return group.data();
    };
    std::vector<float>& pivots = cs.pivots;
    if (p.inner == 1 && p.pre >= kPivotCells) {
        column_pivots(block, width, width, pivots.data());
        std::copy(pivots.begin(), pivots.end(), cs.center.begin());
    } else {
        for (std::size_t q = 0; q < p.groups; ++q) {
            pivots[q] = group_pivot(block + q * p.inner, p.inner, width, p.group_size());
            std::fill_n(cs.center.begin() + q * p.inner, p.inner, pivots[q]);
        }
    }
    accumulate_columns(block, width, p.pre, width, cs.center.data(), cs.s.data(), cs.q.data(),
                       cs.pending.data());
    if (st.set_moments(g0, p.groups, pivots.data(), group_sums(cs.s, cs.gs),
                       group_sums(cs.q, cs.gq), n)) {
        // One more pass around the means just found, kept only for the groups that need it.
        for (std::size_t q = 0; q < p.groups; ++q)
            std::fill_n(cs.center.begin() + q * p.inner, p.inner, st.c[g0 + q]);
        accumulate_columns(block, width, p.pre, width, cs.center.data(), cs.s.data(), cs.q.data(),
                           cs.pending.data());
        const float* sums = group_sums(cs.s, cs.gs);
        const float* squares = group_sums(cs.q, cs.gq);
        for (std::size_t q = 0; q < p.groups; ++q)
            if (st.ill[g0 + q]) st.set_moments(g0 + q, st.c[g0 + q], sums[q], squares[q], n);
    }
    return finish_groups(job, g0, g0 + p.groups, st);
}

// apply_columns' constants for the groups g0 .. g0 + Q - 1 of a block: column j of group q gets
// c = c[g0 + q], a = inv[g0 + q] * gamma[ch] and b = beta[ch] - r[g0 + q] * a (r folded into
// the offset), ch being the column's channel.
void set_column_constants(const NormJob& job, std::size_t g0, const GroupStatsF& st, float* c,
                          float* a, float* b) {
    const GroupPlan& p = job.plan;
    const std::size_t width = p.groups * p.inner;
    const std::size_t cs = job.channel_stride;
    if (p.inner == 1 && cs == 1 && width == job.channels) {
        // Column j is group g0 + j and channel j (BatchNorm on (B,d) and (B,L,d)): the same
        // products, four columns at a time.
        const float* sc = st.c.data() + g0;
        const float* sr = st.r.data() + g0;
        const float* si = st.inv.data() + g0;
        std::size_t j = 0;
        for (; j + kLanes <= width; j += kLanes) {
            const f32x4 aj = mul(load(si + j), load(job.gamma + j));
            store(c + j, load(sc + j));
            store(a + j, aj);
            store(b + j, sub(load(job.beta + j), mul(load(sr + j), aj)));
        }
        for (; j < width; ++j) {
            c[j] = sc[j];
            a[j] = si[j] * job.gamma[j];
            b[j] = job.beta[j] - sr[j] * a[j];
        }
        return;
    }
    // A row starts on a channel boundary (width is a multiple of C * channel_stride).
    std::size_t ch = 0, k = 0; // channel of column j, and j's place in that channel's plane
    for (std::size_t q = 0, j = 0; q < p.groups; ++q) {
        const std::size_t g = g0 + q;
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
}

// y of block o: every column its own centre, factor and offset.
void apply_columns(const NormJob& job, std::size_t o, const GroupStatsF& st, ColumnScratch& scr) {
    const GroupPlan& p = job.plan;
    const std::size_t width = p.groups * p.inner;
    float* c = scr.center.data();
    float* a = scr.s.data();
    float* b = scr.q.data();
    set_column_constants(job, o * p.groups, st, c, a, b);
    const std::size_t f = run_start(p, o, 0, 0);
    // RMSNorm's c is 0, subtracted too (x - 0 == x bit for bit).
    apply_columns_rows(job.x + f, job.y + f, width, p.pre, width, c, a, b);
}

// True when y and x share memory (in place, or overlapping buffers).
bool overlaps(const NormJob& job) {
    const std::size_t bytes = job.plan.group_count() * job.plan.group_size() * sizeof(float);
    const auto x = reinterpret_cast<std::uintptr_t>(job.x);
    const auto y = reinterpret_cast<std::uintptr_t>(job.y);
    return x < y + bytes && y < x + bytes;
}

} // namespace

// [SECTION] normalize -------------------------------------------------------------------------

const char* compiled_target() {
    return target_name();
}

void normalize(const NormJob& job) {
    const GroupPlan& p = job.plan;
    const bool columns = p.inner < kBlock;
    thread_local Workspace* kept = nullptr;
    if (kept == nullptr) kept = new Workspace;
    Workspace& workspace = *kept;
    GroupStatsF& st = workspace.stats;
    st.reset(p.group_count(), !columns);
    ColumnScratch& scratch = workspace.columns;
    if (columns) scratch.reset(p.groups * p.inner, p.groups, p.pre);

    // Units of work: chunks of about kChunkCells cells of whole groups (runs), or one block o
    // (columns). Each unit's statistics, then its apply while its cells are in cache; if y
    // overlaps x, every statistic first, so no x is overwritten before it is read (same bits).
    // Groups of P > 1 runs (BatchNorm on images: one H*W plane per example) are summed side by
    // side, a run of each at a time (stats_runs), and a chunk holds as many as make those runs
    // one stretch of kChunkCells cells: read plane after plane of one example, memory streams
    // (BatchNorm (32,64,32,32): 18-20 -> 28-30 GB/s; one group at a time read 4 KiB planes a
    // whole example apart, the prefetchers restarted at every plane, and the planes fought
    // over the same cache sets).
    const std::size_t most_per_unit =
        columns      ? 1
        : p.pre == 1 ? std::max<std::size_t>(1, kChunkCells / p.group_size())
                     : std::min(p.group_count(), (kChunkCells + p.inner - 1) / p.inner);
    const std::size_t units =
        columns ? p.outer : (p.group_count() + most_per_unit - 1) / most_per_unit;
    // As many groups in each unit (the first unit's sums and the last one's apply are the
    // passes that no loop shares; at 16384 cells a chunk, 170, 170, 170 and 2 groups of
    // GroupNorm (64,768) left a third of the work to them, 128 each a quarter).
    const std::size_t per_unit = columns ? 1 : (p.group_count() + units - 1) / units;
    auto stats = [&](std::size_t u) {
        if (columns) return stats_columns(job, u, st, scratch);
        return stats_runs(job, u * per_unit, std::min(p.group_count(), (u + 1) * per_unit), st);
    };
    auto apply = [&](std::size_t u) {
        if (columns)
            apply_columns(job, u, st, scratch);
        else
            apply_runs(job, u * per_unit, std::min(p.group_count(), (u + 1) * per_unit), st);
    };
    // Apply trails the statistics by `lag` units: 0 normally, all of them when y overlaps x.
    const std::size_t lag = overlaps(job) ? units : 0;
    // Runs, y apart from x: chunk k's apply runs while chunk k + 1 is summed, a run of each
    // group at a time (stats_rows_applying, stats_planes_applying). Out of cache the memory no
    // longer idles through an apply: (4096,1024) LayerNorm, RMSNorm +30-40%, images +20-40%.
    // (Groups of several rank 2/3 runs, GroupNorm on (B,L,d), take the separate passes.)
    const bool rows = job.channel_stride == 1;
    if (!columns && (rows ? p.pre == 1 : p.pre == 1 || runs_per_sum(p) == 1) && lag == 0) {
        if (!stats(0)) {
            reference::normalize(job);
            return;
        }
        for (std::size_t k = 0; k + 1 < units; ++k) {
            const std::size_t g0 = (k + 1) * per_unit;
            const std::size_t g1 = std::min(p.group_count(), g0 + per_unit);
            if (!(rows ? stats_rows_applying(job, g0, g1, k * per_unit, st)
                       : stats_planes_applying(job, g0, g1, k * per_unit, st))) {
                reference::normalize(job);
                return;
            }
            if (g0 + per_unit > p.group_count()) // a short last chunk: the rest of chunk k
                apply_runs(job, k * per_unit + (p.group_count() - g0), g0, st);
        }
        apply(units - 1);
        return;
    }
    for (std::size_t k = 0; k < units + lag; ++k) {
        // Finite inputs with non-finite float statistics: float range, not the data, is the
        // problem, and the double reference takes the whole call (rewriting any y written).
        if (k < units && !stats(k)) {
            reference::normalize(job);
            return;
        }
        if (k >= lag) apply(k - lag);
    }
}

} // namespace normlab::kernels::NORMLAB_SIMD_NS
