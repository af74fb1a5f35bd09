// SPDX-License-Identifier: MIT
// PCM statistical model vs the derived reference values of docs/device-models.md §1.8
// (computed there from the aihwkit PCMLikeNoiseModel formulas; Joshi et al., Nat. Commun. 11,
// 2473 (2020)), plus exact noise-free maths and sampling statistics.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <array>
#include <cmath>

#include "xbarsim/core/error.hpp"
#include "xbarsim/device/inference_model.hpp"
#include "xbarsim/device/pcm_statistical.hpp"

namespace tt = boost::test_tools;
using xbarsim::RngStream;
using xbarsim::StreamPurpose;
using namespace xbarsim::device;

namespace {

struct Row {
  double g_us, sigma_us, mu_nu, sigma_nu, q_s;
};
// docs/device-models.md §1.8, first table (g_max = 25 uS, t0 = 20 s).
constexpr std::array<Row, 7> kTable = {{{0.25, 0.2830, 0.0958, 0.0450, 0.1756},
                                        {1, 0.3402, 0.0743, 0.0343, 0.0713},
                                        {2.5, 0.4482, 0.0601, 0.0229, 0.0393},
                                        {5, 0.6096, 0.0493, 0.0142, 0.0251},
                                        {10, 0.8618, 0.049, 0.008, 0.0160},
                                        {20, 1.0847, 0.049, 0.008, 0.0102},
                                        {25, 1.0554, 0.049, 0.008, 0.0088}}};

/// Mean of g_drift/g_prog over n devices at target g (no programming or read noise).
double meanDriftFactor(double g_s, double t_s, int n, std::uint64_t seed) {
  PcmStatisticalParams p;
  p.prog_noise_scale = 0.0;
  const PcmStatisticalModel model(p);
  RngStream rng(seed, StreamPurpose::Programming);
  const Eigen::MatrixXd target = Eigen::MatrixXd::Constant(n, 1, g_s);
  const PcmProgrammedState state = model.program(target, rng);
  RngStream read(seed, StreamPurpose::ReadNoise);
  const Eigen::MatrixXd g = model.conductanceAt(state, t_s, read, false);
  return (g.array() / state.g_prog_s.array()).mean();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(pcm_statistical)

BOOST_AUTO_TEST_CASE(fitted_functions_match_devices_md_table) {
  const PcmStatisticalModel model;
  for (const Row& r : kTable) {
    const double g = r.g_us * 1e-6;
    BOOST_TEST_CONTEXT("g_T = " << r.g_us << " uS") {
      BOOST_TEST(model.sigmaProgramming(g) * 1e6 == r.sigma_us, tt::tolerance(2e-4));
      BOOST_TEST(std::abs(model.driftMean(g) - r.mu_nu) <= 6e-5);
      BOOST_TEST(std::abs(model.driftStd(g) - r.sigma_nu) <= 6e-5);
      BOOST_TEST(std::abs(model.readNoiseQ(g) - r.q_s) <= 6e-5);
    }
  }
}

BOOST_AUTO_TEST_CASE(read_noise_time_factor_matches_devices_md) {
  const PcmStatisticalModel model;
  const std::array<std::pair<double, double>, 5> s = {
      {{1.0, 4.190}, {3600.0, 4.765}, {86400.0, 5.087}, {30 * 86400.0, 5.411}, {365 * 86400.0, 5.637}}};
  for (const auto& [t, value] : s) BOOST_TEST(std::abs(model.readNoiseTimeFactor(t) - value) <= 6e-4);
}

BOOST_AUTO_TEST_CASE(mean_drift_factor_reproduces_monte_carlo_table) {
  // docs/device-models.md §1.8, second table (200k-sample Monte Carlo there; 200k here, other stream).
  constexpr int kN = 200000;
  struct Case { double g_us, t_s, expected; };
  const std::array<Case, 8> cases = {{{2.5, 3600.0, 0.7363},
                                      {2.5, 86400.0, 0.6150},
                                      {10, 1.0, 0.9976},
                                      {10, 3600.0, 0.7757},
                                      {10, 86400.0, 0.6649},
                                      {25, 86400.0, 0.6649},
                                      {25, 30 * 86400.0, 0.5640},
                                      {25, 365 * 86400.0, 0.5000}}};
  for (const Case& c : cases) {
    BOOST_TEST_CONTEXT("g_T = " << c.g_us << " uS, t = " << c.t_s << " s") {
      BOOST_TEST(std::abs(meanDriftFactor(c.g_us * 1e-6, c.t_s, kN, 7) - c.expected) <= 1.5e-3);
    }
  }
}

BOOST_AUTO_TEST_CASE(noise_free_drift_is_exact_power_law) {
  PcmStatisticalParams p;
  p.prog_noise_scale = 0.0;
  const PcmStatisticalModel model(p);
  RngStream rng(3, StreamPurpose::Programming);
  Eigen::MatrixXd target(2, 3);
  target << 1e-6, 5e-6, 10e-6, 15e-6, 20e-6, 25e-6;
  const PcmProgrammedState s = model.program(target, rng);
  BOOST_TEST((s.g_prog_s - target).cwiseAbs().maxCoeff() == 0.0);
  RngStream read(3, StreamPurpose::ReadNoise);
  const double t = 86400.0;
  const Eigen::MatrixXd g = model.conductanceAt(s, t, read, false);
  for (Eigen::Index k = 0; k < g.size(); ++k)
    BOOST_TEST(g(k) == target(k) * std::pow((t + 20.0) / 20.0, -s.nu(k)), tt::tolerance(1e-14));
  // t = 0: no drift
  const Eigen::MatrixXd g0 = model.conductanceAt(s, 0.0, read, false);
  BOOST_TEST((g0 - target).cwiseAbs().maxCoeff() == 0.0);
}

BOOST_AUTO_TEST_CASE(programming_noise_statistics) {
  const PcmStatisticalModel model;
  constexpr int kN = 100000;
  for (const double g_us : {2.5, 10.0, 20.0}) {
    const double g = g_us * 1e-6;
    RngStream rng(11, StreamPurpose::Programming);
    const PcmProgrammedState s = model.program(Eigen::MatrixXd::Constant(kN, 1, g), rng);
    const Eigen::ArrayXd d = s.g_prog_s.array() - g;
    const double mean = d.mean();
    const double sd = std::sqrt((d - mean).square().sum() / (kN - 1));
    const double sigma = model.sigmaProgramming(g);
    BOOST_TEST_CONTEXT("g_T = " << g_us << " uS") {
      BOOST_TEST(std::abs(mean) <= 4.0 * sigma / std::sqrt(double(kN)) + 1e-3 * sigma);
      BOOST_TEST(sd == sigma, tt::tolerance(0.015));
      BOOST_TEST(s.g_prog_s.minCoeff() >= 0.0);
    }
  }
}

BOOST_AUTO_TEST_CASE(relative_read_noise_at_one_hour) {
  // docs/device-models.md §1.8: sigma/g_drift at 1 h = 0.187 (2.5 uS), 0.076 (10 uS), 0.042 (25 uS).
  PcmStatisticalParams p;
  p.prog_noise_scale = 0.0;
  p.drift_scale = 0.0;
  const PcmStatisticalModel model(p);
  constexpr int kN = 100000;
  for (const auto& [g_us, rel] : std::array<std::pair<double, double>, 3>{{{2.5, 0.187}, {10, 0.076}, {25, 0.042}}}) {
    RngStream rng(5, StreamPurpose::Programming);
    const PcmProgrammedState s = model.program(Eigen::MatrixXd::Constant(kN, 1, g_us * 1e-6), rng);
    RngStream read(5, StreamPurpose::ReadNoise);
    const Eigen::ArrayXd g = model.conductanceAt(s, 3600.0, read).array() / (g_us * 1e-6);
    const double sd = std::sqrt((g - g.mean()).square().sum() / (kN - 1));
    BOOST_TEST_CONTEXT("g_T = " << g_us << " uS") { BOOST_TEST(sd == rel, tt::tolerance(0.02)); }
  }
}

BOOST_AUTO_TEST_CASE(draws_are_per_device_column_major_and_seeded) {
  const PcmStatisticalModel model;
  Eigen::MatrixXd target(3, 2);
  target << 2e-6, 12e-6, 4e-6, 14e-6, 6e-6, 16e-6;
  RngStream a(42, StreamPurpose::Programming);
  const PcmProgrammedState whole = model.program(target, a);
  RngStream b(42, StreamPurpose::Programming);
  for (Eigen::Index j = 0; j < 2; ++j)
    for (Eigen::Index i = 0; i < 3; ++i) {
      const PcmProgrammedState one = model.program(target.block(i, j, 1, 1), b);
      BOOST_TEST(one.g_prog_s(0, 0) == whole.g_prog_s(i, j));
      BOOST_TEST(one.nu(0, 0) == whole.nu(i, j));
    }
  RngStream c(43, StreamPurpose::Programming);
  BOOST_TEST((model.program(target, c).g_prog_s - whole.g_prog_s).cwiseAbs().maxCoeff() > 0.0);
}

BOOST_AUTO_TEST_CASE(fresh_read_noise_per_call_same_drift) {
  const PcmStatisticalModel model;
  RngStream rng(1, StreamPurpose::Programming);
  const PcmProgrammedState s = model.program(Eigen::MatrixXd::Constant(4, 4, 10e-6), rng);
  RngStream read(1, StreamPurpose::ReadNoise);
  const Eigen::MatrixXd r1 = model.conductanceAt(s, 3600.0, read);
  const Eigen::MatrixXd r2 = model.conductanceAt(s, 3600.0, read);
  BOOST_TEST((r1 - r2).cwiseAbs().maxCoeff() > 0.0);
  const Eigen::MatrixXd d1 = model.conductanceAt(s, 3600.0, read, false);
  const Eigen::MatrixXd d2 = model.conductanceAt(s, 3600.0, read, false);
  BOOST_TEST((d1 - d2).cwiseAbs().maxCoeff() == 0.0);
}

BOOST_AUTO_TEST_CASE(bad_inputs_throw) {
  const PcmStatisticalModel model;
  RngStream rng(1, StreamPurpose::Programming);
  const PcmProgrammedState s = model.program(Eigen::MatrixXd::Constant(2, 2, 10e-6), rng);
  BOOST_CHECK_THROW((void)model.conductanceAt(s, -1.0, rng), xbarsim::Error);
  BOOST_CHECK_THROW((void)model.conductanceAt(s, NAN, rng), xbarsim::Error);
  Eigen::MatrixXd bad = Eigen::MatrixXd::Constant(2, 2, 10e-6);
  bad(1, 1) = NAN;
  BOOST_CHECK_THROW((void)model.program(bad, rng), xbarsim::Error);
  PcmStatisticalParams p;
  p.g_max_s = 0.0;
  BOOST_CHECK_THROW(PcmStatisticalModel{p}, xbarsim::Error);
}

BOOST_AUTO_TEST_CASE(hermes_variant_formulas) {
  // docs/device-models.md §1.7 (aihwkit HermesNoiseModel), values at x = g/g_max = 1 and a low-x point,
  // derived here by hand from the printed coefficients.
  const PcmStatisticalModel two(hermesParams(2));
  const double g_max = 20.7e-6;
  BOOST_TEST(two.sigmaProgramming(g_max) * 1e6 == 0.16603222 + 4.71806468 - 8.48101252 + 4.68961419,
             tt::tolerance(1e-12));
  BOOST_TEST(two.driftMean(g_max) == -0.0436 - 0.0126 + 0.0736, tt::tolerance(1e-12));
  BOOST_TEST(two.driftStd(g_max) == -0.0118 + 0.0093 + 0.0073, tt::tolerance(1e-12));
  BOOST_TEST(two.readNoiseQ(g_max) == 0.0069 - 0.0280 + 0.0211 + 0.0123, tt::tolerance(1e-12));
  const double low = 0.05 * g_max;
  BOOST_TEST(two.driftMean(low) == std::clamp(-0.0387 * std::log(0.05) - 0.0182, 0.072, 0.13),
             tt::tolerance(1e-12));
  BOOST_TEST(two.params().t0_s == 300.0);
  BOOST_TEST(two.params().t_read_s == 512e-9);
  const PcmStatisticalModel one(hermesParams(1));
  BOOST_TEST(one.params().g_max_s == 10.35e-6);
  BOOST_TEST(one.driftStd(10.35e-6) == -0.0165 + 0.0116 + 0.0104, tt::tolerance(1e-12));
  BOOST_TEST(one.readNoiseQ(10.35e-6) == 0.0664 - 0.1352 + 0.0768 + 0.0088, tt::tolerance(1e-12));
  BOOST_CHECK_THROW((void)hermesParams(3), xbarsim::Error);
}

BOOST_AUTO_TEST_CASE(inference_adapter_matches_model) {
  const PcmInference adapter;
  const PcmStatisticalModel model;
  const Eigen::MatrixXd target = Eigen::MatrixXd::Constant(3, 3, 12e-6);
  RngStream a(9, StreamPurpose::Programming), b(9, StreamPurpose::Programming);
  const ProgrammedArray pa = adapter.program(target, a);
  const PcmProgrammedState pm = model.program(target, b);
  BOOST_TEST((pa.g_prog_s - pm.g_prog_s).cwiseAbs().maxCoeff() == 0.0);
  BOOST_TEST((pa.nu - pm.nu).cwiseAbs().maxCoeff() == 0.0);
  BOOST_TEST((pa.g_target_s - target).cwiseAbs().maxCoeff() == 0.0);
}

BOOST_AUTO_TEST_SUITE_END()
