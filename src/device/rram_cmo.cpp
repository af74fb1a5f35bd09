// SPDX-License-Identifier: MIT
#include "xbarsim/device/rram_cmo.hpp"

#include <algorithm>
#include <array>
#include <cmath>

#include "xbarsim/core/error.hpp"
#include "xbarsim/device/device_card.hpp"
#include "xbarsim/device/random.hpp"
#include "xbarsim/device/registry.hpp"

namespace xbarsim::device {
namespace {

constexpr std::string_view kCmo =
    "aihwkit ReRamCMONoiseModel (Falcone et al., arXiv:2502.04524 (2025); Lombardo et al., DRC "
    "2024), docs/device-models.md §2.2";

constexpr ParamTable<RramCmoModel::Params, 12> kTable{std::array{
    BoundParam<RramCmoModel::Params>{ParamInfo{"g_min_s", "S", 9.0e-6, 0.0, 1.0, "lowest programmable conductance", kCmo, ""}, &RramCmoModel::Params::g_min_s},
    BoundParam<RramCmoModel::Params>{ParamInfo{"g_max_s", "S", 88.199997e-6, 1e-9, 1.0, "highest programmable conductance", kCmo, ""}, &RramCmoModel::Params::g_max_s},
    BoundParam<RramCmoModel::Params>{ParamInfo{"prog_a_s", "S", 0.00081107e-6, 0.0, 1.0,
              "programming sigma offset (acceptance 0.2 %; 2 %: 0.0112185391e-6)", kCmo, ""}, &RramCmoModel::Params::prog_a_s},
    BoundParam<RramCmoModel::Params>{ParamInfo{"prog_b", "1", 0.00106879, 0.0, 1.0,
              "programming sigma slope (acceptance 0.2 %; 2 %: 0.0112902742)", kCmo, ""}, &RramCmoModel::Params::prog_b},
    BoundParam<RramCmoModel::Params>{ParamInfo{"decay_s", "S", 0.08900206e-6, 0.0, 1.0, "mean decay per ln(t/1 s)", kCmo, ""}, &RramCmoModel::Params::decay_s},
    BoundParam<RramCmoModel::Params>{ParamInfo{"relax_a_s", "S", 0.41183342e-6, 0.0, 1.0, "relaxation sigma offset", kCmo, ""}, &RramCmoModel::Params::relax_a_s},
    BoundParam<RramCmoModel::Params>{ParamInfo{"relax_b_s", "S", 0.04201137e-6, 0.0, 1.0, "relaxation sigma per ln(t/1 s)", kCmo, ""}, &RramCmoModel::Params::relax_b_s},
    BoundParam<RramCmoModel::Params>{ParamInfo{"read_c_s", "S", 0.0277316483e-6, 0.0, 1.0,
              "read-noise coefficient (times log10 of g in uS)", kCmo, ""}, &RramCmoModel::Params::read_c_s},
    BoundParam<RramCmoModel::Params>{ParamInfo{"t_read_s", "s", 1e-6, 1e-12, 1.0, "read duration of the 1/f integral", kCmo, ""}, &RramCmoModel::Params::t_read_s},
    BoundParam<RramCmoModel::Params>{ParamInfo{"prog_noise_scale", "1", 1.0, 0.0, 100.0, "scale of the programming noise", kCmo, ""}, &RramCmoModel::Params::prog_noise_scale},
    BoundParam<RramCmoModel::Params>{ParamInfo{"drift_scale", "1", 1.0, 0.0, 100.0, "scale of the decay and relaxation", kCmo, ""}, &RramCmoModel::Params::drift_scale},
    BoundParam<RramCmoModel::Params>{ParamInfo{"read_noise_scale", "1", 1.0, 0.0, 100.0, "scale of the read noise", kCmo, ""}, &RramCmoModel::Params::read_noise_scale},
}};

const ModelInfo kCmoInfo{"rram_cmo",
                         "analog CMO/HfOx ReRAM inference statistics (IBM Zurich)",
                         std::string_view(kCmo)};

}  // namespace

// ---- CMO ReRAM ----------------------------------------------------------------------------------

std::span<const ParamInfo> rramCmoParameters() noexcept { return kTable.infos(); }

RramCmoModel::RramCmoModel(ParamSet params)
    : params_(std::move(params)), p_(kTable.bind(params_, "rram_cmo")) {
  if (!(p_.g_min_s < p_.g_max_s)) throw Error("rram_cmo: g_min_s must be smaller than g_max_s");
}

const ModelInfo& RramCmoModel::info() const noexcept { return kCmoInfo; }

double RramCmoModel::sigmaProgramming(double g_target_s) const {
  return p_.prog_a_s + p_.prog_b * g_target_s;  // linear in absolute g_T (docs/device-models.md §2.2)
}

ProgrammedArray RramCmoModel::program(const Eigen::Ref<const Eigen::MatrixXd>& g_target_s,
                                      RngStream& rng) const {
  checkTargets(g_target_s, "CMO ReRAM");
  ProgrammedArray out{g_target_s, Eigen::MatrixXd(g_target_s.rows(), g_target_s.cols()),
                      Eigen::MatrixXd::Zero(g_target_s.rows(), g_target_s.cols())};
  for (Eigen::Index j = 0; j < g_target_s.cols(); ++j)
    for (Eigen::Index i = 0; i < g_target_s.rows(); ++i) {
      const double g_t = g_target_s(i, j);
      const double g = g_t + p_.prog_noise_scale * sigmaProgramming(g_t) * standardNormal(rng);
      out.g_prog_s(i, j) = std::clamp(g, p_.g_min_s, p_.g_max_s);
    }
  return out;
}

Eigen::MatrixXd RramCmoModel::conductanceAt(const ProgrammedArray& state, double t_s,
                                            RngStream& rng, bool read_noise) const {
  checkReadTime(t_s, "CMO ReRAM");
  if (t_s == 0.0) return state.g_prog_s;
  const double ln_t = std::log(t_s);
  const double sigma_relax = p_.relax_a_s + p_.relax_b_s * ln_t;
  const double s_t = std::sqrt(std::log((t_s + p_.t_read_s) / (2.0 * p_.t_read_s)));
  Eigen::MatrixXd g(state.g_prog_s.rows(), state.g_prog_s.cols());
  for (Eigen::Index j = 0; j < g.cols(); ++j)
    for (Eigen::Index i = 0; i < g.rows(); ++i) {
      const double z_relax = standardNormal(rng);
      const double z_read = standardNormal(rng);
      const double g_drift = state.g_prog_s(i, j) - p_.decay_s * ln_t * p_.drift_scale +
                             sigma_relax * z_relax * p_.drift_scale;
      double value = g_drift;
      if (read_noise && g_drift > 0.0)  // log10 of g in uS, as the code (docs/device-models.md §2.2)
        value += p_.read_noise_scale * p_.read_c_s * std::log10(g_drift / 1e-6) * s_t * z_read;
      g(i, j) = std::clamp(value, p_.g_min_s, p_.g_max_s);
    }
  return g;
}

const ModelKind& rramCmoKind() {
  static const ModelKind kind{
      .name = kCmoInfo.name,
      .description = kCmoInfo.description,
      .citation = kCmoInfo.citation,
      .parameters = kTable.infos(),
      .builtin_card = "rram_cmo",
      .statistical = [](const DeviceCard& card) -> std::unique_ptr<InferenceModel> {
        return std::make_unique<RramCmoModel>(card.params);
      }};
  return kind;
}

}  // namespace xbarsim::device
