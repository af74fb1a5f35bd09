// SPDX-License-Identifier: MIT
#pragma once
// The DNN sub-commands: `xbarsim train`, `xbarsim evaluate` and the DNN demo.

#include <CLI/CLI.hpp>
#include <string>

#include "commands.hpp"

namespace xbarsim::cli {

/// Registers `train` and `evaluate` on `app`; the selected one is stored in options.run.
void addDnnCommands(CLI::App& app, Options& options);

/// The DNN demo on embedded defaults: the shipped noise-aware MLP on Fashion-MNIST, PCM on
/// 256×256 tiles with wire resistance, TIA sense amplifiers and an 8-bit ADC, native backend;
/// accuracy at 1 s, 1 h, 1 day, 1 month, 1 year with and without GDC. Prints a table on stdout,
/// progress on stderr, and writes everything to `out_path` (HDF5). Returns the exit status.
int runDnnDemo(const std::string& out_path, const std::string& command_line);

}  // namespace xbarsim::cli
