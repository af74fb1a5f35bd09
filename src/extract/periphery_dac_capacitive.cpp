// SPDX-License-Identifier: MIT
// Row DAC energy model "capacitive" (extract/periphery.hpp, docs/energy.md §3.1).
#include <fmt/format.h>

#include <cmath>

#include "xbarsim/extract/periphery.hpp"

namespace xbarsim::extract {
namespace {

/// A binary-weighted charge-redistribution DAC (McCreary & Gray, IEEE JSSC 10(6):371-379,
/// 1975): 2^bits unit capacitors C_u, all charged to the reference once per conversion, an
/// upper bound of its switching energy: E = 2^bits·C_u·v_read² (bits = 0, an ideal converter,
/// counts as a 1-bit driver).
class CapacitiveDac final : public PeripheryModel {
 public:
  CapacitiveDac(double c_unit_f, double conversion_s) : c_unit_f_(c_unit_f), conversion_s_(conversion_s) {}
  std::string_view kind() const noexcept override { return "capacitive"; }
  double energyJ(const PeripheryUse& use) const override {
    return std::ldexp(c_unit_f_, std::max(use.bits, 1)) * use.v_read_v * use.v_read_v;
  }
  double timeS(const PeripheryUse& /*use*/) const override { return conversion_s_; }
  std::string describe() const override {
    return fmt::format("capacitive DAC: E = 2^bits C_u v_read^2 per conversion, C_u = {:g} F, "
                       "t = {:g} s (binary-weighted charge-redistribution array, McCreary & Gray, "
                       "IEEE JSSC 1975)",
                       c_unit_f_, conversion_s_);
  }

 private:
  double c_unit_f_;
  double conversion_s_;
};

}  // namespace

const PeripheryKind& capacitiveDacKind() {
  static const PeripheryKind kind{
      .name = "capacitive",
      .role = PeripheryRole::Dac,
      .description = "binary-weighted capacitor DAC charged to v_read once per conversion",
      .source = "J. L. McCreary, P. R. Gray, IEEE JSSC 10(6):371-379, 1975 (the structure); "
                "C_u is a parameter",
      .add_keys =
          [](core::Schema& schema) {
            schema
                .add({.key = "dac.c_unit_f", .type = core::ValueType::Real, .default_value = 1e-15,
                      .description = "unit capacitor of the capacitive DAC in F", .min = 0})
                .add({.key = "dac.conversion_s", .type = core::ValueType::Real,
                      .default_value = 1e-9, .description = "DAC settling time per conversion in s",
                      .min = 0});
          },
      .from_config = [](const core::Config& config) -> PeripheryModelPtr {
        return std::make_shared<const CapacitiveDac>(config.real("dac.c_unit_f"),
                                                     config.real("dac.conversion_s"));
      }};
  return kind;
}

}  // namespace xbarsim::extract
