// SPDX-License-Identifier: MIT
#pragma once
/// @file Device parameter cards: devices/*.toml, one model's parameter set with its citation.
///
/// ```toml
/// [card]
/// model = "rram_stanford"      # which model table the [params] belong to (see cardModelNames())
/// variant = ""                 # model-specific choice (pcm_statistical: joshi2020 | hermes_2dev ...)
/// name = "stanford_v1.0.0"
/// description = "..."
/// citation = "..."             # required: where the values come from
/// [params]
/// gap_max_m = 1.7e-9           # any parameter of the model's table; absent = table default
/// ```
/// Cards are validated like every configuration (core::Config): unknown keys, wrong types and
/// out-of-range values are ConfigErrors naming file, line and key. The cards shipped in
/// devices/ are compiled into the library and can be named without a path (builtinCard()).

#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "xbarsim/device/param_table.hpp"

namespace xbarsim::core {
class Config;
}

namespace xbarsim::device {

struct DeviceCard {
  std::string model;        ///< a registered kind with parameters (cardModelNames())
  std::string variant;
  std::string name;
  std::string description;
  std::string citation;
  std::string source;       ///< file path, or "builtin:<name>"
  ParamSet params;          ///< validated, defaults filled in
};

/// Model names a card may declare: the registered kinds with a parameter table (registry.hpp).
[[nodiscard]] std::vector<std::string> cardModelNames();
/// Parameter table of a card model; throws xbarsim::Error for an unknown model.
[[nodiscard]] std::span<const ParamInfo> cardParameterTable(std::string_view model);

/// Parses card text; `source_name` appears in error messages.
[[nodiscard]] DeviceCard parseCard(std::string_view text, const std::string& source_name);
/// Reads a card file. Throws ConfigError (missing file, syntax, unknown key, range).
[[nodiscard]] DeviceCard loadCard(const std::filesystem::path& file);
/// A card shipped in devices/ by base name (builtinCardNames(): every devices/*.toml, e.g.
/// "pcm_joshi2020", "rram_stanford"); throws xbarsim::Error if unknown.
[[nodiscard]] DeviceCard builtinCard(std::string_view name);
[[nodiscard]] std::vector<std::string_view> builtinCardNames();
/// A card by reference: a built-in name, else a file path (relative to base_dir).
[[nodiscard]] DeviceCard resolveCard(const std::string& reference,
                                     const std::filesystem::path& base_dir);

class DeviceModel;
struct ModelKind;
/// The stateful compact model of a card (a kind with a compact face, registry.hpp); throws
/// xbarsim::Error for cards of other models.
[[nodiscard]] std::unique_ptr<DeviceModel> makeDeviceModel(const DeviceCard& card);

/// Text of a SPICE library shipped in devices/ ("rram_stanford.lib", "pcm.lib", "access.lib").
[[nodiscard]] std::string_view builtinSpiceLibrary(std::string_view file);

/// The card of `kind` named by configuration key `key` (a built-in name or a file relative to
/// the configuration), or the kind's built-in card when the key is absent. ConfigError (naming
/// the key) for a card of another model, or for a card given to a kind without parameters (an
/// empty card is returned for those).
[[nodiscard]] DeviceCard cardForKind(const ModelKind& kind, const core::Config& config,
                                     const std::string& key);

}  // namespace xbarsim::device
