// SPDX-License-Identifier: MIT
#pragma once
/// @file VTEAM, the voltage-controlled threshold memristor model (S. Kvatinsky, M. Ramadan,
/// E. G. Friedman, A. Kolodny, "VTEAM: A General Model for Voltage-Controlled Memristors",
/// IEEE TCAS-II 62(8), 786 (2015)), docs/device-models.md §7. State: w (m) in [w_on, w_off];
/// w_on is the low-resistance end.
///
///   dw/dt = k_off·(v/v_off − 1)^α_off·f_off(w)   for 0 < v_off < v
///         = 0                                    for v_on ≤ v ≤ v_off
///         = k_on·(v/v_on − 1)^α_on·f_on(w)       for v < v_on < 0      (k_on < 0 < k_off)
///   s     = (w − w_on)/(w_off − w_on)
///   i     = v / (R_on + (R_off − R_on)·s)                 iv_relation = 0 (linear)
///         = v·exp(−λ·s)/R_on,  λ = ln(R_off/R_on)         iv_relation = 1 (exponential)
///   f_off = exp(−exp((w − a_off)/w_c)), f_on = exp(−exp(−(w − a_on)/w_c))   window_type = 1
///   f_off = f_on = 1                                                         window_type = 0
///
/// Both I–V relations are linear in v at a fixed state, so a read sees a conductance.
/// Deviations from the Verilog-A code of Kvatinsky's group, on purpose (both faces share them):
///  - Anti-windup instead of a hard clamp of the integrated state: within `clamp_width_m` of the
///    bound it moves toward, the rate fades linearly to 0 and reverses beyond it, so an
///    integrator overshoot returns to the bound (as rram_stanford.hpp). The current and the
///    window see w clamped to [w_on, w_off]; the initial state is clamped too.
///  - The inner exponent of the window is limited to ±50 (f then differs from 0 or 1 by less
///    than 1e-21), so that SPICE Newton iterates cannot overflow.

#include "xbarsim/device/device_model.hpp"

namespace xbarsim::device {

/// Parameter table of the VTEAM model (docs/device-models.md §7).
[[nodiscard]] std::span<const ParamInfo> vteamParameters() noexcept;

class Vteam final : public DeviceModel {
 public:
  explicit Vteam(ParamSet params = ParamSet(vteamParameters()));

  [[nodiscard]] const ModelInfo& info() const noexcept override;
  [[nodiscard]] const ParamSet& params() const noexcept override { return params_; }
  [[nodiscard]] StateInfo stateInfo() const noexcept override;
  [[nodiscard]] double current(double v_v, double w_m) const override;
  [[nodiscard]] double conductance(double v_v, double w_m) const override;
  [[nodiscard]] double stateRate(double v_v, double w_m, double t_amb_k) const override;
  using DeviceModel::stateRate;
  [[nodiscard]] double initialState() const noexcept override;
  [[nodiscard]] std::string_view spiceSubcircuit() const noexcept override { return "vteam"; }
  [[nodiscard]] std::string_view spiceLibrary() const noexcept override;
  [[nodiscard]] std::string_view spiceLibraryFile() const noexcept override { return "vteam.lib"; }
  [[nodiscard]] std::string_view spiceInitialStateParam() const noexcept override {
    return "w_ini";
  }

  /// Resistance v/i (Ω) at state w (clamped to the bounds); independent of v.
  [[nodiscard]] double resistance(double w_m) const;
  /// Window factor of the OFF (v > 0) and ON (v < 0) switching at state w (1 without window).
  [[nodiscard]] double windowOff(double w_m) const;
  [[nodiscard]] double windowOn(double w_m) const;

  /// The parameters as typed fields (names as in the table).
  struct Params {
    double r_on_ohm, r_off_ohm, w_on_m, w_off_m, w_ini_m, k_off_m_per_s, k_on_m_per_s, alpha_off,
        alpha_on, v_off_v, v_on_v, iv_relation, window_type, a_off_m, a_on_m, w_c_m, clamp_width_m;
  };
  [[nodiscard]] const Params& p() const noexcept { return p_; }

 private:
  /// s = (w − w_on)/(w_off − w_on) of the clamped state.
  [[nodiscard]] double normalisedState(double w_m) const noexcept;

  ParamSet params_;
  Params p_;
};

}  // namespace xbarsim::device
