// SPDX-License-Identifier: MIT
// Integration: `train`, `evaluate` and their errors, run as the xbarsim program runs them.
#define BOOST_TEST_MODULE dnn_cli
#include <boost/test/unit_test.hpp>
#include <fstream>
#include <sstream>

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

// `train --config` (docs/training.md): the result file, the model file `evaluate` accepts, and
// the refusals of what is not available.
BOOST_AUTO_TEST_CASE(train_config_writes_the_result_file) {
  xbarsim::test::TempDir dir;
  write(dir.path() / "t.toml",
        "[train]\nalgorithm = \"mixed-precision\"\ndevice = \"soft-bounds\"\ndataset = "
        "\"synthetic\"\nepochs = 2\nbatch_size = 64\nlearning_rate = 0.1\n"
        "[train.device_params]\nup_down = 0.2\n");
  const auto out = dir.path() / "t.h5", m = dir.path() / "m.h5";
  auto r = runCommand(cli() + " train --hidden 16 --config " + (dir.path() / "t.toml").string() +
                      " --out " + out.string() + " --model-out " + m.string() + " 2>&1");
  BOOST_TEST_INFO(r.output);
  BOOST_TEST_REQUIRE(r.status == 0);
  BOOST_TEST(r.output.find("epoch 2/2") != std::string::npos);
  const auto h5 = xbarsim::io::H5File::openReadOnly(out);
  BOOST_TEST(h5.readStringAttribute("/", "command") == "train");
  BOOST_TEST(h5.readVector("/train/test_accuracy").size() == 2);
  BOOST_TEST(h5.readVector("/train/test_accuracy")(1) > 0.6);
  BOOST_TEST(h5.readVector("/train/train_loss").size() == 2);
  BOOST_TEST(h5.readVector("/train/pulses_per_weight")(1) > 0.0);
  BOOST_TEST(h5.readVector("/train/saturated_fraction").size() == 2);
  BOOST_TEST(h5.readStringAttribute("/train", "algorithm") == "mixed-precision");
  BOOST_TEST(h5.readDoubleAttribute("/train", "device_param_up_down") == 0.2);
  BOOST_TEST(h5.readMatrix("/arrays/001/w").rows() == 16);
  BOOST_TEST(h5.readMatrix("/arrays/001/chi").cols() == 64);
  BOOST_TEST(h5.readMatrix("/arrays/002/weight").rows() == 4);
  // the model file: evaluate accepts it
  write(dir.path() / "e.toml", "[dnn]\ndataset = \"synthetic\"\ntimes_s = [1.0]\nrepeats = 1\n");
  r = runCommand(cli() + " evaluate -c " + (dir.path() / "e.toml").string() + " -m " + m.string() +
                 " -o " + (dir.path() / "e.h5").string() + " 2>&1");
  BOOST_TEST_INFO(r.output);
  BOOST_TEST(r.status == 0);
  // the circuit mode (analog-sgd: reads and update slots through 8x8 tiles with 1 ohm wires)
  r = runCommand(cli() + " train --hidden 16 --set train.circuit=circuit --set "
                 "train.dataset=synthetic --set train.algorithm=analog-sgd --set train.epochs=1 "
                 "--set train.train_samples=512 --set train.tile_rows=8 --set train.tile_cols=8 "
                 "--out " + (dir.path() / "c.h5").string() + " 2>&1");
  BOOST_TEST_INFO(r.output);
  BOOST_TEST_REQUIRE(r.status == 0);
  {
    const auto c = xbarsim::io::H5File::openReadOnly(dir.path() / "c.h5");
    BOOST_TEST(c.readStringAttribute("/train", "circuit") == "circuit");
    BOOST_TEST(c.readDoubleAttribute("/train", "r_wire_ohm") == 1.0);
    BOOST_TEST(c.readVector("/train/test_accuracy")(0) > 0.4);
    BOOST_TEST(c.readVector("/train/pulses_per_weight")(0) > 0.0);
    BOOST_TEST(c.readMatrix("/arrays/001/w").rows() == 16);
  }
  // float-trainer flags do not mix with --config
  r = runCommand(cli() + " train --set train.circuit=no-such --set train.dataset=synthetic --out " +
                 (dir.path() / "n.h5").string() + " 2>&1");
  BOOST_TEST(r.status != 0);
  BOOST_TEST(!fs::exists(dir.path() / "n.h5"));
  r = runCommand(cli() + " train --epochs 3 --set train.dataset=synthetic --out " +
                 (dir.path() / "c.h5").string() + " 2>&1");
  BOOST_TEST(r.status != 0);
  BOOST_TEST(r.output.find("--epochs") != std::string::npos);
  r = runCommand(cli() + " train --dataset synthetic --model-out x.h5 --out " +
                 (dir.path() / "c.h5").string() + " 2>&1");
  BOOST_TEST(r.status != 0);
}

// Float SGD in xbarsim against tools/numpy_mlp.py sgd (independent numpy code) from the same
// initial weights, data order and schedule: per-epoch losses within 1e-4 relative, accuracies
// within 0.002 (float32 sums in different orders).
BOOST_AUTO_TEST_CASE(float_sgd_matches_numpy) {
  BOOST_TEST_REQUIRE(runCommand("/usr/bin/python3 -c 'import h5py, numpy' 2>/dev/null").status == 0,
                     "/usr/bin/python3 cannot import h5py and numpy (tools/setup.sh installs them)");
  xbarsim::test::TempDir dir;
  const auto m0 = dir.path() / "m0.h5";
  auto r = runCommand(cli() + " train --hidden 64,32 --epochs 1 --train-samples 1000 --out " +
                      m0.string() + " 2>&1");
  BOOST_TEST_INFO(r.output);
  BOOST_TEST_REQUIRE(r.status == 0);
  write(dir.path() / "s.toml",
        "[train]\nalgorithm = \"sgd\"\ninit_model = \"m0.h5\"\nshuffle = false\nepochs = 2\n"
        "batch_size = 100\nlearning_rate = 0.05\nmomentum = 0.9\ntrain_samples = 3000\n"
        "test_samples = 2000\n");
  const auto out = dir.path() / "s.h5";
  r = runCommand(cli() + " train -c " + (dir.path() / "s.toml").string() + " -o " + out.string() +
                 " 2>&1");
  BOOST_TEST_INFO(r.output);
  BOOST_TEST_REQUIRE(r.status == 0);
  const auto h5 = xbarsim::io::H5File::openReadOnly(out);
  const Eigen::VectorXd loss = h5.readVector("/train/train_loss");
  const Eigen::VectorXd acc = h5.readVector("/train/test_accuracy");
  r = runCommand("/usr/bin/python3 " + std::string(XBARSIM_TEST_SOURCE_DIR) +
                 "/tools/numpy_mlp.py sgd --init " + m0.string() +
                 " --epochs 2 --batch 100 --lr 0.05 --momentum 0.9 --train-samples 3000 "
                 "--test-samples 2000 2>&1 | /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); "
                 "print(*(d[\"train_loss\"] + d[\"test_accuracy\"]))'");
  BOOST_TEST_INFO(r.output);
  BOOST_TEST_REQUIRE(r.status == 0);
  std::istringstream in(r.output);
  double l0 = 0, l1 = 0, a0 = 0, a1 = 0;
  in >> l0 >> l1 >> a0 >> a1;
  BOOST_TEST_MESSAGE("float SGD: xbarsim loss " << loss(0) << ", " << loss(1) << " accuracy "
                     << acc(0) << ", " << acc(1) << "; numpy " << l0 << ", " << l1 << " / "
                     << a0 << ", " << a1);
  BOOST_TEST(std::abs(loss(0) - l0) <= 1e-4 * l0);
  BOOST_TEST(std::abs(loss(1) - l1) <= 1e-4 * l1);
  BOOST_TEST(std::abs(acc(0) - a0) <= 0.002);
  BOOST_TEST(std::abs(acc(1) - a1) <= 0.002);
}

// Accuracy (slow, enabled by the train_accuracy ctest entry): Fashion-MNIST, MLP 784-256-128-10,
// 2 epochs on the first 20000 images, batch 64, lr 0.1 cosine: mixed precision on the PCM pair
// within 2 % of float SGD, analog SGD on a strongly asymmetric soft-bounds device clearly below.
BOOST_AUTO_TEST_CASE(train_accuracy, *boost::unit_test::label("slow") * boost::unit_test::disabled()) {
  xbarsim::test::TempDir dir;
  auto accuracy = [&](const std::string& settings) {
    const auto out = dir.path() / "a.h5";
    fs::remove(out);
    const auto r = runCommand(cli() + " train --set train.epochs=2 --set train.batch_size=64 "
                                      "--set train.learning_rate=0.1 --set train.lr_schedule=cosine "
                                      "--set train.train_samples=20000 " + settings + " --out " +
                              out.string() + " 2>&1");
    BOOST_TEST_INFO(r.output);
    BOOST_TEST_REQUIRE(r.status == 0);
    return xbarsim::io::H5File::openReadOnly(out).readVector("/train/test_accuracy")(1);
  };
  const double sgd = accuracy("--set train.algorithm=sgd");
  const double mp = accuracy("--set train.algorithm=mixed-precision --set train.device=pcm-pair");
  const double asgd = accuracy("--set train.algorithm=analog-sgd --set train.device=soft-bounds "
                               "--set train.device_params.up_down=0.5");
  BOOST_TEST_MESSAGE("2 epochs, 20000 images: sgd " << sgd << ", mixed precision (pcm-pair) " << mp
                     << ", analog sgd (soft bounds, up_down 0.5) " << asgd);
  BOOST_TEST(sgd > 0.8);
  BOOST_TEST(mp > sgd - 0.02);
  BOOST_TEST(asgd < sgd - 0.03);
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
