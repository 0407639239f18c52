// ui/ui.h: the NormLab interface drawn with Dear ImGui. Reads sim::Lab, changes it only
// through its mutators. The only room that includes imgui.h (with app and platform).
#pragma once

#include <string>

#include "sim/lab.h"

struct ImFont;

namespace normlab::ui {

// What the UI remembers between frames (kept in a struct so a reset is one assignment).
struct UiState {
    std::string note;          // last clamp/validation message shown under the controls
    double note_until = 0;     // seconds (ui clock) until the note fades
    double clock = 0;          // seconds since start
    int hovered_cell = -1;     // flat index under the pointer, -1 none
    bool narrow = false;       // phone layout (stacked)
};

struct Fonts {
    ImFont* body = nullptr;
    ImFont* heading = nullptr;
    bool from_file = false;    // false: fell back to ImGui's built-in font (no Greek)
    float pixel_size = 0;      // body size in device pixels the atlas was built for
};

// Applies the colour theme once.
void apply_theme();

// Rebuilds the font atlas when the wanted size changed (e.g. on resize or zoom); returns
// true when it did, so the platform re-uploads the texture. `path` is the TTF to load.
bool ensure_fonts(Fonts& fonts, const char* path, float css_px, float pixel_ratio,
                  std::string* error);

// Body font size in CSS pixels for a viewport, from phone to 4K projector.
float body_font_px(int width, int height);

// Shows a short message under the controls for a few seconds (clamped values, errors).
void show_note(UiState& state, const std::string& note);

// Draws the whole app for one frame.
void draw(UiState& state, sim::Lab& lab, const Fonts& fonts, int width, int height, double dt);

} // namespace normlab::ui
