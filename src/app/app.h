// app/app.h: the composition root. Owns the lab and the UI state, reads the URL once, and
// hands the platform its per-frame hooks.
#pragma once

#include <functional>
#include <string>

#include "sim/lab.h"
#include "ui/ui.h"

namespace normlab::app {

struct AppStats {
    long long frames = 0;
    double first_frame_ms = -1;   // ms since navigation start when the first frame was drawn
    double last_frame_cpu_ms = 0; // CPU time of the last frame's UI code
};

class App {
  public:
    // Reads a URL parameter by name ("" when absent).
    using ParamFn = std::function<std::string(const char*)>;
    // Applies the URL parameters (see README) and wires the texture upload; returns notes on
    // bad values (the lab falls back to defaults or clamps them).
    std::string init(const ParamFn& param, ui::TextureUpload upload);
    bool prepare(int width, int height, float pixel_ratio);
    void frame(int width, int height, double dt, double time_ms);
    std::string state_json() const;   // for tests and embedding pages

  private:
    sim::Lab lab_;
    ui::UiState ui_;
    ui::Fonts fonts_;
    AppStats stats_;
    std::string font_error_;
};

} // namespace normlab::app
