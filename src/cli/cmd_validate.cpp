// cli/cmd_validate.cpp: `normlab validate [--summary] FILE...`, the scenario loader's checks
// on the command line (for authors and CI). Owns: argument handling and output; every rule
// lives in scenario/loader.h. Each problem is one "normlab: file:line:col: /path: message"
// line on stderr; exit 2 if any file has one. With several files it also checks that no two
// scenarios share an id and language, and that each translation (NN_topic.LANG.json) teaches
// the same lab as its original when both are given.
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "scenario/loader.h"
#include "scenario/registry.h"

namespace normlab::cli {
namespace {

namespace sc = normlab::scenario;

void print_ids() {
    nlohmann::ordered_json j;
    for (const sc::HighlightId& h : sc::highlight_ids())
        j["highlight"][h.id] = h.what;
    for (const sc::ConditionKey& k : sc::condition_keys()) {
        nlohmann::ordered_json e = {{"what", k.what}};
        const char* type = k.type == sc::KeyType::Enum     ? "enum"
                           : k.type == sc::KeyType::Int    ? "int"
                           : k.type == sc::KeyType::Number ? "number"
                           : k.type == sc::KeyType::Bool   ? "bool"
                                                           : "set";
        e["type"] = type;
        if (*k.values) e["values"] = sc::key_values(k);
        j["condition_keys"][k.id] = e;
    }
    for (const sc::DiagnosisId& d : sc::diagnosis_ids())
        j["diagnoses"][d.id] = d.when;
    std::printf("%s\n", j.dump(2).c_str());
}

} // namespace

void help_validate(std::FILE* out) {
    std::fputs(
        "usage: normlab validate [--summary] [--answers] FILE...\n"
        "       normlab validate --ids\n\n"
        "Checks scenario files and the lab text (scenarios/*.json) as the app loads them:\n"
        "syntax (with line and column), unknown keys, wrong types, missing fields, ids not\n"
        "in the registry, characters the UI font lacks, markup, and the checks that replay\n"
        "each step on the lab (group and channel indices, tasks, numeric answers).\n\n"
        "  --summary  print one JSON line: {\"files\", \"scenarios\", \"lab_texts\", \"steps\",\n"
        "             \"questions\", \"errors\"} instead of one \"ok\" line per file\n"
        "  --answers  also print every numeric answer as computed on its step's lab state\n"
        "  --ids      print every registered highlight id, condition key and diagnosis\n\n"
        "Each problem is one line on stderr: normlab: FILE:LINE:COLUMN: /json/path: message\n"
        "exit codes: 0 every file is valid, 2 some file is not (or bad arguments)\n",
        out);
}

int run_validate(int argc, char** argv) {
    bool summary = false, answers = false;
    std::vector<std::string> files;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--summary") == 0) {
            summary = true;
        } else if (std::strcmp(argv[i], "--answers") == 0) {
            answers = true;
        } else if (std::strcmp(argv[i], "--ids") == 0) {
            print_ids();
            return kExitOk;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            std::fprintf(stderr,
                         "normlab: validate: unknown option \"%s\" (try normlab help validate)\n",
                         argv[i]);
            return kExitUsage;
        } else {
            files.emplace_back(argv[i]);
        }
    }
    if (files.empty()) {
        std::fputs("normlab: validate: no files given (try normlab help validate)\n", stderr);
        return kExitUsage;
    }
    std::size_t scenarios = 0, lab_texts = 0, steps = 0, questions = 0, errors = 0;
    const auto report = [&](const sc::Error& e) {
        std::fprintf(stderr, "normlab: %s\n", sc::format_error(e).c_str());
        ++errors;
    };
    std::map<std::pair<std::string, std::string>, sc::Scenario> loaded; // (id, language)
    for (const std::string& file : files) {
        sc::Loaded<sc::Document> doc = sc::load_document_file(file);
        for (const sc::Error& e : doc.errors)
            report(e);
        if (!doc.value) continue;
        if (doc.value->kind == sc::DocumentKind::LabText) {
            ++lab_texts;
            if (!summary) std::printf("ok %s (lab text)\n", file.c_str());
            continue;
        }
        if (doc.value->kind == sc::DocumentKind::UiText) {
            if (!summary)
                std::printf("ok %s (UI text, %zu strings)\n", file.c_str(), doc.value->ui_text.strings.size());
            continue;
        }
        sc::Scenario& s = doc.value->scenario;
        ++scenarios;
        steps += s.steps.size();
        questions += s.question_count();
        if (!summary)
            std::printf("ok %s (%zu steps, %zu questions)\n", file.c_str(), s.steps.size(),
                        s.question_count());
        if (answers)
            for (const sc::Step& st : s.steps)
                for (const sc::Question& q : st.quiz)
                    if (q.kind == sc::QuestionKind::Numeric)
                        std::printf("  %s/%s: %.6g (tolerance abs %g, rel %g)\n", st.id.c_str(),
                                    q.id.c_str(), q.expected, q.tolerance.abs, q.tolerance.rel);
        const auto key = std::make_pair(s.id, s.language);
        if (const auto it = loaded.find(key); it != loaded.end())
            report(sc::Error{.file = file,
                             .json_path = "/id",
                             .message = "scenario \"" + s.id + "\" (" + s.language +
                                        ") is also in " + it->second.file});
        else
            loaded.emplace(key, std::move(s));
    }
    for (const auto& [key, s] : loaded) {
        if (key.second == "en") continue;
        const auto original = loaded.find({key.first, "en"});
        if (original == loaded.end()) continue;
        for (const sc::Error& e : sc::check_translation(original->second, s))
            report(e);
    }
    if (summary) {
        const nlohmann::ordered_json j = {{"files", files.size()},  {"scenarios", scenarios},
                                          {"lab_texts", lab_texts}, {"steps", steps},
                                          {"questions", questions}, {"errors", errors}};
        std::printf("%s\n", j.dump().c_str());
    }
    return errors == 0 ? kExitOk : kExitUsage;
}

} // namespace normlab::cli
