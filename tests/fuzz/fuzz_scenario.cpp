// tests/fuzz/fuzz_scenario.cpp: libFuzzer target for the scenario room. Built and run by
// tools/fuzz (clang 14, -fsanitize=fuzzer,address,undefined); not part of the CMake build.
// Feeds the input to every entry point that reads untrusted text: the document loader, the
// progress loader, the markup parser and the glyph check. A document that loads is then
// exercised like the UI would: every step entered, every task checked, every question
// answered, revealed and scored, the progress saved and read back.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "scenario/diagnose.h"
#include "scenario/loader.h"
#include "scenario/markup.h"
#include "scenario/tour.h"

using namespace normlab;
using namespace normlab::scenario;

namespace {

void walk(const Scenario& sc) {
    sim::Lab lab;
    Tour tour;
    tour.start(sc, lab);
    // Each go_to replays the scenario from the start: visit the first steps and the last one.
    for (std::size_t k = 0; k < sc.steps.size(); ++k) {
        if (k >= 6 && k + 1 < sc.steps.size()) continue;
        tour.go_to(k, lab);
        tour.check_task(lab);
        (void)diagnose(lab);
        for (std::size_t i = 0; i < tour.step().quiz.size(); ++i) {
            const Question& q = tour.step().quiz[i];
            if (q.kind == QuestionKind::Numeric) {
                tour.answer_number(i, q.expected + 1e9);
                tour.answer_number(i, q.expected);
                tour.answer_number(i, NAN);
            } else {
                tour.answer_choice(i, {0});
                tour.answer_choice(i, {q.options.size() - 1, 0});
                tour.answer_choice(i, {q.options.size()});
            }
            tour.reveal(i);
        }
        std::string error;
        parse_markup(tour.step().text, &error);
    }
    tour.next(lab);
    (void)tour.score();
    Progress p;
    p.scenarios[sc.id] = tour.record();
    const Progress back = load_progress(save_progress(p), nullptr);
    Tour resumed;
    resumed.start(sc, lab,
                  back.scenarios.count(sc.id) ? back.scenarios.at(sc.id) : ScenarioRecord{});
    (void)check_translation(sc, sc);
    (void)check_file_name(sc, "12_fuzz.es.json");
}

// Inputs starting with '!' drive a bundled scenario like a learner would: each following byte
// pair is one action (navigation, answers, lab changes through the lab's own mutators), then the
// progress is saved and read back. This reaches the runtime far more often than documents that
// happen to load. NORMLAB_SCENARIO_DIR is defined by tools/fuzz.
void drive(const std::uint8_t* data, std::size_t size) {
    static const std::vector<Scenario> bundled = [] {
        std::vector<Scenario> v;
        for (const char* name : {"01_why_normalize", "03_running_stats", "07_group_instance",
                                 "08_epsilon", "10_choosing"}) {
            auto d = load_document_file(std::string(NORMLAB_SCENARIO_DIR) + "/" + name + ".json");
            if (d.ok()) v.push_back(d.value->scenario);
        }
        return v;
    }();
    if (bundled.empty() || size < 2) return;
    const Scenario& sc = bundled[data[1] % bundled.size()];
    sim::Lab lab;
    Tour tour;
    tour.start(sc, lab);
    // At most 64 actions: each may regenerate the lab and re-evaluate the task.
    for (std::size_t i = 2; i + 1 < size && i < 130; i += 2) {
        const std::uint8_t op = data[i], arg = data[i + 1];
        switch (op % 20) {
        case 0:
            tour.next(lab);
            break;
        case 1:
            tour.back(lab);
            break;
        case 2:
            tour.go_to(arg, lab);
            break;
        case 3:
            tour.reset_step(lab);
            break;
        case 4:
            tour.answer_choice(arg % 4, {static_cast<std::size_t>(arg / 4 % 6)});
            break;
        case 5:
            tour.answer_choice(arg % 2, {0, static_cast<std::size_t>(arg % 5), 2});
            break;
        case 6:
            tour.answer_number(arg % 2, (static_cast<double>(arg) - 128) / 16);
            break;
        case 7:
            tour.reveal(arg % 3);
            break;
        case 8:
            lab.set_batch(arg % 70);
            break;
        case 9:
            lab.set_features(arg % 70);
            break;
        case 10:
            lab.set_family(static_cast<kernels::NormKind>(arg % 5));
            break;
        case 11:
            lab.set_eps(arg % 3 == 0 ? 0.f : static_cast<float>(arg) * 1e-3f);
            break;
        case 12:
            lab.set_layout(static_cast<sim::Layout>(arg % 3));
            break;
        case 13:
            lab.train_batches(arg % 8);
            break;
        case 14:
            lab.set_cell(arg, arg % 2 ? NAN : 7e4f);
            break;
        case 15:
            lab.set_precision(static_cast<kernels::Precision>(arg % 3),
                              static_cast<kernels::Accumulate>(arg / 3 % 2));
            break;
        case 16:
            lab.set_mode(static_cast<kernels::NormMode>(arg % 2));
            break;
        case 17:
            lab.set_preset(static_cast<sim::DataPreset>(arg % 8));
            break;
        case 18:
            lab.set_groups(arg % 9);
            break;
        case 19:
            lab.resample();
            break;
        }
        tour.check_task(lab);
        (void)tour.lab_changed(lab);
    }
    (void)diagnose(lab);
    (void)tour.score();
    Progress p;
    p.scenarios[sc.id] = tour.record();
    std::vector<std::string> messages;
    const Progress back = load_progress(save_progress(p), &messages);
    if (!messages.empty() || back.scenarios.size() != 1)
        __builtin_trap(); // a round trip must be lossless
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size > 0 && data[0] == '!') {
        drive(data, size);
        return 0;
    }
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const Loaded<Document> doc = load_document(text, "fuzz.json");
    if (doc.ok() && doc.value->kind == DocumentKind::Scenario) walk(doc.value->scenario);
    for (const Error& e : doc.errors)
        (void)format_error(e);
    std::vector<std::string> messages;
    (void)load_progress(text, &messages);
    std::string error;
    (void)parse_markup(text, &error);
    (void)check_glyphs(text);
    return 0;
}
