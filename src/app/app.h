// app/app.h: the composition root. Owns the lab and the UI state, reads the URL once, and
// hands the platform its per-frame hooks.
#pragma once

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
    // Applies URL parameters (family, batch, features, seed); returns notes on bad values.
    std::string init(const std::string& family, const std::string& batch,
                     const std::string& features, const std::string& seed);
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
