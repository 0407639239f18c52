// train/experiment.cpp: see experiment.h.
#include "train/experiment.h"

#include <cstdio>

namespace normlab::train {

namespace {

std::string format_g(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

} // namespace

std::string Experiment::add(const std::string& label, const TrainConfig& config) {
    Trainer t;
    const std::string error = t.init(config);
    if (!error.empty()) return label + ": " + error;
    runs_.push_back(std::move(t));
    labels_.push_back(label);
    return {};
}

int Experiment::advance(int step_budget) {
    int spent = 0;
    std::size_t idle = 0; // consecutive finished runs seen; all finished when it reaches size
    while (spent < step_budget && !runs_.empty() && idle < runs_.size()) {
        if (next_ >= runs_.size()) next_ = 0;
        Trainer& t = runs_[next_++];
        if (t.finished()) {
            ++idle;
            continue;
        }
        idle = 0;
        spent += t.advance(1);
    }
    return spent;
}

bool Experiment::start_next() {
    for (Trainer& t : runs_)
        if (!t.started()) {
            t.start(); // a failure marks the run failed; its message is in its status
            return true;
        }
    return false;
}

bool Experiment::finished() const {
    for (const Trainer& t : runs_)
        if (!t.finished()) return false;
    return true;
}

void Experiment::reset() {
    for (Trainer& t : runs_)
        t.reset();
    next_ = 0;
}

void Experiment::clear() {
    runs_.clear();
    labels_.clear();
    next_ = 0;
}

RunSummary Experiment::summarize(std::size_t i) const {
    const Trainer& t = runs_[i];
    const TrainStatus& s = t.status();
    const Curves& c = t.curves();
    RunSummary r;
    r.label = labels_[i];
    r.steps = s.step;
    r.finished = s.finished;
    r.initial_loss = s.initial_loss;
    r.final_loss = s.final_loss;
    if (!c.eval_acc.empty()) {
        r.train_acc = c.train_acc.back();
        r.eval_acc = c.eval_acc.back();
        r.gap = r.train_acc - r.eval_acc;
    }
    r.diverged = s.diverged;
    r.diverged_step = s.diverged_step;
    r.diverged_reason = s.diverged_reason;
    return r;
}

std::vector<RunSummary> Experiment::summarize() const {
    std::vector<RunSummary> out;
    out.reserve(runs_.size());
    for (std::size_t i = 0; i < runs_.size(); ++i)
        out.push_back(summarize(i));
    return out;
}

std::string make_lr_sweep(const TrainConfig& base, std::span<const Norm> norms,
                          std::span<const float> lrs, Experiment* out) {
    Experiment e;
    e.name = "learning-rate sweep";
    for (Norm n : norms)
        for (float lr : lrs) {
            TrainConfig c = base;
            c.net.norm = n;
            c.lr = lr;
            const std::string error =
                e.add(std::string(norm_choice_id(n)) + " lr=" + format_g(lr), c);
            if (!error.empty()) return error;
        }
    *out = std::move(e);
    return {};
}

std::string make_batch_sweep(const TrainConfig& base, std::span<const int> batches,
                             Experiment* out) {
    Experiment e;
    e.name = "batch-size sweep";
    for (int b : batches) {
        TrainConfig c = base;
        c.batch = b;
        const std::string error = e.add("batch " + std::to_string(b), c);
        if (!error.empty()) return error;
    }
    *out = std::move(e);
    return {};
}

std::string make_bn_momentum_sweep(const TrainConfig& base, std::span<const float> momenta,
                                   Experiment* out) {
    Experiment e;
    e.name = "running-statistics momentum";
    for (float m : momenta) {
        TrainConfig c = base;
        c.net.norm = Norm::Batch;
        c.net.bn_momentum = m;
        const std::string error = e.add("bn momentum " + format_g(m), c);
        if (!error.empty()) return error;
    }
    *out = std::move(e);
    return {};
}

std::string make_placement_sweep(const TrainConfig& base, std::span<const Placement> placements,
                                 bool include_no_norm, std::span<const int> warmups,
                                 Experiment* out) {
    Experiment e;
    e.name = "residual placement";
    for (int w : warmups) {
        TrainConfig c = base;
        c.net.arch = Arch::Residual;
        c.warmup_steps = w;
        const std::string suffix = ", warmup " + std::to_string(w);
        for (Placement p : placements) {
            c.net.placement = p;
            if (c.net.norm == Norm::None) c.net.norm = Norm::Layer;
            const std::string error = e.add(std::string(placement_id(p)) + suffix, c);
            if (!error.empty()) return error;
        }
        if (include_no_norm) {
            c.net.norm = Norm::None;
            const std::string error = e.add("no norm" + suffix, c);
            if (!error.empty()) return error;
        }
    }
    *out = std::move(e);
    return {};
}

std::string make_precision_sweep(const TrainConfig& base,
                                 std::span<const kernels::Precision> storages,
                                 std::span<const kernels::Accumulate> accumulates,
                                 std::span<const float> input_scales, Experiment* out) {
    Experiment e;
    e.name = "mixed precision";
    for (kernels::Precision p : storages)
        for (kernels::Accumulate a : accumulates)
            for (float scale : input_scales) {
                TrainConfig c = base;
                c.net.storage = p;
                c.net.accumulate = a;
                c.task.input_scale = scale;
                const std::string error = e.add(std::string(kernels::precision_id(p)) + "/" +
                                                    kernels::accumulate_id(a) + " x" +
                                                    format_g(scale),
                                                c);
                if (!error.empty()) return error;
            }
    *out = std::move(e);
    return {};
}

} // namespace normlab::train
