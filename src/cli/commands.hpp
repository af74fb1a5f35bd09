// SPDX-License-Identifier: MIT
#pragma once
// Sub-commands of the xbarsim program. Each registers its options on a CLI11 sub-app and
// stores a callable in Options::run; main() maps exceptions to exit codes.

#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "xbarsim/core/config.hpp"

namespace xbarsim::cli {

struct Options {
  std::string command_line;      ///< recorded in every result file
  std::function<int()> run;      ///< the selected command
};

/// The configuration of a command: a file (--config) and overrides (--set key=value).
struct ConfigArgs {
  std::string path;                    ///< "" = the defaults
  std::vector<std::string> overrides;  ///< key=value, in command-line order
};

/// Adds --config/-c and --set to a command.
void addConfigOptions(CLI::App& command, ConfigArgs& args, bool required = false);
/// The configuration of `args` checked against `schema`: the file (or the defaults, with one
/// "note" line on stderr saying so unless `note_defaults` is false: a user deck is its own
/// circuit), then every --set in order. The files it names are registered as inputs (no output
/// may replace them).
[[nodiscard]] core::Config loadConfig(const ConfigArgs& args, const core::Schema& schema,
                                      bool note_defaults = true);
/// loadConfig() with the extract schema for a command that runs one point (extract, netlist,
/// validate, evaluate): a [sweep] section is accepted and dropped, with one note line on stderr,
/// so that a sweep's configuration runs as its base point.
[[nodiscard]] core::Config loadPointConfig(const ConfigArgs& args, std::string_view command,
                                           bool note_defaults = true);
/// "Example (from the repository root):\n  <line>" for a command's --help: one command line
/// that runs as written there.
inline void setExample(CLI::App& command, const std::string& example) {
  command.footer("Example (from the repository root):\n  " + example);
}

[[nodiscard]] std::string joinCommandLine(int argc, char** argv);
void addCommands(CLI::App& app, Options& options);

}  // namespace xbarsim::cli
