// scenario/train_bridge.h: where scenarios meet the training lab: which training view a step
// shows and the train::TrainLabSettings it names. Plain data only: the scenario room never
// runs training (the app applies the settings to its train::TrainLab between frames).
// Owns the inheritance rule: a step without a `train` object shows the previous step's view.
#pragma once

#include <cstddef>
#include <string>

#include "scenario/scenario.h"
#include "train/train_lab.h"

namespace normlab::scenario {

// The training view of step `step` (clamped to the last step): the last step up to it that
// has a `train` object, or null when none has (the tour leaves the view alone).
const TrainView* train_view_at(const Scenario& scenario, std::size_t step);

// default_settings(view.experiment) with the view's fields applied. "" or a one-line message
// (an unknown id, or train::check_lab_settings' message); *out is set only on success.
std::string train_settings(const TrainView& view, train::TrainLabSettings* out);

} // namespace normlab::scenario
