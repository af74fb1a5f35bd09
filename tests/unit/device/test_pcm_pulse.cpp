// SPDX-License-Identifier: MIT
// PCM pulse-level model: the NeuroSim exponential G(P) (Chen, Peng, Yu, IEEE TCAD 37, 3067
// (2018)) from a train of reference SET pulses, abrupt RESET, continuous form = per-pulse
// update, cycle-to-cycle noise statistics and program-and-verify.
#include <boost/test/unit_test.hpp>

#include <cmath>

#include "xbarsim/core/error.hpp"
#include "xbarsim/device/pcm_pulse.hpp"

namespace tt = boost::test_tools;
using xbarsim::RngStream;
using xbarsim::StreamPurpose;
using namespace xbarsim::device;

namespace {

/// Classical RK4 integration of dG/dt over a rectangular pulse (n steps).
double integratePulse(const PcmPulse& m, double g, double v, double width, int n) {
  const double h = width / n;
  for (int k = 0; k < n; ++k) {
    const double k1 = m.stateRate(v, g);
    const double k2 = m.stateRate(v, g + 0.5 * h * k1);
    const double k3 = m.stateRate(v, g + 0.5 * h * k2);
    const double k4 = m.stateRate(v, g + h * k3);
    g += h / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4);
  }
  return g;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(pcm_pulse)

BOOST_AUTO_TEST_CASE(set_train_follows_neurosim_curve) {
  const PcmPulse m;
  const double a = 50.0, p_max = 100.0;
  const double g_min = m.gMin(), g_max = m.gMax();
  const double b = (g_max - g_min) / (1.0 - std::exp(-p_max / a));
  double g = g_min;
  for (int p = 1; p <= 100; ++p) {
    g = m.pulseResponse(g, m.setAmplitude(), m.setWidth());
    const double expected = b * (1.0 - std::exp(-p / a)) + g_min;  // NeuroSim G(P)
    BOOST_TEST_CONTEXT("pulse " << p) {
      BOOST_TEST(g == std::min(expected, g_max), tt::tolerance(1e-9));
      BOOST_TEST(m.curve(p) == std::min(expected, g_max), tt::tolerance(1e-12));
    }
  }
  BOOST_TEST(g == g_max, tt::tolerance(1e-9));          // P_max pulses reach G_max
  // Non-linear, saturating: the first step is larger than the last.
  const double first = m.pulseResponse(g_min, m.setAmplitude(), m.setWidth()) - g_min;
  const double last = m.curve(100) - m.curve(99);
  BOOST_TEST(first > 2.0 * last);
}

BOOST_AUTO_TEST_CASE(reset_is_abrupt) {
  const PcmPulse m;
  const double g = m.pulseResponse(m.gMax(), m.resetAmplitude(), m.resetWidth());
  BOOST_TEST(g - m.gMin() <= 1e-4 * (m.gMax() - m.gMin()));
}

BOOST_AUTO_TEST_CASE(reads_and_negative_voltages_do_not_program) {
  const PcmPulse m;
  const double g = 50e-6;
  BOOST_TEST(std::abs(m.pulseResponse(g, 0.2, 1.0) - g) <= 1e-6 * g);
  BOOST_TEST(std::abs(m.pulseResponse(g, -3.0, 1e-6) - g) <= 1e-15);
  BOOST_TEST(m.current(0.2, g) == 0.2 * g, tt::tolerance(1e-15));
  BOOST_TEST(m.conductance(0.2, g) == g);
}

BOOST_AUTO_TEST_CASE(continuous_form_equals_pulse_update) {
  const PcmPulse m;
  for (const double g0 : {m.gMin(), 60e-6, 150e-6}) {
    const double exact = m.pulseResponse(g0, m.setAmplitude(), m.setWidth());
    BOOST_TEST(integratePulse(m, g0, m.setAmplitude(), m.setWidth(), 200) == exact, tt::tolerance(1e-10));
    const double reset = m.pulseResponse(g0, m.resetAmplitude(), m.resetWidth());
    BOOST_TEST(std::abs(integratePulse(m, g0, m.resetAmplitude(), m.resetWidth(), 2000) - reset) <=
               1e-9 * m.gMax());
  }
}

BOOST_AUTO_TEST_CASE(cycle_to_cycle_noise_statistics) {
  const PcmPulse m;
  RngStream rng(4, StreamPurpose::Programming);
  constexpr int kN = 50000;
  const double g0 = 60e-6;
  const double mean_expected = m.pulseResponse(g0, m.setAmplitude(), m.setWidth());
  double sum = 0.0, sum2 = 0.0;
  for (int k = 0; k < kN; ++k) {
    const double d = m.applyPulse(g0, m.setAmplitude(), m.setWidth(), rng) - mean_expected;
    sum += d;
    sum2 += d * d;
  }
  const double sigma = 0.015 * (m.gMax() - m.gMin());
  BOOST_TEST(std::abs(sum / kN) <= 4.0 * sigma / std::sqrt(double(kN)));
  BOOST_TEST(std::sqrt(sum2 / kN) == sigma, tt::tolerance(0.02));
}

BOOST_AUTO_TEST_CASE(program_verify_reaches_targets) {
  const PcmPulse m;
  const double tol = 0.02 * (m.gMax() - m.gMin());
  int total = 0;
  for (int k = 0; k < 50; ++k) {
    RngStream rng(100 + static_cast<std::uint64_t>(k), StreamPurpose::Programming);
    const double target = m.gMin() + (0.1 + 0.016 * k) * (m.gMax() - m.gMin());
    const ProgramVerifyResult r = m.programVerify(m.gMax(), target, tol, 500, rng);
    BOOST_TEST_CONTEXT("target " << target) {
      BOOST_TEST(r.converged);
      BOOST_TEST(std::abs(r.residual_s) <= tol);
      BOOST_TEST(r.residual_s == r.g_s - target);
      BOOST_TEST(r.resets >= 1);  // started above the target
    }
    total += r.pulses;
  }
  BOOST_TEST(total / 50 < 150);
  // Reproducible with the same stream.
  RngStream a(5, StreamPurpose::Programming), b(5, StreamPurpose::Programming);
  const auto ra = m.programVerify(m.gMin(), 100e-6, tol, 500, a);
  const auto rb = m.programVerify(m.gMin(), 100e-6, tol, 500, b);
  BOOST_TEST(ra.g_s == rb.g_s);
  BOOST_TEST(ra.pulses == rb.pulses);
  // A pulse budget too small to get there is reported, not hidden.
  RngStream c(5, StreamPurpose::Programming);
  const auto rc = m.programVerify(m.gMin(), 150e-6, 1e-9, 3, c);
  BOOST_TEST(!rc.converged);
  BOOST_TEST(rc.pulses == 3);
  BOOST_CHECK_THROW((void)m.programVerify(m.gMin(), 1.0, tol, 10, c), xbarsim::Error);
}

BOOST_AUTO_TEST_SUITE_END()
