// train/trainer.h: one training run: a task, a network (train/net.h), SGD with momentum and an
// optional linear warmup, advanced in time slices (advance(max_steps)) so a UI can run it
// between frames and pause it by not calling advance. Owns: the curves the UI plots, the
// divergence rule and the evaluation schedule. Knows nothing of UI or platform.
// Invariants: deterministic (same config, same bytes); the trainer and the network allocate
// nothing inside advance() after init (curves are reserved for `steps` entries). The kernels
// themselves still allocate small per-call scratch vectors (measured: about 14 per norm layer
// per step), which only a scratch-buffer API in kernels/ could remove.
//
// One step t (0-based): a minibatch of `batch` points from the training split (a seeded
// shuffle per epoch; the last partial batch of an epoch is skipped), forward in Train mode
// (BatchNorm uses batch statistics and updates its running ones), backward, then
//   lr_t = lr * min(1, (t + 1) / warmup_steps)      (warmup_steps 0: lr_t = lr)
//   v = momentum * v + grad;  p = p - lr_t * v      (PyTorch's SGD, dampening 0)
// Divergence (the run stops, never silently): the minibatch loss is not finite, a gradient is
// not finite, or the loss exceeds divergence_factor * the first step's loss.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/rng.h"
#include "train/net.h"
#include "train/task.h"

namespace normlab::train {

struct TrainConfig {
    TaskSpec task;
    NetConfig net;              // inputs and classes are taken from the task
    float lr = 0.05f;           // > 0, finite
    float momentum = 0.9f;      // SGD momentum in [0, 1)
    int batch = 32;             // 1..kMaxBatch and <= task.train_size (BatchNorm: >= 2)
    int steps = 500;            // 1..1'000'000: the run finishes after this many updates
    int warmup_steps = 0;       // >= 0, linear warmup (see the header)
    int eval_every = 50;        // >= 0; 0: evaluate only at the end (and at step 0)
    float divergence_factor = 10.0f; // > 1
    std::uint64_t seed = 1;     // weights and batch order (the data uses task.seed)
};

// "" or a one-line message naming the bad field (includes check_task and check_net).
std::string check_train(const TrainConfig& c);

// What the UI plots. Per-step vectors have one entry per completed step, plus, when the run
// diverged, one for the failing step (its loss is the value that failed the rule). Evaluation
// vectors have one entry per evaluation point (step 0 before any update, every eval_every
// steps, and the last step); a diverged run is not evaluated after the failure.
struct Curves {
    std::vector<float> loss;       // per step: minibatch loss BEFORE that step's update
    std::vector<float> batch_acc;  // per step: minibatch accuracy (Train mode), in [0, 1]
    std::vector<int> eval_step;    // updates done when the evaluation was taken
    std::vector<float> train_acc;  // training split, Train mode: batch statistics from chunks
                                   // of `batch` points (what training sees), no running update
    std::vector<float> train_acc_eval_mode; // training split, Eval mode (running statistics)
    std::vector<float> eval_acc;   // held-out split, Eval mode: what deployment gets
    std::vector<float> eval_loss;  // held-out split, Eval mode, mean cross-entropy
    // per step, from the training forward (Net::norm_health), as fractions of the norm groups
    // (0 without norm layers): statistics not finite, and variance below eps
    std::vector<float> norm_overflow;
    std::vector<float> norm_eps_dominated;
};

struct TrainStatus {
    int step = 0;                 // updates done
    bool finished = false;        // steps reached or diverged
    bool diverged = false;
    int diverged_step = -1;       // the step whose loss or gradient failed the rule
    std::string diverged_reason;  // "loss is nan", "loss 45.2 > 10 x initial 1.1", ...
    float initial_loss = 0.0f;    // loss of step 0
    float final_loss = 0.0f;      // mean of the last min(10, step) minibatch losses of
                                  // completed steps (a diverged run: before the failure)
};

class Trainer {
  public:
    // Builds the task and the network. "" or a message. The step-0 measurements wait for
    // start(), so building many runs costs little until they train (the lab builds 20 at once).
    std::string init(const TrainConfig& config);
    // Takes the step-0 diagnostics (one forward and backward, no update) and the step-0
    // evaluation, once; advance() calls it first. "" or a message (the run then has failed).
    std::string start();
    bool started() const { return started_; }
    // Back to step 0 with the same config (same weights, same batch order).
    void reset();
    // Runs up to max_steps updates (fewer when the run finishes). Returns the number done.
    int advance(int max_steps);

    bool finished() const { return status_.finished; }
    const TrainConfig& config() const { return config_; }
    const Curves& curves() const { return curves_; }
    const TrainStatus& status() const { return status_; }
    const TaskData& data() const { return data_; }
    const Net& net() const { return net_; }
    // Norm statistics of the step-0 forward (before any update), see NormHealth. Empty until
    // start().
    const NormHealth& health_at_init() const { return health_init_; }
    // Per-layer activation RMS and gradient norms of step 0 (before any update) and of the
    // latest evaluation point.
    const LayerStats& layers_at_init() const { return layers_init_; }
    const LayerStats& layers_latest() const { return layers_latest_; }

    // Accuracy and mean loss of the network on a split in `mode`, in chunks of `chunk` points
    // (Train mode: batch statistics per chunk, running statistics untouched).
    void evaluate(const Dataset& d, kernels::NormMode mode, int chunk, float* accuracy,
                  float* loss);

  private:
    void take_eval();
    void fail(const std::string& reason);
    bool eval_due(int step) const; // an evaluation follows the update that makes `step`

    TrainConfig config_;
    TaskData data_;
    Net net_;
    std::vector<float> velocity_;
    std::vector<int> order_;
    std::vector<float> batch_x_;
    std::vector<int> batch_y_;
    int cursor_ = 0;            // next position in order_
    core::Rng shuffle_rng_;
    Curves curves_;
    TrainStatus status_;
    LayerStats layers_init_, layers_latest_;
    NormHealth health_init_;
    bool started_ = false;
};

// Chunk size of Eval-mode evaluation (results do not depend on it: no batch coupling in Eval).
inline constexpr int kEvalChunk = 64;

} // namespace normlab::train
