// app/embed.cpp: NormLab inside other pages. The state as a link (share_query, the inverse
// of the URL parameters App::init, apply_params and load_guide read), the postMessage
// protocol with the host page (events out, commands in; README "Embedding"), and the
// parsing of ?lock=, ?hide= and ?parentOrigin=.
// Events are found by comparing the walkthrough with what was last reported, so every path
// that moves the tour (the guide panel, commands, the URL) is reported the same way without
// the ui room knowing about the host page.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <utility>

#include <nlohmann/json.hpp>

#include "app/app.h"
#include "app/embed.h"
#include "scenario/registry.h"

namespace normlab::app {

namespace {

using nlohmann::json;

// Areas outside the scenario registry that a teacher may lock or hide (the registry's panel
// ids come first; see parse_areas).
constexpr const char* kExtraAreas[] = {"guide", "weights", "export", "share"};

std::string trim(const std::string& s) {
    const std::size_t a = s.find_first_not_of(" \t");
    if (a == std::string::npos) return "";
    return s.substr(a, s.find_last_not_of(" \t") - a + 1);
}

std::vector<std::string> split_commas(const std::string& text) {
    std::vector<std::string> out;
    std::size_t pos = 0;
    while (pos <= text.size()) {
        const std::size_t comma = std::min(text.find(',', pos), text.size());
        const std::string item = trim(text.substr(pos, comma - pos));
        if (!item.empty()) out.push_back(item);
        pos = comma + 1;
    }
    return out;
}

// Query values keep letters, digits and -._~, (commas separate lock lists); the rest is
// percent-encoded.
std::string encode(const std::string& v) {
    std::string out;
    for (unsigned char c : v) {
        if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == ',') {
            out += static_cast<char>(c);
        } else {
            char buf[4];
            std::snprintf(buf, sizeof buf, "%%%02X", c);
            out += buf;
        }
    }
    return out;
}

// Shortest text that parses back to the same float.
std::string float_text(float v) {
    char buf[32];
    for (int digits = 6; digits <= 9; ++digits) {
        std::snprintf(buf, sizeof buf, "%.*g", digits, static_cast<double>(v));
        if (std::strtof(buf, nullptr) == v) break;
    }
    return buf;
}

std::string short_area(const std::string& id) {
    return id.rfind("panel.", 0) == 0 ? id.substr(6) : id;
}

json score_json(const scenario::Score& s) {
    return {{"points", s.points}, {"max", s.max_points}, {"correct", s.correct}, {"questions", s.questions},
            {"tasksDone", s.tasks_done}, {"tasks", s.tasks}, {"stepsSeen", s.visited}, {"steps", s.steps}};
}

json event(const char* type) {
    return {{"source", "normlab"}, {"type", type}};
}

const char* verdict_id(scenario::Verdict v) {
    switch (v) {
    case scenario::Verdict::Correct: return "correct";
    case scenario::Verdict::Incorrect: return "incorrect";
    case scenario::Verdict::Revealed: return "revealed";
    case scenario::Verdict::Invalid: return "invalid";
    }
    return "invalid";
}

} // namespace

// [SECTION] URL vocabulary

std::string parse_areas(const std::string& key, const std::string& text, bool hiding,
                        std::vector<std::string>* out) {
    std::string notes;
    const auto add = [&notes](const std::string& n) { notes += (notes.empty() ? "" : "; ") + n; };
    std::vector<std::string> names;   // every accepted spelling, for "did you mean"
    for (const scenario::HighlightId& h : scenario::highlight_ids())
        if (std::string(h.id).rfind("panel.", 0) == 0) names.push_back(short_area(h.id));
    names.insert(names.end(), {"shape", "data"});
    names.insert(names.end(), std::begin(kExtraAreas), std::end(kExtraAreas));
    std::vector<std::string> ids;
    for (const std::string& item : split_commas(text)) {
        if (item == "none") {
            ids.clear();
            continue;
        }
        std::string id;
        const std::string name = short_area(item);
        if (name == "shape" || name == "data") id = "panel.controls";
        else if (scenario::is_highlight_id("panel." + name)) id = "panel." + name;
        else if (std::find(std::begin(kExtraAreas), std::end(kExtraAreas), name) != std::end(kExtraAreas)) id = name;
        if (id.empty()) {
            if (scenario::is_highlight_id(item))
                add(key + ": " + item + " is a single control; " + key + " works on whole panels, e.g. " + key +
                    "=settings");
            else {
                const std::string guess = scenario::closest(name, names);
                add(key + ": unknown area '" + item + "'" + (guess.empty() ? "" : "; did you mean " + guess + "?") +
                    " (areas: family, controls, shape, data, board, settings, stats, guide, weights, export, share)");
            }
            continue;
        }
        if (hiding && id == "panel.board") {
            add("hide: the board cannot be hidden (lock=board keeps it visible but fixed)");
            continue;
        }
        if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
    }
    *out = ids;
    return notes;
}

std::string parse_origins(const std::string& text, std::vector<std::string>* out) {
    std::string notes;
    out->clear();
    for (std::string o : split_commas(text)) {
        std::transform(o.begin(), o.end(), o.begin(), [](unsigned char c) { return std::tolower(c); });
        if (!o.empty() && o.back() == '/') o.pop_back();
        const std::size_t sep = o.find("://");
        const std::string scheme = sep == std::string::npos ? "" : o.substr(0, sep);
        const std::string host = sep == std::string::npos ? "" : o.substr(sep + 3);
        const bool ok = (scheme == "https" || scheme == "http") && !host.empty() &&
                        host.find_first_of("/?#@*\\ ") == std::string::npos;
        if (o == "*") {
            notes += std::string(notes.empty() ? "" : "; ") +
                     "parentOrigin=* is not accepted: name the course page's origin, e.g. https://course.example";
        } else if (!ok) {
            notes += std::string(notes.empty() ? "" : "; ") + "parentOrigin: '" + o +
                     "' is not an origin; write scheme://host[:port], e.g. https://course.example";
        } else if (std::find(out->begin(), out->end(), o) == out->end()) {
            out->push_back(o);
        }
    }
    return notes;
}

// [SECTION] the state as a link

std::string App::share_query(bool embed) const {
    std::vector<std::pair<std::string, std::string>> kv;
    const sim::LabConfig& c = lab_.config();
    const sim::LabConfig d{};
    const scenario::Tour& tour = ui_.guide.tour;
    // A walkthrough step replays its own lab; the lab keys are needed only when the learner
    // changed the lab since the step began (load_guide applies them on top of the step).
    if (!tour.active() || tour.lab_changed(lab_)) {
        kv.emplace_back("family", kernels::norm_id(c.family));
        std::string shape = std::to_string(c.batch);
        if (c.layout == sim::Layout::Sequence) shape += "x" + std::to_string(c.length);
        shape += "x" + std::to_string(c.features);
        if (c.layout == sim::Layout::Image) shape += "x" + std::to_string(c.height) + "x" + std::to_string(c.width);
        kv.emplace_back("shape", shape);
        kv.emplace_back("seed", std::to_string(c.seed));
        kv.emplace_back("preset", scenario::preset_id(c.preset));
        if (c.groups != d.groups) kv.emplace_back("groups", std::to_string(c.groups));
        if (c.eps != d.eps) kv.emplace_back("eps", float_text(c.eps));
        if (c.eps_placement != d.eps_placement) kv.emplace_back("eps_placement", kernels::eps_placement_id(c.eps_placement));
        if (c.storage != d.storage) kv.emplace_back("precision", kernels::precision_id(c.storage));
        if (c.accumulate != d.accumulate) kv.emplace_back("accumulate", kernels::accumulate_id(c.accumulate));
        if (c.mode != d.mode) kv.emplace_back("mode", kernels::mode_id(c.mode));
        if (c.momentum != d.momentum) kv.emplace_back("momentum", float_text(c.momentum));
        if (lab_.compare()) kv.emplace_back("compare", kernels::norm_id(*lab_.compare()));
    }
    if (!lab_.sweep().playing) kv.emplace_back("group", std::to_string(lab_.sweep().group));
    if (ui_.view == ui::View::Weights) kv.emplace_back("view", "weights");
    if (ui_.view == ui::View::Training) {
        kv.emplace_back("view", "training");
        kv.emplace_back("experiment", train::lab_experiment_id(ui_.train.lab.settings().experiment));
    }
    if (ui_.projector) kv.emplace_back("projector", "1");
    if (ui_.guide.language != "en") kv.emplace_back("lang", ui_.guide.language);
    if (embed) kv.emplace_back("embed", "1");
    for (const auto& [key, list] : {std::pair{"lock", &ui_.locked}, std::pair{"hide", &ui_.hidden}}) {
        std::string v;
        for (const std::string& id : *list) v += (v.empty() ? "" : ",") + short_area(id);
        if (!v.empty()) kv.emplace_back(key, v);
    }
    if (tour.active()) {
        kv.emplace_back("scenario", tour.scenario().id);
        kv.emplace_back("step", std::to_string(tour.step_index() + 1));
    }
    std::string q;
    for (const auto& [k, v] : kv) q += (q.empty() ? "" : "&") + k + "=" + encode(v);
    return q;
}

std::string App::share_url() const {
    return ui_.page_url + "?" + share_query(ui_.embed);
}

std::string App::apply_group(const ParamFn& param) {
    const std::string text = param("group");
    if (text.empty()) return "";
    char* end = nullptr;
    const long long group = std::strtoll(text.c_str(), &end, 10);
    if (*end != '\0' || group < 0) return "group=" + text + " is not a group number (0, 1, ...)";
    const std::size_t count = lab_.plan().group_count();
    if (count == 0) return "";
    lab_.focus_group(std::min(static_cast<std::size_t>(group), count - 1));
    lab_.sweep().playing = false;
    if (static_cast<std::size_t>(group) >= count)
        return "group=" + text + " is beyond the last group (" + std::to_string(count - 1) + "); clamped";
    return "";
}

// [SECTION] events and commands

std::string App::ready_event() const {
    json e = event("ready");
    e["version"] = kVersion;
    e["acceptsCommands"] = !parent_origins_.empty();
    std::vector<std::string> ids;
    for (const scenario::Scenario& s : ui_.guide.scenarios)
        if (std::find(ids.begin(), ids.end(), s.id) == ids.end()) ids.push_back(s.id);
    e["scenarios"] = ids;
    return e.dump();
}

void App::observe(std::vector<std::string>& events) {
    const ui::GuideState& g = ui_.guide;
    const scenario::Tour& tour = g.tour;
    const bool active = tour.active();
    const std::string id = active ? tour.scenario().id : "";
    const long long step = active ? static_cast<long long>(tour.step_index()) : -1;
    if (active && id == observed_.scenario) {
        for (const auto& [qid, rec] : tour.record().questions) {
            const auto it = observed_.questions.find(qid);
            const scenario::QuestionRecord before = it == observed_.questions.end() ? scenario::QuestionRecord{} : it->second;
            if (rec.attempts == before.attempts && rec.revealed == before.revealed) continue;
            json e = event("answer");
            e["scenario"] = id;
            e["step"] = step + 1;
            e["questionId"] = qid;
            long long index = -1;
            const auto& quiz = tour.step().quiz;
            for (std::size_t k = 0; k < quiz.size(); ++k)
                if (quiz[k].id == qid) index = static_cast<long long>(k);
            e["question"] = index;
            // The grade the panel or command() kept in the inputs; without one, the record.
            std::string verdict = rec.revealed && !before.revealed ? "revealed"
                                  : rec.correct && !before.correct ? "correct"
                                                                   : "incorrect";
            if (index >= 0 && g.inputs_step == tour.step_index() && static_cast<std::size_t>(index) < g.inputs.size() &&
                g.inputs[static_cast<std::size_t>(index)].graded)
                verdict = verdict_id(g.inputs[static_cast<std::size_t>(index)].grade.verdict);
            e["verdict"] = verdict;
            e["attempts"] = rec.attempts;
            e["points"] = rec.points;
            e["score"] = score_json(tour.score());
            events.push_back(e.dump());
        }
    }
    if (id != observed_.scenario || step != observed_.step) {
        json e = event("step");
        e["scenario"] = id;   // "" when the learner left the walkthrough
        e["step"] = step + 1;
        e["steps"] = active ? tour.step_count() : 0;
        e["title"] = active ? tour.step().title : "";
        events.push_back(e.dump());
    }
    const bool summary = active && g.show_summary;
    if (summary && !(observed_.summary && id == observed_.scenario)) {
        json e = event("complete");
        e["scenario"] = id;
        e["score"] = score_json(tour.score());
        events.push_back(e.dump());
    }
    observed_ = Observed{.scenario = id, .step = step, .summary = summary,
                         .questions = active ? tour.record().questions : std::map<std::string, scenario::QuestionRecord>{}};
}

std::vector<std::string> App::take_events() {
    std::vector<std::string> events = std::exchange(queued_events_, {});
    // The reply to a "scenario" command waits until its walkthrough file arrived: the host
    // then gets the state with the walkthrough open, as for one already loaded.
    if (!held_reply_.empty() && !ui_.guide.waiting_for(held_scenario_)) {
        json reply = json::parse(held_reply_.data(), held_reply_.data() + held_reply_.size());
        const ui::GuideState& g = ui_.guide;
        if (g.tour.active() && g.tour.scenario().id == held_scenario_) {
            reply["state"] = state();
        } else {
            reply["type"] = "error";
            reply["message"] = "walkthrough '" + held_scenario_ +
                               "' did not open: its file could not be loaded, or another walkthrough was chosen first";
        }
        events.push_back(reply.dump());
        held_reply_.clear();
    }
    observe(events);
    return events;
}

std::string App::host_message(const std::string& text) {
    const json j = json::parse(text.data(), text.data() + text.size(), nullptr, false);   // see App::command
    json reply = event("reply");
    if (j.is_object() && j.contains("requestId")) reply["requestId"] = j["requestId"];
    const auto fail = [&reply](const std::string& message) {
        reply["type"] = "error";
        reply["message"] = message;
        return reply.dump();
    };
    if (!j.is_object() || !j.contains("type") || !j["type"].is_string())
        return fail("a message to NormLab is an object with \"type\": \"command\" or \"getState\"");
    const std::string type = j["type"];
    if (type == "command") {
        if (!j.contains("command") || !j["command"].is_object())
            return fail("a command message needs \"command\": {\"op\": ...} (see README, Embedding)");
        if (!held_reply_.empty()) {   // a newer command answers the one still waiting
            json older = json::parse(held_reply_.data(), held_reply_.data() + held_reply_.size());
            older["state"] = state();
            older["message"] = "answered early: another command came before walkthrough '" + held_scenario_ + "' opened";
            held_reply_.clear();
            queued_events_.push_back(older.dump());
        }
        const std::string message = command(j["command"].dump());
        const bool notes_only = j["command"].contains("op") && j["command"]["op"] == "set";   // set's notes are warnings
        if (!message.empty() && !notes_only) return fail(message);
        reply["message"] = message;
        if (j["command"].contains("op") && j["command"]["op"] == "scenario" && ui_.guide.opening) {
            held_reply_ = reply.dump();   // sent by take_events once the file arrived
            held_scenario_ = ui_.guide.opening->id;
            return "";
        }
    } else if (type != "getState") {
        return fail("unknown message type '" + type + "'; expected \"command\" or \"getState\"");
    }
    reply["state"] = state();
    return reply.dump();
}

} // namespace normlab::app
