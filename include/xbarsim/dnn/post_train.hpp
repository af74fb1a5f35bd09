// SPDX-License-Identifier: MIT
#pragma once
/// @file Analog-aware post-training (`xbarsim post-train`): a network trained in float (no noise)
/// is made robust to the analog hardware with a small fraction of the training set, in the
/// spirit of Greenberg's analog-aware post-training:
///   1. clipping: every analog layer's weights to ±clip_sigma·std(W), so that the mapping's
///      max|W| (the conductance range) is not spent on outliers;
///   2. matched noise: the relative weight error the hardware itself makes at `t_ref_s` is
///      measured on this network — every analog layer mapped as the evaluator maps it, its
///      targets programmed with the device's statistical model (programming noise, drift,
///      read noise), aged to t_ref_s and corrected by one global factor per layer (as GDC):
///      sigma_rel = rms(alpha·G(t) − G_target) / g_max, averaged over layers in quadrature;
///   3. noise-aware fine-tuning on the first data_fraction of the training images: Gaussian
///      weight noise N(0, (sigma_rel·max|W|)²) per forward pass (the training building blocks of
///      `xbarsim train`), clipping after each step;
///   4. batch-norm statistics re-estimated on the same images (mean, biased variance).
/// Deterministic for a seed.

#include <functional>
#include <string>

#include "xbarsim/dnn/analog.hpp"
#include "xbarsim/dnn/dataset.hpp"
#include "xbarsim/dnn/network.hpp"

namespace xbarsim::dnn {

struct PostTrainOptions {
  double data_fraction = 0.01;   ///< fraction of the training set used, in (0, 1]
  int epochs = 5;                ///< passes over that fraction
  Index batch = 32;
  double learning_rate = 5e-5;   ///< Adam, cosine decay to 0
  double clip_sigma = 2.5;       ///< 0 = no clipping
  double weight_noise = 0.0;     ///< relative noise (× max|W|); 0 = matched to the hardware
  double t_ref_s = 86400.0;      ///< time after programming the noise is matched at
  std::uint64_t seed = 1;
  /// @throws ConfigError naming the option for values out of range.
  void validate() const;
};

struct PostTrainResult {
  Network network;
  double weight_noise = 0.0;     ///< the relative noise used
  Index samples = 0;             ///< training images used
  double seconds = 0.0;          ///< wall time of steps 1-4
};

/// Relative weight error (× max|W|, rms over the analog weights) of `net` on the hardware of
/// `analog` at t_s after programming, after one global compensation factor per layer (see the
/// file comment, step 2). Deterministic for a seed.
[[nodiscard]] double matchedWeightNoise(const Network& net, const AnalogOptions& analog,
                                        double t_s, std::uint64_t seed);

/// Clips every analog layer's weights to ±k·std(W) (population std over the layer).
void clipWeights(Network& net, double k);

[[nodiscard]] PostTrainResult postTrain(const Network& net, const Dataset& train,
                                        const AnalogOptions& analog, const PostTrainOptions& options,
                                        const std::function<void(const std::string&)>& progress = {});

}  // namespace xbarsim::dnn
