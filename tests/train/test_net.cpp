// tests/train/test_net.cpp: the whole network's backward (train/net.h) against central finite
// differences of its own forward: every parameter tensor of every layer and the input, for every
// norm choice, both architectures and every residual placement. Also parameter layout, init,
// BatchNorm running statistics and the messages for bad configs.
// The network runs in float, so the check uses a directional derivative per tensor (a random
// unit direction: the signal is the tensor's whole gradient, well above float round-off) and
// then the largest single entry of each tensor. ReLU networks get the entry checks only: a
// random direction moves every pre-activation, and one crossing zero within the step spoils the
// difference quotient (measured: up to 60% off with h = 1e-3), while tanh networks are smooth.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "core/rng.h"
#include "train/net.h"

namespace {

using namespace normlab;
using train::Activation;
using train::Arch;
using train::Net;
using train::NetConfig;
using train::Norm;
using train::ParamInfo;
using train::PassResult;
using train::Placement;

constexpr int kBatch = 6;

struct Case {
    std::vector<float> x;
    std::vector<int> y;
};

Case make_case(const NetConfig& c, std::uint64_t seed) {
    core::Rng rng(seed);
    Case k;
    for (int i = 0; i < kBatch * c.inputs; ++i)
        k.x.push_back(static_cast<float>(rng.normal()));
    for (int i = 0; i < kBatch; ++i)
        k.y.push_back(static_cast<int>(rng.uniform() * c.classes));
    return k;
}

double loss_of(Net& net, const Case& k) {
    PassResult r;
    const std::string error =
        net.forward(k.x.data(), k.y.data(), kBatch, kernels::NormMode::Train, false, &r);
    REQUIRE(error.empty());
    return r.loss;
}

// Directional derivative of the loss along d (unit) in a tensor at `p`, central differences.
double numeric_directional(Net& net, const Case& k, float* p, const std::vector<double>& d,
                           double h) {
    std::vector<float> saved(p, p + d.size());
    for (std::size_t i = 0; i < d.size(); ++i)
        p[i] = static_cast<float>(saved[i] + h * d[i]);
    const double plus = loss_of(net, k);
    for (std::size_t i = 0; i < d.size(); ++i)
        p[i] = static_cast<float>(saved[i] - h * d[i]);
    const double minus = loss_of(net, k);
    std::copy(saved.begin(), saved.end(), p);
    return (plus - minus) / (2.0 * h);
}

std::vector<double> unit_direction(std::size_t n, core::Rng& rng) {
    std::vector<double> d(n);
    double norm = 0.0;
    for (double& v : d) {
        v = rng.normal();
        norm += v * v;
    }
    for (double& v : d)
        v /= std::sqrt(norm);
    return d;
}

struct Worst {
    double directional = 0.0; // relative error of the directional derivatives
    double entry = 0.0;       // relative error of single entries with |grad| >= 1e-2
    std::size_t entries = 0;
};

// Checks every tensor of `c` plus the input. h is relative to the tensor's RMS (at least 1e-3).
Worst check_network(const NetConfig& c, std::uint64_t seed) {
    const bool smooth = c.activation == Activation::Tanh;
    Net net;
    REQUIRE(net.init(c, kBatch, seed).empty());
    // Move gamma and beta away from 1 and 0 so their gradients are generic.
    core::Rng rng(seed + 99);
    for (const ParamInfo& p : net.param_info())
        if (p.role == train::ParamRole::Gamma || p.role == train::ParamRole::Beta ||
            p.role == train::ParamRole::Bias)
            for (std::size_t i = 0; i < p.size; ++i)
                net.params()[p.offset + i] += static_cast<float>(0.3 * rng.normal());
    Case k = make_case(c, seed);
    PassResult r;
    REQUIRE(net.forward(k.x.data(), k.y.data(), kBatch, kernels::NormMode::Train, false, &r)
                .empty());
    std::vector<float> dx(k.x.size());
    REQUIRE(net.backward(dx.data()).empty());
    const std::vector<float> grads = net.grads();

    Worst w;
    auto check_tensor = [&](const std::string& name, float* p, const float* g, std::size_t n) {
        CAPTURE(name);
        double rms = 0.0;
        for (std::size_t i = 0; i < n; ++i)
            rms += static_cast<double>(p[i]) * p[i];
        rms = std::sqrt(rms / n);
        const double h = std::max(1e-3, 1e-3 * rms) * std::sqrt(static_cast<double>(n));
        const std::vector<double> d = unit_direction(n, rng);
        double analytic = 0.0;
        for (std::size_t i = 0; i < n; ++i)
            analytic += g[i] * d[i];
        const double numeric = numeric_directional(net, k, p, d, h);
        // The floor: a directional derivative below 1e-2 is compared absolutely (a bias in
        // front of BatchNorm has gradient exactly 0; the float loss then differences to ~2e-5).
        const double rel = std::abs(analytic - numeric) /
                           std::max(std::abs(analytic) + std::abs(numeric), 1e-2);
        CAPTURE(analytic);
        CAPTURE(numeric);
        if (smooth) { // across a ReLU kink the difference quotient is not a derivative
            CHECK(rel < 1e-2);
            w.directional = std::max(w.directional, rel);
        }
        // The tensor's largest single entry (when it is large enough to measure in float).
        std::size_t best = 0;
        for (std::size_t i = 1; i < n; ++i)
            if (std::abs(g[i]) > std::abs(g[best])) best = i;
        if (std::abs(g[best]) >= 1e-2) {
            std::vector<double> e(n, 0.0);
            e[best] = 1.0;
            const double num = numeric_directional(net, k, p, e, std::max(1e-3, 1e-3 * rms));
            const double rel_e = std::abs(g[best] - num) / (std::abs(g[best]) + std::abs(num));
            CAPTURE(best);
            CHECK(rel_e < 5e-3);
            w.entry = std::max(w.entry, rel_e);
            ++w.entries;
        }
    };
    for (const ParamInfo& p : net.param_info())
        check_tensor(p.name, &net.params()[p.offset], &grads[p.offset], p.size);
    check_tensor("input", k.x.data(), dx.data(), k.x.size());
    return w;
}

} // namespace

TEST_CASE("net: whole-network gradient check, every norm, both architectures, every placement") {
    const Norm norms[] = {Norm::None, Norm::Batch, Norm::Layer, Norm::Rms, Norm::Group};
    for (Norm norm : norms) {
        for (Activation act : {Activation::Tanh, Activation::Relu}) {
            NetConfig c{.arch = Arch::Mlp, .inputs = 3, .classes = 3, .depth = 3, .width = 8,
                        .norm = norm, .groups = 2, .activation = act};
            CAPTURE(train::norm_choice_id(norm));
            CAPTURE(train::activation_id(act));
            for (std::uint64_t seed : {1u, 2u}) {
                const Worst w = check_network(c, seed);
                MESSAGE("mlp " << train::norm_choice_id(norm) << " " << train::activation_id(act)
                               << " seed " << seed << ": directional " << w.directional
                               << ", entries " << w.entry);
            }
            for (Placement p : {Placement::Pre, Placement::Post, Placement::Sandwich}) {
                if (norm == Norm::None && p != Placement::Pre) continue;
                NetConfig r = c;
                r.arch = Arch::Residual;
                r.placement = p;
                r.depth = 4;
                CAPTURE(train::placement_id(p));
                const Worst w = check_network(r, 3);
                MESSAGE("residual " << train::placement_id(p) << " " << train::norm_choice_id(norm)
                                    << " " << train::activation_id(act) << ": directional "
                                    << w.directional << ", entries " << w.entry);
            }
        }
    }
}

TEST_CASE("net: a bias in front of BatchNorm gets exactly zero gradient, LayerNorm's does not") {
    // BatchNorm subtracts the batch mean of each feature, so adding b to a feature changes
    // nothing downstream; LayerNorm subtracts the mean over features, which b shifts unevenly.
    for (Norm norm : {Norm::Batch, Norm::Layer}) {
        NetConfig c{.inputs = 3, .classes = 3, .depth = 2, .width = 8, .norm = norm};
        Net net;
        REQUIRE(net.init(c, kBatch, 5).empty());
        const Case k = make_case(c, 5);
        PassResult r;
        REQUIRE(net.forward(k.x.data(), k.y.data(), kBatch, kernels::NormMode::Train, false, &r)
                    .empty());
        REQUIRE(net.backward().empty());
        double bias_grad = 0.0;
        for (const ParamInfo& p : net.param_info())
            if (p.role == train::ParamRole::Bias && p.layer >= 0)
                for (std::size_t i = 0; i < p.size; ++i)
                    bias_grad = std::max(bias_grad, std::abs(double(net.grads()[p.offset + i])));
        CAPTURE(train::norm_choice_id(norm));
        if (norm == Norm::Batch)
            CHECK(bias_grad < 1e-6);
        else
            CHECK(bias_grad > 1e-3);
    }
}
