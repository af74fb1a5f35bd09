// SPDX-License-Identifier: MIT
// Native solver, linear circuits: closed forms, the long-double MNA reference, the two
// factorizations against each other, thread-count independence, MVM.
#include <boost/test/unit_test.hpp>
#include <cmath>

#include "native_reference.hpp"
#include "xbarsim/circuit/native_solver.hpp"
#include "xbarsim/core/error.hpp"

using namespace xbarsim;
using circuit::NativeFactorization;
using circuit::NativeOptions;
using circuit::NativeSolver;
using test::randomSpec;
using test::referenceWeights;
using test::relErr;

namespace {
NativeOptions with(NativeFactorization f, int threads = 1, int leaf = 4) {
  NativeOptions o;
  o.factorization = f;
  o.threads = threads;
  o.leaf_size = leaf;
  return o;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(native_linear)

BOOST_AUTO_TEST_CASE(ideal_wires_give_exactly_g_transposed) {
  const auto spec = randomSpec(5, 7, 0.0, 0.0, 0.0, 3);
  NativeSolver solver(spec);
  const Eigen::MatrixXd w = solver.effectiveWeights();
  BOOST_TEST(w.rows() == 7);
  BOOST_TEST(w.cols() == 5);
  BOOST_TEST((w.array() == spec.g_s.transpose().array()).all());  // exact
  const Eigen::VectorXd x = Eigen::VectorXd::LinSpaced(5, 0.05, 0.2);
  BOOST_TEST(relErr(solver.currents(x), spec.g_s.transpose() * x) < 1e-15);
}

BOOST_AUTO_TEST_CASE(one_cell_is_a_series_divider) {
  for (double rd : {0.0, 7.0})
    for (double rr : {0.0, 2.5})
      for (double rc : {0.0, 4.0}) {
        auto spec = randomSpec(1, 1, rr, rc, rd);
        spec.g_s(0, 0) = 1.0 / 10e3;
        NativeSolver solver(spec);
        const double expect = 1.0 / (rd + rr + 10e3 + rc);
        const double w = solver.effectiveWeights()(0, 0);
        BOOST_TEST(std::abs(w - expect) / expect < 1e-14, "rd=" << rd << " rr=" << rr << " rc=" << rc);
        Eigen::VectorXd x(1);
        x << 0.3;
        BOOST_TEST(std::abs(solver.currents(x)[0] - 0.3 * expect) / (0.3 * expect) < 1e-14);
      }
}

// 2×2, ideal driver, columns ideal wires (r_col = 0): each row is a ladder r–g0–r–g1 that can be
// solved by hand. h1 = effective conductance of (r + 1/g1); v_a = V/(1 + r(g0 + h1));
// I_0 = g0·v_a, I_1 = h1·v_a.
BOOST_AUTO_TEST_CASE(two_by_two_hand_derived) {
  circuit::CrossbarSpec spec = randomSpec(2, 2, 3.0, 0.0, 0.0);
  spec.g_s << 1e-3, 2e-3, 4e-3, 5e-3;  // rows: (g00 g01) (g10 g11)
  const double r = 3.0;
  Eigen::MatrixXd expect(2, 2);
  for (int i = 0; i < 2; ++i) {
    const double g0 = spec.g_s(i, 0), g1 = spec.g_s(i, 1);
    const double h1 = g1 / (1.0 + r * g1);
    const double va = 1.0 / (1.0 + r * (g0 + h1));
    expect(0, i) = g0 * va;
    expect(1, i) = h1 * va;
  }
  NativeSolver solver(spec);
  BOOST_TEST(relErr(solver.effectiveWeights(), expect) < 1e-14);
  // Dual case: rows ideal (r_row = r_driver = 0), columns with wires r: each column j is the
  // ladder cell(0,j) – node c0 – r – node c1 – r – out, with c1 fed by cell(1,j).
  spec.r_row_ohm = 0.0;
  spec.r_col_ohm = r;
  for (int j = 0; j < 2; ++j) {
    const double g0 = spec.g_s(0, j), g1 = spec.g_s(1, j);
    // KCL: c0: g0 (V0 - c0) = (c0 - c1)/r ; c1: g1 (V1 - c1) + (c0 - c1)/r = c1/r; I = c1/r.
    // Unit input on row 0: c0 = (g0 V0 + c1/r)/(g0 + 1/r).
    for (int i = 0; i < 2; ++i) {
      const double v0 = i == 0 ? 1.0 : 0.0, v1 = i == 1 ? 1.0 : 0.0;
      const double a = g0 + 1.0 / r;
      // c1 (g1 + 2/r - 1/(r² a)) = g1 v1 + g0 v0/(r a)
      const double c1 = (g1 * v1 + g0 * v0 / (r * a)) / (g1 + 2.0 / r - 1.0 / (r * r * a));
      expect(j, i) = c1 / r;
    }
  }
  NativeSolver dual(spec);
  BOOST_TEST(relErr(dual.effectiveWeights(), expect) < 1e-13);
}

BOOST_AUTO_TEST_CASE(every_zero_resistance_combination_matches_mna_reference) {
  for (double rd : {0.0, 5.0})
    for (double rr : {0.0, 2.5})
      for (double rc : {0.0, 1.5}) {
        auto spec = randomSpec(6, 5, rr, rc, rd, 11);
        spec.g_s(2, 3) = 0.0;  // an open cell
        spec.g_s(0, 0) = 0.0;
        const Eigen::MatrixXd ref = referenceWeights(spec);
        NativeSolver sparse(spec, with(NativeFactorization::Sparse));
        BOOST_TEST(relErr(sparse.effectiveWeights(), ref) < 1e-12,
                   "sparse rd=" << rd << " rr=" << rr << " rc=" << rc);
        NativeSolver automatic(spec);
        BOOST_TEST(relErr(automatic.effectiveWeights(), ref) < 1e-12,
                   "auto rd=" << rd << " rr=" << rr << " rc=" << rc);
        const Eigen::VectorXd x = Eigen::VectorXd::LinSpaced(6, 0.2, -0.1);
        BOOST_TEST(relErr(automatic.currents(x), test::referenceCurrents(spec, x)) < 1e-12);
      }
}

BOOST_AUTO_TEST_CASE(grid_and_sparse_factorizations_agree) {
  struct Case { Eigen::Index r, c; int leaf; };
  for (const Case& k : {Case{16, 16, 4}, Case{7, 13, 2}, Case{33, 5, 4}, Case{1, 9, 4},
                        Case{9, 1, 1}, Case{20, 24, 3}}) {
    const auto spec = randomSpec(k.r, k.c, 2.5, 1.7, 10.0, 5);
    NativeSolver grid(spec, with(NativeFactorization::Grid, 1, k.leaf));
    NativeSolver sparse(spec, with(NativeFactorization::Sparse));
    const Eigen::MatrixXd wg = grid.effectiveWeights();
    const Eigen::MatrixXd ws = sparse.effectiveWeights();
    BOOST_TEST(relErr(wg, ws) < 1e-12, k.r << "x" << k.c);
    if (k.r * k.c <= 64) BOOST_TEST(relErr(wg, referenceWeights(spec)) < 1e-12);
    BOOST_TEST(grid.report().factorization.find("grid") == 0);
  }
}

BOOST_AUTO_TEST_CASE(results_do_not_depend_on_the_thread_count) {
  const auto spec = randomSpec(64, 48, 2.5, 2.5, 0.0, 9);
  const Eigen::MatrixXd w1 = NativeSolver(spec, with(NativeFactorization::Grid, 1)).effectiveWeights();
  const Eigen::MatrixXd x = Eigen::MatrixXd::Random(64, 3) * 0.2;
  const Eigen::MatrixXd i1 = NativeSolver(spec, with(NativeFactorization::Grid, 1)).currentsBatch(x);
  for (int t : {2, 3, 4}) {
    NativeSolver s(spec, with(NativeFactorization::Grid, t));
    const Eigen::MatrixXd wt = s.effectiveWeights();
    BOOST_TEST((wt.array() == w1.array()).all(), "threads=" << t);
    const Eigen::MatrixXd it = s.currentsBatch(x);
    BOOST_TEST((it.array() == i1.array()).all(), "threads=" << t);
  }
}

BOOST_AUTO_TEST_CASE(mvm_matches_weights_and_batch) {
  const auto spec = randomSpec(24, 17, 2.5, 2.5, 1.0, 4);
  NativeSolver solver(spec);
  const Eigen::MatrixXd w = solver.effectiveWeights();
  const Eigen::MatrixXd x = Eigen::MatrixXd::Random(24, 5) * 0.2;
  const Eigen::MatrixXd cur = solver.currentsBatch(x);
  BOOST_TEST(relErr(cur, w * x) < 1e-12);
  BOOST_TEST(solver.report().factorizations <= 1);  // one factorization reused by every input
  BOOST_TEST(relErr(solver.currents(x.col(2)), w * x.col(2)) < 1e-12);
  // Row-node voltages of the last solve: driver end of row i is close to its input.
  const Eigen::MatrixXd vr = solver.rowNodeVoltages();
  BOOST_TEST(std::abs(vr(0, 0) - x(0, 2)) < 1e-3);
}

// Few vectors: conjugate gradients on the column layer, no factorization; many: the multiport
// factorization. Both against the dense nodal reference, also with a driver resistance, a
// strong IR drop (10 ohm segments, up to 1 mS cells) and one row or column.
BOOST_AUTO_TEST_CASE(iterative_and_multiport_mvms_match_the_reference) {
  struct Case {
    Eigen::Index rows, cols;
    double r_wire, r_driver, g_max;
  };
  for (const Case& k : {Case{18, 13, 2.5, 0.0, 25e-6}, Case{18, 13, 2.5, 30.0, 25e-6},
                        Case{16, 16, 10.0, 5.0, 1e-3}, Case{1, 9, 2.5, 0.0, 25e-6},
                        Case{9, 1, 2.5, 0.0, 25e-6}}) {
    const auto spec = randomSpec(k.rows, k.cols, k.r_wire, k.r_wire, k.r_driver, 11, 1e-6, k.g_max);
    const Eigen::MatrixXd x = (Eigen::MatrixXd::Random(k.rows, 6).array() + 1.0) * 0.1;
    const Eigen::MatrixXd ref = test::referenceCurrentsBatch(spec, x);
    NativeSolver solver(spec);
    const Eigen::VectorXd one = solver.currents(x.col(0));
    BOOST_TEST(solver.report().factorizations == 0);
    const int cg_iterations = solver.report().cg_iterations;
    BOOST_TEST(cg_iterations > 0);
    BOOST_TEST(relErr(one, ref.col(0)) < 1e-10, k.rows << "x" << k.cols << " r " << k.r_wire);
    // The node voltages of the iterative solve are the full operating point.
    BOOST_TEST(std::abs(solver.rowNodeVoltages()(0, 0) - x(0, 0)) <= x(0, 0));
    const Eigen::MatrixXd many = solver.currentsBatch(x);  // 6 > iterative_max_vectors
    BOOST_TEST(solver.report().factorizations == 1);
    BOOST_TEST(relErr(many, ref) < 1e-10, k.rows << "x" << k.cols << " r " << k.r_wire);
    BOOST_TEST_MESSAGE(k.rows << "x" << k.cols << ", " << k.r_wire << " ohm, cells up to " << k.g_max
                       << " S: " << cg_iterations << " CG iterations, error " << relErr(one, ref.col(0)));
  }
}

// Larger arrays: the iterative MVM against W_eff x of the multiport factorization, also with
// strong IR drops (100 ohm segments and 1 mS cells; 1 kohm and 10 mS, where the iteration may
// give up and hand over to the factorization).
BOOST_AUTO_TEST_CASE(iterative_mvm_matches_weff_on_larger_arrays) {
  for (double r_wire : {2.5, 100.0, 1000.0}) {
    const double g_max = r_wire < 10.0 ? 25e-6 : r_wire < 500.0 ? 1e-3 : 1e-2;
    const auto spec = randomSpec(128, 96, r_wire, r_wire, 0.0, 5, 1e-6, g_max);
    const Eigen::VectorXd x = (Eigen::VectorXd::Random(128).array() + 1.0) * 0.1;
    const Eigen::MatrixXd w = NativeSolver(spec).effectiveWeights();
    NativeSolver solver(spec);
    BOOST_TEST(relErr(solver.currents(x), w * x) < 1e-10, "r " << r_wire);
    BOOST_TEST_MESSAGE("128x96, " << r_wire << " ohm: " << solver.report().cg_iterations
                       << " CG iterations, " << solver.report().factorizations << " factorizations");
  }
}

BOOST_AUTO_TEST_CASE(update_conductances_refactorizes) {
  auto spec = randomSpec(12, 10, 2.5, 2.5, 0.0, 7);
  NativeSolver solver(spec);
  (void)solver.effectiveWeights();
  const Eigen::VectorXd x = Eigen::VectorXd::Constant(12, 0.1);
  (void)solver.currents(x);
  const auto other = randomSpec(12, 10, 2.5, 2.5, 0.0, 8);
  solver.updateConductances(other.g_s);
  BOOST_TEST(relErr(solver.effectiveWeights(), referenceWeights(other)) < 1e-12);
  BOOST_TEST(relErr(solver.currents(x), test::referenceCurrents(other, x)) < 1e-12);
  Eigen::MatrixXd bad = other.g_s;
  bad(1, 1) = -1.0;
  BOOST_CHECK_THROW(solver.updateConductances(bad), xbarsim::Error);
  BOOST_CHECK_THROW(solver.updateConductances(Eigen::MatrixXd::Ones(3, 3)), xbarsim::Error);
}

BOOST_AUTO_TEST_CASE(least_squares_of_a_linear_circuit_is_exact) {
  const auto spec = randomSpec(8, 6, 2.5, 2.5, 0.0, 2);
  NativeSolver solver(spec);
  const Eigen::MatrixXd x = Eigen::MatrixXd::Random(8, 20) * 0.2;
  BOOST_TEST(relErr(solver.leastSquaresWeights(x), solver.effectiveWeights()) < 1e-10);
}

BOOST_AUTO_TEST_CASE(bad_inputs_are_errors) {
  const auto spec = randomSpec(4, 3, 2.5, 2.5, 0.0, 2);
  NativeSolver solver(spec);
  BOOST_CHECK_THROW((void)solver.currents(Eigen::VectorXd::Zero(3)), xbarsim::Error);
  Eigen::VectorXd nan = Eigen::VectorXd::Zero(4);
  nan[1] = std::nan("");
  BOOST_CHECK_THROW((void)solver.currents(nan), xbarsim::Error);
  BOOST_CHECK_THROW((void)solver.rowNodeVoltages(), xbarsim::Error);
  auto bad = spec;
  bad.r_row_ohm = -1.0;
  BOOST_CHECK_THROW(NativeSolver{bad}, xbarsim::Error);
  auto zero = spec;
  zero.r_col_ohm = 0.0;
  BOOST_CHECK_THROW(NativeSolver(zero, with(NativeFactorization::Grid)), xbarsim::Error);
}

BOOST_AUTO_TEST_SUITE_END()
