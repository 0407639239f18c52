// train/train_lab.h: the training and depth lab as headless state: which experiment is open,
// its settings, the Experiment built from them (experiment.h presets), running it in
// wall-clock time slices between frames, the Jacobian view's matrices, and the findings text
// generated from the measured summaries. The UI (ui/panel_train.cpp) draws it and changes it
// only through these calls; scenarios name experiments and settings by the ids below.
// Knows nothing of ImGui or the platform. Findings never contain a canned verdict: every
// sentence is built from numbers of the runs it describes.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "train/experiment.h"
#include "train/jacobian.h"

namespace normlab::train {

enum class LabExperiment { Lr, Batch, Momentum, Placement, Precision, Jacobian };
inline constexpr LabExperiment kLabExperiments[] = {
    LabExperiment::Lr,        LabExperiment::Batch,     LabExperiment::Momentum,
    LabExperiment::Placement, LabExperiment::Precision, LabExperiment::Jacobian};
const char* lab_experiment_id(LabExperiment e);   // "lr", "batch", "momentum", "placement", ...
const char* lab_experiment_name(LabExperiment e); // "Learning rate", ...
bool parse_lab_experiment(const std::string& id, LabExperiment* out);

// The sweep values each experiment runs (fixed so findings can compare them).
inline constexpr Norm kLrNorms[] = {Norm::None, Norm::Batch, Norm::Layer, Norm::Rms};
inline constexpr float kLrValues[] = {0.03f, 0.1f, 0.3f, 1.0f, 3.0f};
inline constexpr int kBatchValues[] = {2, 8, 32, 128};
inline constexpr float kMomentumValues[] = {0.001f, 0.01f, 0.1f, 0.5f};
inline constexpr float kPrecisionScales[] = {1e-4f, 1.0f, 1e3f};

struct TrainLabSettings {
    LabExperiment experiment = LabExperiment::Lr;
    TaskKind task = TaskKind::Circles; // learnable in a few hundred steps at width 32
    int steps = 300;        // updates per run, 10..5000
    int batch = 32;         // every experiment but the batch sweep, 2..512
    float lr = 0.1f;        // every experiment but the lr sweep, (0, 10]
    Norm norm = Norm::Batch; // batch sweep: its norm; placement / precision: Layer or Rms
    int depth = 3;          // hidden layers (MLP) or residual blocks (placement), 1..64
    int width = 32;         // 4..128
    int warmup = 100;       // placement: the second warmup (0 always runs too), 0..5000
    float eps = 1e-5f;      // precision runs and the Jacobian, 0..1
    kernels::NormKind jacobian_kind = kernels::NormKind::Layer; // Layer or Rms
    int jacobian_n = 8;     // 2..kMaxJacobianSize
    float jacobian_shift = 1.0f; // the Jacobian's vector: seeded normal values + this offset
    std::uint64_t seed = 1;
};

// The settings an experiment opens with (the lab's defaults for it).
TrainLabSettings default_settings(LabExperiment e);
// "" or a one-line message naming the bad field.
std::string check_lab_settings(const TrainLabSettings& s);

// One line of the findings: a measured fact, or a common claim with what this run says.
struct Finding {
    enum class Kind { Fact, Holds, Fails, Open }; // Open: not measured yet / inconclusive
    Kind kind = Kind::Fact;
    std::string text;
};

class TrainLab {
  public:
    // Builds the experiment for `s` (every run at step 0; the step-0 measurements come with
    // the first run_for or prepare). "" or a message (then the lab keeps its previous
    // experiment).
    std::string configure(const TrainLabSettings& s);
    const TrainLabSettings& settings() const { return settings_; }
    const Experiment& experiment() const { return experiment_; }
    bool has_runs() const { return experiment_.size() > 0; }

    // Runs steps until budget_ms of wall-clock time (std::chrono::steady_clock) are spent or
    // every run finished; the chunk size adapts to the measured time per step. Returns the
    // steps done. A Jacobian experiment has nothing to run (returns 0).
    int run_for(double budget_ms);
    // Takes the step-0 measurements of runs that have none yet (no training) until budget_ms
    // are spent: what a paused lab shows. Returns true while some run still waits for them.
    bool prepare(double budget_ms);
    void reset();                 // every run back to step 0
    bool finished() const;        // every run finished (true for the Jacobian)
    int steps_done() const;       // over every run
    int steps_total() const;      // what the runs will do when finished
    double ms_per_step() const { return ms_per_step_; }

    // The Jacobian view (computed by configure for the Jacobian experiment, and for both
    // kinds so the view can compare them): x, J, J 1 and J x.
    struct JacobianView {
        std::vector<float> x;
        Jacobian layer, rms;
        std::vector<float> layer_ones, layer_x, rms_ones, rms_x; // J 1 and J x
        std::string error;
    };
    const JacobianView& jacobian() const { return jacobian_; }

    // The precision experiment's direct probe: one LayerNorm / RMSNorm forward (the settings'
    // norm and eps) of a seeded 32-value vector at each storage x input scale, with statistics
    // accumulated in the storage format: what the variance becomes and how far y lands from
    // the fp32 result. Filled by configure for the precision experiment.
    struct PrecisionProbe {
        kernels::Precision storage = kernels::Precision::Fp32;
        float scale = 1;
        float true_var = 0;    // of the scaled vector, in double, rounded to float
        float var = 0;         // what the storage-format kernel computed (inf, 0, NaN included)
        float max_error = 0;   // max |y - y_fp32| (inf when y is not finite)
        bool finite = true;    // every y finite
    };
    const std::vector<PrecisionProbe>& precision_probe() const { return probe_; }

    // What was measured, generated from the summaries (and the Jacobian's numbers).
    std::vector<Finding> findings() const;

  private:
    TrainLabSettings settings_;
    Experiment experiment_;
    JacobianView jacobian_;
    std::vector<PrecisionProbe> probe_;
    double ms_per_step_ = 0.5; // running estimate; starts high so the first chunk is short
};

// The largest absolute entry of v (0 for empty).
float max_abs(const std::vector<float>& v);

} // namespace normlab::train
