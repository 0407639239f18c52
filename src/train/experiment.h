// train/experiment.h: several training runs side by side, as data. Owns: the runs, advancing
// them round-robin within a step budget, the summary of what was measured, and the preset
// sweeps the UI offers (learning rate per norm, batch size, running-statistics momentum,
// residual placement with and without warmup, mixed precision). Knows nothing of UI or platform.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "train/trainer.h"

namespace normlab::train {

struct RunSummary {
    std::string label;
    int steps = 0;             // updates done
    bool finished = false;
    float initial_loss = 0.0f;
    float final_loss = 0.0f;   // TrainStatus::final_loss
    float train_acc = 0.0f;    // latest evaluation: training split, Train mode
    float eval_acc = 0.0f;     // latest evaluation: held-out split, Eval mode
    float gap = 0.0f;          // train_acc - eval_acc
    bool diverged = false;
    int diverged_step = -1;
    std::string diverged_reason;
};

class Experiment {
  public:
    std::string name;  // e.g. "learning-rate sweep"

    // Adds a run (initialised immediately). "" or the run's config error, prefixed by label.
    std::string add(const std::string& label, const TrainConfig& config);
    // Gives each unfinished run one step in turn until step_budget steps were spent or every
    // run finished. Returns the steps spent.
    int advance(int step_budget);
    // Starts the next run that has not taken its step-0 measurements (Trainer::start) without
    // training it. False when every run has started.
    bool start_next();
    bool finished() const;
    void reset();   // every run back to step 0
    void clear();   // no runs

    std::size_t size() const { return runs_.size(); }
    const Trainer& run(std::size_t i) const { return runs_[i]; }
    const std::string& label(std::size_t i) const { return labels_[i]; }
    RunSummary summarize(std::size_t i) const;
    std::vector<RunSummary> summarize() const;

  private:
    std::vector<Trainer> runs_;
    std::vector<std::string> labels_;
    std::size_t next_ = 0; // round-robin cursor
};

// Preset sweeps. Each returns "" or a message and replaces *out. Labels name what varies.
// Learning rates x norms ("layernorm lr=0.5"): where each norm diverges.
std::string make_lr_sweep(const TrainConfig& base, std::span<const Norm> norms,
                          std::span<const float> lrs, Experiment* out);
// Batch sizes with base's norm ("batch 2"): BatchNorm's train/eval gap and noise.
std::string make_batch_sweep(const TrainConfig& base, std::span<const int> batches,
                             Experiment* out);
// BatchNorm running-statistics momentum values ("bn momentum 0.01").
std::string make_bn_momentum_sweep(const TrainConfig& base, std::span<const float> momenta,
                                   Experiment* out);
// Residual stack: placements x {no norm} x warmup values ("post, warmup 0"). base.net.arch is
// forced to Residual; base.net.norm (Layer or Rms) is the norm of the normed placements.
std::string make_placement_sweep(const TrainConfig& base, std::span<const Placement> placements,
                                 bool include_no_norm, std::span<const int> warmups,
                                 Experiment* out);
// Storage formats x accumulation x input scales ("fp16/storage x1e-3"): variance underflow
// and overflow in the norm forward, and what eps does about it.
std::string make_precision_sweep(const TrainConfig& base,
                                 std::span<const kernels::Precision> storages,
                                 std::span<const kernels::Accumulate> accumulates,
                                 std::span<const float> input_scales, Experiment* out);

} // namespace normlab::train
