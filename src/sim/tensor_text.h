// sim/tensor_text.h: reads a small tensor a learner pastes: CSV rows, or an array as numpy
// prints it ("[[1. 2.]\n [3. 4.]]", optionally wrapped in "array(...)"). Nesting depth gives
// the rank (1-D becomes one example); nan, inf and -inf are accepted and shown as such.
#pragma once

#include <string>
#include <vector>

namespace normlab::sim {

struct ParsedTensor {
    std::vector<int> dims;      // 2 to 4 entries
    std::vector<float> values;  // row-major
};

// Returns "" and fills *out, or a one-line message naming the problem (where it is, what was
// expected), e.g. "row 3 has 4 values; the rows above have 5".
std::string parse_tensor_text(const std::string& text, ParsedTensor* out);

} // namespace normlab::sim
