// SPDX-License-Identifier: MIT
// dnn.circuit = "exact": every input vector of a tile solved through the circuit. A linear
// circuit must give the W_eff mode's numbers; a sinh tile is checked against the standalone
// ngspice (a deck written by the test helper, independent of the project's netlists).
#include <omp.h>

#include <boost/test/unit_test.hpp>
#include <cmath>

#include "dnn_test_util.hpp"
#include "ngspice_runner.hpp"
#include "xbarsim/circuit/native_solver.hpp"
#include "xbarsim/circuit/sense_tia.hpp"
#include "xbarsim/core/error.hpp"
#include "xbarsim/dnn/analog.hpp"
#include "xbarsim/dnn/evaluate.hpp"

using namespace dnn_test;
using namespace xbarsim::dnn;

namespace {

AnalogOptions wiredLinear() {
  AnalogOptions o;
  o.tile_rows = 8;
  o.tile_cols = 4;
  o.circuit.r_row_ohm = 50.0;
  o.circuit.r_col_ohm = 50.0;
  o.circuit.r_driver_ohm = 20.0;
  return o;
}

/// Both modes' AnalogNetworks on the same (noise-free target) conductances of every tile.
struct TwoModes {
  std::vector<LayerMapping> maps;
  AnalogOptions weff_opt, exact_opt;
  AnalogNetwork weff, exact;
  TwoModes(const Network& net, const AnalogOptions& o)
      : maps(mapNetwork(net, o)),
        weff_opt(o),
        exact_opt(o),
        weff(weff_opt, 1, net.layers.size()),
        exact(exact_opt, 1, net.layers.size()) {
    exact_opt.circuit_mode = CircuitMode::Exact;
    WeffSolver solver(weff_opt);
    for (const LayerMapping& m : maps) {
      weff.mappings()[m.layer_index] = exact.mappings()[m.layer_index] = &m;
      for (const TileBlock& b : m.tiles) {
        const Eigen::MatrixXd gp = m.targets(b, true, o.g_max_s), gn = m.targets(b, false, o.g_max_s);
        TileState t;
        t.w_n = ((solver.effectiveWeights(gp) - solver.effectiveWeights(gn)) / o.g_max_s).cast<float>();
        t.alpha = Eigen::VectorXf::Ones(b.cols);
        weff.tiles()[m.layer_index].push_back(t);
        t.g_pos_s = gp;
        t.g_neg_s = gn;
        exact.tiles()[m.layer_index].push_back(t);
      }
    }
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(exact_circuit)

BOOST_AUTO_TEST_CASE(linear_tile_equals_weff_x) {
  // Wires and a driver resistance: W_eff x is exact for a linear circuit.
  AnalogOptions o = wiredLinear();
  BOOST_TEST(!o.idealCircuit());
  Network net = mlp(Shape{1, 1, 12}, 6, 3, 7);
  const std::vector<LayerMapping> maps = mapNetwork(net, o);
  const TileBlock& b = maps[0].tiles[1];
  const Eigen::MatrixXd gp = maps[0].targets(b, true, o.g_max_s), gn = maps[0].targets(b, false, o.g_max_s);
  WeffSolver solver(o);
  const Eigen::MatrixXd w = (solver.effectiveWeights(gp) - solver.effectiveWeights(gn)) / o.g_max_s;
  const Eigen::MatrixXd x = randomMatrix(b.rows, 9, 5).cast<double>() / 3.0;  // signed
  const Eigen::MatrixXd y = exactTileOutputs(o, gp, gn, x);
  const Eigen::MatrixXd ref = w * x;
  BOOST_TEST_MESSAGE("linear tile: max |exact - W_eff x| / max|W_eff x| = "
                     << (y - ref).cwiseAbs().maxCoeff() / ref.cwiseAbs().maxCoeff());
  BOOST_TEST((y - ref).cwiseAbs().maxCoeff() <= 1e-9 * ref.cwiseAbs().maxCoeff());
  // ideal circuit: (G+ - G-)^T x / g_max
  const AnalogOptions ideal;
  BOOST_TEST(ideal.idealCircuit());
  const Eigen::MatrixXd yi = exactTileOutputs(ideal, gp, gn, x);
  BOOST_TEST((yi - (gp - gn).transpose() * x / o.g_max_s).cwiseAbs().maxCoeff() <= 1e-12);
}

BOOST_AUTO_TEST_CASE(linear_layers_match_weff_mode) {
  // Whole layers (row tiles accumulated, DAC 8 bits, ADC ideal): the exact mode computes the
  // tile outputs in double and rounds them to float once, the W_eff mode multiplies in float.
  AnalogOptions o = wiredLinear();
  o.dac_bits = 8;
  Network net = mlp(Shape{1, 1, 12}, 6, 3, 7);
  const TwoModes t(net, o);
  const Matrix x = randomMatrix(12, 7, 3);
  for (std::size_t li : net.analogLayers()) {
    const Matrix xi = li == net.analogLayers().front() ? x : randomMatrix(net.layers[li].weight.cols(), 7, 4);
    Matrix ya, yb;
    t.weff.multiply(li, xi, ya, 0);
    t.exact.multiply(li, xi, yb, 0);
    const float scale = ya.cwiseAbs().maxCoeff();
    BOOST_TEST_MESSAGE("layer " << li << ": max |exact - weff| / max|y| = "
                                << (yb - ya).cwiseAbs().maxCoeff() / scale);
    BOOST_TEST((yb - ya).cwiseAbs().maxCoeff() <= 2e-6f * scale);
  }
}

BOOST_AUTO_TEST_CASE(linear_evaluation_matches_weff_mode) {
  // Full evaluation with PCM statistics (programming noise, drift, read noise per MVM, GDC):
  // the same accuracy in both modes, independent of the thread count.
  AnalogOptions o = wiredLinear();
  o.tile_rows = 32;
  o.tile_cols = 8;
  o.read_noise = ReadNoiseMode::PerMvm;
  const SyntheticSpec ds{Shape{1, 6, 6}, 4, 10, 120, 12.0, 2};
  const Dataset test = makeSynthetic(ds, Split::Test);
  const Network net = mlp(test.shape, 16, 4, 9);
  EvaluationSpec s;
  s.analog = o;
  s.times_s = {1.0, 86400.0};
  s.repeats = 2;
  s.batch = 40;
  s.compensations = {Compensation::Gdc, Compensation::None};
  const EvaluationResult a = evaluateNetwork(net, test, nullptr, s);
  s.analog.circuit_mode = CircuitMode::Exact;
  omp_set_num_threads(1);
  const EvaluationResult b = evaluateNetwork(net, test, nullptr, s);
  omp_set_num_threads(2);
  const EvaluationResult c = evaluateNetwork(net, test, nullptr, s);
  for (std::size_t k = 0; k < 2; ++k) {
    BOOST_TEST((a.accuracy[k] - b.accuracy[k]).cwiseAbs().maxCoeff() <= 1.0 / 120 + 1e-12);
    BOOST_TEST((b.accuracy[k] == c.accuracy[k]));
  }
  BOOST_TEST((a.layers[0].weff_error == b.layers[0].weff_error));
}

BOOST_AUTO_TEST_CASE(sinh_tile_against_ngspice) {
  // 6x5 sinh tile with wires and TIA sense: every vector of a batch against ngspice's own
  // Newton solve (one op per vector), and against a full-Newton native solve per vector.
  AnalogOptions o = wiredLinear();
  o.circuit.iv.kind = xbarsim::device::IvKind::Sinh;
  o.circuit.iv.v0_v = 0.25;
  xbarsim::circuit::TiaSpec tia;
  tia.r_feedback_ohm = 2e3;
  o.circuit.sense = xbarsim::circuit::makeTia(tia);
  o.circuit_mode = CircuitMode::Exact;
  Network net = mlp(Shape{1, 1, 6}, 5, 2, 11);
  o.tile_rows = 6;
  o.tile_cols = 5;
  const std::vector<LayerMapping> maps = mapNetwork(net, o);
  const TileBlock& b = maps[0].tiles[0];
  Eigen::MatrixXd gp = maps[0].targets(b, true, o.g_max_s), gn = maps[0].targets(b, false, o.g_max_s);
  gp.array() += 1e-7;  // ngspice needs no open cell
  gn.array() += 1e-7;
  Eigen::MatrixXd x = randomMatrix(b.rows, 8, 13).cast<double>();
  x /= x.cwiseAbs().maxCoeff();  // full scale, signed
  const Eigen::MatrixXd y = exactTileOutputs(o, gp, gn, x);
  const std::string options = ".options numdgt=17 reltol=1e-12 abstol=1e-18 vntol=1e-15";
  auto spec = [&](const Eigen::MatrixXd& g) {
    xbarsim::circuit::CrossbarSpec s = o.circuit;
    s.rows = g.rows();
    s.cols = g.cols();
    s.g_s = g;
    return s;
  };
  const Eigen::MatrixXd v = x * o.v_read_v;
  const Eigen::MatrixXd ref = (xbarsim::test::ngspiceCurrents(spec(gp), v, options) -
                               xbarsim::test::ngspiceCurrents(spec(gn), v, options)) /
                              (o.g_max_s * o.v_read_v);
  const double err = (y - ref).cwiseAbs().maxCoeff() / ref.cwiseAbs().maxCoeff();
  BOOST_TEST_MESSAGE("sinh 6x5 tile, 8 vectors: max rel diff vs ngspice " << err);
  BOOST_TEST(err <= 1e-8);
  // full Newton (no chord), a fresh solver per vector
  xbarsim::circuit::NativeOptions full;
  full.chord = false;
  Eigen::MatrixXd yf(y.rows(), y.cols());
  for (Eigen::Index k = 0; k < x.cols(); ++k) {
    xbarsim::circuit::NativeSolver sp(spec(gp), full), sn(spec(gn), full);
    yf.col(k) = (sp.currents(v.col(k)) - sn.currents(v.col(k))) / (o.g_max_s * o.v_read_v);
  }
  const double err_full = (y - yf).cwiseAbs().maxCoeff() / yf.cwiseAbs().maxCoeff();
  BOOST_TEST_MESSAGE("sinh 6x5 tile: max rel diff chord batch vs full Newton " << err_full);
  BOOST_TEST(err_full <= 1e-9);
  // the non-linearity is visible: W_eff (the Jacobian at every row at v_read) differs
  WeffSolver solver(o);
  const Eigen::MatrixXd lin = (solver.effectiveWeights(gp) - solver.effectiveWeights(gn)) / o.g_max_s * x;
  BOOST_TEST((lin - y).cwiseAbs().maxCoeff() > 1e-3 * y.cwiseAbs().maxCoeff());
}

BOOST_AUTO_TEST_CASE(exact_needs_the_native_backend) {
  AnalogOptions o = wiredLinear();
  o.circuit_mode = CircuitMode::Exact;
  o.backend = "ngspice";
  BOOST_CHECK_THROW(o.validate(), xbarsim::ConfigError);
  o.backend = "native";
  BOOST_CHECK_NO_THROW(o.validate());
}

BOOST_AUTO_TEST_SUITE_END()
