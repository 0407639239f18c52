// train/net.cpp: see net.h for the architectures and the math.
// Index:
//   [SECTION] ids and config checks
//   [SECTION] building (init)
//   [SECTION] layers (linear, activation, norm through the kernels)
//   [SECTION] forward
//   [SECTION] backward
//   [SECTION] diagnostics
// Buffers are sized once in init for max_batch rows; forward and backward only index them.
#include "train/net.h"

#include <algorithm>
#include <cmath>

#include "core/rng.h"
#include "core/shape.h"
#include "kernels/norm_backward.h"

namespace normlab::train {

namespace kn = normlab::kernels;

// [SECTION] ids and config checks
namespace {

template <class E> struct IdEntry {
    E value;
    const char* id;
};
constexpr IdEntry<Norm> kNormIds[] = {{Norm::None, "none"},
                                      {Norm::Batch, "batchnorm"},
                                      {Norm::Layer, "layernorm"},
                                      {Norm::Rms, "rmsnorm"},
                                      {Norm::Group, "groupnorm"}};
constexpr IdEntry<Arch> kArchIds[] = {{Arch::Mlp, "mlp"}, {Arch::Residual, "residual"}};
constexpr IdEntry<Placement> kPlacementIds[] = {
    {Placement::Pre, "pre"}, {Placement::Post, "post"}, {Placement::Sandwich, "sandwich"}};
constexpr IdEntry<Activation> kActivationIds[] = {{Activation::Relu, "relu"},
                                                  {Activation::Tanh, "tanh"}};

template <class E, std::size_t N> const char* find_id(const IdEntry<E> (&table)[N], E v) {
    for (const auto& e : table)
        if (e.value == v) return e.id;
    return "?";
}
template <class E, std::size_t N>
bool parse_id(const IdEntry<E> (&table)[N], const std::string& id, E* out) {
    for (const auto& e : table)
        if (id == e.id) {
            *out = e.value;
            return true;
        }
    return false;
}

kn::NormKind kernel_kind(Norm n) {
    switch (n) {
    case Norm::Batch: return kn::NormKind::Batch;
    case Norm::Rms: return kn::NormKind::Rms;
    case Norm::Group: return kn::NormKind::Group;
    default: return kn::NormKind::Layer;
    }
}

} // namespace

const char* norm_choice_id(Norm n) { return find_id(kNormIds, n); }
const char* norm_choice_name(Norm n) {
    return n == Norm::None ? "no norm" : kn::norm_name(kernel_kind(n));
}
bool parse_norm_choice(const std::string& id, Norm* out) { return parse_id(kNormIds, id, out); }
const char* arch_id(Arch a) { return find_id(kArchIds, a); }
bool parse_arch_id(const std::string& id, Arch* out) { return parse_id(kArchIds, id, out); }
const char* placement_id(Placement p) { return find_id(kPlacementIds, p); }
bool parse_placement_id(const std::string& id, Placement* out) {
    return parse_id(kPlacementIds, id, out);
}
const char* activation_id(Activation a) { return find_id(kActivationIds, a); }
bool parse_activation_id(const std::string& id, Activation* out) {
    return parse_id(kActivationIds, id, out);
}

std::string check_net(const NetConfig& c) {
    if (c.inputs < 1 || c.inputs > kMaxWidth)
        return "inputs must be 1.." + std::to_string(kMaxWidth) + " (got " +
               std::to_string(c.inputs) + ")";
    if (c.classes < 2 || c.classes > kMaxWidth)
        return "classes must be 2.." + std::to_string(kMaxWidth) + " (got " +
               std::to_string(c.classes) + ")";
    if (c.depth < 1 || c.depth > kMaxDepth)
        return "depth must be 1.." + std::to_string(kMaxDepth) + " (got " +
               std::to_string(c.depth) + ")";
    if (c.width < 1 || c.width > kMaxWidth)
        return "width must be 1.." + std::to_string(kMaxWidth) + " (got " +
               std::to_string(c.width) + ")";
    if (!std::isfinite(c.eps) || c.eps < 0.0f) return "eps must be a finite number >= 0";
    if (!(c.bn_momentum >= 0.0f && c.bn_momentum <= 1.0f))
        return "BatchNorm momentum must be in [0, 1]";
    if (c.norm == Norm::Group && (c.groups < 1 || c.width % c.groups != 0))
        return "groups " + std::to_string(c.groups) + " must divide the width " +
               std::to_string(c.width);
    return {};
}

// [SECTION] building (init)

std::size_t Net::add_param(const std::string& name, ParamRole role, int layer, std::size_t size) {
    const std::size_t offset = info_.empty() ? 0 : info_.back().offset + info_.back().size;
    info_.push_back(ParamInfo{.name = name, .role = role, .layer = layer, .offset = offset,
                              .size = size});
    return offset;
}

int Net::add_norm(const std::string& prefix, int layer, const char* suffix) {
    NormSlot slot;
    const std::size_t w = static_cast<std::size_t>(config_.width);
    slot.gamma = add_param(prefix + ".gamma" + suffix, ParamRole::Gamma, layer, w);
    // RMSNorm has no beta; the slot points at gamma's offset but the size-0 tensor is skipped.
    slot.beta = config_.norm == Norm::Rms
                    ? slot.gamma
                    : add_param(prefix + ".beta" + suffix, ParamRole::Beta, layer, w);
    norms_.push_back(std::move(slot));
    return static_cast<int>(norms_.size()) - 1;
}

std::string Net::init(const NetConfig& config, int max_batch, std::uint64_t seed) {
    std::string error = check_net(config);
    if (!error.empty()) return error;
    if (max_batch < 1 || max_batch > kMaxBatch)
        return "batch must be 1.." + std::to_string(kMaxBatch) + " (got " +
               std::to_string(max_batch) + ")";
    // Up to 6 saved activations per layer: keep the total a few tens of MB at most.
    const double floats = 6.0 * max_batch * config.width * config.depth;
    if (floats > kMaxActivationFloats)
        return "batch x width x depth is too large (" + std::to_string(max_batch) + " x " +
               std::to_string(config.width) + " x " + std::to_string(config.depth) +
               "); reduce one of them";
    config_ = config;
    max_batch_ = max_batch;
    ready_ = false;
    info_.clear();
    norms_.clear();
    blocks_.clear();
    final_norm_ = -1;

    const bool residual = config.arch == Arch::Residual;
    const bool normed = config.norm != Norm::None;
    const std::size_t w = static_cast<std::size_t>(config.width);
    auto linear = [&](const std::string& name, int layer, int in, int out) {
        Linear l{.in = in, .out = out};
        l.w = add_param(name + ".W", ParamRole::Weight, layer,
                        static_cast<std::size_t>(in) * out);
        l.b = add_param(name + ".b", ParamRole::Bias, layer, static_cast<std::size_t>(out));
        return l;
    };

    if (residual) embed_ = linear("embed", -1, config.inputs, config.width);
    blocks_.resize(static_cast<std::size_t>(config.depth));
    for (int l = 0; l < config.depth; ++l) {
        Block& b = blocks_[l];
        const std::string prefix = (residual ? "block" : "hidden") + std::to_string(l);
        const int in = residual || l > 0 ? config.width : config.inputs;
        b.lin = linear(prefix, l, in, config.width);
        if (normed) {
            const bool two = residual && config.placement == Placement::Sandwich;
            b.norm1 = add_norm(prefix, l, two ? "1" : "");
            if (two) b.norm2 = add_norm(prefix, l, "2");
        }
        // Only the buffers this architecture saves (see forward); the rest stay empty.
        const std::size_t cells = static_cast<std::size_t>(max_batch) * w;
        const bool pre = normed && config.placement != Placement::Post;
        b.f.assign(cells, 0.0f);
        b.out.assign(cells, 0.0f);
        if (residual) b.a.assign(cells, 0.0f);
        if (residual && pre) b.u.assign(cells, 0.0f);
        if (residual && normed && config.placement == Placement::Post) b.t.assign(cells, 0.0f);
        if (normed && (!residual || config.placement == Placement::Sandwich))
            b.s.assign(cells, 0.0f);
    }
    if (residual && normed && config.placement != Placement::Post)
        final_norm_ = add_norm("final", -1, "");
    head_ = linear("head", -1, config.width, config.classes);

    const std::size_t total = info_.back().offset + info_.back().size;
    params_.assign(total, 0.0f);
    grads_.assign(total, 0.0f);

    // Weights: N(0, gain / fan_in); gamma 1; biases and beta 0.
    core::Rng rng(seed * 0x2545f4914f6cdd1dull + 0x5eed);
    const double gain = config.activation == Activation::Relu ? 2.0 : 1.0;
    for (const ParamInfo& p : info_) {
        if (p.role == ParamRole::Gamma) std::fill_n(params_.begin() + p.offset, p.size, 1.0f);
        if (p.role != ParamRole::Weight) continue;
        const bool head = p.name == "head.W";
        const std::size_t fan_in = p.size / (head ? config.classes : config.width);
        const double sd = std::sqrt((head ? 1.0 : gain) / static_cast<double>(fan_in));
        for (std::size_t i = 0; i < p.size; ++i)
            params_[p.offset + i] = static_cast<float>(sd * rng.normal());
    }
    reset_running();
    for (NormSlot& s : norms_) { // the kernels assign() these each call: keep the capacity
        const std::size_t groups = static_cast<std::size_t>(std::max(max_batch, config.width));
        for (std::vector<float>* v : {&s.trace.mean, &s.trace.var, &s.trace.rms, &s.trace.inv_std})
            v->reserve(groups);
    }

    const std::size_t rows = static_cast<std::size_t>(max_batch);
    input_.assign(rows * config.inputs, 0.0f);
    embed_out_.assign(residual ? rows * w : 0, 0.0f);
    head_in_.assign(rows * w, 0.0f);
    logits_.assign(rows * config.classes, 0.0f);
    probs_.assign(rows * config.classes, 0.0f);
    labels_.assign(rows, 0);
    g0_.assign(rows * w, 0.0f);
    g1_.assign(rows * w, 0.0f);
    g2_.assign(rows * w, 0.0f);
    gin_.assign(rows * config.inputs, 0.0f);
    return {};
}

void Net::reset_running() {
    const std::size_t w = static_cast<std::size_t>(config_.width);
    for (NormSlot& s : norms_) {
        if (config_.norm == Norm::Batch) {
            s.running.mean.assign(w, 0.0f);
            s.running.var.assign(w, 1.0f);
        } else {
            s.running = {};
        }
    }
}

const kn::RunningStats* Net::running(std::size_t slot) const {
    if (config_.norm != Norm::Batch || slot >= norms_.size()) return nullptr;
    return &norms_[slot].running;
}

// [SECTION] layers (linear, activation, norm through the kernels)

kn::NormSpec Net::spec(kn::NormMode mode) const {
    return kn::NormSpec{.kind = kernel_kind(config_.norm),
                        .eps = config_.eps,
                        .groups = config_.norm == Norm::Group ? config_.groups : 1,
                        .storage = config_.storage,
                        .accumulate = config_.accumulate,
                        .mode = mode,
                        .momentum = config_.bn_momentum};
}

std::string Net::norm_forward(int slot, const float* x, float* y, int batch, kn::NormMode mode,
                              bool update_running) {
    NormSlot& s = norms_[slot];
    const bool batch_norm = config_.norm == Norm::Batch;
    // Train without an update passes no module state: batch statistics only, running untouched.
    kn::RunningStats* running =
        batch_norm && (mode == kn::NormMode::Eval || update_running) ? &s.running : nullptr;
    std::string error = kn::normalize(spec(mode),
                         kn::NormArgs{.x = {x, core::Shape::matrix(batch, config_.width)},
                                      .y = y,
                                      .gamma = &params_[s.gamma],
                                      .beta = config_.norm == Norm::Rms ? nullptr : &params_[s.beta],
                                      .trace = &s.trace,
                                      .running = running});
    if (!error.empty()) return error;
    const bool rms = config_.norm == Norm::Rms;
    const std::size_t groups = s.trace.var.size();
    for (std::size_t g = 0; g < groups; ++g) {
        const float stat = rms ? s.trace.rms[g] * s.trace.rms[g] : s.trace.var[g];
        ++health_.groups;
        if (!std::isfinite(stat) || !std::isfinite(s.trace.mean[g]))
            ++health_.overflow;
        else if (stat < config_.eps)
            ++health_.eps_dominated;
    }
    return {};
}

std::string Net::norm_backward(int slot, const float* x, const float* dy, float* dx, int batch) {
    NormSlot& s = norms_[slot];
    kn::NormSpec sp = spec(mode_);
    sp.storage = kn::Precision::Fp32; // see net.h: the backward is the fp32 kernel
    sp.accumulate = kn::Accumulate::Fp32;
    const bool rms = config_.norm == Norm::Rms;
    return kn::normalize_backward(sp, {x, core::Shape::matrix(batch, config_.width)},
                                  &params_[s.gamma], dy, dx, &grads_[s.gamma],
                                  rms ? nullptr : &grads_[s.beta], &s.running);
}

// y[B x out] = x[B x in] W[in x out] + b
void Net::linear_forward(const Linear& l, const float* x, float* y, int batch) const {
    const float* w = &params_[l.w];
    const float* b = &params_[l.b];
    for (int i = 0; i < batch; ++i) {
        float* yi = y + static_cast<std::size_t>(i) * l.out;
        const float* xi = x + static_cast<std::size_t>(i) * l.in;
        std::copy_n(b, l.out, yi);
        for (int k = 0; k < l.in; ++k) {
            const float v = xi[k];
            const float* wk = w + static_cast<std::size_t>(k) * l.out;
            for (int j = 0; j < l.out; ++j)
                yi[j] += v * wk[j];
        }
    }
}

// dW = x^T dy, db = column sums of dy (both written, not accumulated); dx = dy W^T if non-null.
// dx must not alias dy.
void Net::linear_backward(const Linear& l, const float* x, const float* dy, float* dx,
                          int batch) {
    float* dw = &grads_[l.w];
    float* db = &grads_[l.b];
    const float* w = &params_[l.w];
    std::fill_n(dw, static_cast<std::size_t>(l.in) * l.out, 0.0f);
    std::fill_n(db, l.out, 0.0f);
    for (int i = 0; i < batch; ++i) {
        const float* xi = x + static_cast<std::size_t>(i) * l.in;
        const float* gi = dy + static_cast<std::size_t>(i) * l.out;
        for (int j = 0; j < l.out; ++j)
            db[j] += gi[j];
        for (int k = 0; k < l.in; ++k) {
            const float v = xi[k];
            float* dwk = dw + static_cast<std::size_t>(k) * l.out;
            for (int j = 0; j < l.out; ++j)
                dwk[j] += v * gi[j];
        }
        if (dx) {
            float* dxi = dx + static_cast<std::size_t>(i) * l.in;
            for (int k = 0; k < l.in; ++k) {
                const float* wk = w + static_cast<std::size_t>(k) * l.out;
                float sum = 0.0f;
                for (int j = 0; j < l.out; ++j)
                    sum += gi[j] * wk[j];
                dxi[k] = sum;
            }
        }
    }
}

namespace {

void activate(Activation act, const float* x, float* y, std::size_t n) {
    if (act == Activation::Relu)
        for (std::size_t i = 0; i < n; ++i)
            y[i] = x[i] > 0.0f ? x[i] : 0.0f;
    else
        for (std::size_t i = 0; i < n; ++i)
            y[i] = std::tanh(x[i]);
}

// g *= act'(pre), written from the activation's OUTPUT a (relu: a > 0; tanh: 1 - a^2).
void activate_backward(Activation act, const float* a, float* g, std::size_t n) {
    if (act == Activation::Relu)
        for (std::size_t i = 0; i < n; ++i)
            g[i] = a[i] > 0.0f ? g[i] : 0.0f;
    else
        for (std::size_t i = 0; i < n; ++i)
            g[i] *= 1.0f - a[i] * a[i];
}

void add_into(float* y, const float* x, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i)
        y[i] += x[i];
}

} // namespace

// [SECTION] forward

std::string Net::forward(const float* x, const int* labels, int batch, kn::NormMode mode,
                         bool update_running, PassResult* out) {
    ready_ = false;
    if (params_.empty()) return "the network is not initialised";
    if (batch < 1 || batch > max_batch_)
        return "batch must be 1.." + std::to_string(max_batch_) + " (got " +
               std::to_string(batch) + ")";
    for (int i = 0; i < batch; ++i)
        if (labels[i] < 0 || labels[i] >= config_.classes)
            return "label " + std::to_string(labels[i]) + " is outside [0, " +
                   std::to_string(config_.classes) + ")";
    batch_ = batch;
    mode_ = mode;
    health_ = {};
    const std::size_t cells = static_cast<std::size_t>(batch) * config_.width;
    std::copy_n(x, static_cast<std::size_t>(batch) * config_.inputs, input_.begin());
    std::copy_n(labels, batch, labels_.begin());
    const bool normed = config_.norm != Norm::None;
    const Activation act = config_.activation;
    std::string error;

    const float* prev = input_.data();
    if (config_.arch == Arch::Mlp) {
        for (Block& b : blocks_) {
            linear_forward(b.lin, prev, b.f.data(), batch);
            const float* z = b.f.data();
            if (normed) {
                error = norm_forward(b.norm1, z, b.s.data(), batch, mode, update_running);
                if (!error.empty()) return error;
                z = b.s.data();
            }
            activate(act, z, b.out.data(), cells);
            prev = b.out.data();
        }
        std::copy_n(prev, cells, head_in_.begin());
    } else {
        linear_forward(embed_, prev, embed_out_.data(), batch);
        prev = embed_out_.data();
        const Placement place = config_.placement;
        for (Block& b : blocks_) {
            const bool pre_norm = normed && (place == Placement::Pre || place == Placement::Sandwich);
            const float* u = prev;
            if (pre_norm) {
                error = norm_forward(b.norm1, prev, b.u.data(), batch, mode, update_running);
                if (!error.empty()) return error;
                u = b.u.data();
            }
            activate(act, u, b.a.data(), cells);
            linear_forward(b.lin, b.a.data(), b.f.data(), batch);
            if (normed && place == Placement::Post) {
                for (std::size_t i = 0; i < cells; ++i)
                    b.t[i] = prev[i] + b.f[i];
                error = norm_forward(b.norm1, b.t.data(), b.out.data(), batch, mode, update_running);
                if (!error.empty()) return error;
            } else {
                const float* branch = b.f.data();
                if (normed && place == Placement::Sandwich) {
                    error = norm_forward(b.norm2, b.f.data(), b.s.data(), batch, mode,
                                         update_running);
                    if (!error.empty()) return error;
                    branch = b.s.data();
                }
                for (std::size_t i = 0; i < cells; ++i)
                    b.out[i] = prev[i] + branch[i];
            }
            prev = b.out.data();
        }
        if (final_norm_ >= 0) {
            error = norm_forward(final_norm_, prev, head_in_.data(), batch, mode, update_running);
            if (!error.empty()) return error;
        } else {
            std::copy_n(prev, cells, head_in_.begin());
        }
    }
    linear_forward(head_, head_in_.data(), logits_.data(), batch);

    // Mean softmax cross-entropy, log-sum-exp with the row max subtracted. Non-finite logits
    // give a non-finite loss on purpose: the trainer reports it as divergence.
    const int k = config_.classes;
    double total = 0.0;
    int correct = 0;
    for (int i = 0; i < batch; ++i) {
        const float* z = &logits_[static_cast<std::size_t>(i) * k];
        float* p = &probs_[static_cast<std::size_t>(i) * k];
        int best = 0;
        for (int j = 1; j < k; ++j)
            if (z[j] > z[best]) best = j;
        const double zmax = z[best];
        double sum = 0.0;
        for (int j = 0; j < k; ++j)
            sum += std::exp(static_cast<double>(z[j]) - zmax);
        for (int j = 0; j < k; ++j)
            p[j] = static_cast<float>(std::exp(static_cast<double>(z[j]) - zmax) / sum);
        total += zmax + std::log(sum) - z[labels[i]];
        correct += best == labels[i] ? 1 : 0;
    }
    out->loss = static_cast<float>(total / batch);
    out->correct = correct;
    ready_ = true;
    return {};
}

// [SECTION] backward

std::string Net::backward(float* dx) {
    if (!ready_) return "backward needs a successful forward first";
    const int batch = batch_;
    const std::size_t cells = static_cast<std::size_t>(batch) * config_.width;
    const int k = config_.classes;
    const Activation act = config_.activation;
    const bool normed = config_.norm != Norm::None;
    std::string error;

    // dL/dlogits = (softmax - onehot) / B; kept in probs_ (the loss is already computed).
    const float inv_batch = 1.0f / static_cast<float>(batch);
    for (int i = 0; i < batch; ++i) {
        float* p = &probs_[static_cast<std::size_t>(i) * k];
        p[labels_[i]] -= 1.0f;
        for (int j = 0; j < k; ++j)
            p[j] *= inv_batch;
    }
    float* g0 = g0_.data();
    float* g1 = g1_.data();
    float* g2 = g2_.data();
    linear_backward(head_, head_in_.data(), probs_.data(), g0, batch);

    const int depth = config_.depth;
    if (config_.arch == Arch::Mlp) {
        for (int l = depth - 1; l >= 0; --l) {
            Block& b = blocks_[l];
            activate_backward(act, b.out.data(), g0, cells); // g0: dL/d(norm output or z)
            if (normed) {
                error = norm_backward(b.norm1, b.f.data(), g0, g0, batch); // in place: allowed
                if (!error.empty()) return error;
            }
            const float* in = l > 0 ? blocks_[l - 1].out.data() : input_.data();
            float* din = l > 0 ? g1 : (dx ? gin_.data() : nullptr);
            linear_backward(b.lin, in, g0, din, batch);
            if (l > 0) std::swap(g0, g1);
        }
    } else {
        const Placement place = config_.placement;
        if (final_norm_ >= 0) {
            error = norm_backward(final_norm_, blocks_.back().out.data(), g0, g0, batch);
            if (!error.empty()) return error;
        }
        for (int l = depth - 1; l >= 0; --l) {
            Block& b = blocks_[l];
            const float* prev = l > 0 ? blocks_[l - 1].out.data() : embed_out_.data();
            // g0 holds dL/dr_{l+1}; on exit it holds dL/dr_l.
            if (!normed) {
                linear_backward(b.lin, b.a.data(), g0, g1, batch);
                activate_backward(act, b.a.data(), g1, cells);
                add_into(g0, g1, cells);
            } else if (place == Placement::Pre) {
                linear_backward(b.lin, b.a.data(), g0, g1, batch);
                activate_backward(act, b.a.data(), g1, cells);
                error = norm_backward(b.norm1, prev, g1, g1, batch);
                if (!error.empty()) return error;
                add_into(g0, g1, cells);
            } else if (place == Placement::Post) {
                error = norm_backward(b.norm1, b.t.data(), g0, g1, batch); // g1 = dL/dt
                if (!error.empty()) return error;
                linear_backward(b.lin, b.a.data(), g1, g2, batch);
                activate_backward(act, b.a.data(), g2, cells);
                for (std::size_t i = 0; i < cells; ++i)
                    g0[i] = g1[i] + g2[i];
            } else { // Sandwich
                error = norm_backward(b.norm2, b.f.data(), g0, g1, batch); // g1 = dL/df
                if (!error.empty()) return error;
                linear_backward(b.lin, b.a.data(), g1, g2, batch);
                activate_backward(act, b.a.data(), g2, cells);
                error = norm_backward(b.norm1, prev, g2, g2, batch);
                if (!error.empty()) return error;
                add_into(g0, g2, cells);
            }
        }
        linear_backward(embed_, input_.data(), g0, dx ? gin_.data() : nullptr, batch);
    }
    if (dx) std::copy_n(gin_.begin(), static_cast<std::size_t>(batch) * config_.inputs, dx);
    ready_ = false; // probs_ now hold gradients
    return {};
}

// [SECTION] diagnostics

void Net::layer_stats(LayerStats* out) const {
    const std::size_t depth = blocks_.size();
    out->act_rms.resize(depth);
    out->grad_norm.resize(depth);
    const std::size_t cells = static_cast<std::size_t>(batch_) * config_.width;
    for (std::size_t l = 0; l < depth; ++l) {
        const Block& b = blocks_[l];
        double sq = 0.0;
        for (std::size_t i = 0; i < cells; ++i)
            sq += static_cast<double>(b.out[i]) * b.out[i];
        out->act_rms[l] = cells ? static_cast<float>(std::sqrt(sq / cells)) : 0.0f;
        double g = 0.0;
        const std::size_t n = static_cast<std::size_t>(b.lin.in) * b.lin.out;
        for (std::size_t i = 0; i < n; ++i)
            g += static_cast<double>(grads_[b.lin.w + i]) * grads_[b.lin.w + i];
        out->grad_norm[l] = static_cast<float>(std::sqrt(g));
    }
}

} // namespace normlab::train
