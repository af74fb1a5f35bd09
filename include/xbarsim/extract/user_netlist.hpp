// SPDX-License-Identifier: MIT
#pragma once
/// @file Designers' own ngspice decks (their sense amplifiers, their parasitics) driven by the
/// same extraction code, through a naming convention (netlists/README.md):
///   input sources  VIN0, VIN1, ... (V sources, one per row, in row order)
///   output probes  VOUT0, VOUT1, ... (0 V sources; the current into the + node is I_j)
/// or the names given in [netlist] inputs/outputs. `.param` values are overridable from
/// [netlist.params] (ngspice `alterparam` + `reset`, no re-parse).

#include <Eigen/Core>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "xbarsim/core/config.hpp"
#include "xbarsim/extract/backend.hpp"

namespace xbarsim::extract {

/// Where a line of UserDeck::text comes from.
struct DeckLineOrigin {
  std::filesystem::path file;
  long line = 0;  ///< 1-based
};

struct UserDeck {
  std::filesystem::path file;
  /// As loaded: `.include`d files and `.lib` sections pasted in place, every `.control` block
  /// (also in included files) replaced by comment lines; no file reference is left for ngspice.
  std::string text;
  std::vector<DeckLineOrigin> origins;  ///< one per line of `text`
  std::vector<std::filesystem::path> included_files;  ///< the deck first, then what it pulls in
  std::vector<std::string> inputs;   ///< input V sources (lower case), row order
  std::vector<std::string> outputs;  ///< output probe sources (lower case), column order
  std::vector<std::string> params;   ///< top-level .param names (lower case)
};

/// Reads and checks a deck (and the files it includes). Input/output names come from config keys netlist.inputs/outputs
/// if given, else the VIN<i>/VOUT<j> convention. Throws ConfigError (file, line, what is
/// missing) if the deck lacks them or a netlist.params key names no .param of the deck, or
/// if a name in netlist.inputs/outputs is not a plain SPICE name; ConfigError naming the
/// including line for an include or library section that cannot be read or found.
[[nodiscard]] UserDeck readUserDeck(const std::filesystem::path& file, const core::Config& config);

/// W_eff (C×R, S) of the deck: .param overrides applied, every input at v_read_v (the read
/// operating point), then one AC small-signal analysis per input (exact Jacobian).
[[nodiscard]] WeightResult userDeckWeights(const UserDeck& deck,
                                           const std::map<std::string, double>& params,
                                           double v_read_v);

/// Output currents (A) of the deck with input voltages x_v.
[[nodiscard]] CurrentResult userDeckCurrents(const UserDeck& deck,
                                             const std::map<std::string, double>& params,
                                             const Eigen::VectorXd& x_v);

}  // namespace xbarsim::extract
