// scenario/tour.h: the headless runtime of a guided tour: which step the learner is on,
// moving the lab to each step's state, detecting "try it" tasks, grading quiz answers with
// attempts and a score, and the progress record the UI keeps (localStorage in the browser).
// Owns: the grading rules (below) and the progress format (versioned JSON). Knows sim::Lab;
// nothing of ImGui or the platform: the UI calls these and draws what they return.
// Grading: an answer earns a question's points times 1 on the first attempt, 0.5 on the
// second and 0.25 from the third on; revealing the answer first earns 0. Once a question is
// correct or revealed its points are final; later answers are still graded, for practice.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "scenario/lab_bridge.h"
#include "scenario/scenario.h"
#include "sim/lab.h"

namespace normlab::scenario {

// [progress] ----------------------------------------------------------------------------

inline constexpr int kProgressVersion = 1;

struct QuestionRecord {
    int attempts = 0;
    bool correct = false;
    bool revealed = false;
    double points = 0; // final once correct or revealed
};

struct ScenarioRecord {
    std::string step;                                // id of the current step ("" = the first)
    std::vector<std::string> visited;                // step ids the learner has seen
    std::vector<std::string> tasks_done;             // step ids whose task was completed
    std::map<std::string, QuestionRecord> questions; // by question id
    bool finished = false;                           // went past the last step
};

// Every scenario's record, by scenario id (translations share their original's record).
struct Progress {
    std::map<std::string, ScenarioRecord> scenarios;
};

// One JSON object: {"version": 1, "scenarios": {"03_batchnorm": {...}}}.
std::string save_progress(const Progress& progress);
// Never fails: input that is not valid progress (syntax, version, types) is dropped, wholly
// or entry by entry, with one message each in *messages (may be null).
Progress load_progress(std::string_view text, std::vector<std::string>* messages);

// [grading] -----------------------------------------------------------------------------

enum class Verdict {
    Correct,
    Incorrect,
    Revealed, // the learner asked for the answer
    Invalid,  // no such question, an option index out of range, or a non-finite number
};

struct Grade {
    Verdict verdict = Verdict::Invalid;
    std::string message;               // Invalid: why
    std::vector<std::string> feedback; // the chosen options' feedback (those that have one),
                                       // or a numeric question's feedback_low/high
    // Multiple choice: how many correct options were chosen, exist, and wrong ones chosen.
    int correct_chosen = 0, correct_total = 0, wrong_chosen = 0;
    int direction = 0;                        // numeric: -1 too low, +1 too high, 0 otherwise
    std::string hint;                         // after a wrong answer, when the question has one
    std::string explanation;                  // once correct or revealed
    std::vector<std::size_t> correct_options; // once correct or revealed (choice questions)
    double expected = 0;                      // once correct or revealed (numeric)
    int attempts = 0;                         // after this answer
    double points = 0;                        // the question's points so far
    bool counted = true;                      // false: the question was already settled
};

// Credit for a correct answer on attempt n (1-based): 1, 0.5, then 0.25.
double attempt_credit(int attempt);

struct Score {
    double points = 0, max_points = 0;
    std::size_t questions = 0, settled = 0, correct = 0; // settled: correct or revealed
    std::size_t tasks = 0, tasks_done = 0;
    std::size_t steps = 0, visited = 0;
};

// [tour] --------------------------------------------------------------------------------

class Tour {
  public:
    // Starts `scenario` (copied) at the step `record` names, or the first, and moves `lab` to
    // that step's state. Returns the lab's notes (none for a validated scenario).
    std::vector<std::string> start(const Scenario& scenario, sim::Lab& lab,
                                   ScenarioRecord record = {});
    bool active() const { return active_; }
    void stop() { active_ = false; }

    const Scenario& scenario() const { return scenario_; }
    std::size_t step_index() const { return step_; }
    std::size_t step_count() const { return scenario_.steps.size(); }
    const Step& step() const; // precondition: active()
    bool at_first() const { return step_ == 0; }
    bool at_last() const { return step_ + 1 >= scenario_.steps.size(); }

    // Each replays the scenario up to the new step on `lab` (what the learner changed is
    // discarded, so every step shows its own numbers). next() on the last step marks the
    // scenario finished and stays there.
    std::vector<std::string> next(sim::Lab& lab);
    std::vector<std::string> back(sim::Lab& lab);
    std::vector<std::string> go_to(std::size_t step, sim::Lab& lab);
    std::vector<std::string> reset_step(sim::Lab& lab);
    // True when the lab changed since the tour last set it (offer "reset this step").
    bool lab_changed(const sim::Lab& lab) const;

    // Checks the current step's task on `lab` (cheap to call every frame: it re-evaluates only
    // when the lab changed). Once done, a task stays done. False when the step has no task.
    bool check_task(const sim::Lab& lab);
    bool task_done() const;

    // Questions are indexed within the current step's quiz.
    Grade answer_choice(std::size_t question, const std::vector<std::size_t>& chosen);
    Grade answer_number(std::size_t question, double value);
    Grade reveal(std::size_t question);
    QuestionRecord question_record(std::size_t question) const;

    Score score() const;
    const ScenarioRecord& record() const { return record_; }

  private:
    std::vector<std::string> enter(std::size_t step, sim::Lab& lab);
    const Question* question(std::size_t i, Grade* invalid) const;
    void settle(const Question& q, QuestionRecord& r, bool correct, Grade& g) const;

    Scenario scenario_;
    bool active_ = false;
    std::size_t step_ = 0;
    ScenarioRecord record_;
    Snapshot at_start_;
    std::uint64_t lab_revision_ = 0;
    // check_task's cache: what it last looked at. The revision covers x and y; the rest can
    // change without a recompute (the sweep, momentum, a reset of the running statistics).
    struct Checked {
        std::uint64_t revision = ~0ull;
        std::size_t group = ~std::size_t{0};
        bool playing = false;
        float momentum = -1;
        int batches_trained = -1;
        bool operator==(const Checked&) const = default;
    };
    Checked checked_;
    bool checked_result_ = false;
};

} // namespace normlab::scenario
