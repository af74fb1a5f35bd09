// SPDX-License-Identifier: MIT
#include "xbarsim/dnn/train.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <numbers>
#include <numeric>

#include "xbarsim/core/error.hpp"
#include "xbarsim/core/rng.hpp"
#include "xbarsim/device/random.hpp"
#include "xbarsim/dnn/analog.hpp"
#include "xbarsim/dnn/evaluate.hpp"

namespace xbarsim::dnn {
namespace {

using Clock = std::chrono::steady_clock;
using IndexMatrix = Eigen::Matrix<Index, Eigen::Dynamic, Eigen::Dynamic>;

constexpr std::uint64_t kShuffleTag = 0x5348;  // stream tags under StreamPurpose::Inputs
constexpr std::uint64_t kNoiseTag = 0x4e5a;
constexpr std::uint64_t kInitTag = 0x494e;

Layer denseLayer(Index in, Index out, bool relu, RngStream& rng) {
  Layer l;
  l.kind = LayerKind::Dense;
  l.weight.resize(out, in);
  const double sd = std::sqrt(2.0 / static_cast<double>(in));
  for (Index j = 0; j < in; ++j)
    for (Index i = 0; i < out; ++i) l.weight(i, j) = static_cast<float>(sd * device::standardNormal(rng));
  l.bias = Vector::Zero(out);
  l.activation = relu ? Activation::Relu : Activation::None;
  return l;
}

Layer convLayer(Index in_ch, Index out_ch, RngStream& rng) {
  Layer l;
  l.kind = LayerKind::Conv2d;
  l.kernel_h = l.kernel_w = 3;
  l.pad_h = l.pad_w = 1;
  l.weight.resize(out_ch, in_ch * 9);
  const double sd = std::sqrt(2.0 / static_cast<double>(in_ch * 9));
  for (Index j = 0; j < l.weight.cols(); ++j)
    for (Index i = 0; i < out_ch; ++i) l.weight(i, j) = static_cast<float>(sd * device::standardNormal(rng));
  l.bias = Vector::Zero(out_ch);
  return l;
}

Layer simpleLayer(LayerKind kind) {
  Layer l;
  l.kind = kind;
  return l;
}

/// Per-layer training state.
struct Slot {
  Matrix x, patches, wn, y;  // input, im2col patches, weights used, output (after activation)
  IndexMatrix argmax;
  Matrix xhat;
  Vector inv_std;
  // gradients and optimizer state: weight/bias (or gamma/beta)
  Matrix dw, mw, vw;
  Vector db, mb, vb;
};

void col2im(const Layer& conv, const Matrix& dpatches, Index n, Matrix& dx) {
  const Shape in = conv.in_shape, out = conv.out_shape;
  const Index p = out.h * out.w;
  dx.setZero(in.size(), n);
  for (Index s = 0; s < n; ++s) {
    float* dst = dx.col(s).data();
    for (Index oy = 0; oy < out.h; ++oy)
      for (Index ox = 0; ox < out.w; ++ox) {
        const float* src = dpatches.col(s * p + oy * out.w + ox).data();
        Index k = 0;
        for (Index c = 0; c < in.c; ++c)
          for (Index ky = 0; ky < conv.kernel_h; ++ky) {
            const Index iy = oy * conv.stride_h - conv.pad_h + ky;
            for (Index kx = 0; kx < conv.kernel_w; ++kx, ++k) {
              const Index ix = ox * conv.stride_w - conv.pad_w + kx;
              if (iy >= 0 && iy < in.h && ix >= 0 && ix < in.w) dst[(c * in.h + iy) * in.w + ix] += src[k];
            }
          }
      }
  }
}

class Trainer {
 public:
  Trainer(Network& net, const TrainOptions& o) : net_(net), o_(o), slots_(net.layers.size()) {
    for (std::size_t i = 0; i < net_.layers.size(); ++i) {
      const Layer& l = net_.layers[i];
      Slot& s = slots_[i];
      if (l.isAnalog()) {
        s.mw = s.vw = Matrix::Zero(l.weight.rows(), l.weight.cols());
        s.mb = s.vb = Vector::Zero(l.bias.size());
      } else if (l.kind == LayerKind::BatchNorm) {
        s.mw = s.vw = Matrix::Zero(l.gamma.size(), 1);
        s.mb = s.vb = Vector::Zero(l.beta.size());
      }
    }
  }

  /// One step on a batch; returns the mean loss.
  double step(const Matrix& inputs, const std::vector<int>& labels, std::uint64_t step_index,
              double lr) {
    Matrix x = inputs;
    for (std::size_t i = 0; i < net_.layers.size(); ++i) x = forward(i, x, step_index);
    Matrix d;
    const double loss = softmaxCrossEntropy(x, labels, d);
    for (std::size_t i = net_.layers.size(); i-- > 0;) d = backward(i, d);
    update(lr, step_index + 1);
    return loss;
  }

 private:
  Matrix forward(std::size_t i, const Matrix& x, std::uint64_t step_index) {
    Layer& l = net_.layers[i];
    Slot& s = slots_[i];
    switch (l.kind) {
      case LayerKind::Dense:
      case LayerKind::Conv2d: {
        s.wn = l.weight;
        if (o_.weight_noise > 0.0) {
          RngStream rng(o_.seed, StreamPurpose::Inputs, streamIndex({kNoiseTag, step_index, i}));
          const float sd = static_cast<float>(o_.weight_noise) * l.weight.cwiseAbs().maxCoeff();
          float* w = s.wn.data();
          for (Index k = 0; k < s.wn.size(); ++k) w[k] += sd * static_cast<float>(device::standardNormal(rng));
        }
        Matrix y;
        if (l.kind == LayerKind::Dense) {
          s.x = x;
          y.noalias() = s.wn * x;
          y.colwise() += l.bias;
        } else {
          im2col(l, x, s.patches);
          Matrix prod;
          prod.noalias() = s.wn * s.patches;
          col2output(l, prod, y);
        }
        if (l.activation == Activation::Relu) y = y.cwiseMax(0.0f);
        s.y = y;
        return y;
      }
      case LayerKind::BatchNorm: {
        const Index hw = l.in_shape.h * l.in_shape.w, n = x.cols();
        const double count = static_cast<double>(hw * n);
        s.xhat.resize(x.rows(), n);
        s.inv_std.resize(l.in_shape.c);
        Matrix y(x.rows(), n);
        for (Index c = 0; c < l.in_shape.c; ++c) {
          const auto block = x.middleRows(c * hw, hw);
          const double mean = static_cast<double>(block.cast<double>().sum()) / count;
          const double var = (block.cast<double>().array() - mean).square().sum() / count;
          const double inv = 1.0 / std::sqrt(var + l.eps);
          s.inv_std(c) = static_cast<float>(inv);
          s.xhat.middleRows(c * hw, hw) = ((block.array() - static_cast<float>(mean)) * static_cast<float>(inv)).matrix();
          y.middleRows(c * hw, hw) = (s.xhat.middleRows(c * hw, hw).array() * l.gamma(c) + l.beta(c)).matrix();
          constexpr float kMomentum = 0.1f;  // PyTorch's running statistics
          l.mean(c) = (1 - kMomentum) * l.mean(c) + kMomentum * static_cast<float>(mean);
          l.var(c) = (1 - kMomentum) * l.var(c) + kMomentum * static_cast<float>(var * count / std::max(count - 1.0, 1.0));
        }
        return y;
      }
      case LayerKind::MaxPool2d: {
        const Shape in = l.in_shape, out = l.out_shape;
        Matrix y(out.size(), x.cols());
        s.argmax.resize(out.size(), x.cols());
        for (Index smp = 0; smp < x.cols(); ++smp)
          for (Index c = 0; c < in.c; ++c)
            for (Index oy = 0; oy < out.h; ++oy)
              for (Index ox = 0; ox < out.w; ++ox) {
                Index best = -1;
                float v = 0.0f;
                for (Index ky = 0; ky < l.kernel_h; ++ky)
                  for (Index kx = 0; kx < l.kernel_w; ++kx) {
                    const Index at = (c * in.h + oy * l.stride_h + ky) * in.w + ox * l.stride_w + kx;
                    if (best < 0 || x(at, smp) > v) { best = at; v = x(at, smp); }
                  }
                const Index o = (c * out.h + oy) * out.w + ox;
                y(o, smp) = v;
                s.argmax(o, smp) = best;
              }
        return y;
      }
      case LayerKind::Relu:
        s.y = x.cwiseMax(0.0f);
        return s.y;
      case LayerKind::AvgPool2d:
      case LayerKind::Flatten:
      case LayerKind::Add:  // not in the chains trained here (applyDigital refuses it)
        return applyDigital(l, x);
    }
    return x;
  }

  Matrix backward(std::size_t i, Matrix dy) {
    const Layer& l = net_.layers[i];
    Slot& s = slots_[i];
    switch (l.kind) {
      case LayerKind::Dense:
      case LayerKind::Conv2d: {
        if (l.activation == Activation::Relu) dy = dy.cwiseProduct((s.y.array() > 0.0f).cast<float>().matrix());
        if (l.kind == LayerKind::Dense) {
          s.dw.noalias() = dy * s.x.transpose();
          s.db = dy.rowwise().sum();
          Matrix dx;
          dx.noalias() = s.wn.transpose() * dy;
          return dx;
        }
        const Index ch = l.out_shape.c, p = l.out_shape.h * l.out_shape.w, n = dy.cols();
        Matrix dprod(ch, n * p);
        for (Index smp = 0; smp < n; ++smp)
          for (Index q = 0; q < p; ++q)
            for (Index c = 0; c < ch; ++c) dprod(c, smp * p + q) = dy(c * p + q, smp);
        s.dw.noalias() = dprod * s.patches.transpose();
        s.db = dprod.rowwise().sum();
        Matrix dpatches;
        dpatches.noalias() = s.wn.transpose() * dprod;
        Matrix dx;
        col2im(l, dpatches, n, dx);
        return dx;
      }
      case LayerKind::BatchNorm: {
        const Index hw = l.in_shape.h * l.in_shape.w, n = dy.cols();
        const float m = static_cast<float>(hw * n);
        Matrix dx(dy.rows(), n);
        s.dw.resize(l.in_shape.c, 1);
        s.db.resize(l.in_shape.c);
        for (Index c = 0; c < l.in_shape.c; ++c) {
          const auto g = dy.middleRows(c * hw, hw).array();
          const auto xh = s.xhat.middleRows(c * hw, hw).array();
          const float sum_g = g.sum(), sum_gx = (g * xh).sum();
          s.dw(c, 0) = sum_gx;
          s.db(c) = sum_g;
          dx.middleRows(c * hw, hw) =
              ((g * m - sum_g - xh * sum_gx) * (l.gamma(c) * s.inv_std(c) / m)).matrix();
        }
        return dx;
      }
      case LayerKind::MaxPool2d: {
        Matrix dx = Matrix::Zero(l.in_shape.size(), dy.cols());
        for (Index smp = 0; smp < dy.cols(); ++smp)
          for (Index o = 0; o < dy.rows(); ++o) dx(s.argmax(o, smp), smp) += dy(o, smp);
        return dx;
      }
      case LayerKind::AvgPool2d: {
        const Shape in = l.in_shape, out = l.out_shape;
        const float inv = 1.0f / static_cast<float>(l.kernel_h * l.kernel_w);
        Matrix dx = Matrix::Zero(in.size(), dy.cols());
        for (Index smp = 0; smp < dy.cols(); ++smp)
          for (Index c = 0; c < in.c; ++c)
            for (Index oy = 0; oy < out.h; ++oy)
              for (Index ox = 0; ox < out.w; ++ox)
                for (Index ky = 0; ky < l.kernel_h; ++ky)
                  for (Index kx = 0; kx < l.kernel_w; ++kx)
                    dx((c * in.h + oy * l.stride_h + ky) * in.w + ox * l.stride_w + kx, smp) +=
                        dy((c * out.h + oy) * out.w + ox, smp) * inv;
        return dx;
      }
      case LayerKind::Relu:
        return dy.cwiseProduct((s.y.array() > 0.0f).cast<float>().matrix());
      case LayerKind::Flatten:
      case LayerKind::Add:
        return dy;
    }
    return dy;
  }

  template <typename P, typename G>
  void apply(P& param, const G& grad, G& m, G& v, double lr, std::uint64_t t) {
    const auto f = static_cast<float>(lr);
    if (o_.optimizer == "adam") {
      constexpr float b1 = 0.9f, b2 = 0.999f, eps = 1e-8f;
      m = b1 * m + (1 - b1) * grad;
      v = b2 * v + (1 - b2) * grad.cwiseAbs2();
      const float c1 = 1.0f - std::pow(b1, static_cast<float>(t));
      const float c2 = 1.0f - std::pow(b2, static_cast<float>(t));
      param.array() -= f * (m.array() / c1) / ((v.array() / c2).sqrt() + eps);
    } else {
      m = static_cast<float>(o_.momentum) * m + grad;
      param -= f * m;
    }
  }

  void update(double lr, std::uint64_t t) {
    for (std::size_t i = 0; i < net_.layers.size(); ++i) {
      Layer& l = net_.layers[i];
      Slot& s = slots_[i];
      if (l.isAnalog()) {
        if (o_.weight_decay > 0.0) s.dw += static_cast<float>(o_.weight_decay) * l.weight;
        apply(l.weight, s.dw, s.mw, s.vw, lr, t);
        apply(l.bias, s.db, s.mb, s.vb, lr, t);
        clipToSigma(l.weight, o_.clip_sigma);
      } else if (l.kind == LayerKind::BatchNorm) {
        Matrix gamma = l.gamma;
        apply(gamma, s.dw, s.mw, s.vw, lr, t);
        l.gamma = gamma.col(0);
        apply(l.beta, s.db, s.mb, s.vb, lr, t);
      }
    }
  }

  Network& net_;
  const TrainOptions& o_;
  std::vector<Slot> slots_;
};

}  // namespace

std::vector<Index> epochOrder(Index n, std::uint64_t seed, int epoch) {
  std::vector<Index> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), Index{0});
  RngStream rng(seed, StreamPurpose::Inputs, streamIndex({kShuffleTag, static_cast<std::uint64_t>(epoch)}));
  for (std::size_t k = order.size(); k > 1; --k) {  // Fisher-Yates with our uniform()
    const auto j = static_cast<std::size_t>(rng.uniform() * static_cast<double>(k));
    std::swap(order[k - 1], order[std::min(j, k - 1)]);
  }
  return order;
}

double softmaxCrossEntropy(const Matrix& logits, const std::vector<int>& labels, Matrix& d) {
  const Index n = logits.cols();
  double loss = 0.0;
  d.resize(logits.rows(), n);
  for (Index s = 0; s < n; ++s) {
    const float m = logits.col(s).maxCoeff();
    const Eigen::ArrayXf e = (logits.col(s).array() - m).exp();
    const float sum = e.sum();
    d.col(s) = (e / sum).matrix();
    const int y = labels[static_cast<std::size_t>(s)];
    loss -= std::log(std::max(static_cast<double>(d(y, s)), 1e-30));
    d(y, s) -= 1.0f;
  }
  d /= static_cast<float>(n);
  return loss / static_cast<double>(n);
}

void clipToSigma(Matrix& w, double k) {
  if (k <= 0.0) return;
  const double mean = static_cast<double>(w.mean());
  const double sd = std::sqrt((w.array().cast<double>() - mean).square().mean());
  const auto c = static_cast<float>(k * sd);
  w = w.cwiseMax(-c).cwiseMin(c);
}

Network makeArchitecture(const TrainOptions& o, const Shape& input, int classes) {
  RngStream rng(o.seed, StreamPurpose::Inputs, streamIndex({kInitTag}));
  Network net;
  net.input_shape = input;
  net.input_scale = o.input_scale;
  net.input_offset = o.input_offset;
  if (o.arch == "mlp") {
    net.layers.push_back(simpleLayer(LayerKind::Flatten));
    Index in = input.size();
    for (Index h : o.hidden) {
      net.layers.push_back(denseLayer(in, h, true, rng));
      in = h;
    }
    net.layers.push_back(denseLayer(in, classes, false, rng));
  } else if (o.arch == "cnn") {
    Index in_ch = input.c;
    Shape s = input;
    for (Index ch : o.channels) {
      net.layers.push_back(convLayer(in_ch, ch, rng));
      Layer bn = simpleLayer(LayerKind::BatchNorm);
      bn.gamma = Vector::Ones(ch);
      bn.beta = Vector::Zero(ch);
      bn.mean = Vector::Zero(ch);
      bn.var = Vector::Ones(ch);
      net.layers.push_back(bn);
      net.layers.push_back(simpleLayer(LayerKind::Relu));
      if (s.h >= 2 && s.w >= 2) {
        Layer pool = simpleLayer(LayerKind::MaxPool2d);
        pool.kernel_h = pool.kernel_w = pool.stride_h = pool.stride_w = 2;
        net.layers.push_back(pool);
        s = Shape{ch, s.h / 2, s.w / 2};
      } else {
        s = Shape{ch, s.h, s.w};
      }
      in_ch = ch;
    }
    net.layers.push_back(simpleLayer(LayerKind::Flatten));
    net.layers.push_back(denseLayer(s.size(), o.cnn_dense, true, rng));
    net.layers.push_back(denseLayer(o.cnn_dense, classes, false, rng));
  } else {
    throw ConfigError("", 0, "--arch", fmt::format("unknown architecture \"{}\" (mlp | cnn)", o.arch));
  }
  for (std::size_t i = 0; i < net.layers.size(); ++i) net.layers[i].name = fmt::format("{:03d}", i);
  net.resolveShapes("architecture " + o.arch);
  return net;
}

TrainResult trainNetwork(const TrainOptions& o, const Dataset& train, const Dataset& test,
                         const std::function<void(const std::string&)>& progress) {
  if (o.epochs < 1) throw ConfigError("", 0, "--epochs", "must be >= 1");
  if (o.batch < 1) throw ConfigError("", 0, "--batch", "must be >= 1");
  if (o.optimizer != "adam" && o.optimizer != "sgd")
    throw ConfigError("", 0, "--optimizer", fmt::format("unknown optimizer \"{}\" (adam | sgd)", o.optimizer));
  if (!(o.learning_rate > 0.0)) throw ConfigError("", 0, "--lr", "must be > 0");
  if (o.weight_noise < 0.0 || o.clip_sigma < 0.0)
    throw ConfigError("", 0, "--weight-noise", "noise and clipping must be >= 0");
  if (train.shape != test.shape)
    throw ConfigError(train.name, 0, "dnn.dataset", "training and test images differ in shape");
  const auto start = Clock::now();
  // One thread: mini-batch products are too small to gain from threads on a shared machine
  // (OpenMP's spinning workers then cost more than they bring).
  const int eigen_threads = Eigen::nbThreads();
  Eigen::setNbThreads(1);
  struct Restore {
    int n;
    ~Restore() { Eigen::setNbThreads(n); }
  } restore{eigen_threads};
  TrainResult res;
  res.network = o.initial ? *o.initial : makeArchitecture(o, train.shape, train.classes);
  Trainer trainer(res.network, o);
  const Index n = o.train_samples > 0 ? std::min(o.train_samples, train.size()) : train.size();
  const Index steps_per_epoch = (n + o.batch - 1) / o.batch;
  const double total = static_cast<double>(steps_per_epoch * o.epochs);
  std::vector<Index> order;
  std::uint64_t step_index = 0;
  for (int epoch = 0; epoch < o.epochs; ++epoch) {
    order = epochOrder(n, o.seed, epoch);
    double loss = 0.0;
    for (Index b = 0; b < steps_per_epoch; ++b) {
      const Index first = b * o.batch;
      const Index count = std::min(o.batch, n - first);
      std::vector<Index> idx(order.begin() + first, order.begin() + first + count);
      std::vector<int> labels(idx.size());
      for (std::size_t k = 0; k < idx.size(); ++k) labels[k] = train.labels[static_cast<std::size_t>(idx[k])];
      const double lr = o.learning_rate * 0.5 * (1.0 + std::cos(std::numbers::pi * static_cast<double>(step_index) / total));
      loss += trainer.step(res.network.prepareInputs(train.pixelBatch(idx)), labels, step_index, lr);
      ++step_index;
    }
    res.epoch_loss.push_back(loss / static_cast<double>(steps_per_epoch));
    res.epoch_test_accuracy.push_back(floatAccuracy(res.network, test, o.test_samples));
    if (progress)
      progress(fmt::format("epoch {}/{}: loss {:.4f}, test accuracy {:.4f} ({:.0f} s)", epoch + 1,
                           o.epochs, res.epoch_loss.back(), res.epoch_test_accuracy.back(),
                           std::chrono::duration<double>(Clock::now() - start).count()));
  }
  res.test_accuracy = res.epoch_test_accuracy.back();
  res.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return res;
}

}  // namespace xbarsim::dnn
