// SPDX-License-Identifier: MIT
#include "xbarsim/sweep/runner.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>

#include "detail/sink.hpp"
#include "xbarsim/core/error.hpp"
#include "xbarsim/extract/result_file.hpp"
#include "xbarsim/io/atomic_file.hpp"
#include "xbarsim/io/path_guard.hpp"

namespace xbarsim::sweep {
namespace detail {
namespace {

/// HDF5 updates are coalesced to at most one per interval (the journal is fsync'd per point),
/// and to at most one per kH5UpdateCostFactor times the duration of the last update, so that
/// copying a large file stays a small part of the run.
/// XBARSIM_SWEEP_UPDATE_MS overrides the interval (tests: 0 updates the file after every
/// point, with no cost limit).
constexpr auto kH5UpdateInterval = std::chrono::milliseconds(250);
constexpr int kH5UpdateCostFactor = 20;
/// Points waiting for the next update are written as soon as they hold this many bytes, so the
/// cost rule cannot let them pile up in memory when a file update gets slow.
constexpr std::size_t kMaxUnflushedBytes = std::size_t{64} << 20;

std::size_t bytesOf(const PointOutcome& outcome) {
  std::size_t bytes = sizeof(outcome) + outcome.message.size();
  for (const FieldValue& f : outcome.fields) bytes += sizeof(f) + f.data.size() * sizeof(double);
  return bytes;
}

Clock::duration updateInterval(Clock::duration last_update_cost) {
  static const long override_ms = [] {
    const char* text = std::getenv("XBARSIM_SWEEP_UPDATE_MS");
    return text != nullptr && *text != '\0' ? std::strtol(text, nullptr, 10) : -1L;
  }();
  if (override_ms >= 0) return std::chrono::milliseconds(override_ms);
  return std::max<Clock::duration>(kH5UpdateInterval, kH5UpdateCostFactor * last_update_cost);
}

/// Applies `update` to a new version of the sweep file written beside it (a copy), then renames
/// it over the old one. The file on disk is therefore always a complete version, old or new,
/// whatever moment the process is killed at; HDF5 never modifies it in place.
/// Intermediate versions are not fsync'd (the journal is the durable record; a kill cannot
/// tear a renamed file, only a power cut could, and --resume rebuilds from the journal); the
/// final version is.
template <typename Update>
void updateSweepFile(const std::filesystem::path& out, io::AtomicFile::Durability durability,
                     Update&& update) {
  io::AtomicFile next(out);
  std::filesystem::copy_file(out, next.tempPath(), std::filesystem::copy_options::overwrite_existing);
  auto h5 = io::H5File::openReadWrite(next.tempPath());
  update(h5);
  h5.close();
  next.commit(durability);
}

std::string clockText(double seconds) {
  const auto s = static_cast<long>(seconds + 0.5);
  if (s >= 3600) return fmt::format("{}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60);
  return fmt::format("{}:{:02}", s / 60, s % 60);
}

}  // namespace

// ---- progress -----------------------------------------------------------------------------------

bool progressEnabled(ProgressMode mode) {
  if (mode == ProgressMode::Always) return true;
  if (mode == ProgressMode::Never) return false;
  return ::isatty(STDERR_FILENO) == 1;
}

Progress::Progress(std::size_t total, bool enabled) : total_(total), enabled_(enabled) {}

void Progress::update(std::size_t finished, std::size_t failed) {
  if (!enabled_) return;
  const auto now = Clock::now();
  if (finished < total_ && now - last_ < std::chrono::milliseconds(200)) return;
  last_ = now;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  std::string eta = "ETA --:--";
  if (finished > 0 && finished < total_)
    eta = "ETA " + clockText(elapsed / static_cast<double>(finished) * static_cast<double>(total_ - finished));
  else if (finished >= total_)
    eta = "done";
  const std::string failures = failed > 0 ? fmt::format(" ({} failed)", failed) : "";
  fmt::print(stderr, "\r\033[Ksweep: {}/{} points{}, {} elapsed, {}", finished, total_, failures,
             clockText(elapsed), eta);
  std::fflush(stderr);
  printed_ = true;
}

void Progress::finish() {
  if (printed_) fmt::print(stderr, "\n");
  printed_ = false;
}

// ---- result sink --------------------------------------------------------------------------------

ResultSink::ResultSink(const SweepPlan& plan, const RunOptions& options)
    : plan_(plan),
      options_(options),
      status_(plan.size(), PointStatus::Pending),
      in_shard_(plan.size(), true),
      messages_(plan.size()),
      progress_(0, false) {
  const std::size_t n = plan.size();
  if (options.shard.index >= options.shard.count)
    throw ConfigError("command line", 0, "--shard", "shard index must be below the shard count");
  if (options.shard.active()) {
    const auto shards = assignShards(plan.costs, options.shard.count);
    for (std::size_t k = 0; k < n; ++k) in_shard_[k] = shards[k] == options.shard.index;
  }
  const std::string fingerprint = fmt::format("{} shard {}/{}\n{}", plan.fingerprint, options.shard.index,
                                              options.shard.count, inputManifest(plan));
  const auto journal_path = Journal::pathFor(options.out);
  io::checkOutputPath(options.out);  // before the journal is made
  io::checkOutputPath(journal_path);
  std::vector<PointOutcome> records;
  bool rebuild = false;
  if (options.resume && std::filesystem::exists(journal_path)) {
    journal_.emplace(Journal::resume(journal_path, fingerprint, n, records));
    rebuild = true;
  } else if (options.resume && std::filesystem::exists(options.out)) {
    // No journal: a complete sweep removes it. Accept only that case.
    const auto h5 = io::H5File::openReadOnly(options.out);
    const bool same = h5.hasAttribute("/", "sweep_fingerprint") &&
                      h5.readStringAttribute("/", "sweep_fingerprint") == plan.fingerprint;
    const bool complete = same && h5.hasAttribute("/", "points_pending") &&
                          h5.readIntAttribute("/", "points_pending") == 0 &&
                          h5.readIntAttribute("/", "points_failed") == 0;
    if (!same && h5.hasAttribute("/", "sweep_inputs")) {
      const std::string file = changedInput(h5.readStringAttribute("/", "sweep_inputs"), inputManifest(plan));
      if (!file.empty())
        throw ConfigError(file, 0, "--resume",
                          fmt::format("changed since the sweep in {} was made (resuming would mix results "
                                      "of both versions); run without --resume to start again",
                                      options.out.string()));
    }
    if (!complete)
      throw ConfigError(options.out.string(), 0, "--resume",
                        same ? fmt::format("the journal {} is missing; run without --resume to start again",
                                           journal_path.string())
                             : "the file was written by a different sweep; run without --resume");
    already_complete_ = true;
    return;
  } else {
    // Fresh start (also --resume with nothing written yet): the journal first, then the file.
    journal_.emplace(Journal::create(journal_path, fingerprint, n));
    rebuild = true;
  }
  if (rebuild) {
    io::AtomicFile out(options.out);
    auto h5 = io::H5File::create(out.tempPath());
    writeSweepLayout(h5, plan, options.command_line, options.shard);
    writeOutcomes(h5, plan, records);
    for (const PointOutcome& r : records) {
      status_[r.index] = r.status;
      messages_[r.index] = r.message;
    }
    writeCounts(h5, counts());
    h5.close();
    out.commit();
  }
  for (std::size_t k = 0; k < n; ++k)
    if (in_shard_[k] && status_[k] != PointStatus::Done) pending_.push_back(k);
  progress_ = Progress(pending_.size(), progressEnabled(options.progress));
  if (!records.empty() && progressEnabled(options.progress))
    fmt::print(stderr, "sweep: resuming: {} points kept from the journal, {} to compute\n",
               records.size() - std::count(status_.begin(), status_.end(), PointStatus::Failed),
               pending_.size());
}

Counts ResultSink::counts() const {
  Counts c;
  for (std::size_t k = 0; k < status_.size(); ++k) {
    if (!in_shard_[k]) continue;
    if (status_[k] == PointStatus::Done) ++c.done;
    else if (status_[k] == PointStatus::Failed) ++c.failed;
    else ++c.pending;
  }
  return c;
}

void ResultSink::record(PointOutcome outcome) {
  journal_->append(outcome);
  status_[outcome.index] = outcome.status;
  messages_[outcome.index] = outcome.message;
  ++finished_now_;
  if (outcome.status == PointStatus::Failed) ++failed_now_;
  unflushed_bytes_ += bytesOf(outcome);
  unflushed_.push_back(std::move(outcome));
  if (unflushed_bytes_ >= kMaxUnflushedBytes ||
      Clock::now() - last_flush_ >= updateInterval(last_flush_cost_))
    flushToFile();
  progress_.update(finished_now_, failed_now_);
}

void ResultSink::flushToFile() {
  if (unflushed_.empty()) return;
  const auto start = Clock::now();
  updateSweepFile(options_.out, io::AtomicFile::Durability::KillSafe, [&](io::H5File& h5) {
    writeOutcomes(h5, plan_, unflushed_);
    writeCounts(h5, counts());
  });
  unflushed_.clear();
  unflushed_bytes_ = 0;
  last_flush_ = Clock::now();
  last_flush_cost_ = last_flush_ - start;
}

SweepStatus ResultSink::finish(double wall_s, const std::string& backend_version, int ranks,
                       const std::string& runner) {
  progress_.finish();
  if (already_complete_) {
    fmt::print("sweep: all {} points of {} are done already\n", plan_.size(), options_.out.string());
    return SweepStatus::Complete;
  }
  updateSweepFile(options_.out, io::AtomicFile::Durability::Synced, [&](io::H5File& h5) {
    writeOutcomes(h5, plan_, unflushed_);
    extract::writeProvenance(h5, wall_s, backend_version);
    h5.setAttribute("/provenance", "runner", runner);
    h5.setAttribute("/provenance", "ranks", static_cast<std::int64_t>(ranks));
    h5.setAttribute("/provenance", "points_computed", static_cast<std::int64_t>(finished_now_));
    h5.setAttribute("/provenance", "command_line", options_.command_line);
    writeCounts(h5, counts());
  });
  unflushed_.clear();
  const Counts c = counts();
  journal_->close();
  if (c.pending == 0 && c.failed == 0) std::filesystem::remove(Journal::pathFor(options_.out));
  std::string shard;
  if (options_.shard.active()) shard = fmt::format(" (shard {}/{})", options_.shard.index, options_.shard.count);
  fmt::print("sweep: {} points{}: {} done, {} failed{} -> {} ({:.2f} s, {} {})\n",
             c.done + c.failed + c.pending, shard, c.done, c.failed,
             c.pending > 0 ? fmt::format(", {} pending", c.pending) : "", options_.out.string(), wall_s,
             ranks, ranks == 1 ? "process" : "processes");
  std::size_t shown = 0;
  for (std::size_t k = 0; k < status_.size(); ++k)
    if (status_[k] == PointStatus::Failed && in_shard_[k] && shown++ < 5)
      fmt::print(stderr, "sweep: point {} ({}) failed: {}\n", k, describe(plan_.points[k]), messages_[k]);
  if (shown > 5) fmt::print(stderr, "sweep: ... {} failed points in total (see status/message)\n", shown);
  if (c.pending > 0) {
    fmt::print(stderr, "xbarsim: error: {} points were not computed; run the same command with --resume\n",
               c.pending);
    return SweepStatus::Incomplete;
  }
  return c.failed > 0 ? SweepStatus::PointsFailed : SweepStatus::Complete;
}

// ---- points -------------------------------------------------------------------------------------

PointOutcome computePoint(const SweepPlan& plan, Job& job, std::size_t index, int rank) {
  PointOutcome o;
  o.index = index;
  o.rank = rank;
  const auto start = Clock::now();
  try {
    o.fields = job.run(plan.config(index));
    o.status = PointStatus::Done;
  } catch (const std::exception& e) {
    o.status = PointStatus::Failed;
    o.message = e.what();
    o.fields.clear();
  }
  o.wall_s = std::chrono::duration<double>(Clock::now() - start).count();
  return o;
}

Prepared prepare(const RunOptions& options) {
  core::Config base = core::Config::load(options.config, sweepSchema());
  base.setFromText(options.overrides);
  Prepared p;
  p.job = makeJob(parseSweep(base), options.job, base);
  p.plan.emplace(makePlan(base, *p.job));
  return p;
}

}  // namespace detail

bool launchedUnderMpi() noexcept {
  const char* off = std::getenv("XBARSIM_NO_MPI");
  if (off != nullptr && *off != '\0' && std::string_view(off) != "0") return false;
  return std::getenv("OMPI_COMM_WORLD_SIZE") != nullptr || std::getenv("PMIX_RANK") != nullptr;
}

ShardSpec parseShard(const std::string& text) {
  const auto slash = text.find('/');
  ShardSpec shard;
  auto number = [&](std::string_view s, std::size_t& out) {
    const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && ptr == s.data() + s.size() && !s.empty();
  };
  if (slash == std::string::npos || !number(std::string_view(text).substr(0, slash), shard.index) ||
      !number(std::string_view(text).substr(slash + 1), shard.count) || shard.count == 0 ||
      shard.index >= shard.count)
    throw ConfigError("command line", 0, "--shard",
                      fmt::format("\"{}\" is not i/n with 0 <= i < n (e.g. 0/4 ... 3/4)", text));
  return shard;
}

SweepStatus runSweep(const RunOptions& options) {
  if (launchedUnderMpi()) return detail::runMpi(options);
  const auto start = detail::Clock::now();
  detail::Prepared prepared = detail::prepare(options);
  const SweepPlan& plan = *prepared.plan;
  detail::ResultSink sink(plan, options);
  for (const std::size_t k : sink.pending())
    sink.record(detail::computePoint(plan, *prepared.job, k, 0));
  return sink.finish(std::chrono::duration<double>(detail::Clock::now() - start).count(),
                     prepared.job->backendVersion(), 1, "serial");
}

}  // namespace xbarsim::sweep
