// SPDX-License-Identifier: MIT
#include "xbarsim/circuit/training_crossbar.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>
#include <string>

#include "detail/native_grid.hpp"
#include "detail/native_line_cg.hpp"
#include "xbarsim/core/error.hpp"

namespace xbarsim::circuit {

namespace {

void checkIndices(const std::vector<Eigen::Index>& idx, Eigen::Index n, const char* what) {
  for (const Eigen::Index k : idx)
    if (k < 0 || k >= n)
      throw Error(fmt::format("training crossbar: {} index {} out of range [0, {})", what, k, n));
}

void checkVoltages(const Eigen::MatrixXd& v, Eigen::Index n, const char* what) {
  if (v.rows() != n)
    throw Error(
        fmt::format("training crossbar: {} voltages have {} rows, expected {}", what, v.rows(), n));
  for (Eigen::Index k = 0; k < v.size(); ++k)
    if (const std::string p = inputVoltageProblem(v.data()[k]); !p.empty())
      throw Error(fmt::format("training crossbar: {} voltage: {}", what, p));
}

/// Thomas factorization of a chain ladder: diagonal d (n), every off-diagonal −g. Stores the
/// reciprocal pivots w_k = 1/d'_k (d'_0 = d_0, d'_k = d_k − g²·w_{k−1}).
void ladderFactor(const double* d, Eigen::Index n, double g, double* w) {
  w[0] = 1.0 / d[0];
  for (Eigen::Index k = 1; k < n; ++k) w[k] = 1.0 / (d[k] - g * g * w[k - 1]);
}

/// Solves the factored ladder for the right-hand side b, in place.
void ladderSolve(const double* w, Eigen::Index n, double g, double* b) {
  for (Eigen::Index k = 1; k < n; ++k) b[k] += g * w[k - 1] * b[k - 1];
  b[n - 1] *= w[n - 1];
  for (Eigen::Index k = n - 2; k >= 0; --k) b[k] = (b[k] + g * b[k + 1]) * w[k];
}

}  // namespace

TerminalVoltages biasTerminals(const UpdateBias& bias, Eigen::Index n_rows, Eigen::Index n_cols,
                               const std::vector<Eigen::Index>& rows,
                               const std::vector<Eigen::Index>& cols, int polarity) {
  if (polarity != 1 && polarity != -1)
    throw Error(
        fmt::format("training crossbar: pulse polarity must be +1 or -1, got {}", polarity));
  if (!std::isfinite(bias.v_pulse_v) || bias.v_pulse_v <= 0.0)
    throw Error(
        fmt::format("training crossbar: pulse amplitude must be > 0 V, got {}", bias.v_pulse_v));
  checkIndices(rows, n_rows, "row");
  checkIndices(cols, n_cols, "column");
  const double half = 0.5 * polarity * bias.v_pulse_v;
  const double rest = bias.scheme == BiasScheme::HalfV ? 0.0 : polarity * bias.v_pulse_v / 6.0;
  TerminalVoltages t;
  t.rows_v = Eigen::VectorXd::Constant(n_rows, -rest);
  t.cols_v = Eigen::VectorXd::Constant(n_cols, rest);
  for (const Eigen::Index i : rows) t.rows_v[i] = half;
  for (const Eigen::Index j : cols) t.cols_v[j] = -half;
  return t;
}

void PulseEfficiency::validate() const {
  if (!(v_threshold_v >= 0.0) || !std::isfinite(v_threshold_v))
    throw Error(fmt::format("pulse efficiency: threshold must be >= 0 V, got {}", v_threshold_v));
  if (!(v_pulse_v > v_threshold_v) || !std::isfinite(v_pulse_v))
    throw Error(fmt::format("pulse efficiency: pulse amplitude {} V must exceed the threshold {} V",
                            v_pulse_v, v_threshold_v));
  if (!(alpha > 0.0) || !std::isfinite(alpha))
    throw Error(fmt::format("pulse efficiency: exponent must be > 0, got {}", alpha));
}

double PulseEfficiency::operator()(double v) const noexcept {
  const double a = std::abs(v);
  if (a <= v_threshold_v) return 0.0;
  const double x = (a - v_threshold_v) / (v_pulse_v - v_threshold_v);
  const double f = alpha == 1.0 ? x : std::pow(x, alpha);
  return v < 0.0 ? -f : f;
}

struct TrainingCrossbar::Impl {
  CrossbarSpec spec;
  TrainingCrossbarOptions opt;
  Eigen::Index R = 0, C = 0;
  bool ideal_wires = false;
  double g_first = 0.0;  // driver -> first row node (1/(r_driver + r_row)); ideal wires: 1/r_driver
  double g_row = 0.0, g_col = 0.0;
  std::unique_ptr<detail::GridMultifrontal> grid;
  detail::GridParams gp;
  detail::GridOptions go;
  bool factored = false, factors_kept = false, ladders = false;
  Eigen::MatrixXd fwd;     // C×R
  Eigen::MatrixXd row_w;   // C×R reciprocal pivots of the row ladders (column i: row i along j)
  Eigen::MatrixXd col_w;   // R×C reciprocal pivots of the column ladders (column j along i)
  Eigen::MatrixXd row_wt;  // row_wᵀ, R×C (vectorised over the rows)
  Eigen::MatrixXd col_wt;  // col_wᵀ, C×R (vectorised over the columns)
  int factorizations = 0;
  int cg_iterations = 0;
  // Green's functions of the lines (semiseparable inverse of a chain: T⁻¹(j,k) = x(min)·y(max)/θ,
  // x from the first node, y from the last, θ their Wronskian), for the selected-cell fast path.
  // Row lines (i, j) R×C and transposed C×R; column lines (j, i) C×R and transposed R×C.
  bool green = false, green_ok = false;
  // The products with the cell conductances (xg = x∘g) are kept in both layouts.
  Eigen::MatrixXd rx, ry, rxg, ryg, rxgt, rygt, ra, rb;  // ra: response to the row terminal, rb: to
                                                         // every column at 1 V
  Eigen::MatrixXd cx, cy, cxg, cyg, cxgt, cygt, ca, cb;  // ca: response to the column terminal,
                                                         // cb: to every row at 1 V
  Eigen::VectorXd rtheta, ctheta, r_inv_theta, c_inv_theta;
  Eigen::MatrixXd gt;  // g_sᵀ

  void invalidate() { factored = factors_kept = ladders = green = false; }

  /// Ideal wires: row i is one node behind g_first (or the terminal itself when r_driver = 0),
  /// every column node is its terminal.
  Eigen::VectorXd idealRowNodes(const Eigen::VectorXd& rows_v,
                                const Eigen::VectorXd& cols_v) const {
    if (spec.r_driver_ohm == 0.0) return rows_v;
    const Eigen::VectorXd gsum = spec.g_s.rowwise().sum();
    return ((g_first * rows_v + spec.g_s * cols_v).array() / (g_first + gsum.array())).matrix();
  }

  void factorize(bool keep) {
    if (factored && (factors_kept || !keep)) return;
    if (ideal_wires) {
      // I_col_j = Σ_i g_ij (u_i − 0) with u_i the row node for columns at 0 V.
      fwd = spec.g_s.transpose();
      if (spec.r_driver_ohm > 0.0) {
        const Eigen::VectorXd gsum = spec.g_s.rowwise().sum();
        fwd = fwd * (g_first / (g_first + gsum.array())).matrix().asDiagonal();
      }
    } else {
      if (!grid) grid = std::make_unique<detail::GridMultifrontal>(gp, go);
      grid->factorize(spec.g_s, keep);
      // Y: currents injected into the network at [drivers, sense nodes]; the column current
      // into the sense amplifier is the negative of the injection at the sense node.
      fwd = -grid->multiport().bottomLeftCorner(C, R);
    }
    factored = true;
    factors_kept = keep;
    ++factorizations;
  }

  void buildLadders() {
    if (ladders) return;
    row_w.resize(C, R);
    col_w.resize(R, C);
    Eigen::VectorXd d(std::max(R, C));
    for (Eigen::Index i = 0; i < R; ++i) {
      for (Eigen::Index j = 0; j < C; ++j)
        d[j] = spec.g_s(i, j) + (j == 0 ? g_first : g_row) + (j + 1 < C ? g_row : 0.0);
      ladderFactor(d.data(), C, g_row, row_w.col(i).data());
    }
    for (Eigen::Index j = 0; j < C; ++j) {
      for (Eigen::Index i = 0; i < R; ++i) d[i] = spec.g_s(i, j) + (i > 0 ? g_col : 0.0) + g_col;
      ladderFactor(d.data(), R, g_col, col_w.col(j).data());
    }
    row_wt = row_w.transpose();
    col_wt = col_w.transpose();
    ladders = true;
  }

  /// Row ladder i with the column side of its cells at far (size C): row-node voltages.
  void rowLine(Eigen::Index i, const Eigen::VectorXd& far, const Eigen::VectorXd& rows_v,
               Eigen::VectorXd& u) const {
    u = spec.g_s.row(i).transpose().cwiseProduct(far);
    u[0] += g_first * rows_v[i];
    ladderSolve(row_w.col(i).data(), C, g_row, u.data());
  }

  /// Column ladder j with the row side of its cells at far (size R): column-node voltages.
  void colLine(Eigen::Index j, const Eigen::VectorXd& far, const Eigen::VectorXd& cols_v,
               Eigen::VectorXd& c) const {
    c = spec.g_s.col(j).cwiseProduct(far);
    c[R - 1] += g_col * cols_v[j];
    ladderSolve(col_w.col(j).data(), R, g_col, c.data());
  }

  /// Every row ladder at once (vectorised over the rows), column sides at far (R×C).
  Eigen::MatrixXd rowsAll(const Eigen::MatrixXd& far, const Eigen::VectorXd& rows_v) const {
    Eigen::MatrixXd b = spec.g_s.cwiseProduct(far);
    b.col(0) += g_first * rows_v;
    for (Eigen::Index j = 1; j < C; ++j)
      b.col(j).array() += g_row * row_wt.col(j - 1).array() * b.col(j - 1).array();
    b.col(C - 1).array() *= row_wt.col(C - 1).array();
    for (Eigen::Index j = C - 2; j >= 0; --j)
      b.col(j).array() = (b.col(j).array() + g_row * b.col(j + 1).array()) * row_wt.col(j).array();
    return b;
  }

  /// Every column ladder at once (vectorised over the columns), row sides at far (R×C).
  Eigen::MatrixXd colsAll(const Eigen::MatrixXd& far, const Eigen::VectorXd& cols_v) const {
    Eigen::MatrixXd b = spec.g_s.cwiseProduct(far).transpose();  // C×R: column i = depth i
    b.col(R - 1) += g_col * cols_v;
    for (Eigen::Index i = 1; i < R; ++i)
      b.col(i).array() += g_col * col_wt.col(i - 1).array() * b.col(i - 1).array();
    b.col(R - 1).array() *= col_wt.col(R - 1).array();
    for (Eigen::Index i = R - 2; i >= 0; --i)
      b.col(i).array() = (b.col(i).array() + g_col * b.col(i + 1).array()) * col_wt.col(i).array();
    return b.transpose();
  }

  /// Block-Jacobi sweeps from the terminal potentials: sweep 1 solves every row ladder with the
  /// columns at their terminals and every column ladder with the rows at theirs; each further
  /// sweep solves them again with the other layer at the previous sweep's voltages.
  void sweeps(int k, const Eigen::VectorXd& rows_v, const Eigen::VectorXd& cols_v,
              Eigen::MatrixXd& u, Eigen::MatrixXd& c) const {
    u = rowsAll(cols_v.transpose().replicate(R, 1), rows_v);
    c = colsAll(rows_v.replicate(1, C), cols_v);
    for (int s = 1; s < k; ++s) {
      Eigen::MatrixXd u_next = rowsAll(c, rows_v);
      c = colsAll(u, cols_v);
      u = std::move(u_next);
    }
  }

  /// x and y of n chains at once: the chains run along the columns of the n_chains×len matrix d
  /// (diagonals), off-diagonal −g; x from position 0 (x_0 = 1), y from position len−1 (= 1).
  static void chainSolutions(const Eigen::MatrixXd& d, double g, Eigen::MatrixXd& x,
                             Eigen::MatrixXd& y, Eigen::VectorXd& theta) {
    const Eigen::Index n = d.cols();
    x.resize(d.rows(), n);
    y.resize(d.rows(), n);
    x.col(0).setOnes();
    y.col(n - 1).setOnes();
    if (n == 1) {
      theta = d.col(0);
      return;
    }
    x.col(1) = d.col(0) / g;
    for (Eigen::Index k = 1; k + 1 < n; ++k)
      x.col(k + 1) = (d.col(k).cwiseProduct(x.col(k)) - g * x.col(k - 1)) / g;
    y.col(n - 2) = d.col(n - 1) / g;
    for (Eigen::Index k = n - 2; k >= 1; --k)
      y.col(k - 1) = (d.col(k).cwiseProduct(y.col(k)) - g * y.col(k + 1)) / g;
    theta = d.col(0).cwiseProduct(y.col(0)) - g * y.col(1);
  }

  void buildGreen() {
    if (green) return;
    buildLadders();
    Eigen::MatrixXd d(R, C);
    for (Eigen::Index j = 0; j < C; ++j)
      d.col(j) = spec.g_s.col(j).array() + (j == 0 ? g_first : g_row) + (j + 1 < C ? g_row : 0.0);
    chainSolutions(d, g_row, rx, ry, rtheta);
    gt = spec.g_s.transpose();
    Eigen::MatrixXd dc(C, R);
    for (Eigen::Index i = 0; i < R; ++i)
      dc.col(i) = gt.col(i).array() + (i > 0 ? g_col : 0.0) + g_col;
    chainSolutions(dc, g_col, cx, cy, ctheta);
    r_inv_theta = rtheta.cwiseInverse();
    c_inv_theta = ctheta.cwiseInverse();
    rxg = rx.cwiseProduct(spec.g_s);
    ryg = ry.cwiseProduct(spec.g_s);
    rxgt = rxg.transpose();
    rygt = ryg.transpose();
    cxg = cx.cwiseProduct(gt);
    cyg = cy.cwiseProduct(gt);
    cxgt = cxg.transpose();
    cygt = cyg.transpose();
    ra = rowsAll(Eigen::MatrixXd::Zero(R, C), Eigen::VectorXd::Ones(R));
    rb = rowsAll(Eigen::MatrixXd::Ones(R, C), Eigen::VectorXd::Zero(R));
    ca = colsAll(Eigen::MatrixXd::Zero(R, C), Eigen::VectorXd::Ones(C)).transpose();
    cb = colsAll(Eigen::MatrixXd::Ones(R, C), Eigen::VectorXd::Zero(C)).transpose();
    // x and y grow like cosh along a line; their products lose the drop to round-off when the
    // cells conduct strongly against the wires: then the fast path is not used.
    const double growth = std::max(
        rx.cwiseAbs().maxCoeff() * ry.cwiseAbs().maxCoeff() / rtheta.cwiseAbs().minCoeff() * g_row,
        cx.cwiseAbs().maxCoeff() * cy.cwiseAbs().maxCoeff() / ctheta.cwiseAbs().minCoeff() * g_col);
    green_ok = std::isfinite(growth) && growth < 1e6 * static_cast<double>(std::max(R, C));
    green = true;
  }

  /// Two-level terminals: every selected index at one level, every other at another.
  static bool twoLevel(const std::vector<Eigen::Index>& sorted, const Eigen::VectorXd& v,
                       double& sel, double& rest) {
    sel = v[sorted.front()];
    bool have_rest = false;
    rest = 0.0;
    std::size_t s = 0;
    for (Eigen::Index k = 0; k < v.size(); ++k) {
      if (s < sorted.size() && sorted[s] == k) {
        if (v[k] != sel) return false;
        ++s;
      } else if (!have_rest) {
        rest = v[k];
        have_rest = true;
      } else if (v[k] != rest) {
        return false;
      }
    }
    return true;
  }

  /// Along one line of n nodes: the prefix sums Σ_{k<=pos[t]} xg_k f_k and Σ_{k<=pos[t]} yg_k f_k
  /// at the sorted positions pos (into sx, sy); returns the total Σ_k yg_k f_k.
  static double prefixAt(const double* xg, const double* yg, const double* f, Eigen::Index n,
                         const std::vector<Eigen::Index>& pos, std::vector<double>& sx,
                         std::vector<double>& sy) {
    double px = 0.0, py = 0.0;
    Eigen::Index k = 0;
    for (std::size_t t = 0; t < pos.size(); ++t) {
      for (; k <= pos[t]; ++k) {
        px += xg[k] * f[k];
        py += yg[k] * f[k];
      }
      sx[t] = px;
      sy[t] = py;
    }
    for (; k < n; ++k) py += yg[k] * f[k];
    return py;
  }

  /// Green's data of one layer: matrices lines × positions (column m = position m on every line).
  struct Layer {
    const Eigen::MatrixXd& x;
    const Eigen::MatrixXd& y;
    const Eigen::MatrixXd& xg;
    const Eigen::MatrixXd& yg;
    const Eigen::MatrixXd& resp_terminal;  ///< response to the line's own terminal at 1 V
    const Eigen::MatrixXd& resp_uniform;   ///< response to every crossing line at 1 V
    const Eigen::VectorXd& inv_theta;
  };

  /// First sweep of a layer (the crossing lines at their terminals: `rest`, plus `delta` on the
  /// sorted selected crossings `sel`), read at the selected positions: lines × |sel|.
  static Eigen::MatrixXd firstSweepAt(const Layer& l, const std::vector<Eigen::Index>& sel,
                                      const Eigen::VectorXd& terminals_v, double rest,
                                      double delta) {
    const Eigen::Index lines = l.x.rows();
    Eigen::MatrixXd out(lines, static_cast<Eigen::Index>(sel.size()));
    Eigen::ArrayXd p = Eigen::ArrayXd::Zero(lines), q = Eigen::ArrayXd::Zero(lines),
                   tot = Eigen::ArrayXd::Zero(lines);
    for (const Eigen::Index m : sel) tot += l.yg.col(m).array();
    for (std::size_t t = 0; t < sel.size(); ++t) {
      const Eigen::Index m = sel[t];
      p += l.xg.col(m).array();
      q += l.yg.col(m).array();
      out.col(static_cast<Eigen::Index>(t)) =
          (terminals_v.array() * l.resp_terminal.col(m).array() +
           rest * l.resp_uniform.col(m).array() +
           delta * (l.y.col(m).array() * p + l.x.col(m).array() * (tot - q)) * l.inv_theta.array())
              .matrix();
    }
    return out;
  }

  /// Selected-cell voltages after 1 or 2 sweeps from the Green's functions (sorted indices,
  /// two-level terminals). Cost O(|rows|·C + |cols|·R).
  Eigen::MatrixXd greenSelected(const std::vector<Eigen::Index>& rs,
                                const std::vector<Eigen::Index>& cs, const Eigen::VectorXd& rows_v,
                                const Eigen::VectorXd& cols_v, double dr, double r_rest, double dc,
                                double c_rest, int sweeps_done) const {
    const auto nr = static_cast<Eigen::Index>(rs.size()), nc = static_cast<Eigen::Index>(cs.size());
    // Sweep 1, the column layer at the selected rows (c0.col(a) = c⁰(rs[a], :)) and the row
    // layer at the selected columns (u0.col(b) = u⁰(:, cs[b])).
    const Eigen::MatrixXd c0 =
        firstSweepAt({cx, cy, cxg, cyg, ca, cb, c_inv_theta}, rs, cols_v, r_rest, dr);
    const Eigen::MatrixXd u0 =
        firstSweepAt({rx, ry, rxg, ryg, ra, rb, r_inv_theta}, cs, rows_v, c_rest, dc);
    Eigen::MatrixXd v(nr, nc);
    if (sweeps_done == 1) {
      for (Eigen::Index b = 0; b < nc; ++b)
        for (Eigen::Index a = 0; a < nr; ++a) v(a, b) = u0(rs[a], b) - c0(cs[b], a);
      return v;
    }
    // Sweep 2: row i with its cells' column side at c⁰(i, :), column j with the row side at
    // u⁰(:, j): one pass along each selected line, the prefix sums read at the selected
    // crossings. T⁻¹(j,k) g_k f_k summed over k: (y_j Σ_{k<=j} x_k g_k f_k + x_j Σ_{k>j} …)/θ.
    std::vector<double> sx(static_cast<std::size_t>(std::max(nr, nc))), sy(sx.size());
    for (Eigen::Index a = 0; a < nr; ++a) {
      const Eigen::Index i = rs[a];
      const double tot =
          prefixAt(rxgt.col(i).data(), rygt.col(i).data(), c0.col(a).data(), C, cs, sx, sy);
      for (Eigen::Index b = 0; b < nc; ++b) {
        const Eigen::Index j = cs[b];
        v(a, b) =
            rows_v[i] * ra(i, j) + (ry(i, j) * sx[b] + rx(i, j) * (tot - sy[b])) * r_inv_theta[i];
      }
    }
    for (Eigen::Index b = 0; b < nc; ++b) {
      const Eigen::Index j = cs[b];
      const double tot =
          prefixAt(cxgt.col(j).data(), cygt.col(j).data(), u0.col(b).data(), R, rs, sx, sy);
      for (Eigen::Index a = 0; a < nr; ++a) {
        const Eigen::Index i = rs[a];
        v(a, b) -=
            cols_v[j] * ca(j, i) + (cy(j, i) * sx[a] + cx(j, i) * (tot - sy[a])) * c_inv_theta[j];
      }
    }
    return v;
  }
};

TrainingCrossbar::TrainingCrossbar(CrossbarSpec spec, TrainingCrossbarOptions options)
    : impl_(std::make_unique<Impl>()) {
  spec.validate();
  if (spec.cell != CellKind::OneR || !spec.iv.isLinear() || !spec.sense->holdsInput() ||
      !spec.sense->isLinear())
    throw Error(
        "training crossbar: needs linear 1R cells and an ideal (virtual-ground) sense "
        "amplifier");
  if ((spec.r_row_ohm > 0.0) != (spec.r_col_ohm > 0.0))
    throw Error(
        fmt::format("training crossbar: r_row_ohm ({}) and r_col_ohm ({}) must be both > 0 "
                    "or both 0",
                    spec.r_row_ohm, spec.r_col_ohm));
  Impl& m = *impl_;
  m.R = spec.rows;
  m.C = spec.cols;
  m.ideal_wires = spec.r_row_ohm == 0.0;
  if (options.ladder_sweeps < 1)
    throw Error(fmt::format("training crossbar: ladder_sweeps must be >= 1, got {}",
                            options.ladder_sweeps));
  m.opt = options;
  if (m.ideal_wires) {
    m.g_first = spec.r_driver_ohm > 0.0 ? 1.0 / spec.r_driver_ohm : 0.0;
  } else {
    m.g_first = 1.0 / (spec.r_driver_ohm + spec.r_row_ohm);
    m.g_row = 1.0 / spec.r_row_ohm;
    m.g_col = 1.0 / spec.r_col_ohm;
    m.gp.rows = m.R;
    m.gp.cols = m.C;
    m.gp.g_first = m.g_first;
    m.gp.g_row = m.g_row;
    m.gp.g_col = m.g_col;
    m.go.threads = std::max(1, options.threads);
  }
  m.spec = std::move(spec);
}

TrainingCrossbar::~TrainingCrossbar() = default;
TrainingCrossbar::TrainingCrossbar(TrainingCrossbar&&) noexcept = default;
TrainingCrossbar& TrainingCrossbar::operator=(TrainingCrossbar&&) noexcept = default;

Eigen::Index TrainingCrossbar::rows() const noexcept { return impl_->R; }
Eigen::Index TrainingCrossbar::cols() const noexcept { return impl_->C; }
const CrossbarSpec& TrainingCrossbar::spec() const noexcept { return impl_->spec; }
const Eigen::MatrixXd& TrainingCrossbar::conductances() const noexcept { return impl_->spec.g_s; }
int TrainingCrossbar::factorizations() const noexcept { return impl_->factorizations; }
int TrainingCrossbar::lastCgIterations() const noexcept { return impl_->cg_iterations; }

void TrainingCrossbar::setConductances(const Eigen::MatrixXd& g_s) {
  Impl& m = *impl_;
  if (g_s.rows() != m.R || g_s.cols() != m.C)
    throw Error(fmt::format("training crossbar: conductances are {}×{}, expected {}×{}", g_s.rows(),
                            g_s.cols(), m.R, m.C));
  for (Eigen::Index j = 0; j < m.C; ++j)
    for (Eigen::Index i = 0; i < m.R; ++i)
      if (const std::string p = conductanceProblem(g_s(i, j)); !p.empty())
        throw Error(fmt::format("training crossbar: cell ({},{}): {}", i, j, p));
  m.spec.g_s = g_s;
  m.invalidate();
}

const Eigen::MatrixXd& TrainingCrossbar::forwardMatrix() {
  impl_->factorize(false);
  return impl_->fwd;
}

Eigen::MatrixXd TrainingCrossbar::forward(const Eigen::MatrixXd& v_rows) {
  checkVoltages(v_rows, impl_->R, "row");
  return forwardMatrix() * v_rows;
}

Eigen::MatrixXd TrainingCrossbar::backward(const Eigen::MatrixXd& v_cols) {
  checkVoltages(v_cols, impl_->C, "column");
  return forwardMatrix().transpose() * v_cols;
}

Eigen::MatrixXd TrainingCrossbar::cellVoltagesBatch(const Eigen::MatrixXd& rows_v,
                                                    const Eigen::MatrixXd& cols_v) {
  Impl& m = *impl_;
  checkVoltages(rows_v, m.R, "row");
  checkVoltages(cols_v, m.C, "column");
  if (rows_v.cols() != cols_v.cols())
    throw Error(
        fmt::format("training crossbar: {} row and {} column slots", rows_v.cols(), cols_v.cols()));
  const Eigen::Index K = rows_v.cols(), R = m.R, C = m.C;
  Eigen::MatrixXd out(R * C, K);
  if (m.ideal_wires) {
    for (Eigen::Index k = 0; k < K; ++k) {
      const Eigen::VectorXd u = m.idealRowNodes(rows_v.col(k), cols_v.col(k));
      Eigen::Map<Eigen::MatrixXd> v(out.col(k).data(), R, C);
      v = u.replicate(1, C) - cols_v.col(k).transpose().replicate(R, 1);
    }
    return out;
  }
  m.factorize(true);
  // Injections of the driven terminals: g_first·V_i at row node (i,0), g_col·V_j at column node
  // (R-1,j); the unknowns are row node (i,j) = 2(iC+j), column node (i,j) = 2(iC+j)+1.
  Eigen::MatrixXd b = Eigen::MatrixXd::Zero(2 * R * C, K);
  for (Eigen::Index k = 0; k < K; ++k) {
    for (Eigen::Index i = 0; i < R; ++i) b(2 * (i * C), k) = m.g_first * rows_v(i, k);
    for (Eigen::Index j = 0; j < C; ++j) b(2 * ((R - 1) * C + j) + 1, k) = m.g_col * cols_v(j, k);
  }
  m.grid->solve(b);
  for (Eigen::Index k = 0; k < K; ++k)
    for (Eigen::Index j = 0; j < C; ++j)
      for (Eigen::Index i = 0; i < R; ++i)
        out(i + j * R, k) = b(2 * (i * C + j), k) - b(2 * (i * C + j) + 1, k);
  return out;
}

Eigen::MatrixXd TrainingCrossbar::cellVoltages(const Eigen::VectorXd& rows_v,
                                               const Eigen::VectorXd& cols_v,
                                               UpdateCircuitMode mode) {
  Impl& m = *impl_;
  if (mode == UpdateCircuitMode::Exact || m.ideal_wires) {
    const Eigen::MatrixXd flat = cellVoltagesBatch(rows_v, cols_v);
    return Eigen::Map<const Eigen::MatrixXd>(flat.data(), m.R, m.C);
  }
  checkVoltages(rows_v, m.R, "row");
  checkVoltages(cols_v, m.C, "column");
  if (mode == UpdateCircuitMode::Iterative) {
    detail::LineCgProblem p{m.g_first, m.g_row, m.g_col};
    Eigen::MatrixXd u, c;
    const auto res = detail::solveLineCg(p, m.spec.g_s, rows_v, u, c, m.opt.cg_max_iterations,
                                         m.opt.cg_rel_tol, cols_v);
    m.cg_iterations = res.iterations;
    if (!res.converged)
      throw NumericalError(
          fmt::format("training crossbar: conjugate gradients did not converge in {} "
                      "iterations (cg_rel_tol {})",
                      res.iterations, m.opt.cg_rel_tol));
    return u - c;
  }
  m.buildLadders();
  Eigen::MatrixXd u, c;
  m.sweeps(m.opt.ladder_sweeps, rows_v, cols_v, u, c);
  return u - c;
}

Eigen::MatrixXd TrainingCrossbar::selectedCellVoltages(const std::vector<Eigen::Index>& rows,
                                                       const std::vector<Eigen::Index>& cols,
                                                       const Eigen::VectorXd& rows_v,
                                                       const Eigen::VectorXd& cols_v) {
  Impl& m = *impl_;
  checkIndices(rows, m.R, "row");
  checkIndices(cols, m.C, "column");
  checkVoltages(rows_v, m.R, "row");
  checkVoltages(cols_v, m.C, "column");
  const auto nr = static_cast<Eigen::Index>(rows.size()),
             nc = static_cast<Eigen::Index>(cols.size());
  Eigen::MatrixXd v(nr, nc);
  if (m.ideal_wires) {
    const Eigen::VectorXd u = m.idealRowNodes(rows_v, cols_v);
    for (Eigen::Index b = 0; b < nc; ++b)
      for (Eigen::Index a = 0; a < nr; ++a) v(a, b) = u[rows[a]] - cols_v[cols[b]];
    return v;
  }
  if (nr == 0 || nc == 0) return v;
  if (m.opt.ladder_sweeps <= 2) {
    // Sorted copies (the prefix sums run along the lines) and the two terminal levels.
    std::vector<Eigen::Index> pr(rows.size()), pc(cols.size());
    std::iota(pr.begin(), pr.end(), Eigen::Index{0});
    std::iota(pc.begin(), pc.end(), Eigen::Index{0});
    std::sort(pr.begin(), pr.end(),
              [&](Eigen::Index x, Eigen::Index y) { return rows[x] < rows[y]; });
    std::sort(pc.begin(), pc.end(),
              [&](Eigen::Index x, Eigen::Index y) { return cols[x] < cols[y]; });
    std::vector<Eigen::Index> rs(rows.size()), cs(cols.size());
    for (std::size_t k = 0; k < rs.size(); ++k) rs[k] = rows[pr[k]];
    for (std::size_t k = 0; k < cs.size(); ++k) cs[k] = cols[pc[k]];
    if (std::adjacent_find(rs.begin(), rs.end()) != rs.end() ||
        std::adjacent_find(cs.begin(), cs.end()) != cs.end())
      throw Error("training crossbar: a row or column is selected twice");
    double r_sel = 0.0, r_rest = 0.0, c_sel = 0.0, c_rest = 0.0;
    m.buildGreen();
    if (m.green_ok && Impl::twoLevel(rs, rows_v, r_sel, r_rest) &&
        Impl::twoLevel(cs, cols_v, c_sel, c_rest)) {
      const Eigen::MatrixXd vs = m.greenSelected(rs, cs, rows_v, cols_v, r_sel - r_rest, r_rest,
                                                 c_sel - c_rest, c_rest, m.opt.ladder_sweeps);
      for (Eigen::Index b = 0; b < nc; ++b)
        for (Eigen::Index a = 0; a < nr; ++a) v(pr[a], pc[b]) = vs(a, b);
      return v;
    }
  }
  m.buildLadders();
  // The last sweep only on the selected lines, the earlier ones (if any) on every line.
  Eigen::MatrixXd u_prev, c_prev;
  if (m.opt.ladder_sweeps > 1) m.sweeps(m.opt.ladder_sweeps - 1, rows_v, cols_v, u_prev, c_prev);
  Eigen::VectorXd far, line;
  for (Eigen::Index a = 0; a < nr; ++a) {
    const Eigen::Index i = rows[a];
    if (m.opt.ladder_sweeps > 1)
      far = c_prev.row(i).transpose();
    else
      far = cols_v;
    m.rowLine(i, far, rows_v, line);
    for (Eigen::Index b = 0; b < nc; ++b) v(a, b) = line[cols[b]];
  }
  for (Eigen::Index b = 0; b < nc; ++b) {
    const Eigen::Index j = cols[b];
    if (m.opt.ladder_sweeps > 1)
      far = u_prev.col(j);
    else
      far = rows_v;
    m.colLine(j, far, cols_v, line);
    for (Eigen::Index a = 0; a < nr; ++a) v(a, b) -= line[rows[a]];
  }
  return v;
}

Eigen::MatrixXd TrainingCrossbar::coincidenceStepFractions(const UpdateBias& bias,
                                                           const std::vector<Eigen::Index>& rows,
                                                           const std::vector<Eigen::Index>& cols,
                                                           int polarity,
                                                           const PulseEfficiency& efficiency) {
  efficiency.validate();
  const auto t = biasTerminals(bias, impl_->R, impl_->C, rows, cols, polarity);
  return selectedCellVoltages(rows, cols, t.rows_v, t.cols_v).unaryExpr(std::cref(efficiency));
}

}  // namespace xbarsim::circuit
