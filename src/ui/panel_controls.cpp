// ui/panel_controls.cpp: the controls that change the lab. Every change goes through a
// sim::Lab mutator, which clamps and explains out-of-range values.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "imgui.h"
#include "sim/families.h"
#include "sim/tensor_text.h"
#include "ui/panels.h"
#include "ui/i18n.h"
#include "ui/widgets.h"

namespace normlab::ui {

void show_note(UiState& state, const std::string& note) {
    if (note.empty()) return;
    state.note = note;
    state.note_until = state.clock + 6.0;
}

namespace {

void family_buttons(UiState& state, sim::Lab& lab) {
    // Two rows on the control column: BatchNorm LayerNorm RMSNorm / GroupNorm InstanceNorm.
    const float w = ImGui::GetContentRegionAvail().x;
    const float spacing = ImGui::GetStyle().ItemSpacing.x;
    const float bw = (w - 2 * spacing) / 3.f;
    for (std::size_t k = 0; k < std::size(sim::kBoardFamilies); ++k) {
        const kernels::NormKind kind = sim::kBoardFamilies[k];
        const bool active = lab.config().family == kind;
        const bool usable = !(kind == kernels::NormKind::Instance && lab.config().layout == sim::Layout::Matrix);
        if (k % 3 != 0) ImGui::SameLine();
        if (active) ImGui::PushStyleColor(ImGuiCol_Button, ImGui::GetStyleColorVec4(ImGuiCol_HeaderActive));
        if (!usable) ImGui::PushStyleVar(ImGuiStyleVar_Alpha, 0.45f);
        if (ImGui::Button(kernels::norm_name(kind), ImVec2(k < 3 ? bw : (w - spacing) / 2.f, 0)))
            show_note(state, lab.set_family(kind));
        remember_item(state, (std::string("family.") + kernels::norm_id(kind)).c_str());
        if (!usable && ImGui::IsItemHovered())
            ImGui::SetTooltip("%s", tr("InstanceNorm needs positions (L or H × W): pick a (B, L, d) or (B, C, H, W) tensor"));
        if (!usable) ImGui::PopStyleVar();
        if (active) ImGui::PopStyleColor();
    }
}

// Bring your own tensor: CSV rows or a numpy-printed array, typed or pasted.
void paste_popup(UiState& state, sim::Lab& lab) {
    ImGui::SetNextWindowSize(ImVec2(std::min(ImGui::GetIO().DisplaySize.x * 0.92f, ImGui::GetFontSize() * 36.f),
                                    std::min(ImGui::GetIO().DisplaySize.y * 0.8f, ImGui::GetFontSize() * 24.f)),
                             ImGuiCond_Appearing);
    if (!ImGui::BeginPopupModal(tr_id("Paste a tensor##paste"), nullptr, ImGuiWindowFlags_NoSavedSettings)) return;
    if (state.take_paste) {
        const std::string pasted = state.take_paste();
        if (!pasted.empty()) {
            const std::size_t n = std::min(pasted.size(), state.paste_buffer.size() - 1);
            std::copy_n(pasted.begin(), n, state.paste_buffer.begin());
            state.paste_buffer[n] = '\0';
        }
    }
    ImGui::TextDisabled("%s", tr("CSV rows (one example per line) or a numpy array such as [[1., 2.], [3., 4.]]"));
    ImGui::InputTextMultiline("##tensor", state.paste_buffer.data(), state.paste_buffer.size(),
                              ImVec2(-1, -ImGui::GetFrameHeightWithSpacing() * 2.2f));
    if (!state.paste_error.empty()) ImGui::TextColored(ImVec4(1, 0.55f, 0.4f, 1), "%s", state.paste_error.c_str());
    if (ImGui::Button(tr_id("Load##paste"))) {
        sim::ParsedTensor t;
        state.paste_error = sim::parse_tensor_text(state.paste_buffer.data(), &t);
        if (state.paste_error.empty()) state.paste_error = lab.load_tensor(t.dims, t.values);
        if (state.paste_error.empty()) ImGui::CloseCurrentPopup();
    }
    ImGui::SameLine();
    if (ImGui::Button(tr_id("Paste from clipboard")) && state.request_paste) state.request_paste();
    ImGui::SameLine();
    if (ImGui::Button(tr_id("Cancel##paste")) || ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape))) ImGui::CloseCurrentPopup();
    ImGui::EndPopup();
}

} // namespace

void panel_family(UiState& state, sim::Lab& lab) {
    ImGui::BeginGroup();
    ImGui::TextDisabled("%s", tr("FAMILY"));
    ImGui::BeginGroup();
    family_buttons(state, lab);
    ImGui::EndGroup();
    spotlight(state, "control.family");
    const sim::FamilyInfo& info = sim::family_info(lab.config().family);
    ImGui::PushTextWrapPos(0);
    ImGui::Text(tr("Normalizes %s."), tr(info.axis));
    ImGui::PopTextWrapPos();
    ImGui::PushTextWrapPos(0);
    ImGui::TextDisabled("%s  ·  %s",
                        sim::stat_shape(lab.config().family, lab.shape(), lab.config().groups).c_str(),
                        info.batch_coupled ? tr("batch-coupled: depends on the other examples")
                                           : tr("per-example: independent of the batch"));
    ImGui::PopTextWrapPos();

    // Compare mode: a second family on the same data, drawn as a third heatmap.
    bool comparing = lab.compare().has_value();
    if (ImGui::Checkbox(tr_id("compare with"), &comparing))
        show_note(state, lab.set_compare(comparing ? std::optional(kernels::NormKind::Layer == lab.config().family
                                                                       ? kernels::NormKind::Batch
                                                                       : kernels::NormKind::Layer)
                                                   : std::nullopt));
    if (lab.compare()) {
        ImGui::SameLine();
        ImGui::SetNextItemWidth(-1);
        if (ImGui::BeginCombo("##compare", kernels::norm_name(*lab.compare()))) {
            for (kernels::NormKind kind : sim::kBoardFamilies)
                if (ImGui::Selectable(kernels::norm_name(kind), kind == *lab.compare()))
                    show_note(state, lab.set_compare(kind));
            ImGui::EndCombo();
        }
    }
    ImGui::EndGroup();
    spotlight(state, "panel.family");
}

void panel_controls(UiState& state, sim::Lab& lab) {
    ImGui::BeginGroup();
    ImGui::TextDisabled("%s", tr("TENSOR"));
    const sim::LabConfig& c = lab.config();
    ImGui::PushItemWidth(-ImGui::CalcTextSize(tr("channels C")).x - ImGui::GetStyle().ItemInnerSpacing.x);
    int layout = static_cast<int>(c.layout);
    const char* layouts[sim::kLayoutCount];
    for (int k = 0; k < sim::kLayoutCount; ++k) layouts[k] = sim::layout_name(static_cast<sim::Layout>(k));
    if (ImGui::Combo(tr_id("shape"), &layout, layouts, sim::kLayoutCount))
        show_note(state, lab.set_layout(static_cast<sim::Layout>(layout)));
    spotlight(state, "control.layout");
    const ImGuiSliderFlags clamp = ImGuiSliderFlags_AlwaysClamp;
    int b = c.batch, d = c.features;
    if (ImGui::SliderInt(tr_id("batch B"), &b, 1, sim::kMaxBatch, "%d", clamp)) show_note(state, lab.set_batch(b));
    remember_item(state, "control.batch");
    spotlight(state, "control.batch");
    if (ImGui::SliderInt(c.layout == sim::Layout::Image ? tr_id("channels C##features") : tr_id("features d##features"), &d, 1,
                         sim::kMaxFeatures, "%d", clamp))
        show_note(state, lab.set_features(d));
    spotlight(state, "control.features");
    int l = c.length, h = c.height, w = c.width;
    if (c.layout == sim::Layout::Sequence &&
        ImGui::SliderInt(tr_id("tokens L"), &l, 1, sim::kMaxSpatial, "%d", clamp))
        show_note(state, lab.set_spatial(l, h, w));
    if (c.layout == sim::Layout::Sequence) spotlight(state, "control.length");
    if (c.layout == sim::Layout::Image) {
        if (ImGui::SliderInt(tr_id("height H"), &h, 1, sim::kMaxSpatial, "%d", clamp)) show_note(state, lab.set_spatial(l, h, w));
        spotlight(state, "control.height");
        if (ImGui::SliderInt(tr_id("width W"), &w, 1, sim::kMaxSpatial, "%d", clamp)) show_note(state, lab.set_spatial(l, h, w));
        spotlight(state, "control.width");
    }
    if (c.family == kernels::NormKind::Group) {
        // Only divisors of C are valid group counts: the slider walks through them.
        std::vector<int> divisors;
        for (int g = 1; g <= c.features; ++g)
            if (c.features % g == 0) divisors.push_back(g);
        int idx = static_cast<int>(std::find(divisors.begin(), divisors.end(), c.groups) - divisors.begin());
        char label[32];
        std::snprintf(label, sizeof label, "G = %d", c.groups);
        if (ImGui::SliderInt(tr_id("groups"), &idx, 0, static_cast<int>(divisors.size()) - 1, label, clamp))
            show_note(state, lab.set_groups(divisors[static_cast<std::size_t>(idx)]));
        spotlight(state, "control.groups");
        ImGui::SameLine();
        help_marker(tr("GroupNorm splits the C channels into G groups. G = 1 is LayerNorm over (C, H, W); "
                       "G = C is InstanceNorm. G must divide C."));
    }
    int preset = static_cast<int>(lab.config().preset);
    const char* names[sim::kPresetCount];
    for (int k = 0; k < sim::kPresetCount; ++k) names[k] = tr(sim::preset_name(static_cast<sim::DataPreset>(k)));
    if (ImGui::Combo(tr_id("data"), &preset, names, sim::kPresetCount))
        lab.set_preset(static_cast<sim::DataPreset>(preset));
    spotlight(state, "control.preset");
    ImGui::PopItemWidth();
    if (ImGui::Button(tr_id("New batch"))) lab.resample();
    spotlight(state, "control.new_batch");
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", tr("Draw new examples from the same distribution"));
    ImGui::SameLine();
    if (ImGui::Button(tr_id("New data"))) lab.reseed(lab.config().seed + 1);
    spotlight(state, "control.new_data");
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", tr("A new distribution: new per-channel offsets and scales"));
    ImGui::SameLine();
    ImGui::TextDisabled(tr("seed %llu · batch %llu"), static_cast<unsigned long long>(lab.config().seed),
                        static_cast<unsigned long long>(lab.batch_index()));

    if (ImGui::Button(tr_id("Paste a tensor…"))) {
        state.paste_error.clear();
        ImGui::OpenPopup(tr_id("Paste a tensor##paste"));
    }
    paste_popup(state, lab);

    // Perturb one example and watch who else moves: the coupling test in one click.
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 4.f);
    ImGui::InputInt("##example", &state.perturb_example, 0, 0);
    state.perturb_example = std::clamp(state.perturb_example, 0, lab.shape().batch() - 1);
    ImGui::SameLine();
    ImGui::BeginGroup();
    if (ImGui::Button("× 3")) show_note(state, lab.scale_example(state.perturb_example, 3.f));
    ImGui::SameLine();
    if (ImGui::Button("× 1/3") ) show_note(state, lab.scale_example(state.perturb_example, 1.f / 3.f));
    ImGui::SameLine();
    ImGui::TextDisabled("%s", tr("scale example"));
    ImGui::EndGroup();
    spotlight(state, "control.scale_example");
    ImGui::SameLine();
    help_marker(tr("Multiply every value of one example. With BatchNorm the normalized values of the "
                   "other examples change too (they share the batch statistics); with LayerNorm or "
                   "RMSNorm they do not."));

    ImGui::Spacing();
    ImGui::TextDisabled("%s", tr("SWEEP"));
    sim::Sweep& sweep = lab.sweep();
    if (ImGui::Button(sweep.playing ? tr_id("Pause##play") : tr_id("Play##play"), ImVec2(ImGui::GetFontSize() * 4.5f, 0)))
        sweep.playing = !sweep.playing;
    spotlight(state, "control.play");
    ImGui::SameLine();
    if (ImGui::ArrowButton("##prev", ImGuiDir_Left)) lab.step_group(-1);
    ImGui::SameLine();
    if (ImGui::ArrowButton("##next", ImGuiDir_Right)) lab.step_group(+1);
    spotlight(state, "control.step_group");
    ImGui::SameLine();
    ImGui::SetNextItemWidth(-1);
    ImGui::SliderFloat("##speed", &sweep.groups_per_second, 0.25f, 8.f, tr("%.2f groups/s"),
                       ImGuiSliderFlags_AlwaysClamp | ImGuiSliderFlags_Logarithmic);
    // The shortcuts and gestures, for people who do not know that ? opens them.
    if (ImGui::SmallButton(tr_id("Keys and touch (?)##help"))) state.help_open = true;

    ImGui::EndGroup();
    spotlight(state, "panel.controls");
    if (!state.note.empty() && state.clock < state.note_until) {
        ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1.f, 0.78f, 0.35f, 1.f));
        ImGui::PushTextWrapPos(0);
        ImGui::TextUnformatted(state.note.c_str());
        ImGui::PopTextWrapPos();
        ImGui::PopStyleColor();
    }
}

} // namespace normlab::ui
