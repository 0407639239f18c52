// ui/panel_train.cpp: the training and depth lab tab. Runs train::TrainLab in wall-clock time
// slices between frames (TrainUi::budget_ms, so training never freezes the UI), and draws the
// experiment selector, settings, run/pause/reset, the curves (ui/plot.h), the per-block plot
// of the residual stack, the Jacobian heatmap, the table of runs and the generated findings.
// Reads the lab and changes it only through configure/run_for/reset. No teaching prose here:
// labels, one-line captions and the findings the lab generates from its measurements.
// Index: [SECTION] helpers, tour, controls, curves, depth, jacobian, table, panel.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "imgui.h"
#include "scenario/train_bridge.h"
#include "ui/i18n.h"
#include "ui/panels.h"
#include "ui/plot.h"
#include "ui/widgets.h"

namespace normlab::ui {

namespace {

// [SECTION] helpers

constexpr ImU32 kPalette[] = {
    IM_COL32(64, 224, 240, 255),  IM_COL32(255, 170, 60, 255), IM_COL32(200, 140, 255, 255),
    IM_COL32(255, 230, 90, 255),  IM_COL32(120, 220, 120, 255), IM_COL32(255, 120, 170, 255),
    IM_COL32(120, 150, 255, 255), IM_COL32(200, 200, 200, 255), IM_COL32(160, 110, 60, 255),
};
ImU32 colour(std::size_t i) {
    return kPalette[i % std::size(kPalette)];
}
const ImVec4 kHolds(0.55f, 0.92f, 0.62f, 1.f);
const ImVec4 kFails(1.f, 0.58f, 0.45f, 1.f);
const ImVec4 kOpen(0.75f, 0.78f, 0.85f, 1.f);

using train::LabExperiment;

std::string fmt(const char* f, double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, f, v);
    return buf;
}

// Index of the norm a run label starts with in the lr sweep (runs are norm-major).
std::size_t lr_run(std::size_t norm, std::size_t lr) {
    return norm * std::size(train::kLrValues) + lr;
}

double now_ms() {
    return std::chrono::duration<double, std::milli>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

void configure(UiState& state, const train::TrainLabSettings& s) {
    TrainUi& t = state.train;
    const double start = now_ms();
    const std::string error = t.lab.configure(s);
    if (!error.empty()) {
        t.error = error;
        show_note(state, error);
        return;
    }
    t.error.clear();
    t.configured = true;
    t.running = t.wants_run && !state.reduce_motion && s.experiment != LabExperiment::Jacobian;
    t.started_ms = start;
    t.first_curve_s = -1;
}

void restart_clock(TrainUi& t) {
    t.started_ms = now_ms();
    t.first_curve_s = -1;
}

// Every run has at least two points: each has a visible line.
bool every_run_has_a_curve(const train::Experiment& e) {
    if (e.size() == 0) return false;
    for (std::size_t i = 0; i < e.size(); ++i)
        if (e.run(i).curves().loss.size() < 2 && !e.run(i).finished()) return false;
    return true;
}

// The training slice of this frame: adapts to the measured cost inside TrainLab::run_for.
void run_slice(UiState& state) {
    TrainUi& t = state.train;
    if (!t.running || t.lab.finished()) {
        if (t.lab.finished()) t.running = false;
        t.last_slice_steps = 0;
        // A paused lab still shows every run's step-0 measurements (the depth view at step 0).
        t.lab.prepare(t.budget_ms);
        return;
    }
    const double before = now_ms();
    t.last_slice_steps = t.lab.run_for(t.first_curve_s < 0 ? t.start_budget_ms : t.budget_ms);
    t.last_slice_ms = now_ms() - before;
    if (t.first_curve_s < 0 && every_run_has_a_curve(t.lab.experiment()))
        t.first_curve_s = (now_ms() - t.started_ms) / 1000.0;
    if (t.lab.finished()) t.running = false;
}

// A labelled int slider that reconfigures on release (not every drag step: rebuilding 20 runs
// per pixel would be wasted work).
bool slider_int(const char* label, int* v, int lo, int hi, float width) {
    ImGui::SetNextItemWidth(width);
    ImGui::SliderInt(label, v, lo, hi, "%d", ImGuiSliderFlags_AlwaysClamp);
    return ImGui::IsItemDeactivatedAfterEdit();
}
bool slider_float(const char* label, float* v, float lo, float hi, const char* format,
                  float width, bool log) {
    ImGui::SetNextItemWidth(width);
    ImGui::SliderFloat(label, v, lo, hi, format,
                       ImGuiSliderFlags_AlwaysClamp | (log ? ImGuiSliderFlags_Logarithmic : 0));
    return ImGui::IsItemDeactivatedAfterEdit();
}

// [SECTION] controls

void draw_experiment_selector(UiState& state) {
    TrainUi& t = state.train;
    ImGui::BeginGroup();
    const float right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
    bool first = true;
    for (LabExperiment e : train::kLabExperiments) {
        const char* name = tr(train::lab_experiment_name(e));
        const float w = ImGui::CalcTextSize(name).x + ImGui::GetStyle().FramePadding.x * 2;
        if (!first) {
            ImGui::SameLine();
            if (ImGui::GetCursorScreenPos().x + w > right) ImGui::NewLine();
        }
        first = false;
        const bool on = t.lab.settings().experiment == e;
        if (on) ImGui::PushStyleColor(ImGuiCol_Button, ImGui::GetStyleColorVec4(ImGuiCol_ButtonActive));
        ImGui::PushID(train::lab_experiment_id(e));
        if (ImGui::Button(name) && !on) open_experiment(state, e);
        ImGui::PopID();
        if (on) ImGui::PopStyleColor();
    }
    ImGui::EndGroup();
    spotlight(state, "train.experiment");
}

void draw_run_controls(UiState& state) {
    TrainUi& t = state.train;
    ImGui::BeginGroup();
    const bool jac = t.lab.settings().experiment == LabExperiment::Jacobian;
    ImGui::BeginDisabled(jac);
    if (t.running) {
        if (ImGui::Button(tr_id("Pause"))) t.running = false;
    } else {
        const bool done = t.lab.finished() && !jac;
        if (ImGui::Button(done ? tr_id("Run again") : tr_id("Run"))) {
            if (done || t.lab.steps_done() == 0) {
                t.lab.reset();
                restart_clock(t);
            }
            t.running = true;
        }
    }
    ImGui::SameLine();
    if (ImGui::Button(tr_id("Reset"))) {
        t.lab.reset();
        t.running = false;
        restart_clock(t);
    }
    ImGui::EndDisabled();
    ImGui::SameLine();
    if (!jac) {
        const int done = t.lab.steps_done(), total = std::max(1, t.lab.steps_total());
        const std::string label = std::to_string(done) + " / " + std::to_string(total) + " " + tr("steps");
        const float w = std::clamp(ImGui::GetContentRegionAvail().x, 80.f, ImGui::GetFontSize() * 16);
        ImGui::ProgressBar(t.lab.finished() ? 1.f : static_cast<float>(done) / total, ImVec2(w, 0),
                           label.c_str());
    }
    ImGui::EndGroup();
    spotlight(state, "train.run");
}

void draw_settings(UiState& state) {
    TrainUi& t = state.train;
    train::TrainLabSettings s = t.lab.settings();
    const LabExperiment e = s.experiment;
    const float font = ImGui::GetFontSize();
    const float w = std::min(font * 9, ImGui::GetContentRegionAvail().x * 0.5f);
    bool changed = false;
    ImGui::BeginGroup();
    const auto wrap = [&](float item_w) {
        ImGui::SameLine();
        if (ImGui::GetContentRegionAvail().x < item_w) ImGui::NewLine();
    };
    if (e != LabExperiment::Jacobian) {
        static const char* const kTasks[] = {"spirals", "gaussians", "circles", "xor"};
        int task = static_cast<int>(s.task);
        ImGui::SetNextItemWidth(w);
        if (ImGui::Combo(tr_id("task"), &task, kTasks, 4)) {
            s.task = static_cast<train::TaskKind>(task);
            changed = true;
        }
        wrap(w + font * 4);
        changed |= slider_int(tr_id("steps"), &s.steps, 50, 2000, w);
        if (e != LabExperiment::Lr) {
            wrap(w + font * 4);
            changed |= slider_float(tr_id("lr"), &s.lr, 0.001f, 3.f, "%.3g", w, true);
        }
        if (e != LabExperiment::Batch) {
            wrap(w + font * 4);
            changed |= slider_int(tr_id("batch"), &s.batch, 2, 256, w);
        }
        wrap(w + font * 4);
        changed |= slider_int(e == LabExperiment::Placement ? tr_id("blocks") : tr_id("layers"),
                              &s.depth, 1, e == LabExperiment::Placement ? train::kMaxDepth : 16, w);
        if (e == LabExperiment::Placement) {
            wrap(w + font * 4);
            changed |= slider_int(tr_id("warmup"), &s.warmup, 0, 500, w);
        }
        if (e == LabExperiment::Batch || e == LabExperiment::Placement || e == LabExperiment::Precision) {
            const std::vector<train::Norm> norms =
                e == LabExperiment::Batch
                    ? std::vector<train::Norm>{train::Norm::Batch, train::Norm::Layer, train::Norm::Rms, train::Norm::None}
                    : std::vector<train::Norm>{train::Norm::Layer, train::Norm::Rms};
            wrap(w + font * 4);
            ImGui::SetNextItemWidth(w);
            if (ImGui::BeginCombo(tr_id("norm"), train::norm_choice_name(s.norm))) {
                for (train::Norm n : norms)
                    if (ImGui::Selectable(train::norm_choice_name(n), n == s.norm) && n != s.norm) {
                        s.norm = n;
                        changed = true;
                    }
                ImGui::EndCombo();
            }
        }
        if (e == LabExperiment::Precision) {
            wrap(w + font * 4);
            changed |= slider_float(tr_id("eps"), &s.eps, 1e-8f, 1e-1f, "%.0e", w, true);
        }
    } else {
        int kind = s.jacobian_kind == kernels::NormKind::Layer ? 0 : 1;
        if (ImGui::RadioButton("LayerNorm", kind == 0)) kind = 0;
        ImGui::SameLine();
        if (ImGui::RadioButton("RMSNorm", kind == 1)) kind = 1;
        const kernels::NormKind k = kind == 0 ? kernels::NormKind::Layer : kernels::NormKind::Rms;
        if (k != s.jacobian_kind) {
            s.jacobian_kind = k;
            changed = true;
        }
        wrap(w + font * 4);
        changed |= slider_int(tr_id("n"), &s.jacobian_n, 2, train::kMaxJacobianSize, w);
        wrap(w + font * 4);
        changed |= slider_float(tr_id("shift"), &s.jacobian_shift, -5.f, 5.f, "%.2f", w, false);
        wrap(w + font * 4);
        changed |= slider_float(tr_id("eps"), &s.eps, 0.f, 1.f, "%.0e", w, false);
        wrap(w + font * 4);
        int seed = static_cast<int>(s.seed);
        if (slider_int(tr_id("seed"), &seed, 1, 99, w)) {
            s.seed = static_cast<std::uint64_t>(seed);
            changed = true;
        }
    }
    ImGui::EndGroup();
    spotlight(state, "train.settings");
    if (changed) configure(state, s);
}

// [SECTION] curves

struct SeriesSet {
    std::vector<PlotSeries> loss, acc;
};

// Loss per step and accuracy per evaluation of the runs `which`, coloured by position.
SeriesSet curves_of(const train::Experiment& e, const std::vector<std::size_t>& which,
                    const std::vector<std::string>& labels, bool train_acc_dashed) {
    SeriesSet s;
    for (std::size_t k = 0; k < which.size(); ++k) {
        const train::Trainer& r = e.run(which[k]);
        const train::Curves& c = r.curves();
        const int div = r.status().diverged ? r.status().diverged_step : -1;
        s.loss.push_back(PlotSeries{.label = labels[k], .y = c.loss, .x0 = 1, .x_step = 1,
                                    .colour = colour(k), .diverged_at = div});
        s.acc.push_back(PlotSeries{.label = labels[k], .y = c.eval_acc, .x = c.eval_step,
                                   .colour = colour(k), .markers = c.eval_acc.size() < 30,
                                   .diverged_at = div});
        if (train_acc_dashed)
            s.acc.push_back(PlotSeries{.label = labels[k] + " " + tr("train"), .y = c.train_acc,
                                       .x = c.eval_step, .colour = colour(k), .dashed = true});
    }
    return s;
}

void draw_curves(UiState& state, const SeriesSet& s, const char* acc_label, float steps) {
    const float avail = ImGui::GetContentRegionAvail().x;
    const float font = ImGui::GetFontSize();
    const bool side = avail > font * 44;
    const float w = side ? (avail - ImGui::GetStyle().ItemSpacing.x) * 0.5f : avail;
    const float h = std::clamp(w * 0.55f, font * 9, font * 16);
    ImGui::BeginGroup();
    ImGui::BeginGroup();
    // x spans the whole run from the start, so live curves grow to the right.
    plot_lines(PlotStyle{.id = "loss", .width = w, .height = h, .log_y = true,
                         .x_label = tr("step"), .y_label = tr("minibatch loss (log)"),
                         .x_min = 0, .x_max = steps},
               s.loss);
    ImGui::EndGroup();
    if (side) ImGui::SameLine();
    ImGui::BeginGroup();
    plot_lines(PlotStyle{.id = "acc", .width = w, .height = h, .x_label = tr("step"),
                         .y_label = acc_label, .x_min = 0, .x_max = steps, .y_min = 0,
                         .y_max = 1, .legend = false},
               s.acc);
    ImGui::EndGroup();
    ImGui::EndGroup();
    spotlight(state, "train.plot");
}

// [SECTION] depth

void draw_depth(UiState& state) {
    TrainUi& t = state.train;
    const train::Experiment& e = t.lab.experiment();
    ImGui::TextUnformatted(tr("Per residual block"));
    ImGui::SameLine();
    if (ImGui::RadioButton(tr_id("activation RMS"), !t.depth_grad)) t.depth_grad = false;
    ImGui::SameLine();
    if (ImGui::RadioButton(tr_id("gradient norm"), t.depth_grad)) t.depth_grad = true;
    ImGui::SameLine();
    ImGui::Checkbox(tr_id("at step 0"), &t.depth_init);
    std::vector<PlotSeries> series;
    for (std::size_t i = 0; i < e.size(); ++i) {
        const train::LayerStats& ls = t.depth_init ? e.run(i).layers_at_init() : e.run(i).layers_latest();
        const std::vector<float>& v = t.depth_grad ? ls.grad_norm : ls.act_rms;
        const bool warm = e.label(i).find("warmup 0") == std::string::npos;
        series.push_back(PlotSeries{.label = e.label(i), .y = v, .x0 = 1, .x_step = 1,
                                    .colour = colour(i % 4), .dashed = warm,
                                    .markers = v.size() <= 24});
    }
    const float avail = ImGui::GetContentRegionAvail().x;
    ImGui::BeginGroup();
    plot_lines(PlotStyle{.id = "depth", .width = avail,
                         .height = std::clamp(avail * 0.35f, ImGui::GetFontSize() * 9, ImGui::GetFontSize() * 15),
                         .log_y = true, .x_label = tr("block"),
                         .y_label = t.depth_grad ? tr("|dL/dW| per block (log)") : tr("activation RMS (log)")},
               series);
    ImGui::EndGroup();
    spotlight(state, "train.depth_plot");
}

// [SECTION] jacobian

void draw_matrix(const std::vector<float>& m, int rows, int cols, float range, float cell, bool numbers) {
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 o = ImGui::GetCursorScreenPos();
    for (int r = 0; r < rows; ++r)
        for (int c = 0; c < cols; ++c) {
            const float v = m[static_cast<std::size_t>(r * cols + c)];
            const ImVec2 a(o.x + c * cell, o.y + r * cell), b(a.x + cell - 1, a.y + cell - 1);
            dl->AddRectFilled(a, b, to_imgui(viz::diverging(v / range)));
            if (numbers) {
                const std::string t = fmt("%.2f", v);
                const ImVec2 ts = ImGui::CalcTextSize(t.c_str());
                // The map is light near 0 and mid-tone at the ends: dark text reads on both.
                dl->AddText(ImVec2(a.x + (cell - ts.x) * 0.5f, a.y + (cell - ts.y) * 0.5f),
                            IM_COL32(10, 12, 16, 255), t.c_str());
            }
        }
    ImGui::Dummy(ImVec2(cols * cell, rows * cell));
    if (ImGui::IsItemHovered()) {
        const ImVec2 p = ImGui::GetIO().MousePos;
        const int c = static_cast<int>((p.x - o.x) / cell), r = static_cast<int>((p.y - o.y) / cell);
        if (r >= 0 && r < rows && c >= 0 && c < cols)
            ImGui::SetTooltip("J[%d][%d] = dy_%d/dx_%d = %.5f", r, c, r, c,
                              static_cast<double>(m[static_cast<std::size_t>(r * cols + c)]));
    }
}

void vector_row(const char* label, const std::vector<float>& v) {
    std::string s;
    for (float x : v)
        s += fmt("%+.3f  ", x);
    ImGui::Text("%-7s", label);
    ImGui::SameLine();
    ImGui::TextWrapped("%s", s.c_str());
}

void draw_jacobian(UiState& state) {
    const TrainUi& t = state.train;
    const auto& jv = t.lab.jacobian();
    if (!jv.error.empty()) {
        ImGui::TextColored(kFails, "%s", jv.error.c_str());
        return;
    }
    const bool layer = t.lab.settings().jacobian_kind == kernels::NormKind::Layer;
    const train::Jacobian& j = layer ? jv.layer : jv.rms;
    const int n = j.n;
    float range = 1e-6f;
    for (float v : j.j)
        range = std::max(range, std::abs(v));
    const float font = ImGui::GetFontSize();
    const float avail = ImGui::GetContentRegionAvail().x;
    const float cell = std::floor(std::clamp((avail - font * 2) / static_cast<float>(n), font * 1.2f, font * 3.2f));
    ImGui::Text("%s J = dy/dx  (%d x %d, %s %.3g)", layer ? "LayerNorm" : "RMSNorm", n, n, tr("colour range ±"),
                static_cast<double>(range));
    ImGui::BeginGroup();
    draw_matrix(j.j, n, n, range, cell, cell >= font * 2.4f);
    ImGui::EndGroup();
    spotlight(state, "train.jacobian");
    draw_legend(range, std::min(avail, cell * n));
    vector_row("x", jv.x);
    vector_row("y", j.y);
    vector_row("J 1", layer ? jv.layer_ones : jv.rms_ones);
    vector_row("J x", layer ? jv.layer_x : jv.rms_x);
}

// [SECTION] table

void draw_table(UiState& state) {
    const TrainUi& t = state.train;
    const train::Experiment& e = t.lab.experiment();
    const LabExperiment x = t.lab.settings().experiment;
    if (e.size() == 0) return;
    const auto sums = e.summarize();
    const ImGuiTableFlags flags = ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg |
                                  ImGuiTableFlags_SizingFixedFit | ImGuiTableFlags_ScrollX;
    ImGui::BeginGroup();
    const auto cell_of = [](const train::RunSummary& s) {
        if (s.diverged) return std::string("× ") + tr("step") + " " + std::to_string(s.diverged_step);
        if (s.steps == 0) return std::string("-");
        return fmt("%.3g", s.final_loss) + (s.finished ? "" : "…");
    };
    const float rows_h = ImGui::GetTextLineHeightWithSpacing() * (x == LabExperiment::Lr ? 5.4f : sums.size() + 1.3f);
    if (x == LabExperiment::Lr) {
        // Norms down, learning rates across: final loss, or where it diverged.
        ImGui::TextUnformatted(tr("Final loss by norm and learning rate (× = diverged, … = still training)"));
        if (ImGui::BeginTable("lr_table", 1 + static_cast<int>(std::size(train::kLrValues)), flags, ImVec2(0, rows_h))) {
            ImGui::TableSetupColumn(tr("norm"));
            for (float lr : train::kLrValues)
                ImGui::TableSetupColumn(fmt("lr %g", lr).c_str());
            ImGui::TableHeadersRow();
            for (std::size_t n = 0; n < std::size(train::kLrNorms); ++n) {
                ImGui::TableNextRow();
                ImGui::TableNextColumn();
                ImGui::TextUnformatted(train::norm_choice_name(train::kLrNorms[n]));
                for (std::size_t l = 0; l < std::size(train::kLrValues); ++l) {
                    ImGui::TableNextColumn();
                    const train::RunSummary& s = sums[lr_run(n, l)];
                    if (s.diverged) ImGui::TextColored(kFails, "%s", cell_of(s).c_str());
                    else ImGui::TextUnformatted(cell_of(s).c_str());
                }
            }
            ImGui::EndTable();
        }
    } else if (ImGui::BeginTable("runs", 6, flags, ImVec2(0, rows_h))) {
        ImGui::TableSetupColumn(tr("run"));
        ImGui::TableSetupColumn(tr("steps"));
        ImGui::TableSetupColumn(tr("final loss"));
        ImGui::TableSetupColumn(tr("train acc"));
        ImGui::TableSetupColumn(tr("held-out acc"));
        ImGui::TableSetupColumn(tr("gap"));
        ImGui::TableHeadersRow();
        for (std::size_t i = 0; i < sums.size(); ++i) {
            const train::RunSummary& s = sums[i];
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            ImGui::TextColored(ImGui::ColorConvertU32ToFloat4(colour(x == LabExperiment::Placement ? i % 4 : i)),
                               "%s", s.label.c_str());
            ImGui::TableNextColumn();
            ImGui::Text("%d", s.steps);
            ImGui::TableNextColumn();
            if (s.diverged) ImGui::TextColored(kFails, "%s", cell_of(s).c_str());
            else ImGui::TextUnformatted(cell_of(s).c_str());
            ImGui::TableNextColumn();
            ImGui::Text("%.0f%%", static_cast<double>(s.train_acc) * 100);
            ImGui::TableNextColumn();
            ImGui::Text("%.0f%%", static_cast<double>(s.eval_acc) * 100);
            ImGui::TableNextColumn();
            ImGui::Text("%+.0f", static_cast<double>(s.gap) * 100);
        }
        ImGui::EndTable();
    }
    ImGui::EndGroup();
    spotlight(state, "train.table");
}

void draw_findings(UiState& state) {
    ImGui::BeginGroup();
    ImGui::TextUnformatted(tr("What this run measured"));
    for (const train::Finding& f : state.train.lab.findings()) {
        const ImVec4 c = f.kind == train::Finding::Kind::Holds   ? kHolds
                         : f.kind == train::Finding::Kind::Fails ? kFails
                         : f.kind == train::Finding::Kind::Open  ? kOpen
                                                                 : ImGui::GetStyleColorVec4(ImGuiCol_Text);
        const char* mark = f.kind == train::Finding::Kind::Holds   ? "✓ "
                           : f.kind == train::Finding::Kind::Fails ? "✗ "
                                                                   : "· ";
        ImGui::PushStyleColor(ImGuiCol_Text, c);
        ImGui::TextWrapped("%s%s", mark, f.text.c_str());
        ImGui::PopStyleColor();
    }
    ImGui::EndGroup();
    spotlight(state, "train.findings");
}

} // namespace

// [SECTION] tour and panel

std::string open_experiment(UiState& state, LabExperiment experiment) {
    train::TrainLabSettings s = train::default_settings(experiment);
    const train::TrainLabSettings& cur = state.train.lab.settings();
    if (state.train.configured) {
        s.task = cur.task;   // keep what the learner chose that means the same everywhere
        s.seed = cur.seed;
    }
    configure(state, s);
    return state.train.error;
}

void sync_train_with_tour(UiState& state) {
    const auto& tour = state.guide.tour;
    if (!tour.active()) {
        state.train.tour_key.clear();
        return;
    }
    const std::string key = tour.scenario().id + "#" + std::to_string(tour.step_index());
    if (key == state.train.tour_key) return;
    state.train.tour_key = key;
    const scenario::TrainView* view = scenario::train_view_at(tour.scenario(), tour.step_index());
    if (!view) return;
    train::TrainLabSettings s;
    const std::string error = scenario::train_settings(*view, &s);
    if (!error.empty()) {
        show_note(state, error);
        return;
    }
    state.train.wants_run = view->run;
    configure(state, s);
    state.view = View::Training;
    state.select_view = true;
}

void panel_train(UiState& state, const Fonts& fonts) {
    TrainUi& t = state.train;
    if (!t.configured) {
        t.wants_run = t.wants_run && !state.reduce_motion;
        configure(state, t.lab.settings());
    }
    run_slice(state);

    ImGui::BeginGroup();
    if (!state.narrow) {   // the phone layout's collapsing header already says it
        ImGui::PushFont(fonts.heading);
        ImGui::TextUnformatted(tr("Training and depth lab"));
        ImGui::PopFont();
    }
    draw_experiment_selector(state);
    draw_run_controls(state);
    draw_settings(state);
    ImGui::EndGroup();
    spotlight(state, "panel.train");
    ImGui::Separator();

    const train::Experiment& e = t.lab.experiment();
    const LabExperiment x = t.lab.settings().experiment;
    switch (x) {
    case LabExperiment::Lr: {
        ImGui::TextUnformatted(tr("Curves at learning rate"));
        for (std::size_t l = 0; l < std::size(train::kLrValues); ++l) {
            ImGui::SameLine();
            if (ImGui::RadioButton(fmt("%g", train::kLrValues[l]).c_str(), t.lr_shown == static_cast<int>(l)))
                t.lr_shown = static_cast<int>(l);
        }
        std::vector<std::size_t> which;
        std::vector<std::string> labels;
        for (std::size_t n = 0; n < std::size(train::kLrNorms) && e.size() > 0; ++n) {
            which.push_back(lr_run(n, static_cast<std::size_t>(t.lr_shown)));
            labels.emplace_back(train::norm_choice_name(train::kLrNorms[n]));
        }
        draw_curves(state, curves_of(e, which, labels, false), tr("held-out accuracy"),
                    static_cast<float>(t.lab.settings().steps));
        break;
    }
    case LabExperiment::Batch:
    case LabExperiment::Momentum:
    case LabExperiment::Placement:
    case LabExperiment::Precision: {
        std::vector<std::size_t> which;
        std::vector<std::string> labels;
        for (std::size_t i = 0; i < e.size(); ++i) {
            which.push_back(i);
            labels.push_back(e.label(i));
        }
        SeriesSet s = curves_of(e, which, labels, x == LabExperiment::Batch || x == LabExperiment::Momentum);
        if (x == LabExperiment::Placement)   // colour by placement, dashed with warmup
            for (std::size_t i = 0; i < s.loss.size(); ++i) {
                const bool warm = e.label(i).find("warmup 0") == std::string::npos;
                s.loss[i].colour = s.acc[i].colour = colour(i % 4);
                s.loss[i].dashed = s.acc[i].dashed = warm;
            }
        draw_curves(state, s,
                    x == LabExperiment::Batch || x == LabExperiment::Momentum
                        ? tr("accuracy (solid: eval mode, dashed: train mode)")
                        : tr("held-out accuracy"),
                    static_cast<float>(t.lab.settings().steps));
        if (x == LabExperiment::Placement) {
            ImGui::Separator();
            draw_depth(state);
        }
        break;
    }
    case LabExperiment::Jacobian:
        draw_jacobian(state);
        break;
    }
    if (x != LabExperiment::Jacobian) {
        ImGui::Separator();
        draw_table(state);
    }
    ImGui::Separator();
    draw_findings(state);
}

} // namespace normlab::ui
