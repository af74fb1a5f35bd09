// SPDX-License-Identifier: MIT
// spice::Pool: several ngspice worker processes, one session each, driven by helper threads.
#include "xbarsim/spice/pool.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace xbarsim::spice {

struct Pool::Impl {
  /// One helper thread and the session it owns (created and destroyed in that thread, so its
  /// worker lives exactly as long as the thread: PR_SET_PDEATHSIG follows the forking thread).
  struct Helper {
    std::size_t index = 0;  ///< takes part in a run when index + 1 < the run's workers
    std::thread thread;
    std::atomic<int> pid{0};
    std::atomic<unsigned> restarts{0};
  };

  unsigned configured = 0;  ///< 0: cores
  Session::Limits limits = Session::Limits::defaults();
  unsigned limits_generation = 0;

  std::mutex m;
  std::condition_variable wake;  ///< helpers: a new run (or shutdown)
  std::condition_variable idle;  ///< caller: a helper finished its share
  bool shutdown = false;
  unsigned generation = 0;  ///< runs started so far
  const std::function<void(std::size_t, Session&)>* task = nullptr;
  std::size_t items = 0;
  std::size_t next = 0;     ///< next item to hand out
  std::size_t helpers_in_run = 0;
  unsigned busy = 0;        ///< helpers inside the current run
  bool failed = false;      ///< an item failed: hand out no more
  std::vector<std::exception_ptr> errors;              ///< per item
  std::vector<std::vector<std::string>> warnings;      ///< per item (helpers' sessions)
  std::vector<std::unique_ptr<Helper>> helpers;

  Impl() = default;
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
  ~Impl() {
    {
      const std::lock_guard lock(m);
      shutdown = true;
    }
    wake.notify_all();
    for (auto& h : helpers)
      if (h->thread.joinable()) h->thread.join();
  }

  [[nodiscard]] unsigned workers() const noexcept {
    if (configured > 0) return configured;
    return std::max(1U, std::thread::hardware_concurrency());
  }

  /// Runs items until none is left (or one failed). `lock` is held on entry and on return.
  void work(std::unique_lock<std::mutex>& lock, Session& session, bool helper) {
    while (!failed && next < items) {
      const std::size_t k = next++;
      lock.unlock();
      std::exception_ptr error;
      try {
        (*task)(k, session);
      } catch (...) {
        error = std::current_exception();
      }
      std::vector<std::string> notes;
      if (helper) {
        try {
          notes = session.takeWarnings();
        } catch (...) {  // the worker died after the item: its restart note is kept below
        }
      }
      lock.lock();
      if (error) {
        errors[k] = error;
        failed = true;
      }
      warnings[k] = std::move(notes);
    }
  }

  void helperLoop(Helper& self, unsigned seen) {
    std::unique_ptr<Session, void (*)(Session*) noexcept> owned(Pool::newSession(),
                                                                &Pool::deleteSession);
    Session& session = *owned;  // bound to this thread
    unsigned limits_seen = 0;
    std::unique_lock lock(m);
    for (;;) {
      wake.wait(lock, [&] { return shutdown || generation != seen; });
      if (shutdown) break;
      seen = generation;
      if (self.index >= helpers_in_run) continue;
      ++busy;
      if (limits_seen != limits_generation) {
        const Session::Limits wanted = limits;
        limits_seen = limits_generation;
        lock.unlock();
        try {
          session.setLimits(wanted);
        } catch (...) {  // validated by Pool::setLimits already
        }
        lock.lock();
      }
      work(lock, session, true);
      self.pid = session.workerPid();
      self.restarts = session.restarts();
      --busy;
      idle.notify_all();
    }
    lock.unlock();
    owned.reset();  // ends the worker from the thread that started it
  }
};

Session* Pool::newSession() { return new Session(); }

void Pool::deleteSession(Session* session) noexcept { delete session; }

Pool::Pool() : impl_(std::make_unique<Impl>()) { (void)Session::instance(); }

Pool::~Pool() = default;

Pool& Pool::instance() {
  Session& session = Session::instance();  // constructed first, so destroyed after the pool
  static Pool pool;
  (void)session;
  return pool;
}

unsigned Pool::resolveWorkers(unsigned configured) {
  const char* text = std::getenv("XBARSIM_NGSPICE_WORKERS");
  if (text == nullptr || *text == '\0') return configured;
  char* end = nullptr;
  const long v = std::strtol(text, &end, 10);
  if (end == text || *end != '\0' || v < 0 || v > 4096)
    throw Error(fmt::format(
        "environment variable XBARSIM_NGSPICE_WORKERS={} must be a whole number >= 0 (0: one "
        "per core)",
        text));
  return static_cast<unsigned>(v);
}

void Pool::setWorkers(unsigned workers) {
  const std::lock_guard lock(impl_->m);
  impl_->configured = workers;
}

unsigned Pool::workers() const noexcept { return impl_->workers(); }

void Pool::setLimits(const Session::Limits& limits) {
  Session::instance().setLimits(limits);  // validates
  const std::lock_guard lock(impl_->m);
  impl_->limits = limits;
  ++impl_->limits_generation;
}

void Pool::run(std::size_t items, const std::function<void(std::size_t, Session&)>& task) {
  Session& own = Session::instance();
  Impl& p = *impl_;
  const std::size_t workers = std::min<std::size_t>(p.workers(), items);
  if (workers <= 1) {
    for (std::size_t k = 0; k < items; ++k) task(k, own);
    return;
  }
  std::unique_lock lock(p.m);
  if (p.task != nullptr)
    throw Error("spice: Pool::run called from inside one of its own items (not supported)");
  while (p.helpers.size() + 1 < workers) {
    auto helper = std::make_unique<Impl::Helper>();
    helper->index = p.helpers.size();
    Impl::Helper& h = *helper;
    const unsigned seen = p.generation;
    h.thread = std::thread([&p, &h, seen] { p.helperLoop(h, seen); });
    p.helpers.push_back(std::move(helper));
  }
  p.task = &task;
  p.items = items;
  p.next = 0;
  p.failed = false;
  p.helpers_in_run = workers - 1;
  p.errors.assign(items, nullptr);
  p.warnings.assign(items, {});
  ++p.generation;
  p.wake.notify_all();
  p.work(lock, own, false);
  p.idle.wait(lock, [&] { return p.busy == 0 && (p.failed || p.next >= p.items); });
  // A helper that wakes up only now finds no item left; it never calls `task`.
  p.items = 0;
  p.task = nullptr;
  std::vector<std::string> notes;
  for (auto& w : p.warnings)
    for (auto& line : w) notes.push_back(std::move(line));
  p.warnings.clear();
  std::exception_ptr first;
  for (const auto& e : p.errors)
    if (e) {
      first = e;
      break;
    }
  p.errors.clear();
  lock.unlock();
  if (!notes.empty()) own.addWarnings(std::move(notes));
  if (first) std::rethrow_exception(first);
}

unsigned Pool::helperRestarts() const {
  const std::lock_guard lock(impl_->m);
  unsigned n = 0;
  for (const auto& h : impl_->helpers) n += h->restarts;
  return n;
}

std::vector<int> Pool::helperPids() const {
  const std::lock_guard lock(impl_->m);
  std::vector<int> pids;
  for (const auto& h : impl_->helpers) pids.push_back(h->pid);
  return pids;
}

}  // namespace xbarsim::spice
