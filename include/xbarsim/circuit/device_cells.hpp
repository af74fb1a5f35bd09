// SPDX-License-Identifier: MIT
#pragma once
/// @file Stateful memory elements from a device model (device::DeviceModel: Stanford RRAM, PCM
/// pulse, ...) in every cell of a crossbar: the CellModel of the native transient
/// (native_transient.hpp) and, through the model's SPICE face, the cells of the generated deck
/// (crossbar_netlist.hpp, InputMode::Transient). The access device of 1S1R / 1T1R cells comes
/// from the CrossbarSpec, as for the static laws.
///
/// State: one per cell, in the SPICE state units of the model (x / StateInfo::spice_scale: nm
/// for a gap, uS for a conductance), which are O(1) numbers for TransientSpec::state_abs_tol and
/// the voltage of the state node x<name>.x of the deck. TransientResult::final_state is in these
/// units (times stateScale() for SI).
///
/// Derivatives: dI/dv is the model's analytic conductance; dI/dx, d rate/dv and d rate/dx are
/// central finite differences, since DeviceModel has no analytic ones. They only steer Newton:
/// the solution does not depend on them.
///
/// Dynamic variation (DeviceModel::variationStep() > 0) is not supported here: the constructor
/// refuses such a parameter set (extract::transientNative integrates it for device arrays).

#include <Eigen/Core>
#include <memory>

#include "xbarsim/circuit/native_transient.hpp"
#include "xbarsim/device/device_model.hpp"

namespace xbarsim::circuit {

class DeviceCells final : public CellModel {
 public:
  /// x0: R×C initial states in SI units (m, S), clamped to the model's bounds.
  DeviceCells(std::shared_ptr<const device::DeviceModel> model, Eigen::MatrixXd x0);

  [[nodiscard]] const device::DeviceModel& model() const noexcept { return *model_; }
  /// SI per state unit of this cell model (StateInfo::spice_scale).
  [[nodiscard]] double stateScale() const noexcept { return scale_; }
  /// R×C initial states (SI), clamped.
  [[nodiscard]] const Eigen::MatrixXd& initialStates() const noexcept { return x0_; }

  [[nodiscard]] int stateSize() const override { return 1; }
  void initialState(Eigen::Index i, Eigen::Index j, double* x) const override;
  double current(Eigen::Index i, Eigen::Index j, double v, const double* x, double* di_dv,
                 double* di_dx) const override;
  void stateRate(Eigen::Index i, Eigen::Index j, double v, const double* x, double* rate,
                 double* drate_dv, double* drate_dx) const override;

  [[nodiscard]] std::string spiceLibrary() const override;
  [[nodiscard]] std::string spiceInstance(Eigen::Index i, Eigen::Index j, std::string_view name,
                                          std::string_view te, std::string_view be) const override;
  [[nodiscard]] std::string spiceStateNode(int k) const override;

 private:
  double scaledRate(double v, double x) const;

  std::shared_ptr<const device::DeviceModel> model_;
  Eigen::MatrixXd x0_;
  double scale_ = 1.0;
};

}  // namespace xbarsim::circuit
