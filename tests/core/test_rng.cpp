// tests/core/test_rng.cpp: the seeded generator must give the same stream on every platform,
// since data presets and golden tests depend on it.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>

#include "core/rng.h"

using normlab::core::Rng;

TEST_CASE("rng: same seed, same stream; reseed restarts it") {
    Rng a(42), b(42), c(43);
    const std::uint64_t first = a.next_u64();
    CHECK(first == b.next_u64());
    CHECK(first != c.next_u64());
    for (int i = 0; i < 100; ++i)
        CHECK(a.next_u64() == b.next_u64());
    a.reseed(42);
    CHECK(a.next_u64() == first);
}

TEST_CASE("rng: stream is pinned across platforms") {
    // splitmix64 after the seed transform, checked against an independent Python version;
    // WASM must produce the same numbers or every preset changes in the browser.
    Rng r(1);
    CHECK(r.next_u64() == 0xDC0746B419466AECull);
    CHECK(r.next_u64() == 0x08264674F98AA19Eull);
    // uniform() is the top 53 bits of the same stream.
    Rng u(1);
    CHECK(u.uniform() == static_cast<double>(0xDC0746B419466AECull >> 11) * 0x1.0p-53);
}

TEST_CASE("rng: uniform in [0,1) and normal with mean 0, variance 1") {
    Rng r(7);
    double sum = 0.0, sq = 0.0, lo = 1.0, hi = 0.0;
    const int n = 20000;
    for (int i = 0; i < n; ++i) {
        const double u = r.uniform();
        lo = std::fmin(lo, u);
        hi = std::fmax(hi, u);
    }
    CHECK(lo >= 0.0);
    CHECK(hi < 1.0);
    bool finite = true;
    for (int i = 0; i < n; ++i) {
        const double z = r.normal();
        finite = finite && std::isfinite(z);
        sum += z;
        sq += z * z;
    }
    CHECK(finite);
    CHECK(std::fabs(sum / n) < 0.05);
    CHECK(std::fabs(sq / n - 1.0) < 0.05);
}
