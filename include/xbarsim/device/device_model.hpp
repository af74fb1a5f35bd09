// SPDX-License-Identifier: MIT
#pragma once
/// @file The interface of a stateful two-terminal compact model (docs/architecture.md §6): one
/// parameter set, two faces.
///
/// Native face (used by the native circuit drivers): the current I(V, x) from top electrode
/// (te) to bottom electrode (be), its derivative dI/dV, the state rate dx/dt(V, x, T_amb) and
/// the state bounds. The state x is one scalar per device (a gap in m, a conductance in S).
///
/// SPICE face (used by generated ngspice decks, and by designers in their own decks): a
/// `.subckt <name> te be <param>=<default> ...` in devices/*.lib realising the same equations
/// with behavioural sources; the state is the voltage of an internal node `x` on a capacitor
/// (x in spiceStateScale() units per volt). spiceInstance() writes an instance line carrying
/// every parameter of this model's set, so the two faces evaluate the same numbers.
///
/// Stochastic operations (programming, drift, read noise, cycle-to-cycle noise) take an explicit
/// RngStream; see inference_model.hpp (statistical models) and pcm_pulse.hpp (pulse level).

#include <span>
#include <string>
#include <string_view>

#include "xbarsim/device/param_table.hpp"

namespace xbarsim::device {

/// The internal state variable of a model.
struct StateInfo {
  std::string_view name;   ///< e.g. "gap"
  std::string_view unit;   ///< SI unit, e.g. "m"
  double min = 0.0;        ///< bounds of the state (inclusive)
  double max = 0.0;
  double spice_scale = 1.0;  ///< state units per volt of the SPICE state node (1e-9 m/V: nm)
};

class DeviceModel {
 public:
  virtual ~DeviceModel() = default;

  [[nodiscard]] virtual const ModelInfo& info() const noexcept = 0;
  [[nodiscard]] virtual const ParamSet& params() const noexcept = 0;
  [[nodiscard]] virtual StateInfo stateInfo() const noexcept = 0;

  /// Current from te to be (A) at voltage v_v = V(te) − V(be) and state x.
  [[nodiscard]] virtual double current(double v_v, double x) const = 0;
  /// Differential conductance dI/dV (S) at (v_v, x), analytic.
  [[nodiscard]] virtual double conductance(double v_v, double x) const = 0;
  /// State rate dx/dt (state unit per s) at (v_v, x) and ambient temperature t_amb_k (K).
  [[nodiscard]] virtual double stateRate(double v_v, double x, double t_amb_k) const = 0;
  /// State rate at the model's own ambient temperature.
  [[nodiscard]] double stateRate(double v_v, double x) const {
    return stateRate(v_v, x, ambientTemperature());
  }
  /// Stochastic part of the state rate (state unit per s) for one standard-normal draw `xi`
  /// that is held constant for variationStep() seconds (cycle-to-cycle/dynamic variation,
  /// e.g. the Stanford model's model_switch = 1). 0 for deterministic parameter sets.
  [[nodiscard]] virtual double stateNoiseRate(double /*v_v*/, double /*x*/, double /*t_amb_k*/,
                                              double /*xi*/) const {
    return 0.0;
  }
  /// How long one draw of the variation is held (s); 0 = no variation in this parameter set.
  [[nodiscard]] virtual double variationStep() const noexcept { return 0.0; }
  /// Ambient temperature of the parameter set (K); 300 K for models without temperature.
  [[nodiscard]] virtual double ambientTemperature() const noexcept { return 300.0; }
  /// Initial state of the parameter set (e.g. gap_ini), within the bounds.
  [[nodiscard]] virtual double initialState() const noexcept = 0;
  /// The state clamped to its bounds.
  [[nodiscard]] double clampState(double x) const noexcept;
  /// Small-signal conductance at v = 0 (S) for state x: what a linear read sees.
  [[nodiscard]] double readConductance(double x) const { return conductance(0.0, x); }

  /// Name of the SPICE subcircuit (two pins te, be), e.g. "rram_stanford".
  [[nodiscard]] virtual std::string_view spiceSubcircuit() const noexcept = 0;
  /// The text of the library that defines it (devices/<file>.lib, embedded at build time).
  [[nodiscard]] virtual std::string_view spiceLibrary() const noexcept = 0;
  /// File name of that library under devices/ (e.g. "rram_stanford.lib").
  [[nodiscard]] virtual std::string_view spiceLibraryFile() const noexcept = 0;
  /// Instance line `x<name> te be <subckt> p1=v1 ... <state>_ini=x0` with every parameter of
  /// the set (round-trip number text) and the initial state x0 (state units).
  [[nodiscard]] std::string spiceInstance(std::string_view name, std::string_view te,
                                          std::string_view be, double x0) const;
  /// Name of the SPICE parameter holding the initial state (e.g. "gap_ini").
  [[nodiscard]] virtual std::string_view spiceInitialStateParam() const noexcept = 0;
};

}  // namespace xbarsim::device
