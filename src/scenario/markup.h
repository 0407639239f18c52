// scenario/markup.h: the light markup of scenario text, parsed into blocks and spans the UI
// draws, and the check that every character has a glyph in the UI font.
// Markup: paragraphs are separated by a blank line; a line starting "- " is a bullet item, one
// starting "1. " (any number) a numbered item; consecutive plain lines join with a space.
// Inside a line, **bold** and `code` (code is literal: no bold inside); a lone * outside code is
// an error (it would show literally: there are no italics). Greek letters and math
// symbols are written as themselves in UTF-8 (μ σ ε γ β √ ≤ ≈ ·). Nothing else is special.
// Knows nothing of ImGui: the UI maps Block/Span to its widgets.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace normlab::scenario {

struct Span {
    std::string text;
    bool bold = false;
    bool code = false;
};

enum class BlockKind { Paragraph, Bullet, Numbered };

struct Block {
    BlockKind kind = BlockKind::Paragraph;
    int number = 0; // Numbered: the number written
    std::vector<Span> spans;
};

// Parses `text`. On malformed markup (an unclosed ** or `) returns what it could and sets
// *error to a one-line message; *error is "" on success. error may be null.
std::vector<Block> parse_markup(std::string_view text, std::string* error);

// "" when every code point of `utf8` is in the UI font's ranges (tools/deps.sh
// FONT_UNICODES, repeated in markup.cpp; a test keeps them equal), else a message naming
// the first one that is not ("U+2082 '₂' has no glyph in the UI font"). Also rejects control
// characters other than newline.
std::string check_glyphs(std::string_view utf8);

// The UI font's code point ranges, as "U+0020-007E,U+00A0-00FF,..." (the deps.sh format).
std::string font_ranges();

} // namespace normlab::scenario
