// SPDX-License-Identifier: MIT
// Transimpedance amplifier (sense.kind = "tia") and the op-amp stage it shares with the
// integrator: vo = rail·tanh(A·(offset − v_in)/rail), the same equation as netlists/tia.lib.
#include "xbarsim/circuit/sense_tia.hpp"

#include <fmt/format.h>

#include <cmath>

#include "detail/netlist_libraries.hpp"
#include "xbarsim/core/error.hpp"
#include "xbarsim/core/numbers.hpp"

namespace xbarsim::circuit {

double OpAmpStage::output(double v_in_v) const noexcept {
  return rail_v * std::tanh(open_loop_gain * (offset_v - v_in_v) / rail_v);
}

double OpAmpStage::outputSlope(double v_in_v) const noexcept {
  const double th = std::tanh(open_loop_gain * (offset_v - v_in_v) / rail_v);
  return -open_loop_gain * (1.0 - th * th);
}

double OpAmpStage::virtualGround() const noexcept {
  // v − vo(v) increases monotonically from −2·rail to +2·rail on [−rail, rail]: bisection.
  double lo = -rail_v, hi = rail_v;
  for (int it = 0; it < 200; ++it) {
    const double mid = 0.5 * (lo + hi);
    (mid - output(mid) > 0.0 ? hi : lo) = mid;
  }
  return 0.5 * (lo + hi);
}

TiaAmp::TiaAmp(TiaSpec spec)
    : spec_(spec), stage_{spec.open_loop_gain, spec.offset_v, spec.rail_v} {
  if (!(spec.open_loop_gain > 0.0) || !(spec.r_feedback_ohm > 0.0) || !(spec.rail_v > 0.0) ||
      !std::isfinite(spec.open_loop_gain) || !std::isfinite(spec.r_feedback_ohm) ||
      !std::isfinite(spec.rail_v) || !std::isfinite(spec.offset_v))
    throw Error("TIA: open-loop gain, feedback resistor and rails must be finite and > 0, the "
                "offset finite");
}

SenseLoad TiaAmp::load(double v_in_v) const {
  const double r = spec_.r_feedback_ohm;
  return {(v_in_v - stage_.output(v_in_v)) / r, (1.0 - stage_.outputSlope(v_in_v)) / r};
}

std::string_view TiaAmp::spiceLibrary() const { return detail::netlistLibrary("tia.lib"); }

std::string TiaAmp::spiceInstance(Eigen::Index j, std::string_view in_node) const {
  return fmt::format("vout{} {} s{} dc 0\nxtia{} s{} o{} xbarsim_tia a_ol={} vos={} rf={} vrail={}\n",
                     j, in_node, j, j, j, j, spiceNumber(spec_.open_loop_gain),
                     spiceNumber(spec_.offset_v), spiceNumber(spec_.r_feedback_ohm),
                     spiceNumber(spec_.rail_v));
}

// Start Newton in the amplifiers' linear region (netlists/tia.lib).
std::string TiaAmp::spiceNodeset(Eigen::Index j) const {
  return fmt::format("v(s{})={}", j, spiceNumber(spec_.offset_v));
}

SenseAmpPtr makeTia(const TiaSpec& spec) { return std::make_shared<const TiaAmp>(spec); }

void addOpAmpKeys(core::Schema& schema) {
  using core::ValueType;
  if (schema.find("sense.open_loop_gain") != nullptr) return;
  schema
      .add({.key = "sense.open_loop_gain", .type = ValueType::Real, .default_value = 1e4,
            .description = "TIA / integrator op-amp open-loop gain A in V/V", .min = 0,
            .min_exclusive = true})
      .add({.key = "sense.offset_v", .type = ValueType::Real, .default_value = 0.0,
            .description = "TIA / integrator input offset voltage in V", .min = -10, .max = 10})
      .add({.key = "sense.rail_v", .type = ValueType::Real, .default_value = 1.5,
            .description = "TIA / integrator output saturation (rails at +/- rail_v) in V",
            .min = 0, .min_exclusive = true});
}

const SenseAmpKind& tiaSenseKind() {
  static const SenseAmpKind kind{
      .name = "tia",
      .description = "transimpedance amplifier macro-model (netlists/tia.lib): finite gain, "
                     "offset, feedback resistor, smooth rails",
      .linear = false,
      .add_keys =
          [](core::Schema& schema) {
            addOpAmpKeys(schema);
            schema.add({.key = "sense.r_feedback_ohm", .type = core::ValueType::Real,
                        .default_value = 10e3, .description = "TIA feedback resistor in ohm",
                        .min = 0, .min_exclusive = true});
          },
      .from_config = [](const core::Config& config) {
        return makeTia({.open_loop_gain = config.real("sense.open_loop_gain"),
                        .offset_v = config.real("sense.offset_v"),
                        .r_feedback_ohm = config.real("sense.r_feedback_ohm"),
                        .rail_v = config.real("sense.rail_v")});
      }};
  return kind;
}

}  // namespace xbarsim::circuit
