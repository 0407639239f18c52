#include "app/app.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "imgui.h"
#include "sim/export.h"
#include "sim/families.h"

namespace normlab::app {

namespace {

constexpr const char* kFontPath = "/assets/normlab-ui.ttf";

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
    std::string notes;
    const auto add = [&notes](const std::string& n) {
        if (!n.empty()) notes += (notes.empty() ? "" : "; ") + n;
    };
    sim::LabConfig config;
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
    const int wanted_groups = config.groups;
    lab_.init(config);
    weights_.init({});
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
    ui_.projector = param("projector") == "1";
    if (param("view") == "weights") {
        ui_.view = ui::View::Weights;
        ui_.select_view = true;
    } else if (!param("view").empty() && param("view") != "activations") {
        add("view=" + param("view") + " is unknown; expected activations or weights");
    }
    ui_.upload = hooks.upload;
    ui_.download = hooks.download;
    ui_.screenshot = hooks.screenshot;
    ui_.request_paste = hooks.request_paste;
    ui_.take_paste = hooks.take_paste;
    ui::apply_theme(ui_.projector);
    ui_.projector_applied = ui_.projector;
    if (!notes.empty()) ui::show_note(ui_, notes);
    return notes;
}

bool App::prepare(int width, int height, float pixel_ratio) {
    std::string error;
    const bool rebuilt = ui::ensure_fonts(fonts_, kFontPath, ui::body_font_px(width, height, ui_.projector),
                                          pixel_ratio, &error);
    if (!error.empty() && font_error_.empty()) {
        font_error_ = error;
        ui::show_note(ui_, error);
    }
    return rebuilt;
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
    ui::draw(ui_, lab_, weights_, fonts_, width, height, dt);
    if (stats_.frames++ == 0) stats_.first_frame_ms = time_ms;
    else stats_.record(last_work_ms);
}

std::string App::stats_json() const {
    return nlohmann::json{{"frames", stats_.frames}, {"firstFrameMs", stats_.first_frame_ms},
                          {"frameMsP50", stats_.percentile(0.5)}, {"frameMsP95", stats_.percentile(0.95)}}
        .dump();
}

std::string App::state_json() const {
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
    j["fontLoaded"] = fonts_.from_file;
    j["error"] = lab_.error();
    j["note"] = ui_.note;
    j["preset"] = sim::preset_name(c.preset);
    j["mode"] = kernels::mode_id(c.mode);
    j["epsPlacement"] = kernels::eps_placement_id(c.eps_placement);
    j["precision"] = kernels::precision_id(c.storage);
    j["accumulate"] = kernels::accumulate_id(c.accumulate);
    j["momentum"] = c.momentum;
    j["projector"] = ui_.projector;
    j["view"] = ui_.view == ui::View::Weights ? "weights" : "activations";
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
    j["board"] = {{"x", ui_.board_x}, {"y", ui_.board_y}, {"cell", ui_.board_cell}, {"slabCols", ui_.board_slab_cols}};
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
    return j.dump();
}

} // namespace normlab::app

namespace normlab::app {

std::string App::command(const std::string& text) {
    const nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
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
    if (op == "view") {
        const bool weights = j.contains("view") && j["view"] == "weights";
        if (!weights && !(j.contains("view") && j["view"] == "activations"))
            return "view must be \"activations\" or \"weights\"";
        ui_.view = weights ? ui::View::Weights : ui::View::Activations;
        ui_.select_view = true;
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

std::string App::export_data(const std::string& kind) const {
    if (kind == "json") return sim::export_json(lab_);
    if (kind == "csv") return sim::export_csv(lab_);
    if (kind == "pytorch") return sim::pytorch_snippet(lab_);
    return "";
}

} // namespace normlab::app
