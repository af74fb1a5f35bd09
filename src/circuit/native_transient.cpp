// SPDX-License-Identifier: MIT
// Transient simulation of the crossbar through the IDA driver (ida_driver.hpp: BDF, sparse KLU
// on the CSC pattern built here, analytic Jacobian).
#include "xbarsim/circuit/native_transient.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <exception>
#include <iterator>
#include <memory>
#include <set>

#include "detail/native_cell.hpp"
#include "detail/native_topology.hpp"
#include "xbarsim/circuit/ida_driver.hpp"
#include "xbarsim/core/error.hpp"

namespace xbarsim::circuit {

// ---- waveforms ---------------------------------------------------------------------------
PwlWaveform PwlWaveform::constant(double v) { return PwlWaveform{{0.0}, {v}}; }

PwlWaveform PwlWaveform::step(double v, double t0_s, double rise_s) {
  return PwlWaveform{{t0_s, t0_s + rise_s}, {0.0, v}};
}

double pwlValue(const std::vector<double>& t_s, const std::vector<double>& v_v, double t) noexcept {
  if (t_s.empty()) return 0.0;
  if (t <= t_s.front()) return v_v.front();
  if (t >= t_s.back()) return v_v.back();
  const auto it = std::upper_bound(t_s.begin(), t_s.end(), t);
  const std::size_t k = static_cast<std::size_t>(it - t_s.begin());
  const double a = (t - t_s[k - 1]) / (t_s[k] - t_s[k - 1]);
  return v_v[k - 1] + a * (v_v[k] - v_v[k - 1]);
}

double PwlWaveform::value(double t) const { return pwlValue(t_s, v_v, t); }

double PwlWaveform::slope(double t) const {
  if (t_s.size() < 2 || t < t_s.front() || t >= t_s.back()) return 0.0;
  const auto it = std::upper_bound(t_s.begin(), t_s.end(), t);
  const std::size_t k = static_cast<std::size_t>(it - t_s.begin());
  return (v_v[k] - v_v[k - 1]) / (t_s[k] - t_s[k - 1]);
}

void PwlWaveform::validate(const std::string& what) const {
  if (t_s.empty() || t_s.size() != v_v.size())
    throw Error(fmt::format("transient: {}: waveform needs equally many (>= 1) times and values", what));
  for (std::size_t k = 0; k < t_s.size(); ++k) {
    if (!std::isfinite(t_s[k]) || !std::isfinite(v_v[k]))
      throw Error(fmt::format("transient: {}: waveform point {} is not finite", what, k));
    if (k > 0 && !(t_s[k] > t_s[k - 1]))
      throw Error(fmt::format("transient: {}: waveform times must increase (point {})", what, k));
  }
}

std::string CellModel::spiceInstance(Eigen::Index, Eigen::Index, std::string_view, std::string_view,
                                     std::string_view) const {
  throw Error("netlist: this cell model has no SPICE face");
}

namespace {

using Clock = std::chrono::steady_clock;

using Slot = std::int64_t;  // position in the CSC value array, -1 = none

/// The DAE F(t, y, y') = 0: y = [node voltages of the unknown nodes | cell states].
class Problem final : public IdaProblem {
 public:
  Problem(const CrossbarSpec& spec, const TransientSpec& ts) : spec_(spec), ts_(ts), topo_(spec) {
    R_ = spec.rows;
    C_ = spec.cols;
    c_feedback_f_ = spec.sense->feedbackCapacitance();
    integrator_ = c_feedback_f_ > 0.0;
    amp_ = !spec.sense->holdsInput();
    model_ = ts.cell_model;
    ns_ = model_ ? model_->stateSize() : 0;
    if (ns_ < 0) throw Error("transient: CellModel::stateSize() must be >= 0");
    nodes_ = topo_.unknowns();
    n_int_ = integrator_ ? C_ : 0;  // feedback-capacitor voltages u_j = v_in - vo
    n_ = nodes_ + n_int_ + R_ * C_ * ns_;
    vin_ = Eigen::VectorXd::Zero(R_);
    cap_.assign(static_cast<std::size_t>(nodes_), 0.0);
    for (Eigen::Index i = 0; i < R_; ++i)
      for (Eigen::Index j = 0; j < C_; ++j) {
        if (topo_.rowNode(i, j) >= 0) cap_[topo_.rowNode(i, j)] += ts.capacitance.c_row_f;
        if (topo_.colNode(i, j) >= 0) cap_[topo_.colNode(i, j)] += ts.capacitance.c_col_f;
      }
    if (amp_)
      for (Eigen::Index j = 0; j < C_; ++j) cap_[topo_.outNode(j)] += ts.capacitance.c_sense_f;
    if (integrator_) {
      // An integrator's input node is tied to its capacitor voltage u by u = v − vo(v), an
      // algebraic relation, so its capacitance to ground C_s enters through u:
      // C_s·dv/dt = C_s/(1 − vo'(v))·du/dt (keeps the DAE index 1 when C_s > 0).
      c_input_f_.resize(static_cast<std::size_t>(C_));
      for (Eigen::Index j = 0; j < C_; ++j) {
        double& c = cap_[static_cast<std::size_t>(topo_.outNode(j))];
        c_input_f_[static_cast<std::size_t>(j)] = c;
        c = 0.0;
      }
    }
    buildPattern();
    buildSenseEdges();
    for (auto* v : {&didx_, &rate_, &drdv_}) v->assign(static_cast<std::size_t>(ns_), 0.0);
    drdx_.assign(static_cast<std::size_t>(ns_ * ns_), 0.0);
  }

  std::int64_t size() const override { return n_; }
  Eigen::Index nodes() const { return nodes_; }
  IdaPattern pattern() const { return {colptr_, rowind_}; }
  const detail::Topology& topo() const { return topo_; }
  bool amp() const { return amp_; }
  bool integrator() const { return integrator_; }
  int stateSize() const { return ns_; }

  /// DC mode (initial operating point): capacitors to ground open, node voltages algebraic.
  void setDc(bool dc) { dc_ = dc; }

  void setInputs(double t) {
    for (Eigen::Index i = 0; i < R_; ++i) vin_[i] = ts_.inputs[static_cast<std::size_t>(i)].value(t);
  }

  /// Differential (1) / algebraic (0) flags. initial: node voltages algebraic (DC operating
  /// point with capacitors open); integrator capacitor voltages and cell states given.
  void ids(double* id, bool initial) const {
    for (Eigen::Index u = 0; u < nodes_; ++u) id[u] = (!initial && cap_[u] > 0.0) ? 1.0 : 0.0;
    for (Eigen::Index k = nodes_; k < n_; ++k) id[k] = 1.0;
  }
  Eigen::Index capIndex(Eigen::Index j) const { return nodes_ + j; }

  /// Capacitance multiplying du_j/dt at integrator j's input node: C_f plus its capacitance to
  /// ground seen through u (none in DC mode, where capacitors to ground are open).
  double integratorInputCapacitance(Eigen::Index j, double v) const {
    const double c_s = dc_ ? 0.0 : c_input_f_[static_cast<std::size_t>(j)];
    return c_feedback_f_ + (c_s > 0.0 ? c_s / (1.0 - spec_.sense->outputSlope(v)) : 0.0);
  }

  /// Initial guess: 0 V, amplifier inputs at their virtual ground, integrators reset (u = 0),
  /// cell states at their initial values.
  void initialGuess(double* y, double* yp) const {
    std::fill(y, y + n_, 0.0);
    std::fill(yp, yp + n_, 0.0);
    if (amp_)
      for (Eigen::Index j = 0; j < C_; ++j) y[topo_.outNode(j)] = spec_.sense->restingInput();
    if (model_)
      for (Eigen::Index i = 0; i < R_; ++i)
        for (Eigen::Index j = 0; j < C_; ++j) model_->initialState(i, j, &y[stateIndex(i, j, 0)]);
  }

  double volt(int node, const double* y) const { return topo_.voltage(node, y, vin_.data()); }
  Eigen::Index stateIndex(Eigen::Index i, Eigen::Index j, int k) const {
    return nodes_ + n_int_ + (i * C_ + j) * ns_ + k;
  }

  /// Which derivatives cell() computes.
  enum class CellNeeds { Current, Rates, Derivatives };

  /// Cell (i,j) at terminal voltages (va, vb): current and terminal conductances; with a cell
  /// model and `needs` >= Rates also rate_ = dx/dt, and with Derivatives didx_ = dI/dx, drdv_
  /// = ∂rate/∂u (u the memory voltage, CellEval::u) and drdx_ = d rate/dx, totals through the
  /// internal node of an access cell (eliminated: u moves with x by ∂u/∂x = −beta·∂I_mem/∂x).
  detail::CellEval cell(Eigen::Index i, Eigen::Index j, double va, double vb, const double* y,
                        CellNeeds needs) const {
    if (!model_) return detail::evalCell(spec_, spec_.g_s(i, j), va, vb);
    const double* x = &y[stateIndex(i, j, 0)];
    const bool one_r = spec_.cell == CellKind::OneR;
    detail::CellEval e;
    if (one_r) {  // one call gives the current and dI/dx
      e.u = va - vb;
      e.i = model_->current(i, j, e.u, x, &e.g_mem, didx_.data());
      e.g_a = e.g_b = e.g_mem;
    } else {  // the internal-node solve needs no dI/dx
      double g0 = 0.0;
      (void)model_->current(i, j, 0.0, x, &g0, nullptr);
      const auto memory = [&](double u, double& g) { return model_->current(i, j, u, x, &g, nullptr); };
      e = detail::evalCellWith(spec_, memory, g0, va, vb);
    }
    if (needs == CellNeeds::Current) return e;
    model_->stateRate(i, j, e.u, x, rate_.data(), drdv_.data(), drdx_.data());
    if (needs == CellNeeds::Derivatives && !one_r) {
      double g = 0.0;
      (void)model_->current(i, j, e.u, x, &g, didx_.data());
      for (int k = 0; k < ns_; ++k)
        for (int l = 0; l < ns_; ++l) drdx_[static_cast<std::size_t>(k * ns_ + l)] -= drdv_[static_cast<std::size_t>(k)] * e.beta * didx_[static_cast<std::size_t>(l)];
      for (int l = 0; l < ns_; ++l) didx_[static_cast<std::size_t>(l)] *= 1.0 - e.g_mem * e.beta;
    }
    return e;
  }

  void residual(const double* y, const double* yp, double* r) const {
    std::fill(r, r + n_, 0.0);
    for (Eigen::Index i = 0; i < R_; ++i)
      for (Eigen::Index j = 0; j < C_; ++j) {
        const int a = topo_.rowNode(i, j), b = topo_.colNode(i, j);
        const double cur = cell(i, j, volt(a, y), volt(b, y), y, CellNeeds::Rates).i;
        for (int k = 0; k < ns_; ++k) r[stateIndex(i, j, k)] = yp[stateIndex(i, j, k)] - rate_[static_cast<std::size_t>(k)];
        if (a >= 0) r[a] += cur;
        if (b >= 0) r[b] -= cur;
      }
    for (const auto& w : topo_.wires()) {
      const double cur = w.g * (volt(w.a, y) - volt(w.b, y));
      if (w.a >= 0) r[w.a] += cur;
      if (w.b >= 0) r[w.b] -= cur;
    }
    if (!dc_)
      for (Eigen::Index u = 0; u < nodes_; ++u) r[u] += cap_[u] * yp[u];
    if (amp_)
      for (Eigen::Index j = 0; j < C_; ++j) {
        const int o = topo_.outNode(j);
        if (integrator_) {
          // KCL: the input current charges C_f; u = v_in - vo(v_in) ties u to the input node.
          r[o] += integratorInputCapacitance(j, y[o]) * yp[capIndex(j)];
          r[capIndex(j)] = y[capIndex(j)] - (y[o] - spec_.sense->outputVoltage(y[o]));
        } else {
          r[o] += spec_.sense->load(y[o]).i_a;
        }
      }
  }

  void residual(double t, const double* y, const double* yp, double* r) override {
    setInputs(t);
    residual(y, yp, r);
  }

  /// Values of the iteration matrix on the CSC pattern (zeroed by the driver).
  void jacobian(double t, double cj, const double* y, const double* yp, double* val) override {
    setInputs(t);
    auto add = [val](Slot slot, double x) {
      if (slot >= 0) val[slot] += x;
    };
    std::size_t sc = 0;  // state-coupling slots cursor
    for (Eigen::Index i = 0; i < R_; ++i)
      for (Eigen::Index j = 0; j < C_; ++j) {
        const int a = topo_.rowNode(i, j), b = topo_.colNode(i, j);
        const Slot* s = &cell_slots_[static_cast<std::size_t>(4 * (i * C_ + j))];
        const detail::CellEval e = cell(i, j, volt(a, y), volt(b, y), y, CellNeeds::Derivatives);
        for (int k = 0; k < ns_; ++k) {
          // rows a/b, column state k: ±dI/dx_k; row state k, columns a/b: −d rate/dV_a, −d rate/dV_b
          const double dk = drdv_[static_cast<std::size_t>(k)];
          add(state_slots_[sc++], didx_[static_cast<std::size_t>(k)]);
          add(state_slots_[sc++], -didx_[static_cast<std::size_t>(k)]);
          add(state_slots_[sc++], -dk * e.alpha_a);
          add(state_slots_[sc++], dk * e.alpha_b);
          for (int l = 0; l < ns_; ++l)
            add(state_slots_[sc++], (k == l ? cj : 0.0) - drdx_[static_cast<std::size_t>(k * ns_ + l)]);
        }
        add(s[0], e.g_a);
        add(s[1], e.g_b);
        add(s[2], -e.g_b);
        add(s[3], -e.g_a);
      }
    const auto& wires = topo_.wires();
    for (std::size_t e = 0; e < wires.size(); ++e) {
      const Slot* s = &wire_slots_[4 * e];
      add(s[0], wires[e].g);
      add(s[1], wires[e].g);
      add(s[2], -wires[e].g);
      add(s[3], -wires[e].g);
    }
    if (!dc_)
      for (Eigen::Index u = 0; u < nodes_; ++u) add(diag_slots_[static_cast<std::size_t>(u)], cj * cap_[u]);
    if (amp_)
      for (Eigen::Index j = 0; j < C_; ++j) {
        const int o = topo_.outNode(j);
        const Slot s = diag_slots_[static_cast<std::size_t>(o)];
        if (integrator_) {
          add(int_slots_[static_cast<std::size_t>(3 * j)], cj * integratorInputCapacitance(j, y[o]));  // (o, u)
          if (c_input_f_[static_cast<std::size_t>(j)] > 0.0 && !dc_) {  // d/dv of C(v)·u' (central difference)
            const double h = 1e-7 * std::max(1.0, std::abs(y[o]));
            add(s, (integratorInputCapacitance(j, y[o] + h) - integratorInputCapacitance(j, y[o] - h)) /
                       (2.0 * h) * yp[capIndex(j)]);
          }
          add(int_slots_[static_cast<std::size_t>(3 * j + 1)], 1.0);           // (u, u)
          add(int_slots_[static_cast<std::size_t>(3 * j + 2)],
              -(1.0 - spec_.sense->outputSlope(y[o])));                        // (u, o)
        } else {
          add(s, spec_.sense->load(y[o]).di_dv_s);
        }
      }
  }

  /// Column currents and amplifier outputs at (y, yp).
  void outputs(const double* y, const double* yp, double* cur, double* vout) const {
    for (Eigen::Index j = 0; j < C_; ++j) {
      if (amp_) {
        const int o = topo_.outNode(j);
        if (integrator_) {
          vout[j] = y[o] - y[capIndex(j)];
          cur[j] = c_feedback_f_ * yp[capIndex(j)];
        } else {
          vout[j] = spec_.sense->outputVoltage(y[o]);
          cur[j] = spec_.sense->load(y[o]).i_a;
        }
        continue;
      }
      vout[j] = 0.0;
      double s = 0.0;
      for (const auto& e : sense_edges_[static_cast<std::size_t>(j)])
        s += e.cell ? cell(e.i, e.j, volt(e.other, y), 0.0, y, CellNeeds::Current).i : e.g * volt(e.other, y);
      cur[j] = s;
    }
  }

 private:
  struct SenseEdge {
    int other;
    Eigen::Index i, j;
    double g;
    bool cell;
  };

  void buildPattern() {
    std::vector<std::pair<Slot, Slot>> entries;  // (col, row)
    auto pair = [&](int a, int b) {
      if (a >= 0) entries.emplace_back(a, a);
      if (b >= 0) entries.emplace_back(b, b);
      if (a >= 0 && b >= 0) {
        entries.emplace_back(a, b);
        entries.emplace_back(b, a);
      }
    };
    for (Eigen::Index u = 0; u < n_; ++u) entries.emplace_back(u, u);
    for (Eigen::Index i = 0; i < R_; ++i)
      for (Eigen::Index j = 0; j < C_; ++j) {
        const int a = topo_.rowNode(i, j), b = topo_.colNode(i, j);
        pair(a, b);
        for (int k = 0; k < ns_; ++k) {
          const Slot s = stateIndex(i, j, k);
          if (a >= 0) entries.emplace_back(s, a), entries.emplace_back(a, s);
          if (b >= 0) entries.emplace_back(s, b), entries.emplace_back(b, s);
          for (int l = 0; l < ns_; ++l) entries.emplace_back(stateIndex(i, j, l), s);
        }
      }
    for (const auto& w : topo_.wires()) pair(w.a, w.b);
    for (Eigen::Index j = 0; j < n_int_; ++j) {
      entries.emplace_back(capIndex(j), topo_.outNode(j));
      entries.emplace_back(topo_.outNode(j), capIndex(j));
    }
    std::sort(entries.begin(), entries.end());
    entries.erase(std::unique(entries.begin(), entries.end()), entries.end());
    colptr_.assign(static_cast<std::size_t>(n_ + 1), 0);
    rowind_.clear();
    for (const auto& [c, r] : entries) {
      ++colptr_[static_cast<std::size_t>(c + 1)];
      rowind_.push_back(r);
    }
    for (std::size_t c = 0; c < static_cast<std::size_t>(n_); ++c) colptr_[c + 1] += colptr_[c];
    auto slot = [&](Slot row, Slot col) -> Slot {
      if (row < 0 || col < 0) return -1;
      const auto b = rowind_.begin() + colptr_[static_cast<std::size_t>(col)];
      const auto e = rowind_.begin() + colptr_[static_cast<std::size_t>(col + 1)];
      return static_cast<Slot>(std::lower_bound(b, e, row) - rowind_.begin());
    };
    auto slots4 = [&](int a, int b, std::vector<Slot>& out) {
      out.push_back(slot(a, a));
      out.push_back(slot(b, b));
      out.push_back(slot(a, b));
      out.push_back(slot(b, a));
    };
    for (Eigen::Index i = 0; i < R_; ++i)
      for (Eigen::Index j = 0; j < C_; ++j) {
        const int a = topo_.rowNode(i, j), b = topo_.colNode(i, j);
        slots4(a, b, cell_slots_);
        for (int k = 0; k < ns_; ++k) {
          const Slot s = stateIndex(i, j, k);
          state_slots_.push_back(slot(a, s));
          state_slots_.push_back(slot(b, s));
          state_slots_.push_back(slot(s, a));
          state_slots_.push_back(slot(s, b));
          for (int l = 0; l < ns_; ++l) state_slots_.push_back(slot(s, stateIndex(i, j, l)));
        }
      }
    for (const auto& w : topo_.wires()) slots4(w.a, w.b, wire_slots_);
    for (Eigen::Index u = 0; u < nodes_; ++u) diag_slots_.push_back(slot(u, u));
    for (Eigen::Index j = 0; j < n_int_; ++j) {
      int_slots_.push_back(slot(topo_.outNode(j), capIndex(j)));
      int_slots_.push_back(slot(capIndex(j), capIndex(j)));
      int_slots_.push_back(slot(capIndex(j), topo_.outNode(j)));
    }
  }

  void buildSenseEdges() {
    if (amp_) return;
    sense_edges_.resize(static_cast<std::size_t>(C_));
    auto senseCol = [&](int node) -> int {
      return (node < 0 && topo_.driverOf(node) < 0) ? -1 - node - static_cast<int>(R_) : -1;
    };
    for (Eigen::Index i = 0; i < R_; ++i)
      for (Eigen::Index j = 0; j < C_; ++j)
        if (const int s = senseCol(topo_.colNode(i, j)); s >= 0)
          sense_edges_[static_cast<std::size_t>(s)].push_back({topo_.rowNode(i, j), i, j, 0.0, true});
    for (const auto& w : topo_.wires()) {
      if (const int s = senseCol(w.b); s >= 0) sense_edges_[static_cast<std::size_t>(s)].push_back({w.a, 0, 0, w.g, false});
      if (const int s = senseCol(w.a); s >= 0) sense_edges_[static_cast<std::size_t>(s)].push_back({w.b, 0, 0, w.g, false});
    }
  }

  const CrossbarSpec& spec_;
  const TransientSpec& ts_;
  detail::Topology topo_;
  Eigen::Index R_ = 0, C_ = 0, nodes_ = 0, n_int_ = 0, n_ = 0;
  int ns_ = 0;
  bool integrator_ = false, amp_ = false, dc_ = false;
  double c_feedback_f_ = 0.0;  ///< the sense amplifier's feedback capacitor (integrator)
  std::vector<double> c_input_f_;  ///< integrator input nodes' capacitance to ground
  const CellModel* model_ = nullptr;
  Eigen::VectorXd vin_;
  std::vector<double> cap_;
  std::vector<Slot> colptr_, rowind_, cell_slots_, wire_slots_, diag_slots_, state_slots_,
      int_slots_;
  std::vector<std::vector<SenseEdge>> sense_edges_;
  // Scratch of cell() (one cell at a time): dI/dx, rates and their derivatives.
  mutable std::vector<double> didx_, rate_, drdv_, drdx_;
};

}  // namespace

TransientResult simulateTransient(const CrossbarSpec& spec, const TransientSpec& ts) {
  const auto t_begin = Clock::now();
  spec.validate();
  if (static_cast<Eigen::Index>(ts.inputs.size()) != spec.rows)
    throw Error(fmt::format("transient: {} input waveforms for {} rows", ts.inputs.size(), spec.rows));
  for (std::size_t i = 0; i < ts.inputs.size(); ++i) ts.inputs[i].validate(fmt::format("row {}", i));
  if (!(ts.t_stop_s > 0.0) || !std::isfinite(ts.t_stop_s)) throw Error("transient: t_stop_s must be > 0");
  const auto& cap = ts.capacitance;
  for (double c : {cap.c_row_f, cap.c_col_f, cap.c_sense_f})
    if (!(c >= 0.0) || !std::isfinite(c)) throw Error("transient: capacitances must be finite and >= 0");
  if (!(ts.rel_tol > 0.0 && ts.abs_tol_v > 0.0 && ts.state_abs_tol > 0.0))
    throw Error("transient: tolerances must be > 0");
  std::vector<double> times = ts.output_times_s;
  if (times.empty()) {
    const int np = std::max(2, ts.output_points);
    for (int k = 1; k < np; ++k) times.push_back(ts.t_stop_s * k / (np - 1));
  }
  for (std::size_t k = 0; k < times.size(); ++k)
    if (!(times[k] > (k ? times[k - 1] : 0.0)) || times[k] > ts.t_stop_s * (1 + 1e-12))
      throw Error("transient: output times must increase within (0, t_stop_s]");

  Problem p(spec, ts);
  const Eigen::Index n = p.size();
  const Eigen::Index C = spec.cols;
  IdaOptions options;
  options.linear_solver = IdaLinearSolver::Klu;
  options.pattern = p.pattern();
  options.rel_tol = ts.rel_tol;
  options.abs_tol.resize(static_cast<std::size_t>(n));
  for (Eigen::Index k = 0; k < n; ++k)
    options.abs_tol[static_cast<std::size_t>(k)] = k < p.nodes() ? ts.abs_tol_v : ts.state_abs_tol;
  options.max_steps = ts.max_steps;
  options.max_step_s = ts.max_step_s;
  options.max_iters_ic = 50;
  options.max_jacs_ic = 20;
  options.max_steps_ic = 50;
  options.what = "transient";
  std::vector<double> y0(static_cast<std::size_t>(n)), yp0(static_cast<std::size_t>(n));
  std::vector<double> id(static_cast<std::size_t>(n));
  p.setInputs(0.0);
  p.initialGuess(y0.data(), yp0.data());
  IdaDriver ida(p, options, 0.0, y0, yp0);
  const double* y = ida.y();
  const double* yp = ida.yp();

  // Breakpoints: the corners of every input waveform. Corners of different waveforms that
  // differ by rounding only (3e-9 + 9e-9 vs 12e-9) are one: IDA cannot restart between them.
  std::set<double> corners;
  for (const auto& w : ts.inputs)
    for (double t : w.t_s)
      if (t > 0.0 && t < ts.t_stop_s) corners.insert(t);
  for (auto it = corners.begin(); it != corners.end() && std::next(it) != corners.end();) {
    if (*std::next(it) - *it <= 1e-12 * ts.t_stop_s)
      corners.erase(std::next(it));
    else
      ++it;
  }
  const double first_stop = corners.empty() ? ts.t_stop_s : *corners.begin();

  // Initial point: DC operating point (capacitor nodes algebraic), then consistent y'.
  p.ids(id.data(), true);
  p.setDc(true);
  ida.setDifferential(id);
  ida.calcIc(1e-3 * first_stop, "initial operating point (IDACalcIC)");
  p.ids(id.data(), false);
  p.setDc(false);
  ida.setDifferential(id);
  ida.reinit(0.0);
  ida.calcIc(1e-3 * first_stop, "initial derivatives (IDACalcIC)");

  TransientResult res;
  const Eigen::Index T = static_cast<Eigen::Index>(times.size()) + 1;
  res.t_s.resize(T);
  res.currents_a.resize(C, T);
  res.sense_out_v.resize(C, T);
  auto record = [&](Eigen::Index k, double t) {
    p.setInputs(t);
    res.t_s[k] = t;
    p.outputs(y, yp, res.currents_a.col(k).data(), res.sense_out_v.col(k).data());
    if (ts.record_node_voltages) {
      Eigen::MatrixXd vr(spec.rows, spec.cols), vc(spec.rows, spec.cols);
      for (Eigen::Index i = 0; i < spec.rows; ++i)
        for (Eigen::Index j = 0; j < spec.cols; ++j) {
          vr(i, j) = p.volt(p.topo().rowNode(i, j), y);
          vc(i, j) = p.volt(p.topo().colNode(i, j), y);
        }
      res.row_voltages.push_back(std::move(vr));
      res.col_voltages.push_back(std::move(vc));
    }
  };
  record(0, 0.0);

  double t_now = 0.0;
  std::size_t next_out = 0;
  auto corner = corners.begin();
  while (next_out < times.size()) {
    const double stop = corner != corners.end() ? *corner : ts.t_stop_s;
    ida.setStopTime(stop);
    while (next_out < times.size() && times[next_out] <= stop) {
      if (times[next_out] - t_now <= 1e-12 * ts.t_stop_s) {  // at the (re)start point itself
        record(static_cast<Eigen::Index>(next_out) + 1, times[next_out]);
        ++next_out;
        continue;
      }
      t_now = ida.solve(times[next_out], fmt::format("IDASolve at t = {:.6g} s", t_now));
      record(static_cast<Eigen::Index>(next_out) + 1, times[next_out]);
      ++next_out;
    }
    if (corner == corners.end() || next_out >= times.size()) break;
    // Integrate up to the corner, then restart there (the input slopes change).
    if (t_now < stop) t_now = ida.solve(stop);
    ++corner;
    const double next_stop = corner != corners.end() ? *corner : ts.t_stop_s;
    ida.reinit(t_now);
    ida.calcIc(t_now + 1e-3 * (next_stop - t_now), "re-initialization at a waveform corner (IDACalcIC)");
    ++res.stats.restarts;
  }
  static_cast<IdaStats&>(res.stats) = ida.stats();
  const int ns = p.stateSize();
  res.final_state.resize(spec.rows * spec.cols, ns);
  for (Eigen::Index c = 0; c < spec.rows * spec.cols; ++c)
    for (int k = 0; k < ns; ++k) res.final_state(c, k) = y[p.stateIndex(c / spec.cols, c % spec.cols, k)];
  res.stats.wall_s = std::chrono::duration<double>(Clock::now() - t_begin).count();
  return res;
}

}  // namespace xbarsim::circuit
