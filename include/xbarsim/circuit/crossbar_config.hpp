// SPDX-License-Identifier: MIT
#pragma once
/// @file The [array], [device] and [sense] configuration sections and their translation into
/// a CrossbarSpec.

#include "xbarsim/circuit/crossbar_spec.hpp"
#include "xbarsim/core/config.hpp"

namespace xbarsim::circuit {

/// Adds array.*, device.*, sense.* keys (types, ranges, units, defaults) to a schema.
void addCrossbarKeys(core::Schema& schema);

/// Builds the crossbar of a validated configuration. Conductances come from
/// `device.conductances` (CSV R×C in S, or "file.h5:/dataset", relative to the config file),
/// otherwise from a seeded uniform draw in [device.g_min_s, device.g_max_s] with `seed`.
/// Throws ConfigError naming the key when values do not fit together (e.g. matrix shape).
[[nodiscard]] CrossbarSpec crossbarFromConfig(const core::Config& config, std::uint64_t seed);

}  // namespace xbarsim::circuit
