// ui/plot.cpp: see plot.h. Decimates long series to about one point per pixel column so a
// 5000-step curve costs the same as a 500-step one.
#include "ui/plot.h"

#include <algorithm>
#include <vector>

#include "ui/i18n.h"
#include "viz/plot_scale.h"

namespace normlab::ui {

namespace {

constexpr ImU32 kAxis = IM_COL32(150, 160, 175, 255);
constexpr ImU32 kGrid = IM_COL32(120, 130, 145, 50);
constexpr ImU32 kRed = IM_COL32(255, 80, 80, 255);

float x_of(const PlotSeries& s, std::size_t i) {
    return s.x.empty() ? s.x0 + static_cast<float>(i) * s.x_step : static_cast<float>(s.x[i]);
}

void dashed_line(ImDrawList* dl, ImVec2 a, ImVec2 b, ImU32 c, float thickness, float& phase) {
    const float dx = b.x - a.x, dy = b.y - a.y;
    const float len = std::sqrt(dx * dx + dy * dy);
    if (len <= 0) return;
    constexpr float kOn = 6, kPeriod = 10;
    float t = 0;
    while (t < len) {
        const float p = std::fmod(phase + t, kPeriod);
        const float seg = p < kOn ? std::min(kOn - p, len - t) : std::min(kPeriod - p, len - t);
        if (p < kOn)
            dl->AddLine(ImVec2(a.x + dx * t / len, a.y + dy * t / len),
                        ImVec2(a.x + dx * (t + seg) / len, a.y + dy * (t + seg) / len), c, thickness);
        t += seg;
    }
    phase = std::fmod(phase + len, kPeriod);
}

} // namespace

void plot_lines(const PlotStyle& st, std::span<const PlotSeries> series) {
    ImGui::PushID(st.id);
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const float font = ImGui::GetFontSize();
    const float thick = std::max(1.5f, font / 9.f);

    // [ranges] x from the series' x values, y from their finite (log: positive) values.
    viz::PlotRange xr, yr;
    for (const PlotSeries& s : series) {
        if (s.y.empty()) continue;
        const float xa = x_of(s, 0), xb = x_of(s, s.y.size() - 1);
        const float xs[2] = {xa, xb};
        xr = viz::data_range(xs, false, xr);
        yr = viz::data_range(s.y, st.log_y, yr);
    }
    if (!std::isnan(st.x_min)) xr = {st.x_min, std::isnan(st.x_max) ? xr.hi : st.x_max, false};
    if (!std::isnan(st.y_min) && !std::isnan(st.y_max)) yr = {st.y_min, st.y_max, false};
    else yr = viz::nice_range(yr, st.log_y, 5);
    if (xr.empty || !(xr.hi > xr.lo)) xr = viz::nice_range(xr, false, 6);
    const std::vector<double> yt =
        st.log_y ? viz::log_ticks(yr.lo, yr.hi, 5) : viz::linear_ticks(yr.lo, yr.hi, 5);
    const double ystep = yt.size() >= 2 ? yt[1] - yt[0] : 1;
    const std::vector<double> xt = viz::linear_ticks(xr.lo, xr.hi, std::max(2, static_cast<int>(st.width / (font * 5))));
    const double xstep = xt.size() >= 2 ? xt[1] - xt[0] : 1;

    // [frame] left margin fits the widest y label.
    float label_w = 0;
    for (double v : yt)
        label_w = std::max(label_w, ImGui::CalcTextSize(viz::tick_label(v, st.log_y ? v : ystep).c_str()).x);
    const ImVec2 origin = ImGui::GetCursorScreenPos();
    const bool has_y_label = st.y_label && *st.y_label;
    const float top = has_y_label ? font * 1.3f : font * 0.5f;
    const ImVec2 p0(origin.x + label_w + font * 0.6f, origin.y + top);
    const ImVec2 p1(origin.x + st.width - font * 0.8f, origin.y + st.height - font * 2.4f);
    ImGui::InvisibleButton("##area", ImVec2(st.width, st.height));
    const bool hovered = ImGui::IsItemHovered();
    if (p1.x - p0.x < 20 || p1.y - p0.y < 20) {
        ImGui::PopID();
        return;
    }
    const auto sx = [&](double x) {
        return p0.x + static_cast<float>(viz::to_unit(x, xr, false)) * (p1.x - p0.x);
    };
    const auto sy = [&](double y) {
        return p1.y - static_cast<float>(viz::to_unit(y, yr, st.log_y)) * (p1.y - p0.y);
    };
    dl->AddRectFilled(p0, p1, IM_COL32(20, 24, 30, 255));
    for (double v : yt) {
        const float y = sy(v);
        dl->AddLine(ImVec2(p0.x, y), ImVec2(p1.x, y), kGrid);
        const std::string t = viz::tick_label(v, st.log_y ? v : ystep);
        const ImVec2 ts = ImGui::CalcTextSize(t.c_str());
        dl->AddText(ImVec2(p0.x - ts.x - font * 0.3f, y - ts.y * 0.5f), kAxis, t.c_str());
    }
    for (double v : xt) {
        const float x = sx(v);
        dl->AddLine(ImVec2(x, p0.y), ImVec2(x, p1.y), kGrid);
        const std::string t = viz::tick_label(v, xstep);
        const ImVec2 ts = ImGui::CalcTextSize(t.c_str());
        dl->AddText(ImVec2(std::clamp(x - ts.x * 0.5f, p0.x - ts.x * 0.5f, p1.x - ts.x * 0.5f), p1.y + 2),
                    kAxis, t.c_str());
    }
    dl->AddRect(p0, p1, kAxis);
    if (st.x_label && *st.x_label) {
        const ImVec2 ts = ImGui::CalcTextSize(st.x_label);
        dl->AddText(ImVec2((p0.x + p1.x - ts.x) * 0.5f, p1.y + font * 1.15f), kAxis, st.x_label);
    }
    if (has_y_label) dl->AddText(ImVec2(origin.x, origin.y), kAxis, st.y_label);

    // [series] each finite run as a polyline; a cross where a run diverged.
    dl->PushClipRect(ImVec2(p0.x - 4, p0.y - 4), ImVec2(p1.x + 4, p1.y + 4), true);
    std::vector<ImVec2> pts;
    for (const PlotSeries& s : series) {
        const std::size_t n = s.y.size();
        if (n == 0) continue;
        const std::size_t stride = std::max<std::size_t>(1, n / static_cast<std::size_t>(std::max(50.f, p1.x - p0.x)));
        for (const auto& [b, e] : viz::finite_runs(s.y, st.log_y)) {
            pts.clear();
            for (std::size_t i = b; i < e; i += stride)
                pts.emplace_back(sx(x_of(s, i)), sy(s.y[i]));
            if ((e - 1 - b) % stride != 0) pts.emplace_back(sx(x_of(s, e - 1)), sy(s.y[e - 1]));
            if (s.dashed) {
                float phase = 0;
                for (std::size_t k = 1; k < pts.size(); ++k)
                    dashed_line(dl, pts[k - 1], pts[k], s.colour, thick, phase);
            } else if (pts.size() >= 2) {
                dl->AddPolyline(pts.data(), static_cast<int>(pts.size()), s.colour, 0, thick);
            }
            if (s.markers || pts.size() == 1)
                for (const ImVec2& p : pts)
                    dl->AddCircleFilled(p, thick * 1.6f, s.colour);
        }
        if (s.diverged_at >= 0) {
            // The last finite value before the divergence, clamped into the frame.
            std::size_t last = viz::first_nonfinite(s.y);
            float yv = last > 0 ? s.y[last - 1] : NAN;
            float ypix = std::isfinite(yv) ? std::clamp(sy(yv), p0.y, p1.y) : p0.y;
            if (std::isnan(ypix)) ypix = p0.y;
            const float xpix = std::clamp(sx(s.diverged_at), p0.x, p1.x);
            const float r = font * 0.35f;
            dl->AddLine(ImVec2(xpix - r, ypix - r), ImVec2(xpix + r, ypix + r), kRed, thick * 1.3f);
            dl->AddLine(ImVec2(xpix - r, ypix + r), ImVec2(xpix + r, ypix - r), kRed, thick * 1.3f);
        }
    }
    dl->PopClipRect();

    // [hover] a vertical line and every series' value at the nearest x.
    if (hovered) {
        const float mx = ImGui::GetIO().MousePos.x;
        const double xv = xr.lo + (mx - p0.x) / (p1.x - p0.x) * (xr.hi - xr.lo);
        dl->AddLine(ImVec2(mx, p0.y), ImVec2(mx, p1.y), IM_COL32(255, 255, 255, 90));
        ImGui::BeginTooltip();
        bool first = true;
        for (const PlotSeries& s : series) {
            if (s.y.empty()) continue;
            std::size_t i = 0;
            if (s.x.empty()) {
                const double k = std::round((xv - s.x0) / (s.x_step != 0 ? s.x_step : 1));
                i = static_cast<std::size_t>(std::clamp(k, 0.0, static_cast<double>(s.y.size() - 1)));
            } else {
                std::vector<double> xs(s.x.begin(), s.x.end());
                i = viz::nearest_index(xs, xv);
            }
            if (first) {
                ImGui::Text("%s %s", st.x_label ? st.x_label : "x", viz::tick_label(x_of(s, i), 1).c_str());
                first = false;
            }
            ImGui::ColorButton("##c", ImGui::ColorConvertU32ToFloat4(s.colour),
                               ImGuiColorEditFlags_NoTooltip, ImVec2(font * 0.7f, font * 0.7f));
            ImGui::SameLine();
            const float v = s.y[i];
            if (std::isfinite(v)) ImGui::Text("%s: %.4g", s.label.c_str(), static_cast<double>(v));
            else ImGui::Text("%s: %s", s.label.c_str(), tr("not finite"));
        }
        ImGui::EndTooltip();
    }

    // [legend] wrapped swatches below the plot.
    if (st.legend) {
        const float right = ImGui::GetCursorScreenPos().x + st.width;
        bool first = true;
        for (const PlotSeries& s : series) {
            const float w = font * 1.4f + ImGui::CalcTextSize(s.label.c_str()).x + font;
            if (!first) {
                ImGui::SameLine();
                if (ImGui::GetCursorScreenPos().x + w > right) ImGui::NewLine();
            }
            first = false;
            const ImVec2 c = ImGui::GetCursorScreenPos();
            const float mid = c.y + ImGui::GetTextLineHeight() * 0.5f;
            if (s.dashed) {
                float phase = 0;
                dashed_line(dl, ImVec2(c.x, mid), ImVec2(c.x + font * 1.1f, mid), s.colour, thick, phase);
            } else {
                dl->AddLine(ImVec2(c.x, mid), ImVec2(c.x + font * 1.1f, mid), s.colour, thick * 1.5f);
            }
            ImGui::Dummy(ImVec2(font * 1.3f, ImGui::GetTextLineHeight()));
            ImGui::SameLine(0, 2);
            if (s.diverged_at >= 0) ImGui::TextColored(ImVec4(1, 0.45f, 0.45f, 1), "%s ×", s.label.c_str());
            else ImGui::TextUnformatted(s.label.c_str());
        }
    }
    ImGui::PopID();
}

} // namespace normlab::ui
