// SPDX-License-Identifier: MIT
// Native transient of a small device array (device_circuit.hpp): the DAE
//   KCL at every undriven node:  sum of currents leaving it = 0          (algebraic)
//   every cell:                  d(x/s)/dt − rate(v_cell, x)/s = 0       (differential)
// with s the model's SPICE state scale (nm, uS: well-conditioned unknowns), integrated by the
// IDA driver (circuit/ida_driver.hpp: variable-order BDF, dense direct linear solver,
// difference-quotient Jacobian). Waveform corners are integration stops followed by a
// re-initialisation.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <exception>
#include <set>

#include "xbarsim/circuit/ida_driver.hpp"
#include "xbarsim/core/error.hpp"
#include "xbarsim/core/rng.hpp"
#include "xbarsim/device/random.hpp"
#include "xbarsim/extract/device_circuit.hpp"

namespace xbarsim::extract {
namespace {

using Index = Eigen::Index;
using Clock = std::chrono::steady_clock;

/// A node is either driven (its voltage is a waveform) or an unknown of the DAE.
struct Node {
  int unknown = -1;          ///< index in y, or -1
  const Pwl* drive = nullptr;
};

struct Resistor {
  int a, b;
  double g;
};

class Problem final : public circuit::IdaProblem {
 public:
  explicit Problem(const DeviceArrayCircuit& c) : c_(c), scale_(c.model->stateInfo().spice_scale) {
    const auto add = [&](const Pwl* drive) {
      Node n;
      if (drive) n.drive = drive; else n.unknown = unknowns_++;
      nodes_.push_back(n);
      return static_cast<int>(nodes_.size() - 1);
    };
    const Index R = c.rows, C = c.cols;
    row_node_.resize(R, C);
    col_node_.resize(R, C);
    // A driver with series resistance: known source node -> resistor -> unknown line end.
    const auto driver = [&](const std::optional<Pwl>& d, double r_ohm, std::vector<int>& sources) {
      if (!d) {
        sources.push_back(-1);
        return -1;
      }
      const int src = add(&*d);
      sources.push_back(src);
      if (r_ohm == 0.0) return src;
      const int end = add(nullptr);
      resistors_.push_back({src, end, 1.0 / r_ohm});
      return end;
    };
    for (Index i = 0; i < R; ++i) {
      const int drv = driver(c.row_drive[static_cast<std::size_t>(i)], c.rowDriverOhm(i), row_driver_);
      if (c.r_row_ohm == 0.0) {
        const int n = drv >= 0 ? drv : add(nullptr);
        for (Index j = 0; j < C; ++j) row_node_(i, j) = n;
      } else {
        for (Index j = 0; j < C; ++j) {
          row_node_(i, j) = add(nullptr);
          const int prev = j == 0 ? drv : row_node_(i, j - 1);
          if (prev >= 0) resistors_.push_back({prev, row_node_(i, j), 1.0 / c.r_row_ohm});
        }
      }
    }
    for (Index j = 0; j < C; ++j) {
      const int drv = driver(c.col_drive[static_cast<std::size_t>(j)], c.colDriverOhm(j), col_driver_);
      if (c.r_col_ohm == 0.0) {
        const int n = drv >= 0 ? drv : add(nullptr);
        for (Index i = 0; i < R; ++i) col_node_(i, j) = n;
      } else {
        for (Index i = 0; i < R; ++i) col_node_(i, j) = add(nullptr);
        for (Index i = 0; i < R; ++i) {
          const int next = i == R - 1 ? drv : col_node_(i + 1, j);
          if (next >= 0) resistors_.push_back({col_node_(i, j), next, 1.0 / c.r_col_ohm});
        }
      }
    }
    cells_ = static_cast<int>(R * C);
  }

  std::int64_t size() const override { return unknowns_ + cells_; }
  void residual(double t, const double* y, const double* yp, double* f) override {
    residual(t, y, yp, f, nullptr);
  }
  int unknownNodes() const { return unknowns_; }
  double scale() const { return scale_; }

  double voltage(int node, double t, const double* y) const {
    const Node& n = nodes_[static_cast<std::size_t>(node)];
    return n.drive ? n.drive->at(t) : y[n.unknown];
  }

  /// F(t, y, y'); also accumulates the current leaving every node into `leaving` if given.
  void residual(double t, const double* y, const double* yp, double* f, std::vector<double>* leaving) const {
    std::fill(f, f + size(), 0.0);
    if (leaving) leaving->assign(nodes_.size(), 0.0);
    const auto flow = [&](int a, int b, double i) {
      const Node& na = nodes_[static_cast<std::size_t>(a)];
      const Node& nb = nodes_[static_cast<std::size_t>(b)];
      if (na.unknown >= 0) f[na.unknown] += i;
      if (nb.unknown >= 0) f[nb.unknown] -= i;
      if (leaving) {
        (*leaving)[static_cast<std::size_t>(a)] += i;
        (*leaving)[static_cast<std::size_t>(b)] -= i;
      }
    };
    for (const Resistor& r : resistors_) flow(r.a, r.b, r.g * (voltage(r.a, t, y) - voltage(r.b, t, y)));
    const device::DeviceModel& m = *c_.model;
    for (Index i = 0; i < c_.rows; ++i)
      for (Index j = 0; j < c_.cols; ++j) {
        const int k = unknowns_ + static_cast<int>(i * c_.cols + j);
        const double x = y[k] * scale_;
        const int a = row_node_(i, j), b = col_node_(i, j);
        const double v = voltage(a, t, y) - voltage(b, t, y);
        flow(a, b, m.current(v, x));
        const double noise = xi_.empty() ? 0.0 : m.stateNoiseRate(v, x, m.ambientTemperature(), xi_[k - unknowns_]);
        f[k] = yp[k] - (m.stateRate(v, x) + noise) / scale_;
      }
  }

  /// Dynamic variation: one N(0,1) per cell, held over the current variation step; empty if
  /// the model has none. The driver draws the next values at every step boundary.
  void drawVariation(std::vector<RngStream>& streams) {
    xi_.resize(streams.size());
    for (std::size_t k = 0; k < streams.size(); ++k) xi_[k] = device::standardNormal(streams[k]);
  }

  const DeviceArrayCircuit& c_;
  std::vector<double> xi_;
  double scale_;
  std::vector<Node> nodes_;
  std::vector<Resistor> resistors_;
  std::vector<int> row_driver_, col_driver_;
  Eigen::Matrix<int, Eigen::Dynamic, Eigen::Dynamic> row_node_, col_node_;
  int unknowns_ = 0;
  int cells_ = 0;
};

}  // namespace

DeviceTransientResult transientNative(const DeviceArrayCircuit& c, const DeviceTransientOptions& o) {
  c.validate();
  if (o.points < 2 || !(o.t_stop_s > 0.0)) throw Error("device transient: need t_stop > 0 and >= 2 points");
  const auto start = Clock::now();
  Problem problem(c);
  const auto n = static_cast<std::size_t>(problem.size());
  const Index R = c.rows, C = c.cols;
  std::vector<double> y0(n, 0.0), yp0(n, 0.0), id(n);
  circuit::IdaOptions options;
  options.linear_solver = circuit::IdaLinearSolver::Dense;
  options.rel_tol = o.rel_tol;
  options.abs_tol.resize(n);
  for (std::size_t k = 0; k < n; ++k) {
    const bool state = static_cast<int>(k) >= problem.unknownNodes();
    id[k] = state ? 1.0 : 0.0;
    options.abs_tol[k] = state ? o.abs_tol_state : o.abs_tol_v;
  }
  for (Index i = 0; i < R; ++i)
    for (Index j = 0; j < C; ++j)
      y0[static_cast<std::size_t>(problem.unknownNodes() + i * C + j)] =
          c.model->clampState(c.x0(i, j)) / problem.scale();
  const double tstep = o.t_stop_s / (o.points - 1);
  options.max_steps = 2000000;
  options.max_step_s = o.max_step_s > 0.0 ? o.max_step_s : tstep;
  options.what = "device transient (native)";
  circuit::IdaDriver ida(problem, options, 0.0, y0, yp0);
  ida.setDifferential(id);
  const double* y = ida.y();
  const double* yp = ida.yp();

  // Breakpoints: waveform corners inside (0, t_stop), and the boundaries of the variation
  // steps (a new draw per cell at each; the Verilog-A code's $bound_step).
  std::set<double> corners;
  const double variation_step = c.model->variationStep();
  std::vector<RngStream> variation;  // one stream per cell
  if (variation_step > 0.0) {
    const double steps = o.t_stop_s / variation_step;
    if (steps > 1e7)
      throw Error(fmt::format("device transient: {:.3g} variation steps of {:.3g} s (more than 1e7); "
                              "shorten t_stop or raise time_step", steps, variation_step));
    for (Index k = 0; k < R * C; ++k)
      variation.emplace_back(o.seed, StreamPurpose::Variation, static_cast<std::uint64_t>(k));
    for (long k = 1; k * variation_step < o.t_stop_s * (1.0 - 1e-12); ++k) corners.insert(k * variation_step);
    problem.drawVariation(variation);
  }
  for (const auto& d : c.row_drive) if (d) for (double t : d->t_s) if (t > 0.0 && t < o.t_stop_s) corners.insert(t);
  for (const auto& d : c.col_drive) if (d) for (double t : d->t_s) if (t > 0.0 && t < o.t_stop_s) corners.insert(t);

  const auto initialise = [&](double t0) {
    const double next = std::min(o.t_stop_s, t0 + 1e-3 * tstep);
    ida.calcIc(next);
  };
  initialise(0.0);

  DeviceTransientResult r;
  r.backend = "native";
  r.t_s.resize(o.points);
  r.row_current_a = Eigen::MatrixXd::Zero(o.points, R);
  r.col_current_a = Eigen::MatrixXd::Zero(o.points, C);
  r.state.resize(o.points, R * C);
  std::vector<double> leaving;
  std::vector<double> f(n);
  const auto record = [&](int p, double t) {
    r.t_s[p] = t;
    problem.residual(t, y, yp, f.data(), &leaving);
    for (Index i = 0; i < R; ++i)
      if (problem.row_driver_[static_cast<std::size_t>(i)] >= 0)
        r.row_current_a(p, i) = leaving[static_cast<std::size_t>(problem.row_driver_[static_cast<std::size_t>(i)])];
    for (Index j = 0; j < C; ++j)
      if (problem.col_driver_[static_cast<std::size_t>(j)] >= 0)
        r.col_current_a(p, j) = -leaving[static_cast<std::size_t>(problem.col_driver_[static_cast<std::size_t>(j)])];
    for (Index k = 0; k < R * C; ++k) r.state(p, k) = y[problem.unknownNodes() + k] * problem.scale();
  };
  record(0, 0.0);
  double t = 0.0;
  const auto restart = [&] {
    ida.reinit(t);
    initialise(t);
  };
  long variation_index = 0;  // the variation step that holds the current draws
  const auto enterVariationStep = [&] {  // at a step boundary: the next draws (true if new)
    if (variation.empty()) return false;
    const auto step_index = static_cast<long>(std::floor(t / variation_step + 1e-6));
    if (step_index <= variation_index) return false;
    for (; variation_index < step_index; ++variation_index) problem.drawVariation(variation);
    return true;
  };
  for (int p = 1; p < o.points; ++p) {
    const double tout = p == o.points - 1 ? o.t_stop_s : p * tstep;
    while (true) {
      const auto it = corners.upper_bound(t * (1.0 + 1e-14) + 1e-300);
      const bool corner_first = it != corners.end() && *it < tout * (1.0 - 1e-12);
      const double target = corner_first ? *it : tout;
      ida.setStopTime(target);
      t = ida.solve(target);
      if (!corner_first) break;
      enterVariationStep();
      restart();
    }
    record(p, t);
    if (o.progress) o.progress(t);
    if (p + 1 < o.points && enterVariationStep()) restart();  // a boundary on an output point
  }
  r.steps = ida.stats().steps;
  r.final_state.resize(R, C);
  for (Index i = 0; i < R; ++i)
    for (Index j = 0; j < C; ++j) r.final_state(i, j) = r.state(o.points - 1, i * C + j);
  r.wall_s = std::chrono::duration<double>(Clock::now() - start).count();
  return r;
}

}  // namespace xbarsim::extract
