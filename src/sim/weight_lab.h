// sim/weight_lab.h: the state of the weight-normalization lab, three small demos side by side:
//   WeightNorm    a (rows, 2) weight v with one gain g per row; w = g v / ||v|| row by row,
//                 so ||w[r]|| = |g[r]| whatever v's length (the learner drags v's tips).
//   SpectralNorm  a 2x2 weight from sliders (or a seeded 4x6 one) with PyTorch's persistent
//                 power-iteration vectors u, v; each step adds one sigma estimate to a history
//                 that climbs to the true top singular value (computed here in double:
//                 closed form for 2x2, one-sided Jacobi otherwise). For 2x2, the images of
//                 the unit circle under W and under W / sigma_estimate as polylines.
//   DyT           a seeded activation row through gamma tanh(alpha x) + beta, elementwise, with
//                 LayerNorm of the same row beside it as the coupled contrast.
// Headless and deterministic: no UI, GL or platform code. All normalization math comes from
// kernels/weight_norm.h and kernels/norm.h; this file only keeps state and derives plot data.
// Invariants after every mutator: w, the spectral estimate, w_sn and the ellipses, and the DyT
// and LayerNorm outputs match the current inputs; no stored value is NaN. Mutators clamp or
// reject bad input and return a note for the user ("" if none), as sim::Lab does.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/shape.h"
#include "kernels/weight_norm.h"

namespace normlab::sim {

// [SECTION] limits

inline constexpr int kWeightRowsMax = 3;          // WeightNorm rows (each a 2-D vector)
inline constexpr float kWeightVRange = 3.f;       // |v component| <= this
inline constexpr float kWeightVMinNorm = 0.05f;   // ||v|| is kept >= this (v / ||v|| needs a direction)
inline constexpr float kWeightGMax = 2.5f;        // |g| <= this
inline constexpr float kSpectralEntryMax = 3.f;   // |W entry| <= this (2x2 sliders)
inline constexpr int kSpectralLargeRows = 4, kSpectralLargeCols = 6;
inline constexpr int kSpectralMaxHistory = 100;   // power iterations kept (and run) per start
inline constexpr double kSpectralConvergedRel = 1e-5;  // |estimate - sigma| <= this * sigma
inline constexpr int kEllipseSegments = 128;      // points per ellipse polyline (closed)
inline constexpr int kDytCount = 12;              // activations in the DyT row
inline constexpr float kDytXMax = 6.f;            // |x| <= this; also the plotted x range
inline constexpr float kDytAlphaMin = 0.05f, kDytAlphaMax = 5.f;
inline constexpr float kDytAffineMax = 3.f;       // |gamma|, |beta| <= this
inline constexpr int kDytCurveSamples = 121;      // samples of the curve over [-kDytXMax, kDytXMax]

enum class WeightSection { WeightNorm, SpectralNorm, DyT };
inline constexpr int kWeightSectionCount = 3;
const char* weight_section_name(WeightSection section);  // "WeightNorm", "SpectralNorm", "DyT"

// The matrix the power iteration runs on: 2x2 from sliders (drawn as ellipses), or a seeded
// 4x6 one (only its sigma convergence is drawn).
enum class SpectralMatrix { Small, Large };

struct Vec2 {
    float x = 0, y = 0;
};

struct WeightLabConfig {
    WeightSection section = WeightSection::WeightNorm;
    int rows = 1;                      // WeightNorm rows, 1..kWeightRowsMax
    SpectralMatrix matrix = SpectralMatrix::Small;
    std::uint64_t seed = 5;            // u, v start, the 4x6 matrix and the DyT row
    float iterations_per_second = 3.f; // power iteration speed while running, 0.5..30
};

// [SECTION] the three demos (read through WeightLab's accessors)

struct WeightNormDemo {
    int rows = 1;                  // rows in use; the vectors below always hold kWeightRowsMax
    std::vector<float> v;          // kWeightRowsMax x 2, row-major: the direction parameter
    std::vector<float> g;          // kWeightRowsMax gains
    std::vector<float> w;          // kWeightRowsMax x 2: g v / ||v|| (kernels::weight_norm)
    std::vector<float> v_norm;     // kWeightRowsMax: ||v[r]||
    Vec2 v_at(int r) const { return {v[2 * r], v[2 * r + 1]}; }
    Vec2 w_at(int r) const { return {w[2 * r], w[2 * r + 1]}; }
    float w_norm(int r) const;     // ||w[r]||, computed from w (equals |g[r]|)
};

struct SpectralDemo {
    SpectralMatrix matrix = SpectralMatrix::Small;
    core::Shape shape;                    // (2, 2) or (4, 6)
    std::vector<float> w;                 // the active matrix, row-major
    std::vector<float> small;             // the 2x2 entries (kept while the 4x6 one is active)
    kernels::SpectralNormState state;     // persistent u (rows), v (cols), unit length
    std::vector<float> history;           // estimate after each iteration since the last
                                          // reset or edit of W (at most kSpectralMaxHistory)
    int iterations = 0;                   // iterations since reset (survives edits of W)
    bool has_estimate = false;            // false after a reset until the first step
    float sigma_estimate = 0;             // u . W v for the current u, v (0 without estimate)
    std::vector<float> w_sn;              // W / sigma_estimate (empty without estimate)
    std::vector<double> singular_values;  // true, descending, min(rows, cols) values
    double sigma = 0;                     // singular_values[0]
    bool running = false;                 // stepping on its own (stops when converged)
    double phase = 0;                     // seconds since the last automatic step
    std::string error;                    // kernel error, "" when fine
    // 2x2 only (empty for 4x6): the unit circle's images, kEllipseSegments points each,
    // starting at the major axis (so point 0 is the farthest from the origin).
    std::vector<Vec2> ellipse_before;     // W c(t)
    std::vector<Vec2> ellipse_after;      // (W / sigma_estimate) c(t); empty without estimate
    Vec2 top_direction;                   // unit right singular vector of the largest sigma
    Vec2 v_iter, wv_iter;                 // the iteration's v and W v (first two entries)

    bool converged() const;               // has_estimate and within kSpectralConvergedRel of sigma
    double rate() const;                  // (s2 / s1)^2, the per-iteration factor for v; 0 if 1-D
};

struct DytDemo {
    float alpha = 0.5f, gamma = 1.f, beta = 0.f;
    std::vector<float> x;            // kDytCount seeded activations (one row, shape (1, n))
    std::vector<float> y;            // gamma tanh(alpha x) + beta (kernels::dyt)
    std::vector<float> layer_norm;   // LayerNorm of the same row, same gamma and beta
    // Which outputs the last set_dyt_x changed (1) or kept (0); all 0 after other edits.
    // Setting the last edited x to the value it has (a paused drag) keeps these flags.
    std::vector<std::uint8_t> changed_dyt, changed_layer;
    int last_edited = -1;            // index of the last set_dyt_x, -1 none
    std::vector<float> curve_x, curve_y;  // kDytCurveSamples points of the curve (kernels::dyt)
    std::string error;               // kernel error, "" when fine
};

// How many flags of changed_dyt / changed_layer are set.
int count_changed(const std::vector<std::uint8_t>& flags);

// [SECTION] the lab

class WeightLab {
  public:
    void init(const WeightLabConfig& config);
    void reset();                         // init(config()) again: all three demos
    // Advances a running power iteration by iterations_per_second * dt (at most a few per call).
    void step(double dt);

    std::string set_section(WeightSection section);
    // Fresh seeded 4x6 matrix and DyT row, fresh u and v; the 2x2 entries stay.
    void reseed(std::uint64_t seed);

    // WeightNorm. drag_v sets row r's v to (x, y): components clamped to +-kWeightVRange, a
    // (near) zero vector lengthened to kWeightVMinNorm along its direction (or the previous
    // one), NaN ignored. Each returns a note when it changed what was asked.
    std::string set_rows(int rows);
    std::string drag_v(int row, float x, float y);
    std::string set_g(int row, float g);
    void reset_weightnorm();

    // SpectralNorm. Editing W keeps u and v (as in training, where W moves a little per step)
    // and re-estimates sigma from them without iterating; the history starts over.
    std::string set_matrix(SpectralMatrix matrix);
    std::string set_entry(int row, int col, float value);  // 2x2 only
    std::string step_power_iteration(int iterations = 1);
    std::string set_running(bool running);
    std::string set_iterations_per_second(float rate);
    void reset_power_iteration();         // fresh u, v from the seed; no estimate, no history

    // DyT.
    std::string set_dyt_x(int index, float value);
    std::string set_alpha(float alpha);
    std::string set_dyt_affine(float gamma, float beta);
    void reset_dyt();                     // seeded row, alpha 0.5, gamma 1, beta 0

    const WeightLabConfig& config() const { return config_; }
    const WeightNormDemo& weightnorm() const { return wn_; }
    const SpectralDemo& spectral() const { return sn_; }
    const DytDemo& dyt() const { return dy_; }

  private:
    void recompute_weightnorm();
    void restart_power_iteration();       // u, v from the seed; clears estimate and history
    void refresh_spectral();              // true sigmas, estimate without iterating, ellipses
    void update_spectral_views();         // w_sn and the ellipses from the estimate
    void recompute_dyt(bool track_changes);

    WeightLabConfig config_;
    WeightNormDemo wn_;
    SpectralDemo sn_;
    DytDemo dy_;
    std::uint64_t restarts_ = 0;          // varies u, v when a restart is forced (orthogonal u)
};

// [SECTION] reference singular values (double precision, for the dashed "true sigma" line)

// Both singular values of [[a, b], [c, d]] in closed form, s1 >= s2 >= 0.
void singular_values_2x2(double a, double b, double c, double d, double* s1, double* s2);
// All min(rows, cols) singular values of a row-major matrix, descending, by one-sided Jacobi
// in double. Empty for a bad shape or null data.
std::vector<double> singular_values(const float* w, int rows, int cols);

} // namespace normlab::sim
