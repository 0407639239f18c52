// tests/scenario/test_train_view.cpp: a step's "train" object (scenario::TrainView): strict
// loading, inheritance by later steps, the settings it gives the training lab, the schema, and
// the two bundled scenarios that use it.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "scenario/loader.h"
#include "scenario/train_bridge.h"
#include "scenario_test_util.h"

using namespace normlab;
using namespace normlab::scenario;

namespace {

std::string with_steps(const std::string& steps) {
    return R"({"kind": "scenario", "format": 1, "id": "99_train", "language": "en",
  "title": "T", "summary": "S", "level": "beginner", "minutes": 3, "steps": [)" +
           steps + "]}";
}

std::string all_errors(const Loaded<Scenario>& r) {
    std::string s;
    for (const Error& e : r.errors)
        s += format_error(e) + "\n";
    return s;
}

} // namespace

TEST_CASE("train view: loads, is inherited by later steps and gives the lab's settings") {
    const auto r = load_scenario(with_steps(R"(
      {"id": "a", "title": "A", "text": "No training yet."},
      {"id": "b", "title": "B", "text": "Depth.",
       "train": {"experiment": "placement", "depth": 24, "warmup": 50, "norm": "rmsnorm",
                 "lr": 0.05, "run": false}},
      {"id": "c", "title": "C", "text": "Same view."},
      {"id": "d", "title": "D", "text": "Jacobian.",
       "train": {"experiment": "jacobian", "jacobian": "rmsnorm", "vector_size": 5, "eps": 0}})"),
                                 "t.json");
    REQUIRE_MESSAGE(r.ok(), all_errors(r));
    const Scenario& sc = *r.value;
    CHECK(train_view_at(sc, 0) == nullptr); // the tour leaves the view alone
    const TrainView* b = train_view_at(sc, 1);
    REQUIRE(b);
    CHECK(b->experiment == "placement");
    CHECK_FALSE(b->run);
    CHECK(train_view_at(sc, 2) == b); // inherited
    CHECK(train_view_at(sc, 99)->experiment == "jacobian"); // clamped to the last step

    train::TrainLabSettings s;
    REQUIRE(train_settings(*b, &s) == "");
    CHECK(s.experiment == train::LabExperiment::Placement);
    CHECK(s.depth == 24);
    CHECK(s.warmup == 50);
    CHECK(s.norm == train::Norm::Rms);
    CHECK(s.lr == doctest::Approx(0.05f));
    // Unset fields keep the experiment's defaults.
    CHECK(s.steps == train::default_settings(train::LabExperiment::Placement).steps);
    REQUIRE(train_settings(*train_view_at(sc, 3), &s) == "");
    CHECK(s.jacobian_kind == kernels::NormKind::Rms);
    CHECK(s.jacobian_n == 5);
    CHECK(s.eps == 0.f);
    // The settings really configure a lab.
    train::TrainLab lab;
    CHECK(lab.configure(s) == "");
    CHECK(lab.jacobian().x.size() == 5);
}

TEST_CASE("train view: bad values are errors with their JSON path") {
    const auto bad = [](const std::string& train) {
        return all_errors(load_scenario(
            with_steps(R"({"id": "a", "title": "A", "text": "x", "train": )" + train + "}"), "t.json"));
    };
    CHECK(bad(R"({"experiment": "lr", "lr": 0.5})").find(
              "/steps/0/train/lr: \"lr\" has no effect in the \"lr\" experiment") != std::string::npos);
    CHECK(bad(R"({"experiment": "batch", "norm": "groupnorm", "width": 6})")
              .find("/steps/0/train: the training lab refuses these settings: groupnorm needs a "
                    "width divisible by 4") != std::string::npos);
    CHECK(bad(R"({"experiment": "momentum", "task": "spiral"})")
              .find("/steps/0/train/task: unknown task \"spiral\"") != std::string::npos);
    CHECK(bad(R"({"experiment": "momentum", "run": "yes"})")
              .find("/steps/0/train/run: must be true or false") != std::string::npos);
    CHECK(bad(R"("lr")").find("/steps/0/train: must be an object") != std::string::npos);
}

TEST_CASE("train view: a translation must open the same experiment") {
    const std::string en = with_steps(
        R"({"id": "a", "title": "A", "text": "x", "train": {"experiment": "lr"}})");
    std::string es = en;
    es.replace(es.find("\"en\""), 4, "\"es\"");
    std::string es_other = es;
    es_other.replace(es_other.find("\"lr\""), 4, "\"batch\"");
    const auto a = load_scenario(en, "99_train.json");
    const auto b = load_scenario(es, "99_train.es.json");
    const auto c = load_scenario(es_other, "99_train.es.json");
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    REQUIRE(c.ok());
    CHECK(check_translation(*a.value, *b.value).empty());
    const auto errors = check_translation(*a.value, *c.value);
    REQUIRE(errors.size() == 1);
    CHECK(errors[0].message.find("training view differs") != std::string::npos);
}

TEST_CASE("train view: schema.json lists the training lab's experiments") {
    const auto schema =
        nlohmann::json::parse(test::read_text(test::scenario_dir() + "/schema.json"));
    std::set<std::string> listed;
    for (const auto& e : schema.at("definitions").at("trainView").at("properties").at("experiment").at("enum"))
        listed.insert(e.get<std::string>());
    std::set<std::string> ids;
    for (train::LabExperiment e : train::kLabExperiments)
        ids.insert(train::lab_experiment_id(e));
    CHECK(listed == ids);
}

TEST_CASE("train view: scenarios 11 and 12 open the training view with quizzes") {
    for (const char* name : {"11_residual_placement", "12_training_dynamics"}) {
        CAPTURE(name);
        const auto r = load_document_file(test::scenario_dir() + "/" + name + ".json");
        REQUIRE_MESSAGE(r.ok(), [&] {
            std::string s;
            for (const Error& e : r.errors) s += format_error(e) + "\n";
            return s;
        }());
        const Scenario& sc = r.value->scenario;
        CHECK(sc.steps.size() >= 5);
        CHECK(sc.question_count() >= 4);
        REQUIRE(train_view_at(sc, 0) != nullptr); // the training view from the first step
        std::set<std::string> experiments;
        for (std::size_t k = 0; k < sc.steps.size(); ++k) {
            train::TrainLabSettings s;
            CHECK(train_settings(*train_view_at(sc, k), &s) == "");
            experiments.insert(train_view_at(sc, k)->experiment);
        }
        if (std::string(name) == "11_residual_placement") CHECK(experiments.count("placement"));
        else {
            CHECK(experiments.count("lr"));
            CHECK(experiments.count("batch"));
            CHECK(experiments.count("momentum"));
        }
    }
}
