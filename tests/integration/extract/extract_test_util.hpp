// SPDX-License-Identifier: MIT
#pragma once
// Helpers shared by the extract integration tests.

#include <cstdint>

#include "xbarsim/circuit/crossbar_spec.hpp"
#include "xbarsim/core/rng.hpp"

namespace xbarsim::test {

/// rows×cols crossbar with the given wire segments and seeded conductances in [1, 25] µS.
inline circuit::CrossbarSpec randomSpec(Eigen::Index rows, Eigen::Index cols, double r_row,
                                        double r_col, std::uint64_t seed) {
  circuit::CrossbarSpec spec;
  spec.rows = rows;
  spec.cols = cols;
  spec.r_row_ohm = r_row;
  spec.r_col_ohm = r_col;
  spec.g_s.resize(rows, cols);
  RngStream rng(seed, StreamPurpose::Conductances);
  for (Eigen::Index i = 0; i < rows; ++i)
    for (Eigen::Index j = 0; j < cols; ++j) spec.g_s(i, j) = rng.uniform(1e-6, 25e-6);
  return spec;
}

}  // namespace xbarsim::test
