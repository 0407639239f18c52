// tests/kernels/test_precision.cpp: the fp16 / bf16 rounding of kernels/precision.h. Known
// values from the formats' definitions, then exhaustive sweeps: every 16-bit pattern round-trips,
// and every rounding boundary (the exact midpoint between two neighbours, and the floats just
// either side of it) goes the way round-to-nearest-even says.
#include <doctest/doctest.h>

#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>

#include "kernels/precision.h"

namespace {

// The web build's libc++ (emscripten 3.1.6) has no std::bit_cast.
std::uint32_t test_bits_of(float v) {
    std::uint32_t u;
    std::memcpy(&u, &v, sizeof u);
    return u;
}

float test_float_of(std::uint32_t u) {
    float v;
    std::memcpy(&v, &u, sizeof v);
    return v;
}

using normlab::kernels::bf16_bits_to_float;
using normlab::kernels::float_to_bf16_bits;
using normlab::kernels::float_to_fp16_bits;
using normlab::kernels::fp16_bits_to_float;
using normlab::kernels::Precision;
using normlab::kernels::round_to;
using normlab::kernels::round_to_bf16;
using normlab::kernels::round_to_fp16;

float next_up(float v) {
    return std::nextafter(v, std::numeric_limits<float>::infinity());
}
float next_down(float v) {
    return std::nextafter(v, -std::numeric_limits<float>::infinity());
}
bool same_bits(float a, float b) {
    return test_bits_of(a) == test_bits_of(b);
}

// Checks the rounding boundary between two adjacent finite values lo < hi of a format, whose
// bit patterns are lo_bits and lo_bits + 1 (positive) or the mirrored negatives.
template <typename ToBits>
int boundary_failures(float lo, float hi, std::uint16_t lo_bits, std::uint16_t hi_bits,
                      ToBits to_bits) {
    const float mid = lo + (hi - lo) / 2.0f; // exact: one more bit than the format has
    const std::uint16_t even = (lo_bits & 1u) == 0 ? lo_bits : hi_bits;
    int failures = 0;
    failures += to_bits(mid) != even;
    failures += to_bits(next_down(mid)) != lo_bits;
    failures += to_bits(next_up(mid)) != hi_bits;
    failures += to_bits(lo) != lo_bits;
    failures += to_bits(hi) != hi_bits;
    return failures;
}

} // namespace

TEST_CASE("precision: fp16 known values") {
    CHECK(round_to_fp16(1.0f) == 1.0f);
    CHECK(float_to_fp16_bits(1.0f) == 0x3c00);
    CHECK(float_to_fp16_bits(-2.0f) == 0xc000);
    CHECK(round_to_fp16(65504.0f) == 65504.0f);
    CHECK(float_to_fp16_bits(65504.0f) == 0x7bff);
    CHECK(round_to_fp16(65519.99f) == 65504.0f);
    CHECK(std::isinf(round_to_fp16(65520.0f))); // the tie above 65504 goes to the even "65536"
    CHECK(round_to_fp16(65520.0f) > 0.0f);
    CHECK(round_to_fp16(-65520.0f) == -std::numeric_limits<float>::infinity());
    CHECK(std::isinf(round_to_fp16(1e5f)));
    CHECK(std::isinf(round_to_fp16(FLT_MAX)));
    CHECK(float_to_fp16_bits(std::numeric_limits<float>::infinity()) == 0x7c00);
    CHECK(float_to_fp16_bits(-std::numeric_limits<float>::infinity()) == 0xfc00);
    // 1/3 = 0x3555 = 0.333251953125 (the nearest fp16, below 1/3).
    CHECK(float_to_fp16_bits(1.0f / 3.0f) == 0x3555);
    CHECK(round_to_fp16(1.0f / 3.0f) == 0.333251953125f);
    // Subnormals: the smallest is 2^-24; 1e-8 is below half of it and becomes 0.
    CHECK(round_to_fp16(1e-8f) == 0.0f);
    CHECK(round_to_fp16(0x1p-25f) == 0.0f);               // the tie with 0 goes to even 0
    CHECK(round_to_fp16(next_up(0x1p-25f)) == 0x1p-24f); // just above the tie
    CHECK(round_to_fp16(5e-8f) == 0x1p-24f);
    CHECK(round_to_fp16(1e-7f) == 0x1p-23f);
    CHECK(float_to_fp16_bits(0x1p-24f) == 0x0001);
    CHECK(float_to_fp16_bits(0x1p-14f) == 0x0400); // the smallest normal
    CHECK(float_to_fp16_bits(0x1p-14f - 0x1p-25f) == 0x0400); // rounds up into the normals
    CHECK(round_to_fp16(6e-5f) == doctest::Approx(6e-5).epsilon(1e-3)); // subnormal, kept
    CHECK(fp16_bits_to_float(0x03ff) == 1023.0f * 0x1p-24f);
    // Zero keeps its sign; so does a negative value rounding to zero.
    CHECK(std::signbit(round_to_fp16(-0.0f)));
    CHECK(std::signbit(round_to_fp16(-1e-9f)));
    CHECK(round_to_fp16(-1e-9f) == 0.0f);
    // Float subnormals are far below fp16's range.
    CHECK(round_to_fp16(std::numeric_limits<float>::denorm_min()) == 0.0f);
}

TEST_CASE("precision: bf16 known values") {
    CHECK(float_to_bf16_bits(1.0f) == 0x3f80);
    // 1.00390625 = 1 + 2^-8 sits exactly between 1 and 1 + 2^-7: ties to the even 1.
    CHECK(round_to_bf16(1.00390625f) == 1.0f);
    CHECK(round_to_bf16(next_up(1.00390625f)) == 1.0078125f);
    // 1 + 3 * 2^-8 sits between 1 + 2^-7 (odd) and 1 + 2^-6 (even): up.
    CHECK(round_to_bf16(1.01171875f) == 1.015625f);
    CHECK(round_to_bf16(1.0f / 3.0f) == 0.333984375f);
    CHECK(float_to_bf16_bits(1.0f / 3.0f) == 0x3eab);
    // bf16 keeps float's range: 1e30 and 1e-30 survive, coarsely.
    CHECK(round_to_bf16(1e30f) == doctest::Approx(1e30).epsilon(4e-3));
    CHECK(round_to_bf16(1e-30f) == doctest::Approx(1e-30).epsilon(4e-3));
    CHECK(round_to_bf16(65520.0f) == 65536.0f); // no fp16-style overflow
    CHECK(round_to_bf16(10001.0f) == 9984.0f);  // spacing 64 near 1e4
    // Only floats within half a bf16 ulp of FLT_MAX overflow.
    CHECK(round_to_bf16(FLT_MAX) == std::numeric_limits<float>::infinity());
    CHECK(round_to_bf16(-FLT_MAX) == -std::numeric_limits<float>::infinity());
    CHECK(round_to_bf16(normlab::kernels::max_finite(Precision::Bf16)) ==
          normlab::kernels::max_finite(Precision::Bf16));
    CHECK(normlab::kernels::max_finite(Precision::Bf16) == doctest::Approx(3.3895314e38));
    // Float subnormals round to bf16 subnormals (spacing 2^-133).
    CHECK(round_to_bf16(0x1p-133f) == 0x1p-133f);
    CHECK(round_to_bf16(0x1p-134f) == 0.0f); // tie with 0 goes to even 0
    CHECK(round_to_bf16(0x3p-134f) == 0x1p-132f); // 1.5 * 2^-133 ties to even 2 * 2^-133
    CHECK(std::signbit(round_to_bf16(-0.0f)));
}

TEST_CASE("precision: NaN stays NaN and infinities stay infinite") {
    const float specials[] = {
        std::numeric_limits<float>::quiet_NaN(),
        -std::numeric_limits<float>::quiet_NaN(),
        std::numeric_limits<float>::signaling_NaN(),
        test_float_of(std::uint32_t{0x7f800001}), // payload only in the low bits
        test_float_of(std::uint32_t{0xff800001}),
        test_float_of(std::uint32_t{0x7fffffff}),
    };
    for (float v : specials) {
        CAPTURE(test_bits_of(v));
        CHECK(std::isnan(round_to_fp16(v)));
        CHECK(std::isnan(round_to_bf16(v)));
        CHECK(std::isnan(round_to(Precision::Fp32, v)));
        CHECK(std::signbit(round_to_fp16(v)) == std::signbit(v));
        CHECK(std::signbit(round_to_bf16(v)) == std::signbit(v));
        CHECK((float_to_fp16_bits(v) & 0x7e00u) == 0x7e00u); // quiet
        CHECK((float_to_bf16_bits(v) & 0x7fc0u) == 0x7fc0u);
    }
    for (float inf : {std::numeric_limits<float>::infinity(),
                      -std::numeric_limits<float>::infinity()}) {
        CHECK(round_to_fp16(inf) == inf);
        CHECK(round_to_bf16(inf) == inf);
    }
}

TEST_CASE("precision: every fp16 and bf16 bit pattern round-trips") {
    int fp16_failures = 0, bf16_failures = 0, nan_count = 0;
    for (std::uint32_t b = 0; b <= 0xffff; ++b) {
        const auto h = static_cast<std::uint16_t>(b);
        const float f16 = fp16_bits_to_float(h);
        const float b16 = bf16_bits_to_float(h);
        if (std::isnan(f16)) {
            ++nan_count;
            // NaN -> NaN; the payload's top bits survive, the quiet bit is set.
            fp16_failures += float_to_fp16_bits(f16) != (h | 0x0200u);
        } else {
            fp16_failures += float_to_fp16_bits(f16) != h;
        }
        bf16_failures += std::isnan(b16) ? float_to_bf16_bits(b16) != (h | 0x0040u)
                                         : float_to_bf16_bits(b16) != h;
    }
    CHECK(fp16_failures == 0);
    CHECK(bf16_failures == 0);
    CHECK(nan_count == 2 * 1023);
}

TEST_CASE("precision: every fp16 rounding boundary follows ties-to-even") {
    int failures = 0;
    // Adjacent positive finite values 0x0000..0x7bff, then their negatives.
    for (std::uint16_t b = 0; b < 0x7bff; ++b) {
        const auto up = static_cast<std::uint16_t>(b + 1);
        failures += boundary_failures(fp16_bits_to_float(b), fp16_bits_to_float(up), b, up,
                                      float_to_fp16_bits);
        const auto nb = static_cast<std::uint16_t>(b | 0x8000u);
        const auto nup = static_cast<std::uint16_t>(up | 0x8000u);
        // Mirrored: -hi < -lo, so the "lo" of the pair is the larger magnitude.
        failures += boundary_failures(fp16_bits_to_float(nup), fp16_bits_to_float(nb), nup, nb,
                                      float_to_fp16_bits);
    }
    CHECK(failures == 0);
    // Above 65504 the next step would be 65536: the boundary at 65520 goes to inf.
    CHECK(float_to_fp16_bits(next_down(65520.0f)) == 0x7bff);
    CHECK(float_to_fp16_bits(65520.0f) == 0x7c00);
}

TEST_CASE("precision: every bf16 rounding boundary follows ties-to-even") {
    int failures = 0;
    for (std::uint16_t b = 0; b < 0x7f7f; ++b) {
        const auto up = static_cast<std::uint16_t>(b + 1);
        failures += boundary_failures(bf16_bits_to_float(b), bf16_bits_to_float(up), b, up,
                                      float_to_bf16_bits);
        const auto nb = static_cast<std::uint16_t>(b | 0x8000u);
        const auto nup = static_cast<std::uint16_t>(up | 0x8000u);
        failures += boundary_failures(bf16_bits_to_float(nup), bf16_bits_to_float(nb), nup, nb,
                                      float_to_bf16_bits);
    }
    CHECK(failures == 0);
}

TEST_CASE("precision: round_to dispatches and is idempotent") {
    CHECK(round_to(Precision::Fp32, 0.1f) == 0.1f);
    CHECK(round_to(Precision::Fp16, 0.1f) == round_to_fp16(0.1f));
    CHECK(round_to(Precision::Bf16, 0.1f) == round_to_bf16(0.1f));
    std::uint32_t state = 12345u;
    int failures = 0;
    for (int i = 0; i < 200000; ++i) {
        state = state * 1664525u + 1013904223u; // LCG over all float bit patterns
        const float v = test_float_of(state);
        if (std::isnan(v)) continue;
        for (Precision p : {Precision::Fp16, Precision::Bf16}) {
            const float r = round_to(p, v);
            failures += !same_bits(round_to(p, r), r);
            // Nearest: neither neighbour of r (one bit pattern further from or nearer to 0)
            // is strictly closer to v.
            if (std::isfinite(r) && std::isfinite(v)) {
                const double err = std::fabs(static_cast<double>(r) - v);
                const std::uint16_t bits =
                    p == Precision::Fp16 ? float_to_fp16_bits(r) : float_to_bf16_bits(r);
                auto value = [p](std::uint16_t h) {
                    return p == Precision::Fp16 ? fp16_bits_to_float(h) : bf16_bits_to_float(h);
                };
                const float away = value(static_cast<std::uint16_t>(bits + 1u));
                if (std::isfinite(away))
                    failures += std::fabs(static_cast<double>(away) - v) < err;
                if ((bits & 0x7fffu) != 0) {
                    const float toward = value(static_cast<std::uint16_t>(bits - 1u));
                    failures += std::fabs(static_cast<double>(toward) - v) < err;
                }
            }
        }
    }
    CHECK(failures == 0);
}

TEST_CASE("precision: ids and format constants") {
    for (Precision p : {Precision::Fp32, Precision::Fp16, Precision::Bf16}) {
        Precision back = Precision::Fp32;
        CHECK(normlab::kernels::parse_precision_id(normlab::kernels::precision_id(p), &back));
        CHECK(back == p);
        CHECK(round_to(p, normlab::kernels::max_finite(p)) == normlab::kernels::max_finite(p));
        CHECK(round_to(p, normlab::kernels::min_normal(p)) == normlab::kernels::min_normal(p));
        CHECK(round_to(p, normlab::kernels::min_subnormal(p)) ==
              normlab::kernels::min_subnormal(p));
        CHECK(round_to(p, normlab::kernels::min_subnormal(p) / 2.0f) == 0.0f); // tie -> even 0
    }
    CHECK_FALSE(normlab::kernels::parse_precision_id("half", nullptr));
    CHECK(std::string(normlab::kernels::precision_id(Precision::Bf16)) == "bf16");
    CHECK(normlab::kernels::max_finite(Precision::Fp16) == 65504.0f);
    CHECK(normlab::kernels::min_normal(Precision::Fp16) == 0x1p-14f);
    CHECK(normlab::kernels::min_subnormal(Precision::Fp16) == 0x1p-24f);
    CHECK(normlab::kernels::significand_bits(Precision::Fp16) == 11);
    CHECK(normlab::kernels::significand_bits(Precision::Bf16) == 8);
    CHECK(normlab::kernels::significand_bits(Precision::Fp32) == 24);
}
