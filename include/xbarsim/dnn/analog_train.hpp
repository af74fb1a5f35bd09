// SPDX-License-Identifier: MIT
#pragma once
/// @file Training on analog arrays (`xbarsim train --config`, docs/training.md): one loop for
/// every algorithm of train_rules.hpp. Per mini-batch: forward reads y = W x through the array
/// physics (bias and ReLU digital), softmax cross-entropy, backward reads d = Wᵀ δ, then each
/// layer's rule updates its arrays (biases: plain digital SGD). Test accuracy per epoch reads
/// the trained arrays through the same physics. MLPs only (flatten + dense layers).

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "xbarsim/core/config.hpp"
#include "xbarsim/dnn/circuit_physics.hpp"
#include "xbarsim/dnn/dataset.hpp"
#include "xbarsim/dnn/train.hpp"
#include "xbarsim/dnn/train_rules.hpp"

namespace xbarsim::io {
class H5File;
}

namespace xbarsim::dnn {

struct AnalogTrainOptions {
  TrainOptions net;                 ///< arch, hidden, epochs, batch, learning_rate, seed, samples
  RuleOptions rule;                 ///< algorithm, device and their parameters
  std::string circuit = "ideal";    ///< "ideal" | "circuit" (CircuitPhysics)
  CircuitPhysicsOptions circuit_options;  ///< circuit mode: tiles, wires, mapping, update bias
  std::string lr_schedule = "constant";  ///< "constant" | "cosine" (to 0 over the run)
  bool shuffle = true;              ///< reshuffle every epoch (else the file order)
  Index test_samples = 0;           ///< first N test images (0 = all)
  double read_noise = 0.0;          ///< ideal physics: read noise (× max|W|)
  double out_bound = 0.0;           ///< ideal physics: output clip (0 = off)
  std::string init_model;           ///< start from this model file ("" = He init from seed)
};

struct LayerArrays {
  std::string name;                                  ///< layer name ("001")
  Matrix weight;                                     ///< effective network weight
  Vector bias;
  std::vector<std::pair<std::string, Matrix>> arrays;  ///< device-unit state
};

struct AnalogTrainResult {
  Network network;                         ///< trained weights (effective), model format
  std::vector<double> test_accuracy;       ///< per epoch
  std::vector<double> train_loss;          ///< per epoch (mean over its batches)
  std::vector<double> pulses_per_weight;   ///< cumulative pulses / devices, at epoch end
  std::vector<double> saturated_fraction;  ///< devices within one step of a bound
  std::vector<double> epoch_s;             ///< wall time per epoch (training only)
  std::vector<LayerArrays> layers;
  double seconds = 0.0;
};

/// Options from the [train] section (and --arch/--hidden via `net`). @throws ConfigError.
[[nodiscard]] AnalogTrainOptions analogTrainOptionsFromConfig(const core::Config& config,
                                                              const TrainOptions& net);
/// The extract schema plus the [train] keys.
[[nodiscard]] const core::Schema& trainSchema();
/// The array physics of `o.circuit`: IdealPhysics or CircuitPhysics.
[[nodiscard]] std::unique_ptr<ArrayPhysics> makeArrayPhysics(const AnalogTrainOptions& o);

/// Trains; `progress` receives one line per epoch ("epoch ...") and in-epoch lines with ETA.
[[nodiscard]] AnalogTrainResult trainAnalog(
    const AnalogTrainOptions& o, const Dataset& train, const Dataset& test,
    const std::function<void(const std::string&)>& progress = {});

/// /train (per-epoch datasets, every option as an attribute) and /arrays/<layer>/<array>.
void writeTrainResult(io::H5File& file, const AnalogTrainOptions& o, const AnalogTrainResult& r);

}  // namespace xbarsim::dnn
