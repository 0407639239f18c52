// tests/sim/test_export.cpp: the files a learner takes away say what the board shows.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "sim/export.h"

using namespace normlab;
using kernels::NormKind;

TEST_CASE("export_json: settings, tensors and statistics round-trip") {
    sim::Lab lab;
    lab.init({.family = NormKind::Group, .layout = sim::Layout::Image, .batch = 2, .features = 4,
              .height = 2, .width = 3, .groups = 2});
    const auto j = nlohmann::json::parse(sim::export_json(lab));
    CHECK(j["family"] == "groupnorm");
    CHECK(j["shape"] == std::vector<int>{2, 4, 2, 3});
    CHECK(j["groups"] == 2);
    CHECK(j["x"].size() == lab.x().size());
    CHECK(j["y"][5].get<float>() == lab.y()[5]);
    CHECK(j["mean"].size() == 4);
    CHECK(j["mode"] == "train");
}

TEST_CASE("export_csv: one row per cell with its group") {
    sim::Lab lab;
    lab.init({.family = NormKind::Batch, .batch = 3, .features = 2});
    const std::string csv = sim::export_csv(lab);
    CHECK(csv.rfind("index,example,feature,group,x,y\n", 0) == 0);
    CHECK(std::count(csv.begin(), csv.end(), '\n') == 7);
    CHECK(csv.find("\n3,1,1,1,") != std::string::npos);  // cell 3: example 1, feature 1, column group 1
}

TEST_CASE("pytorch_snippet: the module, shape and mode match the board") {
    sim::Lab lab;
    lab.init({.family = NormKind::Batch, .layout = sim::Layout::Sequence, .batch = 2, .features = 3, .length = 4});
    std::string py = sim::pytorch_snippet(lab);
    CHECK(py.find("torch.nn.BatchNorm1d(3, eps=1e-05, momentum=0.10)") != std::string::npos);
    CHECK(py.find(".reshape(2, 4, 3)") != std::string::npos);
    CHECK(py.find("norm(x.transpose(1, 2)).transpose(1, 2)") != std::string::npos);
    CHECK(py.find("norm.train()") != std::string::npos);
    lab.train_batches(2);
    lab.set_mode(kernels::NormMode::Eval);
    py = sim::pytorch_snippet(lab);
    CHECK(py.find("norm.running_mean.copy_") != std::string::npos);
    CHECK(py.find("norm.eval()") != std::string::npos);

    lab.set_layout(sim::Layout::Image);
    lab.set_family(NormKind::Layer);
    lab.set_affine(1, 2.f, 0.5f);
    py = sim::pytorch_snippet(lab);
    CHECK(py.find("torch.nn.LayerNorm([3, 4, 4], eps=1e-05)") != std::string::npos);
    CHECK(py.find("norm.weight.copy_(") != std::string::npos);
    CHECK(py.find("expand_as(norm.weight)") != std::string::npos);

    lab.set_family(NormKind::Group);
    lab.set_features(6);
    lab.set_groups(3);
    CHECK(sim::pytorch_snippet(lab).find("torch.nn.GroupNorm(3, 6, eps=1e-05)") != std::string::npos);
    lab.set_family(NormKind::Rms);
    lab.set_eps_placement(kernels::EpsPlacement::Outside);
    py = sim::pytorch_snippet(lab);
    CHECK(py.find("torch.nn.RMSNorm([6, 4, 4], eps=1e-05)") != std::string::npos);
    CHECK(py.find("eps-outside bug") != std::string::npos);

    lab.set_layout(sim::Layout::Matrix);
    lab.set_batch(64);
    lab.set_features(64);   // 4096 values: still inline
    CHECK(sim::pytorch_snippet(lab).find("json.load") == std::string::npos);
    lab.set_layout(sim::Layout::Image);   // 64*64*4*4 values: loads the JSON export instead
    CHECK(sim::pytorch_snippet(lab).find("json.load(open('normlab.json'))") != std::string::npos);
}
