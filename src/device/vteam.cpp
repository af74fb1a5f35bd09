// SPDX-License-Identifier: MIT
#include "xbarsim/device/vteam.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include "xbarsim/core/error.hpp"
#include "xbarsim/device/device_card.hpp"
#include "xbarsim/device/registry.hpp"
#include "xbarsim/device/step_table.hpp"

namespace xbarsim::device {
namespace {

using P = Vteam::Params;

// Where the defaults come from (docs/device-models.md §7.2). The paper's fitted values were not
// available to us; MemTorch's VTEAM class and a copy of the Technion Verilog-A were.
constexpr std::string_view kMemTorch =
    "MemTorch VTEAM default (coreylammie/MemTorch, memtorch/bh/memristor/VTEAM.py); "
    "docs/device-models.md §7.2";
constexpr std::string_view kBoth =
    "MemTorch VTEAM default (memtorch/bh/memristor/VTEAM.py) = VTEAM block of the Technion "
    "Verilog-A (copy: ngxx-fus/memristor old_memristor_model.va); docs/device-models.md §7.2";
constexpr std::string_view kVerilogA =
    "Technion memristor Verilog-A (Kvatinsky, Talisveyberg, Fliter et al., 'Verilog-A for "
    "Memristor Models'), code default; docs/device-models.md §7.2";
constexpr std::string_view kOurs =
    "xbarsim choice (not in the paper or code); docs/device-models.md §7.2";

constexpr ParamTable<P, 17> kTable{std::array{
    BoundParam<P>{ParamInfo{"r_on_ohm", "ohm", 50.0, 1e-3, 1e12,
                            "resistance at w = w_on (ON state)", kMemTorch, "ron"},
                  &P::r_on_ohm},
    BoundParam<P>{ParamInfo{"r_off_ohm", "ohm", 1000.0, 1e-3, 1e12,
                            "resistance at w = w_off (OFF state)", kMemTorch, "roff"},
                  &P::r_off_ohm},
    BoundParam<P>{
        ParamInfo{"w_on_m", "m", 0.0, 0.0, 1e-6, "ON bound of the state (x_on)", kBoth, "won"},
        &P::w_on_m},
    BoundParam<P>{ParamInfo{"w_off_m", "m", 3e-9, 0.0, 1e-6, "OFF bound of the state (x_off = D)",
                            kBoth, "woff"},
                  &P::w_off_m},
    BoundParam<P>{ParamInfo{"w_ini_m", "m", 0.0, 0.0, 1e-6,
                            "initial state (clamped to [w_on, w_off]; MemTorch starts at x_on)",
                            kMemTorch, "w_ini"},
                  &P::w_ini_m},
    BoundParam<P>{ParamInfo{"k_off_m_per_s", "m/s", 5e-4, 0.0, 1e9, "OFF rate prefactor (> 0)",
                            kBoth, "koff"},
                  &P::k_off_m_per_s},
    BoundParam<P>{
        ParamInfo{"k_on_m_per_s", "m/s", -10.0, -1e9, 0.0, "ON rate prefactor (< 0)", kBoth, "kon"},
        &P::k_on_m_per_s},
    BoundParam<P>{
        ParamInfo{"alpha_off", "1", 1.0, 1.0, 50.0, "OFF rate exponent", kBoth, "alphaoff"},
        &P::alpha_off},
    BoundParam<P>{ParamInfo{"alpha_on", "1", 3.0, 1.0, 50.0, "ON rate exponent", kBoth, "alphaon"},
                  &P::alpha_on},
    BoundParam<P>{
        ParamInfo{"v_off_v", "V", 0.02, 1e-6, 100.0, "OFF threshold voltage (> 0)", kBoth, "voff"},
        &P::v_off_v},
    BoundParam<P>{
        ParamInfo{"v_on_v", "V", -0.2, -100.0, -1e-6,
                  "ON threshold voltage (< 0; the Verilog-A copy has -0.3)", kMemTorch, "von"},
        &P::v_on_v},
    BoundParam<P>{ParamInfo{"iv_relation", "1", 0.0, 0.0, 1.0,
                            "I-V relation: 0 = linear in w, 1 = exponential in w (IV_relation)",
                            kVerilogA, "iv_relation"},
                  &P::iv_relation},
    BoundParam<P>{
        ParamInfo{"window_type", "1", 0.0, 0.0, 1.0,
                  "window: 0 = none, 1 = Kvatinsky exp(-exp(...))", kVerilogA, "window_type"},
        &P::window_type},
    BoundParam<P>{
        ParamInfo{"a_off_m", "m", 3e-9, 0.0, 1e-6,
                  "Kvatinsky window: state where f_off = 1/e (default w_off)", kOurs, "aoff"},
        &P::a_off_m},
    BoundParam<P>{
        ParamInfo{"a_on_m", "m", 0.0, 0.0, 1e-6,
                  "Kvatinsky window: state where f_on = 1/e (default w_on)", kOurs, "aon"},
        &P::a_on_m},
    BoundParam<P>{ParamInfo{"w_c_m", "m", 107e-12, 1e-15, 1e-6, "Kvatinsky window: width (x_c)",
                            kVerilogA, "wc"},
                  &P::w_c_m},
    BoundParam<P>{ParamInfo{"clamp_width_m", "m", 1e-12, 1e-18, 1e-9,
                            "anti-windup: width over which the rate toward a bound goes to 0",
                            kOurs, "clamp_width"},
                  &P::clamp_width_m},
}};

const ModelInfo kInfo{
    "vteam", "VTEAM voltage-controlled threshold memristor (linear or exponential I-V, windows)",
    "S. Kvatinsky, M. Ramadan, E. G. Friedman, A. Kolodny, \"VTEAM: A General Model for "
    "Voltage-Controlled Memristors\", IEEE TCAS-II 62(8), 786 (2015)"};

/// Limit of the inner exponent of the Kvatinsky window (both faces).
constexpr double kWindowExpLimit = 50.0;

}  // namespace

std::span<const ParamInfo> vteamParameters() noexcept { return kTable.infos(); }

Vteam::Vteam(ParamSet params) : params_(std::move(params)), p_(kTable.bind(params_, "vteam")) {
  if (!(p_.w_on_m < p_.w_off_m)) throw Error("vteam: w_on_m must be smaller than w_off_m");
  if (!(p_.r_on_ohm < p_.r_off_ohm)) throw Error("vteam: r_on_ohm must be smaller than r_off_ohm");
  if (p_.iv_relation != 0.0 && p_.iv_relation != 1.0)
    throw Error("vteam: iv_relation must be 0 or 1");
  if (p_.window_type != 0.0 && p_.window_type != 1.0)
    throw Error("vteam: window_type must be 0 or 1");
}

const ModelInfo& Vteam::info() const noexcept { return kInfo; }

StateInfo Vteam::stateInfo() const noexcept { return {"w", "m", p_.w_on_m, p_.w_off_m, 1e-9}; }

double Vteam::initialState() const noexcept {
  return std::clamp(p_.w_ini_m, p_.w_on_m, p_.w_off_m);
}

double Vteam::normalisedState(double w_m) const noexcept {
  return (std::clamp(w_m, p_.w_on_m, p_.w_off_m) - p_.w_on_m) / (p_.w_off_m - p_.w_on_m);
}

double Vteam::resistance(double w_m) const {
  const double s = normalisedState(w_m);
  if (p_.iv_relation == 0.0) return p_.r_on_ohm + (p_.r_off_ohm - p_.r_on_ohm) * s;
  return p_.r_on_ohm * std::exp(std::log(p_.r_off_ohm / p_.r_on_ohm) * s);
}

double Vteam::current(double v_v, double w_m) const { return v_v * conductance(v_v, w_m); }

double Vteam::conductance(double /*v_v*/, double w_m) const { return 1.0 / resistance(w_m); }

double Vteam::windowOff(double w_m) const {
  if (p_.window_type == 0.0) return 1.0;
  const double w = std::clamp(w_m, p_.w_on_m, p_.w_off_m);
  return std::exp(
      -std::exp(std::clamp((w - p_.a_off_m) / p_.w_c_m, -kWindowExpLimit, kWindowExpLimit)));
}

double Vteam::windowOn(double w_m) const {
  if (p_.window_type == 0.0) return 1.0;
  const double w = std::clamp(w_m, p_.w_on_m, p_.w_off_m);
  return std::exp(
      -std::exp(std::clamp(-(w - p_.a_on_m) / p_.w_c_m, -kWindowExpLimit, kWindowExpLimit)));
}

double Vteam::stateRate(double v_v, double w_m, double /*t_amb_k*/) const {
  double rate = 0.0;
  if (v_v > p_.v_off_v)
    rate = p_.k_off_m_per_s * std::pow(v_v / p_.v_off_v - 1.0, p_.alpha_off) * windowOff(w_m);
  else if (v_v < p_.v_on_v)
    rate = p_.k_on_m_per_s * std::pow(v_v / p_.v_on_v - 1.0, p_.alpha_on) * windowOn(w_m);
  if (rate == 0.0) return 0.0;
  // Anti-windup: within clamp_width of the bound it moves toward (w_off for v > 0, w_on for
  // v < 0), the rate fades linearly to 0; beyond the bound it reverses.
  const double room = v_v > 0.0 ? p_.w_off_m - w_m : w_m - p_.w_on_m;
  return rate * std::clamp(room / p_.clamp_width_m, -1.0, 1.0);
}

std::string_view Vteam::spiceLibrary() const noexcept { return builtinSpiceLibrary("vteam.lib"); }

const ModelKind& vteamKind() {
  static const ModelKind kind{
      .name = kInfo.name,
      .description = kInfo.description,
      .citation = kInfo.citation,
      .parameters = kTable.infos(),
      .builtin_card = "vteam",
      .spice_library = "vteam.lib",
      .read_law = IvKind::Linear,
      .compact = [](const ParamSet& params) -> std::unique_ptr<DeviceModel> {
        return std::make_unique<Vteam>(params);
      },
      .update = [](const ParamSet& params) -> std::unique_ptr<UpdateModel> {
        return compactUpdateFace("vteam", params);
      },
      .update_parameters = tableStepParameters("vteam")};
  return kind;
}

}  // namespace xbarsim::device
