// train/net.h: the small networks the trainer trains: an MLP and a deep residual stack, with a
// normalization layer between layers. Owns: parameters (one flat buffer), activations saved for
// the backward pass, BatchNorm running statistics, forward, backward and per-layer diagnostics.
// Knows nothing of tasks, optimizers, UI or platform.
//
// The normalization is the core's kernels, never a copy: kernels::normalize for the forward
// (batch statistics in Train mode, running statistics in Eval mode for BatchNorm) and
// kernels::normalize_backward for the gradient. Every norm layer has a learnable per-feature
// gamma (init 1) and beta (init 0; RMSNorm has none).
//
// Architectures (B rows, `width` features; act = ReLU or tanh; N = the chosen norm):
//   Mlp       h0 = x;  for l < depth:  z = h_l W_l + b_l,  h_{l+1} = act(N(z))
//             logits = h_depth W_out + b_out
//   Residual  r0 = x W_in + b_in;  for l < depth (blocks), with f(u) = act(u) W_l + b_l:
//               Pre       r_{l+1} = r_l + f(N(r_l))            then N_final before the head
//               Post      r_{l+1} = N(r_l + f(r_l))
//               Sandwich  r_{l+1} = r_l + N2(f(N1(r_l)))      then N_final before the head
//               (norm None: r_{l+1} = r_l + f(r_l) for every placement)
//             logits = r_depth W_out + b_out   (or N_final(r_depth) W_out + b_out)
// Init: W ~ N(0, gain / fan_in) with gain 2 for ReLU (He) and 1 for tanh, head gain 1; biases 0.
// Loss: mean softmax cross-entropy over the batch.
//
// Mixed precision: NetConfig::storage / accumulate go to the norm FORWARD (kernels' fp16/bf16
// storage emulation: inputs rounded, naive storage-precision statistics with Accumulate::Storage).
// The backward always runs the fp32 kernel on the same (unrounded) input, because the kernels
// refuse a storage-format backward: the rounding is treated as the identity (straight-through).
// Everything outside the norm layers is fp32.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "kernels/norm.h"
#include "kernels/precision.h"

namespace normlab::train {

enum class Norm { None, Batch, Layer, Rms, Group };
const char* norm_choice_id(Norm n);                    // "none", "batchnorm", "layernorm", ...
const char* norm_choice_name(Norm n);                  // "no norm", "BatchNorm", ...
bool parse_norm_choice(const std::string& id, Norm* out); // false on an unknown id

enum class Arch { Mlp, Residual };
const char* arch_id(Arch a); // "mlp", "residual"
bool parse_arch_id(const std::string& id, Arch* out);

enum class Placement { Pre, Post, Sandwich }; // Residual only
const char* placement_id(Placement p);        // "pre", "post", "sandwich"
bool parse_placement_id(const std::string& id, Placement* out);

enum class Activation { Relu, Tanh };
const char* activation_id(Activation a); // "relu", "tanh"
bool parse_activation_id(const std::string& id, Activation* out);

inline constexpr int kMaxDepth = 64;  // hidden layers (Mlp) or blocks (Residual)
inline constexpr int kMaxWidth = 256;
inline constexpr int kMaxBatch = 4096;
// Net::init refuses more saved activations than this (6 * batch * width * depth floats).
inline constexpr double kMaxActivationFloats = 16.0 * 1024 * 1024;

struct NetConfig {
    Arch arch = Arch::Mlp;
    int inputs = 2;    // features per example (the trainer copies the task's)
    int classes = 3;   // outputs (the trainer copies the task's)
    int depth = 3;     // Mlp: hidden layers; Residual: blocks. 1..kMaxDepth
    int width = 32;    // 1..kMaxWidth
    Norm norm = Norm::None;
    Placement placement = Placement::Pre;
    int groups = 4;            // GroupNorm: channel groups, must divide width
    float eps = 1e-5f;         // >= 0, inside the square root
    float bn_momentum = 0.1f;  // BatchNorm running statistics, in [0, 1] (PyTorch convention)
    Activation activation = Activation::Relu;
    kernels::Precision storage = kernels::Precision::Fp32;    // norm forward storage format
    kernels::Accumulate accumulate = kernels::Accumulate::Fp32;
};

// "" or a one-line message naming the bad field (ranges above; GroupNorm divisibility).
std::string check_net(const NetConfig& c);

// One parameter tensor inside Net::params(): [offset, offset + size).
enum class ParamRole { Weight, Bias, Gamma, Beta };
struct ParamInfo {
    std::string name;     // "hidden3.W", "block12.gamma1", "head.b", ...
    ParamRole role = ParamRole::Weight;
    int layer = -1;       // hidden layer / block index; -1 for input embedding, final norm, head
    std::size_t offset = 0;
    std::size_t size = 0;
};

// Per-layer diagnostics (index = hidden layer or block, 0 = closest to the input).
struct LayerStats {
    std::vector<float> act_rms;   // RMS over the batch of the layer's output (h_{l+1} or r_{l+1})
    std::vector<float> grad_norm; // Frobenius norm of dL/dW_l (needs a backward)
};

// What the norm layers' statistics looked like in the last forward, summed over every norm
// layer and group (from kernels::NormTrace). This is how fp16 overflow and underflow show up:
//   overflow       the group's mean or variance (RMSNorm: mean square) is not finite; with a
//                  finite mean and an infinite variance the kernel's output is just beta, so the
//                  loss stays finite while the layer carries no information
//   eps_dominated  variance < eps: eps, not the data, sets the scale (the output is shrunk by
//                  sqrt(var / (var + eps)) instead of normalized), e.g. a variance underflowed
//                  to 0 in fp16
struct NormHealth {
    int groups = 0;
    int overflow = 0;
    int eps_dominated = 0;
};

struct PassResult {
    float loss = 0.0f;  // mean cross-entropy (non-finite when the forward overflowed)
    int correct = 0;    // argmax(logits) == label
};

class Net {
  public:
    // Allocates every buffer for batches up to max_batch and draws the weights from `seed`.
    // Returns "" or check_net's message (or a bad max_batch). Allocation happens only here.
    std::string init(const NetConfig& config, int max_batch, std::uint64_t seed);

    // Forward on `batch` rows of x (batch * inputs floats) with labels (batch ints, each in
    // [0, classes)). mode Train: batch statistics (BatchNorm needs batch >= 2 when
    // update_running); update_running: BatchNorm's running statistics take one momentum step.
    // mode Eval: BatchNorm uses its running statistics. Saves what backward needs.
    // Returns "" or a one-line message (batch out of range, a kernel error).
    std::string forward(const float* x, const int* labels, int batch, kernels::NormMode mode,
                        bool update_running, PassResult* out);

    // Backward of the last forward's mean loss: fills grads() and, when non-null, dx
    // (batch * inputs floats, dL/dx). Precondition: a successful forward. Returns "" or a
    // kernel message.
    std::string backward(float* dx = nullptr);

    std::vector<float>& params() { return params_; }
    const std::vector<float>& params() const { return params_; }
    const std::vector<float>& grads() const { return grads_; }
    const std::vector<ParamInfo>& param_info() const { return info_; }
    const NetConfig& config() const { return config_; }
    const std::vector<float>& logits() const { return logits_; } // last forward, batch * classes

    // Norm statistics of the last forward (see NormHealth); all zero without norm layers.
    const NormHealth& norm_health() const { return health_; }

    // Activation RMS from the last forward; gradient norms from the last backward (zeros before).
    void layer_stats(LayerStats* out) const;

    // BatchNorm running statistics back to the fresh-module defaults (mean 0, var 1).
    void reset_running();
    // The running statistics of BatchNorm slot `slot` (null when out of range or not BatchNorm);
    // slots are numbered in forward order.
    const kernels::RunningStats* running(std::size_t slot) const;

  private:
    struct Linear {
        std::size_t w = 0, b = 0; // offsets into params_ / grads_
        int in = 0, out = 0;
    };
    struct NormSlot {
        std::size_t gamma = 0, beta = 0; // offsets
        kernels::RunningStats running;
        kernels::NormTrace trace;        // reused so the step loop does not reallocate it
    };
    struct Block { // one hidden layer (Mlp) or one residual block
        Linear lin;
        int norm1 = -1, norm2 = -1; // NormSlot indices, -1: none
        // activations saved for backward, max_batch * width each (unused ones stay empty)
        std::vector<float> in, u, a, f, s, t, out;
    };

    std::size_t add_param(const std::string& name, ParamRole role, int layer, std::size_t size);
    int add_norm(const std::string& prefix, int layer, const char* suffix);
    kernels::NormSpec spec(kernels::NormMode mode) const;
    std::string norm_forward(int slot, const float* x, float* y, int batch,
                             kernels::NormMode mode, bool update_running);
    std::string norm_backward(int slot, const float* x, const float* dy, float* dx, int batch);
    void linear_forward(const Linear& l, const float* x, float* y, int batch) const;
    void linear_backward(const Linear& l, const float* x, const float* dy, float* dx, int batch);

    NetConfig config_;
    int max_batch_ = 0;
    int batch_ = 0;
    kernels::NormMode mode_ = kernels::NormMode::Train;
    bool ready_ = false;     // a forward ran and backward may follow
    NormHealth health_;
    std::vector<float> params_, grads_;
    std::vector<ParamInfo> info_;
    std::vector<NormSlot> norms_;
    Linear embed_, head_;
    int final_norm_ = -1;
    std::vector<Block> blocks_;
    std::vector<float> input_;        // copy of x, max_batch * inputs
    std::vector<float> embed_out_;    // Residual: r0
    std::vector<float> head_in_;      // what the head reads (final norm output), max_batch * width
    std::vector<float> logits_, probs_;
    std::vector<int> labels_;
    std::vector<float> g0_, g1_, g2_; // backward scratch, max_batch * width each
    std::vector<float> gin_;          // backward scratch, max_batch * inputs
};

} // namespace normlab::train
