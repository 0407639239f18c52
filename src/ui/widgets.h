// ui/widgets.h: small drawing helpers shared by the panels.
#pragma once

#include <vector>

#include "imgui.h"
#include "kernels/norm.h"
#include "ui/ui.h"
#include "viz/heatmap.h"

namespace normlab::ui {

inline constexpr ImU32 kCyan = IM_COL32(64, 224, 240, 255);

ImU32 to_imgui(viz::Rgba c);

// A "(?)" marker that shows `text` on hover or tap.
void help_marker(const char* text);

// Records where the last item was drawn (CSS pixels) under `id` in state.item_rects, which the
// app reports as NormLab.state().items: browser tests find controls there instead of guessing
// their position from the layout.
void remember_item(UiState& state, const char* id);

// Horizontal colour bar from -range to +range with three labels, `width` wide.
void draw_legend(float range, float width);

} // namespace normlab::ui
