// The doctest runner shared by the native and the WASM (Node) test builds.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
