// SPDX-License-Identifier: MIT
// Integration: networks trained and exported by PyTorch (tests/data/onnx, made by
// tools/onnx_models.py with Debian's python3-torch; torch is not needed here). PyTorch's own
// float32 test accuracy and logits (expected.txt) are the independent reference for the ONNX
// import, the graph (residual) forward pass and `xbarsim evaluate --model x.onnx`; then the
// refusals, and the round trips v2 -> ONNX -> v2 and v1 -> v2.
#define BOOST_TEST_MODULE dnn_onnx
#include <fmt/format.h>

#include <boost/test/unit_test.hpp>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>

#include "run_command.hpp"
#include "temp_dir.hpp"
#include "xbarsim/core/error.hpp"
#include "xbarsim/dnn/dataset.hpp"
#include "xbarsim/dnn/evaluate.hpp"
#include "xbarsim/dnn/network.hpp"
#include "xbarsim/dnn/onnx_import.hpp"
#include "xbarsim/io/hdf5_file.hpp"

using namespace xbarsim::dnn;
namespace fs = std::filesystem;

namespace {

fs::path onnxDir() { return fs::path(XBARSIM_TEST_SOURCE_DIR) / "tests" / "data" / "onnx"; }

/// One network of expected.txt: what PyTorch computed.
struct Expected {
  long correct = 0;
  long images = 0;
  double input_scale = 0.0;
  double input_offset = 0.0;
  std::vector<std::vector<double>> logits;  ///< first test images
};

const std::map<std::string, Expected>& expected() {
  static const std::map<std::string, Expected> all = [] {
    std::map<std::string, Expected> m;
    std::ifstream in(onnxDir() / "expected.txt");
    BOOST_TEST_REQUIRE(in.good(), "tests/data/onnx/expected.txt missing (tools/onnx_models.py)");
    for (std::string line; std::getline(in, line);) {
      if (line.empty() || line[0] == '#') continue;
      std::istringstream s(line);
      std::string kind, name;
      s >> kind >> name;
      Expected& e = m[name];
      if (kind == "model") {
        s >> e.correct >> e.images >> e.input_scale >> e.input_offset;
      } else {
        std::size_t k = 0;
        s >> k;
        std::vector<double> row;
        for (double v; s >> v;) row.push_back(v);
        e.logits.resize(std::max(e.logits.size(), k + 1));
        e.logits[k] = row;
      }
    }
    return m;
  }();
  return all;
}

const Dataset& testSet() {
  static const Dataset d = loadFashionMnist(Split::Test);
  return d;
}

Network imported(const std::string& name) {
  Network net = importOnnx(onnxDir() / (name + ".onnx"));
  BOOST_TEST(!net.input_scaling_known);  // PyTorch does not write it
  net.input_scale = expected().at(name).input_scale;
  net.input_offset = expected().at(name).input_offset;
  return net;
}

std::string errorOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const xbarsim::Error& e) {
    return e.what();
  }
  return "(no error)";
}

/// Two networks are the same: topology, kinds, every parameter bit for bit, input scaling.
void checkIdentical(const Network& a, const Network& b) {
  BOOST_TEST((a.input_shape == b.input_shape));
  BOOST_TEST(a.input_scale == b.input_scale);
  BOOST_TEST(a.input_offset == b.input_offset);
  BOOST_TEST_REQUIRE(a.layers.size() == b.layers.size());
  for (std::size_t i = 0; i < a.layers.size(); ++i) {
    const Layer& x = a.layers[i];
    const Layer& y = b.layers[i];
    BOOST_TEST_INFO("layer " << i << " " << toString(x.kind));
    BOOST_TEST((x.kind == y.kind));
    BOOST_TEST((a.producers(i) == b.producers(i)));
    BOOST_TEST((x.weight == y.weight));
    BOOST_TEST((x.bias == y.bias));
    BOOST_TEST((x.activation == y.activation));
    BOOST_TEST((x.gamma == y.gamma && x.beta == y.beta && x.mean == y.mean && x.var == y.var));
    BOOST_TEST(static_cast<float>(x.eps) == static_cast<float>(y.eps));
    BOOST_TEST((x.kernel_h == y.kernel_h && x.kernel_w == y.kernel_w && x.stride_h == y.stride_h &&
                x.stride_w == y.stride_w && x.pad_h == y.pad_h && x.pad_w == y.pad_w));
    BOOST_TEST((x.out_shape == y.out_shape));
  }
}

}  // namespace

BOOST_AUTO_TEST_CASE(pytorch_networks_import_as_exported) {
  const Network mlp = imported("mlp");
  BOOST_TEST(mlp.isChain());
  BOOST_TEST(mlp.analogLayers().size() == 2u);  // Flatten, Gemm + Relu (folded), Gemm
  const Network cnn = imported("cnn");
  BOOST_TEST(cnn.isChain());  // the Shape -> ... -> Reshape chain folded into a flatten
  BOOST_TEST(std::count_if(cnn.layers.begin(), cnn.layers.end(),
                           [](const Layer& l) { return l.kind == LayerKind::Flatten; }) == 1);
  const Network resnet = imported("resnet");
  BOOST_TEST(!resnet.isChain());
  BOOST_TEST(std::count_if(resnet.layers.begin(), resnet.layers.end(),
                           [](const Layer& l) { return l.kind == LayerKind::Add; }) == 2);
}

BOOST_AUTO_TEST_CASE(float_accuracy_and_logits_match_pytorch) {
  for (const std::string name : {"mlp", "cnn", "resnet"}) {
    BOOST_TEST_CONTEXT("network " << name) {
      const Expected& e = expected().at(name);
      const Network net = imported(name);
      BOOST_TEST_REQUIRE(e.images == testSet().size());
      const double acc = floatAccuracy(net, testSet());
      const double reference = static_cast<double>(e.correct) / static_cast<double>(e.images);
      BOOST_TEST_MESSAGE(name << ": float accuracy xbarsim " << acc << ", PyTorch " << reference);
      BOOST_TEST(std::abs(acc - reference) <= 0.001);
      const auto n = static_cast<Index>(e.logits.size());
      BOOST_TEST_REQUIRE(n > 0);
      const Matrix logits = net.forward(net.prepareInputs(testSet().pixelBatch(0, n)));
      double worst = 0.0;
      for (Index s = 0; s < n; ++s)
        for (Index c = 0; c < logits.rows(); ++c)
          worst = std::max(
              worst, std::abs(logits(c, s) -
                              e.logits[static_cast<std::size_t>(s)][static_cast<std::size_t>(c)]));
      BOOST_TEST_MESSAGE(name << ": largest logit difference to PyTorch " << worst);
      BOOST_TEST(worst <= 1e-4);
    }
  }
}

BOOST_AUTO_TEST_CASE(hand_written_graph_of_the_other_ops_matches_torch) {
  // ops.onnx: Identity, strided Conv, Dropout, a standalone Relu, the Shape ... Reshape chain,
  // Gemm with alpha/beta/transB = 0, MatMul + Add; logits from torch's functional ops.
  const Expected& e = expected().at("ops");
  const Network net = imported("ops");
  BOOST_TEST(net.isChain());
  const auto n = static_cast<Index>(e.logits.size());
  BOOST_TEST_REQUIRE(n > 0);
  const Matrix logits = net.forward(net.prepareInputs(testSet().pixelBatch(0, n)));
  BOOST_TEST_REQUIRE(logits.rows() == 4);
  double worst = 0.0;
  for (Index s = 0; s < n; ++s)
    for (Index c = 0; c < 4; ++c)
      worst = std::max(
          worst, std::abs(logits(c, s) -
                          e.logits[static_cast<std::size_t>(s)][static_cast<std::size_t>(c)]));
  BOOST_TEST_MESSAGE("ops: largest logit difference to torch " << worst);
  BOOST_TEST(worst <= 1e-4);
}

BOOST_AUTO_TEST_CASE(evaluate_command_takes_an_onnx_model) {
  xbarsim::test::TempDir dir;
  const Expected& e = expected().at("mlp");
  const std::string model = (onnxDir() / "mlp.onnx").string();
  const std::string out = (dir.path() / "e.h5").string();
  const std::string base = std::string(XBARSIM_DNN_CLI) + " evaluate -m " + model + " -o " + out +
                           " --set dnn.repeats=1 --set 'dnn.times_s=[1.0]'";
  // without the scaling: refused, naming the keys
  auto r = xbarsim::test::runCommand(base + " 2>&1");
  BOOST_TEST(r.status != 0);
  BOOST_TEST(r.output.find("dnn.input_scale") != std::string::npos, r.output);
  r = xbarsim::test::runCommand(base + fmt::format(" --set dnn.input_scale={:.17g} --set "
                                                   "dnn.input_offset={:.17g} 2>&1",
                                                   e.input_scale, e.input_offset));
  BOOST_TEST_INFO(r.output);
  BOOST_TEST_REQUIRE(r.status == 0);
  const double acc = xbarsim::io::H5File::openReadOnly(out).readScalar("/accuracy_float");
  const double reference = static_cast<double>(e.correct) / static_cast<double>(e.images);
  BOOST_TEST_MESSAGE("xbarsim evaluate --model mlp.onnx: float " << acc << ", PyTorch "
                                                                 << reference);
  BOOST_TEST(std::abs(acc - reference) <= 0.001);
}

BOOST_AUTO_TEST_CASE(sweep_takes_the_scaling_per_point) {
  // dnn.input_scale as a sweep axis over an ONNX model: each point's float accuracy is that of
  // the network with the point's scaling.
  xbarsim::test::TempDir dir;
  std::ofstream(dir.path() / "s.toml")
      << "[dnn]\ntest_samples = 300\nrepeats = 1\ntimes_s = [1.0]\ninput_offset = 0.0\n"
         "[array]\nr_row_ohm = 0.0\nr_col_ohm = 0.0\n[sweep]\njob = \"evaluate\"\n"
         "\"dnn.input_scale\" = [0.00392156862745098, 0.001]\n";
  const fs::path out = dir.path() / "s.h5";
  const auto r = xbarsim::test::runCommand(
      "XBARSIM_NO_MPI=1 " + std::string(XBARSIM_DNN_CLI) + " sweep --config " +
      (dir.path() / "s.toml").string() + " --model " + (onnxDir() / "mlp.onnx").string() +
      " --out " + out.string() + " 2>&1");
  BOOST_TEST_INFO(r.output);
  BOOST_TEST_REQUIRE(r.status == 0);
  const Eigen::VectorXd got = xbarsim::io::H5File::openReadOnly(out).readVector("/accuracy_float");
  BOOST_TEST_REQUIRE(got.size() == 2);
  Network net = importOnnx(onnxDir() / "mlp.onnx");
  const double scales[] = {0.00392156862745098, 0.001};
  for (Index k = 0; k < 2; ++k) {
    net.input_scale = scales[k];
    BOOST_TEST(got(k) == floatAccuracy(net, testSet(), 300));
  }
  BOOST_TEST(got(0) != got(1));
}

BOOST_AUTO_TEST_CASE(unsupported_nodes_are_refused_by_name_and_op) {
  const std::string sigmoid = errorOf([] { (void)importOnnx(onnxDir() / "sigmoid.onnx"); });
  BOOST_TEST_MESSAGE(sigmoid);
  BOOST_TEST(sigmoid.find("sigmoid.onnx") != std::string::npos);
  BOOST_TEST(sigmoid.find("node \"/Sigmoid\" (Sigmoid)") != std::string::npos);
  BOOST_TEST(sigmoid.find("op type Sigmoid is not supported") != std::string::npos);
  const std::string grouped = errorOf([] { (void)importOnnx(onnxDir() / "grouped_conv.onnx"); });
  BOOST_TEST_MESSAGE(grouped);
  BOOST_TEST(grouped.find("(Conv)") != std::string::npos);
  BOOST_TEST(grouped.find("group = 2 is not supported") != std::string::npos);
  BOOST_CHECK_THROW((void)importOnnx(onnxDir() / "sigmoid.onnx"), xbarsim::ConfigError);
}

BOOST_AUTO_TEST_CASE(truncated_or_corrupt_files_are_io_errors) {
  xbarsim::test::TempDir dir;
  std::ifstream in(onnxDir() / "cnn.onnx", std::ios::binary);
  const std::string bytes{std::istreambuf_iterator<char>(in), {}};
  BOOST_TEST_REQUIRE(bytes.size() > 1000u);
  for (const std::size_t keep : {bytes.size() / 2, bytes.size() - 7, std::size_t{40}}) {
    const fs::path p = dir.path() / "cut.onnx";
    std::ofstream(p, std::ios::binary) << bytes.substr(0, keep);
    BOOST_TEST_CONTEXT("first " << keep << " of " << bytes.size() << " bytes") {
      BOOST_CHECK_THROW((void)importOnnx(p), xbarsim::IoError);
      BOOST_TEST(errorOf([&] { (void)importOnnx(p); }).find("cut.onnx") != std::string::npos);
    }
  }
  const fs::path text = dir.path() / "text.onnx";
  std::ofstream(text) << "this is not a protobuf message\n";
  BOOST_CHECK_THROW((void)importOnnx(text), xbarsim::IoError);
  const fs::path h5 = fs::path(XBARSIM_TEST_SOURCE_DIR) / "data" / "models" / "mlp_hwa.h5";
  const fs::path renamed = dir.path() / "hdf5.onnx";
  fs::copy_file(h5, renamed);
  BOOST_CHECK_THROW((void)importOnnx(renamed), xbarsim::IoError);
}

BOOST_AUTO_TEST_CASE(round_trip_v2_onnx_v2_is_identical) {
  xbarsim::test::TempDir dir;
  for (const std::string name : {"mlp", "cnn", "resnet"}) {
    BOOST_TEST_CONTEXT("network " << name) {
      const Network net = imported(name);
      saveNetwork(net, dir.path() / "a.h5", 2);
      const Network v2 = loadNetwork(dir.path() / "a.h5");
      BOOST_TEST(xbarsim::io::H5File::openReadOnly(dir.path() / "a.h5")
                     .readDoubleAttribute("/", "version") == 2.0);
      checkIdentical(net, v2);
      exportOnnx(v2, dir.path() / "b.onnx");
      const Network back = loadNetwork(dir.path() / "b.onnx");
      BOOST_TEST(back.input_scaling_known);  // the metadata carries it
      checkIdentical(v2, back);
      saveNetwork(back, dir.path() / "c.h5", 2);
      checkIdentical(v2, loadNetwork(dir.path() / "c.h5"));
      const Matrix x = net.prepareInputs(testSet().pixelBatch(0, 50));
      BOOST_TEST((net.forward(x) == back.forward(x)));
    }
  }
}

BOOST_AUTO_TEST_CASE(v1_models_convert_to_v2_and_onnx) {
  xbarsim::test::TempDir dir;
  const fs::path v1 = fs::path(XBARSIM_TEST_SOURCE_DIR) / "data" / "models" / "cnn_hwa.h5";
  const auto r =
      xbarsim::test::runCommand(std::string(XBARSIM_DNN_CLI) + " convert --in " + v1.string() +
                                " --out " + (dir.path() / "v2.h5").string() + " 2>&1");
  BOOST_TEST_INFO(r.output);
  BOOST_TEST_REQUIRE(r.status == 0);
  const Network a = loadNetwork(v1);
  const Network b = loadNetwork(dir.path() / "v2.h5");
  checkIdentical(a, b);
  exportOnnx(b, dir.path() / "c.onnx");
  const Network c = loadNetwork(dir.path() / "c.onnx");
  checkIdentical(a, c);
  // batch-norm eps went through a float attribute: equal to rounding
  const Matrix x = a.prepareInputs(testSet().pixelBatch(0, 50));
  BOOST_TEST((a.forward(x) - c.forward(x)).cwiseAbs().maxCoeff() <= 1e-5f);
}
