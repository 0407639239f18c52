// train/jacobian.cpp: see jacobian.h. Row i of J is the backward kernel's dx for dy = e_i.
#include "train/jacobian.h"

#include <cmath>

#include "core/shape.h"
#include "kernels/norm_backward.h"

namespace normlab::train {

namespace kn = normlab::kernels;

std::string norm_jacobian(kn::NormKind kind, std::span<const float> x, float eps, Jacobian* out) {
    if (kind != kn::NormKind::Layer && kind != kn::NormKind::Rms)
        return std::string("the Jacobian view supports layernorm and rmsnorm, not ") +
               kn::norm_id(kind);
    if (x.empty() || x.size() > static_cast<std::size_t>(kMaxJacobianSize))
        return "the vector must have 1.." + std::to_string(kMaxJacobianSize) + " values (got " +
               std::to_string(x.size()) + ")";
    for (float v : x)
        if (!std::isfinite(v)) return "the vector has a value that is not finite";
    const int n = static_cast<int>(x.size());
    const kn::NormSpec spec{.kind = kind, .eps = eps};
    const core::TensorView view{x.data(), core::Shape::matrix(1, n)};

    Jacobian jac;
    jac.n = n;
    jac.y.assign(x.size(), 0.0f);
    std::string error = kn::normalize(spec, view, jac.y.data(), nullptr, nullptr, nullptr);
    if (!error.empty()) return error;
    jac.j.assign(x.size() * x.size(), 0.0f);
    std::vector<float> dy(x.size(), 0.0f);
    for (int i = 0; i < n; ++i) {
        dy[i] = 1.0f;
        error = kn::normalize_backward(spec, view, nullptr, dy.data(),
                                       &jac.j[static_cast<std::size_t>(i) * n], nullptr, nullptr);
        dy[i] = 0.0f;
        if (!error.empty()) return error;
    }
    for (float v : jac.j)
        if (!std::isfinite(v))
            return "the Jacobian is not finite at this vector (a constant vector with eps 0 "
                   "has no defined scale)";
    *out = std::move(jac);
    return {};
}

void jacobian_apply(const Jacobian& jac, std::span<const float> v, std::vector<float>* out) {
    out->assign(static_cast<std::size_t>(jac.n), 0.0f);
    for (int i = 0; i < jac.n; ++i) {
        double sum = 0.0;
        for (int k = 0; k < jac.n; ++k)
            sum += static_cast<double>(jac.j[static_cast<std::size_t>(i) * jac.n + k]) * v[k];
        (*out)[i] = static_cast<float>(sum);
    }
}

} // namespace normlab::train
