// tests/scenario/test_registry.cpp: the registry, the JSON Schema editors use and the UI font
// agree: every id the code registers is in scenarios/schema.json and vice versa; the glyph
// ranges match tools/deps.sh. Also the markup parser and the lab text.
#include <doctest/doctest.h>

#include <set>

#include <nlohmann/json.hpp>

#include "scenario/lab_bridge.h"
#include "scenario/loader.h"
#include "scenario/markup.h"
#include "scenario/registry.h"
#include "scenario_test_util.h"
#include "sim/families.h"

using namespace normlab;
using namespace normlab::scenario;

namespace {
std::set<std::string> as_set(const nlohmann::json& array) {
    std::set<std::string> s;
    for (const auto& v : array)
        s.insert(v.get<std::string>());
    return s;
}
} // namespace

TEST_CASE("registry: scenarios/schema.json lists exactly the registered ids") {
    const auto schema =
        nlohmann::json::parse(test::read_text(test::scenario_dir() + "/schema.json"));
    const auto& defs = schema.at("definitions");

    std::set<std::string> highlights;
    for (const HighlightId& h : highlight_ids())
        highlights.insert(h.id);
    CHECK(as_set(defs.at("step").at("properties").at("highlight").at("items").at("enum")) ==
          highlights);

    std::set<std::string> keys;
    for (const ConditionKey& k : condition_keys())
        keys.insert(k.id);
    const auto& leaf = defs.at("condition").at("oneOf").at(3);
    CHECK(as_set(leaf.at("properties").at("key").at("enum")) == keys);
    // Each key's variant lists the same values as the registry.
    for (const auto& variant : leaf.at("oneOf")) {
        const std::string id = variant.at("properties").at("key").at("const");
        const ConditionKey* k = find_condition_key(id);
        REQUIRE(k);
        const auto values = key_values(*k);
        if (values.empty()) continue;
        const auto& props = variant.at("properties");
        const auto& v = props.contains("eq") ? props.at("eq") : props.at("has");
        CHECK(as_set(v.at("enum")) == std::set<std::string>(values.begin(), values.end()));
    }

    std::set<std::string> diagnoses;
    for (const DiagnosisId& d : diagnosis_ids())
        diagnoses.insert(d.id);
    CHECK(as_set(defs.at("labText").at("properties").at("diagnoses").at("required")) == diagnoses);
    const auto& families = text_family_ids();
    CHECK(as_set(defs.at("labText").at("properties").at("families").at("required")) ==
          std::set<std::string>(families.begin(), families.end()));
}

TEST_CASE("registry: ids are unique and enum ids round-trip") {
    std::set<std::string> seen;
    for (const HighlightId& h : highlight_ids())
        CHECK(seen.insert(h.id).second);
    seen.clear();
    for (const ConditionKey& k : condition_keys())
        CHECK(seen.insert(k.id).second);
    seen.clear();
    for (const DiagnosisId& d : diagnosis_ids())
        CHECK(seen.insert(d.id).second);
    for (int p = 0; p < sim::kPresetCount; ++p) {
        sim::DataPreset back{};
        CHECK(parse_preset_id(preset_id(static_cast<sim::DataPreset>(p)), &back));
        CHECK(back == static_cast<sim::DataPreset>(p));
    }
    sim::Layout layout{};
    CHECK(parse_layout_id("image", &layout));
    CHECK(layout == sim::Layout::Image);
    CHECK_FALSE(parse_layout_id("picture", &layout));
    CHECK(closest("bacth", {"batch", "features"}) == "batch");
    CHECK(closest("zzzzzz", {"batch", "features"}).empty());
}

TEST_CASE("registry: condition keys read the lab") {
    sim::Lab lab;
    reset_lab(lab);
    const Snapshot s = snapshot(lab);
    REQUIRE(s.size() == condition_keys().size());
    CHECK(find_condition_key("family")->read(lab).text == "batchnorm");
    CHECK(find_condition_key("batch")->read(lab).number == 8);
    CHECK(find_condition_key("group_count")->read(lab).number == 12);
    CHECK(find_condition_key("diagnosis")->read(lab).set == std::vector<std::string>{"healthy"});
    CHECK(find_condition_key("nope") == nullptr);
}

TEST_CASE("markup: the UI font's ranges match tools/deps.sh") {
    const std::string deps = test::read_text(test::test_data_dir() + "/../../tools/deps.sh");
    if (deps.empty()) return; // the WASM test runner has no tools/ folder
    const std::string key = "FONT_UNICODES='";
    const std::size_t at = deps.find(key);
    REQUIRE(at != std::string::npos);
    const std::size_t end = deps.find('\'', at + key.size());
    CHECK(deps.substr(at + key.size(), end - at - key.size()) == font_ranges());
}

TEST_CASE("markup: paragraphs, lists, bold and code") {
    std::string error;
    const auto blocks = parse_markup("First **bold** and `x + y`\nsame paragraph.\n\n- one\n- two "
                                     "**b**\n  continued\n1. first\n12. twelfth\nafter",
                                     &error);
    CHECK(error.empty());
    REQUIRE(blocks.size() == 6);
    CHECK(blocks[0].kind == BlockKind::Paragraph);
    REQUIRE(blocks[0].spans.size() == 5);
    CHECK(blocks[0].spans[0].text == "First ");
    CHECK(blocks[0].spans[1].text == "bold");
    CHECK(blocks[0].spans[1].bold);
    CHECK(blocks[0].spans[3].text == "x + y");
    CHECK(blocks[0].spans[3].code);
    CHECK(blocks[0].spans[4].text == " same paragraph.");
    CHECK(blocks[1].kind == BlockKind::Bullet);
    CHECK(blocks[2].kind == BlockKind::Bullet);
    CHECK(blocks[2].spans.back().text == " continued");
    CHECK(blocks[3].kind == BlockKind::Numbered);
    CHECK(blocks[3].number == 1);
    CHECK(blocks[4].number == 12);
    CHECK(blocks[5].kind == BlockKind::Paragraph);
    CHECK(blocks[5].spans[0].text == "after");

    parse_markup("a **b", &error);
    CHECK(error == "unclosed ** (bold)");
    parse_markup("a `b", &error);
    CHECK(error.find("unclosed `") == 0);
    parse_markup("`**` and `a * b` are literal in code", &error);
    CHECK(error.empty());
    parse_markup("an *italic* word", &error);
    CHECK(error.find("a single * is not markup") == 0);
    CHECK(parse_markup("", &error).empty());
}

TEST_CASE("markup: glyph check") {
    CHECK(check_glyphs("μ σ² ε γ β √ ≤ ≥ ≈ · × − ¿Qué? ñ").empty());
    CHECK(check_glyphs("x₁").find("U+2081") == 0);
    CHECK(check_glyphs("a\tb").find("control character") != std::string::npos);
    CHECK(check_glyphs("\xff").find("invalid UTF-8") == 0);
    CHECK(check_glyphs("\xe2\x82").find("invalid UTF-8") == 0); // truncated sequence
    CHECK(check_glyphs("\xc0\xaf").find("invalid UTF-8") == 0); // overlong
}

TEST_CASE("lab text: every family, diagnosis and shape is explained, in English and Spanish") {
    for (const std::string name : {"lab_text.json", "lab_text.es.json"}) {
        CAPTURE(name);
        const auto t = load_lab_text(test::read_text(test::scenario_dir() + "/" + name), name);
        REQUIRE(t.ok());
        CHECK(t.value->language == (name == "lab_text.json" ? "en" : "es"));
        for (const std::string& id : text_family_ids()) {
            CAPTURE(id);
            const FamilyText* f = t.value->family(id);
            REQUIRE(f);
            CHECK(!f->try_next.empty());
        }
        for (const DiagnosisId& d : diagnosis_ids())
            CHECK_MESSAGE(t.value->diagnosis(d.id), d.id);
        CHECK(t.value->family("nope") == nullptr);
        CHECK(t.value->cheat_sheet.size() == 8);
        // The shape table agrees with the lab's own label for the statistics' shape.
        for (const ShapeRow& row : t.value->shapes) {
            kernels::NormKind kind{};
            REQUIRE(kernels::parse_norm_id(row.family, &kind));
            if (kind == kernels::NormKind::Group) continue; // the lab prints G's value
            const auto label = [&](const core::Shape& s) { return sim::stat_shape(kind, s, 2); };
            const auto strip = [](std::string s) { return s.substr(s.find('(')); };
            if (!row.matrix.empty()) CHECK(strip(label(core::Shape::matrix(2, 6))) == row.matrix);
            CHECK(strip(label(core::Shape::sequence(2, 3, 6))) == row.sequence);
            CHECK(strip(label(core::Shape::image(2, 6, 2, 2))) == row.image);
        }
    }
}
