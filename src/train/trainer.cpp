// train/trainer.cpp: see trainer.h for the step, the optimizer and the divergence rule.
#include "train/trainer.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

namespace normlab::train {

namespace {

std::string number(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.4g", v);
    return buf;
}

} // namespace

std::string check_train(const TrainConfig& c) {
    std::string error = check_task(c.task);
    if (!error.empty()) return error;
    if (!std::isfinite(c.lr) || c.lr <= 0.0f) return "learning rate must be a finite number > 0";
    if (!(c.momentum >= 0.0f && c.momentum < 1.0f)) return "momentum must be in [0, 1)";
    if (c.batch < 1 || c.batch > kMaxBatch)
        return "batch must be 1.." + std::to_string(kMaxBatch) + " (got " +
               std::to_string(c.batch) + ")";
    if (c.batch > c.task.train_size)
        return "batch " + std::to_string(c.batch) + " is larger than the training split (" +
               std::to_string(c.task.train_size) + " points)";
    if (c.net.norm == Norm::Batch && c.batch < 2)
        return "BatchNorm needs batch >= 2 (one value per feature has no variance)";
    if (c.steps < 1 || c.steps > 1000000)
        return "steps must be 1..1000000 (got " + std::to_string(c.steps) + ")";
    if (c.warmup_steps < 0) return "warmup steps must be >= 0";
    if (c.eval_every < 0) return "eval_every must be >= 0";
    if (!(c.divergence_factor > 1.0f)) return "divergence factor must be > 1";
    NetConfig net = c.net;
    net.inputs = 2;
    net.classes = c.task.kind == TaskKind::Xor ? 2 : c.task.classes;
    return check_net(net);
}

std::string Trainer::init(const TrainConfig& config) {
    std::string error = check_train(config);
    if (!error.empty()) return error;
    TaskData data;
    error = make_task(config.task, &data);
    if (!error.empty()) return error;
    NetConfig net = config.net;
    net.inputs = data.train.dims;
    net.classes = data.train.classes;
    Net fresh;
    error = fresh.init(net, std::max(config.batch, kEvalChunk), config.seed);
    if (!error.empty()) return error;

    config_ = config;
    config_.net = net;
    data_ = std::move(data);
    net_ = std::move(fresh);
    velocity_.assign(net_.params().size(), 0.0f);
    order_.resize(static_cast<std::size_t>(data_.train.size()));
    std::iota(order_.begin(), order_.end(), 0);
    cursor_ = data_.train.size(); // the first step shuffles
    shuffle_rng_.reseed(config.seed * 0xd1b54a32d192ed03ull + 0x0bde);
    batch_x_.assign(static_cast<std::size_t>(config.batch) * data_.train.dims, 0.0f);
    batch_y_.assign(static_cast<std::size_t>(config.batch), 0);

    curves_ = {};
    curves_.loss.reserve(static_cast<std::size_t>(config.steps));
    curves_.batch_acc.reserve(static_cast<std::size_t>(config.steps));
    curves_.norm_overflow.reserve(static_cast<std::size_t>(config.steps));
    curves_.norm_eps_dominated.reserve(static_cast<std::size_t>(config.steps));
    const std::size_t evals =
        2 + (config.eval_every > 0 ? static_cast<std::size_t>(config.steps / config.eval_every) : 0);
    for (std::vector<float>* v : {&curves_.train_acc, &curves_.train_acc_eval_mode,
                                  &curves_.eval_acc, &curves_.eval_loss})
        v->reserve(evals);
    curves_.eval_step.reserve(evals);
    status_ = {};

    layers_init_ = {};
    layers_latest_ = {};
    health_init_ = {};
    started_ = false;
    return {};
}

std::string Trainer::start() {
    if (started_) return {};
    started_ = true;
    // Step-0 diagnostics: forward and backward on the first training points, no update and no
    // running-statistics step, so the run itself is unaffected.
    PassResult first;
    std::string error = net_.forward(data_.train.x.data(), data_.train.y.data(), config_.batch,
                                     kernels::NormMode::Train, false, &first);
    health_init_ = net_.norm_health();
    if (error.empty()) error = net_.backward();
    if (!error.empty()) {
        fail(error);
        return error;
    }
    net_.layer_stats(&layers_init_);
    layers_latest_ = layers_init_;
    take_eval();
    return {};
}

void Trainer::reset() {
    const TrainConfig config = config_;
    init(config); // the config was accepted before, so this cannot fail
}

bool Trainer::eval_due(int step) const {
    return step == config_.steps || (config_.eval_every > 0 && step % config_.eval_every == 0);
}

void Trainer::fail(const std::string& reason) {
    status_.diverged = true;
    status_.diverged_step = status_.step;
    status_.diverged_reason = reason;
    status_.finished = true;
}

int Trainer::advance(int max_steps) {
    if (!started_ && !start().empty()) return 0;
    int done = 0;
    const int n = config_.batch;
    const int dims = data_.train.dims;
    while (done < max_steps && !status_.finished) {
        if (cursor_ + n > data_.train.size()) {
            // Fisher-Yates over the whole split, once per epoch.
            for (std::size_t i = order_.size() - 1; i > 0; --i) {
                const std::size_t j = static_cast<std::size_t>(shuffle_rng_.uniform() * (i + 1));
                std::swap(order_[i], order_[j]);
            }
            cursor_ = 0;
        }
        for (int i = 0; i < n; ++i) {
            const int src = order_[static_cast<std::size_t>(cursor_ + i)];
            std::copy_n(&data_.train.x[static_cast<std::size_t>(src) * dims], dims,
                        &batch_x_[static_cast<std::size_t>(i) * dims]);
            batch_y_[static_cast<std::size_t>(i)] = data_.train.y[static_cast<std::size_t>(src)];
        }
        cursor_ += n;

        PassResult pass;
        std::string error = net_.forward(batch_x_.data(), batch_y_.data(), n,
                                         kernels::NormMode::Train, true, &pass);
        ++done;
        if (!error.empty()) {
            fail(error);
            break;
        }
        curves_.loss.push_back(pass.loss);
        curves_.batch_acc.push_back(static_cast<float>(pass.correct) / static_cast<float>(n));
        const NormHealth& h = net_.norm_health();
        const float groups = static_cast<float>(std::max(h.groups, 1));
        curves_.norm_overflow.push_back(static_cast<float>(h.overflow) / groups);
        curves_.norm_eps_dominated.push_back(static_cast<float>(h.eps_dominated) / groups);
        if (status_.step == 0) status_.initial_loss = pass.loss;
        if (!std::isfinite(pass.loss)) {
            fail(std::string("loss is ") + (std::isnan(pass.loss) ? "nan" : "inf"));
            break;
        }
        if (pass.loss > config_.divergence_factor * status_.initial_loss) {
            fail("loss " + number(pass.loss) + " > " + number(config_.divergence_factor) +
                 " x initial " + number(status_.initial_loss));
            break;
        }
        error = net_.backward();
        if (!error.empty()) {
            fail(error);
            break;
        }
        const std::vector<float>& g = net_.grads();
        const bool finite = std::all_of(g.begin(), g.end(), [](float v) { return std::isfinite(v); });
        if (!finite) {
            fail("a gradient is not finite");
            break;
        }
        if (eval_due(status_.step + 1)) net_.layer_stats(&layers_latest_);

        const float warm = config_.warmup_steps > 0
                               ? std::min(1.0f, static_cast<float>(status_.step + 1) /
                                                    static_cast<float>(config_.warmup_steps))
                               : 1.0f;
        const float lr = config_.lr * warm;
        const float mu = config_.momentum;
        std::vector<float>& p = net_.params();
        for (std::size_t i = 0; i < p.size(); ++i) {
            velocity_[i] = mu * velocity_[i] + g[i];
            p[i] -= lr * velocity_[i];
        }
        ++status_.step;

        const std::size_t count = curves_.loss.size();
        const std::size_t tail = std::min<std::size_t>(10, count);
        double sum = 0.0;
        for (std::size_t i = count - tail; i < count; ++i)
            sum += curves_.loss[i];
        status_.final_loss = static_cast<float>(sum / static_cast<double>(tail));

        if (eval_due(status_.step)) take_eval();
        if (status_.step >= config_.steps) status_.finished = true;
    }
    return done;
}

void Trainer::evaluate(const Dataset& d, kernels::NormMode mode, int chunk, float* accuracy,
                       float* loss) {
    int correct = 0;
    double total = 0.0;
    bool failed = false;
    for (int start = 0; start < d.size(); start += chunk) {
        const int n = std::min(chunk, d.size() - start);
        PassResult r;
        const std::string error =
            net_.forward(&d.x[static_cast<std::size_t>(start) * d.dims],
                         &d.y[static_cast<std::size_t>(start)], n, mode, false, &r);
        if (!error.empty()) {
            failed = true;
            break;
        }
        correct += r.correct;
        total += static_cast<double>(r.loss) * n;
    }
    if (accuracy) *accuracy = failed ? NAN : static_cast<float>(correct) / d.size();
    if (loss) *loss = failed ? NAN : static_cast<float>(total / d.size());
}

void Trainer::take_eval() {
    float train_acc = 0.0f, train_acc_eval = 0.0f, eval_acc = 0.0f, eval_loss = 0.0f;
    evaluate(data_.train, kernels::NormMode::Train, config_.batch, &train_acc, nullptr);
    evaluate(data_.train, kernels::NormMode::Eval, kEvalChunk, &train_acc_eval, nullptr);
    evaluate(data_.eval, kernels::NormMode::Eval, kEvalChunk, &eval_acc, &eval_loss);
    curves_.eval_step.push_back(status_.step);
    curves_.train_acc.push_back(train_acc);
    curves_.train_acc_eval_mode.push_back(train_acc_eval);
    curves_.eval_acc.push_back(eval_acc);
    curves_.eval_loss.push_back(eval_loss);
}

} // namespace normlab::train
