// viz/plot_scale.h: the arithmetic of a line plot, with no ImGui: data ranges that skip NaN and
// infinity (and non-positive values on a log axis), "nice" tick values (1, 2, 5 x 10^k on a
// linear axis, powers of ten on a log axis), value -> [0, 1] mapping, the finite runs of a
// series (a gap where a run diverged) and tick labels. ui/plot.cpp draws with these; tests
// check them natively.
// Invariant: every function accepts any float input (NaN, inf, empty) and returns a usable
// range (lo < hi, both finite) so the drawing code never divides by zero.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace normlab::viz {

struct PlotRange {
    double lo = 0, hi = 1;
    bool empty = true; // no usable value was seen (lo/hi are then a default 0..1 or 1..10)
};

// Min and max over the finite values of `values` (log: over the finite values > 0).
// `into` widens an existing range (pass {} to start fresh; an empty one is replaced).
PlotRange data_range(std::span<const float> values, bool log, PlotRange into = {});

// A range fit to plot: lo < hi (a single value v becomes v +- max(|v| * 0.1, 1e-6), or a
// decade around it on a log axis), linear ranges rounded outward to the tick step, log ranges
// outward to whole decades. An empty range becomes 0..1 (log: 1..10).
PlotRange nice_range(PlotRange r, bool log, int max_ticks = 6);

// Tick values inside [lo, hi]. Linear: multiples of a step 1, 2 or 5 x 10^k giving at most
// max_ticks + 1 ticks (at least 2 for a non-degenerate range). Log: the powers of ten in the
// range (every other one, or every third, when there would be more than max_ticks); when the
// range holds fewer than two decades, also 2x and 5x of each decade.
std::vector<double> linear_ticks(double lo, double hi, int max_ticks = 6);
std::vector<double> log_ticks(double lo, double hi, int max_ticks = 6);
// The step of linear_ticks (1, 2 or 5 x 10^k).
double nice_step(double span, int max_ticks);

// Where v sits in [lo, hi] as 0..1 (log: on log10). Non-finite v, or v <= 0 on a log axis:
// NaN (the caller leaves a gap). Values outside the range map outside [0, 1].
double to_unit(double v, const PlotRange& r, bool log);

// The maximal runs [begin, end) of finite values (log: finite and > 0): the pieces a line is
// drawn in. A NaN or infinity splits the line.
std::vector<std::pair<std::size_t, std::size_t>> finite_runs(std::span<const float> values,
                                                            bool log);

// Index of the first value that is not finite, or values.size() when all are.
std::size_t first_nonfinite(std::span<const float> values);

// A short label for a tick: enough decimals to tell ticks `step` apart ("0.25", "3"), or
// scientific notation below 1e-3 and from 1e5 ("1e-04").
std::string tick_label(double v, double step);

// The index in sorted `xs` closest to x (ties go to the lower index); 0 when xs is empty.
std::size_t nearest_index(std::span<const double> xs, double x);

} // namespace normlab::viz
