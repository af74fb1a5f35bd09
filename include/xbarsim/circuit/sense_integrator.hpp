// SPDX-License-Identifier: MIT
#pragma once
/// @file Integrating sense amplifier (sense.kind = "integrator"; netlists/integrator.lib): an
/// op-amp with output vo = rail·tanh(A·(offset − v_in)/rail) (sense_tia.hpp, OpAmpStage) and a
/// feedback capacitor C_f between input and output. I_j = C_f·d(v_in − vo)/dt, so
/// vo ≈ −∫I_j dt / C_f. It has no DC operating point (the capacitor is open at DC): it is read
/// by a transient, which starts with the capacitor discharged (v_in = vo = its virtual ground).

#include "xbarsim/circuit/sense_tia.hpp"

namespace xbarsim::circuit {

struct IntegratorSpec {
  double c_feedback_f = 1e-12;
  double open_loop_gain = 1e4;
  double offset_v = 0.0;
  double rail_v = 1.5;
};

class IntegratorAmp final : public SenseAmp {
 public:
  explicit IntegratorAmp(IntegratorSpec spec);
  [[nodiscard]] std::string_view kind() const noexcept override { return "integrator"; }
  [[nodiscard]] bool holdsInput() const noexcept override { return false; }
  [[nodiscard]] bool hasDcFace() const noexcept override { return false; }
  [[nodiscard]] bool isLinear() const noexcept override { return false; }
  /// No static current: the input current only charges the feedback capacitor.
  [[nodiscard]] SenseLoad load(double /*v_in_v*/) const override { return {}; }
  [[nodiscard]] double outputVoltage(double v_in_v) const override { return stage_.output(v_in_v); }
  [[nodiscard]] double outputSlope(double v_in_v) const override { return stage_.outputSlope(v_in_v); }
  [[nodiscard]] double feedbackCapacitance() const override { return spec_.c_feedback_f; }
  [[nodiscard]] double restingInput() const override { return stage_.virtualGround(); }
  [[nodiscard]] std::string_view spiceLibrary() const override;
  [[nodiscard]] std::string spiceInstance(Eigen::Index j, std::string_view in_node) const override;
  /// `v(s<j>)=v* v(o<j>)=v*`: the capacitor starts discharged at the virtual ground v*.
  [[nodiscard]] std::string spiceInitialCondition(Eigen::Index j) const override;
  [[nodiscard]] const IntegratorSpec& spec() const noexcept { return spec_; }

 private:
  IntegratorSpec spec_;
  OpAmpStage stage_;
};

/// An integrating sense amplifier; throws xbarsim::Error for non-positive C_f, gain or rails.
[[nodiscard]] SenseAmpPtr makeIntegrator(const IntegratorSpec& spec);

}  // namespace xbarsim::circuit
