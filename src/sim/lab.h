// sim/lab.h: the lab's state: a seeded activation tensor, the chosen family, its output and
// statistics, and the sweep that walks the outline through the groups.
// Headless and deterministic: no UI, GL or platform code. The UI reads it and calls the
// mutators below; every mutator leaves x, y, plan and trace consistent.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/shape.h"
#include "kernels/norm.h"

namespace normlab::sim {

constexpr int kMaxBatch = 64;
constexpr int kMaxFeatures = 64;   // d for (B, d) and (B, L, d); C for (B, C, H, W)
constexpr int kMaxSpatial = 16;    // L, H, W

// How the activation tensor is shaped: an MLP batch, a token sequence, an image batch.
enum class Layout { Matrix, Sequence, Image };
constexpr int kLayoutCount = 3;
const char* layout_name(Layout layout);   // "(B, d)", "(B, L, d)", "(B, C, H, W)"

// Seeded data presets. Each is a recipe for per-channel offsets/scales, per-example drift and
// noise, chosen so the families visibly disagree. TinyBatch also sets B = 2.
enum class DataPreset {
    Stable,          // moderate per-channel offsets and scales
    ShiftedMean,     // every channel far from zero
    Skewed,          // right-skewed (log-normal) activations, like post-ReLU features
    Outliers,        // a few huge values
    TinyBatch,       // B = 2: batch statistics from two examples
    NearConstant,    // one channel almost constant: variance near 0, eps matters
    LargeOffset,     // 1e4 + 1e-2 noise: naive E[x²] − E[x]² loses everything here
    ScaleDrift,      // examples differ in overall scale by a factor of ~10
};
constexpr int kPresetCount = 8;
const char* preset_name(DataPreset preset);

struct LabConfig {
    kernels::NormKind family = kernels::NormKind::Batch;
    Layout layout = Layout::Matrix;
    int batch = 8;              // B, 1..kMaxBatch
    int features = 12;          // d or C, 1..kMaxFeatures
    int length = 6;             // L, 1..kMaxSpatial (Sequence)
    int height = 4, width = 4;  // H, W, 1..kMaxSpatial (Image)
    int groups = 2;             // G for GroupNorm; kept a divisor of the channel count
    float eps = 1e-5f;
    std::uint64_t seed = 7;     // the data distribution (per-channel offsets, scales, ...)
    DataPreset preset = DataPreset::Stable;
    // Teaching variants and BatchNorm's module state.
    kernels::EpsPlacement eps_placement = kernels::EpsPlacement::Inside;
    kernels::Precision storage = kernels::Precision::Fp32;
    kernels::Accumulate accumulate = kernels::Accumulate::Fp32;
    kernels::NormMode mode = kernels::NormMode::Train;   // BatchNorm: batch vs running stats
    float momentum = 0.1f;
};

// Moments of one set of cells (a group, or the whole tensor).
struct CellStats {
    std::size_t count = 0;
    double mean = 0, std = 0, rms = 0, min = 0, max = 0;
};

// Statistics of all cells.
CellStats all_cell_stats(const std::vector<float>& values);

// Statistics of the cells of group g in `values` (x or y), membership from kernels::group_of.
CellStats group_cell_stats(const std::vector<float>& values, const kernels::GroupPlan& plan,
                           std::size_t g);

// Moves the outline through the groups: one group per 1/speed seconds while playing.
struct Sweep {
    bool playing = true;
    float groups_per_second = 1.5f;
    std::size_t group = 0;
    double phase = 0;   // seconds since the current group was entered
};

class Lab {
  public:
    void init(const LabConfig& config);

    // Mutators clamp out-of-range values and return a note for the user ("" if none).
    std::string set_family(kernels::NormKind family);
    std::string set_layout(Layout layout);
    std::string set_batch(int batch);
    std::string set_features(int features);
    std::string set_spatial(int length, int height, int width);
    std::string set_groups(int groups);
    std::string set_eps(float eps);
    void set_preset(DataPreset preset);
    // A new batch from the same distribution (the next batch index).
    void resample();
    // A new distribution (per-channel offsets and scales) from `seed`.
    void reseed(std::uint64_t seed);

    // Teaching variants. Each recomputes; notes explain clamped values.
    std::string set_eps_placement(kernels::EpsPlacement placement);
    std::string set_precision(kernels::Precision storage, kernels::Accumulate accumulate);
    std::string set_mode(kernels::NormMode mode);
    std::string set_momentum(float momentum);
    // Affine parameters of one channel; reset_affine sets gamma 1, beta 0 everywhere.
    std::string set_affine(int channel, float gamma, float beta);
    void reset_affine();
    // BatchNorm training: draws `steps` fresh batches, each normalized in train mode, and
    // updates the running statistics with the momentum. The board then shows the last batch.
    std::string train_batches(int steps);
    void reset_running();

    // Compare mode: a second family normalizes the same x with the same settings.
    std::string set_compare(std::optional<kernels::NormKind> family);
    std::optional<kernels::NormKind> compare() const { return compare_; }
    const std::vector<float>& y_compare() const { return y_compare_; }
    const kernels::GroupPlan& plan_compare() const { return plan_compare_; }
    const kernels::NormTrace& trace_compare() const { return trace_compare_; }
    // Multiplies every value of one example by `factor` (a perturbation): BatchNorm's output
    // for the other examples changes, LayerNorm's does not. Returns a note on bad input.
    std::string scale_example(int example, float factor);
    // Sets one input cell (bring your own data). Non-finite values are allowed and shown.
    std::string set_cell(std::size_t flat, float value);
    // Replaces the whole input with the learner's tensor (dims: rank 2, 3 or 4 within the
    // lab's limits). Returns "" or a message naming the dimension that does not fit.
    std::string load_tensor(const std::vector<int>& dims, const std::vector<float>& values);

    void step(double dt);                 // advance the sweep animation
    void focus_group(std::size_t group);  // jump the outline to a group (keeps play state)
    void step_group(int delta);           // previous/next group, wraps

    const LabConfig& config() const { return config_; }
    const core::Shape& shape() const { return shape_; }
    const std::vector<float>& x() const { return x_; }
    const std::vector<float>& y() const { return y_; }
    const kernels::GroupPlan& plan() const { return plan_; }
    const kernels::NormTrace& trace() const { return trace_; }
    const std::vector<float>& gamma() const { return gamma_; }
    const std::vector<float>& beta() const { return beta_; }
    const kernels::RunningStats& running() const { return running_; }
    int batches_trained() const { return batches_trained_; }
    std::uint64_t batch_index() const { return batch_index_; }
    // BatchNorm only: largest |y_train - y_eval| on the current batch (0 otherwise).
    float train_eval_gap() const { return train_eval_gap_; }
    Sweep& sweep() { return sweep_; }
    const Sweep& sweep() const { return sweep_; }
    const std::string& error() const { return error_; }  // kernel error, "" when fine
    std::size_t nonfinite_outputs() const { return nonfinite_; }
    // Bumped whenever x or y change, so views can cache what they derive from them.
    std::uint64_t revision() const { return revision_; }
    // Example index of a flat cell (the leading axis).
    int example_of(std::size_t flat) const;

  private:
    void regenerate();   // x from (preset, seed, shape), then recompute
    void recompute();    // y, plan and trace from x

    LabConfig config_;
    core::Shape shape_;
    std::vector<float> x_, y_;
    kernels::GroupPlan plan_;
    kernels::NormTrace trace_;
    Sweep sweep_;
    std::string error_;
    std::size_t nonfinite_ = 0;
    std::uint64_t revision_ = 0;
    std::uint64_t batch_index_ = 0;
    std::vector<float> gamma_, beta_;
    kernels::RunningStats running_;
    int batches_trained_ = 0;
    float train_eval_gap_ = 0;
    std::optional<kernels::NormKind> compare_;
    std::vector<float> y_compare_;
    kernels::GroupPlan plan_compare_;
    kernels::NormTrace trace_compare_;
};

// The divisor of `channels` closest to `groups` (ties to the smaller one); >= 1.
int nearest_divisor(int channels, int groups);

} // namespace normlab::sim
