// SPDX-License-Identifier: MIT
// Numerical robustness of the native solver (issue "Reliability", item 5): zero-conductance
// columns are legitimate circuits (exact zeros, no NaN), extreme on/off ratios keep their
// accuracy, and Newton failures are NumericalErrors naming the worst node in deck names.
#include <boost/test/unit_test.hpp>
#include <random>
#include <regex>
#include <string>

#include "detail/native_topology.hpp"
#include "native_reference.hpp"
#include "xbarsim/circuit/sense_tia.hpp"
#include "xbarsim/circuit/native_solver.hpp"
#include "xbarsim/core/error.hpp"

using namespace xbarsim;
using circuit::NativeFactorization;
using circuit::NativeOptions;
using circuit::NativeSolver;
using test::randomSpec;

namespace {

NativeOptions with(NativeFactorization f) {
  NativeOptions o;
  o.factorization = f;
  return o;
}

/// Largest entrywise relative error |a - b| / |b| (entries of b that are exactly 0 must be 0).
double maxEntryRelErr(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
  double worst = 0.0;
  for (Eigen::Index c = 0; c < b.cols(); ++c)
    for (Eigen::Index r = 0; r < b.rows(); ++r)
      worst = std::max(worst, b(r, c) == 0.0 ? (a(r, c) == 0.0 ? 0.0 : 1.0)
                                             : std::abs(a(r, c) - b(r, c)) / std::abs(b(r, c)));
  return worst;
}

/// 1e-3 S / 1e-9 S cells (on/off 1e6) in a fixed random pattern.
circuit::CrossbarSpec onOffSpec(Eigen::Index n, double r_wire, unsigned seed) {
  auto spec = randomSpec(n, n, r_wire, r_wire, 0.0, seed);
  std::mt19937_64 gen(seed);
  std::bernoulli_distribution on(0.5);
  for (Eigen::Index j = 0; j < n; ++j)
    for (Eigen::Index i = 0; i < n; ++i) spec.g_s(i, j) = on(gen) ? 1e-3 : 1e-9;
  return spec;
}

const std::regex kDeckNode(R"((^|[^a-z])(r|c)\d+_\d+ \((row|column) node of cell \(\d+,\d+\)\))");

}  // namespace

BOOST_AUTO_TEST_SUITE(native_robust)

// A column of open cells is a legitimate circuit: its row of W_eff and its current are exact
// zeros with every factorization, wire layout, cell law and sense amplifier.
BOOST_AUTO_TEST_CASE(zero_conductance_column_gives_exact_zeros) {
  struct Case {
    double r_row, r_col, r_drv;
    bool sinh, tia;
  };
  const Case cases[] = {{0, 0, 0, false, false},   {2.5, 2.5, 0, false, false},
                        {2.5, 0, 10, false, false}, {0, 2.5, 0, false, false},
                        {2.5, 2.5, 10, true, false}, {2.5, 2.5, 0, false, true},
                        {0, 0, 0, true, true}};
  for (const Case& c : cases)
    for (auto f : {NativeFactorization::Auto, NativeFactorization::Sparse}) {
      auto spec = randomSpec(5, 4, c.r_row, c.r_col, c.r_drv, 3);
      spec.g_s.col(2).setZero();
      if (c.sinh) {
        spec.iv.kind = device::IvKind::Sinh;
        spec.iv.v0_v = 0.25;
      }
      if (c.tia) spec.sense = circuit::makeTia({});
      BOOST_TEST_CONTEXT("r_row " << c.r_row << " r_col " << c.r_col << " r_drv " << c.r_drv
                                  << " sinh " << c.sinh << " tia " << c.tia << " sparse "
                                  << (f == NativeFactorization::Sparse)) {
        NativeSolver solver(spec, with(f));
        const Eigen::MatrixXd w = solver.effectiveWeights(0.2);
        BOOST_TEST(w.allFinite());
        BOOST_TEST(w.row(2).cwiseAbs().maxCoeff() == 0.0);
        BOOST_TEST(w.row(1).cwiseAbs().minCoeff() > 0.0);  // the other columns are live
        const Eigen::VectorXd i = solver.currents(Eigen::VectorXd::Constant(5, 0.2));
        BOOST_TEST(i.allFinite());
        if (!c.tia) BOOST_TEST(i[2] == 0.0);  // ideal sense: nothing flows into column 2
        else BOOST_TEST(std::abs(i[2]) < 1e-12 * i.cwiseAbs().maxCoeff());
      }
    }
  // Every cell open: W_eff is the zero matrix.
  auto spec = randomSpec(3, 3, 2.5, 2.5, 0.0);
  spec.g_s.setZero();
  NativeSolver solver(spec);
  const Eigen::MatrixXd w = solver.effectiveWeights(0.2);
  BOOST_TEST(w.allFinite());
  BOOST_TEST(w.cwiseAbs().maxCoeff() == 0.0);
}

// on/off = 1e6 (1 mS / 1 nS) with 2.5 Ω wires: both factorizations against the long-double
// MNA reference, entry by entry (the small entries are the sneak-path-dominated ones).
BOOST_AUTO_TEST_CASE(extreme_on_off_ratio_is_accurate) {
  for (unsigned seed : {1u, 2u}) {
    const auto spec = onOffSpec(12, 2.5, seed);
    const Eigen::MatrixXd ref = test::referenceWeights(spec);
    NativeSolver grid(spec, with(NativeFactorization::Grid));
    NativeSolver sparse(spec, with(NativeFactorization::Sparse));
    const Eigen::MatrixXd wg = grid.effectiveWeights(0.2);
    const Eigen::MatrixXd ws = sparse.effectiveWeights(0.2);
    BOOST_TEST(wg.allFinite());
    BOOST_TEST(ws.allFinite());
    const double eg = maxEntryRelErr(wg, ref);
    const double es = maxEntryRelErr(ws, ref);
    BOOST_TEST_MESSAGE("on/off 1e6, 12x12, 2.5 ohm: max entrywise rel. error grid " << eg
                                                                                    << ", sparse " << es);
    BOOST_TEST(eg < 1e-9);
    BOOST_TEST(es < 1e-9);
    // The off entries really are small (sneak paths lift them from 1 nS to ~0.1 µS).
    BOOST_TEST(ref.cwiseAbs().maxCoeff() / ref.cwiseAbs().minCoeff() > 5e3);
  }
}

// Nodes are named as in generated decks (netlists/README.md).
BOOST_AUTO_TEST_CASE(node_names_follow_the_deck) {
  auto spec = randomSpec(3, 4, 2.5, 2.5, 0.0);
  circuit::detail::Topology grid(spec);
  BOOST_TEST(grid.nodeName(grid.rowNode(1, 2)) == "r1_2 (row node of cell (1,2))");
  BOOST_TEST(grid.nodeName(grid.colNode(2, 3)) == "c2_3 (column node of cell (2,3))");
  spec.r_row_ohm = 0.0;
  spec.r_driver_ohm = 50.0;
  spec.r_col_ohm = 0.0;
  spec.sense = circuit::makeTia({});
  circuit::detail::Topology merged(spec);
  BOOST_TEST(merged.nodeName(merged.rowNode(1, 2)) == "in1 (row 1 wire, 4 merged nodes)");
  BOOST_TEST(merged.nodeName(merged.colNode(0, 3)) ==
             "out3 (column 3 wire and sense node, 4 merged nodes)");
}

// Newton that runs out of iterations: NumericalError with the iteration count, the largest
// residual and the node where it sits, in deck names; the report agrees.
BOOST_AUTO_TEST_CASE(newton_non_convergence_names_the_worst_node) {
  auto spec = randomSpec(6, 5, 2.5, 2.5, 0.0, 4, 1e-4, 1e-3);
  spec.iv.kind = device::IvKind::Sinh;
  spec.iv.v0_v = 0.01;  // tiny V0 ...
  NativeOptions o;
  o.newton.max_iterations = 6;
  NativeSolver solver(spec, o);
  try {
    (void)solver.effectiveWeights(3.0);  // ... and a huge read voltage
    BOOST_FAIL("expected a NumericalError");
  } catch (const NumericalError& e) {
    const std::string msg = e.what();
    BOOST_TEST_MESSAGE(msg);
    BOOST_TEST(msg.find("did not converge after 6 iterations") != std::string::npos);
    BOOST_TEST(msg.find("largest residual") != std::string::npos);
    BOOST_TEST(std::regex_search(msg, kDeckNode));
    BOOST_TEST(msg.find("nan") == std::string::npos);
  }
  const auto& nr = solver.report().newton;
  BOOST_TEST(!nr.converged);
  BOOST_TEST(nr.iterations == 6);
  BOOST_TEST(std::isfinite(nr.residual_a));
  BOOST_TEST(nr.residual_a > 0.0);
  BOOST_TEST(std::regex_search(nr.worst_node, kDeckNode));
}

// A cell voltage so large that sinh overflows at the first iterate (ideal row wires hold the
// row nodes at 10 V, V0 = 10 mV): NumericalError naming the cell and its nodes, never NaN.
BOOST_AUTO_TEST_CASE(sinh_overflow_names_the_cell) {
  auto spec = randomSpec(3, 3, 0.0, 2.5, 0.0, 5, 1e-4, 1e-3);
  spec.iv.kind = device::IvKind::Sinh;
  spec.iv.v0_v = 0.01;
  NativeSolver solver(spec);
  try {
    const Eigen::VectorXd i = solver.currents(Eigen::VectorXd::Constant(3, 10.0));
    BOOST_TEST(i.allFinite());  // converging is fine too, but never NaN
  } catch (const NumericalError& e) {
    const std::string msg = e.what();
    BOOST_TEST_MESSAGE(msg);
    BOOST_TEST(msg.find("nan") == std::string::npos);
    BOOST_TEST(std::regex_search(msg, std::regex(R"(cell \(\d,\d\))")));
    BOOST_TEST(std::regex_search(msg, std::regex(R"(c\d_\d)")));
  }
}

BOOST_AUTO_TEST_SUITE_END()
