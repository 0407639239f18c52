// ui/widgets.h: small drawing helpers shared by the panels.
#pragma once

#include <vector>

#include "imgui.h"
#include "kernels/norm.h"
#include "viz/heatmap.h"

namespace normlab::ui {

inline constexpr ImU32 kCyan = IM_COL32(64, 224, 240, 255);

ImU32 to_imgui(viz::Rgba c);

// A "(?)" marker that shows `text` on hover or tap.
void help_marker(const char* text);

// Heatmap of a rank-2 tensor with the group `highlight` outlined in cyan and the other cells
// dimmed. Returns the flat index of the hovered cell or -1.
int draw_heatmap(ImDrawList* dl, const viz::GridLayout& layout, const std::vector<float>& values,
                 float range, const kernels::GroupPlan& plan, std::size_t highlight,
                 bool show_outline);

// Horizontal colour bar from -range to +range with three labels, `width` wide.
void draw_legend(float range, float width);

} // namespace normlab::ui
