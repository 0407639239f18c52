// platform/platform_web.cpp: the browser implementation of platform.h (SDL2 + WebGL2).
// The page (web/index.html) owns the <canvas id="canvas"> and fetches the font into the
// virtual file system before main() runs; here we size the canvas backing store to the CSS
// size times devicePixelRatio so text and cell edges stay sharp on phones and projectors.
#include "platform/platform.h"

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

void main_loop_tick(void*) {
    const double start = js_now_ms();
    SDL_Event event;
    while (SDL_PollEvent(&event)) ImGui_ImplSDL2_ProcessEvent(&event);
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
    return "";
}

void run(LoopHooks hooks) {
    g_platform.hooks = std::move(hooks);
    emscripten_set_main_loop_arg(main_loop_tick, nullptr, 0, true);
}

std::uintptr_t upload_texture(int slot, const std::uint32_t* rgba, int width, int height) {
    if (slot < 0 || slot >= kTextureSlots || width <= 0 || height <= 0) return 0;
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

std::string url_param(const char* key) {
    char buf[512];
    const int n = js_url_param(key, buf, sizeof buf);
    if (n < 0) return "";
    return std::string(buf);
}

void report(const std::string& message, bool fatal) { js_report(message.c_str(), fatal ? 1 : 0); }

} // namespace normlab::platform

// page.js forwards paste events here; js_request_paste delivers here too.
extern "C" EMSCRIPTEN_KEEPALIVE void normlab_receive_paste(const char* text) {
    normlab::platform::g_clipboard = text ? text : "";
    normlab::platform::g_pasted_fresh = true;
}
