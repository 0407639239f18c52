// ui/panel_board.cpp: raw and normalized heatmaps with the normalized-together group
// outlined. Hover shows a cell's numbers plugged into the formula; a click focuses its group.
#include <algorithm>
#include <cmath>

#include "imgui.h"
#include "sim/families.h"
#include "ui/panels.h"
#include "ui/widgets.h"

namespace normlab::ui {

namespace {

void cell_tooltip(const sim::Lab& lab, int cell) {
    const std::size_t i = static_cast<std::size_t>(cell);
    const std::size_t g = kernels::group_of(lab.plan(), i);
    const int d = lab.config().features;
    const kernels::NormTrace& t = lab.trace();
    const kernels::NormKind kind = lab.config().family;
    ImGui::BeginTooltip();
    ImGui::Text("example %d, feature %d", cell / d, cell % d);
    ImGui::TextDisabled("group: %s", sim::describe_group(kind, g).c_str());
    ImGui::Separator();
    const double x = lab.x()[i], y = lab.y()[i];
    if (g < t.inv_std.size()) {
        if (kind == kernels::NormKind::Rms) {
            ImGui::Text("y = x / √(mean(x²) + ε)");
            ImGui::Text("  = %.3f / √(%.4f + %.0e) = %.3f", x, t.rms[g] * static_cast<double>(t.rms[g]),
                        static_cast<double>(lab.config().eps), y);
        } else {
            ImGui::Text("y = (x − μ) / √(σ² + ε)");
            ImGui::Text("  = (%.3f − %.3f) / √(%.4f + %.0e) = %.3f", x, static_cast<double>(t.mean[g]),
                        static_cast<double>(t.var[g]), static_cast<double>(lab.config().eps), y);
        }
    }
    ImGui::TextDisabled("click to focus this group");
    ImGui::EndTooltip();
}

// One titled heatmap with its legend; returns the hovered cell or -1.
int heatmap_block(const char* title, const char* subtitle, const std::vector<float>& values,
                  const sim::Lab& lab, float width, float height) {
    ImGui::BeginGroup();
    ImGui::TextUnformatted(title);
    ImGui::SameLine();
    ImGui::TextDisabled("%s", subtitle);
    const float legend_h = ImGui::GetFontSize() * 2.2f;
    const ImVec2 top = ImGui::GetCursorScreenPos();
    const float grid_h = std::max(40.f, height - legend_h - ImGui::GetFrameHeightWithSpacing());
    const viz::GridLayout layout = viz::layout_grid(lab.shape(), {top.x, top.y}, {width, grid_h}, 72.f);
    const float range = viz::symmetric_range(values);
    const int hovered = draw_heatmap(ImGui::GetWindowDrawList(), layout, values, range,
                                     lab.plan(), lab.sweep().group, lab.error().empty());
    ImGui::Dummy(ImVec2(width, layout.size().y + 4));
    ImGui::SetCursorScreenPos(ImVec2(layout.origin.x, ImGui::GetCursorScreenPos().y));
    draw_legend(range, std::min(layout.size().x, width));
    ImGui::EndGroup();
    return hovered;
}

} // namespace

void panel_board(UiState& state, sim::Lab& lab, const Fonts& fonts) {
    ImGui::PushFont(fonts.heading);
    ImGui::TextUnformatted("Which cells are normalized together?");
    ImGui::PopFont();
    if (!lab.error().empty()) {
        ImGui::TextColored(ImVec4(1, 0.45f, 0.4f, 1), "%s", lab.error().c_str());
        return;
    }
    if (lab.nonfinite_outputs() > 0)
        ImGui::TextColored(ImVec4(1, 0.7f, 0.3f, 1), "%zu output cells are not finite (marked ×)",
                           lab.nonfinite_outputs());

    const sim::FamilyInfo& info = sim::family_info(lab.config().family);
    ImGui::TextDisabled("rows: %d examples (batch B)   ·   columns: %d features (d)", lab.config().batch,
                        lab.config().features);
    ImGui::PushTextWrapPos(0);
    ImGui::TextUnformatted(info.formula);
    ImGui::TextDisabled("%s", info.over);
    ImGui::PopTextWrapPos();
    ImGui::Spacing();

    const ImVec2 avail = ImGui::GetContentRegionAvail();
    const float spacing = ImGui::GetStyle().ItemSpacing.x * 3;
    int hovered = -1;
    if (state.narrow) {
        const float cell = avail.x / lab.config().features;
        const float h = std::min(cell * lab.config().batch, avail.x * 0.9f) + ImGui::GetFontSize() * 4;
        hovered = std::max(hovered, heatmap_block("Raw x", "before", lab.x(), lab, avail.x, h));
        ImGui::Spacing();
        hovered = std::max(hovered, heatmap_block("Normalized y", "after", lab.y(), lab, avail.x, h));
    } else {
        const float w = (avail.x - spacing) * 0.5f;
        hovered = std::max(hovered, heatmap_block("Raw x", "before", lab.x(), lab, w, avail.y));
        ImGui::SameLine(0, spacing);
        hovered = std::max(hovered, heatmap_block("Normalized y", "after", lab.y(), lab, w, avail.y));
    }
    state.hovered_cell = hovered;
    if (hovered >= 0) {
        cell_tooltip(lab, hovered);
        if (ImGui::IsMouseClicked(ImGuiMouseButton_Left)) {
            lab.focus_group(kernels::group_of(lab.plan(), static_cast<std::size_t>(hovered)));
            lab.sweep().playing = false;
        }
    }
}

} // namespace normlab::ui
