// SPDX-License-Identifier: MIT
#pragma once
// Helpers for the libngspice session tests.

#include <algorithm>
#include <cstddef>
#include <string>
#include <vector>

#include "process_memory.hpp"
#include "xbarsim/core/error.hpp"

namespace xbarsim::test {

/// True if any of the error's messages contains `text`.
inline bool mentions(const SpiceError& error, const std::string& text) {
  const auto& m = error.messages();
  return std::any_of(m.begin(), m.end(),
                     [&](const std::string& s) { return s.find(text) != std::string::npos; });
}

inline bool anyContains(const std::vector<std::string>& lines, const std::string& text) {
  return std::any_of(lines.begin(), lines.end(),
                     [&](const std::string& s) { return s.find(text) != std::string::npos; });
}

/// V = 1 V over R1 = 1 kΩ and R2 = 3 kΩ: v(out) = 0.75 V exactly.
inline const char* const kDivider =
    "* divider\n"
    "v1 in 0 dc 1\n"
    "r1 in out 1k\n"
    "r2 out 0 3k\n"
    ".end\n";

}  // namespace xbarsim::test
