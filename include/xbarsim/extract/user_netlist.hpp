// SPDX-License-Identifier: MIT
#pragma once
/// @file Designers' own ngspice decks (their sense amplifiers, their parasitics) driven by the
/// same extraction code, through a naming convention (netlists/README.md):
///   input sources  VIN0, VIN1, ... (V sources, one per row, in row order)
///   output probes  VOUT0, VOUT1, ... (0 V sources; the current into the + node is I_j)
/// or the names given in [netlist] inputs/outputs/outputs_negative: brace ranges
/// (`VS{1..32}`), hierarchical names (`xlayer1.vout{0..15}`), node voltages (`v(out3)`,
/// `v(a,b)`) and element currents (`i(rsense3)`). `.param` values are overridable from
/// [netlist.params] (ngspice `alterparam` + `reset`, no re-parse). Analysis and output cards
/// (.tran, .meas, .print, ...) are removed; nodes named in `.ic` are held at their value.

#include <Eigen/Core>
#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "xbarsim/core/config.hpp"
#include "xbarsim/extract/backend.hpp"

namespace xbarsim::extract {

/// Where a line of UserDeck::text comes from.
struct DeckLineOrigin {
  std::filesystem::path file;
  long line = 0;  ///< 1-based
};

/// What the outputs of a deck measure: currents (W_eff in S) or voltages (a V/V transfer).
enum class DeckQuantity { Current, Voltage };

/// One output of a deck: a signed sum of ngspice vectors (a probe's branch current, a node
/// voltage; two or more terms for v(a,b) and differential outputs).
struct DeckOutput {
  std::vector<std::pair<double, std::string>> terms;  ///< (+1 or -1, ngspice vector name)
};

struct UserDeck {
  std::filesystem::path file;
  /// As loaded: `.include`d files and `.lib` sections pasted in place, every `.control` block
  /// (also in included files) and every analysis/output card replaced by comment lines; no
  /// file reference is left for ngspice. Lines added by xbarsim (a 0 V probe in series with
  /// an `i(element)` output, a source holding an `.ic` node) carry the origin of the card
  /// they serve.
  std::string text;
  std::vector<DeckLineOrigin> origins;  ///< one per line of `text`
  std::vector<std::filesystem::path> included_files;  ///< the deck first, then what it pulls in
  std::vector<std::string> inputs;         ///< input V sources as named (lower case), row order
  std::vector<std::string> input_sources;  ///< their ngspice names (`v.x1.vin0` for x1.vin0)
  std::vector<std::string> outputs;      ///< outputs as named (lower case; "p - n" if differential)
  std::vector<DeckOutput> output_terms;  ///< what each output reads, column order
  DeckQuantity quantity = DeckQuantity::Current;
  std::vector<std::string> params;   ///< top-level .param names (lower case)
};

/// Names of a `[netlist]` name list: each entry a name or a pattern with brace ranges
/// `{a..b}` (integers, ascending or descending); several ranges in one entry run in step
/// (`v(p{1..4},n{1..4})`). Throws ConfigError naming `key` for a malformed pattern.
[[nodiscard]] std::vector<std::string> expandNamePatterns(const core::Config& config,
                                                          const std::string& key);

/// Reads and checks a deck (and the files it includes). Input/output names come from config
/// keys netlist.inputs/outputs/outputs_negative if given, else the VIN<i>/VOUT<j> convention.
/// Throws ConfigError (file, line or key, what is missing) if the deck lacks them, a
/// netlist.params key names no .param of the deck, a name is not a plain SPICE name, an output
/// probe is not a 0 V source or is also an input, or outputs mix currents and voltages;
/// ConfigError naming the including line for an include or library section that cannot be
/// read or found.
[[nodiscard]] UserDeck readUserDeck(const std::filesystem::path& file, const core::Config& config);

/// What the outputs named by `config` measure, from netlist.outputs alone (no deck is read):
/// voltages when they are v(...) names, currents otherwise (also without the key: VOUT<j>).
/// Names of mixed kinds are readUserDeck's error; this reports the first name's kind.
[[nodiscard]] DeckQuantity configuredQuantity(const core::Config& config);

/// Units of a deck's transfer ("S" or "V/V") and of its outputs ("A" or "V").
[[nodiscard]] std::string transferUnits(DeckQuantity quantity);
[[nodiscard]] std::string transferUnits(const UserDeck& deck);
[[nodiscard]] std::string outputUnits(const UserDeck& deck);

/// W_eff (C×R, S; V/V for voltage outputs) of the deck: .param overrides applied, every input at
/// v_read_v (the read operating point), then one AC small-signal analysis per input (exact
/// Jacobian).
[[nodiscard]] WeightResult userDeckWeights(const UserDeck& deck,
                                           const std::map<std::string, double>& params,
                                           double v_read_v);

/// Outputs (A, or V for voltage outputs) of the deck with input voltages x_v.
[[nodiscard]] CurrentResult userDeckCurrents(const UserDeck& deck,
                                             const std::map<std::string, double>& params,
                                             const Eigen::VectorXd& x_v);

/// Outputs (C×K: A, or V for voltage outputs) for K input vectors (R×K, one per column): the
/// deck is loaded once, then each vector's sources are altered and one `op` run per vector.
[[nodiscard]] BatchCurrentResult userDeckCurrentsBatch(const UserDeck& deck,
                                                       const std::map<std::string, double>& params,
                                                       const Eigen::MatrixXd& x_v);

}  // namespace xbarsim::extract
