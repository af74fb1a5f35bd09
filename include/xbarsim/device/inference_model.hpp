// SPDX-License-Identifier: MIT
#pragma once
/// @file Statistical (inference-time) device models behind one interface: program target
/// conductances (write-verify residual, per-device parameters drawn once), then read the
/// array at a time t after programming (drift or relaxation, plus fresh read noise per call).
/// This is the device step of the extraction pipeline (docs/architecture.md §3: program -> age).
///
/// Implementations: PCM (Joshi 2020 / HERMES, pcm_statistical.hpp) and the CMO/HfOx ReRAM
/// model (IBM aihwkit ReRamCMONoiseModel; Falcone et al., arXiv:2502.04524 (2025); docs/device-models.md
/// §2.2). Random numbers come only from the RngStream passed in, in documented order, so the
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
  [[nodiscard]] const PcmStatisticalModel& model() const noexcept { return model_; }

 private:
  PcmStatisticalModel model_;
};

/// Parameter table of the CMO/HfOx ReRAM card (docs/device-models.md §2.2).
[[nodiscard]] std::span<const ParamInfo> rramCmoParameters() noexcept;

/// Analog filamentary CMO/HfOx ReRAM (IBM Zurich; aihwkit ReRamCMONoiseModel; docs/device-models.md §2.2):
///   g_prog  = clip(g_T + s_p·(a + b·g_T)·ξ1, g_min, g_max)       (write-verify residual)
///   g(t)    = g_prog − s_d·d·ln(t) + s_d·(r_a + r_b·ln t)·ξ2      (relaxation, t in s, t > 0)
///   g_read  = clip(g(t) + s_r·c·log10(g(t)/µS)·sqrt(ln((t + t_r)/(2 t_r)))·ξ3, g_min, g_max)
/// with the coefficients in S (the fits are in µS; log10 of g in µS as the code does). Draws:
/// program() one normal per device (column-major); conductanceAt() two per device (relaxation,
/// then read noise); t = 0 returns g_prog.
class RramCmoModel final : public InferenceModel {
 public:
  explicit RramCmoModel(ParamSet params = ParamSet(rramCmoParameters()));
  [[nodiscard]] const ModelInfo& info() const noexcept override;
  [[nodiscard]] double gMin() const noexcept override { return g_min_s_; }
  [[nodiscard]] double gMax() const noexcept override { return g_max_s_; }
  [[nodiscard]] double sigmaProgramming(double g_target_s) const override;
  [[nodiscard]] ProgrammedArray program(const Eigen::Ref<const Eigen::MatrixXd>& g_target_s,
                                        RngStream& rng) const override;
  [[nodiscard]] Eigen::MatrixXd conductanceAt(const ProgrammedArray& state, double t_s,
                                              RngStream& rng, bool read_noise = true) const override;
  [[nodiscard]] const ParamSet& params() const noexcept { return params_; }

 private:
  ParamSet params_;
  double g_min_s_, g_max_s_, prog_a_s_, prog_b_, decay_s_, relax_a_s_, relax_b_s_, read_c_s_,
      t_read_s_, prog_scale_, drift_scale_, read_scale_;
};

/// The statistical model of a card (model "pcm_statistical" or "rram_cmo"); throws
/// xbarsim::Error for cards of other models.
[[nodiscard]] std::unique_ptr<InferenceModel> makeInferenceModel(const DeviceCard& card);

}  // namespace xbarsim::device
