// SPDX-License-Identifier: MIT
#include <boost/test/unit_test.hpp>

#include "dnn_test_util.hpp"
#include "xbarsim/core/error.hpp"
#include "xbarsim/dnn/evaluate.hpp"
#include "xbarsim/dnn/train.hpp"

using namespace dnn_test;
using namespace xbarsim::dnn;

BOOST_AUTO_TEST_SUITE(train)

BOOST_AUTO_TEST_CASE(mlp_learns_and_is_deterministic) {
  SyntheticSpec ds;
  ds.noise = 90.0;
  const Dataset tr = makeSynthetic(ds, Split::Train);
  const Dataset te = makeSynthetic(ds, Split::Test);
  TrainOptions o;
  o.hidden = {32};
  o.epochs = 3;
  o.batch = 64;
  o.weight_noise = 0.03;
  o.clip_sigma = 2.5;
  const TrainResult a = trainNetwork(o, tr, te);
  BOOST_TEST(a.test_accuracy > 0.8);
  BOOST_TEST(a.epoch_loss.back() < a.epoch_loss.front());
  const TrainResult b = trainNetwork(o, tr, te);
  BOOST_TEST((a.network.layers[1].weight == b.network.layers[1].weight));
  // clipping holds every weight within 2.5 standard deviations
  const Matrix& w = a.network.layers[1].weight;
  const float sd = std::sqrt((w.array() - w.mean()).square().mean());
  BOOST_TEST(w.cwiseAbs().maxCoeff() <= 2.5f * sd * 1.05f);
  // sgd works too, and the saved model reproduces the accuracy
  o.optimizer = "sgd";
  o.learning_rate = 0.05;
  const TrainResult c = trainNetwork(o, tr, te);
  BOOST_TEST(c.test_accuracy > 0.7);
  TempDir dir;
  saveNetwork(c.network, dir.path() / "m.h5");
  BOOST_TEST(floatAccuracy(loadNetwork(dir.path() / "m.h5"), te) == c.test_accuracy);
}

BOOST_AUTO_TEST_CASE(cnn_with_batchnorm_learns) {
  SyntheticSpec ds;
  const Dataset tr = makeSynthetic(ds, Split::Train);
  const Dataset te = makeSynthetic(ds, Split::Test);
  TrainOptions o;
  o.arch = "cnn";
  o.channels = {8, 8};
  o.cnn_dense = 16;
  o.epochs = 3;
  o.batch = 32;
  const TrainResult r = trainNetwork(o, tr, te);
  BOOST_TEST(r.test_accuracy > 0.8);
  const auto& layers = r.network.layers;
  BOOST_TEST((layers[1].kind == LayerKind::BatchNorm));
  BOOST_TEST(layers[1].var.minCoeff() > 0.0f);  // running statistics were updated
  BOOST_TEST(layers[1].mean.cwiseAbs().maxCoeff() > 0.0f);
  // bn-recal on the noise-free analog network keeps the accuracy
  AnalogOptions a;
  for (const char* scale : {"prog_noise_scale", "drift_scale", "read_noise_scale"})
    a.device.params.set(scale, 0.0);
  EvaluationSpec s;
  s.analog = a;
  s.times_s = {1.0};
  s.repeats = 1;
  s.compensations = {Compensation::BnRecalibration};
  s.calibration_samples = 256;
  const EvaluationResult e = evaluateNetwork(r.network, te, &tr, s);
  BOOST_TEST(e.accuracy[0](0, 0) >= r.test_accuracy - 0.03);
}

BOOST_AUTO_TEST_CASE(bad_options) {
  const Dataset tr = makeSynthetic(SyntheticSpec{}, Split::Train);
  TrainOptions o;
  o.arch = "transformer";
  BOOST_CHECK_THROW((void)trainNetwork(o, tr, tr), xbarsim::ConfigError);
  o.arch = "mlp";
  o.optimizer = "lbfgs";
  BOOST_CHECK_THROW((void)trainNetwork(o, tr, tr), xbarsim::ConfigError);
  o.optimizer = "adam";
  o.epochs = 0;
  BOOST_CHECK_THROW((void)trainNetwork(o, tr, tr), xbarsim::ConfigError);
}

BOOST_AUTO_TEST_SUITE_END()
