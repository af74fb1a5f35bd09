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

struct UserDeck {
  std::filesystem::path file;
  std::string text;                  ///< as loaded: .control blocks removed, includes absolute
  std::vector<std::string> inputs;   ///< input V sources (lower case), row order
  std::vector<std::string> outputs;  ///< output probe sources (lower case), column order
  std::vector<std::string> params;   ///< top-level .param names (lower case)
};

/// Reads and checks a deck. Input/output names come from config keys netlist.inputs/outputs
/// if given, else the VIN<i>/VOUT<j> convention. Throws ConfigError (file, line, what is
/// missing) if the deck lacks them or a netlist.params key names no .param of the deck.
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
