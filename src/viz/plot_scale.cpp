// viz/plot_scale.cpp: see plot_scale.h.
#include "viz/plot_scale.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace normlab::viz {

namespace {

bool usable(float v, bool log) {
    return std::isfinite(v) && (!log || v > 0.f);
}

} // namespace

PlotRange data_range(std::span<const float> values, bool log, PlotRange into) {
    for (float v : values) {
        if (!usable(v, log)) continue;
        const double d = v;
        if (into.empty) {
            into = {d, d, false};
        } else {
            into.lo = std::min(into.lo, d);
            into.hi = std::max(into.hi, d);
        }
    }
    return into;
}

double nice_step(double span, int max_ticks) {
    if (!(span > 0) || !std::isfinite(span)) return 1;
    max_ticks = std::max(1, max_ticks);
    const double raw = span / max_ticks;
    const double mag = std::pow(10.0, std::floor(std::log10(raw)));
    for (double m : {1.0, 2.0, 5.0, 10.0})
        if (m * mag >= raw * (1 - 1e-9)) return m * mag;
    return 10 * mag;
}

PlotRange nice_range(PlotRange r, bool log, int max_ticks) {
    if (r.empty || !std::isfinite(r.lo) || !std::isfinite(r.hi))
        return log ? PlotRange{1, 10, true} : PlotRange{0, 1, true};
    if (log) {
        double lo = std::floor(std::log10(std::max(r.lo, 1e-300)));
        double hi = std::ceil(std::log10(std::max(r.hi, 1e-300)));
        if (hi <= lo) hi = lo + 1;
        lo = std::max(lo, -300.0);
        hi = std::min(hi, 300.0);
        return {std::pow(10.0, lo), std::pow(10.0, hi), false};
    }
    double lo = r.lo, hi = r.hi;
    if (hi - lo <= std::max(std::abs(hi), std::abs(lo)) * 1e-12) {
        const double pad = std::max(std::abs(lo) * 0.1, 1e-6);
        lo -= pad;
        hi += pad;
    }
    const double step = nice_step(hi - lo, max_ticks);
    lo = std::floor(lo / step + 1e-9) * step;
    hi = std::ceil(hi / step - 1e-9) * step;
    if (hi <= lo) hi = lo + step;
    return {lo, hi, false};
}

std::vector<double> linear_ticks(double lo, double hi, int max_ticks) {
    std::vector<double> ticks;
    if (!std::isfinite(lo) || !std::isfinite(hi) || !(hi > lo)) return ticks;
    const double step = nice_step(hi - lo, max_ticks);
    const double first = std::ceil(lo / step - 1e-9);
    const double last = std::floor(hi / step + 1e-9);
    for (double k = first; k <= last && ticks.size() < 1000; k += 1) {
        double v = k * step;
        if (std::abs(v) < step * 1e-9) v = 0; // no "-0" or 1e-17 at the origin
        ticks.push_back(v);
    }
    return ticks;
}

std::vector<double> log_ticks(double lo, double hi, int max_ticks) {
    std::vector<double> ticks;
    if (!std::isfinite(lo) || !std::isfinite(hi) || !(lo > 0) || !(hi > lo)) return ticks;
    const int d0 = static_cast<int>(std::ceil(std::log10(lo) - 1e-9));
    const int d1 = static_cast<int>(std::floor(std::log10(hi) + 1e-9));
    const int decades = d1 - d0 + 1;
    max_ticks = std::max(2, max_ticks);
    if (decades < 2) {
        // Less than two decades: 1, 2, 5 of each decade that touches the range.
        const int e0 = static_cast<int>(std::floor(std::log10(lo)));
        const int e1 = static_cast<int>(std::ceil(std::log10(hi)));
        for (int e = e0; e <= e1; ++e)
            for (double m : {1.0, 2.0, 5.0}) {
                const double v = m * std::pow(10.0, e);
                if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) ticks.push_back(v);
            }
        return ticks;
    }
    const int every = (decades + max_ticks - 1) / max_ticks;
    for (int e = d0; e <= d1; ++e)
        if ((e - d0) % every == 0) ticks.push_back(std::pow(10.0, e));
    return ticks;
}

double to_unit(double v, const PlotRange& r, bool log) {
    if (!std::isfinite(v)) return NAN;
    if (log) {
        if (!(v > 0) || !(r.lo > 0) || !(r.hi > r.lo)) return NAN;
        return (std::log10(v) - std::log10(r.lo)) / (std::log10(r.hi) - std::log10(r.lo));
    }
    if (!(r.hi > r.lo)) return NAN;
    return (v - r.lo) / (r.hi - r.lo);
}

std::vector<std::pair<std::size_t, std::size_t>> finite_runs(std::span<const float> values,
                                                            bool log) {
    std::vector<std::pair<std::size_t, std::size_t>> runs;
    std::size_t i = 0;
    while (i < values.size()) {
        while (i < values.size() && !usable(values[i], log))
            ++i;
        const std::size_t begin = i;
        while (i < values.size() && usable(values[i], log))
            ++i;
        if (i > begin) runs.emplace_back(begin, i);
    }
    return runs;
}

std::size_t first_nonfinite(std::span<const float> values) {
    for (std::size_t i = 0; i < values.size(); ++i)
        if (!std::isfinite(values[i])) return i;
    return values.size();
}

std::string tick_label(double v, double step) {
    char buf[32];
    if (!std::isfinite(v)) return v != v ? "nan" : (v > 0 ? "inf" : "-inf");
    if (v == 0) return "0";
    const double a = std::abs(v);
    if (a < 1e-3 || a >= 1e5) {
        std::snprintf(buf, sizeof buf, "%.0e", v);
        return buf;
    }
    // Decimals enough to show the step (0.25 needs 2, 0.5 one, 5 none).
    int decimals = 0;
    if (step > 0 && std::isfinite(step))
        decimals = std::clamp(static_cast<int>(std::ceil(-std::log10(step) - 1e-9)), 0, 6);
    // A log axis passes the value itself as the step: 0.002 needs 3 decimals.
    const double rounded = std::round(v * std::pow(10.0, decimals)) / std::pow(10.0, decimals);
    if (std::abs(rounded - v) > a * 1e-6 && decimals < 6)
        decimals = std::clamp(static_cast<int>(std::ceil(-std::log10(a) + 1e-9)), 0, 6);
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

std::size_t nearest_index(std::span<const double> xs, double x) {
    if (xs.empty()) return 0;
    const auto it = std::lower_bound(xs.begin(), xs.end(), x);
    if (it == xs.begin()) return 0;
    if (it == xs.end()) return xs.size() - 1;
    const std::size_t i = static_cast<std::size_t>(it - xs.begin());
    return (x - xs[i - 1] <= xs[i] - x) ? i - 1 : i;
}

} // namespace normlab::viz
