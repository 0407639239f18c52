// core/rng.h: a small seeded random generator, identical on every platform.
// std::mt19937 is portable but std::normal_distribution is not (libc++ vs libstdc++ differ),
// so data presets draw from this instead and stay the same natively and in the browser.
#pragma once

#include <cstdint>

namespace normlab::core {

class Rng {
  public:
    explicit Rng(std::uint64_t seed = 1) { reseed(seed); }
    void reseed(std::uint64_t seed);
    std::uint64_t next_u64();   // splitmix64 stream
    double uniform();           // [0, 1)
    double normal();            // standard normal (Box-Muller, no cached spare)

  private:
    std::uint64_t state_ = 0;
};

} // namespace normlab::core
