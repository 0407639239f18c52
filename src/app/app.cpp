#include "app/app.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "imgui.h"
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
    const std::string layout = param("shape");
    if (!layout.empty()) {
        if (layout == "matrix") config.layout = sim::Layout::Matrix;
        else if (layout == "sequence") config.layout = sim::Layout::Sequence;
        else if (layout == "image") config.layout = sim::Layout::Image;
        else add("unknown shape '" + layout + "' in the URL; expected matrix, sequence or image");
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
    ui_.upload = hooks.upload;
    ui_.download = hooks.download;
    ui_.screenshot = hooks.screenshot;
    ui_.request_paste = hooks.request_paste;
    ui_.take_paste = hooks.take_paste;
    ui::apply_theme();
    if (!notes.empty()) ui::show_note(ui_, notes);
    return notes;
}

bool App::prepare(int width, int height, float pixel_ratio) {
    std::string error;
    const bool rebuilt = ui::ensure_fonts(fonts_, kFontPath, ui::body_font_px(width, height),
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
    ui::draw(ui_, lab_, fonts_, width, height, dt);
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
