// SPDX-License-Identifier: MIT
#pragma once
/// @file Analog training arrays (docs/training.md §1-§2): one pulsed device per weight, reads
/// through an array-physics interface, and the parallel outer-product update by pulses.
///
/// Orientation: a layer's weight matrix W is (out × in); weight (i, j) is the cell at crossbar
/// row j (input x_j applied on the row) and column i (output y_i read from the column). Forward
/// read y = W x, backward read d = Wᵀ δ (inputs on the columns, currents from the rows).
///
/// Units: arrays hold *device* weights w (the update model's normalized units); the network
/// weight is W = weight_scale · w. The update wants ΔW = -η δ xᵀ, i.e. Δw = -(η/scale) δ xᵀ.
///
/// Update schemes for a mini-batch (x: in × N, δ: out × N, δ already divided by N):
///  - stochastic pulse trains (Gokmen & Vlasov, Front. Neurosci. 10, 333 (2016); aihwkit): per
///    sample, row j fires in each of BL slots with probability p_j = c_x |x_j|, column i with
///    q_i = c_d |δ_i|; a cell gets one pulse per coincidence, direction -sign(x_j δ_i). With
///    c_x c_d = (η/scale)/(dw_min BL), E[Δw_ij] = -(η/scale) x_j δ_i per sample. Update
///    management balances c_x/c_d = sqrt(max|δ|/max|x|); BL management uses BL_eff =
///    min(BL, ceil((η/scale) max|x| max|δ| / dw_min)) slots. Rows and columns draw 32-bit slot
///    masks; coincidences are counted slot by slot over the firing rows × firing columns (work
///    proportional to the pulses).
///  - deterministic counts: n_ij = round(-(η/scale) Σ_s δ_is x_js / dw_min) pulses per batch.
///
/// Pulses go through device::UpdateModel (bounds, non-linearity, asymmetry, d2d and c2c
/// variation). Device-to-device draws come from RngStream(seed, Variation, (tag, array, column))
/// and cycle-to-cycle noise from one stream per (array, update step), walked in cell order:
/// results do not depend on the thread count.

#include <Eigen/Core>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "xbarsim/core/rng.hpp"
#include "xbarsim/device/update_model.hpp"
#include "xbarsim/dnn/analog.hpp"
#include "xbarsim/dnn/network.hpp"

namespace xbarsim::dnn {

using IntMatrix = Eigen::Matrix<std::int32_t, Eigen::Dynamic, Eigen::Dynamic>;

/// How an array is read and how an update pulse acts on its cells. The ideal implementation is
/// a matrix product; a circuit implementation solves the crossbar (docs/training.md §1).
class ArrayPhysics {
 public:
  virtual ~ArrayPhysics() = default;
  /// y = W x for a batch (x: in × N, y: out × N); `w` in network units. `stream` numbers the
  /// read for any noise it draws.
  virtual void forward(const Matrix& w, const Matrix& x, Matrix& y, std::uint64_t stream) const = 0;
  /// d = Wᵀ δ (δ: out × N, d: in × N).
  virtual void backward(const Matrix& w, const Matrix& delta, Matrix& d,
                        std::uint64_t stream) const = 0;
  /// True when every update pulse reaches exactly the fully-selected cells (an efficiency of 1
  /// there and 0 at half-selected cells): the fast batched update is then exact.
  [[nodiscard]] virtual bool idealUpdate() const { return true; }
  /// Pulse efficiency of one update slot: `row_sign[j]` ∈ {-1, 0, +1} is the sign of x_j on
  /// an active row j (0 = idle), `col_sign[i]` the sign of δ_i on column i; `factor` (out × in)
  /// receives, per cell, the signed fraction of a full pulse it sees (> 0 up, < 0 down; the
  /// cell gets that pulse with probability |factor|). Ideal: -row_sign·col_sign (±1 at
  /// fully-selected cells, 0 at half-selected and idle ones). Used slot by slot when
  /// idealUpdate() is false (stochasticSlotUpdate).
  virtual void pulseEfficiency(const std::vector<std::int8_t>& row_sign,
                               const std::vector<std::int8_t>& col_sign, Matrix& factor) const;
};

/// No circuit: y = W x (+ Gaussian read noise of std read_noise·max|W| per output, clipped to
/// ±out_bound when out_bound > 0; aihwkit's forward noise and output bound).
class IdealPhysics final : public ArrayPhysics {
 public:
  IdealPhysics(double read_noise = 0.0, double out_bound = 0.0, std::uint64_t seed = 1);
  void forward(const Matrix& w, const Matrix& x, Matrix& y, std::uint64_t stream) const override;
  void backward(const Matrix& w, const Matrix& delta, Matrix& d,
                std::uint64_t stream) const override;

 private:
  void perturb(const Matrix& w, Matrix& y, std::uint64_t stream) const;
  double read_noise_;
  double out_bound_;
  std::uint64_t seed_;
};

/// Options of the stochastic pulse-train update.
struct PulseTrainOptions {
  int bl = 31;                     ///< slots per update (1..31)
  bool update_management = true;   ///< balance the x and δ probabilities
  bool bl_management = true;       ///< fewer slots when the update is small
};

/// Pulse counts of one stochastic update of a mini-batch (see the file comment): `up`/`down`
/// (out × in) are *added* to. `lr_dev` = η/scale, `dw_min` the device granularity.
/// @returns the number of slots used per sample (BL_eff summed over samples).
long stochasticCounts(const Matrix& x, const Matrix& delta, double lr_dev, double dw_min,
                      const PulseTrainOptions& options, RngStream& rng, IntMatrix& up,
                      IntMatrix& down);
class PulsedArray;
/// The stochastic update of one mini-batch slot by slot through `physics.pulseEfficiency` (for
/// physics whose update is not ideal): the same slot masks as stochasticCounts, each slot's
/// factors applied by PulsedArray::applyEfficiency. @returns the slots used.
long stochasticSlotUpdate(PulsedArray& array, const Matrix& x, const Matrix& delta, double lr_dev,
                          const PulseTrainOptions& options, const ArrayPhysics& physics,
                          RngStream& rng);
/// Deterministic counts n = round(-lr_dev δ xᵀ / dw_min) (signed: > 0 up).
void deterministicCounts(const Matrix& x, const Matrix& delta, double lr_dev, double dw_min,
                         IntMatrix& counts);

/// Weights held by pulsed devices: one device per weight, or a one-sided pair.
class PulsedWeights {
 public:
  virtual ~PulsedWeights() = default;
  [[nodiscard]] virtual Index rows() const noexcept = 0;
  [[nodiscard]] virtual Index cols() const noexcept = 0;
  /// Current device weights (out × in).
  [[nodiscard]] virtual const Matrix& weights() const noexcept = 0;
  /// Granularity of one pulse in device units: the model's dw_min (a pair: its mean step).
  [[nodiscard]] virtual double dwMin() const noexcept = 0;
  /// Applies n_up/n_down pulses per cell (interleaved); `step` numbers the c2c noise stream.
  virtual void applyCounts(const IntMatrix& up, const IntMatrix& down, std::uint64_t step) = 0;
  /// Signed counts (> 0 up, < 0 down).
  void applySigned(const IntMatrix& counts, std::uint64_t step);
  /// Sets the weights as close to `target` as the devices allow (ideal programming, e.g. the
  /// initial weights): clipped to each device's bounds.
  virtual void program(const Matrix& target) = 0;
  /// Periodic maintenance (the pair's refresh); `step` numbers its noise stream.
  virtual void maintain(std::uint64_t /*step*/) {}
  /// Selects the fast pulse path (PulsedArray::fast_pulses) for every array it holds.
  virtual void setFastPulses(bool fast) = 0;
  /// Fraction of devices within one mean step (dw_min) of a bound (a pair: of the upper bound).
  [[nodiscard]] virtual double saturatedFraction() const = 0;
  /// Pulses applied so far (all devices).
  [[nodiscard]] virtual double pulses() const noexcept = 0;
  /// The state of every physical array: (name, device values).
  [[nodiscard]] virtual std::vector<std::pair<std::string, Matrix>> arrays() const = 0;
};

/// One device of `model` per weight.
class PulsedArray final : public PulsedWeights {
 public:
  /// `array_id` distinguishes arrays of one run (layer and role) in the d2d streams.
  PulsedArray(Index out, Index in, std::shared_ptr<const device::UpdateModel> model,
              std::uint64_t seed, std::uint64_t array_id);
  [[nodiscard]] Index rows() const noexcept override { return w_.rows(); }
  [[nodiscard]] Index cols() const noexcept override { return w_.cols(); }
  [[nodiscard]] const Matrix& weights() const noexcept override { return w_; }
  [[nodiscard]] double dwMin() const noexcept override { return model_->common().dw_min; }
  void applyCounts(const IntMatrix& up, const IntMatrix& down, std::uint64_t step) override;
  void program(const Matrix& target) override;
  void setFastPulses(bool fast) override { fast_pulses = fast; }
  [[nodiscard]] double saturatedFraction() const override;
  [[nodiscard]] double pulses() const noexcept override { return pulses_; }
  [[nodiscard]] std::vector<std::pair<std::string, Matrix>> arrays() const override {
    return {{"w", w_}};
  }

  /// Fractional pulses of one slot (ArrayPhysics::pulseEfficiency): a cell with factor f gets
  /// a pulse in direction sign(f) with probability min(1, |f|) (a uniform is drawn only when
  /// |f| < 1).
  void applyEfficiency(const Matrix& factor, RngStream& rng);
  /// Pulses on one cell (n > 0 up, n < 0 down) from `rng`.
  void pulseCell(Index i, Index j, int n, RngStream& rng);
  /// One cell's device and model.
  [[nodiscard]] const device::UpdateDevice& cell(Index i, Index j) const {
    return devices_[static_cast<std::size_t>(j * w_.rows() + i)];
  }
  [[nodiscard]] const device::UpdateModel& model() const noexcept { return *model_; }
  /// Sets one cell's weight (reset / closed-loop programming), clipped to its bounds.
  void setCell(Index i, Index j, double w);
  /// Each device's symmetry point (up step = down step, by bisection on the mean response).
  [[nodiscard]] Matrix symmetryPoints() const;

  std::uint64_t stream_seed;  ///< seed of the c2c streams
  /// applyCounts through UpdateModel::applyPulsesFast (closed forms, one Gaussian per cell and
  /// update; default) or, false, pulse by pulse through UpdateModel::applyPulses (reference).
  bool fast_pulses = true;

 private:
  std::shared_ptr<const device::UpdateModel> model_;
  std::vector<device::UpdateDevice> devices_;  // column-major like w_
  Matrix w_;
  std::uint64_t id_;
  double pulses_ = 0.0;
};

/// One-sided pair (Burr et al., IEEE TED 62, 3498 (2015)): w = (G⁺ - L⁺) - (G⁻ - L⁻) with L
/// each device's reset level, its lower bound b plus `baseline`·(b_max - b) (0: the lower bound;
/// a higher level avoids the large first steps of a strongly non-linear SET response); a positive update pulses G⁺ up (SET), a negative one G⁻; neither
/// is ever pulsed down. Refresh (maintain, every call): where G⁺ or G⁻ exceeds b +
/// refresh_fraction·(b_max - b), read w, reset both to L, and program w back by closed-loop SET
/// pulses (addToCell).
class PcmPair final : public PulsedWeights {
 public:
  PcmPair(Index out, Index in, std::shared_ptr<const device::UpdateModel> model,
          std::uint64_t seed, std::uint64_t array_id, double refresh_fraction = 0.9,
          double baseline = 0.0);
  [[nodiscard]] Index rows() const noexcept override { return w_.rows(); }
  [[nodiscard]] Index cols() const noexcept override { return w_.cols(); }
  [[nodiscard]] const Matrix& weights() const noexcept override { return w_; }
  /// The mean step over the range (Nandakumar's device granularity): (w_max - w_min) / the
  /// number of mean SET steps from w_min to w_max (pcm-exp-step defaults: 2/72).
  [[nodiscard]] double dwMin() const noexcept override { return granularity_; }
  [[nodiscard]] static double meanGranularity(const device::UpdateModel& model);
  void applyCounts(const IntMatrix& up, const IntMatrix& down, std::uint64_t step) override;
  void program(const Matrix& target) override;
  void maintain(std::uint64_t step) override;
  void setFastPulses(bool fast) override {
    plus_.fast_pulses = fast;
    minus_.fast_pulses = fast;
  }
  [[nodiscard]] double saturatedFraction() const override;
  [[nodiscard]] double pulses() const noexcept override { return plus_.pulses() + minus_.pulses(); }
  [[nodiscard]] std::vector<std::pair<std::string, Matrix>> arrays() const override {
    return {{"g_plus", plus_.weights()}, {"g_minus", minus_.weights()}};
  }
  /// Adds `amount` to one weight by closed-loop SET pulses: on the side that moves w toward the
  /// target, until the error is below half of max(next mean step, its cycle-to-cycle spread)
  /// of that side (at most 20 pulses).
  void addToCell(Index i, Index j, double amount, RngStream& rng);
  /// Refreshes one cell now (as maintain does when a side saturates).
  void refreshCell(Index i, Index j, RngStream& rng);
  [[nodiscard]] const PulsedArray& plus() const noexcept { return plus_; }
  [[nodiscard]] const PulsedArray& minus() const noexcept { return minus_; }
  [[nodiscard]] long refreshes() const noexcept { return refreshes_; }

 private:
  void update();
  [[nodiscard]] double level(const PulsedArray& side, Index i, Index j) const;
  [[nodiscard]] double cellWeight(Index i, Index j) const;
  PulsedArray plus_, minus_;
  Matrix w_;
  double refresh_fraction_;
  std::uint64_t id_;
  double granularity_;
  double baseline_;
  long refreshes_ = 0;
};

/// The weights of device `device` for a layer: "pcm-pair" (a pair of pcm-exp-step devices) or
/// any registered update model; a one-sided model (w_min >= 0) becomes a PcmPair. `params`
/// overrides the model's parameters by name. @throws ConfigError for an unknown device.
[[nodiscard]] std::unique_ptr<PulsedWeights> makePulsedWeights(
    const std::string& device, const std::vector<std::pair<std::string, double>>& params,
    Index out, Index in, std::uint64_t seed, std::uint64_t array_id, double refresh_fraction,
    double pair_baseline = 0.0);
/// The update model of `device` with `params` ("pcm-pair" → pcm-exp-step).
[[nodiscard]] std::shared_ptr<const device::UpdateModel> makeTrainingModel(
    const std::string& device, const std::vector<std::pair<std::string, double>>& params);

}  // namespace xbarsim::dnn
