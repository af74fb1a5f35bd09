// SPDX-License-Identifier: MIT
#pragma once
/// @file Seeded random streams. A stream is identified by (run seed, purpose, index), so a
/// stochastic result does not depend on how work is split over threads or MPI ranks.

#include <cstdint>
#include <random>

namespace xbarsim {

/// SplitMix64 step (Steele, Lea & Flood 2014): mixes a 64-bit value into a well-spread one.
[[nodiscard]] constexpr std::uint64_t splitMix64(std::uint64_t x) noexcept {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

/// Well-known purposes of random streams (stable numbers: changing them changes results).
enum class StreamPurpose : std::uint64_t {
  Conductances = 1,
  Programming = 2,
  ReadNoise = 3,
  Inputs = 4,
  Variation = 5,  ///< dynamic device variation in transients (one stream per cell)
};

class RngStream {
 public:
  RngStream(std::uint64_t seed, StreamPurpose purpose, std::uint64_t index = 0)
      : engine_(splitMix64(splitMix64(splitMix64(seed) ^ static_cast<std::uint64_t>(purpose)) ^ index)) {}

  /// Uniform in [0, 1) with 53 random bits (same on every platform, unlike
  /// std::uniform_real_distribution whose algorithm is implementation-defined).
  double uniform() noexcept { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  double uniform(double lo, double hi) noexcept { return lo + (hi - lo) * uniform(); }
  std::mt19937_64& engine() noexcept { return engine_; }

 private:
  std::mt19937_64 engine_;
};

}  // namespace xbarsim
