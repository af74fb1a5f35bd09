// SPDX-License-Identifier: MIT
// Integrating sense amplifier (sense.kind = "integrator"): the TIA's op-amp stage with a
// feedback capacitor, the same equations as netlists/integrator.lib.
#include "xbarsim/circuit/sense_integrator.hpp"

#include <fmt/format.h>

#include <cmath>

#include "detail/netlist_libraries.hpp"
#include "xbarsim/core/error.hpp"
#include "xbarsim/core/numbers.hpp"

namespace xbarsim::circuit {

void addOpAmpKeys(core::Schema& schema);  // sense_tia.cpp

IntegratorAmp::IntegratorAmp(IntegratorSpec spec)
    : spec_(spec), stage_{spec.open_loop_gain, spec.offset_v, spec.rail_v} {
  if (!(spec.c_feedback_f > 0.0) || !(spec.open_loop_gain > 0.0) || !(spec.rail_v > 0.0) ||
      !std::isfinite(spec.c_feedback_f) || !std::isfinite(spec.open_loop_gain) ||
      !std::isfinite(spec.rail_v) || !std::isfinite(spec.offset_v))
    throw Error("transient: integrator needs c_feedback_f, open_loop_gain, rail_v > 0");
}

std::string_view IntegratorAmp::spiceLibrary() const {
  return detail::netlistLibrary("integrator.lib");
}

std::string IntegratorAmp::spiceInstance(Eigen::Index j, std::string_view in_node) const {
  return fmt::format(
      "vout{} {} s{} dc 0\nxint{} s{} o{} xbarsim_integrator a_ol={} vos={} cf={} vrail={}\n", j,
      in_node, j, j, j, j, spiceNumber(spec_.open_loop_gain), spiceNumber(spec_.offset_v),
      spiceNumber(spec_.c_feedback_f), spiceNumber(spec_.rail_v));
}

std::string IntegratorAmp::spiceInitialCondition(Eigen::Index j) const {
  const std::string v = spiceNumber(stage_.virtualGround());
  return fmt::format("v(s{})={} v(o{})={}", j, v, j, v);
}

SenseAmpPtr makeIntegrator(const IntegratorSpec& spec) {
  return std::make_shared<const IntegratorAmp>(spec);
}

const SenseAmpKind& integratorSenseKind() {
  static const SenseAmpKind kind{
      .name = "integrator",
      .description = "integrating amplifier (netlists/integrator.lib): op-amp with a feedback "
                     "capacitor; transients only (no DC operating point, so no W_eff)",
      .linear = false,
      .dc = false,
      .add_keys =
          [](core::Schema& schema) {
            addOpAmpKeys(schema);
            schema.add({.key = "sense.c_feedback_f", .type = core::ValueType::Real,
                        .default_value = 1e-12,
                        .description = "integrator feedback capacitor in F", .min = 0,
                        .min_exclusive = true});
          },
      .from_config = [](const core::Config& config) {
        return makeIntegrator({.c_feedback_f = config.real("sense.c_feedback_f"),
                               .open_loop_gain = config.real("sense.open_loop_gain"),
                               .offset_v = config.real("sense.offset_v"),
                               .rail_v = config.real("sense.rail_v")});
      }};
  return kind;
}

}  // namespace xbarsim::circuit
