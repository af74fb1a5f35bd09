// SPDX-License-Identifier: MIT
#pragma once
/// @file Array operations on a passive 1R array of stateful devices, through either backend
/// (ngspice with the SPICE faces, or the native face with IDA): program one cell with V/2 or
/// V/3 biasing of the unselected lines (half-selected cells are disturbed: the device dynamics
/// run in the transient), and read one cell with the unselected lines floating or biased
/// (sneak paths). DESIGN.md section 3, "Sneak paths".
///
/// Biasing (selected row i, selected column j, amplitude V):
///   HalfV:    row i at V, column j at 0, every other row and column at V/2
///   ThirdV:   row i at V, column j at 0, other rows at V/3, other columns at 2V/3
///   Floating: row i at V, column j at 0, every other line floating
/// Rows are driven at their left ends, columns at their bottom (sense) ends.

#include <Eigen/Core>
#include <memory>
#include <string_view>

#include "xbarsim/extract/device_circuit.hpp"

namespace xbarsim::extract {

enum class Bias { HalfV, ThirdV, Floating };

[[nodiscard]] std::string_view toString(Bias bias) noexcept;
/// "v/2" | "v/3" | "floating"; throws xbarsim::Error otherwise.
[[nodiscard]] Bias biasFromString(std::string_view text);

struct ArraySpec {
  std::shared_ptr<const device::DeviceModel> model;
  Eigen::MatrixXd x0;          ///< R×C states
  double r_row_ohm = 0.0;
  double r_col_ohm = 0.0;
  /// Series resistance between the selected column and its 0 V driver (a compliance resistor
  /// that limits the SET current; 0 = none).
  double r_compliance_ohm = 0.0;
};

/// The circuit of one biased operation: the waveform `pulse` (amplitude 1 V shape, scaled by
/// the bias fractions times v_v) applied to the lines.
[[nodiscard]] DeviceArrayCircuit biasedCircuit(const ArraySpec& array, Eigen::Index row,
                                               Eigen::Index col, Bias bias, const Pwl& shape,
                                               double v_v);

struct WriteDisturbResult {
  DeviceTransientResult transient;
  Eigen::MatrixXd dx;               ///< R×C final − initial state
  double selected_dx = 0.0;         ///< state change of the selected cell
  double max_half_selected_dx = 0.0;  ///< largest |change| on the selected row/column
  double max_unselected_dx = 0.0;     ///< largest |change| elsewhere
  Eigen::Index half_selected = 0;     ///< number of half-selected cells
};

/// One programming pulse (edges edge_s, flat top width_s, amplitude v_v) on cell (row, col).
[[nodiscard]] WriteDisturbResult writeDisturb(std::string_view backend, const ArraySpec& array,
                                              Eigen::Index row, Eigen::Index col, Bias bias,
                                              double v_v, double width_s, double edge_s,
                                              const DeviceTransientOptions& options);

struct ReadResult {
  double current_a = 0.0;        ///< into the selected column's sense end
  double cell_current_a = 0.0;   ///< the selected cell alone at v_read (no array, no wires)
  double relative_error = 0.0;   ///< current/cell_current − 1 (sneak paths, IR drop)
};

/// Reads cell (row, col) at v_read_v (a short transient with constant sources: the states do
/// not move at read voltages below the devices' thresholds).
[[nodiscard]] ReadResult readCell(std::string_view backend, const ArraySpec& array, Eigen::Index row,
                                  Eigen::Index col, Bias bias, double v_read_v);

}  // namespace xbarsim::extract
