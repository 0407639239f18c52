#include "sim/lab.h"

#include <algorithm>
#include <cmath>

#include "core/rng.h"

namespace normlab::sim {

const char* preset_name(DataPreset preset) {
    switch (preset) {
    case DataPreset::Stable: return "Stable batch";
    case DataPreset::ShiftedMean: return "Shifted mean";
    case DataPreset::Skewed: return "Skewed (post-ReLU-like)";
    case DataPreset::Outliers: return "Heavy outliers";
    case DataPreset::TinyBatch: return "Tiny batch (B = 2)";
    case DataPreset::NearConstant: return "Near-constant feature";
    case DataPreset::LargeOffset: return "Large offset, tiny spread";
    case DataPreset::ScaleDrift: return "Per-example scale drift";
    }
    return "?";
}

const char* layout_name(Layout layout) {
    switch (layout) {
    case Layout::Matrix: return "(B, d)";
    case Layout::Sequence: return "(B, L, d)";
    case Layout::Image: return "(B, C, H, W)";
    }
    return "?";
}

int nearest_divisor(int channels, int groups) {
    channels = std::max(1, channels);
    int best = 1;
    for (int g = 1; g <= channels; ++g)
        if (channels % g == 0 && std::abs(g - groups) < std::abs(best - groups)) best = g;
    return best;
}

namespace {
// Two-pass moments over the cells `take` accepts.
template <class Take> CellStats moments(const std::vector<float>& values, Take take) {
    CellStats s;
    double sum = 0, sumsq = 0;
    s.min = INFINITY;
    s.max = -INFINITY;
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (!take(i)) continue;
        const double v = values[i];
        sum += v;
        sumsq += v * v;
        s.min = std::min(s.min, v);
        s.max = std::max(s.max, v);
        ++s.count;
    }
    if (s.count == 0) return CellStats{};
    const double n = static_cast<double>(s.count);
    s.mean = sum / n;
    // Centered second pass: the plain E[x^2]-E[x]^2 loses the spread of offset data.
    double centered = 0;
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (!take(i)) continue;
        const double dv = values[i] - s.mean;
        centered += dv * dv;
    }
    s.std = std::sqrt(centered / n);
    s.rms = std::sqrt(sumsq / n);
    return s;
}
} // namespace

CellStats all_cell_stats(const std::vector<float>& values) {
    return moments(values, [](std::size_t) { return true; });
}

CellStats group_cell_stats(const std::vector<float>& values, const kernels::GroupPlan& plan,
                           std::size_t g) {
    // Visit only the group's cells: a million-cell tensor has groups of a few thousand.
    std::vector<float> cells(plan.group_size());
    for (std::size_t k = 0; k < cells.size(); ++k) {
        const std::size_t f = kernels::group_cell(plan, g, k);
        cells[k] = f < values.size() ? values[f] : NAN;
    }
    if (g >= plan.group_count()) return CellStats{};
    return all_cell_stats(cells);
}

void Lab::init(const LabConfig& config) {
    config_ = config;
    config_.batch = std::clamp(config_.batch, 1, kMaxBatch);
    config_.features = std::clamp(config_.features, 1, kMaxFeatures);
    config_.length = std::clamp(config_.length, 1, kMaxSpatial);
    config_.height = std::clamp(config_.height, 1, kMaxSpatial);
    config_.width = std::clamp(config_.width, 1, kMaxSpatial);
    config_.groups = nearest_divisor(config_.features, config_.groups);
    sweep_ = Sweep{};
    regenerate();
    // A family that the layout cannot take (InstanceNorm on (B, d)) falls back to LayerNorm.
    if (!error_.empty() && config_.family == kernels::NormKind::Instance) {
        config_.family = kernels::NormKind::Layer;
        recompute();
    }
}

namespace {
std::string clamp_note(const char* what, int asked, int used, int lo, int hi) {
    if (asked == used) return "";
    return std::string(what) + " " + std::to_string(asked) + " is out of range; using " +
           std::to_string(used) + " (" + std::to_string(lo) + " to " + std::to_string(hi) + ")";
}
core::Shape shape_of(const LabConfig& c) {
    switch (c.layout) {
    case Layout::Matrix: return core::Shape::matrix(c.batch, c.features);
    case Layout::Sequence: return core::Shape::sequence(c.batch, c.length, c.features);
    case Layout::Image: return core::Shape::image(c.batch, c.features, c.height, c.width);
    }
    return core::Shape::matrix(c.batch, c.features);
}
} // namespace

std::string Lab::set_family(kernels::NormKind family) {
    const kernels::NormSpec spec{.kind = family, .eps = config_.eps, .groups = config_.groups};
    kernels::GroupPlan plan;
    const std::string problem = kernels::plan_groups(shape_of(config_), spec, &plan);
    if (!problem.empty()) return problem;   // keep the current family; the UI shows why
    config_.family = family;
    recompute();
    return "";
}

std::string Lab::set_compare(std::optional<kernels::NormKind> family) {
    if (family) {
        kernels::GroupPlan plan;
        const std::string problem = kernels::plan_groups(
            shape_of(config_), {.kind = *family, .eps = config_.eps, .groups = config_.groups}, &plan);
        if (!problem.empty()) return problem;
    }
    compare_ = family;
    recompute();
    return "";
}

std::string Lab::set_layout(Layout layout) {
    const Layout before = config_.layout;
    config_.layout = layout;
    if (layout == Layout::Matrix && compare_ == kernels::NormKind::Instance) compare_.reset();
    if (config_.family == kernels::NormKind::Instance && layout == Layout::Matrix) {
        config_.family = kernels::NormKind::Layer;
        regenerate();
        return "InstanceNorm needs a spatial or sequence axis; switched to LayerNorm for (B, d)";
    }
    if (before != layout) regenerate();
    return "";
}

std::string Lab::set_batch(int batch) {
    const int clamped = std::clamp(batch, 1, kMaxBatch);
    config_.batch = clamped;
    regenerate();
    return clamp_note("batch size", batch, clamped, 1, kMaxBatch);
}

std::string Lab::set_features(int features) {
    const int clamped = std::clamp(features, 1, kMaxFeatures);
    config_.features = clamped;
    const int groups = nearest_divisor(clamped, config_.groups);
    std::string note = clamp_note("channel count", features, clamped, 1, kMaxFeatures);
    if (groups != config_.groups && config_.family == kernels::NormKind::Group)
        note += (note.empty() ? "" : "; ") + std::string("GroupNorm now uses G = ") +
                std::to_string(groups) + " (G must divide C = " + std::to_string(clamped) + ")";
    config_.groups = groups;
    regenerate();
    return note;
}

std::string Lab::set_spatial(int length, int height, int width) {
    const auto fix = [](int v) { return std::clamp(v, 1, kMaxSpatial); };
    std::string note;
    for (auto [name, asked] : {std::pair{"L", length}, std::pair{"H", height}, std::pair{"W", width}}) {
        const std::string n = clamp_note(name, asked, fix(asked), 1, kMaxSpatial);
        if (!n.empty()) note += (note.empty() ? "" : "; ") + n;
    }
    config_.length = fix(length);
    config_.height = fix(height);
    config_.width = fix(width);
    regenerate();
    return note;
}

std::string Lab::set_groups(int groups) {
    const int g = nearest_divisor(config_.features, groups);
    config_.groups = g;
    recompute();
    if (g != groups)
        return "G = " + std::to_string(groups) + " does not divide C = " +
               std::to_string(config_.features) + "; using G = " + std::to_string(g);
    return "";
}

std::string Lab::set_eps(float eps) {
    if (!std::isfinite(eps) || eps < 0.f) return "eps must be a finite number >= 0";
    config_.eps = eps;
    recompute();
    return "";
}

void Lab::set_preset(DataPreset preset) {
    config_.preset = preset;
    if (preset == DataPreset::TinyBatch) config_.batch = 2;
    regenerate();
}

std::string Lab::scale_example(int example, float factor) {
    if (example < 0 || example >= shape_.batch())
        return "example " + std::to_string(example) + " does not exist (B = " + std::to_string(shape_.batch()) + ")";
    if (!std::isfinite(factor)) return "the scale factor must be a finite number";
    for (std::size_t f = 0; f < x_.size(); ++f)
        if (example_of(f) == example) x_[f] *= factor;
    recompute();
    return "";
}

std::string Lab::set_cell(std::size_t flat, float value) {
    if (flat >= x_.size()) return "cell " + std::to_string(flat) + " is outside the tensor";
    x_[flat] = value;
    recompute();
    return std::isfinite(value) ? "" : "a non-finite input poisons its whole group (shown in magenta)";
}

void Lab::resample() {
    ++batch_index_;
    regenerate();
}

void Lab::reseed(std::uint64_t seed) {
    config_.seed = seed;
    batch_index_ = 0;
    reset_running();
    regenerate();
}

std::string Lab::set_eps_placement(kernels::EpsPlacement placement) {
    config_.eps_placement = placement;
    recompute();
    return "";
}

std::string Lab::set_precision(kernels::Precision storage, kernels::Accumulate accumulate) {
    config_.storage = storage;
    config_.accumulate = accumulate;
    recompute();
    return "";
}

std::string Lab::set_mode(kernels::NormMode mode) {
    config_.mode = mode;
    recompute();
    if (mode == kernels::NormMode::Eval && config_.family != kernels::NormKind::Batch)
        return std::string(kernels::norm_name(config_.family)) +
               " keeps no running statistics: train and eval compute the same thing";
    return "";
}

std::string Lab::set_momentum(float momentum) {
    if (!std::isfinite(momentum)) return "momentum must be a number between 0 and 1";
    config_.momentum = std::clamp(momentum, 0.f, 1.f);
    return config_.momentum == momentum ? "" : "momentum is clamped to [0, 1]";
}

std::string Lab::set_affine(int channel, float gamma, float beta) {
    if (channel < 0 || channel >= shape_.channels())
        return "channel " + std::to_string(channel) + " does not exist (C = " + std::to_string(shape_.channels()) + ")";
    if (!std::isfinite(gamma) || !std::isfinite(beta)) return "γ and β must be finite numbers";
    gamma_[static_cast<std::size_t>(channel)] = gamma;
    beta_[static_cast<std::size_t>(channel)] = beta;
    recompute();
    return "";
}

void Lab::reset_affine() {
    gamma_.assign(static_cast<std::size_t>(shape_.channels()), 1.f);
    beta_.assign(static_cast<std::size_t>(shape_.channels()), 0.f);
    recompute();
}

void Lab::reset_running() {
    running_ = kernels::RunningStats{};
    batches_trained_ = 0;
}

std::string Lab::train_batches(int steps) {
    if (config_.family != kernels::NormKind::Batch)
        return "only BatchNorm keeps running statistics to train";
    steps = std::clamp(steps, 1, 1000);
    const kernels::NormSpec spec{.kind = kernels::NormKind::Batch, .eps = config_.eps,
                                 .eps_placement = config_.eps_placement, .storage = config_.storage,
                                 .accumulate = config_.accumulate, .mode = kernels::NormMode::Train,
                                 .momentum = config_.momentum};
    std::vector<float> scratch;
    for (int k = 0; k < steps; ++k) {
        ++batch_index_;
        regenerate();   // the next batch; recompute() never touches the running statistics
        scratch.resize(x_.size());
        const std::string err = kernels::normalize(
            spec, kernels::NormArgs{.x = {x_.data(), shape_}, .y = scratch.data(), .gamma = gamma_.data(),
                                    .beta = beta_.data(), .running = &running_});
        if (!err.empty()) return err;
        ++batches_trained_;
    }
    recompute();
    return "";
}

std::string Lab::load_tensor(const std::vector<int>& dims, const std::vector<float>& values) {
    if (dims.size() < 2 || dims.size() > 4) return "the tensor needs 2 to 4 dimensions, got " + std::to_string(dims.size());
    static const char* kNames[3][4] = {{"B", "d", "", ""}, {"B", "L", "d", ""}, {"B", "C", "H", "W"}};
    const std::size_t r = dims.size() - 2;
    std::size_t n = 1;
    for (std::size_t k = 0; k < dims.size(); ++k) {
        const int hi = k == 0 ? kMaxBatch : (k == dims.size() - 1 && r < 2) || (r == 2 && k == 1) ? kMaxFeatures : kMaxSpatial;
        if (dims[k] < 1 || dims[k] > hi)
            return std::string(kNames[r][k]) + " = " + std::to_string(dims[k]) + " is outside 1.." + std::to_string(hi);
        n *= static_cast<std::size_t>(dims[k]);
    }
    if (values.size() != n) return "the tensor has " + std::to_string(values.size()) + " values but its shape holds " + std::to_string(n);
    LabConfig c = config_;
    c.layout = r == 0 ? Layout::Matrix : r == 1 ? Layout::Sequence : Layout::Image;
    c.batch = dims[0];
    c.features = r == 2 ? dims[1] : dims.back();
    if (r == 1) c.length = dims[1];
    if (r == 2) {
        c.height = dims[2];
        c.width = dims[3];
    }
    if (c.layout == Layout::Matrix && c.family == kernels::NormKind::Instance) c.family = kernels::NormKind::Layer;
    c.groups = nearest_divisor(c.features, c.groups);
    config_ = c;
    shape_ = shape_of(config_);
    x_ = values;
    recompute();
    return error_;
}

int Lab::example_of(std::size_t flat) const {
    const std::size_t per_example = shape_.size() / static_cast<std::size_t>(shape_.batch());
    return static_cast<int>(flat / per_example);
}

void Lab::regenerate() {
    shape_ = shape_of(config_);
    const int b = shape_.batch(), c = shape_.channels();
    // Two streams: the distribution comes from the seed alone, the noise also from the batch
    // index, so "next batch" draws new examples from the same distribution.
    core::Rng rng(config_.seed * 131 + static_cast<std::uint64_t>(config_.preset));
    // Every channel has its own offset and scale (what BatchNorm removes); examples get their
    // own drift (what LayerNorm removes); positions carry a smooth pattern per (example,
    // channel) (what InstanceNorm removes). Presets exaggerate one of them.
    std::vector<double> feat_mean(c), feat_scale(c), ex_shift(b), ex_scale(b, 1.0);
    for (int j = 0; j < c; ++j) {
        feat_mean[j] = 0.8 * rng.normal();
        feat_scale[j] = 0.4 + 0.9 * rng.uniform();
    }
    for (int i = 0; i < b; ++i) ex_shift[i] = 0.3 * rng.normal();
    switch (config_.preset) {
    case DataPreset::ShiftedMean:
        for (int j = 0; j < c; ++j) feat_mean[j] += 2.5;
        break;
    case DataPreset::ScaleDrift:
        for (int i = 0; i < b; ++i) ex_scale[i] = std::exp(2.3 * (i - 0.5 * (b - 1)) / std::max(1, b));
        break;
    default: break;
    }
    const std::size_t n = shape_.size();
    const std::size_t spatial = static_cast<std::size_t>(shape_.spatial());
    rng.reseed(config_.seed * 7919 + batch_index_ * 104729 + static_cast<std::uint64_t>(config_.preset) + 17);
    std::vector<double> phase(static_cast<std::size_t>(b) * c);
    for (double& p : phase) p = rng.uniform();
    x_.assign(n, 0.f);
    for (std::size_t f = 0; f < n; ++f) {
        const int ex = example_of(f);
        const auto ch = static_cast<int>(kernels::channel_of(shape_, f));
        // Position along the spatial/sequence axis (0 for (B, d)).
        const std::size_t pos = shape_.rank == 4 ? f % spatial
                                : shape_.rank == 3 ? (f / static_cast<std::size_t>(c)) % spatial
                                                   : 0;
        const double wave = spatial > 1 ? 0.5 * std::sin(6.2831853 * (static_cast<double>(pos) / spatial +
                                                                      phase[static_cast<std::size_t>(ex) * c + ch]))
                                        : 0.0;
        double v = feat_mean[ch] + ex_shift[ex] + feat_scale[ch] * (rng.normal() + wave);
        switch (config_.preset) {
        case DataPreset::Outliers:
            if (rng.uniform() < 0.04) v += (rng.uniform() < 0.5 ? -1 : 1) * (6.0 + 4.0 * rng.uniform());
            break;
        case DataPreset::Skewed:  // log-normal with a per-channel scale: long right tail
            v = feat_scale[ch] * std::exp(0.9 * rng.normal() + wave) - 0.5;
            break;
        case DataPreset::LargeOffset: v = 1e4 + 1e-2 * rng.normal(); break;
        case DataPreset::NearConstant:
            if (ch == c / 2) v = 0.7 + 1e-3 * rng.normal();
            break;
        default: break;
        }
        x_[f] = static_cast<float>(v * ex_scale[ex]);
    }
    recompute();
}

void Lab::recompute() {
    const auto channels = static_cast<std::size_t>(shape_.channels());
    if (gamma_.size() != channels) {
        gamma_.assign(channels, 1.f);
        beta_.assign(channels, 0.f);
    }
    if (!running_.mean.empty() && running_.mean.size() != channels) reset_running();
    const kernels::NormSpec spec{.kind = config_.family, .eps = config_.eps, .groups = config_.groups,
                                 .eps_placement = config_.eps_placement, .storage = config_.storage,
                                 .accumulate = config_.accumulate, .mode = config_.mode,
                                 .momentum = config_.momentum};
    y_.assign(x_.size(), 0.f);
    error_ = kernels::plan_groups(shape_, spec, &plan_);
    // Train mode shows the batch statistics without updating the running ones (only
    // train_batches() does that); eval reads them.
    kernels::RunningStats* running = config_.mode == kernels::NormMode::Eval ? &running_ : nullptr;
    if (error_.empty())
        error_ = kernels::normalize(spec, kernels::NormArgs{.x = {x_.data(), shape_}, .y = y_.data(),
                                                            .gamma = gamma_.data(), .beta = beta_.data(),
                                                            .trace = &trace_, .running = running});
    train_eval_gap_ = 0;
    if (error_.empty() && config_.family == kernels::NormKind::Batch) {
        kernels::NormSpec other = spec;
        other.mode = config_.mode == kernels::NormMode::Train ? kernels::NormMode::Eval : kernels::NormMode::Train;
        std::vector<float> y2(x_.size());
        kernels::RunningStats copy = running_;
        if (kernels::normalize(other, kernels::NormArgs{.x = {x_.data(), shape_}, .y = y2.data(),
                                                        .gamma = gamma_.data(), .beta = beta_.data(),
                                                        .running = other.mode == kernels::NormMode::Eval ? &copy : nullptr})
                .empty())
            for (std::size_t i = 0; i < y2.size(); ++i)
                train_eval_gap_ = std::max(train_eval_gap_, std::fabs(y2[i] - y_[i]));
    }
    y_compare_.clear();
    if (error_.empty() && compare_) {
        kernels::NormSpec other = spec;
        other.kind = *compare_;
        kernels::RunningStats copy = running_;
        y_compare_.assign(x_.size(), 0.f);
        if (!kernels::plan_groups(shape_, other, &plan_compare_).empty() ||
            !kernels::normalize(other, kernels::NormArgs{.x = {x_.data(), shape_}, .y = y_compare_.data(),
                                                         .gamma = gamma_.data(), .beta = beta_.data(),
                                                         .trace = &trace_compare_,
                                                         .running = config_.mode == kernels::NormMode::Eval ? &copy : nullptr})
                 .empty())
            y_compare_.clear();   // the compare family does not fit this tensor: show none
    }
    nonfinite_ = static_cast<std::size_t>(
        std::count_if(y_.begin(), y_.end(), [](float v) { return !std::isfinite(v); }));
    if (error_.empty() && sweep_.group >= plan_.group_count()) sweep_.group = 0;
    ++revision_;
}

void Lab::step(double dt) {
    if (!sweep_.playing || plan_.group_count() == 0 || !(dt > 0)) return;
    sweep_.phase += std::min(dt, 0.25);   // a stalled tab must not skip many groups at once
    const double period = 1.0 / std::max(0.05f, sweep_.groups_per_second);
    while (sweep_.phase >= period) {
        sweep_.phase -= period;
        sweep_.group = (sweep_.group + 1) % plan_.group_count();
    }
}

void Lab::focus_group(std::size_t group) {
    if (plan_.group_count() == 0) return;
    sweep_.group = group % plan_.group_count();
    sweep_.phase = 0;
}

void Lab::step_group(int delta) {
    const auto n = static_cast<long long>(plan_.group_count());
    if (n == 0) return;
    long long g = static_cast<long long>(sweep_.group) + delta;
    g = ((g % n) + n) % n;
    focus_group(static_cast<std::size_t>(g));
}

} // namespace normlab::sim
