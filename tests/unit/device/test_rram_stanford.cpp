// SPDX-License-Identifier: MIT
// Stanford-PKU RRAM v1.0.0 native face vs docs/device-models.md §3.3 reference values (R_LRS = 541.8
// ohm, R_HRS = 218.59 kOhm at 0.1 V; I(1.8 V, LRS) = 0.301 A, I(-1.3 V, LRS) = -40.7 mA; MemTorch
// r_on = 542, r_off = 218586), analytic dI/dV vs finite differences, and the gap dynamics.
#include <boost/test/unit_test.hpp>

#include <cmath>

#include "xbarsim/core/error.hpp"
#include "xbarsim/device/rram_stanford.hpp"

namespace tt = boost::test_tools;
using namespace xbarsim::device;

BOOST_AUTO_TEST_SUITE(rram_stanford)

BOOST_AUTO_TEST_CASE(read_resistances_match_published_values) {
  const StanfordRram m;
  BOOST_TEST(m.readResistance(2e-10, 0.1) == 541.8, tt::tolerance(1e-4));
  BOOST_TEST(m.readResistance(17e-10, 0.1) == 218.59e3, tt::tolerance(1e-4));
  BOOST_TEST(m.current(1.8, 2e-10) == 0.301, tt::tolerance(2e-3));
  BOOST_TEST(m.current(-1.3, 2e-10) == -40.7e-3, tt::tolerance(2e-3));
  // MemTorch derives the gap bounds from r_on = 542, r_off = 218586 at 0.1 V.
  BOOST_TEST(m.gapForResistance(542.0, 0.1) == 2e-10, tt::tolerance(2e-3));
  BOOST_TEST(m.gapForResistance(218586.0, 0.1) == 17e-10, tt::tolerance(1e-5));
}

BOOST_AUTO_TEST_CASE(analytic_conductance_matches_finite_difference) {
  const StanfordRram m;
  for (double gap = 2e-10; gap <= 17e-10; gap += 2.5e-10)
    for (double v = -2.0; v <= 2.0; v += 0.137) {
      const double h = 1e-6;
      const double fd = (m.current(v + h, gap) - m.current(v - h, gap)) / (2 * h);
      BOOST_TEST_CONTEXT("v = " << v << ", gap = " << gap) {
        BOOST_TEST(m.conductance(v, gap) == fd, tt::tolerance(1e-7));
      }
    }
  BOOST_TEST(m.readConductance(2e-10) == 1e-3 * std::exp(-0.8) / 0.25, tt::tolerance(1e-14));
}

BOOST_AUTO_TEST_CASE(field_threshold_and_sign_of_gap_motion) {
  const StanfordRram m;
  const double gap = 17e-10;
  // Threshold F_min*tox/gamma(gap): 1.4e9*12e-9/(16 - 0.8*1.7^3) = 1.392 V (derived here).
  const double vth = m.thresholdVoltage(gap);
  BOOST_TEST(vth == 1.4e9 * 12e-9 / (16.0 - 0.8 * 1.7 * 1.7 * 1.7), tt::tolerance(1e-12));
  BOOST_TEST(vth == 1.392, tt::tolerance(1e-3));
  BOOST_TEST(m.stateRate(0.999 * vth, gap) == 0.0);
  BOOST_TEST(m.stateRate(1.001 * vth, gap) < 0.0);     // SET: the gap shrinks
  BOOST_TEST(m.stateRate(-1.5, 10e-10) > 0.0);         // RESET: the gap grows
  BOOST_TEST(m.stateRate(0.1, 10e-10) == 0.0);         // reads do not disturb
  // Faster at higher voltage (SET side).
  BOOST_TEST(m.stateRate(1.8, gap) < m.stateRate(1.5, gap));
}

BOOST_AUTO_TEST_CASE(rate_formula_at_one_point) {
  // dg/dt = -Vel0 exp(-q Ea/(kB T)) sinh(gamma a0/tox q V/(kB T)), T = T0 + |V I| Rth.
  const StanfordRram m;
  const double v = 1.6, gap = 12e-10;
  const double i = 1e-3 * std::exp(-gap / 0.25e-9) * std::sinh(v / 0.25);
  const double t = 298.0 + std::abs(v * i) * 2.1e3;
  const double kt = kBoltzmannJPerK * t / kElementaryChargeC;
  const double gamma = 16.0 - 0.8 * 1.2 * 1.2 * 1.2;
  const double expected = -10.0 * std::exp(-0.6 / kt) * std::sinh(gamma * 0.25e-9 / 12e-9 * v / kt);
  BOOST_TEST(m.temperature(v, gap, 298.0) == t, tt::tolerance(1e-14));
  BOOST_TEST(m.stateRate(v, gap) == expected, tt::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(anti_windup_at_the_bounds) {
  const StanfordRram m;
  // At gap_min the SET rate is zero, and just inside the clamp width it fades linearly.
  BOOST_TEST(m.stateRate(2.0, 2e-10) == 0.0);
  BOOST_TEST(m.stateRate(2.0, 1.9e-10) > 0.0);  // an overshoot below gap_min returns
  const double full = m.stateRate(2.0, 2e-10 + 1e-12);
  BOOST_TEST(full < 0.0);
  BOOST_TEST(m.stateRate(2.0, 2e-10 + 0.5e-12) / full == 0.5, tt::tolerance(0.01));
  BOOST_TEST(m.stateRate(-2.0, 17e-10) == 0.0);
  BOOST_TEST(m.stateRate(-2.0, 18e-10) < 0.0);
  // RESET from gap_min is not blocked.
  BOOST_TEST(m.stateRate(-2.0, 2e-10) > 0.0);
  // Initial gap beyond gap_max (the authors' HRS decks use 1.9 nm) starts at gap_max.
  ParamSet p(stanfordRramParameters());
  p.set("gap_ini_m", 19e-10);
  BOOST_TEST(StanfordRram(p).initialState() == 17e-10);
}

BOOST_AUTO_TEST_CASE(current_is_odd_and_monotone_in_gap) {
  const StanfordRram m;
  for (double v : {0.05, 0.3, 1.1}) {
    BOOST_TEST(m.current(-v, 8e-10) == -m.current(v, 8e-10), tt::tolerance(1e-15));
    BOOST_TEST(m.current(v, 5e-10) > m.current(v, 9e-10));
    BOOST_TEST(m.current(v, 8e-10) * v > 0.0);  // passive
  }
}

BOOST_AUTO_TEST_CASE(spice_instance_carries_every_parameter) {
  ParamSet p(stanfordRramParameters());
  p.set("gap_max_m", 16e-10);
  const StanfordRram m(p);
  const std::string line = m.spiceInstance("r1", "a", "b", 1.7e-9);
  BOOST_TEST(line.rfind("xr1 a b rram_stanford ", 0) == 0);
  BOOST_TEST(line.find(" gap_max=1.6e-09") != std::string::npos);
  BOOST_TEST(line.find(" gap_ini=1.7e-09") != std::string::npos);
  for (const ParamInfo& info : stanfordRramParameters())
    BOOST_TEST(line.find(" " + std::string(info.spice) + "=") != std::string::npos, info.spice);
}

BOOST_AUTO_TEST_CASE(invalid_parameters_rejected) {
  ParamSet p(stanfordRramParameters());
  BOOST_CHECK_THROW(p.set("gap_max_m", -1.0), xbarsim::Error);
  BOOST_CHECK_THROW(p.set("no_such", 1.0), xbarsim::Error);
  BOOST_CHECK_THROW(p.set("g0_m", NAN), xbarsim::Error);
  p.set("gap_min_m", 18e-10);
  BOOST_CHECK_THROW(StanfordRram{p}, xbarsim::Error);
}

BOOST_AUTO_TEST_SUITE_END()
