// app/embed.h: the URL vocabulary of embedding: teacher locks (?lock=, ?hide=) and the
// origins allowed to command NormLab (?parentOrigin=). Parsing only; App applies the result.
#pragma once

#include <string>
#include <vector>

namespace normlab::app {

// NormLab's version as reported to host pages (ready event) and in web/metadata.json.
inline constexpr const char* kVersion = "1.0.0";

// Parses a comma-separated list of areas for ?lock= (hiding false) or ?hide= (hiding true)
// into area ids: the registered panel ids (scenario::highlight_ids(), "panel.settings" or
// just "settings"), "shape" and "data" (both live in panel.controls), and the areas outside
// the registry: guide, weights, export, share. "none" clears the list. Returns notes naming
// each entry that was dropped and why.
std::string parse_areas(const std::string& key, const std::string& text, bool hiding,
                        std::vector<std::string>* out);

// Parses ?parentOrigin=: comma-separated exact origins (scheme://host[:port]); one trailing
// "/" is dropped, the rest is lower-cased. Returns notes for entries that are not origins
// ("*" is refused on purpose: commands must come from a named page).
std::string parse_origins(const std::string& text, std::vector<std::string>* out);

} // namespace normlab::app
