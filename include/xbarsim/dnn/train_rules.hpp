// SPDX-License-Identifier: MIT
#pragma once
/// @file Training algorithms for one analog layer (docs/training.md §3). A rule owns the
/// layer's arrays and digital state, gives the effective weight W (network units) that the
/// reads see, and turns the mini-batch gradient into device updates. Sign convention: the
/// float update is ΔW = -η δ xᵀ (δ the loss gradient at the layer output, averaged over the
/// batch); device quantities are in device units, W = scale·w.
///
///  - "sgd": float W, m ← μ m + δ xᵀ, W ← W - η m (reference).
///  - "analog-sgd": one pulsed array; without momentum the parallel outer-product update
///    (stochastic pulse trains or deterministic counts); with momentum μ > 0 the momentum
///    m ← μ m + δ xᵀ is kept in digital and n = round(-η m/(scale dw_min)) pulses per cell are
///    applied (Greenberg et al., PIM SGD with momentum).
///  - "mixed-precision" (Nandakumar et al., Front. Neurosci. 14, 406 (2020)): digital χ ←
///    χ - (η/scale) δ xᵀ; n = trunc(χ/ε) pulses with ε = dw_min; χ ← χ - n ε.
///  - "tiki-taka-v2" (Gokmen & Haensch, Front. Neurosci. 14, 103 (2020); aihwkit TTv2): fast
///    array A (read relative to its symmetry point A_ref, as programmed into a reference array)
///    gets the outer-product update with η; every `transfer_every` batches `transfer_columns`
///    columns k of A are read with one-hot inputs (v = (A - A_ref) e_k), H[:, k] ← H[:, k] +
///    η_t η v (η_t relative to the current η, aihwkit's scale_transfer_lr), n = trunc(H[:, k]/ε_C) pulses on column k of C, H[:, k] ← H[:, k] - n ε_C; W =
///    scale·(C + γ (A - A_ref)).
///  - "pcm-3t1c" (Ambrogio et al., Nature 558, 60 (2018)): w = F (G⁺ - G⁻) + p g with g a
///    capacitor cell (symmetric linear steps cap_dw_min, bounds ±cap_bound, d2d/c2c as the
///    constant-step model) updated by the outer product; every `transfer_every` batches g is
///    moved into the PCM pair: SET pulses on G⁺ (g p > 0) or G⁻ until F·ΔG matches p g within
///    half a step (closed loop), g reset to 0 and the polarity p flipped (p = ±1).
///
/// The "pcm-pair" device (any one-sided model) is a PcmPair: refresh every `refresh_every`
/// batches.

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "xbarsim/dnn/analog_array.hpp"

namespace xbarsim::dnn {

/// Parameters of the algorithms ([train] keys, docs/training.md §4).
struct RuleOptions {
  std::string algorithm = "sgd";
  std::string device = "soft-bounds";
  std::vector<std::pair<std::string, double>> device_params;  ///< model parameter overrides
  std::string update = "stochastic";  ///< "stochastic" | "deterministic"
  PulseTrainOptions pulses;
  double momentum = 0.0;
  /// Network weight per device unit; <= 0: per layer, max|W0| at half the device's w_max
  /// (pcm-3t1c: of F·w_max).
  double weight_scale = 0.0;
  /// Batches between transfers; 0: the algorithm's default (TTv2 1, 3T1C 100).
  int transfer_every = 0;
  int transfer_columns = 32;          ///< TTv2 columns read per transfer
  double transfer_lr = 3.0;           ///< TTv2 η_t, relative to the current learning rate
  double tt_gamma = 0.5;              ///< TTv2 γ
  bool tt_c_reference = true;         ///< TTv2: read C relative to its symmetry point
  /// TTv2: η_t relative to the current learning rate (aihwkit's scale_transfer_lr); false:
  /// absolute.
  bool transfer_lr_scaled = true;
  double gain_f = 3.0;                ///< 3T1C gain F
  double cap_dw_min = 0.002;          ///< 3T1C capacitor step (device units)
  double cap_bound = 3.0;             ///< 3T1C capacitor range ±
  bool keep_residual = true;          ///< 3T1C: the transfer's programming error stays in g
  int refresh_every = 100;            ///< PCM pair refresh period (batches)
  double refresh_fraction = 0.9;      ///< refresh when a side passes this fraction of its range
  double pair_baseline = 0.0;         ///< PCM pairs: reset level as a fraction of the range
  /// Pulse counts through the fast path (UpdateModel::applyPulsesFast) or pulse by pulse.
  bool fast_pulses = true;
  std::uint64_t seed = 1;
};

class LayerRule {
 public:
  virtual ~LayerRule() = default;
  /// The weight the reads see (network units).
  [[nodiscard]] const Matrix& weight() const noexcept { return w_; }
  /// One mini-batch update (η in network units); `step` numbers the batch.
  virtual void update(const Matrix& x, const Matrix& delta, double lr, std::uint64_t step) = 0;
  /// Device-unit state of every array (name, values) for the result file.
  [[nodiscard]] virtual std::vector<std::pair<std::string, Matrix>> arrays() const { return {}; }
  [[nodiscard]] virtual double pulses() const { return 0.0; }
  [[nodiscard]] virtual double saturatedFraction() const { return 0.0; }
  [[nodiscard]] virtual Index devices() const { return w_.size(); }

 protected:
  Matrix w_;
};

/// The rule of `o.algorithm` for a layer with initial weights `w0` (out × in); `layer` numbers
/// the layer for its random streams; `physics` serves TTv2's column reads and, when its update
/// is not ideal, the slot-by-slot stochastic update (single-device arrays).
/// @throws ConfigError for an unknown algorithm or device.
[[nodiscard]] std::unique_ptr<LayerRule> makeLayerRule(const RuleOptions& o, const Matrix& w0,
                                                       std::uint64_t layer,
                                                       const ArrayPhysics& physics);

/// The algorithm names.
[[nodiscard]] const std::vector<std::string>& algorithmNames();

}  // namespace xbarsim::dnn
