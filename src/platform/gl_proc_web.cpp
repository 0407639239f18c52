// platform/gl_proc_web.cpp: NormLab's own eglGetProcAddress for the web build (download size).
// Emscripten's version answers every GL and extension name (emscripten_GetProcAddress), so it
// keeps about 270 emscripten_gl* JavaScript functions and a name table of 5 KB of code in the
// download. Nothing in NormLab looks GL functions up by name: ImGui's GLES3 backend calls
// them directly. SDL does, for the few functions it uses to inspect the context
// (SDL_GL_ExtensionSupported, SDL_GL_GetAttribute) and for optional EGL extensions. This
// table answers exactly those GL names and null for the rest, which SDL reads as "extension
// not available" (SDL_egl.c: "it is allowed to not have some of the EGL extensions").
// Defining the symbol here keeps the linker from taking Emscripten's libprocaddr.c.
#include <GLES3/gl3.h>

#include <cstring>

namespace {

struct Entry {
    const char* name;
    void* fn;
};

template <typename F> void* address(F* f) { return reinterpret_cast<void*>(f); }

} // namespace

extern "C" void* eglGetProcAddress(const char* name) {
    if (!name) return nullptr;
    static const Entry table[] = {
        {"glGetString", address(&glGetString)},
        {"glGetStringi", address(&glGetStringi)},
        {"glGetIntegerv", address(&glGetIntegerv)},
        {"glGetError", address(&glGetError)},
        {"glBindFramebuffer", address(&glBindFramebuffer)},
        {"glGetFramebufferAttachmentParameteriv", address(&glGetFramebufferAttachmentParameteriv)},
    };
    for (const Entry& e : table)
        if (std::strcmp(e.name, name) == 0) return e.fn;
    return nullptr;
}
