// scenario/lab_bridge.h: where scenarios meet the lab: moving a sim::Lab to a step's state,
// reading condition keys off it, and computing numeric quiz answers from it.
// Owns: the order in which a partial state is applied (see apply_lab_state) and the rule that
// entering step k replays the scenario from the lab's defaults, so a step always shows the
// same numbers whatever the learner did before. Knows sim::Lab; nothing of UI or platform.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "scenario/registry.h"
#include "scenario/scenario.h"
#include "sim/lab.h"

namespace normlab::scenario {

// The lab every scenario starts from: LabConfig{} defaults, seed's first batch, no running
// statistics, gamma 1 and beta 0.
void reset_lab(sim::Lab& lab);

// Applies a partial state through the lab's mutators, in this order: layout, preset, shape
// dims, seed, groups, family, eps, eps_placement, storage/accumulate, mode, momentum; then the
// actions: reset_running, reset_affine, affine, resample, scale_examples, cells, train, focus,
// play. Returns the notes the mutators gave (clamped values, refused families): a validated
// scenario produces none.
std::vector<std::string> apply_lab_state(sim::Lab& lab, const LabState& state);

// reset_lab, the scenario's base state, then steps 0..step (clamped to the last step).
std::vector<std::string> enter_step(const Scenario& scenario, std::size_t step, sim::Lab& lab);

// The shape a partial state would give a lab now at `current` (for size checks before
// applying): layout and dims only.
sim::LabConfig predict_shape(const sim::LabConfig& current, const LabState& state);
std::size_t cell_count(const sim::LabConfig& config);

// The value of every condition key (in condition_keys() order), for "changed" conditions.
using Snapshot = std::vector<KeyValue>;
Snapshot snapshot(const sim::Lab& lab);

// Whether `condition` holds on `lab`. `at_start` is the snapshot taken when the step began
// (null: "changed" never holds). Precondition: the condition passed the loader's checks.
bool condition_holds(const Condition& condition, const sim::Lab& lab, const Snapshot* at_start);

// A numeric answer computed on `lab`, or nullopt with *why (group out of range, a running
// statistic asked of a family that keeps none, a non-finite result).
std::optional<double> compute_stat(const Compute& compute, const sim::Lab& lab, std::string* why);

} // namespace normlab::scenario
