// cli/cmd_normalize.cpp: `normlab normalize`, one forward pass from JSON on stdin to JSON on
// stdout. Owns: the input schema (strict: unknown keys are errors, so a typo never silently
// falls back to a default) and the output object. The math is kernels::normalize, unchanged.
// BatchNorm is run as a module: it always gets running statistics (given, or the defaults 0
// and 1), so train mode updates and prints them and eval mode uses and echoes them.
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "cli/commands.h"
#include "cli/json_io.h"
#include "core/shape.h"
#include "kernels/norm.h"

namespace normlab::cli {
namespace {

namespace kn = normlab::kernels;

struct NormalizeInput {
    kn::NormSpec spec;
    core::Shape shape;
    std::vector<float> x;
    std::vector<float> gamma; // empty: identity
    std::vector<float> beta;  // empty: zero
    kn::RunningStats running; // BatchNorm only; empty vectors: the defaults 0 and 1
    kn::Impl impl = kn::Impl::Simd;
};

// Reads an optional enum-valued string key with its id parser; `expected` lists the ids.
template <typename Enum>
void read_enum(const nlohmann::json& j, const char* key, bool (*parse)(const std::string&, Enum*),
               Enum* out, const char* expected) {
    if (!j.contains(key)) return;
    const std::string v = read_string(j, key);
    if (!parse(v, out))
        throw InputError(std::string("unknown ") + key + " \"" + v + "\" (expected " + expected +
                         ")");
}

std::string family_list() {
    std::string s;
    for (kn::NormKind k : {kn::NormKind::Batch, kn::NormKind::Layer, kn::NormKind::Rms,
                           kn::NormKind::Group, kn::NormKind::Instance})
        s += (s.empty() ? "" : ", ") + std::string(kn::norm_id(k));
    return s;
}

NormalizeInput read_input(const nlohmann::json& j) {
    require_object(j, {"family", "shape", "x", "eps", "groups", "gamma", "beta", "impl", "mode",
                       "momentum", "running_mean", "running_var", "precision", "accumulate",
                       "eps_placement"});
    NormalizeInput in;

    const std::string family = read_string(j, "family");
    if (!kn::parse_norm_id(family, &in.spec.kind))
        throw InputError("unknown family \"" + family + "\" (expected one of: " + family_list() +
                         ")");

    const std::vector<int> dims = read_positive_int_array(j, "shape");
    if (dims.size() < 2 || dims.size() > 4)
        throw InputError("shape must have 2, 3 or 4 dims ((B,d), (B,L,d) or (B,C,H,W)), got " +
                         std::to_string(dims.size()));
    in.shape.rank = static_cast<int>(dims.size());
    for (std::size_t i = 0; i < dims.size(); ++i)
        in.shape.dims[i] = dims[i];

    if (j.contains("eps")) in.spec.eps = read_float(j, "eps");
    if (j.contains("groups")) {
        if (in.spec.kind != kn::NormKind::Group)
            throw InputError("groups only applies to groupnorm, not " + family);
        in.spec.groups = read_positive_int(j, "groups");
    }
    const bool batch = in.spec.kind == kn::NormKind::Batch;
    for (const char* key : {"momentum", "running_mean", "running_var"}) {
        if (j.contains(key) && !batch)
            throw InputError(std::string(key) +
                             " only applies to batchnorm (running statistics), not " + family);
    }
    if (j.contains("momentum")) in.spec.momentum = read_float(j, "momentum");
    read_enum(j, "mode", kn::parse_mode_id, &in.spec.mode, "train or eval");
    read_enum(j, "precision", kn::parse_precision_id, &in.spec.storage, "fp32, fp16 or bf16");
    read_enum(j, "accumulate", kn::parse_accumulate_id, &in.spec.accumulate, "fp32 or storage");
    read_enum(j, "eps_placement", kn::parse_eps_placement_id, &in.spec.eps_placement,
              "inside or outside");
    // Shape, eps, groups and momentum are checked by the kernels' own planner: one source of
    // messages.
    kn::GroupPlan plan;
    const std::string plan_error = kn::plan_groups(in.shape, in.spec, &plan);
    if (!plan_error.empty()) throw InputError(plan_error);

    in.x = read_float_array(j, "x");
    if (in.x.size() != in.shape.size())
        throw InputError("x has " + std::to_string(in.x.size()) + " numbers but shape " +
                         in.shape.str() + " needs " + std::to_string(in.shape.size()));

    const std::size_t channels = static_cast<std::size_t>(in.shape.channels());
    for (const char* key : {"gamma", "beta"}) {
        if (!j.contains(key)) continue;
        if (in.spec.kind == kn::NormKind::Rms && std::string(key) == "beta")
            throw InputError("beta does not apply to rmsnorm (it only rescales)");
        std::vector<float> v = read_float_array(j, key);
        if (v.size() != channels)
            throw InputError(std::string(key) + " has " + std::to_string(v.size()) +
                             " numbers but shape " + in.shape.str() + " has " +
                             std::to_string(channels) + " channels");
        (std::string(key) == "gamma" ? in.gamma : in.beta) = std::move(v);
    }
    for (const char* key : {"running_mean", "running_var"}) {
        if (!j.contains(key)) continue;
        std::vector<float> v = read_float_array(j, key);
        if (v.size() != channels)
            throw InputError(std::string(key) + " has " + std::to_string(v.size()) +
                             " numbers but shape " + in.shape.str() + " has " +
                             std::to_string(channels) + " channels");
        const bool var = std::string(key) == "running_var";
        for (std::size_t i = 0; var && i < v.size(); ++i) {
            if (v[i] < 0.0f)
                throw InputError("running_var[" + std::to_string(i) + "] = " +
                                 float_to_json(v[i]).dump() + " must be >= 0 (a variance)");
        }
        (var ? in.running.var : in.running.mean) = std::move(v);
    }

    if (j.contains("impl")) {
        const std::string impl = read_string(j, "impl");
        if (!kn::parse_impl_name(impl, &in.impl))
            throw InputError("unknown impl \"" + impl + "\" (expected simd or reference)");
    }
    return in;
}

} // namespace

void help_normalize(std::FILE* out) {
    std::fputs(
        "usage: normlab normalize < input.json\n\n"
        "Reads ONE JSON object on stdin, runs the forward pass, writes one JSON object.\n\n"
        "input keys:\n"
        "  family   batchnorm | layernorm | rmsnorm | groupnorm | instancenorm   (required)\n"
        "  shape    [B,d] | [B,L,d] | [B,C,H,W], positive integers, row-major    (required)\n"
        "  x        flat array of shape-product numbers                           (required)\n"
        "  eps      number >= 0, inside the square root (default 1e-5)\n"
        "  groups   channel groups G for groupnorm, must divide C (default 1)\n"
        "  gamma    one scale per channel (default 1); channel = last axis, axis 1 for rank 4\n"
        "  beta     one shift per channel (default 0); not for rmsnorm\n"
        "  impl     simd | reference (default simd); teaching variants always run the\n"
        "           reference (see impl_used in the output)\n"
        "  eps_placement  inside: 1/sqrt(var+eps) (default) | outside: 1/(sqrt(var)+eps)\n"
        "  precision      fp32 (default) | fp16 | bf16: x, gamma, beta rounded to the format\n"
        "                 (nearest-even; fp16 overflows past 65504 to inf), y rounded after\n"
        "  accumulate     fp32 (default): accurate wide sums | storage: every partial sum,\n"
        "                 mean and var rounded to the format, var = E[x^2] - E[x]^2\n"
        "  mode           train (default) | eval. BatchNorm eval normalizes with the running\n"
        "                 statistics; every other family behaves the same in both modes\n"
        "  momentum       batchnorm, in [0, 1] (default 0.1): running = (1-m)*running + m*batch\n"
        "  running_mean   batchnorm, one per channel (default 0)\n"
        "  running_var    batchnorm, one per channel, >= 0 (default 1); train mode updates it\n"
        "                 with the UNBIASED batch variance; needs > 1 value per channel\n\n"
        "output: {family, shape, impl, y, mean, var, rms, inv_std, impl_used, eps_placement,\n"
        "precision, accumulate, mode} and, for batchnorm, running_mean and running_var (after\n"
        "the update in train mode, as given in eval mode). Stats are per group of the input\n"
        "(in eval too), var is biased, inv_std is the factor applied. Non-finite values are\n"
        "written as null with a warning on stderr (e.g. eps 0 on a constant group).\n\n"
        "example:\n"
        "  echo '{\"family\":\"layernorm\",\"shape\":[1,4],\"x\":[1,2,3,4]}' | normlab normalize\n",
        out);
}

int run_normalize(int argc, char** argv) {
    try {
        if (argc > 1)
            throw InputError(std::string("normalize takes no arguments (got \"") + argv[1] +
                             "\"); it reads JSON on stdin, see normlab help normalize");
        const NormalizeInput in = read_input(parse_document(read_stream(stdin)));

        std::vector<float> y(in.x.size());
        kn::NormTrace trace;
        kn::RunningStats running = in.running;
        const bool batch = in.spec.kind == kn::NormKind::Batch;
        const std::string error = kn::normalize(
            in.spec, kn::NormArgs{.x = core::TensorView{.data = in.x.data(), .shape = in.shape},
                                  .y = y.data(),
                                  .gamma = in.gamma.empty() ? nullptr : in.gamma.data(),
                                  .beta = in.beta.empty() ? nullptr : in.beta.data(),
                                  .trace = &trace,
                                  .running = batch ? &running : nullptr,
                                  .impl = in.impl});
        if (!error.empty()) throw InputError(error);
        if (batch) {
            // Eval leaves empty vectors empty; print the defaults it used.
            const std::size_t c = static_cast<std::size_t>(in.shape.channels());
            if (running.mean.empty()) running.mean.assign(c, 0.0f);
            if (running.var.empty()) running.var.assign(c, 1.0f);
        }

        std::size_t bad_y = 0, bad_stats = 0;
        nlohmann::ordered_json out;
        out["family"] = kn::norm_id(in.spec.kind);
        out["shape"] =
            std::vector<int>(in.shape.dims.begin(), in.shape.dims.begin() + in.shape.rank);
        out["impl"] = kn::impl_name(in.impl);
        out["y"] = floats_to_json(y, &bad_y);
        out["mean"] = floats_to_json(trace.mean, &bad_stats);
        out["var"] = floats_to_json(trace.var, &bad_stats);
        out["rms"] = floats_to_json(trace.rms, &bad_stats);
        out["inv_std"] = floats_to_json(trace.inv_std, &bad_stats);
        out["impl_used"] = kn::impl_name(trace.impl_used);
        out["eps_placement"] = kn::eps_placement_id(in.spec.eps_placement);
        out["precision"] = kn::precision_id(in.spec.storage);
        out["accumulate"] = kn::accumulate_id(in.spec.accumulate);
        out["mode"] = kn::mode_id(in.spec.mode);
        if (batch) {
            out["running_mean"] = floats_to_json(running.mean, &bad_stats);
            out["running_var"] = floats_to_json(running.var, &bad_stats);
        }
        std::printf("%s\n", out.dump().c_str());
        if (bad_y + bad_stats > 0)
            std::fprintf(stderr,
                         "normlab: warning: %zu non-finite values in y and %zu in the stats were "
                         "written as null (eps 0 on a constant group? inf or huge inputs? fp16 overflow?)\n",
                         bad_y, bad_stats);
        return kExitOk;
    } catch (const InputError& e) {
        std::fprintf(stderr, "normlab: %s\n", e.what());
        return kExitUsage;
    }
}

} // namespace normlab::cli
