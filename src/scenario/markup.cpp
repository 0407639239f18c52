// scenario/markup.cpp: see markup.h.
#include "scenario/markup.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>

namespace normlab::scenario {

namespace {

// The UI font subset (tools/deps.sh FONT_UNICODES). Keep both in step: test_markup compares.
struct Range {
    std::uint32_t lo, hi;
};
constexpr Range kFontRanges[] = {
    {0x20, 0x7E},     {0xA0, 0xA1},     {0xAA, 0xAB},     {0xB0, 0xB3},     {0xB5, 0xB5},     {0xB7, 0xB7},
    {0xBA, 0xBB},     {0xBD, 0xBD},     {0xBF, 0xFF},     {0x391, 0x3A9},   {0x3B1, 0x3C9},   {0x2013, 0x2014}, {0x2018, 0x201D},
    {0x2022, 0x2022}, {0x2026, 0x2026}, {0x2190, 0x2193}, {0x2202, 0x2202}, {0x2207, 0x2207},
    {0x2211, 0x2211}, {0x2212, 0x2212}, {0x221A, 0x221A}, {0x221E, 0x221E}, {0x2248, 0x2248},
    {0x2260, 0x2260}, {0x2264, 0x2264}, {0x2265, 0x2265}, {0x22C5, 0x22C5}, {0x25B6, 0x25B6},
    {0x25C0, 0x25C0}, {0x25CF, 0x25CF}, {0x25A0, 0x25A0}, {0x2713, 0x2713}, {0x2717, 0x2717},
};

bool in_font(std::uint32_t cp) {
    if (cp == '\n') return true;
    for (const Range& r : kFontRanges)
        if (cp >= r.lo && cp <= r.hi) return true;
    return false;
}

// Decodes one UTF-8 code point at s[i]; returns its length, 0 if malformed.
std::size_t decode(std::string_view s, std::size_t i, std::uint32_t* cp) {
    const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    const unsigned char c = b(i);
    std::size_t n = c < 0x80           ? 1
                    : (c >> 5) == 0x6  ? 2
                    : (c >> 4) == 0xE  ? 3
                    : (c >> 3) == 0x1E ? 4
                                       : 0;
    if (n == 0 || i + n > s.size()) return 0;
    std::uint32_t v = n == 1 ? c : n == 2 ? (c & 0x1Fu) : n == 3 ? (c & 0x0Fu) : (c & 0x07u);
    for (std::size_t k = 1; k < n; ++k) {
        if ((b(i + k) & 0xC0) != 0x80) return 0;
        v = (v << 6) | (b(i + k) & 0x3Fu);
    }
    static constexpr std::uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (v < kMin[n] || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return 0;
    *cp = v;
    return n;
}

std::string_view trim_right(std::string_view s) {
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

bool blank(std::string_view s) {
    return trim_right(s).empty();
}

// "12. rest" -> 12 and "rest"; false if the line is not a numbered item.
bool numbered_item(std::string_view line, int* number, std::string_view* rest) {
    std::size_t i = 0;
    int n = 0;
    while (i < line.size() && i < 4 && line[i] >= '0' && line[i] <= '9')
        n = n * 10 + (line[i++] - '0');
    if (i == 0 || i + 1 >= line.size() || line[i] != '.' || line[i + 1] != ' ') return false;
    *number = n;
    *rest = line.substr(i + 2);
    return true;
}

void add_span(std::vector<Span>& spans, std::string text, bool bold, bool code) {
    if (text.empty()) return;
    if (!spans.empty() && spans.back().bold == bold && spans.back().code == code && !code)
        spans.back().text += text;
    else
        spans.push_back(Span{.text = std::move(text), .bold = bold, .code = code});
}

std::vector<Span> parse_inline(std::string_view s, std::string* error) {
    std::vector<Span> spans;
    std::string plain;
    bool bold = false;
    for (std::size_t i = 0; i < s.size();) {
        if (s[i] == '`') {
            const std::size_t end = s.find('`', i + 1);
            if (end == std::string_view::npos) {
                if (error && error->empty()) {
                    std::size_t n = std::min<std::size_t>(40, s.size() - i);
                    while (i + n < s.size() && n > 0 &&
                           (static_cast<unsigned char>(s[i + n]) & 0xC0) == 0x80)
                        --n;
                    *error = "unclosed ` (code) in \"" + std::string(s.substr(i, n)) + "\"";
                }
                plain += s.substr(i);
                break;
            }
            add_span(spans, std::move(plain), bold, false);
            plain.clear();
            add_span(spans, std::string(s.substr(i + 1, end - i - 1)), bold, true);
            i = end + 1;
        } else if (s.compare(i, 2, "**") == 0) {
            add_span(spans, std::move(plain), bold, false);
            plain.clear();
            bold = !bold;
            i += 2;
        } else {
            // A lone * would show literally: there are no italics. Multiplication is × or ·.
            if (s[i] == '*' && error && error->empty())
                *error = "a single * is not markup (there are no italics): use **bold**, × or `*`";
            plain += s[i++];
        }
    }
    add_span(spans, std::move(plain), bold, false);
    if (bold && error && error->empty()) *error = "unclosed ** (bold)";
    return spans;
}

} // namespace

std::vector<Block> parse_markup(std::string_view text, std::string* error) {
    if (error) error->clear();
    struct Raw {
        BlockKind kind;
        int number;
        std::string text;
    };
    std::vector<Raw> raw;
    bool open = false; // the last raw block still takes continuation lines
    while (true) {
        const std::size_t nl = text.find('\n');
        const std::string_view line = trim_right(text.substr(0, nl));
        int number = 0;
        std::string_view rest;
        if (blank(line)) {
            open = false;
        } else if (line.size() >= 2 && line[0] == '-' && line[1] == ' ') {
            raw.push_back({BlockKind::Bullet, 0, std::string(line.substr(2))});
            open = true;
        } else if (numbered_item(line, &number, &rest)) {
            raw.push_back({BlockKind::Numbered, number, std::string(rest)});
            open = true;
        } else {
            const bool indented = line[0] == ' ';
            std::size_t start = 0;
            while (start < line.size() && line[start] == ' ')
                ++start;
            const std::string_view body = line.substr(start);
            const bool continues = open && (raw.back().kind == BlockKind::Paragraph || indented);
            if (continues) {
                raw.back().text += ' ';
                raw.back().text += body;
            } else {
                raw.push_back({BlockKind::Paragraph, 0, std::string(body)});
            }
            open = true;
        }
        if (nl == std::string_view::npos) break;
        text.remove_prefix(nl + 1);
    }
    std::vector<Block> blocks;
    for (Raw& r : raw)
        blocks.push_back(
            Block{.kind = r.kind, .number = r.number, .spans = parse_inline(r.text, error)});
    return blocks;
}

std::string check_glyphs(std::string_view s) {
    for (std::size_t i = 0; i < s.size();) {
        std::uint32_t cp = 0;
        const std::size_t n = decode(s, i, &cp);
        if (n == 0) return "invalid UTF-8 at byte " + std::to_string(i);
        if (!in_font(cp)) {
            char buf[16];
            std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(cp));
            std::string what = buf;
            if (cp >= 0x20 && cp != 0x7F) what += " '" + std::string(s.substr(i, n)) + "'";
            return what + (cp < 0x20 || cp == 0x7F
                               ? " is a control character (only newline is allowed)"
                               : " has no glyph in the UI font");
        }
        i += n;
    }
    return "";
}

std::string font_ranges() {
    std::string out;
    char buf[32];
    for (const Range& r : kFontRanges) {
        if (r.lo == r.hi)
            std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(r.lo));
        else
            std::snprintf(buf, sizeof buf, "U+%04X-%04X", static_cast<unsigned>(r.lo),
                          static_cast<unsigned>(r.hi));
        if (!out.empty()) out += ',';
        out += buf;
    }
    return out;
}

} // namespace normlab::scenario
