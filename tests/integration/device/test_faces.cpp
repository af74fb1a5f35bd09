// SPDX-License-Identifier: MIT
// Both faces of each stateful device model — the SPICE subcircuit of devices/*.lib in ngspice and
// the native C++ equations integrated by IDA — on the same I–V sweeps and pulse transients.
#include <boost/test/unit_test.hpp>

#include <fmt/format.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <memory>

#include "xbarsim/device/pcm_pulse.hpp"
#include "xbarsim/device/rram_stanford.hpp"
#include "xbarsim/extract/device_circuit.hpp"

namespace tt = boost::test_tools;
using namespace xbarsim;
using namespace xbarsim::extract;
using Eigen::Index;

namespace {

DeviceArrayCircuit oneDevice(std::shared_ptr<const device::DeviceModel> model, double x0, Pwl drive) {
  DeviceArrayCircuit c;
  c.model = std::move(model);
  c.x0 = Eigen::MatrixXd::Constant(1, 1, x0);
  c.row_drive = {std::move(drive)};
  c.col_drive = {Pwl::constant(0.0)};
  return c;
}

/// First output time at which |I| exceeds i_a (linear interpolation between points).
double crossingTime(const DeviceTransientResult& r, double i_a) {
  for (Index k = 1; k < r.t_s.size(); ++k) {
    const double a = std::abs(r.row_current_a(k - 1, 0)), b = std::abs(r.row_current_a(k, 0));
    if (a < i_a && b >= i_a) return r.t_s[k - 1] + (i_a - a) / (b - a) * (r.t_s[k] - r.t_s[k - 1]);
  }
  return NAN;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(device_faces)

BOOST_AUTO_TEST_CASE(stanford_iv_sweeps_agree) {
  const device::StanfordRram m;
  Eigen::VectorXd v = Eigen::VectorXd::LinSpaced(81, -2.0, 2.0);
  for (const double gap : {2e-10, 7e-10, 12e-10, 17e-10}) {
    const Eigen::VectorXd a = ivSweepNative(m, gap, v);
    const Eigen::VectorXd b = ivSweepNgspice(m, gap, v);
    const double scale = a.cwiseAbs().maxCoeff();
    BOOST_TEST_CONTEXT("gap " << gap) {
      BOOST_TEST((a - b).cwiseAbs().maxCoeff() <= 1e-9 * scale);
    }
  }
}

BOOST_AUTO_TEST_CASE(stanford_set_ramp_from_hrs) {
  // 0 -> 2 V over 2 ms from HRS (gap_ini = 1.7 nm, the authors' DCSweep.sp SET half at 1 V/ms).
  // The SET happens at the field threshold F_min*tox/gamma(gap_max) = 1.392 V.
  auto m = std::make_shared<device::StanfordRram>();
  const DeviceArrayCircuit c = oneDevice(m, 17e-10, Pwl{{0.0, 2e-3}, {0.0, 2.0}});
  DeviceTransientOptions o;
  o.t_stop_s = 2e-3;
  o.points = 2001;
  const DeviceTransientResult s = transientNgspice(c, o);
  const DeviceTransientResult n = transientNative(c, o);
  const double v_set_spice = 2.0 * crossingTime(s, 1e-3) / 2e-3;
  const double v_set_native = 2.0 * crossingTime(n, 1e-3) / 2e-3;
  BOOST_TEST_MESSAGE(fmt::format("SET at {:.6f} V (ngspice), {:.6f} V (native); steps {} / wall {:.3f} s, {:.3f} s",
                                 v_set_spice, v_set_native, n.steps, s.wall_s, n.wall_s));
  BOOST_TEST(v_set_spice == m->thresholdVoltage(17e-10), tt::tolerance(2e-3));
  BOOST_TEST(v_set_native == v_set_spice, tt::tolerance(1e-3));
  // Abrupt: the current jumps by > 100x within 20 mV of the ramp.
  const double t_set = crossingTime(n, 1e-3);
  const Index k = static_cast<Index>(t_set / 1e-6);
  BOOST_TEST(std::abs(n.row_current_a(k + 10, 0)) > 100.0 * std::abs(n.row_current_a(k - 10, 0)));
  // Ends in LRS in both faces.
  BOOST_TEST(n.final_state(0, 0) == 2e-10, tt::tolerance(1e-3));
  BOOST_TEST(s.final_state(0, 0) == 2e-10, tt::tolerance(1e-3));
  // Waveforms agree away from the switching instant (within 1e-3 of the peak current).
  const double peak = s.row_current_a.cwiseAbs().maxCoeff();
  double worst = 0.0;
  for (Index p = 0; p < s.t_s.size(); ++p)
    if (std::abs(s.t_s[p] - t_set) > 5e-6) worst = std::max(worst, std::abs(s.row_current_a(p, 0) - n.row_current_a(p, 0)));
  BOOST_TEST_MESSAGE(fmt::format("worst |dI| away from the SET edge {:.3g} of peak {:.3g} A", worst, peak));
  BOOST_TEST(worst <= 1e-3 * peak);
}

BOOST_AUTO_TEST_CASE(stanford_authors_pulse_decks) {
  // pulseSweep.sp of the model package: SET 1.8 V / 100 ns from HRS, RESET -1.3 V / 100 ns from
  // LRS (10 ps edges). Both faces must end in the same state with the same current waveform.
  auto m = std::make_shared<device::StanfordRram>();
  struct Case { double v, gap0; };
  for (const Case& k : {Case{1.8, 17e-10}, Case{-1.3, 2e-10}}) {
    const DeviceArrayCircuit c = oneDevice(m, k.gap0, Pwl::pulse(k.v, 1e-9, 10e-12, 100e-9, 10e-12));
    DeviceTransientOptions o;
    o.t_stop_s = 120e-9;
    o.points = 1201;
    o.rel_tol = 1e-9;  // the SET takes ~100 ps: tight tolerances so that both faces converge
    o.abs_tol_state = 1e-12;
    const DeviceTransientResult s = transientNgspice(c, o);
    const DeviceTransientResult n = transientNative(c, o);
    BOOST_TEST_MESSAGE(fmt::format("pulse {} V: final gap {:.6e} m (ngspice), {:.6e} m (native)", k.v,
                                   s.final_state(0, 0), n.final_state(0, 0)));
    BOOST_TEST_CONTEXT("pulse " << k.v << " V") {
      BOOST_TEST(std::abs(s.final_state(0, 0) - n.final_state(0, 0)) <= 1e-3 * 15e-10);
      if (k.v > 0) BOOST_TEST(n.final_state(0, 0) < 5e-10);  // SET
      else BOOST_TEST(n.final_state(0, 0) > 8e-10);           // RESET
      const double peak = s.row_current_a.cwiseAbs().maxCoeff();
      double worst = 0.0;
      for (Index p = 0; p < s.t_s.size(); ++p)
        worst = std::max(worst, std::abs(s.row_current_a(p, 0) - n.row_current_a(p, 0)));
      BOOST_TEST_MESSAGE(fmt::format("  worst |dI| {:.3g} A of peak {:.3g} A", worst, peak));
      BOOST_TEST(worst <= 1e-3 * peak);
    }
  }
}

BOOST_AUTO_TEST_CASE(pcm_pulse_train_both_faces) {
  // 12 reference SET pulses (1 V, 6 us, 100 ns edges) then one RESET (3 V, 125 ns): G after
  // every pulse in ngspice, in IDA, and from the per-pulse update of the native face.
  auto m = std::make_shared<device::PcmPulse>();
  Pwl w;
  const double period = 10e-6, edge = 100e-9;
  double t = 0.0;
  w.t_s.push_back(0.0);
  w.v_v.push_back(0.0);
  std::vector<double> sample_times;
  for (int p = 0; p < 13; ++p) {
    const bool reset = p == 12;
    const double v = reset ? m->resetAmplitude() : m->setAmplitude();
    const double width = reset ? m->resetWidth() : m->setWidth();
    const double t0 = t + 1e-6;
    for (const auto& [tt_, vv] : {std::pair{t0, 0.0}, {t0 + edge, v}, {t0 + edge + width, v}, {t0 + 2 * edge + width, 0.0}}) {
      w.t_s.push_back(tt_);
      w.v_v.push_back(vv);
    }
    t += period;
    sample_times.push_back(t - 1e-6);
  }
  const DeviceArrayCircuit c = oneDevice(m, m->gMin(), w);
  DeviceTransientOptions o;
  o.t_stop_s = t;
  o.points = 1301;
  o.rel_tol = 1e-8;
  const DeviceTransientResult s = transientNgspice(c, o);
  const DeviceTransientResult n = transientNative(c, o);
  double g = m->gMin();
  for (int p = 0; p < 13; ++p) {
    // the pulse as the faces see it: trapezoid, integrated exactly by sub-steps of pulseResponse
    const bool reset = p == 12;
    const double v = reset ? m->resetAmplitude() : m->setAmplitude();
    const double width = reset ? m->resetWidth() : m->setWidth();
    for (int q = 0; q < 200; ++q) g = m->pulseResponse(g, v * (q + 0.5) / 200.0, edge / 200.0);
    g = m->pulseResponse(g, v, width);
    for (int q = 0; q < 200; ++q) g = m->pulseResponse(g, v * (199.5 - q) / 200.0, edge / 200.0);
    const Index k = static_cast<Index>(std::lround(sample_times[static_cast<std::size_t>(p)] / (t / 1300)));
    BOOST_TEST_CONTEXT("after pulse " << p + 1) {
      BOOST_TEST(n.state(k, 0) == g, tt::tolerance(1e-4));
      BOOST_TEST(s.state(k, 0) == n.state(k, 0), tt::tolerance(1e-4));
    }
  }
  BOOST_TEST(n.final_state(0, 0) <= m->gMin() * 1.01);  // the falling RESET edge crosses the SET window
  // The currents agree within 1e-3 of the peak (read branch I = G V during the pulses).
  const double peak = s.row_current_a.cwiseAbs().maxCoeff();
  BOOST_TEST((s.row_current_a - n.row_current_a).cwiseAbs().maxCoeff() <= 1e-3 * peak);
}

BOOST_AUTO_TEST_CASE(pcm_iv_sweep_agrees) {
  const device::PcmPulse m;
  const Eigen::VectorXd v = Eigen::VectorXd::LinSpaced(41, -1.0, 3.0);
  const Eigen::VectorXd a = ivSweepNative(m, 80e-6, v);
  const Eigen::VectorXd b = ivSweepNgspice(m, 80e-6, v);
  BOOST_TEST((a - b).cwiseAbs().maxCoeff() <= 1e-9 * a.cwiseAbs().maxCoeff());
}

BOOST_AUTO_TEST_CASE(plain_ngspice_deck_sets_at_the_threshold) {
  // A designer's deck: .include devices/rram_stanford.lib, one instance line with an override,
  // run by the standalone ngspice program.
  const std::string dir = XBARSIM_TEST_SOURCE_DIR;
  const std::string deck_path = "device_plain_deck.cir";
  {
    std::ofstream deck(deck_path);
    deck << "plain deck: Stanford RRAM SET ramp\n.include " << dir << "/devices/rram_stanford.lib\n"
         << "vin in 0 pwl(0 0 2m 2)\nx1 in 0 rram_stanford gap_ini=1.7e-9\n"
         << ".tran 1u 2m 0 1u\n.control\nrun\nlet iabs = -i(vin)\n"
         << "meas tran tset when iabs=1e-3 rise=1\nprint v(x1.x)[length(time)-1]\n.endc\n.end\n";
  }
  const std::string cmd = "ngspice -b " + deck_path + " 2>&1";
  FILE* pipe = popen(cmd.c_str(), "r");
  BOOST_REQUIRE(pipe != nullptr);
  std::string out;
  char buf[4096];
  while (fgets(buf, sizeof buf, pipe)) out += buf;
  const int status = pclose(pipe);
  BOOST_TEST_MESSAGE("ngspice exit status " << status);  // ngspice -b exits 1 after `meas` notes
  const auto pos = out.find("tset");
  BOOST_REQUIRE(pos != std::string::npos);
  const double tset = std::stod(out.substr(out.find('=', pos) + 1));
  const device::StanfordRram m;
  BOOST_TEST_MESSAGE(fmt::format("plain ngspice deck: SET at {:.6f} V", tset * 1000.0));
  BOOST_TEST(tset * 1000.0 == m.thresholdVoltage(17e-10), tt::tolerance(2e-3));
  const auto gap_pos = out.find("v(x1.x)[length(time)-1]");
  BOOST_REQUIRE(gap_pos != std::string::npos);
  const double gap_nm = std::stod(out.substr(out.find('=', gap_pos) + 1));
  BOOST_TEST(gap_nm == 0.2, tt::tolerance(1e-3));  // LRS (state node in nm)
  std::remove(deck_path.c_str());
}

BOOST_AUTO_TEST_SUITE_END()
