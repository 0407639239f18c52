// ui/panel_weights.h: the weight-normalization panel (WeightNorm, SpectralNorm, DyT) drawn from
// sim::WeightLab. Internal to the ui room; the root layout decides where it goes.
#pragma once

#include "sim/weight_lab.h"
#include "ui/ui.h"

namespace normlab::ui {

// Draws the section chosen in lab.config().section with its plots and controls. Changes the
// lab only through its mutators (their notes go to show_note). It also advances a running
// power iteration by ImGui's frame time, so nothing else needs to call lab.step().
void panel_weights(UiState& state, sim::WeightLab& lab, const Fonts& fonts);

} // namespace normlab::ui
