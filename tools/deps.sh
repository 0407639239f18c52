# tools/deps.sh: fetch and cache everything NormLab builds with. Sourced by tools/run and
# tools/test; safe to run twice (the second run installs and downloads nothing).
#
#   Debian packages    emscripten, chromium, nlohmann-json3-dev, doctest-dev, wabt, ...
#   Debian sources     libsdl2 (built for WASM) and imgui (compiled into the app), extracted
#                      into .deps/ (git-ignored) and cached there
#   font               DejaVu Sans from fonts-dejavu-core, subset to the glyphs the UI uses
#   npm                playwright-core for the browser tests (tests/browser/node_modules)
# Only Debian's archive and the npm registry are reached.

NORMLAB_ROOT=${NORMLAB_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
DEPS="$NORMLAB_ROOT/.deps"
SDL2_VERSION=2.26.5
IMGUI_VERSION=1.86
export NODE_PATH=/usr/share/nodejs   # emcc's JS tools (acorn) live there on Debian
export EM_CACHE=${EM_CACHE:-}        # default: /usr/share/emscripten/cache (built once)

log() { printf '\033[1;36m[normlab]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[normlab] error:\033[0m %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    die "need root to run: $* (install it by hand or run as root)"; fi
}

APT_UPDATED=0
apt_update_once() {
  [ "$APT_UPDATED" = 1 ] && return
  log "apt-get update"
  as_root apt-get update -qq || die "apt-get update failed"
  APT_UPDATED=1
}

# ensure_packages PKG...: install the Debian packages that are not installed yet.
ensure_packages() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return
  apt_update_once
  log "installing Debian packages: ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >&2 || die "apt-get install ${missing[*]} failed"
}

# Debian source packages need a deb-src entry for the same archive as the binary one.
ensure_deb_src() {
  if grep -rqs '^Types:.*deb-src\|^deb-src' /etc/apt/sources.list /etc/apt/sources.list.d/; then return; fi
  local uri
  uri=$(grep -hm1 '^URIs:.*debian/\?$' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}')
  [ -n "$uri" ] || uri=$(grep -hm1 '^deb .*debian ' /etc/apt/sources.list 2>/dev/null | awk '{print $2}')
  [ -n "$uri" ] || uri=http://deb.debian.org/debian
  log "adding a deb-src entry for $uri bookworm main"
  as_root tee /etc/apt/sources.list.d/normlab-deb-src.sources >/dev/null <<EOF
Types: deb-src
URIs: $uri
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  APT_UPDATED=0
}

# fetch_source PKG DIRNAME: download a Debian source package once and extract its upstream
# tarball into .deps/DIRNAME.
fetch_source() {
  local pkg=$1 dir=$2
  [ -d "$DEPS/$dir" ] && return
  mkdir -p "$DEPS/downloads"
  if ! ls "$DEPS"/downloads/"${pkg}"_*.orig.tar.* >/dev/null 2>&1; then
    ensure_deb_src
    apt_update_once
    log "downloading Debian source package $pkg"
    (cd "$DEPS/downloads" && apt-get source --download-only -qq -o APT::Sandbox::User=root "$pkg" >&2) ||
      die "apt-get source $pkg failed"
  fi
  local tarball
  tarball=$(ls "$DEPS"/downloads/"${pkg}"_*.orig.tar.* | head -n1)
  mkdir -p "$DEPS/$dir.tmp"
  tar -xf "$tarball" -C "$DEPS/$dir.tmp" --strip-components=1
  mv "$DEPS/$dir.tmp" "$DEPS/$dir"
}

# Native tools and header-only libraries.
ensure_native_deps() {
  ensure_packages cmake make g++ pkg-config nlohmann-json3-dev doctest-dev python3-numpy
}

# Everything the web build needs: emscripten, SDL2 built for WASM, ImGui sources, font.
ensure_web_deps() {
  ensure_web_packages
  prepare_web_sources
}
# The Debian packages (apt: run it from one process at a time).
ensure_web_packages() {
  command -v node >/dev/null || ensure_packages nodejs
  ensure_packages emscripten wabt fonts-dejavu-core python3-fonttools dpkg-dev \
    nlohmann-json3-dev doctest-dev node-terser
}
# The sources and what is built from them once, into .deps/ (no apt install: tools/test runs
# this beside the native build).
prepare_web_sources() {
  fetch_source imgui "imgui-$IMGUI_VERSION"
  fetch_source libsdl2 "sdl2-src-$SDL2_VERSION"
  build_sdl2_wasm
  make_header_links
  make_font
}

# SDL2 for the web, lean: video, events and EGL only (no audio, joystick, haptic, sensors,
# power, locale, 2-D renderer or software blitters: SDL_LEAN_AND_MEAN). About 230 KiB less
# .wasm code than the default configuration (bench/budget.md).
SDL2_WASM_PREFIX="$DEPS/sdl2-wasm-lean-$SDL2_VERSION"
SDL2_ARGS=(-DSDL_AUDIO=OFF -DSDL_JOYSTICK=OFF -DSDL_HAPTIC=OFF -DSDL_HIDAPI=OFF
  -DSDL_POWER=OFF -DSDL_SENSOR=OFF -DSDL_RENDER=OFF -DSDL_LOCALE=OFF -DSDL_MISC=OFF
  -DSDL_FILESYSTEM=OFF -DSDL_DISKAUDIO=OFF -DSDL_DUMMYAUDIO=OFF -DSDL_DUMMYVIDEO=OFF
  -DSDL_OFFSCREEN=OFF -DCMAKE_BUILD_TYPE=MinSizeRel -DCMAKE_C_FLAGS=-DSDL_LEAN_AND_MEAN=1)
build_sdl2_wasm() {
  local prefix="$SDL2_WASM_PREFIX"
  [ -f "$prefix/lib/libSDL2.a" ] && return
  log "building SDL2 $SDL2_VERSION for WebAssembly (its configure runs several minutes; once, cached in .deps)"
  local bdir="$DEPS/sdl2-wasm-build"
  rm -rf "$bdir"
  emcmake cmake -S "$DEPS/sdl2-src-$SDL2_VERSION" -B "$bdir" \
    -DSDL_SHARED=OFF -DSDL_STATIC=ON -DSDL_TEST=OFF -DCMAKE_INSTALL_PREFIX="$prefix" \
    "${SDL2_ARGS[@]}" >"$DEPS/sdl2-build.log" 2>&1 ||
    { tail -n 30 "$DEPS/sdl2-build.log" >&2; die "SDL2 configure failed (log: $DEPS/sdl2-build.log)"; }
  cmake --build "$bdir" -j"$(nproc)" >>"$DEPS/sdl2-build.log" 2>&1 &&
    cmake --install "$bdir" >>"$DEPS/sdl2-build.log" 2>&1 ||
    { tail -n 30 "$DEPS/sdl2-build.log" >&2; die "SDL2 build failed (log: $DEPS/sdl2-build.log)"; }
  rm -rf "$bdir"
}

# The web build must never see /usr/include: give it only the header-only libraries.
make_header_links() {
  mkdir -p "$DEPS/web-include"
  ln -sfn /usr/include/nlohmann "$DEPS/web-include/nlohmann"
  ln -sfn /usr/include/doctest "$DEPS/web-include/doctest"
}

# Subset DejaVu Sans to the Latin-1 letters and common signs (not currency, legal or spacing
# marks), the Greek alphabet and the symbols the UI draws (keeps the download small: 14 KiB
# gzipped). scenario/markup.cpp holds the same ranges (a test compares).
FONT_UNICODES='U+0020-007E,U+00A0-00A1,U+00AA-00AB,U+00B0-00B3,U+00B5,U+00B7,U+00BA-00BB,U+00BD,U+00BF-00FF,U+0391-03A9,U+03B1-03C9,U+2013-2014,U+2018-201D,U+2022,U+2026,U+2190-2193,U+2202,U+2207,U+2211,U+2212,U+221A,U+221E,U+2248,U+2260,U+2264,U+2265,U+22C5,U+25B6,U+25C0,U+25CF,U+25A0,U+2713,U+2717'
make_font() {
  local out="$DEPS/fonts/normlab-ui.ttf" src=/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf
  [ -f "$out" ] && [ "$(cat "$out.unicodes" 2>/dev/null)" = "$FONT_UNICODES" ] && return
  mkdir -p "$DEPS/fonts"
  log "subsetting the UI font"
  /usr/bin/python3 -m fontTools.subset "$src" --output-file="$out" --unicodes="$FONT_UNICODES" \
    --no-hinting --desubroutinize --drop-tables+=FFTM,GSUB,GPOS,kern,gasp,prep,fpgm,cvt --no-glyph-names >&2 ||
    die "font subsetting failed"
  printf '%s' "$FONT_UNICODES" >"$out.unicodes"
}

ensure_browser_deps() {
  ensure_packages chromium
  command -v node >/dev/null || ensure_packages nodejs
  command -v npm >/dev/null || ensure_packages npm   # nodesource's nodejs already ships npm
  local dir="$NORMLAB_ROOT/tests/browser"
  if [ ! -d "$dir/node_modules/playwright-core" ]; then
    log "installing npm packages for the browser tests"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >&2) || die "npm ci failed in tests/browser"
  fi
}

# configure_and_build DIR [cmake args...] -- TARGET...: configure once, then build incrementally.
configure_and_build() {
  local dir=$1; shift
  local args=()
  while [ $# -gt 0 ] && [ "$1" != -- ]; do args+=("$1"); shift; done
  [ "${1:-}" = -- ] && shift
  if [ ! -f "$dir/CMakeCache.txt" ]; then
    log "configuring $dir"
    cmake -S "$NORMLAB_ROOT" -B "$dir" -DCMAKE_BUILD_TYPE=Release "${args[@]}" >"$dir.configure.log" 2>&1 ||
      { cat "$dir.configure.log" >&2; die "cmake configure of $dir failed"; }
  fi
  log "building $dir${*:+ ($*)}"
  if [ $# -gt 0 ]; then
    for t in "$@"; do cmake --build "$dir" -j"$(nproc)" --target "$t" || die "build of $t in $dir failed"; done
  else
    cmake --build "$dir" -j"$(nproc)" || die "build of $dir failed"
  fi
}

build_web() {
  mkdir -p "$NORMLAB_ROOT/build"
  configure_and_build "$NORMLAB_ROOT/build/web" -DCMAKE_TOOLCHAIN_FILE="$NORMLAB_ROOT/emscripten.cmake" "$@"
}

build_native() {
  mkdir -p "$NORMLAB_ROOT/build"
  configure_and_build "$NORMLAB_ROOT/build/native" "$@"
}
