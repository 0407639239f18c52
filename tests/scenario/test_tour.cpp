// tests/scenario/test_tour.cpp: the tour runtime: stepping replays the lab, tasks are detected
// from the lab state, answers are graded with attempts and a score, progress survives a round
// trip and corrupt progress is ignored with a message.
#include <doctest/doctest.h>

#include <cmath>
#include <map>

#include "scenario/loader.h"
#include "scenario/tour.h"
#include "scenario_test_util.h"

using namespace normlab;
using namespace normlab::scenario;

namespace {

// A small scenario: a choice step, a task step, a numeric step and a multiple-choice step.
const char* kTour = R"({
  "kind": "scenario", "format": 1, "id": "90_tour", "language": "en",
  "title": "Tour", "summary": "Test tour.", "level": "beginner", "minutes": 2,
  "lab": {"family": "batchnorm", "shape": "8x12", "preset": "stable"},
  "steps": [
    {"id": "a", "title": "A", "text": "Pick.",
     "quiz": [{"id": "q_single", "kind": "single", "prompt": "Which?", "hint": "Think.", "explanation": "Because.",
               "options": [{"text": "wrong", "feedback": "No."}, {"text": "right", "correct": true, "feedback": "Yes."}]}]},
    {"id": "b", "title": "B", "text": "Shrink.",
     "task": {"text": "Make B at most 2.", "done_when": {"all": [{"key": "batch", "le": 2}, {"key": "family", "eq": "batchnorm"}]}}},
    {"id": "c", "title": "C", "text": "Count.", "lab": {"family": "layernorm"},
     "quiz": [{"id": "q_num", "kind": "numeric", "prompt": "Groups?", "explanation": "Rows.", "points": 2,
               "answer": {"compute": {"stat": "group_count"}}, "tolerance": {"abs": 0.5},
               "feedback_low": "Too few.", "feedback_high": "Too many."}]},
    {"id": "d", "title": "D", "text": "Many.", "lab": {"batch": 4},
     "task": {"text": "Draw a new batch.", "done_when": {"key": "batch_index", "changed": true}},
     "quiz": [{"id": "q_multi", "kind": "multiple", "prompt": "Which?", "explanation": "Both.",
               "options": [{"text": "one", "correct": true}, {"text": "two", "correct": true}, {"text": "three"}]}]}
  ]
})";

Scenario tour_scenario() {
    Loaded<Scenario> s = load_scenario(kTour, "tour.json");
    REQUIRE_MESSAGE(s.ok(), (s.errors.empty() ? "" : format_error(s.errors[0])));
    return *s.value;
}

} // namespace

TEST_CASE("tour: next and back replay the scenario so each step shows its own numbers") {
    const Scenario sc = tour_scenario();
    sim::Lab lab;
    Tour tour;
    CHECK(tour.start(sc, lab).empty());
    CHECK(tour.active());
    CHECK(tour.step_index() == 0);
    CHECK(tour.at_first());
    const std::vector<float> x0 = lab.x();
    CHECK(lab.config().family == kernels::NormKind::Batch);

    tour.next(lab);
    tour.next(lab);
    CHECK(tour.step().id == "c");
    CHECK(lab.config().family == kernels::NormKind::Layer);
    tour.back(lab);
    tour.back(lab);
    CHECK(tour.step().id == "a");
    CHECK(lab.x() == x0); // same seed, same batch: the same numbers

    // The learner changes the lab; the tour notices and can put the step back.
    CHECK_FALSE(tour.lab_changed(lab));
    lab.set_batch(3);
    CHECK(tour.lab_changed(lab));
    tour.reset_step(lab);
    CHECK_FALSE(tour.lab_changed(lab));
    CHECK(lab.x() == x0);

    tour.go_to(99, lab); // clamped to the last step
    CHECK(tour.step().id == "d");
    CHECK(tour.at_last());
    CHECK_FALSE(tour.record().finished);
    tour.next(lab);
    CHECK(tour.record().finished);
    CHECK(tour.step().id == "d");
}

TEST_CASE("tour: a task is detected from the lab state and stays done") {
    const Scenario sc = tour_scenario();
    sim::Lab lab;
    Tour tour;
    tour.start(sc, lab);
    CHECK_FALSE(tour.check_task(lab)); // step a has no task
    tour.next(lab);
    CHECK_FALSE(tour.check_task(lab));
    CHECK_FALSE(tour.task_done());
    lab.set_batch(3);
    CHECK_FALSE(tour.check_task(lab));
    lab.set_batch(2);
    CHECK(tour.check_task(lab));
    CHECK(tour.task_done());
    lab.set_batch(8); // done stays done
    CHECK(tour.check_task(lab));
    CHECK(tour.score().tasks_done == 1);

    // "changed": the batch index must move away from its value when the step began.
    tour.go_to(3, lab);
    CHECK_FALSE(tour.check_task(lab));
    lab.set_family(kernels::NormKind::Rms); // other changes do not count
    CHECK_FALSE(tour.check_task(lab));
    lab.resample();
    CHECK(tour.check_task(lab));
    CHECK(tour.score().tasks_done == 2);
    CHECK(tour.score().tasks == 2);
}

TEST_CASE("tour: changes that do not recompute the lab are still seen by tasks") {
    const char* text =
        R"({"kind": "scenario", "format": 1, "id": "91_m", "language": "en", "title": "M",
      "summary": "s", "level": "beginner", "minutes": 1, "lab": {"family": "batchnorm"},
      "steps": [{"id": "a", "title": "A", "text": "t", "task": {"text": "t", "done_when": {"key": "momentum", "ge": 0.5}}},
                {"id": "b", "title": "B", "text": "t", "lab": {"train": 3},
                 "task": {"text": "t", "done_when": {"key": "batches_trained", "eq": 0}}},
                {"id": "c", "title": "C", "text": "t", "task": {"text": "t", "done_when": {"key": "playing", "eq": false}}}]})";
    const Loaded<Scenario> sc = load_scenario(text, "m.json");
    REQUIRE(sc.ok());
    sim::Lab lab;
    Tour tour;
    tour.start(*sc.value, lab);
    CHECK_FALSE(tour.check_task(lab));
    lab.set_momentum(0.5f); // no recompute, no new revision
    CHECK(tour.check_task(lab));
    tour.next(lab);
    CHECK_FALSE(tour.check_task(lab));
    lab.reset_running();
    CHECK(tour.check_task(lab));
    tour.next(lab);
    CHECK_FALSE(tour.check_task(lab));
    lab.sweep().playing = false;
    CHECK(tour.check_task(lab));
}

TEST_CASE("tour: single choice grading with feedback, hint, attempts and points") {
    const Scenario sc = tour_scenario();
    sim::Lab lab;
    Tour tour;
    tour.start(sc, lab);
    Grade g = tour.answer_choice(0, {0});
    CHECK(g.verdict == Verdict::Incorrect);
    CHECK(g.feedback == std::vector<std::string>{"No."});
    CHECK(g.hint == "Think.");
    CHECK(g.explanation.empty());
    CHECK(g.attempts == 1);
    CHECK(g.points == 0);
    g = tour.answer_choice(0, {1});
    CHECK(g.verdict == Verdict::Correct);
    CHECK(g.feedback == std::vector<std::string>{"Yes."});
    CHECK(g.explanation == "Because.");
    CHECK(g.correct_options == std::vector<std::size_t>{1});
    CHECK(g.attempts == 2);
    CHECK(g.points == doctest::Approx(0.5));
    CHECK(g.counted);
    // Settled: practice answers are graded but change nothing.
    g = tour.answer_choice(0, {1});
    CHECK(g.verdict == Verdict::Correct);
    CHECK_FALSE(g.counted);
    CHECK(g.points == doctest::Approx(0.5));
    CHECK(tour.question_record(0).correct);

    CHECK(tour.answer_choice(0, {0, 1}).verdict == Verdict::Invalid); // single takes one
    CHECK(tour.answer_choice(0, {7}).verdict == Verdict::Invalid);
    CHECK(tour.answer_choice(0, {}).verdict == Verdict::Invalid);
    CHECK(tour.answer_choice(5, {0}).verdict == Verdict::Invalid);
    CHECK(tour.answer_number(0, 1.0).verdict == Verdict::Invalid);
}

TEST_CASE("tour: numeric answers use the tolerance and say which way they are off") {
    const Scenario sc = tour_scenario();
    sim::Lab lab;
    Tour tour;
    tour.start(sc, lab);
    tour.go_to(2, lab);
    REQUIRE(tour.step().quiz[0].expected == 8);
    Grade g = tour.answer_number(0, 12);
    CHECK(g.verdict == Verdict::Incorrect);
    CHECK(g.direction == 1);
    CHECK(g.feedback == std::vector<std::string>{"Too many."});
    g = tour.answer_number(0, 3);
    CHECK(g.direction == -1);
    CHECK(g.feedback == std::vector<std::string>{"Too few."});
    CHECK(tour.answer_number(0, NAN).verdict == Verdict::Invalid);
    CHECK(tour.answer_number(0, INFINITY).verdict == Verdict::Invalid);
    g = tour.answer_number(0, 8.4);
    CHECK(g.verdict == Verdict::Correct);
    CHECK(g.attempts == 3);
    CHECK(g.points == doctest::Approx(2 * 0.25));
    CHECK(g.expected == 8);
}

TEST_CASE("tour: multiple choice needs exactly the correct set; reveal scores zero") {
    const Scenario sc = tour_scenario();
    sim::Lab lab;
    Tour tour;
    tour.start(sc, lab);
    tour.go_to(3, lab);
    Grade g = tour.answer_choice(0, {0});
    CHECK(g.verdict == Verdict::Incorrect);
    CHECK(g.correct_chosen == 1);
    CHECK(g.correct_total == 2);
    CHECK(g.wrong_chosen == 0);
    g = tour.answer_choice(0, {0, 1, 2});
    CHECK(g.verdict == Verdict::Incorrect);
    CHECK(g.wrong_chosen == 1);
    g = tour.reveal(0);
    CHECK(g.verdict == Verdict::Revealed);
    CHECK(g.correct_options == std::vector<std::size_t>{0, 1});
    CHECK(g.points == 0);
    g = tour.answer_choice(0, {1, 0});
    CHECK(g.verdict == Verdict::Correct);
    CHECK_FALSE(g.counted);
    CHECK(g.points == 0);

    const Score s = tour.score();
    CHECK(s.questions == 3);
    CHECK(s.max_points == doctest::Approx(4));
    CHECK(s.settled == 1);
    CHECK(s.correct == 0);
    CHECK(s.points == 0);
    CHECK(attempt_credit(1) == 1);
    CHECK(attempt_credit(2) == 0.5);
    CHECK(attempt_credit(9) == 0.25);
}

TEST_CASE("progress: a round trip keeps every record; resuming starts at the saved step") {
    const Scenario sc = tour_scenario();
    sim::Lab lab;
    Tour tour;
    tour.start(sc, lab);
    tour.answer_choice(0, {1});
    tour.next(lab);
    lab.set_batch(2);
    tour.check_task(lab);
    tour.next(lab);

    Progress p;
    p.scenarios[sc.id] = tour.record();
    const std::string saved = save_progress(p);
    std::vector<std::string> messages;
    const Progress back = load_progress(saved, &messages);
    CHECK(messages.empty());
    REQUIRE(back.scenarios.count(sc.id) == 1);
    const ScenarioRecord& r = back.scenarios.at(sc.id);
    CHECK(r.step == "c");
    CHECK(r.visited == std::vector<std::string>{"a", "b", "c"});
    CHECK(r.tasks_done == std::vector<std::string>{"b"});
    CHECK(r.questions.at("q_single").correct);
    CHECK(r.questions.at("q_single").points == 1);
    CHECK(save_progress(back) == saved);

    Tour resumed;
    sim::Lab lab2;
    resumed.start(sc, lab2, r);
    CHECK(resumed.step().id == "c");
    CHECK(lab2.config().family == kernels::NormKind::Layer);
    CHECK(resumed.score().points == 1);
    resumed.go_to(1, lab2);
    CHECK(resumed.task_done());
}

TEST_CASE("progress: corrupt input is ignored with a message, never a crash") {
    const char* bad[] = {
        "",
        "{",
        "[]",
        "null",
        "{\"version\": 2, \"scenarios\": {}}",
        "{\"scenarios\": {}}",
        "{\"version\": \"1\"}",
        "{\"version\": 1}",
        "{\"version\": 1, \"scenarios\": []}",
        "{\"version\": 1, \"scenarios\": {\"01_x\": {\"step\": 5}}}",
        "{\"version\": 1, \"scenarios\": {\"01_x\": {\"questions\": {\"q\": {\"attempts\": "
        "\"many\"}}}}}",
        "{\"version\": 1, \"scenarios\": {\"Bad Id\": {}}}",
        "{\"version\": 1, \"scenarios\": {\"01_x\": {\"visited\": [1, 2]}}}",
        "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"
        "]]]]]]]]]]",
        "{\"version\": 1, \"scenarios\": {\"01_x\": {\"finished\": 1}}}",
    };
    for (const char* text : bad) {
        CAPTURE(text);
        std::vector<std::string> messages;
        const Progress p = load_progress(text, &messages);
        CHECK(messages.size() == 1);
        CHECK(p.scenarios.empty());
        CHECK(messages[0].rfind("saved progress: ", 0) == 0);
    }
    // One bad entry does not cost the good ones.
    std::vector<std::string> messages;
    const Progress p = load_progress(
        "{\"version\": 1, \"scenarios\": {\"01_a\": {\"step\": \"x\"}, \"01_b\": {\"step\": 3}}}",
        &messages);
    CHECK(p.scenarios.size() == 1);
    CHECK(p.scenarios.count("01_a") == 1);
    CHECK(messages.size() == 1);
    CHECK(load_progress("{", nullptr).scenarios.empty());
}

TEST_CASE("progress: records of steps and questions that no longer exist are dropped on resume") {
    const Scenario sc = tour_scenario();
    ScenarioRecord r;
    r.step = "gone";
    r.visited = {"a", "gone"};
    r.tasks_done = {"zzz"};
    r.questions["q_single"] = QuestionRecord{.attempts = 1, .correct = true, .points = 7};
    r.questions["old"] = QuestionRecord{.attempts = 1, .correct = true, .points = 1};
    sim::Lab lab;
    Tour tour;
    tour.start(sc, lab, r);
    CHECK(tour.step().id == "a");
    CHECK(tour.record().questions.size() == 1);
    CHECK(tour.score().points == 1); // clamped to the question's points
    CHECK(tour.record().tasks_done.empty());
}

TEST_CASE("tour: every bundled scenario can be walked with no notes from the lab") {
    for (const std::string& f :
         test::json_files(test::scenario_dir(), {"schema.json", "lab_text.json", "lab_text.es.json", "ui_text.es.json"})) {
        CAPTURE(f);
        const auto doc = load_document_file(f);
        REQUIRE(doc.ok());
        const Scenario& sc = doc.value->scenario;
        sim::Lab lab;
        Tour tour;
        CHECK(tour.start(sc, lab).empty());
        while (!tour.at_last()) {
            CHECK(tour.next(lab).empty());
            CHECK(lab.error().empty());
            if (tour.step().task) CHECK_FALSE(tour.check_task(lab));
        }
    }
}

TEST_CASE("tour: every bundled task can be done with the lab's own controls") {
    using Solve = void (*)(sim::Lab&);
    const std::map<std::string, Solve> solutions = {
        {"01_why_normalize/scale_drift", [](sim::Lab& l) { l.set_family(kernels::NormKind::Layer); }},
        {"01_why_normalize/affine", [](sim::Lab& l) { l.set_affine(0, 2.f, 0.f); }},
        {"02_batchnorm/shrink", [](sim::Lab& l) { l.set_batch(1); }},
        {"03_running_stats/train_more", [](sim::Lab& l) { l.train_batches(20); }},
        {"04_tiny_batches/shrink", [](sim::Lab& l) { l.set_batch(2); }},
        {"04_tiny_batches/resample", [](sim::Lab& l) { l.resample(); }},
        {"05_layernorm/width_one", [](sim::Lab& l) { l.set_features(1); }},
        {"06_rmsnorm/to_layernorm", [](sim::Lab& l) { l.set_family(kernels::NormKind::Layer); }},
        {"07_group_instance/g_equals_c", [](sim::Lab& l) { l.set_groups(8); }},
        {"08_epsilon/eps_zero", [](sim::Lab& l) { l.set_eps(0.f); }},
        {"08_epsilon/fix", [](sim::Lab& l) { l.set_precision(kernels::Precision::Fp16, kernels::Accumulate::Fp32); }},
        {"09_weight_norms/fold", [](sim::Lab& l) { l.set_mode(kernels::NormMode::Eval); }},
        {"10_choosing/transformer",
         [](sim::Lab& l) {
             l.set_layout(sim::Layout::Sequence);
             l.set_family(kernels::NormKind::Rms);
         }},
        {"10_choosing/cnn_small", [](sim::Lab& l) { l.set_family(kernels::NormKind::Group); }},
        {"10_choosing/recap", [](sim::Lab& l) { l.set_preset(sim::DataPreset::Stable); }},
        {"11_residual_placement/stream_size", [](sim::Lab& l) { l.set_preset(sim::DataPreset::ScaleDrift); }},
        {"12_training_dynamics/small_batches", [](sim::Lab& l) { l.set_batch(2); }},
    };
    std::size_t solved = 0;
    for (const std::string& f : test::json_files(test::scenario_dir(), {"schema.json", "lab_text.json", "lab_text.es.json", "ui_text.es.json"})) {
        const auto doc = load_document_file(f);
        REQUIRE(doc.ok());
        const Scenario& sc = doc.value->scenario;
        sim::Lab lab;
        Tour tour;
        tour.start(sc, lab);
        for (std::size_t k = 0; k < sc.steps.size(); ++k) {
            tour.go_to(k, lab);
            if (!tour.step().task) continue;
            const std::string where = sc.id + "/" + tour.step().id;
            CAPTURE(where);
            const auto it = solutions.find(where);
            REQUIRE_MESSAGE(it != solutions.end(), "no scripted solution for this task");
            CHECK_FALSE(tour.check_task(lab));
            it->second(lab);
            CHECK(tour.check_task(lab));
            ++solved;
        }
    }
    CHECK(solved >= solutions.size());   // translations repeat their original's tasks
}
