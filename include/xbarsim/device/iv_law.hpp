// SPDX-License-Identifier: MIT
#pragma once
/// @file Static current-voltage laws of a two-terminal cell with conductance g.
/// The stateful compact models (PCM, RRAM) arrive with the device-model issue; these laws are
/// what the crossbar solvers stamp for a programmed cell.

#include <cmath>
#include <string_view>

namespace xbarsim::device {

enum class IvKind {
  Linear,  ///< I = g·V
  Sinh,    ///< I = g·V0·sinh(V/V0): the RRAM/PCM sub-threshold shape (Yu & Wong, Stanford-PKU
           ///< model, I ∝ sinh(V/V0)); g is the small-signal conductance at V = 0.
};

struct IvLaw {
  IvKind kind = IvKind::Linear;
  double v0_v = 0.25;  ///< sinh voltage scale (V); unused for Linear

  /// Cell current (A) for conductance g_s (S) and voltage v (V) across it.
  [[nodiscard]] double current(double g_s, double v) const noexcept {
    return kind == IvKind::Linear ? g_s * v : g_s * v0_v * std::sinh(v / v0_v);
  }
  /// Differential conductance dI/dV (S).
  [[nodiscard]] double conductance(double g_s, double v) const noexcept {
    return kind == IvKind::Linear ? g_s : g_s * std::cosh(v / v0_v);
  }
  [[nodiscard]] bool isLinear() const noexcept { return kind == IvKind::Linear; }
};

[[nodiscard]] constexpr std::string_view toString(IvKind kind) noexcept {
  return kind == IvKind::Linear ? "linear" : "sinh";
}

}  // namespace xbarsim::device
