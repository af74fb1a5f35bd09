// SPDX-License-Identifier: MIT
#pragma once
/// @file Analog mapping of a network onto crossbar tiles (docs/architecture.md §7.2).
///
/// Each analog layer's weight matrix W (out × in) is split into tiles of tile_rows inputs ×
/// tile_cols outputs. Default mapping (aihwkit SinglePairConductanceConverter): per layer
/// scale = g_max / max|W| (or per output column, max over that column), differential pair
/// G+ = clip(W·scale, 0, g_max), G− = clip(−W·scale, 0, g_max), one array per sign, inputs on the
/// rows. The targets are programmed with the PCM statistical model (programming noise, drift
/// exponent), aged to each time (drift, 1/f read noise) and read through the crossbar circuit:
/// W_eff of each array (backend "native" or "ngspice"; with ideal wires, ideal sense and linear
/// cells W_eff = Gᵀ exactly and no circuit is solved). A partial tile occupies the rows nearest
/// the sense amplifiers and the columns nearest the row drivers; its unused cells are reset
/// (0 S) and they and the wire beyond them carry no current, so the used block is solved alone,
/// which is exactly the full tile.
///
/// One MVM of a tile, for an input slice x (one vector of a batch):
///   s = max|x| (1 if 0); x_n = DAC(x / s)            inputs at ±v_read for |x_n| = 1
///   y_n = (W_eff+ − W_eff−)·x_n / g_max [+ read noise per MVM]
///   y_n = alpha ⊙ ADC(y_n)                            ADC on the differential column current
///   y  += y_n · s · max|W|                            digital accumulation over row tiles
/// then bias and activation in digital. DAC: 2^(bits−1)−1 levels per sign on [−1, 1]; ADC: the
/// same on [−fs, fs] with fs = full-scale current / (g_max·v_read), clipping included; bits = 0
/// is ideal (no quantization, no clipping).
///
/// Circuit mode (dnn.circuit): "weff" multiplies by W_eff as above; "exact" solves every input
/// vector of every tile through the circuit instead (native solver; sinh cells, 1S1R, 1T1R, TIA
/// all as they are): y_n = (I(G+, v_read·x_n) − I(G−, v_read·x_n)) / (g_max·v_read), the same
/// DAC before and noise, alpha, ADC and scaling after. The vectors of one mini-batch share one
/// solver (chord Newton reuses factorizations across them), solved in order from a cold start,
/// so results do not depend on the thread count. The one-hot readouts of the compensation are
/// circuit solves of x_n = e_i too (R solves per array, skipped when the only compensation is
/// none); W_eff is still solved for the error statistics. For a
/// linear circuit both modes agree to rounding.
///
/// Read noise: per evaluation (default, as aihwkit's drift_weights): one draw of the 1/f noise on
/// every conductance per (time, repeat); or per MVM: noise-free drifted conductances and, for
/// every input vector, output noise with the exact variance Σ_i σ_ij² x_i² of independent
/// per-device read noise (first order in the circuit: σ is propagated as if W_eff = Gᵀ).
///
/// Compensation (alpha): none; gdc — per tile, alpha = mean|y_ref| / mean|y(t)| from one-hot
/// reads (x_n = e_i, through the ADC) of the tile at programming (g_prog, no read noise) and
/// at t; per-column — the same per output column; bn-recal — gdc, then every batch-norm layer's
/// mean/var re-estimated from calibration images run through the analog network.
///
/// Random streams (core/rng.hpp): programming (seed, Programming, [repeat, layer, tile, sign]);
/// read noise (seed, ReadNoise, [repeat, bits of t, layer, tile, sign, ...]); results do not
/// depend on thread counts or on the other times requested.

#include <Eigen/Core>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "xbarsim/circuit/crossbar_spec.hpp"
#include "xbarsim/device/device_card.hpp"
#include "xbarsim/device/inference_model.hpp"
#include "xbarsim/dnn/network.hpp"

namespace xbarsim::extract {
class Backend;
}

namespace xbarsim::dnn {

enum class ScaleMode { PerLayer, PerColumn };
enum class ReadNoiseMode { PerEvaluation, PerMvm };
enum class Compensation { None, Gdc, PerColumn, BnRecalibration };
enum class CircuitMode { Weff, Exact };

[[nodiscard]] std::string_view toString(ScaleMode m) noexcept;
[[nodiscard]] std::string_view toString(ReadNoiseMode m) noexcept;
[[nodiscard]] std::string_view toString(Compensation c) noexcept;
[[nodiscard]] std::string_view toString(CircuitMode m) noexcept;
/// "none" | "gdc" | "per-column" | "bn-recal"; throws xbarsim::Error otherwise.
[[nodiscard]] Compensation compensationFromString(std::string_view name);

struct AnalogOptions {
  Index tile_rows = 256;
  Index tile_cols = 256;
  ScaleMode scale = ScaleMode::PerLayer;
  ReadNoiseMode read_noise = ReadNoiseMode::PerEvaluation;
  int dac_bits = 0;                 ///< 0 = ideal
  int adc_bits = 0;                 ///< 0 = ideal (no quantization, no clipping)
  double adc_full_scale_a = 0.0;    ///< ADC range ±I (A); 0 = 12·g_max·v_read (aihwkit out_bound)
  double v_read_v = 0.2;            ///< input amplitude for |x_n| = 1 and the W_eff read point
  double g_max_s = 25e-6;           ///< the mapping's g_max (S); also the device card's g_max_s
  /// Statistical device of every array: a card of a registered kind with a statistical face
  /// (device/registry.hpp); its noise scales are set on the card's parameters.
  device::DeviceCard device = device::builtinCard("pcm_joshi2020");
  circuit::CrossbarSpec circuit;    ///< wires, cell, I-V law, sense (rows, cols, g_s ignored)
  std::string backend = "native";   ///< circuit solver for non-ideal circuits
  /// MVMs by W_eff, or every input vector through the circuit (native backend only).
  CircuitMode circuit_mode = CircuitMode::Weff;

  /// True when W_eff = Gᵀ exactly (no wire or driver resistance, ideal sense, linear cells).
  [[nodiscard]] bool idealCircuit() const noexcept;
  /// ADC full scale in units of g_max·v_read.
  [[nodiscard]] double adcFullScaleNormalized() const noexcept;
  /// @throws ConfigError (key named) for invalid combinations (e.g. 1-bit converters).
  void validate() const;
  /// The device's statistical model with its g_max_s set to the mapping's (where its table has
  /// one). @throws ConfigError (dnn.device_card) for a card without a statistical face.
  [[nodiscard]] std::unique_ptr<device::InferenceModel> deviceModel() const;
};

/// Where a tile sits in its layer's weight matrix.
struct TileBlock {
  Index row0 = 0;  ///< first input
  Index rows = 0;  ///< inputs used (<= tile_rows)
  Index col0 = 0;  ///< first output
  Index cols = 0;  ///< outputs used (<= tile_cols)
};

/// The deterministic part of the mapping of one analog layer.
struct LayerMapping {
  std::size_t layer_index = 0;
  std::string name;
  Eigen::MatrixXd weight;  ///< (out, in)
  Eigen::VectorXd w_max;   ///< per output: max|W| of the layer (per-layer) or of the column
  std::vector<TileBlock> tiles;
  /// Target conductances (S) of one tile, rows = inputs, cols = outputs (crossbar orientation).
  [[nodiscard]] Eigen::MatrixXd targets(const TileBlock& tile, bool positive, double g_max_s) const;
};

[[nodiscard]] std::vector<LayerMapping> mapNetwork(const Network& net, const AnalogOptions& options);

/// Computes W_eff (C×R, S) of an array: Gᵀ for an ideal circuit, else the backend's W_eff of
/// the used block (see the file comment). Counts the time spent solving.
class WeffSolver {
 public:
  explicit WeffSolver(const AnalogOptions& options);
  ~WeffSolver();
  WeffSolver(const WeffSolver&) = delete;
  WeffSolver& operator=(const WeffSolver&) = delete;
  [[nodiscard]] Eigen::MatrixXd effectiveWeights(const Eigen::MatrixXd& g_s);
  /// W_eff of several arrays (result k for g_s[k]). With the native backend the arrays are
  /// solved in parallel (OpenMP; one solver per thread and array shape, its symbolic analysis
  /// reused); each result is independent of the thread count, bit for bit.
  [[nodiscard]] std::vector<Eigen::MatrixXd> effectiveWeights(const std::vector<Eigen::MatrixXd>& g_s);
  /// True when effectiveWeights(vector) solves its arrays in parallel (the native backend).
  [[nodiscard]] bool solvesInParallel() const noexcept;
  [[nodiscard]] double solveSeconds() const noexcept { return solve_s_; }
  [[nodiscard]] long solves() const noexcept { return solves_; }
  [[nodiscard]] std::string backendName() const;

 private:
  const AnalogOptions& options_;
  std::unique_ptr<extract::Backend> backend_;
  double solve_s_ = 0.0;
  long solves_ = 0;
};

/// One tile ready for inference at one time.
struct TileState {
  Matrix w_n;          ///< (cols × rows) (W_eff+ − W_eff−)/g_max
  Matrix noise_var_n;  ///< per-MVM read-noise variance per device pair / g_max² (empty if off)
  Eigen::VectorXf alpha;  ///< compensation per output (size cols), 1 without compensation
  Eigen::VectorXd ref_readout;  ///< one-hot readout at programming: mean|y| per output column
  Eigen::VectorXd now_readout;  ///< the same at the current time
  std::uint64_t stream = 0;     ///< stream index for per-MVM noise of this tile
  /// Exact circuit mode: conductances (S, rows × cols) of the two arrays at the current time
  /// (empty in W_eff mode).
  Eigen::MatrixXd g_pos_s, g_neg_s;
};

/// Normalized outputs of one tile through the circuit (exact mode):
/// (I(G+, v_read·x_n) − I(G−, v_read·x_n)) / (g_max·v_read), x_n rows × K (one input vector
/// per column), result cols × K. The K vectors go through one fresh native solver per array,
/// in order; an ideal circuit is (G+ − G−)ᵀ x_n / g_max. The factorization runs on one thread
/// inside an OpenMP parallel region, on all cores otherwise (same results).
[[nodiscard]] Eigen::MatrixXd exactTileOutputs(const AnalogOptions& options,
                                               const Eigen::MatrixXd& g_pos_s,
                                               const Eigen::MatrixXd& g_neg_s,
                                               const Eigen::MatrixXd& x_n);

/// The analog network at one (repeat, time): the AnalogHook that evaluates its tiles.
class AnalogNetwork final : public AnalogHook {
 public:
  AnalogNetwork(const AnalogOptions& options, std::uint64_t seed, std::size_t layer_count)
      : options_(options), seed_(seed), tiles_(layer_count), mappings_(layer_count) {}
  void multiply(std::size_t layer_index, const Matrix& inputs, Matrix& outputs,
                std::uint64_t chunk) const override;

  /// Tiles of each layer (indexed by network layer index; empty for digital layers).
  std::vector<std::vector<TileState>>& tiles() noexcept { return tiles_; }
  [[nodiscard]] const std::vector<std::vector<TileState>>& tiles() const noexcept { return tiles_; }
  std::vector<const LayerMapping*>& mappings() noexcept { return mappings_; }

  /// Sets every alpha for a compensation (GDC / per-column from ref_readout and the current
  /// one-hot readout; 1 for none). bn-recal uses the GDC alphas.
  void setCompensation(Compensation c);
  /// Effective weight matrix of a layer in weight units (out × in), with or without alpha.
  [[nodiscard]] Eigen::MatrixXd layerWeights(std::size_t layer_index, bool with_alpha) const;

  /// One-hot readout of a tile through the ADC: mean |y| per output column.
  [[nodiscard]] Eigen::VectorXd readout(const TileState& tile, std::uint64_t stream) const;

 private:
  const AnalogOptions& options_;
  std::uint64_t seed_;
  std::vector<std::vector<TileState>> tiles_;
  std::vector<const LayerMapping*> mappings_;
};

/// Batch-norm statistics of `net` re-estimated on `inputs` (network inputs, features × N) run
/// through `hook` (mean and biased variance over samples and pixels, as PyTorch's running
/// statistics with momentum 1).
[[nodiscard]] Network recalibrateBatchNorm(const Network& net, const Matrix& inputs,
                                           const AnalogHook* hook);

/// Stream index from a list of integers (SplitMix64 fold).
[[nodiscard]] std::uint64_t streamIndex(std::initializer_list<std::uint64_t> parts) noexcept;

}  // namespace xbarsim::dnn
