// cli/cmd_train.cpp: `normlab train`, one training run of the headless trainer (train/) from
// flags. Owns: the flags, the progress lines and the final JSON line. The training itself (task,
// network, optimizer, divergence rule) is train::Trainer, unchanged, so the CLI and the web lab
// report the same numbers for the same settings.
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/json_io.h"
#include "kernels/norm.h"
#include "kernels/precision.h"
#include "train/trainer.h"

namespace normlab::cli {
namespace {

namespace tr = normlab::train;
namespace kn = normlab::kernels;

long parse_int(const std::string& flag, const std::string& text, long lo, long hi) {
    const bool digits = !text.empty() && text.size() <= 9 &&
                        text.find_first_not_of("0123456789") == std::string::npos;
    const long v = digits ? std::strtol(text.c_str(), nullptr, 10) : -1;
    if (!digits || v < lo || v > hi)
        throw InputError(flag + " must be an integer in " + std::to_string(lo) + ".." +
                         std::to_string(hi) + ", got \"" + text + "\"");
    return v;
}

// A finite float; `rule` describes the accepted range in the message.
float parse_number(const std::string& flag, const std::string& text, double lo, bool lo_open,
                   double hi, bool hi_open, const char* rule) {
    char* end = nullptr;
    errno = 0;
    const double v = text.empty() ? NAN : std::strtod(text.c_str(), &end);
    const bool ok = !text.empty() && end == text.c_str() + text.size() && errno != ERANGE &&
                    std::isfinite(v) && (lo_open ? v > lo : v >= lo) &&
                    (hi_open ? v < hi : v <= hi);
    if (!ok) throw InputError(flag + " must be " + rule + ", got \"" + text + "\"");
    return static_cast<float>(v);
}

constexpr double kHuge = 3.0e38;

const char* kFlags[] = {"--norm",     "--lr",        "--steps",      "--batch",    "--depth",
                        "--seed",     "--width",     "--task",       "--classes",  "--momentum",
                        "--precision", "--accumulate", "--eval-every", "--eps",     "--bn-momentum",
                        "--groups",   "--arch",      "--placement",  "--warmup",   "--activation",
                        "--input-scale", "--noise"};

bool known_flag(const std::string& f) {
    for (const char* k : kFlags)
        if (f == k) return true;
    return false;
}

tr::TrainConfig parse_args(int argc, char** argv) {
    tr::TrainConfig c;
    bool have_groups = false, have_placement = false;
    for (int i = 1; i < argc; ++i) {
        std::string flag = argv[i], value;
        const std::size_t eq = flag.find('=');
        const bool inline_value = flag.rfind("--", 0) == 0 && eq != std::string::npos;
        if (inline_value) {
            value = flag.substr(eq + 1);
            flag = flag.substr(0, eq);
        }
        if (!known_flag(flag))
            throw InputError("unknown argument \"" + std::string(argv[i]) +
                             "\" (see normlab help train)");
        if (!inline_value) {
            if (i + 1 >= argc) throw InputError(flag + " needs a value");
            value = argv[++i];
        }
        if (flag == "--norm") {
            if (!tr::parse_norm_choice(value, &c.net.norm))
                throw InputError("unknown norm \"" + value +
                                 "\" (expected one of: none, batchnorm, layernorm, rmsnorm, "
                                 "groupnorm)");
        } else if (flag == "--lr") {
            c.lr = parse_number(flag, value, 0, true, kHuge, false, "a number > 0");
        } else if (flag == "--steps") {
            c.steps = static_cast<int>(parse_int(flag, value, 1, 1000000));
        } else if (flag == "--batch") {
            c.batch = static_cast<int>(parse_int(flag, value, 1, tr::kMaxBatch));
        } else if (flag == "--depth") {
            c.net.depth = static_cast<int>(parse_int(flag, value, 1, tr::kMaxDepth));
        } else if (flag == "--seed") {
            c.seed = parse_seed(value);
            c.task.seed = c.seed;
        } else if (flag == "--width") {
            c.net.width = static_cast<int>(parse_int(flag, value, 1, tr::kMaxWidth));
        } else if (flag == "--task") {
            if (!tr::parse_task_id(value, &c.task.kind))
                throw InputError("unknown task \"" + value +
                                 "\" (expected one of: spirals, gaussians, circles, xor)");
        } else if (flag == "--classes") {
            c.task.classes = static_cast<int>(parse_int(flag, value, 2, 8));
        } else if (flag == "--momentum") {
            c.momentum = parse_number(flag, value, 0, false, 1, true, "a number in [0, 1)");
        } else if (flag == "--precision") {
            if (!kn::parse_precision_id(value, &c.net.storage))
                throw InputError("--precision must be fp32, fp16 or bf16, got \"" + value + "\"");
        } else if (flag == "--accumulate") {
            if (!kn::parse_accumulate_id(value, &c.net.accumulate))
                throw InputError("--accumulate must be fp32 or storage, got \"" + value + "\"");
        } else if (flag == "--eval-every") {
            c.eval_every = static_cast<int>(parse_int(flag, value, 0, 1000000));
        } else if (flag == "--eps") {
            c.net.eps = parse_number(flag, value, 0, false, kHuge, false, "a finite number >= 0");
        } else if (flag == "--bn-momentum") {
            c.net.bn_momentum = parse_number(flag, value, 0, false, 1, false, "a number in [0, 1]");
        } else if (flag == "--groups") {
            c.net.groups = static_cast<int>(parse_int(flag, value, 1, tr::kMaxWidth));
            have_groups = true;
        } else if (flag == "--arch") {
            if (!tr::parse_arch_id(value, &c.net.arch))
                throw InputError("--arch must be mlp or residual, got \"" + value + "\"");
        } else if (flag == "--placement") {
            if (!tr::parse_placement_id(value, &c.net.placement))
                throw InputError("--placement must be pre, post or sandwich, got \"" + value +
                                 "\"");
            have_placement = true;
        } else if (flag == "--warmup") {
            c.warmup_steps = static_cast<int>(parse_int(flag, value, 0, 1000000));
        } else if (flag == "--activation") {
            if (!tr::parse_activation_id(value, &c.net.activation))
                throw InputError("--activation must be relu or tanh, got \"" + value + "\"");
        } else if (flag == "--input-scale") {
            c.task.input_scale = parse_number(flag, value, 0, true, kHuge, false, "a number > 0");
        } else { // --noise
            c.task.noise = parse_number(flag, value, 0, false, kHuge, false, "a finite number >= 0");
        }
    }
    if (have_groups && c.net.norm != tr::Norm::Group)
        throw InputError(std::string("--groups only applies to groupnorm, not ") +
                         tr::norm_choice_id(c.net.norm));
    if (c.net.norm == tr::Norm::Group && c.net.width % c.net.groups != 0)
        throw InputError("--groups " + std::to_string(c.net.groups) + " does not divide --width " +
                         std::to_string(c.net.width));
    if (have_placement && c.net.arch != tr::Arch::Residual)
        throw InputError("--placement only applies to --arch residual");
    if (c.net.norm == tr::Norm::Batch && c.batch < 2)
        throw InputError("--batch must be >= 2 for batchnorm (one value per feature has no "
                         "variance)");
    if (c.batch > c.task.train_size)
        throw InputError("--batch " + std::to_string(c.batch) + " is larger than the " +
                         std::to_string(c.task.train_size) + " training points");
    const std::string error = tr::check_train(c); // anything the flags above did not catch
    if (!error.empty()) throw InputError(error);
    return c;
}

nlohmann::ordered_json floats(const std::vector<float>& v) {
    std::size_t non_finite = 0;
    return floats_to_json(v, &non_finite);
}

} // namespace

void help_train(std::FILE* out) {
    std::fputs(
        "usage: normlab train [--norm N] [--lr X] [--steps S] [--batch B] [--depth D] [--seed K]\n"
        "                     [--width W] [--task T] [--momentum M] [--precision P] ...\n\n"
        "Trains a small network on a synthetic 2-D classification task with SGD + momentum,\n"
        "using the same normalization kernels (forward and backward) as the web lab. Prints one\n"
        "progress line per evaluation, then as its LAST line one JSON object. Deterministic:\n"
        "the same flags give the same bytes.\n\n"
        "flags (also --flag=value; defaults in brackets):\n"
        "  --norm        none | batchnorm | layernorm | rmsnorm | groupnorm  [none]\n"
        "  --lr          learning rate > 0  [0.05]\n"
        "  --steps       SGD updates, 1..1000000  [500]\n"
        "  --batch       minibatch size (batchnorm: >= 2)  [32]\n"
        "  --depth       hidden layers (mlp) or residual blocks, 1..64  [3]\n"
        "  --seed        integer: the data, the weights and the batch order  [1]\n"
        "  --width       features per layer, 1..256  [32]\n"
        "  --task        spirals | gaussians | circles | xor  [spirals]\n"
        "  --classes     2..8 (xor: always 2)  [3]\n"
        "  --momentum    SGD momentum in [0, 1)  [0.9]\n"
        "  --precision   fp32 | fp16 | bf16: storage format of the norm forward  [fp32]\n"
        "  --accumulate  fp32 | storage: the norm's statistics in fp32 or in the storage format\n"
        "                (naive E[x^2] - E[x]^2, shows overflow and underflow)  [fp32]\n"
        "  --eval-every  steps between evaluations, 0: only at the start and the end  [50]\n"
        "  --eps         the norm's eps, inside the square root  [1e-05]\n"
        "  --bn-momentum BatchNorm running-statistics momentum in [0, 1]  [0.1]\n"
        "  --groups      groupnorm's groups, must divide --width  [4]\n"
        "  --arch        mlp | residual  [mlp]\n"
        "  --placement   residual only: pre | post | sandwich  [pre]\n"
        "  --warmup      linear learning-rate warmup steps  [0]\n"
        "  --activation  relu | tanh  [relu]\n"
        "  --input-scale every input multiplied by it (tiny or huge inputs for fp16)  [1]\n"
        "  --noise       task noise >= 0  [0.15]\n\n"
        "output, last line: {norm, arch, task, seed, steps, batch, lr, loss_is, loss, final_loss,\n"
        "  accuracy, train_accuracy, diverged, diverged_step, diverged_reason, eval_steps,\n"
        "  eval_accuracy, train_accuracy_curve, grad_norm_init, act_rms_init, norm_health_init,\n"
        "  norm_overflow_steps}\n"
        "  loss: one value PER STEP, the minibatch loss before that step's update (loss_is says\n"
        "  \"per_step\"); final_loss: mean of the last 10; accuracy: held-out points with eval-mode\n"
        "  statistics at the last evaluation; train_accuracy: training points with batch\n"
        "  statistics. diverged: the loss or a gradient was not finite, or the loss exceeded 10x\n"
        "  its first value; the run stops there (non-finite numbers print as null).\n"
        "  grad_norm_init / act_rms_init: per layer, at step 0. norm_health_init: norm groups\n"
        "  at step 0 whose statistics overflowed (not finite: the layer then outputs beta) or\n"
        "  whose variance was below eps; norm_overflow_steps: steps with any overflowed group.\n\n"
        "exit codes: 0 (also when the run diverged: that is a result), 2 bad flags.\n\n"
        "example:\n"
        "  normlab train --norm batchnorm --lr 0.1 --steps 300 --batch 32 --depth 3 --seed 1\n",
        out);
}

int run_train(int argc, char** argv) {
    try {
        const tr::TrainConfig config = parse_args(argc, argv);
        tr::Trainer trainer;
        const std::string error = trainer.init(config);
        if (!error.empty()) throw InputError(error);

        // Progress: one line per evaluation point, then the JSON line.
        std::size_t printed = 0;
        auto print_evals = [&] {
            const tr::Curves& c = trainer.curves();
            for (; printed < c.eval_step.size(); ++printed) {
                const int step = c.eval_step[printed];
                char loss[32] = "-"; // no step has run at step 0
                if (step > 0)
                    std::snprintf(loss, sizeof loss, "%.4g",
                                  static_cast<double>(c.loss[static_cast<std::size_t>(step) - 1]));
                std::printf("step %7d  loss %-10s  train_acc %.3f  eval_acc %.3f\n", step, loss,
                            static_cast<double>(c.train_acc[printed]),
                            static_cast<double>(c.eval_acc[printed]));
            }
        };
        print_evals();
        while (!trainer.finished()) {
            trainer.advance(1000);
            print_evals();
        }
        const tr::TrainStatus& s = trainer.status();
        const tr::Curves& c = trainer.curves();
        if (s.diverged)
            std::printf("diverged at step %d: %s\n", s.diverged_step, s.diverged_reason.c_str());

        nlohmann::ordered_json j;
        j["norm"] = tr::norm_choice_id(config.net.norm);
        j["arch"] = tr::arch_id(config.net.arch);
        if (config.net.arch == tr::Arch::Residual)
            j["placement"] = tr::placement_id(config.net.placement);
        j["task"] = tr::task_id(config.task.kind);
        j["seed"] = config.seed;
        j["steps"] = s.step;
        j["batch"] = config.batch;
        j["lr"] = float_to_json(config.lr);
        j["precision"] = kn::precision_id(config.net.storage);
        j["loss_is"] = "per_step";
        j["loss"] = floats(c.loss);
        j["final_loss"] = float_to_json(s.final_loss);
        j["accuracy"] = float_to_json(c.eval_acc.back());
        j["train_accuracy"] = float_to_json(c.train_acc.back());
        j["diverged"] = s.diverged;
        j["diverged_step"] = s.diverged_step;
        j["diverged_reason"] = s.diverged_reason;
        j["eval_steps"] = c.eval_step;
        j["eval_accuracy"] = floats(c.eval_acc);
        j["train_accuracy_curve"] = floats(c.train_acc);
        j["grad_norm_init"] = floats(trainer.layers_at_init().grad_norm);
        j["act_rms_init"] = floats(trainer.layers_at_init().act_rms);
        const tr::NormHealth& h = trainer.health_at_init();
        j["norm_health_init"] = {{"groups", h.groups},
                                 {"overflow", h.overflow},
                                 {"eps_dominated", h.eps_dominated}};
        std::size_t overflow_steps = 0;
        for (float f : c.norm_overflow)
            overflow_steps += f > 0.0f ? 1 : 0;
        j["norm_overflow_steps"] = overflow_steps;
        std::printf("%s\n", j.dump().c_str());
        return kExitOk;
    } catch (const InputError& e) {
        std::fprintf(stderr, "normlab: %s\n", e.what());
        return kExitUsage;
    }
}

} // namespace normlab::cli
