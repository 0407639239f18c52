// ui/panel_stats.cpp: statistics before and after, for the highlighted group and for the
// whole tensor, the coupling of the family, and histograms with mean and std markers.
#include <algorithm>
#include <cmath>

#include "imgui.h"
#include "sim/families.h"
#include "ui/panels.h"
#include "ui/i18n.h"
#include "ui/widgets.h"
#include "viz/histogram.h"

namespace normlab::ui {

namespace {

void stats_table(const char* id, const sim::CellStats& before, const sim::CellStats& after, bool extremes) {
    if (!ImGui::BeginTable(id, 3, ImGuiTableFlags_BordersInnerH | ImGuiTableFlags_SizingStretchSame)) return;
    ImGui::TableSetupColumn("");
    ImGui::TableSetupColumn(tr("before x"));
    ImGui::TableSetupColumn(tr("after y"));
    ImGui::TableHeadersRow();
    const auto row = [](const char* name, double a, double b) {
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(name);
        ImGui::TableNextColumn();
        ImGui::Text("%+.4g", a);
        ImGui::TableNextColumn();
        ImGui::Text("%+.4g", b);
    };
    row(tr("mean μ"), before.mean, after.mean);
    row(tr("std σ"), before.std, after.std);
    row("RMS", before.rms, after.rms);
    if (extremes) {
        row(tr("min"), before.min, after.min);
        row(tr("max"), before.max, after.max);
    }
    ImGui::EndTable();
}

// Bars of a histogram with the mean (solid) and mean ± std (dashed) marked.
void draw_histogram(const char* label, const viz::Histogram& h, const sim::CellStats& s, float width,
                    float height) {
    ImGui::TextDisabled("%s", label);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 p = ImGui::GetCursorScreenPos();
    dl->AddRectFilled(p, ImVec2(p.x + width, p.y + height), ImGui::GetColorU32(ImGuiCol_FrameBg), 3.f);
    const float bw = width / static_cast<float>(h.counts.size());
    for (std::size_t k = 0; k < h.counts.size() && h.max_count > 0; ++k) {
        const float bh = (height - 4) * h.counts[k] / static_cast<float>(h.max_count);
        const double centre = h.lo + (k + 0.5) * (h.hi - h.lo) / h.counts.size();
        const float t = static_cast<float>(centre / std::max(std::fabs(h.lo), std::fabs(h.hi)));
        dl->AddRectFilled(ImVec2(p.x + k * bw + 1, p.y + height - bh), ImVec2(p.x + (k + 1) * bw, p.y + height),
                          to_imgui(viz::diverging(t)));
    }
    const auto x_of = [&](double v) { return p.x + static_cast<float>((v - h.lo) / (h.hi - h.lo)) * width; };
    if (s.count > 0 && h.max_count > 0) {
        const ImU32 marker = IM_COL32(255, 255, 255, 220);
        dl->AddLine(ImVec2(x_of(s.mean), p.y), ImVec2(x_of(s.mean), p.y + height), marker, 2.f);
        for (double v : {s.mean - s.std, s.mean + s.std}) {
            const float x = x_of(v);
            if (x < p.x || x > p.x + width) continue;
            for (float y = p.y; y < p.y + height; y += 6)
                dl->AddLine(ImVec2(x, y), ImVec2(x, std::min(y + 3, p.y + height)), marker, 1.f);
        }
    }
    ImGui::Dummy(ImVec2(width, height));
    ImGui::TextDisabled("%.3g … %.3g   μ %.3g  σ %.3g%s", h.lo, h.hi, s.mean, s.std,
                        h.nonfinite ? tr("   (non-finite left out)") : "");
}

} // namespace

void panel_stats(UiState& state, const sim::Lab& lab) {
    if (!lab.error().empty() || lab.plan().group_count() == 0) return;
    StatsCache& c = state.stats;
    if (c.revision != lab.revision() || c.group != lab.sweep().group) {
        if (c.revision != lab.revision()) {
            c.all_x = sim::all_cell_stats(lab.x());
            c.all_y = sim::all_cell_stats(lab.y());
            c.hist_x = viz::make_histogram(lab.x(), 32);
            c.hist_y = viz::make_histogram(lab.y(), 32);
        }
        c.group_x = sim::group_cell_stats(lab.x(), lab.plan(), lab.sweep().group);
        c.group_y = sim::group_cell_stats(lab.y(), lab.plan(), lab.sweep().group);
        c.revision = lab.revision();
        c.group = lab.sweep().group;
    }
    // Wide: the group and the whole tensor side by side under the board; narrow: stacked.
    const bool two_columns = !state.narrow;
    if (two_columns && !ImGui::BeginTable("##statscols", 2, ImGuiTableFlags_SizingStretchSame)) return;
    if (two_columns) {
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
    }
    const std::size_t g = lab.sweep().group;
    const kernels::NormKind kind = lab.config().family;
    ImGui::BeginGroup();
    ImGui::TextDisabled("%s", tr("HIGHLIGHTED GROUP"));
    ImGui::PushTextWrapPos(0);
    ImGui::TextUnformatted(sim::describe_group(kind, lab.shape(), lab.plan(), g, describe_words()).c_str());
    ImGui::PopTextWrapPos();
    ImGui::TextDisabled(tr("%zu cells  ·  group %zu of %zu"), lab.plan().group_size(), g + 1,
                        lab.plan().group_count());
    const sim::CellStats& before = c.group_x;
    const sim::CellStats& after = c.group_y;
    stats_table("##group", before, after, false);
    ImGui::PushTextWrapPos(0);
    if (kind == kernels::NormKind::Rms)
        ImGui::TextDisabled("%s", tr("RMSNorm fixes the RMS at 1 but leaves the mean where it was."));
    else if (before.count == 1)
        ImGui::TextDisabled("%s", tr("A group of one cell: x − μ is 0, so the output is β whatever x is."));
    else if (before.std * before.std < 10 * lab.config().eps)
        ImGui::TextDisabled("%s", tr("Variance this small is dominated by ε: the output std stays below 1."));
    else
        ImGui::TextDisabled("%s", tr("After: mean 0 and std 1 within the group (γ = 1, β = 0)."));
    ImGui::PopTextWrapPos();

    ImGui::EndGroup();
    spotlight(state, "stats.group");
    if (two_columns) ImGui::TableNextColumn();
    else ImGui::Spacing();
    ImGui::BeginGroup();
    ImGui::TextDisabled("%s", tr("WHOLE TENSOR"));
    stats_table("##all", c.all_x, c.all_y, true);
    ImGui::EndGroup();
    spotlight(state, "stats.tensor");
    const float w = ImGui::GetContentRegionAvail().x;
    const float h = ImGui::GetFontSize() * 3.2f;
    if (two_columns) {
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        draw_histogram(tr("histogram of x"), c.hist_x, c.all_x, w, h);
        ImGui::TableNextColumn();
        draw_histogram(tr("histogram of y"), c.hist_y, c.all_y, w, h);
        spotlight(state, "stats.histogram");
        ImGui::EndTable();
    } else {
        draw_histogram(tr("histogram of x"), c.hist_x, c.all_x, w, h);
        draw_histogram(tr("histogram of y"), c.hist_y, c.all_y, w, h);
    }
}

} // namespace normlab::ui
