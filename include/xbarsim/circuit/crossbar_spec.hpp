// SPDX-License-Identifier: MIT
#pragma once
/// @file The canonical crossbar circuit (docs/architecture.md §4), backend-independent.
///
/// Rows i = 0..R-1 are inputs driven at their left end by V_i (optionally through r_driver);
/// C row-wire segments per row (driver -> cell (i,0) -> ... -> cell (i,C-1)); R column-wire
/// segments per column (cell (0,j) -> ... -> cell (R-1,j) -> sense node out_j). The far ends are
/// open. Cell (i,j) joins row node (i,j) to column node (i,j). I_j flows from column j into its
/// sense amplifier. A resistance of 0 means an ideal wire: the nodes are merged, never a 0-ohm
/// resistor (ngspice silently turns 0 ohm into 1 mOhm).

#include <Eigen/Core>
#include <string>
#include <string_view>

#include "xbarsim/circuit/sense_amp.hpp"
#include "xbarsim/device/access_device.hpp"
#include "xbarsim/device/iv_law.hpp"

namespace xbarsim::circuit {

/// Cell (i,j) between row node r and column node c (netlists/README.md "Cells"):
///   OneR    r -[memory]- c
///   OneS1R  r -[selector]- m -[memory]- c            (device::Selector, devices/access.lib)
///   OneT1R  r -[memory]- m = drain, NMOS source = c, gate at v_gate_v (absolute, all rows)
/// The memory element follows `iv` and g_s; m is an internal node (m<i>_<j> in decks).
enum class CellKind { OneR, OneT1R, OneS1R };

/// Largest cell conductance accepted, in S (a 1 ohm cell): a value above it almost surely means
/// µS or mS were written where S were meant.
inline constexpr double kMaxCellConductanceS = 1.0;
/// Largest input (row) voltage magnitude accepted, in V: beyond it no crossbar device model or
/// wire means anything, and the currents overflow.
inline constexpr double kMaxInputVoltageV = 1e3;

/// Why `g_s` is not a plausible cell conductance (empty if it is): not finite, negative,
/// subnormal (between 0 and the smallest normal double: 1/g overflows) or above
/// kMaxCellConductanceS. The message names the range.
[[nodiscard]] std::string conductanceProblem(double g_s);
/// Why `v` is not a plausible input voltage (empty if it is): not finite or |v| above
/// kMaxInputVoltageV.
[[nodiscard]] std::string inputVoltageProblem(double v);

struct CrossbarSpec {
  Eigen::Index rows = 0;            ///< R, inputs (word lines)
  Eigen::Index cols = 0;            ///< C, outputs (bit lines)
  double r_row_ohm = 0.0;           ///< one row-wire segment (0 = ideal)
  double r_col_ohm = 0.0;           ///< one column-wire segment (0 = ideal)
  double r_driver_ohm = 0.0;        ///< row driver output resistance (0 = ideal source)
  CellKind cell = CellKind::OneR;
  device::IvLaw iv;                 ///< static I-V law of every memory element
  device::Selector selector = device::Selector();           ///< selector of 1S1R cells
  device::NmosAccess transistor = device::NmosAccess();    ///< transistor of 1T1R cells
  double v_gate_v = 1.2;            ///< 1T1R word-line (gate) voltage, V vs ground
  Eigen::MatrixXd g_s;              ///< R×C cell conductances (S)
  SenseAmpPtr sense = idealSense();  ///< every column's amplifier (sense_amp.hpp)

  /// Throws xbarsim::Error if sizes disagree or a value is negative/non-finite.
  void validate() const;
  /// True when the column currents are a linear function of the inputs (linear 1R cells and
  /// a linear sense amplifier): W_eff is then exact and input-independent.
  [[nodiscard]] bool isLinear() const noexcept {
    return cell == CellKind::OneR && iv.isLinear() && sense->isLinear();
  }
};

[[nodiscard]] std::string_view toString(CellKind kind) noexcept;

}  // namespace xbarsim::circuit
