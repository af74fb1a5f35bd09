// SPDX-License-Identifier: MIT
// Sense-amplifier energy model "bias" (extract/periphery.hpp, docs/energy.md §3.2).
#include <fmt/format.h>

#include "xbarsim/extract/periphery.hpp"

namespace xbarsim::extract {
namespace {

/// A TIA or integrator biased for the duration of the read: E = P_bias·pulse per column read.
/// The column current itself is array power (array_energy_j), not counted here.
class BiasSense final : public PeripheryModel {
 public:
  explicit BiasSense(double bias_power_w) : bias_power_w_(bias_power_w) {}
  std::string_view kind() const noexcept override { return "bias"; }
  double energyJ(const PeripheryUse& use) const override { return bias_power_w_ * use.pulse_s; }
  double timeS(const PeripheryUse& use) const override { return use.pulse_s; }
  std::string describe() const override {
    return fmt::format("sense bias: E = P_bias x read.pulse_s per column read, P_bias = {:g} W "
                       "(a design parameter, no survey value)",
                       bias_power_w_);
  }

 private:
  double bias_power_w_;
};

}  // namespace

const PeripheryKind& biasSenseKind() {
  static const PeripheryKind kind{
      .name = "bias",
      .role = PeripheryRole::Sense,
      .description = "TIA / integrator static bias power over the read pulse",
      .source = "P_bias is a parameter of the amplifier design (the default, 10 uW, is an "
                "assumption)",
      .add_keys =
          [](core::Schema& schema) {
            schema.add({.key = "sense.bias_power_w", .type = core::ValueType::Real,
                        .default_value = 10e-6,
                        .description = "static bias power of one column's sense amplifier in W "
                                       "(energy model; 0 = none)",
                        .min = 0});
          },
      .from_config = [](const core::Config& config) -> PeripheryModelPtr {
        return std::make_shared<const BiasSense>(config.real("sense.bias_power_w"));
      }};
  return kind;
}

}  // namespace xbarsim::extract
