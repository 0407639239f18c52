// ui/ui.h: the NormLab interface drawn with Dear ImGui. Reads sim::Lab, changes it only
// through its mutators. The only room that includes imgui.h (with app and platform).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "scenario/loader.h"
#include "scenario/tour.h"
#include "scenario/ui_text.h"
#include "sim/lab.h"
#include "sim/weight_lab.h"
#include "train/train_lab.h"
#include "viz/heatmap.h"
#include "viz/histogram.h"

struct ImFont;

namespace normlab::ui {

// Uploads an RGBA8 image into a texture slot and returns its handle (platform::upload_texture
// in the app; a stub in headless tests).
using TextureUpload = std::uintptr_t (*)(int slot, const std::uint32_t* rgba, int width, int height);
// Offers a file download (platform::download in the app).
using Download = void (*)(const std::string& filename, const std::string& mime, const std::string& data);
// Saves the next frame as PNG (platform::request_screenshot in the app).
using Screenshot = void (*)(const std::string& filename);
// Asks for the clipboard text / takes text pasted since the last call (platform::request_paste
// and platform::take_pasted_text in the app).
using RequestPaste = void (*)();
using TakePaste = std::string (*)();
// The pinch zoom factor since the last call and whether two fingers are down
// (platform::take_pinch in the app).
using TakePinch = float (*)(bool* pinching);
// Embedding (platform::toggle_fullscreen, fullscreen_status, open_tab, copy_text in the app).
using Action = void (*)();
using Status = int (*)();
using TextAction = void (*)(const std::string& text);

// A heatmap's texture and outline, rebuilt only when the data or the highlighted group change.
struct HeatmapCache {
    std::uint64_t revision = ~0ull;
    std::size_t group = ~std::size_t{0};
    bool dim = false;
    int slab_cols = 1;
    std::uintptr_t texture = 0;
    float range = 1;
    std::vector<std::uint32_t> pixels, bright, dimmed;
    std::vector<viz::Segment> outline;   // in grid units (cell = 1, origin 0)
    // The step-to-step animation (viz/tween.h): the values the texture shows now, and while a
    // tween runs, where it started. An empty `from` means "fade in" (the shape changed).
    std::vector<float> shown, from, blended;
    float from_range = 1;
    std::uint64_t tour_key = 0;          // which walkthrough step the data belongs to
    double tween_start = -1;             // ui clock; < 0: no tween running
    float fade = 1;                      // texture opacity during a fade-in
};

enum class View { Activations, Weights, Training };

// What the learner typed or chose in one quiz question, and the last grade it got.
struct QuestionInput {
    std::vector<bool> chosen;     // choice questions: one per option
    double number = 0;            // numeric questions
    bool graded = false;
    scenario::Grade grade;
};

// The guided walkthroughs: the loaded scenarios and lab text, the running tour and the
// learner's progress. The app loads them; the guide panel drives the tour. A walkthrough
// listed in the catalogue is fetched when it is first opened: start() asks for its file
// (take_requests), the app hands the text to arrived() and the walkthrough opens then.
struct GuideState {
    std::vector<scenario::Scenario> scenarios;   // every language; listed_only until fetched
    std::optional<scenario::LabText> text;       // the lab explanations (lab_text.json)
    std::vector<std::string> load_errors;        // formatted loader errors, shown in a panel
    std::string language = "en";
    scenario::Tour tour;
    scenario::Progress progress;
    bool progress_dirty = false;                 // the app saves it (localStorage)
    std::vector<QuestionInput> inputs;           // for the current step's quiz
    std::size_t inputs_step = ~std::size_t{0};
    std::vector<std::string> highlights;         // ids the current step spotlights
    bool show_summary = false;

    struct Opening {                             // a walkthrough waiting for its file
        std::string id;
        int step = -1;
    };
    std::optional<Opening> opening;
    std::vector<std::string> requests;           // files to fetch, not yet handed to the app
    std::vector<std::string> fetching;           // files asked for and not arrived

    enum class Start { Started, Fetching, Unknown };
    // Starts a scenario by id (the learner's language first) at `step` (0-based; -1: where
    // the learner left it). A listed-only one opens once its file arrives.
    Start start(const std::string& id, sim::Lab& lab, int step = -1);
    const scenario::Scenario* find(const std::string& id) const;
    // The app's side of fetching: files to ask the page for (each once), then each file's
    // text, or why it could not be fetched. arrived() replaces the catalogue entry with the
    // loaded walkthrough and opens it if it was waiting; returns "" or a message for the
    // learner (the file's errors also go to load_errors).
    std::vector<std::string> take_requests();
    std::string arrived(const std::string& file, std::string_view content, sim::Lab& lab);
    std::string failed(const std::string& file, const std::string& why);
    bool waiting_for(const std::string& id) const { return opening && opening->id == id; }
};

// Statistics and histograms of the board, recomputed only when the data or the group change
// (a 64 x 64 x 16 x 16 tensor has a million cells: too many to rescan every frame).
struct StatsCache {
    std::uint64_t revision = ~0ull;
    std::size_t group = ~std::size_t{0};
    sim::CellStats group_x, group_y, all_x, all_y;
    viz::Histogram hist_x, hist_y;
};

// The training lab tab (ui/panel_train.cpp): the headless lab, whether it runs, the per-frame
// time budget of its slices, and what the app reports (NormLab.state().train).
struct TrainUi {
    train::TrainLab lab;
    bool configured = false;      // lab.configure ran once (lazily, when the tab first shows)
    bool running = false;         // slices run each frame; pause = not calling run_for
    bool wants_run = true;        // start when configured (off under reduce_motion)
    double budget_ms = 6;         // wall-clock time per frame given to training
    double start_budget_ms = 40;  // the same until every run has a curve: two or three frames
                                  // of about 45 ms give the first curve, instead of a dozen
    double started_ms = -1;       // steady-clock ms when the runs were last built or reset
                                  // (before building them, so the first curve counts that too)
    double first_curve_s = -1;    // seconds from that start to every run having a curve
    int last_slice_steps = 0;
    double last_slice_ms = 0;
    int lr_shown = 1;             // lr sweep: which learning rate the curves show
    bool depth_grad = false;      // depth plot: gradient norms instead of activation RMS
    bool depth_init = false;      // depth plot: at step 0 instead of the latest evaluation
    std::string tour_key;         // the walkthrough step whose training view was applied
    std::string error;            // the last refused settings
};

// What the UI remembers between frames (kept in a struct so a reset is one assignment).
struct UiState {
    TextureUpload upload = nullptr;
    Download download = nullptr;
    Screenshot screenshot = nullptr;
    RequestPaste request_paste = nullptr;
    TakePaste take_paste = nullptr;
    std::string snippet;       // the PyTorch code shown in the export popup
    std::vector<char> paste_buffer = std::vector<char>(64 * 1024, '\0');  // "Paste tensor" text
    std::string paste_error;
    HeatmapCache heatmaps[3];  // raw, normalized, normalized by the compare family
    StatsCache stats;
    std::string note;          // last clamp/validation message shown under the controls
    double note_until = 0;     // seconds (ui clock) until the note fades
    double clock = 0;          // seconds since start
    long long hovered_cell = -1;  // flat index under the pointer, -1 none
    // Where the raw heatmap was drawn last frame (CSS pixels), for tests and automation.
    float board_x = 0, board_y = 0, board_cell = 0;
    int board_slab_cols = 1;
    // Dragging a raw cell up/down edits its value; a click without a drag focuses its group.
    long long press_cell = -1;
    bool press_on_raw = false;
    float press_value = 0;
    bool dragging_value = false;
    bool narrow = false;       // phone layout (stacked)
    View view = View::Activations;
    GuideState guide;
    bool left_was_touring = false;
    bool select_view = false;  // switch the tab to `view` on the next frame (URL, commands)
    bool projector = false;    // classroom mode: larger text, higher contrast, thicker outlines
    bool projector_applied = false;
    bool reduce_motion = false;  // prefers-reduced-motion (or ?motion=reduce): no animations
    // Keyboard, touch and language (ui/shortcuts.cpp, ui/i18n.h).
    std::optional<scenario::UiText> strings;  // the UI's strings in the learner's language; none: English
    bool coarse_pointer = false;  // touch screen ('(pointer: coarse)'): targets at least kTouchTarget tall
    bool help_open = false;       // the keyboard and touch help overlay (? or F1)
    float zoom = 1;               // board cell size factor: pinch, ctrl+wheel, + and -
    float pinch = 1;              // zoom factor of the platform's two-finger pinch since last frame
    bool pinching = false;        // two fingers down: no cell edits, no taps
    TakePinch take_pinch = nullptr;
    std::uint64_t motion_step = 0;  // reduced motion: the walkthrough step last paused for
    // Embedding and classroom controls (panel_share.cpp). The app keeps share_url current.
    Action toggle_fullscreen = nullptr;   // the Fullscreen button (and the F key) call this
    Status fullscreen_status = nullptr;   // bits as platform::fullscreen_status
    TextAction open_tab = nullptr;
    TextAction copy_text = nullptr;
    bool embed = false;                   // ?embed=1: no title bar, tight padding
    std::vector<std::string> locked, hidden;   // area ids (see area_locked)
    std::vector<std::pair<std::string, bool>> drawn_areas;   // last frame: area, locked
    std::string page_url;                 // the app's address without query
    std::string share_url;                // page_url + the whole state as a query
    std::string embed_url;                // the same with embed=1
    std::string copied;                   // the last text a share button copied
    bool fullscreen_enabled = true, fullscreen_active = false;
    bool offer_new_tab = false;           // fullscreen refused: open the "new tab" popup
    bool open_share_popup = false, open_embed_popup = false;
    // Where share buttons, the two columns, the family buttons, the batch slider and the keyboard
    // focus ("nav.focus", while its outline shows) were drawn last frame (x, y, w, h in CSS
    // pixels), for tests.
    std::vector<std::pair<std::string, std::array<float, 4>>> item_rects;
    TrainUi train;             // the Training tab (panel_train.cpp)
    int perturb_example = 0;
    int affine_channel = 0;    // the channel whose γ/β the settings panel edits   // the example the "scale example" buttons act on
};

struct Fonts {
    ImFont* body = nullptr;
    ImFont* heading = nullptr;
    std::string ttf;           // the UI font file's bytes (the app sets them; "" if missing)
    float pixel_size = 0;      // body size in device pixels the atlas was built for
};

// Applies the colour theme (projector: brighter text, stronger borders).
void apply_theme(bool projector = false);

// "" when `ttf` is a TrueType font ImGui can rasterize, else what is wrong with it.
std::string font_problem(const std::string& ttf);
// Rebuilds the font atlas from fonts.ttf (which font_problem accepted) when the wanted size
// changed (e.g. on resize or zoom); returns true when it did, so the platform re-uploads the
// texture.
bool ensure_fonts(Fonts& fonts, float css_px, float pixel_ratio);

// Body font size in CSS pixels for a viewport, from phone to 4K projector; projector mode
// makes it half as large again.
float body_font_px(int width, int height, bool projector = false);

// Shows a short message under the controls for a few seconds (clamped values, errors).
void show_note(UiState& state, const std::string& note);

// Draws an amber, pulsing frame around the last item (or group) when the current walkthrough
// step spotlights `id` (a registered highlight id).
void spotlight(const UiState& state, const char* id);
// Whether the step highlights `id` and nothing covers the page (no modal dialog open): the
// rule spotlight() and the board's group outline both draw by.
bool spotlit(const UiState& state, const char* id);

// Lockable areas: the registered panel ids (panel.family, panel.controls, panel.board,
// panel.settings, panel.stats) and the tabs and rows outside the registry (guide, weights,
// export, share). A locked area is drawn disabled, a hidden one not at all.
bool area_locked(const UiState& state, const char* id);
bool area_hidden(const UiState& state, const char* id);

// Switches the training lab to `experiment` with its default settings ("" or a message);
// defined in panel_train.cpp.
std::string open_experiment(UiState& state, train::LabExperiment experiment);

// Draws the whole app for one frame.
void draw(UiState& state, sim::Lab& lab, sim::WeightLab& weights, const Fonts& fonts, int width,
          int height, double dt);

} // namespace normlab::ui
