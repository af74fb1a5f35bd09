// SPDX-License-Identifier: MIT
#include "xbarsim/dnn/analog.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <exception>
#include <map>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "xbarsim/core/error.hpp"
#include "xbarsim/core/rng.hpp"
#include "xbarsim/device/random.hpp"
#include "xbarsim/circuit/native_solver.hpp"
#include "xbarsim/extract/backend.hpp"

namespace xbarsim::dnn {

std::string_view toString(ScaleMode m) noexcept {
  return m == ScaleMode::PerLayer ? "per-layer" : "per-column";
}
std::string_view toString(ReadNoiseMode m) noexcept {
  return m == ReadNoiseMode::PerEvaluation ? "per-evaluation" : "per-mvm";
}
std::string_view toString(Compensation c) noexcept {
  switch (c) {
    case Compensation::None: return "none";
    case Compensation::Gdc: return "gdc";
    case Compensation::PerColumn: return "per-column";
    case Compensation::BnRecalibration: return "bn-recal";
  }
  return "?";
}
std::string_view toString(CircuitMode m) noexcept {
  return m == CircuitMode::Weff ? "weff" : "exact";
}
Compensation compensationFromString(std::string_view name) {
  for (Compensation c : {Compensation::None, Compensation::Gdc, Compensation::PerColumn,
                         Compensation::BnRecalibration})
    if (toString(c) == name) return c;
  throw Error(fmt::format("unknown compensation \"{}\" (none | gdc | per-column | bn-recal)", name));
}

std::uint64_t streamIndex(std::initializer_list<std::uint64_t> parts) noexcept {
  std::uint64_t h = 0x6a09e667f3bcc908ULL;
  for (std::uint64_t p : parts) h = splitMix64(h ^ splitMix64(p));
  return h;
}

bool AnalogOptions::idealCircuit() const noexcept {
  return circuit.r_row_ohm == 0.0 && circuit.r_col_ohm == 0.0 && circuit.r_driver_ohm == 0.0 &&
         circuit.sense->holdsInput() && circuit.sense->isLinear() && circuit.iv.isLinear() &&
         circuit.cell == circuit::CellKind::OneR;
}

double AnalogOptions::adcFullScaleNormalized() const noexcept {
  return adc_full_scale_a > 0.0 ? adc_full_scale_a / (g_max_s * v_read_v) : 12.0;
}

std::unique_ptr<device::InferenceModel> AnalogOptions::deviceModel() const {
  device::DeviceCard card = device;
  try {
    if (card.params.contains("g_max_s")) card.params.set("g_max_s", g_max_s);
    return device::makeInferenceModel(card);
  } catch (const ConfigError&) {
    throw;
  } catch (const Error& e) {
    throw ConfigError("", 0, "dnn.device_card", e.what());
  }
}

void AnalogOptions::validate() const {
  if (dac_bits == 1) throw ConfigError("", 0, "dac.bits", "1 bit leaves no level per sign; use 0 (ideal) or >= 2");
  if (adc_bits == 1) throw ConfigError("", 0, "adc.bits", "1 bit leaves no level per sign; use 0 (ideal) or >= 2");
  if (tile_rows < 1 || tile_cols < 1) throw ConfigError("", 0, "dnn.tile_rows", "tiles need >= 1 row and column");
  if (!(g_max_s > 0.0)) throw ConfigError("", 0, "dnn.g_max_s", "must be > 0");
  if (!(v_read_v > 0.0)) throw ConfigError("", 0, "read.v_read_v", "must be > 0");
  if (circuit_mode == CircuitMode::Exact && backend != "native")
    throw ConfigError("", 0, "dnn.circuit",
                      fmt::format("\"exact\" solves every input vector with the native solver; "
                                  "the {} backend computes W_eff only (use --backend native)",
                                  backend));
}

Eigen::MatrixXd LayerMapping::targets(const TileBlock& t, bool positive, double g_max_s) const {
  Eigen::MatrixXd g(t.rows, t.cols);
  const double sign = positive ? 1.0 : -1.0;
  for (Index j = 0; j < t.cols; ++j) {
    const double scale = g_max_s / w_max(t.col0 + j);
    for (Index i = 0; i < t.rows; ++i)
      g(i, j) = std::clamp(sign * weight(t.col0 + j, t.row0 + i) * scale, 0.0, g_max_s);
  }
  return g;
}

std::vector<LayerMapping> mapNetwork(const Network& net, const AnalogOptions& options) {
  std::vector<LayerMapping> out;
  for (std::size_t li : net.analogLayers()) {
    const Layer& l = net.layers[li];
    LayerMapping m;
    m.layer_index = li;
    m.name = l.name;
    m.weight = l.weight.cast<double>();
    const Index n_out = m.weight.rows(), n_in = m.weight.cols();
    m.w_max.resize(n_out);
    const double layer_max = std::max(m.weight.cwiseAbs().maxCoeff(), 1e-7);
    for (Index j = 0; j < n_out; ++j)
      m.w_max(j) = options.scale == ScaleMode::PerLayer
                       ? layer_max
                       : std::max(m.weight.row(j).cwiseAbs().maxCoeff(), 1e-7);
    for (Index r0 = 0; r0 < n_in; r0 += options.tile_rows)
      for (Index c0 = 0; c0 < n_out; c0 += options.tile_cols)
        m.tiles.push_back(TileBlock{r0, std::min(options.tile_rows, n_in - r0), c0,
                                    std::min(options.tile_cols, n_out - c0)});
    out.push_back(std::move(m));
  }
  return out;
}

// ---- W_eff of arrays --------------------------------------------------------------------------

WeffSolver::WeffSolver(const AnalogOptions& options) : options_(options) {
  if (!options_.idealCircuit()) backend_ = extract::makeBackend(options_.backend);
}

WeffSolver::~WeffSolver() = default;

std::string WeffSolver::backendName() const {
  return backend_ ? std::string(backend_->name()) : std::string("none (ideal circuit: W_eff = G^T)");
}

Eigen::MatrixXd WeffSolver::effectiveWeights(const Eigen::MatrixXd& g_s) {
  if (!backend_) return g_s.transpose();
  const auto start = std::chrono::steady_clock::now();
  // The used block sits in the rows nearest the sense amplifiers and the columns nearest the
  // drivers; the unused cells (0 S) and the wire beyond them carry no current, so solving the
  // used block alone is exactly the full tile.
  circuit::CrossbarSpec spec = options_.circuit;
  spec.rows = g_s.rows();
  spec.cols = g_s.cols();
  spec.g_s = g_s;
  const extract::WeightResult r = backend_->effectiveWeights(spec, options_.v_read_v);
  solve_s_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ++solves_;
  if (!r.weff_s.allFinite())
    throw NumericalError(fmt::format("{} backend returned a non-finite W_eff", backend_->name()));
  return r.weff_s;
}

bool WeffSolver::solvesInParallel() const noexcept {
  return backend_ && options_.backend == "native";
}

std::vector<Eigen::MatrixXd> WeffSolver::effectiveWeights(const std::vector<Eigen::MatrixXd>& g_s) {
  std::vector<Eigen::MatrixXd> out(g_s.size());
  if (!solvesInParallel()) {
    for (std::size_t k = 0; k < g_s.size(); ++k) out[k] = effectiveWeights(g_s[k]);
    return out;
  }
  const auto start = std::chrono::steady_clock::now();
  const auto n = static_cast<long>(g_s.size());
  std::vector<std::exception_ptr> errors(g_s.size());
#pragma omp parallel
  {
    circuit::NativeOptions native;
#ifdef _OPENMP
    if (omp_get_num_threads() > 1) native.threads = 1;  // the arrays are the parallel work
#endif
    // One solver per shape on this thread: the elimination tree is built once. Each solve
    // starts cold (no warm start, no chord factors), so results do not depend on which
    // arrays a thread solved before.
    std::map<std::pair<Index, Index>, std::unique_ptr<circuit::NativeSolver>> solvers;
#pragma omp for schedule(dynamic, 1)
    for (long k = 0; k < n; ++k) {
      try {
        const Eigen::MatrixXd& g = g_s[static_cast<std::size_t>(k)];
        auto& solver = solvers[{g.rows(), g.cols()}];
        if (!solver) {
          circuit::CrossbarSpec spec = options_.circuit;
          spec.rows = g.rows();
          spec.cols = g.cols();
          spec.g_s = g;
          solver = std::make_unique<circuit::NativeSolver>(std::move(spec), native);
        } else {
          solver->updateConductances(g);
        }
        solver->resetWarmStart();
        Eigen::MatrixXd w = solver->effectiveWeights(options_.v_read_v);
        if (!w.allFinite()) throw NumericalError("native backend returned a non-finite W_eff");
        out[static_cast<std::size_t>(k)] = std::move(w);
      } catch (...) {
        errors[static_cast<std::size_t>(k)] = std::current_exception();
      }
    }
  }
  for (const auto& e : errors)
    if (e) std::rethrow_exception(e);
  solve_s_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  solves_ += n;
  return out;
}

// ---- exact MVMs through the circuit --------------------------------------------------------------

Eigen::MatrixXd exactTileOutputs(const AnalogOptions& options, const Eigen::MatrixXd& g_pos_s,
                                 const Eigen::MatrixXd& g_neg_s, const Eigen::MatrixXd& x_n) {
  const double g_max = options.g_max_s;
  if (options.idealCircuit()) return (g_pos_s - g_neg_s).transpose() * x_n / g_max;
  circuit::NativeOptions native;
#ifdef _OPENMP
  if (omp_in_parallel()) native.threads = 1;  // the mini-batches are the parallel work
#endif
  const Eigen::MatrixXd v = x_n * options.v_read_v;
  Eigen::MatrixXd y;
  for (const Eigen::MatrixXd* g : {&g_pos_s, &g_neg_s}) {
    circuit::CrossbarSpec spec = options.circuit;
    spec.rows = g->rows();
    spec.cols = g->cols();
    spec.g_s = *g;
    circuit::NativeSolver solver(std::move(spec), native);
    const Eigen::MatrixXd i = solver.currentsBatch(v);
    if (y.size() == 0) {
      y = i;
    } else {
      y -= i;
    }
  }
  y /= g_max * options.v_read_v;
  if (!y.allFinite()) throw NumericalError("exact circuit MVM: non-finite column currents");
  return y;
}

// ---- inference ----------------------------------------------------------------------------------

namespace {

/// Symmetric uniform quantizer with `levels` steps per sign on [-range, range] (clipping).
inline float quantize(float v, float range, float levels) {
  const float q = std::round(v / range * levels);
  return std::clamp(q, -levels, levels) * range / levels;
}

/// The same on a whole matrix (vectorised).
void quantizeInPlace(Matrix& m, float range, float levels) {
  m = ((m.array() * (levels / range)).round().max(-levels).min(levels) * (range / levels)).matrix();
}

float levelsOf(int bits) { return bits > 0 ? std::ldexp(1.0f, bits - 1) - 1.0f : 0.0f; }

}  // namespace

Eigen::VectorXd AnalogNetwork::readout(const TileState& tile, std::uint64_t stream) const {
  const Index cols = tile.w_n.rows(), rows = tile.w_n.cols();
  Matrix y = tile.w_n;  // one-hot inputs e_i at full scale: y(:, i) = W_n(:, i)
  if (tile.noise_var_n.size() > 0) {
    RngStream rng(seed_, StreamPurpose::ReadNoise, stream);
    for (Index i = 0; i < rows; ++i)
      for (Index j = 0; j < cols; ++j)
        y(j, i) += std::sqrt(tile.noise_var_n(j, i)) * static_cast<float>(device::standardNormal(rng));
  }
  if (options_.adc_bits > 0) {
    const float fs = static_cast<float>(options_.adcFullScaleNormalized());
    const float levels = levelsOf(options_.adc_bits);
    y = y.unaryExpr([&](float v) { return quantize(v, fs, levels); });
  }
  Eigen::VectorXd mean = y.cwiseAbs().cast<double>().rowwise().mean();
  return mean;
}

void AnalogNetwork::setCompensation(Compensation c) {
  for (auto& layer : tiles_) {
    for (TileState& t : layer) {
      const Index cols = t.w_n.rows();
      t.alpha = Eigen::VectorXf::Ones(cols);
      if (c == Compensation::None) continue;
      constexpr double kFloor = 1e-4;  // aihwkit's readout floor (normalized units)
      if (c == Compensation::PerColumn) {
        for (Index j = 0; j < cols; ++j)
          t.alpha(j) = static_cast<float>(std::max(t.ref_readout(j), kFloor) /
                                          std::max(t.now_readout(j), kFloor));
      } else {
        const double a = std::max(t.ref_readout.mean(), kFloor) / std::max(t.now_readout.mean(), kFloor);
        t.alpha.setConstant(static_cast<float>(a));
      }
    }
  }
}

Eigen::MatrixXd AnalogNetwork::layerWeights(std::size_t li, bool with_alpha) const {
  const LayerMapping& m = *mappings_[li];
  Eigen::MatrixXd w = Eigen::MatrixXd::Zero(m.weight.rows(), m.weight.cols());
  for (std::size_t k = 0; k < m.tiles.size(); ++k) {
    const TileBlock& b = m.tiles[k];
    const TileState& t = tiles_[li][k];
    for (Index j = 0; j < b.cols; ++j) {
      const double f = m.w_max(b.col0 + j) * (with_alpha ? static_cast<double>(t.alpha(j)) : 1.0);
      for (Index i = 0; i < b.rows; ++i) w(b.col0 + j, b.row0 + i) = static_cast<double>(t.w_n(j, i)) * f;
    }
  }
  return w;
}

void AnalogNetwork::multiply(std::size_t li, const Matrix& x, Matrix& out,
                             std::uint64_t chunk) const {
  const LayerMapping& m = *mappings_[li];
  const std::vector<TileState>& tiles = tiles_[li];
  const Index n = x.cols();
  out.setZero(m.weight.rows(), n);
  const float dac_levels = levelsOf(options_.dac_bits);
  const float adc_levels = levelsOf(options_.adc_bits);
  const float fs = static_cast<float>(options_.adcFullScaleNormalized());
  Index current_row0 = -1;
  Matrix xn;
  Eigen::RowVectorXf s;
  Matrix y;
  for (std::size_t k = 0; k < m.tiles.size(); ++k) {
    const TileBlock& b = m.tiles[k];
    const TileState& t = tiles[k];
    if (b.row0 != current_row0) {  // tiles of one row block share the normalized inputs
      current_row0 = b.row0;
      s = x.middleRows(b.row0, b.rows).cwiseAbs().colwise().maxCoeff();
      for (Index c = 0; c < n; ++c)
        if (!(s(c) > 0.0f)) s(c) = 1.0f;
      xn = x.middleRows(b.row0, b.rows) * s.cwiseInverse().asDiagonal();
      if (options_.dac_bits > 0) quantizeInPlace(xn, 1.0f, dac_levels);
    }
    if (t.g_pos_s.size() > 0) {
      y = exactTileOutputs(options_, t.g_pos_s, t.g_neg_s, xn.cast<double>()).cast<float>();
    } else {
      y.noalias() = t.w_n * xn;
    }
    if (t.noise_var_n.size() > 0) {
      const Matrix var = t.noise_var_n * xn.cwiseAbs2();
      RngStream rng(seed_, StreamPurpose::ReadNoise, streamIndex({t.stream, chunk}));
      for (Index c = 0; c < n; ++c)
        for (Index j = 0; j < b.cols; ++j)
          y(j, c) += std::sqrt(std::max(var(j, c), 0.0f)) * static_cast<float>(device::standardNormal(rng));
    }
    if (options_.adc_bits > 0) quantizeInPlace(y, fs, adc_levels);
    y = t.alpha.asDiagonal() * y;
    out.middleRows(b.col0, b.cols).noalias() += y * s.asDiagonal();
  }
  const Eigen::VectorXf w_max = m.w_max.cast<float>();
  out = w_max.asDiagonal() * out;
}

Network recalibrateBatchNorm(const Network& net, const Matrix& inputs, const AnalogHook* hook) {
  Network out = net;
  // Each batch-norm layer takes the statistics of its input before it runs (a chain or a graph).
  (void)out.forwardVisiting(inputs, hook, 0, [&out](std::size_t i, const Matrix& x) {
    Layer& l = out.layers[i];
    if (l.kind != LayerKind::BatchNorm) return;
    const Index hw = l.in_shape.h * l.in_shape.w;
    for (Index c = 0; c < l.in_shape.c; ++c) {
      const auto block = x.middleRows(c * hw, hw);
      const double count = static_cast<double>(block.size());
      const double mean = static_cast<double>(block.cast<double>().sum()) / count;
      const double var = (block.cast<double>().array() - mean).square().sum() / count;
      l.mean(c) = static_cast<float>(mean);
      l.var(c) = static_cast<float>(var);
    }
  });
  return out;
}

}  // namespace xbarsim::dnn
