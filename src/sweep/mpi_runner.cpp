// SPDX-License-Identifier: MIT
// The MPI runner: `mpirun -np K xbarsim sweep ...`.
//
// Every rank parses the configuration and builds the same plan (deterministic). Rank 0 owns the
// output (journal + HDF5) and hands out point indices one at a time on request (dynamic load
// balancing, most expensive points first); a worker's request carries its previous result. Rank
// 0 also computes: its main thread runs points (and owns the process's ngspice session), a
// coordinator thread does all MPI calls and all writing (MPI_THREAD_SERIALIZED is enough: only
// one thread calls MPI between MPI_Init_thread and MPI_Finalize). Waits poll with short sleeps
// instead of spinning, so that K ranks on K cores leave the cores to the computation.
// The C API only (Open MPI would otherwise pull in its deprecated C++ bindings).
#define OMPI_SKIP_MPICXX 1
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <deque>
#include <exception>
#include <mutex>
#include <numeric>
#include <thread>

#include "detail/sink.hpp"
#include "xbarsim/core/error.hpp"

namespace xbarsim::sweep::detail {
namespace {

constexpr int kTagRequest = 101;
constexpr int kTagAssign = 102;

/// First byte of a request. A rank never stops computing because of its ngspice: a crashed
/// or hung worker fails that point only (spice::Session starts a fresh one), and a worker
/// that cannot start fails each point it is given, which the sweep records.
enum class Request : char { Ready = 0, ResultReady = 1, Retiring = 3 };

/// What rank 0 tells every rank before the first point: go on, or why the sweep stops.
enum class Start : int { Go = 0, BadInput = 1, RunFailed = 2 };

void check(int rc, const char* what) {
  if (rc != MPI_SUCCESS) throw Error(fmt::format("MPI: {} failed (code {})", what, rc));
}

/// MPI for the life of the object: MPI_Init_thread (MPI_THREAD_SERIALIZED) when constructed,
/// MPI_Finalize when destroyed. Not when an exception unwinds through it: MPI_Finalize is
/// collective and the other ranks may be waiting for this one; the launcher ends the job
/// once this process exits.
class MpiSession {
 public:
  MpiSession() {
    int provided = 0;
    check(MPI_Init_thread(nullptr, nullptr, MPI_THREAD_SERIALIZED, &provided), "MPI_Init_thread");
    if (provided < MPI_THREAD_SERIALIZED) {
      MPI_Finalize();
      throw Error("MPI: the library does not support MPI_THREAD_SERIALIZED");
    }
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
  }
  ~MpiSession() {
    if (std::uncaught_exceptions() == unwinding_) MPI_Finalize();
  }
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;

  [[nodiscard]] int rank() const noexcept { return rank_; }
  [[nodiscard]] int size() const noexcept { return size_; }

 private:
  int unwinding_ = std::uncaught_exceptions();
  int rank_ = 0;
  int size_ = 1;
};

/// Waits for a request without spinning a core.
void politeWait(MPI_Request& request) {
  int done = 0;
  while (true) {
    check(MPI_Test(&request, &done, MPI_STATUS_IGNORE), "MPI_Test");
    if (done) return;
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
}

/// Rank 0's `value` to every rank.
template <typename Enum>
void politeBcast(Enum& value) {
  int v = static_cast<int>(value);
  MPI_Request request;
  check(MPI_Ibcast(&v, 1, MPI_INT, 0, MPI_COMM_WORLD, &request), "MPI_Ibcast");
  politeWait(request);
  value = static_cast<Enum>(v);
}

/// Point indices to hand out, most expensive first.
class Scheduler {
 public:
  Scheduler(const SweepPlan& plan, const std::vector<std::size_t>& pending) : queue_(pending.begin(), pending.end()) {
    std::stable_sort(queue_.begin(), queue_.end(),
                     [&](std::size_t a, std::size_t b) { return plan.costs[a] > plan.costs[b]; });
  }
  std::optional<std::size_t> next() {
    std::lock_guard lock(mutex_);
    if (queue_.empty()) return std::nullopt;
    const std::size_t k = queue_.front();
    queue_.pop_front();
    return k;
  }
  void clear() {
    std::lock_guard lock(mutex_);
    queue_.clear();
  }

 private:
  std::mutex mutex_;
  std::deque<std::size_t> queue_;
};

struct Shared {
  std::mutex mutex;
  std::vector<PointOutcome> local_results;  // rank 0's own results, written by the coordinator
  std::atomic<bool> local_finished{false};
  std::atomic<bool> abort{false};
};

/// Rank 0's coordinator thread: serves workers, writes every result.
void coordinate(ResultSink& sink, Scheduler& scheduler, Shared& shared, int size) {
  int active = size - 1;
  std::vector<char> buffer;
  while (true) {
    bool busy = false;
    int flag = 0;
    MPI_Status status;
    check(MPI_Iprobe(MPI_ANY_SOURCE, kTagRequest, MPI_COMM_WORLD, &flag, &status), "MPI_Iprobe");
    if (flag) {
      busy = true;
      int count = 0;
      check(MPI_Get_count(&status, MPI_BYTE, &count), "MPI_Get_count");
      buffer.resize(static_cast<std::size_t>(std::max(count, 1)));
      check(MPI_Recv(buffer.data(), count, MPI_BYTE, status.MPI_SOURCE, kTagRequest, MPI_COMM_WORLD,
                     MPI_STATUS_IGNORE),
            "MPI_Recv");
      const auto kind = static_cast<Request>(buffer[0]);
      if (kind == Request::ResultReady)
        sink.record(deserialize(std::string_view(buffer.data() + 1, static_cast<std::size_t>(count) - 1)));
      if (kind == Request::Retiring) {
        fmt::print(stderr, "sweep: rank {} could not start: {}\n", status.MPI_SOURCE,
                   std::string(buffer.data() + 1, static_cast<std::size_t>(count) - 1));
        --active;
      } else {
        std::int64_t next = -1;
        if (!shared.abort) {
          if (const auto k = scheduler.next()) next = static_cast<std::int64_t>(*k);
        }
        check(MPI_Send(&next, 1, MPI_INT64_T, status.MPI_SOURCE, kTagAssign, MPI_COMM_WORLD), "MPI_Send");
        if (next < 0) --active;
      }
    }
    std::vector<PointOutcome> local;
    {
      std::lock_guard lock(shared.mutex);
      local.swap(shared.local_results);
    }
    for (PointOutcome& o : local) {
      sink.record(std::move(o));
      busy = true;
    }
    if (active == 0 && shared.local_finished) {
      std::lock_guard lock(shared.mutex);
      if (shared.local_results.empty()) return;
      continue;
    }
    if (!busy) std::this_thread::sleep_for(std::chrono::microseconds(500));
  }
}

/// The status of a sweep rank 0 stopped before the first point.
SweepStatus stopped(Start go) {
  return go == Start::BadInput ? SweepStatus::BadInput : SweepStatus::RunFailed;
}

/// Rank 0: the output file, the schedule, and points of its own. An error before the first
/// point is left in `error` (the other ranks are told and stop).
SweepStatus runRank0(const RunOptions& options, Prepared& prepared, int size,
                     std::exception_ptr& error) {
  const auto start = Clock::now();
  const SweepPlan& plan = *prepared.plan;
  std::optional<ResultSink> sink;
  Start go = Start::Go;
  try {
    sink.emplace(plan, options);
  } catch (const ConfigError&) {
    error = std::current_exception();
    go = Start::BadInput;
  } catch (...) {
    error = std::current_exception();
    go = Start::RunFailed;
  }
  politeBcast(go);
  if (go != Start::Go) return stopped(go);

  Scheduler scheduler(plan, sink->alreadyComplete() ? std::vector<std::size_t>{} : sink->pending());
  Shared shared;
  std::exception_ptr coordinator_error;
  std::thread coordinator([&] {
    try {
      coordinate(*sink, scheduler, shared, size);
    } catch (...) {
      coordinator_error = std::current_exception();
      shared.abort = true;
    }
  });
  // Rank 0 computes too (this thread owns the process's ngspice session).
  while (!shared.abort) {
    const auto k = scheduler.next();
    if (!k) break;
    PointOutcome o = computePoint(plan, *prepared.job, *k, 0);
    std::lock_guard lock(shared.mutex);
    shared.local_results.push_back(std::move(o));
  }
  shared.local_finished = true;
  coordinator.join();
  if (coordinator_error) {
    // Writing failed: the journal holds every recorded point; stop everyone.
    try {
      std::rethrow_exception(coordinator_error);
    } catch (const std::exception& e) {
      fmt::print(stderr, "xbarsim: error: {}\n", e.what());
    }
    MPI_Abort(MPI_COMM_WORLD, 2);
  }
  SweepStatus status = sink->finish(std::chrono::duration<double>(Clock::now() - start).count(),
                                    prepared.job->backendVersion(), size, "mpi");
  politeBcast(status);
  return status;
}

/// Ranks 1..K-1: compute the points rank 0 hands out (or retire at once if this rank's own
/// preparation failed, `prepared` null) and return how rank 0 says the sweep ended.
SweepStatus runWorker(Prepared* prepared, const std::string& prepare_error, int rank) {
  Start go = Start::Go;
  politeBcast(go);
  if (go != Start::Go) return stopped(go);
  auto makeMessage = [](Request kind, std::string_view body) {
    std::string m;
    m.reserve(body.size() + 1);
    m.push_back(static_cast<char>(kind));
    m.append(body);
    return m;
  };
  std::string message = prepared == nullptr ? makeMessage(Request::Retiring, prepare_error)
                                            : makeMessage(Request::Ready, {});
  while (true) {
    check(MPI_Send(message.data(), static_cast<int>(message.size()), MPI_BYTE, 0, kTagRequest, MPI_COMM_WORLD),
          "MPI_Send");
    if (static_cast<Request>(message[0]) == Request::Retiring) break;
    std::int64_t next = -1;
    MPI_Request request;
    check(MPI_Irecv(&next, 1, MPI_INT64_T, 0, kTagAssign, MPI_COMM_WORLD, &request), "MPI_Irecv");
    politeWait(request);
    if (next < 0) break;
    const PointOutcome o = computePoint(*prepared->plan, *prepared->job, static_cast<std::size_t>(next), rank);
    message = makeMessage(Request::ResultReady, serialize(o));
  }
  SweepStatus status = SweepStatus::Complete;
  politeBcast(status);
  return status;
}

}  // namespace

SweepStatus runMpi(const RunOptions& options) {
  std::exception_ptr error;  // rank 0's, thrown once MPI is finalized
  SweepStatus status = SweepStatus::Complete;
  {
    const MpiSession mpi;
    // Every rank validates the same input; only rank 0 reports.
    std::optional<Prepared> prepared;
    Start go = Start::Go;
    std::string prepare_error;
    RunOptions mine = options;
    if (mpi.size() > 1) mine.job.threads = 1;  // one core per rank
    try {
      prepared.emplace(prepare(mine));
    } catch (const ConfigError& e) {
      error = std::current_exception();
      go = Start::BadInput;
      prepare_error = e.what();
    } catch (const std::exception& e) {
      error = std::current_exception();
      go = Start::RunFailed;
      prepare_error = e.what();
    }
    if (mpi.rank() == 0) {
      if (go != Start::Go) {
        politeBcast(go);
        status = stopped(go);
      } else {
        status = runRank0(mine, *prepared, mpi.size(), error);
      }
    } else {
      (void)runWorker(prepared ? &*prepared : nullptr, prepare_error, mpi.rank());
      status = SweepStatus::ReportedByRank0;
      error = nullptr;  // rank 0 reports
    }
  }
  if (error) std::rethrow_exception(error);
  return status;
}

}  // namespace xbarsim::sweep::detail
