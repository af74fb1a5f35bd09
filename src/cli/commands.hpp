// SPDX-License-Identifier: MIT
#pragma once
// Sub-commands of the xbarsim program. Each registers its options on a CLI11 sub-app and
// stores a callable in Options::run; main() maps exceptions to exit codes.

#include <CLI/CLI.hpp>
#include <functional>
#include <string>

namespace xbarsim::cli {

struct Options {
  std::string command_line;      ///< recorded in every result file
  std::function<int()> run;      ///< the selected command
};

[[nodiscard]] std::string joinCommandLine(int argc, char** argv);
void addCommands(CLI::App& app, Options& options);

}  // namespace xbarsim::cli
