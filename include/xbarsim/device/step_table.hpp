// SPDX-License-Identifier: MIT
#pragma once
/// @file Step tables of compact models, and the pulsed update model that trains on them
/// (docs/device-models.md §8.8).
///
/// A compact model (pcm_pulse, rram_stanford, vteam: a kind with a compact face) is driven
/// pulse by pulse, its state carried from one pulse to the next: up pulses from its
/// low-conductance end until a pulse no longer moves its state (by stop_fraction of the state
/// range), then down pulses from there until the same. The read conductance G (dI/dV at 0 V) before
/// every pulse and its change ΔG give the step table ΔG(G) of each direction. The pulse is a
/// trapezoid (rise, flat top, fall) at constant ambient temperature from an ideal source; the state
/// rate dx/dt(V, x) of the model's native face is integrated by an L-stable implicit Runge–Kutta
/// method (two-stage SDIRK, order 2) with step-doubling error control. Between pulses the device
/// rests at 0 V, which changes the state of none of these models; the rest is not integrated.
/// Stochastic terms of a compact model (its cycle-to-cycle noise) are not part of the table:
/// variation comes from the update model built on it.
///
/// `TableStepModel` is that update model: w ∈ [b_min, b_max] maps linearly to G ∈
/// [G_low, G_high] (the range the walk covered), and the mean step of a pulse is the table's
/// ΔG at G, linearly interpolated, in weight units, with the device-to-device and
/// cycle-to-cycle variation of every pulsed model (update_model.hpp).
///
/// ```cpp
/// auto model = makeUpdateModel("rram_stanford");  // the card's programming pulses, cached
/// const auto& table = static_cast<const TableStepModel&>(*model).table();
/// auto pcm = makeUpdateModel("pcm_pulse_gst");    // a built-in card name works too
/// ```

#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "xbarsim/device/device_model.hpp"
#include "xbarsim/device/update_model.hpp"

namespace xbarsim::device {

/// A programming pulse from an ideal source: 0 -> v_v over edge_s, v_v for width_s, back to 0
/// over edge_s (edge_s = 0: rectangular).
struct PulseShape {
  double v_v = 0.0;      ///< amplitude, V(te) - V(be)
  double width_s = 0.0;  ///< flat top (s)
  double edge_s = 0.0;   ///< rise and fall time (s)
};

/// How a step table is derived.
struct StepTableOptions {
  PulseShape up;                ///< raises the read conductance (SET, potentiation)
  PulseShape down;              ///< lowers it (RESET, depression)
  int max_pulses = 20000;       ///< per direction; a walk that reaches it is not saturated
  double stop_fraction = 1e-4;  ///< a walk ends after a pulse moving the state by less than
                                ///< this fraction of its range (state max - state min)
  double rel_tol = 1e-8;        ///< integrator tolerance, relative to the state range
  double max_gap = 0.01;        ///< largest G interval between samples of the interpolated
                                ///< table, as a fraction of G_high - G_low (refinement)
};

/// The walk: G before every pulse and the change that pulse made (the last pulse of each
/// direction is the one that no longer moved G, or the max_pulses-th).
struct StepTable {
  std::vector<double> g_up_s;     ///< G before each up pulse (non-decreasing)
  std::vector<double> dg_up_s;    ///< its change (>= 0)
  std::vector<double> g_down_s;   ///< G before each down pulse (non-increasing)
  std::vector<double> dg_down_s;  ///< its change (<= 0)
  std::vector<double> x_up;       ///< state before each up pulse (state units)
  std::vector<double> x_down;     ///< state before each down pulse
  /// The interpolated tables, by ascending G: the walk's samples plus, where two neighbours are
  /// more than max_gap apart (an abrupt switch), one pulse from evenly spaced states between
  /// them (ΔG depends on G alone for a one-state model).
  std::vector<double> up_g_s, up_dg_s, down_g_s, down_dg_s;
  double g_low_s = 0.0;       ///< lowest G of the walk
  double g_high_s = 0.0;      ///< highest G of the walk
  bool up_saturated = false;  ///< the up walk ended on stop_fraction (not max_pulses)
  bool down_saturated = false;
  double derive_s = 0.0;  ///< wall time of the derivation (s)
};

/// State after one pulse from state x (noise-free; x clamped to the state bounds first).
[[nodiscard]] double pulseState(const DeviceModel& model, double x, const PulseShape& pulse,
                                double rel_tol = 1e-8);
/// The walk from the model's low-conductance state bound (up), then back (down). Throws
/// xbarsim::Error if the first up pulse does not raise G or the first down pulse does not lower
/// it (a pulse of the wrong polarity or below threshold).
[[nodiscard]] StepTable deriveStepTable(const DeviceModel& model, const StepTableOptions& options);
/// The state whose read conductance is g_s (bisection; G(x) must be monotone).
[[nodiscard]] double stateForConductance(const DeviceModel& model, double g_s);
/// deriveStepTable through a process-wide cache keyed by the model's name, every parameter
/// value and the options (thread-safe; the derivation is deterministic).
[[nodiscard]] std::shared_ptr<const StepTable> cachedStepTable(const DeviceModel& model,
                                                               const StepTableOptions& options);

/// Parameters of a table-step model: the shared variation and bounds (PulsedParams; dw_min is
/// derived: the mean up step, (w_max - w_min)·(G_end - G_start)/(G_high - G_low)/(up pulses
/// that moved the state)) and the pulses.
struct TableStepParams : PulsedParams {
  double v_up_v = 0.0;
  double width_up_s = 0.0;
  double v_down_v = 0.0;
  double width_down_s = 0.0;
  double edge_s = 0.0;
  double max_pulses = 20000.0;
  double stop_fraction = 1e-4;
};

/// The pulsed update model of a compact model's step table.
class TableStepModel final : public UpdateModel {
 public:
  /// Derives (or takes from the cache) the table of `compact` for p's pulses.
  TableStepModel(std::shared_ptr<const DeviceModel> compact, const TableStepParams& p);
  [[nodiscard]] std::string_view name() const noexcept override;
  /// Mean step: (b_max - b_min)·Δu(u)·(α^d / dw_min), u = (w - b_min)/(b_max - b_min) clamped to
  /// [0, 1], Δu the table's ΔG/(G_high - G_low) at G = G_low + u·(G_high - G_low).
  [[nodiscard]] double meanStep(const UpdateDevice& dev, double w, int direction) const override;
  /// Normalized step Δu of one pulse at normalized conductance u (the table alone).
  [[nodiscard]] double tableStep(double u, int direction) const;
  [[nodiscard]] const StepTable& table() const noexcept { return *table_; }
  [[nodiscard]] const DeviceModel& compact() const noexcept { return *compact_; }
  [[nodiscard]] const TableStepParams& params() const noexcept { return p_; }
  /// Options the table was derived with.
  [[nodiscard]] StepTableOptions options() const;

 private:
  TableStepModel(std::shared_ptr<const DeviceModel> compact, const TableStepParams& p,
                 std::shared_ptr<const StepTable> table);
  std::shared_ptr<const DeviceModel> compact_;
  TableStepParams p_;
  std::shared_ptr<const StepTable> table_;
  std::vector<double> u_up_, du_up_, u_down_, du_down_;  ///< ascending u
};

/// The parameter table of the update face of compact kind `kind` ("pcm_pulse", "rram_stanford",
/// "vteam"): pulses (defaults from the kind's card, docs/device-models.md §8.8) and variation.
/// Empty for a kind without one.
[[nodiscard]] std::span<const ParamInfo> tableStepParameters(std::string_view kind);

/// The update model of compact model `compact` with parameters `params` (a set of
/// tableStepParameters(kind) of its kind).
[[nodiscard]] std::unique_ptr<UpdateModel> makeTableStepModel(
    std::shared_ptr<const DeviceModel> compact, const ParamSet& params);

/// The update face of compact kind `kind` (registry.hpp): `params` is a set of its update table
/// (the compact model then takes the kind's built-in card) or of its compact parameters (the
/// pulses and variation then take their defaults).
[[nodiscard]] std::unique_ptr<UpdateModel> compactUpdateFace(std::string_view kind,
                                                             const ParamSet& params);

}  // namespace xbarsim::device
