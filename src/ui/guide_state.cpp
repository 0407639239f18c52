// ui/guide_state.cpp: which walkthroughs the guide holds, opening one, and fetching the file
// of one the catalogue only lists (GuideState in ui.h). No drawing here: panel_guide.cpp
// lays the guide out.
#include <algorithm>
#include <utility>

#include "ui/ui.h"

namespace normlab::ui {

const scenario::Scenario* GuideState::find(const std::string& id) const {
    const scenario::Scenario* fallback = nullptr;
    for (const scenario::Scenario& s : scenarios) {
        if (s.id != id) continue;
        if (s.language == language) return &s;
        if (s.language == "en" || !fallback) fallback = &s;
    }
    return fallback;
}

GuideState::Start GuideState::start(const std::string& id, sim::Lab& lab, int step) {
    const scenario::Scenario* s = find(id);
    if (!s) return Start::Unknown;
    if (s->listed_only) {
        opening = Opening{id, step};
        if (std::find(fetching.begin(), fetching.end(), s->file) == fetching.end()) {
            fetching.push_back(s->file);
            requests.push_back(s->file);
        }
        return Start::Fetching;
    }
    opening.reset();   // a later choice wins over one still fetching
    scenario::ScenarioRecord record;
    if (const auto it = progress.scenarios.find(id); it != progress.scenarios.end()) record = it->second;
    if (step >= 0 && static_cast<std::size_t>(step) < s->steps.size())
        record.step = s->steps[static_cast<std::size_t>(step)].id;
    tour.start(*s, lab, record);
    show_summary = false;
    inputs_step = ~std::size_t{0};
    progress.scenarios[id] = tour.record();
    progress_dirty = true;
    return Start::Started;
}

std::vector<std::string> GuideState::take_requests() { return std::exchange(requests, {}); }

std::string GuideState::arrived(const std::string& file, std::string_view content, sim::Lab& lab) {
    fetching.erase(std::remove(fetching.begin(), fetching.end(), file), fetching.end());
    const auto listed = std::find_if(scenarios.begin(), scenarios.end(),
                                     [&](const scenario::Scenario& s) { return s.listed_only && s.file == file; });
    if (listed == scenarios.end()) return "";   // not asked for (or already loaded)
    const std::string id = listed->id;
    scenario::Loaded<scenario::Document> doc = scenario::load_document_at(content, file);
    std::string problem;
    if (doc.ok() && doc.value->kind != scenario::DocumentKind::Scenario)
        problem = file + ": the catalogue lists it as a walkthrough, but it is not one";
    else if (doc.ok() && (doc.value->scenario.id != id || doc.value->scenario.language != listed->language))
        problem = file + ": the catalogue lists " + id + " (" + listed->language + ") but the file holds " +
                  doc.value->scenario.id + " (" + doc.value->scenario.language + ")";
    for (const scenario::Error& e : doc.errors) load_errors.push_back(scenario::format_error(e));
    if (!problem.empty()) load_errors.push_back(problem);
    if (!doc.ok() || !problem.empty()) {
        scenarios.erase(listed);   // the menu stops offering what cannot open
        const bool waited = waiting_for(id);
        if (waited) opening.reset();
        return waited ? "walkthrough " + id + " could not be loaded (see the Guide tab)" : "";
    }
    *listed = std::move(doc.value->scenario);
    if (opening && find(opening->id) && !find(opening->id)->listed_only) {
        const Opening o = *opening;
        start(o.id, lab, o.step);
    }
    return "";
}

std::string GuideState::failed(const std::string& file, const std::string& why) {
    fetching.erase(std::remove(fetching.begin(), fetching.end(), file), fetching.end());
    const auto listed = std::find_if(scenarios.begin(), scenarios.end(),
                                     [&](const scenario::Scenario& s) { return s.listed_only && s.file == file; });
    if (listed == scenarios.end()) return "";
    load_errors.push_back(file + ": " + why);
    if (!waiting_for(listed->id)) return "";
    const std::string id = listed->id;
    opening.reset();   // the entry stays: choosing it again asks for the file again
    return "walkthrough " + id + " could not be fetched (" + why + "); check the connection and choose it again";
}

} // namespace normlab::ui
