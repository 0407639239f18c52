// ui/panel_weights.cpp: the weight-normalization panel. WeightNorm: a 2-D plot where the tips
// of v are grab handles (mouse or touch) and w = g v / ||v|| follows on the circle of radius
// |g|. SpectralNorm: power iteration step by step, the sigma estimate against the true sigma,
// and the unit circle's image under W and under W / sigma. DyT: the tanh curve with the row's
// inputs and outputs, LayerNorm's outputs beside it as the coupled contrast.
// Reads sim::WeightLab and changes it only through its mutators. No teaching prose here:
// one-line captions and help markers only.
// Index: [SECTION] drawing helpers, WeightNorm, SpectralNorm, DyT, panel.
#include "ui/panel_weights.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <string>
#include <vector>

#include "imgui.h"
#include "ui/i18n.h"
#include "ui/widgets.h"

namespace normlab::ui {

namespace {

// [SECTION] drawing helpers

constexpr ImU32 kOrange = IM_COL32(255, 170, 60, 255);   // "before": W's ellipse, LayerNorm
constexpr ImU32 kViolet = IM_COL32(200, 140, 255, 255);
constexpr ImU32 kYellow = IM_COL32(255, 230, 90, 255);   // "changed by the last edit"
constexpr ImU32 kRowColours[sim::kWeightRowsMax] = {kCyan, kOrange, kViolet};

ImU32 faded(ImU32 colour, int alpha) {
    return (colour & ~IM_COL32_A_MASK) | (static_cast<ImU32>(alpha) << IM_COL32_A_SHIFT);
}

double dbl(float v) { return static_cast<double>(v); }

// A screen rectangle showing the world box [x0, x1] x [y0, y1], y up.
struct Plot {
    ImVec2 min, max;
    float x0 = -1, x1 = 1, y0 = -1, y1 = 1;

    ImVec2 at(float x, float y) const {
        return ImVec2(min.x + (x - x0) / (x1 - x0) * (max.x - min.x),
                      max.y - (y - y0) / (y1 - y0) * (max.y - min.y));
    }
    ImVec2 at(sim::Vec2 p) const { return at(p.x, p.y); }
    sim::Vec2 world(ImVec2 p) const {
        return {x0 + (p.x - min.x) / (max.x - min.x) * (x1 - x0),
                y0 + (max.y - p.y) / (max.y - min.y) * (y1 - y0)};
    }
    float pixels_per_unit() const { return (max.x - min.x) / (x1 - x0); }
};

// Reserves a plot at the cursor and paints its background and zero axes. Grab handles may be
// placed before end_plot, which moves the cursor below the plot.
Plot begin_plot(float width, float height, float x0, float x1, float y0, float y1) {
    Plot p;
    p.min = ImGui::GetCursorScreenPos();
    p.max = ImVec2(p.min.x + width, p.min.y + height);
    p.x0 = x0;
    p.x1 = x1;
    p.y0 = y0;
    p.y1 = y1;
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->AddRectFilled(p.min, p.max, ImGui::GetColorU32(ImGuiCol_FrameBg), 4.f);
    const ImU32 axis = ImGui::GetColorU32(ImGuiCol_Border);
    if (x0 < 0 && x1 > 0) dl->AddLine(p.at(0, y0), p.at(0, y1), axis);
    if (y0 < 0 && y1 > 0) dl->AddLine(p.at(x0, 0), p.at(x1, 0), axis);
    return p;
}

void end_plot(const Plot& p) {
    ImGui::SetCursorScreenPos(p.min);
    ImGui::Dummy(ImVec2(p.max.x - p.min.x, p.max.y - p.min.y));
}

void dashed_line(ImDrawList* dl, ImVec2 a, ImVec2 b, ImU32 colour, float thickness, float dash = 6.f) {
    const float dx = b.x - a.x, dy = b.y - a.y, len = std::sqrt(dx * dx + dy * dy);
    if (len < 1.f) return;
    for (float t = 0; t < len; t += 2 * dash) {
        const float t1 = std::min(t + dash, len);
        dl->AddLine(ImVec2(a.x + dx * t / len, a.y + dy * t / len), ImVec2(a.x + dx * t1 / len, a.y + dy * t1 / len),
                    colour, thickness);
    }
}

void arrow(ImDrawList* dl, ImVec2 from, ImVec2 to, ImU32 colour, float thickness) {
    const float dx = to.x - from.x, dy = to.y - from.y, len = std::sqrt(dx * dx + dy * dy);
    if (len < 1.f) return;
    const float ux = dx / len, uy = dy / len;
    const float head = std::min(len * 0.45f, 5.f + 3.f * thickness);
    const ImVec2 base(to.x - ux * head, to.y - uy * head);
    dl->AddLine(from, base, colour, thickness);
    dl->AddTriangleFilled(to, ImVec2(base.x - uy * head * 0.5f, base.y + ux * head * 0.5f),
                          ImVec2(base.x + uy * head * 0.5f, base.y - ux * head * 0.5f), colour);
}

void polyline(ImDrawList* dl, const Plot& p, const std::vector<sim::Vec2>& points, ImU32 colour,
              float thickness, bool closed) {
    if (points.size() < 2) return;
    std::vector<ImVec2> screen;
    screen.reserve(points.size());
    for (sim::Vec2 q : points)
        screen.push_back(p.at(q));
    dl->AddPolyline(screen.data(), static_cast<int>(screen.size()), colour, closed ? ImDrawFlags_Closed : 0,
                    thickness);
}

// How far a touch may land from a handle and still grab it.
float hit_radius() { return std::max(ImGui::GetFontSize() * 1.5f, 22.f); }

enum class Grab { Idle, Hovered, Dragged };

// An invisible button of half-size `hit` around `centre`. While it is dragged, *pointer gets
// the pointer's screen position.
Grab grab_handle(const char* id, ImVec2 centre, float hit, ImVec2* pointer) {
    ImGui::SetCursorScreenPos(ImVec2(centre.x - hit, centre.y - hit));
    ImGui::InvisibleButton(id, ImVec2(2 * hit, 2 * hit));
    const bool active = ImGui::IsItemActive();
    if (active || ImGui::IsItemHovered()) ImGui::SetMouseCursor(ImGuiMouseCursor_Hand);
    if (!active) return ImGui::IsItemHovered() ? Grab::Hovered : Grab::Idle;
    if (!ImGui::IsMousePosValid()) return Grab::Hovered;
    *pointer = ImGui::GetIO().MousePos;
    return Grab::Dragged;
}

void draw_handle(ImDrawList* dl, ImVec2 centre, ImU32 colour, Grab grab) {
    const float r = ImGui::GetFontSize() * 0.32f;
    if (grab != Grab::Idle) dl->AddCircleFilled(centre, r * 2.2f, faded(colour, 60));
    dl->AddCircleFilled(centre, r, grab == Grab::Dragged ? colour : IM_COL32(235, 238, 245, 255));
    dl->AddCircle(centre, r, colour, 0, 2.f);
}

// A square plot side that fits the column (and the phone width).
float square_side(const UiState& state, float max_em) {
    const float avail = ImGui::GetContentRegionAvail().x;
    return state.narrow ? avail : std::min(avail, ImGui::GetFontSize() * max_em);
}

// [SECTION] WeightNorm

void weightnorm_section(UiState& state, sim::WeightLab& lab, const Fonts& fonts) {
    const sim::WeightNormDemo& wn = lab.weightnorm();
    int rows = wn.rows;
    ImGui::SetNextItemWidth(ImGui::GetFontSize() * 6.f);
    if (ImGui::SliderInt(tr_id("rows"), &rows, 1, sim::kWeightRowsMax, "%d", ImGuiSliderFlags_AlwaysClamp))
        show_note(state, lab.set_rows(rows));
    ImGui::SameLine();
    help_marker(tr("w = g · v / ||v||, row by row (PyTorch weight_norm, dim = 0). The length of v never "
                   "reaches w: only its direction does, and g alone sets ||w||."));
    ImGui::SameLine();
    if (ImGui::SmallButton(tr_id("reset##wn"))) lab.reset_weightnorm();

    for (int r = 0; r < wn.rows; ++r) {
        float g = wn.g[static_cast<std::size_t>(r)];
        char format[24];
        std::snprintf(format, sizeof format, wn.rows > 1 ? "g%d = %%.2f" : "g = %%.2f", r + 1);
        ImGui::PushID(r);
        ImGui::PushStyleColor(ImGuiCol_SliderGrab, ImGui::ColorConvertU32ToFloat4(kRowColours[r]));
        ImGui::SetNextItemWidth(-1);
        if (ImGui::SliderFloat("##g", &g, -sim::kWeightGMax, sim::kWeightGMax, format, ImGuiSliderFlags_AlwaysClamp))
            show_note(state, lab.set_g(r, g));
        ImGui::PopStyleColor();
        ImGui::PopID();
    }

    const float side = square_side(state, 20.f);
    const float range = sim::kWeightVRange * 1.1f;
    const Plot p = begin_plot(side, side, -range, range, -range, range);
    Grab grabs[sim::kWeightRowsMax] = {};
    const float hit = hit_radius();
    for (int r = 0; r < wn.rows; ++r) {
        ImGui::PushID(r);
        ImVec2 pointer;
        grabs[r] = grab_handle("v-tip", p.at(wn.v_at(r)), hit, &pointer);
        if (grabs[r] == Grab::Dragged) {
            const sim::Vec2 to = p.world(pointer);
            show_note(state, lab.drag_v(r, to.x, to.y));
        }
        ImGui::PopID();
    }
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->PushClipRect(p.min, p.max, true);
    const ImVec2 origin = p.at(0, 0);
    const ImU32 grid = faded(ImGui::GetColorU32(ImGuiCol_Border), 90);
    for (int k = 1; k <= static_cast<int>(range); ++k)
        dl->AddCircle(origin, k * p.pixels_per_unit(), grid, 64);
    for (int r = 0; r < wn.rows; ++r) {   // the circle ||w|| = |g|, then v, then w on top
        const float g = std::fabs(wn.g[static_cast<std::size_t>(r)]);
        if (g > 0) dl->AddCircle(origin, g * p.pixels_per_unit(), faded(kRowColours[r], 110), 96, 1.5f);
    }
    const ImU32 text = ImGui::GetColorU32(ImGuiCol_Text);
    for (int r = 0; r < wn.rows; ++r) {
        const ImVec2 v_tip = p.at(wn.v_at(r)), w_tip = p.at(wn.w_at(r));
        dashed_line(dl, origin, v_tip, faded(IM_COL32(235, 238, 245, 255), 170), 1.5f);
        arrow(dl, origin, w_tip, kRowColours[r], 3.f);
        char label[8];
        std::snprintf(label, sizeof label, wn.rows > 1 ? "w%d" : "w", r + 1);
        dl->AddText(ImVec2(w_tip.x + 6, w_tip.y - ImGui::GetFontSize() * 1.1f), kRowColours[r], label);
        std::snprintf(label, sizeof label, wn.rows > 1 ? "v%d" : "v", r + 1);
        dl->AddText(ImVec2(v_tip.x + 10, v_tip.y + 4), text, label);
        draw_handle(dl, v_tip, kRowColours[r], grabs[r]);
    }
    dl->PopClipRect();
    end_plot(p);

    ImGui::PushFont(fonts.heading);
    ImGui::Text("||w|| = %.3f  =  |g|", static_cast<double>(wn.w_norm(0)));
    ImGui::PopFont();
    ImGui::TextDisabled("%s", tr("drag v's tip: any length, same w"));
    if (!ImGui::BeginTable("##wn", 5, ImGuiTableFlags_BordersInnerH | ImGuiTableFlags_SizingStretchProp)) return;
    ImGui::TableSetupColumn("");
    ImGui::TableSetupColumn("v");
    ImGui::TableSetupColumn("||v||");
    ImGui::TableSetupColumn("w");
    ImGui::TableSetupColumn("||w||");
    ImGui::TableHeadersRow();
    for (int r = 0; r < wn.rows; ++r) {
        const sim::Vec2 v = wn.v_at(r), w = wn.w_at(r);
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(kRowColours[r]), "●");
        ImGui::TableNextColumn();
        ImGui::Text("(%.2f, %.2f)", dbl(v.x), dbl(v.y));
        ImGui::TableNextColumn();
        ImGui::Text("%.3f", dbl(wn.v_norm[static_cast<std::size_t>(r)]));
        ImGui::TableNextColumn();
        ImGui::Text("(%.2f, %.2f)", dbl(w.x), dbl(w.y));
        ImGui::TableNextColumn();
        ImGui::Text("%.3f", dbl(wn.w_norm(r)));
    }
    ImGui::EndTable();
}

// [SECTION] SpectralNorm

// Estimates after each iteration against the dashed true sigma.
void convergence_plot(const sim::SpectralDemo& sn, float width, float height) {
    const float sigma = static_cast<float>(sn.sigma);
    float lo = sigma, hi = sigma;
    for (float h : sn.history) {
        lo = std::min(lo, h);
        hi = std::max(hi, h);
    }
    if (sn.history.empty()) lo = sigma * 0.8f;
    const float span = std::max(hi - lo, std::max(sigma * 0.02f, 1e-3f));
    const int count = static_cast<int>(sn.history.size());
    const int x_max = std::max(10, count);
    const Plot p = begin_plot(width, height, 0.f, static_cast<float>(x_max) + 1.f, lo - 0.1f * span, hi + 0.25f * span);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->PushClipRect(p.min, p.max, true);
    const ImU32 text = ImGui::GetColorU32(ImGuiCol_TextDisabled);
    dashed_line(dl, p.at(p.x0, sigma), p.at(p.x1, sigma), kOrange, 1.5f);
    char label[48];
    std::snprintf(label, sizeof label, tr("true σ = %.4f"), dbl(sigma));
    const ImVec2 size = ImGui::CalcTextSize(label);
    dl->AddText(ImVec2(p.max.x - size.x - 6, p.at(0, sigma).y - size.y - 2), kOrange, label);
    std::vector<ImVec2> points;
    for (int k = 0; k < count; ++k)
        points.push_back(p.at(static_cast<float>(k + 1), sn.history[static_cast<std::size_t>(k)]));
    if (points.size() >= 2) dl->AddPolyline(points.data(), count, faded(kCyan, 160), 0, 1.5f);
    for (const ImVec2& q : points)
        dl->AddCircleFilled(q, 3.5f, kCyan);
    if (count) std::snprintf(label, sizeof label, tr("σ estimate, iterations 1…%d"), count);
    else std::snprintf(label, sizeof label, "%s", tr("press step"));
    dl->AddText(ImVec2(p.min.x + 6, p.max.y - ImGui::GetTextLineHeight() - 4), text, label);
    dl->PopClipRect();
    end_plot(p);
}

// The unit circle and its image under `matrix` (W or W / sigma estimate).
void ellipse_plot(const char* id, const sim::SpectralDemo& sn, bool after, float side) {
    const std::vector<sim::Vec2>& ellipse = after ? sn.ellipse_after : sn.ellipse_before;
    double reach = 1.0;
    for (sim::Vec2 q : ellipse)
        reach = std::max(reach, std::hypot(dbl(q.x), dbl(q.y)));
    const float range = static_cast<float>(reach) * 1.15f;
    ImGui::PushID(id);
    const Plot p = begin_plot(side, side, -range, range, -range, range);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->PushClipRect(p.min, p.max, true);
    const ImVec2 origin = p.at(0, 0);
    dl->AddCircle(origin, p.pixels_per_unit(), IM_COL32(200, 205, 215, 200), 96, 1.5f);
    const ImU32 colour = after ? kCyan : kOrange;
    if (!ellipse.empty()) {
        polyline(dl, p, ellipse, colour, 2.5f, true);
        const sim::Vec2 tip = ellipse.front();   // the major axis: the largest stretch
        dashed_line(dl, p.at(-tip.x, -tip.y), p.at(tip), faded(colour, 150), 1.f);
    }
    if (!after) {   // the iteration's v on the circle and where W sends it
        arrow(dl, origin, p.at(sn.v_iter), IM_COL32(235, 238, 245, 230), 2.f);
        arrow(dl, origin, p.at(sn.wv_iter), kOrange, 2.f);
    } else if (ellipse.empty()) {
        const char* hint = tr("no σ estimate yet");
        const ImVec2 size = ImGui::CalcTextSize(hint);
        dl->AddText(ImVec2(origin.x - size.x / 2, origin.y - size.y / 2), ImGui::GetColorU32(ImGuiCol_TextDisabled), hint);
    }
    dl->PopClipRect();
    end_plot(p);
    ImGui::PopID();
}

void matrix_sliders(UiState& state, sim::WeightLab& lab) {
    const sim::SpectralDemo& sn = lab.spectral();
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted("W =");
    ImGui::SameLine();
    const float cell = (ImGui::GetContentRegionAvail().x - ImGui::GetStyle().ItemSpacing.x) * 0.5f;
    ImGui::BeginGroup();
    for (int r = 0; r < 2; ++r)
        for (int c = 0; c < 2; ++c) {
            if (c) ImGui::SameLine();
            float value = sn.w[static_cast<std::size_t>(r * 2 + c)];
            ImGui::PushID(r * 2 + c);
            ImGui::SetNextItemWidth(cell);
            if (ImGui::SliderFloat("##w", &value, -sim::kSpectralEntryMax, sim::kSpectralEntryMax, "%.2f",
                                   ImGuiSliderFlags_AlwaysClamp))
                show_note(state, lab.set_entry(r, c, value));
            ImGui::PopID();
        }
    ImGui::EndGroup();
}

void spectral_section(UiState& state, sim::WeightLab& lab, const Fonts& fonts) {
    const sim::SpectralDemo& sn = lab.spectral();
    int matrix = static_cast<int>(sn.matrix);
    bool changed = ImGui::RadioButton("2×2", &matrix, 0);
    ImGui::SameLine();
    changed |= ImGui::RadioButton(tr_id("4×6 (seeded)"), &matrix, 1);
    if (changed) show_note(state, lab.set_matrix(static_cast<sim::SpectralMatrix>(matrix)));
    ImGui::SameLine();
    help_marker(tr("PyTorch's spectral_norm keeps u and v between steps: v = normalize(W^T u), "
                   "u = normalize(W v), σ ≈ u · W v. Each step turns v toward W's most stretched "
                   "direction by the factor (σ2/σ1)². Dividing by σ makes the largest stretch 1."));

    if (ImGui::Button(tr_id("step##power"))) show_note(state, lab.step_power_iteration(1));
    ImGui::SameLine();
    if (ImGui::Button(sn.running ? tr_id("pause##power") : tr_id("run##power"))) show_note(state, lab.set_running(!sn.running));
    ImGui::SameLine();
    if (ImGui::Button(tr_id("reset##sn"))) lab.reset_power_iteration();
    if (sn.matrix == sim::SpectralMatrix::Large) {
        ImGui::SameLine();
        if (ImGui::Button(tr_id("new seed"))) lab.reseed(lab.config().seed + 1);
    }
    // The speed slider shares the row when there is room for it (not on a phone).
    const float row_end = ImGui::GetCursorScreenPos().x + ImGui::GetContentRegionAvail().x;
    const float left = row_end - ImGui::GetItemRectMax().x - ImGui::GetStyle().ItemSpacing.x;
    if (left > ImGui::GetFontSize() * 8.f) ImGui::SameLine();
    float speed = lab.config().iterations_per_second;
    ImGui::SetNextItemWidth(-1);
    if (ImGui::SliderFloat("##speed", &speed, 0.5f, 10.f, tr("%.1f steps/s"), ImGuiSliderFlags_AlwaysClamp))
        show_note(state, lab.set_iterations_per_second(speed));

    ImGui::PushFont(fonts.heading);
    if (sn.has_estimate)
        ImGui::Text("σ ≈ %.5f  (true %.5f)", dbl(sn.sigma_estimate), sn.sigma);
    else
        ImGui::Text("σ ≈ –  (true %.5f)", sn.sigma);
    ImGui::PopFont();
    ImGui::TextDisabled(tr("iteration %d  ·  (σ2/σ1)² = %.3f%s"), sn.iterations, sn.rate(),
                        sn.converged() ? tr("  ·  converged") : "");
    if (!sn.error.empty()) {
        ImGui::PushTextWrapPos(0);
        ImGui::TextColored(ImVec4(1, 0.7f, 0.3f, 1), "%s", sn.error.c_str());
        ImGui::PopTextWrapPos();
    }
    convergence_plot(sn, ImGui::GetContentRegionAvail().x, ImGui::GetFontSize() * 6.5f);

    if (sn.matrix == sim::SpectralMatrix::Large) {
        std::string values = tr("singular values:");
        for (double s : sn.singular_values) {
            char buf[16];
            std::snprintf(buf, sizeof buf, " %.3f", s);
            values += buf;
        }
        ImGui::TextDisabled("%s", values.c_str());
        return;
    }
    const float spacing = ImGui::GetStyle().ItemSpacing.x;
    const float side = state.narrow ? ImGui::GetContentRegionAvail().x
                                    : std::min((ImGui::GetContentRegionAvail().x - spacing) * 0.5f,
                                               ImGui::GetFontSize() * 16.f);
    ImGui::BeginGroup();
    ImGui::TextDisabled("%s", tr("before: W"));
    ellipse_plot("before", sn, false, side);
    ImGui::EndGroup();
    if (!state.narrow) ImGui::SameLine();
    ImGui::BeginGroup();
    if (sn.has_estimate)
        ImGui::TextDisabled(tr("after: W / σ  (stretch %.3f)"), sn.sigma / dbl(sn.sigma_estimate));
    else
        ImGui::TextDisabled("%s", tr("after: W / σ"));
    ellipse_plot("after", sn, true, side);
    ImGui::EndGroup();
    ImGui::TextDisabled("%s", tr("grey: unit circle · white: v · orange: W v"));
    matrix_sliders(state, lab);
}

// [SECTION] DyT

void dyt_sliders(UiState& state, sim::WeightLab& lab) {
    const sim::DytDemo& dy = lab.dyt();
    float alpha = dy.alpha, gamma = dy.gamma, beta = dy.beta;
    const float spacing = ImGui::GetStyle().ItemSpacing.x;
    const float reset_w = ImGui::CalcTextSize(tr("reset")).x + ImGui::GetStyle().FramePadding.x * 2;
    const float w = (ImGui::GetContentRegionAvail().x - 3 * spacing - reset_w) / 3.f;
    ImGui::SetNextItemWidth(w);
    if (ImGui::SliderFloat("##alpha", &alpha, sim::kDytAlphaMin, sim::kDytAlphaMax, "α %.2f",
                           ImGuiSliderFlags_AlwaysClamp | ImGuiSliderFlags_Logarithmic))
        show_note(state, lab.set_alpha(alpha));
    ImGui::SameLine();
    ImGui::SetNextItemWidth(w);
    bool changed = ImGui::SliderFloat("##gamma", &gamma, -sim::kDytAffineMax, sim::kDytAffineMax, "γ %.2f",
                                      ImGuiSliderFlags_AlwaysClamp);
    ImGui::SameLine();
    ImGui::SetNextItemWidth(w);
    changed |= ImGui::SliderFloat("##beta", &beta, -sim::kDytAffineMax, sim::kDytAffineMax, "β %.2f",
                                  ImGuiSliderFlags_AlwaysClamp);
    if (changed) show_note(state, lab.set_dyt_affine(gamma, beta));
    ImGui::SameLine();
    if (ImGui::SmallButton(tr_id("reset##dyt"))) lab.reset_dyt();
}

void dyt_plot(UiState& state, sim::WeightLab& lab, float width, float height) {
    const sim::DytDemo& dy = lab.dyt();
    float lo = 0, hi = 0;
    for (const std::vector<float>* values : {&dy.curve_y, &dy.y, &dy.layer_norm})
        for (float v : *values) {
            lo = std::min(lo, v);
            hi = std::max(hi, v);
        }
    const float pad = std::max(hi - lo, 1.f) * 0.12f;
    const float x_range = sim::kDytXMax * 1.04f;
    const Plot p = begin_plot(width, height, -x_range, x_range, lo - pad, hi + pad);
    const std::size_t n = dy.x.size();
    std::vector<Grab> grabs(n, Grab::Idle);
    const float hit = std::max(ImGui::GetFontSize() * 0.9f, 14.f);
    for (std::size_t i = 0; i < n; ++i) {
        ImGui::PushID(static_cast<int>(i));
        ImVec2 pointer;
        grabs[i] = grab_handle("x", p.at(dy.x[i], 0), hit, &pointer);
        if (grabs[i] == Grab::Dragged) show_note(state, lab.set_dyt_x(static_cast<int>(i), p.world(pointer).x));
        ImGui::PopID();
    }
    ImDrawList* dl = ImGui::GetWindowDrawList();
    dl->PushClipRect(p.min, p.max, true);
    std::vector<ImVec2> curve;
    for (std::size_t k = 0; k < dy.curve_x.size() && k < dy.curve_y.size(); ++k)
        curve.push_back(p.at(dy.curve_x[k], dy.curve_y[k]));
    if (curve.size() >= 2) dl->AddPolyline(curve.data(), static_cast<int>(curve.size()), kCyan, 0, 2.5f);
    // LayerNorm's outputs are an affine map of the row: they sit on one line through the row.
    std::vector<std::size_t> order(n);
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return dy.x[a] < dy.x[b]; });
    if (n >= 2 && dy.layer_norm.size() == n)
        dashed_line(dl, p.at(dy.x[order.front()], dy.layer_norm[order.front()]),
                    p.at(dy.x[order.back()], dy.layer_norm[order.back()]), faded(kOrange, 140), 1.f);
    const bool edited = dy.last_edited >= 0;
    const float r = ImGui::GetFontSize() * 0.28f;
    for (std::size_t i = 0; i < n && dy.y.size() == n && dy.layer_norm.size() == n; ++i) {
        const ImVec2 in = p.at(dy.x[i], 0), out = p.at(dy.x[i], dy.y[i]), ln = p.at(dy.x[i], dy.layer_norm[i]);
        dl->AddLine(in, out, IM_COL32(200, 205, 215, 90), 1.f);
        dl->AddCircle(ln, r * 1.2f, kOrange, 16, 2.f);
        dl->AddCircleFilled(out, r, kCyan);
        if (edited && dy.changed_layer[i]) dl->AddCircle(ln, r * 2.f, kYellow, 16, 1.5f);
        if (edited && dy.changed_dyt[i]) dl->AddCircle(out, r * 2.f, kYellow, 16, 1.5f);
        draw_handle(dl, in, IM_COL32(200, 205, 215, 255), grabs[i]);
    }
    dl->PopClipRect();
    end_plot(p);
}

void dyt_section(UiState& state, sim::WeightLab& lab, const Fonts& fonts) {
    const sim::DytDemo& dy = lab.dyt();
    ImGui::PushFont(fonts.heading);
    ImGui::TextUnformatted("y = γ · tanh(α x) + β");
    ImGui::PopFont();
    ImGui::SameLine();
    help_marker(tr("DyT (Dynamic Tanh) drops the statistics: each value goes through the same S-curve "
                   "alone. LayerNorm (orange rings) subtracts the row's mean and divides by its std, "
                   "so moving one x moves every output of the row."));
    dyt_sliders(state, lab);
    const float width = ImGui::GetContentRegionAvail().x;
    dyt_plot(state, lab, width, std::min(width * 0.62f, ImGui::GetFontSize() * 15.f));
    const ImVec4 cyan = ImGui::ColorConvertU32ToFloat4(kCyan), orange = ImGui::ColorConvertU32ToFloat4(kOrange);
    ImGui::TextDisabled("%s", tr("● x: drag"));
    ImGui::SameLine();
    ImGui::TextColored(cyan, "● DyT");
    ImGui::SameLine();
    ImGui::TextColored(orange, "● LayerNorm");
    ImGui::SameLine();
    ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(kYellow), "%s", tr("● changed"));
    if (dy.last_edited >= 0)
        ImGui::Text(tr("moved x[%d]: DyT changed %d output%s, LayerNorm %d of %d"), dy.last_edited,
                    sim::count_changed(dy.changed_dyt), sim::count_changed(dy.changed_dyt) == 1 ? "" : "s",
                    sim::count_changed(dy.changed_layer), static_cast<int>(dy.x.size()));
    else
        ImGui::TextDisabled("%s", tr("each output depends only on its own input: nothing coupled"));
    if (!dy.error.empty()) ImGui::TextColored(ImVec4(1, 0.7f, 0.3f, 1), "%s", dy.error.c_str());
}

// [SECTION] panel

void section_buttons(UiState& state, sim::WeightLab& lab) {
    const float spacing = ImGui::GetStyle().ItemSpacing.x;
    const float bw = (ImGui::GetContentRegionAvail().x - 2 * spacing) / 3.f;
    for (int k = 0; k < sim::kWeightSectionCount; ++k) {
        const auto section = static_cast<sim::WeightSection>(k);
        const bool active = lab.config().section == section;
        if (k) ImGui::SameLine();
        if (active) ImGui::PushStyleColor(ImGuiCol_Button, ImGui::GetStyleColorVec4(ImGuiCol_HeaderActive));
        if (ImGui::Button(sim::weight_section_name(section), ImVec2(bw, 0)))
            show_note(state, lab.set_section(section));
        if (active) ImGui::PopStyleColor();
    }
}

} // namespace

void panel_weights(UiState& state, sim::WeightLab& lab, const Fonts& fonts) {
    lab.step(ImGui::GetIO().DeltaTime);
    ImGui::PushID("weights");
    ImGui::TextDisabled("%s", tr("WEIGHT NORMALIZATIONS"));
    section_buttons(state, lab);
    switch (lab.config().section) {
    case sim::WeightSection::WeightNorm: weightnorm_section(state, lab, fonts); break;
    case sim::WeightSection::SpectralNorm: spectral_section(state, lab, fonts); break;
    case sim::WeightSection::DyT: dyt_section(state, lab, fonts); break;
    }
    ImGui::PopID();
}

} // namespace normlab::ui
