// bench/stream_bench.cpp: why the kernels fuse a chunk's apply with the next chunk's sums.
// A microbenchmark of row-kernel shapes on (4096,1024) floats (16 MiB in, 16 MiB out: out of
// the caches), each as GB/s (input + output bytes) and as a share of memcpy of the same bytes:
//   memcpy       the bulk memory.copy ceiling (what tools/bench calls `copy`)
//   stream       y = a x + b in one pass: what plain stores can do
//   rows apart   per row: sum the row, then y = a x + b over it (row from L1 the second time)
//   8 rows apart sum 8 rows, then apply 8 rows (the chunked kernels' shape, 32 KiB chunks)
//   pieces       the next row summed and this row applied in alternating 128-cell pieces
//   rows fused   the next row summed inside this row's apply loop (stats_runs_applying)
// Build and run (web build dir; not part of tools/bench, not a test):
//   (source tools/deps.sh && build_web -- normlab_stream_bench)
//   node --no-experimental-fetch --no-liftoff build/web/normlab_stream_bench.js
// Wall time, best of 7 rounds of >= 200 ms each: run it on a quiet machine.
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "kernels/simd.h"

namespace {

using namespace normlab::kernels::NORMLAB_SIMD_NS;

constexpr std::size_t kRows = 4096, kCols = 1024, kCells = kRows * kCols;
constexpr std::size_t kStep = 4 * kLanes; // cells per unrolled step

struct Sum4 {
    f32x4 v[4] = {splat(0.0f), splat(0.0f), splat(0.0f), splat(0.0f)};
    float total() const { return hsum(add(add(v[0], v[1]), add(v[2], v[3]))); }
};

__attribute__((noinline)) void sum_into(const float* x, std::size_t n, Sum4& s) {
    for (std::size_t i = 0; i < n; i += kStep)
        for (std::size_t k = 0; k < 4; ++k)
            s.v[k] = add(s.v[k], load(x + i + k * kLanes));
}

__attribute__((noinline)) void scale(const float* x, float* y, std::size_t n, float a, float b) {
    const f32x4 va = splat(a), vb = splat(b);
    for (std::size_t i = 0; i < n; i += kStep)
        for (std::size_t k = 0; k < 4; ++k)
            store(y + i + k * kLanes, mul_add(load(x + i + k * kLanes), va, vb));
}

// Both at once: sums of xs, y = a x + b.
__attribute__((noinline)) void sum_while_scaling(const float* xs, const float* x, float* y,
                                                 std::size_t n, float a, float b, Sum4& s) {
    const f32x4 va = splat(a), vb = splat(b);
    for (std::size_t i = 0; i < n; i += kStep)
        for (std::size_t k = 0; k < 4; ++k) {
            s.v[k] = add(s.v[k], load(xs + i + k * kLanes));
            store(y + i + k * kLanes, mul_add(load(x + i + k * kLanes), va, vb));
        }
}

float row_sum(const float* x) {
    Sum4 s;
    sum_into(x, kCols, s);
    return s.total();
}

// The "statistics" a row's apply uses: any function of its sum will do here.
float factor(float sum) {
    return 1.0f / (1.0f + sum * sum * 1e-6f);
}

void rows_apart(const float* x, float* y) {
    for (std::size_t r = 0; r < kRows; ++r) {
        const float s = row_sum(x + r * kCols);
        scale(x + r * kCols, y + r * kCols, kCols, factor(s), s);
    }
}

void rows_apart_8(const float* x, float* y) {
    float s[8];
    for (std::size_t r = 0; r < kRows; r += 8) {
        for (std::size_t k = 0; k < 8; ++k)
            s[k] = row_sum(x + (r + k) * kCols);
        for (std::size_t k = 0; k < 8; ++k)
            scale(x + (r + k) * kCols, y + (r + k) * kCols, kCols, factor(s[k]), s[k]);
    }
}

void rows_pieces(const float* x, float* y) {
    constexpr std::size_t kPiece = 128;
    float s = row_sum(x);
    for (std::size_t r = 0; r < kRows; ++r) {
        const float* row = x + r * kCols;
        Sum4 next;
        for (std::size_t o = 0; o < kCols; o += kPiece) {
            if (r + 1 < kRows) sum_into(row + kCols + o, kPiece, next);
            scale(row + o, y + r * kCols + o, kPiece, factor(s), s);
        }
        s = next.total();
    }
}

void rows_fused(const float* x, float* y) {
    float s = row_sum(x);
    for (std::size_t r = 0; r + 1 < kRows; ++r) {
        Sum4 next;
        sum_while_scaling(x + (r + 1) * kCols, x + r * kCols, y + r * kCols, kCols, factor(s), s,
                          next);
        s = next.total();
    }
    scale(x + (kRows - 1) * kCols, y + (kRows - 1) * kCols, kCols, factor(s), s);
}

double seconds() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

} // namespace

int main() {
    auto* x = static_cast<float*>(std::aligned_alloc(64, kCells * sizeof(float)));
    auto* y = static_cast<float*>(std::aligned_alloc(64, kCells * sizeof(float)));
    if (x == nullptr || y == nullptr) {
        std::fprintf(stderr, "stream_bench: could not allocate 2 x %zu MiB\n",
                     kCells * sizeof(float) >> 20);
        return 1;
    }
    for (std::size_t i = 0; i < kCells; ++i) {
        x[i] = static_cast<float>(i % 97) * 0.01f - 0.5f;
        y[i] = 0.0f;
    }
    struct Case {
        const char* name;
        void (*run)(const float*, float*);
    };
    const Case cases[] = {
        {"memcpy", [](const float* a, float* b) {
             std::memcpy(b, a, kCells * sizeof(float));
             __asm__ volatile("" : : "r"(b) : "memory"); // every copy must happen
         }},
        {"stream", [](const float* a, float* b) { scale(a, b, kCells, 1.5f, 0.5f); }},
        {"rows apart", rows_apart},
        {"8 rows apart", rows_apart_8},
        {"pieces", rows_pieces},
        {"rows fused", rows_fused},
    };
    constexpr std::size_t kCases = sizeof(cases) / sizeof(cases[0]);
    double best[kCases] = {};
    for (int round = 0; round < 7; ++round) {
        for (std::size_t c = 0; c < kCases; ++c) {
            cases[c].run(x, y); // warm
            int iters = 0;
            const double t0 = seconds();
            double dt = 0.0;
            do {
                cases[c].run(x, y);
                ++iters;
                dt = seconds() - t0;
            } while (dt < 0.2);
            const double gbps = 2.0 * sizeof(float) * kCells * iters / dt / 1e9;
            if (gbps > best[c]) best[c] = gbps;
        }
    }
    std::printf("(%zu,%zu) floats, GB/s in+out, best of 7 rounds; %s\n", kRows, kCols,
                target_name());
    for (std::size_t c = 0; c < kCases; ++c)
        std::printf("%-13s %6.1f GB/s  %4.0f%% of memcpy\n", cases[c].name, best[c],
                    100.0 * best[c] / best[0]);
    std::free(x);
    std::free(y);
    return 0;
}
