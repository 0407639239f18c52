// cli/cmd_gradcheck.cpp: `normlab gradcheck`, the analytic backward of one norm family against
// finite differences on a random case built from a seed. Owns: the flags, the choice of a
// random shape when none is given, and the one-line JSON report. The math (the backward, the
// independent double forward, the error definitions) is kernels::gradcheck, unchanged.
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/json_io.h"
#include "core/rng.h"
#include "core/shape.h"
#include "kernels/norm.h"
#include "kernels/norm_backward.h"

namespace normlab::cli {
namespace {

namespace kn = normlab::kernels;

// The finite differences cost (checked cells) x (group size); this keeps a run under seconds.
constexpr std::size_t kMaxCells = 65536;
constexpr std::size_t kMaxChecks = 4096;

struct GradcheckArgs {
    kn::NormSpec spec;
    bool have_family = false;
    std::uint64_t seed = 0;
    bool have_seed = false;
    core::Shape shape;
    bool have_shape = false;
    bool have_groups = false;
};

std::string family_list() {
    std::string s;
    for (kn::NormKind k : {kn::NormKind::Batch, kn::NormKind::Layer, kn::NormKind::Rms,
                           kn::NormKind::Group, kn::NormKind::Instance})
        s += (s.empty() ? "" : ", ") + std::string(kn::norm_id(k));
    return s;
}

int parse_positive(const std::string& text, const std::string& what) {
    const bool digits = !text.empty() && text.size() <= 9 &&
                        text.find_first_not_of("0123456789") == std::string::npos;
    const long v = digits ? std::strtol(text.c_str(), nullptr, 10) : 0;
    if (v < 1) throw InputError(what + " must be a positive integer, got \"" + text + "\"");
    return static_cast<int>(v);
}

core::Shape parse_shape(const std::string& text) {
    const std::string usage = "--shape must be 2 to 4 positive integers separated by commas, "
                              "e.g. 4,8 or 2,3,4,4 (got \"" +
                              text + "\")";
    std::vector<std::string> parts(1);
    for (char ch : text) {
        if (ch == ',')
            parts.emplace_back();
        else
            parts.back() += ch;
    }
    if (parts.size() < 2 || parts.size() > 4) throw InputError(usage);
    core::Shape s;
    s.rank = static_cast<int>(parts.size());
    for (std::size_t i = 0; i < parts.size(); ++i) {
        const bool digits = !parts[i].empty() && parts[i].size() <= 9 &&
                            parts[i].find_first_not_of("0123456789") == std::string::npos;
        const long v = digits ? std::strtol(parts[i].c_str(), nullptr, 10) : 0;
        if (v < 1) throw InputError(usage);
        s.dims[i] = static_cast<int>(v);
    }
    return s;
}

float parse_eps(const std::string& text) {
    char* end = nullptr;
    errno = 0;
    const double v = text.empty() ? NAN : std::strtod(text.c_str(), &end);
    if (text.empty() || end != text.c_str() + text.size() || errno == ERANGE || !std::isfinite(v) ||
        v < 0.0 || v > std::numeric_limits<float>::max())
        throw InputError("--eps must be a finite number >= 0, got \"" + text + "\"");
    return static_cast<float>(v);
}

// A small shape the family accepts, drawn from the seed (its own stream, so the data stream
// of make_gradcheck_case stays the same for an explicit --shape). GroupNorm: *groups > 0 is
// the user's G, which C is then a multiple of; 0 draws G as well.
core::Shape random_shape(kn::NormKind kind, std::uint64_t seed, int* groups) {
    core::Rng rng(seed ^ 0x5ea4c0ffee5eedull);
    auto pick = [&](int lo, int hi) { // inclusive
        return lo + static_cast<int>(rng.uniform() * (hi - lo + 1));
    };
    const int rank = kind == kn::NormKind::Instance ? pick(3, 4) : pick(2, 4);
    int channels = pick(1, 6);
    if (kind == kn::NormKind::Group) {
        const int g = pick(1, 3);
        if (*groups < 1) *groups = g;
        channels = *groups * pick(1, 3);
    }
    const int b = pick(1, 4);
    switch (rank) {
    case 2:
        return core::Shape::matrix(b, channels);
    case 3:
        return core::Shape::sequence(b, pick(1, 4), channels);
    default:
        return core::Shape::image(b, channels, pick(1, 3), pick(1, 3));
    }
}

GradcheckArgs parse_args(int argc, char** argv) {
    GradcheckArgs a;
    std::string groups_text;
    for (int i = 1; i < argc; ++i) {
        std::string flag = argv[i], value;
        const std::size_t eq = flag.find('=');
        const bool inline_value = flag.rfind("--", 0) == 0 && eq != std::string::npos;
        if (inline_value) {
            value = flag.substr(eq + 1);
            flag = flag.substr(0, eq);
        }
        if (flag != "--family" && flag != "--seed" && flag != "--shape" && flag != "--eps" &&
            flag != "--groups" && flag != "--mode" && flag != "--eps-placement")
            throw InputError("unknown argument \"" + std::string(argv[i]) +
                             "\" (see normlab help gradcheck)");
        if (!inline_value) {
            if (i + 1 >= argc) throw InputError(flag + " needs a value");
            value = argv[++i];
        }
        if (flag == "--family") {
            if (!kn::parse_norm_id(value, &a.spec.kind))
                throw InputError("unknown family \"" + value +
                                 "\" (expected one of: " + family_list() + ")");
            a.have_family = true;
        } else if (flag == "--seed") {
            a.seed = parse_seed(value);
            a.have_seed = true;
        } else if (flag == "--shape") {
            a.shape = parse_shape(value);
            a.have_shape = true;
        } else if (flag == "--eps") {
            a.spec.eps = parse_eps(value);
        } else if (flag == "--groups") {
            a.spec.groups = parse_positive(value, "--groups");
            a.have_groups = true;
        } else if (flag == "--mode") {
            if (!kn::parse_mode_id(value, &a.spec.mode))
                throw InputError("--mode must be train or eval, got \"" + value + "\"");
        } else if (!kn::parse_eps_placement_id(value, &a.spec.eps_placement)) { // --eps-placement
            throw InputError("--eps-placement must be inside or outside, got \"" + value + "\"");
        }
    }
    if (!a.have_family)
        throw InputError("gradcheck needs --family (one of: " + family_list() + ")");
    if (!a.have_seed) throw InputError("gradcheck needs --seed (an integer)");
    if (a.have_groups && a.spec.kind != kn::NormKind::Group)
        throw InputError(std::string("--groups only applies to groupnorm, not ") +
                         kn::norm_id(a.spec.kind));
    if (a.spec.mode == kn::NormMode::Eval && a.spec.kind != kn::NormKind::Batch)
        throw InputError(std::string("--mode eval applies to batchnorm only, not ") +
                         kn::norm_id(a.spec.kind));

    if (!a.have_shape) {
        int groups = a.have_groups ? a.spec.groups : 0;
        a.shape = random_shape(a.spec.kind, a.seed, &groups);
        if (a.spec.kind == kn::NormKind::Group) a.spec.groups = groups;
    } else if (a.spec.kind == kn::NormKind::Group && !a.have_groups) {
        a.spec.groups = a.shape.channels() % 2 == 0 ? 2 : 1;
    }
    // Shape, eps and groups are checked by the kernels' own planner: one source of messages.
    const std::string plan_error = kn::plan_groups(a.shape, a.spec, nullptr);
    if (!plan_error.empty()) throw InputError(plan_error);
    if (a.shape.size() > kMaxCells)
        throw InputError("shape " + a.shape.str() + " has " + std::to_string(a.shape.size()) +
                         " cells; gradcheck allows at most " + std::to_string(kMaxCells));
    return a;
}

} // namespace

void help_gradcheck(std::FILE* out) {
    std::fprintf(
        out,
        "usage: normlab gradcheck --family F --seed S [--shape B,C,...] [--eps E]\n"
        "                         [--groups G] [--mode train|eval] [--eps-placement P]\n\n"
        "Checks the analytic backward (dx, dgamma, dbeta) of one family against central finite\n"
        "differences of an independent float64 forward, on a random case built from the seed,\n"
        "for the loss L = sum(dy * y) with random dy. Writes one JSON line and exits 0.\n\n"
        "flags (also --flag=value):\n"
        "  --family  batchnorm | layernorm | rmsnorm | groupnorm | instancenorm   (required)\n"
        "  --seed    integer in [0, 2^64): data, and the shape when --shape is absent (required)\n"
        "  --shape   B,d | B,L,d | B,C,H,W (default: a small random shape from the seed);\n"
        "            at most %zu cells, of which at most %zu input cells are checked\n"
        "  --eps     number >= 0, inside the square root (default 1e-5)\n"
        "  --groups  channel groups G for groupnorm, must divide C (default: from the seed, or\n"
        "            2 for an even C given by --shape, else 1)\n"
        "  --mode    train (batch statistics, default) | eval (batchnorm only: random running\n"
        "            mean and var, used as constants)\n"
        "  --eps-placement  inside (1/sqrt(var + eps), default) | outside (1/(sqrt(var) + eps))\n\n"
        "output: {family, shape, seed, max_rel_err, max_abs_err, checked, eps, mode,\n"
        "         eps_placement[, groups]}\n"
        "  rel_err = |a - n| / max(|a| + |n|, 1e-6), abs_err = |a - n| per gradient entry\n"
        "  (a analytic, n numeric); checked = entries compared (dx sample + dgamma + dbeta).\n"
        "  A correct backward gives max_rel_err around 1e-8; above 1e-4 means a bug.\n\n"
        "example:\n"
        "  normlab gradcheck --family layernorm --seed 7 --shape 2,3,8\n",
        kMaxCells, kMaxChecks);
}

int run_gradcheck(int argc, char** argv) {
    try {
        const GradcheckArgs a = parse_args(argc, argv);
        const kn::GradCheckCase c = kn::make_gradcheck_case(a.spec, a.shape, a.seed);
        kn::GradCheckReport report;
        const std::string error = kn::gradcheck(c, &report, kMaxChecks);
        if (!error.empty()) throw InputError(error);

        nlohmann::ordered_json out;
        out["family"] = kn::norm_id(a.spec.kind);
        out["shape"] = std::vector<int>(a.shape.dims.begin(), a.shape.dims.begin() + a.shape.rank);
        out["seed"] = a.seed;
        out["max_rel_err"] = report.max_rel_err;
        out["max_abs_err"] = report.max_abs_err;
        out["checked"] = report.checked;
        out["eps"] = float_to_json(a.spec.eps);
        out["mode"] = kn::mode_id(a.spec.mode);
        out["eps_placement"] = kn::eps_placement_id(a.spec.eps_placement);
        if (a.spec.kind == kn::NormKind::Group) out["groups"] = a.spec.groups;
        std::printf("%s\n", out.dump().c_str());
        return kExitOk;
    } catch (const InputError& e) {
        std::fprintf(stderr, "normlab: %s\n", e.what());
        return kExitUsage;
    }
}

} // namespace normlab::cli
