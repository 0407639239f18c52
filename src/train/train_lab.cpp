// train/train_lab.cpp: see train_lab.h.
// Index: [SECTION] ids and settings, running, Jacobian, findings.
#include "train/train_lab.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "core/rng.h"

namespace normlab::train {

namespace {

// [SECTION] ids and settings

struct ExperimentInfo {
    LabExperiment e;
    const char* id;
    const char* name;
};
constexpr ExperimentInfo kInfo[] = {
    {LabExperiment::Lr, "lr", "Learning rate"},
    {LabExperiment::Batch, "batch", "Batch size"},
    {LabExperiment::Momentum, "momentum", "Running-stats momentum"},
    {LabExperiment::Placement, "placement", "Residual depth"},
    {LabExperiment::Precision, "precision", "Mixed precision"},
    {LabExperiment::Jacobian, "jacobian", "Jacobian"},
};

std::string g3(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3g", v);
    return buf;
}
std::string pct(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.0f%%", v * 100);
    return buf;
}

TrainConfig base_config(const TrainLabSettings& s) {
    TrainConfig c;
    c.task.kind = s.task;
    c.task.seed = s.seed;
    c.net.depth = s.depth;
    c.net.width = s.width;
    c.net.eps = s.eps;
    c.net.norm = s.norm;
    c.lr = s.lr;
    c.batch = s.batch;
    c.steps = s.steps;
    // Small splits and few evaluations keep building 20 runs (each evaluates at step 0) and
    // the per-step cost low enough for the browser's frame budget.
    c.task.train_size = 256;
    c.task.eval_size = 256;
    c.eval_every = std::max(10, s.steps / 8);
    c.seed = s.seed;
    return c;
}

} // namespace

const char* lab_experiment_id(LabExperiment e) {
    for (const ExperimentInfo& i : kInfo)
        if (i.e == e) return i.id;
    return "lr";
}
const char* lab_experiment_name(LabExperiment e) {
    for (const ExperimentInfo& i : kInfo)
        if (i.e == e) return i.name;
    return "";
}
bool parse_lab_experiment(const std::string& id, LabExperiment* out) {
    for (const ExperimentInfo& i : kInfo)
        if (id == i.id) {
            *out = i.e;
            return true;
        }
    return false;
}

TrainLabSettings default_settings(LabExperiment e) {
    TrainLabSettings s;
    s.experiment = e;
    switch (e) {
    case LabExperiment::Lr:
        s.norm = Norm::None; // unused: the sweep runs every norm
        break;
    case LabExperiment::Batch:
    case LabExperiment::Momentum:
        s.norm = Norm::Batch;
        s.lr = 0.1f;
        break;
    case LabExperiment::Placement:
        s.norm = Norm::Layer;
        s.depth = 16;
        s.width = 32;
        s.lr = 0.1f;
        s.warmup = 100;
        s.steps = 300;
        break;
    case LabExperiment::Precision:
        s.norm = Norm::Layer;
        s.lr = 0.1f;
        break;
    case LabExperiment::Jacobian:
        s.norm = Norm::Layer;
        break;
    }
    return s;
}

std::string check_lab_settings(const TrainLabSettings& s) {
    if (s.steps < 10 || s.steps > 5000) return "steps must be 10 to 5000";
    if (s.batch < 2 || s.batch > 512) return "batch must be 2 to 512";
    if (!(s.lr > 0.f) || !(s.lr <= 10.f)) return "lr must be above 0 and at most 10";
    if (s.depth < 1 || s.depth > kMaxDepth) return "depth must be 1 to 64";
    if (s.width < 4 || s.width > 128) return "width must be 4 to 128";
    if (s.warmup < 0 || s.warmup > 5000) return "warmup must be 0 to 5000";
    if (!(s.eps >= 0.f) || !(s.eps <= 1.f)) return "eps must be 0 to 1";
    if (s.jacobian_n < 2 || s.jacobian_n > kMaxJacobianSize)
        return "the Jacobian's vector must have 2 to " + std::to_string(kMaxJacobianSize) +
               " values";
    if (!std::isfinite(s.jacobian_shift) || std::abs(s.jacobian_shift) > 100)
        return "the Jacobian's shift must be -100 to 100";
    if (s.jacobian_kind != kernels::NormKind::Layer && s.jacobian_kind != kernels::NormKind::Rms)
        return "the Jacobian view shows layernorm or rmsnorm";
    if ((s.experiment == LabExperiment::Placement || s.experiment == LabExperiment::Precision) &&
        s.norm != Norm::Layer && s.norm != Norm::Rms)
        return std::string("the ") + lab_experiment_id(s.experiment) +
               " experiment uses layernorm or rmsnorm, not " + norm_choice_id(s.norm);
    if (s.experiment == LabExperiment::Batch && s.norm == Norm::Group && s.width % 4 != 0)
        return "groupnorm needs a width divisible by 4";
    return {};
}

// [SECTION] running

std::string TrainLab::configure(const TrainLabSettings& s) {
    if (std::string e = check_lab_settings(s); !e.empty()) return e;
    const TrainConfig base = base_config(s);
    Experiment e;
    std::string error;
    switch (s.experiment) {
    case LabExperiment::Lr:
        error = make_lr_sweep(base, kLrNorms, kLrValues, &e);
        break;
    case LabExperiment::Batch:
        error = make_batch_sweep(base, kBatchValues, &e);
        break;
    case LabExperiment::Momentum:
        error = make_bn_momentum_sweep(base, kMomentumValues, &e);
        break;
    case LabExperiment::Placement: {
        const Placement placements[] = {Placement::Pre, Placement::Post, Placement::Sandwich};
        const int warmups[] = {0, s.warmup};
        error = make_placement_sweep(base, placements, true,
                                     std::span<const int>(warmups, s.warmup > 0 ? 2 : 1), &e);
        break;
    }
    case LabExperiment::Precision: {
        const kernels::Precision storages[] = {kernels::Precision::Fp32, kernels::Precision::Fp16,
                                               kernels::Precision::Bf16};
        const kernels::Accumulate acc[] = {kernels::Accumulate::Storage};
        error = make_precision_sweep(base, storages, acc, kPrecisionScales, &e);
        break;
    }
    case LabExperiment::Jacobian:
        break;
    }
    if (!error.empty()) return error;

    // The Jacobian of both kinds for one seeded vector (cheap: n backward calls of n values).
    JacobianView jv;
    core::Rng rng(s.seed);
    for (int i = 0; i < s.jacobian_n; ++i)
        jv.x.push_back(static_cast<float>(rng.normal()) + s.jacobian_shift);
    const std::vector<float> ones(jv.x.size(), 1.f);
    std::string jerr = norm_jacobian(kernels::NormKind::Layer, jv.x, s.eps, &jv.layer);
    if (jerr.empty()) jerr = norm_jacobian(kernels::NormKind::Rms, jv.x, s.eps, &jv.rms);
    if (jerr.empty()) {
        jacobian_apply(jv.layer, ones, &jv.layer_ones);
        jacobian_apply(jv.layer, jv.x, &jv.layer_x);
        jacobian_apply(jv.rms, ones, &jv.rms_ones);
        jacobian_apply(jv.rms, jv.x, &jv.rms_x);
    }
    jv.error = jerr;

    std::vector<PrecisionProbe> probe;
    if (s.experiment == LabExperiment::Precision) {
        core::Rng prng(s.seed + 7);
        std::vector<float> probe_x(32);
        for (float& v : probe_x)
            v = static_cast<float>(prng.normal());
        const kernels::NormKind kind = s.norm == Norm::Rms ? kernels::NormKind::Rms : kernels::NormKind::Layer;
        for (float scale : kPrecisionScales) {
            std::vector<float> x(probe_x.size()), ref(x.size()), y(x.size());
            for (std::size_t i = 0; i < x.size(); ++i)
                x[i] = probe_x[i] * scale;
            double mean = 0, var = 0;
            for (float v : x) mean += v;
            mean /= static_cast<double>(x.size());
            for (float v : x) var += (v - mean) * (v - mean);
            var /= static_cast<double>(x.size());
            const core::TensorView view{x.data(), core::Shape::matrix(1, static_cast<int>(x.size()))};
            kernels::NormSpec spec{.kind = kind, .eps = s.eps};
            kernels::normalize(spec, view, ref.data(), nullptr, nullptr, nullptr);
            for (kernels::Precision p : {kernels::Precision::Fp32, kernels::Precision::Fp16,
                                         kernels::Precision::Bf16}) {
                spec.storage = p;
                spec.accumulate = kernels::Accumulate::Storage;
                kernels::NormTrace trace;
                PrecisionProbe pr{.storage = p, .scale = scale,
                                  .true_var = static_cast<float>(kind == kernels::NormKind::Rms ? var + mean * mean : var)};
                if (!kernels::normalize(spec, view, y.data(), nullptr, nullptr, &trace).empty()) continue;
                pr.var = kind == kernels::NormKind::Rms ? trace.rms[0] * trace.rms[0] : trace.var[0];
                for (std::size_t i = 0; i < y.size(); ++i) {
                    if (!std::isfinite(y[i])) pr.finite = false;
                    pr.max_error = std::max(pr.max_error, std::abs(y[i] - ref[i]));
                }
                if (!pr.finite) pr.max_error = INFINITY;
                probe.push_back(pr);
            }
        }
    }

    settings_ = s;
    experiment_ = std::move(e);
    jacobian_ = std::move(jv);
    probe_ = std::move(probe);
    return {};
}

int TrainLab::run_for(double budget_ms) {
    using clock = std::chrono::steady_clock;
    const auto start = clock::now();
    // Runs take their step-0 measurements first, within the same budget, so their (uneven)
    // cost never enters the per-step estimate below.
    if (prepare(budget_ms)) return 0;
    int done = 0;
    while (!experiment_.finished() && experiment_.size() > 0) {
        const double spent =
            std::chrono::duration<double, std::milli>(clock::now() - start).count();
        const double left = budget_ms - spent;
        if (left <= 0) break;
        // Aim at 80% of what is left so one slow chunk does not overshoot the frame.
        const int chunk = std::clamp(static_cast<int>(left * 0.8 / std::max(ms_per_step_, 1e-4)),
                                     1, 4096);
        const auto t0 = clock::now();
        const int n = experiment_.advance(chunk);
        const double ms = std::chrono::duration<double, std::milli>(clock::now() - t0).count();
        if (n <= 0) break;
        done += n;
        // Exponential average of the cost per step (runs differ: depth, batch).
        ms_per_step_ = 0.7 * ms_per_step_ + 0.3 * (ms / n);
    }
    return done;
}

bool TrainLab::prepare(double budget_ms) {
    using clock = std::chrono::steady_clock;
    const auto start = clock::now();
    while (std::chrono::duration<double, std::milli>(clock::now() - start).count() < budget_ms)
        if (!experiment_.start_next()) return false;
    return true;
}

void TrainLab::reset() {
    experiment_.reset();
}

bool TrainLab::finished() const {
    return experiment_.size() == 0 || experiment_.finished();
}

int TrainLab::steps_done() const {
    int n = 0;
    for (std::size_t i = 0; i < experiment_.size(); ++i)
        n += experiment_.run(i).status().step;
    return n;
}

int TrainLab::steps_total() const {
    int n = 0;
    for (std::size_t i = 0; i < experiment_.size(); ++i)
        n += experiment_.run(i).config().steps;
    return n;
}

float max_abs(const std::vector<float>& v) {
    float m = 0;
    for (float x : v)
        m = std::max(m, std::abs(x));
    return m;
}

// [SECTION] findings

namespace {

using Kind = Finding::Kind;

// Steps until the 10-step mean of the minibatch loss first fell below half the initial loss;
// -1 if it never did (or the run diverged first).
int steps_to_halve(const Trainer& t) {
    const std::vector<float>& loss = t.curves().loss;
    if (loss.empty()) return -1;
    const double target = 0.5 * t.status().initial_loss;
    double sum = 0;
    for (std::size_t i = 0; i < loss.size(); ++i) {
        if (!std::isfinite(loss[i])) return -1;
        sum += loss[i];
        if (i >= 10) sum -= loss[i - 10];
        const double mean = sum / static_cast<double>(std::min<std::size_t>(i + 1, 10));
        if (i >= 9 && mean < target) return static_cast<int>(i + 1);
    }
    return -1;
}

// Standard deviation of the last n minibatch losses (the batch-to-batch noise).
double loss_noise(const Trainer& t, std::size_t n) {
    const std::vector<float>& loss = t.curves().loss;
    const std::size_t k = std::min(n, loss.size());
    if (k < 2) return 0;
    double mean = 0, sq = 0;
    for (std::size_t i = loss.size() - k; i < loss.size(); ++i)
        mean += loss[i];
    mean /= static_cast<double>(k);
    for (std::size_t i = loss.size() - k; i < loss.size(); ++i)
        sq += (loss[i] - mean) * (loss[i] - mean);
    return std::sqrt(sq / static_cast<double>(k));
}

std::string outcome(const RunSummary& s) {
    if (s.diverged)
        return "diverged at step " + std::to_string(s.diverged_step) + " (" + s.diverged_reason +
               ")";
    return "loss " + g3(s.initial_loss) + " -> " + g3(s.final_loss) + ", held-out accuracy " +
           pct(s.eval_acc);
}

void lr_findings(const TrainLab& lab, std::vector<Finding>& out) {
    const Experiment& e = lab.experiment();
    const auto sums = e.summarize();
    constexpr std::size_t kNorms = std::size(kLrNorms), kLrs = std::size(kLrValues);
    if (sums.size() != kNorms * kLrs) return;
    // Runs are norm-major (make_lr_sweep: for each norm, for each lr).
    float max_stable[kNorms]; // the largest lr below this norm's first divergence
    bool all_done = e.finished();
    for (std::size_t n = 0; n < kNorms; ++n) {
        max_stable[n] = 0;
        bool broke = false;
        float first_div = -1, best_lr = -1, best_loss = INFINITY;
        int div_step = -1;
        std::string reason;
        for (std::size_t l = 0; l < kLrs; ++l) {
            const RunSummary& s = sums[n * kLrs + l];
            if (s.diverged) {
                broke = true;
                if (first_div < 0) {
                    first_div = kLrValues[l];
                    div_step = s.diverged_step;
                    reason = s.diverged_reason;
                }
            } else if (s.finished) {
                if (!broke) max_stable[n] = kLrValues[l];
                if (s.final_loss < best_loss) {
                    best_loss = s.final_loss;
                    best_lr = kLrValues[l];
                }
            }
        }
        std::string text = std::string(norm_choice_name(kLrNorms[n])) + ": ";
        if (max_stable[n] > 0) text += "trained at every lr up to " + g3(max_stable[n]);
        else if (first_div == kLrValues[0]) text += "diverged already at the smallest lr";
        else text += "no learning rate has finished yet";
        if (first_div > 0)
            text += "; diverged at lr " + g3(first_div) + " (step " + std::to_string(div_step) +
                    ", " + reason + ")";
        else if (all_done)
            text += "; no lr in the sweep diverged";
        if (best_lr > 0) text += "; best final loss " + g3(best_loss) + " at lr " + g3(best_lr);
        out.push_back({Kind::Fact, text + "."});
    }
    if (!all_done) {
        out.push_back({Kind::Open, "Claims are checked when every run has finished."});
        return;
    }
    // Claim: a norm lets you use a larger learning rate.
    std::string better, not_better;
    for (std::size_t n = 1; n < kNorms; ++n) {
        std::string& into = max_stable[n] > max_stable[0] ? better : not_better;
        into += std::string(into.empty() ? "" : ", ") + norm_choice_name(kLrNorms[n]) + " (" +
                g3(max_stable[n]) + ")";
    }
    const std::string base = "largest stable lr without a norm: " + g3(max_stable[0]);
    if (!better.empty())
        out.push_back({Kind::Holds, "\"A norm tolerates larger learning rates\" holds here for " +
                                        better + "; " + base + "."});
    if (!not_better.empty())
        out.push_back({Kind::Fails, "\"A norm tolerates larger learning rates\" does not hold "
                                    "here for " +
                                        not_better + "; " + base + "."});
    // Claim: normalization makes training several times faster (at lr 0.1, the base lr).
    std::size_t l01 = 1; // kLrValues[1] == 0.1
    const int none = steps_to_halve(e.run(0 * kLrs + l01));
    std::string speed;
    double best_ratio = 0;
    for (std::size_t n = 1; n < kNorms; ++n) {
        const int k = steps_to_halve(e.run(n * kLrs + l01));
        speed += std::string(speed.empty() ? "" : ", ") + norm_choice_name(kLrNorms[n]) + " " +
                 (k < 0 ? std::string("never") : std::to_string(k));
        if (k > 0 && none > 0) best_ratio = std::max(best_ratio, double(none) / k);
    }
    const std::string none_text = none < 0 ? "never" : std::to_string(none);
    std::string text = "Steps to halve the loss at lr 0.1: no norm " + none_text + ", " + speed +
                       ". ";
    Kind kind = Kind::Open;
    if (none > 0 && best_ratio > 0) {
        text += "The best speed-up measured is " + g3(best_ratio) +
                "x; the folk claim \"5-10x faster\" ";
        kind = best_ratio >= 5 ? Kind::Holds : Kind::Fails;
        text += best_ratio >= 5 ? "holds in this run." : "does not hold in this run.";
    } else if (none < 0 && best_ratio == 0 && speed.find("never") == std::string::npos) {
        text += "Only the normalized nets halved their loss in this budget.";
        kind = Kind::Holds;
    } else {
        text += "Too few runs halved their loss to compare speeds.";
    }
    out.push_back({kind, text});
}

void batch_findings(const TrainLab& lab, std::vector<Finding>& out) {
    const Experiment& e = lab.experiment();
    const auto sums = e.summarize();
    if (sums.size() != std::size(kBatchValues)) return;
    const bool bn = lab.settings().norm == Norm::Batch;
    for (std::size_t i = 0; i < sums.size(); ++i) {
        const RunSummary& s = sums[i];
        std::string text = "batch " + std::to_string(kBatchValues[i]) + ": ";
        if (s.diverged) {
            text += outcome(s);
        } else {
            text += "training-split accuracy " + pct(s.train_acc) +
                    " with batch statistics, held-out " + pct(s.eval_acc) +
                    (bn ? " with running statistics" : "") + " (gap " + g3(s.gap * 100) +
                    " points); loss noise " + g3(loss_noise(e.run(i), 50)) + ", final loss " +
                    g3(s.final_loss);
        }
        out.push_back({Kind::Fact, text + "."});
    }
    if (!e.finished()) {
        out.push_back({Kind::Open, "Claims are checked when every run has finished."});
        return;
    }
    const RunSummary& small = sums.front();
    const RunSummary& large = sums.back();
    const double noise_small = loss_noise(e.run(0), 50), noise_large = loss_noise(e.run(sums.size() - 1), 50);
    const bool noisier = noise_small > noise_large;
    out.push_back({noisier ? Kind::Holds : Kind::Fails,
                   std::string("\"Small batches make training noisier\": loss noise ") +
                       g3(noise_small) + " at batch 2 vs " + g3(noise_large) + " at batch 128 - " +
                       (noisier ? "holds" : "does not hold") + " in this run."});
    if (small.diverged || large.diverged) return;
    const double chance = 1.0 / std::max(2, e.run(0).data().train.classes);
    if (small.train_acc < chance + 0.1) {
        out.push_back({Kind::Open, "Batch 2 did not learn in this budget (training accuracy " +
                                       pct(small.train_acc) + ", chance " + pct(chance) +
                                       "), so its train/eval gap says nothing: give it more steps."});
        return;
    }
    const bool gap_grows = small.gap > large.gap + 0.02;
    std::string claim = bn ? "\"BatchNorm's train/eval gap grows at tiny batches\""
                           : std::string("\"Only BatchNorm has a train/eval gap\" (this run: ") +
                                 norm_choice_name(lab.settings().norm) + ")";
    if (bn)
        out.push_back({gap_grows ? Kind::Holds : Kind::Fails,
                       claim + ": gap " + g3(small.gap * 100) + " points at batch 2 vs " +
                           g3(large.gap * 100) + " at batch 128 - " +
                           (gap_grows ? "holds" : "does not hold") + " in this run."});
    else
        out.push_back({!gap_grows ? Kind::Holds : Kind::Fails,
                       claim + ": gap " + g3(small.gap * 100) + " points at batch 2 vs " +
                           g3(large.gap * 100) + " at batch 128; without batch statistics " +
                           "train and eval mode compute the same function, so a gap here is " +
                           "the usual generalization gap."});
}

void momentum_findings(const TrainLab& lab, std::vector<Finding>& out) {
    const Experiment& e = lab.experiment();
    const auto sums = e.summarize();
    if (sums.size() != std::size(kMomentumValues)) return;
    for (std::size_t i = 0; i < sums.size(); ++i) {
        const RunSummary& s = sums[i];
        const Curves& c = e.run(i).curves();
        std::string text = "momentum " + g3(kMomentumValues[i]) + ": ";
        if (s.diverged) {
            text += outcome(s);
        } else {
            // The first evaluation after training started shows how fast the estimate catches up.
            std::string early;
            if (c.eval_acc.size() >= 2)
                early = "held-out accuracy " + pct(c.eval_acc[1]) + " at step " +
                        std::to_string(c.eval_step[1]) + ", ";
            text += early + pct(s.eval_acc) + " at the end (training batches: " +
                    pct(s.train_acc) + ")";
        }
        out.push_back({Kind::Fact, text + "."});
    }
    if (!e.finished()) {
        out.push_back({Kind::Open, "Claims are checked when every run has finished."});
        return;
    }
    const RunSummary& slow = sums.front();
    const RunSummary& mid = sums[2]; // 0.1, PyTorch's default
    if (slow.diverged || mid.diverged) return;
    const bool lags = slow.eval_acc + 0.02 < mid.eval_acc;
    out.push_back({lags ? Kind::Holds : Kind::Fails,
                   "\"Too small a momentum leaves the running statistics stale\": held-out "
                   "accuracy " +
                       pct(slow.eval_acc) + " at momentum 0.001 vs " + pct(mid.eval_acc) +
                       " at 0.1 after " + std::to_string(slow.steps) + " steps - " +
                       (lags ? "holds" : "does not hold") + " in this run."});
}

void placement_findings(const TrainLab& lab, std::vector<Finding>& out) {
    const Experiment& e = lab.experiment();
    const auto sums = e.summarize();
    for (std::size_t i = 0; i < sums.size(); ++i) {
        const RunSummary& s = sums[i];
        const LayerStats& ls = e.run(i).layers_latest();
        std::string text = s.label + ": " + outcome(s);
        if (ls.act_rms.size() >= 2 && !s.diverged)
            text += "; activation RMS " + g3(ls.act_rms.front()) + " (block 1) -> " +
                    g3(ls.act_rms.back()) + " (block " + std::to_string(ls.act_rms.size()) + ")";
        out.push_back({Kind::Fact, text + "."});
    }
    if (!e.finished()) {
        out.push_back({Kind::Open, "Claims are checked when every run has finished."});
        return;
    }
    const auto find = [&](const std::string& label) -> const RunSummary* {
        for (const RunSummary& s : sums)
            if (s.label == label) return &s;
        return nullptr;
    };
    const int w = lab.settings().warmup;
    const RunSummary* post0 = find("post, warmup 0");
    const RunSummary* postw = w > 0 ? find("post, warmup " + std::to_string(w)) : nullptr;
    const RunSummary* pre0 = find("pre, warmup 0");
    if (post0 && pre0) {
        const bool worse = post0->diverged ? !pre0->diverged
                                           : (!pre0->diverged && post0->final_loss > pre0->final_loss);
        out.push_back({worse ? Kind::Holds : Kind::Fails,
                       "\"Post-norm is harder to train than pre-norm without warmup\" at depth " +
                           std::to_string(lab.settings().depth) + ": post " + outcome(*post0) +
                           "; pre " + outcome(*pre0) + " - " + (worse ? "holds" : "does not hold") +
                           " in this run."});
    }
    if (post0 && postw) {
        const bool helps = (post0->diverged && !postw->diverged) ||
                           (!post0->diverged && !postw->diverged &&
                            (postw->eval_acc > post0->eval_acc + 0.05f ||
                             postw->final_loss < 0.8f * post0->final_loss));
        out.push_back({helps ? Kind::Holds : Kind::Fails,
                       "\"Warmup rescues post-norm\": post with warmup " + std::to_string(w) +
                           ": " + outcome(*postw) + " - " + (helps ? "holds" : "does not hold") +
                           " in this run."});
    }
    // Pre-norm's residual stream grows with depth (each block adds to it, nothing rescales it).
    for (std::size_t i = 0; i < sums.size(); ++i) {
        if (sums[i].label != "pre, warmup 0" || sums[i].diverged) continue;
        const LayerStats& ls = e.run(i).layers_latest();
        if (ls.act_rms.size() < 2 || !(ls.act_rms.front() > 0)) continue;
        const double growth = ls.act_rms.back() / ls.act_rms.front();
        out.push_back({growth > 1.5 ? Kind::Holds : Kind::Fails,
                       "\"Pre-norm's residual stream grows with depth\": RMS grows " + g3(growth) +
                           "x from the first to the last block - " +
                           (growth > 1.5 ? "holds" : "does not hold") + " in this run."});
    }
}

void precision_findings(const TrainLab& lab, std::vector<Finding>& out) {
    const Experiment& e = lab.experiment();
    const auto sums = e.summarize();
    // The direct probe first: what the storage format does to one forward pass.
    for (const TrainLab::PrecisionProbe& p : lab.precision_probe()) {
        if (p.storage == kernels::Precision::Fp32) continue;
        char scale[16];
        std::snprintf(scale, sizeof scale, "%g", static_cast<double>(p.scale));
        std::string text = std::string(kernels::precision_id(p.storage)) + " x" + scale +
                           ": variance computed " + g3(p.var) + " (true " + g3(p.true_var) + "); ";
        text += p.finite ? "y within " + g3(p.max_error) + " of fp32" : std::string("y not finite");
        const bool broken = !p.finite || p.max_error > 0.1f;
        if (broken)
            text = "\"Storage-format statistics break on large activations\" holds at " + text +
                   (!std::isfinite(p.var) ? ": the sum of squares overflowed." : ".");
        else if (p.var == 0 && p.true_var > 0)
            text += ": the variance underflowed to 0, yet y barely moved because ε (" +
                    g3(lab.settings().eps) + ") is larger than the true variance: fp32 too " +
                    "divides by about √ε, so ε, not the data, sets the scale here.";
        else
            text += ".";
        out.push_back({broken ? Kind::Holds : Kind::Fact, text});
    }
    for (const RunSummary& s : sums)
        out.push_back({Kind::Fact, s.label + ": " + outcome(s) + "."});
    if (!e.finished()) {
        out.push_back({Kind::Open, "Claims are checked when every run has finished."});
        return;
    }
    const auto find = [&](const std::string& prefix) -> const RunSummary* {
        for (const RunSummary& s : sums)
            if (s.label.rfind(prefix, 0) == 0) return &s;
        return nullptr;
    };
    const RunSummary* fp32_big = find("fp32/storage x1000");
    const RunSummary* fp16_big = find("fp16/storage x1000");
    const RunSummary* bf16_big = find("bf16/storage x1000");
    const RunSummary* fp32_tiny = find("fp32/storage x0.0001");
    const RunSummary* fp16_tiny = find("fp16/storage x0.0001");
    // A comparison only means something where fp32 itself learned at that scale.
    const auto learned = [&](const RunSummary* r) {
        return r && !r->diverged && r->train_acc > 1.0 / std::max(2, e.run(0).data().train.classes) + 0.1;
    };
    if (!learned(fp32_big) || !learned(fp32_tiny))
        out.push_back({Kind::Open, "fp32 did not learn at every input scale, so at those scales "
                                   "the optimization (the first layer's gradient grows and "
                                   "shrinks with the input), not the storage format, decides."});
    const auto worse = [](const RunSummary& a, const RunSummary& ref) {
        return (a.diverged && !ref.diverged) ||
               (!a.diverged && !ref.diverged && a.eval_acc + 0.05 < ref.eval_acc);
    };
    if (learned(fp32_big) && fp16_big) {
        const bool hurt = worse(*fp16_big, *fp32_big);
        out.push_back({hurt ? Kind::Holds : Kind::Fails,
                       "\"fp16 statistics overflow on large activations (x^2 above 65504)\": "
                       "fp16 x1000 " + outcome(*fp16_big) + " vs fp32 " + outcome(*fp32_big) +
                           " - " + (hurt ? "holds" : "does not hold") + " in this run." +
                           (bf16_big ? " bf16 (fp32's range, 8 significant bits): " +
                                           outcome(*bf16_big) + "."
                                     : std::string())});
    }
    if (learned(fp32_tiny) && fp16_tiny) {
        const bool hurt = worse(*fp16_tiny, *fp32_tiny);
        out.push_back({hurt ? Kind::Holds : Kind::Fails,
                       "\"Tiny activations underflow in fp16 and eps takes over\" (eps " +
                           g3(lab.settings().eps) + "): fp16 x0.0001 " + outcome(*fp16_tiny) +
                           " vs fp32 " + outcome(*fp32_tiny) + " - " +
                           (hurt ? "holds" : "does not hold") + " in this run."});
    }
}

void jacobian_findings(const TrainLab& lab, std::vector<Finding>& out) {
    const TrainLab::JacobianView& j = lab.jacobian();
    if (!j.error.empty()) {
        out.push_back({Kind::Open, "The Jacobian could not be computed: " + j.error});
        return;
    }
    const float ln1 = max_abs(j.layer_ones), lnx = max_abs(j.layer_x);
    const float rms1 = max_abs(j.rms_ones), rmsx = max_abs(j.rms_x);
    out.push_back({Kind::Fact, "LayerNorm: max |J 1| = " + g3(ln1) + ", max |J x| = " + g3(lnx) +
                                   " (eps " + g3(lab.settings().eps) + ")."});
    out.push_back({Kind::Fact,
                   "RMSNorm: max |J 1| = " + g3(rms1) + ", max |J x| = " + g3(rmsx) + "."});
    out.push_back({ln1 < 1e-4f ? Kind::Holds : Kind::Fails,
                   "\"LayerNorm removes the mean direction\": shifting every input by the same "
                   "amount moves the output by at most " +
                       g3(ln1) + " per unit of shift - " + (ln1 < 1e-4f ? "holds." : "does not hold.")});
    out.push_back({rms1 > 1e-3f ? Kind::Holds : Kind::Fails,
                   "\"RMSNorm does not centre\": its output moves by up to " + g3(rms1) +
                       " per unit of shift - " + (rms1 > 1e-3f ? "holds." : "does not hold.")});
}

} // namespace

std::vector<Finding> TrainLab::findings() const {
    std::vector<Finding> out;
    switch (settings_.experiment) {
    case LabExperiment::Lr:
        lr_findings(*this, out);
        break;
    case LabExperiment::Batch:
        batch_findings(*this, out);
        break;
    case LabExperiment::Momentum:
        momentum_findings(*this, out);
        break;
    case LabExperiment::Placement:
        placement_findings(*this, out);
        break;
    case LabExperiment::Precision:
        precision_findings(*this, out);
        break;
    case LabExperiment::Jacobian:
        jacobian_findings(*this, out);
        break;
    }
    return out;
}

} // namespace normlab::train
