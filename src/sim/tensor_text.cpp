#include "sim/tensor_text.h"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <string_view>

namespace normlab::sim {

namespace {

constexpr std::size_t kMaxValues = 1u << 20;

// Reads one number at s[i]; false if there is none.
bool read_number(std::string_view s, std::size_t& i, float* out) {
    const auto rest = s.substr(i);
    const auto starts = [&](std::string_view w) {
        if (rest.size() < w.size()) return false;
        for (std::size_t k = 0; k < w.size(); ++k)
            if (std::tolower(static_cast<unsigned char>(rest[k])) != w[k]) return false;
        return true;
    };
    for (auto [word, value] : {std::pair{std::string_view("nan"), NAN}, std::pair{std::string_view("inf"), INFINITY},
                               std::pair{std::string_view("-inf"), -INFINITY}, std::pair{std::string_view("+inf"), INFINITY}}) {
        if (starts(word)) {
            i += word.size();
            *out = value;
            return true;
        }
    }
    const std::string token(rest.substr(0, std::min<std::size_t>(rest.size(), 64)));
    char* end = nullptr;
    const double v = std::strtod(token.c_str(), &end);
    if (end == token.c_str()) return false;
    i += static_cast<std::size_t>(end - token.c_str());
    *out = static_cast<float>(v);
    return true;
}

bool is_sep(char c) { return c == ',' || c == ';' || c == '\t' || c == ' ' || c == '\r'; }

// Nested brackets: recursive descent that checks every sub-array has the same shape.
struct BracketParser {
    std::string_view s;
    std::size_t i = 0;
    std::vector<float>* values;
    std::string error;

    void skip() {
        while (i < s.size() && (is_sep(s[i]) || s[i] == '\n')) ++i;
    }
    // Parses "[ ... ]" at depth `depth`; returns the dims below it (outermost first).
    bool list(std::vector<int>* dims, int depth) {
        if (depth > 4) return fail("more than 4 nested levels; NormLab shows tensors of rank 2 to 4");
        ++i;  // '['
        skip();
        std::vector<int> child;
        bool first = true, numbers = false;
        int count = 0;
        while (i < s.size() && s[i] != ']') {
            if (s[i] == '[') {
                if (numbers) return fail("a list mixes numbers and sub-lists");
                std::vector<int> d;
                if (!list(&d, depth + 1)) return false;
                if (!first && d != child) return fail("the sub-lists of level " + std::to_string(depth + 1) + " differ in length");
                child = d;
            } else {
                float v = 0;
                if (!first && !numbers) return fail("a list mixes numbers and sub-lists");
                if (!read_number(s, i, &v)) return fail("unexpected '" + std::string(1, s[i]) + "' at character " + std::to_string(i + 1));
                if (values->size() >= kMaxValues) return fail("too many values");
                values->push_back(v);
                numbers = true;
            }
            first = false;
            ++count;
            skip();
        }
        if (i >= s.size()) return fail("a '[' is never closed");
        ++i;  // ']'
        if (count == 0) return fail("an empty list");
        dims->assign(1, count);
        dims->insert(dims->end(), child.begin(), child.end());
        return true;
    }
    bool fail(std::string message) {
        if (error.empty()) error = std::move(message);
        return false;
    }
};

std::string finish(std::vector<int> dims, ParsedTensor* out, std::vector<float>&& values) {
    if (dims.size() == 1) dims.insert(dims.begin(), 1);   // one row: a single example
    if (dims.size() > 4) return "rank " + std::to_string(dims.size()) + " is too deep; NormLab shows rank 2 to 4";
    out->dims = std::move(dims);
    out->values = std::move(values);
    return "";
}

} // namespace

std::string parse_tensor_text(const std::string& text, ParsedTensor* out) {
    std::string_view s(text);
    // Strip numpy's "array(" ... ", dtype=float32)" wrapper.
    if (const auto a = s.find("array("); a != std::string_view::npos) {
        s.remove_prefix(a + 6);
        if (const auto d = s.find("dtype"); d != std::string_view::npos) s = s.substr(0, d);
        while (!s.empty() && (std::isspace(static_cast<unsigned char>(s.back())) || s.back() == ',' || s.back() == ')'))
            s.remove_suffix(1);
    }
    std::size_t start = 0;
    while (start < s.size() && std::isspace(static_cast<unsigned char>(s[start]))) ++start;
    if (start == s.size()) return "nothing to read: paste CSV rows or a numpy array";
    std::vector<float> values;
    if (s[start] == '[') {
        BracketParser p{s, start, &values, ""};
        std::vector<int> dims;
        if (!p.list(&dims, 1)) return p.error;
        p.skip();
        if (p.i < s.size()) return "unexpected text after the closing ']' at character " + std::to_string(p.i + 1);
        return finish(std::move(dims), out, std::move(values));
    }
    // CSV: one example per non-empty line.
    int cols = -1, rows = 0;
    std::size_t i = start;
    while (i < s.size()) {
        std::size_t end = s.find('\n', i);
        if (end == std::string_view::npos) end = s.size();
        const std::string_view line = s.substr(i, end - i);
        std::size_t k = 0;
        int n = 0;
        while (k < line.size()) {
            while (k < line.size() && is_sep(line[k])) ++k;
            if (k >= line.size()) break;
            float v = 0;
            if (!read_number(line, k, &v))
                return "row " + std::to_string(rows + 1) + ": '" + std::string(line.substr(k, 12)) + "' is not a number";
            if (values.size() >= kMaxValues) return "too many values";
            values.push_back(v);
            ++n;
        }
        if (n > 0) {
            ++rows;
            if (cols >= 0 && n != cols)
                return "row " + std::to_string(rows) + " has " + std::to_string(n) + " values; the rows above have " +
                       std::to_string(cols);
            cols = n;
        }
        i = end + 1;
    }
    if (rows == 0) return "nothing to read: paste CSV rows or a numpy array";
    return finish({rows, cols}, out, std::move(values));
}

} // namespace normlab::sim
