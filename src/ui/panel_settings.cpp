// ui/panel_settings.cpp: the numerical settings and BatchNorm's module state: eps (log scale)
// and where it sits, storage precision and accumulation, affine γ/β per channel, and train
// versus eval with running statistics trained batch by batch.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "imgui.h"
#include "ui/panels.h"
#include "ui/i18n.h"
#include "ui/widgets.h"

namespace normlab::ui {

namespace {

void eps_controls(UiState& state, sim::Lab& lab) {
    const sim::LabConfig& c = lab.config();
    float log_eps = c.eps > 0 ? std::log10(c.eps) : -12.f;
    char label[32];
    std::snprintf(label, sizeof label, "ε = %.0e", static_cast<double>(c.eps));
    if (ImGui::SliderFloat("##eps", &log_eps, -12.f, 0.f, label, ImGuiSliderFlags_AlwaysClamp))
        show_note(state, lab.set_eps(std::pow(10.f, std::round(log_eps * 2.f) / 2.f)));
    spotlight(state, "control.eps");
    ImGui::SameLine();
    help_marker(tr("ε keeps the division finite when a group has (almost) no spread: √(σ² + ε) never "
                   "drops below √ε. Typical values: 1e-5 (LayerNorm, BatchNorm), 1e-6 (RMSNorm)."));
    int placement = static_cast<int>(c.eps_placement);
    bool changed = ImGui::RadioButton("√(σ² + ε)", &placement, 0);
    ImGui::SameLine();
    changed |= ImGui::RadioButton(tr_id("√σ² + ε  (bug)"), &placement, 1);
    if (changed) show_note(state, lab.set_eps_placement(static_cast<kernels::EpsPlacement>(placement)));
    spotlight(state, "control.eps_placement");
    ImGui::SameLine();
    help_marker(tr("The classic bug: 1 / (sqrt(var) + eps). It passes tests on ordinary data, but on a "
                   "near-constant group the divisor falls to ε itself and the output explodes. Try the "
                   "'Near-constant feature' data with ε = 1e-8."));
}

void precision_controls(UiState& state, sim::Lab& lab) {
    const sim::LabConfig& c = lab.config();
    const char* storages[] = {"fp32", "fp16", "bf16"};
    const char* accs[] = {tr("fp32 accumulate"), tr("accumulate in storage")};
    int storage = static_cast<int>(c.storage), acc = static_cast<int>(c.accumulate);
    const float w = ImGui::GetContentRegionAvail().x;
    ImGui::SetNextItemWidth(w * 0.35f);
    bool changed = ImGui::Combo("##storage", &storage, storages, 3);
    spotlight(state, "control.storage");
    ImGui::SameLine();
    ImGui::SetNextItemWidth(w * 0.65f - ImGui::GetStyle().ItemSpacing.x - ImGui::GetFontSize() * 1.6f);
    changed |= ImGui::Combo("##acc", &acc, accs, 2);
    spotlight(state, "control.accumulate");
    if (changed)
        show_note(state, lab.set_precision(static_cast<kernels::Precision>(storage),
                                           static_cast<kernels::Accumulate>(acc)));
    ImGui::SameLine();
    help_marker(tr("Storage: x, γ, β and y are rounded to fp16 (max 65504, ~3 decimal digits) or "
                   "bf16 (fp32's range, ~2 digits). Accumulating sums in the storage format too shows "
                   "what goes wrong: a row of values around 300 overflows fp16's sum of squares, and "
                   "large offsets cancel. Real kernels accumulate in fp32."));
    if (c.storage != kernels::Precision::Fp32 || c.accumulate != kernels::Accumulate::Fp32)
        ImGui::TextDisabled("%s", tr("teaching variant: computed by the reference kernel"));
}

void affine_controls(UiState& state, sim::Lab& lab) {
    const int channels = lab.shape().channels();
    state.affine_channel = std::clamp(state.affine_channel, 0, channels - 1);
    const auto ch = static_cast<std::size_t>(state.affine_channel);
    float gamma = lab.gamma()[ch], beta = lab.beta()[ch];
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 5.f);
    ImGui::SliderInt("##affch", &state.affine_channel, 0, channels - 1, tr("ch %d"), ImGuiSliderFlags_AlwaysClamp);
    ImGui::SameLine();
    const float w = (ImGui::GetContentRegionAvail().x - ImGui::GetFontSize() * 3.5f) * 0.5f;
    ImGui::SetNextItemWidth(w);
    bool changed = ImGui::SliderFloat("##gamma", &gamma, -3.f, 3.f, "γ %.2f");
    ImGui::SameLine();
    ImGui::SetNextItemWidth(w);
    changed |= ImGui::SliderFloat("##beta", &beta, -3.f, 3.f, "β %.2f");
    if (changed) show_note(state, lab.set_affine(state.affine_channel, gamma, beta));
    ImGui::SameLine();
    if (ImGui::SmallButton(tr_id("reset##affine"))) lab.reset_affine();
    spotlight(state, "control.affine");
}

void batchnorm_controls(UiState& state, sim::Lab& lab) {
    const sim::LabConfig& c = lab.config();
    int mode = static_cast<int>(c.mode);
    bool changed = ImGui::RadioButton(tr_id("train (batch stats)"), &mode, 0);
    ImGui::SameLine();
    changed |= ImGui::RadioButton(tr_id("eval (running)"), &mode, 1);
    if (changed) show_note(state, lab.set_mode(static_cast<kernels::NormMode>(mode)));
    spotlight(state, "control.mode");
    if (c.family != kernels::NormKind::Batch) {
        ImGui::TextDisabled("%s", tr("only BatchNorm behaves differently in eval"));
        return;
    }
    float momentum = c.momentum;
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 7.f);
    if (ImGui::SliderFloat(tr_id("momentum"), &momentum, 0.f, 1.f, "%.2f", ImGuiSliderFlags_AlwaysClamp))
        show_note(state, lab.set_momentum(momentum));
    spotlight(state, "control.momentum");
    ImGui::SameLine();
    help_marker(tr("After each training batch: running = (1 − momentum) · running + momentum · batch "
                   "statistic (the variance unbiased, n/(n−1), as PyTorch does). Eval mode uses the "
                   "running values instead of the batch's own."));
    ImGui::BeginGroup();
    ImGui::TextUnformatted(tr("train"));
    for (int n : {1, 10, 100}) {
        ImGui::SameLine();
        char label[16];
        std::snprintf(label, sizeof label, "%d", n);
        if (ImGui::Button(label)) show_note(state, lab.train_batches(n));
    }
    ImGui::SameLine();
    ImGui::TextUnformatted(tr("batches"));
    ImGui::EndGroup();
    spotlight(state, "control.train");
    ImGui::SameLine();
    if (ImGui::SmallButton(tr_id("reset##running"))) {
        lab.reset_running();
        lab.set_mode(c.mode);
    }
    spotlight(state, "control.reset_running");
    const std::size_t channel = lab.sweep().group % static_cast<std::size_t>(lab.shape().channels());
    const kernels::RunningStats& r = lab.running();
    const float rm = r.mean.empty() ? 0.f : r.mean[channel], rv = r.var.empty() ? 1.f : r.var[channel];
    ImGui::BeginGroup();
    ImGui::TextDisabled(tr("%d batches trained · channel %zu running μ %.3f, σ² %.3f"), lab.batches_trained(),
                        channel, static_cast<double>(rm), static_cast<double>(rv));
    ImGui::TextDisabled(tr("this batch: μ %.3f, σ² %.3f"), static_cast<double>(lab.trace().mean[channel]),
                        static_cast<double>(lab.trace().var[channel]));
    const float gap = lab.train_eval_gap();
    ImGui::PushTextWrapPos(0);
    ImGui::TextColored(gap > 0.5f ? ImVec4(1, 0.7f, 0.3f, 1) : ImVec4(0.6f, 0.9f, 0.7f, 1),
                       tr("train/eval gap on this batch: max |y_train − y_eval| = %.3f"), static_cast<double>(gap));
    ImGui::PopTextWrapPos();
    ImGui::EndGroup();
    spotlight(state, "stats.running");
}

} // namespace

void panel_settings(UiState& state, sim::Lab& lab) {
    ImGui::BeginGroup();
    ImGui::TextDisabled("%s", tr("EPSILON"));
    eps_controls(state, lab);
    ImGui::TextDisabled("%s", tr("PRECISION"));
    precision_controls(state, lab);
    ImGui::TextDisabled("%s", tr("AFFINE γ, β (per channel)"));
    affine_controls(state, lab);
    ImGui::TextDisabled("%s", tr("TRAIN / EVAL"));
    batchnorm_controls(state, lab);
    ImGui::EndGroup();
    spotlight(state, "panel.settings");
}

} // namespace normlab::ui
