// SPDX-License-Identifier: MIT
#pragma once
/// @file Pulsed update models for training on analog memory: how far one programming pulse moves
/// a device's normalized weight w, as a function of w and of the pulse direction, with
/// device-to-device variation (drawn once per device) and cycle-to-cycle noise (drawn per
/// pulse). The families and their defaults are those of IBM aihwkit's pulsed devices
/// (docs/device-models.md §8): constant step, soft bounds (linear step vanishing at the
/// bounds), power step, and the exponential step fitted to PCM (Nandakumar et al., Front.
/// Neurosci. 14, 406 (2020)).
///
/// Each family is a kind in the device registry (device/registry.hpp) with role
/// `KindRole::Update` and an `update` face; `makeUpdateModel` builds one from a parameter set.
///
/// ```cpp
/// auto model = makeUpdateModel("soft-bounds");          // table defaults
/// RngStream rng(seed, StreamPurpose::Variation, device_index);
/// const UpdateDevice dev = model->drawDevice(rng);      // d2d variation, once per device
/// double w = 0.0;
/// w = model->applyPulses(dev, w, 3, 1, rng);            // 3 up and 1 down pulse, c2c noise
/// ```

#include <array>
#include <cmath>
#include <memory>
#include <span>
#include <string_view>

#include "xbarsim/core/rng.hpp"
#include "xbarsim/device/param_table.hpp"

namespace xbarsim::device {

/// The parameters every pulsed model shares (aihwkit's PulsedDevice), in weight units.
struct PulsedParams {
  double dw_min = 0.001;       ///< mean step of one pulse (weight units)
  double dw_min_dtod = 0.3;    ///< device-to-device spread of the step (relative)
  double dw_min_std = 0.3;     ///< cycle-to-cycle spread of the step (relative)
  double up_down = 0.0;        ///< up/down asymmetry beta: up step (1+beta), down step (1-beta)
  double up_down_dtod = 0.01;  ///< device-to-device spread of beta
  double w_max = 0.6;          ///< upper bound b_max
  double w_max_dtod = 0.3;     ///< device-to-device spread of b_max (relative)
  double w_min = -0.6;         ///< lower bound b_min
  double w_min_dtod = 0.3;     ///< device-to-device spread of b_min (relative)
};

/// Power step: exponent gamma and its asymmetry (aihwkit PowStepDevice).
struct PowStepParams : PulsedParams {
  double pow_gamma = 1.0;
  double pow_gamma_dtod = 0.1;
  double pow_up_down = 0.0;
  double pow_up_down_dtod = 0.0;
};

/// Exponential step (aihwkit ExpStepDevice) with the additive cycle-to-cycle noise of its PCM
/// preset.
struct ExpStepParams : PulsedParams {
  double a = -1.0;
  double b = 0.0;
  double gamma_up = 2.5;
  double gamma_down = 2.5;
  double a_up = -27.235;
  double a_down = -2.235;
  double dw_min_std_add = 0.042;
  double dw_min_std_slope = 0.108;
  /// 1: down pulses do nothing (a PCM device has no gradual RESET: potentiation only, as one
  /// device of a SET-only pair G+ - G-); 0: the fitted down step.
  double set_only = 0.0;
};

/// One device's parameters after device-to-device variation (drawn by UpdateModel::drawDevice).
struct UpdateDevice {
  double step_up = 0.0;    ///< magnitude of the mean up step at unit response (>= 0)
  double step_down = 0.0;  ///< magnitude of the mean down step at unit response (>= 0)
  double w_min = 0.0;      ///< the device's own lower bound
  double w_max = 0.0;      ///< the device's own upper bound
  double gamma_up = 1.0;   ///< power-step exponents (other models ignore them)
  double gamma_down = 1.0;
};

/// A pulsed update model: the step response of one device to one pulse.
class UpdateModel {
 public:
  /// Standard normals drawn per device by drawDevice, in this order: step gain, up/down bias,
  /// b_max, b_min, gamma, gamma bias (every model draws all six, so streams line up).
  static constexpr int kDrawsPerDevice = 6;

  virtual ~UpdateModel() = default;
  [[nodiscard]] virtual std::string_view name() const noexcept = 0;
  [[nodiscard]] const PulsedParams& common() const noexcept { return common_; }

  /// One device's parameters with device-to-device variation: draws kDrawsPerDevice standard
  /// normals xi and returns deviceFrom(xi).
  [[nodiscard]] UpdateDevice drawDevice(RngStream& rng) const;
  /// The device without variation (every xi = 0).
  [[nodiscard]] UpdateDevice nominalDevice() const;
  /// The device for given normals: beta = up_down + up_down_dtod·xi_1; step_up = dw_min·max(0,
  /// 1 + beta + dw_min_dtod·xi_0), step_down = dw_min·max(0, 1 - beta + dw_min_dtod·xi_0);
  /// b_max = w_max·max(0, 1 + w_max_dtod·xi_2), b_min = w_min·max(0, 1 + w_min_dtod·xi_3);
  /// then the family's own parameters (varyDevice).
  [[nodiscard]] UpdateDevice deviceFrom(const std::array<double, kDrawsPerDevice>& xi) const;

  /// Mean change of w for one pulse in `direction` (+1 up, -1 down) at weight w, before
  /// clipping to the device's bounds: the model's response curve.
  [[nodiscard]] virtual double meanStep(const UpdateDevice& dev, double w, int direction) const = 0;
  /// Standard deviation of the cycle-to-cycle noise of that step (default: dw_min_std times
  /// |meanStep|, aihwkit's multiplicative noise).
  [[nodiscard]] virtual double stepStd(const UpdateDevice& dev, double w, int direction) const;

  /// One pulse: w + meanStep + stepStd·xi, clipped to [dev.w_min, dev.w_max]. Draws one normal
  /// (two uniforms) when stepStd > 0, none otherwise.
  [[nodiscard]] double pulse(const UpdateDevice& dev, double w, int direction,
                             RngStream& rng) const;
  /// n_up up pulses and n_down down pulses, interleaved (up, down, up, down, ... then the rest
  /// of the larger count), as pulse coincidences of opposite sign arrive within one update.
  [[nodiscard]] double applyPulses(const UpdateDevice& dev, double w, int n_up, int n_down,
                                   RngStream& rng) const;

  /// The closed forms the fast path knows (set by the family's constructor).
  enum class Family { Generic, Constant, SoftBounds };
  [[nodiscard]] Family family() const noexcept { return family_; }
  /// The same n_up/n_down pulses (same interleaving) in one call, no virtual call per pulse and
  /// normals from `normal` (device::NormalPairs on the same stream):
  ///  - constant step: w + n_up·s_up - n_down·s_down plus one Gaussian of the summed variance
  ///    dw_min_std²(n_up s_up² + n_down s_down²) — exact in distribution while the path stays
  ///    within the bounds (checked 4σ wide; otherwise the pulses are applied one by one);
  ///  - soft bounds: each pulse is affine in w with noise proportional to its mean step, so the
  ///    mean and the variance after the n pulses follow exactly from the moment recursion
  ///    m' = a m + s, v' = a² v + σ²(step(m)² + (s/b)² v) (a = 1 - s/b); the result is drawn as
  ///    one Gaussian with that mean and variance (an approximation: the exact law is not
  ///    Gaussian for n > 1) and clipped to the bounds once at the end (pulse by pulse clips
  ///    each pulse);
  ///  - other families: pulse by pulse (their virtual response), normals from `normal`.
  template <class Normal>
  [[nodiscard]] double applyPulsesFast(const UpdateDevice& dev, double w, int n_up, int n_down,
                                       Normal& normal) const;

 protected:
  explicit UpdateModel(const PulsedParams& common, Family family = Family::Generic);
  /// Sets the family's own per-device parameters from xi_4, xi_5 (default: nothing).
  virtual void varyDevice(UpdateDevice& /*dev*/,
                          const std::array<double, kDrawsPerDevice>& /*xi*/) const {}

 private:
  template <class Normal>
  double softBoundsFast(const UpdateDevice& dev, double w, int n_up, int n_down,
                        Normal& normal) const;
  PulsedParams common_;
  Family family_;
};

// ---- fast path (inline: one instantiation per normal source) -----------------------------------

template <class Normal>
double UpdateModel::applyPulsesFast(const UpdateDevice& dev, double w, int n_up, int n_down,
                                    Normal& normal) const {
  const double lo = dev.w_min < dev.w_max ? dev.w_min : dev.w_max, hi = dev.w_max;
  const double c2c = common_.dw_min_std;
  if (family_ == Family::Constant) {
    const double su = dev.step_up, sd = dev.step_down;
    const double var = c2c * c2c * (n_up * su * su + n_down * sd * sd);
    const double sigma = var > 0.0 ? std::sqrt(var) : 0.0;
    if (w - n_down * sd - 4.0 * sigma >= lo && w + n_up * su + 4.0 * sigma <= hi) {
      double next = w + n_up * su - n_down * sd;
      if (sigma > 0.0) next += sigma * normal();
      return next < lo ? lo : (next > hi ? hi : next);
    }
  } else if (family_ == Family::SoftBounds) {
    return softBoundsFast(dev, w, n_up, n_down, normal);
  }
  // Generic (or a constant-step path that may touch a bound): pulse by pulse.
  auto one = [&](double v, int direction) {
    double next = v + meanStep(dev, v, direction);
    if (const double sd = stepStd(dev, v, direction); sd > 0.0) next += sd * normal();
    return next < lo ? lo : (next > hi ? hi : next);
  };
  const int both = n_up < n_down ? n_up : n_down;
  for (int k = 0; k < both; ++k) w = one(one(w, +1), -1);
  for (int k = both; k < n_up; ++k) w = one(w, +1);
  for (int k = both; k < n_down; ++k) w = one(w, -1);
  return w;
}

template <class Normal>
double UpdateModel::softBoundsFast(const UpdateDevice& dev, double w, int n_up, int n_down,
                                   Normal& normal) const {
  // Up: w' = w + s_u (1 - w/b_max) = a_u w + s_u; down: w' = w - s_d (1 - w/b_min) = a_d w - s_d.
  // A bound at or across 0 gives no step in that direction (meanStep of SoftBounds).
  const double c2 = common_.dw_min_std * common_.dw_min_std;
  const bool up_ok = dev.w_max > 0.0, down_ok = dev.w_min < 0.0;
  const double ku = up_ok ? dev.step_up / dev.w_max : 0.0;     // s_u / b_max
  const double kd = down_ok ? dev.step_down / dev.w_min : 0.0;  // s_d / b_min (<= 0)
  const double su = up_ok ? dev.step_up : 0.0, sd = down_ok ? dev.step_down : 0.0;
  const double lo = dev.w_min < dev.w_max ? dev.w_min : dev.w_max, hi = dev.w_max;
  if (n_up + n_down == 1) {  // the common case: one pulse, w + step·(1 + σ ξ)
    const double step = n_up == 1 ? su - ku * w : -sd + kd * w;
    const double next = w + step * (1.0 + common_.dw_min_std * normal());
    return next < lo ? lo : (next > hi ? hi : next);
  }
  double m = w, v = 0.0;
  // One pulse on the moments: step(w) = s - k w (up: s_u - ku w; down: -s_d + kd w).
  auto up = [&] {
    const double step = su - ku * m;
    v = (1.0 - ku) * (1.0 - ku) * v + c2 * (step * step + ku * ku * v);
    m += step;
  };
  auto down = [&] {
    const double step = -sd + kd * m;
    v = (1.0 + kd) * (1.0 + kd) * v + c2 * (step * step + kd * kd * v);
    m += step;
  };
  const int both = n_up < n_down ? n_up : n_down;
  for (int k = 0; k < both; ++k) {
    up();
    down();
  }
  for (int k = both; k < n_up; ++k) up();
  for (int k = both; k < n_down; ++k) down();
  double next = m;
  if (v > 0.0) next += std::sqrt(v) * normal();
  return next < lo ? lo : (next > hi ? hi : next);
}

/// The update model of a registered kind with an update face, from its parameter set; throws
/// xbarsim::Error for a kind without one. The kinds of role Update take their own table; a
/// compact kind ("pcm_pulse", "rram_stanford", "vteam") or a built-in card of one
/// ("pcm_pulse_gst") takes a set of updateParameters(kind) (pulses and variation of its step
/// table, device/step_table.hpp) or a set of its compact parameters (defaults for the rest).
[[nodiscard]] std::unique_ptr<UpdateModel> makeUpdateModel(std::string_view kind,
                                                           const ParamSet& params);
/// The same with the defaults of updateParameters(kind).
[[nodiscard]] std::unique_ptr<UpdateModel> makeUpdateModel(std::string_view kind);
/// The parameter table of the update face of a kind or built-in card name (throws
/// xbarsim::Error if it has none): what a ParamSet for makeUpdateModel is built on.
[[nodiscard]] std::span<const ParamInfo> updateParameters(std::string_view kind);

}  // namespace xbarsim::device
