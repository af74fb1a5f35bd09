// SPDX-License-Identifier: MIT
#pragma once
// `xbarsim device`: I–V sweeps and pulse trains of one device through either face (native C++
// or the ngspice subcircuit), written to HDF5.

#include <CLI/CLI.hpp>

#include "commands.hpp"

namespace xbarsim::cli {

void addDeviceCommand(CLI::App& app, Options& options);

}  // namespace xbarsim::cli
