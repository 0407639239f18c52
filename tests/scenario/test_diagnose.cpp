// tests/scenario/test_diagnose.cpp: every diagnosis fires on a lab built to show it, healthy
// data get "healthy", and diagnose() only ever names registered ids.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>

#include "scenario/diagnose.h"
#include "scenario/registry.h"
#include "sim/families.h"

using namespace normlab;
using namespace normlab::scenario;
using kernels::NormKind;

namespace {

bool has(const std::vector<std::string>& v, const char* id) {
    return std::find(v.begin(), v.end(), id) != v.end();
}

sim::Lab make(sim::LabConfig c) {
    sim::Lab lab;
    lab.init(c);
    return lab;
}

} // namespace

TEST_CASE("diagnose: well-behaved data is healthy for every family") {
    for (NormKind k : {NormKind::Batch, NormKind::Layer, NormKind::Group, NormKind::Instance})
        for (std::uint64_t seed : {1u, 7u, 13u}) {
            CAPTURE(kernels::norm_id(k));
            CAPTURE(seed);
            const sim::Lab lab = make({.family = k,
                                       .layout = sim::Layout::Image,
                                       .batch = 8,
                                       .features = 8,
                                       .seed = seed});
            CHECK(diagnose(lab) == std::vector<std::string>{"healthy"});
        }
}

TEST_CASE("diagnose: each diagnosis fires on the lab that shows it") {
    using P = sim::DataPreset;
    SUBCASE("nonfinite_input") {
        sim::Lab lab = make({});
        lab.set_cell(3, NAN);
        CHECK(has(diagnose(lab), "nonfinite_input"));
    }
    SUBCASE("fp16_overflow and precision_loss") {
        sim::Lab lab = make({.preset = P::LargeOffset});
        lab.set_precision(kernels::Precision::Fp16, kernels::Accumulate::Storage);
        CHECK(has(diagnose(lab), "fp16_overflow"));
        lab.set_precision(kernels::Precision::Fp16, kernels::Accumulate::Fp32);
        const auto d = diagnose(lab);
        CHECK_FALSE(has(d, "fp16_overflow"));
        CHECK(has(d, "precision_loss"));
        lab.set_precision(kernels::Precision::Fp32, kernels::Accumulate::Fp32);
        CHECK_FALSE(has(diagnose(lab), "precision_loss"));
    }
    SUBCASE("batch_of_one") {
        CHECK(has(diagnose(make({.batch = 1})), "batch_of_one"));
    }
    SUBCASE("d_equals_1") {
        CHECK(has(diagnose(make({.family = NormKind::Layer, .features = 1})), "d_equals_1"));
        CHECK(has(diagnose(make({.family = NormKind::Rms, .features = 1})), "d_equals_1"));
    }
    SUBCASE("single_cell_groups") {
        CHECK(
            has(diagnose(make(
                    {.family = NormKind::Instance, .layout = sim::Layout::Sequence, .length = 1})),
                "single_cell_groups"));
    }
    SUBCASE("tiny_batch") {
        const auto d = diagnose(make({.batch = 2}));
        CHECK(has(d, "tiny_batch"));
        CHECK_FALSE(has(diagnose(make({.family = NormKind::Layer, .batch = 2})), "tiny_batch"));
    }
    SUBCASE("running_stats_untrained and train_eval_gap") {
        sim::Lab lab = make({});
        lab.set_mode(kernels::NormMode::Eval);
        CHECK(has(diagnose(lab), "running_stats_untrained"));
        lab.train_batches(30);
        CHECK_FALSE(has(diagnose(lab), "running_stats_untrained"));
        lab.set_preset(P::ShiftedMean); // the data moved after training
        CHECK(has(diagnose(lab), "train_eval_gap"));
    }
    SUBCASE("eps placement") {
        sim::Lab lab = make({.preset = P::NearConstant});
        lab.set_eps_placement(kernels::EpsPlacement::Outside);
        CHECK(has(diagnose(lab), "eps_bug_active"));
        sim::Lab calm = make({});
        calm.set_eps_placement(kernels::EpsPlacement::Outside);
        const auto d = diagnose(calm);
        CHECK(has(d, "eps_bug_latent"));
        CHECK_FALSE(has(d, "eps_bug_active"));
    }
    SUBCASE("eps_too_large") {
        CHECK(has(diagnose(make({.eps = 1.f})), "eps_too_large"));
    }
    SUBCASE("near_constant_group") {
        CHECK(has(diagnose(make({.preset = P::NearConstant})), "near_constant_group"));
        // LayerNorm's rows still vary: the near-constant feature is not a group of its own.
        CHECK_FALSE(has(diagnose(make({.family = NormKind::Layer, .preset = P::NearConstant})),
                        "near_constant_group"));
    }
    SUBCASE("outliers") {
        CHECK(
            has(diagnose(make({.layout = sim::Layout::Image, .preset = P::Outliers})), "outliers"));
        sim::Lab lab = make({.batch = 16});
        lab.set_cell(5, 40.f);
        CHECK(has(diagnose(lab), "outliers"));
    }
    SUBCASE("large_offset") {
        CHECK(has(diagnose(make({.preset = P::LargeOffset})), "large_offset"));
    }
    SUBCASE("scale_drift") {
        CHECK(has(diagnose(make({.preset = P::ScaleDrift})), "scale_drift"));
    }
    SUBCASE("rms_keeps_mean") {
        CHECK(has(diagnose(make({.family = NormKind::Rms, .preset = P::ShiftedMean})),
                  "rms_keeps_mean"));
        CHECK_FALSE(has(diagnose(make({.family = NormKind::Layer, .preset = P::ShiftedMean})),
                        "rms_keeps_mean"));
    }
}

TEST_CASE("diagnose: only registered ids, in registry order, no duplicates") {
    const auto& ids = diagnosis_ids();
    const auto index = [&](const std::string& id) {
        return std::find_if(ids.begin(), ids.end(),
                            [&](const DiagnosisId& d) { return id == d.id; }) -
               ids.begin();
    };
    for (int p = 0; p < sim::kPresetCount; ++p)
        for (NormKind k : sim::kBoardFamilies)
            for (sim::Layout layout :
                 {sim::Layout::Matrix, sim::Layout::Sequence, sim::Layout::Image}) {
                const sim::Lab lab = make({.family = k,
                                           .layout = layout,
                                           .batch = 4,
                                           .features = 6,
                                           .length = 3,
                                           .height = 2,
                                           .width = 3,
                                           .groups = 3,
                                           .preset = static_cast<sim::DataPreset>(p)});
                const auto d = diagnose(lab);
                REQUIRE(!d.empty());
                for (std::size_t i = 0; i < d.size(); ++i) {
                    CHECK(is_diagnosis_id(d[i]));
                    if (i > 0) CHECK(index(d[i - 1]) < index(d[i]));
                }
            }
}
