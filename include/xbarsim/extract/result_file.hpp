// SPDX-License-Identifier: MIT
#pragma once
/// @file The parts every xbarsim HDF5 result shares (docs/architecture.md §8): root attributes,
/// /config (resolved TOML as a string and one attribute per key) and /provenance.

#include <cstdint>
#include <string>

#include "xbarsim/core/config.hpp"
#include "xbarsim/io/hdf5_file.hpp"

namespace xbarsim::extract {

inline constexpr std::int64_t kSchemaVersion = 1;

/// Root attributes (xbarsim_version, schema_version, created, git_commit, command_line, seed,
/// command) and /config.
void writeRunHeader(io::H5File& file, const std::string& command, const std::string& command_line,
                    const core::Config& config, std::uint64_t seed);

/// /provenance: host, wall time; run-dependent values only (everything else is deterministic).
void writeProvenance(io::H5File& file, double wall_time_s, const std::string& backend_version);

}  // namespace xbarsim::extract
