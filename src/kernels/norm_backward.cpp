// kernels/norm_backward.cpp: see norm_backward.h for the math.
// Index:
//   [SECTION] helpers
//   [SECTION] analytic backward (batch statistics; eval-mode BatchNorm)
//   [SECTION] gradient check (independent double forward, central differences)
// The backward walks the forward's (O, P, Q, M) plan; the gradient check deliberately does not
// (it groups cells by their axes), so the two only agree when the plan is right.
#include "kernels/norm_backward.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "core/rng.h"
#include "kernels/precision.h"

namespace normlab::kernels {

// [SECTION] helpers
namespace {

// Calls fn(flat index) for every cell of `group` in the canonical view.
template <class Fn> void for_each_cell(const GroupPlan& p, std::size_t group, Fn&& fn) {
    const std::size_t o = group / p.groups;
    const std::size_t q = group % p.groups;
    for (std::size_t pi = 0; pi < p.pre; ++pi)
        for (std::size_t m = 0; m < p.inner; ++m)
            fn(((o * p.pre + pi) * p.groups + q) * p.inner + m);
}

std::string null_message(const float* x, const float* dy) {
    if (!x) return "x is null";
    if (!dy) return "dy is null";
    return {};
}

std::string format_double(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

} // namespace

// [SECTION] analytic backward

namespace {

// The scale factor r for statistic s (var, ms or a running var): eps inside or outside.
double inv_scale(double s, double eps, EpsPlacement placement) {
    return placement == EpsPlacement::Outside ? 1.0 / (std::sqrt(s) + eps)
                                              : 1.0 / std::sqrt(s + eps);
}

// Eval-mode BatchNorm: every cell is an affine function of its own x.
std::string eval_backward(const NormSpec& spec, core::TensorView x, const float* gamma,
                          const float* dy, float* dx, float* dgamma, float* dbeta,
                          const RunningStats* running) {
    const core::Shape& shape = x.shape;
    const std::size_t channels = static_cast<std::size_t>(shape.channels());
    const bool has_mean = running && !running->mean.empty();
    const bool has_var = running && !running->var.empty();
    // The forward's defaults stand in for missing buffers; present ones must be usable.
    auto check = [&](const char* name, const std::vector<float>& v, bool var) -> std::string {
        if (v.size() != channels)
            return std::string(name) + " has " + std::to_string(v.size()) + " values but shape " +
                   shape.str() + " has " + std::to_string(channels) + " channels";
        for (std::size_t c = 0; c < channels; ++c)
            if (!std::isfinite(v[c]) || (var && v[c] < 0.0f))
                return std::string(name) + "[" + std::to_string(c) + "] must be finite" +
                       (var ? " and >= 0" : "") + " (got " + format_double(v[c]) + ")";
        return {};
    };
    std::string error = has_mean ? check("running_mean", running->mean, false) : "";
    if (error.empty() && has_var) error = check("running_var", running->var, true);
    if (!error.empty()) return error;

    std::vector<double> mean(channels), inv(channels);
    std::vector<double> sum_dy_xhat(channels, 0.0), sum_dy(channels, 0.0);
    for (std::size_t c = 0; c < channels; ++c) {
        mean[c] = has_mean ? static_cast<double>(running->mean[c]) : 0.0;
        inv[c] = inv_scale(has_var ? static_cast<double>(running->var[c]) : 1.0, spec.eps,
                           spec.eps_placement);
    }
    const std::size_t size = shape.size();
    for (std::size_t f = 0; f < size; ++f) {
        const std::size_t c = channel_of(shape, f);
        const double d = dy[f];
        sum_dy_xhat[c] += d * (x.data[f] - mean[c]) * inv[c];
        sum_dy[c] += d;
    }
    for (std::size_t c = 0; c < channels; ++c) {
        if (dgamma) dgamma[c] = static_cast<float>(sum_dy_xhat[c]);
        if (dbeta) dbeta[c] = static_cast<float>(sum_dy[c]);
    }
    if (dx) {
        for (std::size_t f = 0; f < size; ++f) {
            const std::size_t c = channel_of(shape, f);
            const double g = gamma ? static_cast<double>(gamma[c]) : 1.0;
            dx[f] = static_cast<float>(static_cast<double>(dy[f]) * g * inv[c]);
        }
    }
    return {};
}

} // namespace

std::string normalize_backward(const NormSpec& spec, core::TensorView x, const float* gamma,
                               const float* dy, float* dx, float* dgamma, float* dbeta,
                               const RunningStats* running) {
    GroupPlan plan;
    std::string error = plan_groups(x.shape, spec, &plan);
    if (!error.empty()) return error;
    error = null_message(x.data, dy);
    if (!error.empty()) return error;
    if (spec.storage != Precision::Fp32 || spec.accumulate != Accumulate::Fp32)
        return std::string("the backward models fp32 storage and accumulation only (got storage ") +
               precision_id(spec.storage) + ", accumulate " + accumulate_id(spec.accumulate) + ")";
    if (spec.kind == NormKind::Batch && spec.mode == NormMode::Eval)
        return eval_backward(spec, x, gamma, dy, dx, dgamma, dbeta, running);

    const core::Shape& shape = x.shape;
    const bool rms = spec.kind == NormKind::Rms;
    const bool outside = spec.eps_placement == EpsPlacement::Outside;
    const double n = static_cast<double>(plan.group_size());
    const std::size_t count = plan.group_count();
    const std::size_t channels = static_cast<std::size_t>(shape.channels());
    auto gamma_of = [&](std::size_t c) { return gamma ? static_cast<double>(gamma[c]) : 1.0; };

    // Per group: the centre (mean, or 0 for RMSNorm), r, the factor k of the xhat term (r inside,
    // 1 / sqrt(s) outside), mean(g) and mean(g * xhat).
    std::vector<double> center(count), inv(count), k(count), mean_g(count), mean_gx(count);
    std::vector<double> sum_dy_xhat(channels, 0.0), sum_dy(channels, 0.0);
    for (std::size_t grp = 0; grp < count; ++grp) {
        // Two-pass statistics, the mean summed relative to the first cell (as the forward does)
        // so a constant group centres to exactly 0.
        double first = 0.0;
        bool have_first = false;
        double shifted = 0.0, squares = 0.0;
        for_each_cell(plan, grp, [&](std::size_t f) {
            const double v = x.data[f];
            if (!have_first) {
                first = v;
                have_first = true;
            }
            shifted += v - first;
            squares += v * v;
        });
        const double mean = first + shifted / n;
        double centered = 0.0;
        for_each_cell(plan, grp, [&](std::size_t f) {
            const double d = x.data[f] - mean;
            centered += d * d;
        });
        const double stat = rms ? squares / n : centered / n;
        center[grp] = rms ? 0.0 : mean;
        inv[grp] = inv_scale(stat, spec.eps, spec.eps_placement);
        k[grp] = outside ? 1.0 / std::sqrt(stat) : inv[grp];

        double sum_g = 0.0, sum_gx = 0.0;
        for_each_cell(plan, grp, [&](std::size_t f) {
            const std::size_t c = channel_of(shape, f);
            const double xhat = (x.data[f] - center[grp]) * inv[grp];
            const double d = dy[f];
            const double g = d * gamma_of(c);
            sum_g += g;
            sum_gx += g * xhat;
            sum_dy_xhat[c] += d * xhat;
            sum_dy[c] += d;
        });
        mean_g[grp] = rms ? 0.0 : sum_g / n;
        mean_gx[grp] = sum_gx / n;
    }

    // Every read of x and dy for the reductions is done; dx may now overwrite either.
    for (std::size_t c = 0; c < channels; ++c) {
        if (dgamma) dgamma[c] = static_cast<float>(sum_dy_xhat[c]);
        if (dbeta) dbeta[c] = rms ? 0.0f : static_cast<float>(sum_dy[c]);
    }
    if (dx) {
        for (std::size_t grp = 0; grp < count; ++grp) {
            for_each_cell(plan, grp, [&](std::size_t f) {
                const double xhat = (x.data[f] - center[grp]) * inv[grp];
                const double g = dy[f] * gamma_of(channel_of(shape, f));
                dx[f] =
                    static_cast<float>(inv[grp] * (g - mean_g[grp]) - xhat * mean_gx[grp] * k[grp]);
            });
        }
    }
    return {};
}

// [SECTION] gradient check
namespace {

// The group of flat cell f from its axes, written from the definitions in norm.h without the
// (O, P, Q, M) view. Keys are dense in [0, group count).
std::size_t axis_group_key(const NormSpec& spec, const core::Shape& s, std::size_t f) {
    std::size_t idx[4] = {0, 0, 0, 0};
    std::size_t rest = f;
    for (int i = s.rank - 1; i >= 0; --i) {
        idx[i] = rest % static_cast<std::size_t>(s.dims[i]);
        rest /= static_cast<std::size_t>(s.dims[i]);
    }
    const std::size_t channels = static_cast<std::size_t>(s.channels());
    const std::size_t c = s.rank == 4 ? idx[1] : idx[s.rank - 1];
    switch (spec.kind) {
    case NormKind::Batch:
        return c;
    case NormKind::Layer:
    case NormKind::Rms:
        // Per token for (B, L, d), per example otherwise.
        return s.rank == 3 ? idx[0] * static_cast<std::size_t>(s.dims[1]) + idx[1] : idx[0];
    case NormKind::Group: {
        const std::size_t g = static_cast<std::size_t>(spec.groups);
        return idx[0] * g + c / (channels / g);
    }
    case NormKind::Instance:
        return idx[0] * channels + c;
    }
    return 0;
}

struct CheckData {
    NormSpec spec;
    bool eval = false;
    std::vector<double> gamma, beta, dy, rm, rv;
    std::vector<std::size_t> channel; // per cell
    std::vector<std::size_t> key;     // per cell
};

double textbook_scale(const NormSpec& spec, double stat) {
    return spec.eps_placement == EpsPlacement::Outside ? std::sqrt(stat) + spec.eps
                                                       : std::sqrt(stat + spec.eps);
}

// xhat of the given cells from the textbook double formula (y = gamma * xhat + beta), written
// into out[f]: naive one-pass mean, then the centered variance, in double.
void textbook_xhat(const CheckData& d, const std::vector<std::size_t>& cells,
                   const std::vector<double>& x, std::vector<double>* out) {
    if (d.eval) {
        for (std::size_t f : cells) {
            const std::size_t c = d.channel[f];
            (*out)[f] = (x[f] - d.rm[c]) / textbook_scale(d.spec, d.rv[c]);
        }
        return;
    }
    const double n = static_cast<double>(cells.size());
    double mean = 0.0, ms = 0.0;
    for (std::size_t f : cells) {
        mean += x[f];
        ms += x[f] * x[f];
    }
    mean /= n;
    ms /= n;
    double var = 0.0;
    for (std::size_t f : cells)
        var += (x[f] - mean) * (x[f] - mean);
    var /= n;
    const bool rms = d.spec.kind == NormKind::Rms;
    const double centre = rms ? 0.0 : mean;
    const double scale = textbook_scale(d.spec, rms ? ms : var);
    for (std::size_t f : cells)
        (*out)[f] = (x[f] - centre) / scale;
}

// L restricted to the cells of one group: sum(dy * y).
double group_loss(const CheckData& d, const std::vector<std::size_t>& cells,
                  const std::vector<double>& x, std::vector<double>* scratch) {
    textbook_xhat(d, cells, x, scratch);
    double loss = 0.0;
    for (std::size_t f : cells) {
        const std::size_t c = d.channel[f];
        loss += d.dy[f] * (d.gamma[c] * (*scratch)[f] + d.beta[c]);
    }
    return loss;
}

// The natural length scale of a group's input for the step h: sqrt(var + eps) (RMSNorm:
// sqrt(ms + eps)); 0 tells the caller to use an absolute step.
double group_scale(const CheckData& d, const std::vector<std::size_t>& cells,
                   const std::vector<double>& x) {
    const double n = static_cast<double>(cells.size());
    double mean = 0.0, ms = 0.0;
    for (std::size_t f : cells) {
        mean += x[f];
        ms += x[f] * x[f];
    }
    mean /= n;
    double var = 0.0;
    for (std::size_t f : cells)
        var += (x[f] - mean) * (x[f] - mean);
    return std::sqrt((d.spec.kind == NormKind::Rms ? ms / n : var / n) + d.spec.eps);
}

void accumulate(GradCheckReport* r, double analytic, double numeric) {
    const double abs_err = std::fabs(analytic - numeric);
    const double rel_err =
        abs_err / std::max(std::fabs(analytic) + std::fabs(numeric), kGradcheckRelFloor);
    r->max_abs_err = std::max(r->max_abs_err, abs_err);
    r->max_rel_err = std::max(r->max_rel_err, rel_err);
    ++r->checked;
}

std::vector<double> widen(const std::vector<float>& v, std::size_t n, double fill) {
    if (v.empty()) return std::vector<double>(n, fill);
    return std::vector<double>(v.begin(), v.end());
}

std::string length_message(const char* name, std::size_t got, std::size_t want) {
    return std::string(name) + " has " + std::to_string(got) + " values, expected " +
           std::to_string(want);
}

bool all_finite(const std::vector<float>& v) {
    for (float f : v)
        if (!std::isfinite(f)) return false;
    return true;
}

} // namespace

GradCheckCase make_gradcheck_case(const NormSpec& spec, const core::Shape& shape,
                                  std::uint64_t seed) {
    GradCheckCase c{.spec = spec, .shape = shape};
    if (!plan_groups(shape, spec, nullptr).empty()) return c;
    core::Rng rng(seed);
    const double offset = -2.0 + 4.0 * rng.uniform();
    const double scale = 0.5 + 1.5 * rng.uniform();
    const std::size_t n = shape.size();
    const std::size_t channels = static_cast<std::size_t>(shape.channels());
    auto fill = [&](std::vector<float>* v, std::size_t count, double base, double spread) {
        v->resize(count);
        for (float& e : *v)
            e = static_cast<float>(base + spread * rng.normal());
    };
    fill(&c.x, n, offset, scale);
    fill(&c.gamma, channels, 1.0, 0.5);
    fill(&c.beta, channels, 0.0, 1.0);
    fill(&c.dy, n, 0.0, 1.0);
    if (spec.kind == NormKind::Batch && spec.mode == NormMode::Eval) {
        fill(&c.running.mean, channels, 0.0, 0.5);
        c.running.var.resize(channels);
        for (float& e : c.running.var)
            e = static_cast<float>(0.5 + rng.uniform());
    }
    return c;
}

std::string gradcheck(const GradCheckCase& c, GradCheckReport* report, std::size_t max_checks) {
    std::string error = plan_groups(c.shape, c.spec, nullptr);
    if (!error.empty()) return error;
    if (max_checks < 1) return "max_checks must be >= 1";
    const std::size_t n = c.shape.size();
    const std::size_t channels = static_cast<std::size_t>(c.shape.channels());
    const bool eval = c.spec.kind == NormKind::Batch && c.spec.mode == NormMode::Eval;
    const bool rms = c.spec.kind == NormKind::Rms;
    if (c.x.size() != n) return length_message("x", c.x.size(), n);
    if (c.dy.size() != n) return length_message("dy", c.dy.size(), n);
    if (!c.gamma.empty() && c.gamma.size() != channels)
        return length_message("gamma", c.gamma.size(), channels);
    if (!c.beta.empty() && c.beta.size() != channels)
        return length_message("beta", c.beta.size(), channels);
    for (const std::vector<float>* v : {&c.x, &c.dy, &c.gamma, &c.beta})
        if (!all_finite(*v)) return "gradcheck inputs must be finite";

    // Analytic gradients (the code under test); it also checks the running stats.
    std::vector<float> dx(n), dgamma(channels), dbeta(channels);
    error = normalize_backward(c.spec, core::TensorView{.data = c.x.data(), .shape = c.shape},
                               c.gamma.empty() ? nullptr : c.gamma.data(), c.dy.data(), dx.data(),
                               dgamma.data(), dbeta.data(), &c.running);
    if (!error.empty()) return error;
    if (!all_finite(dx) || !all_finite(dgamma) || !all_finite(dbeta))
        return "analytic gradients are not finite (a constant group with eps 0 or eps outside "
               "the root?)";

    // The independent double forward.
    CheckData d{.spec = c.spec, .eval = eval};
    d.gamma = widen(c.gamma, channels, 1.0);
    d.beta = rms ? std::vector<double>(channels, 0.0) : widen(c.beta, channels, 0.0);
    d.dy = widen(c.dy, n, 0.0);
    d.rm = widen(eval ? c.running.mean : std::vector<float>(), channels, 0.0);
    d.rv = widen(eval ? c.running.var : std::vector<float>(), channels, 1.0);
    d.channel.resize(n);
    d.key.resize(n);
    std::size_t key_count = 0;
    for (std::size_t f = 0; f < n; ++f) {
        d.channel[f] = channel_of(c.shape, f);
        d.key[f] = axis_group_key(c.spec, c.shape, f);
        key_count = std::max(key_count, d.key[f] + 1);
    }
    std::vector<std::vector<std::size_t>> groups(key_count);
    for (std::size_t f = 0; f < n; ++f)
        groups[d.key[f]].push_back(f);
    std::vector<double> x(c.x.begin(), c.x.end());
    std::vector<double> scratch(n, 0.0);

    GradCheckReport r;
    // dx: an evenly spaced sample when the tensor is large.
    const std::size_t checks = std::min(n, max_checks);
    for (std::size_t k = 0; k < checks; ++k) {
        const std::size_t j = checks == n ? k : (k * n) / checks;
        const std::vector<std::size_t>& cells = groups[d.key[j]];
        double h = eval ? 1e-3 * (1.0 + std::fabs(x[j])) : 1e-4 * group_scale(d, cells, x);
        if (!(h > 0.0)) h = 1e-4 * (1.0 + std::fabs(x[j]));
        const double saved = x[j];
        x[j] = saved + h;
        const double plus = group_loss(d, cells, x, &scratch);
        x[j] = saved - h;
        const double minus = group_loss(d, cells, x, &scratch);
        x[j] = saved;
        accumulate(&r, dx[j], (plus - minus) / (2.0 * h));
    }

    // gamma and beta: L is linear in them, and only the cells of their channel see them.
    std::vector<double> xhat(n, 0.0);
    for (const std::vector<std::size_t>& cells : groups)
        if (!cells.empty()) textbook_xhat(d, cells, x, &xhat);
    std::vector<std::vector<std::size_t>> by_channel(channels);
    for (std::size_t f = 0; f < n; ++f)
        by_channel[d.channel[f]].push_back(f);
    auto channel_loss = [&](std::size_t ch, double gam, double bet) {
        double loss = 0.0;
        for (std::size_t f : by_channel[ch])
            loss += d.dy[f] * (gam * xhat[f] + bet);
        return loss;
    };
    for (std::size_t ch = 0; ch < channels; ++ch) {
        const double gam = d.gamma[ch], bet = d.beta[ch];
        const double hg = 1e-3 * (1.0 + std::fabs(gam));
        accumulate(&r, dgamma[ch],
                   (channel_loss(ch, gam + hg, bet) - channel_loss(ch, gam - hg, bet)) / (2 * hg));
        if (rms) continue; // no beta
        const double hb = 1e-3 * (1.0 + std::fabs(bet));
        accumulate(&r, dbeta[ch],
                   (channel_loss(ch, gam, bet + hb) - channel_loss(ch, gam, bet - hb)) / (2 * hb));
    }
    if (report) *report = r;
    return {};
}

} // namespace normlab::kernels
