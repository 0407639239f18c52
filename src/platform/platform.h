// platform/platform.h: the window, the GL context, the main loop and the page around them.
// The only room that knows SDL, GL and Emscripten; the rest of the app sees this interface.
// One implementation per platform (platform_web.cpp for the browser), chosen in CMake.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

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

// Whether a CSS media query matches now, e.g. "(pointer: coarse)" (a touch screen) or
// "(prefers-reduced-motion: reduce)"; false where matchMedia is missing.
bool media_matches(const char* query);

// The zoom factor of a two-finger pinch on the canvas since the last call (1: none), and in
// *pinching whether two fingers are down now. SDL turns the first finger into the mouse too,
// so taps and drags reach ImGui as clicks; only the pinch needs reading here.
float take_pinch(bool* pinching);

// Value of a URL query parameter (?key=value), "" when absent.
std::string url_param(const char* key);

// Reports a problem on the browser console; a fatal one (the app cannot start) also
// replaces the canvas with the page's error panel.
void report(const std::string& message, bool fatal = false);

// [files beside index.html] ---------------------------------------------------------------
// The page (web/page.js) fetches what the app needs at start (the UI font, the lab text, the
// walkthrough catalogue, the walkthrough a link opens) before main() runs, and the other
// walkthroughs when the app asks for them. There is no file system: bytes change hands here.
struct File {
    std::string name;   // relative to the page: "normlab-ui.ttf", "scenarios/05_layernorm.json"
    std::string data;
};
// Every file the page has fetched so far that nobody took yet; each is handed over once.
std::vector<File> take_files();
// Starts fetching `name` (from the single file's block when offline); it arrives in a later
// take_files(), or, when it cannot be fetched, in take_failures().
void request_file(const std::string& name);
// Requested files that could not be fetched since the last call: name, and in `data` why
// ("HTTP 404").
std::vector<File> take_failures();

// [embedding] ----------------------------------------------------------------------------
// The page that frames NormLab ("host") and NormLab talk with window.postMessage.

// Receives an accepted message (its JSON text) and returns the reply (JSON object text), or
// "" when the app sends the reply later itself (host_post).
using HostHandler = std::string (*)(const std::string& message_json);
// Listens for messages. Only messages whose origin is exactly one of `origins` (e.g.
// "https://course.example") reach `handler`; others are dropped with a console warning.
// The reply goes back to the sender's window and origin.
void host_listen(const std::vector<std::string>& origins, HostHandler handler);
// Posts an event (JSON object text) to the parent frame, once per allowed origin (the
// browser delivers it only where the parent's origin matches). With no allowed origin only a
// `public_event` is posted, to '*'. Does nothing when the page is not framed.
void host_post(const std::string& event_json, bool public_event = false);

// Fullscreen of the page's root element. Bits of fullscreen_status(): 1 the page may go
// fullscreen (document.fullscreenEnabled; false in a frame without allowfullscreen),
// 2 it is fullscreen now, 4 toggle_fullscreen() was refused since the last call.
void toggle_fullscreen();
int fullscreen_status();
// Opens `url` in a new browser tab (needs a recent click or key press).
void open_tab(const std::string& url);
// Puts text on the clipboard (navigator.clipboard, else a hidden text field and
// execCommand); the text stays selectable in the app either way.
void copy_text(const std::string& text);
// The page's address without query or fragment (origin + path).
std::string page_url();

} // namespace normlab::platform
