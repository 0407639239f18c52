// kernels/precision.cpp: see precision.h. Integer bit manipulation only, so the result does not
// depend on the FPU's rounding mode or on flush-to-zero settings.
#include "kernels/precision.h"

#include <cfloat>
#include <cstdint>
#include <cstring>
#include <string>

namespace normlab::kernels {

namespace {

// The web build's libc++ (emscripten 3.1.6) has no std::bit_cast; memcpy is the same thing.
std::uint32_t bits_of(float v) {
    std::uint32_t u;
    std::memcpy(&u, &v, sizeof u);
    return u;
}

float float_of(std::uint32_t u) {
    float v;
    std::memcpy(&v, &u, sizeof v);
    return v;
}

// Shifts `mant` right by `shift` (1..31), rounding to nearest with ties to even.
std::uint32_t shift_right_rne(std::uint32_t mant, int shift) {
    const std::uint32_t kept = mant >> shift;
    const std::uint32_t rest = mant & ((std::uint32_t{1} << shift) - 1);
    const std::uint32_t half = std::uint32_t{1} << (shift - 1);
    return kept + ((rest > half || (rest == half && (kept & 1u))) ? 1u : 0u);
}

} // namespace

const char* precision_id(Precision p) {
    switch (p) {
    case Precision::Fp32: return "fp32";
    case Precision::Fp16: return "fp16";
    case Precision::Bf16: return "bf16";
    }
    return "fp32";
}

bool parse_precision_id(const std::string& id, Precision* out) {
    for (Precision p : {Precision::Fp32, Precision::Fp16, Precision::Bf16}) {
        if (id == precision_id(p)) {
            if (out) *out = p;
            return true;
        }
    }
    return false;
}

std::uint16_t float_to_fp16_bits(float v) {
    const std::uint32_t x = bits_of(v);
    const std::uint16_t sign = static_cast<std::uint16_t>((x >> 16) & 0x8000u);
    const std::uint32_t ax = x & 0x7fffffffu;
    if (ax > 0x7f800000u) // NaN: keep the top payload bits, force the quiet bit
        return static_cast<std::uint16_t>(sign | 0x7e00u | ((ax >> 13) & 0x3ffu));
    if (ax >= 0x477ff000u) // >= 65520 (and inf): past the tie above 65504
        return static_cast<std::uint16_t>(sign | 0x7c00u);
    if (ax >= 0x38800000u) { // >= 2^-14: a normal fp16
        // Rebias the exponent (127 -> 15) and round the 23-bit mantissa to 10 bits; a carry
        // out of the mantissa correctly bumps the exponent.
        const std::uint32_t rebiased = ax - (std::uint32_t{127 - 15} << 23);
        return static_cast<std::uint16_t>(sign | shift_right_rne(rebiased, 13));
    }
    if (ax <= 0x33000000u) return sign; // <= 2^-25: the tie with 0 goes to the even 0
    // Subnormal fp16: m * 2^-24. The float is mant * 2^(e - 150) with the implicit bit set
    // (e >= 102 here, so the float itself is normal); m = mant * 2^(e - 126).
    const int e = static_cast<int>(ax >> 23);
    const std::uint32_t mant = (ax & 0x7fffffu) | 0x800000u;
    // m may round up to 0x400, which is exactly the smallest normal's bit pattern.
    return static_cast<std::uint16_t>(sign | shift_right_rne(mant, 126 - e));
}

float fp16_bits_to_float(std::uint16_t h) {
    const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000u) << 16;
    const std::uint32_t e = (h >> 10) & 0x1fu;
    const std::uint32_t m = h & 0x3ffu;
    if (e == 0x1f) return float_of(sign | 0x7f800000u | (m << 13)); // inf, NaN
    if (e != 0) return float_of(sign | ((e + 127 - 15) << 23) | (m << 13));
    if (m == 0) return float_of(sign);
    // Subnormal: m * 2^-24, exact in float (m < 2^10).
    const float mag = static_cast<float>(m) * 0x1p-24f;
    return sign ? -mag : mag;
}

std::uint16_t float_to_bf16_bits(float v) {
    const std::uint32_t x = bits_of(v);
    if ((x & 0x7fffffffu) > 0x7f800000u) // NaN: truncating could clear every payload bit
        return static_cast<std::uint16_t>((x >> 16) | 0x0040u);
    // Round the low 16 bits away, ties to even; a carry into the exponent is correct, and
    // past FLT_MAX's bf16 neighbour it gives exactly the inf pattern.
    const std::uint32_t lsb = (x >> 16) & 1u;
    return static_cast<std::uint16_t>((x + 0x7fffu + lsb) >> 16);
}

float bf16_bits_to_float(std::uint16_t h) {
    return float_of(static_cast<std::uint32_t>(h) << 16);
}

float round_to_fp16(float v) {
    return fp16_bits_to_float(float_to_fp16_bits(v));
}

float round_to_bf16(float v) {
    return bf16_bits_to_float(float_to_bf16_bits(v));
}

float round_to(Precision p, float v) {
    switch (p) {
    case Precision::Fp32: return v;
    case Precision::Fp16: return round_to_fp16(v);
    case Precision::Bf16: return round_to_bf16(v);
    }
    return v;
}

float max_finite(Precision p) {
    switch (p) {
    case Precision::Fp16: return 65504.0f;
    case Precision::Bf16: return bf16_bits_to_float(0x7f7fu);
    case Precision::Fp32: break;
    }
    return FLT_MAX;
}

float min_normal(Precision p) {
    return p == Precision::Fp16 ? 0x1p-14f : FLT_MIN;
}

float min_subnormal(Precision p) {
    switch (p) {
    case Precision::Fp16: return 0x1p-24f;
    case Precision::Bf16: return bf16_bits_to_float(0x0001u);
    case Precision::Fp32: break;
    }
    return float_of(std::uint32_t{1});
}

int significand_bits(Precision p) {
    switch (p) {
    case Precision::Fp16: return 11;
    case Precision::Bf16: return 8;
    case Precision::Fp32: break;
    }
    return 24;
}

} // namespace normlab::kernels
