// platform/platform_web.cpp: the browser implementation of platform.h (SDL2 + WebGL2).
// The page (web/index.html) owns the <canvas id="canvas">; web/page.js fetches the files the
// app reads (take_files). Here we size the canvas backing store to the CSS
// size times devicePixelRatio so text and cell edges stay sharp on phones and projectors.
#include "platform/platform.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <vector>

#include <SDL.h>
#include <emscripten.h>
#include <emscripten/html5.h>
#include <GLES3/gl3.h>

#include "imgui.h"
#include "imgui_impl_opengl3.h"
#include "imgui_impl_sdl.h"

namespace normlab::platform {

namespace {

constexpr int kTextureSlots = 16;

struct WebPlatform {
    GLuint textures[kTextureSlots] = {};
    int texture_w[kTextureSlots] = {}, texture_h[kTextureSlots] = {};
    SDL_Window* window = nullptr;
    SDL_GLContext gl = nullptr;
    LoopHooks hooks;
    double last_ms = 0;
    int css_w = 0, css_h = 0;
    double last_work_ms = 0;
    std::string screenshot_name;   // non-empty: read back the next frame as a PNG
    // What each texture slot holds, to upload again after a WebGL context loss.
    std::vector<std::uint32_t> slot_pixels[kTextureSlots];
    bool gl_lost = false, gl_restored = false;   // set by the canvas's context events
};
WebPlatform g_platform;  // the single window of the page; lives as long as the page

// clang-format off
EM_JS(int, js_url_param, (const char* key, char* out, int cap), {
    const v = new URLSearchParams(window.location.search).get(UTF8ToString(key));
    if (v === null) return -1;
    stringToUTF8(v, out, cap);
    return lengthBytesUTF8(v);
});
EM_JS(void, js_report, (const char* msg, int fatal), {
    const text = UTF8ToString(msg);
    console.warn('[NormLab] ' + text);
    if (fatal && window.NormLabPage && window.NormLabPage.status) window.NormLabPage.status(text);
});
EM_JS(double, js_now_ms, (), { return performance.now(); });
EM_JS(void, js_download, (const char* name, const char* mime, const char* data, int size), {
    const bytes = HEAPU8.slice(data, data + size);
    const url = URL.createObjectURL(new Blob([bytes], {type: UTF8ToString(mime)}));
    const a = document.createElement('a');
    a.href = url;
    a.download = UTF8ToString(name);
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
});
// GL rows run bottom-up; the PNG is top-down.
EM_JS(void, js_save_png, (const char* name, const unsigned char* rgba, int w, int h), {
    const c = document.createElement('canvas');
    c.width = w;
    c.height = h;
    const g = c.getContext('2d');
    const img = g.createImageData(w, h);
    for (let y = 0; y < h; y++)
        img.data.set(HEAPU8.subarray(rgba + (h - 1 - y) * w * 4, rgba + (h - y) * w * 4), y * w * 4);
    g.putImageData(img, 0, 0);
    const file = UTF8ToString(name);
    c.toBlob((blob) => {
        const url = URL.createObjectURL(blob);
        const a = document.createElement('a');
        a.href = url;
        a.download = file;
        document.body.appendChild(a);
        a.click();
        a.remove();
        setTimeout(() => URL.revokeObjectURL(url), 1000);
    }, 'image/png');
});
// clang-format on

// The page's clipboard as ImGui sees it: the last text pasted into the page, and copies go
// to navigator.clipboard. SDL's Emscripten backend has no clipboard of its own.
std::string g_clipboard;
bool g_pasted_fresh = false;

EM_JS(void, js_write_clipboard, (const char* text), {
    if (navigator.clipboard) navigator.clipboard.writeText(UTF8ToString(text)).catch(() => {});
});
EM_JS(void, js_request_paste, (), {
    if (!navigator.clipboard || !navigator.clipboard.readText) {
        console.warn('[NormLab] this browser does not let the page read the clipboard; use Ctrl+V');
        return;
    }
    navigator.clipboard.readText().then((t) => {
        const n = lengthBytesUTF8(t) + 1;
        const p = _malloc(n);
        stringToUTF8(t, p, n);
        _normlab_receive_paste(p);
        _free(p);
    }).catch((e) => console.warn('[NormLab] clipboard not readable: ' + e.message));
});

EM_JS(char*, js_storage_get, (const char* key), {
    try {
        const v = window.localStorage.getItem(UTF8ToString(key));
        if (v === null) return 0;
        const n = lengthBytesUTF8(v) + 1;
        const p = _malloc(n);
        stringToUTF8(v, p, n);
        return p;
    } catch (e) {
        return 0;
    }
});
EM_JS(int, js_storage_set, (const char* key, const char* value), {
    try {
        window.localStorage.setItem(UTF8ToString(key), UTF8ToString(value));
        return 1;
    } catch (e) {
        return 0;
    }
});

const char* get_clipboard(void*) { return g_clipboard.c_str(); }
void set_clipboard(void*, const char* text) {
    g_clipboard = text ? text : "";
    js_write_clipboard(g_clipboard.c_str());
}

void sync_canvas_size() {
    double w = 0, h = 0;
    emscripten_get_element_css_size("#canvas", &w, &h);
    const int iw = static_cast<int>(w), ih = static_cast<int>(h);
    if (iw > 0 && ih > 0 && (iw != g_platform.css_w || ih != g_platform.css_h)) {
        g_platform.css_w = iw;
        g_platform.css_h = ih;
        SDL_SetWindowSize(g_platform.window, iw, ih);
    }
}

// Two-finger pinch. SDL 2.26 on Emscripten reports each touch as SDL_FINGER* with positions
// normalized to the canvas (and makes the first finger the mouse, which the ImGui backend
// reads); the ImGui SDL backend ignores fingers, so the pinch distance is followed here in
// CSS pixels (normalized units would stretch with the canvas aspect).
struct Finger {
    SDL_FingerID id = 0;
    float x = 0, y = 0;
};
std::vector<Finger> g_fingers;
float g_pinch = 1;

float finger_spread() {
    if (g_fingers.size() < 2) return 0;
    const float dx = (g_fingers[0].x - g_fingers[1].x) * static_cast<float>(g_platform.css_w);
    const float dy = (g_fingers[0].y - g_fingers[1].y) * static_cast<float>(g_platform.css_h);
    return std::sqrt(dx * dx + dy * dy);
}

void track_fingers(const SDL_Event& e) {
    if (e.type != SDL_FINGERDOWN && e.type != SDL_FINGERUP && e.type != SDL_FINGERMOTION) return;
    auto it = std::find_if(g_fingers.begin(), g_fingers.end(), [&](const Finger& f) { return f.id == e.tfinger.fingerId; });
    if (e.type == SDL_FINGERUP) {
        if (it != g_fingers.end()) g_fingers.erase(it);
        return;
    }
    const float before = finger_spread();
    if (it == g_fingers.end()) {
        g_fingers.push_back(Finger{e.tfinger.fingerId, e.tfinger.x, e.tfinger.y});
        return;   // a new finger starts a pinch; it does not zoom yet
    }
    it->x = e.tfinger.x;
    it->y = e.tfinger.y;
    const float after = finger_spread();
    if (before > 8.f && after > 8.f) g_pinch *= after / before;
}

// [SECTION] WebGL context loss. The browser may drop the GL context (GPU reset, driver
// update, too many contexts); every GL object is then gone. We let it come back (returning
// true from the lost handler calls preventDefault), skip frames while it is away, and then
// restart the ImGui OpenGL3 backend and rebuild every texture slot under its old GL name,
// because the UI keeps those names as ImTextureIDs.
// clang-format off
EM_JS(void, js_forget_gl_objects, (), {
    // Emscripten's handle tables still point at the dead context's objects; emptied, the
    // glDelete* calls of the ImGui backend become no-ops instead of WebGL errors.
    for (const table of [GL.buffers, GL.programs, GL.shaders, GL.textures, GL.vaos,
                         GL.framebuffers, GL.renderbuffers])
        if (table) table.fill(null);
    const ctx = GL.currentContext;
    if (ctx && GL.initExtensions) { ctx.initExtensionsDone = false; GL.initExtensions(ctx); }
});
EM_JS(void, js_recreate_texture, (unsigned name), {
    const tex = GLctx.createTexture();
    tex.name = name;
    GL.textures[name] = tex;
});
// clang-format on

EM_BOOL on_context_lost(int, const void*, void*) {
    g_platform.gl_lost = true;
    return EM_TRUE;
}
EM_BOOL on_context_restored(int, const void*, void*) {
    g_platform.gl_restored = true;
    return EM_TRUE;
}

std::uintptr_t fill_texture_slot(int slot, const std::uint32_t* rgba, int width, int height);

void restore_gl_objects() {
    js_forget_gl_objects();
    // A whole restart of the backend: it also caches its buffers' sizes, which must start at 0.
    ImGui_ImplOpenGL3_Shutdown();
    ImGui_ImplOpenGL3_Init("#version 300 es");
    for (int slot = 0; slot < kTextureSlots; ++slot) {
        if (!g_platform.textures[slot]) continue;
        js_recreate_texture(g_platform.textures[slot]);
        const int w = g_platform.texture_w[slot], h = g_platform.texture_h[slot];
        g_platform.texture_w[slot] = g_platform.texture_h[slot] = 0;   // forces glTexImage2D
        fill_texture_slot(slot, g_platform.slot_pixels[slot].data(), w, h);
    }
}

void main_loop_tick(void*) {
    if (g_platform.gl_restored) {
        restore_gl_objects();
        g_platform.gl_lost = g_platform.gl_restored = false;
        js_report("the graphics context came back; the board is drawn again", 0);
    }
    if (g_platform.gl_lost) return;   // nothing to draw into until the browser restores it
    const double start = js_now_ms();
    SDL_Event event;
    while (SDL_PollEvent(&event)) {
        track_fingers(event);
        ImGui_ImplSDL2_ProcessEvent(&event);
    }
    sync_canvas_size();

    const double now = start;
    FrameInfo info;
    info.last_work_ms = g_platform.last_work_ms;
    info.dt = g_platform.last_ms > 0 ? (now - g_platform.last_ms) * 1e-3 : 1.0 / 60.0;
    info.time_ms = now;
    info.width = g_platform.css_w;
    info.height = g_platform.css_h;
    info.pixel_ratio = static_cast<float>(emscripten_get_device_pixel_ratio());
    g_platform.last_ms = now;

    if (g_platform.hooks.prepare && g_platform.hooks.prepare(info)) {
        ImGui_ImplOpenGL3_DestroyFontsTexture();
        ImGui_ImplOpenGL3_CreateFontsTexture();
    }
    ImGui_ImplOpenGL3_NewFrame();
    ImGui_ImplSDL2_NewFrame();
    ImGui::NewFrame();
    g_platform.hooks.frame(info);
    ImGui::Render();

    int fb_w = 0, fb_h = 0;
    SDL_GL_GetDrawableSize(g_platform.window, &fb_w, &fb_h);
    glViewport(0, 0, fb_w, fb_h);
    glClearColor(0.07f, 0.08f, 0.10f, 1.f);
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
    if (!g_platform.screenshot_name.empty()) {
        std::vector<unsigned char> pixels(static_cast<std::size_t>(fb_w) * fb_h * 4);
        glPixelStorei(GL_PACK_ALIGNMENT, 1);
        glReadPixels(0, 0, fb_w, fb_h, GL_RGBA, GL_UNSIGNED_BYTE, pixels.data());
        js_save_png(g_platform.screenshot_name.c_str(), pixels.data(), fb_w, fb_h);
        g_platform.screenshot_name.clear();
    }
    g_platform.last_work_ms = js_now_ms() - start;
}

} // namespace

std::string init(const char* title) {
    if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_TIMER) != 0)
        return std::string("could not start SDL: ") + SDL_GetError();
    SDL_GL_SetAttribute(SDL_GL_CONTEXT_PROFILE_MASK, SDL_GL_CONTEXT_PROFILE_ES);
    SDL_GL_SetAttribute(SDL_GL_CONTEXT_MAJOR_VERSION, 3);
    SDL_GL_SetAttribute(SDL_GL_CONTEXT_MINOR_VERSION, 0);
    SDL_GL_SetAttribute(SDL_GL_DOUBLEBUFFER, 1);

    double w = 0, h = 0;
    emscripten_get_element_css_size("#canvas", &w, &h);
    g_platform.css_w = w > 0 ? static_cast<int>(w) : 1280;
    g_platform.css_h = h > 0 ? static_cast<int>(h) : 800;
    g_platform.window = SDL_CreateWindow(title, SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED,
                                         g_platform.css_w, g_platform.css_h,
                                         SDL_WINDOW_OPENGL | SDL_WINDOW_RESIZABLE |
                                             SDL_WINDOW_ALLOW_HIGHDPI);
    if (!g_platform.window) return std::string("could not create the canvas window: ") + SDL_GetError();
    g_platform.gl = SDL_GL_CreateContext(g_platform.window);
    if (!g_platform.gl)
        return std::string("this browser could not create a WebGL2 context (") + SDL_GetError() +
               "); NormLab needs WebGL2";
    SDL_GL_MakeCurrent(g_platform.window, g_platform.gl);

    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;   // layout comes from the app, not from a saved file
    io.ConfigFlags |= ImGuiConfigFlags_NavEnableKeyboard;
    ImGui_ImplSDL2_InitForOpenGL(g_platform.window, g_platform.gl);
    io.GetClipboardTextFn = get_clipboard;   // after the SDL backend, which installs its own
    io.SetClipboardTextFn = set_clipboard;
    ImGui_ImplOpenGL3_Init("#version 300 es");
    emscripten_set_webglcontextlost_callback("#canvas", nullptr, EM_FALSE, on_context_lost);
    emscripten_set_webglcontextrestored_callback("#canvas", nullptr, EM_FALSE, on_context_restored);
    return "";
}

void run(LoopHooks hooks) {
    g_platform.hooks = std::move(hooks);
    emscripten_set_main_loop_arg(main_loop_tick, nullptr, 0, true);
}

std::uintptr_t upload_texture(int slot, const std::uint32_t* rgba, int width, int height) {
    if (slot < 0 || slot >= kTextureSlots || width <= 0 || height <= 0) return 0;
    g_platform.slot_pixels[slot].assign(rgba, rgba + static_cast<std::size_t>(width) * height);
    return fill_texture_slot(slot, rgba, width, height);
}

namespace {
std::uintptr_t fill_texture_slot(int slot, const std::uint32_t* rgba, int width, int height) {
    GLuint& tex = g_platform.textures[slot];
    if (!tex) glGenTextures(1, &tex);
    glBindTexture(GL_TEXTURE_2D, tex);
    glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
    if (g_platform.texture_w[slot] != width || g_platform.texture_h[slot] != height) {
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
        glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, width, height, 0, GL_RGBA, GL_UNSIGNED_BYTE, rgba);
        g_platform.texture_w[slot] = width;
        g_platform.texture_h[slot] = height;
    } else {
        glTexSubImage2D(GL_TEXTURE_2D, 0, 0, 0, width, height, GL_RGBA, GL_UNSIGNED_BYTE, rgba);
    }
    return static_cast<std::uintptr_t>(tex);
}
} // namespace

void download(const std::string& filename, const std::string& mime, const std::string& data) {
    js_download(filename.c_str(), mime.c_str(), data.data(), static_cast<int>(data.size()));
}

void request_screenshot(const std::string& filename) { g_platform.screenshot_name = filename; }

void request_paste() { js_request_paste(); }

std::string storage_get(const char* key) {
    char* p = js_storage_get(key);
    if (!p) return "";
    std::string v(p);
    std::free(p);
    return v;
}

bool storage_set(const char* key, const std::string& value) { return js_storage_set(key, value.c_str()) != 0; }

std::string take_pasted_text() {
    if (!g_pasted_fresh) return "";
    g_pasted_fresh = false;
    return g_clipboard;
}

EM_JS(int, js_media_matches, (const char* query), {
    return window.matchMedia && window.matchMedia(UTF8ToString(query)).matches ? 1 : 0;
});

bool media_matches(const char* query) { return js_media_matches(query) != 0; }

float take_pinch(bool* pinching) {
    if (pinching) *pinching = g_fingers.size() >= 2;
    const float p = g_pinch;
    g_pinch = 1;
    return p;
}

std::string url_param(const char* key) {
    char buf[512];
    const int n = js_url_param(key, buf, sizeof buf);
    if (n < 0) return "";
    return std::string(buf);
}

void report(const std::string& message, bool fatal) { js_report(message.c_str(), fatal ? 1 : 0); }

// [SECTION] embedding: postMessage with the host page, fullscreen, new tab, clipboard.
namespace {

HostHandler g_host_handler = nullptr;
std::string g_host_origins;   // comma separated; App validated each entry as an origin
std::string g_host_reply;     // keeps the reply alive for the JS caller

// clang-format off
// A message from an origin that is not listed never reaches the app; it is reported so a
// course author sees why their commands are ignored.
EM_JS(void, js_host_listen, (const char* origins), {
    const allowed = UTF8ToString(origins).split(',').filter((o) => o);
    window.addEventListener('message', (e) => {
        if (e.source === window) return;
        if (allowed.indexOf(e.origin) < 0) {
            const what = e.data && typeof e.data === 'object' && typeof e.data.type === 'string' ? '"' + e.data.type + '" ' : "";
            console.warn('[NormLab] ignored a ' + what + 'message from ' + e.origin + ': ' +
                (allowed.length ? 'only ' + allowed.join(', ') + ' may send commands (?parentOrigin=)'
                                : 'no ?parentOrigin= was given, so no page may send commands'));
            return;
        }
        let text;
        try { text = JSON.stringify(e.data); } catch (err) { text = 'null'; }
        const n = lengthBytesUTF8(text) + 1;
        const p = _malloc(n);
        stringToUTF8(text, p, n);
        const replyText = UTF8ToString(_normlab_host_message(p));
        _free(p);
        if (e.source && replyText) e.source.postMessage(JSON.parse(replyText), e.origin);
    });
});
EM_JS(void, js_host_post, (const char* json, const char* origins, int is_public), {
    if (window.parent === window) return;
    const msg = JSON.parse(UTF8ToString(json));
    const targets = UTF8ToString(origins).split(',').filter((o) => o);
    if (!targets.length && is_public) window.parent.postMessage(msg, '*');
    for (const o of targets) window.parent.postMessage(msg, o);
});
EM_JS(void, js_toggle_fullscreen, (), {
    const d = document, root = d.documentElement;
    if (d.fullscreenElement || d.webkitFullscreenElement) {
        (d.exitFullscreen || d.webkitExitFullscreen).call(d);
        return;
    }
    const request = root.requestFullscreen || root.webkitRequestFullscreen;
    if (!(d.fullscreenEnabled || d.webkitFullscreenEnabled) || !request) {
        Module.normlabFullscreenRefused = true;
        console.warn('[NormLab] this frame may not go fullscreen (the iframe lacks allowfullscreen)');
        return;
    }
    Promise.resolve(request.call(root)).catch((e) => {
        Module.normlabFullscreenRefused = true;
        console.warn('[NormLab] fullscreen refused: ' + e.message);
    });
});
EM_JS(int, js_fullscreen_status, (), {
    const d = document;
    const refused = !!Module.normlabFullscreenRefused;
    Module.normlabFullscreenRefused = false;
    return ((d.fullscreenEnabled || d.webkitFullscreenEnabled) ? 1 : 0) |
           ((d.fullscreenElement || d.webkitFullscreenElement) ? 2 : 0) | (refused ? 4 : 0);
});
EM_JS(void, js_open_tab, (const char* url), {
    // noopener: the new tab cannot reach back into this frame.
    window.open(UTF8ToString(url), '_blank', 'noopener');
});
EM_JS(void, js_copy_text, (const char* text), {
    const t = UTF8ToString(text);
    const fallback = () => {
        const before = document.activeElement;
        const ta = document.createElement('textarea');
        ta.value = t;
        ta.setAttribute('readonly', "");
        ta.style.position = 'fixed';
        ta.style.opacity = '0';
        document.body.appendChild(ta);
        ta.select();
        let ok = false;
        try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
        ta.remove();
        if (before && before.focus) before.focus();
        if (!ok) console.warn('[NormLab] the browser did not allow copying; select the text in the app instead');
    };
    if (navigator.clipboard && navigator.clipboard.writeText) navigator.clipboard.writeText(t).catch(fallback);
    else fallback();
});
EM_JS(char*, js_page_url, (), {
    const v = window.location.href.split(/[?#]/)[0];
    const n = lengthBytesUTF8(v) + 1;
    const p = _malloc(n);
    stringToUTF8(v, p, n);
    return p;
});
// web/page.js keeps fetched files in Module.normlabFiles.ready / .failed (Maps of name to
// bytes, text or message) and fetches on Module.normlabRequest(name). One file per call:
// "name\0data" in one malloc'd block, its data length in *size; 0 when the map is empty.
EM_JS(char*, js_take_file, (int failed, int* size), {
    const store = Module.normlabFiles;
    const map = store && (failed ? store.failed : store.ready);
    if (!map || map.size === 0) return 0;
    const [name, value] = map.entries().next().value;
    map.delete(name);
    const bytes = typeof value === 'string' ? new TextEncoder().encode(value) : value;
    const nameBytes = lengthBytesUTF8(name) + 1;
    const p = _malloc(nameBytes + bytes.length);
    stringToUTF8(name, p, nameBytes);
    HEAPU8.set(bytes, p + nameBytes);
    HEAP32[size >> 2] = bytes.length;
    return p;
});
EM_JS(void, js_request_file, (const char* name), {
    const file = UTF8ToString(name);
    if (Module.normlabRequest) Module.normlabRequest(file);
    else if (Module.normlabFiles) Module.normlabFiles.failed.set(file, 'this page cannot fetch files');
});
// clang-format on

} // namespace

namespace {
std::vector<File> take_all(bool failed) {
    std::vector<File> files;
    int size = 0;
    while (char* p = js_take_file(failed ? 1 : 0, &size)) {
        File f;
        f.name = p;
        f.data.assign(p + f.name.size() + 1, static_cast<std::size_t>(size));
        std::free(p);
        files.push_back(std::move(f));
    }
    return files;
}
} // namespace

std::vector<File> take_files() { return take_all(false); }
std::vector<File> take_failures() { return take_all(true); }
void request_file(const std::string& name) { js_request_file(name.c_str()); }

void host_listen(const std::vector<std::string>& origins, HostHandler handler) {
    g_host_origins.clear();
    for (const std::string& o : origins) g_host_origins += (g_host_origins.empty() ? "" : ",") + o;
    g_host_handler = handler;
    js_host_listen(g_host_origins.c_str());
}

void host_post(const std::string& event_json, bool public_event) {
    js_host_post(event_json.c_str(), g_host_origins.c_str(), public_event ? 1 : 0);
}

void toggle_fullscreen() { js_toggle_fullscreen(); }
int fullscreen_status() { return js_fullscreen_status(); }
void open_tab(const std::string& url) { js_open_tab(url.c_str()); }
void copy_text(const std::string& text) { js_copy_text(text.c_str()); }

std::string page_url() {
    char* p = js_page_url();
    std::string v(p);
    std::free(p);
    return v;
}

} // namespace normlab::platform

// js_host_listen calls this with an accepted message; returns the reply as JSON text.
extern "C" EMSCRIPTEN_KEEPALIVE const char* normlab_host_message(const char* json) {
    using namespace normlab::platform;
    g_host_reply = g_host_handler ? g_host_handler(json ? json : "")
                                  : R"({"source":"normlab","type":"error","message":"NormLab is not ready"})";
    return g_host_reply.c_str();
}

// page.js forwards paste events here; js_request_paste delivers here too.
extern "C" EMSCRIPTEN_KEEPALIVE void normlab_receive_paste(const char* text) {
    normlab::platform::g_clipboard = text ? text : "";
    normlab::platform::g_pasted_fresh = true;
}
