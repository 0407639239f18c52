// scenario/scenario.cpp: the few helpers of the plain data in scenario.h.
#include "scenario/scenario.h"

namespace normlab::scenario {

bool LabState::empty() const {
    return !family && !layout && !batch && !features && !length && !height && !width && !groups &&
           !eps && !seed && !preset && !eps_placement && !storage && !accumulate && !mode &&
           !momentum && !reset_running && !reset_affine && affine.empty() && resample == 0 &&
           scale_examples.empty() && cells.empty() && train == 0 && !focus && !play;
}

const char* level_id(Level level) {
    switch (level) {
    case Level::Beginner:
        return "beginner";
    case Level::Intermediate:
        return "intermediate";
    case Level::Advanced:
        return "advanced";
    }
    return "beginner";
}

std::size_t Scenario::question_count() const {
    std::size_t n = 0;
    for (const Step& s : steps)
        n += s.quiz.size();
    return n;
}

const FamilyText* LabText::family(std::string_view id) const {
    for (const FamilyText& f : families)
        if (f.id == id) return &f;
    return nullptr;
}

const DiagnosisText* LabText::diagnosis(std::string_view id) const {
    for (const DiagnosisText& d : diagnoses)
        if (d.id == id) return &d;
    return nullptr;
}

} // namespace normlab::scenario
