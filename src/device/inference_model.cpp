// SPDX-License-Identifier: MIT
#include "xbarsim/device/inference_model.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>

#include "xbarsim/core/error.hpp"
#include "xbarsim/device/random.hpp"
#include "xbarsim/device/registry.hpp"

namespace xbarsim::device {
namespace {

const ModelInfo kPcmInfo{
    "pcm_statistical",
    "PCM inference statistics: programming noise, drift (t/t0)^-nu, accumulated 1/f read noise",
    "S. R. Nandakumar et al., ICECS 2019; V. Joshi et al., Nat. Commun. 11, 2473 (2020); IBM "
    "aihwkit PCMLikeNoiseModel / HermesNoiseModel (M. Le Gallo et al., Nat. Electron. 2023)"};

}  // namespace

void checkTargets(const Eigen::Ref<const Eigen::MatrixXd>& g, std::string_view who) {
  for (Eigen::Index j = 0; j < g.cols(); ++j)
    for (Eigen::Index i = 0; i < g.rows(); ++i)
      if (!std::isfinite(g(i, j)) || g(i, j) < 0.0)
        throw Error(fmt::format("{} programming: target ({}, {}) = {} S must be finite and >= 0",
                                who, i, j, g(i, j)));
}

void checkReadTime(double t_s, std::string_view who) {
  if (!std::isfinite(t_s) || t_s < 0.0)
    throw Error(fmt::format("{}: read time {} s must be finite and >= 0", who, t_s));
}

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
  checkReadTime(t_s, "PCM");
  return model_.conductanceAt(PcmProgrammedState{state.g_prog_s, state.nu}, t_s, rng, read_noise);
}

double PcmInference::readNoiseSigma(double g_prog_s, double g_s, double t_s) const {
  return model_.params().read_noise_scale * model_.readNoiseTimeFactor(t_s) * std::abs(g_s) *
         model_.readNoiseQ(g_prog_s);
}

// ---- factory ------------------------------------------------------------------------------------

std::unique_ptr<InferenceModel> makeInferenceModel(const DeviceCard& card) {
  const ModelKind& kind = modelKinds().get(card.model);
  if (kind.statistical == nullptr)
    throw Error(fmt::format("device card {} (model \"{}\") has no statistical inference model",
                            card.source, card.model));
  return kind.statistical(card);
}

const ModelKind& pcmStatisticalKind() {
  static const ModelKind kind{
      .name = kPcmInfo.name,
      .aliases = "pcm",
      .description = kPcmInfo.description,
      .citation = kPcmInfo.citation,
      .parameters = pcmStatisticalParameters(),
      .builtin_card = "pcm_joshi2020",
      .statistical = [](const DeviceCard& card) -> std::unique_ptr<InferenceModel> {
        return std::make_unique<PcmInference>(
            pcmStatisticalParamsFrom(card.params, card.variant.empty() ? "joshi2020" : card.variant));
      }};
  return kind;
}

}  // namespace xbarsim::device
