// scenario/ui_text.h: the translation of the UI's own strings (panel labels, buttons, tooltips,
// guide chrome), loaded from scenarios/ui_text.LANG.json by the same strict loader as the
// scenarios ("kind": "ui_text"). Keys are the English source strings as written in the code
// (tr("Play") in src/ui), so English needs no file and is always the fallback.
// Owns: the data and the checks on one entry. Knows nothing of ImGui.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace normlab::scenario {

struct UiText {
    std::string language = "en";
    std::map<std::string, std::string, std::less<>> strings;   // English -> translation
    std::string file;

    // The translation of `english`, or `english` itself when the file has none.
    std::string_view get(std::string_view english) const;
};

// The printf conversions of a format string in order ("%zu cells, %.2f" -> "zu f"), so a
// translation can be checked to take the same arguments; "%%" is not a conversion.
std::string format_conversions(std::string_view format);

// "" when `translation` may stand for `english`: the same printf conversions in the same
// order, no "##" (ImGui's id marker: the UI adds the id itself). Otherwise the problem.
std::string check_ui_translation(std::string_view english, std::string_view translation);

} // namespace normlab::scenario
