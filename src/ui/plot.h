// ui/plot.h: NormLab's own small line plot over ImDrawList (no plotting library): axes with
// nice tick values, an optional log y axis, several series with a legend, gaps where a value
// is NaN or infinite, a marker where a run diverged, and a hover readout of every series at
// the x under the pointer. The arithmetic lives in viz/plot_scale.h (tested natively); this
// file only draws. Internal to the ui room.
#pragma once

#include <cmath>
#include <span>
#include <string>

#include "imgui.h"

namespace normlab::ui {

struct PlotSeries {
    std::string label;
    std::span<const float> y;
    std::span<const int> x;   // one per y; empty: x = x0 + i * x_step
    float x0 = 0, x_step = 1;
    ImU32 colour = IM_COL32_WHITE;
    bool dashed = false;
    bool markers = false;     // a dot at every point (few points: per-layer plots)
    int diverged_at = -1;     // x where the run diverged: a red cross at its last finite point
};

struct PlotStyle {
    const char* id = "plot";
    float width = 400, height = 200;  // the whole widget, legend excluded
    bool log_y = false;
    const char* x_label = "";
    const char* y_label = "";
    float x_min = NAN, x_max = NAN;   // fixed x range (NaN: from the data)
    float y_min = NAN, y_max = NAN;   // fixed y range (NaN: from the data)
    bool legend = true;               // a wrapped legend below the plot
};

// Draws the plot at the cursor and moves the cursor below it (and its legend).
void plot_lines(const PlotStyle& style, std::span<const PlotSeries> series);

} // namespace normlab::ui
