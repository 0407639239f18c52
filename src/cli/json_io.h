// cli/json_io.h: JSON in and out for the `normlab` subcommands (nlohmann/json).
// Owns: reading stdin, turning parse failures into one-line messages with line and column,
// strict readers for the typed fields of an input object, and float output in its shortest
// decimal form (0.1f prints as 0.1, not 0.10000000149011612). Knows nothing of norms.
// Errors are thrown as InputError; each subcommand catches it once and prints one line.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <stdexcept>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace normlab::cli {

// A problem with the input the user must fix; what() is the text after "normlab: ".
struct InputError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

std::string read_stream(std::FILE* in);

// Parses exactly one JSON value. Throws InputError naming line:column for malformed text and
// "empty input" for nothing but whitespace.
nlohmann::json parse_document(const std::string& text);

// Throws InputError unless `j` is an object whose keys are all in `allowed`.
void require_object(const nlohmann::json& j, std::initializer_list<const char*> allowed);

// Typed field readers; `key` names the field in messages. Numbers must fit a float.
std::string read_string(const nlohmann::json& j, const char* key);
int read_positive_int(const nlohmann::json& j, const char* key);
float read_float(const nlohmann::json& j, const char* key);
std::vector<float> read_float_array(const nlohmann::json& j, const char* key);
std::vector<int> read_positive_int_array(const nlohmann::json& j, const char* key);

// A float as a JSON number in its shortest round-trip decimal; null when not finite.
nlohmann::ordered_json float_to_json(float v);
// Same for a vector; adds the number of non-finite entries to *non_finite.
nlohmann::ordered_json floats_to_json(const std::vector<float>& v, std::size_t* non_finite);

// The value of a --seed flag: decimal digits in [0, 2^64). Throws InputError otherwise.
std::uint64_t parse_seed(const std::string& text);

} // namespace normlab::cli
