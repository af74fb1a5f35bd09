// SPDX-License-Identifier: MIT
#pragma once
/// @file The configuration schema every command understands (docs/architecture.md §9).

#include "xbarsim/core/config.hpp"

namespace xbarsim::extract {

/// [array] [device] [sense] [read] [dac] [adc] [dnn] [run] [netlist]: every key, its type,
/// unit, range and default. `xbarsim config --list` prints it.
[[nodiscard]] const core::Schema& configSchema();

}  // namespace xbarsim::extract
