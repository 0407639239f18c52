#include "viz/histogram.h"

#include <algorithm>
#include <cmath>

namespace normlab::viz {

Histogram make_histogram(const std::vector<float>& values, int bins) {
    Histogram h;
    bins = std::max(1, bins);
    h.counts.assign(static_cast<std::size_t>(bins), 0);
    double lo = INFINITY, hi = -INFINITY;
    for (float v : values) {
        if (!std::isfinite(v)) {
            ++h.nonfinite;
            continue;
        }
        lo = std::min(lo, static_cast<double>(v));
        hi = std::max(hi, static_cast<double>(v));
    }
    if (!(lo <= hi)) return h;  // no finite value
    if (hi - lo < 1e-12 * std::max(1.0, std::fabs(lo))) {
        const double pad = std::max(0.5, std::fabs(lo) * 1e-3);
        lo -= pad;
        hi += pad;
    }
    h.lo = lo;
    h.hi = hi;
    const double scale = bins / (hi - lo);
    for (float v : values) {
        if (!std::isfinite(v)) continue;
        const int k = std::min(bins - 1, static_cast<int>((v - lo) * scale));
        h.max_count = std::max(h.max_count, ++h.counts[static_cast<std::size_t>(k)]);
    }
    return h;
}

} // namespace normlab::viz
