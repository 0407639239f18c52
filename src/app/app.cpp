#include "app/app.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "app/embed.h"
#include "imgui.h"
#include "ui/shortcuts.h"
#include "scenario/registry.h"
#include "sim/export.h"
#include "sim/families.h"

namespace normlab::app {

namespace {

// Parses a whole decimal integer; false for empty, partial or non-numeric text.
bool parse_int(const std::string& text, long long* out) {
    if (text.empty()) return false;
    char* end = nullptr;
    const long long v = std::strtoll(text.c_str(), &end, 10);
    if (*end != '\0') return false;
    *out = v;
    return true;
}

std::string board_family_list() {
    std::string s;
    for (kernels::NormKind k : sim::kBoardFamilies) s += std::string(s.empty() ? "" : ", ") + kernels::norm_id(k);
    return s;
}

} // namespace

std::string App::init(const ParamFn& param, const ui::UiState& hooks) {
    std::string notes = apply_params(param, sim::LabConfig{});
    const auto add = [&notes](const std::string& n) {
        if (!n.empty()) notes += (notes.empty() ? "" : "; ") + n;
    };
    weights_.init({});
    ui_.projector = param("projector") == "1";
    if (!param("lang").empty()) {
        if (param("lang") == "en" || param("lang") == "es") ui_.guide.language = param("lang");
        else add("lang=" + param("lang") + " is not available; expected en or es");
    }
    if (param("view") == "weights") {
        ui_.view = ui::View::Weights;
        ui_.select_view = true;
    } else if (param("view") == "training") {
        ui_.view = ui::View::Training;
        ui_.select_view = true;
    } else if (!param("view").empty() && param("view") != "activations") {
        add("view=" + param("view") + " is unknown; expected activations, weights or training");
    }
    ui_.upload = hooks.upload;
    ui_.download = hooks.download;
    ui_.screenshot = hooks.screenshot;
    ui_.request_paste = hooks.request_paste;
    ui_.take_paste = hooks.take_paste;
    ui_.take_pinch = hooks.take_pinch;
    ui_.coarse_pointer = hooks.coarse_pointer;
    // prefers-reduced-motion (the page's media query, in hooks) or ?motion=reduce for tests.
    ui_.reduce_motion = hooks.reduce_motion || param("motion") == "reduce";
    if (!param("motion").empty() && param("motion") != "reduce")
        add("motion=" + param("motion") + " is unknown; expected reduce");
    if (ui_.reduce_motion) lab_.sweep().playing = false;   // no autoplay
    // The training lab: ?experiment=lr|batch|momentum|placement|precision|jacobian. Nothing is
    // built until the tab first shows; reduced motion waits for the Run button.
    ui_.train.wants_run = !ui_.reduce_motion;
    if (!param("experiment").empty()) {
        train::LabExperiment e{};
        if (train::parse_lab_experiment(param("experiment"), &e))
            ui_.train.lab.configure(train::default_settings(e));
        else
            add("experiment=" + param("experiment") +
                " is unknown; expected lr, batch, momentum, placement, precision or jacobian");
    }
    ui_.toggle_fullscreen = hooks.toggle_fullscreen;
    ui_.fullscreen_status = hooks.fullscreen_status;
    ui_.open_tab = hooks.open_tab;
    ui_.copy_text = hooks.copy_text;
    ui_.page_url = hooks.page_url;
    add(parse_origins(param("parentOrigin"), &parent_origins_));
    ui::apply_theme(ui_.projector);
    ui_.projector_applied = ui_.projector;
    if (!notes.empty()) ui::show_note(ui_, notes);
    return notes;
}

std::string App::apply_params(const ParamFn& param, const sim::LabConfig& base) {
    std::string notes;
    const auto add = [&notes](const std::string& n) {
        if (!n.empty()) notes += (notes.empty() ? "" : "; ") + n;
    };
    sim::LabConfig config = base;
    // shape=16x12 (B, d), 4x8x6 (B, L, d) or 4x8x6x6 (B, C, H, W).
    const std::string shape = param("shape");
    if (!shape.empty()) {
        std::vector<int> dims;
        std::size_t pos = 0;
        bool ok = true;
        while (ok && pos <= shape.size()) {
            const std::size_t x = std::min(shape.find('x', pos), shape.size());
            long long v = 0;
            ok = parse_int(shape.substr(pos, x - pos), &v) && v >= 1 && v <= 4096;
            dims.push_back(static_cast<int>(v));
            pos = x + 1;
        }
        if (!ok || dims.size() < 2 || dims.size() > 4) {
            add("shape=" + shape + " is not a shape; write BxD, BxLxD or BxCxHxW, e.g. 16x12");
        } else {
            const std::size_t r = dims.size();
            config.layout = r == 2 ? sim::Layout::Matrix : r == 3 ? sim::Layout::Sequence : sim::Layout::Image;
            const auto clamp_dim = [&](int v, int hi, const char* name) {
                if (v > hi) add(std::string(name) + " = " + std::to_string(v) + " in shape=" + shape +
                                " is above " + std::to_string(hi) + "; clamped");
                return std::min(v, hi);
            };
            config.batch = clamp_dim(dims[0], sim::kMaxBatch, "B");
            if (r == 2) config.features = clamp_dim(dims[1], sim::kMaxFeatures, "d");
            if (r == 3) {
                config.length = clamp_dim(dims[1], sim::kMaxSpatial, "L");
                config.features = clamp_dim(dims[2], sim::kMaxFeatures, "d");
            }
            if (r == 4) {
                config.features = clamp_dim(dims[1], sim::kMaxFeatures, "C");
                config.height = clamp_dim(dims[2], sim::kMaxSpatial, "H");
                config.width = clamp_dim(dims[3], sim::kMaxSpatial, "W");
            }
        }
    }
    const std::string family = param("family");
    if (!family.empty() && !kernels::parse_norm_id(family, &config.family))
        add("unknown family '" + family + "' in the URL; expected one of " + board_family_list());
    const auto int_param = [&](const char* name, int lo, int hi, int* out) {
        const std::string text = param(name);
        long long v = 0;
        if (text.empty()) return;
        if (!parse_int(text, &v)) return add(std::string(name) + "=" + text + " is not a whole number");
        if (v < lo || v > hi)
            add(std::string(name) + "=" + text + " is out of range " + std::to_string(lo) + ".." +
                std::to_string(hi) + "; clamped");
        *out = static_cast<int>(std::min<long long>(std::max<long long>(v, lo), hi));
    };
    int seed_int = static_cast<int>(config.seed);
    int_param("batch", 1, sim::kMaxBatch, &config.batch);
    int_param("features", 1, sim::kMaxFeatures, &config.features);
    int_param("channels", 1, sim::kMaxFeatures, &config.features);
    int_param("length", 1, sim::kMaxSpatial, &config.length);
    int_param("height", 1, sim::kMaxSpatial, &config.height);
    int_param("width", 1, sim::kMaxSpatial, &config.width);
    int_param("groups", 1, sim::kMaxFeatures, &config.groups);
    int_param("seed", 0, 1 << 30, &seed_int);
    config.seed = static_cast<std::uint64_t>(seed_int);
    // Every other setting of the lab, by the same ids the CLI and scenarios use.
    const auto enum_param = [&](const char* name, auto parse, auto* out, const char* expected) {
        const std::string text = param(name);
        if (!text.empty() && !parse(text, out)) add(std::string(name) + "=" + text + " is unknown; expected " + expected);
    };
    enum_param("preset", [](const std::string& t, sim::DataPreset* o) { return scenario::parse_preset_id(t, o); },
               &config.preset, "stable, shifted_mean, skewed, outliers, tiny_batch, near_constant, large_offset or scale_drift");
    enum_param("mode", [](const std::string& t, kernels::NormMode* o) { return kernels::parse_mode_id(t, o); },
               &config.mode, "train or eval");
    enum_param("precision", [](const std::string& t, kernels::Precision* o) { return kernels::parse_precision_id(t, o); },
               &config.storage, "fp32, fp16 or bf16");
    enum_param("accumulate", [](const std::string& t, kernels::Accumulate* o) { return kernels::parse_accumulate_id(t, o); },
               &config.accumulate, "fp32 or storage");
    enum_param("eps_placement", [](const std::string& t, kernels::EpsPlacement* o) { return kernels::parse_eps_placement_id(t, o); },
               &config.eps_placement, "inside or outside");
    const auto float_param = [&](const char* name, double lo, double hi, float* out) {
        const std::string text = param(name);
        if (text.empty()) return;
        char* end = nullptr;
        const double v = std::strtod(text.c_str(), &end);
        if (*end != '\0' || !std::isfinite(v)) return add(std::string(name) + "=" + text + " is not a number");
        if (v < lo || v > hi) add(std::string(name) + "=" + text + " is outside " + std::to_string(lo).substr(0, 5) + ".." + std::to_string(hi).substr(0, 5) + "; clamped");
        *out = static_cast<float>(std::clamp(v, lo, hi));
    };
    float_param("eps", 0.0, 1.0, &config.eps);
    float_param("momentum", 0.0, 1.0, &config.momentum);
    if (config.preset == sim::DataPreset::TinyBatch && param("batch").empty() && param("shape").empty()) config.batch = 2;
    const int wanted_groups = config.groups;
    lab_.init(config);
    if (lab_.config().groups != wanted_groups && !param("groups").empty())
        add("groups=" + std::to_string(wanted_groups) + " does not divide C = " +
            std::to_string(lab_.config().features) + "; using G = " + std::to_string(lab_.config().groups));
    if (lab_.config().family != config.family)
        add(std::string(kernels::norm_name(config.family)) + " is not defined on " +
            sim::layout_name(config.layout) + "; showing " + kernels::norm_name(lab_.config().family));
    const std::string compare = param("compare");
    if (!compare.empty()) {
        kernels::NormKind kind{};
        if (!kernels::parse_norm_id(compare, &kind))
            add("unknown family '" + compare + "' for compare; expected one of " + board_family_list());
        else
            add(lab_.set_compare(kind));
    }
    // Embedding and teacher locks (README "Embedding"); absent keys leave them as they are.
    const std::string embed = param("embed");
    if (embed == "1" || embed == "0") ui_.embed = embed == "1";
    else if (!embed.empty()) add("embed=" + embed + " is unknown; expected 1 or 0");
    if (!param("lock").empty()) add(parse_areas("lock", param("lock"), false, &ui_.locked));
    if (!param("hide").empty()) add(parse_areas("hide", param("hide"), true, &ui_.hidden));
    add(apply_group(param));
    if (!notes.empty()) ui::show_note(ui_, notes);
    return notes;
}

bool App::prepare(int width, int height, float pixel_ratio) {
    return ui::ensure_fonts(fonts_, ui::body_font_px(width, height, ui_.projector), pixel_ratio);
}

void AppStats::record(double ms) {
    work_ms[samples % kWindow] = ms;
    ++samples;
}

double AppStats::percentile(double p) const {
    const int n = std::min(samples, kWindow);
    if (n == 0) return 0;
    std::vector<double> v(work_ms, work_ms + n);
    const auto k = static_cast<std::size_t>(std::clamp(p, 0.0, 1.0) * (n - 1) + 0.5);
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
    return v[k];
}

void App::frame(int width, int height, double dt, double time_ms, double last_work_ms) {
    if (ui_.fullscreen_status) {
        const int fs = ui_.fullscreen_status();
        ui_.fullscreen_enabled = fs & 1;
        ui_.fullscreen_active = fs & 2;
        if (fs & 4) ui_.offer_new_tab = true;   // refused (F key or button): offer a new tab
    }
    ui_.share_url = share_url();
    ui_.embed_url = ui_.page_url + "?" + share_query(true);
    ui::draw(ui_, lab_, weights_, fonts_, width, height, dt);
    if (stats_.frames++ == 0) stats_.first_frame_ms = time_ms;
    else stats_.record(last_work_ms);
}

std::string App::stats_json() const {
    return nlohmann::json{{"frames", stats_.frames}, {"firstFrameMs", stats_.first_frame_ms},
                          {"frameMsP50", stats_.percentile(0.5)}, {"frameMsP95", stats_.percentile(0.95)}}
        .dump();
}

std::string App::state_json() const { return state().dump(); }

nlohmann::json App::state() const {
    nlohmann::json j;
    const auto& c = lab_.config();
    j["family"] = kernels::norm_id(c.family);
    j["layout"] = sim::layout_name(c.layout);
    j["shape"] = std::vector<int>(lab_.shape().dims.begin(), lab_.shape().dims.begin() + lab_.shape().rank);
    j["groups"] = c.groups;
    j["seed"] = c.seed;
    j["eps"] = c.eps;
    j["group"] = lab_.sweep().group;
    j["groupCount"] = lab_.plan().group_count();
    j["groupSize"] = lab_.plan().group_size();
    j["playing"] = lab_.sweep().playing;
    j["frames"] = stats_.frames;
    j["firstFrameMs"] = stats_.first_frame_ms;
    j["fontLoaded"] = font_error_.empty();
    j["error"] = lab_.error();
    j["note"] = ui_.note;
    j["preset"] = sim::preset_name(c.preset);
    j["mode"] = kernels::mode_id(c.mode);
    j["epsPlacement"] = kernels::eps_placement_id(c.eps_placement);
    j["precision"] = kernels::precision_id(c.storage);
    j["accumulate"] = kernels::accumulate_id(c.accumulate);
    j["momentum"] = c.momentum;
    j["projector"] = ui_.projector;
    j["scenario"] = ui_.guide.tour.active() ? ui_.guide.tour.scenario().id : "";
    j["step"] = ui_.guide.tour.active() ? static_cast<long long>(ui_.guide.tour.step_index()) + 1 : 0;
    j["steps"] = ui_.guide.tour.active() ? ui_.guide.tour.scenario().steps.size() : 0;   // of the walkthrough
    j["scenarios"] = ui_.guide.scenarios.size();
    j["opening"] = ui_.guide.opening ? ui_.guide.opening->id : "";   // waiting for its file
    j["scenarioErrors"] = ui_.guide.load_errors;
    j["lastVerdict"] = last_verdict_;
    j["taskDone"] = ui_.guide.tour.active() && !ui_.guide.show_summary && ui_.guide.tour.task_done();
    if (ui_.guide.tour.active()) {
        const scenario::Score sc = ui_.guide.tour.score();
        j["score"] = {{"points", sc.points}, {"max", sc.max_points}, {"correct", sc.correct}, {"questions", sc.questions}};
    }
    j["view"] = ui_.view == ui::View::Weights    ? "weights"
                : ui_.view == ui::View::Training ? "training"
                                                 : "activations";
    {
        // The training lab: steps done over every run, whether slices run, and how long the
        // first curve took (seconds from the start of the runs; -1 until every run has one).
        const ui::TrainUi& t = ui_.train;
        const train::Experiment& e = t.lab.experiment();
        nlohmann::json runs = nlohmann::json::array();
        for (std::size_t i = 0; i < e.size(); ++i)
            runs.push_back({{"label", e.label(i)}, {"steps", e.run(i).status().step},
                            {"diverged", e.run(i).status().diverged}});
        j["train"] = {{"experiment", train::lab_experiment_id(t.lab.settings().experiment)},
                      {"configured", t.configured}, {"running", t.running},
                      {"steps", t.lab.steps_done()}, {"total", t.lab.steps_total()},
                      {"runs", runs}, {"finished", t.lab.finished()},
                      {"firstCurveS", t.first_curve_s}, {"sliceSteps", t.last_slice_steps},
                      {"sliceMs", t.last_slice_ms}, {"msPerStep", t.lab.ms_per_step()},
                      {"error", t.error}};
    }
    j["language"] = ui_.guide.language;
    j["uiStrings"] = ui_.strings ? ui_.strings->strings.size() : 0;   // translations loaded
    j["zoom"] = ui_.zoom;
    j["helpOpen"] = ui_.help_open;
    j["textInput"] = ImGui::GetCurrentContext() && ImGui::GetIO().WantTextInput;   // a text field has the keys
    j["reduceMotion"] = ui_.reduce_motion;
    j["coarsePointer"] = ui_.coarse_pointer;
    j["frameHeight"] = ImGui::GetCurrentContext() ? ImGui::GetFrameHeight() : 0.f;   // CSS px
    j["embed"] = ui_.embed;
    j["locked"] = ui_.locked;
    j["hidden"] = ui_.hidden;
    nlohmann::json areas = nlohmann::json::object();   // drawn last frame: "locked" or "on"
    for (const auto& [id, locked] : ui_.drawn_areas) areas[id] = locked ? "locked" : "on";
    j["areas"] = areas;
    nlohmann::json items = nlohmann::json::object();   // share buttons and popups: [x, y, w, h]
    for (const auto& [id, r] : ui_.item_rects) items[id] = r;
    j["items"] = items;
    j["fullscreen"] = {{"enabled", ui_.fullscreen_enabled}, {"active", ui_.fullscreen_active}};
    j["shareUrl"] = ui_.share_url;
    j["copied"] = ui_.copied;
    j["parentOrigins"] = parent_origins_;
    j["weights"] = {{"section", sim::weight_section_name(weights_.config().section)},
                    {"sigmaEstimate", weights_.spectral().sigma_estimate},
                    {"sigma", weights_.spectral().sigma},
                    {"iterations", weights_.spectral().history.size()}};
    j["compare"] = lab_.compare() ? kernels::norm_id(*lab_.compare()) : "";
    j["batchesTrained"] = lab_.batches_trained();
    j["trainEvalGap"] = lab_.train_eval_gap();
    j["nonfinite"] = lab_.nonfinite_outputs();
    // Where the raw heatmap is: cell (gx, gy) of the layout grid spans
    // [x + gx*cell, x + (gx+1)*cell) (gaps between tiles count as one cell).
    j["board"] = {{"x", ui_.board_x}, {"y", ui_.board_y}, {"cell", ui_.board_cell}, {"slabCols", ui_.board_slab_cols},
                  {"animating", ui_.heatmaps[0].tween_start >= 0}};
    if (ui_.hovered_cell >= 0 && static_cast<std::size_t>(ui_.hovered_cell) < lab_.x().size()) {
        const auto i = static_cast<std::size_t>(ui_.hovered_cell);
        const std::size_t g = kernels::group_of(lab_.plan(), i);
        j["hover"] = {{"cell", i}, {"group", g}, {"x", lab_.x()[i]}, {"y", lab_.y()[i]},
                      {"mean", lab_.trace().mean[g]}, {"var", lab_.trace().var[g]}, {"rms", lab_.trace().rms[g]}};
    } else {
        j["hover"] = nullptr;
    }
    if (lab_.error().empty()) {
        const auto stats = [&](const std::vector<float>& v) {
            const sim::CellStats s = sim::group_cell_stats(v, lab_.plan(), lab_.sweep().group);
            return nlohmann::json{{"mean", s.mean}, {"std", s.std}, {"rms", s.rms}, {"count", s.count}};
        };
        j["before"] = stats(lab_.x());
        j["after"] = stats(lab_.y());
    }
    return j;
}

} // namespace normlab::app

namespace normlab::app {

std::string App::command(const std::string& text) {
    // From a char range, as the scenario room parses: one nlohmann parser in the download.
    const nlohmann::json j = nlohmann::json::parse(text.data(), text.data() + text.size(), nullptr, false);
    if (!j.is_object() || !j.contains("op") || !j["op"].is_string())
        return "a command is a JSON object with a string \"op\"";
    const std::string op = j["op"];
    const auto number = [&](const char* key, double fallback) {
        return j.contains(key) && j[key].is_number() ? j[key].get<double>() : fallback;
    };
    if (op == "scale_example")
        return lab_.scale_example(static_cast<int>(number("example", -1)), static_cast<float>(number("factor", 1)));
    if (op == "train") return lab_.train_batches(static_cast<int>(number("steps", 1)));
    if (op == "reset_running") {
        lab_.reset_running();
        return lab_.set_mode(lab_.config().mode);
    }
    if (op == "mode") {
        kernels::NormMode mode{};
        if (!j.contains("mode") || !j["mode"].is_string() || !kernels::parse_mode_id(j["mode"], &mode))
            return "mode must be \"train\" or \"eval\"";
        return lab_.set_mode(mode);
    }
    if (op == "scenario") {
        const std::string id = j.contains("id") && j["id"].is_string() ? j["id"].get<std::string>() : "";
        // A walkthrough the catalogue only lists opens when its file arrives (a frame or more
        // later); NormLab.state().opening names it meanwhile.
        if (ui_.guide.start(id, lab_, static_cast<int>(number("step", 1)) - 1) == ui::GuideState::Start::Unknown)
            return "unknown scenario '" + id + "'";
        return "";
    }
    if (op == "next" || op == "back" || op == "answer") {
        ui::GuideState& g = ui_.guide;
        if (!g.tour.active()) return "no walkthrough is running";
        if (op == "next") {
            if (g.tour.at_last()) g.show_summary = true;   // as the panel's Finish button
            g.tour.next(lab_);
        }
        if (op == "back") g.tour.back(lab_);
        if (op == "answer") {
            const auto q = static_cast<std::size_t>(number("question", 0));
            scenario::Grade grade;
            if (j.contains("value")) {
                grade = g.tour.answer_number(q, number("value", 0));
            } else if (j.contains("choose") && j["choose"].is_array()) {
                std::vector<std::size_t> chosen;
                for (const auto& v : j["choose"])
                    if (v.is_number_unsigned()) chosen.push_back(v.get<std::size_t>());
                grade = g.tour.answer_choice(q, chosen);
            } else {
                return "answer needs \"value\" (numeric) or \"choose\" (option indices)";
            }
            // The guide panel and the live region show this grade as if it was clicked.
            if (g.inputs_step != g.tour.step_index()) {
                g.inputs.assign(g.tour.step().quiz.size(), ui::QuestionInput{});
                for (std::size_t k = 0; k < g.inputs.size(); ++k)
                    g.inputs[k].chosen.assign(g.tour.step().quiz[k].options.size(), false);
                g.inputs_step = g.tour.step_index();
            }
            if (q < g.inputs.size()) {
                g.inputs[q].grade = grade;
                g.inputs[q].graded = true;
            }
            last_verdict_ = grade.verdict == scenario::Verdict::Correct     ? "correct"
                            : grade.verdict == scenario::Verdict::Incorrect ? "incorrect"
                            : grade.verdict == scenario::Verdict::Revealed  ? "revealed"
                                                                             : "invalid: " + grade.message;
        }
        g.progress.scenarios[g.tour.scenario().id] = g.tour.record();
        g.progress_dirty = true;
        return "";
    }
    if (op == "step") {
        // Go to step n (from 1) of the running walkthrough.
        ui::GuideState& g = ui_.guide;
        if (!g.tour.active()) return "no walkthrough is running";
        const double n = number("step", 0);
        if (n < 1 || n > static_cast<double>(g.tour.step_count()) || n != std::floor(n))
            return "step must be a whole number from 1 to " + std::to_string(g.tour.step_count());
        g.tour.go_to(static_cast<std::size_t>(n) - 1, lab_);
        g.show_summary = false;
        g.progress.scenarios[g.tour.scenario().id] = g.tour.record();
        g.progress_dirty = true;
        return "";
    }
    if (op == "set") {
        // setState(partial): the same keys as the URL, applied on top of the current state.
        if (!j.contains("state") || !j["state"].is_object()) return "set needs a \"state\" object";
        const nlohmann::json state = j["state"];
        const std::string notes = apply_params(
            [&state](const char* key) -> std::string {
                if (!state.contains(key)) return "";
                const auto& v = state[key];
                if (v.is_string()) return v.get<std::string>();
                if (v.is_array()) {   // shape: [16, 12]
                    std::string t;
                    for (const auto& d : v) t += (t.empty() ? "" : "x") + d.dump();
                    return t;
                }
                return v.dump();
            },
            lab_.config());
        return notes;
    }
    if (op == "view") {
        const bool weights = j.contains("view") && j["view"] == "weights";
        const bool training = j.contains("view") && j["view"] == "training";
        if (!weights && !training && !(j.contains("view") && j["view"] == "activations"))
            return "view must be \"activations\", \"weights\" or \"training\"";
        ui_.view = weights ? ui::View::Weights : training ? ui::View::Training : ui::View::Activations;
        ui_.select_view = true;
        return "";
    }
    if (op == "training") {
        // {"op": "training", "experiment": "placement", "run": true, "reset": true}
        if (j.contains("experiment")) {
            train::LabExperiment e{};
            if (!j["experiment"].is_string() || !train::parse_lab_experiment(j["experiment"].get<std::string>(), &e))
                return "experiment must be one of lr, batch, momentum, placement, precision, jacobian";
            const std::string error = ui::open_experiment(ui_, e);
            if (!error.empty()) return error;
        }
        if (j.contains("reset") && j["reset"] == true) {
            ui_.train.lab.reset();
            ui_.train.first_curve_s = -1;
        }
        if (j.contains("run")) {
            if (!j["run"].is_boolean()) return "run must be true or false";
            ui_.train.running = j["run"].get<bool>() && !ui_.train.lab.finished();
        }
        return "";
    }
    if (op == "focus") {
        lab_.focus_group(static_cast<std::size_t>(std::max(0.0, number("group", 0))));
        lab_.sweep().playing = false;
        return "";
    }
    if (op == "play") {
        lab_.sweep().playing = !j.contains("playing") || j["playing"] == true;
        return "";
    }
    if (op == "cell") {
        const double cell = number("cell", -1);
        if (cell < 0) return "cell must be a non-negative index";
        return lab_.set_cell(static_cast<std::size_t>(cell), static_cast<float>(number("value", 0)));
    }
    return "unknown command op '" + op + "'";
}

std::string App::live_text_json() const { return ui::live_region_json(ui_, lab_); }

std::string App::export_data(const std::string& kind) const {
    if (kind == "json") return sim::export_json(lab_);
    if (kind == "csv") return sim::export_csv(lab_);
    if (kind == "pytorch") return sim::pytorch_snippet(lab_);
    return "";
}

} // namespace normlab::app

namespace normlab::app {

std::string App::load_files(const std::vector<NamedFile>& files, const std::string& progress,
                            const ParamFn& param) {
    ui::GuideState& g = ui_.guide;
    std::string notes;
    const auto add = [&](const std::string& more) {
        if (!more.empty()) notes += (notes.empty() ? "" : "; ") + more;
    };
    // Catalogues first (stubs), then documents: a walkthrough fetched at start (the one a
    // link opens) replaces its own entry.
    std::vector<const NamedFile*> documents;
    bool any_guide_file = false;
    for (const NamedFile& f : files) {
        if (f.name == kFontFile) {
            fonts_.ttf = f.data;
            continue;
        }
        const std::size_t slash = f.name.rfind('/');
        const std::string dir = slash == std::string::npos ? "" : f.name.substr(0, slash + 1);
        const std::string base = f.name.substr(dir.size());
        if (base.size() <= 5 || base.compare(base.size() - 5, 5, ".json") != 0) continue;
        any_guide_file = true;
        if (base.rfind("catalogue", 0) != 0) {
            documents.push_back(&f);
            continue;
        }
        scenario::Loaded<std::vector<scenario::Scenario>> listed = scenario::load_catalogue(f.data, f.name);
        for (const scenario::Error& e : listed.errors) g.load_errors.push_back(scenario::format_error(e));
        if (!listed.ok()) continue;
        for (scenario::Scenario& s : *listed.value) {
            s.file = dir + s.file;   // entries name files beside their catalogue
            g.scenarios.push_back(std::move(s));
        }
    }
    std::sort(documents.begin(), documents.end(), [](const NamedFile* a, const NamedFile* b) { return a->name < b->name; });
    for (const NamedFile* f : documents) {
        scenario::Loaded<scenario::Document> doc = scenario::load_document_at(f->data, f->name);
        for (const scenario::Error& e : doc.errors) g.load_errors.push_back(scenario::format_error(e));
        if (!doc.ok()) continue;
        if (doc.value->kind == scenario::DocumentKind::LabText) {
            if (!g.text || doc.value->lab_text.language == g.language) g.text = doc.value->lab_text;
        } else if (doc.value->kind == scenario::DocumentKind::UiText) {
            if (doc.value->ui_text.language == g.language) ui_.strings = doc.value->ui_text;
        } else {
            const auto listed = std::find_if(g.scenarios.begin(), g.scenarios.end(),
                                             [&](const scenario::Scenario& s) { return s.file == f->name; });
            if (listed != g.scenarios.end()) *listed = std::move(doc.value->scenario);
            else g.scenarios.push_back(std::move(doc.value->scenario));
        }
    }
    font_error_ = ui::font_problem(fonts_.ttf);
    if (!any_guide_file) add("no scenario files were found; the walkthroughs are unavailable");
    std::vector<std::string> messages;
    if (!progress.empty()) g.progress = scenario::load_progress(progress, &messages);
    for (const std::string& m : messages) add(m);
    const std::string id = param("scenario");
    if (!id.empty()) {
        long long step = 1;
        const std::string step_text = param("step");
        if (!step_text.empty() && (!parse_int(step_text, &step) || step < 1)) {
            add("step=" + step_text + " is not a step number (1, 2, ...)");
            step = 1;
        }
        const ui::GuideState::Start started = g.start(id, lab_, static_cast<int>(step - 1));
        if (started == ui::GuideState::Start::Unknown) {
            std::string ids;
            for (const scenario::Scenario& s : g.scenarios)
                if (ids.find(s.id) == std::string::npos) ids += (ids.empty() ? "" : ", ") + s.id;
            add("unknown scenario '" + id + "'; available: " + ids);
        } else if (started == ui::GuideState::Start::Started) {
            // A shared link carries the lab keys only when the learner had changed the lab
            // in this step: put them back on top of the step's own state. (web/page.js
            // fetches the linked walkthrough at start, so it has started here.)
            bool lab_keys = false;
            for (const char* key : {"family", "shape", "seed", "preset", "groups", "eps", "eps_placement", "precision",
                                    "accumulate", "mode", "momentum", "compare", "batch", "features", "channels",
                                    "length", "height", "width"})
                lab_keys = lab_keys || !param(key).empty();
            add(lab_keys ? apply_params(param, lab_.config()) : apply_group(param));
        }
    }
    if (!g.load_errors.empty())
        add(std::to_string(g.load_errors.size()) + " problem(s) in the scenario files (see the Guide tab)");
    if (!notes.empty()) ui::show_note(ui_, notes);
    return notes;
}

std::vector<std::string> App::take_file_requests() { return ui_.guide.take_requests(); }

void App::file_arrived(const std::string& name, const std::string& data) {
    const std::string note = ui_.guide.arrived(name, data, lab_);
    if (!note.empty()) ui::show_note(ui_, note);
}

void App::file_failed(const std::string& name, const std::string& why) {
    const std::string note = ui_.guide.failed(name, why);
    if (!note.empty()) ui::show_note(ui_, note);
}

std::string App::take_progress() {
    if (!ui_.guide.progress_dirty) return "";
    ui_.guide.progress_dirty = false;
    return scenario::save_progress(ui_.guide.progress);
}

} // namespace normlab::app
