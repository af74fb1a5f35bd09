// SPDX-License-Identifier: MIT
#pragma once
/// @file Parameter tables of the device models (one table per model: name with unit suffix,
/// SI unit, default, valid range, description, source) and the values of one parameter set.
///
/// Every model exposes its table through `parameterTable()`; cards (devices/*.toml) and the
/// SPICE faces (devices/*.lib) use the same names, so a value set on a card reaches both faces.
/// Tests check that every entry has a unit from kUnits, min <= default <= max and a description.

#include <array>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace xbarsim::device {

/// SI units allowed in parameter tables ("1" = dimensionless).
inline constexpr std::array<std::string_view, 13> kUnits = {
    "1", "S", "ohm", "V", "A", "s", "m", "K", "eV", "m/s", "K/W", "V/m", "A/V^2"};

struct ParamInfo {
  std::string_view name;         ///< unit-suffixed key, e.g. "g_max_s"; SPICE name in `spice`
  std::string_view unit;         ///< one of kUnits
  double default_value = 0.0;
  double min = 0.0;              ///< inclusive bounds, checked when a value is set
  double max = 0.0;
  std::string_view description;  ///< one line
  std::string_view source;       ///< where the default comes from (paper, code, table)
  std::string_view spice;        ///< parameter name in the SPICE face ("" = not in SPICE)
};

/// Name, one-line description and the primary citation of a model.
struct ModelInfo {
  std::string_view name;         ///< e.g. "rram_stanford"
  std::string_view description;
  std::string_view citation;
};

/// Values of one parameter set, validated against a table.
class ParamSet {
 public:
  ParamSet() = default;
  /// All defaults of `table`.
  explicit ParamSet(std::span<const ParamInfo> table);

  /// Value of `name`; throws xbarsim::Error for an unknown name.
  [[nodiscard]] double get(std::string_view name) const;
  /// Sets `name`; throws xbarsim::Error naming the parameter, its unit and range if unknown,
  /// non-finite or out of range.
  void set(std::string_view name, double value);
  [[nodiscard]] bool contains(std::string_view name) const noexcept;
  [[nodiscard]] std::span<const ParamInfo> table() const noexcept { return table_; }
  /// (name, value) in table order.
  [[nodiscard]] std::vector<std::pair<std::string, double>> values() const;

 private:
  std::span<const ParamInfo> table_;
  std::map<std::string, double, std::less<>> values_;
};

/// The entry of `name` in `table`, or nullptr.
[[nodiscard]] const ParamInfo* findParam(std::span<const ParamInfo> table,
                                         std::string_view name) noexcept;

}  // namespace xbarsim::device
