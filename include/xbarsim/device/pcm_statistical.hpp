// SPDX-License-Identifier: MIT
#pragma once
/// @file PCM statistical inference model (Joshi et al., Nat. Commun. 11, 2473 (2020); IBM
/// aihwkit PCMLikeNoiseModel), docs/device-models.md §1: programming noise
/// (write-verify residual), per-device drift exponent nu drawn once at programming, drift
/// g(t) = g_prog·(t/t0)^(-nu) with t = t_inference + t0, accumulated 1/f read noise.
///
/// Two steps, as aihwkit's tile workflow: program() draws g_prog and nu once from the targets;
/// conductanceAt(t) applies drift with the stored nu and draws fresh read noise on each call.

#include <Eigen/Core>
#include <span>

#include "xbarsim/core/rng.hpp"
#include "xbarsim/device/param_table.hpp"

namespace xbarsim::device {

/// Which fitted functions give the drift exponent statistics and the 1/f read-noise Q_s.
enum class PcmNoiseVariant {
  Joshi2020,     ///< aihwkit PCMLikeNoiseModel (docs/device-models.md §1.3, §1.4)
  Hermes1Device, ///< aihwkit HermesNoiseModel, num_devices = 1 (docs/device-models.md §1.7)
  Hermes2Device, ///< aihwkit HermesNoiseModel, num_devices = 2 (docs/device-models.md §1.7)
};

struct PcmStatisticalParams {
  double g_max_s = 25e-6;                     ///< conductance range (S)
  double prog_c0_s = 0.26348e-6;              ///< sigma_prog polynomial (S), g_ref = 25 uS
  double prog_c1_s = 1.9650e-6;
  double prog_c2_s = -1.1731e-6;
  double g_ref_s = 25e-6;
  double t0_s = 20.0;                         ///< drift reference time (s)
  double t_read_s = 250e-9;                   ///< read duration for 1/f noise (s)
  double prog_noise_scale = 1.0;
  double drift_scale = 1.0;
  double read_noise_scale = 1.0;
  // Added for the HERMES card (devices/pcm_hermes.toml); defaults keep the Joshi 2020 model.
  double prog_c3_s = 0.0;                     ///< cubic term of the sigma_prog polynomial (S)
  PcmNoiseVariant variant = PcmNoiseVariant::Joshi2020;
};

/// aihwkit HermesNoiseModel defaults (Le Gallo et al., Nat. Electron. 2023; docs/device-models.md §1.7):
/// g_max 20.7 uS / t0 300 s (2 devices) or 10.35 uS / 200 s (1 device), t_read 512 ns, cubic
/// programming polynomial referenced to g_max.
[[nodiscard]] PcmStatisticalParams hermesParams(int num_devices);

/// Parameter table of the statistical PCM cards (names = PcmStatisticalParams members).
[[nodiscard]] std::span<const ParamInfo> pcmStatisticalParameters() noexcept;
/// PcmStatisticalParams from a validated parameter set and a variant name
/// ("joshi2020" | "hermes_1dev" | "hermes_2dev"); throws xbarsim::Error for other names.
[[nodiscard]] PcmStatisticalParams pcmStatisticalParamsFrom(const ParamSet& params,
                                                            std::string_view variant);

/// Per-device state after programming: conductance at t0 and drift exponent.
struct PcmProgrammedState {
  Eigen::MatrixXd g_prog_s;
  Eigen::MatrixXd nu;
};

class PcmStatisticalModel {
 public:
  explicit PcmStatisticalModel(PcmStatisticalParams params = {});
  [[nodiscard]] const PcmStatisticalParams& params() const noexcept { return params_; }

  /// Programs target conductances (S, any shape, values in [0, g_max]); draws programming
  /// noise and nu per device from `rng` in column-major element order.
  [[nodiscard]] PcmProgrammedState program(const Eigen::Ref<const Eigen::MatrixXd>& g_target_s,
                                           RngStream& rng) const;
  /// Conductances read t_inference_s after programming: drift with the stored nu, plus fresh
  /// 1/f read noise from `rng` (pass read_noise = false for the drift alone).
  [[nodiscard]] Eigen::MatrixXd conductanceAt(const PcmProgrammedState& state, double t_inference_s,
                                              RngStream& rng, bool read_noise = true) const;

  /// Standard deviation of programming noise for a target (S).
  [[nodiscard]] double sigmaProgramming(double g_target_s) const noexcept;

  // ---- added: the fitted functions, for tests and for callers that sample themselves -------
  /// Mean and standard deviation of the drift exponent drawn for a target (before |.| and
  /// drift_scale).
  [[nodiscard]] double driftMean(double g_target_s) const noexcept;
  [[nodiscard]] double driftStd(double g_target_s) const noexcept;
  /// 1/f read-noise coefficient Q_s for a programmed conductance.
  [[nodiscard]] double readNoiseQ(double g_prog_s) const noexcept;
  /// Accumulated 1/f factor sqrt(ln((t + t_read)/(2 t_read))), t = t_inference + t0.
  [[nodiscard]] double readNoiseTimeFactor(double t_inference_s) const noexcept;
  /// Drift factor (t/t0)^(-nu) with t = t_inference + t0 (1 for t_inference <= 0).
  [[nodiscard]] double driftFactor(double nu, double t_inference_s) const noexcept;

 private:
  PcmStatisticalParams params_;
};

}  // namespace xbarsim::device
