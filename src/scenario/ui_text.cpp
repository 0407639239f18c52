// scenario/ui_text.cpp: see ui_text.h. The file itself is parsed in loader.cpp.
#include "scenario/ui_text.h"

#include <cctype>

namespace normlab::scenario {

std::string_view UiText::get(std::string_view english) const {
    const auto it = strings.find(english);
    return it == strings.end() ? english : std::string_view(it->second);
}

std::string format_conversions(std::string_view f) {
    std::string out;
    for (std::size_t i = 0; i < f.size(); ++i) {
        if (f[i] != '%') continue;
        if (i + 1 < f.size() && f[i + 1] == '%') {
            ++i;
            continue;
        }
        // Flags, width, precision, then length modifiers and the conversion letter.
        std::size_t k = i + 1;
        while (k < f.size() && std::string_view("-+ #0").find(f[k]) != std::string_view::npos) ++k;
        while (k < f.size() && (std::isdigit(static_cast<unsigned char>(f[k])) || f[k] == '.' || f[k] == '*')) ++k;
        std::string conv;
        while (k < f.size() && std::string_view("hlLqjzt").find(f[k]) != std::string_view::npos) conv += f[k++];
        if (k < f.size()) conv += f[k];
        if (!out.empty()) out += ' ';
        out += conv.empty() ? "?" : conv;
        i = k;
    }
    return out;
}

std::string check_ui_translation(std::string_view english, std::string_view translation) {
    if (translation.find("##") != std::string_view::npos)
        return "must not contain \"##\" (the UI keeps widget ids itself)";
    const std::string want = format_conversions(english), got = format_conversions(translation);
    if (want != got)
        return "takes the values " + (got.empty() ? std::string("(none)") : "\"" + got + "\"") +
               " but the English text takes " + (want.empty() ? std::string("none") : "\"" + want + "\"") +
               ": keep the same %-conversions in the same order";
    return "";
}

} // namespace normlab::scenario
