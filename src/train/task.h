// train/task.h: the synthetic classification tasks the trainer learns, generated from a seed.
// Owns: the point clouds (2-D inputs, integer labels), train and held-out splits, input scale.
// Knows nothing of networks, UI or platform. Invariant: the same TaskSpec and seed give the
// same bytes on every platform (core::Rng, no <random> distributions).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace normlab::train {

enum class TaskKind {
    Spirals,   // `classes` interleaved spiral arms (one turn), noise along the radius
    Gaussians, // `classes` Gaussian blobs with centres on a circle of radius 1, std = 0.35 + noise
    Circles,   // `classes` concentric rings (radius 0.3 .. 1), noise on the radius
    Xor,       // 2 classes: sign(x0) == sign(x1), uniform in [-1, 1]^2 (classes is forced to 2)
};

const char* task_id(TaskKind kind);                       // "spirals", "gaussians", ...
bool parse_task_id(const std::string& id, TaskKind* out); // false on an unknown id

struct TaskSpec {
    TaskKind kind = TaskKind::Spirals;
    int classes = 3;          // 2..8 (Xor: always 2)
    int train_size = 512;     // points in the training split, 8..65536
    int eval_size = 512;      // points in the held-out split, 8..65536
    float noise = 0.15f;      // >= 0, in input units before input_scale
    float input_scale = 1.0f; // every input multiplied by it (> 0, finite): tiny or huge inputs
                              // for the mixed-precision demos (fp16 underflow / overflow)
    std::uint64_t seed = 1;   // the data; the network's seed is separate (TrainConfig::seed)
};

// One split: x is size() rows of `dims` floats (row-major), y one label in [0, classes) each.
struct Dataset {
    int dims = 2;
    int classes = 0;
    std::vector<float> x;
    std::vector<int> y;
    int size() const { return static_cast<int>(y.size()); }
};

struct TaskData {
    Dataset train;
    Dataset eval; // drawn from the same distribution with an independent stream
};

// Checks the spec ("" or a one-line message naming the bad field).
std::string check_task(const TaskSpec& spec);

// Generates both splits. Returns "" or check_task's message (then *out is untouched).
// Classes are balanced: point i has label i % classes, before a seeded shuffle.
std::string make_task(const TaskSpec& spec, TaskData* out);

} // namespace normlab::train
