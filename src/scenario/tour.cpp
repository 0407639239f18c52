// scenario/tour.cpp: see tour.h.
#include "scenario/tour.h"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "scenario/loader.h" // nesting_depth

namespace normlab::scenario {

namespace {

using json = nlohmann::json;

bool contains(const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
}

void add_unique(std::vector<std::string>& v, const std::string& s) {
    if (!contains(v, s)) v.push_back(s);
}

bool plausible_id(const std::string& s) {
    return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    });
}

// Reads one scenario record; false (with a message) if any part has the wrong type.
bool read_record(const json& j, ScenarioRecord* r, std::string* why) {
    if (!j.is_object()) {
        *why = "is not an object";
        return false;
    }
    if (const auto it = j.find("step"); it != j.end()) {
        if (!it->is_string() ||
            (!it->get_ref<const std::string&>().empty() && !plausible_id(it->get<std::string>()))) {
            *why = "\"step\" is not a step id";
            return false;
        }
        r->step = it->get<std::string>();
    }
    for (const char* key : {"visited", "tasks_done"}) {
        const auto it = j.find(key);
        if (it == j.end()) continue;
        if (!it->is_array() || it->size() > 1000) {
            *why = std::string("\"") + key + "\" is not a list of step ids";
            return false;
        }
        std::vector<std::string>& dest = std::string(key) == "visited" ? r->visited : r->tasks_done;
        for (const json& e : *it) {
            if (!e.is_string() || !plausible_id(e.get<std::string>())) {
                *why = std::string("\"") + key + "\" holds something that is not a step id";
                return false;
            }
            add_unique(dest, e.get<std::string>());
        }
    }
    if (const auto it = j.find("questions"); it != j.end()) {
        if (!it->is_object() || it->size() > 1000) {
            *why = "\"questions\" is not an object";
            return false;
        }
        for (auto q = it->begin(); q != it->end(); ++q) {
            const json& v = q.value();
            QuestionRecord qr;
            const auto attempts = v.is_object() ? v.find("attempts") : v.end();
            const auto points = v.is_object() ? v.find("points") : v.end();
            const auto correct = v.is_object() ? v.find("correct") : v.end();
            const auto revealed = v.is_object() ? v.find("revealed") : v.end();
            if (!plausible_id(q.key()) || !v.is_object() || attempts == v.end() ||
                !attempts->is_number_integer() || points == v.end() || !points->is_number() ||
                correct == v.end() || !correct->is_boolean() || revealed == v.end() ||
                !revealed->is_boolean()) {
                *why = plausible_id(q.key())
                           ? "question \"" + q.key() + "\" is not a question record"
                           : "a question key is not a question id";
                return false;
            }
            qr.attempts =
                static_cast<int>(std::clamp<long long>(attempts->get<long long>(), 0, 1000000));
            const double p = points->get<double>();
            qr.points = std::isfinite(p) ? std::clamp(p, 0.0, 10.0) : 0.0;
            qr.correct = correct->get<bool>();
            qr.revealed = revealed->get<bool>();
            r->questions[q.key()] = qr;
        }
    }
    if (const auto it = j.find("finished"); it != j.end()) {
        if (!it->is_boolean()) {
            *why = "\"finished\" is not true or false";
            return false;
        }
        r->finished = it->get<bool>();
    }
    return true;
}

// Keeps only what still exists in `sc` (steps or questions may have changed since).
ScenarioRecord sanitize(const Scenario& sc, ScenarioRecord r) {
    const auto has_step = [&](const std::string& id) {
        return std::any_of(sc.steps.begin(), sc.steps.end(),
                           [&](const Step& s) { return s.id == id; });
    };
    if (!has_step(r.step)) r.step.clear();
    std::erase_if(r.visited, [&](const std::string& id) { return !has_step(id); });
    std::erase_if(r.tasks_done, [&](const std::string& id) { return !has_step(id); });
    std::map<std::string, QuestionRecord> kept;
    for (const Step& s : sc.steps)
        for (const Question& q : s.quiz)
            if (const auto it = r.questions.find(q.id); it != r.questions.end()) {
                QuestionRecord qr = it->second;
                qr.points = std::min(qr.points, q.points);
                kept[q.id] = qr;
            }
    r.questions = std::move(kept);
    return r;
}

} // namespace

// [SECTION] progress -----------------------------------------------------------------------

std::string save_progress(const Progress& progress) {
    json j = {{"version", kProgressVersion}, {"scenarios", json::object()}};
    for (const auto& [id, r] : progress.scenarios) {
        json questions = json::object();
        for (const auto& [qid, q] : r.questions)
            questions[qid] = {{"attempts", q.attempts},
                              {"correct", q.correct},
                              {"revealed", q.revealed},
                              {"points", q.points}};
        j["scenarios"][id] = {{"step", r.step},
                              {"visited", r.visited},
                              {"tasks_done", r.tasks_done},
                              {"questions", questions},
                              {"finished", r.finished}};
    }
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

Progress load_progress(std::string_view text, std::vector<std::string>* messages) {
    const auto say = [&](std::string m) {
        if (messages) messages->push_back("saved progress: " + std::move(m));
    };
    Progress out;
    std::size_t where = 0;
    if (nesting_depth(text, 16, &where) > 16) {
        say("nested too deeply; starting fresh");
        return out;
    }
    const json j = json::parse(text.data(), text.data() + text.size(), nullptr, false, false);
    if (j.is_discarded()) {
        say("not valid JSON; starting fresh");
        return out;
    }
    if (!j.is_object() || !j.contains("version") || !j["version"].is_number_integer()) {
        say("no version number; starting fresh");
        return out;
    }
    if (j["version"].get<long long>() != kProgressVersion) {
        say("version " + j["version"].dump() + " is not supported; starting fresh");
        return out;
    }
    const auto it = j.find("scenarios");
    if (it == j.end() || !it->is_object()) {
        say("no scenarios; starting fresh");
        return out;
    }
    for (auto s = it->begin(); s != it->end(); ++s) {
        ScenarioRecord r;
        std::string why;
        if (!plausible_id(s.key())) {
            say("an entry whose key is not a scenario id was ignored");
            continue;
        }
        const std::string& name = s.key();
        if (!read_record(s.value(), &r, &why)) {
            say(name + ": " + why + "; ignored");
            continue;
        }
        out.scenarios[s.key()] = std::move(r);
    }
    return out;
}

// [SECTION] grading ------------------------------------------------------------------------

double attempt_credit(int attempt) {
    return attempt <= 1 ? 1.0 : attempt == 2 ? 0.5 : 0.25;
}

// [SECTION] tour ---------------------------------------------------------------------------

std::vector<std::string> Tour::start(const Scenario& scenario, sim::Lab& lab,
                                     ScenarioRecord record) {
    scenario_ = scenario;
    active_ = !scenario_.steps.empty();
    record_ = sanitize(scenario_, std::move(record));
    std::size_t first = 0;
    for (std::size_t i = 0; i < scenario_.steps.size(); ++i)
        if (scenario_.steps[i].id == record_.step) first = i;
    if (!active_) return {"the scenario has no steps"};
    return enter(first, lab);
}

const Step& Tour::step() const {
    return scenario_.steps[std::min(step_, scenario_.steps.size() - 1)];
}

std::vector<std::string> Tour::enter(std::size_t step, sim::Lab& lab) {
    if (scenario_.steps.empty()) return {};
    step_ = std::min(step, scenario_.steps.size() - 1);
    std::vector<std::string> notes = enter_step(scenario_, step_, lab);
    record_.step = scenario_.steps[step_].id;
    add_unique(record_.visited, record_.step);
    at_start_ = snapshot(lab);
    lab_revision_ = lab.revision();
    checked_ = Checked{};
    return notes;
}

std::vector<std::string> Tour::next(sim::Lab& lab) {
    if (!active_) return {};
    if (at_last()) {
        record_.finished = true;
        return {};
    }
    return enter(step_ + 1, lab);
}

std::vector<std::string> Tour::back(sim::Lab& lab) {
    if (!active_ || at_first()) return {};
    return enter(step_ - 1, lab);
}

std::vector<std::string> Tour::go_to(std::size_t step, sim::Lab& lab) {
    if (!active_) return {};
    return enter(step, lab);
}

std::vector<std::string> Tour::reset_step(sim::Lab& lab) {
    if (!active_) return {};
    return enter(step_, lab);
}

bool Tour::lab_changed(const sim::Lab& lab) const {
    return active_ && lab.revision() != lab_revision_;
}

bool Tour::task_done() const {
    return active_ && step().task && contains(record_.tasks_done, step().id);
}

bool Tour::check_task(const sim::Lab& lab) {
    if (!active_ || !step().task) return false;
    if (task_done()) return true;
    const Checked now{.revision = lab.revision(),
                      .group = lab.sweep().group,
                      .playing = lab.sweep().playing,
                      .momentum = lab.config().momentum,
                      .batches_trained = lab.batches_trained()};
    if (now == checked_) return checked_result_;
    checked_ = now;
    checked_result_ = condition_holds(step().task->done_when, lab, &at_start_);
    if (checked_result_) add_unique(record_.tasks_done, step().id);
    return checked_result_;
}

const Question* Tour::question(std::size_t i, Grade* invalid) const {
    if (!active_ || i >= step().quiz.size()) {
        invalid->verdict = Verdict::Invalid;
        invalid->message = "this step has no question " + std::to_string(i);
        return nullptr;
    }
    return &step().quiz[i];
}

QuestionRecord Tour::question_record(std::size_t i) const {
    if (!active_ || i >= step().quiz.size()) return {};
    const auto it = record_.questions.find(step().quiz[i].id);
    return it == record_.questions.end() ? QuestionRecord{} : it->second;
}

void Tour::settle(const Question& q, QuestionRecord& r, bool correct, Grade& g) const {
    const bool settled = r.correct || r.revealed;
    g.counted = !settled;
    ++r.attempts;
    if (correct && !settled) {
        r.correct = true;
        r.points = q.points * attempt_credit(r.attempts);
    }
    g.verdict = correct ? Verdict::Correct : Verdict::Incorrect;
    g.attempts = r.attempts;
    g.points = r.points;
    if (!correct && !q.hint.empty()) g.hint = q.hint;
    if (correct) {
        g.explanation = q.explanation;
        g.expected = q.expected;
        for (std::size_t i = 0; i < q.options.size(); ++i)
            if (q.options[i].correct) g.correct_options.push_back(i);
    }
}

Grade Tour::answer_choice(std::size_t i, const std::vector<std::size_t>& chosen) {
    Grade g;
    const Question* q = question(i, &g);
    if (!q) return g;
    if (q->kind == QuestionKind::Numeric) {
        g.message = "question \"" + q->id + "\" takes a number";
        return g;
    }
    std::vector<std::size_t> picks = chosen;
    std::sort(picks.begin(), picks.end());
    picks.erase(std::unique(picks.begin(), picks.end()), picks.end());
    if (picks.empty() || picks.back() >= q->options.size()) {
        g.message = picks.empty() ? "choose an option"
                                  : "option " + std::to_string(picks.back()) + " does not exist";
        return g;
    }
    if (q->kind == QuestionKind::Single && picks.size() != 1) {
        g.message = "choose exactly one option";
        return g;
    }
    for (std::size_t k = 0; k < q->options.size(); ++k)
        g.correct_total += q->options[k].correct ? 1 : 0;
    for (std::size_t k : picks) {
        const Option& o = q->options[k];
        (o.correct ? g.correct_chosen : g.wrong_chosen) += 1;
        if (!o.feedback.empty()) g.feedback.push_back(o.feedback);
    }
    const bool correct = g.wrong_chosen == 0 && g.correct_chosen == g.correct_total;
    settle(*q, record_.questions[q->id], correct, g);
    return g;
}

Grade Tour::answer_number(std::size_t i, double value) {
    Grade g;
    const Question* q = question(i, &g);
    if (!q) return g;
    if (q->kind != QuestionKind::Numeric) {
        g.message = "question \"" + q->id + "\" takes a choice of options";
        return g;
    }
    if (!std::isfinite(value)) {
        g.message = "enter a finite number";
        return g;
    }
    const double err = std::fabs(value - q->expected);
    const bool correct =
        err <= q->tolerance.abs || err <= q->tolerance.rel * std::fabs(q->expected);
    if (!correct) {
        g.direction = value < q->expected ? -1 : 1;
        const std::string& fb = g.direction < 0 ? q->feedback_low : q->feedback_high;
        if (!fb.empty()) g.feedback.push_back(fb);
    }
    settle(*q, record_.questions[q->id], correct, g);
    return g;
}

Grade Tour::reveal(std::size_t i) {
    Grade g;
    const Question* q = question(i, &g);
    if (!q) return g;
    QuestionRecord& r = record_.questions[q->id];
    g.counted = !(r.correct || r.revealed);
    if (!r.correct) r.revealed = true;
    g.verdict = Verdict::Revealed;
    g.attempts = r.attempts;
    g.points = r.points;
    g.explanation = q->explanation;
    g.expected = q->expected;
    for (std::size_t k = 0; k < q->options.size(); ++k)
        if (q->options[k].correct) g.correct_options.push_back(k);
    return g;
}

Score Tour::score() const {
    Score s;
    s.steps = scenario_.steps.size();
    for (const Step& st : scenario_.steps) {
        if (contains(record_.visited, st.id)) ++s.visited;
        if (st.task) {
            ++s.tasks;
            if (contains(record_.tasks_done, st.id)) ++s.tasks_done;
        }
        for (const Question& q : st.quiz) {
            ++s.questions;
            s.max_points += q.points;
            const auto it = record_.questions.find(q.id);
            if (it == record_.questions.end()) continue;
            s.points += it->second.points;
            if (it->second.correct || it->second.revealed) ++s.settled;
            if (it->second.correct) ++s.correct;
        }
    }
    return s;
}

} // namespace normlab::scenario
