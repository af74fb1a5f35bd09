// SPDX-License-Identifier: MIT
// Fuzz body: the CSV matrix reader. Any input gives a finite matrix or ConfigError.
#include <string_view>

#include "fuzz_bodies.hpp"
#include "xbarsim/core/error.hpp"
#include "xbarsim/io/csv.hpp"

namespace xbarsim::fuzz {

void fuzzCsv(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const Eigen::MatrixXd m = io::parseCsvMatrix(text, "fuzz.csv");
    if (!m.allFinite()) violated("csv: the reader returned a non-finite value");
  } catch (const Error&) {
  }
}

}  // namespace xbarsim::fuzz
