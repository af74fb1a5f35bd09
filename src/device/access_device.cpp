// SPDX-License-Identifier: MIT
#include "xbarsim/device/access_device.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>

#include "xbarsim/device/registry.hpp"
#include "xbarsim/core/error.hpp"
#include "xbarsim/core/numbers.hpp"

namespace xbarsim::device {
namespace {

constexpr std::string_view kBurr =
    "NL = I(V_w)/I(V_w/2) (Burr et al., JVST B 32, 040802 (2014)); NeuroSim default NL = 10 "
    "(docs/device-models.md §5.1)";
constexpr std::string_view kAssumed = "assumed illustrative value (xbarsim)";
constexpr std::string_view kMos1 = "ngspice MOS level 1 (Shichman & Hodges, IEEE JSSC 3, 285 (1968))";

using SP = Selector::Params;

constexpr ParamTable<SP, 3> kSelectorTable{std::array{
    BoundParam<SP>{ParamInfo{"nl", "1", 10.0, 2.0 + 1e-9, 1e9,
                             "half-bias non-linearity I(V_w)/I(V_w/2)", kBurr, ""},
                   &SP::nl},
    BoundParam<SP>{ParamInfo{"v_write_v", "V", 2.0, 1e-3, 100.0,
                             "write voltage V_w at which NL is defined", kAssumed, ""},
                   &SP::v_write_v},
    BoundParam<SP>{
        ParamInfo{"i_write_a", "A", 1e-3, 1e-15, 1.0, "selector current at V_w", kAssumed, ""},
        &SP::i_write_a},
}};

using NP = NmosAccess::Params;

constexpr ParamTable<NP, 6> kNmosTable{std::array{
    BoundParam<NP>{ParamInfo{"vto_v", "V", 0.5, -10.0, 10.0, "threshold voltage", kAssumed, "vto"},
                   &NP::vto_v},
    BoundParam<NP>{ParamInfo{"kp_a_per_v2", "A/V^2", 5e-4, 1e-9, 1.0, "transconductance parameter",
                             kAssumed, "kp"},
                   &NP::kp_a_per_v2},
    BoundParam<NP>{
        ParamInfo{"lambda", "1", 0.0, 0.0, 1.0, "channel-length modulation (1/V)", kMos1, "lambda"},
        &NP::lambda},
    BoundParam<NP>{ParamInfo{"w_m", "m", 0.4e-6, 1e-9, 1e-3, "channel width", kAssumed, "w"},
                   &NP::w_m},
    BoundParam<NP>{ParamInfo{"l_m", "m", 0.1e-6, 1e-9, 1e-3, "channel length", kAssumed, "l"},
                   &NP::l_m},
    BoundParam<NP>{ParamInfo{"v_gate_v", "V", 1.2, -10.0, 10.0,
                             "word-line (gate) voltage of a selected cell", kAssumed, ""},
                   &NP::v_gate_v},
}};

}  // namespace

std::span<const ParamInfo> selectorParameters() noexcept { return kSelectorTable.infos(); }
std::span<const ParamInfo> nmosAccessParameters() noexcept { return kNmosTable.infos(); }

// ---- selector -----------------------------------------------------------------------------------

Selector::Selector(ParamSet params)
    : params_(std::move(params)), p_(kSelectorTable.bind(params_, "Selector")) {
  v0_v_ = p_.v_write_v / (2.0 * std::acosh(p_.nl / 2.0));
  g0_s_ = p_.i_write_a / (v0_v_ * std::sinh(p_.v_write_v / v0_v_));
}

double Selector::current(double v_v) const noexcept { return g0_s_ * v0_v_ * std::sinh(v_v / v0_v_); }
double Selector::conductance(double v_v) const noexcept { return g0_s_ * std::cosh(v_v / v0_v_); }
double Selector::nonlinearity() const noexcept {
  return current(p_.v_write_v) / current(p_.v_write_v / 2.0);
}

std::string Selector::spiceInstance(std::string_view name, std::string_view te,
                                    std::string_view be) const {
  return fmt::format("x{} {} {} selector g0={} v0s={}", name, te, be, spiceNumber(g0_s_),
                     spiceNumber(v0_v_));
}

// ---- NMOS ---------------------------------------------------------------------------------------

NmosAccess::NmosAccess(ParamSet params)
    : params_(std::move(params)), p_(kNmosTable.bind(params_, "NmosAccess")) {}

MosCurrent NmosAccess::current(double v_g, double v_d, double v_s) const noexcept {
  // MOS1 is symmetric: for V_d < V_s the terminals swap roles and the current reverses.
  const bool reversed = v_d < v_s;
  const double vd = reversed ? v_s : v_d;
  const double vs = reversed ? v_d : v_s;
  const double vgs = v_g - vs;
  const double vds = vd - vs;
  const double vov = vgs - p_.vto_v;
  const double beta = p_.kp_a_per_v2 * p_.w_m / p_.l_m;
  MosCurrent r;
  if (vov > 0.0) {
    const double clm = 1.0 + p_.lambda * vds;
    if (vds < vov) {
      r.id_a = beta * (vov - 0.5 * vds) * vds * clm;
      r.gm_s = beta * vds * clm;
      r.gds_s = beta * (vov - vds) * clm + beta * (vov - 0.5 * vds) * vds * p_.lambda;
    } else {
      r.id_a = 0.5 * beta * vov * vov * clm;
      r.gm_s = beta * vov * clm;
      r.gds_s = 0.5 * beta * vov * vov * p_.lambda;
    }
  }
  if (reversed) {
    // In the original orientation: I(d->s) = −I'(s->d); ∂/∂V_ds(orig) = gds' + gm' (since
    // V_gs' = V_g − V_d moves with V_d); gm w.r.t. the original V_gs is not used by callers.
    r = {-r.id_a, -r.gm_s, r.gds_s + r.gm_s};
  }
  return r;
}

std::string NmosAccess::spiceModelCard() const {
  // is = 0: no bulk-junction current, as the native square law (otherwise the default 1e-14 A
  // junction conducts whenever a drain falls below its source).
  return fmt::format(".model xbarsim_nacc nmos level=1 vto={} kp={} lambda={} is=0",
                     spiceNumber(p_.vto_v), spiceNumber(p_.kp_a_per_v2), spiceNumber(p_.lambda));
}

std::string NmosAccess::spiceInstance(std::string_view name, std::string_view d, std::string_view g,
                                      std::string_view s) const {
  return fmt::format("m{} {} {} {} {} xbarsim_nacc w={} l={}", name, d, g, s, s,
                     spiceNumber(p_.w_m), spiceNumber(p_.l_m));
}

// ---- cell ---------------------------------------------------------------------------------------

Cell::Cell(const DeviceModel& device, Kind kind, std::optional<Selector> selector,
           std::optional<NmosAccess> transistor)
    : device_(&device), kind_(kind), selector_(std::move(selector)), transistor_(std::move(transistor)) {
  if (kind_ == Kind::OneS1R && !selector_) throw Error("1S1R cell without a selector");
  if (kind_ == Kind::OneT1R && !transistor_) throw Error("1T1R cell without an access transistor");
}

CellPoint Cell::solve(double v_cell_v, double x) const {
  if (kind_ == Kind::OneR)
    return {device_->current(v_cell_v, x), device_->conductance(v_cell_v, x), v_cell_v};
  // Internal node m between the device and the access element: te = v_cell, be = 0.
  // 1S1R: te -selector- m -device- be.  1T1R: te -device- m -nmos(drain m, source be)- be.
  // f(vm) = I_in(vm) − I_out(vm) is strictly decreasing in vm on [lo, hi].
  const auto residual = [&](double vm, double& dfdvm) {
    if (kind_ == Kind::OneS1R) {
      const double i_sel = selector_->current(v_cell_v - vm);
      const double i_dev = device_->current(vm, x);
      dfdvm = -selector_->conductance(v_cell_v - vm) - device_->conductance(vm, x);
      return i_sel - i_dev;
    }
    const double i_dev = device_->current(v_cell_v - vm, x);
    const MosCurrent mos = transistor_->current(transistor_->gateVoltage(), vm, 0.0);
    dfdvm = -device_->conductance(v_cell_v - vm, x) - mos.gds_s;
    return i_dev - mos.id_a;
  };
  double lo = std::min(0.0, v_cell_v);
  double hi = std::max(0.0, v_cell_v);
  double vm = 0.5 * (lo + hi);
  double dfdvm = 0.0;
  for (int iter = 0; iter < 200; ++iter) {
    const double f = residual(vm, dfdvm);
    if (f > 0.0) lo = vm; else hi = vm;
    double next = dfdvm < 0.0 ? vm - f / dfdvm : 0.5 * (lo + hi);
    if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
    const double step = std::abs(next - vm);
    vm = next;
    if (step <= 1e-15 * std::max(1.0, std::abs(v_cell_v)) || hi - lo <= 1e-15) break;
  }
  CellPoint p;
  if (kind_ == Kind::OneS1R) {
    const double gs = selector_->conductance(v_cell_v - vm);
    const double gd = device_->conductance(vm, x);
    p.current_a = device_->current(vm, x);
    p.conductance_s = gs * gd / (gs + gd);
    p.v_device_v = vm;
  } else {
    const double gd = device_->conductance(v_cell_v - vm, x);
    const MosCurrent mos = transistor_->current(transistor_->gateVoltage(), vm, 0.0);
    p.current_a = device_->current(v_cell_v - vm, x);
    p.conductance_s = (gd + mos.gds_s) > 0.0 ? gd * mos.gds_s / (gd + mos.gds_s) : 0.0;
    p.v_device_v = v_cell_v - vm;
  }
  return p;
}

const ModelKind& selectorKind() {
  static const ModelKind kind{
      .name = "selector",
      .description = "symmetric sinh selector of a 1S1R cell, given by its half-bias non-linearity",
      .citation = kBurr,
      .role = KindRole::Access,
      .parameters = kSelectorTable.infos(),
      .builtin_card = "selector",
      .spice_library = "access.lib"};
  return kind;
}

const ModelKind& nmosAccessKind() {
  static const ModelKind kind{.name = "nmos_access",
                              .description = "NMOS access transistor of a 1T1R cell (MOS level 1)",
                              .citation = kMos1,
                              .role = KindRole::Access,
                              .parameters = kNmosTable.infos(),
                              .builtin_card = "nmos_access",
                              .spice_library = "access.lib"};
  return kind;
}

}  // namespace xbarsim::device
