// SPDX-License-Identifier: MIT
#pragma once
/// @file Sweep specifications (docs/architecture.md §9): the [sweep] section of a configuration
/// file.
///
/// ```toml
/// [sweep]                       # or several [[sweep]] blocks, whose points are concatenated
/// job = "extract"               # "extract" (W_eff and error metrics) | "evaluate" (accuracy)
/// mode = "product"              # "product" (every combination) | "zip" (k-th values together)
/// "array.r_row_ohm" = [0.5, 1.0, 2.0]        # any configuration key, dotted, as an axis
/// "array.rows" = [8, 16]
/// "netlist.params.rf" = [1e4, 2e4]           # a .param of the user netlist (alterparam)
/// "read.v_read_v" = { start = 0.1, stop = 0.3, num = 3 }   # a range (scale = "log" too)
/// "array.r_row_ohm|array.r_col_ohm" = [1.0, 2.0]   # a tied axis: both keys, the same value
/// ```
/// Keys with a dot are axes (quoted, or written as nested tables: `array.rows = [...]` unquoted
/// is the same axis); keys without a dot are options: `job`, `mode`, `store_weff` (bool, default
/// true), `sneak_read` (bool, default true), `mvm_inputs` (int, default 0). `mode` belongs to
/// its block; the other options apply to the whole sweep and must agree where repeated.
///
/// Point order: blocks in file order; inside a product block the first axis varies slowest and
/// the last fastest (C order); inside a zip block the k-th point takes the k-th value of every
/// axis. A point's configuration is the base configuration (everything outside [sweep]) with
/// its block's axis values set; it is validated like the file (Config::set) before any work.
/// A tied axis ("a|b", keys of one kind) is one axis of the block that sets every key it names
/// to the same value (e.g. row and column wire resistance swept together inside a product).

#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "xbarsim/core/config.hpp"
#include "xbarsim/core/error.hpp"

namespace xbarsim::sweep {

/// The configuration schema of the sweep command: extract::configSchema() and the free section
/// [sweep].
[[nodiscard]] const core::Schema& sweepSchema();

/// One value of an axis.
using AxisValue = std::variant<std::int64_t, double, bool, std::string>;

enum class AxisKind { Integer, Real, Boolean, String };

/// Prefix of axes that override a .param of the user netlist ("netlist.params.rf").
inline constexpr std::string_view kParamAxisPrefix = "netlist.params.";

struct Axis {
  std::string key;                ///< dotted configuration key
  /// Further keys set to the same value at every point ("a|b|c" in the file: key "a", tied
  /// "b", "c"): one dimension of the product, several coordinates in the result file.
  std::vector<std::string> tied;
  AxisKind kind = AxisKind::Real;
  std::vector<AxisValue> values;  ///< converted to the key's type
  long line = 0;                  ///< line in the configuration file
};

enum class Mode { Product, Zip };

struct Block {
  Mode mode = Mode::Product;
  std::vector<Axis> axes;
  long line = 0;
  /// Number of points of the block.
  [[nodiscard]] std::size_t size() const;
};

/// The whole [sweep] section.
struct SweepSpec {
  std::string job = "extract";
  std::vector<Block> blocks;
  bool store_weff = true;       ///< extract: write W_eff and G per point
  bool sneak_read = true;       ///< extract: single-cell read error with floating lines
  std::int64_t mvm_inputs = 0;  ///< extract: seeded random inputs for the MVM error (0 = none)
};

/// One point of the sweep.
struct Point {
  std::size_t block = 0;
  /// (axis key, value) for the axes of the point's block, in block order.
  std::vector<std::pair<std::string, AxisValue>> settings;
};

/// Parses and checks the [sweep] section of `config` (throws ConfigError naming the file, the
/// line and the key). Values are converted and range-checked through Config::set.
[[nodiscard]] SweepSpec parseSweep(const core::Config& config);

/// Every point in sweep order. @throws ConfigError if there are more than 10 million.
[[nodiscard]] std::vector<Point> expandPoints(const SweepSpec& spec);

/// Axis keys over all blocks (tied keys after their axis), in order of first appearance, with
/// their kinds.
[[nodiscard]] std::vector<std::pair<std::string, AxisKind>> axisKeys(const SweepSpec& spec);

/// The tied axes of the sweep as "a|b" (each group once, in order of first appearance).
[[nodiscard]] std::vector<std::string> tiedGroups(const SweepSpec& spec);
/// The plain configuration of a point: `base` without free sections, the point's settings
/// applied. @throws ConfigError if a value does not fit the key.
[[nodiscard]] core::Config pointConfig(const core::Config& base, const Point& point);

/// Applies one axis value to a configuration (netlist.params.<name> edits the params table).
void applySetting(core::Config& config, const std::string& key, const AxisValue& value);

/// The value of axis `key` in a point configuration (for netlist.params.<name> not in the table:
/// NaN, i.e. the deck's own value).
[[nodiscard]] AxisValue settingOf(const core::Config& config, const std::string& key,
                                  AxisKind kind);

/// "array.rows = 8, array.r_row_ohm = 0.5" (exact numbers).
[[nodiscard]] std::string describe(const Point& point);
/// The problem part of a ConfigError's message (without "file:line: key: ").
[[nodiscard]] std::string problemOf(const ConfigError& error);
/// Text of one value (exact for numbers).
[[nodiscard]] std::string toString(const AxisValue& value);

}  // namespace xbarsim::sweep
