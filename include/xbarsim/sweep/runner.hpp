// SPDX-License-Identifier: MIT
#pragma once
/// @file Running sweeps (docs/architecture.md §10): serially, under `mpirun -np K` (dynamic load
/// balancing, rank 0 writes the one output file), or as shard i/n of a job array; resuming
/// after a crash; merging shards; summarising a result file.
///
/// Exit codes (returned, for main()): 0 every point done; 4 the sweep finished but some points
/// failed (recorded in `status`/`message`); 2 points are left pending (the ngspice session died;
/// run again with --resume). Bad input throws ConfigError (exit 1) before any file is written.

#include <cstddef>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "xbarsim/sweep/job.hpp"
#include "xbarsim/sweep/sweep_file.hpp"

namespace xbarsim::sweep {

/// Exit code of a sweep whose points did not all succeed.
inline constexpr int kExitPointsFailed = 4;

enum class ProgressMode { Auto, Always, Never };

struct RunOptions {
  std::filesystem::path config;   ///< TOML with a [sweep] section
  std::filesystem::path out;      ///< result file (HDF5); the journal is "<out>.journal"
  JobOptions job;
  bool resume = false;
  ShardSpec shard;
  ProgressMode progress = ProgressMode::Auto;  ///< Auto: on when stderr is a terminal
  std::string command_line;
};

/// Runs the sweep; under mpirun (OMPI_COMM_WORLD_SIZE set) with MPI. Returns the exit code.
int runSweep(const RunOptions& options);

/// "i/n" → ShardSpec. @throws ConfigError naming --shard.
[[nodiscard]] ShardSpec parseShard(const std::string& text);

/// Joins the shard files of one sweep into `out` (identical datasets to a single run).
/// @throws ConfigError if they are not the n shards of one sweep or a shard is incomplete.
int mergeShards(const std::vector<std::filesystem::path>& shards, const std::filesystem::path& out,
                const std::string& command_line);

/// Prints a summary of a sweep (or any xbarsim) result file: command, configuration, axes,
/// points done/failed, headline metrics. `full_config` prints the whole TOML.
int inspectFile(const std::filesystem::path& file, std::FILE* out, bool full_config = false);

/// True when this process was started by mpirun/srun with MPI (environment variables of Open
/// MPI or PMI/PMIx).
[[nodiscard]] bool launchedUnderMpi() noexcept;

}  // namespace xbarsim::sweep
