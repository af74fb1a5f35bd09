// SPDX-License-Identifier: MIT
#pragma once
/// @file Stanford-PKU RRAM model v1.0.0 (Jiang, Yu, Guan, Wong; Verilog-A `rram_v_1_0_0`,
/// doi:10.4231/D37H1DN48; Guan, Yu & Wong, IEEE EDL 33, 1405 (2012); Jiang et al., IEEE TED 63,
/// 1884 (2016)), docs/device-models.md §3.1. State: the tunnelling gap g (m)
/// between the conductive filament tip and the top electrode.
///
///   I       = I0·exp(−g/g0)·sinh(V/V0)
///   T       = T_amb + |V·I|·Rth                       (self-heating, implicit in g here)
///   γ       = γ0 − β·(g / 1 nm)³,  γ0 → gamma_reset for V < 0 (the code's "added" override)
///   dg/dt   = −Vel0·exp(−q·Ea/(kB·T))·sinh(γ·a0/tox·q·V/(kB·T))   if γ·|V|/tox ≥ F_min, else 0
///           (+ model_switch·deltaGap0·ξ(t)/(1 + exp((T_crit − T)/T_smth)), ξ ~ N(0,1) held for
///            time_step: the dynamic-variation mode)
///
/// Deviations from the Verilog-A code, on purpose (both faces share them):
///  - Anti-windup: the code clamps a copy of the integrator state, so the integral winds beyond
///    [gap_min, gap_max] and must unwind before the current changes (docs/device-models.md §3.2). Here the
///    rate itself goes to zero at the bounds: within `clamp_width_m` of a bound the rate toward
///    it is scaled linearly down to 0 and beyond it reversed (an integrator overshoot returns to
///    the bound), and the initial gap is clamped to the bounds. A gap_ini of 1.9 nm (the
///    authors' HRS decks) therefore starts at gap_max = 1.7 nm.
///  - sinh arguments are limited to ±200 (no effect below ~15 V across the device), so that
///    SPICE Newton iterates cannot overflow.
///  - The temperature uses the current of the same evaluation (the code uses the previous
///    iterate's branch current); the fixed point is the same.
/// The static I-V law is exactly the code's; R_LRS = 541.8 Ω and R_HRS = 218.59 kΩ at 0.1 V.

#include "xbarsim/device/device_model.hpp"

namespace xbarsim::device {

/// Physical constants of the Verilog-A `constants.vams` (`P_K`, `P_Q`) that the original code
/// uses; the SPICE face (devices/rram_stanford.lib) uses the same numbers.
inline constexpr double kBoltzmannJPerK = 1.3806226e-23;
inline constexpr double kElementaryChargeC = 1.6021918e-19;

/// Parameter table of the Stanford model (code defaults of rram_v_1_0_0, docs/device-models.md §3.1).
[[nodiscard]] std::span<const ParamInfo> stanfordRramParameters() noexcept;

class StanfordRram final : public DeviceModel {
 public:
  explicit StanfordRram(ParamSet params = ParamSet(stanfordRramParameters()));

  [[nodiscard]] const ModelInfo& info() const noexcept override;
  [[nodiscard]] const ParamSet& params() const noexcept override { return params_; }
  [[nodiscard]] StateInfo stateInfo() const noexcept override;
  [[nodiscard]] double current(double v_v, double gap_m) const override;
  [[nodiscard]] double conductance(double v_v, double gap_m) const override;
  [[nodiscard]] double stateRate(double v_v, double gap_m, double t_amb_k) const override;
  using DeviceModel::stateRate;
  [[nodiscard]] double ambientTemperature() const noexcept override { return p_.t_ini_k; }
  [[nodiscard]] double initialState() const noexcept override;
  [[nodiscard]] std::string_view spiceSubcircuit() const noexcept override { return "rram_stanford"; }
  [[nodiscard]] std::string_view spiceLibrary() const noexcept override;
  [[nodiscard]] std::string_view spiceLibraryFile() const noexcept override { return "rram_stanford.lib"; }
  [[nodiscard]] std::string_view spiceInitialStateParam() const noexcept override { return "gap_ini"; }

  /// Device temperature (K) at (v_v, gap) with ambient t_amb_k: T_amb + |V·I|·Rth.
  [[nodiscard]] double temperature(double v_v, double gap_m, double t_amb_k) const;
  /// Amplitude (m/s) multiplying ξ ~ N(0,1) in the dynamic-variation mode (0 if model_switch = 0):
  /// deltaGap0/(1 + exp((T_crit − T)/T_smth)).
  [[nodiscard]] double variationAmplitude(double v_v, double gap_m, double t_amb_k) const;
  /// amplitude·ξ, with the same anti-windup as the deterministic rate (it fades to 0 within
  /// clamp_width of the bound it moves toward). The code adds this term inside idt every time
  /// step, so the gap performs a random walk of step deltaGap0·time_step (docs/device-models.md §3.1).
  [[nodiscard]] double stateNoiseRate(double v_v, double gap_m, double t_amb_k, double xi) const override;
  /// Time for which one ξ is held (s): the code's $bound_step(time_step); 0 if model_switch = 0.
  [[nodiscard]] double variationStep() const noexcept override {
    return p_.model_switch != 0.0 ? p_.time_step_s : 0.0;
  }
  /// Gap (m) whose read current at v_read_v equals that of resistance r_ohm (MemTorch's
  /// derivation of gap bounds from r_on/r_off): g0·ln(I0·sinh(Vr/V0)·R/Vr).
  [[nodiscard]] double gapForResistance(double r_ohm, double v_read_v) const;
  /// Read resistance V/I (Ω) at v_read_v and gap.
  [[nodiscard]] double readResistance(double gap_m, double v_read_v) const;
  /// Field-threshold voltage (V) at a gap: the smallest |V| with γ·|V|/tox ≥ F_min (SET side).
  [[nodiscard]] double thresholdVoltage(double gap_m) const;

  /// The parameters as typed fields (names as in the table).
  struct Params {
    double g0_m, v0_v, vel0_m_per_s, i0_a, beta, gamma0, gamma_reset, ea_ev, a0_m, t_ini_k,
        f_min_v_per_m, gap_ini_m, gap_min_m, gap_max_m, rth_k_per_w, tox_m, model_switch,
        delta_gap0_m_per_s, t_crit_k, t_smth_k, time_step_s, clamp_width_m;
  };

 private:
  ParamSet params_;
  Params p_;
};

}  // namespace xbarsim::device
