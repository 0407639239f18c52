// ui/theme.cpp: colours, spacing and fonts. The UI font is DejaVu Sans subset at build time
// (Latin-1, Greek, arrows and a few math symbols). ImGui's built-in font is not in the
// build (CMakeLists.txt: imgui_draw.cpp without its data): without our font the app does not start.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>

#include "imgui.h"
#include "ui/ui.h"

namespace normlab::ui {

void apply_theme(bool projector) {
    ImGui::StyleColorsDark();
    ImGuiStyle& s = ImGui::GetStyle();
    s.WindowRounding = 0;
    s.ChildRounding = 6;
    s.FrameRounding = 4;
    s.GrabRounding = 4;
    s.PopupRounding = 4;
    s.FramePadding = ImVec2(8, 5);
    s.ItemSpacing = ImVec2(8, 7);
    s.WindowPadding = ImVec2(12, 12);
    s.WindowBorderSize = 0;
    s.ChildBorderSize = 1;
    ImVec4* c = s.Colors;
    c[ImGuiCol_WindowBg] = ImVec4(0.07f, 0.08f, 0.10f, 1);
    c[ImGuiCol_ChildBg] = ImVec4(0.10f, 0.11f, 0.14f, 1);
    c[ImGuiCol_Border] = ImVec4(0.22f, 0.24f, 0.29f, 1);
    c[ImGuiCol_FrameBg] = ImVec4(0.16f, 0.18f, 0.22f, 1);
    c[ImGuiCol_FrameBgHovered] = ImVec4(0.21f, 0.24f, 0.30f, 1);
    c[ImGuiCol_FrameBgActive] = ImVec4(0.24f, 0.28f, 0.35f, 1);
    c[ImGuiCol_Button] = ImVec4(0.17f, 0.20f, 0.26f, 1);
    c[ImGuiCol_ButtonHovered] = ImVec4(0.20f, 0.36f, 0.45f, 1);
    c[ImGuiCol_ButtonActive] = ImVec4(0.12f, 0.55f, 0.65f, 1);
    c[ImGuiCol_Header] = ImVec4(0.12f, 0.45f, 0.55f, 0.55f);
    c[ImGuiCol_HeaderHovered] = ImVec4(0.14f, 0.52f, 0.62f, 0.75f);
    c[ImGuiCol_HeaderActive] = ImVec4(0.16f, 0.60f, 0.70f, 1);
    c[ImGuiCol_SliderGrab] = ImVec4(0.30f, 0.78f, 0.88f, 1);
    c[ImGuiCol_SliderGrabActive] = ImVec4(0.45f, 0.88f, 0.95f, 1);
    c[ImGuiCol_CheckMark] = ImVec4(0.40f, 0.88f, 0.95f, 1);
    c[ImGuiCol_Text] = ImVec4(0.92f, 0.93f, 0.95f, 1);
    c[ImGuiCol_TextDisabled] = ImVec4(0.60f, 0.63f, 0.68f, 1);
    c[ImGuiCol_Separator] = ImVec4(0.25f, 0.27f, 0.32f, 1);
    // Keyboard focus must be easy to see on the dark ground: amber, like the spotlights.
    c[ImGuiCol_NavHighlight] = ImVec4(1.f, 0.77f, 0.25f, 1);
    if (projector) {  // projectors wash out dark greys: lift text and borders, deepen the ground
        c[ImGuiCol_Text] = ImVec4(1, 1, 1, 1);
        c[ImGuiCol_TextDisabled] = ImVec4(0.80f, 0.82f, 0.86f, 1);
        c[ImGuiCol_WindowBg] = ImVec4(0, 0, 0, 1);
        c[ImGuiCol_ChildBg] = ImVec4(0.04f, 0.04f, 0.06f, 1);
        c[ImGuiCol_Border] = ImVec4(0.55f, 0.58f, 0.65f, 1);
        c[ImGuiCol_FrameBg] = ImVec4(0.20f, 0.22f, 0.28f, 1);
        s.ChildBorderSize = 2;
        s.FrameBorderSize = 1;
    }
}

float body_font_px(int width, int height, bool projector) {
    const float boost = projector ? 1.5f : 1.f;
    if (width < 700) return 15.f * (projector ? 1.25f : 1.f);   // phones: stacked layout
    const float s = std::min(width / 1280.f, height / 800.f);
    return std::clamp(16.f * s * boost, 15.f, 60.f);            // grows on big screens
}

std::string font_problem(const std::string& ttf) {
    // stb_truetype trusts the file it is given, so look before handing it over: the sfnt
    // header, a table directory inside the file, and the tables ImGui's rasterizer reads.
    const auto u16 = [&](std::size_t at) {
        return static_cast<unsigned>(static_cast<unsigned char>(ttf[at]) << 8 | static_cast<unsigned char>(ttf[at + 1]));
    };
    const auto u32 = [&](std::size_t at) { return static_cast<std::uint32_t>(u16(at)) << 16 | u16(at + 2); };
    if (ttf.empty()) return "the UI font (normlab-ui.ttf) did not arrive";
    if (ttf.size() < 12 || u32(0) != 0x00010000u)
        return "normlab-ui.ttf is not a TrueType font (" + std::to_string(ttf.size()) + " bytes; is the server "
               "answering with another file?)";
    const std::size_t tables = u16(4);
    if (12 + 16 * tables > ttf.size()) return "normlab-ui.ttf is cut short";
    int found = 0;
    for (const char* tag : {"cmap", "glyf", "head", "hhea", "hmtx", "loca", "maxp"})
        for (std::size_t i = 0; i < tables; ++i) {
            const std::size_t entry = 12 + 16 * i;
            if (ttf.compare(entry, 4, tag) != 0) continue;
            if (static_cast<std::uint64_t>(u32(entry + 8)) + u32(entry + 12) > ttf.size())
                return std::string("normlab-ui.ttf is cut short (its ") + tag + " table)";
            ++found;
            break;
        }
    return found == 7 ? "" : "normlab-ui.ttf lacks tables a TrueType font needs";
}

bool ensure_fonts(Fonts& fonts, float css_px, float pixel_ratio) {
    const float want = std::round(css_px * pixel_ratio);
    if (fonts.body && std::fabs(want - fonts.pixel_size) < 1.f) return false;
    // Basic Latin + Latin-1, Greek, dashes/quotes/bullet/ellipsis, arrows, math, shapes.
    static const ImWchar kRanges[] = {0x0020, 0x00FF, 0x0370, 0x03FF, 0x2013, 0x2026, 0x2190,
                                      0x2193, 0x2202, 0x2265, 0x22C5, 0x22C5, 0x25A0, 0x25CF,
                                      0x2713, 0x2717, 0};
    ImGuiIO& io = ImGui::GetIO();
    io.Fonts->Clear();
    ImFontConfig cfg;
    cfg.OversampleH = 2;
    cfg.OversampleV = 1;
    cfg.PixelSnapH = true;
    cfg.FontDataOwnedByAtlas = false;   // fonts.ttf keeps the bytes
    void* data = fonts.ttf.data();
    const int size = static_cast<int>(fonts.ttf.size());
    fonts.body = io.Fonts->AddFontFromMemoryTTF(data, size, want, &cfg, kRanges);
    fonts.heading = io.Fonts->AddFontFromMemoryTTF(data, size, std::round(want * 1.35f), &cfg, kRanges);
    io.FontGlobalScale = 1.f / pixel_ratio;  // atlas in device pixels, layout in CSS pixels
    io.Fonts->Build();
    fonts.pixel_size = want;
    return true;
}

} // namespace normlab::ui
