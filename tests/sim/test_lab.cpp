// tests/sim/test_lab.cpp: the lab state stays consistent and explains out-of-range input.
#include <doctest/doctest.h>

#include <cmath>

#include "sim/families.h"
#include "sim/lab.h"

using namespace normlab;
using kernels::NormKind;

TEST_CASE("nearest_divisor: picks a divisor of C closest to the request") {
    CHECK(sim::nearest_divisor(12, 5) == 4);
    CHECK(sim::nearest_divisor(12, 7) == 6);
    CHECK(sim::nearest_divisor(7, 3) == 1);
    CHECK(sim::nearest_divisor(64, 32) == 32);
    CHECK(sim::nearest_divisor(1, 9) == 1);
    CHECK(sim::nearest_divisor(0, 3) == 1);
}

TEST_CASE("lab: data is deterministic per seed and changes with it") {
    sim::Lab a, b, c;
    a.init({.seed = 3});
    b.init({.seed = 3});
    c.init({.seed = 4});
    CHECK(a.x() == b.x());
    CHECK(a.x() != c.x());
}

TEST_CASE("lab: every layout and family gives finite output with the advertised groups") {
    for (sim::Layout layout : {sim::Layout::Matrix, sim::Layout::Sequence, sim::Layout::Image})
        for (NormKind kind : sim::kBoardFamilies) {
            sim::Lab lab;
            lab.init({.family = kind, .layout = layout, .batch = 5, .features = 6, .length = 3,
                      .height = 2, .width = 3, .groups = 3});
            const std::string where = std::string(sim::layout_name(layout)) + " " + kernels::norm_name(kind);
            CAPTURE(where);
            if (kind == NormKind::Instance && layout == sim::Layout::Matrix) {
                CHECK(lab.config().family == NormKind::Layer);  // fell back, with no error
                CHECK(lab.error().empty());
                continue;
            }
            REQUIRE(lab.error().empty());
            CHECK(lab.nonfinite_outputs() == 0);
            CHECK(lab.plan().group_count() * lab.plan().group_size() == lab.shape().size());
            for (std::size_t g = 0; g < lab.plan().group_count(); ++g) {
                const sim::CellStats after = sim::group_cell_stats(lab.y(), lab.plan(), g);
                CHECK(after.count == lab.plan().group_size());
                // eps keeps the output scale just under 1: sqrt(s / (s + eps)), s = var or ms.
                const double eps = lab.config().eps;
                const double var = lab.trace().var[g];
                const double ms = static_cast<double>(lab.trace().rms[g]) * lab.trace().rms[g];
                if (kind == NormKind::Rms) {
                    CHECK(after.rms == doctest::Approx(std::sqrt(ms / (ms + eps))).epsilon(1e-4));
                } else {
                    CHECK(std::fabs(after.mean) < 1e-5);
                    CHECK(after.std == doctest::Approx(std::sqrt(var / (var + eps))).epsilon(1e-4));
                }
            }
        }
}

TEST_CASE("lab: out-of-range settings are clamped with a note naming the value") {
    sim::Lab lab;
    lab.init({});
    CHECK(lab.set_batch(999).find("999") != std::string::npos);
    CHECK(lab.config().batch == sim::kMaxBatch);
    CHECK(lab.set_batch(0).find("out of range") != std::string::npos);
    CHECK(lab.config().batch == 1);
    CHECK(lab.set_features(-5).find("-5") != std::string::npos);
    CHECK(lab.config().features == 1);
    CHECK(lab.set_eps(std::nanf("")) == "eps must be a finite number >= 0");
    CHECK(lab.set_eps(-1.f) == "eps must be a finite number >= 0");
    CHECK(lab.set_eps(1e-3f).empty());
    CHECK(lab.config().eps == 1e-3f);
}

TEST_CASE("lab: GroupNorm groups always divide the channel count") {
    sim::Lab lab;
    lab.init({.family = NormKind::Group, .layout = sim::Layout::Image, .features = 12, .groups = 4});
    CHECK(lab.config().groups == 4);
    CHECK(lab.set_groups(5).find("does not divide") != std::string::npos);
    CHECK(lab.config().groups == 4);
    CHECK(lab.set_features(9).find("G = 3") != std::string::npos);
    CHECK(lab.config().groups == 3);
    CHECK(lab.error().empty());
}

TEST_CASE("lab: InstanceNorm is refused on (B, d) and the family stays") {
    sim::Lab lab;
    lab.init({.family = NormKind::Batch});
    const std::string note = lab.set_family(NormKind::Instance);
    CHECK_FALSE(note.empty());
    CHECK(lab.config().family == NormKind::Batch);
    CHECK(lab.set_layout(sim::Layout::Image).empty());
    CHECK(lab.set_family(NormKind::Instance).empty());
    CHECK(lab.set_layout(sim::Layout::Matrix).find("InstanceNorm") != std::string::npos);
    CHECK(lab.config().family == NormKind::Layer);
}

TEST_CASE("lab: the sweep walks through every group and wraps") {
    sim::Lab lab;
    lab.init({.family = NormKind::Layer, .batch = 4});
    lab.sweep().groups_per_second = 4.f;
    std::size_t visited = 0;
    std::size_t last = lab.sweep().group;
    for (int i = 0; i < 40; ++i) {
        lab.step(1.0 / 16);
        if (lab.sweep().group != last) ++visited;
        last = lab.sweep().group;
        CHECK(lab.sweep().group < 4);
    }
    CHECK(visited >= 8);  // 2.5 s at 4 groups/s: wrapped at least twice
    lab.sweep().playing = false;
    lab.step(10.0);
    CHECK(lab.sweep().group == last);
    lab.step_group(-1);
    CHECK(lab.sweep().group == (last + 3) % 4);
}

TEST_CASE("lab: revision changes with the data, not with the sweep") {
    sim::Lab lab;
    lab.init({});
    const auto r0 = lab.revision();
    lab.step(1.0);
    CHECK(lab.revision() == r0);
    lab.resample();
    CHECK(lab.revision() > r0);
}

TEST_CASE("families: group and cell descriptions name the right indices") {
    const core::Shape seq = core::Shape::sequence(2, 3, 4);
    kernels::GroupPlan plan;
    REQUIRE(kernels::plan_groups(seq, {.kind = NormKind::Layer}, &plan).empty());
    CHECK(sim::describe_group(NormKind::Layer, seq, plan, 4) == "example 1, token 1");
    CHECK(sim::describe_cell(seq, 4 * 4 + 2) == "example 1, token 1, feature 2");
    const core::Shape img = core::Shape::image(2, 6, 2, 3);
    REQUIRE(kernels::plan_groups(img, {.kind = NormKind::Group, .groups = 3}, &plan).empty());
    CHECK(sim::describe_group(NormKind::Group, img, plan, 5) == "example 1, group 2 (channels 4–5)");
    CHECK(sim::describe_cell(img, 6 * 6 + 2 * 6 + 4) == "example 1, channel 2, (h 1, w 1)");
    CHECK(sim::stat_shape(NormKind::Layer, seq, 1) == "μ, σ: (B, L)");
    CHECK(sim::stat_shape(NormKind::Batch, img, 1) == "μ, σ: (C,)");
}

TEST_CASE("lab: scaling one example moves BatchNorm outputs of the others, not LayerNorm's") {
    for (NormKind kind : {NormKind::Batch, NormKind::Layer, NormKind::Rms}) {
        sim::Lab lab;
        lab.init({.family = kind, .batch = 6, .features = 5});
        const std::vector<float> before = lab.y();
        CHECK(lab.scale_example(2, 3.f).empty());
        double other_change = 0;
        for (std::size_t f = 0; f < before.size(); ++f)
            if (lab.example_of(f) != 2) other_change = std::max(other_change, std::fabs(double(lab.y()[f]) - before[f]));
        CAPTURE(std::string(kernels::norm_name(kind)));
        if (kind == NormKind::Batch) CHECK(other_change > 1e-2);
        else CHECK(other_change == 0.0);
    }
    sim::Lab lab;
    lab.init({});
    CHECK(lab.scale_example(99, 2.f).find("does not exist") != std::string::npos);
    CHECK(lab.scale_example(0, INFINITY).find("finite") != std::string::npos);
}

TEST_CASE("lab: presets are what they say") {
    sim::Lab lab;
    lab.init({.family = NormKind::Layer, .batch = 8});
    lab.set_preset(sim::DataPreset::TinyBatch);
    CHECK(lab.config().batch == 2);
    lab.set_preset(sim::DataPreset::LargeOffset);
    const sim::CellStats big = sim::all_cell_stats(lab.x());
    CHECK(big.mean == doctest::Approx(1e4).epsilon(1e-4));
    CHECK(big.std < 0.1);
    CHECK(big.std > 1e-3);
    // LayerNorm still recovers unit spread: the kernels' statistics survive the offset.
    const sim::CellStats g0 = sim::group_cell_stats(lab.y(), lab.plan(), 0);
    CHECK(g0.std > 0.9);
    lab.set_preset(sim::DataPreset::Skewed);
    const sim::CellStats sk = sim::all_cell_stats(lab.x());
    CHECK(sk.max - sk.mean > 2 * (sk.mean - sk.min));   // long right tail
    lab.set_preset(sim::DataPreset::NearConstant);
    lab.set_family(NormKind::Batch);
    const std::size_t c = static_cast<std::size_t>(lab.config().features) / 2;
    CHECK(lab.trace().var[c] < 1e-5);
    CHECK(lab.set_cell(0, NAN).find("non-finite") != std::string::npos);
    CHECK(lab.nonfinite_outputs() > 0);
    CHECK(lab.nonfinite_outputs() < lab.x().size());   // only that group is poisoned
}

TEST_CASE("lab: compare mode normalizes the same data with a second family") {
    sim::Lab lab;
    lab.init({.family = NormKind::Batch, .batch = 5, .features = 7});
    CHECK(lab.set_compare(NormKind::Layer).empty());
    REQUIRE(lab.y_compare().size() == lab.x().size());
    CHECK(lab.plan_compare().group_count() == 5);
    const sim::CellStats row = sim::group_cell_stats(lab.y_compare(), lab.plan_compare(), 2);
    CHECK(std::fabs(row.mean) < 1e-5);
    CHECK(lab.y_compare() != lab.y());
    CHECK_FALSE(lab.set_compare(NormKind::Instance).empty());   // undefined on (B, d)
    CHECK(lab.compare() == NormKind::Layer);
    lab.set_layout(sim::Layout::Image);
    CHECK(lab.set_compare(NormKind::Instance).empty());
    lab.set_layout(sim::Layout::Matrix);
    CHECK_FALSE(lab.compare().has_value());
    CHECK(lab.set_compare(std::nullopt).empty());
    CHECK(lab.y_compare().empty());
}

TEST_CASE("lab: train batches fill the running statistics; eval then uses them") {
    sim::Lab lab;
    lab.init({.family = NormKind::Batch, .batch = 16, .features = 4});
    CHECK(lab.train_batches(200).empty());
    CHECK(lab.batches_trained() == 200);
    REQUIRE(lab.running().mean.size() == 4);
    // After many batches the running mean tracks the distribution: close to this batch's mean.
    for (std::size_t c = 0; c < 4; ++c)
        CHECK(std::fabs(lab.running().mean[c] - lab.trace().mean[c]) < 0.6 * std::sqrt(lab.trace().var[c]) + 0.05);
    lab.set_mode(kernels::NormMode::Eval);
    const float gap_trained = lab.train_eval_gap();
    CHECK(gap_trained < 1.5f);
    lab.reset_running();
    lab.set_mode(kernels::NormMode::Eval);   // defaults 0 / 1: far from the data
    CHECK(lab.train_eval_gap() > gap_trained);
    CHECK(lab.set_mode(kernels::NormMode::Eval).empty());
    lab.set_family(NormKind::Layer);
    CHECK(lab.train_batches(3).find("only BatchNorm") != std::string::npos);
    CHECK(lab.train_eval_gap() == 0.f);
}
