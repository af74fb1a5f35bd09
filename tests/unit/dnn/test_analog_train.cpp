// SPDX-License-Identifier: MIT
// Analog training (docs/training.md): the pulse schemes against closed forms, and the
// algorithms' bookkeeping on tiny cases worked out by hand.
#include <boost/test/unit_test.hpp>

#include <cmath>

#include "xbarsim/core/error.hpp"
#include "xbarsim/dnn/analog_array.hpp"
#include "xbarsim/dnn/analog_train.hpp"
#include "xbarsim/dnn/train_rules.hpp"

using namespace xbarsim;
using namespace xbarsim::dnn;

namespace {

/// A noise-free, variation-free constant step of `dw` between ±1.
std::vector<std::pair<std::string, double>> idealStep(double dw) {
  return {{"dw_min", dw},       {"dw_min_dtod", 0.0}, {"dw_min_std", 0.0}, {"up_down", 0.0},
          {"up_down_dtod", 0.0}, {"w_max", 1.0},       {"w_max_dtod", 0.0}, {"w_min", -1.0},
          {"w_min_dtod", 0.0}};
}

/// Rule options of `algorithm` on idealStep(0.01) devices, device units = network units.
RuleOptions idealRule(const std::string& algorithm) {
  RuleOptions o;
  o.algorithm = algorithm;
  o.device = "constant-step";
  o.device_params = idealStep(0.01);
  o.weight_scale = 1.0;
  return o;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(analog_train)

// E[n] = lr x δ / dw_min (signed -sign(xδ)) and Var[n] = BL q (1 - q), q = p_x p_d, for one
// sample: counts per cell are binomial over the BL_eff slots.
BOOST_AUTO_TEST_CASE(stochastic_pulses_match_the_closed_form) {
  Matrix x(3, 1), d(2, 1);
  x << 0.8f, -0.3f, 0.5f;
  d << 0.06f, -0.02f;
  const double lr = 0.1, dw = 0.001;
  PulseTrainOptions o;  // BL 31, update and BL management
  const double xmax = x.cwiseAbs().maxCoeff(), dmax = d.cwiseAbs().maxCoeff();
  const int bl = std::min(31, static_cast<int>(std::ceil(lr * xmax * dmax / dw)));
  BOOST_TEST_REQUIRE(bl == 5);
  const double ratio = std::sqrt(dmax / xmax), c = lr / (dw * bl);
  const int draws = 40000;
  RngStream rng(3, StreamPurpose::Variation, 0);
  Eigen::MatrixXd sum = Eigen::MatrixXd::Zero(2, 3), sum2 = Eigen::MatrixXd::Zero(2, 3);
  for (int k = 0; k < draws; ++k) {
    IntMatrix up = IntMatrix::Zero(2, 3), down = IntMatrix::Zero(2, 3);
    BOOST_TEST_REQUIRE(stochasticCounts(x, d, lr, dw, o, rng, up, down) == bl);
    const Eigen::MatrixXd n = (up - down).cast<double>();
    sum += n;
    sum2 += n.cwiseAbs2();
  }
  for (Index i = 0; i < 2; ++i)
    for (Index j = 0; j < 3; ++j) {
      const double q = (std::sqrt(c) * ratio * std::abs(x(j, 0))) *
                       (std::sqrt(c) / ratio * std::abs(d(i, 0)));
      const double expect = -lr * x(j, 0) * d(i, 0) / dw;  // pulses; Δw = dw n = -lr x δ
      const double var = bl * q * (1 - q);
      const double mean = sum(i, j) / draws;
      const double sample_var = sum2(i, j) / draws - mean * mean;
      BOOST_TEST(std::abs(mean - expect) < 4.0 * std::sqrt(var / draws));
      BOOST_TEST(std::abs(sample_var - var) < 0.05 * var);
    }
  // Through a noise-free constant-step array the weight moves dw per counted pulse.
  PulsedArray a(2, 3, makeTrainingModel("constant-step", idealStep(dw)), 1, 0);
  IntMatrix up = IntMatrix::Zero(2, 3), down = IntMatrix::Zero(2, 3);
  stochasticCounts(x, d, lr, dw, o, rng, up, down);
  a.applyCounts(up, down, 0);
  const Matrix expect = ((up - down).cast<float>() * static_cast<float>(dw));
  BOOST_TEST((a.weights() - expect).cwiseAbs().maxCoeff() < 1e-6f);
  BOOST_TEST(a.pulses() == (up + down).sum());
}

/// Ideal reads and efficiencies, but declared non-ideal: the slot-by-slot path.
class SlotPhysics final : public ArrayPhysics {
 public:
  void forward(const Matrix& w, const Matrix& x, Matrix& y, std::uint64_t) const override {
    y = w * x;
  }
  void backward(const Matrix& w, const Matrix& d, Matrix& out, std::uint64_t) const override {
    out = w.transpose() * d;
  }
  bool idealUpdate() const override { return false; }
};

// The slot-by-slot update through pulseEfficiency draws the same slot masks as the batched
// counts: with the ideal efficiencies it lands on the same weights, pulse for pulse.
BOOST_AUTO_TEST_CASE(slot_update_through_the_physics_matches_the_counts) {
  Matrix x(3, 2), d(2, 2);
  x << 0.8f, 0.1f, -0.3f, 0.7f, 0.5f, -0.2f;
  d << 0.06f, -0.03f, -0.02f, 0.05f;
  const auto model = makeTrainingModel("constant-step", idealStep(0.001));
  PulsedArray a(2, 3, model, 1, 0), b(2, 3, model, 1, 0);
  RngStream ra(9, StreamPurpose::Variation, 1), rb(9, StreamPurpose::Variation, 1);
  IntMatrix up = IntMatrix::Zero(2, 3), down = IntMatrix::Zero(2, 3);
  const long slots = stochasticCounts(x, d, 0.1, 0.001, PulseTrainOptions{}, ra, up, down);
  a.applyCounts(up, down, 0);
  BOOST_TEST(stochasticSlotUpdate(b, x, d, 0.1, PulseTrainOptions{}, SlotPhysics{}, rb) == slots);
  BOOST_TEST((a.weights() - b.weights()).cwiseAbs().maxCoeff() < 1e-6f);
  BOOST_TEST(a.pulses() == b.pulses());
  BOOST_TEST(a.pulses() > 0.0);
}

BOOST_AUTO_TEST_CASE(deterministic_counts_are_rounded_products) {
  Matrix x(2, 2), d(1, 2);
  x << 1.0f, 0.5f, -0.4f, 0.0f;  // two samples (columns)
  d << -0.3f, 0.2f;
  IntMatrix n;
  deterministicCounts(x, d, 0.1, 0.001, n);
  // -lr Σ_s δ_s x_s / dw: col 0: -0.1 (-0.3·1 + 0.2·0.5)/0.001 = 20; col 1: -0.1 (0.12)/0.001 = -12
  BOOST_TEST(n(0, 0) == 20);
  BOOST_TEST(n(0, 1) == -12);
}

// χ holds what has not been pulsed: w - w0 + χ = -lr Σ δ xᵀ (noise-free, unsaturated device)
// and |χ| < ε after every update.
BOOST_AUTO_TEST_CASE(mixed_precision_accumulator_invariants) {
  RuleOptions o = idealRule("mixed-precision");
  const IdealPhysics physics;
  Matrix w0(2, 3);
  w0 << 0.1f, -0.2f, 0.0f, 0.3f, 0.05f, -0.1f;
  auto rule = makeLayerRule(o, w0, 1, physics);
  Matrix total = Matrix::Zero(2, 3);
  RngStream rng(5, StreamPurpose::Inputs, 0);
  for (int step = 0; step < 50; ++step) {
    Matrix x(3, 4), d(2, 4);
    for (Index k = 0; k < x.size(); ++k) x.data()[k] = static_cast<float>(rng.uniform(-1, 1));
    for (Index k = 0; k < d.size(); ++k) d.data()[k] = static_cast<float>(rng.uniform(-0.05, 0.05));
    rule->update(x, d, 0.05, static_cast<std::uint64_t>(step));
    total -= 0.05f * d * x.transpose();
    const auto arrays = rule->arrays();
    BOOST_TEST_REQUIRE(arrays.back().first == "chi");
    const Matrix& chi = arrays.back().second;
    BOOST_TEST(chi.cwiseAbs().maxCoeff() < 0.01f);
    BOOST_TEST((rule->weight() - w0 + chi - total).cwiseAbs().maxCoeff() < 1e-5f);
  }
  BOOST_TEST(rule->pulses() > 0.0);
}

// Two batches on a 1×2 layer, worked by hand (constant step 0.01, deterministic counts,
// transfer of one column per batch with η_t = 0.7):
//  batch 1: ΔA = -0.05·(-0.6)·(1, 0.4) = (0.03, 0.012) -> 3 and 1 pulses, A = (0.03, 0.01);
//           column 0: H = 0.7·0.03 = 0.021 -> 2 pulses on C, C = (0.12, -0.2), H = 0.001.
//  batch 2: A = (0.06, 0.02); column 1: H = 0.7·0.02 = 0.014 -> 1 pulse, C = (0.12, -0.19),
//           H = (0.001, 0.004).
BOOST_AUTO_TEST_CASE(tiki_taka_v2_transfer_by_hand) {
  RuleOptions o = idealRule("tiki-taka-v2");
  o.update = "deterministic";
  o.transfer_lr = 14.0;  // relative to η = 0.05: 0.7
  o.transfer_columns = 1;
  o.tt_gamma = 0.0;
  const IdealPhysics physics;
  Matrix w0(1, 2);
  w0 << 0.1f, -0.2f;
  auto rule = makeLayerRule(o, w0, 1, physics);
  Matrix x(2, 1), d(1, 1);
  x << 1.0f, 0.4f;
  d << -0.6f;
  rule->update(x, d, 0.05, 0);
  BOOST_TEST(std::abs(rule->weight()(0, 0) - 0.12f) < 1e-6f);
  BOOST_TEST(std::abs(rule->weight()(0, 1) + 0.2f) < 1e-6f);
  rule->update(x, d, 0.05, 1);
  BOOST_TEST(std::abs(rule->weight()(0, 0) - 0.12f) < 1e-6f);
  BOOST_TEST(std::abs(rule->weight()(0, 1) + 0.19f) < 1e-6f);
  for (const auto& [name, m] : rule->arrays()) {
    if (name == "A_w") {
      BOOST_TEST(std::abs(m(0, 0) - 0.06f) < 1e-6f);
      BOOST_TEST(std::abs(m(0, 1) - 0.02f) < 1e-6f);
    } else if (name == "H") {
      BOOST_TEST(std::abs(m(0, 0) - 0.001f) < 1e-6f);
      BOOST_TEST(std::abs(m(0, 1) - 0.004f) < 1e-6f);
    }
  }
}

// Refresh: w read, both sides reset, |w| programmed into one side by SET pulses until the
// remainder is below half a step: the weight survives within half the step before the last
// pulse, i.e. within one step at the final state (noise-free pulses).
BOOST_AUTO_TEST_CASE(pcm_pair_refresh_keeps_the_weight) {
  auto model = makeTrainingModel("pcm-pair", {{"dw_min_std", 0.0}});
  PcmPair pair(3, 2, model, 7, 0, 0.5);
  Matrix target(3, 2);
  target << 0.3f, -0.2f, 0.05f, 1.2f, -0.7f, 0.0f;
  pair.program(target);
  BOOST_TEST((pair.weights() - target).cwiseAbs().maxCoeff() < 1e-6f);
  // Saturate both sides: 200 up and 200 down pulses on every cell.
  pair.applyCounts(IntMatrix::Constant(3, 2, 200), IntMatrix::Constant(3, 2, 200), 0);
  const Matrix before = pair.weights();
  BOOST_TEST(pair.saturatedFraction() > 0.5);
  pair.maintain(1);
  BOOST_TEST(pair.refreshes() == 6);
  for (Index i = 0; i < 3; ++i)
    for (Index j = 0; j < 2; ++j) {
      const PulsedArray& side = before(i, j) >= 0 ? pair.plus() : pair.minus();
      const PulsedArray& other = before(i, j) >= 0 ? pair.minus() : pair.plus();
      BOOST_TEST(other.weights()(i, j) == static_cast<float>(other.cell(i, j).w_min));
      const double step = model->meanStep(side.cell(i, j), side.weights()(i, j), 1);
      BOOST_TEST(std::abs(pair.weights()(i, j) - before(i, j)) <= step + 1e-5);
    }
  BOOST_TEST(pair.saturatedFraction() < 0.5);
}

BOOST_AUTO_TEST_CASE(training_runs_and_is_deterministic) {
  SyntheticSpec ds;
  const Dataset tr = makeSynthetic(ds, Split::Train), te = makeSynthetic(ds, Split::Test);
  AnalogTrainOptions o;
  o.net.hidden = {16};
  o.net.epochs = 2;
  o.net.batch = 64;
  o.net.learning_rate = 0.1;
  for (const std::string algorithm : {"analog-sgd", "mixed-precision", "tiki-taka-v2"}) {
    o.rule.algorithm = algorithm;
    const AnalogTrainResult a = trainAnalog(o, tr, te);
    const AnalogTrainResult b = trainAnalog(o, tr, te);
    BOOST_TEST(a.test_accuracy.back() > 0.6, algorithm);
    BOOST_TEST((a.network.layers[1].weight == b.network.layers[1].weight), algorithm);
    BOOST_TEST(a.pulses_per_weight.back() > 0.0, algorithm);
  }
  o.rule.algorithm = "pcm-3t1c";
  o.rule.device = "pcm-pair";
  o.rule.transfer_every = 8;
  o.rule.weight_scale = 0.25;
  BOOST_TEST(trainAnalog(o, tr, te).test_accuracy.back() > 0.4);
  o.circuit = "no-such";
  BOOST_CHECK_THROW((void)makeArrayPhysics(o), ConfigError);
  o.circuit = "ideal";
  o.rule.algorithm = "no-such";
  BOOST_CHECK_THROW((void)trainAnalog(o, tr, te), ConfigError);
}

BOOST_AUTO_TEST_SUITE_END()
