// SPDX-License-Identifier: MIT
// Integration: `train`, `evaluate` and their errors, run as the xbarsim program runs them.
#define BOOST_TEST_MODULE dnn_cli
#include <boost/test/unit_test.hpp>
#include <fstream>

#include "run_command.hpp"
#include "xbarsim/io/hdf5_file.hpp"

using xbarsim::test::runCommand;
namespace fs = std::filesystem;

namespace {

std::string cli() { return XBARSIM_DNN_CLI; }
std::string models() { return std::string(XBARSIM_TEST_SOURCE_DIR) + "/data/models/"; }

void write(const fs::path& p, const std::string& text) { std::ofstream(p) << text; }

}  // namespace

BOOST_AUTO_TEST_CASE(evaluate_writes_the_result_file) {
  xbarsim::test::TempDir dir;
  write(dir.path() / "c.toml",
        "[array]\nr_row_ohm = 0.0\nr_col_ohm = 0.0\n[dnn]\ntimes_s = [1.0, 86400.0]\nrepeats = 2\n"
        "test_samples = 1000\ncompensation = \"per-column\"\n[adc]\nbits = 8\n[dac]\nbits = 8\n");
  const auto out = dir.path() / "e.h5";
  const auto r = runCommand(cli() + " evaluate --config " + (dir.path() / "c.toml").string() +
                            " --model " + models() + "mlp_hwa.h5 --out " + out.string() + " 2>&1");
  BOOST_TEST_INFO(r.output);
  BOOST_TEST(r.status == 0);
  BOOST_TEST(r.output.find("accuracy (per-column)") != std::string::npos);
  const auto h5 = xbarsim::io::H5File::openReadOnly(out);
  const Eigen::MatrixXd acc = h5.readMatrix("/accuracy");
  BOOST_TEST(acc.rows() == 2);
  BOOST_TEST(acc.cols() == 2);
  BOOST_TEST(acc.minCoeff() > 0.8);
  BOOST_TEST(h5.readScalar("/accuracy_float") > 0.85);
  BOOST_TEST(h5.readStringAttribute("/", "command") == "evaluate");
  BOOST_TEST(h5.readStringAttribute("/accuracy", "compensation") == "per-column");
  BOOST_TEST(h5.readStringAttribute("/config", "toml").find("per-column") != std::string::npos);
  BOOST_TEST(h5.readMatrix("/layers/001/weff_relative_error").rows() == 2);
  BOOST_TEST(h5.readVector("/times_s")(1) == 86400.0);
  BOOST_TEST(h5.hasAttribute("/provenance", "float_inference_s"));
}

BOOST_AUTO_TEST_CASE(train_then_evaluate_synthetic) {
  xbarsim::test::TempDir dir;
  const auto m = dir.path() / "m.h5";
  auto r = runCommand(cli() + " train --arch mlp --dataset synthetic --hidden 16 --epochs 2 "
                              "--weight-noise 0.02 --clip-sigma 3 --out " + m.string() + " 2>&1");
  BOOST_TEST_INFO(r.output);
  BOOST_TEST(r.status == 0);
  const auto h5 = xbarsim::io::H5File::openReadOnly(m);
  BOOST_TEST(h5.readStringAttribute("/", "producer") == "xbarsim train");
  BOOST_TEST(h5.readDoubleAttribute("/", "test_accuracy") > 0.5);
  write(dir.path() / "c.toml", "[array]\nr_row_ohm = 0.5\nr_col_ohm = 0.5\n[dnn]\ndataset = "
                               "\"synthetic\"\ntimes_s = [3600.0]\nrepeats = 1\ntile_rows = 32\n"
                               "tile_cols = 8\n");
  r = runCommand(cli() + " evaluate -c " + (dir.path() / "c.toml").string() + " -m " + m.string() +
                 " -o " + (dir.path() / "e.h5").string() + " 2>&1");
  BOOST_TEST_INFO(r.output);
  BOOST_TEST(r.status == 0);
  BOOST_TEST(xbarsim::io::H5File::openReadOnly(dir.path() / "e.h5")
                 .readMatrix("/layers/001/circuit_relative_error")(0, 0) > 0.0);
}

BOOST_AUTO_TEST_CASE(errors_name_the_culprit) {
  xbarsim::test::TempDir dir;
  const auto bad = dir.path() / "bad.h5";
  write(bad, "not a model");
  auto r = runCommand(cli() + " evaluate -m " + bad.string() + " -o " +
                      (dir.path() / "e.h5").string() + " 2>&1");
  BOOST_TEST(r.status != 0);
  BOOST_TEST(r.output.find("bad.h5") != std::string::npos);
  BOOST_TEST(!fs::exists(dir.path() / "e.h5"));
  // a model for 28x28 images evaluated on the 8x8 synthetic set
  write(dir.path() / "c.toml", "[dnn]\ndataset = \"synthetic\"\n");
  r = runCommand(cli() + " evaluate -c " + (dir.path() / "c.toml").string() + " -m " + models() +
                 "mlp_hwa.h5 -o " + (dir.path() / "e.h5").string() + " 2>&1");
  BOOST_TEST(r.status == 1);
  BOOST_TEST(r.output.find("do not fit the network input") != std::string::npos);
  // missing data set package
  r = runCommand("XBARSIM_FASHION_MNIST_DIR=" + (dir.path() / "none").string() + " " + cli() +
                 " evaluate -m " + models() + "mlp_hwa.h5 -o " + (dir.path() / "e.h5").string() +
                 " 2>&1");
  BOOST_TEST(r.status != 0);
  BOOST_TEST(r.output.find("dataset-fashion-mnist") != std::string::npos);
  // unknown key and bad value
  write(dir.path() / "c.toml", "[dnn]\nmapping = \"per-row\"\n");
  r = runCommand(cli() + " evaluate -c " + (dir.path() / "c.toml").string() + " -m " + models() +
                 "mlp_hwa.h5 -o " + (dir.path() / "e.h5").string() + " 2>&1");
  BOOST_TEST(r.status == 1);
  BOOST_TEST(r.output.find("dnn.mapping") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(dnn_demo, *boost::unit_test::label("slow") * boost::unit_test::disabled()) {
  // enabled by the dnn_demo ctest entry (--run_test=dnn_demo): the full demo, <= 5 minutes
  xbarsim::test::TempDir dir;
  const auto start = std::chrono::steady_clock::now();
  const auto r = runCommand(cli() + " demo --out " + (dir.path() / "d.h5").string() + " 2>/dev/null");
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  BOOST_TEST_MESSAGE(r.output << "demo wall time " << s << " s");
  BOOST_TEST(r.status == 0);
  BOOST_TEST(s <= 300.0);
  const auto h5 = xbarsim::io::H5File::openReadOnly(dir.path() / "d.h5");
  BOOST_TEST(h5.readMatrix("/accuracy").rows() == 5);
  BOOST_TEST(h5.readMatrix("/accuracy_none").rows() == 5);
}
