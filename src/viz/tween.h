// viz/tween.h: the short animation that carries the board from one walkthrough step to the next.
// Pure functions of time and values (no clock, no UI): the UI decides when a tween starts and
// passes its own clock. Owns: the easing curve, how values blend, when a blend is affordable.
#pragma once

#include <cstddef>
#include <vector>

namespace normlab::viz {

// How long the board takes to move to a new step's state, in seconds.
inline constexpr double kTweenSeconds = 0.6;
// Above this many cells the board fades the new picture in instead of blending cell values
// (re-rendering a million-cell texture every frame of the tween would cost frames).
inline constexpr std::size_t kTweenMaxCells = std::size_t{1} << 16;

// Eased progress in [0, 1] of a tween that started at `start` (same clock as `now`) and lasts
// `duration`: 0 before it starts, 1 once it is over (or for a non-positive duration), smooth
// (zero slope) at both ends.
float tween_progress(double now, double start, double duration = kTweenSeconds);

// out[i] = from[i] + (to[i] - from[i]) * t. A cell whose start or end is not finite shows its
// end value at once (a blend through NaN or infinity means nothing). Preconditions:
// from.size() == to.size(), t in [0, 1]. `out` is resized; it may not alias `from` or `to`.
void blend_values(const std::vector<float>& from, const std::vector<float>& to, float t,
                  std::vector<float>* out);

} // namespace normlab::viz
