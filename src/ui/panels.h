// ui/panels.h: the panels of the main view, one file each. Internal to the ui room.
#pragma once

#include "sim/lab.h"
#include "ui/ui.h"

namespace normlab::ui {

// Family selector and what the chosen family normalizes.
void panel_family(UiState& state, sim::Lab& lab);
// Shape, eps, data preset, animation controls.
void panel_controls(UiState& state, sim::Lab& lab);
// Raw and normalized heatmaps side by side (stacked when narrow), legends, hover, click.
void panel_board(UiState& state, sim::Lab& lab, const Fonts& fonts);
// eps and its placement, precision, affine, BatchNorm train/eval and running statistics.
void panel_settings(UiState& state, sim::Lab& lab);
// PNG, CSV, JSON and PyTorch exports of the current board.
void panel_export(UiState& state, const sim::Lab& lab);
// The guided walkthrough (scenario menu, step, task, quiz, summary) and the explanations.
void panel_guide(UiState& state, sim::Lab& lab, const Fonts& fonts);
// Statistics of the highlighted group before and after.
void panel_stats(UiState& state, const sim::Lab& lab);
// Fullscreen, projector, copy link and embed buttons on one row (unless hidden), and the
// popups they open; share_bar_width is the row's width for right-aligning it.
void panel_share(UiState& state);
float share_bar_width(const UiState& state);
// The training and depth lab: experiment, settings, run/pause/reset, curves, per-block plot,
// Jacobian heatmap, table and findings. Runs the training slice of this frame.
void panel_train(UiState& state, const Fonts& fonts);
// Applies the current walkthrough step's training view (scenario::train_view_at) once per step:
// configures the lab and selects the Training tab. Called every frame before the tabs.
void sync_train_with_tour(UiState& state);
// The iframe snippet for a course page that frames `url`.
std::string embed_snippet(const std::string& url);

} // namespace normlab::ui
