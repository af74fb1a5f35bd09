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
#include <numbers>

#include "xbarsim/core/rng.hpp"

namespace xbarsim::device {

/// One N(0, 1) sample (consumes two uniforms; the cosine branch only, no cached pair).
[[nodiscard]] inline double standardNormal(RngStream& rng) noexcept {
  const double u1 = 1.0 - rng.uniform();  // (0, 1]: log is finite
  const double u2 = rng.uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

}  // namespace xbarsim::device
