// app/main.cpp: the browser entry point. Wires platform, app and the page's JS hooks.
#include <emscripten.h>

#include <string>
#include <vector>

#include "app/app.h"
#include "platform/platform.h"

namespace {
constexpr const char* kProgressKey = "normlab.progress";   // versioned inside the JSON
normlab::app::App g_app;   // the page's single app; the JS hooks below read it
std::string g_state;       // keeps the last state string alive for the JS caller
} // namespace

// window.NormLab.state() in web/normlab.js calls this; returns a JSON object as text.
extern "C" EMSCRIPTEN_KEEPALIVE const char* normlab_state_json() {
    g_state = g_app.state_json();
    return g_state.c_str();
}

// window.NormLab.stats(): frame timing as a JSON object.
extern "C" EMSCRIPTEN_KEEPALIVE const char* normlab_stats_json() {
    g_state = g_app.stats_json();
    return g_state.c_str();
}

// window.NormLab.command(obj): returns "" or a message.
extern "C" EMSCRIPTEN_KEEPALIVE const char* normlab_command(const char* json) {
    g_state = g_app.command(json ? json : "");
    return g_state.c_str();
}

// web/page.js polls this for its ARIA live region: {"step", "quiz", "stats"} as plain text.
extern "C" EMSCRIPTEN_KEEPALIVE const char* normlab_live_text() {
    g_state = g_app.live_text_json();
    return g_state.c_str();
}

// window.NormLab.exportData(kind): "json", "csv" or "pytorch" text.
extern "C" EMSCRIPTEN_KEEPALIVE const char* normlab_export(const char* kind) {
    g_state = g_app.export_data(kind ? kind : "");
    return g_state.c_str();
}

// window.NormLab.shareUrl(): a link that reopens the app in its current state.
extern "C" EMSCRIPTEN_KEEPALIVE const char* normlab_share_url() {
    g_state = g_app.share_url();
    return g_state.c_str();
}

int main() {
    using namespace normlab;
    const std::string error = platform::init("NormLab");
    if (!error.empty()) {
        platform::report(error, /*fatal=*/true);
        return 1;
    }
    ui::UiState hooks;
    hooks.upload = platform::upload_texture;
    hooks.download = platform::download;
    hooks.screenshot = platform::request_screenshot;
    hooks.request_paste = platform::request_paste;
    hooks.take_paste = platform::take_pasted_text;
    hooks.take_pinch = platform::take_pinch;
    hooks.coarse_pointer = platform::media_matches("(pointer: coarse)");
    hooks.reduce_motion = platform::media_matches("(prefers-reduced-motion: reduce)");
    hooks.toggle_fullscreen = platform::toggle_fullscreen;
    hooks.fullscreen_status = platform::fullscreen_status;
    hooks.open_tab = platform::open_tab;
    hooks.copy_text = platform::copy_text;
    hooks.page_url = platform::page_url();
    const std::string notes = g_app.init(platform::url_param, hooks);
    if (!notes.empty()) platform::report(notes);
    std::vector<app::App::NamedFile> files;
    for (platform::File& f : platform::take_files()) files.push_back({std::move(f.name), std::move(f.data)});
    for (const platform::File& f : platform::take_failures()) platform::report(f.name + ": " + f.data);
    const std::string guide_notes = g_app.load_files(files, platform::storage_get(kProgressKey), platform::url_param);
    if (!guide_notes.empty()) platform::report(guide_notes);
    if (!g_app.cannot_start().empty()) {
        platform::report("NormLab cannot start: " + g_app.cannot_start() +
                             ". Check that the whole dist/ folder was deployed, then reload the page.",
                         /*fatal=*/true);
        return 1;
    }
    // The host page: commands only from ?parentOrigin=; "ready" carries nothing about the
    // learner, so it may go to any parent (README "Embedding").
    // Events a command causes go out at once (before its reply), not on the next frame.
    platform::host_listen(g_app.parent_origins(), [](const std::string& message) {
        std::string reply = g_app.host_message(message);
        for (const std::string& event : g_app.take_events()) platform::host_post(event);
        return reply;
    });
    platform::host_post(g_app.ready_event(), /*public_event=*/true);
    platform::run(platform::LoopHooks{
        .prepare = [](const platform::FrameInfo& f) { return g_app.prepare(f.width, f.height, f.pixel_ratio); },
        .frame =
            [](const platform::FrameInfo& f) {
                // Walkthrough files: ask for the ones just opened, take the ones that came.
                for (const std::string& name : g_app.take_file_requests()) platform::request_file(name);
                for (const platform::File& file : platform::take_files()) g_app.file_arrived(file.name, file.data);
                for (const platform::File& file : platform::take_failures()) g_app.file_failed(file.name, file.data);
                g_app.frame(f.width, f.height, f.dt, f.time_ms, f.last_work_ms);
                for (const std::string& event : g_app.take_events()) platform::host_post(event);
                const std::string progress = g_app.take_progress();
                if (!progress.empty() && !platform::storage_set(kProgressKey, progress))
                    platform::report("progress could not be saved (this page cannot use localStorage)");
            },
    });
    return 0;
}
