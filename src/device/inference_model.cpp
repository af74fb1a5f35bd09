// SPDX-License-Identifier: MIT
#include "xbarsim/device/inference_model.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>

#include "xbarsim/core/error.hpp"
#include "xbarsim/device/random.hpp"

namespace xbarsim::device {
namespace {

const ModelInfo kPcmInfo{
    "pcm_statistical",
    "PCM inference statistics: programming noise, drift (t/t0)^-nu, accumulated 1/f read noise",
    "S. R. Nandakumar et al., ICECS 2019; V. Joshi et al., Nat. Commun. 11, 2473 (2020); IBM "
    "aihwkit PCMLikeNoiseModel / HermesNoiseModel (M. Le Gallo et al., Nat. Electron. 2023)"};

constexpr std::string_view kCmo =
    "aihwkit ReRamCMONoiseModel (Falcone et al., arXiv:2502.04524 (2025); Lombardo et al., DRC "
    "2024), docs/device-models.md §2.2";

constexpr std::array kCmoParams = {
    ParamInfo{"g_min_s", "S", 9.0e-6, 0.0, 1.0, "lowest programmable conductance", kCmo, ""},
    ParamInfo{"g_max_s", "S", 88.199997e-6, 1e-9, 1.0, "highest programmable conductance", kCmo, ""},
    ParamInfo{"prog_a_s", "S", 0.00081107e-6, 0.0, 1.0,
              "programming sigma offset (acceptance 0.2 %; 2 %: 0.0112185391e-6)", kCmo, ""},
    ParamInfo{"prog_b", "1", 0.00106879, 0.0, 1.0,
              "programming sigma slope (acceptance 0.2 %; 2 %: 0.0112902742)", kCmo, ""},
    ParamInfo{"decay_s", "S", 0.08900206e-6, 0.0, 1.0, "mean decay per ln(t/1 s)", kCmo, ""},
    ParamInfo{"relax_a_s", "S", 0.41183342e-6, 0.0, 1.0, "relaxation sigma offset", kCmo, ""},
    ParamInfo{"relax_b_s", "S", 0.04201137e-6, 0.0, 1.0, "relaxation sigma per ln(t/1 s)", kCmo, ""},
    ParamInfo{"read_c_s", "S", 0.0277316483e-6, 0.0, 1.0,
              "read-noise coefficient (times log10 of g in uS)", kCmo, ""},
    ParamInfo{"t_read_s", "s", 1e-6, 1e-12, 1.0, "read duration of the 1/f integral", kCmo, ""},
    ParamInfo{"prog_noise_scale", "1", 1.0, 0.0, 100.0, "scale of the programming noise", kCmo, ""},
    ParamInfo{"drift_scale", "1", 1.0, 0.0, 100.0, "scale of the decay and relaxation", kCmo, ""},
    ParamInfo{"read_noise_scale", "1", 1.0, 0.0, 100.0, "scale of the read noise", kCmo, ""},
};

const ModelInfo kCmoInfo{"rram_cmo",
                         "analog CMO/HfOx ReRAM inference statistics (IBM Zurich)",
                         std::string_view(kCmo)};

void checkTargets(const Eigen::Ref<const Eigen::MatrixXd>& g, std::string_view who) {
  for (Eigen::Index j = 0; j < g.cols(); ++j)
    for (Eigen::Index i = 0; i < g.rows(); ++i)
      if (!std::isfinite(g(i, j)) || g(i, j) < 0.0)
        throw Error(fmt::format("{} programming: target ({}, {}) = {} S must be finite and >= 0",
                                who, i, j, g(i, j)));
}

void checkTime(double t_s, std::string_view who) {
  if (!std::isfinite(t_s) || t_s < 0.0)
    throw Error(fmt::format("{}: read time {} s must be finite and >= 0", who, t_s));
}

}  // namespace

// ---- PCM ----------------------------------------------------------------------------------------

PcmInference::PcmInference(PcmStatisticalParams params) : model_(params) {}

const ModelInfo& PcmInference::info() const noexcept { return kPcmInfo; }

ProgrammedArray PcmInference::program(const Eigen::Ref<const Eigen::MatrixXd>& g_target_s,
                                      RngStream& rng) const {
  checkTargets(g_target_s, "PCM");
  PcmProgrammedState s = model_.program(g_target_s, rng);
  return {g_target_s, std::move(s.g_prog_s), std::move(s.nu)};
}

Eigen::MatrixXd PcmInference::conductanceAt(const ProgrammedArray& state, double t_s,
                                            RngStream& rng, bool read_noise) const {
  checkTime(t_s, "PCM");
  return model_.conductanceAt(PcmProgrammedState{state.g_prog_s, state.nu}, t_s, rng, read_noise);
}

// ---- CMO ReRAM ----------------------------------------------------------------------------------

std::span<const ParamInfo> rramCmoParameters() noexcept { return kCmoParams; }

RramCmoModel::RramCmoModel(ParamSet params) : params_(std::move(params)) {
  if (params_.table().data() != kCmoParams.data())
    throw Error("RramCmoModel: parameter set of another model");
  g_min_s_ = params_.get("g_min_s");
  g_max_s_ = params_.get("g_max_s");
  prog_a_s_ = params_.get("prog_a_s");
  prog_b_ = params_.get("prog_b");
  decay_s_ = params_.get("decay_s");
  relax_a_s_ = params_.get("relax_a_s");
  relax_b_s_ = params_.get("relax_b_s");
  read_c_s_ = params_.get("read_c_s");
  t_read_s_ = params_.get("t_read_s");
  prog_scale_ = params_.get("prog_noise_scale");
  drift_scale_ = params_.get("drift_scale");
  read_scale_ = params_.get("read_noise_scale");
  if (!(g_min_s_ < g_max_s_)) throw Error("rram_cmo: g_min_s must be smaller than g_max_s");
}

const ModelInfo& RramCmoModel::info() const noexcept { return kCmoInfo; }

double RramCmoModel::sigmaProgramming(double g_target_s) const {
  return prog_a_s_ + prog_b_ * g_target_s;  // linear in absolute g_T (docs/device-models.md §2.2)
}

ProgrammedArray RramCmoModel::program(const Eigen::Ref<const Eigen::MatrixXd>& g_target_s,
                                      RngStream& rng) const {
  checkTargets(g_target_s, "CMO ReRAM");
  ProgrammedArray out{g_target_s, Eigen::MatrixXd(g_target_s.rows(), g_target_s.cols()),
                      Eigen::MatrixXd::Zero(g_target_s.rows(), g_target_s.cols())};
  for (Eigen::Index j = 0; j < g_target_s.cols(); ++j)
    for (Eigen::Index i = 0; i < g_target_s.rows(); ++i) {
      const double g_t = g_target_s(i, j);
      const double g = g_t + prog_scale_ * sigmaProgramming(g_t) * standardNormal(rng);
      out.g_prog_s(i, j) = std::clamp(g, g_min_s_, g_max_s_);
    }
  return out;
}

Eigen::MatrixXd RramCmoModel::conductanceAt(const ProgrammedArray& state, double t_s,
                                            RngStream& rng, bool read_noise) const {
  checkTime(t_s, "CMO ReRAM");
  if (t_s == 0.0) return state.g_prog_s;
  const double ln_t = std::log(t_s);
  const double sigma_relax = relax_a_s_ + relax_b_s_ * ln_t;
  const double s_t = std::sqrt(std::log((t_s + t_read_s_) / (2.0 * t_read_s_)));
  Eigen::MatrixXd g(state.g_prog_s.rows(), state.g_prog_s.cols());
  for (Eigen::Index j = 0; j < g.cols(); ++j)
    for (Eigen::Index i = 0; i < g.rows(); ++i) {
      const double z_relax = standardNormal(rng);
      const double z_read = standardNormal(rng);
      const double g_drift = state.g_prog_s(i, j) - decay_s_ * ln_t * drift_scale_ +
                             sigma_relax * z_relax * drift_scale_;
      double value = g_drift;
      if (read_noise && g_drift > 0.0)  // log10 of g in uS, as the code (docs/device-models.md §2.2)
        value += read_scale_ * read_c_s_ * std::log10(g_drift / 1e-6) * s_t * z_read;
      g(i, j) = std::clamp(value, g_min_s_, g_max_s_);
    }
  return g;
}

// ---- factory ------------------------------------------------------------------------------------

std::unique_ptr<InferenceModel> makeInferenceModel(const DeviceCard& card) {
  if (card.model == "pcm_statistical")
    return std::make_unique<PcmInference>(
        pcmStatisticalParamsFrom(card.params, card.variant.empty() ? "joshi2020" : card.variant));
  if (card.model == "rram_cmo") return std::make_unique<RramCmoModel>(card.params);
  throw Error(fmt::format("device card {} (model \"{}\") has no statistical inference model",
                          card.source, card.model));
}

}  // namespace xbarsim::device
