// SPDX-License-Identifier: MIT
#include "xbarsim/dnn/post_train.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cmath>

#include "xbarsim/core/error.hpp"
#include "xbarsim/core/rng.hpp"
#include "xbarsim/dnn/train.hpp"

namespace xbarsim::dnn {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::uint64_t kPostTrainTag = 0x505452;  // "PTR"

}  // namespace

void PostTrainOptions::validate() const {
  if (!(data_fraction > 0.0 && data_fraction <= 1.0))
    throw ConfigError("command line", 0, "--data-fraction",
                      fmt::format("{} is outside (0, 1]", data_fraction));
  if (epochs < 1) throw ConfigError("command line", 0, "--epochs", "must be >= 1");
  if (batch < 1) throw ConfigError("command line", 0, "--batch", "must be >= 1");
  if (!(learning_rate > 0.0)) throw ConfigError("command line", 0, "--lr", "must be > 0");
  if (!(clip_sigma >= 0.0)) throw ConfigError("command line", 0, "--clip-sigma", "must be >= 0");
  if (!(weight_noise >= 0.0))
    throw ConfigError("command line", 0, "--weight-noise", "must be >= 0 (0 = matched)");
  if (!(t_ref_s >= 0.0)) throw ConfigError("command line", 0, "--t-ref", "must be >= 0 s");
}

double matchedWeightNoise(const Network& net, const AnalogOptions& analog, double t_s,
                          std::uint64_t seed) {
  const std::vector<LayerMapping> mappings = mapNetwork(net, analog);
  if (mappings.empty()) throw ConfigError("", 0, "--model", "the network has no analog layer");
  const std::unique_ptr<device::InferenceModel> device = analog.deviceModel();
  const double g_max = analog.g_max_s;
  double sum2 = 0.0;
  for (const LayerMapping& m : mappings) {
    // Target and aged weights in conductance units (out × in).
    Eigen::MatrixXd target(m.weight.rows(), m.weight.cols());
    for (Index o = 0; o < m.weight.rows(); ++o) target.row(o) = m.weight.row(o) * (g_max / m.w_max(o));
    Eigen::MatrixXd aged = Eigen::MatrixXd::Zero(m.weight.rows(), m.weight.cols());
    for (std::size_t k = 0; k < m.tiles.size(); ++k) {
      const TileBlock& tb = m.tiles[k];
      for (int sign = 0; sign < 2; ++sign) {
        const auto us = static_cast<std::uint64_t>(sign);
        RngStream prog_rng(seed, StreamPurpose::Programming,
                           streamIndex({kPostTrainTag, m.layer_index, k, us}));
        RngStream read_rng(seed, StreamPurpose::ReadNoise,
                           streamIndex({kPostTrainTag, m.layer_index, k, us}));
        const device::ProgrammedArray p = device->program(m.targets(tb, sign == 0, g_max), prog_rng);
        const Eigen::MatrixXd g = device->conductanceAt(p, t_s, read_rng, true);  // inputs × outputs
        aged.block(tb.col0, tb.row0, tb.cols, tb.rows) += (sign == 0 ? 1.0 : -1.0) * g.transpose();
      }
    }
    const double aged_abs = aged.cwiseAbs().sum();
    const double alpha = aged_abs > 0.0 ? target.cwiseAbs().sum() / aged_abs : 1.0;
    sum2 += ((alpha * aged - target) / g_max).squaredNorm() / static_cast<double>(target.size());
  }
  return std::sqrt(sum2 / static_cast<double>(mappings.size()));
}

void clipWeights(Network& net, double k) {
  for (std::size_t li : net.analogLayers()) clipToSigma(net.layers[li].weight, k);
}

PostTrainResult postTrain(const Network& net, const Dataset& train, const AnalogOptions& analog,
                          const PostTrainOptions& o,
                          const std::function<void(const std::string&)>& progress) {
  o.validate();
  if (train.shape != net.input_shape)
    throw ConfigError(train.name, 0, "dnn.dataset",
                      fmt::format("images of shape {} do not fit the network input {}",
                                  toString(train.shape), toString(net.input_shape)));
  const auto start = Clock::now();
  PostTrainResult res;
  res.samples = std::max<Index>(
      1, static_cast<Index>(std::floor(o.data_fraction * static_cast<double>(train.size()))));
  Network clipped = net;
  clipWeights(clipped, o.clip_sigma);
  res.weight_noise = o.weight_noise > 0.0 ? o.weight_noise
                                          : matchedWeightNoise(clipped, analog, o.t_ref_s, o.seed);
  if (progress)
    progress(fmt::format("post-train: {} images, weight noise {:.4f} x max|W| ({}), clip {} sigma",
                         res.samples, res.weight_noise,
                         o.weight_noise > 0.0 ? "given" : fmt::format("matched at {:g} s", o.t_ref_s),
                         o.clip_sigma));
  TrainOptions t;
  t.initial = &clipped;
  t.epochs = o.epochs;
  t.batch = o.batch;
  t.optimizer = "adam";
  t.learning_rate = o.learning_rate;
  t.weight_noise = res.weight_noise;
  t.clip_sigma = o.clip_sigma;
  t.seed = o.seed;
  t.train_samples = res.samples;
  t.test_samples = res.samples;  // the per-epoch accuracy on the fine-tuning images themselves
  t.input_scale = net.input_scale;
  t.input_offset = net.input_offset;
  TrainResult tr = trainNetwork(t, train, train, progress);
  // Batch-norm statistics of the fine-tuned weights on the same images.
  res.network = recalibrateBatchNorm(tr.network, tr.network.prepareInputs(train.pixelBatch(0, res.samples)),
                                     nullptr);
  res.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return res;
}

}  // namespace xbarsim::dnn
