// SPDX-License-Identifier: MIT
#pragma once
#include <CLI/CLI.hpp>

#include "commands.hpp"

namespace xbarsim::cli {
/// `xbarsim cosim` (src/cli/cosim_command.cpp).
void addCosimCommand(CLI::App& app, Options& options);
}  // namespace xbarsim::cli
