// SPDX-License-Identifier: MIT
#pragma once
/// @file ngspice on every core: the process's pool of ngspice worker processes
/// (docs/ngspice-notes.md §3.10).
///
/// libngspice cannot run two analyses at once in one process (docs/ngspice-notes.md §3.1), but
/// every spice::Session already drives its own worker process. The pool holds one session per
/// worker: the process's own (Session::instance(), used by the calling thread) and one more
/// per extra worker, each owned by a helper thread of the pool that lives as long as the pool
/// (a worker dies with the thread that started it, PR_SET_PDEATHSIG). run() hands independent
/// work items to whichever worker is free; an item's result must not depend on the worker that
/// ran it (each item loads its own deck: a worker keeps no circuit from one item to the next).
///
/// Failures: a crash or time-out fails only the item that ran into it (spice::WorkerError, as
/// for a single session) and that session starts a fresh worker at its next call. Once an item
/// failed no further item starts; run() then rethrows the failure of the lowest item index.
/// Ctrl-C ends the process as before and every worker with it.
/// The pool is bound to the thread that owns Session::instance().

#include <cstddef>
#include <functional>
#include <memory>
#include <vector>

#include "xbarsim/spice/session.hpp"

namespace xbarsim::spice {

class Pool {
 public:
  /// The process's pool (binds Session::instance() to the calling thread, as that does).
  static Pool& instance();

  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  /// Number of workers for the following runs; 0 = one per core (std::thread's
  /// hardware_concurrency). The configuration key is `run.ngspice_workers`; the environment
  /// variable XBARSIM_NGSPICE_WORKERS, when set, overrides it (resolveWorkers()).
  void setWorkers(unsigned workers);
  /// Workers the next run() uses (at least 1).
  [[nodiscard]] unsigned workers() const noexcept;
  /// `configured` (0: the machine's cores) replaced by XBARSIM_NGSPICE_WORKERS when that is
  /// set (a non-negative integer; 0 = cores). Throws xbarsim::Error on a malformed value.
  [[nodiscard]] static unsigned resolveWorkers(unsigned configured);

  /// Limits of every worker (Session::setLimits of each session).
  void setLimits(const Session::Limits& limits);

  /// Runs task(k, session) for k = 0 .. items-1, each item on one worker's session, at most
  /// one item per session at a time; the calling thread works too. With one worker (or one
  /// item) the items run in order in the calling thread on Session::instance(). Warnings the
  /// helpers' sessions collected during their items are handed to Session::instance()'s
  /// takeWarnings(), in item order. Returns when every started item has ended. An item must
  /// not call run() itself (xbarsim::Error with more than one worker).
  void run(std::size_t items, const std::function<void(std::size_t, Session&)>& task);

  /// How many helper workers were replaced after a crash, a time-out or a fatal error (the
  /// calling thread's session counts its own: Session::restarts()).
  [[nodiscard]] unsigned helperRestarts() const;
  /// Process ids of the helper sessions' current workers (0 where none runs).
  [[nodiscard]] std::vector<int> helperPids() const;

 private:
  Pool();
  ~Pool();
  /// A further session (bound to the calling thread) and its end: Session's constructor and
  /// destructor are private.
  static Session* newSession();
  static void deleteSession(Session* session) noexcept;

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace xbarsim::spice
