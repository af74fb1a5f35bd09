// SPDX-License-Identifier: MIT
#include "xbarsim/core/temp_cleanup.hpp"

#include <signal.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>

namespace xbarsim::core {
namespace {

constexpr std::size_t kSlots = 64;
constexpr std::size_t kPathBytes = 4096;

enum SlotState : int { kFree = 0, kFilling = 1, kReady = 2 };

struct Slot {
  std::atomic<int> state{kFree};
  char path[kPathBytes] = {};
};

std::array<Slot, kSlots> g_slots;
/// The process that registered the paths (a forked child must not remove them).
std::atomic<pid_t> g_owner{0};
std::once_flag g_install_once;

constexpr std::array<int, 3> kSignals{SIGINT, SIGTERM, SIGHUP};

/// Only async-signal-safe calls: unlink, rmdir, getpid, sigaction, raise. Files first, then
/// directories (emptied by the first pass).
extern "C" void removeTempsAndReraise(int sig) {
  const int saved_errno = errno;
  if (::getpid() == g_owner.load(std::memory_order_relaxed)) {
    for (Slot& slot : g_slots)
      if (slot.state.load(std::memory_order_acquire) == kReady) ::unlink(slot.path);
    for (Slot& slot : g_slots)
      if (slot.state.load(std::memory_order_acquire) == kReady) ::rmdir(slot.path);
  }
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  ::sigaction(sig, &dfl, nullptr);
  errno = saved_errno;
  ::raise(sig);  // delivered with the default action once this handler returns
}

void installHandlers() {
  g_owner.store(::getpid());
  for (const int sig : kSignals) {
    struct sigaction old {};
    if (::sigaction(sig, nullptr, &old) != 0) continue;
    const bool is_default = (old.sa_flags & SA_SIGINFO) == 0 && old.sa_handler == SIG_DFL;
    if (!is_default) continue;  // ignored (nohup) or someone else's handler: leave it
    struct sigaction act {};
    act.sa_handler = removeTempsAndReraise;
    sigemptyset(&act.sa_mask);
    for (const int other : kSignals) sigaddset(&act.sa_mask, other);
    act.sa_flags = 0;
    ::sigaction(sig, &act, nullptr);
  }
}

}  // namespace

int registerTempPath(const std::filesystem::path& path) noexcept {
  const std::string& text = path.native();
  if (text.empty() || text.size() >= kPathBytes) return -1;
  try {
    std::call_once(g_install_once, installHandlers);
  } catch (...) {
    return -1;
  }
  for (std::size_t k = 0; k < kSlots; ++k) {
    int expected = kFree;
    if (!g_slots[k].state.compare_exchange_strong(expected, kFilling)) continue;
    std::memcpy(g_slots[k].path, text.c_str(), text.size() + 1);
    g_slots[k].state.store(kReady, std::memory_order_release);
    return static_cast<int>(k);
  }
  return -1;
}

void unregisterTempPath(int slot) noexcept {
  if (slot < 0 || static_cast<std::size_t>(slot) >= kSlots) return;
  g_slots[static_cast<std::size_t>(slot)].state.store(kFree, std::memory_order_release);
}

}  // namespace xbarsim::core
