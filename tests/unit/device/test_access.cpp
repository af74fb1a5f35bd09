// SPDX-License-Identifier: MIT
// Access devices: selector non-linearity, MOS level-1 square law, series cells (1S1R, 1T1R).
#include <boost/test/unit_test.hpp>

#include <cmath>

#include "xbarsim/device/access_device.hpp"
#include "xbarsim/device/pcm_pulse.hpp"
#include "xbarsim/device/rram_stanford.hpp"

namespace tt = boost::test_tools;
using namespace xbarsim::device;

BOOST_AUTO_TEST_SUITE(access_devices)

BOOST_AUTO_TEST_CASE(selector_half_bias_nonlinearity) {
  const Selector s;
  BOOST_TEST(s.nonlinearity() == 10.0, tt::tolerance(1e-12));
  BOOST_TEST(s.current(2.0) == 1e-3, tt::tolerance(1e-12));
  for (double v = -2; v <= 2; v += 0.3) {
    const double fd = (s.current(v + 1e-6) - s.current(v - 1e-6)) / 2e-6;
    BOOST_TEST(s.conductance(v) == fd, tt::tolerance(1e-7));
  }
  ParamSet p(selectorParameters());
  p.set("nl", 100.0);
  BOOST_TEST(Selector(p).nonlinearity() == 100.0, tt::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(nmos_square_law_regions_and_derivatives) {
  const NmosAccess m;  // vto 0.5, kp 5e-4, W/L = 4
  const double beta = 5e-4 * 4.0;
  BOOST_TEST(m.current(0.4, 1.0, 0.0).id_a == 0.0);                       // cut-off
  BOOST_TEST(m.current(1.2, 0.1, 0.0).id_a == beta * (0.7 - 0.05) * 0.1, tt::tolerance(1e-14));
  BOOST_TEST(m.current(1.2, 1.0, 0.0).id_a == 0.5 * beta * 0.49, tt::tolerance(1e-14));
  BOOST_TEST(m.current(1.2, -0.1, 0.0).id_a < 0.0);                       // symmetric
  for (double vd = -0.9; vd <= 1.5; vd += 0.173) {
    const double h = 1e-7;
    const double fd = (m.current(1.2, vd + h, 0.0).id_a - m.current(1.2, vd - h, 0.0).id_a) / (2 * h);
    BOOST_TEST_CONTEXT("vd = " << vd) { BOOST_TEST(m.current(1.2, vd, 0.0).gds_s == fd, tt::tolerance(1e-6)); }
  }
  BOOST_TEST(m.spiceModelCard() == ".model xbarsim_nacc nmos level=1 vto=0.5 kp=0.0005 lambda=0 is=0");
}

BOOST_AUTO_TEST_CASE(series_cells_satisfy_kcl_and_fd) {
  const StanfordRram rram;
  const PcmPulse pcm;
  const Selector sel;
  const NmosAccess mos;
  const Cell one_s(rram, Cell::Kind::OneS1R, sel);
  const Cell one_t(pcm, Cell::Kind::OneT1R, std::nullopt, mos);
  const Cell one_r(rram, Cell::Kind::OneR);
  for (double v = -1.5; v <= 1.5; v += 0.21) {
    const double gap = 10e-10;
    const CellPoint p = one_s.solve(v, gap);
    BOOST_TEST(p.current_a == sel.current(v - p.v_device_v), tt::tolerance(1e-9));
    const double fd = (one_s.solve(v + 1e-6, gap).current_a - one_s.solve(v - 1e-6, gap).current_a) / 2e-6;
    BOOST_TEST(p.conductance_s == fd, tt::tolerance(1e-5));
    BOOST_TEST(std::abs(p.current_a) < std::abs(rram.current(v, gap)) + 1e-18);  // selector limits
    BOOST_TEST(one_r.solve(v, gap).current_a == rram.current(v, gap));
    const double g = 100e-6;
    const CellPoint q = one_t.solve(v, g);
    const MosCurrent mc = mos.current(mos.gateVoltage(), v - q.v_device_v, 0.0);
    BOOST_TEST(q.current_a == mc.id_a, tt::tolerance(1e-9));
    const double fdq = (one_t.solve(v + 1e-6, g).current_a - one_t.solve(v - 1e-6, g).current_a) / 2e-6;
    BOOST_TEST(q.conductance_s == fdq, tt::tolerance(1e-5));
  }
  // 1T1R at a small read voltage: device in series with the linear-region channel resistance.
  const double r_on = 1.0 / (5e-4 * 4.0 * 0.7);
  BOOST_TEST(one_t.solve(0.01, 100e-6).conductance_s == 1.0 / (1e4 + r_on), tt::tolerance(0.01));
}

BOOST_AUTO_TEST_SUITE_END()
