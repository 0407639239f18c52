// train/task.cpp: see task.h. Every draw goes through core::Rng in a fixed order, so a seed
// gives the same points natively and in the browser.
#include "train/task.h"

#include <cmath>
#include <numbers>
#include <utility>

#include "core/rng.h"

namespace normlab::train {

namespace {

constexpr double kPi = std::numbers::pi;

struct TaskIdEntry {
    TaskKind kind;
    const char* id;
};
constexpr TaskIdEntry kTaskIds[] = {{TaskKind::Spirals, "spirals"},
                                    {TaskKind::Gaussians, "gaussians"},
                                    {TaskKind::Circles, "circles"},
                                    {TaskKind::Xor, "xor"}};

int class_count(const TaskSpec& s) { return s.kind == TaskKind::Xor ? 2 : s.classes; }

// One point of class c; t in [0, 1) places it along the class's shape.
void draw_point(const TaskSpec& s, int c, int classes, core::Rng& rng, float* out) {
    double x0 = 0.0, x1 = 0.0;
    switch (s.kind) {
    case TaskKind::Spirals: {
        // Arm c starts at angle 2 pi c / classes and winds one turn outwards (more turns make
        // the default run too slow to learn for a first curve); noise grows with the radius so
        // the centre, where the arms meet, is not pure noise.
        const double t = rng.uniform();
        const double r = 0.1 + 0.9 * t;
        const double angle = 2.0 * kPi * c / classes + t * 2.0 * kPi;
        const double n = s.noise * r * rng.normal();
        x0 = r * std::cos(angle) + n * std::cos(angle);
        x1 = r * std::sin(angle) + n * std::sin(angle);
        break;
    }
    case TaskKind::Gaussians: {
        const double angle = 2.0 * kPi * c / classes;
        const double sd = 0.35 + s.noise;
        x0 = std::cos(angle) + sd * rng.normal();
        x1 = std::sin(angle) + sd * rng.normal();
        break;
    }
    case TaskKind::Circles: {
        const double radius = classes == 1 ? 0.65 : 0.3 + 0.7 * c / (classes - 1);
        const double r = radius + s.noise * 0.5 * rng.normal();
        const double angle = 2.0 * kPi * rng.uniform();
        x0 = r * std::cos(angle);
        x1 = r * std::sin(angle);
        break;
    }
    case TaskKind::Xor: {
        // Quadrant chosen by the label: class 1 where the signs agree. Noise blurs the axes.
        double a = 0.05 + 0.95 * rng.uniform(), b = 0.05 + 0.95 * rng.uniform();
        const bool flip = rng.uniform() < 0.5;
        if (c == 1) {
            if (flip) a = -a, b = -b;
        } else {
            if (flip) a = -a; else b = -b;
        }
        x0 = a + s.noise * rng.normal();
        x1 = b + s.noise * rng.normal();
        break;
    }
    }
    out[0] = static_cast<float>(x0 * s.input_scale);
    out[1] = static_cast<float>(x1 * s.input_scale);
}

void fill(const TaskSpec& s, int n, std::uint64_t stream, Dataset* d) {
    const int classes = class_count(s);
    core::Rng rng(stream);
    d->dims = 2;
    d->classes = classes;
    d->x.assign(static_cast<std::size_t>(n) * 2, 0.0f);
    d->y.assign(static_cast<std::size_t>(n), 0);
    for (int i = 0; i < n; ++i) {
        d->y[i] = i % classes;
        draw_point(s, d->y[i], classes, rng, &d->x[static_cast<std::size_t>(i) * 2]);
    }
    // Fisher-Yates, so a prefix of the split is not ordered by class.
    for (int i = n - 1; i > 0; --i) {
        const int j = static_cast<int>(rng.uniform() * (i + 1));
        std::swap(d->y[i], d->y[j]);
        std::swap(d->x[2 * i], d->x[2 * j]);
        std::swap(d->x[2 * i + 1], d->x[2 * j + 1]);
    }
}

} // namespace

const char* task_id(TaskKind kind) {
    for (const TaskIdEntry& e : kTaskIds)
        if (e.kind == kind) return e.id;
    return "?";
}

bool parse_task_id(const std::string& id, TaskKind* out) {
    for (const TaskIdEntry& e : kTaskIds)
        if (id == e.id) {
            *out = e.kind;
            return true;
        }
    return false;
}

std::string check_task(const TaskSpec& s) {
    if (s.kind != TaskKind::Xor && (s.classes < 2 || s.classes > 8))
        return "classes must be 2..8 (got " + std::to_string(s.classes) + ")";
    if (s.train_size < 8 || s.train_size > 65536)
        return "train_size must be 8..65536 (got " + std::to_string(s.train_size) + ")";
    if (s.eval_size < 8 || s.eval_size > 65536)
        return "eval_size must be 8..65536 (got " + std::to_string(s.eval_size) + ")";
    if (!std::isfinite(s.noise) || s.noise < 0.0f) return "noise must be a finite number >= 0";
    if (!std::isfinite(s.input_scale) || s.input_scale <= 0.0f)
        return "input scale must be a finite number > 0";
    return {};
}

std::string make_task(const TaskSpec& spec, TaskData* out) {
    std::string error = check_task(spec);
    if (!error.empty()) return error;
    // Two independent streams from one seed: the held-out split is not a shifted train split.
    fill(spec, spec.train_size, spec.seed * 0x9e3779b97f4a7c15ull + 0x7a11, &out->train);
    fill(spec, spec.eval_size, spec.seed * 0x9e3779b97f4a7c15ull + 0xe7a1, &out->eval);
    return {};
}

} // namespace normlab::train
