// kernels/precision.h: emulation of the 16-bit float storage formats the norm kernels can
// pretend to run in (NormSpec::storage). Owns: float <-> IEEE binary16 (fp16) and bfloat16
// bit conversions and round_to(), which maps a float to the nearest value of a format and back.
// Knows nothing of norms, UI or platform.
// Invariants (the truth the UI shows, tested exhaustively in tests/kernels/test_precision.cpp):
//   - rounding is round-to-nearest, ties-to-even, on the exact float value (one rounding);
//   - fp16: max finite 65504; anything >= 65520 in magnitude (the tie above 65504, which rounds
//     to the even neighbour 65536) becomes +-inf; subnormals down to 2^-24 are kept, values at
//     or below 2^-25 (the tie with 0) become +-0; the sign of zero is kept;
//   - bf16: float's exponent range with 8 significant bits, so no new overflow except for
//     floats within half a bf16 ulp of FLT_MAX; subnormals round like normals;
//   - NaN stays NaN (quiet, sign kept); inf stays inf.
#pragma once

#include <cstdint>
#include <string>

namespace normlab::kernels {

enum class Precision { Fp32, Fp16, Bf16 };

const char* precision_id(Precision p);                           // "fp32", "fp16", "bf16"
bool parse_precision_id(const std::string& id, Precision* out); // false on an unknown id

std::uint16_t float_to_fp16_bits(float v); // RNE; overflow to inf; NaN -> quiet NaN
float fp16_bits_to_float(std::uint16_t h); // exact (every fp16 value is a float)
std::uint16_t float_to_bf16_bits(float v); // RNE; NaN -> quiet NaN
float bf16_bits_to_float(std::uint16_t h); // exact

float round_to_fp16(float v); // fp16_bits_to_float(float_to_fp16_bits(v))
float round_to_bf16(float v); // bf16_bits_to_float(float_to_bf16_bits(v))
float round_to(Precision p, float v); // Fp32: v itself

float max_finite(Precision p);     // 65504, 3.3895314e38 (bf16), FLT_MAX
float min_normal(Precision p);     // 2^-14 (6.1035156e-5), FLT_MIN, FLT_MIN
float min_subnormal(Precision p);  // 2^-24 (5.9604645e-8), 2^-133, 2^-149
int significand_bits(Precision p); // 11, 8, 24 (including the implicit bit)

} // namespace normlab::kernels
