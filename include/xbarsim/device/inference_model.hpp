// SPDX-License-Identifier: MIT
#pragma once
/// @file Statistical (inference-time) device models behind one interface: program target
/// conductances (write-verify residual, per-device parameters drawn once), then read the
/// array at a time t after programming (drift or relaxation, plus fresh read noise per call).
/// This is the device step of the extraction pipeline (docs/architecture.md §3: program -> age).
///
/// Implementations: PCM (Joshi 2020 / HERMES, pcm_statistical.hpp) and the CMO/HfOx ReRAM
/// model (rram_cmo.hpp). Random numbers come only from the RngStream passed in, in documented
/// order, so the
/// same seed and stream give the same conductances on any machine.

#include <Eigen/Core>
#include <memory>
#include <span>

#include "xbarsim/core/rng.hpp"
#include "xbarsim/device/device_card.hpp"
#include "xbarsim/device/param_table.hpp"
#include "xbarsim/device/pcm_statistical.hpp"

namespace xbarsim::device {

/// Per-device state after programming.
struct ProgrammedArray {
  Eigen::MatrixXd g_target_s;  ///< what was asked for (S)
  Eigen::MatrixXd g_prog_s;    ///< after write-verify: target + residual (S)
  Eigen::MatrixXd nu;          ///< drift exponent per device (PCM), 0 where the model has none
};

class InferenceModel {
 public:
  virtual ~InferenceModel() = default;
  [[nodiscard]] virtual const ModelInfo& info() const noexcept = 0;
  /// Conductance range the model is characterised on (S).
  [[nodiscard]] virtual double gMin() const noexcept = 0;
  [[nodiscard]] virtual double gMax() const noexcept = 0;
  /// Standard deviation of the write-verify residual for a target (S).
  [[nodiscard]] virtual double sigmaProgramming(double g_target_s) const = 0;
  /// Programs targets (S, any shape); throws xbarsim::Error for non-finite or negative values.
  [[nodiscard]] virtual ProgrammedArray program(const Eigen::Ref<const Eigen::MatrixXd>& g_target_s,
                                                RngStream& rng) const = 0;
  /// Conductances read t_s after programming (s, >= 0), fresh read noise from `rng` unless
  /// read_noise is false.
  [[nodiscard]] virtual Eigen::MatrixXd conductanceAt(const ProgrammedArray& state, double t_s,
                                                      RngStream& rng, bool read_noise = true) const = 0;
  /// Standard deviation (S) of the noise of one read of a device programmed to g_prog_s and
  /// reading g_s at t_s after programming, for evaluators that draw read noise per MVM; 0 for
  /// models whose read noise is drawn by conductanceAt() only.
  [[nodiscard]] virtual double readNoiseSigma(double /*g_prog_s*/, double /*g_s*/,
                                              double /*t_s*/) const {
    return 0.0;
  }
};

/// PCM statistical model (Joshi 2020 or HERMES) behind the InferenceModel interface.
class PcmInference final : public InferenceModel {
 public:
  explicit PcmInference(PcmStatisticalParams params = {});
  [[nodiscard]] const ModelInfo& info() const noexcept override;
  [[nodiscard]] double gMin() const noexcept override { return 0.0; }
  [[nodiscard]] double gMax() const noexcept override { return model_.params().g_max_s; }
  [[nodiscard]] double sigmaProgramming(double g_target_s) const override {
    return model_.sigmaProgramming(g_target_s);
  }
  [[nodiscard]] ProgrammedArray program(const Eigen::Ref<const Eigen::MatrixXd>& g_target_s,
                                        RngStream& rng) const override;
  [[nodiscard]] Eigen::MatrixXd conductanceAt(const ProgrammedArray& state, double t_s,
                                              RngStream& rng, bool read_noise = true) const override;
  /// read_noise_scale · (1/f time factor at t) · |g| · Q(g_prog) (pcm_statistical.hpp).
  [[nodiscard]] double readNoiseSigma(double g_prog_s, double g_s, double t_s) const override;
  [[nodiscard]] const PcmStatisticalModel& model() const noexcept { return model_; }

 private:
  PcmStatisticalModel model_;
};

/// Checks targets for program(): finite and >= 0 (xbarsim::Error naming `model` and the entry).
void checkTargets(const Eigen::Ref<const Eigen::MatrixXd>& g_target_s, std::string_view model);
/// Checks a read time: finite and >= 0.
void checkReadTime(double t_s, std::string_view model);

/// The statistical model of a card (a kind with a statistical face, registry.hpp); throws
/// xbarsim::Error for cards of other models.
[[nodiscard]] std::unique_ptr<InferenceModel> makeInferenceModel(const DeviceCard& card);

}  // namespace xbarsim::device
