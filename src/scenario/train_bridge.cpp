// scenario/train_bridge.cpp: see train_bridge.h.
#include "scenario/train_bridge.h"

#include <algorithm>

namespace normlab::scenario {

const TrainView* train_view_at(const Scenario& scenario, std::size_t step) {
    if (scenario.steps.empty()) return nullptr;
    step = std::min(step, scenario.steps.size() - 1);
    for (std::size_t k = step + 1; k-- > 0;)
        if (scenario.steps[k].train) return &*scenario.steps[k].train;
    return nullptr;
}

std::string train_settings(const TrainView& v, train::TrainLabSettings* out) {
    train::LabExperiment e{};
    if (!train::parse_lab_experiment(v.experiment, &e))
        return "unknown experiment \"" + v.experiment + "\"";
    train::TrainLabSettings s = train::default_settings(e);
    if (v.task && !train::parse_task_id(*v.task, &s.task)) return "unknown task \"" + *v.task + "\"";
    if (v.norm && !train::parse_norm_choice(*v.norm, &s.norm))
        return "unknown norm \"" + *v.norm + "\"";
    if (v.jacobian) {
        if (*v.jacobian == "layernorm") s.jacobian_kind = kernels::NormKind::Layer;
        else if (*v.jacobian == "rmsnorm") s.jacobian_kind = kernels::NormKind::Rms;
        else return "the Jacobian view shows layernorm or rmsnorm, not \"" + *v.jacobian + "\"";
    }
    if (v.steps) s.steps = *v.steps;
    if (v.batch) s.batch = *v.batch;
    if (v.depth) s.depth = *v.depth;
    if (v.width) s.width = *v.width;
    if (v.warmup) s.warmup = *v.warmup;
    if (v.vector_size) s.jacobian_n = *v.vector_size;
    if (v.lr) s.lr = *v.lr;
    if (v.eps) s.eps = *v.eps;
    if (v.shift) s.jacobian_shift = *v.shift;
    if (std::string error = train::check_lab_settings(s); !error.empty()) return error;
    *out = s;
    return {};
}

} // namespace normlab::scenario
