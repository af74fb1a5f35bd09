// SPDX-License-Identifier: MIT
#pragma once
/// @file Transimpedance amplifier macro-model (sense.kind = "tia"; netlists/tia.lib).
///
/// Inverting TIA: the non-inverting input sits at offset_v; the output is a voltage source
/// vo = rail_v·tanh(A·(offset_v − v_in)/rail_v) (small-signal gain A, smooth saturation at
/// ±rail_v); r_feedback joins the input node to vo. The input draws no current, so
/// I_j = (v_in − vo)/r_feedback and the output voltage is ≈ −I_j·r_feedback.

#include "xbarsim/circuit/sense_amp.hpp"

namespace xbarsim::circuit {

struct TiaSpec {
  double open_loop_gain = 1e4;      ///< A (V/V)
  double offset_v = 0.0;            ///< input offset (V)
  double r_feedback_ohm = 10e3;     ///< feedback resistor (ohm)
  double rail_v = 1.5;              ///< output saturation (V)
};

/// The op-amp output stage shared by the TIA and the integrator:
/// vo(v) = rail·tanh(A·(offset − v)/rail), its derivative, and the input voltage v* with
/// v* = vo(v*) (the amplifier's own virtual ground when its output is tied back to its input).
struct OpAmpStage {
  double open_loop_gain = 1e4;
  double offset_v = 0.0;
  double rail_v = 1.5;
  [[nodiscard]] double output(double v_in_v) const noexcept;
  [[nodiscard]] double outputSlope(double v_in_v) const noexcept;   ///< dvo/dv_in (< 0)
  [[nodiscard]] double virtualGround() const noexcept;
};

class TiaAmp final : public SenseAmp {
 public:
  explicit TiaAmp(TiaSpec spec);
  [[nodiscard]] std::string_view kind() const noexcept override { return "tia"; }
  [[nodiscard]] bool holdsInput() const noexcept override { return false; }
  [[nodiscard]] bool isLinear() const noexcept override { return false; }
  [[nodiscard]] SenseLoad load(double v_in_v) const override;
  [[nodiscard]] double outputVoltage(double v_in_v) const override { return stage_.output(v_in_v); }
  [[nodiscard]] double outputSlope(double v_in_v) const override { return stage_.outputSlope(v_in_v); }
  [[nodiscard]] double restingInput() const override { return stage_.virtualGround(); }
  [[nodiscard]] std::string_view spiceLibrary() const override;
  [[nodiscard]] std::string spiceInstance(Eigen::Index j, std::string_view in_node) const override;
  [[nodiscard]] std::string spiceNodeset(Eigen::Index j) const override;
  [[nodiscard]] const TiaSpec& spec() const noexcept { return spec_; }

 private:
  TiaSpec spec_;
  OpAmpStage stage_;
};

/// A TIA sense amplifier; throws xbarsim::Error for non-positive gain, resistor or rails.
[[nodiscard]] SenseAmpPtr makeTia(const TiaSpec& spec);

}  // namespace xbarsim::circuit
