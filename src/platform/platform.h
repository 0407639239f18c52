// platform/platform.h: the window, the GL context, the main loop and the page around them.
// The only room that knows SDL, GL and Emscripten; the rest of the app sees this interface.
// One implementation per platform (platform_web.cpp for the browser), chosen in CMake.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace normlab::platform {

struct FrameInfo {
    double dt = 0;        // seconds since the previous frame
    double time_ms = 0;   // milliseconds since the page started navigating
    int width = 0;        // logical (CSS) pixels
    int height = 0;
    float pixel_ratio = 1;
    double last_work_ms = 0;  // CPU time the previous frame took (events, UI, GL submission)
};

// Creates the window/canvas, a WebGL2 context and an ImGui context with its SDL and OpenGL3
// backends. Returns "" or a message saying what is missing (e.g. WebGL2).
std::string init(const char* title);

struct LoopHooks {
    // Called before ImGui::NewFrame; returns true when it rebuilt the font atlas (the
    // platform then re-uploads the font texture). May be empty.
    std::function<bool(const FrameInfo&)> prepare;
    // Called between ImGui::NewFrame and the render of its draw data.
    std::function<void(const FrameInfo&)> frame;
};

// Runs the hooks once per display refresh. Never returns on the web.
void run(LoopHooks hooks);

// Uploads an RGBA8 image (row-major, width x height) into texture `slot` (0..15), creating
// or resizing it; nearest-neighbour sampling keeps cells crisp. Returns the texture handle
// (an ImTextureID for the OpenGL3 backend), 0 on a bad slot or size.
std::uintptr_t upload_texture(int slot, const std::uint32_t* rgba, int width, int height);

// Offers `data` to the user as a downloaded file.
void download(const std::string& filename, const std::string& mime, const std::string& data);

// Saves the next rendered frame as a PNG download (the canvas exactly as drawn).
void request_screenshot(const std::string& filename);

// Asks the browser for the clipboard text (async; needs a user gesture). The text arrives in
// take_pasted_text() on a later frame. Ctrl+V into an ImGui text field works too.
void request_paste();
// Text pasted since the last call (from request_paste or a paste event), "" if none.
std::string take_pasted_text();

// The page's localStorage: "" when absent or when storage is unavailable (private mode,
// sandboxed frame); storage_set returns false when it could not write.
std::string storage_get(const char* key);
bool storage_set(const char* key, const std::string& value);

// Value of a URL query parameter (?key=value), "" when absent.
std::string url_param(const char* key);

// Reports a problem on the browser console; a fatal one (the app cannot start) also
// replaces the canvas with the page's error panel.
void report(const std::string& message, bool fatal = false);

} // namespace normlab::platform
