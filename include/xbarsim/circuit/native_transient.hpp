// SPDX-License-Identifier: MIT
#pragma once
/// @file Transient simulation of the canonical crossbar with the native backend (SUNDIALS IDA,
/// variable-order BDF, sparse KLU linear solves, analytic Jacobian).
///
/// The circuit is the DC crossbar of CrossbarSpec plus line capacitance (LineCapacitance, per
/// row / column node to ground), piecewise-linear row inputs, and the sense amplifier of
/// CrossbarSpec::sense (ideal, TIA, or an integrator: sense_amp.hpp). The memory element of a
/// cell follows CrossbarSpec::iv, or a stateful CellModel (PCM/RRAM dynamics, e.g. DeviceCells)
/// when one is given; 1S1R and 1T1R cells put it in series with their access device, whose
/// internal node is eliminated per cell as in the DC solver (a bracketed Newton per evaluation;
/// the Jacobian by the implicit-function theorem). Initial state: the DC operating point at
/// t = 0 with capacitors open and the integrators reset (feedback capacitor discharged).

#include <Eigen/Core>
#include <string>
#include <string_view>
#include <vector>

#include "xbarsim/circuit/crossbar_spec.hpp"
#include "xbarsim/circuit/ida_driver.hpp"

namespace xbarsim::circuit {

/// Piecewise-linear waveform through (t_s[k], v_v[k]); t_s strictly increasing; constant before
/// the first and after the last point.
/// Piecewise-linear interpolation through (t_s, v_v), held constant outside the points
/// (0 with no points). Shared by every PWL source in xbarsim.
[[nodiscard]] double pwlValue(const std::vector<double>& t_s, const std::vector<double>& v_v,
                              double t) noexcept;

struct PwlWaveform {
  std::vector<double> t_s;
  std::vector<double> v_v;

  static PwlWaveform constant(double v);
  /// 0 V until t0, linear ramp to v over rise_s, then v.
  static PwlWaveform step(double v, double t0_s, double rise_s);
  [[nodiscard]] double value(double t) const;
  [[nodiscard]] double slope(double t) const;  ///< dv/dt (right derivative at corners)
  void validate(const std::string& what) const;
};

/// Capacitance to ground at every node of a kind (F). Zero-ohm merged nodes add up.
struct LineCapacitance {
  double c_row_f = 0.0;    ///< each row node (i,j)
  double c_col_f = 0.0;    ///< each column node (i,j)
  double c_sense_f = 0.0;  ///< each sense-amplifier input node (TIA / integrator)
};

/// Hook for memory elements with internal state (the stateful PCM/RRAM models plug in here,
/// see DeviceCells). Cell (i,j) has stateSize() state variables x; v is the voltage across its
/// memory element (row node to column node for 1R; to or from the access device's internal
/// node for 1S1R / 1T1R). Implementations must be thread-compatible (const calls from one
/// thread at a time) and may throw: RecoverableError makes the integrator retry with a smaller
/// step, any other exception reaches the caller of simulateTransient.
class CellModel {
 public:
  virtual ~CellModel() = default;
  [[nodiscard]] virtual int stateSize() const = 0;
  /// Initial state of cell (i,j) (size stateSize()).
  virtual void initialState(Eigen::Index i, Eigen::Index j, double* x) const = 0;
  /// Current (A) through the memory element, in the row → column direction; di_dv = dI/dv;
  /// di_dx[k] = dI/dx_k, unless di_dx is null (not needed: the internal node of an access
  /// cell is being solved).
  virtual double current(Eigen::Index i, Eigen::Index j, double v, const double* x, double* di_dv,
                         double* di_dx) const = 0;
  /// State rates rate[k] = dx_k/dt; drate_dv[k] = d rate_k / dv; drate_dx[k*n + l] = d rate_k / dx_l.
  virtual void stateRate(Eigen::Index i, Eigen::Index j, double v, const double* x, double* rate,
                         double* drate_dv, double* drate_dx) const = 0;

  // SPICE face, for generated decks (crossbarNetlist with InputMode::Transient).
  /// Text that defines the subcircuit(s) of spiceInstance (inlined once); empty: none.
  [[nodiscard]] virtual std::string spiceLibrary() const { return {}; }
  /// Instance line of the memory element of cell (i,j) from node te to node be, named
  /// x<name>, with its initial state; the default throws Error (no SPICE face).
  [[nodiscard]] virtual std::string spiceInstance(Eigen::Index i, Eigen::Index j, std::string_view name,
                                                  std::string_view te, std::string_view be) const;
  /// Name of the SPICE node (relative to the instance, e.g. "x" for x<name>.x) holding state k
  /// in the units of this model's state; empty: not observable in the deck.
  [[nodiscard]] virtual std::string spiceStateNode(int /*k*/) const { return {}; }
};

struct TransientSpec {
  std::vector<PwlWaveform> inputs;  ///< one per row
  LineCapacitance capacitance;
  const CellModel* cell_model = nullptr;  ///< optional; not owned
  double t_stop_s = 0.0;
  /// Output times (increasing, in (0, t_stop]); empty: output_points uniform points from 0.
  std::vector<double> output_times_s;
  int output_points = 201;
  double rel_tol = 1e-6;
  double abs_tol_v = 1e-9;   ///< node voltages (and states, scaled by state_abs_tol)
  double state_abs_tol = 1e-9;
  double max_step_s = 0.0;   ///< 0 = no limit
  long max_steps = 500000;
  bool record_node_voltages = false;
};

/// The integrator's counters (IdaStats), and:
struct TransientStats : IdaStats {
  int restarts = 0;   ///< re-initializations at waveform corners
  double wall_s = 0.0;
};

struct TransientResult {
  Eigen::VectorXd t_s;           ///< T output times (t = 0 first)
  Eigen::MatrixXd currents_a;    ///< C×T column currents into the sense amplifiers
  Eigen::MatrixXd sense_out_v;   ///< C×T amplifier output voltages (zeros for ideal sense)
  std::vector<Eigen::MatrixXd> row_voltages;  ///< T × (R×C), with record_node_voltages
  std::vector<Eigen::MatrixXd> col_voltages;  ///< T × (R×C), with record_node_voltages
  Eigen::MatrixXd final_state;   ///< (R·C)×stateSize cell states at t_stop (row-major cells)
  TransientStats stats;
};

/// Runs the transient. Throws xbarsim::Error on bad input, NumericalError when IDA fails (with
/// its message), or the exception thrown by a CellModel.
TransientResult simulateTransient(const CrossbarSpec& spec, const TransientSpec& transient);

}  // namespace xbarsim::circuit
