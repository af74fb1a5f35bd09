// SPDX-License-Identifier: MIT
#include "xbarsim/circuit/crossbar_spec.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "xbarsim/core/error.hpp"

namespace xbarsim::circuit {
namespace {
void requireNonNegative(double value, std::string_view name) {
  if (!std::isfinite(value) || value < 0.0)
    throw Error(fmt::format("crossbar: {} = {} must be finite and >= 0", name, value));
}
void requirePositive(double value, std::string_view name) {
  if (!std::isfinite(value) || value <= 0.0)
    throw Error(fmt::format("crossbar: {} = {} must be finite and > 0", name, value));
}
}  // namespace

std::string conductanceProblem(double g_s) {
  if (!std::isfinite(g_s) || g_s < 0.0 ||
      (g_s > 0.0 && g_s < std::numeric_limits<double>::min()) || g_s > kMaxCellConductanceS)
    return fmt::format("conductance {} S is outside 0 or [{}, {}] S{}", g_s,
                       std::numeric_limits<double>::min(), kMaxCellConductanceS,
                       g_s > kMaxCellConductanceS && std::isfinite(g_s)
                           ? " (conductances are in S: were µS or mS meant?)"
                           : "");
  return {};
}

std::string inputVoltageProblem(double v) {
  if (!std::isfinite(v) || std::abs(v) > kMaxInputVoltageV)
    return fmt::format("input voltage {} V is outside [-{}, {}] V", v, kMaxInputVoltageV,
                       kMaxInputVoltageV);
  return {};
}

void CrossbarSpec::validate() const {
  if (rows <= 0 || cols <= 0)
    throw Error(fmt::format("crossbar: rows = {} and cols = {} must be >= 1", rows, cols));
  if (g_s.rows() != rows || g_s.cols() != cols)
    throw Error(fmt::format("crossbar: conductance matrix is {}x{}, array is {}x{}", g_s.rows(),
                            g_s.cols(), rows, cols));
  requireNonNegative(r_row_ohm, "r_row_ohm");
  requireNonNegative(r_col_ohm, "r_col_ohm");
  requireNonNegative(r_driver_ohm, "r_driver_ohm");
  for (Eigen::Index i = 0; i < rows; ++i)
    for (Eigen::Index j = 0; j < cols; ++j)
      if (const std::string problem = conductanceProblem(g_s(i, j)); !problem.empty())
        throw Error(fmt::format("crossbar: cell ({}, {}): {}", i, j, problem));
  if (!iv.isLinear()) requirePositive(iv.v0_v, "v0_v");
  if (!sense) throw Error("crossbar: no sense amplifier (use circuit::idealSense())");
  if (cell == CellKind::OneT1R && !std::isfinite(v_gate_v))
    throw Error(fmt::format("crossbar: v_gate_v = {} must be finite", v_gate_v));
}

std::string_view toString(CellKind kind) noexcept {
  switch (kind) {
    case CellKind::OneR: return "1R";
    case CellKind::OneT1R: return "1T1R";
    case CellKind::OneS1R: return "1S1R";
  }
  return "?";
}

}  // namespace xbarsim::circuit
