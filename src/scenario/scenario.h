// scenario/scenario.h: the plain data of NormLab's guided tours and of the lab's explanation
// text, as loaded from scenarios/*.json (format: scenarios/README.md, scenarios/schema.json).
// Owns: the structs only. Loading and validation live in loader.h, applying a lab state and
// evaluating conditions in lab_bridge.h, the tour runtime in tour.h.
// Knows nothing of ImGui, SDL, GL or emscripten. Invariant: a value produced by the loader has
// passed every check in loader.cpp (ids registered, indices in range for the step's lab
// state, numeric answers finite), so the runtime never needs to re-validate.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kernels/norm.h"
#include "kernels/precision.h"
#include "sim/lab.h"

namespace normlab::scenario {

// The "format" every file declares. Bump it when a change breaks old files.
inline constexpr int kFormatVersion = 1;

// [lab state] ----------------------------------------------------------------------------

struct AffineSetting {
    int channel = 0;
    float gamma = 1.f, beta = 0.f;
};
struct CellSetting {
    int index = 0; // flat row-major index into x
    float value = 0.f;
};
struct ScaleExample {
    int example = 0;
    float factor = 1.f;
};

// A partial lab state. Settings left unset keep the value they already have (from the lab's
// defaults, the scenario's base state and the earlier steps). Actions run after the settings,
// in the order of the fields below, and are not inherited by later steps as actions (their
// effect on the lab is, because entering step k replays steps 0..k).
struct LabState {
    // Settings.
    std::optional<kernels::NormKind> family;
    std::optional<sim::Layout> layout;
    std::optional<int> batch, features, length, height, width;
    std::optional<int> groups;
    std::optional<float> eps;
    std::optional<std::uint64_t> seed;
    std::optional<sim::DataPreset> preset;
    std::optional<kernels::EpsPlacement> eps_placement;
    std::optional<kernels::Precision> storage;
    std::optional<kernels::Accumulate> accumulate;
    std::optional<kernels::NormMode> mode;
    std::optional<float> momentum;
    // Actions.
    bool reset_running = false;        // forget BatchNorm's running statistics
    bool reset_affine = false;         // gamma 1, beta 0 everywhere
    std::vector<AffineSetting> affine; // then these channels' gamma/beta
    int resample = 0;                  // press "New batch" this many times
    std::vector<ScaleExample> scale_examples;
    std::vector<CellSetting> cells;
    int train = 0;            // BatchNorm training steps (Lab::train_batches)
    std::optional<int> focus; // move the outline to this group
    std::optional<bool> play; // start/stop the sweep animation

    bool empty() const;
};

// [training view] ------------------------------------------------------------------------

// A step's training lab: which experiment the training view opens and the settings it changes
// from that experiment's defaults (train/train_lab.h: default_settings). Plain data: the scenario
// room never trains; the app applies it to its train::TrainLab. A step without one keeps the
// previous step's (train_view_at in lab_bridge.h); the loader has checked every value.
struct TrainView {
    std::string experiment;              // "lr", "batch", "momentum", "placement", "precision",
                                         // "jacobian"
    std::optional<std::string> task;     // "spirals", "gaussians", "circles", "xor"
    std::optional<std::string> norm;     // a train norm id: "none", "batchnorm", "layernorm", ...
    std::optional<int> steps, batch, depth, width, warmup, vector_size;
    std::optional<float> lr, eps, shift;
    std::optional<std::string> jacobian; // "layernorm" or "rmsnorm": the heatmap shown
    bool run = true;                     // start training when the step opens (the app still
                                         // waits for Run when the learner asked for less motion)
};

// [conditions] ---------------------------------------------------------------------------

enum class Compare { Eq, Ne, Lt, Le, Gt, Ge, In, Changed, Has, Lacks };

// A structured condition on the lab ({"all": [...]}, {"any": [...]}, {"not": {...}} or a leaf
// {"key": "batch", "le": 2}). Leaf keys come from the registry (registry.h).
struct Condition {
    enum class Kind { Leaf, All, Any, Not };
    Kind kind = Kind::Leaf;
    std::vector<Condition> children; // All/Any: one or more; Not: exactly one
    std::string key;                 // Leaf: a registered condition key
    Compare compare = Compare::Eq;
    std::vector<std::string> texts; // enum / set values (In: one or more)
    std::vector<double> numbers;    // int / number / bool (1, 0) values (In: one or more)
};

// A "try it" task: done once `done_when` holds on the lab.
struct Task {
    std::string text; // what to do (light markup)
    Condition done_when;
    std::string hint;      // optional
    std::string done_text; // optional: shown when the task is detected as done
};

// [quiz] ---------------------------------------------------------------------------------

enum class QuestionKind { Single, Multiple, Numeric };

struct Option {
    std::string text;
    bool correct = false;
    std::string feedback; // optional: shown when this option is chosen
};

// What a numeric answer is computed from, on the step's lab state.
enum class Stat {
    Mean,
    Std,
    Var,
    Rms,
    Min,
    Max,    // of x or y, over one group or the whole tensor (biased)
    InvStd, // the factor the kernel applied to a group
    RunningMean,
    RunningVar, // BatchNorm's running estimate for one channel
    GroupCount,
    GroupSize,    // how many groups; cells per group
    TrainEvalGap, // BatchNorm: max |y_train - y_eval| on this batch
};
enum class Tensor { X, Y };

struct Compute {
    Stat stat = Stat::Mean;
    Tensor of = Tensor::Y;
    int group = -1;   // -1: the whole tensor (Mean..Max only); else a group index
    int channel = -1; // RunningMean/RunningVar
};

// |answer - expected| <= abs, or <= rel * |expected|; at least one is > 0.
struct Tolerance {
    double abs = 0, rel = 0;
};

struct Question {
    std::string id; // unique within the scenario (progress records use it)
    QuestionKind kind = QuestionKind::Single;
    std::string prompt;
    std::vector<Option> options;             // Single / Multiple
    std::optional<double> value;             // Numeric: a fixed answer, or
    std::optional<Compute> compute;          // Numeric: computed from the step's lab state
    Tolerance tolerance;                     // Numeric
    std::string feedback_low, feedback_high; // Numeric, optional
    std::string hint;                        // optional: offered after a wrong answer
    std::string explanation;                 // shown once answered correctly or revealed
    double points = 1;
    double expected = 0; // Numeric: the answer (value, or compute evaluated by the loader)
};

// [scenario] -----------------------------------------------------------------------------

struct Step {
    std::string id; // unique within the scenario
    std::string title;
    std::string text;                   // narrative, light markup (markup.h)
    LabState lab;                       // the state this step moves the lab to
    std::vector<std::string> highlight; // registered highlight ids (registry.h)
    std::optional<Task> task;
    std::vector<Question> quiz;
    std::optional<TrainView> train;     // opens the training view (see TrainView)
};

enum class Level { Beginner, Intermediate, Advanced };
const char* level_id(Level level); // "beginner", "intermediate", "advanced"

struct Scenario {
    std::string id; // "03_batchnorm": the file name without extension and language
    std::string language = "en";
    std::string title;
    std::string summary;
    Level level = Level::Beginner;
    int minutes = 5;
    std::vector<std::string> tags;
    LabState lab; // base state applied before the first step
    std::vector<Step> steps;
    std::string file; // where it was loaded from (for messages)
    // A catalogue entry (load_catalogue) stands for a file not fetched yet: the fields above
    // steps are set, steps is empty and listed_steps says how many the file holds.
    bool listed_only = false;
    std::size_t listed_steps = 0;

    std::size_t question_count() const;
    std::size_t step_count() const { return listed_only ? listed_steps : steps.size(); }
};

// [lab text] -----------------------------------------------------------------------------

// A suggestion the UI can show as a button: a line of text and the lab state it moves to.
struct TryNext {
    std::string text;
    LabState lab;
};

struct FamilyText {
    std::string id;          // registered family text id ("batchnorm", ..., "dyt")
    std::string name;        // "BatchNorm"
    std::string headline;    // one line: what it normalizes
    std::string normalizes;  // what it normalizes, and over which axis
    std::string used_in;     // where you meet it
    std::string choose_when; // when to pick it
    std::string watch_out;   // failure modes
    std::vector<TryNext> try_next;
};

struct DiagnosisText {
    std::string id; // registered diagnosis id (diagnose.h)
    std::string title;
    std::string text;
    std::vector<TryNext> try_next;
};

// One row of the family cheat sheet.
struct CheatRow {
    std::string family;     // family text id
    std::string axis;       // which cells share statistics
    std::string coupling;   // does one example depend on the others
    std::string parameters; // learned parameters
    std::string train_eval; // train versus eval behaviour
};

// The shape of the statistics (μ and σ, or the RMS) of one family per layout, e.g. "(B, L)".
// An empty string: the family is not defined for that layout.
struct ShapeRow {
    std::string family; // one of the five activation families
    std::string matrix, sequence, image;
};

struct LabText {
    std::string language = "en";
    std::vector<FamilyText> families;
    std::vector<DiagnosisText> diagnoses;
    std::vector<CheatRow> cheat_sheet;
    std::vector<ShapeRow> shapes;
    std::string file;

    const FamilyText* family(std::string_view id) const;       // null if absent
    const DiagnosisText* diagnosis(std::string_view id) const; // null if absent
};

} // namespace normlab::scenario
