// SPDX-License-Identifier: MIT
// TrainingCrossbar: forward against the native solver's W_eff, backward against independent
// nodal solves (reciprocity), update-phase cell voltages against closed forms and the exact
// solve, the ladder approximation's error at 64×64, the pulse-efficiency law.
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>

#include <random>
#include <tuple>

#include "native_reference.hpp"
#include "xbarsim/circuit/native_solver.hpp"
#include "xbarsim/circuit/sense_tia.hpp"
#include "xbarsim/circuit/training_crossbar.hpp"
#include "xbarsim/core/error.hpp"

using namespace xbarsim;
using circuit::BiasScheme;
using circuit::TrainingCrossbar;
using circuit::UpdateCircuitMode;
using test::relErr;

namespace {

/// Row currents into the row terminals (R×C transfer) from exact update-phase solves with one
/// column terminal at 1 V and every other terminal at 0 V: by KCL on each row (its far end is
/// open) I_row_i = Σ_j g_ij (c_ij − u_ij) = −Σ_j g_ij V_cell(i,j). Independent of the
/// multiport matrix that backward() uses.
Eigen::MatrixXd backwardBySolves(TrainingCrossbar& xb) {
  const auto R = xb.rows(), C = xb.cols();
  const Eigen::MatrixXd v =
      xb.cellVoltagesBatch(Eigen::MatrixXd::Zero(R, C), Eigen::MatrixXd::Identity(C, C));
  Eigen::MatrixXd b(R, C);
  for (Eigen::Index j = 0; j < C; ++j) {
    const Eigen::Map<const Eigen::MatrixXd> vc(v.col(j).data(), R, C);
    b.col(j) = -(xb.conductances().array() * vc.array()).rowwise().sum().matrix();
  }
  return b;
}

/// Column currents into the column terminals (C×R transfer) from exact solves with one row
/// driven: I_col_j = Σ_i g_ij V_cell(i,j) (KCL on the column, far end open).
Eigen::MatrixXd forwardBySolves(TrainingCrossbar& xb) {
  const auto R = xb.rows(), C = xb.cols();
  const Eigen::MatrixXd v =
      xb.cellVoltagesBatch(Eigen::MatrixXd::Identity(R, R), Eigen::MatrixXd::Zero(C, R));
  Eigen::MatrixXd f(C, R);
  for (Eigen::Index i = 0; i < R; ++i) {
    const Eigen::Map<const Eigen::MatrixXd> vc(v.col(i).data(), R, C);
    f.col(i) = (xb.conductances().array() * vc.array()).colwise().sum().transpose().matrix();
  }
  return f;
}

std::vector<Eigen::Index> randomSubset(Eigen::Index n, double p, std::mt19937_64& gen) {
  std::bernoulli_distribution pick(p);
  std::vector<Eigen::Index> s;
  for (Eigen::Index k = 0; k < n; ++k)
    if (pick(gen)) s.push_back(k);
  return s;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(training_crossbar)

BOOST_AUTO_TEST_CASE(forward_equals_native_weff) {
  const auto spec = test::randomSpec(24, 17, 1.5, 3.0, 20.0, 5);
  TrainingCrossbar xb(spec);
  circuit::NativeSolver solver(spec);
  const Eigen::MatrixXd w = solver.effectiveWeights();
  BOOST_TEST(relErr(xb.forwardMatrix(), w) < 1e-12);
  const Eigen::MatrixXd x = Eigen::MatrixXd::Random(24, 9) * 0.3;
  BOOST_TEST(relErr(xb.forward(x), solver.currentsBatch(x)) < 1e-12);
  BOOST_TEST(relErr(xb.forward(x), test::referenceCurrentsBatch(spec, x)) < 1e-10);
  BOOST_TEST(xb.factorizations() == 1);  // one factorization for every vector of this state
}

// Reciprocity: rows behind the same r_driver and columns at the same ideal terminal in both
// phases => B = Fᵀ exactly. Both transfers are measured here by solving the nodal equations
// with the other phase's terminals driven (not through the multiport matrix).
BOOST_AUTO_TEST_CASE(backward_is_transpose_of_forward) {
  for (const double r_driver : {0.0, 25.0}) {
    const auto spec = test::randomSpec(13, 21, 2.0, 0.7, r_driver, 6);
    TrainingCrossbar xb(spec);
    const Eigen::MatrixXd f = xb.forwardMatrix();
    const Eigen::MatrixXd b_solve = backwardBySolves(xb);
    const Eigen::MatrixXd f_solve = forwardBySolves(xb);
    BOOST_TEST_MESSAGE("r_driver " << r_driver << ": |B_solve - F^T| "
                                   << relErr(b_solve, f.transpose()) << ", |F_solve - F| "
                                   << relErr(f_solve, f));
    BOOST_TEST(relErr(b_solve, f.transpose()) < 1e-12);
    BOOST_TEST(relErr(f_solve, f) < 1e-12);
    const Eigen::MatrixXd d = Eigen::MatrixXd::Random(21, 5);
    BOOST_TEST(relErr(xb.backward(d), b_solve * d) < 1e-12);
  }
}

BOOST_AUTO_TEST_CASE(conductance_update_refactorizes) {
  auto spec = test::randomSpec(10, 10, 1.0, 1.0, 0.0, 7);
  TrainingCrossbar xb(spec);
  const Eigen::MatrixXd f0 = xb.forwardMatrix();
  spec.g_s *= 2.0;
  xb.setConductances(spec.g_s);
  circuit::NativeSolver solver(spec);
  BOOST_TEST(relErr(xb.forwardMatrix(), solver.effectiveWeights()) < 1e-12);
  BOOST_TEST(relErr(xb.forwardMatrix(), f0) > 0.5);
  BOOST_TEST(xb.factorizations() == 2);
  BOOST_CHECK_THROW(xb.setConductances(Eigen::MatrixXd::Ones(10, 9) * 1e-6), Error);
  BOOST_CHECK_THROW(xb.setConductances(Eigen::MatrixXd::Constant(10, 10, -1e-6)), Error);
}

BOOST_AUTO_TEST_CASE(ideal_wires_closed_forms) {
  auto spec = test::randomSpec(6, 4, 0.0, 0.0, 0.0, 8);
  TrainingCrossbar xb(spec);
  BOOST_TEST(relErr(xb.forwardMatrix(), spec.g_s.transpose()) < 1e-15);
  // With a driver resistance every row is one node: u_i = (g_d V_i + Σ_j g_ij V_j)/(g_d + Σ_j
  // g_ij).
  spec.r_driver_ohm = 5e3;
  TrainingCrossbar xd(spec);
  circuit::NativeSolver solver(spec);
  BOOST_TEST(relErr(xd.forwardMatrix(), solver.effectiveWeights()) < 1e-12);
  BOOST_TEST(relErr(backwardBySolves(xd), xd.forwardMatrix().transpose()) < 1e-12);
  const Eigen::VectorXd vr = Eigen::VectorXd::Random(6), vc = Eigen::VectorXd::Random(4);
  const Eigen::MatrixXd v = xd.cellVoltages(vr, vc);
  for (Eigen::Index i = 0; i < 6; ++i) {
    const double gd = 1.0 / 5e3;
    const double u = (gd * vr[i] + spec.g_s.row(i).dot(vc)) / (gd + spec.g_s.row(i).sum());
    for (Eigen::Index j = 0; j < 4; ++j) BOOST_TEST(std::abs(v(i, j) - (u - vc[j])) < 1e-15);
  }
}

BOOST_AUTO_TEST_CASE(bias_levels_with_ideal_wires) {
  const auto spec = test::randomSpec(5, 6, 0.0, 0.0, 0.0, 9);
  TrainingCrossbar xb(spec);
  const std::vector<Eigen::Index> rows{1, 3}, cols{0, 4, 5};
  auto sel = [&](Eigen::Index i, Eigen::Index j) {
    const bool r = i == 1 || i == 3, c = j == 0 || j >= 4;
    return r && c ? 2 : (r || c ? 1 : 0);
  };
  for (const int p : {1, -1}) {
    for (const auto scheme : {BiasScheme::HalfV, BiasScheme::ThirdV}) {
      const auto t = circuit::biasTerminals({scheme, 1.2}, 5, 6, rows, cols, p);
      const Eigen::MatrixXd v = xb.cellVoltages(t.rows_v, t.cols_v);
      const double half = scheme == BiasScheme::HalfV ? 0.6 : 0.4;
      const double none = scheme == BiasScheme::HalfV ? 0.0 : -0.4;
      for (Eigen::Index i = 0; i < 5; ++i)
        for (Eigen::Index j = 0; j < 6; ++j) {
          const double want = p * (sel(i, j) == 2 ? 1.2 : (sel(i, j) == 1 ? half : none));
          BOOST_TEST(std::abs(v(i, j) - want) < 1e-15);
        }
    }
  }
  BOOST_CHECK_THROW(circuit::biasTerminals({}, 5, 6, {5}, cols, 1), Error);
  BOOST_CHECK_THROW(circuit::biasTerminals({}, 5, 6, rows, cols, 0), Error);
}

// With wires, the exact cell voltages satisfy KCL with the drivers: every slot's terminal
// currents sum to zero, and a common shift of every terminal changes no cell voltage.
BOOST_AUTO_TEST_CASE(exact_voltages_shift_invariant_and_batched) {
  const auto spec = test::randomSpec(12, 9, 1.0, 2.0, 10.0, 10, 10e-6, 100e-6);
  TrainingCrossbar xb(spec);
  const auto t = circuit::biasTerminals({BiasScheme::ThirdV, 1.0}, 12, 9, {0, 5, 11}, {2, 8}, 1);
  const Eigen::MatrixXd v = xb.cellVoltages(t.rows_v, t.cols_v);
  const Eigen::VectorXd sr = t.rows_v.array() + 0.3, sc = t.cols_v.array() + 0.3;
  BOOST_TEST((xb.cellVoltages(sr, sc) - v).cwiseAbs().maxCoeff() < 1e-12);
  Eigen::MatrixXd rr(12, 2), cc(9, 2);
  rr << t.rows_v, sr;
  cc << t.cols_v, sc;
  const Eigen::MatrixXd flat = xb.cellVoltagesBatch(rr, cc);
  BOOST_TEST(
      (Eigen::Map<const Eigen::MatrixXd>(flat.col(0).data(), 12, 9) - v).cwiseAbs().maxCoeff() <
      1e-15);
  // IR drop lowers the selected cells below V_p.
  BOOST_TEST(v(5, 2) < 1.0);
  BOOST_TEST(v(5, 2) > 0.9);
}

// One ladder sweep keeps each line's own IR drop exactly and drops the coupling of the two
// layers: its error is second order in the wire resistance while the IR drop is first order.
// Halving r must shrink the error about fourfold.
BOOST_AUTO_TEST_CASE(ladder_error_is_second_order) {
  double prev_err = 0.0;
  circuit::TrainingCrossbarOptions one;
  one.ladder_sweeps = 1;
  for (const double r : {2.0, 1.0, 0.5}) {
    const auto spec = test::randomSpec(32, 32, r, r, 0.0, 11, 1e-6, 100e-6);
    TrainingCrossbar xb(spec, one);
    std::mt19937_64 gen(3);
    const auto rows = randomSubset(32, 0.5, gen), cols = randomSubset(32, 0.5, gen);
    const auto t = circuit::biasTerminals({BiasScheme::HalfV, 1.0}, 32, 32, rows, cols, 1);
    const Eigen::MatrixXd ex = xb.cellVoltages(t.rows_v, t.cols_v);
    const Eigen::MatrixXd ap = xb.cellVoltages(t.rows_v, t.cols_v, UpdateCircuitMode::Ladder);
    Eigen::MatrixXd ideal(32, 32);
    for (Eigen::Index i = 0; i < 32; ++i)
      for (Eigen::Index j = 0; j < 32; ++j) ideal(i, j) = t.rows_v[i] - t.cols_v[j];
    const double err = (ap - ex).cwiseAbs().maxCoeff(), drop = (ideal - ex).cwiseAbs().maxCoeff();
    BOOST_TEST_MESSAGE("r " << r << " ohm: max IR drop " << drop << " V, ladder error " << err
                            << " V");
    BOOST_TEST(err < 0.1 * drop);
    if (prev_err > 0.0) BOOST_TEST(err < prev_err / 3.0);
    prev_err = err;
  }
}

// The approximation's error against the exact mode at 64×64 with 1 Ω segments (the figures in
// docs/training-circuit.md): stochastic slots with row/column firing probabilities 0.1..1, both
// schemes and polarities, conductances in [1, 25] µS (typical) and all at 100 µS (worst IR
// drop). Bounds on |V_ladder − V_exact| (2 sweeps, the default; 1 sweep): typical 1e-4 V_p
// (3e-3 V_p); worst 1.5e-2 V_p (a quarter of the IR drop). The iterative mode agrees with the
// exact one to 1e-8 V_p.
BOOST_AUTO_TEST_CASE(ladder_error_64x64) {
  const Eigen::Index n = 64;
  std::mt19937_64 gen(14);
  for (const double g_hi : {25e-6, 100e-6}) {
    auto spec = test::randomSpec(n, n, 1.0, 1.0, 0.0, 15, 1e-6, g_hi);
    if (g_hi == 100e-6) spec.g_s.setConstant(100e-6);
    TrainingCrossbar xb(spec);
    circuit::TrainingCrossbarOptions one;
    one.ladder_sweeps = 1;
    TrainingCrossbar xb1(spec, one);
    double worst_sel = 0.0, worst_all = 0.0, worst_drop = 0.0, worst_cg = 0.0, worst_one = 0.0;
    int cg_its = 0;
    for (const double p : {0.1, 0.3, 0.6, 1.0})
      for (const auto scheme : {BiasScheme::HalfV, BiasScheme::ThirdV})
        for (const int pol : {1, -1}) {
          const auto rows = randomSubset(n, p, gen), cols = randomSubset(n, p, gen);
          const auto t = circuit::biasTerminals({scheme, 1.0}, n, n, rows, cols, pol);
          const Eigen::MatrixXd ex = xb.cellVoltages(t.rows_v, t.cols_v);
          const Eigen::MatrixXd ap = xb.cellVoltages(t.rows_v, t.cols_v, UpdateCircuitMode::Ladder);
          const Eigen::MatrixXd sel = xb.selectedCellVoltages(rows, cols, t.rows_v, t.cols_v);
          const Eigen::MatrixXd cg =
              xb.cellVoltages(t.rows_v, t.cols_v, UpdateCircuitMode::Iterative);
          worst_cg = std::max(worst_cg, (cg - ex).cwiseAbs().maxCoeff());
          worst_one = std::max(
              worst_one, (xb1.cellVoltages(t.rows_v, t.cols_v, UpdateCircuitMode::Ladder) - ex)
                             .cwiseAbs()
                             .maxCoeff());
          cg_its = std::max(cg_its, xb.lastCgIterations());
          worst_all = std::max(worst_all, (ap - ex).cwiseAbs().maxCoeff());
          for (std::size_t a = 0; a < rows.size(); ++a)
            for (std::size_t b = 0; b < cols.size(); ++b) {
              const double e = ex(rows[a], cols[b]);
              worst_sel = std::max(
                  worst_sel,
                  std::abs(sel(static_cast<Eigen::Index>(a), static_cast<Eigen::Index>(b)) - e));
              worst_drop = std::max(worst_drop, std::abs(pol * 1.0 - e));
            }
        }
    BOOST_TEST_MESSAGE("64x64, 1 ohm, g_hi "
                       << g_hi << " S: IR drop on selected cells up to " << worst_drop
                       << " V_p; 1-sweep ladder error " << worst_one
                       << " V_p; 2-sweep ladder error selected " << worst_sel << " V_p, all cells "
                       << worst_all << " V_p; iterative " << worst_cg << " V_p in <= " << cg_its
                       << " CG iterations");
    BOOST_TEST(worst_cg < 1e-8);
    if (g_hi == 25e-6) {
      BOOST_TEST(worst_one < 3e-3);
      BOOST_TEST(worst_sel < 1e-4);
      BOOST_TEST(worst_all < 1e-4);
    } else {
      BOOST_TEST(worst_one < 0.25 * worst_drop);
      BOOST_TEST(worst_sel < 1.5e-2);
      BOOST_TEST(worst_all < 1.5e-2);
    }
  }
}

// The bench's tile (docs/training-circuit.md §3): 256×256, 1 Ω, G in [1, 25] µS. The error
// grows with the number of lines firing: bounds 2.5 % of V_p with half the rows and 30 % of the
// columns firing (measured 1.6 %, IR drop 39 %), 6 % with every line (4.3 %, IR drop 49 %).
BOOST_AUTO_TEST_CASE(ladder_error_256x256) {
  const Eigen::Index n = 256;
  const auto spec = test::randomSpec(n, n, 1.0, 1.0, 0.0, 19);
  TrainingCrossbar xb(spec);
  std::mt19937_64 gen(20);
  for (const auto& [p_row, p_col, bound] :
       {std::tuple{0.5, 0.3, 2.5e-2}, std::tuple{1.0, 1.0, 6e-2}}) {
    double worst = 0.0, drop = 0.0;
    for (const int pol : {1, -1}) {
      const auto rows = randomSubset(n, p_row, gen), cols = randomSubset(n, p_col, gen);
      const auto t = circuit::biasTerminals({BiasScheme::HalfV, 1.0}, n, n, rows, cols, pol);
      const Eigen::MatrixXd ex = xb.cellVoltages(t.rows_v, t.cols_v);
      const Eigen::MatrixXd ap = xb.selectedCellVoltages(rows, cols, t.rows_v, t.cols_v);
      for (std::size_t b = 0; b < cols.size(); ++b)
        for (std::size_t a = 0; a < rows.size(); ++a) {
          const double e = ex(rows[a], cols[b]);
          worst = std::max(
              worst, std::abs(ap(static_cast<Eigen::Index>(a), static_cast<Eigen::Index>(b)) - e));
          drop = std::max(drop, std::abs(pol - e));
        }
    }
    BOOST_TEST_MESSAGE("256x256, 1 ohm, firing " << p_row << "/" << p_col << ": IR drop up to "
                                                 << drop << " V_p, 2-sweep ladder error " << worst
                                                 << " V_p");
    BOOST_TEST(drop > 0.2);
    BOOST_TEST(worst < bound);
  }
}

BOOST_DATA_TEST_CASE(selected_cells_match_full_ladder, boost::unit_test::data::make({false, true}),
                     sweeps_arbitrary) {
  const auto spec = test::randomSpec(20, 15, 1.0, 1.0, 5.0, 12, 10e-6, 200e-6);
  // Unsorted indices; two-level terminals (the Green's-function path for 1 and 2 sweeps) and
  // arbitrary ones (line solves).
  const std::vector<Eigen::Index> rows{19, 0, 7}, cols{14, 3};
  auto t = circuit::biasTerminals({BiasScheme::ThirdV, 1.0}, 20, 15, rows, cols, -1);
  if (sweeps_arbitrary) t.rows_v[5] += 0.05;
  for (const int sweeps : {1, 2, 3}) {
    circuit::TrainingCrossbarOptions o;
    o.ladder_sweeps = sweeps;
    TrainingCrossbar xb(spec, o);
    const Eigen::MatrixXd full = xb.cellVoltages(t.rows_v, t.cols_v, UpdateCircuitMode::Ladder);
    const Eigen::MatrixXd sel = xb.selectedCellVoltages(rows, cols, t.rows_v, t.cols_v);
    for (std::size_t a = 0; a < rows.size(); ++a)
      for (std::size_t b = 0; b < cols.size(); ++b)
        BOOST_TEST(std::abs(sel(static_cast<Eigen::Index>(a), static_cast<Eigen::Index>(b)) -
                            full(rows[a], cols[b])) < 1e-14);
  }
}

// The sweeps are block Jacobi on the nodal equations: they converge to the exact solution.
BOOST_AUTO_TEST_CASE(ladder_sweeps_converge_to_exact) {
  const auto spec = test::randomSpec(24, 24, 1.0, 1.0, 2.0, 16, 10e-6, 100e-6);
  std::mt19937_64 gen(5);
  const auto rows = randomSubset(24, 0.6, gen), cols = randomSubset(24, 0.6, gen);
  const auto t = circuit::biasTerminals({BiasScheme::HalfV, 1.0}, 24, 24, rows, cols, 1);
  double prev = 1.0;
  for (const int sweeps : {1, 2, 3, 4, 40}) {
    circuit::TrainingCrossbarOptions o;
    o.ladder_sweeps = sweeps;
    TrainingCrossbar xb(spec, o);
    const double err = (xb.cellVoltages(t.rows_v, t.cols_v, UpdateCircuitMode::Ladder) -
                        xb.cellVoltages(t.rows_v, t.cols_v))
                           .cwiseAbs()
                           .maxCoeff();
    BOOST_TEST_MESSAGE(sweeps << " sweeps: max error " << err << " V");
    BOOST_TEST(err < prev);
    prev = err;
  }
  BOOST_TEST(prev < 1e-12);
}

BOOST_AUTO_TEST_CASE(pulse_efficiency_law) {
  circuit::PulseEfficiency e{1.0, 0.6, 2.0};
  e.validate();
  BOOST_TEST(e(1.0) == 1.0);
  BOOST_TEST(e(-1.0) == -1.0);
  BOOST_TEST(e(0.6) == 0.0);
  BOOST_TEST(e(0.5) == 0.0);
  BOOST_TEST(std::abs(e(0.8) - 0.25) < 1e-15);
  BOOST_TEST(std::abs(e(-0.9) + 0.5625) < 1e-15);
  BOOST_CHECK_THROW((circuit::PulseEfficiency{0.5, 0.6, 1.0}.validate()), Error);
  BOOST_CHECK_THROW((circuit::PulseEfficiency{1.0, 0.6, 0.0}.validate()), Error);
}

BOOST_AUTO_TEST_CASE(coincidence_step_fractions) {
  const circuit::PulseEfficiency eff{1.0, 0.6, 1.5};
  const std::vector<Eigen::Index> rows{2, 0}, cols{1, 3, 4};
  // Ideal wires: every selected cell sees ±V_p, a full step.
  TrainingCrossbar ideal(test::randomSpec(5, 6, 0.0, 0.0, 0.0, 17));
  for (const int p : {1, -1}) {
    const Eigen::MatrixXd f =
        ideal.coincidenceStepFractions({BiasScheme::ThirdV, 1.0}, rows, cols, p, eff);
    BOOST_TEST((f.array() - p).abs().maxCoeff() < 1e-15);
  }
  // Wires: the law applied to the selected cells' voltages; IR drop means less than a step.
  TrainingCrossbar xb(test::randomSpec(5, 6, 3.0, 3.0, 0.0, 18, 100e-6, 900e-6));
  const circuit::UpdateBias bias{BiasScheme::HalfV, 1.0};
  const auto t = circuit::biasTerminals(bias, 5, 6, rows, cols, -1);
  const Eigen::MatrixXd v = xb.selectedCellVoltages(rows, cols, t.rows_v, t.cols_v);
  const Eigen::MatrixXd f = xb.coincidenceStepFractions(bias, rows, cols, -1, eff);
  for (Eigen::Index b = 0; b < 3; ++b)
    for (Eigen::Index a = 0; a < 2; ++a) {
      BOOST_TEST(f(a, b) == eff(v(a, b)));
      BOOST_TEST(f(a, b) < 0.0);
      BOOST_TEST(f(a, b) > -1.0);
    }
}

BOOST_AUTO_TEST_CASE(rejects_unsupported_circuits) {
  auto spec = test::randomSpec(4, 4, 1.0, 0.0, 0.0, 13);
  BOOST_CHECK_THROW(TrainingCrossbar{spec}, Error);
  spec.r_col_ohm = 1.0;
  spec.iv.kind = device::IvKind::Sinh;
  spec.iv.v0_v = 0.25;
  BOOST_CHECK_THROW(TrainingCrossbar{spec}, Error);
  spec.iv.kind = device::IvKind::Linear;
  spec.sense = circuit::makeTia(circuit::TiaSpec{});
  BOOST_CHECK_THROW(TrainingCrossbar{spec}, Error);
  spec.sense = circuit::idealSense();
  TrainingCrossbar xb(spec);
  BOOST_CHECK_THROW((void)xb.forward(Eigen::MatrixXd::Zero(3, 1)), Error);
  BOOST_CHECK_THROW((void)xb.cellVoltages(Eigen::VectorXd::Zero(4), Eigen::VectorXd::Zero(5)),
                    Error);
  BOOST_CHECK_THROW((void)xb.selectedCellVoltages({1, 1}, {0}, Eigen::VectorXd::Zero(4),
                                                  Eigen::VectorXd::Zero(4)),
                    Error);
  circuit::TrainingCrossbarOptions bad;
  bad.ladder_sweeps = 0;
  BOOST_CHECK_THROW(TrainingCrossbar(spec, bad), Error);
}

BOOST_AUTO_TEST_SUITE_END()
