// sim/export.h: the lab's tensor, output and statistics as files a learner can take away:
// JSON, CSV, and the equivalent PyTorch code (same family, shape, eps, groups, mode, affine).
#pragma once

#include <string>

#include "sim/lab.h"

namespace normlab::sim {

std::string export_json(const Lab& lab);     // one object: settings, x, y, per-group stats
std::string export_csv(const Lab& lab);      // one row per cell: index, coordinates, group, x, y
std::string pytorch_snippet(const Lab& lab); // runnable Python reproducing the current board

} // namespace normlab::sim
