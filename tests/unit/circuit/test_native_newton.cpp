// SPDX-License-Identifier: MIT
// Native solver, non-linear circuits: sinh cells and the TIA macro-model against closed forms,
// Newton convergence reports, warm starts, Jacobian vs finite differences, singular matrices.
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <functional>
#include <string>

#include "detail/native_grid.hpp"
#include "detail/native_sparse.hpp"
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
using test::relErr;

namespace {

/// Root of a decreasing function on [lo, hi] by bisection (to the last bit).
double bisect(const std::function<double(double)>& h, double lo, double hi) {
  for (int it = 0; it < 400 && lo < hi; ++it) {
    const double mid = 0.5 * (lo + hi);
    if (mid <= lo || mid >= hi) break;
    (h(mid) > 0.0 ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

circuit::CrossbarSpec sinhSpec(circuit::CrossbarSpec s, double v0 = 0.25) {
  s.iv.kind = device::IvKind::Sinh;
  s.iv.v0_v = v0;
  return s;
}

NativeOptions with(NativeFactorization f) {
  NativeOptions o;
  o.factorization = f;
  return o;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(native_newton)

// One sinh cell in series with r_s = r_driver + r_row + r_col: I = g V0 sinh((V - I r_s)/V0),
// dI/dV = g cosh(u) / (1 + r_s g cosh(u)).
BOOST_AUTO_TEST_CASE(one_sinh_cell_closed_form) {
  auto spec = sinhSpec(randomSpec(1, 1, 2.5, 4.0, 30.0));
  const double g = 2e-3, v0 = 0.25, rs = 36.5;
  spec.g_s(0, 0) = g;
  NativeSolver solver(spec);
  for (double v : {0.05, 0.2, 0.8}) {
    const double i = bisect([&](double x) { return g * v0 * std::sinh((v - x * rs) / v0) - x; }, 0.0, v / rs);
    Eigen::VectorXd x(1);
    x << v;
    BOOST_TEST(std::abs(solver.currents(x)[0] - i) / i < 1e-12, "v=" << v);
    BOOST_TEST(solver.report().newton.converged);
    const double u = (v - i * rs) / v0;
    const double w = g * std::cosh(u) / (1.0 + rs * g * std::cosh(u));
    BOOST_TEST(std::abs(solver.effectiveWeights(v)(0, 0) - w) / w < 1e-11, "v=" << v);
  }
}

// One linear cell into a finite-gain TIA: u = input node, r_s the series resistance,
// (V - u)/r_s = (u - f(u))/r_f with f(u) = rail·tanh(A(offset - u)/rail);
// I = (V - u)/r_s, dI/dV = 1/(r_s + r_f/(1 - f'(u))).
BOOST_AUTO_TEST_CASE(one_cell_tia_closed_form) {
  for (double r_f : {10e3, 1e6}) {  // 1 MOhm drives the output into its rail
    auto spec = randomSpec(1, 1, 2.5, 4.0, 10.0);
    spec.g_s(0, 0) = 1.0 / 20e3;
    const circuit::TiaSpec t{.open_loop_gain = 3e3, .offset_v = 0.01, .r_feedback_ohm = r_f, .rail_v = 1.5};
    spec.sense = circuit::makeTia(t);
    const double rs = 10.0 + 2.5 + 20e3 + 4.0;
    auto f = [&](double u) { return t.rail_v * std::tanh(t.open_loop_gain * (t.offset_v - u) / t.rail_v); };
    auto fp = [&](double u) {
      const double th = std::tanh(t.open_loop_gain * (t.offset_v - u) / t.rail_v);
      return -t.open_loop_gain * (1.0 - th * th);
    };
    for (auto fact : {NativeFactorization::Grid, NativeFactorization::Sparse}) {
      NativeSolver solver(spec, with(fact));
      for (double v : {0.2, 0.5}) {
        const double u = bisect([&](double x) { return (v - x) / rs - (x - f(x)) / r_f; }, -10.0, 10.0);
        const double i = (v - u) / rs;
        Eigen::VectorXd x(1);
        x << v;
        BOOST_TEST(std::abs(solver.currents(x)[0] - i) / std::abs(i) < 1e-10, "rf=" << r_f << " v=" << v);
        BOOST_TEST(std::abs(solver.senseNodeVoltages()[0] - u) < 1e-10);
        const double w = 1.0 / (rs + r_f / (1.0 - fp(u)));
        BOOST_TEST(std::abs(solver.effectiveWeights(v)(0, 0) - w) / w < 1e-9, "rf=" << r_f << " v=" << v);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(tia_with_huge_gain_is_ideal) {
  // Also with ideal (merged) wires: the sense node joins the column when r_col = 0.
  for (double rr : {0.0, 2.5})
    for (double rc : {0.0, 2.5}) {
      auto spec = randomSpec(6, 5, rr, rc, 3.0, 21);
      const Eigen::MatrixXd ideal = test::referenceWeights(spec);
      spec.sense = circuit::makeTia({.open_loop_gain = 1e12, .offset_v = 0.0, .r_feedback_ohm = 1e3});
      for (auto fact : {NativeFactorization::Auto, NativeFactorization::Sparse}) {
        NativeSolver solver(spec, with(fact));
        BOOST_TEST(relErr(solver.effectiveWeights(0.1), ideal) < 1e-6, "rr=" << rr << " rc=" << rc);
        const Eigen::VectorXd x = Eigen::VectorXd::LinSpaced(6, 0.0, 0.2);
        BOOST_TEST(relErr(solver.currents(x), ideal * x) < 1e-6, "rr=" << rr << " rc=" << rc);
      }
    }
}

BOOST_AUTO_TEST_CASE(grid_and_sparse_agree_on_nonlinear_circuits) {
  auto spec = sinhSpec(randomSpec(12, 9, 2.5, 1.5, 5.0, 3));
  for (bool tia : {false, true}) {
    if (tia) {
      spec.sense = circuit::makeTia({.open_loop_gain = 1e4, .offset_v = 0.005});
    }
    NativeSolver grid(spec, with(NativeFactorization::Grid));
    NativeSolver sparse(spec, with(NativeFactorization::Sparse));
    BOOST_TEST(relErr(grid.effectiveWeights(0.3), sparse.effectiveWeights(0.3)) < 1e-10);
    const Eigen::MatrixXd x = (Eigen::MatrixXd::Random(12, 3).array() + 1.0) * 0.25;
    BOOST_TEST(relErr(grid.currentsBatch(x), sparse.currentsBatch(x)) < 1e-10);
  }
}

// A linear array read by finite-gain TIAs: the grid path factorizes once and runs Newton on the
// sense nodes alone; the sparse path runs the full Newton on every node (the reference). One
// TIA driven into its rail exercises the damping of the reduced Newton.
BOOST_AUTO_TEST_CASE(linear_array_with_tia_reduces_to_sense_nodes) {
  for (double r_f : {2e3, 1e6}) {
    auto spec = randomSpec(20, 13, 1.0, 2.5, 3.0, 17);
    spec.sense = circuit::makeTia({.open_loop_gain = 1e4, .offset_v = 0.003, .r_feedback_ohm = r_f});
    NativeSolver grid(spec, with(NativeFactorization::Grid));
    NativeSolver sparse(spec, with(NativeFactorization::Sparse));
    const Eigen::MatrixXd w = grid.effectiveWeights(0.2);
    BOOST_TEST(grid.report().factorizations == 1);
    BOOST_TEST(grid.report().newton.converged);
    BOOST_TEST(relErr(w, sparse.effectiveWeights(0.2)) < 1e-9, "r_f=" << r_f);
    // The interior was not solved; asked for, it is (a full Newton at the read point).
    BOOST_TEST(relErr(grid.senseNodeVoltages(), sparse.senseNodeVoltages()) < 1e-9);
    BOOST_TEST(grid.report().factorizations == 1);  // the report is W_eff's
  }
}

// Chord Newton (factors reused across iterations and input vectors) against the full Newton
// (a fresh Jacobian every iteration), on sinh cells with wires and with a TIA.
BOOST_AUTO_TEST_CASE(chord_newton_matches_full_newton) {
  for (bool tia : {false, true}) {
    auto spec = sinhSpec(randomSpec(24, 18, 2.5, 2.5, 0.0, 31, 5e-6, 50e-6));
    if (tia) spec.sense = circuit::makeTia({.open_loop_gain = 1e4, .offset_v = 0.002});
    NativeOptions full_opt;
    full_opt.chord = false;
    NativeSolver chord(spec);
    NativeSolver full(spec, full_opt);
    const Eigen::MatrixXd x = (Eigen::MatrixXd::Random(24, 12).array() + 1.0) * 0.25;
    const Eigen::MatrixXd a = chord.currentsBatch(x);
    const Eigen::MatrixXd b = full.currentsBatch(x);
    BOOST_TEST(relErr(a, b) < 1e-9, "tia=" << tia);
    BOOST_TEST_MESSAGE("chord: " << chord.report().factorizations << " factorizations, "
                       << chord.report().chord_steps << " chord steps; full Newton: "
                       << full.report().factorizations << " factorizations");
    BOOST_TEST(full.report().chord_steps == 0);
    BOOST_TEST(chord.report().chord_steps > 0);
    BOOST_TEST(chord.report().factorizations < full.report().factorizations);
  }
}

BOOST_AUTO_TEST_CASE(jacobian_matches_finite_differences) {
  auto spec = sinhSpec(randomSpec(8, 6, 2.5, 2.5, 0.0, 5, 10e-6, 250e-6));
  spec.sense = circuit::makeTia({.open_loop_gain = 2e3});
  NativeSolver solver(spec);
  const double v = 0.3, h = 1e-5;
  const Eigen::MatrixXd w = solver.effectiveWeights(v);
  Eigen::MatrixXd fd(6, 8);
  for (Eigen::Index i = 0; i < 8; ++i) {
    Eigen::VectorXd xp = Eigen::VectorXd::Constant(8, v), xm = xp;
    xp[i] += h;
    xm[i] -= h;
    fd.col(i) = (solver.currents(xp) - solver.currents(xm)) / (2 * h);
  }
  BOOST_TEST(relErr(w, fd) < 1e-7);
}

BOOST_AUTO_TEST_CASE(newton_report_and_warm_start) {
  const auto spec = sinhSpec(randomSpec(16, 16, 2.5, 2.5, 0.0, 8, 10e-6, 100e-6));
  NativeSolver solver(spec);
  const Eigen::VectorXd x = Eigen::VectorXd::LinSpaced(16, 0.1, 0.6);
  (void)solver.currents(x);
  const auto rep = solver.report();
  BOOST_TEST_MESSAGE("sinh 16x16: " << rep.newton.iterations << " iterations, update "
                     << rep.newton.update_v << " V, residual " << rep.newton.residual_a << " A");
  BOOST_TEST(rep.newton.converged);
  BOOST_TEST(rep.newton.iterations >= 3);
  BOOST_TEST(rep.newton.iterations <= 15);
  BOOST_TEST(rep.newton.update_v < 1e-9);
  BOOST_TEST(rep.newton.residual_a < 1e-15);
  BOOST_TEST(rep.factorizations + rep.chord_steps == rep.newton.iterations);
  BOOST_TEST(rep.factorizations < rep.newton.iterations);  // chord steps reuse the factors
  BOOST_TEST(rep.factorization.find("grid-multifrontal") == 0);
  // Warm start: the same input again converges in one iteration.
  (void)solver.currents(x);
  BOOST_TEST(solver.report().newton.iterations == 1);
  // Batch: warm-started from the previous input, fewer iterations than from 0 V.
  Eigen::MatrixXd batch(16, 4);
  for (int k = 0; k < 4; ++k) batch.col(k) = x * (1.0 + 0.01 * k);
  (void)solver.currentsBatch(batch);
  BOOST_TEST(solver.report().newton_solves == 4);
  BOOST_TEST(solver.report().newton_iterations < 4 * rep.newton.iterations);
}

BOOST_AUTO_TEST_CASE(newton_failure_is_reported) {
  const auto spec = sinhSpec(randomSpec(4, 4, 2.5, 2.5, 0.0, 8, 10e-6, 100e-6), 0.05);
  NativeOptions o;
  o.newton.max_iterations = 2;
  NativeSolver solver(spec, o);
  try {
    (void)solver.currents(Eigen::VectorXd::Constant(4, 2.0));
    BOOST_FAIL("expected a NumericalError");
  } catch (const NumericalError& e) {
    const std::string msg = e.what();
    BOOST_TEST_MESSAGE(msg);
    BOOST_TEST(msg.find("did not converge") != std::string::npos);
    BOOST_TEST(msg.find("worst node") != std::string::npos);
  }
  BOOST_TEST(!solver.report().newton.converged);
  BOOST_TEST(!solver.report().newton.worst_node.empty());
  // With the default iteration limit it converges (damped), also at 2 V with V0 = 50 mV.
  NativeSolver patient(spec);
  const Eigen::VectorXd i = patient.currents(Eigen::VectorXd::Constant(4, 2.0));
  BOOST_TEST(patient.report().newton.converged);
  BOOST_TEST(i.allFinite());
}

BOOST_AUTO_TEST_CASE(least_squares_of_small_signals_is_the_jacobian) {
  const auto spec = sinhSpec(randomSpec(6, 5, 2.5, 2.5, 0.0, 4));
  NativeSolver solver(spec);
  const Eigen::MatrixXd w0 = solver.effectiveWeights(0.0);
  const Eigen::MatrixXd x = Eigen::MatrixXd::Random(6, 30) * 1e-3;
  BOOST_TEST(relErr(solver.leastSquaresWeights(x), w0) < 1e-4);
  // At large signals the sinh law bends the surrogate above the small-signal conductance.
  const Eigen::MatrixXd big = (Eigen::MatrixXd::Random(6, 30).array() + 1.0) * 0.4;
  BOOST_TEST(solver.leastSquaresWeights(big).sum() > w0.sum());
}

BOOST_AUTO_TEST_CASE(singular_matrix_names_the_floating_node) {
  // A TIA column whose cells are all open and whose amplifier load is (artificially) 0 floats.
  auto spec = randomSpec(3, 4, 2.5, 2.5, 0.0, 2);
  spec.sense = circuit::makeTia({});
  spec.g_s.col(2).setZero();
  circuit::detail::Topology topo(spec);
  circuit::detail::SparseNodal nodal(topo);
  Eigen::VectorXd loads = Eigen::VectorXd::Constant(4, 1e-3);
  loads[2] = 0.0;
  try {
    nodal.factorize(spec.g_s, loads);
    BOOST_FAIL("expected a NumericalError");
  } catch (const NumericalError& e) {
    const std::string msg = e.what();
    BOOST_TEST_MESSAGE(msg);
    BOOST_TEST(msg.find("floating node c0_2 (column node of cell (0,2))") != std::string::npos);
  }
  // The grid factorization reports the domain of a non-positive-definite front.
  circuit::detail::GridParams gp{3, 4, 0.4, 0.4, 0.4};
  circuit::detail::GridMultifrontal grid(gp, {});
  Eigen::MatrixXd g = spec.g_s;
  g(1, 1) = -10.0;  // non-physical
  BOOST_CHECK_THROW(grid.factorize(g, true), NumericalError);
}

BOOST_AUTO_TEST_SUITE_END()
