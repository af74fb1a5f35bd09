// SPDX-License-Identifier: MIT
// libFuzzer target: the CSV matrix reader. Any input gives a finite matrix or ConfigError.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "xbarsim/core/error.hpp"
#include "xbarsim/io/csv.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const Eigen::MatrixXd m = xbarsim::io::parseCsvMatrix(text, "fuzz.csv");
    if (!m.allFinite()) std::abort();  // the reader promised finite values
  } catch (const xbarsim::Error&) {
  }
  return 0;
}
