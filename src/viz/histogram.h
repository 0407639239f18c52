// viz/histogram.h: binned counts of a tensor's values for the before/after histograms.
#pragma once

#include <cstddef>
#include <vector>

namespace normlab::viz {

struct Histogram {
    double lo = 0, hi = 1;          // value range covered by the bins
    std::vector<int> counts;        // one per bin
    int max_count = 0;
    std::size_t nonfinite = 0;      // NaN / inf values left out
};

// Histogram of the finite values over [min, max] (widened when all values are equal).
Histogram make_histogram(const std::vector<float>& values, int bins);

} // namespace normlab::viz
