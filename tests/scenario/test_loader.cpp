// tests/scenario/test_loader.cpp: the bundled scenarios and lab text load; the corpus of broken
// files gets the expected messages; the loader survives truncated and mangled input.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "scenario/lab_bridge.h"
#include "scenario/loader.h"
#include "scenario_test_util.h"

using namespace normlab;
using namespace normlab::scenario;

namespace {
std::string joined(const std::vector<Error>& errors) {
    std::string s;
    for (const Error& e : errors)
        s += format_error(e) + "\n";
    return s;
}
} // namespace

TEST_CASE("loader: every bundled scenario and the lab text validate") {
    const auto files = test::json_files(test::scenario_dir(), {"schema.json"});
    REQUIRE(files.size() >= 11);
    std::size_t scenarios = 0, questions = 0, english = 0, lab_texts = 0, ui_texts = 0;
    std::set<std::string> lab_languages;
    for (const std::string& f : files) {
        CAPTURE(f);
        const Loaded<Document> doc = load_document_file(f);
        CHECK_MESSAGE(doc.errors.empty(), joined(doc.errors));
        REQUIRE(doc.ok());
        if (doc.value->kind == DocumentKind::LabText) {
            ++lab_texts;
            lab_languages.insert(doc.value->lab_text.language);
            continue;
        }
        if (doc.value->kind == DocumentKind::UiText) {
            ++ui_texts;
            continue;
        }
        const Scenario& s = doc.value->scenario;
        ++scenarios;
        if (s.language == "en") {
            ++english;
            questions += s.question_count();
        }
        // Every scenario uses the lab: its steps move the lab and it has at least one task
        // (the training scenarios too: their tasks are on the board, next to the training view).
        const bool moves_lab = std::any_of(s.steps.begin(), s.steps.end(),
                                           [](const Step& st) { return !st.lab.empty(); });
        const bool has_task = std::any_of(s.steps.begin(), s.steps.end(),
                                          [](const Step& st) { return st.task.has_value(); });
        CHECK(moves_lab);
        CHECK(has_task);
    }
    CHECK(english >= 8);
    CHECK(questions >= 40);
    CHECK(lab_texts == 2);   // English and Spanish
    CHECK(lab_languages == std::set<std::string>{"en", "es"});
    CHECK(ui_texts == 1);    // Spanish (English is the source)
    CHECK(scenarios == english + 2); // 01 and 02 in Spanish
}

TEST_CASE("loader: translations teach the same lab as their originals") {
    const auto files = test::json_files(test::scenario_dir(), {"schema.json"});
    int translations = 0;
    for (const std::string& f : files) {
        if (f.size() < 8 || f.compare(f.size() - 8, 8, ".es.json") != 0) continue;
        if (f.find("ui_text.") != std::string::npos) continue;   // the UI's strings, not a scenario
        if (f.find("lab_text.") != std::string::npos) continue;  // the lab text: see test_registry.cpp
        CAPTURE(f);
        const std::string original_path = f.substr(0, f.size() - 8) + ".json";
        const auto original = load_document_file(original_path);
        const auto translated = load_document_file(f);
        REQUIRE(original.ok());
        REQUIRE(translated.ok());
        CHECK(translated.value->scenario.language == "es");
        const auto errors = check_translation(original.value->scenario, translated.value->scenario);
        CHECK_MESSAGE(errors.empty(), joined(errors));
        ++translations;
    }
    CHECK(translations == 2);
}

TEST_CASE("loader: check_translation notices a different lab state") {
    const auto en = load_document_file(test::scenario_dir() + "/02_batchnorm.json");
    const auto es = load_document_file(test::scenario_dir() + "/02_batchnorm.es.json");
    REQUIRE(en.ok());
    REQUIRE(es.ok());
    Scenario changed = es.value->scenario;
    changed.steps[1].lab.batch = 4;
    const auto errors = check_translation(en.value->scenario, changed);
    CHECK(joined(errors).find("/steps/1/lab: translation of") != std::string::npos);
}

TEST_CASE("loader: the corpus of broken files gives the expected messages") {
    const nlohmann::json manifest =
        nlohmann::json::parse(test::read_text(test::bad_dir() + "/manifest.json"));
    const nlohmann::json& cases = manifest.at("cases");
    const auto files = test::json_files(test::bad_dir(), {"manifest.json"});
    REQUIRE(files.size() == cases.size());
    REQUIRE(files.size() >= 40);
    for (const std::string& f : files) {
        const std::string name = std::filesystem::path(f).filename().string();
        CAPTURE(name);
        REQUIRE(cases.contains(name));
        const Loaded<Document> doc = load_document_file(f);
        CHECK_FALSE(doc.ok());
        CHECK(!doc.errors.empty());
        const std::string text = joined(doc.errors);
        for (const auto& expected : cases[name]) {
            const std::string want = expected.get<std::string>();
            CHECK_MESSAGE(text.find(want) != std::string::npos, "expected \"" << want << "\" in:\n"
                                                                              << text);
        }
        for (const Error& e : doc.errors)
            CHECK(e.file == f);
    }
}

TEST_CASE("loader: an error names the file, the JSON path, the line and the column") {
    const std::string text =
        "{\n  \"kind\": \"scenario\", \"format\": 1, \"id\": \"01_x\", \"language\": \"en\",\n"
        "  \"title\": \"t\", \"summary\": \"s\", \"level\": \"beginner\", \"minutes\": 2,\n"
        "  \"steps\": [{\"id\": \"a\", \"title\": \"A\", \"text\": \"x\",\n"
        "             \"quiz\": [{\"id\": \"q\", \"kind\": \"single\", \"prompt\": \"p\", "
        "\"explanation\": \"e\",\n"
        "                       \"options\": [{\"text\": \"a\", \"correct\": true}, {\"text\": "
        "5}]}]}]\n}\n";
    const Loaded<Scenario> s = load_scenario(text, "mem.json");
    REQUIRE(s.errors.size() == 1);
    const Error& e = s.errors[0];
    CHECK(e.file == "mem.json");
    CHECK(e.json_path == "/steps/0/quiz/0/options/1/text");
    CHECK(e.line == 6);
    CHECK(e.column == 77);
    CHECK(e.message == "must be a string, got number 5");
    CHECK(format_error(e) ==
          "mem.json:6:77: /steps/0/quiz/0/options/1/text: must be a string, got number 5");
}

TEST_CASE("loader: a syntax error reports line and column") {
    const Loaded<Document> d =
        load_document("{\n  \"kind\": \"scenario\",\n  \"format\": 1 2\n}", "x.json");
    REQUIRE(d.errors.size() == 1);
    CHECK(d.errors[0].line == 3);
    CHECK(d.errors[0].column == 15);
    CHECK(d.errors[0].json_path.empty());
    CHECK(d.errors[0].message.find("syntax error") == 0);
}

TEST_CASE("loader: nlohmann's parse errors arrive without exceptions, with their place") {
    // The web build has no exceptions: the error comes through the SAX interface.
    Loaded<Document> d =
        load_document("{\n  \"kind\": \"scenario\",\n  \"format\": 1 2\n}", "x.json");
    REQUIRE(d.errors.size() == 1);
    CHECK(d.errors[0].message ==
          "syntax error while parsing object - unexpected number literal; expected '}'");
    // A number beyond double's range is not a syntax error: named, at the number.
    d = load_document("{\"kind\": \"scenario\", \"format\": 1e400}", "x.json");
    REQUIRE(d.errors.size() == 1);
    CHECK(d.errors[0].message.find("cannot read the JSON: number overflow") == 0);
    CHECK(d.errors[0].line == 1);
    CHECK(d.errors[0].column == 32); // where 1e400 starts
    // Trailing text after the document, and an empty file.
    d = load_document("{} x", "x.json");
    REQUIRE(d.errors.size() == 1);
    CHECK(d.errors[0].message.find("syntax error") == 0);
    CHECK(d.errors[0].column == 4);
    d = load_document("", "x.json");
    REQUIRE(d.errors.size() == 1);
    CHECK(d.errors[0].message.find("syntax error") == 0);
}

TEST_CASE("loader: columns count characters, not bytes") {
    // "μ" is two bytes; the bad value starts at character 14 of line 1.
    const Loaded<Document> d = load_document("{\"μμμ\": 1, \"kind\": 3}", "x.json");
    REQUIRE(!d.errors.empty());
    CHECK(d.errors[0].json_path == "/kind");
    CHECK(d.errors[0].line == 1);
    CHECK(d.errors[0].column == 20);
}

TEST_CASE("loader: every prefix and many byte flips of a real file give errors, never a crash") {
    const std::string text = test::read_text(test::scenario_dir() + "/02_batchnorm.json");
    REQUIRE(text.size() > 1000);
    for (std::size_t n = 0; n < text.size(); n += 97) {
        const Loaded<Document> d =
            load_document(std::string_view(text).substr(0, n), "prefix.json");
        CHECK_FALSE(d.ok());
        CHECK(!d.errors.empty());
    }
    std::uint32_t state = 12345;
    for (int k = 0; k < 150; ++k) {
        std::string mangled = text;
        for (int flips = 0; flips < 3; ++flips) {
            state = state * 1664525u + 1013904223u;
            const std::size_t at = state % mangled.size();
            state = state * 1664525u + 1013904223u;
            mangled[at] = "{}[]\",:0-9aeμx \n\\"[state % 17];
        }
        const Loaded<Document> d = load_document(mangled, "mangled.json");
        CHECK((d.ok() || !d.errors.empty()));
    }
}

TEST_CASE("loader: numeric answers are the lab's numbers at that step") {
    const auto doc = load_document_file(test::scenario_dir() + "/05_layernorm.json");
    REQUIRE(doc.ok());
    const Scenario& s = doc.value->scenario;
    sim::Lab lab;
    for (std::size_t k = 0; k < s.steps.size(); ++k) {
        CHECK(enter_step(s, k, lab).empty());
        for (const Question& q : s.steps[k].quiz) {
            if (!q.compute) continue;
            std::string why;
            const auto v = compute_stat(*q.compute, lab, &why);
            REQUIRE(v.has_value());
            CHECK(*v == q.expected);
        }
    }
    // Spot checks against what the lab must say: 8 rows, 24 tokens, LayerNorm centers rows.
    const auto find = [&](const char* id) -> const Question& {
        for (const Step& st : s.steps)
            for (const Question& q : st.quiz)
                if (q.id == id) return q;
        FAIL("no question ", id);
        return s.steps[0].quiz[0];
    };
    CHECK(find("ln_groups").expected == 8);
    CHECK(find("seq_groups").expected == 24);
    CHECK(std::fabs(find("row_mean").expected) < 1e-6);
    CHECK(find("d1_max").expected == 0);
}

TEST_CASE("loader: the kind must match what the caller asked for") {
    const std::string lab_text = test::read_text(test::scenario_dir() + "/lab_text.json");
    const Loaded<Scenario> s = load_scenario(lab_text, "lab_text.json");
    CHECK_FALSE(s.ok());
    REQUIRE(!s.errors.empty());
    CHECK(s.errors[0].message == "expected a scenario file");
    const Loaded<LabText> t = load_lab_text(lab_text, "lab_text.json");
    CHECK(t.ok());
}

TEST_CASE("loader: an unreadable file is an error, not a crash") {
    const Loaded<Document> d = load_document_file(test::scenario_dir() + "/no_such_file.json");
    CHECK_FALSE(d.ok());
    REQUIRE(d.errors.size() == 1);
    CHECK(d.errors[0].message == "cannot read the file");
}

TEST_CASE("loader: a catalogue lists walkthroughs by their headers; bad entries are named") {
    // An entry for each bundled walkthrough, from the file's own header fields (what
    // tools/bundle-scenarios.mjs writes), becomes a listed-only Scenario with the same header.
    nlohmann::json entries = nlohmann::json::array();
    std::vector<Scenario> loaded;
    for (const std::string& f : test::json_files(test::scenario_dir(), {"schema.json"})) {
        const std::string text = test::read_text(f);
        const nlohmann::json j = nlohmann::json::parse(text);
        if (j["kind"] != "scenario") continue;
        entries.push_back({{"file", f.substr(f.find_last_of('/') + 1)}, {"id", j["id"]}, {"language", j["language"]},
                           {"title", j["title"]}, {"summary", j["summary"]}, {"level", j["level"]},
                           {"minutes", j["minutes"]}, {"steps", j["steps"].size()}});
        loaded.push_back(*load_scenario(text, f).value);
    }
    REQUIRE(loaded.size() >= 12);
    const Loaded<std::vector<Scenario>> cat = load_catalogue(entries.dump(), "bundle-en.json");
    CHECK_MESSAGE(cat.errors.empty(), joined(cat.errors));
    REQUIRE(cat.ok());
    REQUIRE(cat.value->size() == loaded.size());
    for (std::size_t i = 0; i < loaded.size(); ++i) {
        const Scenario& listed = (*cat.value)[i];
        const Scenario& full = loaded[i];
        CAPTURE(full.id);
        CHECK(listed.listed_only);
        CHECK(listed.steps.empty());
        CHECK(listed.step_count() == full.steps.size());
        CHECK(full.step_count() == full.steps.size());
        CHECK(listed.id == full.id);
        CHECK(listed.language == full.language);
        CHECK(listed.title == full.title);
        CHECK(listed.summary == full.summary);
        CHECK(listed.level == full.level);
        CHECK(listed.minutes == full.minutes);
        CHECK(full.file.substr(full.file.find_last_of('/') + 1) == listed.file);
    }

    const auto first_error = [](const std::string& text) {
        const Loaded<std::vector<Scenario>> c = load_catalogue(text, "cat.json");
        CHECK_FALSE(c.ok());
        return c.errors.empty() ? std::string() : format_error(c.errors.front());
    };
    nlohmann::json one = entries[0];
    CHECK(first_error(R"({"file": "x.json"})").find("a catalogue is a JSON array of walkthrough entries, got object") !=
          std::string::npos);
    one["steps"] = 0;
    CHECK(first_error(nlohmann::json::array({one}).dump()).find("/0/steps: 0 is out of range (1 to 60)") != std::string::npos);
    one = entries[1];
    one.erase("title");
    CHECK(first_error(nlohmann::json::array({entries[0], one}).dump()).find("/1: missing required key \"title\"") !=
          std::string::npos);
    one = entries[0];
    one["file"] = "../secret.json";
    CHECK(first_error(nlohmann::json::array({one}).dump()).find("/0/file: a file name beside the catalogue") !=
          std::string::npos);
    one = entries[0];
    one["file"] = "05_layernorm.json";   // another walkthrough's file
    CHECK(first_error(nlohmann::json::array({one}).dump()).find("must match the file name \"05_layernorm\"") !=
          std::string::npos);
    one = entries[0];
    one["levels"] = "beginner";
    CHECK(first_error(nlohmann::json::array({one}).dump()).find("unknown key \"levels\" (did you mean \"level\"?)") !=
          std::string::npos);
    CHECK(first_error("[1, 2").find("syntax error") != std::string::npos);
}
