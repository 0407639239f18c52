// ui/theme.cpp: colours, spacing and fonts. The UI font is DejaVu Sans subset at build time
// (Latin-1, Greek, arrows and a few math symbols); ImGui's built-in font lacks Greek.
#include <algorithm>
#include <cmath>
#include <cstdio>

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

bool ensure_fonts(Fonts& fonts, float css_px, float pixel_ratio, std::string* error) {
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
    // stb_truetype trusts the file: only hand it something that starts like a TrueType font.
    const bool looks_ttf = fonts.ttf.size() > 12 && fonts.ttf.compare(0, 4, std::string("\0\1\0\0", 4)) == 0;
    void* data = fonts.ttf.data();
    const int size = static_cast<int>(fonts.ttf.size());
    fonts.body = looks_ttf ? io.Fonts->AddFontFromMemoryTTF(data, size, want, &cfg, kRanges) : nullptr;
    fonts.from_file = fonts.body != nullptr;
    if (fonts.body) {
        fonts.heading = io.Fonts->AddFontFromMemoryTTF(data, size, std::round(want * 1.35f), &cfg, kRanges);
    } else {
        if (error) *error = std::string(fonts.ttf.empty() ? "the UI font (normlab-ui.ttf) did not arrive"
                                                          : "normlab-ui.ttf is not a TrueType font") +
                            "; using the built-in font (Greek letters will be missing)";
        ImFontConfig fallback;
        fallback.SizePixels = want;
        fonts.body = io.Fonts->AddFontDefault(&fallback);
        fonts.heading = fonts.body;
    }
    io.FontGlobalScale = 1.f / pixel_ratio;  // atlas in device pixels, layout in CSS pixels
    io.Fonts->Build();
    fonts.pixel_size = want;
    return true;
}

} // namespace normlab::ui
