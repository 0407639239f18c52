// tests/scenario/test_ui_text.cpp: the UI translation file against the code that uses it. Scans
// src/ui/*.cpp for tr("...") and tr_id("...") literals: every one must be translated in
// scenarios/ui_text.es.json and every key there must still be used. Also: every character of
// every scenario, lab text and UI text file, and of every UI literal, has a glyph in the font
// subset (ranges parsed from tools/deps.sh FONT_UNICODES, independently of markup.cpp); the
// loader rejects translations that would break a printf format or a widget id.
// Natively only for the source scans: the WASM runner has no src/ or tools/ folder.
#include <doctest/doctest.h>

#include <cstdint>
#include <filesystem>
#include <set>

#include "scenario/loader.h"
#include "scenario/ui_text.h"
#include "scenario_test_util.h"
#include "sim/families.h"
#include "sim/lab.h"

using namespace normlab;
using namespace normlab::scenario;

namespace {

std::string source_root() { return test::test_data_dir() + "/../.."; }

// The C string literal starting at s[i] == '"' (escapes \" \\ \n \t), with i moved past it.
std::string read_literal(const std::string& s, std::size_t& i) {
    std::string out;
    for (++i; i < s.size() && s[i] != '"'; ++i) {
        if (s[i] == '\\' && i + 1 < s.size()) {
            ++i;
            out += s[i] == 'n' ? '\n' : s[i] == 't' ? '\t' : s[i];
        } else {
            out += s[i];
        }
    }
    ++i;
    return out;
}

// Keys used in one source text: tr("a" "b") -> "ab"; tr_id("Label##id") -> "Label".
std::set<std::string> keys_in(const std::string& src) {
    std::set<std::string> keys;
    for (const std::string call : {"tr(", "tr_id("}) {
        for (std::size_t at = src.find(call); at != std::string::npos; at = src.find(call, at + 1)) {
            const char before = at > 0 ? src[at - 1] : ' ';
            if (std::isalnum(static_cast<unsigned char>(before)) || before == '_') continue;   // c_str(
            std::size_t i = at + call.size();
            std::string key;
            bool literal = false;
            while (true) {
                while (i < src.size() && std::isspace(static_cast<unsigned char>(src[i]))) ++i;
                if (i >= src.size() || src[i] != '"') break;
                key += read_literal(src, i);
                literal = true;
            }
            if (!literal) continue;   // tr(variable): a runtime key, listed in runtime_keys()
            if (call == "tr_id(") key = key.substr(0, key.find("##"));
            if (!key.empty()) keys.insert(key);
        }
    }
    return keys;
}

// Keys the UI passes to tr() at run time: texts the sim and scenario rooms own.
std::set<std::string> runtime_keys() {
    std::set<std::string> keys;
    for (kernels::NormKind k : sim::kBoardFamilies) {
        keys.insert(sim::family_info(k).axis);
        keys.insert(sim::family_info(k).over);
    }
    for (int p = 0; p < sim::kPresetCount; ++p) keys.insert(sim::preset_name(static_cast<sim::DataPreset>(p)));
    for (Level l : {Level::Beginner, Level::Intermediate, Level::Advanced}) keys.insert(level_id(l));
    return keys;
}

struct Range {
    std::uint32_t lo, hi;
};

// "U+0020-007E,U+00A0-00FF,U+2022" from tools/deps.sh.
std::vector<Range> deps_font_ranges(const std::string& deps) {
    std::vector<Range> out;
    const std::string key = "FONT_UNICODES='";
    const std::size_t at = deps.find(key);
    if (at == std::string::npos) return out;
    const std::string list = deps.substr(at + key.size(), deps.find('\'', at + key.size()) - at - key.size());
    std::size_t pos = 0;
    while (pos < list.size()) {
        const std::size_t comma = std::min(list.find(',', pos), list.size());
        const std::string item = list.substr(pos, comma - pos);   // U+XXXX or U+XXXX-YYYY
        const std::size_t dash = item.find('-');
        const auto lo = static_cast<std::uint32_t>(std::stoul(item.substr(2, dash - 2), nullptr, 16));
        const auto hi = dash == std::string::npos ? lo : static_cast<std::uint32_t>(std::stoul(item.substr(dash + 1), nullptr, 16));
        out.push_back({lo, hi});
        pos = comma + 1;
    }
    return out;
}

// The first code point of `s` outside `ranges` (newline and tab allowed), as "U+XXXX at byte N".
std::string first_missing_glyph(const std::string& s, const std::vector<Range>& ranges) {
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        const std::size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : 4;
        std::uint32_t cp = n == 1 ? c : c & (0xFF >> (n + 1));
        for (std::size_t k = 1; k < n && i + k < s.size(); ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
        const bool ok = cp == '\n' || cp == '\t' || cp == '\r' ||
                        std::any_of(ranges.begin(), ranges.end(), [&](const Range& r) { return cp >= r.lo && cp <= r.hi; });
        if (!ok) {
            char buf[48];
            std::snprintf(buf, sizeof buf, "U+%04X at byte %zu", static_cast<unsigned>(cp), i);
            return buf;
        }
        i += n;
    }
    return "";
}

std::string joined(const std::set<std::string>& s) {
    std::string out;
    for (const std::string& k : s) out += "\n  \"" + k + "\"";
    return out;
}

} // namespace

TEST_CASE("ui_text: the Spanish file loads and translates exactly the strings the UI uses") {
    const Loaded<Document> doc = load_document_file(test::scenario_dir() + "/ui_text.es.json");
    REQUIRE_MESSAGE(doc.ok(), (doc.errors.empty() ? std::string() : format_error(doc.errors.front())));
    REQUIRE(doc.value->kind == DocumentKind::UiText);
    const UiText& es = doc.value->ui_text;
    CHECK(es.language == "es");
    CHECK(es.strings.size() >= 150);

    std::set<std::string> used;
    std::size_t files = 0;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(source_root() + "/src/ui", ec)) {
        if (e.path().extension() != ".cpp") continue;
        ++files;
        for (const std::string& k : keys_in(test::read_text(e.path().string()))) used.insert(k);
    }
    if (files == 0) return;   // the WASM test runner has no src/ folder
    CHECK(used.size() >= 150);
    const std::set<std::string> runtime = runtime_keys();
    std::set<std::string> missing, unused;
    for (const std::string& k : used)
        if (!es.strings.count(k)) missing.insert(k);
    for (const std::string& k : runtime)
        if (!es.strings.count(k)) missing.insert(k);
    for (const auto& [k, v] : es.strings)
        if (!used.count(k) && !runtime.count(k)) unused.insert(k);
    CHECK_MESSAGE(missing.empty(), ("used in src/ui but not in ui_text.es.json:" + joined(missing)));
    CHECK_MESSAGE(unused.empty(), ("in ui_text.es.json but no longer used by the UI:" + joined(unused)));
}

TEST_CASE("ui_text: the scanner reads literals the way the compiler does") {
    const std::set<std::string> k = keys_in(
        "a(tr(\"Play\")); b(tr_id(\"Close##help\")); c(tr(\"one \"\n   \"two\")); s.c_str(); tr(name);"
        " tr(\"say \\\"hi\\\"\"); tr_id(\"##hidden\");");
    CHECK(k == std::set<std::string>{"Play", "Close", "one two", "say \"hi\""});
}

TEST_CASE("ui_text: every character of the text files and UI strings has a glyph in the font") {
    const std::string deps = test::read_text(source_root() + "/tools/deps.sh");
    if (deps.empty()) return;   // the WASM test runner has no tools/ folder
    const std::vector<Range> ranges = deps_font_ranges(deps);
    REQUIRE(ranges.size() >= 5);
    // Spanish needs á é í ó ú ñ ü ¿ ¡ « »: Latin-1 must be in.
    CHECK(first_missing_glyph("áéíóúñü¿¡«»ÁÉÍÓÚÑ", ranges).empty());
    CHECK(first_missing_glyph("→ ₂", ranges) == "U+2082 at byte 4");   // the checker does find gaps
    std::size_t checked = 0;
    for (const std::string& f : test::json_files(test::scenario_dir(), {"schema.json"})) {
        CAPTURE(f);
        CHECK(first_missing_glyph(test::read_text(f), ranges) == "");
        ++checked;
    }
    CHECK(checked >= 13);
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(source_root() + "/src/ui", ec)) {
        if (e.path().extension() != ".cpp") continue;
        for (const std::string& k : keys_in(test::read_text(e.path().string()))) {
            CAPTURE(k);
            CHECK(first_missing_glyph(k, ranges) == "");
        }
    }
}

TEST_CASE("ui_text: printf conversions are compared in order") {
    CHECK(format_conversions("%zu cells · group %zu of %zu") == "zu zu zu");
    CHECK(format_conversions("x = %.4g  (100%%)") == "g");
    CHECK(format_conversions("%-8s|%+.3f|%lld|%llu") == "s f lld llu");
    CHECK(check_ui_translation("%zu of %zu", "%zu de %zu").empty());
    CHECK(check_ui_translation("%d batches, %s", "%s, %d lotes").find("same %-conversions") != std::string::npos);
    CHECK(check_ui_translation("Play", "Jugar##x").find("##") != std::string::npos);
}

TEST_CASE("ui_text: bad translations are errors with their JSON path and line") {
    const auto errors = [](const std::string& text) {
        std::string s;
        for (const Error& e : load_ui_text(text, "ui_text.es.json").errors) s += format_error(e) + "\n";
        return s;
    };
    const std::string head = "{\"kind\": \"ui_text\", \"format\": 1, \"language\": \"es\",\n \"strings\": {\n";
    CHECK(errors(head + "  \"Play\": \"Iniciar\"}}").empty());
    CHECK(errors(head + "  \"group %zu of %zu\": \"grupo %d\"}}").find(
              "ui_text.es.json:3:23: /strings/group %zu of %zu: takes the values \"d\"") != std::string::npos);
    CHECK(errors(head + "  \"Play\": \"\"}}").find("/strings/Play: must not be empty") != std::string::npos);
    CHECK(errors(head + "  \"Play\": 3}}").find("must be a string, got") != std::string::npos);
    CHECK(errors(head + "  \"a/b\": \"x##y\"}}").find("/strings/a~1b: must not contain \"##\"") != std::string::npos);
    CHECK(errors(head + "  \"Play\": \"Iniciar\", \"Play\": \"Jugar\"}}").find("duplicate key") != std::string::npos);
    CHECK(errors("{\"kind\": \"ui_text\", \"format\": 1, \"language\": \"en\", \"strings\": {}}")
              .find("English is the source language") != std::string::npos);
    CHECK(errors("{\"kind\": \"ui_text\", \"format\": 1, \"language\": \"es\", \"strings\": []}")
              .find("/strings: must be an object") != std::string::npos);
    // A kind mismatch is reported, not read as another kind.
    CHECK(load_lab_text(head + "  \"Play\": \"Iniciar\"}}", "x.json").errors.front().message == "expected a lab_text file");
}

TEST_CASE("ui_text: a missing key shows the English, never an empty label") {
    UiText t;
    t.strings.emplace("Play", "Iniciar");
    CHECK(t.get("Play") == "Iniciar");
    CHECK(t.get("Pause") == "Pause");
}
