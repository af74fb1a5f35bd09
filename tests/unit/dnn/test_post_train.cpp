// SPDX-License-Identifier: MIT
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <numbers>

#include "dnn_test_util.hpp"
#include "xbarsim/core/error.hpp"
#include "xbarsim/dnn/evaluate.hpp"
#include "xbarsim/dnn/post_train.hpp"
#include "xbarsim/dnn/train.hpp"

using namespace dnn_test;
using namespace xbarsim::dnn;

namespace {

/// E[(max(0, g + σz) − g)²] for z ~ N(0, 1), g >= 0: the programming error of a PCM device
/// whose conductance cannot go below 0 (closed form, a = g/σ).
double clippedErrorVariance(double g, double sigma) {
  if (sigma <= 0.0) return 0.0;
  const double a = g / sigma;
  const double phi = std::exp(-0.5 * a * a) / std::sqrt(2.0 * std::numbers::pi);
  const double cdf = 0.5 * std::erfc(-a / std::sqrt(2.0));
  return sigma * sigma * (cdf - a * phi + a * a * (1.0 - cdf));
}

AnalogOptions programmingNoiseOnly() {
  AnalogOptions a;
  a.device.params.set("drift_scale", 0.0);
  a.device.params.set("read_noise_scale", 0.0);
  return a;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(post_train)

BOOST_AUTO_TEST_CASE(matched_noise_against_the_programming_statistics) {
  const Network net = mlp({1, 8, 8}, 128, 10, 3);
  AnalogOptions a = programmingNoiseOnly();
  // Independent: per weight, the variance of its two devices (targets from max|W| per layer).
  const auto device = a.deviceModel();
  double sum2 = 0.0;
  Index layers = 0;
  for (std::size_t li : net.analogLayers()) {
    const Matrix& w = net.layers[li].weight;
    const double w_max = w.cwiseAbs().maxCoeff();
    double v = 0.0;
    for (Index k = 0; k < w.size(); ++k) {
      const double g = std::abs(w.data()[k]) / w_max * a.g_max_s;
      v += clippedErrorVariance(g, device->sigmaProgramming(g)) +
           clippedErrorVariance(0.0, device->sigmaProgramming(0.0));
    }
    sum2 += v / static_cast<double>(w.size()) / (a.g_max_s * a.g_max_s);
    ++layers;
  }
  const double expected = std::sqrt(sum2 / static_cast<double>(layers));
  const double got = matchedWeightNoise(net, a, 86400.0, 1);
  BOOST_TEST(got == expected, boost::test_tools::tolerance(0.06));
  BOOST_TEST(matchedWeightNoise(net, a, 86400.0, 1) == got);  // deterministic for a seed
  // no noise at all: the hardware is exact
  a.device.params.set("prog_noise_scale", 0.0);
  BOOST_TEST(matchedWeightNoise(net, a, 86400.0, 1) == 0.0, boost::test_tools::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(clip_weights_to_k_sigma) {
  Network net = mlp({1, 4, 4}, 8, 3, 5);
  net.layers[1].weight(0, 0) = 10.0f;  // an outlier
  const Matrix& w = net.layers[1].weight;
  const double mean = w.cast<double>().mean();
  const double sd = std::sqrt((w.cast<double>().array() - mean).square().mean());
  clipWeights(net, 2.0);
  BOOST_TEST(net.layers[1].weight(0, 0) == static_cast<float>(2.0 * sd), boost::test_tools::tolerance(1e-6f));
  BOOST_TEST(net.layers[1].weight.cwiseAbs().maxCoeff() <= static_cast<float>(2.0 * sd) * 1.000001f);
}

BOOST_AUTO_TEST_CASE(bad_options_are_refused) {
  for (const double f : {0.0, -0.1, 1.5, std::nan("")}) {
    PostTrainOptions o;
    o.data_fraction = f;
    BOOST_CHECK_THROW(o.validate(), xbarsim::ConfigError);
  }
  PostTrainOptions o;
  o.data_fraction = 1.0;
  BOOST_CHECK_NO_THROW(o.validate());
  o.epochs = 0;
  BOOST_CHECK_THROW(o.validate(), xbarsim::ConfigError);
}

BOOST_AUTO_TEST_CASE(post_training_improves_the_drifted_accuracy) {
  SyntheticSpec ds;
  ds.noise = 110.0;
  const Dataset tr = makeSynthetic(ds, Split::Train);
  const Dataset te = makeSynthetic(ds, Split::Test);
  TrainOptions t;  // float training, no noise
  t.hidden = {32};
  t.epochs = 3;
  t.batch = 64;
  const Network float_net = trainNetwork(t, tr, te).network;
  EvaluationSpec spec;
  spec.analog.device.params.set("prog_noise_scale", 3.0);  // a clear gap on this small net
  spec.times_s = {86400.0};
  spec.repeats = 4;
  PostTrainOptions o;
  o.data_fraction = 0.25;
  o.epochs = 5;
  o.learning_rate = 1e-3;
  const PostTrainResult a = postTrain(float_net, tr, spec.analog, o);
  const PostTrainResult b = postTrain(float_net, tr, spec.analog, o);
  BOOST_TEST((a.network.layers[1].weight == b.network.layers[1].weight));
  BOOST_TEST(a.samples == 512);
  BOOST_TEST(a.weight_noise > 0.0);
  const double naive = evaluateNetwork(float_net, te, nullptr, spec).accuracy[0].mean();
  const double post = evaluateNetwork(a.network, te, nullptr, spec).accuracy[0].mean();
  BOOST_TEST_MESSAGE("synthetic, 1 day, GDC: naive " << naive << ", post-trained " << post);
  BOOST_TEST(post > naive + 0.01);
}

BOOST_AUTO_TEST_SUITE_END()
