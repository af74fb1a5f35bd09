// SPDX-License-Identifier: MIT
// The device step of extract: device.model = "pcm", ideal wires, read.t_s = 1 day on a 20x20
// array of targets in 10-25 uS gives mean(W_eff/G_target) = 0.665 +- 0.02 (docs/device-models.md §1.8: mean
// drift factor 0.6649 at 1 day for targets >= 10 uS), through both backends.
#include <boost/test/unit_test.hpp>

#include <fmt/format.h>

#include "xbarsim/circuit/crossbar_config.hpp"
#include "xbarsim/circuit/native_solver.hpp"
#include "xbarsim/core/error.hpp"
#include "xbarsim/extract/backend.hpp"
#include "xbarsim/extract/config_schema.hpp"
#include "xbarsim/extract/device_pipeline.hpp"

namespace tt = boost::test_tools;
using namespace xbarsim;

namespace {

core::Config pcmConfig(double t_s, const std::string& extra = "") {
  const std::string text = fmt::format(
      "[array]\nrows = 20\ncols = 20\nr_row_ohm = 0.0\nr_col_ohm = 0.0\n"
      "[device]\nmodel = \"pcm\"\ng_min_s = 10e-6\ng_max_s = 25e-6\n{}"
      "[read]\nv_read_v = 0.2\nt_s = {}\n[run]\nseed = 3\n",
      extra, t_s);
  return core::Config::parse(text, "pcm.toml", extract::configSchema());
}

double meanRatio(const Eigen::MatrixXd& weff, const Eigen::MatrixXd& g_target) {
  return (weff.array() / g_target.transpose().array()).mean();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(device_pipeline)

BOOST_AUTO_TEST_CASE(pcm_one_day_weff_ratio_both_backends) {
  const core::Config config = pcmConfig(86400.0);
  circuit::CrossbarSpec spec = circuit::crossbarFromConfig(config, 3);
  BOOST_REQUIRE(extract::hasDeviceStep(config));
  const extract::DeviceStep step = extract::applyDeviceStep(config, spec, 3);
  BOOST_TEST((step.g_target_s.array() >= 10e-6).all());
  BOOST_TEST((spec.g_s - step.g_read_s).cwiseAbs().maxCoeff() == 0.0);
  const auto ngspice = extract::makeBackend("ngspice");
  const Eigen::MatrixXd w_spice = ngspice->effectiveWeights(spec, 0.2).weff_s;
  circuit::NativeSolver native(spec);
  const Eigen::MatrixXd w_native = native.effectiveWeights(0.2);
  const double r_spice = meanRatio(w_spice, step.g_target_s);
  const double r_native = meanRatio(w_native, step.g_target_s);
  BOOST_TEST_MESSAGE(fmt::format("mean(W_eff/G_target) at 1 day: {:.4f} (ngspice), {:.4f} (native)",
                                 r_spice, r_native));
  BOOST_TEST(std::abs(r_spice - 0.665) <= 0.02);
  BOOST_TEST(std::abs(r_native - 0.665) <= 0.02);
  BOOST_TEST((w_spice - w_native).cwiseAbs().maxCoeff() <= 1e-9 * w_spice.cwiseAbs().maxCoeff());
}

BOOST_AUTO_TEST_CASE(seed_reproducible_and_time_dependent) {
  const core::Config config = pcmConfig(3600.0);
  circuit::CrossbarSpec a = circuit::crossbarFromConfig(config, 3), b = a;
  (void)extract::applyDeviceStep(config, a, 3);
  (void)extract::applyDeviceStep(config, b, 3);
  BOOST_TEST((a.g_s - b.g_s).cwiseAbs().maxCoeff() == 0.0);
  circuit::CrossbarSpec c = circuit::crossbarFromConfig(config, 3);
  (void)extract::applyDeviceStep(config, c, 4);
  BOOST_TEST((a.g_s - c.g_s).cwiseAbs().maxCoeff() > 0.0);
  // noise-free: drift only, exactly the power law of the stored nu
  const core::Config quiet = pcmConfig(3600.0, "prog_noise_scale = 0.0\nread_noise_scale = 0.0\n");
  circuit::CrossbarSpec d = circuit::crossbarFromConfig(quiet, 3);
  const extract::DeviceStep s = extract::applyDeviceStep(quiet, d, 3);
  for (Eigen::Index k = 0; k < d.g_s.size(); ++k)
    BOOST_TEST(d.g_s(k) == s.g_target_s(k) * std::pow((3600.0 + 20.0) / 20.0, -s.nu(k)), tt::tolerance(1e-13));
}

BOOST_AUTO_TEST_CASE(cards_and_errors) {
  const core::Config hermes = pcmConfig(86400.0, "card = \"pcm_hermes\"\n");
  circuit::CrossbarSpec spec = circuit::crossbarFromConfig(hermes, 1);
  const extract::DeviceStep step = extract::applyDeviceStep(hermes, spec, 1);
  BOOST_TEST(step.card == "builtin:pcm_hermes");
  // A card of another model or a missing card file is refused when the crossbar is built (the
  // registry resolves the card of every kind with parameters), before any device step.
  const core::Config wrong = pcmConfig(0.0, "card = \"rram_cmo\"\n");
  BOOST_CHECK_THROW((void)circuit::crossbarFromConfig(wrong, 1), ConfigError);
  const core::Config missing = pcmConfig(0.0, "card = \"no_such_card.toml\"\n");
  BOOST_CHECK_THROW((void)circuit::crossbarFromConfig(missing, 1), ConfigError);
  BOOST_CHECK_THROW((void)core::Config::parse("[device]\nmodel = \"pcm9\"\n", "x.toml", extract::configSchema()),
                    ConfigError);
}

BOOST_AUTO_TEST_SUITE_END()
