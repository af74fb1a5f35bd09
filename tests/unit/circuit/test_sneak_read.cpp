// SPDX-License-Identifier: MIT
// Single-cell reads with floating lines against hand-solved networks and a dense nodal solve of
// the unmerged network (every wire segment a resistor, nothing shared with the solver).
#include <boost/test/unit_test.hpp>
#include <Eigen/Dense>
#include <cmath>

#include "native_reference.hpp"
#include "xbarsim/circuit/sense_tia.hpp"
#include "xbarsim/circuit/sneak_read.hpp"
#include "xbarsim/core/error.hpp"

using namespace xbarsim;
namespace tt = boost::test_tools;

namespace {

/// A crossbar with the given wires and conductances (the other fields at their defaults).
circuit::CrossbarSpec crossbar(Eigen::Index rows, Eigen::Index cols, double r_row, double r_col,
                               double r_driver, const Eigen::MatrixXd& g) {
  circuit::CrossbarSpec spec = test::randomSpec(rows, cols, r_row, r_col, r_driver);
  spec.g_s = g;
  return spec;
}

Eigen::MatrixXd matrix(Eigen::Index rows, Eigen::Index cols,
                       std::initializer_list<double> row_major) {
  Eigen::MatrixXd m(rows, cols);
  auto it = row_major.begin();
  for (Eigen::Index i = 0; i < rows; ++i)
    for (Eigen::Index j = 0; j < cols; ++j) m(i, j) = *it++;
  return m;
}

/// Resistance between row input i and column sense node j of the network with every node
/// separate (in_i, d_i, row (i,j), column (i,j), out_j; all resistances > 0): dense Laplacian,
/// out_j grounded, 1 A into in_i; in long double.
double denseReadResistance(const circuit::CrossbarSpec& s, Eigen::Index i_read,
                           Eigen::Index j_read) {
  using LMatrix = Eigen::Matrix<long double, Eigen::Dynamic, Eigen::Dynamic>;
  const Eigen::Index R = s.rows, C = s.cols;
  const Eigen::Index in0 = 0, d0 = R, row0 = 2 * R, col0 = row0 + R * C, out0 = col0 + R * C;
  const Eigen::Index n = out0 + C;
  LMatrix lap = LMatrix::Zero(n, n);
  auto stamp = [&](Eigen::Index a, Eigen::Index b, long double g) {
    lap(a, a) += g;
    lap(b, b) += g;
    lap(a, b) -= g;
    lap(b, a) -= g;
  };
  for (Eigen::Index i = 0; i < R; ++i) {
    stamp(in0 + i, d0 + i, 1.0L / s.r_driver_ohm);
    for (Eigen::Index j = 0; j < C; ++j)
      stamp(j == 0 ? d0 + i : row0 + i * C + j - 1, row0 + i * C + j, 1.0L / s.r_row_ohm);
  }
  for (Eigen::Index j = 0; j < C; ++j)
    for (Eigen::Index i = 0; i < R; ++i)
      stamp(col0 + i * C + j, i + 1 < R ? col0 + (i + 1) * C + j : out0 + j, 1.0L / s.r_col_ohm);
  for (Eigen::Index i = 0; i < R; ++i)
    for (Eigen::Index j = 0; j < C; ++j) stamp(row0 + i * C + j, col0 + i * C + j, s.g_s(i, j));
  // Ground out_j: drop its row and column.
  const Eigen::Index ground = out0 + j_read;
  LMatrix reduced(n - 1, n - 1);
  auto keep = [&](Eigen::Index k) { return k < ground ? k : k - 1; };
  for (Eigen::Index a = 0; a < n; ++a)
    for (Eigen::Index b = 0; b < n; ++b)
      if (a != ground && b != ground) reduced(keep(a), keep(b)) = lap(a, b);
  Eigen::Matrix<long double, Eigen::Dynamic, 1> rhs = LMatrix::Zero(n - 1, 1);
  rhs(keep(in0 + i_read)) = 1.0L;
  return static_cast<double>(reduced.partialPivLu().solve(rhs)(keep(in0 + i_read)));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(sneak_read)

BOOST_AUTO_TEST_CASE(one_cell_is_wire_series) {
  // 1x1: driver 10, row segment 5, column segment 7 ohm in series with the cell.
  const double g = 1e-3;
  const Eigen::MatrixXd e =
      circuit::sneakReadError(crossbar(1, 1, 5.0, 7.0, 10.0, matrix(1, 1, {g})));
  const double expected = 1.0 / (1.0 / g + 22.0);
  BOOST_TEST(e(0, 0) == (expected - g) / g, tt::tolerance(1e-9));
}

BOOST_AUTO_TEST_CASE(two_by_two_ideal_wires_has_the_classic_sneak_path) {
  // Reading (0,0): direct G00 in parallel with the path row0 -> G01 -> col1 -> G11 -> row1 -> G10
  // -> col0.
  const double g00 = 1e-5, g01 = 2e-5, g10 = 3e-5, g11 = 4e-5;
  const Eigen::MatrixXd e =
      circuit::sneakReadError(crossbar(2, 2, 0.0, 0.0, 0.0, matrix(2, 2, {g00, g01, g10, g11})));
  const double sneak = 1.0 / (1.0 / g01 + 1.0 / g11 + 1.0 / g10);
  BOOST_TEST(e(0, 0) == sneak / g00, tt::tolerance(1e-10));
  const double sneak11 = 1.0 / (1.0 / g10 + 1.0 / g00 + 1.0 / g01);
  BOOST_TEST(e(1, 1) == sneak11 / g11, tt::tolerance(1e-10));
}

BOOST_AUTO_TEST_CASE(zero_cells_and_isolated_lines) {
  // Cells (0,1) and (1,1) absent (G = 0): NaN there.
  const Eigen::MatrixXd e =
      circuit::sneakReadError(crossbar(2, 2, 1.0, 1.0, 0.0, matrix(2, 2, {1e-5, 0.0, 1e-5, 0.0})));
  BOOST_TEST(std::isnan(e(0, 1)));
  BOOST_TEST(std::isnan(e(1, 1)));
  BOOST_TEST(std::isfinite(e(0, 0)));
  // 1x2 with ideal wires and both cells: reading (0,0) sees no sneak path (column 1 floats).
  const Eigen::MatrixXd f =
      circuit::sneakReadError(crossbar(1, 2, 0.0, 0.0, 0.0, matrix(1, 2, {1e-5, 2e-5})));
  BOOST_TEST(f(0, 0) == 0.0, tt::tolerance(1e-12));
  const circuit::SneakReadSummary s = circuit::summarizeSneakRead(e);
  BOOST_TEST(s.max_abs >= s.mean_abs);
  BOOST_TEST(
      std::isnan(circuit::summarizeSneakRead(Eigen::MatrixXd::Constant(2, 2, NAN)).mean_abs));
}

BOOST_AUTO_TEST_CASE(matches_a_dense_solve_of_the_unmerged_network) {
  // 3x4 with resistive wires and driver, random conductances: every cell against the dense
  // nodal solve (driver and first row segment are separate resistors there).
  const circuit::CrossbarSpec spec = test::randomSpec(3, 4, 2.5, 4.0, 50.0, 7, 1e-6, 1e-4);
  const Eigen::MatrixXd& g = spec.g_s;
  const Eigen::MatrixXd e = circuit::sneakReadError(spec);
  for (Eigen::Index i = 0; i < 3; ++i)
    for (Eigen::Index j = 0; j < 4; ++j) {
      const double g_read = 1.0 / denseReadResistance(spec, i, j);
      BOOST_TEST(e(i, j) == (g_read - g(i, j)) / g(i, j), tt::tolerance(1e-10));
    }
  // The summary: mean and max of |e|.
  const circuit::SneakReadSummary s = circuit::summarizeSneakRead(e);
  BOOST_TEST(s.mean_abs == e.cwiseAbs().mean(), tt::tolerance(1e-12));
  BOOST_TEST(s.max_abs == e.cwiseAbs().maxCoeff(), tt::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(tia_sense_reads_the_same_network) {
  // The sense amplifier kind does not change the read network (an ideal 0 V sense node); the
  // node numbering does, and R_eff = Z_aa + Z_bb - 2 Z_ab loses some digits to cancellation.
  Eigen::MatrixXd g(2, 3);
  g << 1e-5, 2e-5, 3e-5, 4e-5, 5e-5, 6e-5;
  circuit::CrossbarSpec spec = crossbar(2, 3, 1.0, 2.0, 0.0, g);
  const Eigen::MatrixXd ideal = circuit::sneakReadError(spec);
  spec.sense = circuit::makeTia({});
  const Eigen::MatrixXd tia = circuit::sneakReadError(spec);
  for (Eigen::Index k = 0; k < g.size(); ++k) BOOST_TEST(tia(k) == ideal(k), tt::tolerance(1e-9));
}

BOOST_AUTO_TEST_CASE(wrong_size_is_refused) {
  BOOST_CHECK_THROW(
      (void)circuit::sneakReadError(crossbar(2, 2, 1.0, 1.0, 0.0, Eigen::MatrixXd(2, 3))), Error);
}

BOOST_AUTO_TEST_SUITE_END()
