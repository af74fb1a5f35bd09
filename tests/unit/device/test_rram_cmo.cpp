// SPDX-License-Identifier: MIT
// CMO/HfOx ReRAM statistical model (aihwkit ReRamCMONoiseModel, docs/device-models.md §2.2).
#include <boost/test/unit_test.hpp>

#include <cmath>

#include "xbarsim/core/error.hpp"
#include "xbarsim/device/device_card.hpp"
#include "xbarsim/device/rram_cmo.hpp"

namespace tt = boost::test_tools;
using xbarsim::RngStream;
using xbarsim::StreamPurpose;
using namespace xbarsim::device;

BOOST_AUTO_TEST_SUITE(rram_cmo)

BOOST_AUTO_TEST_CASE(programming_sigma_is_linear_in_absolute_target) {
  const RramCmoModel m;
  // 0.2 % acceptance: sigma = 0.00081107 + 0.00106879 g_T (uS).
  BOOST_TEST(m.sigmaProgramming(50e-6) * 1e6 == 0.00081107 + 0.00106879 * 50.0, tt::tolerance(1e-12));
  BOOST_TEST(m.gMin() == 9.0e-6);
  BOOST_TEST(m.gMax() == 88.199997e-6);
}

BOOST_AUTO_TEST_CASE(decay_mean_and_spread) {
  ParamSet p(rramCmoParameters());
  p.set("prog_noise_scale", 0.0);
  p.set("read_noise_scale", 0.0);
  const RramCmoModel m(p);
  constexpr int kN = 100000;
  RngStream rng(2, StreamPurpose::Programming);
  const ProgrammedArray s = m.program(Eigen::MatrixXd::Constant(kN, 1, 50e-6), rng);
  BOOST_TEST((s.g_prog_s.array() - 50e-6).abs().maxCoeff() == 0.0);
  RngStream read(2, StreamPurpose::ReadNoise);
  const double t = 86400.0;
  const Eigen::ArrayXd g = m.conductanceAt(s, t, read).array();
  const double mean_us = g.mean() * 1e6;
  const double sd_us = std::sqrt((g - g.mean()).square().sum() / (kN - 1)) * 1e6;
  BOOST_TEST(mean_us == 50.0 - 0.08900206 * std::log(t), tt::tolerance(2e-4));
  BOOST_TEST(sd_us == 0.04201137 * std::log(t) + 0.41183342, tt::tolerance(0.02));
  // t = 0 returns g_prog; results stay in [g_min, g_max]
  BOOST_TEST((m.conductanceAt(s, 0.0, read).array() - 50e-6).abs().maxCoeff() == 0.0);
  const ProgrammedArray edge = m.program(Eigen::MatrixXd::Constant(1000, 1, 88e-6), rng);
  const Eigen::MatrixXd ge = m.conductanceAt(edge, 1e6, read);
  BOOST_TEST(ge.maxCoeff() <= m.gMax());
  BOOST_TEST(ge.minCoeff() >= m.gMin());
}

BOOST_AUTO_TEST_CASE(builtin_card_makes_the_model) {
  const auto model = makeInferenceModel(builtinCard("rram_cmo"));
  BOOST_TEST(model->info().name == "rram_cmo");
  BOOST_TEST(model->gMax() == 88.199997e-6);
  const auto pcm = makeInferenceModel(builtinCard("pcm_joshi2020"));
  BOOST_TEST(pcm->gMax() == 25e-6);
  BOOST_CHECK_THROW((void)makeInferenceModel(builtinCard("rram_stanford")), xbarsim::Error);
}

BOOST_AUTO_TEST_SUITE_END()
