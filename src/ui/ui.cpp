// ui/ui.cpp: the root layout. Wide screens: a control column on the left, the board on the
// right. Narrow screens (phones): one scrolling column with the board first.
#include <algorithm>

#include "imgui.h"
#include "ui/panel_weights.h"
#include "ui/panels.h"

namespace normlab::ui {

namespace {

void header(UiState& state, const Fonts& fonts) {
    ImGui::PushFont(fonts.heading);
    ImGui::TextUnformatted("NormLab");
    ImGui::PopFont();
    const char* label = state.projector ? "Projector: on" : "Projector";
    const float bw = ImGui::CalcTextSize(label).x + ImGui::GetStyle().FramePadding.x * 2;
    if (!state.narrow) {
        ImGui::SameLine();
        ImGui::AlignTextToFramePadding();
        ImGui::TextDisabled("BatchNorm · LayerNorm · RMSNorm · GroupNorm · InstanceNorm: which axis, which statistics");
    }
    ImGui::SameLine(ImGui::GetWindowContentRegionMax().x - bw);
    if (ImGui::Button(label)) state.projector = !state.projector;
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("Larger text and higher contrast for a classroom projector");
}

// ImGui scrolls with the wheel only; on touch screens a drag on empty space scrolls too.
void drag_to_scroll() {
    const ImGuiIO& io = ImGui::GetIO();
    if (ImGui::IsMouseDragging(ImGuiMouseButton_Left) && !ImGui::IsAnyItemActive() &&
        ImGui::IsWindowHovered(ImGuiHoveredFlags_ChildWindows))
        ImGui::SetScrollY(ImGui::GetScrollY() - io.MouseDelta.y);
}

} // namespace

void draw(UiState& state, sim::Lab& lab, sim::WeightLab& weights, const Fonts& fonts, int width,
          int height, double dt) {
    state.clock += dt;
    state.narrow = width < 700;
    if (state.projector != state.projector_applied) {
        apply_theme(state.projector);
        state.projector_applied = state.projector;
    }
    lab.step(dt);

    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(ImVec2(static_cast<float>(width), static_cast<float>(height)));
    const ImGuiWindowFlags root_flags = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                                        ImGuiWindowFlags_NoSavedSettings |
                                        ImGuiWindowFlags_NoBringToFrontOnFocus;
    ImGui::Begin("NormLab", nullptr, root_flags | (state.narrow ? 0 : ImGuiWindowFlags_NoScrollbar));
    header(state, fonts);
    ImGui::Separator();

    if (state.narrow) {
        drag_to_scroll();
        if (ImGui::CollapsingHeader("Guided walkthroughs and explanations",
                                    state.guide.tour.active() ? ImGuiTreeNodeFlags_DefaultOpen : 0))
            panel_guide(state, lab, fonts);
        panel_family(state, lab);
        ImGui::Separator();
        panel_board(state, lab, fonts);
        ImGui::Separator();
        ImGui::BeginGroup();
        panel_stats(state, lab);
        ImGui::EndGroup();
        spotlight(state, "panel.stats");
        ImGui::Separator();
        panel_controls(state, lab);
        ImGui::Separator();
        panel_settings(state, lab);
        ImGui::Separator();
        panel_export(state, lab);
        ImGui::Separator();
        if (ImGui::CollapsingHeader("Weight normalizations: WeightNorm, SpectralNorm, DyT"))
            panel_weights(state, weights, fonts);
    } else {
        const float left_w = std::clamp(ImGui::GetFontSize() * 21.f, 280.f, width * 0.34f);
        ImGui::BeginChild("left", ImVec2(left_w, 0), true);
        if (ImGui::BeginTabBar("##left")) {
            // The guide opens when a walkthrough runs (URL, menu); the controls otherwise.
            const bool touring = state.guide.tour.active();
            const int guide_flags = touring && !state.left_was_touring ? ImGuiTabItemFlags_SetSelected : 0;
            state.left_was_touring = touring;
            if (ImGui::BeginTabItem("Lab", nullptr, 0)) {
                panel_family(state, lab);
                ImGui::Spacing();
                panel_controls(state, lab);
                ImGui::Separator();
                panel_settings(state, lab);
                ImGui::Separator();
                panel_export(state, lab);
                ImGui::EndTabItem();
            }
            if (ImGui::BeginTabItem("Guide", nullptr, guide_flags)) {
                panel_guide(state, lab, fonts);
                ImGui::EndTabItem();
            }
            ImGui::EndTabBar();
        }
        ImGui::EndChild();
        ImGui::SameLine();
        ImGui::BeginChild("board", ImVec2(0, 0), true);
        if (ImGui::BeginTabBar("##views")) {
            const auto flags = [&state](View v) {
                return state.select_view && state.view == v ? ImGuiTabItemFlags_SetSelected : 0;
            };
            const int act_flags = flags(View::Activations), weight_flags = flags(View::Weights);
            state.select_view = false;
            if (ImGui::BeginTabItem("Activation norms", nullptr, act_flags)) {
                state.view = View::Activations;
                panel_board(state, lab, fonts);
                ImGui::Separator();
                ImGui::BeginGroup();
        panel_stats(state, lab);
        ImGui::EndGroup();
        spotlight(state, "panel.stats");
                ImGui::EndTabItem();
            }
            if (ImGui::BeginTabItem("Weight norms", nullptr, weight_flags)) {
                state.view = View::Weights;
                panel_weights(state, weights, fonts);
                ImGui::EndTabItem();
            }
            ImGui::EndTabBar();
        }
        ImGui::EndChild();
    }
    ImGui::End();
}

} // namespace normlab::ui
