// SPDX-License-Identifier: MIT
// `xbarsim device`: I-V sweeps and pulse transients of one device to HDF5, both faces.
#define BOOST_TEST_MODULE device_cli
#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <string>
#include <vector>

#include "device_command.hpp"
#include "xbarsim/core/error.hpp"
#include "xbarsim/device/rram_stanford.hpp"
#include "xbarsim/io/hdf5_file.hpp"

namespace tt = boost::test_tools;
using namespace xbarsim;

namespace {

int run(std::vector<std::string> args) {
  CLI::App app{"test"};
  app.require_subcommand(1);
  cli::Options options;
  options.command_line = "xbarsim device ...";
  cli::addDeviceCommand(app, options);
  args.insert(args.begin(), "xbarsim");
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  app.parse(static_cast<int>(argv.size()), argv.data());
  return options.run();
}

}  // namespace

BOOST_AUTO_TEST_CASE(iv_sweep_both_faces) {
  for (const std::string backend : {"native", "ngspice"}) {
    const std::string out = "device_cli_iv_" + backend + ".h5";
    BOOST_TEST(run({"device", "--card", "rram_stanford", "--mode", "iv", "--backend", backend,
                    "--state", "1.7e-9", "--v", "1", "--points", "21", "--out", out}) == 0);
    auto h5 = io::H5File::openReadOnly(out);
    const Eigen::VectorXd v = h5.readVector("/v");
    const Eigen::VectorXd i = h5.readVector("/i");
    BOOST_TEST(v.size() == 21);
    const device::StanfordRram m;
    for (Eigen::Index k = 0; k < v.size(); ++k) BOOST_TEST(i[k] == m.current(v[k], 1.7e-9), tt::tolerance(1e-8));
    BOOST_TEST(h5.readStringAttribute("/", "model") == "rram_stanford");
    BOOST_TEST(h5.readDoubleAttribute("/params", "gap_max_m") == 17e-10);
    std::remove(out.c_str());
  }
}

BOOST_AUTO_TEST_CASE(pulses_and_overrides) {
  const std::string out = "device_cli_pulses.h5";
  BOOST_TEST(run({"device", "--card", "pcm_pulse_gst", "--mode", "pulses", "--v", "1", "--width", "6e-6",
                  "--edge", "1e-7", "--count", "5", "--points", "501", "--set", "a_pulses=20",
                  "--out", out}) == 0);
  auto h5 = io::H5File::openReadOnly(out);
  const Eigen::VectorXd g = h5.readVector("/state");
  BOOST_TEST(g[g.size() - 1] > g[0]);
  BOOST_TEST(h5.readDoubleAttribute("/params", "a_pulses") == 20.0);
  std::remove(out.c_str());
  BOOST_CHECK_THROW(run({"device", "--card", "pcm_pulse_gst", "--set", "a_pulses=abc", "--out", out}), ConfigError);
  BOOST_CHECK_THROW(run({"device", "--card", "pcm_pulse_gst", "--set", "nope=1", "--out", out}), ConfigError);
  BOOST_CHECK_THROW(run({"device", "--card", "pcm_joshi2020", "--out", out}), Error);
}
