// SPDX-License-Identifier: MIT
#pragma once
/// @file Array operations on a passive 1R array of stateful devices, through either backend
/// (ngspice with the SPICE faces, or the native face with IDA): program one cell with V/2 or
/// V/3 biasing of the unselected lines (half-selected cells are disturbed: the device dynamics
/// run in the transient), and read one cell with the unselected lines floating or biased
/// (sneak paths). docs/architecture.md §4.3.
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

/// Program-and-verify of a whole array (ProgramArrayOptions defaults are for the Stanford RRAM).
///
/// Cells are programmed one at a time in row-major order. Verify: the read conductance of the
/// cell, I(v_read, x)/v_read of the model at the cell's current state (the ideal sense read of
/// the cell alone: no sneak paths, no wire drop). Within `tolerance` (relative) of the target:
/// done. Otherwise one pulse on that cell through the circuit transient of the backend with the
/// chosen biasing (writeDisturb: the whole array is simulated, half-selected cells move if
/// their voltage passes their threshold): SET (+v, increases G) if G < target, RESET (−v)
/// otherwise. Incremental step: the k-th consecutive pulse of one polarity has amplitude
/// v_start + k·v_step (capped at v_max); at a polarity reversal the amplitude restarts at
/// v_start and the width shrinks by `width_shrink` (not below min_width_fraction·width_s), so
/// the steps around the target get finer. The array state carries over from pulse to pulse.
/// A cell stops unconverged after max_pulses.
///
/// Defaults (Stanford RRAM, V/2 scheme): 10 ns pulses from 1.3 V in 30 mV steps move the gap
/// by ~0.01–0.4 nm (window 1.5 nm); v_max = 2.0 V keeps V/2 = 1.0 V below the smallest field
/// threshold of the model (1.05 V at gap_min), so with ideal wires the half-selected cells are
/// not disturbed (verify_error == final_error); with v_max above 2·threshold, or sneak-path
/// voltages under Floating biasing in other arrays, they can be (max_disturb_dx, final_error).
struct ProgramArrayOptions {
  Bias bias = Bias::HalfV;
  double v_read_v = 0.1;
  double tolerance = 0.05;      ///< |G/G_target − 1| accepted at verify
  int max_pulses = 60;          ///< per cell
  double v_set_v = 1.3;         ///< start amplitude of SET pulses (positive)
  double v_reset_v = 1.3;       ///< start amplitude of RESET pulses (magnitude; applied negative)
  double v_step_v = 0.03;       ///< amplitude increment per consecutive pulse of one polarity
  double v_max_v = 2.0;         ///< amplitude cap (magnitude)
  double width_s = 10e-9;       ///< flat top of the first pulses
  double edge_s = 1e-9;         ///< rise = fall = delay before the pulse
  double width_shrink = 0.5;    ///< width factor per polarity reversal
  double min_width_fraction = 0.125;
  /// Transient options of each pulse; t_stop_s is set to width + 4·edge (the pulse and a tail).
  DeviceTransientOptions transient{.t_stop_s = 14e-9, .points = 101};
};

struct ProgramArrayResult {
  Eigen::MatrixXd final_state;      ///< R×C states after the last cell
  Eigen::MatrixXd read_g_s;         ///< R×C read conductances at the end
  Eigen::MatrixXd verify_g_s;       ///< R×C read conductance at each cell's last verify
  Eigen::MatrixXd verify_error;     ///< R×C G_verify/G_target − 1 (right after the cell's loop)
  Eigen::MatrixXd final_error;      ///< R×C G_end/G_target − 1 (after all later cells' pulses)
  Eigen::MatrixXi pulses;           ///< R×C pulses applied to each cell
  Eigen::MatrixXi converged;        ///< R×C 1 if within tolerance at its verify, else 0
  int total_pulses = 0;
  double max_verify_error = 0.0;    ///< max |verify_error|
  double max_final_error = 0.0;     ///< max |final_error|
  double max_disturb_dx = 0.0;      ///< largest |state change| of a non-selected cell in one pulse
  double wall_s = 0.0;
  [[nodiscard]] bool allConverged() const { return (converged.array() != 0).all(); }
};

/// Programs target_g_s (R×C read conductances at options.v_read_v, siemens) into the array
/// starting from array.x0.
[[nodiscard]] ProgramArrayResult programArray(std::string_view backend, const ArraySpec& array,
                                              const Eigen::MatrixXd& target_g_s,
                                              const ProgramArrayOptions& options = {});

}  // namespace xbarsim::extract
