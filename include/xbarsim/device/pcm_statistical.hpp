// SPDX-License-Identifier: MIT
#pragma once
/// @file PCM statistical inference model (Joshi et al., Nat. Commun. 11, 2473 (2020); IBM
/// aihwkit PCMLikeNoiseModel), ../shared/reference/devices.md section 1: programming noise
/// (write-verify residual), per-device drift exponent nu drawn once at programming, drift
/// g(t) = g_prog·(t/t0)^(-nu) with t = t_inference + t0, accumulated 1/f read noise.
///
/// Two steps, as aihwkit's tile workflow: program() draws g_prog and nu once from the targets;
/// conductanceAt(t) applies drift with the stored nu and draws fresh read noise on each call.

#include <Eigen/Core>

#include "xbarsim/core/rng.hpp"

namespace xbarsim::device {

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
};

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

 private:
  PcmStatisticalParams params_;
};

}  // namespace xbarsim::device
