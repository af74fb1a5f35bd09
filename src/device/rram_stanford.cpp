// SPDX-License-Identifier: MIT
#include "xbarsim/device/rram_stanford.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include "xbarsim/device/registry.hpp"
#include "xbarsim/device/step_table.hpp"
#include "xbarsim/core/error.hpp"
#include "xbarsim/device/device_card.hpp"

namespace xbarsim::device {
namespace {

constexpr std::string_view kCode =
    "rram_v_1_0_0.va (Jiang & Wong, doi:10.4231/D37H1DN48), code default; docs/device-models.md §3.1";

// Defaults and ranges from the `parameter ... from(...)` lines of rram_v_1_0_0.va.
using P = StanfordRram::Params;

constexpr ParamTable<P, 22> kTable{std::array{
    BoundParam<P>{ParamInfo{"g0_m", "m", 0.25e-9, 1e-12, 2e-9,
                            "gap scale of the tunnelling current", kCode, "g0"},
                  &P::g0_m},
    BoundParam<P>{ParamInfo{"v0_v", "V", 0.25, 1e-3, 10.0, "voltage scale of the sinh conduction",
                            kCode, "v0"},
                  &P::v0_v},
    BoundParam<P>{
        ParamInfo{"vel0_m_per_s", "m/s", 10.0, 1e-6, 20.0, "gap velocity prefactor", kCode, "vel0"},
        &P::vel0_m_per_s},
    BoundParam<P>{ParamInfo{"i0_a", "A", 1e-3, 1e-9, 1e-2, "current prefactor", kCode, "i0"},
                  &P::i0_a},
    BoundParam<P>{ParamInfo{"beta", "1", 0.8, 0.0, 100.0,
                            "gap dependence of the enhancement factor", kCode, "beta"},
                  &P::beta},
    BoundParam<P>{ParamInfo{"gamma0", "1", 16.0, 0.0, 1000.0, "local field enhancement factor",
                            kCode, "gamma0"},
                  &P::gamma0},
    BoundParam<P>{
        ParamInfo{"gamma_reset", "1", 16.0, 0.0, 1000.0,
                  "enhancement factor used for V < 0 (the code's 'added' override gamma_ini = 16)",
                  kCode, "gamma_reset"},
        &P::gamma_reset},
    BoundParam<P>{ParamInfo{"ea_ev", "eV", 0.6, 0.01, 1.5,
                            "activation energy of vacancy generation", kCode, "ea"},
                  &P::ea_ev},
    BoundParam<P>{ParamInfo{"a0_m", "m", 0.25e-9, 1e-12, 1e-8, "atom spacing", kCode, "a0"},
                  &P::a0_m},
    BoundParam<P>{ParamInfo{"t_ini_k", "K", 298.0, 1.0, 1000.0, "ambient (initial) temperature",
                            kCode, "t_ini"},
                  &P::t_ini_k},
    BoundParam<P>{ParamInfo{"f_min_v_per_m", "V/m", 1.4e9, 0.0, 3e9, "minimum field for gap motion",
                            kCode, "f_min"},
                  &P::f_min_v_per_m},
    BoundParam<P>{
        ParamInfo{"gap_ini_m", "m", 2e-10, 0.0, 100e-10,
                  "initial gap (clamped to [gap_min, gap_max]; 2e-10 = LRS)", kCode, "gap_ini"},
        &P::gap_ini_m},
    BoundParam<P>{
        ParamInfo{"gap_min_m", "m", 2e-10, 0.0, 100e-10, "minimum gap (LRS)", kCode, "gap_min"},
        &P::gap_min_m},
    BoundParam<P>{
        ParamInfo{"gap_max_m", "m", 17e-10, 0.0, 100e-10, "maximum gap (HRS)", kCode, "gap_max"},
        &P::gap_max_m},
    BoundParam<P>{
        ParamInfo{"rth_k_per_w", "K/W", 2.1e3, 0.0, 1e7, "thermal resistance", kCode, "rth"},
        &P::rth_k_per_w},
    BoundParam<P>{ParamInfo{"tox_m", "m", 12e-9, 1e-10, 100e-9, "oxide thickness", kCode, "tox"},
                  &P::tox_m},
    BoundParam<P>{ParamInfo{"model_switch", "1", 0.0, 0.0, 1.0,
                            "0 = standard, 1 = dynamic gap variation", kCode, "model_switch"},
                  &P::model_switch},
    BoundParam<P>{ParamInfo{"delta_gap0_m_per_s", "m/s", 0.02, 0.0, 0.1,
                            "amplitude of the random gap rate", kCode, "deltagap0"},
                  &P::delta_gap0_m_per_s},
    BoundParam<P>{ParamInfo{"t_crit_k", "K", 450.0, 390.0, 460.0,
                            "threshold temperature of variations", kCode, "t_crit"},
                  &P::t_crit_k},
    BoundParam<P>{ParamInfo{"t_smth_k", "K", 500.0, 400.0, 600.0,
                            "smoothing temperature of variations", kCode, "t_smth"},
                  &P::t_smth_k},
    BoundParam<P>{
        ParamInfo{"time_step_s", "s", 1e-9, 1e-15, 1.0,
                  "hold time of one random draw ($bound_step in the code)", kCode, "time_step"},
        &P::time_step_s},
    BoundParam<P>{
        ParamInfo{"clamp_width_m", "m", 1e-12, 1e-15, 1e-10,
                  "anti-windup: width over which the rate toward a gap bound goes to 0 (xbarsim)",
                  "xbarsim anti-windup (not in the Verilog-A code)", "clamp_width"},
        &P::clamp_width_m},
}};

const ModelInfo kInfo{
    "rram_stanford", "Stanford-PKU RRAM v1.0.0 gap model with temperature and field threshold",
    "Z. Jiang, H.-S. P. Wong, Stanford RRAM model v1.0.0, doi:10.4231/D37H1DN48; X. Guan, S. Yu, "
    "H.-S. P. Wong, IEEE EDL 33, 1405 (2012); Z. Jiang et al., IEEE TED 63, 1884 (2016)"};

}  // namespace

std::span<const ParamInfo> stanfordRramParameters() noexcept { return kTable.infos(); }

StanfordRram::StanfordRram(ParamSet params)
    : params_(std::move(params)), p_(kTable.bind(params_, "StanfordRram")) {
  if (!(p_.gap_min_m < p_.gap_max_m))
    throw Error("rram_stanford: gap_min_m must be smaller than gap_max_m");
  if (p_.model_switch != 0.0 && p_.model_switch != 1.0)
    throw Error("rram_stanford: model_switch must be 0 or 1");
}

const ModelInfo& StanfordRram::info() const noexcept { return kInfo; }

StateInfo StanfordRram::stateInfo() const noexcept {
  return {"gap", "m", p_.gap_min_m, p_.gap_max_m, 1e-9};
}

double StanfordRram::initialState() const noexcept {
  return std::clamp(p_.gap_ini_m, p_.gap_min_m, p_.gap_max_m);
}

double StanfordRram::current(double v_v, double gap_m) const {
  const double g = std::clamp(gap_m, p_.gap_min_m, p_.gap_max_m);
  return p_.i0_a * std::exp(-g / p_.g0_m) * std::sinh(std::clamp(v_v / p_.v0_v, -200.0, 200.0));
}

double StanfordRram::conductance(double v_v, double gap_m) const {
  const double g = std::clamp(gap_m, p_.gap_min_m, p_.gap_max_m);
  const double u = v_v / p_.v0_v;
  return std::abs(u) > 200.0 ? 0.0 : p_.i0_a * std::exp(-g / p_.g0_m) * std::cosh(u) / p_.v0_v;
}

double StanfordRram::temperature(double v_v, double gap_m, double t_amb_k) const {
  return t_amb_k + std::abs(v_v * current(v_v, gap_m)) * p_.rth_k_per_w;
}

double StanfordRram::stateRate(double v_v, double gap_m, double t_amb_k) const {
  const double g = std::clamp(gap_m, p_.gap_min_m, p_.gap_max_m);
  const double t_k = temperature(v_v, g, t_amb_k);
  const double gap_nm = g / 1e-9;
  const double gamma =
      (v_v < 0.0 ? p_.gamma_reset : p_.gamma0) - p_.beta * gap_nm * gap_nm * gap_nm;
  if (gamma * std::abs(v_v) / p_.tox_m < p_.f_min_v_per_m) return 0.0;
  const double kt_q = kBoltzmannJPerK * t_k / kElementaryChargeC;  // thermal voltage (V)
  // The sinh argument is limited to +-200 as in the SPICE face (no effect below ~15 V).
  const double rate = -p_.vel0_m_per_s * std::exp(-p_.ea_ev / kt_q) *
                      std::sinh(std::clamp(gamma * p_.a0_m / p_.tox_m * v_v / kt_q, -200.0, 200.0));
  // Anti-windup: within clamp_width of the bound it moves toward, the rate fades linearly to 0;
  // beyond the bound (an integrator overshoot) it reverses, so the bound is a stable rest point.
  // With gamma > 0 (always, past the threshold) the rate moves toward gap_min for V > 0.
  const double room = v_v > 0.0 ? gap_m - p_.gap_min_m : p_.gap_max_m - gap_m;
  return rate * std::clamp(room / p_.clamp_width_m, -1.0, 1.0);
}

double StanfordRram::variationAmplitude(double v_v, double gap_m, double t_amb_k) const {
  if (p_.model_switch == 0.0) return 0.0;
  const double t_k = temperature(v_v, gap_m, t_amb_k);
  return p_.delta_gap0_m_per_s / (1.0 + std::exp((p_.t_crit_k - t_k) / p_.t_smth_k));
}

double StanfordRram::stateNoiseRate(double v_v, double gap_m, double t_amb_k, double xi) const {
  const double rate = variationAmplitude(v_v, gap_m, t_amb_k) * xi;
  if (rate == 0.0) return 0.0;
  const double room = rate < 0.0 ? gap_m - p_.gap_min_m : p_.gap_max_m - gap_m;
  return rate * std::clamp(room / p_.clamp_width_m, -1.0, 1.0);
}

double StanfordRram::gapForResistance(double r_ohm, double v_read_v) const {
  return p_.g0_m * std::log(p_.i0_a * std::sinh(v_read_v / p_.v0_v) * r_ohm / v_read_v);
}

double StanfordRram::readResistance(double gap_m, double v_read_v) const {
  return v_read_v / current(v_read_v, gap_m);
}

double StanfordRram::thresholdVoltage(double gap_m) const {
  const double gap_nm = std::clamp(gap_m, p_.gap_min_m, p_.gap_max_m) / 1e-9;
  const double gamma = p_.gamma0 - p_.beta * gap_nm * gap_nm * gap_nm;
  return gamma > 0.0 ? p_.f_min_v_per_m * p_.tox_m / gamma : INFINITY;
}

std::string_view StanfordRram::spiceLibrary() const noexcept { return builtinSpiceLibrary("rram_stanford.lib"); }

const ModelKind& rramStanfordKind() {
  static const ModelKind kind{
      .name = kInfo.name,
      .description = kInfo.description,
      .citation = kInfo.citation,
      .parameters = kTable.infos(),
      .builtin_card = "rram_stanford",
      .spice_library = "rram_stanford.lib",
      .read_law = IvKind::Sinh,
      .read_v0_param = "v0_v",
      .compact = [](const ParamSet& params) -> std::unique_ptr<DeviceModel> {
        return std::make_unique<StanfordRram>(params);
      },
      .update = [](const ParamSet& params) -> std::unique_ptr<UpdateModel> {
        return compactUpdateFace("rram_stanford", params);
      },
      .update_parameters = tableStepParameters("rram_stanford")};
  return kind;
}

}  // namespace xbarsim::device
