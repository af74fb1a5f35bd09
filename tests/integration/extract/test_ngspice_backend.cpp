// SPDX-License-Identifier: MIT
// The ngspice backend against closed-form circuits and against standalone ngspice running an
// independently written netlist.
#include <fmt/format.h>

#include <boost/test/unit_test.hpp>
#include <fstream>

#include "extract_test_util.hpp"
#include "run_command.hpp"
#include "xbarsim/circuit/sense_tia.hpp"
#include "xbarsim/circuit/crossbar_netlist.hpp"
#include "xbarsim/core/error.hpp"
#include "xbarsim/core/rng.hpp"
#include "xbarsim/extract/native_backend.hpp"
#include "xbarsim/extract/ngspice_backend.hpp"

using xbarsim::circuit::CrossbarSpec;
using xbarsim::extract::NgspiceBackend;
using xbarsim::extract::NgspiceWeightMethod;
using xbarsim::test::maxRelativeError;
using xbarsim::test::randomSpec;
using Eigen::Index;

namespace {

/// Row ladder with grounded columns (r_col = 0): the voltage of each cell node for V = 1,
/// by back-substitution from the open far end (hand-derived: v_{k+1} = v_k·a_k with
/// a_{C-1} = 1/(1 + r G_{C-1}), a_k = 1/(1 + r G_k + 1 - a_{k+1}) ... written as impedances).
Eigen::VectorXd rowLadderVoltages(const Eigen::VectorXd& g_row, double r) {
  const Index n = g_row.size();
  // Admittance looking right from node k (into cell k and everything beyond it).
  Eigen::VectorXd y(n);
  y[n - 1] = g_row[n - 1];
  for (Index k = n - 2; k >= 0; --k) y[k] = g_row[k] + 1.0 / (r + 1.0 / y[k + 1]);
  Eigen::VectorXd v(n);
  double v_prev = 1.0;  // driver
  for (Index k = 0; k < n; ++k) {
    const double z_right = 1.0 / y[k];   // node k to ground through cell k and beyond
    v[k] = v_prev * z_right / (r + z_right);
    v_prev = v[k];
  }
  return v;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(ngspice_backend)

BOOST_AUTO_TEST_CASE(ideal_wires_give_g_transposed) {
  CrossbarSpec spec = randomSpec(5, 3, 0.0, 0.0, 11);
  for (auto method : {NgspiceWeightMethod::DcSweep, NgspiceWeightMethod::AlterOp, NgspiceWeightMethod::Ac}) {
    NgspiceBackend backend(method);
    const auto result = backend.effectiveWeights(spec, 0.2);
    BOOST_TEST_INFO("method " << result.method);
    BOOST_TEST(maxRelativeError(result.weff_s, spec.g_s.transpose()) < 1e-12);
  }
}

BOOST_AUTO_TEST_CASE(single_cell_is_a_divider) {
  CrossbarSpec spec = randomSpec(1, 1, 3.0, 7.0, 1);
  spec.r_driver_ohm = 11.0;
  spec.g_s(0, 0) = 1e-3;  // 1 kohm cell: the wires matter at the 2 % level
  const double expected = 1.0 / (11.0 + 3.0 + 1e3 + 7.0);
  const auto result = NgspiceBackend().effectiveWeights(spec, 0.2);
  BOOST_TEST(std::abs(result.weff_s(0, 0) - expected) / expected < 1e-12);
  const auto mvm = NgspiceBackend().currents(spec, Eigen::VectorXd::Constant(1, 0.3));
  BOOST_TEST(std::abs(mvm.currents_a[0] - 0.3 * expected) / (0.3 * expected) < 1e-12);
}

BOOST_AUTO_TEST_CASE(row_wires_match_the_hand_derived_ladder) {
  // r_col = 0: columns are ideal virtual grounds and each row is an independent ladder.
  const double r = 400.0;  // large, so the ladder effect is far above round-off
  CrossbarSpec spec = randomSpec(2, 2, r, 0.0, 5);
  spec.g_s << 1e-3, 2e-3, 3e-3, 0.5e-3;
  const auto result = NgspiceBackend().effectiveWeights(spec, 0.2);
  for (Index i = 0; i < 2; ++i) {
    const Eigen::VectorXd v = rowLadderVoltages(spec.g_s.row(i).transpose(), r);
    for (Index j = 0; j < 2; ++j) {
      const double expected = spec.g_s(i, j) * v[j];
      BOOST_TEST(std::abs(result.weff_s(j, i) - expected) / expected < 1e-12);
    }
  }
  // Hand values for row 0 (G = 1 mS, 2 mS, r = 400 ohm):
  // y1 = 2e-3, y0 = 1e-3 + 1/(400 + 500) = 2.1111e-3; v0 = z0/(r + z0) with z0 = 473.68 ohm.
  BOOST_TEST(std::abs(result.weff_s(0, 0) - 1e-3 * 473.6842105263158 / 873.6842105263158) < 1e-15);
}

BOOST_AUTO_TEST_CASE(column_wires_two_by_two_by_hand) {
  // r_row = 0: rows at their driver voltage. Column j, input on row 0 only (V = 1):
  // node c0 (top) and c1, r to out = 0 V. KCL: G0 (1 - c0) = (c0 - c1)/r,
  // (c0 - c1)/r = G1 c1 + c1/r  =>  c1 = c0 / (2 + r G1), I = c1 / r.
  const double r = 300.0;
  CrossbarSpec spec = randomSpec(2, 2, 0.0, r, 5);
  spec.g_s << 1e-3, 2e-3, 3e-3, 0.5e-3;
  const auto result = NgspiceBackend().effectiveWeights(spec, 0.2);
  for (Index j = 0; j < 2; ++j) {
    const double g0 = spec.g_s(0, j);
    const double g1 = spec.g_s(1, j);
    const double k = 1.0 / (2.0 + r * g1);           // c1 = k c0
    const double c0 = g0 / (g0 + (1.0 - k) / r);      // from the first KCL
    const double expected_row0 = k * c0 / r;
    BOOST_TEST(std::abs(result.weff_s(j, 0) - expected_row0) / expected_row0 < 1e-12);
    // Input on row 1 only: c0 floats between c1 and the grounded row 0 through G0.
    // c0 = c1 / (1 + r G0); KCL at c1: G1 (1 - c1) = (c1 - c0)/r + c1/r.
    const double m = 1.0 / (1.0 + r * g0);
    const double c1 = g1 / (g1 + (1.0 - m) / r + 1.0 / r);
    const double expected_row1 = c1 / r;
    BOOST_TEST(std::abs(result.weff_s(j, 1) - expected_row1) / expected_row1 < 1e-12);
  }
}

BOOST_AUTO_TEST_CASE(methods_agree_with_wires_and_driver) {
  CrossbarSpec spec = randomSpec(6, 5, 2.5, 4.0, 3);
  spec.r_driver_ohm = 20.0;
  const auto sweep = NgspiceBackend(NgspiceWeightMethod::DcSweep).effectiveWeights(spec, 0.2);
  const auto alter = NgspiceBackend(NgspiceWeightMethod::AlterOp).effectiveWeights(spec, 0.2);
  const auto ac = NgspiceBackend(NgspiceWeightMethod::Ac).effectiveWeights(spec, 0.2);
  BOOST_TEST(maxRelativeError(sweep.weff_s, alter.weff_s) < 1e-12);
  BOOST_TEST(maxRelativeError(ac.weff_s, alter.weff_s) < 1e-12);
  // Superposition: MVM currents equal W_eff x for a linear array.
  Eigen::VectorXd x(6);
  x << 0.1, 0.0, 0.2, 0.05, 0.15, 0.2;
  const auto mvm = NgspiceBackend().currents(spec, x);
  BOOST_TEST(maxRelativeError(mvm.currents_a, Eigen::VectorXd(sweep.weff_s * x)) < 1e-11);
}

BOOST_AUTO_TEST_CASE(matches_standalone_ngspice_on_an_independent_netlist) {
  // Written here by hand with other names and element order than the generator.
  const Index rows = 4, cols = 3;
  CrossbarSpec spec = randomSpec(rows, cols, 2.0, 3.0, 21);
  spec.r_driver_ohm = 15.0;
  std::string deck = "independent 4x3 crossbar\n";
  for (Index j = 0; j < cols; ++j) deck += fmt::format("vsense_{} bl_end_{} 0 0\n", j, j);
  for (Index i = 0; i < rows; ++i) {
    deck += fmt::format("vdrive_{} src_{} 0 0\n", i, i);
    deck += fmt::format("rsrc_{} src_{} wl_{}_drv {:.17g}\n", i, i, i, spec.r_driver_ohm);
    for (Index j = 0; j < cols; ++j) {
      const std::string left = j == 0 ? fmt::format("wl_{}_drv", i) : fmt::format("wl_{}_{}", i, j - 1);
      deck += fmt::format("rwl_{}_{} {} wl_{}_{} {:.17g}\n", i, j, left, i, j, spec.r_row_ohm);
      const std::string below = i + 1 == rows ? fmt::format("bl_end_{}", j) : fmt::format("bl_{}_{}", i + 1, j);
      deck += fmt::format("rbl_{}_{} bl_{}_{} {} {:.17g}\n", i, j, i, j, below, spec.r_col_ohm);
      deck += fmt::format("rmem_{}_{} wl_{}_{} bl_{}_{} {:.17g}\n", i, j, i, j, i, j, 1.0 / spec.g_s(i, j));
    }
  }
  deck += ".control\nset numdgt=17\n";
  for (Index i = 0; i < rows; ++i) {
    if (i > 0) deck += fmt::format("alter vdrive_{} dc = 0\n", i - 1);
    deck += fmt::format("alter vdrive_{} dc = 1\nop\n", i);
    for (Index j = 0; j < cols; ++j) deck += fmt::format("print i(vsense_{})\n", j);
  }
  deck += ".endc\n.end\n";
  xbarsim::test::TempDir dir;
  std::ofstream(dir / "independent.cir") << deck;
  const auto run = xbarsim::test::runCommand(fmt::format("ngspice -b {} 2>&1", (dir / "independent.cir").string()));
  // (ngspice -b exits 1 here: the deck has no analysis card, only the .control block.)
  // Each print is "i(vsense_j) = value", in input order.
  std::vector<double> printed;
  std::istringstream lines(run.output);
  for (std::string line; std::getline(lines, line);)
    if (line.rfind("i(vsense_", 0) == 0) printed.push_back(std::stod(line.substr(line.find('=') + 1)));
  BOOST_REQUIRE_EQUAL(printed.size(), static_cast<std::size_t>(rows * cols));
  Eigen::MatrixXd reference(cols, rows);
  for (Index i = 0; i < rows; ++i)
    for (Index j = 0; j < cols; ++j)
      // i(vsense_j) flows into its + node bl_end_j from the column: I_j for V_i = 1 V.
      reference(j, i) = printed[static_cast<std::size_t>(i * cols + j)];
  BOOST_TEST(reference.minCoeff() > 0.0);
  const auto ours = NgspiceBackend().effectiveWeights(spec, 0.2);
  BOOST_TEST(maxRelativeError(ours.weff_s, reference) < 1e-9);
}

BOOST_AUTO_TEST_CASE(sinh_jacobian_matches_finite_differences) {
  CrossbarSpec spec = randomSpec(4, 3, 2.5, 2.5, 9);
  spec.iv = {xbarsim::device::IvKind::Sinh, 0.25};
  const double v_read = 0.3;
  const auto w = NgspiceBackend().effectiveWeights(spec, v_read);
  BOOST_TEST(w.method == "ac");
  const double h = 1e-4;
  for (Index i = 0; i < spec.rows; ++i) {
    Eigen::VectorXd plus = Eigen::VectorXd::Constant(spec.rows, v_read);
    Eigen::VectorXd minus = plus;
    plus[i] += h;
    minus[i] -= h;
    const Eigen::VectorXd fd =
        (NgspiceBackend().currents(spec, plus).currents_a - NgspiceBackend().currents(spec, minus).currents_a) / (2 * h);
    BOOST_TEST(maxRelativeError(Eigen::VectorXd(w.weff_s.col(i)), fd) < 1e-5);
  }
  // The sinh cells conduct more at the read point than at 0 V: dI/dV = G cosh(V/V0).
  BOOST_TEST(w.weff_s.sum() > spec.g_s.sum());
  BOOST_CHECK_THROW((void)NgspiceBackend(NgspiceWeightMethod::DcSweep).effectiveWeights(spec, 0.2),
                    xbarsim::Error);
}

// Several input vectors in one deck (alter + op per vector) against one deck per vector, and
// against the native solver's batch (chord Newton; multiport for the linear array), on sinh
// cells, on a linear array read by a finite-gain TIA, and on a linear array.
BOOST_AUTO_TEST_CASE(batch_of_vectors_matches_one_deck_per_vector_and_native) {
  for (int kind = 0; kind < 3; ++kind) {
    CrossbarSpec spec = randomSpec(6, 4, 2.5, 2.0, 13);
    if (kind == 0) spec.iv = {xbarsim::device::IvKind::Sinh, 0.25};
    if (kind == 1) spec.sense = xbarsim::circuit::makeTia({.open_loop_gain = 1e4, .offset_v = 0.002});
    const Eigen::MatrixXd x = (Eigen::MatrixXd::Random(6, 5).array() + 1.0) * 0.2;
    NgspiceBackend ngspice;
    const auto batch = ngspice.currentsBatch(spec, x);
    BOOST_TEST(batch.currents_a.rows() == 4);
    BOOST_TEST(batch.currents_a.cols() == 5);
    for (Index k = 0; k < x.cols(); ++k) {
      const Eigen::VectorXd one = ngspice.currents(spec, x.col(k)).currents_a;
      BOOST_TEST(maxRelativeError(Eigen::VectorXd(batch.currents_a.col(k)), one) < 1e-9, "kind " << kind);
    }
    const auto native = xbarsim::extract::NativeBackend().currentsBatch(spec, x);
    BOOST_TEST(maxRelativeError(native.currents_a, batch.currents_a) < 1e-9, "kind " << kind);
  }
}

BOOST_AUTO_TEST_CASE(tia_with_huge_gain_is_ideal_and_finite_gain_is_not) {
  CrossbarSpec spec = randomSpec(3, 3, 1.0, 1.0, 17);
  const auto ideal = NgspiceBackend().effectiveWeights(spec, 0.2);
  spec.sense = xbarsim::circuit::makeTia({.open_loop_gain = 1e9, .r_feedback_ohm = 1e4, .rail_v = 5.0});
  const auto huge = NgspiceBackend().effectiveWeights(spec, 0.2);
  BOOST_TEST(maxRelativeError(huge.weff_s, ideal.weff_s) < 1e-7);
  // input impedance ~ rf / A = 100 ohm
  spec.sense = xbarsim::circuit::makeTia({.open_loop_gain = 100, .r_feedback_ohm = 1e4, .rail_v = 5.0});
  const auto finite = NgspiceBackend().effectiveWeights(spec, 0.2);
  BOOST_TEST(maxRelativeError(finite.weff_s, ideal.weff_s) > 1e-3);
  // 1x1 closed form: I = V / (1/G + r_row + r_col + rf/(1 + A)) for a linear TIA region.
  CrossbarSpec one = randomSpec(1, 1, 1.0, 1.0, 1);
  one.g_s(0, 0) = 1e-4;
  one.sense = xbarsim::circuit::makeTia(
      {.open_loop_gain = 100, .offset_v = 0.0, .r_feedback_ohm = 1e4, .rail_v = 1e3});
  const auto w = NgspiceBackend().effectiveWeights(one, 0.01);
  const double expected = 1.0 / (1e4 + 2.0 + 1e4 / 101.0);
  BOOST_TEST(std::abs(w.weff_s(0, 0) - expected) / expected < 1e-6);
}

BOOST_AUTO_TEST_SUITE_END()
