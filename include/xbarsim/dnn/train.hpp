// SPDX-License-Identifier: MIT
#pragma once
/// @file Training (`xbarsim train`): mini-batch SGD (momentum) or Adam on softmax cross-entropy,
/// with hardware-aware noise injection (Joshi et al., Nat. Commun. 11, 2473 (2020)): every
/// forward pass of an analog layer uses W + N(0, (weight_noise·max|W|)²) drawn afresh, the
/// gradient updates the clean W, and after each step W is clipped to ±clip_sigma·std(W) so that
/// the mapping's max|W| (and with it the conductance range) is not wasted on outliers.
/// Architectures: an MLP (flatten, dense+relu per hidden size, dense) and a small CNN
/// (2 × [conv 3×3 pad 1, batchnorm, relu, maxpool 2], flatten, dense 64 + relu, dense).
/// Deterministic for a seed: data order and noise come from core RngStreams.

#include <functional>
#include <string>
#include <vector>

#include "xbarsim/dnn/dataset.hpp"
#include "xbarsim/dnn/network.hpp"

namespace xbarsim::dnn {

struct TrainOptions {
  std::string arch = "mlp";                  ///< "mlp" | "cnn"
  std::vector<Index> hidden{256, 128};       ///< MLP hidden sizes
  std::vector<Index> channels{16, 32};       ///< CNN conv channels
  Index cnn_dense = 64;                      ///< CNN hidden dense size
  int epochs = 10;
  Index batch = 128;
  std::string optimizer = "adam";            ///< "adam" | "sgd" (momentum)
  double learning_rate = 1e-3;               ///< initial; cosine decay to 0 over the run
  double momentum = 0.9;                     ///< sgd
  double weight_decay = 0.0;                 ///< L2 on analog weights
  double weight_noise = 0.0;                 ///< relative std of injected weight noise (× max|W|)
  double clip_sigma = 0.0;                   ///< clip W to ±clip_sigma·std(W) (0 = off)
  std::uint64_t seed = 1;
  Index train_samples = 0;                   ///< first N training images (0 = all)
  double input_scale = 1.0 / 255.0;
  double input_offset = 0.0;
  /// Start from this network (fine-tuning) instead of a fresh architecture; arch and sizes are
  /// then ignored.
  const Network* initial = nullptr;
  Index test_samples = 0;                    ///< first N test images for the per-epoch accuracy (0 = all)
};

struct TrainResult {
  Network network;
  std::vector<double> epoch_loss;
  std::vector<double> epoch_test_accuracy;
  double test_accuracy = 0.0;
  double seconds = 0.0;
};

/// Clips w to ±k·std(w) (k <= 0: unchanged), the clipping of hardware-aware training.
void clipToSigma(Matrix& w, double k);

/// Untrained network of an architecture (He-initialised weights from `seed`).
[[nodiscard]] Network makeArchitecture(const TrainOptions& options, const Shape& input,
                                       int classes);

/// Training order of epoch `epoch` (0-based): a Fisher-Yates shuffle of 0..n-1 seeded by
/// (seed, epoch).
[[nodiscard]] std::vector<Index> epochOrder(Index n, std::uint64_t seed, int epoch);
/// Mean softmax cross-entropy of `logits` (classes × N); `d` receives its gradient with respect
/// to the logits, divided by N.
double softmaxCrossEntropy(const Matrix& logits, const std::vector<int>& labels, Matrix& d);

/// Trains and returns the network with its test accuracy. @throws ConfigError on bad options.
[[nodiscard]] TrainResult trainNetwork(const TrainOptions& options, const Dataset& train,
                                       const Dataset& test,
                                       const std::function<void(const std::string&)>& progress = {});

}  // namespace xbarsim::dnn
