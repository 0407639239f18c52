// ui/panel_controls.cpp: the controls that change the lab. Every change goes through a
// sim::Lab mutator, which clamps and explains out-of-range values.
#include <cmath>

#include "imgui.h"
#include "sim/families.h"
#include "ui/panels.h"
#include "ui/widgets.h"

namespace normlab::ui {

void show_note(UiState& state, const std::string& note) {
    if (note.empty()) return;
    state.note = note;
    state.note_until = state.clock + 6.0;
}

namespace {

void family_buttons(UiState& state, sim::Lab& lab) {
    const float w = ImGui::GetContentRegionAvail().x;
    const float bw = (w - 2 * ImGui::GetStyle().ItemSpacing.x) / 3.f;
    for (std::size_t k = 0; k < std::size(sim::kBoardFamilies); ++k) {
        const kernels::NormKind kind = sim::kBoardFamilies[k];
        const bool active = lab.config().family == kind;
        if (k) ImGui::SameLine();
        if (active) ImGui::PushStyleColor(ImGuiCol_Button, ImGui::GetStyleColorVec4(ImGuiCol_HeaderActive));
        if (ImGui::Button(kernels::norm_name(kind), ImVec2(bw, 0))) show_note(state, lab.set_family(kind));
        if (active) ImGui::PopStyleColor();
    }
}

} // namespace

void panel_family(UiState& state, sim::Lab& lab) {
    ImGui::TextDisabled("FAMILY");
    family_buttons(state, lab);
    const sim::FamilyInfo& info = sim::family_info(lab.config().family);
    ImGui::PushTextWrapPos(0);
    ImGui::Text("Normalizes %s.", info.axis);
    ImGui::PopTextWrapPos();
    ImGui::TextDisabled("%s  ·  %s", info.stat_shape, info.batch_coupled ? "batch-coupled" : "per-example");
}

void panel_controls(UiState& state, sim::Lab& lab) {
    ImGui::TextDisabled("TENSOR");
    ImGui::PushItemWidth(-ImGui::CalcTextSize("features d").x - ImGui::GetStyle().ItemInnerSpacing.x);
    int b = lab.config().batch, d = lab.config().features;
    if (ImGui::SliderInt("batch B", &b, 1, sim::kMaxBatch, "%d", ImGuiSliderFlags_AlwaysClamp))
        show_note(state, lab.set_batch(b));
    if (ImGui::SliderInt("features d", &d, 1, sim::kMaxFeatures, "%d", ImGuiSliderFlags_AlwaysClamp))
        show_note(state, lab.set_features(d));
    int preset = static_cast<int>(lab.config().preset);
    const char* names[sim::kPresetCount];
    for (int k = 0; k < sim::kPresetCount; ++k) names[k] = sim::preset_name(static_cast<sim::DataPreset>(k));
    if (ImGui::Combo("data", &preset, names, sim::kPresetCount))
        lab.set_preset(static_cast<sim::DataPreset>(preset));
    float log_eps = std::log10(std::max(lab.config().eps, 1e-12f));
    char eps_label[32];
    std::snprintf(eps_label, sizeof eps_label, "%.0e", static_cast<double>(lab.config().eps));
    if (ImGui::SliderFloat("ε", &log_eps, -12.f, 0.f, eps_label, ImGuiSliderFlags_AlwaysClamp))
        show_note(state, lab.set_eps(std::pow(10.f, std::round(log_eps * 2.f) / 2.f)));
    ImGui::PopItemWidth();
    if (ImGui::Button("Resample data")) lab.resample(lab.config().seed + 1);
    ImGui::SameLine();
    ImGui::TextDisabled("seed %llu", static_cast<unsigned long long>(lab.config().seed));

    ImGui::Spacing();
    ImGui::TextDisabled("SWEEP");
    sim::Sweep& sweep = lab.sweep();
    if (ImGui::Button(sweep.playing ? "Pause" : "Play", ImVec2(ImGui::GetFontSize() * 4.5f, 0)))
        sweep.playing = !sweep.playing;
    ImGui::SameLine();
    if (ImGui::ArrowButton("##prev", ImGuiDir_Left)) lab.step_group(-1);
    ImGui::SameLine();
    if (ImGui::ArrowButton("##next", ImGuiDir_Right)) lab.step_group(+1);
    ImGui::SameLine();
    ImGui::SetNextItemWidth(-1);
    ImGui::SliderFloat("##speed", &sweep.groups_per_second, 0.25f, 8.f, "%.2f groups/s",
                       ImGuiSliderFlags_AlwaysClamp | ImGuiSliderFlags_Logarithmic);

    if (!state.note.empty() && state.clock < state.note_until) {
        ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1.f, 0.78f, 0.35f, 1.f));
        ImGui::PushTextWrapPos(0);
        ImGui::TextUnformatted(state.note.c_str());
        ImGui::PopTextWrapPos();
        ImGui::PopStyleColor();
    }
}

} // namespace normlab::ui
