// SPDX-License-Identifier: MIT
#pragma once
// Private: the writer side of a sweep (rank 0): journal + HDF5 output, resume, progress.

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "xbarsim/sweep/journal.hpp"
#include "xbarsim/sweep/plan.hpp"
#include "xbarsim/sweep/runner.hpp"

namespace xbarsim::sweep::detail {

using Clock = std::chrono::steady_clock;

/// "points done/total, ETA" on stderr, at most a few times a second; quiet unless enabled.
class Progress {
 public:
  Progress(std::size_t total, bool enabled);
  void update(std::size_t finished, std::size_t failed);
  /// Ends the progress line (if one was printed).
  void finish();

 private:
  std::size_t total_;
  bool enabled_;
  bool printed_ = false;
  Clock::time_point start_ = Clock::now();
  Clock::time_point last_{};
};

[[nodiscard]] bool progressEnabled(ProgressMode mode);

/// Owns the output file and its journal. Created fresh (truncating both) or, with --resume,
/// rebuilt from the journal. record() journals (fsync) each outcome, then updates the HDF5
/// file: each update writes a new version beside it and renames it over the old one, so the
/// file on disk is always whole and its status consistent with its data (readers can open it
/// at any time; updates are coalesced, the journal being the durable record).
class ResultSink {
 public:
  ResultSink(const SweepPlan& plan, const RunOptions& options);

  /// Points this run must compute (in the shard; not done; failed ones are retried), in
  /// point order.
  [[nodiscard]] const std::vector<std::size_t>& pending() const noexcept { return pending_; }
  /// Nothing to do (resume of a complete file without journal).
  [[nodiscard]] bool alreadyComplete() const noexcept { return already_complete_; }

  void record(PointOutcome outcome);
  /// Writes /provenance and the final counts, prints the summary, removes the journal when
  /// every point of the shard is done.
  SweepStatus finish(double wall_s, const std::string& backend_version, int ranks,
                     const std::string& runner);

 private:
  void flushToFile();
  [[nodiscard]] Counts counts() const;

  const SweepPlan& plan_;
  const RunOptions& options_;
  std::optional<Journal> journal_;
  std::vector<PointStatus> status_;
  std::vector<bool> in_shard_;  ///< points this run is responsible for
  std::vector<std::string> messages_;
  std::vector<std::size_t> pending_;
  std::vector<PointOutcome> unflushed_;
  std::size_t unflushed_bytes_ = 0;  ///< memory held by unflushed_ (approximate)
  Clock::time_point last_flush_{};
  Clock::duration last_flush_cost_{};  ///< duration of the last file update
  bool already_complete_ = false;
  std::size_t finished_now_ = 0, failed_now_ = 0;
  Progress progress_;
};

/// Runs one point: the job's result or the failure message; wall time and rank filled in.
[[nodiscard]] PointOutcome computePoint(const SweepPlan& plan, Job& job, std::size_t index, int rank);

/// Runs the sweep under MPI (initialises and finalises MPI; see mpi_runner.cpp).
SweepStatus runMpi(const RunOptions& options);

/// Parses config, job and plan (shared by the serial and MPI runners).
struct Prepared {
  std::unique_ptr<Job> job;
  std::optional<SweepPlan> plan;
};
[[nodiscard]] Prepared prepare(const RunOptions& options);

}  // namespace xbarsim::sweep::detail
