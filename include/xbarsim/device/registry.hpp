// SPDX-License-Identifier: MIT
#pragma once
/// @file The registry of device kinds: every memory model and access device xbarsim knows, with
/// its parameter table and the faces it has. The configuration schema (device.model choices),
/// device cards, the crossbar builder, the memory estimate, the extraction device step, the DNN
/// evaluator and `xbarsim device` all ask this registry; nothing else compares model names.
/// Pulsed update models for training are kinds too (role Update, face `update`).
///
/// Adding a model (docs/architecture.md, "Adding a device model"): its header and source in
/// include/xbarsim/device and src/device defining `const ModelKind& <name>Kind()`, its SPICE
/// library devices/<name>.lib and card devices/<name>.toml (embedded at build time by file
/// name), and one line in src/device/model_list.cpp.

#include <memory>
#include <string_view>

#include "xbarsim/core/registry.hpp"
#include "xbarsim/device/iv_law.hpp"
#include "xbarsim/device/param_table.hpp"

namespace xbarsim::device {

class DeviceModel;
class InferenceModel;
class UpdateModel;
struct DeviceCard;

enum class KindRole {
  Memory,  ///< a memory element: a choice of `device.model`
  Access,  ///< the access device of a cell (array.cell 1S1R, 1T1R)
  Update,  ///< a pulsed update model for training (normalized weight per pulse; no read law)
};

struct ModelKind {
  std::string_view name;          ///< card model name, e.g. "rram_stanford"
  std::string_view aliases;       ///< other accepted names, comma-separated ("pcm")
  std::string_view description;   ///< one line
  std::string_view citation;      ///< primary source of the equations
  KindRole role = KindRole::Memory;
  /// Parameter table (empty: the kind takes its parameters from the configuration only).
  std::span<const ParamInfo> parameters;
  /// Card used when the configuration names none (a devices/<card>.toml base name; "" = none).
  std::string_view builtin_card;
  /// SPICE library realising the kind (a devices/ file name; "" = no SPICE subcircuit).
  std::string_view spice_library;

  /// Static read law an array of this kind is solved with at its programmed conductances; it
  /// also selects the memory estimate (extract/memory_estimate.hpp: linear or Newton path).
  IvKind read_law = IvKind::Linear;
  /// For sinh read laws: the card parameter holding V0 ("" = the configuration's device.v0_v).
  std::string_view read_v0_param;

  /// Stateful compact model (native face I(V, x), dx/dt; SPICE face in `spice_library`).
  std::unique_ptr<DeviceModel> (*compact)(const ParamSet& params) = nullptr;
  /// Statistical inference face: programming noise, drift or relaxation, read noise.
  std::unique_ptr<InferenceModel> (*statistical)(const DeviceCard& card) = nullptr;
  /// Pulsed update face: the weight change per programming pulse (device/update_model.hpp).
  std::unique_ptr<UpdateModel> (*update)(const ParamSet& params) = nullptr;
  /// Parameter table of the update face when it differs from `parameters` (compact kinds: the
  /// pulses and variation of their step table, device/step_table.hpp); empty: `parameters`.
  std::span<const ParamInfo> update_parameters;

  [[nodiscard]] bool linearRead() const noexcept { return read_law == IvKind::Linear; }
  /// The table of the update face's parameters (update_parameters, else parameters).
  [[nodiscard]] std::span<const ParamInfo> updateParameters() const noexcept {
    return update_parameters.empty() ? parameters : update_parameters;
  }
};

/// Every registered kind (src/device/model_list.cpp).
[[nodiscard]] const core::Registry<ModelKind>& modelKinds();
/// Names and aliases of the memory kinds: the choices of `device.model`.
[[nodiscard]] std::vector<std::string> memoryModelNames();

}  // namespace xbarsim::device
