// SPDX-License-Identifier: MIT
// Native solver with 1S1R and 1T1R cells: closed-form single cells, the condensed Jacobian vs
// finite differences, sneak-path (half-select) suppression by the selector, and the errors.
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <string>

#include "native_reference.hpp"
#include "xbarsim/circuit/crossbar_netlist.hpp"
#include "xbarsim/circuit/native_solver.hpp"
#include "xbarsim/circuit/native_transient.hpp"
#include "xbarsim/core/error.hpp"

using namespace xbarsim;
using circuit::CellKind;
using circuit::NativeSolver;
namespace tt = boost::test_tools;

namespace {

/// Root of a strictly decreasing f on [lo, hi] by plain bisection (independent of the solver).
template <class F>
double bisect(F f, double lo, double hi) {
  for (int it = 0; it < 400 && hi - lo > 0.0; ++it) {
    const double mid = 0.5 * (lo + hi);
    if (mid == lo || mid == hi) break;
    (f(mid) > 0.0 ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

circuit::CrossbarSpec single(CellKind kind, device::IvKind law, double g) {
  circuit::CrossbarSpec s;
  s.rows = s.cols = 1;
  s.cell = kind;
  s.iv.kind = law;
  s.iv.v0_v = 0.25;
  s.g_s = Eigen::MatrixXd::Constant(1, 1, g);
  return s;
}

/// Selector law written from the card definition (devices/selector.toml), not the class.
struct SelectorLaw {
  double v0, g0;
  SelectorLaw(double nl, double vw, double iw) {
    v0 = vw / (2.0 * std::acosh(nl / 2.0));
    g0 = iw / (v0 * std::sinh(vw / v0));
  }
  double i(double v) const { return g0 * v0 * std::sinh(v / v0); }
  double g(double v) const { return g0 * std::cosh(v / v0); }
};

Eigen::MatrixXd fdWeights(NativeSolver& solver, double v, double h) {
  const auto& s = solver.spec();
  Eigen::MatrixXd w(s.cols, s.rows);
  for (Eigen::Index i = 0; i < s.rows; ++i) {
    Eigen::VectorXd xp = Eigen::VectorXd::Constant(s.rows, v), xm = xp;
    xp[i] += h;
    xm[i] -= h;
    w.col(i) = (solver.currents(xp) - solver.currents(xm)) / (2 * h);
  }
  return w;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(native_cells)

BOOST_AUTO_TEST_CASE(one_s_one_r_single_cell_closed_form) {
  const SelectorLaw sel(10.0, 2.0, 1e-3);
  for (auto law : {device::IvKind::Linear, device::IvKind::Sinh}) {
    const double g = 200e-6, v0 = 0.25;
    auto mem = [&](double u) { return law == device::IvKind::Linear ? g * u : g * v0 * std::sinh(u / v0); };
    auto gmem = [&](double u) { return law == device::IvKind::Linear ? g : g * std::cosh(u / v0); };
    NativeSolver solver(single(CellKind::OneS1R, law, g));
    for (double v : {-1.5, -0.3, 0.05, 0.2, 0.8, 2.0}) {
      const double u = bisect([&](double x) { return sel.i(v - x) - mem(x); }, std::min(0.0, v), std::max(0.0, v));
      const double i_ref = mem(u);
      const double g_ref = sel.g(v - u) * gmem(u) / (sel.g(v - u) + gmem(u));
      const double i = solver.currents(Eigen::VectorXd::Constant(1, v))[0];
      const double w = solver.effectiveWeights(v)(0, 0);
      BOOST_TEST_CONTEXT("law " << device::toString(law) << ", V = " << v) {
        BOOST_TEST(i == i_ref, tt::tolerance(1e-12));
        BOOST_TEST(w == g_ref, tt::tolerance(1e-12));
        BOOST_TEST(std::abs(i) < std::abs(mem(v)));  // the selector takes part of V
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(one_t_one_r_single_cell_closed_form) {
  // Linear memory G, transistor in its linear region (V_ds < V_gs − vto): the drain voltage
  // solves G (V − x) = β (V_ov x − x²/2), a quadratic.
  const double beta = 5e-4 * 0.4e-6 / 0.1e-6, vov = 1.2 - 0.5;
  for (double g : {10e-6, 1e-3}) {
    NativeSolver solver(single(CellKind::OneT1R, device::IvKind::Linear, g));
    for (double v : {0.05, 0.2, 0.4}) {
      const double b = beta * vov + g;
      const double x = (b - std::sqrt(b * b - 2.0 * beta * g * v)) / beta;
      BOOST_REQUIRE(x < vov);
      const double i_ref = g * (v - x);
      const double gds = beta * (vov - x);
      BOOST_TEST_CONTEXT("G = " << g << ", V = " << v) {
        BOOST_TEST(solver.currents(Eigen::VectorXd::Constant(1, v))[0] == i_ref, tt::tolerance(1e-12));
        BOOST_TEST(solver.effectiveWeights(v)(0, 0) == g * gds / (g + gds), tt::tolerance(1e-12));
      }
    }
  }
  // Gate below threshold: the cell is off.
  auto off = single(CellKind::OneT1R, device::IvKind::Linear, 1e-3);
  off.v_gate_v = 0.4;
  NativeSolver s_off(off);
  BOOST_TEST(s_off.currents(Eigen::VectorXd::Constant(1, 0.2))[0] == 0.0);
}

BOOST_AUTO_TEST_CASE(condensed_jacobian_matches_finite_differences) {
  for (auto kind : {CellKind::OneS1R, CellKind::OneT1R})
    for (auto law : {device::IvKind::Linear, device::IvKind::Sinh}) {
      auto spec = test::randomSpec(8, 6, 2.5, 2.5, 10.0, 41, 10e-6, 500e-6);
      spec.cell = kind;
      spec.iv.kind = law;
      NativeSolver solver(spec);
      const double v = kind == CellKind::OneS1R ? 0.6 : 0.2;
      const Eigen::MatrixXd w = solver.effectiveWeights(v);
      const double err = test::relErr(w, fdWeights(solver, v, 1e-4));
      BOOST_TEST_MESSAGE(circuit::toString(kind) << " " << device::toString(law)
                         << " 8x6: W_eff vs central differences " << err << " ("
                         << solver.report().factorization << ")");
      BOOST_TEST(err < 1e-6);
    }
  // A column-wire resistance makes the 1T1R Jacobian non-symmetric (V_gs = v_gate − V_col):
  // a symmetric stamp would miss −∂I/∂V_col ≠ ∂I/∂V_row. Long, resistive columns expose it.
  auto spec = test::randomSpec(16, 4, 1.0, 200.0, 0.0, 42, 100e-6, 1e-3);
  spec.cell = CellKind::OneT1R;
  NativeSolver solver(spec);
  const double err = test::relErr(solver.effectiveWeights(0.3), fdWeights(solver, 0.3, 1e-4));
  BOOST_TEST_MESSAGE("1T1R 16x4, r_col 200 ohm: W_eff vs central differences " << err);
  BOOST_TEST(err < 1e-6);
}

BOOST_AUTO_TEST_CASE(selector_suppresses_half_selected_leakage) {
  // V/2 read of cell (2,3): row 2 at V, every other row at V/2, columns at the virtual ground.
  // Half-selected cells of column 3 add to the sensed current; the read error is
  // (I_3 − I_cell)/I_cell with I_cell the isolated cell's current at V.
  const Eigen::Index r = 2, c = 3;
  // Memory 1 kOhm .. 100 kOhm; the selector passes 1 mA at V_w = 2 V (devices/selector.toml).
  const double v = 2.0, g_on = 1e-3, g_off = 1e-5;
  auto base = test::randomSpec(8, 8, 1.0, 1.0, 0.0, 43, 1e-5, 1e-3);
  Eigen::VectorXd x = Eigen::VectorXd::Constant(8, v / 2);
  x[r] = v;
  auto readError = [&](CellKind kind, double g_cell, double nl) {
    auto spec = base;
    spec.cell = kind;
    spec.g_s(r, c) = g_cell;
    if (kind == CellKind::OneS1R) {
      device::ParamSet p(device::selectorParameters());
      p.set("nl", nl);
      spec.selector = device::Selector(p);
    }
    NativeSolver solver(spec);
    const double i = solver.currents(x)[c];
    auto one = single(kind, device::IvKind::Linear, g_cell);
    one.selector = spec.selector;
    NativeSolver cell(one);
    const double i_cell = cell.currents(Eigen::VectorXd::Constant(1, v))[0];
    return std::abs(i - i_cell) / i_cell;
  };
  for (double nl : {10.0, 1000.0}) {
    const double e1r_on = readError(CellKind::OneR, g_on, nl), e1r_off = readError(CellKind::OneR, g_off, nl);
    const double e1s_on = readError(CellKind::OneS1R, g_on, nl), e1s_off = readError(CellKind::OneS1R, g_off, nl);
    BOOST_TEST_MESSAGE("V/2 read, 8x8, selector NL = " << nl << ": relative read error on/off: 1R "
                       << e1r_on << " / " << e1r_off << ", 1S1R " << e1s_on << " / " << e1s_off);
    BOOST_TEST(e1s_on < e1r_on);
    BOOST_TEST(e1s_off < e1r_off);
  }
}

BOOST_AUTO_TEST_CASE(linear_inputs_above_the_damping_step) {
  // Regression: a linear array driven above NewtonOptions::max_step_v (0.5 V) came out short
  // (damped first step, then "converged" after the one refinement step).
  const auto spec = test::randomSpec(8, 8, 1.0, 1.0, 0.0, 46, 1e-6, 1e-4);
  NativeSolver solver(spec);
  const Eigen::VectorXd x = Eigen::VectorXd::LinSpaced(8, 0.5, 2.0);
  BOOST_TEST(test::relErr(solver.currents(x), test::referenceCurrentsBatch(spec, x)) < 1e-12);
}

BOOST_AUTO_TEST_CASE(errors_and_factorization_choice) {
  auto spec = test::randomSpec(4, 4, 1.0, 1.0, 0.0, 44);
  spec.cell = CellKind::OneT1R;
  circuit::NativeOptions grid;
  grid.factorization = circuit::NativeFactorization::Grid;
  BOOST_CHECK_THROW(NativeSolver(spec, grid), Error);
  NativeSolver lu(spec);
  BOOST_TEST(lu.report().factorization == "sparse-lu (colamd)");
  spec.cell = CellKind::OneS1R;
  NativeSolver s1(spec);
  BOOST_TEST(s1.report().factorization.rfind("grid-multifrontal", 0) == 0);
  spec.cell = CellKind::OneT1R;
  spec.v_gate_v = std::nan("");
  BOOST_CHECK_THROW(spec.validate(), Error);
  spec.v_gate_v = 1.2;
  BOOST_TEST(!spec.isLinear());
  circuit::TransientSpec ts;
  BOOST_CHECK_THROW(circuit::simulateTransient(spec, ts), Error);
}

BOOST_AUTO_TEST_CASE(netlist_names_of_access_cells) {
  auto spec = test::randomSpec(2, 2, 1.0, 1.0, 0.0, 45);
  spec.cell = CellKind::OneS1R;
  std::string deck = circuit::crossbarNetlist(spec, {});
  BOOST_TEST(deck.find(".subckt selector te be") != std::string::npos);
  BOOST_TEST(deck.find("xsel1_0 r1_0 m1_0 selector g0=") != std::string::npos);
  BOOST_TEST(deck.find("rcell1_0 m1_0 c1_0 ") != std::string::npos);
  spec.cell = CellKind::OneT1R;
  spec.v_gate_v = 1.5;
  deck = circuit::crossbarNetlist(spec, {});
  BOOST_TEST(deck.find(".model xbarsim_nacc nmos level=1") != std::string::npos);
  BOOST_TEST(deck.find("vwl wl 0 dc 1.5\n") != std::string::npos);
  BOOST_TEST(deck.find("rcell0_1 r0_1 m0_1 ") != std::string::npos);
  BOOST_TEST(deck.find("macc0_1 m0_1 wl c0_1 c0_1 xbarsim_nacc w=") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
