#include "ui/widgets.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace normlab::ui {

ImU32 to_imgui(viz::Rgba c) { return IM_COL32(c.r, c.g, c.b, c.a); }

void remember_item(UiState& state, const char* id) {
    const ImVec2 a = ImGui::GetItemRectMin(), s = ImGui::GetItemRectSize();
    state.item_rects.push_back({id, {a.x, a.y, s.x, s.y}});
}

void help_marker(const char* text) {
    ImGui::TextDisabled("(?)");
    if (ImGui::IsItemHovered() || ImGui::IsItemClicked()) {
        ImGui::BeginTooltip();
        ImGui::PushTextWrapPos(ImGui::GetFontSize() * 24.f);
        ImGui::TextUnformatted(text);
        ImGui::PopTextWrapPos();
        ImGui::EndTooltip();
    }
}

void draw_legend(float range, float width) {
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 p = ImGui::GetCursorScreenPos();
    const float h = std::round(ImGui::GetFontSize() * 0.6f);
    constexpr int kSteps = 32;
    for (int k = 0; k < kSteps; ++k) {
        const float t0 = -1.f + 2.f * k / kSteps, t1 = -1.f + 2.f * (k + 1) / kSteps;
        const float x0 = p.x + width * k / kSteps, x1 = p.x + width * (k + 1) / kSteps;
        dl->AddRectFilledMultiColor(ImVec2(x0, p.y), ImVec2(x1, p.y + h),
                                    to_imgui(viz::diverging(t0)), to_imgui(viz::diverging(t1)),
                                    to_imgui(viz::diverging(t1)), to_imgui(viz::diverging(t0)));
    }
    // Labels are placed in screen space: SameLine offsets are relative to the enclosing
    // group, which differs between the two side-by-side heatmaps.
    char lo[32], hi[32];
    std::snprintf(lo, sizeof lo, "%.2f", -range);
    std::snprintf(hi, sizeof hi, "+%.2f", range);
    const ImU32 text = ImGui::GetColorU32(ImGuiCol_TextDisabled);
    const float ty = p.y + h + 3;
    dl->AddText(ImVec2(p.x, ty), text, lo);
    dl->AddText(ImVec2(p.x + width * 0.5f - ImGui::CalcTextSize("0").x * 0.5f, ty), text, "0");
    dl->AddText(ImVec2(p.x + width - ImGui::CalcTextSize(hi).x, ty), text, hi);
    ImGui::Dummy(ImVec2(width, h + 3 + ImGui::GetTextLineHeight()));
}

} // namespace normlab::ui
