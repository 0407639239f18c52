// app/js_api.cpp: the kernels as a C API for JavaScript (window.NormLab.normalize in
// web/page.js wraps it). Course authors and the browser tests call the same C++ kernels the
// board uses. Pointers are into the WASM heap; the JS wrapper owns the allocations.
#include <emscripten.h>

#include <cstring>
#include <string>
#include <tuple>

#include "kernels/norm.h"

namespace {

std::string g_last_error;  // read by normlab_last_error(); one caller at a time (no threads)

bool make_spec(const char* family, const int* dims, int rank, int groups, float eps,
               normlab::kernels::NormSpec* spec, normlab::core::Shape* shape) {
    using namespace normlab;
    if (!kernels::parse_norm_id(family ? family : "", &spec->kind)) {
        g_last_error = std::string("unknown family '") + (family ? family : "") +
                       "'; expected batchnorm, layernorm, rmsnorm, groupnorm or instancenorm";
        return false;
    }
    if (rank < 2 || rank > 4) {
        g_last_error = "shape must have 2 to 4 dimensions, got " + std::to_string(rank);
        return false;
    }
    shape->rank = rank;
    for (int i = 0; i < rank; ++i) shape->dims[static_cast<std::size_t>(i)] = dims[i];
    spec->groups = groups;
    spec->eps = eps;
    kernels::GroupPlan plan;
    g_last_error = kernels::plan_groups(*shape, *spec, &plan);
    return g_last_error.empty();
}

} // namespace

extern "C" {

// Number of normalization groups, or -1 with normlab_last_error() set.
EMSCRIPTEN_KEEPALIVE int normlab_group_count(const char* family, const int* dims, int rank,
                                             int groups) {
    normlab::kernels::NormSpec spec;
    normlab::core::Shape shape;
    if (!make_spec(family, dims, rank, groups, 1e-5f, &spec, &shape)) return -1;
    normlab::kernels::GroupPlan plan;
    normlab::kernels::plan_groups(shape, spec, &plan);
    return static_cast<int>(plan.group_count());
}

// Forward pass; gamma/beta null or `*_len` values long; mean/var/rms (group_count floats
// each) may be null. Returns 0 or -1.
EMSCRIPTEN_KEEPALIVE int normlab_normalize(const char* family, const int* dims, int rank,
                                           int groups, float eps, const float* x, float* y,
                                           const float* gamma, int gamma_len, const float* beta,
                                           int beta_len, float* mean, float* var, float* rms,
                                           int use_simd) {
    using namespace normlab;
    kernels::NormSpec spec;
    core::Shape shape;
    if (!make_spec(family, dims, rank, groups, eps, &spec, &shape)) return -1;
    const int channels = shape.channels();
    for (const auto& [name, ptr, len] : {std::tuple{"gamma", gamma, gamma_len}, std::tuple{"beta", beta, beta_len}})
        if (ptr && len != channels) {
            g_last_error = std::string(name) + " has " + std::to_string(len) + " values; shape " +
                           shape.str() + " has " + std::to_string(channels) + " channels";
            return -1;
        }
    kernels::NormTrace trace;
    g_last_error = kernels::normalize(spec, core::TensorView{x, shape}, y, gamma, beta, &trace,
                                      use_simd ? kernels::Impl::Simd : kernels::Impl::Reference);
    if (!g_last_error.empty()) return -1;
    const std::size_t bytes = trace.mean.size() * sizeof(float);
    if (mean) std::memcpy(mean, trace.mean.data(), bytes);
    if (var) std::memcpy(var, trace.var.data(), bytes);
    if (rms) std::memcpy(rms, trace.rms.data(), bytes);
    return 0;
}

EMSCRIPTEN_KEEPALIVE const char* normlab_last_error() { return g_last_error.c_str(); }

} // extern "C"
