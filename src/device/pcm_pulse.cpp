// SPDX-License-Identifier: MIT
#include "xbarsim/device/pcm_pulse.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include "xbarsim/device/device_card.hpp"
#include "xbarsim/device/registry.hpp"
#include "xbarsim/device/step_table.hpp"
#include "xbarsim/core/error.hpp"
#include "xbarsim/device/random.hpp"

namespace xbarsim::device {
namespace {

constexpr std::string_view kNeuroSim =
    "NeuroSim GST PCM benchmark entry (P.-Y. Chen, S. Yu, IEEE Design & Test, "
    "doi:10.1109/MDAT.2018.2890229; MLP_NeuroSim_V3.0), docs/device-models.md §4";
constexpr std::string_view kXbarsim = "xbarsim continuous-time form (not in NeuroSim)";

using P = PcmPulse::Params;

constexpr ParamTable<P, 13> kTable{std::array{
    BoundParam<P>{
        ParamInfo{"g_min_s", "S", 1.0 / (4.71e3 * 19.8), 0.0, 1.0,
                  "lowest conductance (R_ON = 4.71 kOhm, on/off = 19.8)", kNeuroSim, "g_min"},
        &P::g_min_s},
    BoundParam<P>{ParamInfo{"g_max_s", "S", 1.0 / 4.71e3, 1e-12, 1.0, "highest conductance, 1/R_ON",
                            kNeuroSim, "g_max"},
                  &P::g_max_s},
    BoundParam<P>{ParamInfo{"g_ini_s", "S", 1.0 / (4.71e3 * 19.8), 0.0, 1.0, "initial conductance",
                            kXbarsim, "g_ini"},
                  &P::g_ini_s},
    BoundParam<P>{
        ParamInfo{"a_pulses", "1", 50.0, 0.01, 1e6,
                  "NeuroSim non-linearity constant A in pulses (assumed: NeuroSim's NL->A table "
                  "was not retrieved)",
                  kNeuroSim, "a_pulses"},
        &P::a_pulses},
    BoundParam<P>{ParamInfo{"p_max", "1", 100.0, 1.0, 1e6,
                            "pulses from G_min to G_max (100-120 states)", kNeuroSim, "p_max"},
                  &P::p_max},
    BoundParam<P>{ParamInfo{"t_set_s", "s", 6e-6, 1e-12, 1.0, "reference SET pulse width (6 us)",
                            kNeuroSim, "t_set"},
                  &P::t_set_s},
    BoundParam<P>{ParamInfo{"v_set_v", "V", 0.5, 0.0, 100.0, "lower edge of the SET window",
                            kXbarsim, "v_set"},
                  &P::v_set_v},
    BoundParam<P>{
        ParamInfo{"v_set_pulse_v", "V", 1.0, 0.0, 100.0,
                  "reference SET pulse amplitude (NeuroSim: 0.7 V average)", kXbarsim, ""},
        &P::v_set_pulse_v},
    BoundParam<P>{
        ParamInfo{"v_reset_v", "V", 2.0, 0.0, 100.0, "RESET threshold", kXbarsim, "v_reset"},
        &P::v_reset_v},
    BoundParam<P>{ParamInfo{"v_reset_pulse_v", "V", 3.0, 0.0, 100.0,
                            "reference RESET pulse amplitude (3 V)", kNeuroSim, ""},
                  &P::v_reset_pulse_v},
    BoundParam<P>{ParamInfo{"t_reset_s", "s", 125e-9, 1e-12, 1.0,
                            "reference RESET pulse width (125 ns)", kNeuroSim, "t_reset"},
                  &P::t_reset_s},
    BoundParam<P>{ParamInfo{"v_smooth_v", "V", 0.01, 1e-6, 1.0,
                            "width of the logistic voltage windows", kXbarsim, "v_smooth"},
                  &P::v_smooth_v},
    BoundParam<P>{ParamInfo{"sigma_c2c", "1", 0.015, 0.0, 1.0,
                            "cycle-to-cycle sigma per SET pulse, fraction of G_max - G_min (1.5 %)",
                            kNeuroSim, ""},
                  &P::sigma_c2c},
}};

const ModelInfo kInfo{"pcm_pulse",
                      "PCM pulse-level: saturating SET response, abrupt RESET, C2C noise",
                      "P.-Y. Chen, X. Peng, S. Yu, IEEE TCAD 37, 3067 (2018) (NeuroSim); "
                      "GST entry: P.-Y. Chen, S. Yu, IEEE Design & Test (2019)"};

double logistic(double u) noexcept { return 1.0 / (1.0 + std::exp(-u)); }

}  // namespace

std::span<const ParamInfo> pcmPulseParameters() noexcept { return kTable.infos(); }

PcmPulse::PcmPulse(ParamSet params)
    : params_(std::move(params)), p_(kTable.bind(params_, "PcmPulse")) {
  if (!(p_.g_min_s < p_.g_max_s)) throw Error("pcm_pulse: g_min_s must be smaller than g_max_s");
  if (!(p_.v_set_v < p_.v_reset_v))
    throw Error("pcm_pulse: v_set_v must be smaller than v_reset_v");
  g_sat_s_ = p_.g_min_s + (p_.g_max_s - p_.g_min_s) / (1.0 - std::exp(-p_.p_max / p_.a_pulses));
}

const ModelInfo& PcmPulse::info() const noexcept { return kInfo; }

StateInfo PcmPulse::stateInfo() const noexcept { return {"g", "S", p_.g_min_s, p_.g_max_s, 1e-6}; }

double PcmPulse::initialState() const noexcept {
  return std::clamp(p_.g_ini_s, p_.g_min_s, p_.g_max_s);
}

double PcmPulse::current(double v_v, double g_s) const {
  return std::clamp(g_s, p_.g_min_s, p_.g_max_s) * v_v;
}

double PcmPulse::conductance(double /*v_v*/, double g_s) const {
  return std::clamp(g_s, p_.g_min_s, p_.g_max_s);
}

double PcmPulse::resetWeight(double v_v) const noexcept {
  return logistic((v_v - p_.v_reset_v) / p_.v_smooth_v);
}

double PcmPulse::setWeight(double v_v) const noexcept {
  return logistic((v_v - p_.v_set_v) / p_.v_smooth_v) * (1.0 - resetWeight(v_v));
}

double PcmPulse::stateRate(double v_v, double g_s, double /*t_amb_k*/) const {
  const double tau_reset = p_.t_reset_s / 10.0;
  const double top = std::clamp((p_.g_max_s - g_s) / (1e-3 * (p_.g_max_s - p_.g_min_s)), 0.0, 1.0);
  return setWeight(v_v) * (g_sat_s_ - g_s) / (p_.a_pulses * p_.t_set_s) * top -
         resetWeight(v_v) * (g_s - p_.g_min_s) / tau_reset;
}

double PcmPulse::pulseResponse(double g_s, double v_v, double width_s) const {
  // dG/dt = a − b·G with constant V (f_top handled by the clamp at G_max).
  const double ws = setWeight(v_v) / (p_.a_pulses * p_.t_set_s);
  const double wr = resetWeight(v_v) / (p_.t_reset_s / 10.0);
  const double b = ws + wr;
  if (b <= 0.0 || width_s <= 0.0) return g_s;
  const double g_inf = (ws * g_sat_s_ + wr * p_.g_min_s) / b;
  const double g = g_inf + (g_s - g_inf) * std::exp(-b * width_s);
  return std::clamp(g, p_.g_min_s, p_.g_max_s);
}

double PcmPulse::applyPulse(double g_s, double v_v, double width_s, RngStream& rng) const {
  double g = pulseResponse(g_s, v_v, width_s);
  if (setWeight(v_v) > 0.5)  // a SET pulse: cycle-to-cycle noise
    g += p_.sigma_c2c * (p_.g_max_s - p_.g_min_s) * standardNormal(rng);
  return std::clamp(g, p_.g_min_s, p_.g_max_s);
}

double PcmPulse::curve(double pulses) const {
  return std::min(p_.g_min_s + (g_sat_s_ - p_.g_min_s) * (1.0 - std::exp(-pulses / p_.a_pulses)),
                  p_.g_max_s);
}

ProgramVerifyResult PcmPulse::programVerify(double g_start_s, double g_target_s, double tolerance_s,
                                            int max_pulses, RngStream& rng) const {
  if (!(g_target_s >= p_.g_min_s && g_target_s <= p_.g_max_s))
    throw Error("pcm_pulse program-verify: target outside [g_min, g_max]");
  if (!(tolerance_s > 0.0) || max_pulses < 1)
    throw Error("pcm_pulse program-verify: tolerance must be > 0 and max_pulses >= 1");
  ProgramVerifyResult r;
  double g = std::clamp(g_start_s, p_.g_min_s, p_.g_max_s);
  while (r.pulses < max_pulses) {
    if (std::abs(g - g_target_s) <= tolerance_s) {
      r.converged = true;
      break;
    }
    if (g > g_target_s) {
      g = applyPulse(g, p_.v_reset_pulse_v, p_.t_reset_s, rng);
      ++r.resets;
    } else {
      g = applyPulse(g, p_.v_set_pulse_v, p_.t_set_s, rng);
    }
    ++r.pulses;
  }
  if (!r.converged && std::abs(g - g_target_s) <= tolerance_s) r.converged = true;
  r.g_s = g;
  r.residual_s = g - g_target_s;
  return r;
}

std::string_view PcmPulse::spiceLibrary() const noexcept { return builtinSpiceLibrary("pcm.lib"); }

const ModelKind& pcmPulseKind() {
  static const ModelKind kind{
      .name = kInfo.name,
      .description = kInfo.description,
      .citation = kInfo.citation,
      .parameters = kTable.infos(),
      .builtin_card = "pcm_pulse_gst",
      .spice_library = "pcm.lib",
      .read_law = IvKind::Linear,
      .compact = [](const ParamSet& params) -> std::unique_ptr<DeviceModel> {
        return std::make_unique<PcmPulse>(params);
      },
      .update = [](const ParamSet& params) -> std::unique_ptr<UpdateModel> {
        return compactUpdateFace("pcm_pulse", params);
      },
      .update_parameters = tableStepParameters("pcm_pulse")};
  return kind;
}

}  // namespace xbarsim::device
