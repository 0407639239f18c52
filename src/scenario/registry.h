// scenario/registry.h: every stable id a scenario or the lab text may name, registered here
// and nowhere else: highlight targets ("panel.board", "control.batch"), condition keys for
// tasks ("batch", "family", "diagnosis"), diagnosis ids, the families the lab text explains,
// and the JSON ids of the lab's enums (presets, layouts). The loader rejects any other id, the
// schema (scenarios/schema.json) lists the same ones (a test keeps them equal), and the UI
// maps highlight ids to its widgets.
// Knows sim::Lab (condition keys read it); nothing of ImGui or the platform.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "sim/lab.h"

namespace normlab::scenario {

// [highlight ids] ------------------------------------------------------------------------

struct HighlightId {
    const char* id;   // "panel.board"
    const char* what; // one line for authors
};
const std::vector<HighlightId>& highlight_ids();
bool is_highlight_id(std::string_view id);

// [condition keys] -----------------------------------------------------------------------

// Enum: one of `values`; Set: a set whose members come from `values` (compared with has /
// lacks); Int / Number: compared with eq ne lt le gt ge in; Bool: eq / ne with true / false.
enum class KeyType { Enum, Int, Number, Bool, Set };

// The value of a condition key on a lab. Enum: text; Int/Number/Bool: number (Bool 1 or 0);
// Set: set.
struct KeyValue {
    double number = 0;
    std::string text;
    std::vector<std::string> set;
    bool operator==(const KeyValue&) const = default;
};

struct ConditionKey {
    const char* id; // "batch"
    KeyType type;
    const char* values; // Enum/Set: the allowed ids, space separated; else ""
    const char* what;   // one line for authors
    KeyValue (*read)(const sim::Lab& lab);
};
const std::vector<ConditionKey>& condition_keys();
const ConditionKey* find_condition_key(std::string_view id);  // null if unknown
std::vector<std::string> key_values(const ConditionKey& key); // `values` split

// [diagnoses and explained families] -----------------------------------------------------

struct DiagnosisId {
    const char* id;   // "tiny_batch"
    const char* when; // the rule diagnose() applies, for authors
};
const std::vector<DiagnosisId>& diagnosis_ids();
bool is_diagnosis_id(std::string_view id);

// The families the lab text explains: the five activation norms, then weightnorm,
// spectralnorm, dyt.
const std::vector<std::string>& text_family_ids();

// [enum ids] -----------------------------------------------------------------------------

const char* preset_id(sim::DataPreset preset); // "stable", "tiny_batch", ...
bool parse_preset_id(std::string_view id, sim::DataPreset* out);
const char* layout_id(sim::Layout layout); // "matrix", "sequence", "image"
bool parse_layout_id(std::string_view id, sim::Layout* out);

// The closest of `candidates` to `word` if it is a plausible typo of it, else "" (for "did you
// mean" hints in error messages).
std::string closest(std::string_view word, const std::vector<std::string>& candidates);

} // namespace normlab::scenario
