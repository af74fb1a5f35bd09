// SPDX-License-Identifier: MIT
// PCM statistical inference model: Joshi et al., Nat. Commun. 11, 2473 (2020); Nandakumar et
// al., ICECS 2019; IBM aihwkit PCMLikeNoiseModel (src/aihwkit/inference/noise/pcm.py) and
// HermesNoiseModel (noise/hermes.py) at commit 4545f11b; formulas and derived reference values
// in docs/device-models.md §1.2-§1.8. Written from the equations, not the code.
#include "xbarsim/device/pcm_statistical.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>

#include "xbarsim/core/error.hpp"
#include "xbarsim/device/random.hpp"

namespace xbarsim::device {
namespace {

constexpr double kZeroClip = 1e-7;  // aihwkit _ZERO_CLIP: smallest g/g_max in the log fits

constexpr std::string_view kJoshi =
    "Joshi et al., Nat. Commun. 11, 2473 (2020); aihwkit PCMLikeNoiseModel (docs/device-models.md §1.2-§1.4)";

using P = PcmStatisticalParams;

constexpr ParamTable<P, 11> kTable{std::array{
    BoundParam<P>{
        ParamInfo{"g_max_s", "S", 25e-6, 1e-9, 1.0, "conductance range g_max", kJoshi, ""},
        &P::g_max_s},
    BoundParam<P>{ParamInfo{"prog_c0_s", "S", 0.26348e-6, -1.0, 1.0,
                            "sigma_prog polynomial c0 (at g_ref)", kJoshi, ""},
                  &P::prog_c0_s},
    BoundParam<P>{ParamInfo{"prog_c1_s", "S", 1.9650e-6, -1.0, 1.0,
                            "sigma_prog polynomial c1 (at g_ref)", kJoshi, ""},
                  &P::prog_c1_s},
    BoundParam<P>{ParamInfo{"prog_c2_s", "S", -1.1731e-6, -1.0, 1.0,
                            "sigma_prog polynomial c2 (at g_ref)", kJoshi, ""},
                  &P::prog_c2_s},
    BoundParam<P>{
        ParamInfo{"prog_c3_s", "S", 0.0, -1.0, 1.0, "sigma_prog polynomial c3 (HERMES cubic)",
                  "aihwkit HermesNoiseModel (docs/device-models.md §1.7)", ""},
        &P::prog_c3_s},
    BoundParam<P>{ParamInfo{"g_ref_s", "S", 25e-6, 1e-9, 1.0, "g_max the polynomial was fitted at",
                            kJoshi, ""},
                  &P::g_ref_s},
    BoundParam<P>{ParamInfo{"t0_s", "s", 20.0, 1e-9, 1e9, "drift reference time t0", kJoshi, ""},
                  &P::t0_s},
    BoundParam<P>{ParamInfo{"t_read_s", "s", 250e-9, 1e-12, 1.0,
                            "read duration of the 1/f noise integral", kJoshi, ""},
                  &P::t_read_s},
    BoundParam<P>{ParamInfo{"prog_noise_scale", "1", 1.0, 0.0, 100.0,
                            "scale of the programming noise", kJoshi, ""},
                  &P::prog_noise_scale},
    BoundParam<P>{
        ParamInfo{"drift_scale", "1", 1.0, 0.0, 100.0, "scale of the drift exponent", kJoshi, ""},
        &P::drift_scale},
    BoundParam<P>{
        ParamInfo{"read_noise_scale", "1", 1.0, 0.0, 100.0, "scale of the read noise", kJoshi, ""},
        &P::read_noise_scale},
}};

double clamp(double x, double lo, double hi) { return std::min(std::max(x, lo), hi); }

}  // namespace

std::span<const ParamInfo> pcmStatisticalParameters() noexcept { return kTable.infos(); }

PcmStatisticalParams hermesParams(int num_devices) {
  if (num_devices != 1 && num_devices != 2)
    throw Error(fmt::format("HERMES PCM model: num_devices must be 1 or 2, not {}", num_devices));
  PcmStatisticalParams p;
  // aihwkit HermesNoiseModel defaults (docs/device-models.md §1.7).
  const std::array<double, 4> c = num_devices == 2
      ? std::array<double, 4>{0.16603222, 4.71806468, -8.48101252, 4.68961419}
      : std::array<double, 4>{0.15781817, 2.32443916, -2.16310839, 0.68841818};
  p.g_max_s = num_devices == 2 ? 20.7e-6 : 10.35e-6;
  p.g_ref_s = p.g_max_s;
  p.prog_c0_s = c[0] * 1e-6;
  p.prog_c1_s = c[1] * 1e-6;
  p.prog_c2_s = c[2] * 1e-6;
  p.prog_c3_s = c[3] * 1e-6;
  p.t0_s = num_devices == 2 ? 300.0 : 200.0;
  p.t_read_s = 512e-9;
  p.variant = num_devices == 2 ? PcmNoiseVariant::Hermes2Device : PcmNoiseVariant::Hermes1Device;
  return p;
}

PcmStatisticalParams pcmStatisticalParamsFrom(const ParamSet& params, std::string_view variant) {
  PcmNoiseVariant v = PcmNoiseVariant::Joshi2020;
  if (variant == "joshi2020") {
    v = PcmNoiseVariant::Joshi2020;
  } else if (variant == "hermes_1dev") {
    v = PcmNoiseVariant::Hermes1Device;
  } else if (variant == "hermes_2dev") {
    v = PcmNoiseVariant::Hermes2Device;
  } else {
    throw Error(fmt::format("pcm_statistical: unknown variant \"{}\" (joshi2020, hermes_1dev, "
                            "hermes_2dev)", variant));
  }
  PcmStatisticalParams p = kTable.bind(params, "pcm_statistical");
  p.variant = v;
  return p;
}

PcmStatisticalModel::PcmStatisticalModel(PcmStatisticalParams params) : params_(params) {
  const auto positive = [](double x) { return std::isfinite(x) && x > 0.0; };
  const auto nonneg = [](double x) { return std::isfinite(x) && x >= 0.0; };
  if (!positive(params_.g_max_s) || !positive(params_.g_ref_s) || !positive(params_.t0_s) ||
      !positive(params_.t_read_s) || !nonneg(params_.prog_noise_scale) ||
      !nonneg(params_.drift_scale) || !nonneg(params_.read_noise_scale) ||
      !std::isfinite(params_.prog_c0_s) || !std::isfinite(params_.prog_c1_s) ||
      !std::isfinite(params_.prog_c2_s) || !std::isfinite(params_.prog_c3_s))
    throw Error("PcmStatisticalModel: g_max, g_ref, t0, t_read must be > 0 and the scales >= 0");
}

double PcmStatisticalModel::sigmaProgramming(double g_target_s) const noexcept {
  // sigma = (c0 + c1 x + c2 x^2 + c3 x^3) * g_max / g_ref, x = g_T/g_max (docs/device-models.md §1.2); the
  // coefficients are in S at the reference g_max. Negative values of the fit are clipped to 0
  // (the docs form max(..., 0)).
  const double x = g_target_s / params_.g_max_s;
  const double poly =
      params_.prog_c0_s + x * (params_.prog_c1_s + x * (params_.prog_c2_s + x * params_.prog_c3_s));
  return std::max(poly, 0.0) * params_.g_max_s / params_.g_ref_s;
}

double PcmStatisticalModel::driftMean(double g_target_s) const noexcept {
  const double x = std::max(std::abs(g_target_s) / params_.g_max_s, kZeroClip);
  if (params_.variant == PcmNoiseVariant::Joshi2020)
    return clamp(-0.0155 * std::log(x) + 0.0244, 0.049, 0.1);  // docs/device-models.md §1.3
  // HERMES, same mean for 1 and 2 devices (docs/device-models.md §1.7)
  if (x < 0.0945) return clamp(-0.0387 * std::log(x) - 0.0182, 0.072, 0.13);
  return -0.0436 * x * x - 0.0126 * x + 0.0736;
}

double PcmStatisticalModel::driftStd(double g_target_s) const noexcept {
  const double x = std::max(std::abs(g_target_s) / params_.g_max_s, kZeroClip);
  switch (params_.variant) {
    case PcmNoiseVariant::Joshi2020:
      return clamp(-0.0125 * std::log(x) - 0.0059, 0.008, 0.045);  // docs/device-models.md §1.3
    case PcmNoiseVariant::Hermes1Device:
      if (x < 0.3039) return clamp(-0.0120 * std::log(x) - 0.0023, 0.0124, 0.04);
      return -0.0165 * x * x + 0.0116 * x + 0.0104;
    case PcmNoiseVariant::Hermes2Device:
      if (x < 0.3055) return clamp(-0.0117 * std::log(x) - 0.0057, 0.0091, 0.04);
      return -0.0118 * x * x + 0.0093 * x + 0.0073;
  }
  return 0.0;
}

double PcmStatisticalModel::readNoiseQ(double g_prog_s) const noexcept {
  const double x = std::abs(g_prog_s) / params_.g_max_s;
  switch (params_.variant) {
    case PcmNoiseVariant::Joshi2020:
      // The code uses g_prog (the docs write g_T) and floors x^0.65 at 1e-3 (docs/device-models.md §1.4).
      return std::min(0.0088 / std::max(std::pow(x, 0.65), 1e-3), 0.2);
    case PcmNoiseVariant::Hermes1Device: {
      const double xc = std::max(x, kZeroClip);
      if (xc < 0.1591) return clamp(-0.0078 * std::log(xc) + 0.0038, 0.0179, 0.04);
      return ((0.0664 * xc - 0.1352) * xc + 0.0768) * xc + 0.0088;
    }
    case PcmNoiseVariant::Hermes2Device: {
      const double xc = std::max(x, kZeroClip);
      if (xc < 0.16) return clamp(-0.0117 * std::log(xc) - 0.0069, 0.015, 0.04);
      return ((0.0069 * xc - 0.0280) * xc + 0.0211) * xc + 0.0123;
    }
  }
  return 0.0;
}

double PcmStatisticalModel::readNoiseTimeFactor(double t_inference_s) const noexcept {
  const double t = t_inference_s + params_.t0_s;
  return std::sqrt(std::log((t + params_.t_read_s) / (2.0 * params_.t_read_s)));
}

double PcmStatisticalModel::driftFactor(double nu, double t_inference_s) const noexcept {
  const double t = t_inference_s + params_.t0_s;
  return t > params_.t0_s ? std::pow(t / params_.t0_s, -nu) : 1.0;
}

PcmProgrammedState PcmStatisticalModel::program(const Eigen::Ref<const Eigen::MatrixXd>& g_target_s,
                                                RngStream& rng) const {
  PcmProgrammedState state{Eigen::MatrixXd(g_target_s.rows(), g_target_s.cols()),
                           Eigen::MatrixXd(g_target_s.rows(), g_target_s.cols())};
  // Per device, column-major: one normal for the programming noise, then one for nu.
  for (Eigen::Index j = 0; j < g_target_s.cols(); ++j) {
    for (Eigen::Index i = 0; i < g_target_s.rows(); ++i) {
      const double g_t = g_target_s(i, j);
      if (!std::isfinite(g_t))
        throw Error(fmt::format("PCM programming: target ({}, {}) is not finite", i, j));
      const double z_prog = standardNormal(rng);
      const double z_nu = standardNormal(rng);
      state.g_prog_s(i, j) =
          std::max(0.0, g_t + params_.prog_noise_scale * sigmaProgramming(g_t) * z_prog);
      state.nu(i, j) = std::abs(driftMean(g_t) + driftStd(g_t) * z_nu) * params_.drift_scale;
    }
  }
  return state;
}

Eigen::MatrixXd PcmStatisticalModel::conductanceAt(const PcmProgrammedState& state,
                                                   double t_inference_s, RngStream& rng,
                                                   bool read_noise) const {
  if (!(t_inference_s >= 0.0) || !std::isfinite(t_inference_s))
    throw Error(fmt::format("PCM drift: time {} s must be finite and >= 0", t_inference_s));
  if (state.g_prog_s.rows() != state.nu.rows() || state.g_prog_s.cols() != state.nu.cols())
    throw Error("PCM drift: g_prog and nu differ in shape");
  const double s_t = readNoiseTimeFactor(t_inference_s);
  Eigen::MatrixXd g(state.g_prog_s.rows(), state.g_prog_s.cols());
  for (Eigen::Index j = 0; j < g.cols(); ++j) {
    for (Eigen::Index i = 0; i < g.rows(); ++i) {
      const double g_prog = state.g_prog_s(i, j);
      const double g_drift = g_prog * driftFactor(state.nu(i, j), t_inference_s);
      if (!read_noise) {
        g(i, j) = std::max(0.0, g_drift);
        continue;
      }
      const double sigma = std::abs(g_drift) * params_.read_noise_scale * readNoiseQ(g_prog) * s_t;
      g(i, j) = std::max(0.0, g_drift + sigma * standardNormal(rng));
    }
  }
  return g;
}

}  // namespace xbarsim::device
