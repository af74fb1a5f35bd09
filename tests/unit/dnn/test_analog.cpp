// SPDX-License-Identifier: MIT
#include <omp.h>

#include <boost/test/unit_test.hpp>
#include <cmath>

#include "dnn_test_util.hpp"
#include "xbarsim/circuit/native_solver.hpp"
#include "xbarsim/core/error.hpp"
#include "xbarsim/dnn/analog.hpp"
#include "xbarsim/dnn/evaluate.hpp"

using namespace dnn_test;
using namespace xbarsim::dnn;
namespace tt = boost::test_tools;

namespace {

/// Options with every source of error off: the analog network must compute W x exactly.
AnalogOptions noiseFree() {
  AnalogOptions o;
  for (const char* scale : {"prog_noise_scale", "drift_scale", "read_noise_scale"})
    o.device.params.set(scale, 0.0);
  return o;
}

EvaluationSpec spec(AnalogOptions o, std::vector<double> times, int repeats) {
  EvaluationSpec s;
  s.analog = std::move(o);
  s.times_s = std::move(times);
  s.repeats = repeats;
  s.seed = 3;
  return s;
}

/// A synthetic data set and an MLP whose float accuracy is well above chance.
struct Fixture {
  SyntheticSpec ds_spec;
  Dataset test;
  Network net;
  Fixture() {
    ds_spec.test_samples = 400;
    test = makeSynthetic(ds_spec, Split::Test);
    // a nearest-prototype classifier as a dense layer: logits_c = <p_c, x> - |p_c|^2/2
    const Dataset train = makeSynthetic(ds_spec, Split::Train);
    net = mlp(test.shape, 16, ds_spec.classes, 1);
    Eigen::MatrixXd proto = Eigen::MatrixXd::Zero(test.shape.size(), ds_spec.classes);
    Eigen::VectorXd count = Eigen::VectorXd::Zero(ds_spec.classes);
    for (Index s = 0; s < train.size(); ++s) {
      proto.col(train.labels[static_cast<std::size_t>(s)]) += train.pixels.col(s).cast<double>() / 255.0;
      count(train.labels[static_cast<std::size_t>(s)]) += 1;
    }
    for (Index c = 0; c < ds_spec.classes; ++c) proto.col(c) /= count(c);
    // hidden layer: identity-like pass of the class scores (relu of score + offset)
    Layer& h = net.layers[1];
    h.weight = Matrix::Zero(16, test.shape.size());
    h.bias = Vector::Zero(16);
    for (Index c = 0; c < ds_spec.classes; ++c) {
      h.weight.row(c) = proto.col(c).transpose().cast<float>();
      h.bias(c) = static_cast<float>(-0.5 * proto.col(c).squaredNorm() + 20.0);
    }
    Layer& o = net.layers[2];
    o.weight = Matrix::Zero(ds_spec.classes, 16);
    o.weight.leftCols(ds_spec.classes) = Matrix::Identity(ds_spec.classes, ds_spec.classes);
    o.bias = Vector::Zero(ds_spec.classes);
    net.resolveShapes("fixture");
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(analog)

BOOST_AUTO_TEST_CASE(tiling_and_mapping_are_exact_without_noise) {
  Network net = mlp(Shape{1, 1, 7}, 5, 3, 4);
  for (ScaleMode scale : {ScaleMode::PerLayer, ScaleMode::PerColumn}) {
    AnalogOptions o = noiseFree();
    o.tile_rows = 3;  // 7 inputs -> 3 row blocks; 5 outputs -> 3 column blocks
    o.tile_cols = 2;
    o.scale = scale;
    const std::vector<LayerMapping> maps = mapNetwork(net, o);
    BOOST_TEST(maps.size() == 2u);
    BOOST_TEST(maps[0].tiles.size() == 9u);
    BOOST_TEST(maps[0].tiles.back().rows == 1);
    BOOST_TEST(maps[0].tiles.back().cols == 1);
    const Eigen::MatrixXd gp = maps[0].targets(maps[0].tiles[0], true, 25e-6);
    BOOST_TEST(gp.maxCoeff() <= 25e-6);
    BOOST_TEST(gp.minCoeff() >= 0.0);
    const Matrix x = randomMatrix(7, 6, 8).cwiseAbs();
    const Dataset ds = [&] {
      Dataset d;
      d.shape = net.input_shape;
      d.classes = 3;
      d.pixels = (x * 255.0f).cwiseMin(255.0f).cast<std::uint8_t>();
      d.labels = argmaxColumns(net.forward(net.prepareInputs(d.pixels.cast<float>())));
      return d;
    }();
    const EvaluationResult r = evaluateNetwork(net, ds, nullptr, spec(o, {0.0, 86400.0}, 2));
    BOOST_TEST(r.accuracy_float == 1.0);
    BOOST_TEST(r.accuracy[0].minCoeff() == 1.0);
    BOOST_TEST(r.layers[0].weff_error.maxCoeff() < 1e-6);
    BOOST_TEST(r.layers[0].circuit_error.maxCoeff() == 0.0);
  }
}

BOOST_AUTO_TEST_CASE(hook_computes_w_x) {
  Network net = mlp(Shape{1, 1, 9}, 4, 2, 5);
  AnalogOptions o = noiseFree();
  o.tile_rows = 4;
  o.tile_cols = 3;
  const std::vector<LayerMapping> maps = mapNetwork(net, o);
  AnalogNetwork an(o, 1, net.layers.size());
  for (const LayerMapping& m : maps) {
    an.mappings()[m.layer_index] = &m;
    for (const TileBlock& b : m.tiles) {
      TileState t;
      t.w_n = ((m.targets(b, true, 25e-6) - m.targets(b, false, 25e-6)).transpose() / 25e-6).cast<float>();
      t.alpha = Eigen::VectorXf::Ones(b.cols);
      an.tiles()[m.layer_index].push_back(t);
    }
  }
  const Matrix x = randomMatrix(9, 5, 2);  // signed inputs too
  Matrix y;
  an.multiply(1, x, y, 0);
  BOOST_TEST((y - net.layers[1].weight * x).cwiseAbs().maxCoeff() < 1e-5f);
  // DAC 8 bits: error per input at most half a step of max|x|
  AnalogOptions q = o;
  q.dac_bits = 8;
  AnalogNetwork aq(q, 1, net.layers.size());
  aq.mappings() = an.mappings();
  aq.tiles() = an.tiles();
  Matrix yq;
  aq.multiply(1, x, yq, 0);
  const float bound = net.layers[1].weight.cwiseAbs().rowwise().sum().maxCoeff() * x.cwiseAbs().maxCoeff() * 0.5f / 127.0f;
  BOOST_TEST((yq - y).cwiseAbs().maxCoeff() <= bound * 1.0001f);
  BOOST_TEST((yq - y).cwiseAbs().maxCoeff() > 0.0f);
  // ADC: a tiny full scale clips every output at fs·s·max|W|
  AnalogOptions c = o;
  c.adc_bits = 4;
  c.adc_full_scale_a = 0.01 * 25e-6 * 0.2;
  AnalogNetwork ac(c, 1, net.layers.size());
  ac.mappings() = an.mappings();
  ac.tiles() = an.tiles();
  Matrix yc;
  ac.multiply(1, x, yc, 0);
  BOOST_TEST(yc.cwiseAbs().maxCoeff() <= 3 * 0.01f * x.cwiseAbs().maxCoeff() * maps[0].w_max(0) * 1.0001);
}

BOOST_AUTO_TEST_CASE(gdc_compensates_drift) {
  Fixture f;
  AnalogOptions o = noiseFree();
  o.device.params.set("drift_scale", 1.0);  // drift only: a (per-device) shrinking of every conductance
  EvaluationSpec s = spec(o, {3600.0}, 1);
  s.compensations = {Compensation::Gdc, Compensation::None, Compensation::PerColumn};
  const EvaluationResult r = evaluateNetwork(f.net, f.test, nullptr, s);
  BOOST_TEST(r.accuracy_float > 0.9);
  // uncompensated drift shrinks W_eff by ~0.5; GDC restores the scale
  BOOST_TEST(r.layers[0].weff_error(0, 0) > 0.15);
  BOOST_TEST(r.layers[0].weff_error_compensated(0, 0) < 0.05);
  BOOST_TEST_MESSAGE("float " << r.accuracy_float << " gdc " << r.accuracy[0](0, 0) << " none "
                               << r.accuracy[1](0, 0) << " per-column " << r.accuracy[2](0, 0));
  BOOST_TEST(r.accuracy[0](0, 0) > r.accuracy[1](0, 0));
  BOOST_TEST(r.accuracy[0](0, 0) >= r.accuracy_float - 0.1);
  BOOST_TEST(r.accuracy[2](0, 0) >= r.accuracy_float - 0.1);
}

BOOST_AUTO_TEST_CASE(noise_is_seeded_and_thread_independent) {
  Fixture f;
  AnalogOptions o;  // full PCM statistics
  o.tile_rows = 32;
  o.tile_cols = 8;
  o.read_noise = ReadNoiseMode::PerMvm;
  EvaluationSpec s = spec(o, {1.0, 3600.0}, 2);
  s.batch = 50;
  omp_set_num_threads(1);
  const EvaluationResult a = evaluateNetwork(f.net, f.test, nullptr, s);
  omp_set_num_threads(2);
  const EvaluationResult b = evaluateNetwork(f.net, f.test, nullptr, s);
  BOOST_TEST((a.accuracy[0] == b.accuracy[0]));
  BOOST_TEST((a.layers[0].weff_error == b.layers[0].weff_error));
  // results for t = 1 s do not depend on the other times requested
  EvaluationSpec one = s;
  one.times_s = {1.0};
  const EvaluationResult c = evaluateNetwork(f.net, f.test, nullptr, one);
  BOOST_TEST((c.accuracy[0].row(0) == a.accuracy[0].row(0)));
  s.seed = 4;
  const EvaluationResult d = evaluateNetwork(f.net, f.test, nullptr, s);
  BOOST_TEST((d.layers[0].weff_error != a.layers[0].weff_error));
}

BOOST_AUTO_TEST_CASE(per_mvm_read_noise_statistics) {
  // One 1x1 weight: y = w x + noise with variance (sigma+^2 + sigma-^2) x^2 / g_max^2
  Network net = mlp(Shape{1, 1, 1}, 1, 1, 2);
  AnalogOptions o = noiseFree();
  o.read_noise = ReadNoiseMode::PerMvm;
  const std::vector<LayerMapping> maps = mapNetwork(net, o);
  AnalogNetwork an(o, 9, net.layers.size());
  const LayerMapping& m = maps[0];
  an.mappings()[m.layer_index] = &m;
  TileState t;
  t.w_n = Matrix::Constant(1, 1, 0.5f);
  t.noise_var_n = Matrix::Constant(1, 1, 0.01f);
  t.alpha = Eigen::VectorXf::Ones(1);
  an.tiles()[m.layer_index].push_back(t);
  const Index n = 20000;
  const Matrix x = Matrix::Constant(1, n, 2.0f);
  Matrix y;
  an.multiply(m.layer_index, x, y, 0);
  const double scale = 2.0 * m.w_max(0);  // s · max|W|
  const double mean = y.cast<double>().mean() / scale;
  const double var = (y.cast<double>().array() / scale - mean).square().mean();
  BOOST_TEST(mean == 0.5, tt::tolerance(0.01));
  BOOST_TEST(var == 0.01, tt::tolerance(0.05));
}

BOOST_AUTO_TEST_CASE(ir_drop_through_the_native_backend) {
  Network net = mlp(Shape{1, 1, 12}, 6, 3, 7);
  AnalogOptions o = noiseFree();
  o.tile_rows = 8;
  o.tile_cols = 4;
  o.circuit.r_row_ohm = 50.0;
  o.circuit.r_col_ohm = 50.0;
  BOOST_TEST(!o.idealCircuit());
  WeffSolver solver(o);
  const std::vector<LayerMapping> maps = mapNetwork(net, o);
  const Eigen::MatrixXd g = maps[0].targets(maps[0].tiles[1], true, 25e-6);  // 4 x 4 used
  const Eigen::MatrixXd w = solver.effectiveWeights(g);
  BOOST_TEST(w.rows() == g.cols());
  BOOST_TEST(w.cols() == g.rows());
  // the full 10x6 array with the block in the rows next to the sense amplifiers and the
  // columns next to the drivers, other cells 0 S: the same W_eff
  xbarsim::circuit::CrossbarSpec full = o.circuit;
  full.rows = 10;
  full.cols = 6;
  full.g_s = Eigen::MatrixXd::Zero(10, 6);
  full.g_s.bottomLeftCorner(g.rows(), g.cols()) = g;
  xbarsim::circuit::NativeSolver direct(full);
  const Eigen::MatrixXd ref = direct.effectiveWeights(0.2).topRightCorner(g.cols(), g.rows());
  BOOST_TEST((w - ref).cwiseAbs().maxCoeff() <= 1e-9 * g.maxCoeff());
  const double err = (w - g.transpose()).norm() / g.norm();
  BOOST_TEST(err > 1e-4);  // IR drop is visible
  BOOST_TEST(err < 0.2);
  BOOST_TEST(solver.solves() == 1);
  // the evaluation reports it
  const Dataset ds = makeSynthetic(SyntheticSpec{Shape{1, 1, 12}, 3, 10, 60, 30.0, 1}, Split::Test);
  const EvaluationResult r = evaluateNetwork(net, ds, nullptr, spec(o, {1.0}, 1));
  BOOST_TEST(r.layers[0].circuit_error(0, 0) > 1e-4);
  BOOST_TEST(r.weff_solves == 2 * 2 * (4 + 1));  // (programming + t) x signs x tiles
}

BOOST_AUTO_TEST_CASE(bad_options) {
  Fixture f;
  AnalogOptions o;
  o.adc_bits = 1;
  BOOST_CHECK_THROW((void)evaluateNetwork(f.net, f.test, nullptr, spec(o, {1.0}, 1)), xbarsim::ConfigError);
  EvaluationSpec s = spec(AnalogOptions{}, {1.0}, 1);
  s.compensations = {Compensation::BnRecalibration};
  BOOST_CHECK_THROW((void)evaluateNetwork(f.net, f.test, &f.test, s), xbarsim::ConfigError);
  Dataset wrong = makeSynthetic(SyntheticSpec{Shape{1, 3, 3}, 4, 10, 10, 10.0, 1}, Split::Test);
  BOOST_CHECK_THROW((void)evaluateNetwork(f.net, wrong, nullptr, spec(AnalogOptions{}, {1.0}, 1)),
                    xbarsim::ConfigError);
  BOOST_CHECK_THROW((void)compensationFromString("magic"), xbarsim::Error);
}

BOOST_AUTO_TEST_SUITE_END()
