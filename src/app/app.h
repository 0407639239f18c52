// app/app.h: the composition root. Owns the lab and the UI state, reads the URL once, and
// hands the platform its per-frame hooks.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

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
    // A file the page fetched: "normlab-ui.ttf", "scenarios/lab_text.json", ...
    struct NamedFile {
        std::string name;
        std::string data;
    };
    static constexpr const char* kFontFile = "normlab-ui.ttf";
    // Takes what the page fetched before main(): the UI font, the lab and UI text, the
    // walkthrough catalogues ("scenarios/catalogue*.json") and any walkthrough file; then the
    // learner's progress (JSON text, "" for none), and opens ?scenario=ID&step=N if asked.
    // Returns notes.
    std::string load_files(const std::vector<NamedFile>& files, const std::string& progress, const ParamFn& param);
    // Why the app cannot draw ("" when it can): the UI font is missing or not a font.
    const std::string& cannot_start() const { return font_error_; }
    // Walkthrough files to fetch now (a listed walkthrough was opened), each asked for once;
    // then each one's text as it arrives, or why it could not be fetched.
    std::vector<std::string> take_file_requests();
    void file_arrived(const std::string& name, const std::string& data);
    void file_failed(const std::string& name, const std::string& why);
    // The progress to save when it changed since the last call ("" otherwise).
    std::string take_progress();
    // Moves the lab to `base` changed by the parameters present (URL keys); returns notes.
    std::string apply_params(const ParamFn& param, const sim::LabConfig& base);
    bool prepare(int width, int height, float pixel_ratio);
    void frame(int width, int height, double dt, double time_ms, double last_work_ms);
    std::string stats_json() const;   // frames, firstFrameMs, frameMsP50, frameMsP95
    std::string state_json() const;   // for tests and embedding pages: state() as text
    nlohmann::json state() const;
    // The step, quiz and statistics as text for the page's ARIA live region (JSON object).
    std::string live_text_json() const;
    // A command from JavaScript as a JSON object {"op": ...}; returns "" or a message.
    std::string command(const std::string& json);
    // The board as "json", "csv" or "pytorch" text ("" for an unknown kind).
    std::string export_data(const std::string& kind) const;

    // [embedding] (README "Embedding")
    // The whole state as URL parameters (the inverse of init + load_guide): lab keys, view,
    // projector, lang, embed, lock, hide, scenario and step, and the paused group.
    std::string share_query(bool embed) const;
    std::string share_url() const;   // the page's address + share_query(embed mode)
    // The origins allowed to send commands (?parentOrigin=, validated in init).
    const std::vector<std::string>& parent_origins() const { return parent_origins_; }
    // {"type": "ready", ...}: posted to the parent once the guide is loaded.
    std::string ready_event() const;
    // Events since the last call (step, answer, complete), each a JSON object as text.
    std::vector<std::string> take_events();
    // A message from the host page (JSON text: {"type": "command", "requestId", "command":
    // {...}} or {"type": "getState", "requestId"}); returns the reply as JSON text, or "" when
    // the reply comes later through take_events (a walkthrough whose file is on its way).
    std::string host_message(const std::string& json);

  private:
    sim::Lab lab_;
    sim::WeightLab weights_;
    ui::UiState ui_;
    ui::Fonts fonts_;
    AppStats stats_;
    std::string font_error_;
    std::string last_verdict_;   // of the last quiz answer given through command()
    std::vector<std::string> parent_origins_;
    // What take_events last saw of the walkthrough, to report only changes.
    struct Observed {
        std::string scenario;
        long long step = -1;
        bool summary = false;
        std::map<std::string, scenario::QuestionRecord> questions;
    };
    Observed observed_;
    // A host's "scenario" command whose walkthrough is being fetched: its reply (JSON text)
    // waits for the file (take_events sends it); replies answered early wait in the queue.
    std::string held_reply_;
    std::string held_scenario_;
    std::vector<std::string> queued_events_;
    void observe(std::vector<std::string>& events);
    // group=N: the outline stops on group N (a shared link keeps the group it showed).
    std::string apply_group(const ParamFn& param);
};

} // namespace normlab::app
