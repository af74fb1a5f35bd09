// SPDX-License-Identifier: MIT
// Array operations on a passive Stanford-RRAM array through both backends: V/2 and V/3 write
// disturb of the half-selected cells, sneak-path reads with floating or biased lines, and
// program-and-verify of a whole target matrix pulse by pulse.
#include <boost/test/unit_test.hpp>

#include <fmt/format.h>

#include <string>

#include "xbarsim/device/rram_stanford.hpp"
#include "xbarsim/extract/array_ops.hpp"

namespace tt = boost::test_tools;
using namespace xbarsim;
using namespace xbarsim::extract;
using Eigen::Index;

namespace {

ArraySpec hrsArray(Index n, double r_wire) {
  ArraySpec a;
  a.model = std::make_shared<device::StanfordRram>();
  a.x0 = Eigen::MatrixXd::Constant(n, n, 17e-10);
  a.r_row_ohm = r_wire;
  a.r_col_ohm = r_wire;
  return a;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(array_ops)

BOOST_AUTO_TEST_CASE(half_v_write_disturb_both_backends) {
  // 4x4 HRS array, 1 ohm wires, 2 kOhm compliance on the selected column; SET pulse 2.9 V /
  // 50 ns on cell (1, 2) with V/2 biasing: the half-selected cells see 1.45 V, above the
  // 1.392 V field threshold of HRS, and are disturbed; the unselected cells see 0 V.
  ArraySpec a = hrsArray(4, 1.0);
  a.r_compliance_ohm = 2e3;
  DeviceTransientOptions o;
  o.t_stop_s = 60e-9;
  o.points = 601;
  o.rel_tol = 1e-9;
  o.abs_tol_state = 1e-12;
  const WriteDisturbResult s = writeDisturb("ngspice", a, 1, 2, Bias::HalfV, 2.9, 50e-9, 1e-9, o);
  const WriteDisturbResult n = writeDisturb("native", a, 1, 2, Bias::HalfV, 2.9, 50e-9, 1e-9, o);
  BOOST_TEST_MESSAGE(fmt::format(
      "V/2: selected dgap {:.4e} m; half-selected ({} cells) max |dgap| {:.4e} m (ngspice) {:.4e} m "
      "(native); unselected {:.2e} m; wall {:.2f} s / {:.2f} s",
      n.selected_dx, n.half_selected, s.max_half_selected_dx, n.max_half_selected_dx,
      n.max_unselected_dx, s.transient.wall_s, n.transient.wall_s));
  BOOST_TEST(n.half_selected == 6);
  // The selected cell SETs until the 2 kOhm compliance pulls its voltage below the threshold.
  BOOST_TEST(n.selected_dx < -3e-10);
  BOOST_TEST(n.max_half_selected_dx > 1e-12);           // disturbed ...
  BOOST_TEST(n.max_half_selected_dx < 5e-10);           // ... but not switched
  BOOST_TEST(n.max_unselected_dx == 0.0);
  // Both backends: every cell's final state within 1e-3 of the gap range, and the disturb itself
  // within 2 %.
  BOOST_TEST((s.transient.final_state - n.transient.final_state).cwiseAbs().maxCoeff() <= 1e-3 * 15e-10);
  BOOST_TEST(s.max_half_selected_dx == n.max_half_selected_dx, tt::tolerance(0.02));
  // Column currents agree within 1e-3 of the peak.
  const double peak = s.transient.col_current_a.cwiseAbs().maxCoeff();
  const Eigen::MatrixXd d = (s.transient.col_current_a - n.transient.col_current_a).cwiseAbs();
  Index tp = 0, cp = 0;
  d.maxCoeff(&tp, &cp);
  BOOST_TEST_MESSAGE(fmt::format("worst column-current difference {:.3g} A at t = {:.4g} s (column {}), peak {:.3g} A",
                                 d(tp, cp), s.transient.t_s[tp], cp, peak));
  BOOST_TEST(d(tp, cp) <= 1e-3 * peak);
}

BOOST_AUTO_TEST_CASE(third_v_biasing_leaves_neighbours_alone) {
  ArraySpec a = hrsArray(4, 1.0);
  a.r_compliance_ohm = 2e3;
  DeviceTransientOptions o;
  o.t_stop_s = 60e-9;
  o.points = 601;
  o.rel_tol = 1e-8;
  const WriteDisturbResult n = writeDisturb("native", a, 1, 2, Bias::ThirdV, 3.0, 50e-9, 1e-9, o);
  const WriteDisturbResult s = writeDisturb("ngspice", a, 1, 2, Bias::ThirdV, 3.0, 50e-9, 1e-9, o);
  BOOST_TEST(n.selected_dx < -3e-10);
  BOOST_TEST(n.max_half_selected_dx == 0.0);  // |V/3|, |2V/3 - V| = 1 V: below threshold
  BOOST_TEST(n.max_unselected_dx == 0.0);
  BOOST_TEST((s.transient.final_state - n.transient.final_state).cwiseAbs().maxCoeff() <= 1e-3 * 15e-10);
}

BOOST_AUTO_TEST_CASE(sneak_path_read_error_vs_array_size_and_bias) {
  // Read an HRS cell whose neighbours are all LRS (on/off ratio ~ 400) at 0.1 V, ideal wires.
  // Floating lines: sneak paths through LRS cells in series, growing with the array size.
  // V/2 (V/3): the other R-1 cells of the selected column see V/2 (V/3) and add their current:
  // error = (R-1)·I_LRS(V/k)/I_HRS(V) exactly.
  const device::StanfordRram m;
  double previous = 0.0;
  for (const Index n : {2, 4, 8}) {
    ArraySpec a = hrsArray(n, 0.0);
    a.x0.setConstant(2e-10);
    a.x0(0, 0) = 17e-10;
    const ReadResult fs = readCell("ngspice", a, 0, 0, Bias::Floating, 0.1);
    const ReadResult fn = readCell("native", a, 0, 0, Bias::Floating, 0.1);
    const ReadResult hs = readCell("ngspice", a, 0, 0, Bias::HalfV, 0.1);
    const ReadResult hn = readCell("native", a, 0, 0, Bias::HalfV, 0.1);
    const ReadResult tn = readCell("native", a, 0, 0, Bias::ThirdV, 0.1);
    BOOST_TEST_MESSAGE(fmt::format("{}x{} read of HRS among LRS: error {:.4g} floating, {:.4g} V/2, {:.4g} V/3",
                                   n, n, fn.relative_error, hn.relative_error, tn.relative_error));
    BOOST_TEST(fs.current_a == fn.current_a, tt::tolerance(1e-6));
    BOOST_TEST(hs.current_a == hn.current_a, tt::tolerance(1e-6));
    BOOST_TEST(fn.relative_error > previous);
    const double i_hrs = m.current(0.1, 17e-10);
    BOOST_TEST(hn.relative_error == double(n - 1) * m.current(0.05, 2e-10) / i_hrs, tt::tolerance(1e-6));
    BOOST_TEST(tn.relative_error == double(n - 1) * m.current(0.1 / 3.0, 2e-10) / i_hrs, tt::tolerance(1e-6));
    previous = fn.relative_error;
  }
}

namespace {

std::string matrixText(const Eigen::MatrixXd& m, double scale, const char* spec) {
  std::string s;
  for (Index i = 0; i < m.rows(); ++i) {
    s += i == 0 ? "[" : "; ";
    for (Index j = 0; j < m.cols(); ++j) s += fmt::format(fmt::runtime(j == 0 ? spec : std::string(" ") + spec), scale * m(i, j));
  }
  return s + "]";
}

std::string pulsesText(const Eigen::MatrixXi& m) { return matrixText(m.cast<double>(), 1.0, "{:.0f}"); }

}  // namespace

BOOST_AUTO_TEST_CASE(program_array_verify_native_3x3) {
  // 3x3 HRS array, 1 ohm wires, V/2 biasing; targets spread over 10-200 uS (the read
  // conductances of LRS and HRS at 0.1 V are 1846 uS and 4.58 uS). Every cell must converge
  // within 5 % at its verify; with v_max = 2 V the half-selected cells see at most 1 V, below
  // the 1.05 V threshold, so the end errors equal the verify errors.
  ArraySpec a = hrsArray(3, 1.0);
  Eigen::MatrixXd target(3, 3);
  target << 20e-6, 150e-6, 10e-6, 60e-6, 30e-6, 200e-6, 100e-6, 15e-6, 45e-6;
  const ProgramArrayOptions o;
  const ProgramArrayResult r = programArray("native", a, target, o);
  BOOST_TEST_MESSAGE(fmt::format("native 3x3: pulses {} (total {}), verify error {} %, end error {} %, "
                                 "max disturb {:.3g} m, wall {:.2f} s",
                                 pulsesText(r.pulses), r.total_pulses, matrixText(r.verify_error, 100.0, "{:+.2f}"),
                                 matrixText(r.final_error, 100.0, "{:+.2f}"), r.max_disturb_dx, r.wall_s));
  BOOST_TEST(r.allConverged());
  BOOST_TEST(r.max_verify_error <= o.tolerance);
  BOOST_TEST(r.max_final_error <= o.tolerance);
  BOOST_TEST((r.pulses.array() >= 1).all());           // every target is above HRS
  BOOST_TEST((r.pulses.array() < o.max_pulses).all());
  BOOST_TEST((r.final_error - r.verify_error).cwiseAbs().maxCoeff() <= 1e-6);  // no V/2 disturb
  // The read conductances follow from the final states.
  const device::StanfordRram m;
  BOOST_TEST(r.read_g_s(1, 2) == m.current(0.1, r.final_state(1, 2)) / 0.1, tt::tolerance(1e-12));
  // The targets are reached from the other side too (RESET pulses from LRS).
  a.x0.setConstant(2e-10);
  const ProgramArrayResult l = programArray("native", a, target, o);
  BOOST_TEST_MESSAGE(fmt::format("native 3x3 from LRS: pulses {} (total {}), end error {} %, wall {:.2f} s",
                                 pulsesText(l.pulses), l.total_pulses, matrixText(l.final_error, 100.0, "{:+.2f}"),
                                 l.wall_s));
  BOOST_TEST(l.allConverged());
  BOOST_TEST(l.max_final_error <= o.tolerance);
}

BOOST_AUTO_TEST_CASE(program_array_ngspice_agrees_with_native_2x2) {
  ArraySpec a = hrsArray(2, 1.0);
  Eigen::MatrixXd target(2, 2);
  target << 25e-6, 120e-6, 60e-6, 12e-6;
  const ProgramArrayOptions o;
  const ProgramArrayResult n = programArray("native", a, target, o);
  const ProgramArrayResult s = programArray("ngspice", a, target, o);
  const double dg = (s.read_g_s.array() / n.read_g_s.array() - 1.0).abs().maxCoeff();
  BOOST_TEST_MESSAGE(fmt::format("2x2 pulses native {} ngspice {}; end error native {} % ngspice {} %; "
                                 "max |G_ngspice/G_native - 1| = {:.3g}; wall {:.2f} s / {:.2f} s",
                                 pulsesText(n.pulses), pulsesText(s.pulses), matrixText(n.final_error, 100.0, "{:+.2f}"),
                                 matrixText(s.final_error, 100.0, "{:+.2f}"), dg, n.wall_s, s.wall_s));
  BOOST_TEST(n.allConverged());
  BOOST_TEST(s.allConverged());
  BOOST_TEST(s.max_final_error <= o.tolerance);
  BOOST_TEST((s.pulses.array() == n.pulses.array()).all());
  BOOST_TEST(dg <= 0.01);
}

BOOST_AUTO_TEST_SUITE_END()
