// ui/panel_stats.cpp: the statistics readout of the highlighted group, before and after.
#include "imgui.h"
#include "sim/families.h"
#include "ui/panels.h"

namespace normlab::ui {

void panel_stats(UiState&, const sim::Lab& lab) {
    if (!lab.error().empty() || lab.plan().group_count() == 0) return;
    const std::size_t g = lab.sweep().group;
    const kernels::NormKind kind = lab.config().family;
    ImGui::TextDisabled("HIGHLIGHTED GROUP");
    ImGui::Text("%s", sim::describe_group(kind, g).c_str());
    ImGui::TextDisabled("%zu cells  ·  group %zu of %zu", lab.plan().group_size(), g + 1,
                        lab.plan().group_count());
    const sim::CellStats before = sim::group_cell_stats(lab.x(), lab.plan(), g);
    const sim::CellStats after = sim::group_cell_stats(lab.y(), lab.plan(), g);
    if (ImGui::BeginTable("##stats", 3, ImGuiTableFlags_BordersInnerH | ImGuiTableFlags_SizingStretchSame)) {
        ImGui::TableSetupColumn("");
        ImGui::TableSetupColumn("before");
        ImGui::TableSetupColumn("after");
        ImGui::TableHeadersRow();
        const auto row = [](const char* name, double a, double b) {
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(name);
            ImGui::TableNextColumn();
            ImGui::Text("%+.3f", a);
            ImGui::TableNextColumn();
            ImGui::Text("%+.3f", b);
        };
        row("mean μ", before.mean, after.mean);
        row("std σ", before.std, after.std);
        row("RMS", before.rms, after.rms);
        ImGui::EndTable();
    }
    ImGui::PushTextWrapPos(0);
    if (kind == kernels::NormKind::Rms)
        ImGui::TextDisabled("RMSNorm fixes the RMS at 1 but leaves the mean where it was.");
    else if (before.std < 1e-6)
        ImGui::TextDisabled("This group is constant: its variance is 0, so ε alone sets the scale.");
    else
        ImGui::TextDisabled("After: mean 0 and std 1 within the group (γ = 1, β = 0).");
    ImGui::PopTextWrapPos();
}

} // namespace normlab::ui
