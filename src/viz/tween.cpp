// viz/tween.cpp: easing and value blending for the step-to-step board animation.
#include "viz/tween.h"

#include <algorithm>
#include <cmath>

namespace normlab::viz {

float tween_progress(double now, double start, double duration) {
    if (!(duration > 0)) return 1.f;
    const double u = std::clamp((now - start) / duration, 0.0, 1.0);
    // Cubic ease in-out: slow start, slow landing, so the eye can follow the cells.
    const double e = u < 0.5 ? 4 * u * u * u : 1 - std::pow(-2 * u + 2, 3) / 2;
    return static_cast<float>(e);
}

void blend_values(const std::vector<float>& from, const std::vector<float>& to, float t,
                  std::vector<float>* out) {
    out->resize(to.size());
    for (std::size_t i = 0; i < to.size(); ++i) {
        const float a = from[i], b = to[i];
        (*out)[i] = std::isfinite(a) && std::isfinite(b) ? a + (b - a) * t : b;
    }
}

} // namespace normlab::viz
