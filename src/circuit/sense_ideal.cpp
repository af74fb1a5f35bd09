// SPDX-License-Identifier: MIT
// The ideal sense amplifier: a 0 V virtual ground whose current is the column current.
#include <fmt/format.h>

#include "xbarsim/circuit/sense_amp.hpp"

namespace xbarsim::circuit {
namespace {

class IdealSense final : public SenseAmp {
 public:
  [[nodiscard]] std::string_view kind() const noexcept override { return "ideal"; }
  [[nodiscard]] bool holdsInput() const noexcept override { return true; }
  [[nodiscard]] bool isLinear() const noexcept override { return true; }
  [[nodiscard]] SenseLoad load(double) const override { return {}; }
  [[nodiscard]] double outputVoltage(double) const override { return 0.0; }
  [[nodiscard]] double restingInput() const override { return 0.0; }
  [[nodiscard]] std::string_view spiceLibrary() const override { return {}; }
  [[nodiscard]] std::string spiceInstance(Eigen::Index j, std::string_view in_node) const override {
    return fmt::format("vout{} {} 0 dc 0\n", j, in_node);
  }
};

}  // namespace

SenseAmpPtr idealSense() {
  static const SenseAmpPtr ideal = std::make_shared<const IdealSense>();
  return ideal;
}

const SenseAmpKind& idealSenseKind() {
  static const SenseAmpKind kind{
      .name = "ideal",
      .description = "0 V virtual ground: I_j is the current of a 0 V source",
      .linear = true,
      .add_keys = [](core::Schema&) {},
      .from_config = [](const core::Config&) { return idealSense(); }};
  return kind;
}

}  // namespace xbarsim::circuit
