// SPDX-License-Identifier: MIT
#pragma once
// Resident memory of the test process, for the flat-memory (soak) tests.

#include <fstream>
#include <string>

namespace xbarsim::test {

/// Resident set size in KiB (VmRSS of /proc/<pid>/status) of this process (pid 0) or of
/// process `pid`; 0 if unknown (e.g. the process has exited).
inline long rssKiB(int pid = 0) {
  std::ifstream status(pid == 0 ? std::string("/proc/self/status")
                                : "/proc/" + std::to_string(pid) + "/status");
  std::string key;
  while (status >> key) {
    if (key == "VmRSS:") {
      long kib = 0;
      status >> kib;
      return kib;
    }
    status.ignore(4096, '\n');
  }
  return 0;
}

}  // namespace xbarsim::test
