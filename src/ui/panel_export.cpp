// ui/panel_export.cpp: take the board away: a PNG of the view, the tensor, output and
// statistics as CSV or JSON, and the equivalent PyTorch code (shown, and downloadable).
#include <algorithm>

#include "imgui.h"
#include "sim/export.h"
#include "ui/panels.h"
#include "ui/i18n.h"
#include "ui/widgets.h"

namespace normlab::ui {

void panel_export(UiState& state, const sim::Lab& lab) {
    ImGui::TextDisabled("%s", tr("EXPORT"));
    if (ImGui::Button("PNG") && state.screenshot) state.screenshot("normlab.png");
    ImGui::SameLine();
    if (ImGui::Button("CSV") && state.download) state.download("normlab.csv", "text/csv", sim::export_csv(lab));
    ImGui::SameLine();
    if (ImGui::Button("JSON") && state.download)
        state.download("normlab.json", "application/json", sim::export_json(lab));
    ImGui::SameLine();
    if (ImGui::Button(tr_id("PyTorch…"))) {
        state.snippet = sim::pytorch_snippet(lab);
        ImGui::OpenPopup("PyTorch");
    }
    const ImVec2 size(std::min(ImGui::GetIO().DisplaySize.x * 0.9f, ImGui::GetFontSize() * 48.f),
                      std::min(ImGui::GetIO().DisplaySize.y * 0.8f, ImGui::GetFontSize() * 30.f));
    ImGui::SetNextWindowSize(size, ImGuiCond_Appearing);
    if (ImGui::BeginPopupModal("PyTorch", nullptr, ImGuiWindowFlags_NoSavedSettings)) {
        ImGui::TextDisabled("%s", tr("The same normalization in PyTorch (select and copy, or download):"));
        ImGui::InputTextMultiline("##snippet", state.snippet.data(), state.snippet.size() + 1,
                                  ImVec2(-1, -ImGui::GetFrameHeightWithSpacing()),
                                  ImGuiInputTextFlags_ReadOnly);
        if (ImGui::Button(tr_id("Download normlab.py")) && state.download)
            state.download("normlab.py", "text/x-python", state.snippet);
        ImGui::SameLine();
        if (ImGui::Button(tr_id("Close##pytorch")) || ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape))) ImGui::CloseCurrentPopup();
        ImGui::EndPopup();
    }
}

} // namespace normlab::ui
