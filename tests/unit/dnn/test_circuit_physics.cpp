// SPDX-License-Identifier: MIT
// Training with the circuit in the loop (CircuitPhysics, docs/training.md §5): ideal wires
// against the ideal mode, reads against the native solver's W_eff of the same conductances, and
// an update slot's cell voltages against TrainingCrossbar::cellVoltages.
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <random>

#include "xbarsim/circuit/native_solver.hpp"
#include "xbarsim/core/error.hpp"
#include "xbarsim/dnn/analog_train.hpp"
#include "xbarsim/dnn/circuit_physics.hpp"

using namespace xbarsim;
using namespace xbarsim::dnn;

namespace {

Matrix randomWeights(Index out, Index in, unsigned seed) {
  std::mt19937_64 gen(seed);
  std::uniform_real_distribution<float> u(-0.5f, 0.5f);
  Matrix w(out, in);
  for (Index k = 0; k < w.size(); ++k) w.data()[k] = u(gen);
  return w;
}

/// The conductances of one side of a tile by the documented mapping, written out here
/// independently: G± = g_min + max(±w, 0)(g_max - g_min)/w_hi.
Eigen::MatrixXd tileConductances(const Matrix& w, Index r0, Index nr, Index c0, Index nc,
                                 const CircuitPhysicsOptions& o, double sign) {
  const double w_hi = w.cwiseAbs().maxCoeff();
  Eigen::MatrixXd g(nr, nc);
  for (Index j = 0; j < nr; ++j)
    for (Index i = 0; i < nc; ++i)
      g(j, i) = o.g_min_s + std::max(0.0, sign * w(c0 + i, r0 + j)) / w_hi * (o.g_max_s - o.g_min_s);
  return g;
}

/// A crossbar of `g` with the options' wires.
circuit::CrossbarSpec specOf(const Eigen::MatrixXd& g, const CircuitPhysicsOptions& o) {
  circuit::CrossbarSpec spec;
  spec.rows = g.rows();
  spec.cols = g.cols();
  spec.r_row_ohm = spec.r_col_ohm = o.r_wire_ohm;
  spec.g_s = g;
  return spec;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(circuit_physics)

// Ideal wires: the same seed gives the same weights as the ideal mode (reads are W x to float
// rounding; the update is the ideal coincidence update since half-selects stay below V_th).
BOOST_AUTO_TEST_CASE(zero_wire_resistance_equals_ideal_mode) {
  SyntheticSpec ds;
  ds.train_samples = 512;
  const Dataset tr = makeSynthetic(ds, Split::Train), te = makeSynthetic(ds, Split::Test);
  AnalogTrainOptions o;
  o.net.hidden = {16};
  o.net.epochs = 1;
  o.net.batch = 64;
  o.net.learning_rate = 0.1;
  o.circuit_options.r_wire_ohm = 0.0;
  o.circuit_options.tile_rows = 24;  // 64 inputs: 3 row blocks, 16 outputs: 2 column blocks
  o.circuit_options.tile_cols = 10;
  for (const std::string algorithm : {"analog-sgd", "mixed-precision"}) {
    o.rule.algorithm = algorithm;
    o.circuit = "ideal";
    const AnalogTrainResult a = trainAnalog(o, tr, te);
    o.circuit = "circuit";
    BOOST_TEST(makeArrayPhysics(o)->idealUpdate());
    const AnalogTrainResult b = trainAnalog(o, tr, te);
    for (std::size_t l : {1u, 2u}) {
      const Matrix& wa = a.network.layers[l].weight;
      const Matrix& wb = b.network.layers[l].weight;
      BOOST_TEST((wa - wb).cwiseAbs().maxCoeff() <= 1e-5f * wa.cwiseAbs().maxCoeff(), algorithm);
    }
    BOOST_TEST(std::abs(a.test_accuracy.back() - b.test_accuracy.back()) <= 1.0 / 512, algorithm);
  }
}

// With wires, forward and backward reads are the tiles' W_eff (native solver, the same
// conductances from the documented mapping), reference column subtracted, in weight units.
BOOST_AUTO_TEST_CASE(reads_equal_native_weff_of_the_tiles) {
  CircuitPhysicsOptions o;
  o.tile_rows = 5;
  o.tile_cols = 4;
  o.r_wire_ohm = 200.0;  // a visible IR drop at this size
  const CircuitPhysics physics(o);
  const Index out = 7, in = 11, n = 3;
  const Matrix w = randomWeights(out, in, 3);
  const Matrix x = randomWeights(in, n, 4) * 3.0f, delta = randomWeights(out, n, 5);
  Matrix y, d;
  physics.forward(w, x, y, 0);
  physics.backward(w, delta, d, 0);
  const double k = (o.g_max_s - o.g_min_s) / w.cwiseAbs().maxCoeff();
  Eigen::MatrixXd weff = Eigen::MatrixXd::Zero(out, in);  // whole layer, weight units
  for (Index r0 = 0; r0 < in; r0 += o.tile_rows)
    for (Index c0 = 0; c0 < out; c0 += o.tile_cols) {
      const Index nr = std::min(o.tile_rows, in - r0), nc = std::min(o.tile_cols, out - c0);
      circuit::NativeSolver plus(specOf(tileConductances(w, r0, nr, c0, nc, o, 1.0), o));
      circuit::NativeSolver minus(specOf(tileConductances(w, r0, nr, c0, nc, o, -1.0), o));
      weff.block(c0, r0, nc, nr) = (plus.effectiveWeights() - minus.effectiveWeights()) / k;
    }
  const Eigen::MatrixXd y_ref = weff * x.cast<double>(), d_ref = weff.transpose() * delta.cast<double>();
  BOOST_TEST((y.cast<double>() - y_ref).cwiseAbs().maxCoeff() < 1e-5 * y_ref.cwiseAbs().maxCoeff());
  BOOST_TEST((d.cast<double>() - d_ref).cwiseAbs().maxCoeff() < 1e-5 * d_ref.cwiseAbs().maxCoeff());
  // the IR drop is there: W_eff differs from W by more than rounding
  BOOST_TEST((weff - w.cast<double>()).cwiseAbs().maxCoeff() > 1e-3);
  BOOST_TEST(!physics.idealUpdate());
}

// One update slot: every cell's step fraction is the efficiency of its TrainingCrossbar
// voltage, summed over the four sign phases; half-selected cells get a fraction when V_th is
// below V_p/2 and none at the default V_th = 0.6 V_p.
BOOST_AUTO_TEST_CASE(update_slot_uses_the_cell_voltages) {
  for (const auto mode : {circuit::UpdateCircuitMode::Exact, circuit::UpdateCircuitMode::Ladder})
    for (const double v_th : {0.3, 0.6}) {
      CircuitPhysicsOptions o;
      o.tile_rows = 6;
      o.tile_cols = 5;
      o.r_wire_ohm = 100.0;
      o.update_mode = mode;
      o.efficiency.v_threshold_v = v_th;
      const CircuitPhysics physics(o);
      const Index out = 5, in = 6;
      const Matrix w = randomWeights(out, in, 6);
      Matrix y;
      physics.forward(w, Matrix::Ones(in, 1), y, 0);  // the read fixes the batch's state
      const std::vector<std::int8_t> rs{1, 0, -1, 1, 0, 0}, cs{0, -1, 1, 0, 0};
      Matrix factor;
      physics.pulseEfficiency(rs, cs, factor);

      circuit::TrainingCrossbar plus(specOf(tileConductances(w, 0, in, 0, out, o, 1.0), o));
      circuit::TrainingCrossbar minus(specOf(tileConductances(w, 0, in, 0, out, o, -1.0), o));
      Eigen::MatrixXd want = Eigen::MatrixXd::Zero(out, in);
      Eigen::MatrixXd v_half;  // phase (+rows, -cols) on G⁺: half-selected cell (row 0, column 2)
      for (int sr : {1, -1})
        for (int sc : {1, -1}) {
          std::vector<Index> rows, cols;
          for (Index j = 0; j < in; ++j)
            if (rs[static_cast<std::size_t>(j)] == sr) rows.push_back(j);
          for (Index i = 0; i < out; ++i)
            if (cs[static_cast<std::size_t>(i)] == sc) cols.push_back(i);
          if (rows.empty() || cols.empty()) continue;
          const int up = sr != sc ? 1 : -1;  // Δw = -x δ: up on G⁺, down on G⁻ (SET both)
          const auto t = circuit::biasTerminals(o.bias, in, out, rows, cols, 1);
          const Eigen::MatrixXd v = (up > 0 ? plus : minus).cellVoltages(t.rows_v, t.cols_v, mode);
          if (sr == 1 && sc == -1) v_half = v;
          for (Index j = 0; j < in; ++j)
            for (Index i = 0; i < out; ++i) want(i, j) += up * o.efficiency(v(j, i));
        }
      BOOST_TEST((factor.cast<double>() - want).cwiseAbs().maxCoeff() < 1e-6);
      // fully selected (row 0 +, column 1 -): an up pulse reduced by the IR drop
      BOOST_TEST(factor(1, 0) > 0.3f);
      BOOST_TEST(factor(1, 0) < 1.0f);
      // half-selected (row 0, column 2 not selected in that phase) near V_p/2
      BOOST_TEST(v_half(0, 2) > 0.4);
      BOOST_TEST(v_half(0, 2) < 0.5);
      if (v_th == 0.6) {
        BOOST_TEST(factor(0, 1) == 0.0f);  // idle column 0 at row 1 (idle): nothing
        BOOST_TEST(factor(4, 0) == 0.0f);  // half-selected: below threshold
      } else {
        // half-selected (row 0 +, column 4 idle) now switches: up on G⁺ and down on G⁻, at
        // two different IR drops, so a net disturb remains
        BOOST_TEST(factor(4, 0) != 0.0f);
      }
    }
  // half_select = false (ladder): the fully-selected cells' fractions alone, the same numbers
  // as the full solve where the others stay below V_th
  {
    CircuitPhysicsOptions o;
    o.tile_rows = 6;
    o.tile_cols = 5;
    o.r_wire_ohm = 100.0;
    const CircuitPhysics full(o);
    o.half_select = false;
    const CircuitPhysics selected(o);
    const Matrix w = randomWeights(5, 6, 6);
    Matrix y, fa, fb;
    full.forward(w, Matrix::Ones(6, 1), y, 0);
    selected.forward(w, Matrix::Ones(6, 1), y, 0);
    const std::vector<std::int8_t> rs{1, 0, -1, 1, 0, 0}, cs{0, -1, 1, 0, 0};
    full.pulseEfficiency(rs, cs, fa);
    selected.pulseEfficiency(rs, cs, fb);
    BOOST_TEST((fa - fb).cwiseAbs().maxCoeff() < 1e-6f);
    BOOST_TEST(fb.cwiseAbs().maxCoeff() > 0.3f);
  }
  // an update before any read of the array's shape is refused
  const CircuitPhysics fresh(CircuitPhysicsOptions{});
  Matrix f;
  BOOST_CHECK_THROW(fresh.pulseEfficiency({1, 0}, {1}, f), Error);
}

BOOST_AUTO_TEST_SUITE_END()
