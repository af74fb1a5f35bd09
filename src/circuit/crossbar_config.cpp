// SPDX-License-Identifier: MIT
#include "xbarsim/circuit/crossbar_config.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "xbarsim/core/error.hpp"
#include "xbarsim/core/rng.hpp"
#include "xbarsim/device/device_card.hpp"
#include "xbarsim/device/registry.hpp"
#include "xbarsim/io/load_matrix.hpp"

namespace xbarsim::circuit {

using core::KeySpec;
using core::ValueType;

namespace {

/// "linear (I = G V); sinh (...); ..." from the registry's memory kinds.
std::string memoryModelDescription() {
  std::string text = "cell model:";
  for (const device::ModelKind* kind : device::modelKinds().all())
    if (kind->role == device::KindRole::Memory)
      text += fmt::format(" {}{} ({});", kind->name,
                          kind->aliases.empty() ? "" : fmt::format(" = {}", kind->aliases),
                          kind->description);
  text.back() = '.';
  return text + " (xbarsim config --models lists their parameters and sources)";
}

std::string senseKindDescription() {
  std::string text = "sense amplifier:";
  for (const SenseAmpKind* kind : senseAmpKinds().all())
    text += fmt::format(" {} ({});", kind->name, kind->description);
  text.back() = '.';
  return text;
}

std::vector<std::string> dcSenseKinds() {
  std::vector<std::string> names;
  for (const SenseAmpKind* kind : senseAmpKinds().all())
    if (kind->dc) names.emplace_back(kind->name);
  return names;
}

}  // namespace

void addCrossbarKeys(core::Schema& schema) {
  constexpr double kMaxLines = 65536;  // beyond any real array; memory is checked separately
  schema
      .add({.key = "array.rows", .type = ValueType::Integer, .default_value = std::int64_t{8},
            .description = "R, number of rows (inputs, word lines)", .min = 1, .max = kMaxLines})
      .add({.key = "array.cols", .type = ValueType::Integer, .default_value = std::int64_t{8},
            .description = "C, number of columns (outputs, bit lines)", .min = 1, .max = kMaxLines})
      .add({.key = "array.r_row_ohm", .type = ValueType::Real, .default_value = 2.5,
            .description = "resistance of one row-wire segment in ohm (0 = ideal wire)", .min = 0})
      .add({.key = "array.r_col_ohm", .type = ValueType::Real, .default_value = 2.5,
            .description = "resistance of one column-wire segment in ohm (0 = ideal wire)",
            .min = 0})
      .add({.key = "array.r_driver_ohm", .type = ValueType::Real, .default_value = 0.0,
            .description = "output resistance of each row driver in ohm (0 = ideal source)",
            .min = 0})
      .add({.key = "array.cell", .type = ValueType::String, .default_value = std::string("1R"),
            .description = "cell kind: 1R (memory element), 1S1R (selector in series, "
                           "array.selector_card), 1T1R (NMOS access transistor, "
                           "array.transistor_card, gate at array.v_gate_v); see netlists/README.md",
            .choices = {"1R", "1T1R", "1S1R"}})
      .add({.key = "array.selector_card", .type = ValueType::String,
            .default_value = std::string("selector"),
            .description = "1S1R selector card (model \"selector\"): built-in name or TOML file "
                           "relative to this file"})
      .add({.key = "array.transistor_card", .type = ValueType::String,
            .default_value = std::string("nmos_access"),
            .description = "1T1R access-transistor card (model \"nmos_access\", ngspice MOS "
                           "level 1): built-in name or TOML file relative to this file"})
      .add({.key = "array.v_gate_v", .type = ValueType::Real,
            .description = "1T1R word-line (gate) voltage in V, the same on every row; default: "
                           "the transistor card's v_gate_v (1.2 V)",
            .min = -10, .max = 10, .optional = true})
      .add({.key = "device.model", .type = ValueType::String,
            .default_value = std::string("linear"),
            .description = memoryModelDescription(),
            .choices = device::memoryModelNames()})
      .add({.key = "device.card", .type = ValueType::String,
            .description = fmt::format("device parameter card: a built-in name ({}) or a TOML file "
                                       "relative to this file; default: the model's built-in card",
                                       fmt::join(device::builtinCardNames(), ", ")),
            .optional = true})
      .add({.key = "device.prog_noise_scale", .type = ValueType::Real, .default_value = 1.0,
            .description = "multiplies the card's programming-noise scale (pcm, rram_cmo)",
            .min = 0, .max = 100})
      .add({.key = "device.drift_scale", .type = ValueType::Real, .default_value = 1.0,
            .description = "multiplies the card's drift scale (pcm, rram_cmo)", .min = 0,
            .max = 100})
      .add({.key = "device.read_noise_scale", .type = ValueType::Real, .default_value = 1.0,
            .description = "multiplies the card's read-noise scale (pcm, rram_cmo)", .min = 0,
            .max = 100})
      .add({.key = "device.conductances", .type = ValueType::String,
            .description = "R x C target conductances in S: file.csv or file.h5:/dataset",
            .optional = true})
      .add({.key = "device.v0_v", .type = ValueType::Real, .default_value = 0.25,
            .description = "sinh voltage scale V0 in V", .min = 0, .min_exclusive = true})
      .add({.key = "device.g_min_s", .type = ValueType::Real, .default_value = 1e-6,
            .description = "lower bound of the random conductance draw in S", .min = 0,
            .max = kMaxCellConductanceS})
      .add({.key = "device.g_max_s", .type = ValueType::Real, .default_value = 25e-6,
            .description = "upper bound of the random conductance draw in S", .min = 0,
            .max = kMaxCellConductanceS, .min_exclusive = true})
      .add({.key = "sense.kind", .type = ValueType::String, .default_value = std::string("ideal"),
            .description = senseKindDescription(),
            .choices = senseAmpKinds().names()});
  for (const SenseAmpKind* kind : senseAmpKinds().all()) kind->add_keys(schema);
}

CrossbarSpec crossbarFromConfig(const core::Config& config, std::uint64_t seed) {
  CrossbarSpec spec;
  spec.rows = config.integer("array.rows");
  spec.cols = config.integer("array.cols");
  spec.r_row_ohm = config.real("array.r_row_ohm");
  spec.r_col_ohm = config.real("array.r_col_ohm");
  spec.r_driver_ohm = config.real("array.r_driver_ohm");
  const std::string& cell = config.string("array.cell");
  spec.cell = cell == "1S1R" ? CellKind::OneS1R : cell == "1T1R" ? CellKind::OneT1R : CellKind::OneR;
  const auto accessCard = [&](const char* key, std::string_view kind) {
    return device::cardForKind(device::modelKinds().get(kind), config, key);
  };
  if (spec.cell == CellKind::OneS1R)
    spec.selector = device::Selector(accessCard("array.selector_card", "selector").params);
  if (spec.cell == CellKind::OneT1R) {
    spec.transistor = device::NmosAccess(accessCard("array.transistor_card", "nmos_access").params);
    spec.v_gate_v = config.has("array.v_gate_v") ? config.real("array.v_gate_v")
                                                 : spec.transistor.gateVoltage();
  }

  // The array is solved with the kind's static read law at the programmed conductances (the
  // statistical kinds' device step, extract/device_pipeline.hpp, programs and ages them first).
  const device::ModelKind& kind = device::modelKinds().get(config.string("device.model"));
  const device::DeviceCard card = device::cardForKind(kind, config, "device.card");
  spec.iv.kind = kind.read_law;
  spec.iv.v0_v = kind.read_v0_param.empty() ? config.real("device.v0_v")
                                            : card.params.get(kind.read_v0_param);

  if (config.has("device.conductances")) {
    const std::string& source = config.string("device.conductances");
    try {
      spec.g_s = io::loadMatrix(source, config.baseDirectory(),
                                static_cast<std::size_t>(spec.rows * spec.cols), conductanceProblem);
    } catch (const Error& e) {
      // No such file, not HDF5, no such dataset, a bad value (named by its own file and line):
      // the key and its line in the configuration first.
      config.fail("device.conductances", e.what());
    }
    if (spec.g_s.rows() != spec.rows || spec.g_s.cols() != spec.cols)
      config.fail("device.conductances",
                  fmt::format("{} holds a {}x{} matrix but the array is {}x{} (rows x cols)",
                              source, spec.g_s.rows(), spec.g_s.cols(), spec.rows, spec.cols));
  } else {
    const double g_min = config.real("device.g_min_s");
    const double g_max = config.real("device.g_max_s");
    if (g_min > g_max)
      config.fail("device.g_min_s", fmt::format("g_min_s = {} exceeds g_max_s = {}", g_min, g_max));
    RngStream rng(seed, StreamPurpose::Conductances);
    spec.g_s.resize(spec.rows, spec.cols);
    for (Eigen::Index i = 0; i < spec.rows; ++i)  // row-major draw order, documented
      for (Eigen::Index j = 0; j < spec.cols; ++j) spec.g_s(i, j) = rng.uniform(g_min, g_max);
  }

  const SenseAmpKind& sense = senseAmpKinds().get(config.string("sense.kind"));
  if (!sense.dc)
    config.fail("sense.kind", fmt::format("\"{}\" has no DC operating point, so no W_eff or MVM "
                                          "(it is read by a transient); use one of: {}",
                                          sense.name, fmt::join(dcSenseKinds(), ", ")));
  spec.sense = sense.from_config(config);
  spec.validate();
  return spec;
}

}  // namespace xbarsim::circuit
