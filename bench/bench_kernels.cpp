// bench/bench_kernels.cpp: the WASM side of tools/bench. Exposes the normalization kernels to
// bench/bench.mjs as a few C functions: the SIMD build of norm_simd.cpp (namespace `simd`, the
// one the app ships), the same source compiled without -msimd128 (namespace `nosimd`, see the
// bench section of CMakeLists.txt), and a WASM memory copy of the same bytes as the bandwidth
// ceiling. Timing, the plain-JS baseline and all printing live in bench.mjs.
// Knows the private kernel contract (kernels/norm_impl.h) on purpose: it calls both copies
// through the same NormJob, so the two differ only in how norm_simd.cpp was compiled.
// Not a test: nothing here checks time. Not part of the app.
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "core/shape.h"
#include "kernels/norm.h"
#include "kernels/norm_impl.h"

NORMLAB_DECLARE_SIMD_KERNELS(nosimd)

namespace {

using normlab::core::Shape;
using namespace normlab::kernels;

// Implementations selectable from JS; the numbers are the bench's own ABI with bench.mjs.
enum BenchImpl : int { kSimd = 0, kScalar = 1, kReference = 2 };

Shape make_shape(int rank, int d0, int d1, int d2, int d3) {
    switch (rank) {
    case 2:
        return Shape::matrix(d0, d1);
    case 3:
        return Shape::sequence(d0, d1, d2);
    default:
        return Shape::image(d0, d1, d2, d3);
    }
}

NormKind kind_of(int kind) {
    switch (kind) {
    case 0:
        return NormKind::Batch;
    case 1:
        return NormKind::Layer;
    case 2:
        return NormKind::Rms;
    case 3:
        return NormKind::Group;
    default:
        return NormKind::Instance;
    }
}

// The job norm.cpp would build for the same call (gamma and beta always given here), with a
// trace that outlives the timed loop so no allocation is timed that the kernel does not do.
struct BenchCase {
    NormJob job;
    NormTrace trace;
    std::vector<float> zeros; // RMSNorm's beta, as norm.cpp substitutes it
};

BenchCase g_case;

} // namespace

extern "C" {

// n floats, 64-byte aligned (a cache line), so alignment never differs between runs.
float* bench_alloc(std::size_t n) {
    const std::size_t bytes = ((n * sizeof(float) + 63) / 64) * 64;
    return static_cast<float*>(std::aligned_alloc(64, bytes == 0 ? 64 : bytes));
}

void bench_free(float* p) {
    std::free(p);
}

// Sets up the case the next bench_norm calls run. Returns 0, or 1 if the plan is invalid
// (e.g. InstanceNorm on rank 2): the caller skips that case.
int bench_setup(int kind, int groups, int rank, int d0, int d1, int d2, int d3, const float* x,
                float* y, const float* gamma, const float* beta) {
    const Shape shape = make_shape(rank, d0, d1, d2, d3);
    const NormSpec spec{.kind = kind_of(kind), .eps = 1e-5f, .groups = groups};
    GroupPlan plan;
    if (!plan_groups(shape, spec, &plan).empty()) return 1;
    const std::size_t n = plan.group_count();
    g_case.trace.mean.assign(n, 0.0f);
    g_case.trace.var.assign(n, 0.0f);
    g_case.trace.rms.assign(n, 0.0f);
    g_case.trace.inv_std.assign(n, 0.0f);
    g_case.zeros.assign(static_cast<std::size_t>(shape.channels()), 0.0f);
    if (spec.kind == NormKind::Rms) beta = g_case.zeros.data();
    g_case.job = NormJob{
        .plan = plan,
        .kind = spec.kind,
        .eps = spec.eps,
        .x = x,
        .y = y,
        .gamma = gamma,
        .beta = beta,
        .channels = static_cast<std::size_t>(shape.channels()),
        .channel_stride = rank == 4 ? static_cast<std::size_t>(d2) * d3 : 1,
        .trace = &g_case.trace,
    };
    return 0;
}

// Runs the case set up by bench_setup `iters` times with one implementation. The call goes
// through a pointer so the optimizer (clang, then binaryen's wasm-opt) cannot inline the
// kernels into this loop: each copy stays a named function that tools/bench can disassemble.
void bench_norm(int impl, int iters) {
    using Kernel = void (*)(const NormJob&);
    static Kernel const volatile kKernels[] = {simd::normalize, nosimd::normalize,
                                               reference::normalize};
    const Kernel kernel = kKernels[impl == kSimd ? 0 : impl == kScalar ? 1 : 2];
    for (int i = 0; i < iters; ++i)
        kernel(g_case.job);
}

// What each copy compiled to ("wasm-simd128" / "scalar"), so the table can say so.
const char* bench_target(int impl) {
    return impl == kSimd ? simd::compiled_target() : nosimd::compiled_target();
}

// The bandwidth ceiling: copy n floats `iters` times (memcpy: bulk memory.copy in this TU).
void bench_copy(float* dst, const float* src, std::size_t n, int iters) {
    for (int i = 0; i < iters; ++i) {
        std::memcpy(dst, src, n * sizeof(float));
        // Keep the compiler from merging the copies: the next one must happen too.
        __asm__ volatile("" : : "r"(dst) : "memory");
    }
}

} // extern "C"
