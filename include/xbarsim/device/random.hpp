// SPDX-License-Identifier: MIT
#pragma once
/// @file Platform-independent Gaussian draws from an RngStream.
///
/// std::normal_distribution is implementation-defined (libstdc++ and libc++ give different
/// numbers for the same engine), so device noise is drawn with the Box–Muller transform
/// (Box & Muller, Ann. Math. Statist. 29, 610 (1958)) on RngStream::uniform(), which is exact
/// and identical on every platform. One standard normal consumes exactly two uniforms, so the
/// number of draws per device is fixed and documented per model.

#include <cmath>
#include <cstdint>
#include <numbers>

#include "xbarsim/core/rng.hpp"

namespace xbarsim::device {

/// One N(0, 1) sample (consumes two uniforms; the cosine branch only, no cached pair).
[[nodiscard]] inline double standardNormal(RngStream& rng) noexcept {
  const double u1 = 1.0 - rng.uniform();  // (0, 1]: log is finite
  const double u2 = rng.uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

/// Standard normals in pairs by Marsaglia's polar method (Marsaglia & Bray, SIAM Rev. 6, 260
/// (1964)): two 32-bit uniforms from one 64-bit engine draw per attempt (accepted with
/// probability π/4), one log and one square root per *pair*, the second normal kept for the
/// next call. Exact in distribution and platform-independent like standardNormal, about three
/// times cheaper; a different sequence from standardNormal on the same stream. For the fast
/// pulse path (UpdateModel::applyPulsesFast); determinism is per stream as before.
class NormalPairs {
 public:
  explicit NormalPairs(RngStream& rng) noexcept : rng_(rng) {}
  double operator()() noexcept {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    double u, v, s;
    do {
      const std::uint64_t r = rng_.engine()();
      // (k + 0.5)/2^31 - 1: symmetric in (-1, 1), never 0
      u = (static_cast<double>(r & 0xffffffffULL) + 0.5) * 0x1.0p-31 - 1.0;
      v = (static_cast<double>(r >> 32) + 0.5) * 0x1.0p-31 - 1.0;
      s = u * u + v * v;
    } while (s >= 1.0);
    const double f = std::sqrt(-2.0 * std::log(s) / s);
    spare_ = v * f;
    has_spare_ = true;
    return u * f;
  }

 private:
  RngStream& rng_;
  double spare_ = 0.0;
  bool has_spare_ = false;
};

}  // namespace xbarsim::device
