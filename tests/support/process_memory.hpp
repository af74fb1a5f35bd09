// SPDX-License-Identifier: MIT
#pragma once
// Resident memory of the test process, for the flat-memory (soak) tests.

#include <fstream>
#include <string>

namespace xbarsim::test {

/// Resident set size of this process in KiB (VmRSS of /proc/self/status), 0 if unknown.
inline long rssKiB() {
  std::ifstream status("/proc/self/status");
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
