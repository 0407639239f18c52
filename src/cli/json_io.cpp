// cli/json_io.cpp: see json_io.h.
#include "cli/json_io.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>

namespace normlab::cli {
namespace {

// The JSON text of a small value for messages, clipped so one bad entry stays one line.
std::string excerpt(const nlohmann::json& v) {
    std::string s = v.dump();
    if (s.size() > 40) s = s.substr(0, 37) + "...";
    return s;
}

std::string line_column(const std::string& text, std::size_t byte) {
    // nlohmann's byte is 1-based: the position of the last character it read.
    const std::size_t end = byte == 0 ? 0 : std::min(byte - 1, text.size());
    std::size_t line = 1, line_start = 0;
    for (std::size_t i = 0; i < end; ++i) {
        if (text[i] == '\n') {
            ++line;
            line_start = i + 1;
        }
    }
    return "line " + std::to_string(line) + ", column " + std::to_string(end - line_start + 1);
}

// The human part of a nlohmann message: after "...column N: " or after "] ".
std::string reason_of(const char* what) {
    std::string s = what;
    const std::size_t at = s.find("column ");
    if (at != std::string::npos) {
        const std::size_t colon = s.find(": ", at);
        if (colon != std::string::npos) return s.substr(colon + 2);
    }
    const std::size_t bracket = s.find("] ");
    return bracket == std::string::npos ? s : s.substr(bracket + 2);
}

float to_float(const nlohmann::json& v, const std::string& where) {
    if (!v.is_number())
        throw InputError(where + " must be a number, got " + std::string(v.type_name()) + " " +
                         excerpt(v));
    const double d = v.get<double>();
    if (!std::isfinite(d) || std::fabs(d) > std::numeric_limits<float>::max())
        throw InputError(where + " = " + excerpt(v) + " is outside the float range");
    return static_cast<float>(d);
}

int to_positive_int(const nlohmann::json& v, const std::string& where) {
    if (!v.is_number_integer())
        throw InputError(where + " must be a positive integer, got " + excerpt(v));
    const bool too_big = v.is_number_unsigned() &&
                         v.get<unsigned long long>() >
                             static_cast<unsigned long long>(std::numeric_limits<int>::max());
    const long long i = too_big ? 0 : v.get<long long>();
    if (too_big || i < 1 || i > std::numeric_limits<int>::max())
        throw InputError(where + " must be a positive integer, got " + excerpt(v));
    return static_cast<int>(i);
}

const nlohmann::json& field(const nlohmann::json& j, const char* key) {
    const auto it = j.find(key);
    if (it == j.end()) throw InputError(std::string("missing key \"") + key + "\"");
    return *it;
}

const nlohmann::json& array_field(const nlohmann::json& j, const char* key) {
    const nlohmann::json& v = field(j, key);
    if (!v.is_array())
        throw InputError(std::string(key) + " must be an array, got " + std::string(v.type_name()));
    return v;
}

} // namespace

std::string read_stream(std::FILE* in) {
    std::string text;
    char buf[1 << 14];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, in)) > 0)
        text.append(buf, n);
    return text;
}

nlohmann::json parse_document(const std::string& text) {
    if (text.find_first_not_of(" \t\r\n") == std::string::npos)
        throw InputError("empty input: expected one JSON object on stdin");
    try {
        return nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error& e) {
        throw InputError("malformed JSON at " + line_column(text, e.byte) + ": " +
                         reason_of(e.what()));
    } catch (const nlohmann::json::exception& e) {
        // e.g. out_of_range.406 "number overflow parsing '1e400'" carries no position.
        throw InputError("malformed JSON: " + reason_of(e.what()));
    }
}

void require_object(const nlohmann::json& j, std::initializer_list<const char*> allowed) {
    if (!j.is_object())
        throw InputError("expected a JSON object, got " + std::string(j.type_name()));
    for (const auto& item : j.items()) {
        bool known = false;
        for (const char* k : allowed)
            known = known || item.key() == k;
        if (known) continue;
        std::string list;
        for (const char* k : allowed)
            list += (list.empty() ? "" : ", ") + std::string(k);
        throw InputError("unknown key \"" + item.key() + "\" (expected one of: " + list + ")");
    }
}

std::string read_string(const nlohmann::json& j, const char* key) {
    const nlohmann::json& v = field(j, key);
    if (!v.is_string()) throw InputError(std::string(key) + " must be a string, got " + excerpt(v));
    return v.get<std::string>();
}

int read_positive_int(const nlohmann::json& j, const char* key) {
    return to_positive_int(field(j, key), key);
}

float read_float(const nlohmann::json& j, const char* key) {
    return to_float(field(j, key), key);
}

std::vector<float> read_float_array(const nlohmann::json& j, const char* key) {
    const nlohmann::json& a = array_field(j, key);
    std::vector<float> out;
    out.reserve(a.size());
    for (std::size_t i = 0; i < a.size(); ++i)
        out.push_back(to_float(a[i], std::string(key) + "[" + std::to_string(i) + "]"));
    return out;
}

std::vector<int> read_positive_int_array(const nlohmann::json& j, const char* key) {
    const nlohmann::json& a = array_field(j, key);
    std::vector<int> out;
    for (std::size_t i = 0; i < a.size(); ++i)
        out.push_back(to_positive_int(a[i], std::string(key) + "[" + std::to_string(i) + "]"));
    return out;
}

nlohmann::ordered_json float_to_json(float v) {
    if (!std::isfinite(v)) return nullptr;
    // Shortest decimal that reads back as this float, then the double nearest to that decimal:
    // nlohmann prints a double in its shortest form, so 0.1f leaves as "0.1".
    char buf[32];
    const auto res = std::to_chars(buf, buf + sizeof buf, v);
    double d = 0.0;
    std::from_chars(buf, res.ptr, d); // locale-free, unlike strtod
    return d;
}

nlohmann::ordered_json floats_to_json(const std::vector<float>& v, std::size_t* non_finite) {
    nlohmann::ordered_json a = nlohmann::ordered_json::array();
    for (float f : v) {
        if (!std::isfinite(f) && non_finite) ++*non_finite;
        a.push_back(float_to_json(f));
    }
    return a;
}

std::uint64_t parse_seed(const std::string& text) {
    const bool digits = !text.empty() && text.size() <= 20 &&
                        text.find_first_not_of("0123456789") == std::string::npos;
    errno = 0;
    const unsigned long long v = digits ? std::strtoull(text.c_str(), nullptr, 10) : 0;
    if (!digits || errno == ERANGE)
        throw InputError("--seed must be an integer in [0, 2^64), got \"" + text + "\"");
    return static_cast<std::uint64_t>(v);
}

} // namespace normlab::cli
