// scenario/loader.cpp: see loader.h.
// Index: [SECTION] positions (JSON Pointer -> byte offset, duplicate keys)
//        [SECTION] context and field readers
//        [SECTION] lab state, conditions, quiz, steps
//        [SECTION] scenario checks that replay the lab
//        [SECTION] lab text
//        [SECTION] entry points, file names, translations
// nlohmann/json parses (its exceptions are caught here and never leave); a small scanner of
// our own then records where each value starts, because nlohmann keeps no positions.
#include "scenario/loader.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <set>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "scenario/lab_bridge.h"
#include "scenario/markup.h"
#include "scenario/registry.h"
#include "scenario/train_bridge.h"
#include "sim/families.h"

namespace normlab::scenario {

namespace {

using json = nlohmann::json;

// [SECTION] positions ---------------------------------------------------------------------

std::string pointer_token(std::string_view key) {
    std::string out;
    for (char c : key) {
        if (c == '~')
            out += "~0";
        else if (c == '/')
            out += "~1";
        else
            out += c;
    }
    return out;
}

std::string at(const std::string& p, std::string_view key) {
    return p + "/" + pointer_token(key);
}
std::string at(const std::string& p, std::size_t index) {
    return p + "/" + std::to_string(index);
}

void append_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

// Where every value of a JSON text starts, by JSON Pointer. Runs only on text nlohmann has
// accepted, and on depth-checked text, but stays bounds-safe on anything.
class Positions {
  public:
    void build(std::string_view text) {
        t_ = text;
        i_ = (t_.size() >= 3 && t_.compare(0, 3, "\xEF\xBB\xBF") == 0) ? 3 : 0;
        value("", 0);
    }
    // The offset of `pointer`, or of its closest ancestor that exists.
    std::size_t offset_of(std::string pointer) const {
        while (true) {
            const auto it = at_.find(pointer);
            if (it != at_.end()) return it->second;
            const std::size_t slash = pointer.rfind('/');
            if (slash == std::string::npos) return 0;
            pointer.resize(slash);
        }
    }
    const std::vector<std::string>& duplicates() const { return dups_; }

  private:
    bool more() const { return i_ < t_.size(); }
    void skip_ws() {
        while (more() && (t_[i_] == ' ' || t_[i_] == '\t' || t_[i_] == '\n' || t_[i_] == '\r'))
            ++i_;
    }
    unsigned hex4() {
        unsigned v = 0;
        for (int k = 0; k < 4 && more(); ++k, ++i_) {
            const char c = t_[i_];
            v = v * 16 + static_cast<unsigned>(c >= '0' && c <= '9'   ? c - '0'
                                               : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                               : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                                                      : 0);
        }
        return v;
    }
    // A string at i_ (on the opening quote), decoded as nlohmann decodes keys.
    std::string string() {
        std::string out;
        ++i_;
        while (more() && t_[i_] != '"') {
            if (t_[i_] != '\\') {
                out += t_[i_++];
                continue;
            }
            ++i_;
            if (!more()) break;
            const char e = t_[i_++];
            switch (e) {
            case 'b':
                out += '\b';
                break;
            case 'f':
                out += '\f';
                break;
            case 'n':
                out += '\n';
                break;
            case 'r':
                out += '\r';
                break;
            case 't':
                out += '\t';
                break;
            case 'u': {
                std::uint32_t cp = hex4();
                if (cp >= 0xD800 && cp <= 0xDBFF && i_ + 1 < t_.size() && t_[i_] == '\\' &&
                    t_[i_ + 1] == 'u') {
                    i_ += 2;
                    const std::uint32_t lo = hex4();
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                }
                append_utf8(out, cp);
                break;
            }
            default:
                out += e;
                break; // \" \\ \/
            }
        }
        if (more()) ++i_; // closing quote
        return out;
    }
    void value(const std::string& p, int depth) {
        skip_ws();
        if (!more()) return;
        at_.emplace(p, i_);
        const char c = t_[i_];
        if (c == '"') {
            string();
        } else if (c == '{' && depth < kMaxDepth + 2) {
            ++i_;
            std::set<std::string> seen;
            while (true) {
                skip_ws();
                if (!more() || t_[i_] == '}') break;
                if (t_[i_] != '"') return; // not valid JSON: stop quietly
                const std::size_t key_at = i_;
                const std::string key = string();
                const std::string child = at(p, key);
                if (!seen.insert(key).second) {
                    dups_.push_back(child);
                    at_[child + "#dup"] = key_at;
                }
                skip_ws();
                if (!more() || t_[i_] != ':') return;
                ++i_;
                value(child, depth + 1);
                skip_ws();
                if (more() && t_[i_] == ',')
                    ++i_;
                else
                    break;
            }
            if (more()) ++i_;
        } else if (c == '[' && depth < kMaxDepth + 2) {
            ++i_;
            for (std::size_t n = 0;; ++n) {
                skip_ws();
                if (!more() || t_[i_] == ']') break;
                value(at(p, n), depth + 1);
                skip_ws();
                if (more() && t_[i_] == ',')
                    ++i_;
                else
                    break;
            }
            if (more()) ++i_;
        } else {
            while (more() && !std::strchr(",]} \t\r\n", t_[i_]))
                ++i_;
        }
    }

    std::string_view t_;
    std::size_t i_ = 0;
    std::unordered_map<std::string, std::size_t> at_;
    std::vector<std::string> dups_;
};

// 1-based line and column (in code points) of a byte offset.
void line_column(std::string_view text, std::size_t offset, int* line, int* column) {
    offset = std::min(offset, text.size());
    int l = 1, c = 1;
    const std::size_t bom = text.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0; // not a character
    for (std::size_t i = std::min(bom, offset); i < offset; ++i) {
        const auto b = static_cast<unsigned char>(text[i]);
        if (b == '\n') {
            ++l;
            c = 1;
        } else if ((b & 0xC0) != 0x80) {
            ++c;
        }
    }
    *line = l;
    *column = c;
}

// Fed JSON text one character at a time, says which characters belong to string literals
// (their quotes included), so the raw scans below see only the structure and the numbers.
class StringSkipper {
public:
    bool in_string(char c) {
        if (inside_) {
            if (escaped_)
                escaped_ = false;
            else if (c == '\\')
                escaped_ = true;
            else if (c == '"')
                inside_ = false;
            return true;
        }
        return inside_ = c == '"';
    }

private:
    bool inside_ = false, escaped_ = false;
};

// The offset of the first number literal outside strings that overflows a double (nlohmann's
// "number overflow" error carries no position), or 0.
std::size_t overflowing_number(std::string_view text) {
    StringSkipper strings;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (strings.in_string(c)) continue;
        if (c == '-' || (c >= '0' && c <= '9')) {
            std::size_t end = i;
            while (end < text.size() && std::strchr("+-.eE0123456789", text[end]))
                ++end;
            const std::string token(text.substr(i, std::min<std::size_t>(end - i, 400)));
            if (!std::isfinite(std::strtod(token.c_str(), nullptr))) return i;
            i = end - 1;
        }
    }
    return 0;
}

// [SECTION] context and field readers -------------------------------------------------------

struct Ctx {
    std::string file;
    std::string_view text;
    Positions positions;
    std::vector<Error> errors;
    std::size_t dropped = 0;

    void error_at_offset(const std::string& p, std::size_t offset, std::string message) {
        if (errors.size() >= kMaxErrors) {
            ++dropped;
            return;
        }
        Error e{
            .file = file, .json_path = p, .line = 0, .column = 0, .message = std::move(message)};
        line_column(text, offset, &e.line, &e.column);
        errors.push_back(std::move(e));
    }
    void error(const std::string& p, std::string message) {
        error_at_offset(p, positions.offset_of(p), std::move(message));
    }
    void finish() {
        if (dropped > 0)
            errors.push_back(Error{.file = file,
                                   .message = std::to_string(dropped) + " more error" +
                                              (dropped == 1 ? "" : "s") + " not shown"});
    }
};

// The first `n` bytes of s, cut back to a whole UTF-8 character.
std::string clip(const std::string& s, std::size_t n) {
    if (s.size() <= n) return s;
    while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80)
        --n;
    return s.substr(0, n) + "...";
}

std::string excerpt(const json& v) {
    return clip(v.dump(-1, ' ', false, json::error_handler_t::replace), 40);
}

std::string got(const json& v) {
    return std::string(v.type_name()) + " " + excerpt(v);
}

std::string quoted_list(const std::vector<std::string>& ids, std::size_t max = 12) {
    std::string s;
    for (std::size_t i = 0; i < ids.size() && i < max; ++i)
        s += (i ? ", " : "") + ids[i];
    if (ids.size() > max) s += ", ...";
    return s;
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
    const std::string best = closest(word, candidates);
    return best.empty() ? "" : " (did you mean \"" + best + "\"?)";
}

using Keys = std::vector<std::string>;

// Checks `j` is an object with every required key and no key outside required + optional.
bool object(Ctx& cx, const json& j, const std::string& p, const Keys& required,
            const Keys& optional) {
    if (!j.is_object()) {
        cx.error(p, "must be an object, got " + got(j));
        return false;
    }
    Keys all = required;
    all.insert(all.end(), optional.begin(), optional.end());
    for (auto it = j.begin(); it != j.end(); ++it)
        if (std::find(all.begin(), all.end(), it.key()) == all.end())
            cx.error(at(p, it.key()),
                     "unknown key \"" + it.key() + "\"" + did_you_mean(it.key(), all));
    for (const std::string& r : required)
        if (!j.contains(r)) cx.error(p, "missing required key \"" + r + "\"");
    return true;
}

const json* member(const json& j, const std::string& key) {
    if (!j.is_object()) return nullptr;
    const auto it = j.find(key);
    return it == j.end() ? nullptr : &*it;
}

enum class TextKind { Plain, Markup, Id };

bool id_like(const std::string& s) {
    return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    });
}

std::optional<std::string> check_text(Ctx& cx, const json& v, const std::string& p, TextKind kind) {
    if (!v.is_string()) {
        cx.error(p, "must be a string, got " + got(v));
        return std::nullopt;
    }
    const std::string& s = v.get_ref<const std::string&>();
    if (std::all_of(s.begin(), s.end(),
                    [](char c) { return c == ' ' || c == '\n' || c == '\t'; })) {
        cx.error(p, "must not be empty");
        return std::nullopt;
    }
    if (kind == TextKind::Id && !id_like(s)) {
        cx.error(p, "\"" + clip(s, 40) + "\" is not an id: use 1 to 64 of a-z, 0-9 and _");
        return std::nullopt;
    }
    if (const std::string bad = check_glyphs(s); !bad.empty()) {
        cx.error(p, bad);
        return std::nullopt;
    }
    if (kind == TextKind::Markup) {
        std::string problem;
        parse_markup(s, &problem);
        if (!problem.empty()) {
            cx.error(p, "markup: " + problem);
            return std::nullopt;
        }
    }
    return s;
}

std::optional<std::string> text_field(Ctx& cx, const json& obj, const std::string& p,
                                      const std::string& key, TextKind kind = TextKind::Plain) {
    const json* v = member(obj, key);
    if (!v) return std::nullopt;
    return check_text(cx, *v, at(p, key), kind);
}

std::optional<long long> int_value(Ctx& cx, const json& v, const std::string& p, long long lo,
                                   long long hi) {
    if (!v.is_number_integer()) {
        cx.error(p, "must be an integer, got " + got(v));
        return std::nullopt;
    }
    const bool huge =
        v.is_number_unsigned() && v.get<unsigned long long>() > static_cast<unsigned long long>(hi);
    const long long i = huge ? hi + 1 : v.get<long long>();
    if (huge || i < lo || i > hi) {
        cx.error(p, excerpt(v) + " is out of range (" + std::to_string(lo) + " to " +
                        std::to_string(hi) + ")");
        return std::nullopt;
    }
    return i;
}

std::optional<long long> int_field(Ctx& cx, const json& obj, const std::string& p,
                                   const std::string& key, long long lo, long long hi) {
    const json* v = member(obj, key);
    if (!v) return std::nullopt;
    return int_value(cx, *v, at(p, key), lo, hi);
}

std::string number_text(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v); // what an ostream would print (precision 6)
    return buf;
}

std::optional<double> number_value(Ctx& cx, const json& v, const std::string& p, double lo,
                                   double hi) {
    if (!v.is_number()) {
        cx.error(p, "must be a number, got " + got(v));
        return std::nullopt;
    }
    const double d = v.get<double>();
    if (!std::isfinite(d) || d < lo || d > hi) {
        cx.error(p, excerpt(v) + " is out of range (" + number_text(lo) + " to " + number_text(hi) +
                        ")");
        return std::nullopt;
    }
    return d;
}

std::optional<double> number_field(Ctx& cx, const json& obj, const std::string& p,
                                   const std::string& key, double lo, double hi) {
    const json* v = member(obj, key);
    if (!v) return std::nullopt;
    return number_value(cx, *v, at(p, key), lo, hi);
}

std::optional<bool> bool_field(Ctx& cx, const json& obj, const std::string& p,
                               const std::string& key) {
    const json* v = member(obj, key);
    if (!v) return std::nullopt;
    if (!v->is_boolean()) {
        cx.error(at(p, key), "must be true or false, got " + got(*v));
        return std::nullopt;
    }
    return v->get<bool>();
}

// One of `ids`; returns its index.
std::optional<std::size_t> choice_value(Ctx& cx, const json& v, const std::string& p,
                                        const std::vector<std::string>& ids, const char* what) {
    if (!v.is_string()) {
        cx.error(p, std::string("must be a string (") + what + "), got " + got(v));
        return std::nullopt;
    }
    const std::string& s = v.get_ref<const std::string&>();
    const auto it = std::find(ids.begin(), ids.end(), s);
    if (it == ids.end()) {
        cx.error(p, std::string("unknown ") + what + " \"" + clip(s, 40) + "\"" +
                        did_you_mean(s, ids) + " (expected one of: " + quoted_list(ids) + ")");
        return std::nullopt;
    }
    return static_cast<std::size_t>(it - ids.begin());
}

std::optional<std::size_t> choice_field(Ctx& cx, const json& obj, const std::string& p,
                                        const std::string& key, const std::vector<std::string>& ids,
                                        const char* what) {
    const json* v = member(obj, key);
    if (!v) return std::nullopt;
    return choice_value(cx, *v, at(p, key), ids, what);
}

const json* array_field(Ctx& cx, const json& obj, const std::string& p, const std::string& key,
                        std::size_t min_size, std::size_t max_size) {
    const json* v = member(obj, key);
    if (!v) return nullptr;
    if (!v->is_array()) {
        cx.error(at(p, key), "must be an array, got " + got(*v));
        return nullptr;
    }
    if (v->size() < min_size) {
        cx.error(at(p, key), "must hold at least " + std::to_string(min_size) + " entr" +
                                 (min_size == 1 ? "y" : "ies"));
        return nullptr;
    }
    if (v->size() > max_size) {
        cx.error(at(p, key), "holds " + std::to_string(v->size()) + " entries; at most " +
                                 std::to_string(max_size) + " are allowed");
        return nullptr;
    }
    return v;
}

// [SECTION] lab state, conditions, quiz, steps ----------------------------------------------

const std::vector<std::string>& family_ids() {
    static const std::vector<std::string> ids = [] {
        std::vector<std::string> v;
        for (kernels::NormKind k : sim::kBoardFamilies)
            v.emplace_back(kernels::norm_id(k));
        return v;
    }();
    return ids;
}

template <class E>
std::optional<E> enum_field(Ctx& cx, const json& obj, const std::string& p, const std::string& key,
                            const std::vector<E>& values, const std::vector<std::string>& ids,
                            const char* what) {
    const auto i = choice_field(cx, obj, p, key, ids, what);
    if (!i) return std::nullopt;
    return values[*i];
}

const std::vector<kernels::NormKind> kFamilies(std::begin(sim::kBoardFamilies),
                                               std::end(sim::kBoardFamilies));
const std::vector<sim::Layout> kLayouts = {sim::Layout::Matrix, sim::Layout::Sequence,
                                           sim::Layout::Image};
const std::vector<std::string> kLayoutIds = {"matrix", "sequence", "image"};
const std::vector<sim::DataPreset> kPresets = {
    sim::DataPreset::Stable,      sim::DataPreset::ShiftedMean, sim::DataPreset::Skewed,
    sim::DataPreset::Outliers,    sim::DataPreset::TinyBatch,   sim::DataPreset::NearConstant,
    sim::DataPreset::LargeOffset, sim::DataPreset::ScaleDrift};
std::vector<std::string> preset_ids() {
    std::vector<std::string> v;
    for (sim::DataPreset p : kPresets)
        v.emplace_back(preset_id(p));
    return v;
}

const Keys kLabKeys = {"family",   "shape",          "layout",        "batch",        "features",
                       "length",   "height",         "width",         "groups",       "eps",
                       "seed",     "preset",         "eps_placement", "storage",      "accumulate",
                       "mode",     "momentum",       "reset_running", "reset_affine", "affine",
                       "resample", "scale_examples", "cells",         "train",        "focus",
                       "play"};

// "8x12" (B, d), "4x6x12" (B, L, d), "2x8x4x4" (B, C, H, W).
bool parse_shape(Ctx& cx, const json& v, const std::string& p, LabState* s) {
    const auto text = check_text(cx, v, p, TextKind::Plain);
    if (!text) return false;
    std::vector<long long> dims;
    std::string_view rest = *text;
    bool ok = true;
    while (ok) {
        const std::size_t x = rest.find('x');
        const std::string_view part = rest.substr(0, x);
        ok = !part.empty() && part.size() <= 3 &&
             std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; });
        if (ok) dims.push_back(std::stoll(std::string(part)));
        if (x == std::string_view::npos) break;
        rest.remove_prefix(x + 1);
    }
    if (!ok || dims.size() < 2 || dims.size() > 4) {
        cx.error(p, "\"" + clip(*text, 40) +
                        "\" is not a shape: write BxD, BxLxD or BxCxHxW, e.g. \"8x12\"");
        return false;
    }
    const auto check = [&](long long d, int hi, const char* name) {
        if (d >= 1 && d <= hi) return true;
        cx.error(p, std::string(name) + " = " + std::to_string(d) + " is out of range (1 to " +
                        std::to_string(hi) + ")");
        return false;
    };
    const char* const names[3][4] = {{"B", "d", "", ""}, {"B", "L", "d", ""}, {"B", "C", "H", "W"}};
    const std::size_t r = dims.size() - 2;
    for (std::size_t i = 0; i < dims.size(); ++i) {
        const std::string n = names[r][i];
        const int hi = n == "B"                 ? sim::kMaxBatch
                       : (n == "d" || n == "C") ? sim::kMaxFeatures
                                                : sim::kMaxSpatial;
        if (!check(dims[i], hi, names[r][i])) return false;
    }
    const auto i = [&](std::size_t k) { return static_cast<int>(dims[k]); };
    s->batch = i(0);
    if (r == 0) {
        s->layout = sim::Layout::Matrix;
        s->features = i(1);
    } else if (r == 1) {
        s->layout = sim::Layout::Sequence;
        s->length = i(1);
        s->features = i(2);
    } else {
        s->layout = sim::Layout::Image;
        s->features = i(1);
        s->height = i(2);
        s->width = i(3);
    }
    return true;
}

LabState read_lab_state(Ctx& cx, const json& j, const std::string& p) {
    LabState s;
    if (!object(cx, j, p, {}, kLabKeys)) return s;
    s.family = enum_field(cx, j, p, "family", kFamilies, family_ids(), "family");
    if (const json* shape = member(j, "shape")) {
        for (const char* k : {"layout", "batch", "features", "length", "height", "width"})
            if (j.contains(k))
                cx.error(at(p, k),
                         std::string(
                             "\"shape\" already sets the layout and every dimension; remove \"") +
                             k + "\" or write it into the shape");
        parse_shape(cx, *shape, at(p, "shape"), &s);
    } else {
        s.layout = enum_field(cx, j, p, "layout", kLayouts, kLayoutIds, "layout");
        const auto dim = [&](const char* key, int hi) -> std::optional<int> {
            const auto v = int_field(cx, j, p, key, 1, hi);
            return v ? std::optional<int>(static_cast<int>(*v)) : std::nullopt;
        };
        s.batch = dim("batch", sim::kMaxBatch);
        s.features = dim("features", sim::kMaxFeatures);
        s.length = dim("length", sim::kMaxSpatial);
        s.height = dim("height", sim::kMaxSpatial);
        s.width = dim("width", sim::kMaxSpatial);
    }
    if (const auto g = int_field(cx, j, p, "groups", 1, sim::kMaxFeatures))
        s.groups = static_cast<int>(*g);
    if (const auto e = number_field(cx, j, p, "eps", 0, 10)) s.eps = static_cast<float>(*e);
    if (const auto seed = int_field(cx, j, p, "seed", 0, 1LL << 53))
        s.seed = static_cast<std::uint64_t>(*seed);
    s.preset = enum_field(cx, j, p, "preset", kPresets, preset_ids(), "preset");
    s.eps_placement =
        enum_field(cx, j, p, "eps_placement",
                   std::vector{kernels::EpsPlacement::Inside, kernels::EpsPlacement::Outside},
                   Keys{"inside", "outside"}, "eps placement");
    s.storage = enum_field(
        cx, j, p, "storage",
        std::vector{kernels::Precision::Fp32, kernels::Precision::Fp16, kernels::Precision::Bf16},
        Keys{"fp32", "fp16", "bf16"}, "storage format");
    s.accumulate = enum_field(cx, j, p, "accumulate",
                              std::vector{kernels::Accumulate::Fp32, kernels::Accumulate::Storage},
                              Keys{"fp32", "storage"}, "accumulation");
    s.mode =
        enum_field(cx, j, p, "mode", std::vector{kernels::NormMode::Train, kernels::NormMode::Eval},
                   Keys{"train", "eval"}, "mode");
    if (const auto m = number_field(cx, j, p, "momentum", 0, 1))
        s.momentum = static_cast<float>(*m);
    s.reset_running = bool_field(cx, j, p, "reset_running").value_or(false);
    s.reset_affine = bool_field(cx, j, p, "reset_affine").value_or(false);
    if (const json* a = array_field(cx, j, p, "affine", 1, 64)) {
        for (std::size_t i = 0; i < a->size(); ++i) {
            const std::string q = at(at(p, "affine"), i);
            const json& e = (*a)[i];
            if (!object(cx, e, q, {"channel"}, {"gamma", "beta"})) continue;
            const auto ch = int_field(cx, e, q, "channel", 0, sim::kMaxFeatures - 1);
            const auto g = number_field(cx, e, q, "gamma", -1e4, 1e4);
            const auto b = number_field(cx, e, q, "beta", -1e4, 1e4);
            if (!e.contains("gamma") && !e.contains("beta"))
                cx.error(q, "set \"gamma\", \"beta\" or both");
            if (ch)
                s.affine.push_back({static_cast<int>(*ch), static_cast<float>(g.value_or(1)),
                                    static_cast<float>(b.value_or(0))});
        }
    }
    if (const auto r = int_field(cx, j, p, "resample", 0, 100)) s.resample = static_cast<int>(*r);
    if (const json* a = array_field(cx, j, p, "scale_examples", 1, 64)) {
        for (std::size_t i = 0; i < a->size(); ++i) {
            const std::string q = at(at(p, "scale_examples"), i);
            const json& e = (*a)[i];
            if (!object(cx, e, q, {"example", "factor"}, {})) continue;
            const auto ex = int_field(cx, e, q, "example", 0, sim::kMaxBatch - 1);
            const auto f = number_field(cx, e, q, "factor", -1e4, 1e4);
            if (ex && f)
                s.scale_examples.push_back({static_cast<int>(*ex), static_cast<float>(*f)});
        }
    }
    if (const json* a = array_field(cx, j, p, "cells", 1, 256)) {
        for (std::size_t i = 0; i < a->size(); ++i) {
            const std::string q = at(at(p, "cells"), i);
            const json& e = (*a)[i];
            if (!object(cx, e, q, {"index", "value"}, {})) continue;
            const auto idx = int_field(cx, e, q, "index", 0, static_cast<long long>(kMaxCells) - 1);
            const auto v = number_field(cx, e, q, "value", -1e30, 1e30);
            if (idx && v) s.cells.push_back({static_cast<int>(*idx), static_cast<float>(*v)});
        }
    }
    if (const auto t = int_field(cx, j, p, "train", 0, 200)) s.train = static_cast<int>(*t);
    if (const auto f = int_field(cx, j, p, "focus", 0, static_cast<long long>(kMaxCells)))
        s.focus = static_cast<int>(*f);
    s.play = bool_field(cx, j, p, "play");
    return s;
}

const Keys kComparators = {"eq", "ne", "lt", "le", "gt", "ge", "in", "changed", "has", "lacks"};
constexpr Compare kCompares[] = {Compare::Eq,  Compare::Ne,   Compare::Lt, Compare::Le,
                                 Compare::Gt,  Compare::Ge,   Compare::In, Compare::Changed,
                                 Compare::Has, Compare::Lacks};

std::vector<std::string> condition_key_ids() {
    std::vector<std::string> v;
    for (const ConditionKey& k : condition_keys())
        v.emplace_back(k.id);
    return v;
}

const char* type_word(KeyType t) {
    switch (t) {
    case KeyType::Enum:
        return "a choice";
    case KeyType::Int:
        return "an integer";
    case KeyType::Number:
        return "a number";
    case KeyType::Bool:
        return "true or false";
    case KeyType::Set:
        return "a set";
    }
    return "";
}

std::optional<Condition> read_condition(Ctx& cx, const json& j, const std::string& p);

bool read_leaf_value(Ctx& cx, const ConditionKey& key, Compare cmp, const json& v,
                     const std::string& p, Condition* c) {
    const std::string cmp_id = kComparators[static_cast<std::size_t>(
        std::find(std::begin(kCompares), std::end(kCompares), cmp) - std::begin(kCompares))];
    const auto refuse = [&](const char* allowed) {
        std::string m(1, '"');
        m += key.id;
        m += "\" is ";
        m += type_word(key.type);
        m += ": compare it with ";
        m += allowed;
        m += ", not \"" + cmp_id + "\"";
        cx.error(p, std::move(m));
        return false;
    };
    if (cmp == Compare::Changed) {
        if (!v.is_boolean() || !v.get<bool>()) {
            cx.error(p, "\"changed\" takes the value true, got " + got(v));
            return false;
        }
        return true;
    }
    const std::vector<std::string> values = key_values(key);
    const auto one_value = [&](const json& x, const std::string& q) -> bool {
        switch (key.type) {
        case KeyType::Enum:
        case KeyType::Set: {
            const auto i = choice_value(cx, x, q, values, key.id);
            if (i) c->texts.push_back(values[*i]);
            return i.has_value();
        }
        case KeyType::Int: {
            const auto i = int_value(cx, x, q, -(1LL << 53), 1LL << 53);
            if (i) c->numbers.push_back(static_cast<double>(*i));
            return i.has_value();
        }
        case KeyType::Number: {
            const auto d = number_value(cx, x, q, -1e30, 1e30);
            if (d) c->numbers.push_back(*d);
            return d.has_value();
        }
        case KeyType::Bool:
            if (!x.is_boolean()) {
                cx.error(q, "must be true or false, got " + got(x));
                return false;
            }
            c->numbers.push_back(x.get<bool>() ? 1 : 0);
            return true;
        }
        return false;
    };
    switch (key.type) {
    case KeyType::Set:
        if (cmp != Compare::Has && cmp != Compare::Lacks) return refuse("has, lacks or changed");
        break;
    case KeyType::Enum:
        if (cmp != Compare::Eq && cmp != Compare::Ne && cmp != Compare::In)
            return refuse("eq, ne, in or changed");
        break;
    case KeyType::Bool:
        if (cmp != Compare::Eq && cmp != Compare::Ne) return refuse("eq, ne or changed");
        break;
    case KeyType::Int:
    case KeyType::Number:
        if (cmp == Compare::Has || cmp == Compare::Lacks)
            return refuse("eq, ne, lt, le, gt, ge, in or changed");
        break;
    }
    if (cmp == Compare::In) {
        if (!v.is_array() || v.empty() || v.size() > 32) {
            cx.error(p, "\"in\" takes an array of 1 to 32 values, got " + got(v));
            return false;
        }
        bool ok = true;
        for (std::size_t i = 0; i < v.size(); ++i)
            ok = one_value(v[i], at(p, i)) && ok;
        return ok;
    }
    return one_value(v, p);
}

std::optional<Condition> read_condition(Ctx& cx, const json& j, const std::string& p) {
    if (!j.is_object()) {
        cx.error(p, "a condition must be an object ({\"key\": ..., \"eq\": ...}, {\"all\": [...]}, "
                    "{\"any\": [...]} "
                    "or {\"not\": {...}}), got " +
                        got(j));
        return std::nullopt;
    }
    Condition c;
    for (const char* group : {"all", "any"}) {
        if (!j.contains(group)) continue;
        if (!object(cx, j, p, {group}, {})) return std::nullopt;
        const json* list = array_field(cx, j, p, group, 1, 32);
        if (!list) return std::nullopt;
        c.kind = std::string(group) == "all" ? Condition::Kind::All : Condition::Kind::Any;
        bool ok = true;
        for (std::size_t i = 0; i < list->size(); ++i) {
            auto child = read_condition(cx, (*list)[i], at(at(p, group), i));
            if (child)
                c.children.push_back(std::move(*child));
            else
                ok = false;
        }
        return ok ? std::optional<Condition>(std::move(c)) : std::nullopt;
    }
    if (j.contains("not")) {
        if (!object(cx, j, p, {"not"}, {})) return std::nullopt;
        auto child = read_condition(cx, j["not"], at(p, "not"));
        if (!child) return std::nullopt;
        c.kind = Condition::Kind::Not;
        c.children.push_back(std::move(*child));
        return c;
    }
    if (!object(cx, j, p, {"key"}, kComparators)) return std::nullopt;
    const auto key_index = choice_field(cx, j, p, "key", condition_key_ids(), "condition key");
    std::vector<std::size_t> used;
    for (std::size_t i = 0; i < kComparators.size(); ++i)
        if (j.contains(kComparators[i])) used.push_back(i);
    if (used.size() != 1) {
        cx.error(p, "a condition on a key needs exactly one comparison (" +
                        quoted_list(kComparators) + "), got " + std::to_string(used.size()));
        return std::nullopt;
    }
    if (!key_index) return std::nullopt;
    const ConditionKey& key = condition_keys()[*key_index];
    c.key = key.id;
    c.compare = kCompares[used[0]];
    if (!read_leaf_value(cx, key, c.compare, j[kComparators[used[0]]], at(p, kComparators[used[0]]),
                         &c))
        return std::nullopt;
    return c;
}

const Keys kStatIds = {"mean",        "std",         "var",        "rms",
                       "min",         "max",         "inv_std",    "running_mean",
                       "running_var", "group_count", "group_size", "train_eval_gap"};
constexpr Stat kStats[] = {Stat::Mean,       Stat::Std,        Stat::Var,       Stat::Rms,
                           Stat::Min,        Stat::Max,        Stat::InvStd,    Stat::RunningMean,
                           Stat::RunningVar, Stat::GroupCount, Stat::GroupSize, Stat::TrainEvalGap};

std::optional<Compute> read_compute(Ctx& cx, const json& j, const std::string& p) {
    if (!j.is_object()) {
        cx.error(p, "must be an object, got " + got(j));
        return std::nullopt;
    }
    const auto si = choice_field(cx, j, p, "stat", kStatIds, "statistic");
    if (!j.contains("stat")) {
        cx.error(p, "missing required key \"stat\"");
        return std::nullopt;
    }
    if (!si) return std::nullopt;
    Compute q;
    q.stat = kStats[*si];
    switch (q.stat) {
    case Stat::Mean:
    case Stat::Std:
    case Stat::Var:
    case Stat::Rms:
    case Stat::Min:
    case Stat::Max: {
        if (!object(cx, j, p, {"stat", "of", "group"}, {})) return std::nullopt;
        const auto of =
            choice_field(cx, j, p, "of", Keys{"x", "y"}, "tensor (x is the input, y the output)");
        const json& g = j.contains("group") ? j["group"] : j;
        std::optional<long long> group;
        if (g.is_string()) {
            if (g.get_ref<const std::string&>() == "all")
                group = -1;
            else
                cx.error(at(p, "group"), "must be a group index or \"all\", got " + got(g));
        } else if (j.contains("group")) {
            group = int_value(cx, g, at(p, "group"), 0, static_cast<long long>(kMaxCells));
        }
        if (!of || !group) return std::nullopt;
        q.of = *of == 0 ? Tensor::X : Tensor::Y;
        q.group = static_cast<int>(*group);
        return q;
    }
    case Stat::InvStd: {
        if (!object(cx, j, p, {"stat", "group"}, {})) return std::nullopt;
        const auto g = int_field(cx, j, p, "group", 0, static_cast<long long>(kMaxCells));
        if (!g) return std::nullopt;
        q.group = static_cast<int>(*g);
        return q;
    }
    case Stat::RunningMean:
    case Stat::RunningVar: {
        if (!object(cx, j, p, {"stat", "channel"}, {})) return std::nullopt;
        const auto c = int_field(cx, j, p, "channel", 0, sim::kMaxFeatures - 1);
        if (!c) return std::nullopt;
        q.channel = static_cast<int>(*c);
        return q;
    }
    case Stat::GroupCount:
    case Stat::GroupSize:
    case Stat::TrainEvalGap:
        if (!object(cx, j, p, {"stat"}, {})) return std::nullopt;
        return q;
    }
    return std::nullopt;
}

std::optional<Question> read_question(Ctx& cx, const json& j, const std::string& p) {
    if (!j.is_object()) {
        cx.error(p, "a question must be an object, got " + got(j));
        return std::nullopt;
    }
    const auto kind =
        choice_field(cx, j, p, "kind", Keys{"single", "multiple", "numeric"}, "question kind");
    const Keys common = {"id", "kind", "prompt", "explanation"};
    const Keys optional = {"hint", "points"};
    bool ok = true;
    Question q;
    if (!kind) {
        if (!j.contains("kind"))
            cx.error(p, "missing required key \"kind\" (single, multiple or numeric)");
        return std::nullopt;
    }
    q.kind = *kind == 0   ? QuestionKind::Single
             : *kind == 1 ? QuestionKind::Multiple
                          : QuestionKind::Numeric;
    if (q.kind == QuestionKind::Numeric) {
        Keys req = common;
        req.insert(req.end(), {"answer", "tolerance"});
        Keys opt = optional;
        opt.insert(opt.end(), {"feedback_low", "feedback_high"});
        ok = object(cx, j, p, req, opt);
    } else {
        Keys req = common;
        req.push_back("options");
        ok = object(cx, j, p, req, optional);
    }
    if (!ok) return std::nullopt;
    const std::size_t before = cx.errors.size() + cx.dropped;
    q.id = text_field(cx, j, p, "id", TextKind::Id).value_or("");
    q.prompt = text_field(cx, j, p, "prompt", TextKind::Markup).value_or("");
    q.explanation = text_field(cx, j, p, "explanation", TextKind::Markup).value_or("");
    q.hint = text_field(cx, j, p, "hint", TextKind::Markup).value_or("");
    q.points = number_field(cx, j, p, "points", 0.5, 10).value_or(1);
    if (q.kind == QuestionKind::Numeric) {
        q.feedback_low = text_field(cx, j, p, "feedback_low", TextKind::Markup).value_or("");
        q.feedback_high = text_field(cx, j, p, "feedback_high", TextKind::Markup).value_or("");
        if (const json* a = member(j, "answer")) {
            const std::string ap = at(p, "answer");
            if (object(cx, *a, ap, {}, {"value", "compute"})) {
                if (a->contains("value") == a->contains("compute"))
                    cx.error(ap, "give exactly one of \"value\" (a fixed number) and \"compute\" "
                                 "(from the lab)");
                else if (a->contains("value"))
                    q.value = number_field(cx, *a, ap, "value", -1e30, 1e30);
                else
                    q.compute = read_compute(cx, (*a)["compute"], at(ap, "compute"));
            }
        }
        if (const json* t = member(j, "tolerance")) {
            const std::string tp = at(p, "tolerance");
            if (object(cx, *t, tp, {}, {"abs", "rel"})) {
                q.tolerance.abs = number_field(cx, *t, tp, "abs", 0, 1e30).value_or(0);
                q.tolerance.rel = number_field(cx, *t, tp, "rel", 0, 1).value_or(0);
                if (!(q.tolerance.abs > 0) && !(q.tolerance.rel > 0))
                    cx.error(tp, "give \"abs\" or \"rel\" (or both), greater than 0");
            }
        }
    } else if (const json* opts = array_field(cx, j, p, "options", 2, 8)) {
        std::size_t correct = 0;
        std::set<std::string> texts;
        for (std::size_t i = 0; i < opts->size(); ++i) {
            const std::string op = at(at(p, "options"), i);
            const json& o = (*opts)[i];
            if (!object(cx, o, op, {"text"}, {"correct", "feedback"})) continue;
            Option option;
            option.text = text_field(cx, o, op, "text", TextKind::Markup).value_or("");
            option.correct = bool_field(cx, o, op, "correct").value_or(false);
            option.feedback = text_field(cx, o, op, "feedback", TextKind::Markup).value_or("");
            if (!option.text.empty() && !texts.insert(option.text).second)
                cx.error(at(op, "text"), "the same text as an earlier option");
            correct += option.correct ? 1 : 0;
            q.options.push_back(std::move(option));
        }
        if (q.options.size() == opts->size()) {
            if (q.kind == QuestionKind::Single && correct != 1)
                cx.error(at(p, "options"),
                         "a single-choice question needs exactly one correct option, got " +
                             std::to_string(correct));
            if (q.kind == QuestionKind::Multiple && correct == 0)
                cx.error(at(p, "options"),
                         "a multiple-choice question needs at least one correct option");
        }
    }
    if (cx.errors.size() + cx.dropped != before) return std::nullopt;
    if (q.kind == QuestionKind::Numeric && !q.value && !q.compute) return std::nullopt;
    return q;
}

std::optional<Task> read_task(Ctx& cx, const json& j, const std::string& p) {
    if (!object(cx, j, p, {"text", "done_when"}, {"hint", "done_text"})) return std::nullopt;
    Task t;
    const std::size_t before = cx.errors.size() + cx.dropped;
    t.text = text_field(cx, j, p, "text", TextKind::Markup).value_or("");
    t.hint = text_field(cx, j, p, "hint", TextKind::Markup).value_or("");
    t.done_text = text_field(cx, j, p, "done_text", TextKind::Markup).value_or("");
    std::optional<Condition> c;
    if (const json* d = member(j, "done_when")) c = read_condition(cx, *d, at(p, "done_when"));
    if (!c || cx.errors.size() + cx.dropped != before) return std::nullopt;
    t.done_when = std::move(*c);
    return t;
}

std::vector<std::string> highlight_id_list() {
    std::vector<std::string> v;
    for (const HighlightId& h : highlight_ids())
        v.emplace_back(h.id);
    return v;
}

// A step's training view (scenario.h TrainView): every key checked, then the settings as a
// whole by the training lab itself (train_bridge.h), so a step cannot name settings the lab
// would refuse. Keys that do nothing in the chosen experiment are errors too.
std::optional<TrainView> read_train_view(Ctx& cx, const json& j, const std::string& p) {
    const Keys optional = {"task", "norm", "steps", "batch", "depth", "width", "warmup",
                           "lr",   "eps",  "vector_size", "shift", "jacobian", "run"};
    if (!object(cx, j, p, {"experiment"}, optional)) return std::nullopt;
    const std::size_t before = cx.errors.size();
    TrainView v;
    Keys experiments;
    for (train::LabExperiment e : train::kLabExperiments)
        experiments.emplace_back(train::lab_experiment_id(e));
    if (const auto e = choice_field(cx, j, p, "experiment", experiments, "experiment"))
        v.experiment = experiments[*e];
    const auto pick = [&](const char* key, const Keys& ids, const char* what) {
        const auto i = choice_field(cx, j, p, key, ids, what);
        return i ? std::optional<std::string>(ids[*i]) : std::nullopt;
    };
    v.task = pick("task", Keys{"spirals", "gaussians", "circles", "xor"}, "task");
    v.norm = pick("norm", Keys{"none", "batchnorm", "layernorm", "rmsnorm", "groupnorm"}, "norm");
    v.jacobian = pick("jacobian", Keys{"layernorm", "rmsnorm"}, "Jacobian norm");
    const auto integer = [&](const char* key, long long lo, long long hi) {
        const auto i = int_field(cx, j, p, key, lo, hi);
        return i ? std::optional<int>(static_cast<int>(*i)) : std::nullopt;
    };
    v.steps = integer("steps", 10, 5000);
    v.batch = integer("batch", 2, 512);
    v.depth = integer("depth", 1, train::kMaxDepth);
    v.width = integer("width", 4, 128);
    v.warmup = integer("warmup", 0, 5000);
    v.vector_size = integer("vector_size", 2, train::kMaxJacobianSize);
    const auto number = [&](const char* key, double lo, double hi) {
        const auto d = number_field(cx, j, p, key, lo, hi);
        return d ? std::optional<float>(static_cast<float>(*d)) : std::nullopt;
    };
    v.lr = number("lr", 1e-6, 10);
    v.eps = number("eps", 0, 1);
    v.shift = number("shift", -100, 100);
    v.run = bool_field(cx, j, p, "run").value_or(true);
    if (cx.errors.size() != before) return std::nullopt;
    // Keys the chosen experiment ignores: an author who sets them expects an effect.
    const std::vector<std::pair<const char*, Keys>> ignored = {
        {"lr", {"lr", "norm", "warmup", "vector_size", "shift", "jacobian"}},
        {"batch", {"batch", "warmup", "vector_size", "shift", "jacobian"}},
        {"momentum", {"norm", "warmup", "vector_size", "shift", "jacobian"}},
        {"placement", {"vector_size", "shift", "jacobian"}},
        {"precision", {"warmup", "vector_size", "shift", "jacobian"}},
        {"jacobian", {"task", "norm", "steps", "batch", "depth", "width", "warmup", "lr", "run"}},
    };
    for (const auto& [experiment, keys] : ignored)
        if (v.experiment == experiment)
            for (const std::string& k : keys)
                if (j.contains(k))
                    cx.error(at(p, k), "\"" + k + "\" has no effect in the \"" + v.experiment +
                                           "\" experiment: remove it");
    train::TrainLabSettings settings;
    if (const std::string e = train_settings(v, &settings); !e.empty())
        cx.error(p, "the training lab refuses these settings: " + e);
    if (cx.errors.size() != before) return std::nullopt;
    return v;
}

Step read_step(Ctx& cx, const json& j, const std::string& p, std::set<std::string>* question_ids) {
    Step s;
    if (!object(cx, j, p, {"id", "title", "text"}, {"lab", "highlight", "task", "quiz", "train"}))
        return s;
    if (const json* t = member(j, "train")) s.train = read_train_view(cx, *t, at(p, "train"));
    s.id = text_field(cx, j, p, "id", TextKind::Id).value_or("");
    s.title = text_field(cx, j, p, "title").value_or("");
    s.text = text_field(cx, j, p, "text", TextKind::Markup).value_or("");
    if (const json* lab = member(j, "lab")) s.lab = read_lab_state(cx, *lab, at(p, "lab"));
    if (const json* h = array_field(cx, j, p, "highlight", 0, 8)) {
        const std::vector<std::string> ids = highlight_id_list();
        for (std::size_t i = 0; i < h->size(); ++i) {
            const auto k =
                choice_value(cx, (*h)[i], at(at(p, "highlight"), i), ids, "highlight id");
            if (!k) continue;
            if (std::find(s.highlight.begin(), s.highlight.end(), ids[*k]) != s.highlight.end())
                cx.error(at(at(p, "highlight"), i), "\"" + ids[*k] + "\" is listed twice");
            else
                s.highlight.push_back(ids[*k]);
        }
    }
    if (const json* t = member(j, "task")) s.task = read_task(cx, *t, at(p, "task"));
    if (const json* quiz = array_field(cx, j, p, "quiz", 1, 8)) {
        for (std::size_t i = 0; i < quiz->size(); ++i) {
            const std::string qp = at(at(p, "quiz"), i);
            auto q = read_question(cx, (*quiz)[i], qp);
            if (!q) continue;
            if (!question_ids->insert(q->id).second)
                cx.error(at(qp, "id"),
                         "question id \"" + q->id + "\" is used twice in this scenario");
            if (q->compute && j.contains("task"))
                cx.error(at(at(qp, "answer"), "compute"),
                         "a numeric answer computed from the lab cannot share a step with a task "
                         "(the learner "
                         "changes the lab): move the question to the next step");
            s.quiz.push_back(std::move(*q));
        }
    }
    return s;
}

// [SECTION] scenario checks that replay the lab --------------------------------------------

// Applies `state` to `lab` and reports its notes as errors at `p`; false if it must stop.
bool apply_checked(Ctx& cx, sim::Lab& lab, const LabState& state, const std::string& p) {
    const sim::LabConfig next = predict_shape(lab.config(), state);
    const std::size_t cells = cell_count(next);
    if (cells > kMaxCells) {
        cx.error(p, "this state's tensor has " + std::to_string(cells) +
                        " cells; scenarios may use at most " + std::to_string(kMaxCells) +
                        " (the board could not show more)");
        return false;
    }
    // Indices that must exist in the tensor the state creates (checked before the mutators).
    for (std::size_t i = 0; i < state.cells.size(); ++i)
        if (static_cast<std::size_t>(state.cells[i].index) >= cells) {
            cx.error(at(at(p, "cells"), i), "cell " + std::to_string(state.cells[i].index) +
                                                " is outside this step's tensor (" +
                                                std::to_string(cells) + " cells)");
            return false;
        }
    for (std::size_t i = 0; i < state.scale_examples.size(); ++i)
        if (state.scale_examples[i].example >= next.batch) {
            cx.error(at(at(at(p, "scale_examples"), i), "example"),
                     "example " + std::to_string(state.scale_examples[i].example) +
                         " does not exist (B = " + std::to_string(next.batch) + ")");
            return false;
        }
    for (std::size_t i = 0; i < state.affine.size(); ++i)
        if (state.affine[i].channel >= next.features) {
            cx.error(at(at(at(p, "affine"), i), "channel"),
                     "channel " + std::to_string(state.affine[i].channel) +
                         " does not exist (C = " + std::to_string(next.features) + ")");
            return false;
        }
    if (state.train > 0 &&
        (state.family.value_or(lab.config().family) != kernels::NormKind::Batch)) {
        cx.error(at(p, "train"),
                 "only BatchNorm keeps running statistics to train: set \"family\": \"batchnorm\"");
        return false;
    }
    const std::vector<std::string> notes = apply_lab_state(lab, state);
    for (const std::string& n : notes)
        cx.error(p, "the lab refuses this state: " + n);
    return notes.empty();
}

// Roughly how many cells applying `state` makes the lab regenerate or recompute.
std::size_t replay_work(const sim::LabConfig& current, const LabState& state) {
    const std::size_t cells = cell_count(predict_shape(current, state));
    const std::size_t calls = 16 + static_cast<std::size_t>(state.resample) +
                              static_cast<std::size_t>(state.train) + state.affine.size() +
                              state.scale_examples.size() + state.cells.size();
    return cells * calls;
}

void check_scenario_with_lab(Ctx& cx, Scenario& sc) {
    sim::Lab lab;
    reset_lab(lab);
    std::size_t work = replay_work(lab.config(), sc.lab);
    if (!apply_checked(cx, lab, sc.lab, "/lab")) return;
    for (std::size_t k = 0; k < sc.steps.size(); ++k) {
        Step& step = sc.steps[k];
        const std::string p = at(std::string("/steps"), k);
        work += replay_work(lab.config(), step.lab);
        const bool too_big = cell_count(predict_shape(lab.config(), step.lab)) > kMaxCells;
        if (work > kMaxReplayWork && !too_big) { // apply_checked names a tensor that is too big
            cx.error(at(p, "lab"), "replaying the scenario up to this step would make the lab "
                                   "process about " + std::to_string(work) + " cells (at most " +
                                       std::to_string(kMaxReplayWork) +
                                       "): use fewer training steps or a smaller tensor");
            return;
        }
        if (!apply_checked(cx, lab, step.lab, at(p, "lab")))
            return; // later steps build on this one
        if (step.task) {
            const Snapshot start = snapshot(lab);
            if (condition_holds(step.task->done_when, lab, &start))
                cx.error(at(at(p, "task"), "done_when"),
                         "the task is already done when the step starts: change the step's lab "
                         "state or the condition");
        }
        for (std::size_t i = 0; i < step.quiz.size(); ++i) {
            Question& q = step.quiz[i];
            if (q.kind != QuestionKind::Numeric) continue;
            if (q.value) {
                q.expected = *q.value;
                continue;
            }
            std::string why;
            const auto v = q.compute ? compute_stat(*q.compute, lab, &why) : std::nullopt;
            if (v)
                q.expected = *v;
            else
                cx.error(at(at(at(at(p, "quiz"), i), "answer"), "compute"), why);
        }
    }
}

// What a walkthrough menu shows, read alike from a scenario file and a catalogue entry at p.
void read_header(Ctx& cx, const json& j, const std::string& p, Scenario* sc) {
    sc->id = text_field(cx, j, p, "id", TextKind::Id).value_or("");
    if (!sc->id.empty() &&
        (sc->id.size() < 4 || !std::isdigit(static_cast<unsigned char>(sc->id[0])) ||
         !std::isdigit(static_cast<unsigned char>(sc->id[1])) || sc->id[2] != '_'))
        cx.error(at(p, "id"), "a scenario id is two digits, an underscore and a topic, e.g. \"03_batchnorm\"");
    if (const auto lang = text_field(cx, j, p, "language")) {
        if (lang->size() != 2 || !std::islower(static_cast<unsigned char>((*lang)[0])) ||
            !std::islower(static_cast<unsigned char>((*lang)[1])))
            cx.error(at(p, "language"), "a language is a two-letter code such as \"en\" or \"es\"");
        else
            sc->language = *lang;
    }
    sc->title = text_field(cx, j, p, "title").value_or("");
    sc->summary = text_field(cx, j, p, "summary", TextKind::Markup).value_or("");
    if (const auto lv = choice_field(cx, j, p, "level", Keys{"beginner", "intermediate", "advanced"}, "level"))
        sc->level = static_cast<Level>(*lv);
    sc->minutes = static_cast<int>(int_field(cx, j, p, "minutes", 1, 120).value_or(5));
}

Loaded<Scenario> parse_scenario(Ctx& cx, const json& j) {
    Loaded<Scenario> out;
    Scenario sc;
    sc.file = cx.file;
    if (object(
            cx, j, "",
            {"kind", "format", "id", "language", "title", "summary", "level", "minutes", "steps"},
            {"$schema", "tags", "lab"})) {
        if (const json* schema = member(j, "$schema"); schema && !schema->is_string())
            cx.error("/$schema", "must be a string, got " + got(*schema));
        read_header(cx, j, "", &sc);
        if (const json* tags = array_field(cx, j, "", "tags", 0, 16))
            for (std::size_t i = 0; i < tags->size(); ++i)
                if (auto t = check_text(cx, (*tags)[i], at(std::string("/tags"), i), TextKind::Id))
                    sc.tags.push_back(*t);
        if (const json* lab = member(j, "lab")) sc.lab = read_lab_state(cx, *lab, "/lab");
        std::set<std::string> step_ids, question_ids;
        if (const json* steps = array_field(cx, j, "", "steps", 1, kMaxSteps)) {
            for (std::size_t i = 0; i < steps->size(); ++i) {
                const std::string p = at(std::string("/steps"), i);
                Step s = read_step(cx, (*steps)[i], p, &question_ids);
                if (!s.id.empty() && !step_ids.insert(s.id).second)
                    cx.error(at(p, "id"),
                             "step id \"" + s.id + "\" is used twice in this scenario");
                sc.steps.push_back(std::move(s));
            }
        }
    }
    if (cx.errors.empty()) check_scenario_with_lab(cx, sc);
    if (cx.errors.empty()) out.value = std::move(sc);
    return out;
}

// A catalogue entry per file: the header of the scenario, its file name and step count.
std::vector<Scenario> parse_catalogue(Ctx& cx, const json& j) {
    std::vector<Scenario> out;
    if (!j.is_array()) {
        cx.error("", "a catalogue is a JSON array of walkthrough entries, got " + got(j));
        return out;
    }
    for (std::size_t i = 0; i < j.size(); ++i) {
        const std::string p = at(std::string(), i);
        const json& e = j[i];
        if (!object(cx, e, p, {"file", "id", "language", "title", "summary", "level", "minutes", "steps"}, {}))
            continue;
        Scenario sc;
        read_header(cx, e, p, &sc);
        sc.listed_only = true;
        sc.listed_steps = static_cast<std::size_t>(int_field(cx, e, p, "steps", 1, kMaxSteps).value_or(0));
        if (const auto file = text_field(cx, e, p, "file")) {
            if (file->find('/') != std::string::npos || file->size() < 6 ||
                file->compare(file->size() - 5, 5, ".json") != 0)
                cx.error(at(p, "file"), "a file name beside the catalogue, ending in .json, e.g. \"05_layernorm.json\"");
            else
                sc.file = *file;
        }
        if (!sc.file.empty() && !sc.id.empty())
            for (const Error& e2 : check_file_name(sc, sc.file)) cx.error(at(p, "file"), e2.message);
        out.push_back(std::move(sc));
    }
    return out;
}

// [SECTION] lab text ---------------------------------------------------------------------

std::vector<TryNext> read_try_next(Ctx& cx, const json& obj, const std::string& p) {
    std::vector<TryNext> out;
    const json* list = array_field(cx, obj, p, "try_next", 1, 6);
    if (!list) return out;
    for (std::size_t i = 0; i < list->size(); ++i) {
        const std::string q = at(at(p, "try_next"), i);
        const json& e = (*list)[i];
        if (!object(cx, e, q, {"text"}, {"lab"})) continue;
        TryNext t;
        t.text = text_field(cx, e, q, "text", TextKind::Markup).value_or("");
        if (const json* lab = member(e, "lab")) {
            const std::size_t before = cx.errors.size();
            t.lab = read_lab_state(cx, *lab, at(q, "lab"));
            if (cx.errors.size() == before) {
                sim::Lab probe;
                reset_lab(probe);
                apply_checked(cx, probe, t.lab, at(q, "lab"));
            }
        }
        out.push_back(std::move(t));
    }
    return out;
}

// A keyed table: the object's keys must be exactly `ids`.
template <class Read>
void read_keyed(Ctx& cx, const json& j, const std::string& p, const std::vector<std::string>& ids,
                const char* what, Read read) {
    if (!j.is_object()) {
        cx.error(p, "must be an object keyed by " + std::string(what) + ", got " + got(j));
        return;
    }
    for (auto it = j.begin(); it != j.end(); ++it)
        if (std::find(ids.begin(), ids.end(), it.key()) == ids.end())
            cx.error(at(p, it.key()), "unknown " + std::string(what) + " \"" + it.key() + "\"" +
                                          did_you_mean(it.key(), ids));
    for (const std::string& id : ids) {
        if (!j.contains(id))
            cx.error(p, "missing " + std::string(what) + " \"" + id + "\"");
        else
            read(id, j[id], at(p, id));
    }
}

// "(B, L)" -> product of the named dimensions of a probe shape, or -1 if malformed.
long long shape_product(const std::string& s,
                        const std::unordered_map<std::string, long long>& dims) {
    if (s.size() < 3 || s.front() != '(' || s.back() != ')') return -1;
    long long product = 1;
    std::string_view rest = std::string_view(s).substr(1, s.size() - 2);
    int names = 0;
    while (!rest.empty()) {
        const std::size_t comma = rest.find(',');
        std::string_view tok = rest.substr(0, comma);
        while (!tok.empty() && tok.front() == ' ')
            tok.remove_prefix(1);
        while (!tok.empty() && tok.back() == ' ')
            tok.remove_suffix(1);
        if (!tok.empty()) {
            const auto it = dims.find(std::string(tok));
            if (it == dims.end()) return -1;
            product *= it->second;
            ++names;
        }
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
    }
    return names == 0 ? -1 : product;
}

void check_shape_row(Ctx& cx, const ShapeRow& row, const std::string& p) {
    kernels::NormKind kind{};
    if (!kernels::parse_norm_id(row.family, &kind)) return;
    // A probe with distinct sizes, so "(B, L)" cannot pass for "(B, d)".
    constexpr int B = 2, L = 5, C = 6, G = 3, H = 4, W = 7;
    const std::unordered_map<std::string, long long> dims = {{"B", B}, {"L", L}, {"d", C}, {"C", C},
                                                             {"G", G}, {"H", H}, {"W", W}};
    const std::pair<const std::string*, core::Shape> cases[] = {
        {&row.matrix, core::Shape::matrix(B, C)},
        {&row.sequence, core::Shape::sequence(B, L, C)},
        {&row.image, core::Shape::image(B, C, H, W)},
    };
    const char* const names[] = {"matrix", "sequence", "image"};
    for (std::size_t i = 0; i < 3; ++i) {
        kernels::GroupPlan plan;
        const kernels::NormSpec spec{.kind = kind, .groups = G};
        const bool defined = kernels::plan_groups(cases[i].second, spec, &plan).empty();
        const std::string& text = *cases[i].first;
        const std::string q = at(p, names[i]);
        if (!defined) {
            if (!text.empty())
                cx.error(q, row.family + " is not defined for this layout: write null");
            continue;
        }
        if (text.empty()) {
            cx.error(q,
                     row.family + " is defined for this layout: give the shape of its statistics");
            continue;
        }
        const long long n = shape_product(text, dims);
        if (n < 0)
            cx.error(q,
                     "\"" + text +
                         "\" is not a shape of statistics like \"(B, L)\" (names: B L d C G H W)");
        else if (static_cast<std::size_t>(n) != plan.group_count())
            cx.error(q, "\"" + text + "\" disagrees with the kernels: on " + cases[i].second.str() +
                            " (G = 3) " + row.family + " computes " +
                            std::to_string(plan.group_count()) + " statistics, \"" + text +
                            "\" means " + std::to_string(n));
    }
}

Loaded<LabText> parse_lab_text(Ctx& cx, const json& j) {
    Loaded<LabText> out;
    LabText lt;
    lt.file = cx.file;
    if (object(cx, j, "",
               {"kind", "format", "language", "families", "diagnoses", "cheat_sheet", "shapes"},
               {"$schema"})) {
        if (const json* schema = member(j, "$schema"); schema && !schema->is_string())
            cx.error("/$schema", "must be a string, got " + got(*schema));
        if (const auto lang = text_field(cx, j, "", "language")) lt.language = *lang;
        const json* families = member(j, "families");
        const json* diagnoses = member(j, "diagnoses");
        if (families)
            read_keyed(
                cx, *families, "/families", text_family_ids(), "family",
                [&](const std::string& id, const json& f, const std::string& p) {
                    if (!object(cx, f, p,
                                {"name", "headline", "normalizes", "used_in", "choose_when",
                                 "watch_out", "try_next"},
                                {}))
                        return;
                    FamilyText t;
                    t.id = id;
                    t.name = text_field(cx, f, p, "name").value_or("");
                    t.headline = text_field(cx, f, p, "headline", TextKind::Markup).value_or("");
                    t.normalizes =
                        text_field(cx, f, p, "normalizes", TextKind::Markup).value_or("");
                    t.used_in = text_field(cx, f, p, "used_in", TextKind::Markup).value_or("");
                    t.choose_when =
                        text_field(cx, f, p, "choose_when", TextKind::Markup).value_or("");
                    t.watch_out = text_field(cx, f, p, "watch_out", TextKind::Markup).value_or("");
                    t.try_next = read_try_next(cx, f, p);
                    lt.families.push_back(std::move(t));
                });
        std::vector<std::string> diag_ids;
        for (const DiagnosisId& d : diagnosis_ids())
            diag_ids.emplace_back(d.id);
        if (diagnoses)
            read_keyed(cx, *diagnoses, "/diagnoses", diag_ids, "diagnosis",
                       [&](const std::string& id, const json& d, const std::string& p) {
                           if (!object(cx, d, p, {"title", "text"}, {"try_next"})) return;
                           DiagnosisText t;
                           t.id = id;
                           t.title = text_field(cx, d, p, "title").value_or("");
                           t.text = text_field(cx, d, p, "text", TextKind::Markup).value_or("");
                           if (d.contains("try_next")) t.try_next = read_try_next(cx, d, p);
                           lt.diagnoses.push_back(std::move(t));
                       });
        if (const json* rows = array_field(cx, j, "", "cheat_sheet", 1, 16)) {
            std::set<std::string> seen;
            for (std::size_t i = 0; i < rows->size(); ++i) {
                const std::string p = at(std::string("/cheat_sheet"), i);
                const json& r = (*rows)[i];
                if (!object(cx, r, p, {"family", "axis", "coupling", "parameters", "train_eval"},
                            {}))
                    continue;
                CheatRow row;
                if (const auto f = choice_field(cx, r, p, "family", text_family_ids(), "family")) {
                    row.family = text_family_ids()[*f];
                    if (!seen.insert(row.family).second)
                        cx.error(at(p, "family"), "\"" + row.family + "\" has a row already");
                }
                row.axis = text_field(cx, r, p, "axis", TextKind::Markup).value_or("");
                row.coupling = text_field(cx, r, p, "coupling", TextKind::Markup).value_or("");
                row.parameters = text_field(cx, r, p, "parameters", TextKind::Markup).value_or("");
                row.train_eval = text_field(cx, r, p, "train_eval", TextKind::Markup).value_or("");
                lt.cheat_sheet.push_back(std::move(row));
            }
            for (const std::string& id : text_family_ids())
                if (!seen.count(id)) cx.error("/cheat_sheet", "no row for \"" + id + "\"");
        }
        if (const json* rows = array_field(cx, j, "", "shapes", 1, 8)) {
            std::set<std::string> seen;
            const Keys activation = family_ids();
            for (std::size_t i = 0; i < rows->size(); ++i) {
                const std::string p = at(std::string("/shapes"), i);
                const json& r = (*rows)[i];
                if (!object(cx, r, p, {"family", "matrix", "sequence", "image"}, {})) continue;
                ShapeRow row;
                if (const auto f =
                        choice_field(cx, r, p, "family", activation, "activation family")) {
                    row.family = activation[*f];
                    if (!seen.insert(row.family).second)
                        cx.error(at(p, "family"), "\"" + row.family + "\" has a row already");
                }
                for (auto [key, dest] :
                     {std::pair{"matrix", &row.matrix}, std::pair{"sequence", &row.sequence},
                      std::pair{"image", &row.image}}) {
                    const json* v = member(r, key);
                    if (v && !v->is_null())
                        *dest = check_text(cx, *v, at(p, key), TextKind::Plain).value_or("?");
                }
                if (!row.family.empty()) check_shape_row(cx, row, p);
                lt.shapes.push_back(std::move(row));
            }
            for (const std::string& id : activation)
                if (!seen.count(id)) cx.error("/shapes", "no row for \"" + id + "\"");
        }
    }
    if (cx.errors.empty()) out.value = std::move(lt);
    return out;
}

// [SECTION] entry points, file names, translations ------------------------------------------

// nlohmann's SAX events, of which only the first error is kept: where (its byte, 1-based), what
// (nlohmann's message) and its id (1xx a syntax error, 406 a number out of double's range).
struct SyntaxError final : nlohmann::json_sax<json> {
    std::size_t byte = 0;
    int id = 0;
    std::string what;

    bool null() override { return true; }
    bool boolean(bool) override { return true; }
    bool number_integer(number_integer_t) override { return true; }
    bool number_unsigned(number_unsigned_t) override { return true; }
    bool number_float(number_float_t, const string_t&) override { return true; }
    bool string(string_t&) override { return true; }
    bool binary(binary_t&) override { return true; }
    bool start_object(std::size_t) override { return true; }
    bool key(string_t&) override { return true; }
    bool end_object() override { return true; }
    bool start_array(std::size_t) override { return true; }
    bool end_array() override { return true; }
    bool parse_error(std::size_t position, const std::string&,
                     const nlohmann::detail::exception& ex) override {
        byte = position;
        id = ex.id;
        what = ex.what();
        return false;
    }
};

// Parses the text, or reports why not. Returns false on a syntax (or depth) error.
bool parse_json(Ctx& cx, json* out) {
    std::size_t where = 0;
    if (nesting_depth(cx.text, kMaxDepth, &where) > kMaxDepth) {
        cx.error_at_offset("", where,
                           "nesting deeper than " + std::to_string(kMaxDepth) + " levels");
        return false;
    }
    *out = json::parse(cx.text.data(), cx.text.data() + cx.text.size(), nullptr, false, false);
    if (out->is_discarded()) {
        // Read again to learn where and why: the web build has no exceptions, so nlohmann's
        // error comes through the SAX interface (parse_error) instead of a throw.
        SyntaxError e;
        json::sax_parse(cx.text.data(), cx.text.data() + cx.text.size(), &e,
                        nlohmann::detail::input_format_t::json, true, false);
        if (e.id >= 400) { // not the syntax: a number beyond double's range (406)
            const std::size_t at_number =
                e.what.find("number overflow") != std::string::npos ? overflowing_number(cx.text)
                                                                     : 0;
            const std::size_t bracket = e.what.find("] ");
            cx.error_at_offset("", at_number,
                               "cannot read the JSON: " +
                                   (bracket == std::string::npos ? e.what
                                                                 : e.what.substr(bracket + 2)));
            return false;
        }
        // nlohmann's byte is 1-based: the position of the last character it read.
        const std::size_t byte = e.byte == 0 ? 0 : e.byte - 1;
        const std::size_t colon = e.what.find(": ", e.what.find("column "));
        std::string reason = colon == std::string::npos ? e.what : e.what.substr(colon + 2);
        if (reason.rfind("[json.exception", 0) == 0) reason = reason.substr(reason.find("] ") + 2);
        cx.error_at_offset(
            "", byte, reason.rfind("syntax error", 0) == 0 ? reason : "syntax error: " + reason);
        return false;
    }
    cx.positions.build(cx.text);
    for (const std::string& dup : cx.positions.duplicates()) {
        cx.error_at_offset(dup, cx.positions.offset_of(dup + "#dup"),
                           "duplicate key (JSON keeps only the last one)");
    }
    return cx.errors.empty();
}

// The UI's own strings in one language: {"strings": {"English": "translation", ...}}. Each
// translation is plain text in the font, takes the same printf values as its key and carries
// no ImGui id; an English file would be pointless (the keys are the English).
UiText parse_ui_text(Ctx& cx, const json& j) {
    UiText ut;
    ut.file = cx.file;
    if (!object(cx, j, "", {"kind", "format", "language", "strings"}, {"$schema"})) return ut;
    if (const json* schema = member(j, "$schema"); schema && !schema->is_string())
        cx.error("/$schema", "must be a string, got " + got(*schema));
    if (const auto lang = text_field(cx, j, "", "language")) {
        if (lang->size() != 2 || !std::islower(static_cast<unsigned char>((*lang)[0])) ||
            !std::islower(static_cast<unsigned char>((*lang)[1])))
            cx.error("/language", "a language is a two-letter code such as \"es\"");
        else if (*lang == "en")
            cx.error("/language", "English is the source language (the keys); a ui_text file translates it");
        ut.language = *lang;
    }
    const json* strings = member(j, "strings");
    if (!strings) return ut;
    if (!strings->is_object()) {
        cx.error("/strings", "must be an object of \"English\": \"translation\" pairs, got " + got(*strings));
        return ut;
    }
    for (auto it = strings->begin(); it != strings->end(); ++it) {
        const std::string p = at("/strings", it.key());
        const auto text = check_text(cx, it.value(), p, TextKind::Plain);
        if (!text) continue;
        if (const std::string bad = check_glyphs(it.key()); !bad.empty()) {
            cx.error(p, "key: " + bad);
            continue;
        }
        if (const std::string bad = check_ui_translation(it.key(), *text); !bad.empty()) {
            cx.error(p, bad);
            continue;
        }
        ut.strings.emplace(it.key(), *text);
    }
    return ut;
}

// The top-level "kind" and "format", checked before anything else.
std::optional<DocumentKind> read_kind(Ctx& cx, const json& j, const char* expected) {
    if (!j.is_object()) {
        cx.error("", "a NormLab file is a JSON object, got " + std::string(j.type_name()));
        return std::nullopt;
    }
    std::optional<DocumentKind> kind;
    const json* k = member(j, "kind");
    const json* meta = member(j, "$schema");
    if (!k && meta && meta->is_string() &&
        meta->get_ref<const std::string&>().find("json-schema.org") != std::string::npos) {
        cx.error(
            "", "missing required key \"kind\": this is a JSON Schema, not a scenario or lab text");
    } else if (!k) {
        cx.error("", "missing required key \"kind\" (\"scenario\", \"lab_text\" or \"ui_text\")");
    } else if (const auto i = choice_value(cx, *k, "/kind", Keys{"scenario", "lab_text", "ui_text"}, "kind")) {
        static constexpr const char* kKindNames[] = {"scenario", "lab_text", "ui_text"};
        kind = *i == 0 ? DocumentKind::Scenario : *i == 1 ? DocumentKind::LabText : DocumentKind::UiText;
        if (expected && std::string(expected) != kKindNames[*i]) {
            cx.error("/kind", std::string("expected a ") + expected + " file");
            kind.reset();
        }
    }
    const json* f = member(j, "format");
    if (!f) {
        cx.error("", "missing required key \"format\" (" + std::to_string(kFormatVersion) + ")");
        return std::nullopt;
    }
    if (!f->is_number_integer() || f->get<long long>() != kFormatVersion) {
        cx.error("/format", "format " + excerpt(*f) +
                                " is not supported; this NormLab reads format " +
                                std::to_string(kFormatVersion));
        return std::nullopt;
    }
    return kind;
}

template <class T> Loaded<T> failed(Ctx& cx) {
    cx.finish();
    Loaded<T> out;
    out.errors = std::move(cx.errors);
    return out;
}

Loaded<Document> load(std::string_view text, std::string_view file, const char* expected) {
    Ctx cx;
    cx.file = std::string(file);
    cx.text = text;
    json j;
    if (!parse_json(cx, &j)) return failed<Document>(cx);
    const auto kind = read_kind(cx, j, expected);
    if (!kind) return failed<Document>(cx);
    // Every access is checked first: the web build has no exceptions, and an unchecked one
    // would abort (tools/fuzz builds the loader the same way, so a missed check is a crash).
    Loaded<Document> out;
    Document doc;
    doc.kind = *kind;
    if (*kind == DocumentKind::Scenario) {
        auto s = parse_scenario(cx, j);
        if (s.value) doc.scenario = std::move(*s.value);
    } else if (*kind == DocumentKind::LabText) {
        auto t = parse_lab_text(cx, j);
        if (t.value) doc.lab_text = std::move(*t.value);
    } else {
        doc.ui_text = parse_ui_text(cx, j);
    }
    if (cx.errors.empty()) out.value = std::move(doc);
    if (!out.value) return failed<Document>(cx);
    return out;
}

} // namespace

int nesting_depth(std::string_view text, int limit, std::size_t* where) {
    int depth = 0, deepest = 0;
    StringSkipper strings;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (strings.in_string(c)) continue;
        if (c == '[' || c == '{') {
            deepest = std::max(deepest, ++depth);
            if (depth > limit) {
                *where = i;
                return depth;
            }
        } else if (c == ']' || c == '}') {
            --depth;
        }
    }
    return deepest;
}

std::string format_error(const Error& e) {
    std::string s = e.file;
    if (e.line > 0)
        s += (s.empty() ? "" : ":") + std::to_string(e.line) + ":" + std::to_string(e.column);
    if (!e.json_path.empty()) s += (s.empty() ? "" : ": ") + e.json_path;
    return s + (s.empty() ? "" : ": ") + e.message;
}

Loaded<Scenario> load_scenario(std::string_view text, std::string_view file) {
    Loaded<Document> d = load(text, file, "scenario");
    Loaded<Scenario> out;
    out.errors = std::move(d.errors);
    if (d.value) out.value = std::move(d.value->scenario);
    return out;
}

Loaded<LabText> load_lab_text(std::string_view text, std::string_view file) {
    Loaded<Document> d = load(text, file, "lab_text");
    Loaded<LabText> out;
    out.errors = std::move(d.errors);
    if (d.value) out.value = std::move(d.value->lab_text);
    return out;
}

Loaded<UiText> load_ui_text(std::string_view text, std::string_view file) {
    Loaded<Document> d = load(text, file, "ui_text");
    Loaded<UiText> out;
    out.errors = std::move(d.errors);
    if (d.value) out.value = std::move(d.value->ui_text);
    return out;
}

Loaded<Document> load_document(std::string_view text, std::string_view file) {
    return load(text, file, nullptr);
}

Loaded<std::vector<Scenario>> load_catalogue(std::string_view text, std::string_view file) {
    Ctx cx;
    cx.file = std::string(file);
    cx.text = text;
    json j;
    Loaded<std::vector<Scenario>> out;
    if (parse_json(cx, &j)) {
        std::vector<Scenario> entries = parse_catalogue(cx, j);
        if (cx.errors.empty()) out.value = std::move(entries);
    }
    cx.finish();
    out.errors = std::move(cx.errors);
    return out;
}

Loaded<Document> load_document_at(std::string_view text, const std::string& path) {
    Loaded<Document> out = load_document(text, path);
    if (out.value && out.value->kind == DocumentKind::Scenario) {
        std::vector<Error> naming = check_file_name(out.value->scenario, path);
        if (!naming.empty()) {
            out.value.reset();
            out.errors = std::move(naming);
        }
    }
    return out;
}

Loaded<Document> load_document_file(const std::string& path) {
    // stdio, not fstream: the web build then links no iostreams (bench/budget.md).
    std::string text;
    bool read = false;
    if (std::FILE* f = std::fopen(path.c_str(), "rb")) {
        char chunk[16384];
        std::size_t n;
        while ((n = std::fread(chunk, 1, sizeof chunk, f)) > 0)
            text.append(chunk, n);
        read = !std::ferror(f);
        std::fclose(f);
    }
    if (!read) {
        Loaded<Document> out;
        out.errors.push_back(Error{.file = path, .message = "cannot read the file"});
        return out;
    }
    return load_document_at(text, path);
}

std::vector<Error> check_file_name(const Scenario& sc, std::string_view path) {
    std::vector<Error> errors;
    std::string_view name = path.substr(
        path.find_last_of("/\\") == std::string_view::npos ? 0 : path.find_last_of("/\\") + 1);
    if (name.size() < 8 || !std::isdigit(static_cast<unsigned char>(name[0])) ||
        !std::isdigit(static_cast<unsigned char>(name[1])) || name[2] != '_' ||
        name.substr(name.size() - 5) != ".json")
        return errors; // not a bundled-style name: nothing to check
    std::string_view stem = name.substr(0, name.size() - 5);
    std::string language = "en";
    if (stem.size() > 3 && stem[stem.size() - 3] == '.') {
        language = std::string(stem.substr(stem.size() - 2));
        stem.remove_suffix(3);
    }
    const auto err = [&](std::string path_in_json, std::string message) {
        errors.push_back(Error{.file = std::string(path),
                               .json_path = std::move(path_in_json),
                               .message = std::move(message)});
    };
    if (sc.id != stem)
        err("/id",
            "the id \"" + sc.id + "\" must match the file name \"" + std::string(stem) + "\"");
    if (sc.language != language)
        err("/language",
            "the language \"" + sc.language + "\" must match the file name (" +
                (language == "en" ? std::string("no suffix means \"en\"") : "suffix ." + language) +
                ")");
    return errors;
}

std::vector<Error> check_translation(const Scenario& a, const Scenario& b) {
    std::vector<Error> errors;
    const auto err = [&](std::string p, std::string message) {
        errors.push_back(Error{.file = b.file,
                               .json_path = std::move(p),
                               .message = "translation of " + a.file + ": " + std::move(message)});
    };
    if (a.id != b.id) err("/id", "the id must be \"" + a.id + "\"");
    if (a.language == b.language)
        err("/language", "a translation needs another language than \"" + a.language + "\"");
    if (a.level != b.level || a.minutes != b.minutes) err("", "level and minutes must be the same");
    if (a.steps.size() != b.steps.size()) {
        err("/steps", "has " + std::to_string(b.steps.size()) + " steps, the original " +
                          std::to_string(a.steps.size()));
        return errors;
    }
    sim::Lab la, lb;
    reset_lab(la);
    reset_lab(lb);
    apply_lab_state(la, a.lab);
    apply_lab_state(lb, b.lab);
    for (std::size_t k = 0; k < a.steps.size(); ++k) {
        const Step& sa = a.steps[k];
        const Step& sb = b.steps[k];
        const std::string p = at(std::string("/steps"), k);
        apply_lab_state(la, sa.lab);
        apply_lab_state(lb, sb.lab);
        if (sa.id != sb.id) err(at(p, "id"), "the step id must be \"" + sa.id + "\"");
        if (snapshot(la) != snapshot(lb) || la.x() != lb.x() ||
            la.running().var != lb.running().var)
            err(at(p, "lab"), "the lab state differs from the original's");
        if (sa.highlight != sb.highlight)
            err(at(p, "highlight"), "the highlights differ from the original's");
        if (sa.task.has_value() != sb.task.has_value())
            err(at(p, "task"), "the original has " + std::string(sa.task ? "a" : "no") + " task");
        if (sa.train.has_value() != sb.train.has_value() ||
            (sa.train && sa.train->experiment != sb.train->experiment))
            err(at(p, "train"), "the training view differs from the original's");
        if (sa.quiz.size() != sb.quiz.size()) {
            err(at(p, "quiz"),
                "the original has " + std::to_string(sa.quiz.size()) + " questions here");
            continue;
        }
        for (std::size_t i = 0; i < sa.quiz.size(); ++i) {
            const Question& qa = sa.quiz[i];
            const Question& qb = sb.quiz[i];
            const std::string qp = at(at(p, "quiz"), i);
            bool same = qa.id == qb.id && qa.kind == qb.kind &&
                        qa.options.size() == qb.options.size() && qa.expected == qb.expected &&
                        qa.points == qb.points;
            for (std::size_t o = 0; same && o < qa.options.size(); ++o)
                same = qa.options[o].correct == qb.options[o].correct;
            if (!same)
                err(qp, "question \"" + qa.id +
                            "\" must have the same id, kind, correct options and answer");
        }
    }
    return errors;
}

} // namespace normlab::scenario
