// SPDX-License-Identifier: MIT
// Both faces of the VTEAM model (devices/vteam.lib in ngspice, include/xbarsim/device/vteam.hpp
// integrated by IDA): a single-device pulse train (OFF and ON pulses through the thresholds), the
// same deck in the standalone ngspice program, and a 16x16 1R array with wires.
#include <boost/test/unit_test.hpp>

#include <fmt/format.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>

#include "xbarsim/device/vteam.hpp"
#include "xbarsim/extract/device_circuit.hpp"

namespace tt = boost::test_tools;
using namespace xbarsim;
using namespace xbarsim::extract;
using Eigen::Index;

namespace {

/// Trapezoidal pulses (edge, width, edge) of the given amplitudes, one per `period_s`, each
/// starting `lead_s` into its period; every corner is a multiple of 1 ns.
Pwl pulseTrain(const std::vector<double>& amplitudes_v, const std::vector<double>& widths_s,
               double edge_s, double period_s, double lead_s) {
  Pwl w{{0.0}, {0.0}};
  for (std::size_t p = 0; p < amplitudes_v.size(); ++p) {
    const double t0 = static_cast<double>(p) * period_s + lead_s;
    for (const auto& [t, v] : {std::pair{t0, 0.0},
                               {t0 + edge_s, amplitudes_v[p]},
                               {t0 + edge_s + widths_s[p], amplitudes_v[p]},
                               {t0 + 2 * edge_s + widths_s[p], 0.0}}) {
      w.t_s.push_back(t);
      w.v_v.push_back(v);
    }
  }
  return w;
}

/// The single-device circuit of the pulse train: from w = 0.5 nm, three OFF pulses (+0.5 V,
/// 40 ns: 0.48 nm each at 1.2e-2 m/s), two ON pulses (-0.25 V, 4 ns: 0.62 nm each at 0.156 m/s),
/// one OFF pulse of 0.3 V (40 ns) and one ON pulse of -0.23 V (2 ns); 2 ns edges, one pulse per 100
/// ns.
DeviceArrayCircuit pulseTrainCircuit(std::shared_ptr<const device::DeviceModel> model) {
  DeviceArrayCircuit c;
  c.model = std::move(model);
  c.x0 = Eigen::MatrixXd::Constant(1, 1, 0.5e-9);
  c.row_drive = {pulseTrain({0.5, 0.5, 0.5, -0.25, -0.25, 0.3, -0.23},
                            {40e-9, 40e-9, 40e-9, 4e-9, 4e-9, 40e-9, 2e-9}, 2e-9, 100e-9, 10e-9)};
  c.col_drive = {Pwl::constant(0.0)};
  return c;
}

/// Tolerances for agreement within 1e-6: ngspice's local-truncation budget scales with reltol
/// (reltol 1e-10 leaves ~1e-6 nm per ON pulse), and its results are interpolated linearly onto
/// the output grid, so its step is bounded to 10 ps (interpolation error of I = V/R(w) while
/// R changes by ~50 ohm/ns: ~1e-7 of the peak).
DeviceTransientOptions tightOptions() {
  DeviceTransientOptions o;
  o.t_stop_s = 700e-9;
  o.points = 1401;  // 0.5 ns: every pulse corner is an output point
  o.rel_tol = 1e-12;
  o.abs_tol_v = 1e-12;
  o.abs_tol_state = 1e-12;  // nm
  o.max_step_s = 10e-12;
  return o;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(vteam_faces)

BOOST_AUTO_TEST_CASE(pulse_train_native_vs_ngspice) {
  auto m = std::make_shared<device::Vteam>();
  const DeviceArrayCircuit c = pulseTrainCircuit(m);
  const DeviceTransientOptions o = tightOptions();
  const DeviceTransientResult s = transientNgspice(c, o);
  const DeviceTransientResult n = transientNative(c, o);
  const double range = m->p().w_off_m - m->p().w_on_m;
  const double peak = s.row_current_a.cwiseAbs().maxCoeff();
  const double d_state = (s.state - n.state).cwiseAbs().maxCoeff() / range;
  const double d_current = (s.row_current_a - n.row_current_a).cwiseAbs().maxCoeff() / peak;
  BOOST_TEST_MESSAGE(fmt::format(
      "VTEAM pulse train: max |dw| / (w_off - w_on) = {:.3g}, max |dI| / peak = {:.3g} (peak "
      "{:.4g} "
      "A); w: 0.5 nm -> {:.6e} m (ngspice), {:.6e} m (native); wall {:.3f} s / {:.3f} s",
      d_state, d_current, peak, s.final_state(0, 0), n.final_state(0, 0), s.wall_s, n.wall_s));
  BOOST_TEST(d_state <= 1e-6);
  BOOST_TEST(d_current <= 1e-6);

  // Closed form of the flat parts: the state after each pulse from the rates of the pulse and
  // its edges (the edges integrated here by the midpoint rule on 2000 sub-steps).
  double w = 0.5e-9;
  const Pwl& drive = *c.row_drive[0];
  for (Index k = 1; k < 7 * 4 + 1; ++k) {
    const double t0 = drive.t_s[static_cast<std::size_t>(k - 1)];
    const double t1 = drive.t_s[static_cast<std::size_t>(k)];
    const int sub = 2000;
    for (int q = 0; q < sub; ++q)
      w += m->stateRate(drive.at(t0 + (q + 0.5) * (t1 - t0) / sub), w) * (t1 - t0) / sub;
    if (k % 4 == 0) {  // end of a pulse: compare with the output point at that time
      const Index p = static_cast<Index>(std::lround(t1 / (o.t_stop_s / (o.points - 1))));
      BOOST_TEST_CONTEXT("after pulse " << k / 4) {
        BOOST_TEST(n.state(p, 0) == w, tt::tolerance(1e-6));
        BOOST_TEST(n.row_current_a(p + 1, 0) == 0.0);  // 0 V between pulses
      }
    }
  }
  // Between pulses the state holds: no rate below the thresholds.
  BOOST_TEST(n.state(o.points - 1, 0) == n.state(o.points - 100, 0), tt::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(pulse_train_deck_runs_in_standalone_ngspice) {
  // The deck the device command and the tests run through libngspice, run by the ngspice
  // program: it must finish and end in the same state.
  auto m = std::make_shared<device::Vteam>();
  const DeviceArrayCircuit c = pulseTrainCircuit(m);
  const DeviceTransientOptions o = tightOptions();
  std::string deck = deviceArrayDeck(c, o);
  const auto end = deck.rfind(".end");
  BOOST_REQUIRE(end != std::string::npos);
  deck.insert(end, ".control\nrun\nprint v(xd0_0.x)[length(time)-1]\n.endc\n");
  const std::string path = "vteam_standalone_deck.cir";
  {
    std::ofstream out(path);
    out << deck;
  }
  FILE* pipe = popen(("ngspice -b " + path + " 2>&1").c_str(), "r");
  BOOST_REQUIRE(pipe != nullptr);
  std::string text;
  char buf[4096];
  while (fgets(buf, sizeof buf, pipe)) text += buf;
  const int status = pclose(pipe);
  BOOST_TEST_MESSAGE("ngspice -b exit status " << status);
  const auto pos = text.find("v(xd0_0.x)[length(time)-1]");
  BOOST_REQUIRE_MESSAGE(pos != std::string::npos, text);
  const double w_nm = std::stod(text.substr(text.find('=', pos) + 1));
  const DeviceTransientResult n = transientNative(c, o);
  BOOST_TEST_MESSAGE(fmt::format("standalone ngspice: w = {:.9f} nm, native {:.9f} nm", w_nm,
                                 n.final_state(0, 0) * 1e9));
  BOOST_TEST(std::abs(w_nm * 1e-9 - n.final_state(0, 0)) <= 1e-6 * 3e-9);
  BOOST_TEST(text.find("rror") == std::string::npos, text);
  std::remove(path.c_str());
}

BOOST_AUTO_TEST_CASE(array_16x16_with_wires_both_backends) {
  // 16x16 1R array, 2 ohm per wire segment, states spread over [0.8, 2.2] nm; every row driven
  // with its own pulse pair (an OFF pulse of 0.3..0.6 V for 30 ns, then an ON pulse of
  // -0.22..-0.25 V for 4 ns), columns held at 0 V at their bottom ends. The IR drop along the
  // wires moves the voltage each cell sees, so the cells switch by different amounts; no cell
  // reaches a bound.
  const Index n = 16;
  auto m = std::make_shared<device::Vteam>();
  DeviceArrayCircuit c;
  c.rows = n;
  c.cols = n;
  c.r_row_ohm = 2.0;
  c.r_col_ohm = 2.0;
  c.model = m;
  c.x0.resize(n, n);
  for (Index i = 0; i < n; ++i)
    for (Index j = 0; j < n; ++j)
      c.x0(i, j) = 0.8e-9 + 1.4e-9 * static_cast<double>((7 * i + 3 * j) % 16) / 15.0;
  for (Index i = 0; i < n; ++i) {
    const double v_off = 0.3 + 0.02 * static_cast<double>(i);
    const double v_on = -0.22 - 0.002 * static_cast<double>(i);
    c.row_drive.emplace_back(pulseTrain({v_off, v_on}, {30e-9, 4e-9}, 2e-9, 50e-9, 5e-9));
  }
  for (Index j = 0; j < n; ++j) c.col_drive.emplace_back(Pwl::constant(0.0));
  DeviceTransientOptions o;
  o.t_stop_s = 100e-9;
  o.points = 101;  // 1 ns: every pulse corner is an output point
  o.max_step_s = 1e-9;
  const DeviceTransientResult s = transientNgspice(c, o);
  const DeviceTransientResult r = transientNative(c, o);
  const double peak =
      std::max(s.row_current_a.cwiseAbs().maxCoeff(), s.col_current_a.cwiseAbs().maxCoeff());
  const double d_row = (s.row_current_a - r.row_current_a).cwiseAbs().maxCoeff();
  const double d_col = (s.col_current_a - r.col_current_a).cwiseAbs().maxCoeff();
  const double d_state = (s.state - r.state).cwiseAbs().maxCoeff();
  const double moved = (r.final_state - c.x0).cwiseAbs().maxCoeff();
  BOOST_TEST_MESSAGE(fmt::format(
      "VTEAM 16x16 with 2 ohm wires: peak {:.4g} A, max |dI_row| {:.3g} A, max |dI_col| {:.3g} A "
      "({:.3g} of peak), max |dw| {:.3g} m, largest state change {:.3g} m; wall {:.3f} s "
      "(ngspice), "
      "{:.3f} s (native)",
      peak, d_row, d_col, std::max(d_row, d_col) / peak, d_state, moved, s.wall_s, r.wall_s));
  BOOST_TEST(d_row <= 1e-3 * peak);
  BOOST_TEST(d_col <= 1e-3 * peak);
  BOOST_TEST(d_state <= 1e-3 * 3e-9);
  BOOST_TEST(moved > 0.3e-9);  // the pulses switch
  // Kirchhoff: what the rows deliver, the columns take.
  for (const DeviceTransientResult* t : {&s, &r})
    BOOST_TEST(std::abs(t->row_current_a.row(30).sum() - t->col_current_a.row(30).sum()) <=
               1e-6 * peak);
}

BOOST_AUTO_TEST_SUITE_END()
