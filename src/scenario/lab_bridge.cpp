// scenario/lab_bridge.cpp: see lab_bridge.h.
#include "scenario/lab_bridge.h"

#include <algorithm>
#include <cmath>

namespace normlab::scenario {

namespace {

void add_note(std::vector<std::string>& notes, std::string note) {
    if (!note.empty()) notes.push_back(std::move(note));
}

std::size_t key_index(const ConditionKey* key) {
    return static_cast<std::size_t>(key - condition_keys().data());
}

// Number keys hold floats (eps, momentum, the gap): compare in float so that "eps le 1e-3"
// holds for eps set from the same 1e-3.
double as_compared(KeyType type, double v) {
    return type == KeyType::Number ? static_cast<double>(static_cast<float>(v)) : v;
}

bool leaf_holds(const Condition& c, const sim::Lab& lab, const Snapshot* at_start) {
    const ConditionKey* key = find_condition_key(c.key);
    if (!key) return false;
    const KeyValue v = key->read(lab);
    const bool textual = key->type == KeyType::Enum;
    const double n = as_compared(key->type, v.number);
    const auto first_number = [&] {
        return c.numbers.empty() ? 0.0 : as_compared(key->type, c.numbers[0]);
    };
    const auto first_text = [&]() -> const std::string& {
        static const std::string kNone;
        return c.texts.empty() ? kNone : c.texts[0];
    };
    switch (c.compare) {
    case Compare::Changed: {
        const std::size_t i = key_index(key);
        return at_start && i < at_start->size() && !((*at_start)[i] == v);
    }
    case Compare::Has:
        return std::find(v.set.begin(), v.set.end(), first_text()) != v.set.end();
    case Compare::Lacks:
        return std::find(v.set.begin(), v.set.end(), first_text()) == v.set.end();
    case Compare::Eq:
        return textual ? v.text == first_text() : n == first_number();
    case Compare::Ne:
        return textual ? v.text != first_text() : n != first_number();
    case Compare::Lt:
        return n < first_number();
    case Compare::Le:
        return n <= first_number();
    case Compare::Gt:
        return n > first_number();
    case Compare::Ge:
        return n >= first_number();
    case Compare::In:
        if (textual) return std::find(c.texts.begin(), c.texts.end(), v.text) != c.texts.end();
        return std::any_of(c.numbers.begin(), c.numbers.end(),
                           [&](double x) { return as_compared(key->type, x) == n; });
    }
    return false;
}

} // namespace

void reset_lab(sim::Lab& lab) {
    const sim::LabConfig defaults{};
    lab.init(defaults);
    lab.reseed(defaults.seed); // batch index 0, no running statistics
    lab.reset_affine();
}

std::vector<std::string> apply_lab_state(sim::Lab& lab, const LabState& s) {
    std::vector<std::string> notes;
    if (s.layout) add_note(notes, lab.set_layout(*s.layout));
    if (s.preset) lab.set_preset(*s.preset);
    if (s.batch) add_note(notes, lab.set_batch(*s.batch));
    if (s.features) {
        // set_features moves G to a divisor of the new C and says so; a state that also sets
        // groups says which G it wants, so that note is moot.
        std::string note = lab.set_features(*s.features);
        if (!s.groups) add_note(notes, std::move(note));
    }
    if (s.length || s.height || s.width) {
        const sim::LabConfig& c = lab.config();
        add_note(notes, lab.set_spatial(s.length.value_or(c.length), s.height.value_or(c.height),
                                        s.width.value_or(c.width)));
    }
    if (s.seed) lab.reseed(*s.seed);
    if (s.groups) add_note(notes, lab.set_groups(*s.groups));
    if (s.family) add_note(notes, lab.set_family(*s.family));
    if (s.eps) add_note(notes, lab.set_eps(*s.eps));
    if (s.eps_placement) add_note(notes, lab.set_eps_placement(*s.eps_placement));
    if (s.storage || s.accumulate)
        add_note(notes, lab.set_precision(s.storage.value_or(lab.config().storage),
                                          s.accumulate.value_or(lab.config().accumulate)));
    if (s.mode) add_note(notes, lab.set_mode(*s.mode));
    if (s.momentum) add_note(notes, lab.set_momentum(*s.momentum));

    if (s.reset_running) {
        lab.reset_running();
        // reset_running() leaves y as it was; recompute so eval mode shows the fresh defaults.
        add_note(notes, lab.set_eps_placement(lab.config().eps_placement));
    }
    if (s.reset_affine) lab.reset_affine();
    for (const AffineSetting& a : s.affine)
        add_note(notes, lab.set_affine(a.channel, a.gamma, a.beta));
    for (int i = 0; i < s.resample; ++i)
        lab.resample();
    for (const ScaleExample& e : s.scale_examples)
        add_note(notes, lab.scale_example(e.example, e.factor));
    for (const CellSetting& cell : s.cells)
        add_note(notes, cell.index < 0
                            ? "cell " + std::to_string(cell.index) + " is outside the tensor"
                            : lab.set_cell(static_cast<std::size_t>(cell.index), cell.value));
    if (s.train > 0) add_note(notes, lab.train_batches(s.train));
    if (s.focus) {
        if (*s.focus < 0 || static_cast<std::size_t>(*s.focus) >= lab.plan().group_count())
            add_note(notes, "group " + std::to_string(*s.focus) + " does not exist (there are " +
                                std::to_string(lab.plan().group_count()) + ")");
        else
            lab.focus_group(static_cast<std::size_t>(*s.focus));
    }
    if (s.play) lab.sweep().playing = *s.play;
    if (!lab.error().empty()) add_note(notes, lab.error());
    return notes;
}

std::vector<std::string> enter_step(const Scenario& scenario, std::size_t step, sim::Lab& lab) {
    reset_lab(lab);
    std::vector<std::string> notes = apply_lab_state(lab, scenario.lab);
    if (scenario.steps.empty()) return notes;
    step = std::min(step, scenario.steps.size() - 1);
    for (std::size_t i = 0; i <= step; ++i) {
        std::vector<std::string> more = apply_lab_state(lab, scenario.steps[i].lab);
        notes.insert(notes.end(), more.begin(), more.end());
    }
    return notes;
}

sim::LabConfig predict_shape(const sim::LabConfig& current, const LabState& s) {
    sim::LabConfig c = current;
    if (s.layout) c.layout = *s.layout;
    if (s.preset && *s.preset == sim::DataPreset::TinyBatch) c.batch = 2;
    const auto clamp = [](int v, int hi) { return std::clamp(v, 1, hi); };
    if (s.batch) c.batch = clamp(*s.batch, sim::kMaxBatch);
    if (s.features) c.features = clamp(*s.features, sim::kMaxFeatures);
    if (s.length) c.length = clamp(*s.length, sim::kMaxSpatial);
    if (s.height) c.height = clamp(*s.height, sim::kMaxSpatial);
    if (s.width) c.width = clamp(*s.width, sim::kMaxSpatial);
    return c;
}

std::size_t cell_count(const sim::LabConfig& c) {
    const auto u = [](int v) { return static_cast<std::size_t>(std::max(1, v)); };
    switch (c.layout) {
    case sim::Layout::Matrix:
        return u(c.batch) * u(c.features);
    case sim::Layout::Sequence:
        return u(c.batch) * u(c.length) * u(c.features);
    case sim::Layout::Image:
        return u(c.batch) * u(c.features) * u(c.height) * u(c.width);
    }
    return 0;
}

Snapshot snapshot(const sim::Lab& lab) {
    Snapshot s;
    for (const ConditionKey& k : condition_keys())
        s.push_back(k.read(lab));
    return s;
}

bool condition_holds(const Condition& c, const sim::Lab& lab, const Snapshot* at_start) {
    switch (c.kind) {
    case Condition::Kind::Leaf:
        return leaf_holds(c, lab, at_start);
    case Condition::Kind::All:
        return std::all_of(c.children.begin(), c.children.end(),
                           [&](const Condition& k) { return condition_holds(k, lab, at_start); });
    case Condition::Kind::Any:
        return std::any_of(c.children.begin(), c.children.end(),
                           [&](const Condition& k) { return condition_holds(k, lab, at_start); });
    case Condition::Kind::Not:
        return c.children.size() == 1 && !condition_holds(c.children[0], lab, at_start);
    }
    return false;
}

std::optional<double> compute_stat(const Compute& q, const sim::Lab& lab, std::string* why) {
    const auto fail = [&](std::string message) -> std::optional<double> {
        if (why) *why = std::move(message);
        return std::nullopt;
    };
    if (!lab.error().empty()) return fail("the lab cannot compute this state: " + lab.error());
    const kernels::GroupPlan& plan = lab.plan();
    const std::size_t groups = plan.group_count();
    const auto bad_group = [&] {
        return "group " + std::to_string(q.group) + " does not exist: this step's " +
               kernels::norm_name(lab.config().family) + " on " + lab.shape().str() + " has " +
               std::to_string(groups) + " group" + (groups == 1 ? "" : "s") + " (0 to " +
               std::to_string(groups - 1) + ")";
    };
    double result = 0;
    switch (q.stat) {
    case Stat::Mean:
    case Stat::Std:
    case Stat::Var:
    case Stat::Rms:
    case Stat::Min:
    case Stat::Max: {
        const std::vector<float>& values = q.of == Tensor::X ? lab.x() : lab.y();
        if (q.group >= 0 && static_cast<std::size_t>(q.group) >= groups) return fail(bad_group());
        const sim::CellStats s =
            q.group < 0 ? sim::all_cell_stats(values)
                        : sim::group_cell_stats(values, plan, static_cast<std::size_t>(q.group));
        result = q.stat == Stat::Mean  ? s.mean
                 : q.stat == Stat::Std ? s.std
                 : q.stat == Stat::Var ? s.std * s.std
                 : q.stat == Stat::Rms ? s.rms
                 : q.stat == Stat::Min ? s.min
                                       : s.max;
        break;
    }
    case Stat::InvStd:
        if (q.group < 0 || static_cast<std::size_t>(q.group) >= groups) return fail(bad_group());
        if (static_cast<std::size_t>(q.group) >= lab.trace().inv_std.size())
            return fail("no trace for that group");
        result = lab.trace().inv_std[static_cast<std::size_t>(q.group)];
        break;
    case Stat::RunningMean:
    case Stat::RunningVar: {
        if (lab.config().family != kernels::NormKind::Batch)
            return fail(std::string("only BatchNorm keeps running statistics, this step uses ") +
                        kernels::norm_name(lab.config().family));
        const int channels = lab.shape().channels();
        if (q.channel < 0 || q.channel >= channels)
            return fail("channel " + std::to_string(q.channel) +
                        " does not exist (C = " + std::to_string(channels) + ")");
        const auto c = static_cast<std::size_t>(q.channel);
        const std::vector<float>& v =
            q.stat == Stat::RunningMean ? lab.running().mean : lab.running().var;
        result =
            v.empty() ? (q.stat == Stat::RunningMean ? 0.0 : 1.0) : (c < v.size() ? v[c] : NAN);
        break;
    }
    case Stat::GroupCount:
        result = static_cast<double>(groups);
        break;
    case Stat::GroupSize:
        result = static_cast<double>(plan.group_size());
        break;
    case Stat::TrainEvalGap:
        if (lab.config().family != kernels::NormKind::Batch)
            return fail("the train/eval gap is a BatchNorm statistic");
        result = lab.train_eval_gap();
        break;
    }
    if (!std::isfinite(result))
        return fail("the answer is not a finite number on this step's lab state");
    return result;
}

} // namespace normlab::scenario
