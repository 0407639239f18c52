#include "sim/lab.h"

#include <algorithm>
#include <cmath>

#include "core/rng.h"

namespace normlab::sim {

const char* preset_name(DataPreset preset) {
    switch (preset) {
    case DataPreset::Stable: return "Stable batch";
    case DataPreset::ShiftedMean: return "Shifted mean";
    case DataPreset::Outliers: return "Heavy outliers";
    case DataPreset::ScaleDrift: return "Per-example scale drift";
    }
    return "?";
}

CellStats group_cell_stats(const std::vector<float>& values, const kernels::GroupPlan& plan,
                           std::size_t g) {
    CellStats s;
    double sum = 0, sumsq = 0;
    s.min = INFINITY;
    s.max = -INFINITY;
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (kernels::group_of(plan, i) != g) continue;
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
        if (kernels::group_of(plan, i) != g) continue;
        const double dv = values[i] - s.mean;
        centered += dv * dv;
    }
    s.std = std::sqrt(centered / n);
    s.rms = std::sqrt(sumsq / n);
    return s;
}

void Lab::init(const LabConfig& config) {
    config_ = config;
    config_.batch = std::clamp(config_.batch, 1, kMaxBatch);
    config_.features = std::clamp(config_.features, 1, kMaxFeatures);
    sweep_ = Sweep{};
    regenerate();
}

std::string Lab::set_family(kernels::NormKind family) {
    if (family == kernels::NormKind::Group || family == kernels::NormKind::Instance) {
        return std::string(kernels::norm_name(family)) +
               " needs channels with spatial extent; this board shows (B, d) matrices";
    }
    config_.family = family;
    recompute();
    return "";
}

std::string Lab::set_batch(int batch) {
    const int clamped = std::clamp(batch, 1, kMaxBatch);
    config_.batch = clamped;
    regenerate();
    if (clamped != batch)
        return "batch size " + std::to_string(batch) + " is out of range; using " +
               std::to_string(clamped) + " (1 to " + std::to_string(kMaxBatch) + ")";
    return "";
}

std::string Lab::set_features(int features) {
    const int clamped = std::clamp(features, 1, kMaxFeatures);
    config_.features = clamped;
    regenerate();
    if (clamped != features)
        return "feature count " + std::to_string(features) + " is out of range; using " +
               std::to_string(clamped) + " (1 to " + std::to_string(kMaxFeatures) + ")";
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
    regenerate();
}

void Lab::resample(std::uint64_t seed) {
    config_.seed = seed;
    regenerate();
}

void Lab::regenerate() {
    shape_ = core::Shape::matrix(config_.batch, config_.features);
    const int b = config_.batch, d = config_.features;
    core::Rng rng(config_.seed * 131 + static_cast<std::uint64_t>(config_.preset));
    // Every feature has its own offset and scale (what BatchNorm removes); examples get
    // their own drift (what LayerNorm removes). Presets exaggerate one of the two.
    std::vector<double> feat_mean(d), feat_scale(d), ex_shift(b), ex_scale(b);
    for (int j = 0; j < d; ++j) {
        feat_mean[j] = 0.8 * rng.normal();
        feat_scale[j] = 0.4 + 0.9 * rng.uniform();
    }
    for (int i = 0; i < b; ++i) {
        ex_shift[i] = 0.3 * rng.normal();
        ex_scale[i] = 1.0;
    }
    switch (config_.preset) {
    case DataPreset::Stable: break;
    case DataPreset::ShiftedMean:
        for (int j = 0; j < d; ++j) feat_mean[j] += 2.5;
        break;
    case DataPreset::ScaleDrift:
        for (int i = 0; i < b; ++i) ex_scale[i] = std::exp(1.2 * (i - 0.5 * (b - 1)) / std::max(1, b));
        break;
    case DataPreset::Outliers: break;
    }
    x_.assign(static_cast<std::size_t>(b) * d, 0.f);
    for (int i = 0; i < b; ++i)
        for (int j = 0; j < d; ++j) {
            double v = feat_mean[j] + ex_shift[i] + feat_scale[j] * rng.normal();
            if (config_.preset == DataPreset::Outliers && rng.uniform() < 0.04)
                v += (rng.uniform() < 0.5 ? -1 : 1) * (6.0 + 4.0 * rng.uniform());
            x_[static_cast<std::size_t>(i) * d + j] = static_cast<float>(v * ex_scale[i]);
        }
    recompute();
}

void Lab::recompute() {
    const kernels::NormSpec spec{.kind = config_.family, .eps = config_.eps, .groups = 1};
    y_.assign(x_.size(), 0.f);
    error_ = kernels::plan_groups(shape_, spec, &plan_);
    if (error_.empty())
        error_ = kernels::normalize(spec, core::TensorView{x_.data(), shape_}, y_.data(),
                                    nullptr, nullptr, &trace_);
    nonfinite_ = static_cast<std::size_t>(
        std::count_if(y_.begin(), y_.end(), [](float v) { return !std::isfinite(v); }));
    if (error_.empty() && sweep_.group >= plan_.group_count()) sweep_.group = 0;
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
