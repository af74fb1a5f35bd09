// SPDX-License-Identifier: MIT
#include "xbarsim/dnn/train_rules.hpp"

#include <fmt/format.h>

#include <cmath>

#include "xbarsim/core/error.hpp"

namespace xbarsim::dnn {
namespace {

constexpr std::uint64_t kUpdateTag = 0x5550;  // stochastic pulse trains: (tag, layer, role, step)

/// The outer-product update Δw = -lr_dev δ xᵀ on `target` by the configured scheme; `sign` = -1
/// applies the opposite update (3T1C polarity).
void outerUpdate(PulsedWeights& target, const Matrix& x, const Matrix& delta, double lr_dev,
                 const RuleOptions& o, const ArrayPhysics& physics, std::uint64_t layer,
                 std::uint64_t role, std::uint64_t step, int sign = 1) {
  const Index out = target.rows(), in = target.cols();
  if (o.update == "stochastic" && !physics.idealUpdate()) {
    // Slot by slot through the physics' pulse efficiencies (half-selected cells included).
    auto* single = dynamic_cast<PulsedArray*>(&target);
    if (single == nullptr)
      throw ConfigError("", 0, "train.device",
                        "a non-ideal update physics needs one device per weight (not a pair)");
    RngStream rng(o.seed, StreamPurpose::Variation, streamIndex({kUpdateTag, layer, role, step}));
    (void)stochasticSlotUpdate(*single, x, sign < 0 ? Matrix(-delta) : delta, lr_dev, o.pulses,
                               physics, rng);
    return;
  }
  if (o.update == "deterministic") {
    IntMatrix n;
    deterministicCounts(x, delta, lr_dev * sign, target.dwMin(), n);
    target.applySigned(n, step);
    return;
  }
  IntMatrix up = IntMatrix::Zero(out, in), down = IntMatrix::Zero(out, in);
  RngStream rng(o.seed, StreamPurpose::Variation, streamIndex({kUpdateTag, layer, role, step}));
  stochasticCounts(x, delta, lr_dev, target.dwMin(), o.pulses, rng, up, down);
  if (sign < 0) std::swap(up, down);
  target.applyCounts(up, down, step);
}

/// trunc(v/eps) as pulse counts, and v reduced by the pulsed amount.
IntMatrix takePulses(Matrix& v, double eps) {
  const auto inv = static_cast<float>(1.0 / eps);
  IntMatrix n = (v * inv).cast<std::int32_t>();  // the cast truncates toward zero
  v -= n.cast<float>() * static_cast<float>(eps);
  return n;
}

class FloatSgd final : public LayerRule {
 public:
  FloatSgd(const Matrix& w0, double momentum) : momentum_(static_cast<float>(momentum)) {
    w_ = w0;
    m_ = Matrix::Zero(w0.rows(), w0.cols());
  }
  void update(const Matrix& x, const Matrix& delta, double lr, std::uint64_t) override {
    m_ *= momentum_;
    m_.noalias() += delta * x.transpose();
    w_ -= static_cast<float>(lr) * m_;
  }

 private:
  float momentum_;
  Matrix m_;
};

/// Shared by the rules on one PulsedWeights.
class PulsedRule : public LayerRule {
 public:
  PulsedRule(const RuleOptions& o, const Matrix& w0, std::uint64_t layer,
             const ArrayPhysics& physics)
      : o_(o), layer_(layer), physics_(physics),
        a_(makePulsedWeights(o.device, o.device_params, w0.rows(), w0.cols(), o.seed, 4 * layer,
                             o.refresh_fraction, o.pair_baseline)) {
    a_->setFastPulses(o.fast_pulses);
    a_->program(w0 / static_cast<float>(o.weight_scale));
    refresh();
  }
  std::vector<std::pair<std::string, Matrix>> arrays() const override { return a_->arrays(); }
  double pulses() const override { return a_->pulses(); }
  double saturatedFraction() const override { return a_->saturatedFraction(); }

 protected:
  void refresh() { w_ = a_->weights() * static_cast<float>(o_.weight_scale); }
  void maintain(std::uint64_t step) {
    if (o_.refresh_every > 0 && (step + 1) % static_cast<std::uint64_t>(o_.refresh_every) == 0)
      a_->maintain(step);
  }
  const RuleOptions o_;
  std::uint64_t layer_;
  const ArrayPhysics& physics_;
  std::unique_ptr<PulsedWeights> a_;
};

class AnalogSgd final : public PulsedRule {
 public:
  AnalogSgd(const RuleOptions& o, const Matrix& w0, std::uint64_t layer,
            const ArrayPhysics& physics)
      : PulsedRule(o, w0, layer, physics) {
    if (o.momentum > 0.0) m_ = Matrix::Zero(w0.rows(), w0.cols());
  }
  void update(const Matrix& x, const Matrix& delta, double lr, std::uint64_t step) override {
    const double lr_dev = lr / o_.weight_scale;
    if (o_.momentum > 0.0) {
      m_ *= static_cast<float>(o_.momentum);
      m_.noalias() += delta * x.transpose();
      const auto f = static_cast<float>(-lr_dev / a_->dwMin());
      a_->applySigned((m_ * f).array().round().cast<std::int32_t>().matrix(), step);
    } else {
      outerUpdate(*a_, x, delta, lr_dev, o_, physics_, layer_, 0, step);
    }
    maintain(step);
    refresh();
  }

 private:
  Matrix m_;
};

class MixedPrecision final : public PulsedRule {
 public:
  MixedPrecision(const RuleOptions& o, const Matrix& w0, std::uint64_t layer,
                 const ArrayPhysics& physics)
      : PulsedRule(o, w0, layer, physics), chi_(Matrix::Zero(w0.rows(), w0.cols())) {}
  void update(const Matrix& x, const Matrix& delta, double lr, std::uint64_t step) override {
    chi_.noalias() -= static_cast<float>(lr / o_.weight_scale) * (delta * x.transpose());
    a_->applySigned(takePulses(chi_, a_->dwMin()), step);
    maintain(step);
    refresh();
  }
  std::vector<std::pair<std::string, Matrix>> arrays() const override {
    auto v = a_->arrays();
    v.emplace_back("chi", chi_);
    return v;
  }

 private:
  Matrix chi_;
};

class TikiTakaV2 final : public LayerRule {
 public:
  TikiTakaV2(const RuleOptions& o, const Matrix& w0, std::uint64_t layer,
             const ArrayPhysics& physics)
      : o_(o), layer_(layer), physics_(physics),
        a_(makePulsedWeights(o.device, o.device_params, w0.rows(), w0.cols(), o.seed, 4 * layer + 1,
                             o.refresh_fraction, o.pair_baseline)),
        c_(makePulsedWeights(o.device, o.device_params, w0.rows(), w0.cols(), o.seed, 4 * layer + 2,
                             o.refresh_fraction, o.pair_baseline)),
        h_(Matrix::Zero(w0.rows(), w0.cols())) {
    a_->setFastPulses(o.fast_pulses);
    c_->setFastPulses(o.fast_pulses);
    // A starts at its symmetry point, which the reference array holds (zero-shifting).
    if (auto* single = dynamic_cast<PulsedArray*>(a_.get())) {
      a_ref_ = single->symmetryPoints();
      a_->program(a_ref_);
    } else {
      a_ref_ = Matrix::Zero(w0.rows(), w0.cols());
    }
    // C read relative to its own symmetry point too (o.tt_c_reference): the drift of an
    // asymmetric C under balanced pulses then pulls weights toward 0, not toward +scale·sp.
    auto* c_single = dynamic_cast<PulsedArray*>(c_.get());
    c_ref_ = o.tt_c_reference && c_single != nullptr ? c_single->symmetryPoints()
                                                     : Matrix::Zero(w0.rows(), w0.cols());
    c_->program(c_ref_ + w0 / static_cast<float>(o.weight_scale));
    refresh();
  }
  void update(const Matrix& x, const Matrix& delta, double lr, std::uint64_t step) override {
    outerUpdate(*a_, x, delta, lr / o_.weight_scale, o_, physics_, layer_, 1, step);
    if ((step + 1) % static_cast<std::uint64_t>(o_.transfer_every) == 0) transfer(step, lr);
    refresh();
  }
  std::vector<std::pair<std::string, Matrix>> arrays() const override {
    std::vector<std::pair<std::string, Matrix>> v;
    for (auto& [name, m] : a_->arrays()) v.emplace_back("A_" + name, m);
    v.emplace_back("A_ref", a_ref_);
    for (auto& [name, m] : c_->arrays()) v.emplace_back("C_" + name, m);
    v.emplace_back("C_ref", c_ref_);
    v.emplace_back("H", h_);
    return v;
  }
  double pulses() const override { return a_->pulses() + c_->pulses(); }
  double saturatedFraction() const override {
    return 0.5 * (a_->saturatedFraction() + c_->saturatedFraction());
  }
  Index devices() const override { return 2 * w_.size(); }

 private:
  void transfer(std::uint64_t step, double lr) {
    const Index in = w_.cols(), out = w_.rows();
    const Index k = std::min<Index>(o_.transfer_columns, in);
    const auto scale = static_cast<float>(o_.weight_scale);
    Matrix onehot = Matrix::Zero(in, k);
    for (Index c = 0; c < k; ++c) onehot((next_ + c) % in, c) = 1.0f;
    Matrix read;  // forward read of (A - A_ref) with one-hot inputs
    physics_.forward(scale * (a_->weights() - a_ref_), onehot, read, streamIndex({layer_, step}));
    IntMatrix n = IntMatrix::Zero(out, in);
    for (Index c = 0; c < k; ++c) {
      const Index col = (next_ + c) % in;
      h_.col(col) += static_cast<float>(o_.transfer_lr * (o_.transfer_lr_scaled ? lr : 1.0)) *
                     read.col(c) / scale;
      Matrix hc = h_.col(col);
      n.col(col) = takePulses(hc, c_->dwMin());
      h_.col(col) = hc;
    }
    c_->applySigned(n, step);
    if (o_.refresh_every > 0 && (step + 1) % static_cast<std::uint64_t>(o_.refresh_every) == 0) {
      a_->maintain(step);
      c_->maintain(step);
    }
    next_ = (next_ + k) % in;
  }
  void refresh() {
    w_ = (c_->weights() - c_ref_) * static_cast<float>(o_.weight_scale);
    if (o_.tt_gamma != 0.0)
      w_ += static_cast<float>(o_.tt_gamma * o_.weight_scale) * (a_->weights() - a_ref_);
  }
  const RuleOptions o_;
  std::uint64_t layer_;
  const ArrayPhysics& physics_;
  std::unique_ptr<PulsedWeights> a_, c_;
  Matrix a_ref_, c_ref_, h_;
  Index next_ = 0;
};

class Pcm3t1c final : public LayerRule {
 public:
  Pcm3t1c(const RuleOptions& o, const Matrix& w0, std::uint64_t layer, const ArrayPhysics& physics)
      : o_(o), layer_(layer), physics_(physics),
        pair_(w0.rows(), w0.cols(),
              makeTrainingModel(o.device, o.device_params),
              o.seed, 4 * layer + 3, o.refresh_fraction, o.pair_baseline),
        cap_(w0.rows(), w0.cols(), capacitorModel(o), o.seed, 4 * layer) {
    pair_.setFastPulses(o.fast_pulses);
    cap_.setFastPulses(o.fast_pulses);
    pair_.program(w0 / static_cast<float>(o.weight_scale * o.gain_f));
    refresh();
  }
  void update(const Matrix& x, const Matrix& delta, double lr, std::uint64_t step) override {
    outerUpdate(cap_, x, delta, lr / o_.weight_scale, o_, physics_, layer_, 3, step, polarity_);
    if ((step + 1) % static_cast<std::uint64_t>(o_.transfer_every) == 0) transfer(step);
    if (o_.refresh_every > 0 && (step + 1) % static_cast<std::uint64_t>(o_.refresh_every) == 0)
      pair_.maintain(step);
    refresh();
  }
  std::vector<std::pair<std::string, Matrix>> arrays() const override {
    auto v = pair_.arrays();
    v.emplace_back("capacitor", cap_.weights());
    return v;
  }
  double pulses() const override { return pair_.pulses() + cap_.pulses(); }
  double saturatedFraction() const override { return pair_.saturatedFraction(); }
  Index devices() const override { return 3 * w_.size(); }

 private:
  static std::shared_ptr<const device::UpdateModel> capacitorModel(const RuleOptions& o) {
    // A charge step per pulse: linear and symmetric, 10 % device-to-device mismatch, no
    // cycle-to-cycle noise (Ambrogio 2018's capacitor; leakage not modelled).
    return makeTrainingModel("constant-step", {{"dw_min", o.cap_dw_min},
                                               {"dw_min_dtod", 0.1},
                                               {"dw_min_std", 0.0},
                                               {"up_down", 0.0},
                                               {"w_max", o.cap_bound},
                                               {"w_min", -o.cap_bound}});
  }
  void transfer(std::uint64_t step) {
    RngStream rng(o_.seed, StreamPurpose::Programming, streamIndex({0x3743, layer_, step}));
    const Matrix& g = cap_.weights();
    for (Index j = 0; j < g.cols(); ++j)
      for (Index i = 0; i < g.rows(); ++i) {
        const double v = polarity_ * g(i, j) / o_.gain_f;
        const double before = pair_.weights()(i, j);
        if (v != 0.0) pair_.addToCell(i, j, v, rng);
        // The capacitor keeps what the PCM programming missed (the weight F·pair + p·g is
        // unchanged by the transfer, up to the capacitor's bounds): otherwise every update
        // smaller than half a PCM step would be lost at each transfer.
        const double residual = o_.gain_f * (v - (pair_.weights()(i, j) - before));
        cap_.setCell(i, j, o_.keep_residual ? -polarity_ * residual : 0.0);
      }
    polarity_ = -polarity_;
  }
  void refresh() {
    w_ = (static_cast<float>(o_.gain_f) * pair_.weights() +
          static_cast<float>(polarity_) * cap_.weights()) *
         static_cast<float>(o_.weight_scale);
  }
  const RuleOptions o_;
  std::uint64_t layer_;
  const ArrayPhysics& physics_;
  PcmPair pair_;
  PulsedArray cap_;
  int polarity_ = 1;
};

}  // namespace

const std::vector<std::string>& algorithmNames() {
  static const std::vector<std::string> names{"sgd", "analog-sgd", "mixed-precision",
                                              "tiki-taka-v2", "pcm-3t1c"};
  return names;
}

std::unique_ptr<LayerRule> makeLayerRule(const RuleOptions& o_in, const Matrix& w0,
                                         std::uint64_t layer, const ArrayPhysics& physics) {
  if (o_in.algorithm == "sgd") return std::make_unique<FloatSgd>(w0, o_in.momentum);
  RuleOptions o = o_in;
  if (o.algorithm != "sgd" && !(o.weight_scale > 0.0)) {
    // auto: the largest initial weight at half the device's upper bound (3T1C: of F·w_max)
    const double w_max = makeTrainingModel(o.device, o.device_params)->common().w_max *
                         (o.algorithm == "pcm-3t1c" ? o.gain_f : 1.0);
    const double w0_max = w0.size() > 0 ? w0.cwiseAbs().maxCoeff() : 0.0;
    o.weight_scale = w0_max > 0.0 ? w0_max / (0.5 * w_max) : 1.0;
  }
  if (o.transfer_every <= 0) o.transfer_every = o.algorithm == "pcm-3t1c" ? 100 : 1;
  if (o.algorithm == "analog-sgd") return std::make_unique<AnalogSgd>(o, w0, layer, physics);
  if (o.algorithm == "mixed-precision")
    return std::make_unique<MixedPrecision>(o, w0, layer, physics);
  if (o.algorithm == "tiki-taka-v2") return std::make_unique<TikiTakaV2>(o, w0, layer, physics);
  if (o.algorithm == "pcm-3t1c") return std::make_unique<Pcm3t1c>(o, w0, layer, physics);
  throw ConfigError("", 0, "train.algorithm",
                    fmt::format("unknown algorithm \"{}\" (sgd | analog-sgd | mixed-precision | "
                                "tiki-taka-v2 | pcm-3t1c)",
                                o.algorithm));
}

}  // namespace xbarsim::dnn
