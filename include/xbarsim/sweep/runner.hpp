// SPDX-License-Identifier: MIT
#pragma once
/// @file Running sweeps (docs/architecture.md §10): serially, under `mpirun -np K` (dynamic load
/// balancing, rank 0 writes the one output file), or as shard i/n of a job array; resuming
/// after a crash; merging shards; summarising a result file.
///
/// runSweep() reports how the sweep ended as a SweepStatus (the command maps it to an exit
/// code). Bad input throws ConfigError before any file is written.

#include <cstddef>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "xbarsim/sweep/job.hpp"
#include "xbarsim/sweep/sweep_file.hpp"

namespace xbarsim::sweep {

/// How a sweep ended.
enum class SweepStatus {
  Complete,      ///< every point (of the shard) is done
  PointsFailed,  ///< the sweep finished but some points failed (recorded in `status`/`message`)
  Incomplete,    ///< points are left pending (the run was cut short): run again with --resume
  // Under MPI only rank 0 throws; the other ranks return what it threw:
  BadInput,      ///< rank 0 rejected the input (ConfigError)
  RunFailed,     ///< rank 0 could not run the sweep (any other error)
  /// What an MPI rank other than 0 returns in the end: rank 0 reports how the sweep ended and
  /// its exit status is the job's (exit 0 here, so that mpirun does not abort rank 0, seeing
  /// another rank fail first, before rank 0 has written its report).
  ReportedByRank0,
};

enum class ProgressMode { Auto, Always, Never };

struct RunOptions {
  std::filesystem::path config;   ///< TOML with a [sweep] section
  std::vector<std::string> overrides;  ///< key=value applied to it (`--set`, Config::setFromText)
  std::filesystem::path out;      ///< result file (HDF5); the journal is "<out>.journal"
  JobOptions job;
  bool resume = false;
  ShardSpec shard;
  ProgressMode progress = ProgressMode::Auto;  ///< Auto: on when stderr is a terminal
  std::string command_line;
};

/// Runs the sweep; under mpirun (launchedUnderMpi()) with MPI.
[[nodiscard]] SweepStatus runSweep(const RunOptions& options);

/// "i/n" → ShardSpec. @throws ConfigError naming --shard.
[[nodiscard]] ShardSpec parseShard(const std::string& text);

/// Joins the shard files of one sweep into `out` (identical datasets to a single run).
/// @throws ConfigError if they are not the n shards of one sweep or a shard is incomplete.
void mergeShards(const std::vector<std::filesystem::path>& shards, const std::filesystem::path& out,
                 const std::string& command_line);

/// Prints a summary of a sweep (or any xbarsim) result file: command, configuration, axes,
/// points done/failed, headline metrics. `full_config` prints the whole TOML.
void inspectFile(const std::filesystem::path& file, std::FILE* out, bool full_config = false);

/// True when this process was started by mpirun/srun with MPI (environment variables of Open
/// MPI or PMI/PMIx).
[[nodiscard]] bool launchedUnderMpi() noexcept;

}  // namespace xbarsim::sweep
