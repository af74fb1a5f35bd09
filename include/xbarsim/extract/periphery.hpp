// SPDX-License-Identifier: MIT
#pragma once
/// @file Energy and time models of the periphery of a tile (docs/energy.md §3): the row DACs,
/// the column sense amplifiers and the ADCs, each a registered kind with its parameters and
/// the published source of its numbers.
///
/// Kinds (registered in src/extract/periphery_list.cpp, one file each):
///   capacitive    DAC: a binary-weighted capacitor array charged to v_read once per
///                 conversion (periphery_dac_capacitive.cpp)
///   bias          sense amplifier (TIA / integrator): static bias power over the read pulse
///                 (periphery_sense_bias.cpp)
///   walden        ADC from the Walden figure of merit, E = FOM·2^bits (periphery_adc_walden.cpp)
///   neurosim-sar  ADC: NeuroSim's fitted SAR model (periphery_adc_neurosim.cpp)
/// Adding one: a PeripheryKind in its own file and one line in periphery_list.cpp.

#include <memory>
#include <string>
#include <string_view>

#include "xbarsim/core/config.hpp"
#include "xbarsim/core/registry.hpp"

namespace xbarsim::extract {

enum class PeripheryRole { Dac, Sense, Adc };
[[nodiscard]] std::string_view toString(PeripheryRole role) noexcept;

/// The conditions of one operation, set by the caller (the evaluator).
struct PeripheryUse {
  int bits = 8;                       ///< converter resolution (DAC, ADC)
  double v_read_v = 0.2;              ///< read voltage of a full-scale input (V)
  double pulse_s = 10e-9;             ///< read pulse = integration time (s)
  double column_resistance_ohm = 0.0; ///< equivalent resistance of the read column (NeuroSim)
};

/// One component's model: the energy and the time of one operation (DAC: one conversion of one
/// row input; sense: one column read over the pulse; ADC: one conversion).
class PeripheryModel {
 public:
  virtual ~PeripheryModel() = default;
  [[nodiscard]] virtual std::string_view kind() const noexcept = 0;
  [[nodiscard]] virtual double energyJ(const PeripheryUse& use) const = 0;
  [[nodiscard]] virtual double timeS(const PeripheryUse& use) const = 0;
  /// Formula, parameter values and source in one line (HDF5 attributes, console).
  [[nodiscard]] virtual std::string describe() const = 0;
};
using PeripheryModelPtr = std::shared_ptr<const PeripheryModel>;

struct PeripheryKind {
  std::string_view name;
  std::string_view aliases;      ///< other accepted names, comma-separated
  PeripheryRole role = PeripheryRole::Adc;
  std::string_view description;  ///< one line
  std::string_view source;       ///< publication the numbers come from
  /// Adds the kind's keys to a schema (keys shared with another kind are added once).
  void (*add_keys)(core::Schema& schema) = nullptr;
  PeripheryModelPtr (*from_config)(const core::Config& config) = nullptr;
};

/// Every registered kind (src/extract/periphery_list.cpp).
[[nodiscard]] const core::Registry<PeripheryKind>& peripheryKinds();

/// Adds the keys of one role to a schema: its model key (`dac.model`, `sense.power_model`,
/// `adc.model`; `adc.columns_per_adc` too) and the keys of its kinds.
void addPeripheryKeys(core::Schema& schema, PeripheryRole role);

/// The configured periphery of every tile.
struct Periphery {
  PeripheryModelPtr dac, sense, adc;
  int columns_per_adc = 8;  ///< columns multiplexed onto one ADC (conversions in series)
};
[[nodiscard]] Periphery peripheryFromConfig(const core::Config& config);

/// NeuroSim's SAR ADC at a technology node (nm, high-performance roadmap; see
/// periphery_adc_neurosim.cpp), for the side-by-side figures.
[[nodiscard]] PeripheryModelPtr neurosimSarAdc(int node_nm);

}  // namespace xbarsim::extract
