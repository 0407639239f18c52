// ui/panel_guide.cpp: the guided walkthrough and the lab's explanations. Scenario content is
// data (scenarios/*.json, loaded by the scenario room); this file only lays it out: the
// scenario menu, step n of N with its narrative, "try it" task and quiz, the summary, and for
// free exploration the current family's explanation, the diagnosis of the data, the cheat
// sheet and the shape table.
#include <algorithm>
#include <cmath>

#include "imgui.h"
#include "imgui_internal.h"   // GetTopMostPopupModal
#include "scenario/diagnose.h"
#include "scenario/lab_bridge.h"
#include "scenario/markup.h"
#include "ui/panels.h"
#include "ui/i18n.h"
#include "ui/widgets.h"

namespace normlab::ui {

bool spotlit(const UiState& state, const char* id) {
    const auto& h = state.guide.highlights;
    if (std::find(h.begin(), h.end(), id) == h.end()) return false;
    // Highlights are drawn over every window; a modal dialog (help, paste) covers the page, so
    // they wait until it closes instead of showing through it.
    return ImGui::GetTopMostPopupModal() == nullptr;
}

void spotlight(const UiState& state, const char* id) {
    if (!spotlit(state, id)) return;
    // Reduced motion: a steady frame instead of a pulse.
    const float pulse = state.reduce_motion ? 1.f : 0.55f + 0.45f * std::sin(static_cast<float>(state.clock) * 4.f);
    const ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
    ImGui::GetForegroundDrawList()->AddRect(ImVec2(a.x - 3, a.y - 3), ImVec2(b.x + 3, b.y + 3),
                                            IM_COL32(255, 196, 64, static_cast<int>(255 * pulse)), 4.f, 0, 2.5f);
}

namespace {

const ImVec4 kBold(1.f, 0.86f, 0.55f, 1.f);
const ImVec4 kCode(0.45f, 0.90f, 0.96f, 1.f);
const ImVec4 kGood(0.55f, 0.92f, 0.62f, 1.f);
const ImVec4 kBad(1.f, 0.58f, 0.45f, 1.f);

// Draws one span word by word, wrapping at the right edge of the region. A space separates
// it from the previous span only where the text has one, at the end of that span or at the
// start of this one (so "covers **one**" keeps its space and "**shift**?" stays together);
// *gap carries a trailing space from one span to the next.
void draw_span(const scenario::Span& span, float right, bool* line_start, bool* gap_before) {
    const ImVec4 colour = span.code ? kCode : span.bold ? kBold : ImGui::GetStyleColorVec4(ImGuiCol_Text);
    const std::string& t = span.text;
    const float space = ImGui::CalcTextSize(" ").x;
    bool gap = *gap_before || (!t.empty() && t.front() == ' ');
    std::size_t i = 0;
    while (i < t.size()) {
        while (i < t.size() && t[i] == ' ') {
            gap = true;
            ++i;
        }
        if (i >= t.size()) break; // trailing spaces: gap stays set for the next span
        std::size_t j = t.find(' ', i);
        if (j == std::string::npos) j = t.size();
        const std::string word = t.substr(i, j - i);
        const float w = ImGui::CalcTextSize(word.c_str()).x;
        if (!*line_start) {
            ImGui::SameLine(0, 0);
            if (ImGui::GetCursorScreenPos().x + (gap ? space : 0) + w > right) ImGui::NewLine();
            else ImGui::SameLine(0, gap ? space : 0);
        }
        ImGui::TextColored(colour, "%s", word.c_str());
        *line_start = false;
        gap = false;
        i = j;
    }
    *gap_before = gap;
}

// Light markup: paragraphs, bullets, numbered items; **bold** and `code` inside.
void draw_markup(const std::string& text) {
    std::string error;
    const std::vector<scenario::Block> blocks = scenario::parse_markup(text, &error);
    const float right = ImGui::GetCursorScreenPos().x + ImGui::GetContentRegionAvail().x;
    for (const scenario::Block& block : blocks) {
        bool line_start = true, gap = false;
        if (block.kind != scenario::BlockKind::Paragraph) {
            if (block.kind == scenario::BlockKind::Bullet) ImGui::TextUnformatted("  •");
            else ImGui::Text("  %d.", block.number);
            line_start = false;
        }
        for (const scenario::Span& span : block.spans) draw_span(span, right, &line_start, &gap);
        if (block.kind == scenario::BlockKind::Paragraph) ImGui::Spacing();
    }
    if (!error.empty()) ImGui::TextColored(kBad, tr("markup: %s"), error.c_str());
}

void sync_progress(GuideState& g) {
    if (!g.tour.active()) return;
    g.progress.scenarios[g.tour.scenario().id] = g.tour.record();
    g.progress_dirty = true;
}

void menu(UiState& state, sim::Lab& lab) {
    GuideState& g = state.guide;
    ImGui::TextDisabled("%s", tr("GUIDED WALKTHROUGHS"));
    for (const scenario::Scenario& s : g.scenarios) {
        if (s.language != g.language && g.find(s.id) != &s) continue;   // one language per id
        const auto it = g.progress.scenarios.find(s.id);
        const std::size_t visited = it == g.progress.scenarios.end() ? 0 : it->second.visited.size();
        const bool finished = it != g.progress.scenarios.end() && it->second.finished;
        ImGui::PushID(s.id.c_str());
        char label[256];
        std::snprintf(label, sizeof label, "%s %s", finished ? "✓" : visited ? "▶" : "•", s.title.c_str());
        if (ImGui::Selectable(label, false)) g.start(s.id, lab);
        if (ImGui::IsItemHovered() && !s.summary.empty()) {
            ImGui::BeginTooltip();
            ImGui::PushTextWrapPos(ImGui::GetFontSize() * 22);
            ImGui::TextUnformatted(s.summary.c_str());
            ImGui::PopTextWrapPos();
            ImGui::EndTooltip();
        }
        char seen[64] = "";
        if (g.waiting_for(s.id)) std::snprintf(seen, sizeof seen, "%s", tr(" · loading…"));
        else if (visited) std::snprintf(seen, sizeof seen, tr(" · %zu seen"), visited);
        ImGui::TextDisabled(tr("    %s · %d min · %zu steps%s"), tr(scenario::level_id(s.level)), s.minutes, s.step_count(), seen);
        ImGui::PopID();
    }
    if (g.scenarios.empty()) ImGui::TextDisabled("%s", tr("No walkthroughs were loaded."));
    if (!g.progress.scenarios.empty() && ImGui::SmallButton(tr_id("Reset my progress"))) {
        g.progress = scenario::Progress{};
        g.progress_dirty = true;
    }
}

void quiz(UiState& state, const scenario::Step& step) {
    GuideState& g = state.guide;
    if (g.inputs_step != g.tour.step_index()) {
        g.inputs.assign(step.quiz.size(), QuestionInput{});
        for (std::size_t k = 0; k < step.quiz.size(); ++k) g.inputs[k].chosen.assign(step.quiz[k].options.size(), false);
        g.inputs_step = g.tour.step_index();
    }
    for (std::size_t k = 0; k < step.quiz.size(); ++k) {
        const scenario::Question& q = step.quiz[k];
        QuestionInput& in = g.inputs[k];
        ImGui::PushID(static_cast<int>(k));
        ImGui::Separator();
        ImGui::TextDisabled(tr("QUICK CHECK %zu/%zu"), k + 1, step.quiz.size());
        draw_markup(q.prompt);
        if (q.kind == scenario::QuestionKind::Numeric) {
            ImGui::SetNextItemWidth(ImGui::GetFontSize() * 8);
            ImGui::InputDouble("##number", &in.number, 0, 0, "%.6g");
        } else {
            for (std::size_t o = 0; o < q.options.size(); ++o) {
                ImGui::PushID(static_cast<int>(o));
                bool on = in.chosen[o];
                // The label is drawn beside the button so long options wrap.
                const bool changed = q.kind == scenario::QuestionKind::Single ? ImGui::RadioButton("##opt", on)
                                                                               : ImGui::Checkbox("##opt", &on);
                ImGui::SameLine();
                ImGui::PushTextWrapPos(0);
                ImGui::TextUnformatted(q.options[o].text.c_str());
                ImGui::PopTextWrapPos();
                if (changed) {
                    if (q.kind == scenario::QuestionKind::Single) std::fill(in.chosen.begin(), in.chosen.end(), false);
                    in.chosen[o] = q.kind == scenario::QuestionKind::Single ? true : on;
                }
                ImGui::PopID();
            }
        }
        if (ImGui::Button(tr_id("Check##quiz"))) {
            if (q.kind == scenario::QuestionKind::Numeric) {
                in.grade = g.tour.answer_number(k, in.number);
            } else {
                std::vector<std::size_t> chosen;
                for (std::size_t o = 0; o < in.chosen.size(); ++o)
                    if (in.chosen[o]) chosen.push_back(o);
                in.grade = g.tour.answer_choice(k, chosen);
            }
            in.graded = true;
            sync_progress(g);
        }
        ImGui::SameLine();
        if (ImGui::Button(tr_id("Show answer"))) {
            in.grade = g.tour.reveal(k);
            in.graded = true;
            sync_progress(g);
        }
        const scenario::QuestionRecord rec = g.tour.question_record(k);
        if (rec.attempts > 0 || rec.revealed) {
            ImGui::SameLine();
            ImGui::TextDisabled(tr("attempts %d · points %.2g"), rec.attempts, rec.points);
        }
        if (in.graded) {
            const scenario::Grade& gr = in.grade;
            ImGui::PushTextWrapPos(0);
            switch (gr.verdict) {
            case scenario::Verdict::Correct: ImGui::TextColored(kGood, "%s", tr("Correct.")); break;
            case scenario::Verdict::Incorrect:
                ImGui::TextColored(kBad, "%s", gr.direction < 0 ? tr("Not quite: too low.") : gr.direction > 0 ? tr("Not quite: too high.") : tr("Not quite. Try again."));
                break;
            case scenario::Verdict::Revealed: ImGui::TextColored(kBold, "%s", tr("Answer shown.")); break;
            case scenario::Verdict::Invalid: ImGui::TextColored(kBad, "%s", gr.message.c_str()); break;
            }
            for (const std::string& f : gr.feedback) ImGui::TextDisabled("%s", f.c_str());
            if (!gr.hint.empty() && gr.verdict == scenario::Verdict::Incorrect) ImGui::TextDisabled(tr("Hint: %s"), gr.hint.c_str());
            if (gr.verdict == scenario::Verdict::Correct || gr.verdict == scenario::Verdict::Revealed) {
                if (q.kind == scenario::QuestionKind::Numeric) ImGui::TextDisabled(tr("answer: %.6g"), gr.expected);
                else
                    for (std::size_t o : gr.correct_options) ImGui::TextDisabled("✓ %s", q.options[o].text.c_str());
                if (!gr.explanation.empty()) draw_markup(gr.explanation);
            }
            ImGui::PopTextWrapPos();
        }
        ImGui::PopID();
    }
}

void summary(UiState& state, sim::Lab& lab) {
    GuideState& g = state.guide;
    const scenario::Score sc = g.tour.score();
    ImGui::TextColored(kGood, tr("Walkthrough complete: %s"), g.tour.scenario().title.c_str());
    ImGui::Text(tr("Score %.3g of %.3g points · %zu of %zu questions right"), sc.points, sc.max_points, sc.correct, sc.questions);
    ImGui::Text(tr("Tasks done %zu of %zu · steps seen %zu of %zu"), sc.tasks_done, sc.tasks, sc.visited, sc.steps);
    ImGui::TextDisabled("%s", tr("TO REVIEW"));
    bool any = false;
    for (std::size_t s = 0; s < g.tour.scenario().steps.size(); ++s)
        for (const scenario::Question& q : g.tour.scenario().steps[s].quiz) {
            const auto it = g.tour.record().questions.find(q.id);
            if (it != g.tour.record().questions.end() && it->second.correct && it->second.points >= q.points) continue;
            any = true;
            ImGui::PushID(q.id.c_str());
            if (ImGui::SmallButton(tr_id("go"))) {
                g.tour.go_to(s, lab);
                g.show_summary = false;
                sync_progress(g);
            }
            ImGui::PopID();
            ImGui::SameLine();
            ImGui::TextDisabled(tr("step %zu: %s"), s + 1, g.tour.scenario().steps[s].title.c_str());
        }
    if (!any) ImGui::TextDisabled("%s", tr("Nothing: every question right on the first try."));
    if (ImGui::Button(tr_id("Back to the menu"))) {
        g.tour.stop();
        g.show_summary = false;
    }
}

void tour(UiState& state, sim::Lab& lab, const Fonts& fonts) {
    GuideState& g = state.guide;
    const scenario::Scenario& sc = g.tour.scenario();
    if (g.show_summary) return summary(state, lab);
    const scenario::Step& step = g.tour.step();
    ImGui::TextDisabled("%s", sc.title.c_str());
    const float frac = static_cast<float>(g.tour.step_index() + 1) / static_cast<float>(g.tour.step_count());
    char overlay[32];
    std::snprintf(overlay, sizeof overlay, tr("step %zu of %zu"), g.tour.step_index() + 1, g.tour.step_count());
    ImGui::ProgressBar(frac, ImVec2(-1, 0), overlay);
    ImGui::PushFont(fonts.heading);
    ImGui::PushTextWrapPos(0);
    ImGui::TextUnformatted(step.title.c_str());
    ImGui::PopTextWrapPos();
    ImGui::PopFont();
    draw_markup(step.text);

    if (step.task) {
        const bool done = g.tour.check_task(lab);
        if (done) sync_progress(g);
        ImGui::Separator();
        ImGui::TextColored(done ? kGood : kBold, "%s %s", done ? "✓" : "▶", tr("TRY IT"));
        draw_markup(step.task->text);
        if (done && !step.task->done_text.empty()) ImGui::TextColored(kGood, "%s", step.task->done_text.c_str());
        else if (!done && !step.task->hint.empty()) ImGui::TextDisabled(tr("hint: %s"), step.task->hint.c_str());
    }
    quiz(state, step);

    ImGui::Separator();
    if (ImGui::Button(tr_id("◀ Back##step")) && !g.tour.at_first()) {
        g.tour.back(lab);
        sync_progress(g);
    }
    ImGui::SameLine();
    if (ImGui::Button(g.tour.at_last() ? tr_id("Finish##step") : tr_id("Next ▶##step"))) {
        const bool last = g.tour.at_last();
        g.tour.next(lab);
        if (last) g.show_summary = true;
        sync_progress(g);
    }
    ImGui::SameLine();
    if (g.tour.lab_changed(lab) && ImGui::Button(tr_id("Reset step"))) g.tour.reset_step(lab);
    ImGui::SameLine();
    if (ImGui::Button(tr_id("Exit##tour"))) g.tour.stop();
    if (ImGui::CollapsingHeader(tr_id("All steps"))) {
        for (std::size_t k = 0; k < sc.steps.size(); ++k) {
            const bool seen = std::find(g.tour.record().visited.begin(), g.tour.record().visited.end(),
                                        sc.steps[k].id) != g.tour.record().visited.end();
            char label[200];
            std::snprintf(label, sizeof label, "%s %zu. %s", seen ? "✓" : " ", k + 1, sc.steps[k].title.c_str());
            if (ImGui::Selectable(label, k == g.tour.step_index())) {
                g.tour.go_to(k, lab);
                sync_progress(g);
            }
        }
    }
}

// Free exploration: what the current family does, and what the data shows right now.
void explain(UiState& state, sim::Lab& lab) {
    GuideState& g = state.guide;
    if (!g.text) return;
    const scenario::LabText& t = *g.text;
    if (const scenario::FamilyText* f = t.family(kernels::norm_id(lab.config().family))) {
        ImGui::TextDisabled(tr("ABOUT %s"), f->name.c_str());
        draw_markup(f->headline);
        if (ImGui::CollapsingHeader(tr_id("What it normalizes"))) draw_markup(f->normalizes);
        if (ImGui::CollapsingHeader(tr_id("Where it is used"))) draw_markup(f->used_in);
        if (ImGui::CollapsingHeader(tr_id("Choose it when"))) draw_markup(f->choose_when);
        if (ImGui::CollapsingHeader(tr_id("Watch out for"))) draw_markup(f->watch_out);
        for (std::size_t k = 0; k < f->try_next.size(); ++k) {
            ImGui::PushID(static_cast<int>(k) + 1000);
            if (ImGui::SmallButton(tr_id("try"))) show_note(state, [&] {
                    std::string notes;
                    for (const std::string& n : scenario::apply_lab_state(lab, f->try_next[k].lab)) notes += n + " ";
                    return notes;
                }());
            ImGui::SameLine();
            ImGui::PushTextWrapPos(0);
            ImGui::TextUnformatted(f->try_next[k].text.c_str());
            ImGui::PopTextWrapPos();
            ImGui::PopID();
        }
    }
    ImGui::Spacing();
    ImGui::TextDisabled("%s", tr("DIAGNOSIS OF THIS DATA"));
    for (const std::string& id : scenario::diagnose(lab)) {
        const scenario::DiagnosisText* d = t.diagnosis(id);
        if (!d) continue;
        ImGui::TextColored(kBold, "%s", d->title.c_str());
        draw_markup(d->text);
        for (std::size_t k = 0; k < d->try_next.size(); ++k) {
            ImGui::PushID((id + std::to_string(k)).c_str());
            if (ImGui::SmallButton(tr_id("try"))) {
                std::string notes;
                for (const std::string& n : scenario::apply_lab_state(lab, d->try_next[k].lab)) notes += n + " ";
                show_note(state, notes);
            }
            ImGui::SameLine();
            ImGui::PushTextWrapPos(0);
            ImGui::TextUnformatted(d->try_next[k].text.c_str());
            ImGui::PopTextWrapPos();
            ImGui::PopID();
        }
    }
    if (ImGui::CollapsingHeader(tr_id("Cheat sheet")) &&
        ImGui::BeginTable("##cheat", 3, ImGuiTableFlags_BordersInnerH | ImGuiTableFlags_SizingStretchProp)) {
        ImGui::TableSetupColumn(tr("family"));
        ImGui::TableSetupColumn(tr("shares statistics"));
        ImGui::TableSetupColumn(tr("coupling · train/eval"));
        ImGui::TableHeadersRow();
        for (const scenario::CheatRow& r : t.cheat_sheet) {
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            const scenario::FamilyText* f = t.family(r.family);
            ImGui::TextUnformatted(f ? f->name.c_str() : r.family.c_str());
            ImGui::TableNextColumn();
            ImGui::PushTextWrapPos(0);
            ImGui::TextUnformatted(r.axis.c_str());
            ImGui::TableNextColumn();
            ImGui::Text("%s · %s", r.coupling.c_str(), r.train_eval.c_str());
            ImGui::PopTextWrapPos();
        }
        ImGui::EndTable();
    }
    if (ImGui::CollapsingHeader(tr_id("Shape of μ and σ")) &&
        ImGui::BeginTable("##shapes", 4, ImGuiTableFlags_BordersInnerH | ImGuiTableFlags_SizingStretchSame)) {
        ImGui::TableSetupColumn(tr("family"));
        ImGui::TableSetupColumn("x: (B, d)");
        ImGui::TableSetupColumn("x: (B, L, d)");
        ImGui::TableSetupColumn("x: (B, C, H, W)");
        ImGui::TableHeadersRow();
        for (const scenario::ShapeRow& r : t.shapes) {
            ImGui::TableNextRow();
            const scenario::FamilyText* f = t.family(r.family);
            for (const std::string* cell : {&r.family, &r.matrix, &r.sequence, &r.image}) {
                ImGui::TableNextColumn();
                const std::string& v = cell == &r.family && f ? f->name : *cell;
                ImGui::TextUnformatted(v.empty() ? "—" : v.c_str());
            }
        }
        ImGui::EndTable();
    }
}

} // namespace

void panel_guide(UiState& state, sim::Lab& lab, const Fonts& fonts) {
    GuideState& g = state.guide;
    g.highlights = g.tour.active() && !g.show_summary ? g.tour.step().highlight : std::vector<std::string>{};
    if (!g.load_errors.empty() && ImGui::CollapsingHeader(tr_id("Scenario file problems"))) {
        ImGui::PushTextWrapPos(0);
        for (const std::string& e : g.load_errors) ImGui::TextColored(kBad, "%s", e.c_str());
        ImGui::PopTextWrapPos();
    }
    if (g.tour.active()) {
        tour(state, lab, fonts);
    } else {
        menu(state, lab);
        ImGui::Separator();
        explain(state, lab);
    }
}

} // namespace normlab::ui
