// SPDX-License-Identifier: MIT
#include <boost/test/unit_test.hpp>
#include <fstream>

#include "dnn_test_util.hpp"
#include "xbarsim/core/error.hpp"
#include "xbarsim/dnn/analog.hpp"
#include "xbarsim/io/hdf5_file.hpp"

using namespace dnn_test;
using namespace xbarsim::dnn;
namespace tt = boost::test_tools;

namespace {

/// Direct (non-im2col) convolution of one sample, the reference for im2col.
Matrix directConv(const Layer& l, const Matrix& x) {
  const Shape in = l.in_shape, out = l.out_shape;
  Matrix y(out.size(), x.cols());
  for (Index s = 0; s < x.cols(); ++s)
    for (Index o = 0; o < out.c; ++o)
      for (Index oy = 0; oy < out.h; ++oy)
        for (Index ox = 0; ox < out.w; ++ox) {
          double acc = l.bias(o);
          for (Index c = 0; c < in.c; ++c)
            for (Index ky = 0; ky < l.kernel_h; ++ky)
              for (Index kx = 0; kx < l.kernel_w; ++kx) {
                const Index iy = oy * l.stride_h - l.pad_h + ky, ix = ox * l.stride_w - l.pad_w + kx;
                if (iy < 0 || iy >= in.h || ix < 0 || ix >= in.w) continue;
                acc += static_cast<double>(l.weight(o, (c * l.kernel_h + ky) * l.kernel_w + kx)) *
                       x((c * in.h + iy) * in.w + ix, s);
              }
          y((o * out.h + oy) * out.w + ox, s) = static_cast<float>(acc);
        }
  return y;
}

Network convNet() {
  Network net;
  net.input_shape = Shape{2, 7, 6};
  Layer conv;
  conv.kind = LayerKind::Conv2d;
  conv.kernel_h = 3;
  conv.kernel_w = 2;
  conv.stride_h = 2;
  conv.stride_w = 1;
  conv.pad_h = 1;
  conv.pad_w = 1;
  conv.weight = randomMatrix(3, 2 * 3 * 2, 5);
  conv.bias = randomMatrix(3, 1, 6).col(0);
  net.layers.push_back(conv);
  Layer bn = simple(LayerKind::BatchNorm);
  bn.gamma = Vector::Constant(3, 1.5f);
  bn.beta = Vector::Constant(3, -0.25f);
  bn.mean = Vector::LinSpaced(3, -0.1f, 0.1f);
  bn.var = Vector::Constant(3, 2.0f);
  net.layers.push_back(bn);
  net.layers.push_back(simple(LayerKind::Relu));
  Layer pool = simple(LayerKind::MaxPool2d);
  pool.kernel_h = pool.kernel_w = pool.stride_h = pool.stride_w = 2;
  net.layers.push_back(pool);
  net.layers.push_back(simple(LayerKind::Flatten));
  net.layers.push_back(dense(3 * 2 * 3, 4, false, 9));
  for (std::size_t i = 0; i < net.layers.size(); ++i) net.layers[i].name = "00" + std::to_string(i);
  net.resolveShapes("test");
  return net;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(network)

BOOST_AUTO_TEST_CASE(conv_im2col_matches_direct_convolution) {
  const Network net = convNet();
  const Layer& conv = net.layers[0];
  BOOST_TEST((conv.out_shape == Shape{3, 4, 7}));  // (7+2-3)/2+1 = 4, (6+2-2)/1+1 = 7
  const Matrix x = randomMatrix(net.input_shape.size(), 3, 11);
  const Matrix y = net.forwardRange(x, 0, 1, nullptr, 0);
  const Matrix ref = directConv(conv, x);
  BOOST_TEST((y - ref).cwiseAbs().maxCoeff() < 1e-5f);
}

BOOST_AUTO_TEST_CASE(digital_layers) {
  const Network net = convNet();
  Matrix x = randomMatrix(3 * 4 * 7, 2, 3);
  // batch-norm: gamma (x - mean)/sqrt(var + eps) + beta
  const Matrix bn = applyDigital(net.layers[1], x);
  const Index c = 2, at = c * 28 + 5;
  BOOST_TEST(bn(at, 1) == 1.5f * (x(at, 1) - 0.1f) / std::sqrt(2.0f + 1e-5f) - 0.25f, tt::tolerance(1e-5f));
  // max pool 2x2 stride 2 on 4x7 -> 2x3 (floor mode)
  const Matrix pooled = applyDigital(net.layers[3], x);
  BOOST_TEST(pooled.rows() == 3 * 2 * 3);
  const float expect = std::max({x(0, 0), x(1, 0), x(7, 0), x(8, 0)});
  BOOST_TEST(pooled(0, 0) == expect);
  Layer avg = net.layers[3];
  avg.kind = LayerKind::AvgPool2d;
  BOOST_TEST(applyDigital(avg, x)(0, 0) == (x(0, 0) + x(1, 0) + x(7, 0) + x(8, 0)) / 4, tt::tolerance(1e-6f));
  BOOST_TEST(applyDigital(net.layers[2], x).minCoeff() >= 0.0f);
}

BOOST_AUTO_TEST_CASE(dense_forward_and_shapes) {
  Network net = mlp(Shape{1, 4, 4}, 5, 3, 1);
  const Matrix x = randomMatrix(16, 4, 2);
  Matrix h = (net.layers[1].weight * x).colwise() + net.layers[1].bias;
  h = h.cwiseMax(0.0f);
  const Matrix ref = (net.layers[2].weight * h).colwise() + net.layers[2].bias;
  BOOST_TEST((net.forward(x) - ref).cwiseAbs().maxCoeff() < 1e-5f);
  net.layers[2].weight.resize(3, 6);  // mismatch with the 5 hidden units
  BOOST_CHECK_THROW(net.resolveShapes("m.h5"), xbarsim::ConfigError);
  try {
    net.resolveShapes("m.h5");
  } catch (const xbarsim::ConfigError& e) {
    BOOST_TEST(std::string(e.what()).find("m.h5") != std::string::npos);
    BOOST_TEST(std::string(e.what()).find("/layers/002") != std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(save_load_round_trip) {
  TempDir dir;
  const Network net = convNet();
  saveNetwork(net, dir.path() / "m.h5");
  const Network back = loadNetwork(dir.path() / "m.h5");
  BOOST_TEST(back.layers.size() == net.layers.size());
  BOOST_TEST(back.layers[0].stride_h == 2);
  BOOST_TEST(back.layers[0].stride_w == 1);
  BOOST_TEST(back.layers[0].kernel_w == 2);
  const Matrix x = randomMatrix(net.input_shape.size(), 5, 4);
  BOOST_TEST((back.forward(x) - net.forward(x)).cwiseAbs().maxCoeff() == 0.0f);
}

BOOST_AUTO_TEST_CASE(saved_model_layout) {
  // What data/hdf5_schema.md promises readers of the model format: float32 datasets in the
  // layer's own shape (conv2d weights 4-D), (h, w) attributes as one int64 or an int64 pair.
  TempDir dir;
  const Network net = convNet();
  saveNetwork(net, dir.path() / "m.h5");
  const auto h5 = xbarsim::io::H5File::openReadOnly(dir.path() / "m.h5");
  BOOST_TEST(h5.listGroup("/layers") ==
                 (std::vector<std::string>{"000", "001", "002", "003", "004", "005"}),
             tt::per_element());
  BOOST_TEST(h5.readArrayAttribute<std::int64_t>("/", "input_shape") ==
                 (std::vector<std::int64_t>{2, 7, 6}),
             tt::per_element());
  std::vector<std::size_t> dims;
  const std::vector<float> w = h5.readArray<float>("/layers/000/weight", &dims);
  BOOST_TEST(dims == (std::vector<std::size_t>{3, 2, 3, 2}), tt::per_element());
  const Matrix& conv = net.layers[0].weight;  // (out, in·kh·kw): row-major in the file
  for (Index i = 0; i < conv.rows(); ++i)
    for (Index j = 0; j < conv.cols(); ++j)
      BOOST_TEST(w[static_cast<std::size_t>(i * conv.cols() + j)] == conv(i, j));
  BOOST_TEST(h5.readArrayAttribute<std::int64_t>("/layers/000", "stride") ==
                 (std::vector<std::int64_t>{2, 1}),
             tt::per_element());
  BOOST_TEST(h5.readIntAttribute("/layers/000", "padding") == 1);
  BOOST_TEST(h5.readIntAttribute("/layers/003", "kernel") == 2);
  BOOST_TEST(h5.readArray<float>("/layers/001/var", &dims) == (std::vector<float>(3, 2.0f)),
             tt::per_element());
  BOOST_TEST(dims == (std::vector<std::size_t>{3}), tt::per_element());
  BOOST_TEST(!h5.hasAttribute("/layers/000/weight", "units"));
}

BOOST_AUTO_TEST_CASE(bad_model_files) {
  TempDir dir;
  const Network net = mlp(Shape{1, 3, 3}, 4, 2, 3);
  const auto good = dir.path() / "good.h5";
  saveNetwork(net, good);
  auto copy = [&](const std::string& name) {
    const auto p = dir.path() / name;
    std::filesystem::copy_file(good, p);
    return p;
  };
  auto expect = [](auto&& fn, const std::string& needle) {
    try {
      fn();
      BOOST_ERROR("no exception; expected one naming " << needle);
    } catch (const xbarsim::Error& e) {
      BOOST_TEST_INFO(e.what());
      BOOST_TEST(std::string(e.what()).find(needle) != std::string::npos);
    }
  };
  // missing file, not HDF5, truncated: bad input (ConfigError naming the file), not an I/O failure
  BOOST_CHECK_THROW((void)loadNetwork(dir.path() / "absent.h5"), xbarsim::ConfigError);
  {
    std::ofstream(dir.path() / "text.h5") << "not hdf5";
    BOOST_CHECK_THROW((void)loadNetwork(dir.path() / "text.h5"), xbarsim::ConfigError);
  }
  {
    const auto p = copy("trunc.h5");
    std::filesystem::resize_file(p, std::filesystem::file_size(p) / 2);
    BOOST_CHECK_THROW((void)loadNetwork(p), xbarsim::Error);
  }
  {  // wrong format and version
    const auto p = copy("format.h5");
    auto h5 = xbarsim::io::H5File::openReadWrite(p);
    h5.setAttribute("/", "format", "something-else");
    h5.close();
    BOOST_CHECK_THROW((void)loadNetwork(p), xbarsim::ConfigError);
    expect([&] { (void)loadNetwork(p); }, "format.h5");
  }
  {
    const auto p = copy("version.h5");
    auto h5 = xbarsim::io::H5File::openReadWrite(p);
    h5.setAttribute("/", "version", std::int64_t{3});
    h5.close();
    expect([&] { (void)loadNetwork(p); }, "version 3 is not supported");
  }
  {  // a layer without its weight, an unknown type, no layers
    const auto p = dir.path() / "missing.h5";
    auto h5 = xbarsim::io::H5File::create(p);
    h5.setAttribute("/", "format", "xbarsim-model");
    h5.setAttribute("/", "version", std::int64_t{1});
    h5.setAttribute("/", "input_shape", std::vector<double>{1, 3, 3});
    h5.setAttribute("/", "input_scale", 1.0);
    h5.setAttribute("/", "input_offset", 0.0);
    h5.createGroup("/layers");
    h5.close();
    expect([&] { (void)loadNetwork(p); }, "no layers");
    h5 = xbarsim::io::H5File::openReadWrite(p);
    h5.setAttribute("/layers/000", "type", "dense");
    h5.writeVector("/layers/000/bias", Eigen::VectorXd::Zero(2), "1");
    h5.close();
    expect([&] { (void)loadNetwork(p); }, "/layers/000/weight");
    h5 = xbarsim::io::H5File::openReadWrite(p);
    h5.writeMatrix("/layers/000/weight", Eigen::MatrixXd::Zero(2, 8), "1");  // needs 9 inputs
    h5.close();
    expect([&] { (void)loadNetwork(p); }, "9 values");
    h5 = xbarsim::io::H5File::openReadWrite(p);
    h5.setAttribute("/layers/001", "type", "softmax");
    h5.close();
    expect([&] { (void)loadNetwork(p); }, "unknown layer type \"softmax\"");
  }
}

BOOST_AUTO_TEST_CASE(count_correct) {
  Matrix logits(3, 4);
  logits << 1, 0, 0, 5,  //
      2, 0, 3, 0,        //
      0, 1, 0, 0;
  BOOST_TEST(countCorrect(logits, {1, 2, 1, 1}) == 3);
  BOOST_TEST((argmaxColumns(logits) == std::vector<int>{1, 2, 1, 0}));
}

BOOST_AUTO_TEST_SUITE_END()

namespace {

/// A residual graph: flatten -> dense h (relu) -> dense h2 -> add(h, h2) -> relu -> dense out.
Network residualNet() {
  Network net;
  net.input_shape = Shape{1, 3, 4};
  net.layers.push_back(simple(LayerKind::Flatten));                  // 0
  net.layers.push_back(dense(12, 6, true, 3));                       // 1
  net.layers.push_back(dense(6, 6, false, 5));                       // 2
  Layer add = simple(LayerKind::Add);                                // 3 = 1 + 2
  add.inputs = {1, 2};
  net.layers.push_back(add);
  net.layers.push_back(simple(LayerKind::Relu));                     // 4
  net.layers.push_back(dense(6, 4, false, 7));                       // 5
  for (std::size_t i = 0; i < net.layers.size(); ++i) net.layers[i].name = "00" + std::to_string(i);
  net.resolveShapes("test");
  return net;
}

}  // namespace

BOOST_AUTO_TEST_CASE(graph_forward_matches_hand_computation) {
  const Network net = residualNet();
  BOOST_TEST(!net.isChain());
  const Matrix x = randomMatrix(12, 5, 11);
  const auto& L = net.layers;
  const Matrix h = ((L[1].weight * x).colwise() + L[1].bias).cwiseMax(0.0f);
  const Matrix h2 = (L[2].weight * h).colwise() + L[2].bias;
  const Matrix y = (L[5].weight * (h + h2).cwiseMax(0.0f)).colwise() + L[5].bias;
  BOOST_TEST((net.forward(x) - y).cwiseAbs().maxCoeff() < 1e-5f);
  // a chain given with explicit inputs is still a chain, and runs as one
  Network chain = mlp(Shape{1, 3, 4}, 5, 3, 2);
  const Matrix before = chain.forward(x);
  for (std::size_t i = 0; i < chain.layers.size(); ++i)
    chain.layers[i].inputs = {static_cast<std::ptrdiff_t>(i) - 1};
  BOOST_TEST(chain.isChain());
  BOOST_TEST((chain.forward(x) == before));
}

BOOST_AUTO_TEST_CASE(model_format_v2_round_trip_and_errors) {
  TempDir dir;
  const Network net = residualNet();
  BOOST_CHECK_THROW(saveNetwork(net, dir.path() / "v1.h5", 1), xbarsim::Error);  // a graph
  saveNetwork(net, dir.path() / "g.h5");  // version 0: the lowest that holds it
  {
    const auto h5 = xbarsim::io::H5File::openReadOnly(dir.path() / "g.h5");
    BOOST_TEST(h5.readDoubleAttribute("/", "version") == 2.0);
    BOOST_TEST(h5.readStringAttribute("/layers/003", "inputs") == "001,002");
    BOOST_TEST(h5.readStringAttribute("/layers/000", "inputs") == "input");
  }
  const Network back = loadNetwork(dir.path() / "g.h5");
  for (std::size_t i = 0; i < net.layers.size(); ++i)
    BOOST_TEST((back.producers(i) == net.producers(i)));
  const Matrix x = randomMatrix(12, 3, 4);
  BOOST_TEST((back.forward(x) == net.forward(x)));
  // a chain still goes to version 1 by default, and to version 2 when asked
  const Network chain = mlp(Shape{1, 3, 4}, 5, 3, 2);
  saveNetwork(chain, dir.path() / "c1.h5");
  saveNetwork(chain, dir.path() / "c2.h5", 2);
  BOOST_TEST(xbarsim::io::H5File::openReadOnly(dir.path() / "c1.h5").readDoubleAttribute("/", "version") == 1.0);
  BOOST_TEST((loadNetwork(dir.path() / "c2.h5").forward(x) == chain.forward(x)));

  auto expect = [&](const std::string& key, const std::string& value, const std::string& needle) {
    const auto p = dir.path() / "bad.h5";
    std::filesystem::copy_file(dir.path() / "g.h5", p, std::filesystem::copy_options::overwrite_existing);
    auto h5 = xbarsim::io::H5File::openReadWrite(p);
    h5.setAttribute(key, "inputs", std::string_view(value));
    h5.close();
    try {
      (void)loadNetwork(p);
      BOOST_ERROR("no exception; expected one naming " << needle);
    } catch (const xbarsim::ConfigError& e) {
      BOOST_TEST_INFO(e.what());
      BOOST_TEST(std::string(e.what()).find(needle) != std::string::npos);
    }
  };
  expect("/layers/003", "001,005", "\"005\" is not an earlier layer");   // a later layer
  expect("/layers/003", "001", "add takes two or more");                  // add of one
  expect("/layers/003", "000,002", "inputs of different shapes");          // (12) + (6)
  expect("/layers/002", "001,000", "it takes one");                        // dense of two
  expect("/layers/004", "002", "/layers/003");                             // add feeds nothing
  expect("/layers/001", "nothing", "\"nothing\" is not an earlier layer");
  {  // add is not a version 1 layer
    const auto p = dir.path() / "add_v1.h5";
    std::filesystem::copy_file(dir.path() / "g.h5", p);
    auto h5 = xbarsim::io::H5File::openReadWrite(p);
    h5.setAttribute("/", "version", std::int64_t{1});
    h5.close();
    BOOST_CHECK_THROW((void)loadNetwork(p), xbarsim::ConfigError);
  }
}

BOOST_AUTO_TEST_CASE(batchnorm_recalibration_runs_on_a_graph) {
  Network net = residualNet();
  Layer bn = simple(LayerKind::BatchNorm);  // between the add and its relu
  bn.gamma = Vector::Ones(6);
  bn.beta = Vector::Zero(6);
  bn.mean = Vector::Zero(6);
  bn.var = Vector::Ones(6);
  bn.inputs = {3};
  net.layers.insert(net.layers.begin() + 4, bn);
  net.layers[5].inputs = {4};  // relu takes the batch-norm
  for (std::size_t i = 0; i < net.layers.size(); ++i) net.layers[i].name = "00" + std::to_string(i);
  net.resolveShapes("test");
  const Matrix x = randomMatrix(12, 40, 9);
  const Network recal = recalibrateBatchNorm(net, x, nullptr);
  // the statistics are those of the add's output (the batch-norm input), by hand
  const auto& L = net.layers;
  const Matrix h = ((L[1].weight * x).colwise() + L[1].bias).cwiseMax(0.0f);
  const Matrix sum = h + ((L[2].weight * h).colwise() + L[2].bias);
  const Eigen::VectorXd mean = sum.cast<double>().rowwise().mean();
  for (Index c = 0; c < 6; ++c) {
    const double var = (sum.row(c).cast<double>().array() - mean(c)).square().mean();
    BOOST_TEST(recal.layers[4].mean(c) == static_cast<float>(mean(c)), tt::tolerance(1e-5f));
    BOOST_TEST(recal.layers[4].var(c) == static_cast<float>(var), tt::tolerance(1e-4f));
  }
}
