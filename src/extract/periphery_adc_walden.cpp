// SPDX-License-Identifier: MIT
// ADC energy model "walden" (extract/periphery.hpp, docs/energy.md §3.3).
#include <fmt/format.h>

#include <cmath>

#include "xbarsim/extract/periphery.hpp"

namespace xbarsim::extract {
namespace {

/// Walden's figure of merit FOM_W = P / (2^ENOB·f_s) read backwards: the energy of one
/// conversion E = FOM_W·2^bits (ENOB taken as the nominal resolution).
class WaldenAdc final : public PeripheryModel {
 public:
  WaldenAdc(double fom_j, double conversion_s) : fom_j_(fom_j), conversion_s_(conversion_s) {}
  std::string_view kind() const noexcept override { return "walden"; }
  double energyJ(const PeripheryUse& use) const override { return std::ldexp(fom_j_, use.bits); }
  double timeS(const PeripheryUse& /*use*/) const override { return conversion_s_; }
  std::string describe() const override {
    return fmt::format("Walden FOM ADC: E = FOM 2^bits per conversion, FOM = {:g} J/step, t = {:g} "
                       "s (R. H. Walden, IEEE JSAC 1999; FOM from B. Murmann, ADC Performance "
                       "Survey 1997-2024)",
                       fom_j_, conversion_s_);
  }

 private:
  double fom_j_;
  double conversion_s_;
};

}  // namespace

const PeripheryKind& waldenAdcKind() {
  static const PeripheryKind kind{
      .name = "walden",
      .role = PeripheryRole::Adc,
      .description = "ADC energy from the Walden figure of merit, E = FOM 2^bits",
      .source = "R. H. Walden, IEEE J. Sel. Areas Commun. 17(4):539-550, 1999; default FOM 5 fJ "
                "per conversion step: about the best Walden FOM near 100 MS/s in B. Murmann, "
                "\"ADC Performance Survey 1997-2024\", https://github.com/bmurmann/ADC-survey",
      .add_keys =
          [](core::Schema& schema) {
            schema
                .add({.key = "adc.fom_j", .type = core::ValueType::Real, .default_value = 5e-15,
                      .description = "Walden figure of merit of the ADC in J per conversion step",
                      .min = 0})
                .add({.key = "adc.conversion_s", .type = core::ValueType::Real,
                      .default_value = 10e-9,
                      .description = "time of one ADC conversion in s (walden model)", .min = 0});
          },
      .from_config = [](const core::Config& config) -> PeripheryModelPtr {
        return std::make_shared<const WaldenAdc>(config.real("adc.fom_j"),
                                                 config.real("adc.conversion_s"));
      }};
  return kind;
}

}  // namespace xbarsim::extract
