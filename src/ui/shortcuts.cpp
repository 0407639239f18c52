// ui/shortcuts.cpp: see shortcuts.h. Keys are read by SDL scancode (ImGui 1.86 indexes
// io.KeysDown by what the SDL backend stores, the scancode), which are USB HID usage ids; the
// ui room does not include SDL, so the few we need are named here. "?" is read as a typed
// character, so it works on every keyboard layout.
#include "ui/shortcuts.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "imgui.h"
#include "scenario/markup.h"
#include "sim/families.h"
#include "ui/i18n.h"

namespace normlab::ui {

namespace {

// USB HID usage ids = SDL_Scancode values.
enum Scancode : int {
    kKeyB = 5, kKeyF = 9, kKeyN = 17, kKeyP = 19, kKey0 = 39, kKeyMinus = 45, kKeyEquals = 46,
    kKeyComma = 54, kKeyPeriod = 55, kKeySlash = 56, kKeyF1 = 58, kKeyPadMinus = 86, kKeyPadPlus = 87,
};

bool pressed(int scancode, bool repeat = false) { return ImGui::IsKeyPressed(scancode, repeat); }

bool typed(ImWchar c) {
    const ImGuiIO& io = ImGui::GetIO();
    return std::find(io.InputQueueCharacters.begin(), io.InputQueueCharacters.end(), c) !=
           io.InputQueueCharacters.end();
}

void save_progress(GuideState& g) {
    if (!g.tour.active()) return;
    g.progress.scenarios[g.tour.scenario().id] = g.tour.record();
    g.progress_dirty = true;
}

void set_zoom(UiState& state, float zoom) { state.zoom = std::clamp(zoom, kMinZoom, kMaxZoom); }

// One row of the help table: the keys, then what they do.
void help_row(const char* keys, const char* what) {
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::TextUnformatted(keys);
    ImGui::TableNextColumn();
    ImGui::PushTextWrapPos(0);
    ImGui::TextUnformatted(what);
    ImGui::PopTextWrapPos();
}

// Markup without its marks, for a screen reader: **bold** and `code` become plain words.
std::string plain(const std::string& markup) {
    std::string error, out;
    for (const scenario::Block& b : scenario::parse_markup(markup, &error)) {
        if (!out.empty()) out += "\n";
        if (b.kind == scenario::BlockKind::Numbered) out += std::to_string(b.number) + ". ";
        for (const scenario::Span& s : b.spans) out += s.text;
    }
    return error.empty() ? out : markup;
}

std::string number(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3g", v);
    return buf;
}

} // namespace

void handle_shortcuts(UiState& state, sim::Lab& lab) {
    const ImGuiIO& io = ImGui::GetIO();
    if (io.WantTextInput || io.KeyCtrl || io.KeyAlt || io.KeySuper) return;
    const bool help_key = pressed(kKeyF1) || typed('?') || (io.KeyShift && pressed(kKeySlash));
    if (state.help_open) {
        if (help_key) state.help_open = false;   // Esc is handled by the overlay itself
        return;
    }
    if (help_key) {
        state.help_open = true;
        return;
    }
    // Another dialog (paste, PyTorch code) owns the keyboard until it closes.
    if (ImGui::IsPopupOpen("", ImGuiPopupFlags_AnyPopupId)) return;
    // A shortcut is a second way to press a control, so a teacher's lock (or hide) on the
    // control's area switches it off too: P . , are the sweep buttons of panel.controls, N and
    // B the walkthrough's Next and Back (guide), F the Fullscreen button (share). Zoom stays:
    // it changes what the learner sees, not the lab, like scrolling.
    const auto usable = [&state](const char* area) { return !area_locked(state, area) && !area_hidden(state, area); };
    sim::Sweep& sweep = lab.sweep();
    const bool sweep_keys = usable("panel.controls");
    if (sweep_keys && pressed(kKeyP)) sweep.playing = !sweep.playing;
    if (sweep_keys && (pressed(kKeyPeriod, true) || pressed(kKeyComma, true))) {
        sweep.playing = false;   // stepping by hand: the sweep would move the outline away again
        lab.step_group(pressed(kKeyPeriod, true) ? +1 : -1);
    }
    GuideState& g = state.guide;
    if (usable("guide") && g.tour.active() && !g.show_summary) {
        if (pressed(kKeyN)) {
            const bool last = g.tour.at_last();
            g.tour.next(lab);
            if (last) g.show_summary = true;
            save_progress(g);
        } else if (pressed(kKeyB) && !g.tour.at_first()) {
            g.tour.back(lab);
            save_progress(g);
        }
    }
    if (pressed(kKeyEquals, true) || pressed(kKeyPadPlus, true)) set_zoom(state, state.zoom * 1.25f);
    if (pressed(kKeyMinus, true) || pressed(kKeyPadMinus, true)) set_zoom(state, state.zoom / 1.25f);
    if (pressed(kKey0)) state.zoom = 1;
    if (usable("share") && pressed(kKeyF) && state.toggle_fullscreen) state.toggle_fullscreen();
}

void draw_help(UiState& state) {
    const char* title = tr_id("Keyboard and touch##help");
    if (state.help_open && !ImGui::IsPopupOpen(title)) ImGui::OpenPopup(title);
    const ImGuiIO& io = ImGui::GetIO();
    // Height 0 fits the content, but ImGui 1.86 fits only the first two frames, while the
    // table's wrapped rows are still measured too narrow (a window as tall as the screen):
    // size and centre it every frame instead.
    ImGui::SetNextWindowSize(ImVec2(std::min(io.DisplaySize.x * 0.94f, ImGui::GetFontSize() * 34.f), 0),
                             ImGuiCond_Always);
    ImGui::SetNextWindowPos(ImVec2(io.DisplaySize.x * 0.5f, io.DisplaySize.y * 0.5f), ImGuiCond_Always,
                            ImVec2(0.5f, 0.5f));
    bool open = true;
    if (!ImGui::BeginPopupModal(title, &open, ImGuiWindowFlags_NoSavedSettings)) {
        state.help_open = false;
        return;
    }
    if (ImGui::BeginTable("##keys", 2, ImGuiTableFlags_BordersInnerH | ImGuiTableFlags_SizingStretchProp)) {
        // ImGui 1.86's keyboard model: each column is a child window, which the arrows reach as
        // one outlined item; Space goes into it, Esc comes back out. Enter presses no button.
        help_row(tr("Arrows"), tr("Move the focus (amber outline) between controls, and between the header and the two columns"));
        help_row(tr("Space"), tr("Press the focused button or tab, tick a box, open a list. On an outlined column: go into it. "
                                 "On a slider: take it, change it with Left and Right, Space again lets go"));
        help_row("Esc", tr("Let go of a slider; leave a column (its outline comes back)"));
        help_row(tr("Enter"), tr("Type a value into the focused slider or number field"));
        help_row("Tab, Shift+Tab", tr("Type into the next or previous slider or number field of the column"));
        help_row("P", tr("Play or pause the group sweep"));
        help_row(". ,", tr("Next or previous group (pauses the sweep)"));
        help_row("N  B", tr("Next or previous walkthrough step"));
        help_row("+  −  0", tr("Zoom the board in, out, back to 100%"));
        help_row("F", tr("Fullscreen on or off"));
        help_row(tr("? or F1"), tr("This help; Esc closes it"));
        help_row(tr("Tap"), tr("Press a button; tap a cell to focus its group"));
        help_row(tr("Drag"), tr("Scroll; on a raw cell (wide screens): change its value"));
        help_row(tr("Pinch"), tr("Zoom the board (Ctrl + wheel with a mouse)"));
        ImGui::EndTable();
    }
    ImGui::TextDisabled("%s", tr("Shortcuts are off while you type in a text field."));
    if (ImGui::Button(tr_id("Close##help")) || ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape), false) ||
        !open) {
        state.help_open = false;
        ImGui::CloseCurrentPopup();
    }
    ImGui::EndPopup();
}

void apply_touch_sizes(const UiState& state) {
    if (!state.coarse_pointer) return;
    ImGuiStyle& s = ImGui::GetStyle();
    // Frame height = font + 2 * padding: make it the touch target.
    const float pad = std::max(5.f, std::ceil((kTouchTarget - ImGui::GetFontSize()) * 0.5f));
    s.FramePadding = ImVec2(std::max(s.FramePadding.x, 12.f), pad);
    s.ItemSpacing = ImVec2(std::max(s.ItemSpacing.x, 10.f), std::max(s.ItemSpacing.y, 10.f));
    s.ItemInnerSpacing = ImVec2(10, 8);
    s.GrabMinSize = std::max(s.GrabMinSize, 28.f);
    s.ScrollbarSize = std::max(s.ScrollbarSize, 22.f);
    s.TouchExtraPadding = ImVec2(4, 4);
}

void update_zoom(UiState& state, bool board_hovered) {
    if (state.pinch != 1.f && std::isfinite(state.pinch) && state.pinch > 0) set_zoom(state, state.zoom * state.pinch);
    state.pinch = 1;
    const ImGuiIO& io = ImGui::GetIO();
    if (board_hovered && io.KeyCtrl && io.MouseWheel != 0)
        set_zoom(state, state.zoom * std::pow(1.15f, io.MouseWheel));
}

std::string live_region_json(const UiState& state, const sim::Lab& lab) {
    const GuideState& g = state.guide;
    std::string step, quiz, stats;
    if (g.tour.active() && g.show_summary) {
        const scenario::Score sc = g.tour.score();
        char buf[256];
        std::snprintf(buf, sizeof buf, tr("Walkthrough complete: %s"), g.tour.scenario().title.c_str());
        step = buf;
        std::snprintf(buf, sizeof buf, tr("Score %.3g of %.3g points · %zu of %zu questions right"), sc.points,
                      sc.max_points, sc.correct, sc.questions);
        step += ". " + std::string(buf);
    } else if (g.tour.active()) {
        const scenario::Step& st = g.tour.step();
        char buf[64];
        std::snprintf(buf, sizeof buf, tr("step %zu of %zu"), g.tour.step_index() + 1, g.tour.step_count());
        step = g.tour.scenario().title + ", " + buf + ": " + st.title + ". " + plain(st.text);
        if (st.task) step += "\n" + std::string(tr("Try it")) + ": " + plain(st.task->text);
        for (std::size_t k = 0; k < st.quiz.size(); ++k) {
            const scenario::Question& q = st.quiz[k];
            std::snprintf(buf, sizeof buf, tr("QUICK CHECK %zu/%zu"), k + 1, st.quiz.size());
            quiz += std::string(quiz.empty() ? "" : "\n") + buf + ": " + plain(q.prompt);
            for (std::size_t o = 0; o < q.options.size(); ++o)
                quiz += "\n" + std::to_string(o + 1) + ". " + q.options[o].text;
            if (g.inputs_step == g.tour.step_index() && k < g.inputs.size() && g.inputs[k].graded) {
                const scenario::Grade& gr = g.inputs[k].grade;
                quiz += "\n";
                switch (gr.verdict) {
                case scenario::Verdict::Correct: quiz += tr("Correct."); break;
                case scenario::Verdict::Incorrect:
                    quiz += gr.direction < 0 ? tr("Not quite: too low.")
                            : gr.direction > 0 ? tr("Not quite: too high.") : tr("Not quite. Try again.");
                    break;
                case scenario::Verdict::Revealed: quiz += tr("Answer shown."); break;
                case scenario::Verdict::Invalid: quiz += gr.message; break;
                }
                for (const std::string& f : gr.feedback) quiz += " " + f;
            }
        }
    }
    if (lab.error().empty() && lab.plan().group_count() > 0) {
        const sim::LabConfig& c = lab.config();
        const std::size_t grp = lab.sweep().group;
        stats = std::string(tr("Family")) + ": " + kernels::norm_name(c.family) + ". ";
        // The family's one-line summary from the lab text, in the learner's language: what a
        // sighted learner reads under "ABOUT" in the guide.
        if (const scenario::FamilyText* f = state.guide.text ? state.guide.text->family(kernels::norm_id(c.family)) : nullptr)
            stats += plain(f->headline) + ". ";
        stats += std::string(tr("Shape")) + ": " + sim::layout_name(c.layout) + " " + lab.shape().str() + ". ";
        char buf[160];
        if (lab.sweep().playing) {
            std::snprintf(buf, sizeof buf, tr("The sweep is playing through %zu groups; pause it (P) to hear a group's statistics."),
                          lab.plan().group_count());
            stats += buf;
        } else {
            const sim::CellStats before = sim::group_cell_stats(lab.x(), lab.plan(), grp);
            const sim::CellStats after = sim::group_cell_stats(lab.y(), lab.plan(), grp);
            std::snprintf(buf, sizeof buf, tr("Highlighted group %zu of %zu"), grp + 1, lab.plan().group_count());
            stats += std::string(buf) + ": " + sim::describe_group(c.family, lab.shape(), lab.plan(), grp, describe_words()) + ". ";
            stats += std::string(tr("Before")) + ": " + tr("mean") + " " + number(before.mean) + ", " + tr("variance") +
                     " " + number(before.std * before.std) + ". " + tr("After") + ": " + tr("mean") + " " +
                     number(after.mean) + ", " + tr("variance") + " " + number(after.std * after.std) + ".";
        }
    }
    // Plain JSON escaping: the texts are UTF-8 from our own files and numbers.
    const auto quote = [](const std::string& s) {
        std::string out = "\"";
        for (const char ch : s) {
            if (ch == '"' || ch == '\\') out += '\\', out += ch;
            else if (ch == '\n') out += "\\n";
            else if (static_cast<unsigned char>(ch) < 0x20) out += ' ';
            else out += ch;
        }
        return out + "\"";
    };
    return "{\"step\":" + quote(step) + ",\"quiz\":" + quote(quiz) + ",\"stats\":" + quote(stats) + "}";
}

} // namespace normlab::ui
