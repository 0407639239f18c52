// scenario/registry.cpp: the one table of every id a scenario may name (see registry.h).
// Adding an id: add a row here, add it to scenarios/schema.json (tests/scenario/test_registry
// fails until both agree) and, for highlights, map it to a widget in the UI.
#include "scenario/registry.h"

#include <algorithm>
#include <cmath>

#include "scenario/diagnose.h"
#include "sim/families.h"

namespace normlab::scenario {

namespace {

// [SECTION] highlight ids: what the tour can point at.
const std::vector<HighlightId> kHighlights = {
    {"panel.family", "the family selector and its one-line summary"},
    {"panel.controls", "shape, data and animation controls"},
    {"panel.board", "the raw and normalized heatmaps"},
    {"panel.settings", "eps, precision, affine, train/eval"},
    {"panel.stats", "statistics of the highlighted group and the whole tensor"},
    {"control.family", "the family buttons"},
    {"control.layout", "the shape selector: (B, d), (B, L, d), (B, C, H, W)"},
    {"control.batch", "the batch size slider B"},
    {"control.features", "the feature / channel slider d or C"},
    {"control.length", "the sequence length slider L"},
    {"control.height", "the image height slider H"},
    {"control.width", "the image width slider W"},
    {"control.groups", "GroupNorm's group count G"},
    {"control.preset", "the data preset menu"},
    {"control.new_batch", "the New batch button"},
    {"control.new_data", "the New data button (new seed)"},
    {"control.scale_example", "the scale-one-example buttons"},
    {"control.play", "play / pause of the group sweep"},
    {"control.step_group", "previous / next group arrows"},
    {"control.eps", "the eps value"},
    {"control.eps_placement", "eps inside or outside the square root"},
    {"control.storage", "the storage format (fp32, fp16, bf16)"},
    {"control.accumulate", "where the arithmetic happens (fp32 or storage)"},
    {"control.affine", "gamma and beta of one channel"},
    {"control.mode", "BatchNorm train / eval"},
    {"control.momentum", "BatchNorm's running-statistics momentum"},
    {"control.train", "the train-N-batches buttons"},
    {"control.reset_running", "reset of the running statistics"},
    {"board.raw", "the raw activation heatmap"},
    {"board.normalized", "the normalized output heatmap"},
    {"board.outline", "the outline of the cells normalized together"},
    {"stats.group", "statistics of the highlighted group, before and after"},
    {"stats.tensor", "statistics of the whole tensor"},
    {"stats.histogram", "the histograms before and after"},
    {"stats.running", "BatchNorm's running mean and variance"},
    {"stats.diagnosis", "the diagnosis of the current data"},
    {"stats.shape", "the shape of mu and sigma for this family"},
    {"panel.train", "the training and depth lab (the Training tab)"},
    {"train.experiment", "the training lab's experiment selector"},
    {"train.settings", "the settings of the open experiment (task, steps, lr, depth, ...)"},
    {"train.run", "run / pause / reset of the training runs"},
    {"train.plot", "the loss and accuracy curves of the runs"},
    {"train.table", "the table of runs: final loss, accuracies, where each diverged"},
    {"train.findings", "what the runs measured and which common claims held"},
    {"train.depth_plot", "activation RMS and gradient norm per residual block"},
    {"train.jacobian", "the Jacobian heatmap of LayerNorm or RMSNorm with J 1 and J x"},
};

// [SECTION] condition keys: what a task can test.
std::string family_values() {
    std::string s;
    for (kernels::NormKind k : sim::kBoardFamilies) {
        if (!s.empty()) s += ' ';
        s += kernels::norm_id(k);
    }
    return s;
}

KeyValue num(double v) {
    return KeyValue{.number = v};
}
KeyValue text(std::string v) {
    return KeyValue{.text = std::move(v)};
}

bool affine_changed(const sim::Lab& lab) {
    for (float g : lab.gamma())
        if (g != 1.f) return true;
    for (float b : lab.beta())
        if (b != 0.f) return true;
    return false;
}

// Built on first use, like every table here, so no static initialization order matters.
const std::vector<ConditionKey>& keys_table() {
    static const std::string kFamilyValues = family_values();
    static const std::string kDiagnosisValues = [] {
        std::string s;
        for (const DiagnosisId& d : diagnosis_ids()) {
            if (!s.empty()) s += ' ';
            s += d.id;
        }
        return s;
    }();
    static const std::vector<ConditionKey> kKeys = {
        {"family", KeyType::Enum, kFamilyValues.c_str(), "the normalization family",
         [](const sim::Lab& l) { return text(kernels::norm_id(l.config().family)); }},
        {"layout", KeyType::Enum, "matrix sequence image", "(B, d), (B, L, d) or (B, C, H, W)",
         [](const sim::Lab& l) { return text(layout_id(l.config().layout)); }},
        {"batch", KeyType::Int, "", "batch size B",
         [](const sim::Lab& l) { return num(l.config().batch); }},
        {"features", KeyType::Int, "", "features d, or channels C for images",
         [](const sim::Lab& l) { return num(l.config().features); }},
        {"length", KeyType::Int, "", "sequence length L",
         [](const sim::Lab& l) { return num(l.config().length); }},
        {"height", KeyType::Int, "", "image height H",
         [](const sim::Lab& l) { return num(l.config().height); }},
        {"width", KeyType::Int, "", "image width W",
         [](const sim::Lab& l) { return num(l.config().width); }},
        {"groups", KeyType::Int, "", "GroupNorm's group count G",
         [](const sim::Lab& l) { return num(l.config().groups); }},
        {"eps", KeyType::Number, "", "epsilon",
         [](const sim::Lab& l) { return num(l.config().eps); }},
        {"seed", KeyType::Int, "", "the data seed (New data changes it)",
         [](const sim::Lab& l) { return num(static_cast<double>(l.config().seed)); }},
        {"preset", KeyType::Enum,
         "stable shifted_mean skewed outliers tiny_batch near_constant large_offset scale_drift",
         "the data preset", [](const sim::Lab& l) { return text(preset_id(l.config().preset)); }},
        {"eps_placement", KeyType::Enum, "inside outside", "eps inside or outside the root",
         [](const sim::Lab& l) {
             return text(kernels::eps_placement_id(l.config().eps_placement));
         }},
        {"storage", KeyType::Enum, "fp32 fp16 bf16", "storage format",
         [](const sim::Lab& l) { return text(kernels::precision_id(l.config().storage)); }},
        {"accumulate", KeyType::Enum, "fp32 storage", "where the arithmetic happens",
         [](const sim::Lab& l) { return text(kernels::accumulate_id(l.config().accumulate)); }},
        {"mode", KeyType::Enum, "train eval", "BatchNorm train or eval",
         [](const sim::Lab& l) { return text(kernels::mode_id(l.config().mode)); }},
        {"momentum", KeyType::Number, "", "BatchNorm momentum",
         [](const sim::Lab& l) { return num(l.config().momentum); }},
        {"batches_trained", KeyType::Int, "", "BatchNorm training steps since the last reset",
         [](const sim::Lab& l) { return num(l.batches_trained()); }},
        {"batch_index", KeyType::Int, "", "how many new batches were drawn (New batch, training)",
         [](const sim::Lab& l) { return num(static_cast<double>(l.batch_index())); }},
        {"focus_group", KeyType::Int, "", "the group under the outline",
         [](const sim::Lab& l) { return num(static_cast<double>(l.sweep().group)); }},
        {"playing", KeyType::Bool, "", "the sweep animation runs",
         [](const sim::Lab& l) { return num(l.sweep().playing ? 1 : 0); }},
        {"affine_changed", KeyType::Bool, "", "some gamma is not 1 or some beta not 0",
         [](const sim::Lab& l) { return num(affine_changed(l) ? 1 : 0); }},
        {"group_count", KeyType::Int, "", "how many groups share statistics",
         [](const sim::Lab& l) { return num(static_cast<double>(l.plan().group_count())); }},
        {"group_size", KeyType::Int, "", "cells per group",
         [](const sim::Lab& l) { return num(static_cast<double>(l.plan().group_size())); }},
        {"nonfinite_outputs", KeyType::Int, "", "outputs that are inf or NaN",
         [](const sim::Lab& l) { return num(static_cast<double>(l.nonfinite_outputs())); }},
        {"train_eval_gap", KeyType::Number, "", "BatchNorm: max |y_train - y_eval| on this batch",
         [](const sim::Lab& l) { return num(l.train_eval_gap()); }},
        {"diagnosis", KeyType::Set, kDiagnosisValues.c_str(), "the diagnoses of the current data",
         [](const sim::Lab& l) { return KeyValue{.set = diagnose(l)}; }},
    };
    return kKeys;
}

// [SECTION] diagnoses, in the order diagnose() reports them.
const std::vector<DiagnosisId> kDiagnoses = {
    {"nonfinite_input", "some input cell is inf or NaN"},
    {"fp16_overflow", "fp16 storage and an inf/NaN output or statistic, or |x| > 65504"},
    {"precision_loss", "low-precision storage or accumulation moves some output by > 0.05 "
                       "against fp32"},
    {"batch_of_one", "BatchNorm in train mode with one value per channel"},
    {"d_equals_1", "LayerNorm or RMSNorm over a single value"},
    {"single_cell_groups", "GroupNorm or InstanceNorm with one cell per group"},
    {"tiny_batch", "BatchNorm in train mode with B <= 4"},
    {"running_stats_untrained", "BatchNorm in eval mode before any training step"},
    {"train_eval_gap", "BatchNorm after training, train and eval outputs differ by > 0.5"},
    {"eps_bug_active", "eps outside the root changes some group's scale by > 1%"},
    {"eps_bug_latent", "eps outside the root, but no group is small enough for it to matter"},
    {"eps_too_large", "the median group variance (mean square for RMSNorm) is < 10 eps"},
    {"near_constant_group", "some group's variance is below max(10 eps, 1e-4 x the median)"},
    {"outliers",
     "a few cells (<= 10%) lie > 6 robust deviations (MAD) from their channel's median"},
    {"large_offset", "some group's |mean| is >= 100 and > 1000 x its standard deviation"},
    {"scale_drift", "the examples' RMS differ by more than a factor of 4"},
    {"rms_keeps_mean", "RMSNorm output with some group mean beyond +-0.5"},
    {"healthy", "none of the above"},
};

const std::vector<std::string> kTextFamilies = {"batchnorm",    "layernorm",    "rmsnorm",
                                                "groupnorm",    "instancenorm", "weightnorm",
                                                "spectralnorm", "dyt"};

struct PresetName {
    sim::DataPreset preset;
    const char* id;
};
constexpr PresetName kPresets[] = {
    {sim::DataPreset::Stable, "stable"},
    {sim::DataPreset::ShiftedMean, "shifted_mean"},
    {sim::DataPreset::Skewed, "skewed"},
    {sim::DataPreset::Outliers, "outliers"},
    {sim::DataPreset::TinyBatch, "tiny_batch"},
    {sim::DataPreset::NearConstant, "near_constant"},
    {sim::DataPreset::LargeOffset, "large_offset"},
    {sim::DataPreset::ScaleDrift, "scale_drift"},
};

// Optimal string alignment distance: insertions, deletions, substitutions and swaps of two
// neighbouring letters ("nmae" is one edit from "name").
std::size_t edit_distance(std::string_view a, std::string_view b) {
    const std::size_t w = b.size() + 1;
    std::vector<std::size_t> d((a.size() + 1) * w);
    for (std::size_t i = 0; i <= a.size(); ++i)
        d[i * w] = i;
    for (std::size_t j = 0; j <= b.size(); ++j)
        d[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i)
        for (std::size_t j = 1; j <= b.size(); ++j) {
            std::size_t v = std::min({d[(i - 1) * w + j] + 1, d[i * w + j - 1] + 1,
                                      d[(i - 1) * w + j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                v = std::min(v, d[(i - 2) * w + j - 2] + 1);
            d[i * w + j] = v;
        }
    return d[a.size() * w + b.size()];
}

} // namespace

const std::vector<HighlightId>& highlight_ids() {
    return kHighlights;
}

bool is_highlight_id(std::string_view id) {
    return std::any_of(kHighlights.begin(), kHighlights.end(),
                       [&](const HighlightId& h) { return id == h.id; });
}

const std::vector<ConditionKey>& condition_keys() {
    return keys_table();
}

const ConditionKey* find_condition_key(std::string_view id) {
    for (const ConditionKey& k : keys_table())
        if (id == k.id) return &k;
    return nullptr;
}

std::vector<std::string> key_values(const ConditionKey& key) {
    std::vector<std::string> out;
    std::string_view s = key.values;
    while (!s.empty()) {
        const std::size_t space = s.find(' ');
        out.emplace_back(s.substr(0, space));
        if (space == std::string_view::npos) break;
        s.remove_prefix(space + 1);
    }
    return out;
}

const std::vector<DiagnosisId>& diagnosis_ids() {
    return kDiagnoses;
}

bool is_diagnosis_id(std::string_view id) {
    return std::any_of(kDiagnoses.begin(), kDiagnoses.end(),
                       [&](const DiagnosisId& d) { return id == d.id; });
}

const std::vector<std::string>& text_family_ids() {
    return kTextFamilies;
}

const char* preset_id(sim::DataPreset preset) {
    for (const PresetName& p : kPresets)
        if (p.preset == preset) return p.id;
    return "stable";
}

bool parse_preset_id(std::string_view id, sim::DataPreset* out) {
    for (const PresetName& p : kPresets)
        if (id == p.id) {
            *out = p.preset;
            return true;
        }
    return false;
}

const char* layout_id(sim::Layout layout) {
    switch (layout) {
    case sim::Layout::Matrix:
        return "matrix";
    case sim::Layout::Sequence:
        return "sequence";
    case sim::Layout::Image:
        return "image";
    }
    return "matrix";
}

bool parse_layout_id(std::string_view id, sim::Layout* out) {
    for (sim::Layout l : {sim::Layout::Matrix, sim::Layout::Sequence, sim::Layout::Image})
        if (id == layout_id(l)) {
            *out = l;
            return true;
        }
    return false;
}

std::string closest(std::string_view word, const std::vector<std::string>& candidates) {
    std::string best;
    std::size_t best_d = ~std::size_t{0};
    if (word.size() > 64) return ""; // no useful suggestion, and keeps the cost bounded
    for (const std::string& c : candidates) {
        const std::size_t d = edit_distance(word, c);
        if (d < best_d) {
            best_d = d;
            best = c;
        }
    }
    // A typo: at most a third of the word changed (and at least one letter allowed).
    const std::size_t limit = std::max<std::size_t>(1, std::max(word.size(), best.size()) / 3);
    return best_d <= limit ? best : "";
}

} // namespace normlab::scenario
