// kernels/simd.h: the smallest 128-bit float vectors the norm kernels need (f32x4, f64x2, ops).
// Owns: one definition of f32x4 and f64x2 per target, chosen by the compiler's own macros:
//   __wasm_simd128__  -> <wasm_simd128.h>  (the browser build compiles kernels with -msimd128)
//   __SSE2__          -> <emmintrin.h>     (every x86-64 native build, so the tests run it)
//   otherwise         -> a plain 4-float struct (also forced by NORMLAB_SIMD_FORCE_SCALAR)
// The kernels are written once against this header, so the loops the native tests check are
// the loops the browser runs. Knows nothing of norms, UI or platform.
// Invariants: every op is lane-wise IEEE single precision, loads/stores are unaligned, and there
// is no fused multiply-add (mul_add rounds twice), so all three targets give identical bits.
// Everything sits in normlab::kernels::NORMLAB_SIMD_NS: a benchmark may compile a kernel file a
// second time with another target under another namespace without breaking the ODR.
#pragma once

#include <cstddef>

#ifndef NORMLAB_SIMD_NS
#define NORMLAB_SIMD_NS simd
#endif

#if defined(__wasm_simd128__) && !defined(NORMLAB_SIMD_FORCE_SCALAR)
#define NORMLAB_SIMD_WASM 1
#include <wasm_simd128.h>
#elif defined(__SSE2__) && !defined(NORMLAB_SIMD_FORCE_SCALAR)
#define NORMLAB_SIMD_SSE2 1
#include <emmintrin.h>
#endif

namespace normlab::kernels::NORMLAB_SIMD_NS {

inline constexpr std::size_t kLanes = 4;

#if defined(NORMLAB_SIMD_WASM)

using f32x4 = v128_t;
inline const char* target_name() {
    return "wasm-simd128";
}
inline f32x4 load(const float* p) {
    return wasm_v128_load(p);
}
inline void store(float* p, f32x4 v) {
    wasm_v128_store(p, v);
}
inline f32x4 splat(float s) {
    return wasm_f32x4_splat(s);
}
inline f32x4 add(f32x4 a, f32x4 b) {
    return wasm_f32x4_add(a, b);
}
inline f32x4 sub(f32x4 a, f32x4 b) {
    return wasm_f32x4_sub(a, b);
}
inline f32x4 mul(f32x4 a, f32x4 b) {
    return wasm_f32x4_mul(a, b);
}
// Lane-wise b < a ? b : a and b > a ? b : a (pmin/pmax: V8 emits minps/maxps, no branch).
inline f32x4 lower(f32x4 a, f32x4 b) {
    return wasm_f32x4_pmin(a, b);
}
inline f32x4 upper(f32x4 a, f32x4 b) {
    return wasm_f32x4_pmax(a, b);
}
// Lanes (2, 3, 0, 1) and (1, 0, 3, 2) of v; lane 0 of v.
inline f32x4 swap_halves(f32x4 v) {
    return wasm_i32x4_shuffle(v, v, 2, 3, 0, 1);
}
inline f32x4 swap_neighbours(f32x4 v) {
    return wasm_i32x4_shuffle(v, v, 1, 0, 3, 2);
}
inline float first_lane(f32x4 v) {
    return wasm_f32x4_extract_lane(v, 0);
}
// Lanes summed in the order (0+1)+(2+3) on every target.
inline float hsum(f32x4 v) {
    return (wasm_f32x4_extract_lane(v, 0) + wasm_f32x4_extract_lane(v, 1)) +
           (wasm_f32x4_extract_lane(v, 2) + wasm_f32x4_extract_lane(v, 3));
}
// hsum(a) and hsum(b) at once, in two-source shuffles V8 emits as one shufps each and a
// one-source one it emits as pshufd. (Two hsums side by side, LLVM merged them into shuffles
// V8 can only emit as byte shuffles, their masks rebuilt at every use: 60 instructions.)
inline void hsum2(f32x4 a, f32x4 b, float& sa, float& sb) {
    const f32x4 pairs = wasm_f32x4_add(wasm_i32x4_shuffle(a, b, 0, 2, 4, 6),
                                       wasm_i32x4_shuffle(a, b, 1, 3, 5, 7)); // a0+a1, a2+a3, ...
    const f32x4 t = wasm_f32x4_add(pairs, wasm_i32x4_shuffle(pairs, pairs, 1, 0, 3, 2));
    sa = wasm_f32x4_extract_lane(t, 0);
    sb = wasm_f32x4_extract_lane(t, 2);
}

#elif defined(NORMLAB_SIMD_SSE2)

using f32x4 = __m128;
inline const char* target_name() {
    return "sse2";
}
inline f32x4 load(const float* p) {
    return _mm_loadu_ps(p);
}
inline void store(float* p, f32x4 v) {
    _mm_storeu_ps(p, v);
}
inline f32x4 splat(float s) {
    return _mm_set1_ps(s);
}
inline f32x4 add(f32x4 a, f32x4 b) {
    return _mm_add_ps(a, b);
}
inline f32x4 sub(f32x4 a, f32x4 b) {
    return _mm_sub_ps(a, b);
}
inline f32x4 mul(f32x4 a, f32x4 b) {
    return _mm_mul_ps(a, b);
}
inline f32x4 lower(f32x4 a, f32x4 b) {
    return _mm_min_ps(b, a); // b < a ? b : a
}
inline f32x4 upper(f32x4 a, f32x4 b) {
    return _mm_max_ps(b, a); // b > a ? b : a
}
inline f32x4 swap_halves(f32x4 v) {
    return _mm_shuffle_ps(v, v, _MM_SHUFFLE(1, 0, 3, 2));
}
inline f32x4 swap_neighbours(f32x4 v) {
    return _mm_shuffle_ps(v, v, _MM_SHUFFLE(2, 3, 0, 1));
}
inline float first_lane(f32x4 v) {
    return _mm_cvtss_f32(v);
}
inline float hsum(f32x4 v) {
    float t[4];
    _mm_storeu_ps(t, v);
    return (t[0] + t[1]) + (t[2] + t[3]);
}
inline void hsum2(f32x4 a, f32x4 b, float& sa, float& sb) {
    const f32x4 pairs = _mm_add_ps(_mm_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0)),
                                   _mm_shuffle_ps(a, b, _MM_SHUFFLE(3, 1, 3, 1)));
    float t[4];
    _mm_storeu_ps(t, _mm_add_ps(pairs, _mm_shuffle_ps(pairs, pairs, _MM_SHUFFLE(2, 3, 0, 1))));
    sa = t[0];
    sb = t[2];
}

#else

struct f32x4 {
    float v[4];
};
inline const char* target_name() {
    return "scalar";
}
inline f32x4 load(const float* p) {
    return f32x4{{p[0], p[1], p[2], p[3]}};
}
inline void store(float* p, f32x4 a) {
    for (std::size_t i = 0; i < 4; ++i)
        p[i] = a.v[i];
}
inline f32x4 splat(float s) {
    return f32x4{{s, s, s, s}};
}
inline f32x4 add(f32x4 a, f32x4 b) {
    return f32x4{{a.v[0] + b.v[0], a.v[1] + b.v[1], a.v[2] + b.v[2], a.v[3] + b.v[3]}};
}
inline f32x4 sub(f32x4 a, f32x4 b) {
    return f32x4{{a.v[0] - b.v[0], a.v[1] - b.v[1], a.v[2] - b.v[2], a.v[3] - b.v[3]}};
}
inline f32x4 mul(f32x4 a, f32x4 b) {
    return f32x4{{a.v[0] * b.v[0], a.v[1] * b.v[1], a.v[2] * b.v[2], a.v[3] * b.v[3]}};
}
inline f32x4 lower(f32x4 a, f32x4 b) {
    f32x4 r;
    for (std::size_t i = 0; i < 4; ++i)
        r.v[i] = b.v[i] < a.v[i] ? b.v[i] : a.v[i];
    return r;
}
inline f32x4 upper(f32x4 a, f32x4 b) {
    f32x4 r;
    for (std::size_t i = 0; i < 4; ++i)
        r.v[i] = b.v[i] > a.v[i] ? b.v[i] : a.v[i];
    return r;
}
inline f32x4 swap_halves(f32x4 a) {
    return f32x4{{a.v[2], a.v[3], a.v[0], a.v[1]}};
}
inline f32x4 swap_neighbours(f32x4 a) {
    return f32x4{{a.v[1], a.v[0], a.v[3], a.v[2]}};
}
inline float first_lane(f32x4 a) {
    return a.v[0];
}
inline float hsum(f32x4 a) {
    return (a.v[0] + a.v[1]) + (a.v[2] + a.v[3]);
}
inline void hsum2(f32x4 a, f32x4 b, float& sa, float& sb) {
    sa = hsum(a);
    sb = hsum(b);
}

#endif

// a*b + c with two roundings on purpose: a fused op would differ between targets.
inline f32x4 mul_add(f32x4 a, f32x4 b, f32x4 c) {
    return add(mul(a, b), c);
}

// f64x2: two doubles, for the per-group statistics (a group's mean, variance and factor are
// taken in double from its float sums). Every op is lane-wise IEEE double precision; widen is
// exact and narrow rounds to nearest even, as static_cast<float> does, so a loop over groups
// written with these gives the same bits as the same loop in scalar doubles. Its own type on
// every target (in WASM a wrapper: f32x4 and f64x2 would both be v128_t), so the ops overload.
#if defined(NORMLAB_SIMD_WASM)

struct f64x2 {
    v128_t v;
};
inline f64x2 splat2(double s) {
    return {wasm_f64x2_splat(s)};
}
inline f64x2 load2(const double* p) {
    return {wasm_v128_load(p)};
}
inline void store2(double* p, f64x2 a) {
    wasm_v128_store(p, a.v);
}
// Lanes 0, 1 (widen_low) or 2, 3 (widen_high) of v as doubles.
inline f64x2 widen_low(f32x4 v) {
    return {wasm_f64x2_promote_low_f32x4(v)};
}
inline f64x2 widen_high(f32x4 v) {
    return {wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(v, v, 2, 3, 2, 3))};
}
// (float(lo0), float(lo1), float(hi0), float(hi1)).
inline f32x4 narrow(f64x2 lo, f64x2 hi) {
    return wasm_i32x4_shuffle(wasm_f32x4_demote_f64x2_zero(lo.v),
                              wasm_f32x4_demote_f64x2_zero(hi.v), 0, 1, 4, 5);
}
inline f64x2 add(f64x2 a, f64x2 b) {
    return {wasm_f64x2_add(a.v, b.v)};
}
inline f64x2 sub(f64x2 a, f64x2 b) {
    return {wasm_f64x2_sub(a.v, b.v)};
}
inline f64x2 mul(f64x2 a, f64x2 b) {
    return {wasm_f64x2_mul(a.v, b.v)};
}
inline f64x2 div(f64x2 a, f64x2 b) {
    return {wasm_f64x2_div(a.v, b.v)};
}
inline f64x2 sqrt(f64x2 a) {
    return {wasm_f64x2_sqrt(a.v)};
}
// Bit k set where lane k of a > b (false for NaN), and where a == b.
inline unsigned greater_bits(f64x2 a, f64x2 b) {
    return wasm_i64x2_bitmask(wasm_f64x2_gt(a.v, b.v));
}
inline unsigned equal_bits(f64x2 a, f64x2 b) {
    return wasm_i64x2_bitmask(wasm_f64x2_eq(a.v, b.v));
}

#elif defined(NORMLAB_SIMD_SSE2)

using f64x2 = __m128d;
inline f64x2 splat2(double s) {
    return _mm_set1_pd(s);
}
inline f64x2 load2(const double* p) {
    return _mm_loadu_pd(p);
}
inline void store2(double* p, f64x2 a) {
    _mm_storeu_pd(p, a);
}
inline f64x2 widen_low(f32x4 v) {
    return _mm_cvtps_pd(v);
}
inline f64x2 widen_high(f32x4 v) {
    return _mm_cvtps_pd(_mm_movehl_ps(v, v));
}
inline f32x4 narrow(f64x2 lo, f64x2 hi) {
    return _mm_movelh_ps(_mm_cvtpd_ps(lo), _mm_cvtpd_ps(hi));
}
inline f64x2 add(f64x2 a, f64x2 b) {
    return _mm_add_pd(a, b);
}
inline f64x2 sub(f64x2 a, f64x2 b) {
    return _mm_sub_pd(a, b);
}
inline f64x2 mul(f64x2 a, f64x2 b) {
    return _mm_mul_pd(a, b);
}
inline f64x2 div(f64x2 a, f64x2 b) {
    return _mm_div_pd(a, b);
}
inline f64x2 sqrt(f64x2 a) {
    return _mm_sqrt_pd(a);
}
inline unsigned greater_bits(f64x2 a, f64x2 b) {
    return static_cast<unsigned>(_mm_movemask_pd(_mm_cmpgt_pd(a, b)));
}
inline unsigned equal_bits(f64x2 a, f64x2 b) {
    return static_cast<unsigned>(_mm_movemask_pd(_mm_cmpeq_pd(a, b)));
}

#else

struct f64x2 {
    double v[2];
};
inline f64x2 splat2(double s) {
    return f64x2{{s, s}};
}
inline f64x2 load2(const double* p) {
    return f64x2{{p[0], p[1]}};
}
inline void store2(double* p, f64x2 a) {
    p[0] = a.v[0];
    p[1] = a.v[1];
}
inline f64x2 widen_low(f32x4 v) {
    return f64x2{{v.v[0], v.v[1]}};
}
inline f64x2 widen_high(f32x4 v) {
    return f64x2{{v.v[2], v.v[3]}};
}
inline f32x4 narrow(f64x2 lo, f64x2 hi) {
    return f32x4{{static_cast<float>(lo.v[0]), static_cast<float>(lo.v[1]),
                  static_cast<float>(hi.v[0]), static_cast<float>(hi.v[1])}};
}
inline f64x2 add(f64x2 a, f64x2 b) {
    return f64x2{{a.v[0] + b.v[0], a.v[1] + b.v[1]}};
}
inline f64x2 sub(f64x2 a, f64x2 b) {
    return f64x2{{a.v[0] - b.v[0], a.v[1] - b.v[1]}};
}
inline f64x2 mul(f64x2 a, f64x2 b) {
    return f64x2{{a.v[0] * b.v[0], a.v[1] * b.v[1]}};
}
inline f64x2 div(f64x2 a, f64x2 b) {
    return f64x2{{a.v[0] / b.v[0], a.v[1] / b.v[1]}};
}
inline f64x2 sqrt(f64x2 a) {
    return f64x2{{__builtin_sqrt(a.v[0]), __builtin_sqrt(a.v[1])}};
}
inline unsigned greater_bits(f64x2 a, f64x2 b) {
    return static_cast<unsigned>(a.v[0] > b.v[0]) | static_cast<unsigned>(a.v[1] > b.v[1]) << 1;
}
inline unsigned equal_bits(f64x2 a, f64x2 b) {
    return static_cast<unsigned>(a.v[0] == b.v[0]) | static_cast<unsigned>(a.v[1] == b.v[1]) << 1;
}

#endif

} // namespace normlab::kernels::NORMLAB_SIMD_NS
