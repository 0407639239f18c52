#include "ui/widgets.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace normlab::ui {

ImU32 to_imgui(viz::Rgba c) { return IM_COL32(c.r, c.g, c.b, c.a); }

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

int draw_heatmap(ImDrawList* dl, const viz::GridLayout& layout, const std::vector<float>& values,
                 float range, const kernels::GroupPlan& plan, std::size_t highlight,
                 bool show_outline) {
    const float gap = layout.cell >= 6 ? 1.f : 0.f;
    const ImVec2 mouse = ImGui::GetIO().MousePos;
    int hovered = -1;
    for (int r = 0; r < layout.rows; ++r)
        for (int c = 0; c < layout.cols; ++c) {
            const std::size_t i = static_cast<std::size_t>(r) * layout.cols + c;
            const viz::Vec2 p = layout.cell_min(r, c);
            const ImVec2 a(p.x, p.y), b(p.x + layout.cell - gap, p.y + layout.cell - gap);
            dl->AddRectFilled(a, b, to_imgui(viz::diverging(values[i] / range)));
            if (!std::isfinite(values[i])) {  // not a colour only: a cross marks bad cells
                dl->AddLine(a, b, IM_COL32(20, 20, 20, 255), 1.5f);
                dl->AddLine(ImVec2(a.x, b.y), ImVec2(b.x, a.y), IM_COL32(20, 20, 20, 255), 1.5f);
            }
            const bool in_group = kernels::group_of(plan, i) == highlight;
            if (show_outline && !in_group) dl->AddRectFilled(a, b, IM_COL32(8, 10, 14, 80));
            if (mouse.x >= a.x && mouse.x < b.x + gap && mouse.y >= a.y && mouse.y < b.y + gap)
                hovered = static_cast<int>(i);
        }
    if (show_outline) {
        const float thick = std::clamp(layout.cell * 0.18f, 2.f, 4.f);
        for (const viz::Segment& s : viz::group_outline(plan, layout, highlight))
            dl->AddLine(ImVec2(s.a.x, s.a.y), ImVec2(s.b.x, s.b.y), kCyan, thick);
    }
    if (hovered >= 0) {
        const int r = hovered / layout.cols, c = hovered % layout.cols;
        const viz::Vec2 p = layout.cell_min(r, c);
        dl->AddRect(ImVec2(p.x - 1, p.y - 1), ImVec2(p.x + layout.cell, p.y + layout.cell),
                    IM_COL32(255, 255, 255, 230), 0, 0, 1.5f);
    }
    return hovered;
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
