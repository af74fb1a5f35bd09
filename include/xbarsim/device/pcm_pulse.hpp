// SPDX-License-Identifier: MIT
#pragma once
/// @file PCM pulse-level model (programming and training; docs/device-models.md §4): the
/// conductance response to SET pulses is the NeuroSim exponential (P.-Y. Chen,
/// X. Peng, S. Yu, NeuroSim, IEEE TCAD 37, 3067 (2018); MLP_NeuroSim_V3.0 formula.cpp/Cell.cpp)
///
///   G(P) = B·(1 − exp(−P/A)) + G_min,   B = (G_max − G_min)/(1 − exp(−P_max/A))
///
/// so one SET pulse of the reference width moves G toward G_sat = G_min + B by the factor
/// exp(−1/A): ΔG = (G_sat − G)·(1 − e^(−1/A)) (non-linear, saturating). RESET is abrupt: a
/// pulse at or above v_reset melt-quenches the cell to G_min. Cycle-to-cycle noise: every SET
/// pulse adds σ_c2c·(G_max − G_min)·ξ (NeuroSim's C2C σ as a fraction of the range), clamped to
/// [G_min, G_max].
///
/// Continuous-time form (shared by both faces, so a SPICE transient of a pulse train gives the
/// same G as applyPulse()):
///   dG/dt = w_set(V)·(G_sat − G)/(A·t_set)·f_top(G) − w_reset(V)·(G − G_min)/τ_reset
///   w_reset(V) = σ((V − v_reset)/v_smooth),  w_set(V) = σ((V − v_set)/v_smooth)·(1 − w_reset(V))
///   σ(u) = 1/(1 + e^(−u)),  τ_reset = t_reset/10,  f_top = clamp((G_max − G)/(1e-3·(G_max −
///   G_min)), 0, 1) (anti-windup at G_max)
/// Read: I = G·V (the read branch of a PCM cell is linear; no threshold switching is modelled).
/// Unipolar: negative voltages do nothing.

#include "xbarsim/core/rng.hpp"
#include "xbarsim/device/device_model.hpp"

namespace xbarsim::device {

[[nodiscard]] std::span<const ParamInfo> pcmPulseParameters() noexcept;

/// Outcome of an iterative program-and-verify loop.
struct ProgramVerifyResult {
  double g_s = 0.0;          ///< final conductance (S)
  double residual_s = 0.0;   ///< g − target (S): the write-verify residual
  int pulses = 0;            ///< SET + RESET pulses applied
  int resets = 0;            ///< of which RESET
  bool converged = false;    ///< |residual| <= tolerance within max_pulses
};

class PcmPulse final : public DeviceModel {
 public:
  explicit PcmPulse(ParamSet params = ParamSet(pcmPulseParameters()));

  [[nodiscard]] const ModelInfo& info() const noexcept override;
  [[nodiscard]] const ParamSet& params() const noexcept override { return params_; }
  [[nodiscard]] StateInfo stateInfo() const noexcept override;
  [[nodiscard]] double current(double v_v, double g_s) const override;
  [[nodiscard]] double conductance(double v_v, double g_s) const override;
  [[nodiscard]] double stateRate(double v_v, double g_s, double t_amb_k) const override;
  using DeviceModel::stateRate;
  [[nodiscard]] double initialState() const noexcept override;
  [[nodiscard]] std::string_view spiceSubcircuit() const noexcept override { return "pcm_pulse"; }
  [[nodiscard]] std::string_view spiceLibrary() const noexcept override;
  [[nodiscard]] std::string_view spiceLibraryFile() const noexcept override { return "pcm.lib"; }
  [[nodiscard]] std::string_view spiceInitialStateParam() const noexcept override { return "g_ini"; }

  /// Conductance after one rectangular pulse of amplitude v_v and width width_s from g_s,
  /// noise-free: the exact solution of the continuous-time form (constant V).
  [[nodiscard]] double pulseResponse(double g_s, double v_v, double width_s) const;
  /// One pulse with cycle-to-cycle noise (one normal drawn from rng for every SET-window pulse).
  [[nodiscard]] double applyPulse(double g_s, double v_v, double width_s, RngStream& rng) const;
  /// G after p reference SET pulses from G_min, noise-free: the NeuroSim curve G(P).
  [[nodiscard]] double curve(double pulses) const;

  /// Reference SET and RESET pulses of the card.
  [[nodiscard]] double setAmplitude() const noexcept { return p_.v_set_pulse_v; }
  [[nodiscard]] double setWidth() const noexcept { return p_.t_set_s; }
  [[nodiscard]] double resetAmplitude() const noexcept { return p_.v_reset_pulse_v; }
  [[nodiscard]] double resetWidth() const noexcept { return p_.t_reset_s; }
  [[nodiscard]] double gMin() const noexcept { return p_.g_min_s; }
  [[nodiscard]] double gMax() const noexcept { return p_.g_max_s; }

  /// Iterative program-and-verify: from g_start_s, RESET if above target + tolerance, then
  /// reference SET pulses until |G − target| <= tolerance; an overshoot beyond the tolerance
  /// RESETs and starts again. Stops after max_pulses pulses. Verify reads are ideal.
  [[nodiscard]] ProgramVerifyResult programVerify(double g_start_s, double g_target_s,
                                                  double tolerance_s, int max_pulses,
                                                  RngStream& rng) const;

  /// The parameters as typed fields (names as in the table).
  struct Params {
    double g_min_s, g_max_s, g_ini_s, a_pulses, p_max, t_set_s, v_set_v, v_set_pulse_v, v_reset_v,
        v_reset_pulse_v, t_reset_s, v_smooth_v, sigma_c2c;
  };

 private:
  [[nodiscard]] double setWeight(double v_v) const noexcept;
  [[nodiscard]] double resetWeight(double v_v) const noexcept;

  ParamSet params_;
  Params p_;
  double g_sat_s_;  ///< saturation conductance of the SET response (derived)
};

}  // namespace xbarsim::device
