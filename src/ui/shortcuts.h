// ui/shortcuts.h: keyboard shortcuts, the help overlay that lists them, touch-sized targets,
// board zoom (pinch, ctrl+wheel, + and -) and the text mirrored into the page's ARIA live
// region. Internal to the ui room; ui::draw calls these once per frame.
#pragma once

#include <string>

#include "sim/lab.h"
#include "ui/ui.h"

namespace normlab::ui {

// Touch targets are at least this tall in CSS pixels when the pointer is coarse (the usual
// 44 px guideline for fingers).
inline constexpr float kTouchTarget = 44.f;
inline constexpr float kMinZoom = 0.5f, kMaxZoom = 4.f;

// Play/pause, group and walkthrough steps, zoom, fullscreen, help. Nothing fires while a text
// field has the keyboard (io.WantTextInput) or with Ctrl/Alt/Super held (browser shortcuts),
// nor when the area of the control a key stands for is locked or hidden (state.locked/hidden).
void handle_shortcuts(UiState& state, sim::Lab& lab);

// The modal listing the shortcuts and gestures; opens when state.help_open, Esc closes it.
void draw_help(UiState& state);

// Bigger padding, spacing and grabs for fingers (call after the theme, every frame).
void apply_touch_sizes(const UiState& state);

// Applies this frame's pinch and, when the pointer is over the board, ctrl+wheel.
void update_zoom(UiState& state, bool board_hovered);

// The walkthrough step, quiz and key statistics as plain text for screen readers:
// {"step": ..., "quiz": ..., "stats": ...}. While the sweep plays the statistics say so
// instead of changing twice a second (a polite live region would never stop talking).
std::string live_region_json(const UiState& state, const sim::Lab& lab);

} // namespace normlab::ui
