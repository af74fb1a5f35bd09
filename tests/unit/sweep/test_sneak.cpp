// SPDX-License-Identifier: MIT
// Single-cell read with floating lines against hand-solved networks.
#include <boost/test/unit_test.hpp>
#include <cmath>

#include "xbarsim/sweep/job.hpp"

namespace sw = xbarsim::sweep;
namespace tt = boost::test_tools;

BOOST_AUTO_TEST_SUITE(sneak)

BOOST_AUTO_TEST_CASE(one_cell_is_wire_series) {
  // 1x1: driver 10, row segment 5, column segment 7 ohm in series with the cell.
  const double g = 1e-3;
  const auto e = sw::sneakReadError({1, 1, 5.0, 7.0, 10.0}, {g});
  const double expected = 1.0 / (1.0 / g + 22.0);
  BOOST_TEST(e[0] == (expected - g) / g, tt::tolerance(1e-9));
}

BOOST_AUTO_TEST_CASE(two_by_two_ideal_wires_has_the_classic_sneak_path) {
  // Reading (0,0): direct G00 in parallel with the path row0 -> G01 -> col1 -> G11 -> row1 -> G10 -> col0.
  const double g00 = 1e-5, g01 = 2e-5, g10 = 3e-5, g11 = 4e-5;
  const auto e = sw::sneakReadError({2, 2, 0.0, 0.0, 0.0}, {g00, g01, g10, g11});
  const double sneak = 1.0 / (1.0 / g01 + 1.0 / g11 + 1.0 / g10);
  BOOST_TEST(e[0] == sneak / g00, tt::tolerance(1e-10));
  const double sneak11 = 1.0 / (1.0 / g10 + 1.0 / g00 + 1.0 / g01);
  BOOST_TEST(e[3] == sneak11 / g11, tt::tolerance(1e-10));
}

BOOST_AUTO_TEST_CASE(zero_cells_and_isolated_lines) {
  // Cell (0,1) absent (G = 0): NaN there; row 1 connects only through (1,0).
  const auto e = sw::sneakReadError({2, 2, 1.0, 1.0, 0.0}, {1e-5, 0.0, 1e-5, 0.0});
  BOOST_TEST(std::isnan(e[1]));
  BOOST_TEST(std::isnan(e[3]));
  BOOST_TEST(std::isfinite(e[0]));
  // 1x2 with ideal wires and both cells: reading (0,0) sees no sneak path (column 1 floats).
  const auto f = sw::sneakReadError({1, 2, 0.0, 0.0, 0.0}, {1e-5, 2e-5});
  BOOST_TEST(f[0] == 0.0, tt::tolerance(1e-12));
}

BOOST_AUTO_TEST_SUITE_END()
