// app/app.h: the composition root. Owns the lab and the UI state, reads the URL once, and
// hands the platform its per-frame hooks.
#pragma once

#include <functional>
#include <string>

#include "sim/lab.h"
#include "ui/ui.h"

namespace normlab::app {

// Frame timing for window.NormLab.stats(): the work each frame took, over a sliding window.
struct AppStats {
    long long frames = 0;
    double first_frame_ms = -1;            // ms since navigation start of the first frame
    static constexpr int kWindow = 240;    // four seconds at 60 fps
    double work_ms[kWindow] = {};
    int samples = 0;

    void record(double ms);
    double percentile(double p) const;     // p in [0, 1] over the window; 0 with no samples
};

class App {
  public:
    // Reads a URL parameter by name ("" when absent).
    using ParamFn = std::function<std::string(const char*)>;
    // Applies the URL parameters (see README) and wires the texture upload; returns notes on
    // bad values (the lab falls back to defaults or clamps them).
    std::string init(const ParamFn& param, const ui::UiState& hooks);
    // Loads every scenario and the lab text from `dir`, then the learner's progress (JSON
    // text, "" for none), and opens ?scenario=ID&step=N if asked. Returns notes.
    std::string load_guide(const std::string& dir, const std::string& progress, const ParamFn& param);
    // The progress to save when it changed since the last call ("" otherwise).
    std::string take_progress();
    // Moves the lab to `base` changed by the parameters present (URL keys); returns notes.
    std::string apply_params(const ParamFn& param, const sim::LabConfig& base);
    bool prepare(int width, int height, float pixel_ratio);
    void frame(int width, int height, double dt, double time_ms, double last_work_ms);
    std::string stats_json() const;   // frames, firstFrameMs, frameMsP50, frameMsP95
    std::string state_json() const;   // for tests and embedding pages
    // A command from JavaScript as a JSON object {"op": ...}; returns "" or a message.
    std::string command(const std::string& json);
    // The board as "json", "csv" or "pytorch" text ("" for an unknown kind).
    std::string export_data(const std::string& kind) const;

  private:
    sim::Lab lab_;
    sim::WeightLab weights_;
    ui::UiState ui_;
    ui::Fonts fonts_;
    AppStats stats_;
    std::string font_error_;
    std::string last_verdict_;   // of the last quiz answer given through command()
};

} // namespace normlab::app
