// tests/train/test_train_lab.cpp: the training lab's headless state (train/train_lab.h):
// settings checks, time slices that respect their budget, findings built from the runs.
#include <doctest/doctest.h>

#include <chrono>
#include <cmath>
#include <string>
#include <vector>

#include "train/train_lab.h"

using namespace normlab;
using train::LabExperiment;

namespace {
bool mentions(const std::vector<train::Finding>& f, const std::string& what) {
    for (const auto& x : f)
        if (x.text.find(what) != std::string::npos) return true;
    return false;
}
} // namespace

TEST_CASE("train_lab: ids round-trip and bad settings are named") {
    for (LabExperiment e : train::kLabExperiments) {
        LabExperiment back{};
        REQUIRE(train::parse_lab_experiment(train::lab_experiment_id(e), &back));
        CHECK(back == e);
        CHECK(train::check_lab_settings(train::default_settings(e)).empty());
    }
    LabExperiment e{};
    CHECK_FALSE(train::parse_lab_experiment("warmup", &e));
    train::TrainLabSettings s = train::default_settings(LabExperiment::Placement);
    s.depth = 65;
    CHECK(train::check_lab_settings(s).find("depth") != std::string::npos);
    s = train::default_settings(LabExperiment::Placement);
    s.norm = train::Norm::Batch;
    CHECK(train::check_lab_settings(s).find("layernorm or rmsnorm") != std::string::npos);
    train::TrainLab lab;
    CHECK(lab.configure(s) != "");
    CHECK_FALSE(lab.has_runs()); // a refused configure keeps the previous (empty) lab
}

TEST_CASE("train_lab: run_for respects its budget and finishes the runs") {
    train::TrainLabSettings s = train::default_settings(LabExperiment::Batch);
    s.steps = 60;
    train::TrainLab lab;
    REQUIRE(lab.configure(s) == "");
    CHECK(lab.experiment().size() == std::size(train::kBatchValues));
    CHECK(lab.steps_done() == 0);
    CHECK(lab.steps_total() == 60 * 4);
    // The runs take their step-0 measurements first (run_for spends its first slices on them,
    // training nothing until every run has started); with no time limit prepare does them all.
    CHECK(lab.experiment().run(0).curves().eval_acc.empty());
    CHECK_FALSE(lab.prepare(1e9));
    for (std::size_t i = 0; i < lab.experiment().size(); ++i)
        CHECK(lab.experiment().run(i).curves().eval_step == std::vector<int>{0});
    CHECK(lab.steps_done() == 0);
    const auto t0 = std::chrono::steady_clock::now();
    const int n = lab.run_for(5.0);
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    CHECK(n > 0);
    CHECK(lab.steps_done() == n);
    CHECK(n < lab.steps_total()); // 5 ms is not enough for 240 steps of four runs
    // Chunks aim at 80% of the time left, so the overshoot is about one step, not a run
    // (a loose bound: the test machine may be busy).
    CHECK(ms < 5.0 + 20 * lab.ms_per_step() + 100.0);
    while (!lab.finished())
        lab.run_for(50);
    CHECK(lab.steps_done() <= lab.steps_total());
    lab.reset();
    CHECK(lab.steps_done() == 0);
    CHECK_FALSE(lab.finished());
}

TEST_CASE("train_lab: findings quote the measured summaries") {
    train::TrainLabSettings s = train::default_settings(LabExperiment::Lr);
    s.steps = 80;
    train::TrainLab lab;
    REQUIRE(lab.configure(s) == "");
    // Before training: facts say nothing finished, claims are not judged yet.
    auto f = lab.findings();
    CHECK(mentions(f, "Claims are checked when every run has finished"));
    while (!lab.finished())
        lab.run_for(100);
    f = lab.findings();
    CHECK_FALSE(mentions(f, "Claims are checked"));
    // Each norm's line quotes its best final loss, which must be one of its runs' losses.
    const auto sums = lab.experiment().summarize();
    for (std::size_t n = 0; n < std::size(train::kLrNorms); ++n) {
        const std::string name = train::norm_choice_name(train::kLrNorms[n]);
        bool found = false;
        for (const auto& x : f)
            if (x.text.rfind(name + ":", 0) == 0) found = true;
        CHECK(found);
    }
    for (const auto& s2 : sums)
        if (s2.diverged) CHECK(mentions(f, "diverged at lr"));
    // The lr claim line is judged one way or the other, with the numbers in it.
    CHECK(mentions(f, "largest stable lr without a norm"));
}

TEST_CASE("train_lab: Jacobian view has J 1 = 0 for LayerNorm and not for RMSNorm") {
    train::TrainLabSettings s = train::default_settings(LabExperiment::Jacobian);
    s.jacobian_n = 6;
    s.eps = 0;
    train::TrainLab lab;
    REQUIRE(lab.configure(s) == "");
    const auto& j = lab.jacobian();
    REQUIRE(j.error.empty());
    CHECK(j.x.size() == 6);
    CHECK(train::max_abs(j.layer_ones) < 1e-4f);
    CHECK(train::max_abs(j.rms_ones) > 1e-2f);
    CHECK(train::max_abs(j.layer_x) < 1e-4f); // eps 0: scale invariance
    CHECK(train::max_abs(j.rms_x) < 1e-4f);
    // Independent check of one entry of the LayerNorm Jacobian (eps 0, gamma 1):
    // dy_i/dx_k = (delta_ik - 1/n - y_i y_k / n) / sigma.
    double mean = 0, var = 0;
    for (float v : j.x) mean += v;
    mean /= 6;
    for (float v : j.x) var += (v - mean) * (v - mean);
    var /= 6;
    const double sigma = std::sqrt(var);
    const auto y = [&](int i) { return (j.x[i] - mean) / sigma; };
    for (int i : {0, 3})
        for (int k : {1, 3}) {
            const double want = ((i == k ? 1.0 : 0.0) - 1.0 / 6 - y(i) * y(k) / 6) / sigma;
            CHECK(j.layer.j[i * 6 + k] == doctest::Approx(want).epsilon(1e-3));
        }
    const auto f = lab.findings();
    CHECK(mentions(f, "LayerNorm: max |J 1|"));
    CHECK(f[2].kind == train::Finding::Kind::Holds);
    CHECK(f[3].kind == train::Finding::Kind::Holds);
}
