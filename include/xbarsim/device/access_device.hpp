// SPDX-License-Identifier: MIT
#pragma once
/// @file Access devices of a crossbar cell (array.cell): the selector of a 1S1R cell, the NMOS
/// access transistor of a 1T1R cell, and the cell = memory device + access device in series.
///
/// Selector (1S1R): I = G0·V0s·sinh(V/V0s), a symmetric threshold-less selector whose half-bias
/// non-linearity NL = I(V_w)/I(V_w/2) = 2·cosh(V_w/(2·V0s)) is the usual figure of merit (Burr
/// et al., JVST B 32, 040802 (2014); NeuroSim default NL = 10, docs/device-models.md §5.1). The card gives
/// NL, V_w and I(V_w); V0s = V_w/(2·acosh(NL/2)) and G0 follow.
///
/// Access transistor (1T1R): ngspice MOSFET level 1 (Shichman–Hodges; H. Shichman, D. Hodges,
/// IEEE JSSC 3, 285 (1968)) with vto, kp, lambda, W, L and no body effect (gamma = 0), the model
/// card `.model xbarsim_nacc nmos level=1 ...`; the native face is the same square law:
///   cut-off   V_gs <= vto:            I_d = 0
///   linear    V_ds <  V_gs − vto:     I_d = kp·W/L·(V_gs − vto − V_ds/2)·V_ds·(1 + λ·V_ds)
///   saturated V_ds >= V_gs − vto:     I_d = kp/2·W/L·(V_gs − vto)²·(1 + λ·V_ds)
/// symmetric in drain and source (V_ds < 0 swaps them), as ngspice's MOS1.

#include <optional>
#include <span>
#include <string>

#include "xbarsim/device/device_card.hpp"
#include "xbarsim/device/device_model.hpp"
#include "xbarsim/device/param_table.hpp"

namespace xbarsim::device {

[[nodiscard]] std::span<const ParamInfo> selectorParameters() noexcept;
[[nodiscard]] std::span<const ParamInfo> nmosAccessParameters() noexcept;

class Selector {
 public:
  explicit Selector(ParamSet params = ParamSet(selectorParameters()));
  [[nodiscard]] double current(double v_v) const noexcept;
  [[nodiscard]] double conductance(double v_v) const noexcept;
  /// I(V_w)/I(V_w/2) of this selector.
  [[nodiscard]] double nonlinearity() const noexcept;
  [[nodiscard]] double v0() const noexcept { return v0_v_; }
  [[nodiscard]] double g0() const noexcept { return g0_s_; }
  [[nodiscard]] const ParamSet& params() const noexcept { return params_; }
  /// Instance line of the `selector` subcircuit of devices/access.lib.
  [[nodiscard]] std::string spiceInstance(std::string_view name, std::string_view te,
                                          std::string_view be) const;

  /// The parameters as typed fields (names as in the table).
  struct Params {
    double nl, v_write_v, i_write_a;
  };

 private:
  ParamSet params_;
  Params p_;
  double v0_v_, g0_s_;  ///< sinh scale and small-signal conductance (derived from nl, V_w, I_w)
};

/// Drain current and its derivatives.
struct MosCurrent {
  double id_a = 0.0;    ///< drain → source
  double gm_s = 0.0;    ///< ∂I_d/∂V_gs
  double gds_s = 0.0;   ///< ∂I_d/∂V_ds
};

class NmosAccess {
 public:
  explicit NmosAccess(ParamSet params = ParamSet(nmosAccessParameters()));
  /// Current from drain to source for terminal voltages (gate, drain, source).
  [[nodiscard]] MosCurrent current(double v_g, double v_d, double v_s) const noexcept;
  [[nodiscard]] const ParamSet& params() const noexcept { return params_; }
  /// `.model xbarsim_nacc nmos level=1 vto=... kp=... lambda=...`
  [[nodiscard]] std::string spiceModelCard() const;
  /// `m<name> d g s s xbarsim_nacc w=... l=...`
  [[nodiscard]] std::string spiceInstance(std::string_view name, std::string_view d,
                                          std::string_view g, std::string_view s) const;
  [[nodiscard]] double gateVoltage() const noexcept { return p_.v_gate_v; }

  /// The parameters as typed fields (names as in the table).
  struct Params {
    double vto_v, kp_a_per_v2, lambda, w_m, l_m, v_gate_v;
  };

 private:
  ParamSet params_;
  Params p_;
};

/// Operating point of a cell at a given terminal voltage.
struct CellPoint {
  double current_a = 0.0;       ///< te → be
  double conductance_s = 0.0;   ///< dI/dV_cell (S)
  double v_device_v = 0.0;      ///< voltage across the memory device
};

/// Memory device in series with an optional access device: 1R, 1S1R (selector between te and
/// the device), 1T1R (device between te and the transistor drain; source at be; gate at the
/// card's v_gate_v). Solved for the internal node by safeguarded Newton (bisection bracket),
/// to |ΔV| <= 1e-15 V relative.
class Cell {
 public:
  enum class Kind { OneR, OneS1R, OneT1R };
  Cell(const DeviceModel& device, Kind kind, std::optional<Selector> selector = std::nullopt,
       std::optional<NmosAccess> transistor = std::nullopt);
  [[nodiscard]] CellPoint solve(double v_cell_v, double x) const;
  [[nodiscard]] Kind kind() const noexcept { return kind_; }

 private:
  const DeviceModel* device_;
  Kind kind_;
  std::optional<Selector> selector_;
  std::optional<NmosAccess> transistor_;
};

}  // namespace xbarsim::device
