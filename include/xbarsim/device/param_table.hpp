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

/// Throws the error of ParamTable::bind for a parameter set of another model.
[[noreturn]] void throwForeignSet(std::string_view model);

/// One table entry bound to the field of a model's parameter struct `P` that holds its value
/// (as Xyce's `addPar(name, default, &Model::member).setUnit(...)`).
template <class P>
struct BoundParam {
  ParamInfo info;
  double P::*field;
};

/// A model's parameter table: the entries (name, unit, default, range, description, source)
/// and, for each, the field of `P` it fills. `bind()` turns a validated ParamSet into a `P`, so
/// model code reads typed members (`p.g0_m`) instead of looking names up.
///
/// ```cpp
/// struct MyParams { double g_on_s; double v0_v; };
/// constexpr ParamTable<MyParams, 2> kTable{{{
///     {{"g_on_s", "S", 1e-4, 0.0, 1.0, "ON conductance", "paper", "g_on"}, &MyParams::g_on_s},
///     {{"v0_v", "V", 0.25, 1e-3, 10.0, "sinh scale", "paper", "v0"}, &MyParams::v0_v}}}};
/// MyParams p = kTable.bind(ParamSet(kTable.infos()));
/// ```
template <class P, std::size_t N>
class ParamTable {
 public:
  constexpr explicit ParamTable(const std::array<BoundParam<P>, N>& entries) {
    for (std::size_t k = 0; k < N; ++k) {
      infos_[k] = entries[k].info;
      fields_[k] = entries[k].field;
    }
  }
  [[nodiscard]] constexpr std::span<const ParamInfo> infos() const noexcept { return infos_; }
  /// The fields of `P` from `set`, which must be a set of this table (throws xbarsim::Error
  /// naming `model` otherwise). Fields not in the table keep their default member initialisers.
  [[nodiscard]] P bind(const ParamSet& set, std::string_view model) const {
    if (set.table().data() != infos_.data()) throwForeignSet(model);
    P p{};
    for (std::size_t k = 0; k < N; ++k) p.*fields_[k] = set.get(infos_[k].name);
    return p;
  }

 private:
  std::array<ParamInfo, N> infos_{};
  std::array<double P::*, N> fields_{};
};

}  // namespace xbarsim::device
