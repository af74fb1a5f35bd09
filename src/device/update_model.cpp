// SPDX-License-Identifier: MIT
// Pulsed update models (include/xbarsim/device/update_model.hpp; equations and parameter sources
// in docs/device-models.md §8): the shared device-to-device draw and pulse loop, the four
// families, their parameter tables and their registry kinds.
#include "xbarsim/device/update_model.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <optional>
#include <utility>

#include "xbarsim/core/error.hpp"
#include "xbarsim/device/device_card.hpp"
#include "xbarsim/device/device_model.hpp"
#include "xbarsim/device/random.hpp"
#include "xbarsim/device/registry.hpp"
#include "xbarsim/device/step_table.hpp"
#include "pulsed_table.hpp"

namespace xbarsim::device {
namespace {

constexpr std::string_view kAihwkitPow =
    "IBM aihwkit PowStepDevice default (simulator/configs/devices.py); docs/device-models.md §8.4";
constexpr PulsedDefaults kSoftBoundsDefaults{
    .values = PulsedParams{}, .source = kAihwkitPulsed, .w_min_upper = -1e-9};
constexpr auto kConstantTable = ParamTable<PulsedParams, 9>(
    pulsedEntries(kAihwkitDefaults, std::array<BoundParam<PulsedParams>, 0>{}));
constexpr auto kSoftBoundsTable = ParamTable<PulsedParams, 9>(
    pulsedEntries(kSoftBoundsDefaults, std::array<BoundParam<PulsedParams>, 0>{}));
constexpr auto kPowStepTable = ParamTable<PowStepParams, 13>(pulsedEntries(
    kAihwkitDefaults,
    std::array<BoundParam<PowStepParams>, 4>{{
        {{"pow_gamma", "1", 1.0, 0.0, 100.0, "exponent gamma of the power step", kAihwkitPow, ""},
         &PowStepParams::pow_gamma},
        {{"pow_gamma_dtod", "1", 0.1, 0.0, 10.0, "device-to-device spread of gamma (relative)",
          kAihwkitPow, ""},
         &PowStepParams::pow_gamma_dtod},
        {{"pow_up_down", "1", 0.0, -1.0, 1.0,
          "asymmetry of gamma: gamma_up x (1 + b), gamma_down x (1 - b)", kAihwkitPow, ""},
         &PowStepParams::pow_up_down},
        {{"pow_up_down_dtod", "1", 0.0, 0.0, 10.0, "device-to-device spread of the gamma asymmetry",
          kAihwkitPow, ""},
         &PowStepParams::pow_up_down_dtod},
    }}));
constexpr auto kExpStepTable = ParamTable<ExpStepParams, 18>(pulsedEntries(
    kPcmDefaults,
    std::array<BoundParam<ExpStepParams>, 9>{{
        {{"a", "1", -1.0, -100.0, 100.0, "slope a of z = 2a w/(b_max - b_min) + b", kAihwkitPcm,
          ""},
         &ExpStepParams::a},
        {{"b", "1", 0.0, -100.0, 100.0, "offset b of z", kAihwkitPcm, ""}, &ExpStepParams::b},
        {{"gamma_up", "1", 2.5, -100.0, 100.0, "exponent of the up step", kAihwkitPcm, ""},
         &ExpStepParams::gamma_up},
        {{"gamma_down", "1", 2.5, -100.0, 100.0, "exponent of the down step", kAihwkitPcm, ""},
         &ExpStepParams::gamma_down},
        {{"a_up", "1", -27.235, -1e3, 1e3, "prefactor A of the up step", kAihwkitPcm, ""},
         &ExpStepParams::a_up},
        {{"a_down", "1", -2.235, -1e3, 1e3, "prefactor A of the down step", kAihwkitPcm, ""},
         &ExpStepParams::a_down},
        {{"dw_min_std_add", "1", 0.042, 0.0, 10.0,
          "additive cycle-to-cycle noise term (weight units, times dw_min_std)", kAihwkitPcm, ""},
         &ExpStepParams::dw_min_std_add},
        {{"dw_min_std_slope", "1", 0.108, 0.0, 10.0,
          "cycle-to-cycle noise growing with |w| (times dw_min_std)", kAihwkitPcm, ""},
         &ExpStepParams::dw_min_std_slope},
        {{"set_only", "1", 0.0, 0.0, 1.0,
          "1: down pulses do nothing (SET-only PCM, one device of a G+ - G- pair); 0: fitted "
          "down step",
          "xbarsim: Burr et al., IEEE TED 62, 3498 (2015) program PCM pairs by SET pulses only",
          ""},
         &ExpStepParams::set_only},
    }}));

// ---- the families -------------------------------------------------------------------------------

/// Constant step: every pulse moves w by the device's step, up to the hard bounds.
class ConstantStep final : public UpdateModel {
 public:
  explicit ConstantStep(const PulsedParams& p) : UpdateModel(p, Family::Constant) {}
  static constexpr std::string_view kName = "constant-step";
  std::string_view name() const noexcept override { return kName; }
  double meanStep(const UpdateDevice& dev, double /*w*/, int direction) const override {
    return direction > 0 ? dev.step_up : -dev.step_down;
  }
};

/// Soft bounds: the up step shrinks linearly to 0 at b_max, the down step to 0 at b_min.
class SoftBounds final : public UpdateModel {
 public:
  explicit SoftBounds(const PulsedParams& p) : UpdateModel(p, Family::SoftBounds) {}
  static constexpr std::string_view kName = "soft-bounds";
  std::string_view name() const noexcept override { return kName; }
  double meanStep(const UpdateDevice& dev, double w, int direction) const override {
    if (direction > 0)
      return dev.w_max > 0.0 ? dev.step_up * std::max(0.0, 1.0 - w / dev.w_max) : 0.0;
    return dev.w_min < 0.0 ? -dev.step_down * std::max(0.0, 1.0 - w / dev.w_min) : 0.0;
  }
};

/// Power step: omega = (b_max - w)/(b_max - b_min); up step ~ omega^gamma_up, down step ~
/// (1 - omega)^gamma_down.
class PowStep final : public UpdateModel {
 public:
  explicit PowStep(const PowStepParams& p) : UpdateModel(p), p_(p) {}
  static constexpr std::string_view kName = "pow-step";
  std::string_view name() const noexcept override { return kName; }

 protected:
  /// gamma_d = gamma·max(0, 1 + d·beta_g + pow_gamma_dtod·xi_4), beta_g = pow_up_down +
  /// pow_up_down_dtod·xi_5.
  void varyDevice(UpdateDevice& dev, const std::array<double, kDrawsPerDevice>& xi) const override {
    const double beta = p_.pow_up_down + p_.pow_up_down_dtod * xi[5];
    dev.gamma_up = p_.pow_gamma * std::max(0.0, 1.0 + beta + p_.pow_gamma_dtod * xi[4]);
    dev.gamma_down = p_.pow_gamma * std::max(0.0, 1.0 - beta + p_.pow_gamma_dtod * xi[4]);
  }

 public:
  double meanStep(const UpdateDevice& dev, double w, int direction) const override {
    const double range = dev.w_max - dev.w_min;
    if (range <= 0.0) return 0.0;
    const double omega = std::clamp((dev.w_max - w) / range, 0.0, 1.0);
    return direction > 0 ? dev.step_up * std::pow(omega, dev.gamma_up)
                         : -dev.step_down * std::pow(1.0 - omega, dev.gamma_down);
  }

 private:
  PowStepParams p_;
};

/// Exponential step: z = 2a w/(b_max - b_min) + b; up step ~ max(0, 1 - A_up e^{gamma_up z}),
/// down step ~ max(0, 1 - A_down e^{-gamma_down z}); additive noise dw_min_std·(|mean| +
/// dw_min_std_add + dw_min_std_slope·|w|).
class ExpStep final : public UpdateModel {
 public:
  explicit ExpStep(const ExpStepParams& p) : UpdateModel(p), p_(p) {}
  static constexpr std::string_view kName = "pcm-exp-step";
  std::string_view name() const noexcept override { return kName; }
  double meanStep(const UpdateDevice& dev, double w, int direction) const override {
    const double range = dev.w_max - dev.w_min;
    if (range <= 0.0 || (direction < 0 && setOnly())) return 0.0;
    const double z = 2.0 * p_.a * w / range + p_.b;
    return direction > 0
               ? dev.step_up * std::max(0.0, 1.0 - p_.a_up * std::exp(p_.gamma_up * z))
               : -dev.step_down * std::max(0.0, 1.0 - p_.a_down * std::exp(-p_.gamma_down * z));
  }
  double stepStd(const UpdateDevice& dev, double w, int direction) const override {
    if (direction < 0 && setOnly()) return 0.0;
    return common().dw_min_std * (std::abs(meanStep(dev, w, direction)) + p_.dw_min_std_add +
                                  p_.dw_min_std_slope * std::abs(w));
  }
  bool setOnly() const noexcept { return p_.set_only >= 0.5; }

 private:
  ExpStepParams p_;
};

}  // namespace

// ---- shared behaviour ---------------------------------------------------------------------------

UpdateModel::UpdateModel(const PulsedParams& common, Family family)
    : common_(common), family_(family) {
  if (!(common_.w_min < common_.w_max))
    throw Error(fmt::format("pulsed update model: w_min ({}) must be below w_max ({})",
                            common_.w_min, common_.w_max));
}

UpdateDevice UpdateModel::drawDevice(RngStream& rng) const {
  std::array<double, kDrawsPerDevice> xi{};
  for (double& x : xi) x = standardNormal(rng);
  return deviceFrom(xi);
}

UpdateDevice UpdateModel::nominalDevice() const { return deviceFrom({}); }

UpdateDevice UpdateModel::deviceFrom(const std::array<double, kDrawsPerDevice>& xi) const {
  const PulsedParams& p = common_;
  const double beta = p.up_down + p.up_down_dtod * xi[1];
  UpdateDevice dev;
  dev.step_up = p.dw_min * std::max(0.0, 1.0 + beta + p.dw_min_dtod * xi[0]);
  dev.step_down = p.dw_min * std::max(0.0, 1.0 - beta + p.dw_min_dtod * xi[0]);
  dev.w_max = p.w_max * std::max(0.0, 1.0 + p.w_max_dtod * xi[2]);
  dev.w_min = p.w_min * std::max(0.0, 1.0 + p.w_min_dtod * xi[3]);
  varyDevice(dev, xi);
  return dev;
}

double UpdateModel::stepStd(const UpdateDevice& dev, double w, int direction) const {
  return common_.dw_min_std * std::abs(meanStep(dev, w, direction));
}

double UpdateModel::pulse(const UpdateDevice& dev, double w, int direction, RngStream& rng) const {
  double next = w + meanStep(dev, w, direction);
  if (const double sd = stepStd(dev, w, direction); sd > 0.0) next += sd * standardNormal(rng);
  return std::clamp(next, std::min(dev.w_min, dev.w_max), dev.w_max);
}

double UpdateModel::applyPulses(const UpdateDevice& dev, double w, int n_up, int n_down,
                                RngStream& rng) const {
  if (n_up < 0 || n_down < 0)
    throw Error(fmt::format("pulsed update: negative pulse count ({} up, {} down)", n_up, n_down));
  const int both = std::min(n_up, n_down);
  for (int k = 0; k < both; ++k) {
    w = pulse(dev, w, +1, rng);
    w = pulse(dev, w, -1, rng);
  }
  for (int k = both; k < n_up; ++k) w = pulse(dev, w, +1, rng);
  for (int k = both; k < n_down; ++k) w = pulse(dev, w, -1, rng);
  return w;
}

namespace {

/// The kind called `name`, or (a built-in card name, e.g. "pcm_pulse_gst") the card's kind and
/// the card; nullptr kind if neither.
std::pair<const ModelKind*, std::optional<DeviceCard>> resolveUpdateKind(std::string_view name) {
  if (const ModelKind* kind = modelKinds().find(name)) return {kind, std::nullopt};
  for (const std::string_view card : builtinCardNames())
    if (card == name) {
      DeviceCard c = builtinCard(card);
      const ModelKind* kind = &modelKinds().get(c.model);
      return {kind, std::move(c)};
    }
  return {nullptr, std::nullopt};
}

std::pair<const ModelKind*, std::optional<DeviceCard>> requireUpdateKind(std::string_view name) {
  auto resolved = resolveUpdateKind(name);
  if (resolved.first == nullptr) (void)modelKinds().get(name);  // throws, listing the kinds
  if (resolved.first->update == nullptr)
    throw Error(fmt::format("device model \"{}\" has no pulsed update face", name));
  return resolved;
}

}  // namespace

std::unique_ptr<UpdateModel> makeUpdateModel(std::string_view kind_name, const ParamSet& params) {
  const auto [kind, card] = requireUpdateKind(kind_name);
  if (!card) return kind->update(params);
  // A built-in card of a compact kind: its compact model under the given pulses and variation.
  std::shared_ptr<const DeviceModel> compact = makeDeviceModel(*card);
  if (params.table().data() == kind->parameters.data())
    return makeTableStepModel(std::move(compact), ParamSet(kind->updateParameters()));
  return makeTableStepModel(std::move(compact), params);
}

std::unique_ptr<UpdateModel> makeUpdateModel(std::string_view kind_name) {
  return makeUpdateModel(kind_name, ParamSet(updateParameters(kind_name)));
}

std::span<const ParamInfo> updateParameters(std::string_view kind_name) {
  return requireUpdateKind(kind_name).first->updateParameters();
}

// ---- registry kinds -----------------------------------------------------------------------------

namespace {

/// The update face of family `Model` with parameter table `kTable`.
template <class Model, const auto& kTable>
std::unique_ptr<UpdateModel> makeFamily(const ParamSet& params) {
  return std::make_unique<Model>(kTable.bind(params, Model::kName));
}

/// The registry entry of family `Model` (role Update, the update face only).
template <class Model, const auto& kTable>
ModelKind updateKind(std::string_view aliases, std::string_view description,
                     std::string_view citation) {
  return ModelKind{.name = Model::kName,
                   .aliases = aliases,
                   .description = description,
                   .citation = citation,
                   .role = KindRole::Update,
                   .parameters = kTable.infos(),
                   .update = &makeFamily<Model, kTable>};
}

}  // namespace

const ModelKind& constantStepKind() {
  static const ModelKind kind = updateKind<ConstantStep, kConstantTable>(
      "constant_step", "pulsed update: constant step between hard bounds",
      "IBM aihwkit ConstantStepDevice; Gokmen & Vlasov, Front. Neurosci. 10, 333 (2016)");
  return kind;
}

const ModelKind& softBoundsKind() {
  static const ModelKind kind = updateKind<SoftBounds, kSoftBoundsTable>(
      "soft_bounds", "pulsed update: linear step vanishing at the bounds (soft bounds)",
      "IBM aihwkit SoftBoundsDevice (LinearStepDevice with saturating slopes); Gokmen & "
      "Haensch, Front. Neurosci. 14, 103 (2020)");
  return kind;
}

const ModelKind& powStepKind() {
  static const ModelKind kind = updateKind<PowStep, kPowStepTable>(
      "pow_step", "pulsed update: step a power of the distance to the bound",
      "IBM aihwkit PowStepDevice; Fusi & Abbott, Nat. Neurosci. 10, 485 (2007); Frascaroli et "
      "al., Sci. Rep. 8, 7178 (2018)");
  return kind;
}

const ModelKind& pcmExpStepKind() {
  static const ModelKind kind = updateKind<ExpStep, kExpStepTable>(
      "pcm_exp_step", "pulsed update: exponential step fitted to GST PCM (SET pulses)",
      "Nandakumar et al., Front. Neurosci. 14, 406 (2020); fit of IBM aihwkit PCMPresetDevice "
      "(ExpStepDevice)");
  return kind;
}

}  // namespace xbarsim::device
