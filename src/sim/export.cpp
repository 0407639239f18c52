#include "sim/export.h"

#include <cmath>
#include <cstdio>
#include <string_view>

#include <nlohmann/json.hpp>

namespace normlab::sim {

namespace {

// A string builder with the << of the text it writes (numbers as integers), so the CSV and the
// PyTorch snippet read like the text they produce without pulling iostreams (and locales,
// about 60 KiB of code) into the web build.
struct Text {
    std::string s;
    Text& operator<<(std::string_view v) {
        s += v;
        return *this;
    }
    Text& operator<<(char c) {
        s += c;
        return *this;
    }
    Text& operator<<(std::size_t n) {
        s += std::to_string(n);
        return *this;
    }
    Text& operator<<(int n) {
        s += std::to_string(n);
        return *this;
    }
};

constexpr std::size_t kInlineLimit = 4096;   // larger tensors: the snippet loads the JSON export

std::vector<int> dims_of(const core::Shape& s) { return {s.dims.begin(), s.dims.begin() + s.rank}; }

nlohmann::json floats(const std::vector<float>& v) {
    nlohmann::json a = nlohmann::json::array();
    for (float f : v) a.push_back(std::isfinite(f) ? nlohmann::json(f) : nlohmann::json(nullptr));
    return a;
}

std::string py_list(const std::vector<float>& v) {
    std::string s = "[";
    char buf[32];
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (i) s += (i % 12 == 0) ? ",\n     " : ", ";
        if (std::isnan(v[i])) s += "float('nan')";
        else if (std::isinf(v[i])) s += v[i] > 0 ? "float('inf')" : "-float('inf')";
        else {
            std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(v[i]));
            s += buf;
            if (std::string_view(buf).find_first_of(".e") == std::string_view::npos) s += ".0";  // a float tensor
        }
    }
    return s + "]";
}

std::string shape_tuple(const core::Shape& s) {
    std::string t = "(";
    for (int i = 0; i < s.rank; ++i) t += std::to_string(s.dims[i]) + (i + 1 < s.rank || s.rank == 1 ? ", " : "");
    return t + ")";
}

bool is_default_affine(const Lab& lab) {
    for (float g : lab.gamma()) if (g != 1.f) return false;
    for (float b : lab.beta()) if (b != 0.f) return false;
    return true;
}

} // namespace

std::string export_json(const Lab& lab) {
    const LabConfig& c = lab.config();
    nlohmann::json j;
    j["family"] = kernels::norm_id(c.family);
    j["shape"] = dims_of(lab.shape());
    j["eps"] = c.eps;
    if (c.family == kernels::NormKind::Group) j["groups"] = c.groups;
    j["eps_placement"] = kernels::eps_placement_id(c.eps_placement);
    j["precision"] = kernels::precision_id(c.storage);
    j["accumulate"] = kernels::accumulate_id(c.accumulate);
    j["mode"] = kernels::mode_id(c.mode);
    j["momentum"] = c.momentum;
    j["preset"] = preset_name(c.preset);
    j["seed"] = c.seed;
    j["batch_index"] = lab.batch_index();
    j["gamma"] = floats(lab.gamma());
    j["beta"] = floats(lab.beta());
    if (!lab.running().mean.empty()) {
        j["running_mean"] = floats(lab.running().mean);
        j["running_var"] = floats(lab.running().var);
    }
    j["x"] = floats(lab.x());
    j["y"] = floats(lab.y());
    j["mean"] = floats(lab.trace().mean);
    j["var"] = floats(lab.trace().var);
    j["rms"] = floats(lab.trace().rms);
    return j.dump(1);
}

std::string export_csv(const Lab& lab) {
    const core::Shape& s = lab.shape();
    Text out;
    out << (s.rank == 2 ? "index,example,feature,group,x,y\n"
            : s.rank == 3 ? "index,example,token,feature,group,x,y\n"
                          : "index,example,channel,h,w,group,x,y\n");
    char buf[64];
    const auto num = [&buf](float v) {
        std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(v));
        return std::string(buf);
    };
    const auto u = [](int v) { return static_cast<std::size_t>(v); };
    for (std::size_t f = 0; f < lab.x().size(); ++f) {
        out << f << ',';
        if (s.rank == 2) out << f / u(s.dims[1]) << ',' << f % u(s.dims[1]);
        else if (s.rank == 3)
            out << f / (u(s.dims[1]) * u(s.dims[2])) << ',' << (f / u(s.dims[2])) % u(s.dims[1]) << ',' << f % u(s.dims[2]);
        else {
            const std::size_t hw = u(s.dims[2]) * u(s.dims[3]);
            out << f / (u(s.dims[1]) * hw) << ',' << (f / hw) % u(s.dims[1]) << ',' << (f % hw) / u(s.dims[3]) << ','
                << f % u(s.dims[3]);
        }
        out << ',' << kernels::group_of(lab.plan(), f) << ',' << num(lab.x()[f]) << ',' << num(lab.y()[f]) << '\n';
    }
    return out.s;
}

std::string pytorch_snippet(const Lab& lab) {
    const LabConfig& c = lab.config();
    const core::Shape& s = lab.shape();
    const int ch = s.channels();
    char eps[32];
    std::snprintf(eps, sizeof eps, "%g", static_cast<double>(c.eps));
    Text py;
    py << "# NormLab: " << kernels::norm_name(c.family) << " on a " << s.str() << " tensor\n";
    py << "import torch\n\n";
    if (s.size() <= kInlineLimit)
        py << "x = torch.tensor(" << py_list(lab.x()) << ").reshape" << shape_tuple(s) << "\n";
    else
        py << "import json\nx = torch.tensor(json.load(open('normlab.json'))['x']).reshape" << shape_tuple(s)
           << "  # from NormLab's JSON export\n";
    // PyTorch puts channels at axis 1; NormLab's (B, L, d) keeps features last, so the
    // channel-axis modules see x.transpose(1, 2) there.
    const bool seq = s.rank == 3;
    std::string module, call = "norm(x)";
    switch (c.family) {
    case kernels::NormKind::Batch:
        module = std::string(s.rank == 4 ? "torch.nn.BatchNorm2d(" : "torch.nn.BatchNorm1d(") + std::to_string(ch) +
                 ", eps=" + eps + ", momentum=" + std::to_string(c.momentum).substr(0, 4) + ")";
        if (seq) call = "norm(x.transpose(1, 2)).transpose(1, 2)";
        break;
    case kernels::NormKind::Layer:
    case kernels::NormKind::Rms: {
        const std::string cls = c.family == kernels::NormKind::Layer ? "LayerNorm" : "RMSNorm";
        const std::string dims = s.rank == 4 ? "[" + std::to_string(ch) + ", " + std::to_string(s.dims[2]) + ", " +
                                                   std::to_string(s.dims[3]) + "]"
                                             : std::to_string(ch);
        module = "torch.nn." + cls + "(" + dims + ", eps=" + eps + ")";
        if (c.family == kernels::NormKind::Rms) py << "# torch.nn.RMSNorm needs PyTorch 2.4 or later\n";
        break;
    }
    case kernels::NormKind::Group:
        module = "torch.nn.GroupNorm(" + std::to_string(c.groups) + ", " + std::to_string(ch) + ", eps=" + eps + ")";
        if (seq) call = "norm(x.transpose(1, 2)).transpose(1, 2)";
        break;
    case kernels::NormKind::Instance:
        module = std::string(s.rank == 4 ? "torch.nn.InstanceNorm2d(" : "torch.nn.InstanceNorm1d(") +
                 std::to_string(ch) + ", eps=" + eps + ", affine=True)";
        call = seq ? "norm(x.transpose(1, 2)).transpose(1, 2)" : "norm(x)";
        break;
    }
    py << "norm = " << module << "\n";
    const bool batch = c.family == kernels::NormKind::Batch;
    if (!is_default_affine(lab) || (batch && !lab.running().mean.empty())) {
        py << "with torch.no_grad():\n";
        if (!is_default_affine(lab)) {
            py << "    norm.weight.copy_(torch.tensor(" << py_list(lab.gamma()) << ")"
               << (s.rank == 4 && c.family != kernels::NormKind::Batch && c.family != kernels::NormKind::Group &&
                           c.family != kernels::NormKind::Instance
                       ? ".reshape(-1, 1, 1).expand_as(norm.weight)" : "")
               << ")\n";
            if (c.family != kernels::NormKind::Rms)
                py << "    norm.bias.copy_(torch.tensor(" << py_list(lab.beta()) << ")"
                   << (s.rank == 4 && c.family == kernels::NormKind::Layer ? ".reshape(-1, 1, 1).expand_as(norm.bias)" : "")
                   << ")\n";
        }
        if (batch && !lab.running().mean.empty()) {
            py << "    norm.running_mean.copy_(torch.tensor(" << py_list(lab.running().mean) << "))\n";
            py << "    norm.running_var.copy_(torch.tensor(" << py_list(lab.running().var) << "))\n";
        }
    }
    py << (batch && c.mode == kernels::NormMode::Eval ? "norm.eval()   # use the running statistics\n"
                                                      : "norm.train()  # use this batch's statistics\n");
    if (c.storage != kernels::Precision::Fp32)
        py << "# NormLab stored x, gamma, beta and y in " << kernels::precision_id(c.storage)
           << "; in PyTorch: x = x.to(torch." << (c.storage == kernels::Precision::Fp16 ? "float16" : "bfloat16")
           << ") and norm.to(x.dtype)\n";
    if (c.eps_placement == kernels::EpsPlacement::Outside)
        py << "# NormLab is showing the eps-outside bug, (x - mu) / (sqrt(var) + eps); PyTorch always uses\n"
              "# sqrt(var + eps), so its y differs from the board on near-constant groups.\n";
    py << "y = " << call << "\n";
    py << "print(y.shape, y.mean().item(), y.std(unbiased=False).item())\n";
    return py.s;
}

} // namespace normlab::sim
