// SPDX-License-Identifier: MIT
#pragma once
/// @file Monte Carlo evaluation of a network on analog hardware (docs/architecture.md §7.3):
/// repeats programming draws, ages each to every requested time, reads every tile through the
/// circuit and measures test accuracy per (time, repeat), with the float accuracy as reference.
/// `xbarsim evaluate` and `xbarsim demo` are thin wrappers around evaluateNetwork().

#include <Eigen/Core>
#include <functional>
#include <string>
#include <vector>

#include "xbarsim/core/config.hpp"
#include "xbarsim/dnn/analog.hpp"
#include "xbarsim/dnn/dataset.hpp"
#include "xbarsim/dnn/evaluate_energy.hpp"
#include "xbarsim/dnn/network.hpp"
#include "xbarsim/io/hdf5_file.hpp"

namespace xbarsim::dnn {

struct EvaluationSpec {
  AnalogOptions analog;
  std::vector<double> times_s{1.0, 3600.0, 86400.0};
  int repeats = 5;
  std::uint64_t seed = 1;
  /// Compensations evaluated on the same programmed/aged arrays; the first is the primary
  /// (written as `accuracy`), the others as `accuracy_<name>`.
  std::vector<Compensation> compensations{Compensation::Gdc};
  Index test_samples = 0;         ///< first N test images (0 = all)
  Index calibration_samples = 500;  ///< training images for bn-recal
  Index batch = 250;              ///< images per inference chunk (threads work on chunks)
  /// Energy and latency per inference (docs/energy.md §4), measured at the first time of the
  /// first repeat; off when its periphery models are not set.
  EnergySpec energy;
};

/// W_eff error statistics of one analog layer, each (times × repeats).
struct LayerStats {
  std::string name;   ///< layer group name ("001")
  std::string type;   ///< dense | conv2d
  Index inputs = 0, outputs = 0, tiles = 0;
  Eigen::MatrixXd weff_error;              ///< ‖W_eff·(max|W|/g_max) − W‖_F / ‖W‖_F
  Eigen::MatrixXd weff_error_compensated;  ///< the same with the primary compensation's alpha
  Eigen::MatrixXd circuit_error;           ///< ‖W_eff − Gᵀ‖_F / ‖Gᵀ‖_F over the layer's arrays
};

struct EvaluationResult {
  double accuracy_float = 0.0;
  std::vector<Eigen::MatrixXd> accuracy;  ///< per compensation (spec order): times × repeats
  std::vector<LayerStats> layers;
  Index samples = 0;
  std::string backend;
  std::size_t arrays = 0;                 ///< crossbar arrays (tiles × 2 signs)
  // timings (run-dependent: written under /provenance)
  double float_inference_s = 0.0;         ///< one float pass over the test images
  double analog_inference_s = 0.0;        ///< all analog passes (every point and compensation)
  long analog_passes = 0;
  double weff_solve_s = 0.0;              ///< circuit solves for W_eff
  long weff_solves = 0;
  double total_s = 0.0;
  /// Energy and latency per inference (empty layers when not measured).
  EnergyReport energy;
};

using ProgressFn = std::function<void(const std::string&)>;
/// Called after the W_eff of each array is solved, and once before the first: (arrays solved so
/// far, arrays the whole run solves, name of the layer). A circuit solve (ngspice above all) is
/// the slow part of a run.
using ArrayProgressFn = std::function<void(long, long, const std::string&)>;

/// Runs the evaluation. `calibration` (training images) is needed for bn-recal only.
/// @throws ConfigError when the data set does not fit the network or bn-recal has no
/// batch-norm layer to recalibrate.
[[nodiscard]] EvaluationResult evaluateNetwork(const Network& net, const Dataset& test,
                                               const Dataset* calibration,
                                               const EvaluationSpec& spec,
                                               const ProgressFn& progress = {},
                                               const ArrayProgressFn& array_progress = {});

/// Float test accuracy (and the time it took, if `seconds`).
[[nodiscard]] double floatAccuracy(const Network& net, const Dataset& test, Index samples = 0,
                                   double* seconds = nullptr, Index batch = 250);

/// The evaluation settings of a validated configuration ([dnn], [dac], [adc], [read], [array],
/// [device], [sense], [run]); `backend` is "native" or "ngspice".
[[nodiscard]] EvaluationSpec evaluationSpecFromConfig(const core::Config& config,
                                                      const std::string& backend);

/// Accuracy over Monte Carlo repeats per time: mean and sample standard deviation (divisor
/// repeats − 1; 0 with one repeat) of each row of an accuracy table (times × repeats).
struct AccuracyStatistics {
  Eigen::VectorXd mean;
  Eigen::VectorXd std;
};
[[nodiscard]] AccuracyStatistics accuracyStatistics(const Eigen::MatrixXd& accuracy);

/// What analog inference cost against float in an evaluation (from its timings).
struct InferenceCost {
  double analog_s_per_pass = 0.0;     ///< one analog pass over the test images
  double analog_over_float = 0.0;     ///< that over one float pass (0 without a float time)
  double with_weff_over_float = 0.0;  ///< the same with the W_eff solves shared out per point
};
[[nodiscard]] InferenceCost inferenceCost(const EvaluationSpec& spec,
                                          const EvaluationResult& result);

/// Writes times_s, repeat, accuracy (times × repeats), accuracy_mean/std, accuracy_float,
/// accuracy_<compensation> for further compensations, /layers/<name>/... W_eff statistics and
/// the timings under /provenance (after extract::writeProvenance created it).
void writeEvaluation(io::H5File& h5, const EvaluationSpec& spec, const EvaluationResult& result);

}  // namespace xbarsim::dnn
