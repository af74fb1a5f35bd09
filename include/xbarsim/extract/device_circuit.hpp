// SPDX-License-Identifier: MIT
#pragma once
/// @file Small circuits of stateful devices (Stanford RRAM, pulse-level PCM) solved through both
/// faces of the device model: ngspice with the SPICE subcircuits of devices/*.lib, and natively
/// with SUNDIALS IDA on the C++ equations. Used for the device agreement tests, `xbarsim device`,
/// and the array operations (program with V/2 or V/3 biasing, single-cell reads, write disturb).
///
/// Circuit: a passive R×C array (1R cells), docs/architecture.md §4.1 wiring. Row i: an optional
/// driver at its left end, then C segments r_row (driver → cell (i,0) → … → cell (i,C−1)).
/// Column j: cell (0,j) → … → cell (R−1,j), then one segment r_col to its bottom end, which is
/// optionally driven (0 V = virtual ground of a sense amplifier). Undriven line ends float. A
/// resistance of 0 merges the nodes of a line (never a 0-ohm resistor). Cell (i,j) is the
/// device from row node (i,j) (te) to column node (i,j) (be).
///
/// Node names of the generated deck: drv_r<i>, drv_c<j> driven ends; r<i>_<j>, c<i>_<j> cell
/// nodes (a merged line is r<i> / c<j>); sources vr<i>, vc<j>; cells xd<i>_<j> (state node
/// xd<i>_<j>.x in the SPICE state units of the model).

#include <Eigen/Core>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "xbarsim/device/device_model.hpp"

namespace xbarsim::extract {

/// Piecewise-linear voltage (V) through (t_s[k], v_v[k]), t strictly increasing, held constant
/// outside; empty = 0 V.
struct Pwl {
  std::vector<double> t_s;
  std::vector<double> v_v;
  static Pwl constant(double v_v);
  /// 0 until t0, ramp to v over rise, hold for width, ramp to 0 over fall.
  static Pwl pulse(double v_v, double t0_s, double rise_s, double width_s, double fall_s);
  [[nodiscard]] double at(double t_s) const;
  /// Scaled copy (V/2, V/3 biasing).
  [[nodiscard]] Pwl scaled(double factor) const;
  void validate(const std::string& what) const;
};

struct DeviceArrayCircuit {
  Eigen::Index rows = 1;
  Eigen::Index cols = 1;
  double r_row_ohm = 0.0;
  double r_col_ohm = 0.0;
  std::shared_ptr<const device::DeviceModel> model;
  Eigen::MatrixXd x0;                   ///< R×C initial states (state units of the model)
  std::vector<std::optional<Pwl>> row_drive;  ///< R entries; nullopt = floating left end
  std::vector<std::optional<Pwl>> col_drive;  ///< C entries; nullopt = floating bottom end
  /// Series resistance of each driver (ohm; empty or 0 = ideal source), e.g. a compliance
  /// resistor on the selected column. Deck: source vr<i> at node src_r<i>, resistor rdr<i>.
  std::vector<double> row_driver_ohm;
  std::vector<double> col_driver_ohm;
  [[nodiscard]] double rowDriverOhm(Eigen::Index i) const;
  [[nodiscard]] double colDriverOhm(Eigen::Index j) const;
  void validate() const;
};

struct DeviceTransientOptions {
  double t_stop_s = 1e-6;
  int points = 201;          ///< uniform output grid over [0, t_stop] (both backends)
  double rel_tol = 1e-6;
  double abs_tol_v = 1e-9;
  double abs_tol_state = 1e-9;  ///< in SPICE state units (nm, uS)
  double max_step_s = 0.0;      ///< 0: t_stop/points
  /// Seed of the dynamic device variation (models with variationStep() > 0, e.g. Stanford RRAM
  /// with model_switch = 1). Native: cell k draws from RngStream(seed, Variation, k), one
  /// N(0,1) per variation step; ngspice: `.options seed=<seed + 1>` for its trrandom sources.
  /// The two faces draw different numbers: they agree in distribution, not sample by sample.
  std::uint64_t seed = 0;
  /// Called after each output point with its time (native backend only; ngspice runs the
  /// whole transient in one call). Empty: none.
  std::function<void(double t_s)> progress;
};

struct DeviceTransientResult {
  Eigen::VectorXd t_s;           ///< T
  Eigen::MatrixXd row_current_a; ///< T×R current delivered by each row driver (0 if floating)
  Eigen::MatrixXd col_current_a; ///< T×C current flowing into each column end (0 if floating)
  Eigen::MatrixXd state;         ///< T×(R·C) cell states, column k = i·C + j (state units)
  Eigen::MatrixXd final_state;   ///< R×C
  std::string backend;
  double wall_s = 0.0;
  long steps = 0;
};

/// The ngspice deck (title to .end) with the device library inlined and `.tran` (tmax = the
/// output step); runs unchanged in `ngspice -b`. Results are interpolated linearly from
/// ngspice's time points onto the uniform output grid.
[[nodiscard]] std::string deviceArrayDeck(const DeviceArrayCircuit& circuit,
                                          const DeviceTransientOptions& options);
/// Transient through libngspice (spice::Session).
[[nodiscard]] DeviceTransientResult transientNgspice(const DeviceArrayCircuit& circuit,
                                                     const DeviceTransientOptions& options);
/// Transient through the native face (SUNDIALS IDA, dense).
[[nodiscard]] DeviceTransientResult transientNative(const DeviceArrayCircuit& circuit,
                                                    const DeviceTransientOptions& options);
/// "ngspice" or "native".
[[nodiscard]] DeviceTransientResult transient(std::string_view backend,
                                              const DeviceArrayCircuit& circuit,
                                              const DeviceTransientOptions& options);

/// Static I–V of one device at a fixed state: currents (A) at the voltages v_v.
/// ngspice: a `dc` sweep of the subcircuit (its state node is held at the initial state at DC).
[[nodiscard]] Eigen::VectorXd ivSweepNgspice(const device::DeviceModel& model, double x,
                                             const Eigen::VectorXd& v_v);
[[nodiscard]] Eigen::VectorXd ivSweepNative(const device::DeviceModel& model, double x,
                                            const Eigen::VectorXd& v_v);

}  // namespace xbarsim::extract
