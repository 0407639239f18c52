# emscripten.cmake: toolchain file for NormLab's web build (Debian emscripten 3.1.6).
#   cmake -S . -B build-web -DCMAKE_TOOLCHAIN_FILE=emscripten.cmake -DNORMLAB_DEPS=<.deps>
# It wraps Emscripten's own platform file and adds what every web target needs:
# -O3, no C++ exceptions (nlohmann reports bad JSON through is_discarded() and its SAX
# parse_error instead of a throw: JSON_NOEXCEPTION; the doctest runner alone turns them on), and
# NODE_PATH for emcc's JS tools, which Debian keeps in /usr/share/nodejs. WASM SIMD is not
# global: CMakeLists.txt gives -msimd128 to the compute rooms only, so the app can also be
# linked once more without SIMD (normlab-nosimd) for browsers that lack it.
# No emcc-generated HTML: Debian's html-minify step is broken, and web/ has our own shell.
include(/usr/share/emscripten/cmake/Modules/Platform/Emscripten.cmake)

set(NORMLAB_WEB_FLAGS "-fno-exceptions -DJSON_NOEXCEPTION")
set(CMAKE_C_FLAGS_INIT "${NORMLAB_WEB_FLAGS}")
set(CMAKE_CXX_FLAGS_INIT "${NORMLAB_WEB_FLAGS}")
set(CMAKE_EXE_LINKER_FLAGS_INIT "-fno-exceptions -O3")

# emcc runs node (acorn) at link time; make sure it finds Debian's JS modules from any shell.
set(CMAKE_C_COMPILER_LAUNCHER ${CMAKE_COMMAND} -E env NODE_PATH=/usr/share/nodejs)
set(CMAKE_CXX_COMPILER_LAUNCHER ${CMAKE_COMMAND} -E env NODE_PATH=/usr/share/nodejs)
set(CMAKE_CXX_LINKER_LAUNCHER ${CMAKE_COMMAND} -E env NODE_PATH=/usr/share/nodejs)

# Third-party inputs prepared by tools/deps.sh (never committed).
set(NORMLAB_DEPS "${CMAKE_CURRENT_LIST_DIR}/.deps" CACHE PATH "Folder of fetched dependencies")
set(NORMLAB_HEADER_DEPS "${NORMLAB_DEPS}/web-include" CACHE PATH "" FORCE)
