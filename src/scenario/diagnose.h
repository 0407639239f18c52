// scenario/diagnose.h: what is going on in the lab's current data, as registered diagnosis
// ids (registry.h) whose titles and texts live in scenarios/lab_text.json.
// Owns: the rules, computed from the lab's real numbers (its x, y, trace, plan and running
// statistics), never from the preset's name. Knows sim::Lab and the kernels; nothing of UI.
#pragma once

#include <string>
#include <vector>

#include "sim/lab.h"

namespace normlab::scenario {

// The diagnoses that apply to `lab`, most important first. "healthy" when nothing else does;
// a lab whose kernel reported an error gets an empty list.
std::vector<std::string> diagnose(const sim::Lab& lab);

} // namespace normlab::scenario
