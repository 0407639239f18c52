// scenario/loader.h: reading scenario files and the lab text from JSON (nlohmann/json), with
// strict validation. Owns: the file format (scenarios/README.md, scenarios/schema.json) and
// every check on it: syntax (line and column), unknown keys, wrong types, missing fields,
// duplicate keys, ids not in the registry, glyphs the UI font lacks, broken markup, and the
// checks that need the lab: each step's state is replayed on a sim::Lab, group and channel
// indices must exist for that step's shape, tasks must not be done before the learner acts,
// numeric answers are computed and must be finite.
// Never throws: every problem is an Error. Knows sim and kernels; nothing of UI or platform.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scenario/scenario.h"
#include "scenario/ui_text.h"

namespace normlab::scenario {

// One problem in one file. json_path is a JSON Pointer ("/steps/2/quiz/0/options/1/text"; ""
// for the whole document). line and column (1-based, column in code points) locate the value
// at json_path, or the closest enclosing value that exists (for a missing key, the object);
// 0 when unknown (an unreadable file).
struct Error {
    std::string file;
    std::string json_path;
    int line = 0;
    int column = 0;
    std::string message;
};

// "file:line:column: /path: message" (parts that are empty or 0 are left out).
std::string format_error(const Error& error);

// The deepest nesting of [ and { outside strings of a JSON text; stops counting at limit + 1
// and sets *where to the offset where the limit was crossed. A cheap bound before parsing:
// nlohmann's parser is iterative, but copies and comparisons of a deep value recurse.
int nesting_depth(std::string_view text, int limit, std::size_t* where);

// Either a value or the errors that prevented it (never both empty).
template <class T> struct Loaded {
    std::optional<T> value;
    std::vector<Error> errors;
    bool ok() const { return value.has_value(); }
};

enum class DocumentKind { Scenario, LabText, UiText };

// A file of any kind, told apart by its top-level "kind" ("scenario", "lab_text", "ui_text").
struct Document {
    DocumentKind kind = DocumentKind::Scenario;
    Scenario scenario; // kind == Scenario
    LabText lab_text;  // kind == LabText
    UiText ui_text;    // kind == UiText
};

// At most this many errors are reported per file (the rest are summarized in one more).
inline constexpr std::size_t kMaxErrors = 50;
// Limits that keep a scenario light enough for the browser (and the fuzzer).
inline constexpr std::size_t kMaxCells = 16384; // cells of the lab tensor at any step
inline constexpr int kMaxDepth = 64;            // JSON nesting
inline constexpr std::size_t kMaxSteps = 60;
// Entering the last step replays every step on the lab; the cells that replay regenerates or
// recomputes (about cells x (settings + resamples + training steps) per step) stay below this.
inline constexpr std::size_t kMaxReplayWork = 4'000'000;

// `file` only labels the errors. The text must be UTF-8 JSON (no comments).
Loaded<Scenario> load_scenario(std::string_view text, std::string_view file);
Loaded<LabText> load_lab_text(std::string_view text, std::string_view file);
Loaded<UiText> load_ui_text(std::string_view text, std::string_view file);
Loaded<Document> load_document(std::string_view text, std::string_view file);
// Reads `path` (an error if it cannot be read) and loads it, then applies check_file_name.
Loaded<Document> load_document_file(const std::string& path);

// Loads `text` as the file at `path` (as load_document_file does after reading it).
Loaded<Document> load_document_at(std::string_view text, const std::string& path);

// A catalogue: a JSON array of the walkthroughs a menu lists before their files are fetched,
// one object per file: {"file": "05_layernorm.json" (beside the catalogue), "id", "language",
// "title", "summary", "level", "minutes", "steps" (how many)}, checked as in a scenario file.
// Written by tools/bundle-scenarios.mjs. Each entry becomes a Scenario with listed_only set.
Loaded<std::vector<Scenario>> load_catalogue(std::string_view text, std::string_view file);

// For a file named like "NN_topic.json" or "NN_topic.LANG.json": the scenario id must be
// "NN_topic" and its language LANG ("en" without a suffix). Other names are not checked.
std::vector<Error> check_file_name(const Scenario& scenario, std::string_view path);

// A translation must teach the same lab: same id, same step ids, and step by step the same
// lab state, task presence, question ids, kinds, correct options and answers.
std::vector<Error> check_translation(const Scenario& original, const Scenario& translation);

} // namespace normlab::scenario
