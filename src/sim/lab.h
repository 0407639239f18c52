// sim/lab.h: the lab's state: a seeded activation tensor, the chosen family, its output and
// statistics, and the sweep that walks the outline through the groups.
// Headless and deterministic: no UI, GL or platform code. The UI reads it and calls the
// mutators below; every mutator leaves x, y, plan and trace consistent.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/shape.h"
#include "kernels/norm.h"

namespace normlab::sim {

constexpr int kMaxBatch = 64;
constexpr int kMaxFeatures = 64;

// Seeded data presets. Each is a recipe for per-feature offsets/scales and per-example
// drift, chosen so BatchNorm (columns) and LayerNorm (rows) visibly disagree.
enum class DataPreset { Stable, ShiftedMean, Outliers, ScaleDrift };
constexpr int kPresetCount = 4;
const char* preset_name(DataPreset preset);

struct LabConfig {
    kernels::NormKind family = kernels::NormKind::Batch;
    int batch = 8;              // B, 1..kMaxBatch
    int features = 12;          // d, 1..kMaxFeatures
    float eps = 1e-5f;
    std::uint64_t seed = 7;
    DataPreset preset = DataPreset::Stable;
};

// Moments of one set of cells (a group, or the whole tensor).
struct CellStats {
    std::size_t count = 0;
    double mean = 0, std = 0, rms = 0, min = 0, max = 0;
};

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
    std::string set_batch(int batch);
    std::string set_features(int features);
    std::string set_eps(float eps);
    void set_preset(DataPreset preset);
    void resample(std::uint64_t seed);

    void step(double dt);                 // advance the sweep animation
    void focus_group(std::size_t group);  // jump the outline to a group (keeps play state)
    void step_group(int delta);           // previous/next group, wraps

    const LabConfig& config() const { return config_; }
    const core::Shape& shape() const { return shape_; }
    const std::vector<float>& x() const { return x_; }
    const std::vector<float>& y() const { return y_; }
    const kernels::GroupPlan& plan() const { return plan_; }
    const kernels::NormTrace& trace() const { return trace_; }
    Sweep& sweep() { return sweep_; }
    const Sweep& sweep() const { return sweep_; }
    const std::string& error() const { return error_; }  // kernel error, "" when fine
    std::size_t nonfinite_outputs() const { return nonfinite_; }

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
};

} // namespace normlab::sim
