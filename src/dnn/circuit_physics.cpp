// SPDX-License-Identifier: MIT
#include "xbarsim/dnn/circuit_physics.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "xbarsim/core/error.hpp"

namespace xbarsim::dnn {
namespace {

/// Largest magnitude of `m` (1 when all zero, so a zero input reads zero).
double scaleOf(const Matrix& m) {
  const double s = m.size() > 0 ? static_cast<double>(m.cwiseAbs().maxCoeff()) : 0.0;
  return s > 0.0 ? s : 1.0;
}

}  // namespace

void CircuitPhysicsOptions::validate() const {
  if (tile_rows < 1 || tile_cols < 1)
    throw ConfigError("", 0, "train.tile_rows", "tiles need >= 1 row and column");
  if (!(r_wire_ohm >= 0.0)) throw ConfigError("", 0, "train.r_wire_ohm", "must be >= 0");
  if (!(g_min_s > 0.0) || !(g_max_s > g_min_s))
    throw ConfigError("", 0, "train.g_max_s", "needs 0 < g_min_s < g_max_s");
  if (!(v_read_v > 0.0)) throw ConfigError("", 0, "train.v_read_v", "must be > 0");
  if (ladder_sweeps < 1) throw ConfigError("", 0, "train.ladder_sweeps", "must be >= 1");
  try {
    efficiency.validate();
  } catch (const Error& e) {
    throw ConfigError("", 0, "train.v_threshold_v", e.what());
  }
  if (efficiency.v_pulse_v != bias.v_pulse_v)
    throw ConfigError("", 0, "train.v_pulse_v", "the efficiency law and the bias need one V_p");
}

CircuitPhysics::CircuitPhysics(CircuitPhysicsOptions options) : o_(std::move(options)) {
  o_.validate();
}

CircuitPhysics::~CircuitPhysics() = default;

CircuitPhysics::State& CircuitPhysics::state(const Matrix& w) const {
  State& s = states_[{w.rows(), w.cols()}];
  if (!s.tiles.empty() && s.w.rows() == w.rows() && s.w.cols() == w.cols() && s.w == w) return s;
  const Index out = w.rows(), in = w.cols();
  s.w = w;
  s.k_s = (o_.g_max_s - o_.g_min_s) / scaleOf(w);
  if (s.tiles.empty()) {
    for (Index r0 = 0; r0 < in; r0 += o_.tile_rows)
      for (Index c0 = 0; c0 < out; c0 += o_.tile_cols)
        s.tiles.push_back(
            Tile{r0, std::min(o_.tile_rows, in - r0), c0, std::min(o_.tile_cols, out - c0), {}});
  }
  for (Tile& t : s.tiles)
    for (int side = 0; side < 2; ++side) {
      const double sign = side == 0 ? 1.0 : -1.0;
      Eigen::MatrixXd g(t.rows, t.cols);
      for (Index j = 0; j < t.rows; ++j)
        for (Index i = 0; i < t.cols; ++i)
          g(j, i) = o_.g_min_s +
                    std::max(0.0, sign * static_cast<double>(w(t.col0 + i, t.row0 + j))) * s.k_s;
      if (t.xb[side]) {
        t.xb[side]->setConductances(g);
        continue;
      }
      circuit::CrossbarSpec spec;
      spec.rows = t.rows;
      spec.cols = t.cols;
      spec.r_row_ohm = spec.r_col_ohm = o_.r_wire_ohm;
      spec.g_s = std::move(g);
      circuit::TrainingCrossbarOptions xo;
      xo.ladder_sweeps = o_.ladder_sweeps;
      t.xb[side] = std::make_unique<circuit::TrainingCrossbar>(std::move(spec), xo);
    }
  return s;
}

const std::vector<CircuitPhysics::Tile>& CircuitPhysics::tiles(const Matrix& w) const {
  const std::scoped_lock lock(mutex_);
  return state(w).tiles;
}

double CircuitPhysics::siemensPerWeight(const Matrix& w) const {
  const std::scoped_lock lock(mutex_);
  return state(w).k_s;
}

void CircuitPhysics::forward(const Matrix& w, const Matrix& x, Matrix& y, std::uint64_t) const {
  const std::scoped_lock lock(mutex_);
  State& s = state(w);
  const double a = o_.v_read_v / scaleOf(x);
  y.setZero(w.rows(), x.cols());
  for (Tile& t : s.tiles) {
    const Eigen::MatrixXd v = x.middleRows(t.row0, t.rows).cast<double>() * a;
    y.middleRows(t.col0, t.cols) +=
        ((t.xb[0]->forward(v) - t.xb[1]->forward(v)) / (a * s.k_s)).cast<float>();
  }
}

void CircuitPhysics::backward(const Matrix& w, const Matrix& delta, Matrix& d,
                              std::uint64_t) const {
  const std::scoped_lock lock(mutex_);
  State& s = state(w);
  const double a = o_.v_read_v / scaleOf(delta);
  d.setZero(w.cols(), delta.cols());
  for (Tile& t : s.tiles) {
    const Eigen::MatrixXd v = delta.middleRows(t.col0, t.cols).cast<double>() * a;
    d.middleRows(t.row0, t.rows) +=
        ((t.xb[0]->backward(v) - t.xb[1]->backward(v)) / (a * s.k_s)).cast<float>();
  }
}

bool CircuitPhysics::idealUpdate() const {
  const double vp = o_.bias.v_pulse_v;
  const double half = o_.bias.scheme == circuit::BiasScheme::HalfV ? vp / 2.0 : vp / 3.0;
  return o_.r_wire_ohm == 0.0 && o_.efficiency(half) == 0.0 && o_.efficiency(-half) == 0.0 &&
         o_.efficiency(vp) == 1.0;
}

void CircuitPhysics::pulseEfficiency(const std::vector<std::int8_t>& row_sign,
                                     const std::vector<std::int8_t>& col_sign,
                                     Matrix& factor) const {
  const std::scoped_lock lock(mutex_);
  const auto out = static_cast<Index>(col_sign.size()), in = static_cast<Index>(row_sign.size());
  const auto found = states_.find({out, in});
  if (found == states_.end() || found->second.tiles.empty())
    throw Error(fmt::format("circuit update of a {}x{} array before any read of it", out, in));
  factor.setZero(out, in);
  std::vector<Index> rows, cols;
  for (Tile& t : found->second.tiles)
    for (int sr : {1, -1})
      for (int sc : {1, -1}) {
        rows.clear();
        cols.clear();
        for (Index j = 0; j < t.rows; ++j)
          if (row_sign[static_cast<std::size_t>(t.row0 + j)] == sr) rows.push_back(j);
        if (rows.empty()) continue;
        for (Index i = 0; i < t.cols; ++i)
          if (col_sign[static_cast<std::size_t>(t.col0 + i)] == sc) cols.push_back(i);
        if (cols.empty()) continue;
        // Δw = -x δ: different signs pulse w up (a SET pulse on G⁺), same signs down (SET on
        // G⁻): the phase biases one side's tile with polarity +1.
        const int up = sr != sc ? 1 : -1;
        const circuit::TerminalVoltages tv =
            circuit::biasTerminals(o_.bias, t.rows, t.cols, rows, cols, 1);
        circuit::TrainingCrossbar& xb = *t.xb[up > 0 ? 0 : 1];
        if (!o_.half_select && o_.update_mode == circuit::UpdateCircuitMode::Ladder) {
          // Fully-selected cells only (their ladder voltages from the lines' Green's functions).
          const Eigen::MatrixXd v = xb.selectedCellVoltages(rows, cols, tv.rows_v, tv.cols_v);
          for (std::size_t a = 0; a < rows.size(); ++a)
            for (std::size_t b = 0; b < cols.size(); ++b)
              factor(t.col0 + cols[b], t.row0 + rows[a]) += static_cast<float>(
                  up * o_.efficiency(v(static_cast<Index>(a), static_cast<Index>(b))));
          continue;
        }
        const Eigen::MatrixXd v = xb.cellVoltages(tv.rows_v, tv.cols_v, o_.update_mode);
        for (Index j = 0; j < t.rows; ++j)
          for (Index i = 0; i < t.cols; ++i)
            if (const double f = o_.efficiency(v(j, i)); f != 0.0)
              factor(t.col0 + i, t.row0 + j) += static_cast<float>(up * f);
      }
}

}  // namespace xbarsim::dnn
