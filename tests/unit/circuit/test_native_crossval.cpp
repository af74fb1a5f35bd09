// SPDX-License-Identifier: MIT
// Native solver vs the standalone ngspice on the same circuits (decks written here).
#define BOOST_TEST_MODULE circuit_native_crossval
#include <boost/test/unit_test.hpp>

#include "native_reference.hpp"
#include "ngspice_runner.hpp"
#include "xbarsim/circuit/sense_tia.hpp"
#include "xbarsim/circuit/native_solver.hpp"
#include "xbarsim/circuit/native_transient.hpp"

using namespace xbarsim;
using circuit::NativeSolver;
using test::relErr;

namespace {
// Tight Newton tolerances so that ngspice's own convergence does not limit the comparison.
const std::string kOptions = ".options numdgt=17 reltol=1e-12 abstol=1e-18 vntol=1e-15";
}  // namespace

BOOST_AUTO_TEST_SUITE(native_vs_ngspice)

BOOST_AUTO_TEST_CASE(linear_weights_16x16) {
  auto spec = test::randomSpec(16, 16, 2.5, 2.5, 10.0, 31);
  spec.g_s(3, 4) = 0.0 + 1e-12;  // a nearly open cell (ngspice cannot take 1/0)
  NativeSolver solver(spec);
  const Eigen::MatrixXd w = solver.effectiveWeights();
  const Eigen::MatrixXd ref = test::ngspiceCurrents(spec, Eigen::MatrixXd::Identity(16, 16), kOptions);
  const double err = relErr(w, ref);
  BOOST_TEST_MESSAGE("linear 16x16 W_eff: max rel err vs ngspice " << err);
  BOOST_TEST(err < 1e-9);
}

BOOST_AUTO_TEST_CASE(linear_weights_non_square) {
  const auto spec = test::randomSpec(5, 12, 1.0, 4.0, 0.0, 32);
  NativeSolver solver(spec);
  const double err = relErr(solver.effectiveWeights(),
                            test::ngspiceCurrents(spec, Eigen::MatrixXd::Identity(5, 5), kOptions));
  BOOST_TEST_MESSAGE("linear 5x12 W_eff: max rel err vs ngspice " << err);
  BOOST_TEST(err < 1e-9);
}

BOOST_AUTO_TEST_CASE(sinh_mvm_16x16) {
  auto spec = test::randomSpec(16, 16, 2.5, 2.5, 5.0, 33, 10e-6, 250e-6);
  spec.iv.kind = device::IvKind::Sinh;
  spec.iv.v0_v = 0.25;
  NativeSolver solver(spec);
  const Eigen::MatrixXd x = (Eigen::MatrixXd::Random(16, 4).array() + 1.0) * 0.25;  // [0, 0.5] V
  const Eigen::MatrixXd cur = solver.currentsBatch(x);
  const Eigen::MatrixXd ref = test::ngspiceCurrents(spec, x, kOptions);
  const double err = relErr(cur, ref);
  BOOST_TEST_MESSAGE("sinh 16x16 MVM: max rel err vs ngspice " << err);
  BOOST_TEST(err < 1e-6);
  // W_eff at the read point vs central differences of ngspice currents.
  const double v = 0.2, h = 1e-4;
  Eigen::MatrixXd xs(16, 2 * 3);
  for (int i = 0; i < 3; ++i) {
    xs.col(2 * i) = Eigen::VectorXd::Constant(16, v);
    xs.col(2 * i + 1) = xs.col(2 * i);
    xs(i, 2 * i) += h;
    xs(i, 2 * i + 1) -= h;
  }
  const Eigen::MatrixXd cs = test::ngspiceCurrents(spec, xs, kOptions);
  const Eigen::MatrixXd w = solver.effectiveWeights(v);
  Eigen::MatrixXd fd(16, 3);
  for (int i = 0; i < 3; ++i) fd.col(i) = (cs.col(2 * i) - cs.col(2 * i + 1)) / (2 * h);
  const double werr = relErr(w.leftCols(3), fd);
  BOOST_TEST_MESSAGE("sinh 16x16 W_eff (3 rows) vs ngspice finite differences " << werr);
  BOOST_TEST(werr < 1e-5);
}

BOOST_AUTO_TEST_CASE(tia_mvm_8x8) {
  auto spec = test::randomSpec(8, 8, 2.5, 2.5, 0.0, 34, 10e-6, 100e-6);
  spec.iv.kind = device::IvKind::Sinh;
  spec.sense = circuit::makeTia(
      {.open_loop_gain = 2e3, .offset_v = 2e-3, .r_feedback_ohm = 2e3, .rail_v = 1.5});
  NativeSolver solver(spec);
  Eigen::MatrixXd x = (Eigen::MatrixXd::Random(8, 3).array() + 1.0) * 0.25;
  x.col(2) *= 4.0;  // up to 2 V: some outputs saturate at the rail
  const Eigen::MatrixXd cur = solver.currentsBatch(x);
  const Eigen::MatrixXd ref = test::ngspiceCurrents(spec, x, kOptions);
  const double err = relErr(cur, ref);
  BOOST_TEST_MESSAGE("TIA 8x8 MVM: max rel err vs ngspice " << err);
  BOOST_TEST(err < 1e-6);
}

namespace {
double transientError(const circuit::CrossbarSpec& spec, const circuit::TransientSpec& base) {
  const double dt = 0.1e-9;
  const Eigen::Index points = 201;
  circuit::TransientSpec ts = base;
  ts.t_stop_s = dt * (points - 1);
  ts.output_times_s.clear();
  for (Eigen::Index k = 1; k < points; ++k) ts.output_times_s.push_back(dt * k);
  ts.rel_tol = 1e-7;
  ts.abs_tol_v = 1e-10;
  const auto res = circuit::simulateTransient(spec, ts);
  const Eigen::MatrixXd ref = test::ngspiceTransient(
      spec, ts, dt, points, ".options numdgt=17 reltol=1e-6 abstol=1e-15 vntol=1e-9 chgtol=1e-20");
  return (res.currents_a - ref).cwiseAbs().maxCoeff() / ref.cwiseAbs().maxCoeff();
}
}  // namespace

BOOST_AUTO_TEST_CASE(transient_rc_crossbar_4x4) {
  // 1 kOhm wires and 1 pF lines: nanosecond RC delays along rows and columns.
  const auto spec = test::randomSpec(4, 4, 1e3, 1e3, 500.0, 35, 10e-6, 100e-6);
  circuit::TransientSpec ts;
  ts.capacitance = {1e-12, 1e-12, 0.0};
  ts.inputs = {circuit::PwlWaveform{{1e-9, 1.5e-9, 8e-9, 8.2e-9}, {0.0, 0.3, 0.3, 0.0}},
               circuit::PwlWaveform::step(0.2, 3e-9, 1e-9),
               circuit::PwlWaveform{{0.0, 10e-9}, {0.1, -0.1}},
               circuit::PwlWaveform::constant(0.05)};
  const double err = transientError(spec, ts);
  BOOST_TEST_MESSAGE("transient RC 4x4 vs ngspice .tran: max error " << err << " of peak");
  BOOST_TEST(err < 1e-3);
}

BOOST_AUTO_TEST_CASE(transient_sinh_tia_3x3) {
  auto spec = test::randomSpec(3, 3, 1e3, 1e3, 0.0, 36, 10e-6, 100e-6);
  spec.iv.kind = device::IvKind::Sinh;
  spec.sense = circuit::makeTia({.open_loop_gain = 1e3, .r_feedback_ohm = 5e3});
  circuit::TransientSpec ts;
  ts.capacitance = {1e-12, 2e-12, 0.5e-12};
  ts.inputs = {circuit::PwlWaveform::step(0.5, 1e-9, 2e-9), circuit::PwlWaveform::step(0.3, 4e-9, 0.5e-9),
               circuit::PwlWaveform{{2e-9, 6e-9, 12e-9}, {0.0, 0.6, 0.2}}};
  const double err = transientError(spec, ts);
  BOOST_TEST_MESSAGE("transient sinh + TIA 3x3 vs ngspice .tran: max error " << err << " of peak");
  BOOST_TEST(err < 1e-3);
}

BOOST_AUTO_TEST_SUITE_END()
