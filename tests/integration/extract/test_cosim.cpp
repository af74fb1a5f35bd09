// SPDX-License-Identifier: MIT
// Lock-step co-simulation (docs/cosim.md): the transient read with the array in the native
// solver against the monolithic ngspice deck of the same array and periphery (real ngspice):
// integrator voltages and ADC codes; the coupling's accuracy against the step; refusals.
#include <fmt/format.h>

#include <boost/test/unit_test.hpp>
#include <random>

#include "xbarsim/circuit/native_solver.hpp"
#include "xbarsim/core/rng.hpp"
#include "xbarsim/extract/cosim_read.hpp"
#include "xbarsim/spice/cosim.hpp"

using xbarsim::circuit::CrossbarSpec;
using Eigen::Index;
namespace ex = xbarsim::extract;

namespace {

CrossbarSpec arraySpec(Index rows, Index cols, double r_wire_ohm, std::uint64_t seed) {
  CrossbarSpec spec;
  spec.rows = rows;
  spec.cols = cols;
  spec.r_row_ohm = r_wire_ohm;
  spec.r_col_ohm = r_wire_ohm;
  spec.g_s.resize(rows, cols);
  xbarsim::RngStream rng(seed, xbarsim::StreamPurpose::Conductances);
  for (Index i = 0; i < rows; ++i)
    for (Index j = 0; j < cols; ++j) spec.g_s(i, j) = rng.uniform(1e-6, 25e-6);
  return spec;
}

ex::ReadPeriphery periphery(const CrossbarSpec& spec) {
  ex::ReadPeriphery p;
  p.t_read_s = 200e-9;
  xbarsim::circuit::NativeSolver solver(spec);
  p.c_int_f = ex::sizeIntegrator(solver.effectiveWeights(0.0), p);
  return p;
}

Eigen::VectorXd randomInput(Index rows, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  Eigen::VectorXd x(rows);
  for (Index i = 0; i < rows; ++i) x(i) = unit(rng);
  return x;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cosim)

// Independent reference: ngspice itself solving array and periphery in one deck.
BOOST_AUTO_TEST_CASE(codes_and_integrator_voltages_equal_the_monolithic_deck) {
  auto& session = xbarsim::spice::Session::instance();
  for (const double r_wire : {0.0, 2.0}) {
    const CrossbarSpec spec = arraySpec(8, 6, r_wire, 11);
    const ex::ReadPeriphery p = periphery(spec);
    std::mt19937_64 rng(5);
    int equal = 0, total = 0;
    for (int k = 0; k < 4; ++k) {
      const Eigen::VectorXd x = randomInput(spec.rows, rng);
      const auto co = ex::readCoSim(session, spec, x, p);
      const auto mono = ex::readMonolithic(session, spec, x, p);
      BOOST_TEST_CONTEXT("r_wire " << r_wire << " input " << k) {
        // The integrated voltage (steps up to 10 ns, 1 ns edges): far below one LSB (3.9 mV),
        // 1e-4 of the full scale (docs/cosim.md §3).
        BOOST_TEST((co.v_int - mono.v_int).cwiseAbs().maxCoeff() < 1e-4);
        BOOST_TEST(co.v_int.maxCoeff() < 0.0);  // charge was integrated (inverting)
      }
      for (std::size_t j = 0; j < co.codes.size(); ++j) equal += co.codes[j] == mono.codes[j];
      total += static_cast<int>(co.codes.size());
    }
    BOOST_TEST(equal == total);
  }
}

// Closed form: a 1x1 array (one cell g, ideal wires), row at v for t_read, integrator gain A:
// v_o = −g·v·t/C_f to first order in 1/A (the column node sits at −v_o/A).
BOOST_AUTO_TEST_CASE(one_cell_matches_the_closed_form) {
  CrossbarSpec spec = arraySpec(1, 1, 0.0, 3);
  spec.g_s(0, 0) = 10e-6;
  ex::ReadPeriphery p;
  p.t_read_s = 500e-9;
  p.c_int_f = 5e-12;
  Eigen::VectorXd x(1);
  x(0) = 0.75;
  const auto co = ex::readCoSim(xbarsim::spice::Session::instance(), spec, x, p);
  // Charge over the trapezoidal pulse: plateau t_read − t_edge plus two half edges.
  const double q = 10e-6 * 0.75 * p.v_read_v * p.t_read_s;
  const double expected = -q / p.c_int_f;
  BOOST_TEST(std::abs(co.v_int(0) - expected) < 2e-3 * std::abs(expected));
}

// The explicit exchange lags the array by one step: the error of the integrated voltage
// against the monolithic deck shrinks with the largest step (and stays small throughout).
BOOST_AUTO_TEST_CASE(accuracy_improves_with_the_step) {
  auto& session = xbarsim::spice::Session::instance();
  const CrossbarSpec spec = arraySpec(6, 4, 1.0, 21);
  ex::ReadPeriphery p = periphery(spec);
  p.t_edge_s = 5e-9;  // slow edges: the exchange matters during them
  std::mt19937_64 rng(9);
  const Eigen::VectorXd x = randomInput(spec.rows, rng);
  p.t_max_s = 0.1e-9;  // the reference: fine steps
  const auto mono = ex::readMonolithic(session, spec, x, p);
  std::vector<double> errors;
  for (const double h : {4e-9, 1e-9, 0.25e-9}) {
    p.t_max_s = h;
    const auto co = ex::readCoSim(session, spec, x, p, h, 1.0);
    errors.push_back((co.v_int - mono.v_int).cwiseAbs().maxCoeff());
  }
  BOOST_TEST_MESSAGE(fmt::format("errors {}", fmt::join(errors, " ")));
  // Second order with the extrapolated exchange (measured 9.1e-5, 5.3e-6, 4.1e-7 V): at
  // least 4x per 4x step reduction.
  BOOST_TEST(errors[1] < errors[0] / 4.0);
  BOOST_TEST(errors[2] < errors[1] / 4.0);
  BOOST_TEST(errors[2] < 1e-6);
}

BOOST_AUTO_TEST_CASE(session_serves_ordinary_decks_afterwards) {
  auto& session = xbarsim::spice::Session::instance();
  const CrossbarSpec spec = arraySpec(2, 2, 0.0, 1);
  const ex::ReadPeriphery p = periphery(spec);
  (void)ex::readCoSim(session, spec, Eigen::VectorXd::Ones(2), p);
  session.runDeck("* divider\nv1 a 0 dc 1\nr1 a b 1k\nr2 b 0 1k\n.end\n", "op");
  BOOST_TEST(session.realVector("v(b)").at(0) == 0.5, boost::test_tools::tolerance(1e-9));
}

BOOST_AUTO_TEST_CASE(refusals) {
  auto& session = xbarsim::spice::Session::instance();
  CrossbarSpec spec = arraySpec(2, 2, 0.0, 1);
  xbarsim::spice::CoSimRequest request;
  request.array = spec;
  request.periphery = "* p\nv0 in0 0 dc 0.1\nv1 in1 0 dc 0.1\nrl0 out0 0 1\nrl1 out1 0 1\n.end\n";
  request.analysis = "op";
  BOOST_CHECK_THROW((void)xbarsim::spice::coSimulate(session, request), xbarsim::Error);
  request.analysis = "tran 1n 10n";
  request.array.iv.kind = xbarsim::device::IvKind::Sinh;
  BOOST_CHECK_THROW((void)xbarsim::spice::coSimulate(session, request), xbarsim::Error);
  request.array = spec;
  request.periphery = "* no end\nv0 in0 0 dc 0.1\n";
  BOOST_CHECK_THROW((void)xbarsim::spice::coSimulate(session, request), xbarsim::Error);
  // A working call, closed form: ideal wires, a 1 kohm load on each column, DC rows:
  // v_j = R_L·Σ_i g_ij x_i / (1 + R_L·Σ_i g_ij) (the columns at different voltages).
  request.periphery = "* p\nv0 in0 0 dc 0.1\nv1 in1 0 dc 0.2\nrl0 out0 0 1k\nrl1 out1 0 1k\n.end\n";
  request.vectors = {"v(out0)", "v(out1)"};
  const auto result = xbarsim::spice::coSimulate(session, request);
  const Eigen::Vector2d x(0.1, 0.2);
  for (int j = 0; j < 2; ++j) {
    const double gsum = spec.g_s.col(j).sum();
    const double expected = 1e3 * spec.g_s.col(j).dot(x) / (1.0 + 1e3 * gsum);
    BOOST_TEST(result.values[j].back() == expected, boost::test_tools::tolerance(1e-6));
  }
  BOOST_TEST(result.exchanges > 0);
}

BOOST_AUTO_TEST_SUITE_END()
