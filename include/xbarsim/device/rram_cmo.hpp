// SPDX-License-Identifier: MIT
#pragma once
/// @file Analog filamentary CMO/HfOx ReRAM inference statistics (IBM Zurich), a statistical
/// device kind (docs/device-models.md §2.2).

#include <span>

#include "xbarsim/device/inference_model.hpp"
#include "xbarsim/device/param_table.hpp"

namespace xbarsim::device {

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
  [[nodiscard]] double gMin() const noexcept override { return p_.g_min_s; }
  [[nodiscard]] double gMax() const noexcept override { return p_.g_max_s; }
  [[nodiscard]] double sigmaProgramming(double g_target_s) const override;
  [[nodiscard]] ProgrammedArray program(const Eigen::Ref<const Eigen::MatrixXd>& g_target_s,
                                        RngStream& rng) const override;
  [[nodiscard]] Eigen::MatrixXd conductanceAt(const ProgrammedArray& state, double t_s,
                                              RngStream& rng, bool read_noise = true) const override;
  [[nodiscard]] const ParamSet& params() const noexcept { return params_; }

  /// The parameters as typed fields (names as in the table).
  struct Params {
    double g_min_s, g_max_s, prog_a_s, prog_b, decay_s, relax_a_s, relax_b_s, read_c_s, t_read_s,
        prog_noise_scale, drift_scale, read_noise_scale;
  };

 private:
  ParamSet params_;
  Params p_;
};

}  // namespace xbarsim::device
