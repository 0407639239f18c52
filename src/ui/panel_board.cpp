// ui/panel_board.cpp: raw and normalized heatmaps with the normalized-together group
// outlined. Each heatmap is a texture (one texel per cell) rebuilt only when the data or the
// highlighted group change, so a 64 x 64 x 16 x 16 tensor draws as cheaply as an 8 x 12 one.
// Hover shows a cell's numbers plugged into the formula; a click focuses its group.
#include <algorithm>
#include <cmath>
#include <functional>
#include <string>

#include "imgui.h"
#include "sim/families.h"
#include "ui/panels.h"
#include "ui/shortcuts.h"
#include "ui/i18n.h"
#include "ui/widgets.h"
#include "viz/tween.h"

namespace normlab::ui {

namespace {

void cell_tooltip(const sim::Lab& lab, std::size_t i) {
    const std::size_t g = kernels::group_of(lab.plan(), i);
    const kernels::NormTrace& t = lab.trace();
    const kernels::NormKind kind = lab.config().family;
    ImGui::BeginTooltip();
    ImGui::TextUnformatted(sim::describe_cell(lab.shape(), i, describe_words()).c_str());
    ImGui::TextDisabled(tr("group: %s"), sim::describe_group(kind, lab.shape(), lab.plan(), g, describe_words()).c_str());
    ImGui::Separator();
    const double x = lab.x()[i], y = lab.y()[i];
    const double eps = lab.config().eps;
    if (g < t.inv_std.size()) {
        if (kind == kernels::NormKind::Rms) {
            const double ms = static_cast<double>(t.rms[g]) * t.rms[g];
            ImGui::TextUnformatted("y = x / √(mean(x²) + ε)");
            ImGui::Text("  = %.4g / √(%.4g + %.0e) = %.4g", x, ms, eps, y);
        } else {
            ImGui::TextUnformatted("y = (x − μ) / √(σ² + ε)");
            ImGui::Text("  = (%.4g − %.4g) / √(%.4g + %.0e) = %.4g", x, static_cast<double>(t.mean[g]),
                        static_cast<double>(t.var[g]), eps, y);
        }
    }
    ImGui::TextDisabled("%s", tr("click: focus this group · drag a raw cell up/down: change x"));
    ImGui::EndTooltip();
}

// Which walkthrough step the board's data belongs to (0 outside a walkthrough): a change of
// data that comes with a change of step is animated, an edit within a step is not.
std::uint64_t tour_key(const UiState& state) {
    const scenario::Tour& tour = state.guide.tour;
    if (!tour.active()) return 0;
    return std::hash<std::string>{}(tour.scenario().id) * 1315423911u + tour.step_index() + 1;
}

// Rebuilds the texture and outline of one heatmap if its inputs changed. When the data changed
// because the walkthrough moved to another step, the heatmap tweens from the old values to the
// new ones over viz::kTweenSeconds (or fades in when the shape changed or the tensor is large).
void refresh(HeatmapCache& cache, int slot, const UiState& state, const sim::Lab& lab,
             const std::vector<float>& values, const kernels::GroupPlan& plan, std::size_t group,
             bool dim, int slab_cols) {
    const bool data_changed = cache.revision != lab.revision() || cache.slab_cols != slab_cols;
    const std::uint64_t key = tour_key(state);
    if (data_changed && cache.revision != ~0ull && key != cache.tour_key && key != 0 &&
        !state.reduce_motion) {
        const bool blend = cache.shown.size() == values.size() && values.size() <= viz::kTweenMaxCells;
        cache.from = blend ? cache.shown : std::vector<float>{};
        cache.from_range = cache.range;
        cache.tween_start = state.clock;
    }
    cache.tour_key = key;
    const float t = cache.tween_start < 0 ? 1.f : viz::tween_progress(state.clock, cache.tween_start);
    const bool tweening = cache.tween_start >= 0;
    if (!data_changed && !tweening && cache.group == group && cache.dim == dim) return;

    const viz::TensorLayout unit = viz::tensor_layout(lab.shape(), slab_cols);
    if (data_changed || tweening) {
        const float range = viz::symmetric_range(values);
        cache.fade = 1;
        if (tweening && !cache.from.empty()) {
            viz::blend_values(cache.from, values, t, &cache.blended);
            cache.range = cache.from_range + (range - cache.from_range) * t;
            viz::render_heatmap_layers(unit, cache.blended, cache.range, &cache.bright, &cache.dimmed);
        } else {
            if (tweening) cache.fade = t;
            cache.range = range;
            viz::render_heatmap_layers(unit, values, cache.range, &cache.bright, &cache.dimmed);
        }
        cache.shown = tweening && !cache.from.empty() ? cache.blended : values;
    }
    if (t >= 1.f) cache.tween_start = -1;   // this frame drew the exact end state
    if (dim) viz::highlight_group(unit, plan, group, cache.bright, cache.dimmed, &cache.pixels);
    else cache.pixels = cache.bright;
    cache.outline = dim ? viz::group_outline(plan, unit, group) : std::vector<viz::Segment>{};
    cache.texture = state.upload ? state.upload(slot, cache.pixels.data(), unit.grid_w(), unit.grid_h()) : 0;
    cache.revision = lab.revision();
    cache.group = group;
    cache.dim = dim;
    cache.slab_cols = slab_cols;
}

// Thin separators between cells when cells are large enough to read one by one.
void draw_cell_grid(ImDrawList* dl, const viz::TensorLayout& t) {
    if (t.cell < 9.f) return;
    const ImU32 line = ImGui::GetColorU32(ImGuiCol_WindowBg);
    for (int tr = 0; tr < t.tiles_r; ++tr)
        for (int tc = 0; tc < t.tiles_c; ++tc) {
            const float x0 = t.origin.x + tc * (t.tile_w + 1) * t.cell;
            const float y0 = t.origin.y + tr * (t.tile_h + 1) * t.cell;
            for (int k = 1; k < t.tile_w; ++k)
                dl->AddLine(ImVec2(x0 + k * t.cell, y0), ImVec2(x0 + k * t.cell, y0 + t.tile_h * t.cell), line);
            for (int k = 1; k < t.tile_h; ++k)
                dl->AddLine(ImVec2(x0, y0 + k * t.cell), ImVec2(x0 + t.tile_w * t.cell, y0 + k * t.cell), line);
        }
}

// One titled heatmap with its legend; returns the hovered cell or -1. `placed` (may be null)
// receives the layout it was drawn with.
long long heatmap_block(const UiState& state, const char* spot, const char* title, const char* subtitle,
                        HeatmapCache& cache, const sim::Lab& lab, float width, float height,
                        viz::TensorLayout* placed = nullptr) {
    ImGui::BeginGroup();
    ImGui::TextUnformatted(title);
    ImGui::SameLine();
    ImGui::TextDisabled("%s", subtitle);
    const float legend_h = ImGui::GetFontSize() * 2.2f;
    const ImVec2 top = ImGui::GetCursorScreenPos();
    const float grid_h = std::max(40.f, height - legend_h - ImGui::GetFrameHeightWithSpacing());
    // Zoom (pinch, ctrl+wheel, + and -) scales the box the cells fit in and their largest size.
    const viz::TensorLayout t = viz::fit_layout(lab.shape(), cache.slab_cols, {top.x, top.y},
                                                {width * state.zoom, grid_h * state.zoom}, 72.f * state.zoom);
    if (placed) *placed = t;
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 a(t.origin.x, t.origin.y), b(t.origin.x + t.size().x, t.origin.y + t.size().y);
    if (cache.texture)
        dl->AddImage(reinterpret_cast<ImTextureID>(cache.texture), a, b, ImVec2(0, 0), ImVec2(1, 1),
                     IM_COL32(255, 255, 255, static_cast<int>(255 * cache.fade)));
    draw_cell_grid(dl, t);
    const float thick = std::clamp(t.cell * 0.18f, 2.f, 4.f) * (ImGui::GetStyle().ChildBorderSize > 1 ? 1.5f : 1.f);
    for (const viz::Segment& s : cache.outline)
        dl->AddLine(ImVec2(a.x + s.a.x * t.cell, a.y + s.a.y * t.cell),
                    ImVec2(a.x + s.b.x * t.cell, a.y + s.b.y * t.cell), kCyan, thick);

    long long hovered = -1;
    std::size_t flat = 0;
    const ImVec2 mouse = ImGui::GetIO().MousePos;
    if (ImGui::IsWindowHovered() && t.hit({mouse.x, mouse.y}, &flat)) {
        hovered = static_cast<long long>(flat);
        const viz::Vec2 p = t.cell_min(flat);
        dl->AddRect(ImVec2(p.x - 1, p.y - 1), ImVec2(p.x + t.cell + 1, p.y + t.cell + 1),
                    IM_COL32(255, 255, 255, 230), 0, 0, 1.5f);
    }
    ImGui::Dummy(ImVec2(std::max(width, t.size().x), t.size().y + 4));
    ImGui::SetCursorScreenPos(ImVec2(t.origin.x, ImGui::GetCursorScreenPos().y));
    draw_legend(cache.range, std::max(std::min(t.size().x, width), ImGui::GetFontSize() * 8));
    ImGui::EndGroup();
    spotlight(state, spot);
    if (cache.outline.size() > 0) {
        if (spotlit(state, "board.outline"))
            for (const viz::Segment& s : cache.outline)
                ImGui::GetForegroundDrawList()->AddLine(ImVec2(a.x + s.a.x * t.cell, a.y + s.a.y * t.cell),
                                                        ImVec2(a.x + s.b.x * t.cell, a.y + s.b.y * t.cell),
                                                        IM_COL32(255, 196, 64, 200), thick + 2);
    }
    return hovered;
}

// Click: focus the group of the cell. Drag a cell of the raw heatmap up or down: edit x.
void handle_press(UiState& state, sim::Lab& lab, const viz::TensorLayout& raw, long long hovered) {
    const ImGuiIO& io = ImGui::GetIO();
    if (state.pinching) {   // two fingers zoom: neither a tap nor a value drag
        state.press_cell = -1;
        state.dragging_value = false;
        return;
    }
    if (ImGui::IsMouseClicked(ImGuiMouseButton_Left) && hovered >= 0) {
        std::size_t flat = 0;
        state.press_cell = hovered;
        state.press_on_raw = raw.hit({io.MousePos.x, io.MousePos.y}, &flat);
        state.press_value = lab.x()[static_cast<std::size_t>(hovered)];
        state.dragging_value = false;
    }
    if (state.press_cell < 0) return;
    const auto cell = static_cast<std::size_t>(state.press_cell);
    // Phones scroll by dragging, so editing by drag is for wide screens only.
    if (state.press_on_raw && !state.narrow && ImGui::IsMouseDragging(ImGuiMouseButton_Left, 6.f)) {
        state.dragging_value = true;
        // 100 px of drag spans the colour range, so small and large tensors feel the same.
        const float range = std::max(state.heatmaps[0].range, 1e-3f);
        const float dy = ImGui::GetMouseDragDelta(ImGuiMouseButton_Left, 0.f).y;
        if (cell < lab.x().size()) show_note(state, lab.set_cell(cell, state.press_value - dy * range / 100.f));
        ImGui::SetTooltip(tr("x = %.4g  (drag up or down)"), static_cast<double>(lab.x()[cell]));
    }
    if (ImGui::IsMouseReleased(ImGuiMouseButton_Left)) {
        // A release far from the press was a scroll (phones), not a tap.
        const bool moved = io.MouseDragMaxDistanceSqr[ImGuiMouseButton_Left] > 100.f;
        if (!state.dragging_value && !moved && cell < lab.x().size()) {
            lab.focus_group(kernels::group_of(lab.plan(), cell));
            lab.sweep().playing = false;
        }
        state.press_cell = -1;
        state.dragging_value = false;
    }
}

const char* axes_caption(const core::Shape& s) {
    switch (s.rank) {
    case 2: return tr("rows: examples (B)  ·  columns: features (d)");
    case 3: return tr("one slab per example (B): rows are tokens (L), columns features (d)");
    default: return tr("tile rows: examples (B)  ·  tile columns: channels (C)  ·  each tile H × W");
    }
}

} // namespace

static void board_body(UiState& state, sim::Lab& lab, const Fonts& fonts);

void panel_board(UiState& state, sim::Lab& lab, const Fonts& fonts) {
    update_zoom(state, ImGui::IsWindowHovered(ImGuiHoveredFlags_ChildWindows));
    ImGui::BeginGroup();
    board_body(state, lab, fonts);
    ImGui::EndGroup();
    spotlight(state, "panel.board");
}

static void board_body(UiState& state, sim::Lab& lab, const Fonts& fonts) {
    ImGui::PushFont(fonts.heading);
    ImGui::PushTextWrapPos(0); // wraps on a 320 px embed instead of running off the edge
    ImGui::TextUnformatted(tr("Which cells are normalized together?"));
    ImGui::PopTextWrapPos();
    ImGui::PopFont();
    ImGui::PushTextWrapPos(0);
    ImGui::TextDisabled("%s %s  ·  %s", sim::layout_name(lab.config().layout), lab.shape().str().c_str(),
                        axes_caption(lab.shape()));
    ImGui::PopTextWrapPos();
    if (!lab.error().empty()) {
        ImGui::PushTextWrapPos(0);
        ImGui::TextColored(ImVec4(1, 0.45f, 0.4f, 1), "%s", lab.error().c_str());
        ImGui::PopTextWrapPos();
        return;
    }
    const sim::FamilyInfo& info = sim::family_info(lab.config().family);
    ImGui::PushTextWrapPos(0);
    ImGui::TextUnformatted(info.formula);
    ImGui::TextDisabled("%s", tr(info.over));
    ImGui::PopTextWrapPos();
    if (lab.nonfinite_outputs() > 0)
        ImGui::TextColored(ImVec4(1, 0.7f, 0.3f, 1), tr("%zu output cells are not finite (magenta)"),
                           lab.nonfinite_outputs());
    ImGui::Spacing();

    ImVec2 avail = ImGui::GetContentRegionAvail();
    // Wide screens keep room under the heatmaps for the statistics panel.
    if (!state.narrow) avail.y -= std::min(ImGui::GetFontSize() * 17.f, avail.y * 0.4f);
    const bool comparing = lab.compare().has_value() && !lab.y_compare().empty();
    const int panes = comparing ? 3 : 2;
    const float spacing = ImGui::GetStyle().ItemSpacing.x * 3;
    const float box_w = state.narrow ? avail.x : (avail.x - spacing * (panes - 1)) / panes;
    const float box_h = state.narrow ? avail.x * 1.1f : avail.y - ImGui::GetFontSize() * 4;
    const int slab_cols = viz::best_slab_cols(lab.shape(), {box_w, box_h});
    const std::size_t group = lab.sweep().group;
    refresh(state.heatmaps[0], 0, state, lab, lab.x(), lab.plan(), group, true, slab_cols);
    refresh(state.heatmaps[1], 1, state, lab, lab.y(), lab.plan(), group, true, slab_cols);
    std::string compare_title;
    if (comparing) {
        // The compare family's group that holds the first cell of the highlighted group.
        std::size_t anchor = 0;
        while (anchor < lab.x().size() && kernels::group_of(lab.plan(), anchor) != group) ++anchor;
        const std::size_t other = kernels::group_of(lab.plan_compare(), anchor);
        refresh(state.heatmaps[2], 2, state, lab, lab.y_compare(), lab.plan_compare(), other, true, slab_cols);
        compare_title = std::string(tr("y by")) + " " + kernels::norm_name(*lab.compare());
    }

    long long hovered = -1;
    viz::TensorLayout raw;
    const char* main_title = comparing ? tr("y by") : tr("Normalized y");
    const char* main_sub = comparing ? kernels::norm_name(lab.config().family) : tr("after");
    if (state.narrow) {
        const viz::TensorLayout unit = viz::tensor_layout(lab.shape(), slab_cols);
        const float cell = avail.x / unit.grid_w();
        const float h = std::min(cell * unit.grid_h(), avail.x * 1.1f) + ImGui::GetFontSize() * 4;
        hovered = std::max(hovered, heatmap_block(state, "board.raw", tr("Raw x"), tr("before"), state.heatmaps[0], lab, avail.x, h, &raw));
        ImGui::Spacing();
        hovered = std::max(hovered, heatmap_block(state, "board.normalized", main_title, main_sub, state.heatmaps[1], lab, avail.x, h));
        if (comparing) {
            ImGui::Spacing();
            hovered = std::max(hovered, heatmap_block(state, "board.normalized", compare_title.c_str(), "", state.heatmaps[2], lab, avail.x, h));
        }
    } else {
        hovered = std::max(hovered, heatmap_block(state, "board.raw", tr("Raw x"), tr("before"), state.heatmaps[0], lab, box_w, avail.y, &raw));
        ImGui::SameLine(0, spacing);
        hovered = std::max(hovered, heatmap_block(state, "board.normalized", main_title, main_sub, state.heatmaps[1], lab, box_w, avail.y));
        if (comparing) {
            ImGui::SameLine(0, spacing);
            hovered = std::max(hovered, heatmap_block(state, "board.normalized", compare_title.c_str(), "", state.heatmaps[2], lab, box_w, avail.y));
        }
    }
    state.hovered_cell = hovered;
    state.board_x = raw.origin.x;
    state.board_y = raw.origin.y;
    state.board_cell = raw.cell;
    state.board_slab_cols = raw.tiles_c;
    if (hovered >= 0 && !state.dragging_value) cell_tooltip(lab, static_cast<std::size_t>(hovered));
    handle_press(state, lab, raw, hovered);
}

} // namespace normlab::ui
