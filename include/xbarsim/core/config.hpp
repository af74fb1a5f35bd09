// SPDX-License-Identifier: MIT
#pragma once
/// @file TOML configuration validated against a schema written in code.
///
/// Every key is dotted ("array.r_row_ohm"), typed, range-checked and documented in the schema;
/// unknown keys, wrong types, NaN/inf and out-of-range values raise ConfigError naming the file,
/// the line and the key. The resolved configuration (defaults filled in) is written back as
/// TOML for the HDF5 /config record, so a result file says exactly what produced it.

#include <cstdint>
#include <filesystem>
#include <limits>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace xbarsim::core {

enum class ValueType {
  Integer,      ///< TOML integer
  Real,         ///< TOML float or integer
  Boolean,
  String,       ///< optionally one of `choices`
  RealArray,    ///< array of numbers
  StringArray,  ///< array of strings (a single string is a one-element array)
  RealTable,    ///< table of free-named keys with numeric values (e.g. netlist .param overrides)
};

using Value = std::variant<std::int64_t, double, bool, std::string, std::vector<double>,
                           std::vector<std::string>, std::map<std::string, double>>;

/// A value of a free section (e.g. [sweep], docs/architecture.md §9): TOML kept as written, with its
/// line, and checked by the module that reads it rather than by the schema. Keys inside a free
/// section may be quoted dotted names ("array.r_row_ohm").
struct FreeNode {
  enum class Kind { Integer, Real, Boolean, String, Array, Table };
  Kind kind = Kind::Table;
  std::string name;          ///< key of this node in its parent table ("" for array elements)
  std::int64_t integer = 0;  ///< Kind::Integer
  double real = 0.0;         ///< Kind::Real
  bool boolean = false;      ///< Kind::Boolean
  std::string string;        ///< Kind::String
  /// Table: entries in file order; Array: elements in order.
  std::vector<FreeNode> children;
  long line = 0;             ///< line in the source file (0 if unknown)
  /// Table entry called `key`, or nullptr.
  [[nodiscard]] const FreeNode* find(std::string_view key) const noexcept;
};

/// Refuses TOML text nested deeper than any configuration needs (a dotted key, table header,
/// inline table or array is one level each; the limit is 64) before a TOML parser sees it: the
/// parser and the tree it builds recurse once per level, so a generated key of 40 000 parts
/// would overflow the stack. Strings and comments are skipped; other syntax errors are left to
/// the parser. @throws ConfigError naming `source_name` and the line.
void checkTomlNesting(std::string_view text, const std::string& source_name);

/// One key of the schema.
struct KeySpec {
  std::string key;                ///< dotted, e.g. "array.rows"
  ValueType type = ValueType::Real;
  Value default_value;            ///< used when the key is absent (see `optional`)
  std::string description;        ///< one line, with the unit
  double min = -std::numeric_limits<double>::infinity();  ///< numeric bounds (inclusive)
  double max = std::numeric_limits<double>::infinity();
  bool min_exclusive = false;     ///< require value > min
  std::vector<std::string> choices;  ///< allowed strings (empty = any)
  bool optional = false;          ///< absent means "not set" (no default), e.g. a file path
};

/// The bounds of a numeric key as its errors state them (">= 1 and <= 65536", "> 0", "finite").
[[nodiscard]] std::string rangeText(const KeySpec& spec);
/// A value as TOML text (numbers exact: they read back bit for bit).
[[nodiscard]] std::string tomlValue(const Value& value);

/// The list of valid keys; the order is the order of the resolved TOML.
class Schema {
 public:
  Schema& add(KeySpec spec);
  [[nodiscard]] const KeySpec* find(std::string_view key) const noexcept;
  [[nodiscard]] const std::vector<KeySpec>& keys() const noexcept { return keys_; }
  /// True if `section` ("array") is the first part of any key.
  [[nodiscard]] bool hasSection(std::string_view section) const noexcept;

  /// Declares a top-level section whose content is not checked against the schema but kept as
  /// a FreeNode tree (a `[name]` table or `[[name]]` array of tables), e.g. "sweep". Its reader
  /// validates it. The name must not be a section of any key.
  Schema& addFreeSection(std::string name, std::string description);
  /// True if `name` was declared by addFreeSection().
  [[nodiscard]] bool isFreeSection(std::string_view name) const noexcept;
  /// Declared free sections: (name, description), in declaration order.
  [[nodiscard]] const std::vector<std::pair<std::string, std::string>>& freeSections() const noexcept {
    return free_sections_;
  }

 private:
  std::vector<KeySpec> keys_;
  std::vector<std::pair<std::string, std::string>> free_sections_;
};

/// A validated configuration: every schema key has a value (given or default).
class Config {
 public:
  /// Parse and validate a TOML file. Throws ConfigError (file:line: key: problem).
  static Config load(const std::filesystem::path& file, const Schema& schema);
  /// Parse and validate TOML text; `source_name` is used in error messages.
  static Config parse(std::string_view text, const std::string& source_name, const Schema& schema);
  /// All defaults, no file.
  static Config defaults(const Schema& schema);

  [[nodiscard]] std::int64_t integer(std::string_view key) const;
  [[nodiscard]] double real(std::string_view key) const;
  [[nodiscard]] bool boolean(std::string_view key) const;
  [[nodiscard]] const std::string& string(std::string_view key) const;
  [[nodiscard]] const std::vector<double>& reals(std::string_view key) const;
  [[nodiscard]] const std::vector<std::string>& strings(std::string_view key) const;
  [[nodiscard]] const std::map<std::string, double>& realTable(std::string_view key) const;
  /// True if the key has a value (always, unless the key is optional and absent).
  [[nodiscard]] bool has(std::string_view key) const;
  /// True if the user wrote the key (not a default).
  [[nodiscard]] bool isGiven(std::string_view key) const;

  /// Set a value programmatically (sweeps, command-line overrides); validated like the file.
  void set(std::string_view key, Value value);
  /// Applies one override written as text, `key=value` (`xbarsim <command> --set key=value`):
  /// the value is TOML (`2.5`, `true`, `[0.1, 1.0]`, `"1R"`); a string key, or an array of
  /// strings, also takes it unquoted (`device.model=pcm`, `a,b`). `netlist.params.<name>=x` (any table-of-numbers key)
  /// sets one entry of that table. Checked like the file: an unknown key names the similar
  /// ones and the valid keys of its section, a wrong type or range names `origin` and the key.
  /// Later errors about the key (Config::fail) name `origin` instead of the file.
  void setFromText(std::string_view assignment, const std::string& origin = "--set");
  /// setFromText() for each assignment, in order (a later one wins).
  void setFromText(const std::vector<std::string>& assignments,
                   const std::string& origin = "--set");

  /// Content of free section `name` as written (a Table for `[name]`, an Array of Tables for
  /// `[[name]]`), or nullptr if the file has none.
  [[nodiscard]] const FreeNode* freeSection(std::string_view name) const;
  /// Drops every free section (e.g. to derive the plain configuration of one sweep point).
  void removeFreeSections() noexcept;

  /// The resolved configuration as TOML text (schema order, defaults included), followed by
  /// the free sections as written (with exact numbers), so that parse(toToml()) round-trips.
  [[nodiscard]] std::string toToml() const;
  /// File the configuration came from ("" if none) and its directory (for relative paths).
  [[nodiscard]] const std::string& sourceName() const noexcept { return source_name_; }
  [[nodiscard]] std::filesystem::path baseDirectory() const;
  /// Error naming this config's file, the key's line (if known) and the key.
  [[noreturn]] void fail(std::string_view key, const std::string& problem) const;

  [[nodiscard]] const Schema& schema() const noexcept { return *schema_; }

 private:
  explicit Config(const Schema& schema, std::string source_name);
  const Value& value(std::string_view key, ValueType type) const;

  const Schema* schema_;
  std::string source_name_;
  std::map<std::string, Value, std::less<>> values_;
  std::map<std::string, long, std::less<>> lines_;  ///< line of each given key
  std::map<std::string, std::string, std::less<>> origins_;  ///< keys set by setFromText()
  std::map<std::string, FreeNode, std::less<>> free_;  ///< free sections present in the file
};

}  // namespace xbarsim::core
