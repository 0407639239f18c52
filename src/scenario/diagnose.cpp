// scenario/diagnose.cpp: see diagnose.h. The rules are listed, one line each, in the
// registry's diagnosis table (registry.cpp), in the order reported here.
#include "scenario/diagnose.h"

#include <algorithm>
#include <cmath>

#include "kernels/norm.h"
#include "kernels/precision.h"

namespace normlab::scenario {

namespace {

using kernels::NormKind;

double median(std::vector<double> v) {
    if (v.empty()) return 0;
    const auto mid = v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2);
    std::nth_element(v.begin(), mid, v.end());
    return *mid;
}

// The statistic each family divides by: the variance, or the mean square for RMSNorm.
std::vector<double> group_scale_stats(const sim::Lab& lab) {
    const kernels::NormTrace& t = lab.trace();
    std::vector<double> v;
    const bool rms = lab.config().family == NormKind::Rms;
    const std::size_t n = rms ? t.rms.size() : t.var.size();
    for (std::size_t g = 0; g < n; ++g)
        v.push_back(rms ? double(t.rms[g]) * t.rms[g] : double(t.var[g]));
    return v;
}

// y of the same lab, computed with fp32 storage and accumulation (the reference).
std::vector<float> fp32_output(const sim::Lab& lab) {
    const sim::LabConfig& c = lab.config();
    const kernels::NormSpec spec{.kind = c.family,
                                 .eps = c.eps,
                                 .groups = c.groups,
                                 .eps_placement = c.eps_placement,
                                 .mode = c.mode,
                                 .momentum = c.momentum};
    std::vector<float> y(lab.x().size());
    kernels::RunningStats running = lab.running();
    const std::string err = kernels::normalize(
        spec, kernels::NormArgs{.x = {lab.x().data(), lab.shape()},
                                .y = y.data(),
                                .gamma = lab.gamma().data(),
                                .beta = lab.beta().data(),
                                .running = c.mode == kernels::NormMode::Eval ? &running : nullptr,
                                .impl = kernels::Impl::Reference});
    if (!err.empty()) return {};
    return y;
}

// A few cells (at most 10%) more than 6 robust deviations from their channel's median. The
// deviation is the larger of the whole tensor's and the cell's example's (median absolute
// deviation x 1.4826): an example at another overall scale is not "an outlier", and a small
// example's noisy MAD cannot make ordinary values look extreme.
bool has_outliers(const sim::Lab& lab) {
    const std::vector<float>& x = lab.x();
    const core::Shape& shape = lab.shape();
    const std::size_t n = x.size();
    const auto channels = static_cast<std::size_t>(shape.channels());
    const auto batch = static_cast<std::size_t>(shape.batch());
    // Medians of fewer than 5 values per channel say nothing about outliers.
    if (n < 8 || n / std::max<std::size_t>(1, channels) < 5) return false;
    std::vector<std::vector<double>> by_channel(channels);
    for (std::size_t i = 0; i < n; ++i)
        if (std::isfinite(x[i])) by_channel[kernels::channel_of(shape, i)].push_back(x[i]);
    std::vector<double> center(channels);
    for (std::size_t c = 0; c < channels; ++c)
        center[c] = median(by_channel[c]);
    std::vector<double> resid(n);
    std::vector<std::vector<double>> by_example(batch);
    for (std::size_t i = 0; i < n; ++i) {
        resid[i] = std::fabs(x[i] - center[kernels::channel_of(shape, i)]);
        if (std::isfinite(resid[i]))
            by_example[static_cast<std::size_t>(lab.example_of(i))].push_back(resid[i]);
    }
    std::vector<double> finite;
    for (double r : resid)
        if (std::isfinite(r)) finite.push_back(r);
    const double global = 1.4826 * median(finite);
    std::vector<double> scale(batch);
    for (std::size_t b = 0; b < batch; ++b)
        scale[b] = std::max(global, 1.4826 * median(by_example[b]));
    std::size_t flagged = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const double s = scale[static_cast<std::size_t>(lab.example_of(i))];
        if (s > 0 && resid[i] > 6 * s) ++flagged;
    }
    return flagged >= 1 && flagged * 10 <= n;
}

} // namespace

std::vector<std::string> diagnose(const sim::Lab& lab) {
    std::vector<std::string> out;
    if (!lab.error().empty()) return out;
    const sim::LabConfig& c = lab.config();
    const NormKind family = c.family;
    const kernels::NormTrace& t = lab.trace();
    const std::size_t group_size = lab.plan().group_size();
    const double eps = c.eps;
    const bool batchnorm = family == NormKind::Batch;
    const bool train = c.mode == kernels::NormMode::Train;
    const auto add = [&](const char* id) { out.emplace_back(id); };

    const bool nonfinite_x =
        std::any_of(lab.x().begin(), lab.x().end(), [](float v) { return !std::isfinite(v); });
    if (nonfinite_x) add("nonfinite_input");

    const bool low_precision =
        c.storage != kernels::Precision::Fp32 || c.accumulate == kernels::Accumulate::Storage;
    bool overflow = false;
    if (c.storage == kernels::Precision::Fp16) {
        const float limit = kernels::max_finite(kernels::Precision::Fp16);
        const auto bad = [](float v) { return !std::isfinite(v); };
        overflow = (!nonfinite_x && lab.nonfinite_outputs() > 0) ||
                   std::any_of(t.mean.begin(), t.mean.end(), bad) ||
                   std::any_of(t.var.begin(), t.var.end(), bad) ||
                   std::any_of(t.rms.begin(), t.rms.end(), bad) ||
                   std::any_of(lab.x().begin(), lab.x().end(),
                               [&](float v) { return std::fabs(v) > limit; });
        if (overflow && !nonfinite_x) add("fp16_overflow");
    }
    if (low_precision && !overflow && !nonfinite_x) {
        const std::vector<float> ref = fp32_output(lab);
        double worst = 0;
        for (std::size_t i = 0; i < ref.size() && i < lab.y().size(); ++i) {
            const double d = std::fabs(double(lab.y()[i]) - ref[i]);
            worst = std::isfinite(d) ? std::max(worst, d) : INFINITY;
        }
        if (worst > 0.05) add("precision_loss");
    }

    if (batchnorm && train && group_size == 1) add("batch_of_one");
    if ((family == NormKind::Layer || family == NormKind::Rms) && group_size == 1)
        add("d_equals_1");
    if ((family == NormKind::Group || family == NormKind::Instance) && group_size == 1)
        add("single_cell_groups");
    if (batchnorm && train && group_size > 1 && c.batch <= 4) add("tiny_batch");
    if (batchnorm && !train && lab.batches_trained() == 0) add("running_stats_untrained");
    if (batchnorm && lab.batches_trained() > 0 && lab.train_eval_gap() > 0.5f)
        add("train_eval_gap");

    const std::vector<double> stat = group_scale_stats(lab);
    if (c.eps_placement == kernels::EpsPlacement::Outside) {
        bool matters = false;
        for (double v : stat) {
            if (!(v >= 0) || !std::isfinite(v)) continue;
            const double inside = 1 / std::sqrt(v + eps), outside = 1 / (std::sqrt(v) + eps);
            if (std::fabs(outside - inside) > 0.01 * inside) matters = true;
        }
        add(matters ? "eps_bug_active" : "eps_bug_latent");
    }
    const double typical = median(stat);
    const bool single = group_size == 1; // a group of one has variance 0 by definition
    if (!single && eps > 0 && typical < 10 * eps) add("eps_too_large");
    if (!single &&
        std::any_of(
            stat.begin(), stat.end(),
            [&](double v) { return std::isfinite(v) && v < std::max(10 * eps, 1e-4 * typical); }) &&
        !(typical < 10 * eps))
        add("near_constant_group");
    if (has_outliers(lab)) add("outliers");
    for (std::size_t g = 0; g < t.mean.size() && g < t.var.size(); ++g) {
        const double sd = std::sqrt(std::max(0.0, double(t.var[g])));
        if (group_size > 1 && std::isfinite(t.mean[g]) && std::fabs(t.mean[g]) > 1000 * sd &&
            std::fabs(t.mean[g]) >= 100) {
            add("large_offset");
            break;
        }
    }
    if (c.batch >= 2) {
        std::vector<double> sum(static_cast<std::size_t>(c.batch)),
            count(static_cast<std::size_t>(c.batch));
        for (std::size_t i = 0; i < lab.x().size(); ++i) {
            const auto b = static_cast<std::size_t>(lab.example_of(i));
            sum[b] += double(lab.x()[i]) * lab.x()[i];
            count[b] += 1;
        }
        double lo = INFINITY, hi = 0;
        for (std::size_t b = 0; b < sum.size(); ++b) {
            const double rms = std::sqrt(sum[b] / std::max(1.0, count[b]));
            if (!std::isfinite(rms)) continue;
            lo = std::min(lo, rms);
            hi = std::max(hi, rms);
        }
        if (lo > 0 && hi > 4 * lo) add("scale_drift");
    }
    if (family == NormKind::Rms) {
        const kernels::GroupPlan& plan = lab.plan();
        std::vector<double> sum(plan.group_count());
        for (std::size_t i = 0; i < lab.y().size(); ++i)
            sum[kernels::group_of(plan, i)] += lab.y()[i];
        const double n = static_cast<double>(std::max<std::size_t>(1, group_size));
        if (std::any_of(sum.begin(), sum.end(), [&](double s) { return std::fabs(s / n) > 0.5; }))
            add("rms_keeps_mean");
    }
    if (out.empty()) add("healthy");
    return out;
}

} // namespace normlab::scenario
