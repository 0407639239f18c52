// ui/ui.cpp: the root layout. Wide screens: a control column on the left, the board on the
// right. Narrow screens (phones): one scrolling column with the board first.
#include <algorithm>
#include <cfloat>
#include <functional>
#include <string>

#include "imgui.h"
#include "imgui_internal.h"   // the keyboard focus rectangle (GImGui->NavId), reported for tests
#include "ui/panel_weights.h"
#include "ui/i18n.h"
#include "ui/panels.h"
#include "ui/shortcuts.h"
#include "ui/widgets.h"

namespace normlab::ui {

namespace {

void header(UiState& state, const Fonts& fonts) {
    ImGui::PushFont(fonts.heading);
    ImGui::TextUnformatted("NormLab");
    ImGui::PopFont();
    const float bw = area_hidden(state, "share") ? 0 : share_bar_width(state);
    const char* subtitle = tr("BatchNorm · LayerNorm · RMSNorm · GroupNorm · InstanceNorm: which axis, which statistics");
    ImGui::SameLine();
    if (ImGui::GetCursorPosX() + ImGui::CalcTextSize(subtitle).x + bw < ImGui::GetWindowContentRegionMax().x) {
        ImGui::AlignTextToFramePadding();
        ImGui::TextDisabled("%s", subtitle);
    }
    ImGui::SameLine(std::max(ImGui::GetCursorPosX(), ImGui::GetWindowContentRegionMax().x - bw));
    panel_share(state);
}

// Draws one lockable area (see area_locked): skipped when hidden, disabled when locked.
template <class Draw>
void area(UiState& state, const char* id, Draw&& draw) {
    if (area_hidden(state, id)) return;
    const bool locked = area_locked(state, id);
    state.drawn_areas.emplace_back(id, locked);
    // The board hit-tests the mouse itself, which BeginDisabled does not stop; a pointer
    // that is nowhere does.
    ImGuiIO& io = ImGui::GetIO();
    const ImVec2 mouse = io.MousePos;
    if (locked) io.MousePos = ImVec2(-FLT_MAX, -FLT_MAX);
    ImGui::BeginDisabled(locked);
    draw();
    ImGui::EndDisabled();
    io.MousePos = mouse;
}

// ImGui scrolls with the wheel only; on touch screens a drag on empty space scrolls too.
void drag_to_scroll() {
    const ImGuiIO& io = ImGui::GetIO();
    if (ImGui::IsMouseDragging(ImGuiMouseButton_Left) && !ImGui::IsAnyItemActive() &&
        ImGui::IsWindowHovered(ImGuiHoveredFlags_ChildWindows))
        ImGui::SetScrollY(ImGui::GetScrollY() - io.MouseDelta.y);
}

// Reports the keyboard focus as items["nav.focus"] while ImGui draws its outline (after an
// arrow, Tab or Space, until the mouse moves), so tests can follow the arrows.
void remember_nav_focus(UiState& state) {
    ImGuiContext& g = *ImGui::GetCurrentContext();
    if (!g.NavWindow || g.NavId == 0 || g.NavDisableHighlight || !g.NavIdIsAlive) return;
    const ImRect r = ImGui::WindowRectRelToAbs(g.NavWindow, g.NavWindow->NavRectRel[g.NavLayer]);
    state.item_rects.push_back({"nav.focus", {r.Min.x, r.Min.y, r.GetWidth(), r.GetHeight()}});
}

} // namespace

void draw(UiState& state, sim::Lab& lab, sim::WeightLab& weights, const Fonts& fonts, int width,
          int height, double dt) {
    state.clock += dt;
    state.narrow = width < 700;
    set_translations(state.strings ? &*state.strings : nullptr);
    if (state.projector != state.projector_applied) {
        apply_theme(state.projector);
        state.projector_applied = state.projector;
    }
    apply_touch_sizes(state);
    if (state.take_pinch) state.pinch *= state.take_pinch(&state.pinching);
    // Reduced motion: the sweep never starts by itself, not even when a walkthrough step asks
    // for it; the learner's own Play still works.
    if (state.reduce_motion) {
        const scenario::Tour& tour = state.guide.tour;
        const std::uint64_t step = tour.active() ? std::hash<std::string>{}(tour.scenario().id) + tour.step_index() + 1 : 0;
        if (step != state.motion_step) lab.sweep().playing = false;
        state.motion_step = step;
    }
    handle_shortcuts(state, lab);
    sync_train_with_tour(state);
    lab.step(dt);

    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(ImVec2(static_cast<float>(width), static_cast<float>(height)));
    const ImGuiWindowFlags root_flags = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                                        ImGuiWindowFlags_NoSavedSettings |
                                        ImGuiWindowFlags_NoBringToFrontOnFocus;
    state.drawn_areas.clear();
    // Embedded in a course page: no title bar and a thin margin; the share row stays.
    if (state.embed) ImGui::PushStyleVar(ImGuiStyleVar_WindowPadding, ImVec2(4, 4));
    const int zoom_scroll = state.zoom > 1.f ? ImGuiWindowFlags_HorizontalScrollbar : 0;   // a zoomed board
    ImGui::Begin("NormLab", nullptr, root_flags | (state.narrow ? zoom_scroll : ImGuiWindowFlags_NoScrollbar));
    if (state.embed) ImGui::PopStyleVar();
    if (!state.embed) header(state, fonts);
    else panel_share(state);
    if (!state.embed || !area_hidden(state, "share")) ImGui::Separator();

    if (state.narrow) {
        drag_to_scroll();
        area(state, "guide", [&] {
            if (ImGui::CollapsingHeader(tr_id("Guided walkthroughs and explanations"),
                                        state.guide.tour.active() ? ImGuiTreeNodeFlags_DefaultOpen : 0))
                panel_guide(state, lab, fonts);
        });
        // The training lab: first when it is the open view (URL, walkthrough), else last.
        const auto training = [&] {
            area(state, "panel.train", [&] {
                if (state.select_view && state.view == View::Training) ImGui::SetNextItemOpen(true);
                if (ImGui::CollapsingHeader(tr_id("Training and depth lab"))) panel_train(state, fonts);
            });
        };
        if (state.view == View::Training) training();
        area(state, "panel.family", [&] { panel_family(state, lab); });
        ImGui::Separator();
        area(state, "panel.board", [&] { panel_board(state, lab, fonts); });
        ImGui::Separator();
        area(state, "panel.stats", [&] {
            ImGui::BeginGroup();
            panel_stats(state, lab);
            ImGui::EndGroup();
            spotlight(state, "panel.stats");
        });
        ImGui::Separator();
        area(state, "panel.controls", [&] { panel_controls(state, lab); });
        ImGui::Separator();
        area(state, "panel.settings", [&] { panel_settings(state, lab); });
        ImGui::Separator();
        area(state, "export", [&] { panel_export(state, lab); });
        ImGui::Separator();
        area(state, "weights", [&] {
            if (ImGui::CollapsingHeader(tr_id("Weight normalizations: WeightNorm, SpectralNorm, DyT")))
                panel_weights(state, weights, fonts);
        });
        if (state.view != View::Training) training();
        state.select_view = false;
    } else {
        const float left_w = std::clamp(ImGui::GetFontSize() * 21.f, 280.f, width * 0.34f);
        // Keyboard navigation reaches each column (a child window) as one outlined item: Space
        // goes in, Esc comes back out (README "Keyboard and touch"). Not NavFlattened (beta in
        // 1.86): the arrows would then cross between the columns only where two controls sit
        // level with each other, which in the Activations view is the tab row alone.
        ImGui::BeginChild("left", ImVec2(left_w, 0), true);
        if (ImGui::BeginTabBar("##left")) {
            // The guide opens when a walkthrough runs (URL, menu); the controls otherwise.
            const bool touring = state.guide.tour.active();
            const int guide_flags = touring && !state.left_was_touring ? ImGuiTabItemFlags_SetSelected : 0;
            state.left_was_touring = touring;
            if (ImGui::BeginTabItem(tr_id("Lab"), nullptr, 0)) {
                area(state, "panel.family", [&] { panel_family(state, lab); });
                ImGui::Spacing();
                area(state, "panel.controls", [&] { panel_controls(state, lab); });
                ImGui::Separator();
                area(state, "panel.settings", [&] { panel_settings(state, lab); });
                ImGui::Separator();
                area(state, "export", [&] { panel_export(state, lab); });
                ImGui::EndTabItem();
            }
            if (!area_hidden(state, "guide") && ImGui::BeginTabItem(tr_id("Guide"), nullptr, guide_flags)) {
                area(state, "guide", [&] { panel_guide(state, lab, fonts); });
                ImGui::EndTabItem();
            }
            ImGui::EndTabBar();
        }
        ImGui::EndChild();
        remember_item(state, "column.left");
        ImGui::SameLine();
        ImGui::BeginChild("board", ImVec2(0, 0), true, zoom_scroll);
        if (ImGui::BeginTabBar("##views")) {
            const auto flags = [&state](View v) {
                return state.select_view && state.view == v ? ImGuiTabItemFlags_SetSelected : 0;
            };
            const int act_flags = flags(View::Activations), weight_flags = flags(View::Weights),
                      train_flags = flags(View::Training);
            state.select_view = false;
            if (ImGui::BeginTabItem(tr_id("Activation norms"), nullptr, act_flags)) {
                state.view = View::Activations;
                area(state, "panel.board", [&] { panel_board(state, lab, fonts); });
                ImGui::Separator();
                area(state, "panel.stats", [&] {
                    ImGui::BeginGroup();
                    panel_stats(state, lab);
                    ImGui::EndGroup();
                    spotlight(state, "panel.stats");
                });
                ImGui::EndTabItem();
            }
            if (!area_hidden(state, "weights") && ImGui::BeginTabItem(tr_id("Weight norms"), nullptr, weight_flags)) {
                state.view = View::Weights;
                area(state, "weights", [&] { panel_weights(state, weights, fonts); });
                ImGui::EndTabItem();
            }
            if (!area_hidden(state, "panel.train") && ImGui::BeginTabItem(tr_id("Training"), nullptr, train_flags)) {
                state.view = View::Training;
                area(state, "panel.train", [&] { panel_train(state, fonts); });
                ImGui::EndTabItem();
            }
            ImGui::EndTabBar();
        }
        ImGui::EndChild();
        remember_item(state, "column.board");
    }
    draw_help(state);
    remember_nav_focus(state);
    ImGui::End();
}

} // namespace normlab::ui
