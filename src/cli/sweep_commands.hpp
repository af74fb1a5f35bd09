// SPDX-License-Identifier: MIT
#pragma once
// `xbarsim sweep`, `xbarsim merge`, `xbarsim inspect` (issue 6; library: xbarsim::sweep).

#include <CLI/CLI.hpp>

#include "commands.hpp"

namespace xbarsim::cli {

/// Registers sweep, merge and inspect on `app`.
void addSweepCommands(CLI::App& app, Options& options);

}  // namespace xbarsim::cli
