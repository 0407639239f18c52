// kernels/norm_impl.h: the contract between norm.cpp (planning, checks, dispatch) and the two
// implementations (norm_reference.cpp, norm_simd.cpp). Private to the kernels room.
// By the time a NormJob exists everything has been checked: the plan is valid, pointers are
// non-null, gamma/beta hold one value per channel (norm.cpp substitutes 1 and 0 for null, and 0
// for RMSNorm's beta), and the trace vectors hold plan.group_count() entries each.
// Teaching variants (eps outside, storage formats, BatchNorm Eval) reach only the reference;
// norm.cpp has already rounded x, gamma and beta to the storage format when there is one.
#pragma once

#include <cstddef>

#include "kernels/norm.h"

namespace normlab::kernels {

struct NormJob {
    GroupPlan plan;
    NormKind kind = NormKind::Layer;
    float eps = 1e-5f;
    const float* x = nullptr;
    float* y = nullptr;           // may alias x: every cell is read before it is written
    const float* gamma = nullptr; // channels entries
    const float* beta = nullptr;  // channels entries
    std::size_t channels = 1;
    // The channel of flat cell f is (f / channel_stride) % channels: stride 1 for rank 2/3
    // (channel = last axis), H*W for rank 4. plan.inner is a multiple of channel_stride, so
    // an inner run never splits a spatial plane.
    std::size_t channel_stride = 1;
    NormTrace* trace = nullptr;
    // Reference only (norm.cpp never hands a non-default value to the SIMD path):
    EpsPlacement eps_placement = EpsPlacement::Inside;
    Precision storage = Precision::Fp32;     // y is rounded to it; x, gamma, beta already are
    Accumulate accumulate = Accumulate::Fp32;
    const float* fixed_mean = nullptr; // per group: subtract this instead of the batch mean
    const float* fixed_var = nullptr;  // per group: scale by this instead of the batch var
                                       // (both set or both null: BatchNorm Eval, group = channel)
};

// Double-precision statistics of one group (two-pass, shifted by the group's first cell).
struct GroupStats {
    double mean = 0.0;
    double var = 0.0; // biased
    double ms = 0.0;  // mean of squares
};

namespace reference {
GroupStats group_stats(const NormJob& job, std::size_t group);
void normalize(const NormJob& job);
} // namespace reference

// Declares the SIMD entry points in namespace `ns`; norm_simd.cpp defines them in
// NORMLAB_SIMD_NS (default `simd`), a benchmark can declare a second copy under its own name.
#define NORMLAB_DECLARE_SIMD_KERNELS(ns)                                                           \
    namespace normlab::kernels::ns {                                                               \
    void normalize(const NormJob& job);                                                            \
    const char* compiled_target();                                                                 \
    }

} // namespace normlab::kernels

NORMLAB_DECLARE_SIMD_KERNELS(simd)
