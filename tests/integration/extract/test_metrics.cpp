// SPDX-License-Identifier: MIT
// Array error metrics against hand-computed values, backend comparison on a circuit with a
// closed form, and what each backend reports about itself.
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <string>

#include "extract_test_util.hpp"
#include "run_command.hpp"
#include "xbarsim/circuit/crossbar_netlist.hpp"
#include "xbarsim/circuit/sense_tia.hpp"
#include "xbarsim/core/error.hpp"
#include "xbarsim/core/provenance.hpp"
#include "xbarsim/extract/metrics.hpp"
#include "xbarsim/extract/native_backend.hpp"
#include "xbarsim/extract/ngspice_backend.hpp"

using namespace xbarsim;
namespace tt = boost::test_tools;

BOOST_AUTO_TEST_SUITE(metrics)

BOOST_AUTO_TEST_CASE(relative_errors_by_hand) {
  // G (2 rows x 2 columns) and a W_eff (outputs x inputs) off by known amounts.
  Eigen::MatrixXd g(2, 2);
  g << 3.0, 0.0,
       4.0, 1.0;
  Eigen::MatrixXd w(2, 2);  // G^T = [[3, 4], [0, 1]]
  w << 3.0, 4.0,
       0.0, 2.0;
  // |W - G^T| = 1, |G^T| = sqrt(9 + 16 + 1).
  BOOST_TEST(extract::weffRelativeError(w, g) == 1.0 / std::sqrt(26.0), tt::tolerance(1e-15));
  const Eigen::VectorXd columns = extract::columnRelativeErrors(w, g);
  BOOST_TEST(columns(0) == 0.0);
  BOOST_TEST(columns(1) == 1.0, tt::tolerance(1e-15));  // |[0, 2] - [0, 1]| / |[0, 1]|
  // MVM: G^T x for x = (1, 2) is (11, 2); currents (11, 1) are off by 1.
  const Eigen::Vector2d x(1.0, 2.0);
  const Eigen::Vector2d currents(11.0, 1.0);
  BOOST_TEST(extract::mvmRelativeError(currents, g, x) == 1.0 / std::sqrt(125.0),
             tt::tolerance(1e-15));
  // Undefined against zero: NaN.
  BOOST_TEST(std::isnan(extract::relativeError(w, Eigen::MatrixXd::Zero(2, 2))));
  Eigen::MatrixXd g_zero_column = g;
  g_zero_column.col(1).setZero();
  BOOST_TEST(std::isnan(extract::columnRelativeErrors(w, g_zero_column)(1)));
  BOOST_CHECK_THROW((void)extract::relativeError(w, Eigen::MatrixXd::Zero(3, 2)), Error);
}

BOOST_AUTO_TEST_CASE(max_relative_difference_by_hand) {
  const Eigen::Vector3d b(1.0, -4.0, 2.0);
  const Eigen::Vector3d a(1.5, -4.0, 2.0);
  BOOST_TEST(extract::maxRelativeDifference(a, b) == 0.5 / 4.0);
  BOOST_TEST(extract::maxRelativeDifference(a, Eigen::Vector3d::Zero()) == 4.0);  // scale 1
  // The test suite's own definition agrees.
  BOOST_TEST(extract::maxRelativeDifference(a, b) == test::maxRelativeError(a, b));
  // The entry where it is reached, with both values.
  Eigen::MatrixXd m = Eigen::MatrixXd::Constant(2, 3, 1.0), r = m;
  m(1, 2) = 1.25;
  m(0, 1) = 0.9;
  const extract::LargestDifference d = extract::largestDifference(m, r);
  BOOST_TEST(d.relative == 0.25);
  BOOST_TEST(d.row == 1);
  BOOST_TEST(d.col == 2);
  BOOST_TEST(d.value == 1.25);
  BOOST_TEST(d.reference == 1.0);
}

BOOST_AUTO_TEST_CASE(backends_agree_on_a_linear_circuit) {
  // Ideal wires: both backends give G^T exactly (closed form), within the linear tolerance.
  const circuit::CrossbarSpec spec = test::randomSpec(4, 3, 0.0, 0.0, 5);
  BOOST_TEST(extract::defaultAgreementTolerance(spec) == 1e-9);
  extract::NgspiceBackend ngspice;
  extract::NativeBackend native;
  const extract::WeightComparison w = extract::compareWeights(ngspice, native, spec, 0.2);
  BOOST_TEST(test::maxRelativeError(w.reference.weff_s, spec.g_s.transpose()) < 1e-12);
  BOOST_TEST(test::maxRelativeError(w.other.weff_s, spec.g_s.transpose()) < 1e-12);
  BOOST_TEST(w.difference.relative == test::maxRelativeError(w.other.weff_s, w.reference.weff_s));
  BOOST_TEST(w.difference.relative < 1e-9);
  const Eigen::VectorXd x = Eigen::VectorXd::LinSpaced(4, 0.05, 0.2);
  const extract::CurrentComparison i = extract::compareCurrents(ngspice, native, spec, x);
  const Eigen::VectorXd ideal = spec.g_s.transpose() * x;
  BOOST_TEST(test::maxRelativeError(i.reference.currents_a, ideal) < 1e-12);
  BOOST_TEST(i.difference.relative == test::maxRelativeError(i.other.currents_a, i.reference.currents_a));
  circuit::CrossbarSpec tia = spec;
  tia.sense = circuit::makeTia({});
  // Non-linear: ten times ngspice's reltol in generated decks (and above the native 1e-12).
  BOOST_TEST(extract::defaultAgreementTolerance(tia) == 10.0 * circuit::kDeckRelTol);
  BOOST_TEST(circuit::crossbarNetlist(tia, {}).find(".options reltol=1e-10 ") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(ir_drop_and_target_errors_separate_wires_from_the_cell_slope) {
  // Closed forms, on both backends. A sinh cell read at V has the slope g·cosh(V/V0): with ideal
  // wires and an ideal sense amplifier every cell sees V = v_read, so W_eff = cosh(v_read/V0)·Gᵀ,
  // the error against Gᵀ is cosh(v_read/V0) − 1 in total and per column, and the IR-drop error
  // (against the same circuit with ideal wires) is 0. Linear cells: the ideal-wire circuit is Gᵀ.
  constexpr double v_read = 0.2;
  const double slope = std::cosh(v_read / 0.25) - 1.0;  // V0 = 0.25 V
  extract::NgspiceBackend ngspice;
  extract::NativeBackend native;
  for (extract::Backend* backend : {static_cast<extract::Backend*>(&ngspice),
                                    static_cast<extract::Backend*>(&native)}) {
    BOOST_TEST_CONTEXT(backend->name()) {
      circuit::CrossbarSpec linear = test::randomSpec(5, 4, 0.0, 0.0, 7);
      extract::WeightErrors e = extract::weightErrors(*backend, linear, v_read);
      BOOST_TEST(e.ir_drop == 0.0);
      BOOST_TEST(e.ir_drop_columns.cwiseAbs().maxCoeff() == 0.0);
      BOOST_TEST(e.target < 1e-12);

      circuit::CrossbarSpec sinh = linear;
      sinh.iv.kind = device::IvKind::Sinh;
      e = extract::weightErrors(*backend, sinh, v_read);
      BOOST_TEST(e.ir_drop == 0.0);
      BOOST_TEST(e.target == slope, tt::tolerance(1e-9));
      for (Eigen::Index j = 0; j < sinh.cols; ++j)
        BOOST_TEST(e.target_columns(j) == slope, tt::tolerance(1e-9));

      // Resistive wires. Linear: the ideal-wire circuit is Gᵀ, so the two errors coincide.
      linear.r_row_ohm = 20.0;
      linear.r_col_ohm = 30.0;
      e = extract::weightErrors(*backend, linear, v_read);
      BOOST_TEST(test::maxRelativeError(e.ideal_wire_weff_s, linear.g_s.transpose()) < 1e-9);
      BOOST_TEST(e.ir_drop > 1e-4);
      BOOST_TEST(e.ir_drop == e.target, tt::tolerance(1e-8));
      for (Eigen::Index j = 0; j < linear.cols; ++j)
        BOOST_TEST(e.ir_drop_columns(j) == e.target_columns(j), tt::tolerance(1e-8));
      // Sinh: the reference of the IR-drop error is cosh(v_read/V0)·Gᵀ, the target error holds
      // both effects (the wires lower every cell voltage, so the slope error shrinks).
      sinh.r_row_ohm = 20.0;
      sinh.r_col_ohm = 30.0;
      e = extract::weightErrors(*backend, sinh, v_read);
      const Eigen::MatrixXd twin = (1.0 + slope) * sinh.g_s.transpose();
      BOOST_TEST(test::maxRelativeError(e.ideal_wire_weff_s, twin) < 1e-9);
      BOOST_TEST(e.ir_drop == extract::relativeError(e.weights.weff_s, twin), tt::tolerance(1e-8));
      BOOST_TEST(e.ir_drop > 1e-4);
      BOOST_TEST(e.target > 10.0 * e.ir_drop);
      BOOST_TEST(e.target == extract::weffRelativeError(e.weights.weff_s, sinh.g_s));
      // The twin keeps everything but the wires.
      const circuit::CrossbarSpec t = extract::idealWireTwin(sinh);
      BOOST_TEST((t.r_row_ohm == 0.0 && t.r_col_ohm == 0.0));
      BOOST_TEST((t.iv.kind == device::IvKind::Sinh && t.g_s == sinh.g_s));
    }
  }
  // outputRelativeErrors by hand: rows of C×R matrices.
  Eigen::MatrixXd a(2, 2), r(2, 2);
  a << 3.0, 4.0, 1.0, 1.0;
  r << 3.0, 4.5, 0.0, 0.0;
  const Eigen::VectorXd by_row = extract::outputRelativeErrors(a, r);
  BOOST_TEST(by_row(0) == 0.5 / std::sqrt(9.0 + 4.5 * 4.5), tt::tolerance(1e-15));
  BOOST_TEST(std::isnan(by_row(1)));
}

BOOST_AUTO_TEST_CASE(backends_report_name_and_version) {
  extract::NgspiceBackend ngspice;
  extract::NativeBackend native;
  BOOST_TEST(ngspice.name() == "ngspice");
  BOOST_TEST(native.name() == "native");
  // libngspice's banner version, e.g. "ngspice-39".
  BOOST_TEST(ngspice.version().rfind("ngspice-", 0) == 0);
  BOOST_TEST(native.version() == std::string(versionString()));
  // Result files record the external solver's version only.
  BOOST_TEST(extract::provenanceVersion(ngspice) == ngspice.version());
  BOOST_TEST(extract::provenanceVersion(native).empty());
  BOOST_TEST(extract::makeBackend("ngspice")->version() == ngspice.version());
}

BOOST_AUTO_TEST_SUITE_END()
