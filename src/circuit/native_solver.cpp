// SPDX-License-Identifier: MIT
#include "xbarsim/circuit/native_solver.hpp"

#include <fmt/format.h>

#include <Eigen/Cholesky>
#include <Eigen/QR>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <thread>

#include "detail/native_cell.hpp"
#include "detail/native_dense.hpp"
#include "detail/native_grid.hpp"
#include "detail/native_line_cg.hpp"
#include "detail/native_sparse.hpp"
#include "detail/native_sparse_lu.hpp"
#include "detail/native_topology.hpp"
#include "xbarsim/core/error.hpp"

namespace xbarsim::circuit {

namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

const CrossbarSpec& validated(const CrossbarSpec& spec) {
  spec.validate();
  if (!spec.sense->hasDcFace())
    throw Error(fmt::format("native solver: the {} sense amplifier has no DC operating point; "
                            "W_eff and MVMs need an amplifier that has one (a transient reads it)",
                            spec.sense->kind()));
  return spec;
}

/// A chord step is kept when it shrinks the KCL residual at least this much (else the Jacobian
/// is refreshed): slower contraction costs more solves than a factorization saves.
constexpr double kChordContraction = 0.2;

/// Conjugate gradients of iterative MVMs: the relative size of the last update, and the
/// iterations after which the multiport factorization takes over.
constexpr double kCgRelTol = 1e-14;
constexpr int kCgMaxIterations = 400;

/// One edge incident to an (ideal) sense node: its other end and whether it is a cell.
struct SenseEdge {
  int other;         // encoded node at the other end
  Eigen::Index i;    // cell row (cells only)
  Eigen::Index j;    // cell column (cells only)
  double g;          // wire conductance (wires only)
  bool cell;
};

}  // namespace

struct NativeSolver::Impl {
  CrossbarSpec spec;
  NativeOptions opt;
  detail::Topology topo;
  bool use_grid = false;
  std::unique_ptr<detail::GridMultifrontal> grid;
  detail::GridParams grid_params;
  detail::GridOptions grid_options;
  std::unique_ptr<detail::SparseNodal> sparse;
  std::unique_ptr<detail::SparseNodalLU> lu;  // 1T1R: non-symmetric Jacobian (detail/native_cell.hpp)
  Eigen::MatrixXd gb;                         // 1T1R: −∂I/∂V_col per cell (lu only)
  std::vector<std::vector<SenseEdge>> sense_edges;  // per column (ideal sense only)
  Eigen::VectorXd x;         // unknowns of the last solution (warm start)
  Eigen::VectorXd x_inputs;  // inputs of the last solution
  bool have_x = false;
  bool linear_factor_valid = false;  // constant-Jacobian circuits: factors kept for solves
  bool chord_factors_valid = false;  // non-linear: kept factors of an earlier Jacobian (chord)
  /// Port-reduced solves leave the interior node voltages uncomputed: the inputs of that
  /// operating point, solved in full on request (rowNodeVoltages ...).
  bool lazy_x = false;
  Eigen::VectorXd lazy_inputs;
  NativeReport rep;

  Impl(CrossbarSpec s, NativeOptions o) : spec(std::move(s)), opt(o), topo(validated(spec)) {
    int threads = opt.threads > 0 ? opt.threads
                                  : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    if (opt.factorization == NativeFactorization::Grid && !topo.gridLayout())
      throw Error("native solver: the grid factorization needs r_row_ohm > 0 and r_col_ohm > 0");
    const bool one_t = spec.cell == CellKind::OneT1R;
    if (one_t && opt.factorization == NativeFactorization::Grid)
      throw Error("native solver: 1T1R cells have a non-symmetric Jacobian; the grid "
                  "factorization does not apply (use auto or sparse)");
    use_grid = !one_t && opt.factorization != NativeFactorization::Sparse && topo.gridLayout();
    if (use_grid) {
      detail::GridParams gp;
      gp.rows = spec.rows;
      gp.cols = spec.cols;
      gp.g_first = 1.0 / (spec.r_driver_ohm + spec.r_row_ohm);
      gp.g_row = 1.0 / spec.r_row_ohm;
      gp.g_col = 1.0 / spec.r_col_ohm;
      detail::GridOptions go;
      go.leaf_rows = go.leaf_cols = std::max(1, opt.leaf_size);
      go.threads = threads;
      grid_params = gp;
      grid_options = go;  // the elimination tree is built by the first factorization
      rep.factorization = fmt::format("grid-multifrontal ({})", detail::dense::kernelName());
    } else if (one_t) {
      lu = std::make_unique<detail::SparseNodalLU>(topo);
      rep.factorization = "sparse-lu (colamd)";
    } else {
      sparse = std::make_unique<detail::SparseNodal>(topo);
      rep.factorization = "sparse-ldlt (amd)";
    }
    rep.unknowns = topo.unknowns();
    if (!topo.freeSense()) {
      sense_edges.resize(static_cast<std::size_t>(spec.cols));
      auto senseCol = [&](int node) -> int {
        return (node < 0 && topo.driverOf(node) < 0) ? -1 - node - static_cast<int>(spec.rows) : -1;
      };
      for (Eigen::Index i = 0; i < spec.rows; ++i)
        for (Eigen::Index j = 0; j < spec.cols; ++j) {
          const int sc = senseCol(topo.colNode(i, j));
          if (sc >= 0) sense_edges[sc].push_back({topo.rowNode(i, j), i, j, 0.0, true});
        }
      for (const auto& w : topo.wires()) {
        if (const int sb = senseCol(w.b); sb >= 0) sense_edges[sb].push_back({w.a, 0, 0, w.g, false});
        if (const int sa = senseCol(w.a); sa >= 0) sense_edges[sa].push_back({w.b, 0, 0, w.g, false});
      }
    }
  }

  bool constantJacobian() const { return spec.isLinear(); }

  double volt(int node, const Eigen::VectorXd& xv, const Eigen::VectorXd& vin) const {
    return topo.voltage(node, xv.data(), vin.data());
  }

  /// KCL residual: current leaving each unknown node.
  void residual(const Eigen::VectorXd& xv, const Eigen::VectorXd& vin, Eigen::VectorXd& f) const {
    f.setZero(topo.unknowns());
    for (Eigen::Index j = 0; j < spec.cols; ++j)
      for (Eigen::Index i = 0; i < spec.rows; ++i) {
        const int a = topo.rowNode(i, j);
        const int b = topo.colNode(i, j);
        const double cur = detail::evalCell(spec, spec.g_s(i, j), volt(a, xv, vin), volt(b, xv, vin)).i;
        if (a >= 0) f[a] += cur;
        if (b >= 0) f[b] -= cur;
      }
    for (const auto& w : topo.wires()) {
      const double cur = w.g * (volt(w.a, xv, vin) - volt(w.b, xv, vin));
      if (w.a >= 0) f[w.a] += cur;
      if (w.b >= 0) f[w.b] -= cur;
    }
    if (topo.freeSense())
      for (Eigen::Index j = 0; j < spec.cols; ++j) {
        const int o = topo.outNode(j);
        f[o] += spec.sense->load(xv[o]).i_a;
      }
  }

  /// The first cell whose small-signal conductance overflowed, with its nodes and voltage.
  [[noreturn]] void throwCellOverflow(const Eigen::VectorXd& xv, const Eigen::VectorXd& vin,
                                      const Eigen::MatrixXd& gd) const {
    Eigen::Index ci = 0, cj = 0;
    for (Eigen::Index j = 0; j < gd.cols(); ++j)
      for (Eigen::Index i = 0; i < gd.rows(); ++i)
        if (!std::isfinite(gd(i, j)) || (gb.size() == gd.size() && !std::isfinite(gb(i, j)))) {
          ci = i;
          cj = j;
          j = gd.cols();
          break;
        }
    const int a = topo.rowNode(ci, cj);
    const int b = topo.colNode(ci, cj);
    throw NumericalError(fmt::format(
        "native solver: conductance of cell ({},{}) overflowed at {:.4g} V between {} and {} "
        "(v/v0 = {:.4g}; the Newton iterate diverged or the read voltage is far beyond the "
        "sinh law's range)",
        ci, cj, volt(a, xv, vin) - volt(b, xv, vin), topo.nodeName(a), topo.nodeName(b),
        spec.iv.isLinear() ? 0.0 : (volt(a, xv, vin) - volt(b, xv, vin)) / spec.iv.v0_v));
  }

  /// Small-signal cell conductances and sense loads at (xv, vin).
  /// gd = ∂I/∂V_row per cell; with 1T1R also gb = −∂I/∂V_col (member, for the LU).
  void jacobian(const Eigen::VectorXd& xv, const Eigen::VectorXd& vin, Eigen::MatrixXd& gd,
                Eigen::VectorXd& gload) {
    if (spec.cell == CellKind::OneR && spec.iv.isLinear()) {
      gd = spec.g_s;
    } else {
      gd.resize(spec.rows, spec.cols);
      if (lu) gb.resize(spec.rows, spec.cols);
      for (Eigen::Index j = 0; j < spec.cols; ++j)
        for (Eigen::Index i = 0; i < spec.rows; ++i) {
          const auto e = detail::evalCell(spec, spec.g_s(i, j), volt(topo.rowNode(i, j), xv, vin),
                                          volt(topo.colNode(i, j), xv, vin));
          gd(i, j) = e.g_a;
          if (lu) gb(i, j) = e.g_b;
        }
      if (!gd.allFinite() || (lu && !gb.allFinite())) throwCellOverflow(xv, vin, gd);
    }
    gload.resize(0);
    if (topo.freeSense()) {
      gload.resize(spec.cols);
      for (Eigen::Index j = 0; j < spec.cols; ++j) gload[j] = spec.sense->load(xv[topo.outNode(j)]).di_dv_s;
    }
  }

  void factorize(const Eigen::MatrixXd& gd, const Eigen::VectorXd& gload, bool keep) {
    const auto t0 = Clock::now();
    if (use_grid) {
      if (!grid) grid = std::make_unique<detail::GridMultifrontal>(grid_params, grid_options);
      try {
        grid->setOutLoads(gload);
        grid->factorize(gd, keep);
      } catch (const NumericalError&) {
        // Name the culprit node when the matrix is singular because a node floats.
        const auto floating = detail::SparseNodal::floatingNodes(topo, gd, gload);
        if (!floating.empty())
          throw NumericalError(fmt::format(
              "native solver: singular circuit matrix: floating node {}{} (no conducting path to "
              "a driver or sense node)", topo.nodeName(floating.front()),
              floating.size() > 1 ? fmt::format(" and {} more", floating.size() - 1) : std::string()));
        throw;
      }
      rep.factor_bytes = grid->factorBytes();
    } else if (lu) {
      lu->factorize(gd, gb.size() == gd.size() ? gb : gd, gload);
      rep.factor_bytes = lu->factorNonZeros() * (sizeof(double) + sizeof(int));
    } else {
      sparse->factorize(gd, gload);
      rep.factor_bytes = sparse->factorNonZeros() * (sizeof(double) + sizeof(int));
    }
    linear_factor_valid = false;
    chord_factors_valid = false;
    ++rep.factorizations;
    rep.factor_s += since(t0);
  }

  void solve(Eigen::MatrixXd& b) {
    const auto t0 = Clock::now();
    if (use_grid)
      grid->solve(b);
    else if (lu)
      lu->solve(b);
    else
      sparse->solve(b);
    rep.solves += static_cast<int>(b.cols());
    rep.solve_s += since(t0);
  }

  /// W (C×R) of the circuit linearized at the last factorization (gd, gload).
  Eigen::MatrixXd weights(const Eigen::MatrixXd& gd, const Eigen::VectorXd& gload) {
    const Eigen::Index R = spec.rows;
    const Eigen::Index C = spec.cols;
    if (use_grid) {
      const Eigen::MatrixXd& y = grid->multiport();
      if (!topo.freeSense()) return -y.bottomLeftCorner(C, R);
      Eigen::MatrixXd yoo = y.bottomRightCorner(C, C);
      yoo.diagonal() += gload;
      Eigen::LLT<Eigen::MatrixXd> llt(yoo);
      if (llt.info() != Eigen::Success)
        throw NumericalError("native solver: sense-node system is not positive definite");
      Eigen::MatrixXd dv = -llt.solve(y.bottomLeftCorner(C, R));
      return gload.asDiagonal() * dv;
    }
    // General topology: Z = J⁻¹ B (B = driver couplings), in blocks of right-hand sides.
    const Eigen::Index n = topo.unknowns();
    Eigen::MatrixXd w = Eigen::MatrixXd::Zero(C, R);
    // Driver couplings: (unknown node, driver row, conductance).
    struct Coupling {
      int node;
      int row;
      double g;
    };
    std::vector<Coupling> couplings;
    for (Eigen::Index i = 0; i < R; ++i)
      for (Eigen::Index j = 0; j < C; ++j) {
        const int a = topo.rowNode(i, j);
        const int b = topo.colNode(i, j);
        if (a < 0 && b >= 0) couplings.push_back({b, topo.driverOf(a), gd(i, j)});
      }
    for (const auto& e : topo.wires()) {
      if (e.a < 0 && e.b >= 0 && topo.driverOf(e.a) >= 0) couplings.push_back({e.b, topo.driverOf(e.a), e.g});
      if (e.b < 0 && e.a >= 0 && topo.driverOf(e.b) >= 0) couplings.push_back({e.a, topo.driverOf(e.b), e.g});
    }
    // Direct driver -> sense cells (both ends fixed).
    if (!topo.freeSense())
      for (Eigen::Index j = 0; j < C; ++j)
        for (const auto& se : sense_edges[j])
          if (se.other < 0 && topo.driverOf(se.other) >= 0)
            w(j, topo.driverOf(se.other)) += se.cell ? gd(se.i, se.j) : se.g;
    if (n == 0 || couplings.empty()) return w;
    const Eigen::Index block = std::max<Eigen::Index>(1, std::min<Eigen::Index>(R, (1 << 24) / std::max<Eigen::Index>(1, n)));
    for (Eigen::Index i0 = 0; i0 < R; i0 += block) {
      const Eigen::Index nb = std::min(block, R - i0);
      Eigen::MatrixXd z = Eigen::MatrixXd::Zero(n, nb);
      for (const auto& c : couplings)
        if (c.row >= i0 && c.row < i0 + nb) z(c.node, c.row - i0) += c.g;
      solve(z);
      for (Eigen::Index j = 0; j < C; ++j) {
        if (topo.freeSense()) {
          w.block(j, i0, 1, nb) = gload[j] * z.row(topo.outNode(j));
        } else {
          for (const auto& se : sense_edges[j])
            if (se.other >= 0)
              w.block(j, i0, 1, nb) += (se.cell ? gd(se.i, se.j) : se.g) * z.row(se.other);
        }
      }
    }
    return w;
  }

  /// Column currents at the operating point (xv, vin).
  Eigen::VectorXd senseCurrents(const Eigen::VectorXd& xv, const Eigen::VectorXd& vin) const {
    Eigen::VectorXd cur(spec.cols);
    for (Eigen::Index j = 0; j < spec.cols; ++j) {
      if (topo.freeSense()) {
        cur[j] = spec.sense->load(xv[topo.outNode(j)]).i_a;
        continue;
      }
      double s = 0.0;
      for (const auto& se : sense_edges[j]) {
        const double v = volt(se.other, xv, vin);  // the sense node itself is at 0 V
        s += se.cell ? detail::evalCell(spec, spec.g_s(se.i, se.j), v, 0.0).i : se.g * v;
      }
      cur[j] = s;
    }
    return cur;
  }

  /// Node voltages of the last solved operating point (solved in full if it was port-reduced;
  /// empty for a circuit without unknowns).
  const Eigen::VectorXd& operatingPoint() {
    if (topo.unknowns() == 0) {
      x.resize(0);
      return x;
    }
    ensureNodeVoltages();
    if (!have_x) throw Error("native solver: no operating point solved yet");
    return x;
  }

  /// Power taken from the sources at the operating point (xv, vin) (NativeSolver::arrayPower).
  double sourcePower(const Eigen::VectorXd& xv, const Eigen::VectorXd& vin) const {
    double p = 0.0;
    for (Eigen::Index i = 0; i < spec.rows; ++i) {
      double row = 0.0;
      for (Eigen::Index j = 0; j < spec.cols; ++j)
        row += detail::evalCell(spec, spec.g_s(i, j), volt(topo.rowNode(i, j), xv, vin),
                                volt(topo.colNode(i, j), xv, vin)).i;
      p += vin[i] * row;
    }
    if (topo.freeSense())
      for (Eigen::Index j = 0; j < spec.cols; ++j) {
        const double v = xv[topo.outNode(j)];
        p -= v * spec.sense->load(v).i_a;
      }
    return p;
  }

  /// Current each row driver delivers at (xv, vin): the sum of its row's cell currents.
  Eigen::VectorXd driverCurrents(const Eigen::VectorXd& xv, const Eigen::VectorXd& vin) const {
    Eigen::VectorXd cur = Eigen::VectorXd::Zero(spec.rows);
    for (Eigen::Index i = 0; i < spec.rows; ++i)
      for (Eigen::Index j = 0; j < spec.cols; ++j)
        cur[i] += detail::evalCell(spec, spec.g_s(i, j), volt(topo.rowNode(i, j), xv, vin),
                                   volt(topo.colNode(i, j), xv, vin)).i;
    return cur;
  }

  /// Index of the largest |f| entry, or of the first non-finite one.
  static Eigen::Index worstIndex(const Eigen::VectorXd& f) {
    Eigen::Index k = 0;
    for (k = 0; k < f.size() && std::isfinite(f[k]); ++k) {
    }
    if (k == f.size()) f.cwiseAbs().maxCoeff(&k);  // else: the first non-finite entry
    return k;
  }

  std::string worstNode(const Eigen::VectorXd& f) const {
    return f.size() == 0 ? std::string() : topo.nodeName(static_cast<int>(worstIndex(f)));
  }

  /// Damped step of a Newton iteration: from x along dx (max |dx| = dnorm), at most max_step_v
  /// (unless full_step), halved while the KCL residual does not decrease. Fills the new point
  /// xt, its residual ft (via residual_at(xt)) and ftnorm; returns the step length.
  template <class ResidualAt, class WorstName>
  double lineSearch(const Eigen::VectorXd& xv, const Eigen::VectorXd& dx, double dnorm, bool full_step,
                    double fnorm, ResidualAt&& residual_at, Eigen::VectorXd& xt,
                    const Eigen::VectorXd& ft, double& ftnorm, NewtonReport& nr, int it,
                    WorstName&& worst) const {
    const auto& no = opt.newton;
    double alpha = (!full_step && dnorm > no.max_step_v) ? no.max_step_v / dnorm : 1.0;
    for (int bt = 0;; ++bt) {
      xt = xv + alpha * dx;
      residual_at(xt);
      ftnorm = ft.allFinite() ? ft.lpNorm<Eigen::Infinity>() : std::numeric_limits<double>::infinity();
      const bool small_step = alpha * dnorm <= 1e3 * no.floor_tol_v;
      if (full_step || small_step || ftnorm <= (1.0 - 1e-4 * alpha) * fnorm ||
          (bt >= no.max_backtracks && std::isfinite(ftnorm)))
        return alpha;
      if (bt >= no.max_backtracks)
        throw NumericalError(fmt::format(
            "native solver: Newton step gives a non-finite residual at iteration {} (worst "
            "node: {})", it, worst()));
      alpha *= 0.5;
      ++nr.backtracks;
    }
  }

  /// Damped Newton for the node voltages at inputs vin, from the warm start x.
  NewtonReport newton(const Eigen::VectorXd& vin) {
    const auto& no = opt.newton;
    NewtonReport nr;
    const Eigen::Index n = topo.unknowns();
    if (!have_x || x.size() != n) {
      // Cold start at 0 V, amplifier inputs at their virtual ground (v = f(v)): from 0 V a
      // high-gain amplifier with an offset starts deep in saturation.
      x = Eigen::VectorXd::Zero(n);
      if (topo.freeSense()) {
        const double v = spec.sense->restingInput();
        for (Eigen::Index j = 0; j < spec.cols; ++j) x[topo.outNode(j)] = v;
      }
    }
    Eigen::VectorXd f, ft, xt;
    Eigen::MatrixXd gd;
    Eigen::VectorXd gload;
    residual(x, vin, f);
    double fnorm = n > 0 ? f.lpNorm<Eigen::Infinity>() : 0.0;
    if (n == 0) {
      nr.converged = true;
      return nr;
    }
    const bool constant = constantJacobian();
    double prev_update = std::numeric_limits<double>::infinity();
    double chord_prev_step = std::numeric_limits<double>::infinity();
    for (int it = 1; it <= no.max_iterations; ++it) {
      // Chord (modified) Newton: the factors of an earlier Jacobian (this solve's or the
      // previous vector's) are tried first; a step that does not halve the residual is
      // discarded and the iteration redone with a fresh Jacobian (full Newton).
      const bool chord = !constant && chord_factors_valid;
      if (!(constant && linear_factor_valid) && !chord) {
        jacobian(x, vin, gd, gload);
        factorize(gd, gload, true);
        if (constant) linear_factor_valid = true;
        chord_factors_valid = !constant && opt.chord;
      }
      Eigen::MatrixXd dx = -f;
      solve(dx);
      if (chord) {
        const double dn = dx.allFinite() ? dx.lpNorm<Eigen::Infinity>() : std::numeric_limits<double>::infinity();
        bool accept = dn <= no.max_step_v;
        if (accept) {
          xt = x + dx.col(0);
          residual(xt, vin, ft);
          const double ftn = ft.allFinite() ? ft.lpNorm<Eigen::Infinity>() : std::numeric_limits<double>::infinity();
          accept = ftn <= kChordContraction * fnorm;
          if (accept) {
            // Linear convergence at rate theta: the error left is about theta/(1-theta)·dn,
            // required a thousand times below the Newton tolerance (the full Newton's last,
            // quadratic step leaves far less than its tolerance; so must the chord).
            const double theta = std::min(kChordContraction, std::max(ftn / fnorm, dn / chord_prev_step));
            x.swap(xt);
            f.swap(ft);
            fnorm = ftn;
            nr.iterations = it;
            nr.update_v = dn;
            ++rep.chord_steps;
            chord_prev_step = dn;
            if (theta / (1.0 - theta) * dn <= 1e-3 * (no.abs_tol_v + no.rel_tol * x.lpNorm<Eigen::Infinity>())) {
              nr.converged = true;
              break;
            }
            prev_update = std::numeric_limits<double>::infinity();
            continue;
          }
        }
        chord_factors_valid = false;  // redo this iteration with a fresh Jacobian
        --it;
        continue;
      }
      if (!dx.allFinite())
        throw NumericalError(fmt::format("native solver: Newton update is not finite at iteration {} "
                                         "(worst node: {})", it, worstNode(f)));
      const double dnorm = dx.lpNorm<Eigen::Infinity>();
      // A linear circuit takes the full step: the damped first step of a constant-Jacobian
      // solve, declared converged after the refinement step, left inputs > max_step_v short.
      double ftnorm = 0.0;
      const double alpha = lineSearch(
          x, dx.col(0), dnorm, constant, fnorm, [&](const Eigen::VectorXd& p) { residual(p, vin, ft); },
          xt, ft, ftnorm, nr, it, [&] { return worstNode(f); });
      x.swap(xt);
      f.swap(ft);
      fnorm = ftnorm;
      const double update = alpha * dnorm;
      nr.iterations = it;
      nr.update_v = update;
      if (constant && it >= 2) {  // one step + one refinement step with the same factors
        nr.converged = true;
        break;
      }
      const double scale = x.lpNorm<Eigen::Infinity>();
      if (update <= no.abs_tol_v + no.rel_tol * scale ||
          (alpha == 1.0 && update <= no.floor_tol_v && update > 0.5 * prev_update)) {
        nr.converged = true;
        break;
      }
      prev_update = alpha == 1.0 ? update : std::numeric_limits<double>::infinity();
    }
    nr.residual_a = fnorm;
    nr.worst_node = worstNode(f);
    have_x = true;
    lazy_x = false;
    x_inputs = vin;
    return finishNewton(nr);
  }

  /// Counts a Newton solve in the report; NumericalError if it did not converge.
  NewtonReport finishNewton(const NewtonReport& nr) {
    ++rep.newton_solves;
    rep.newton_iterations += nr.iterations;
    rep.newton = nr;
    if (!nr.converged)
      throw NumericalError(fmt::format(
          "native solver: Newton did not converge after {} iterations: largest residual {:.3g} A "
          "at worst node {}, last update {:.3g} V",
          nr.iterations, nr.residual_a, nr.worst_node, nr.update_v));
    return nr;
  }

  /// True when only the sense amplifiers depend on the operating point (linear 1R cells and
  /// wires, grid factorization, amplifiers that do not hold their input): the network then
  /// reduces exactly to its multiport matrix Y on [drivers, sense nodes], factorized once, and
  /// Newton runs on the C sense-node voltages alone.
  bool portReduced() const {
    return opt.port_reduction && use_grid && topo.freeSense() && spec.cell == CellKind::OneR &&
           spec.iv.isLinear();
  }

  /// Current leaving each sense node (network through Y plus the amplifier load) at sense
  /// voltages v for inputs vin, and the loads' small-signal conductances.
  void reducedResidual(const Eigen::MatrixXd& y, const Eigen::VectorXd& vin, const Eigen::VectorXd& v,
                       Eigen::VectorXd& f, Eigen::VectorXd* gload) const {
    const Eigen::Index R = spec.rows;
    const Eigen::Index C = spec.cols;
    f.noalias() = y.bottomLeftCorner(C, R) * vin;
    f.noalias() += y.bottomRightCorner(C, C) * v;
    if (gload) gload->resize(C);
    for (Eigen::Index j = 0; j < C; ++j) {
      const auto l = spec.sense->load(v[j]);
      f[j] += l.i_a;
      if (gload) (*gload)[j] = l.di_dv_s;
    }
  }

  /// Damped Newton on the sense-node voltages of a port-reduced circuit (the multiport y is
  /// already factorized): the same iterates as the full Newton, whose interior is linear.
  /// v holds the start (and returns the solution).
  NewtonReport reducedNewton(const Eigen::MatrixXd& y, const Eigen::VectorXd& vin, Eigen::VectorXd& v) {
    const auto& no = opt.newton;
    const Eigen::Index C = spec.cols;
    NewtonReport nr;
    Eigen::VectorXd f, ft, vt, gload;
    reducedResidual(y, vin, v, f, &gload);
    double fnorm = f.lpNorm<Eigen::Infinity>();
    const double vin_scale = vin.size() > 0 ? vin.lpNorm<Eigen::Infinity>() : 0.0;
    double prev_update = std::numeric_limits<double>::infinity();
    Eigen::MatrixXd jac;
    for (int it = 1; it <= no.max_iterations; ++it) {
      jac = y.bottomRightCorner(C, C);
      jac.diagonal() += gload;
      Eigen::LLT<Eigen::MatrixXd> llt(jac);
      if (llt.info() != Eigen::Success)
        throw NumericalError("native solver: sense-node system is not positive definite");
      const Eigen::VectorXd dx = -llt.solve(f);
      if (!dx.allFinite())
        throw NumericalError(fmt::format("native solver: Newton update is not finite at iteration {} "
                                         "(worst node: {})", it, reducedWorst(f)));
      const double dnorm = dx.lpNorm<Eigen::Infinity>();
      double ftnorm = 0.0;
      const double alpha = lineSearch(
          v, dx, dnorm, false, fnorm, [&](const Eigen::VectorXd& p) { reducedResidual(y, vin, p, ft, nullptr); },
          vt, ft, ftnorm, nr, it, [&] { return reducedWorst(f); });
      // The amplifier currents change by gload·Δv: a high-gain amplifier moves its input by
      // far less than the voltage tolerance, so the current change is tested too, and (as the
      // full Newton, whose first step moves the interior) at least two iterations are taken.
      const double di = (gload.cwiseAbs().cwiseProduct(alpha * dx)).lpNorm<Eigen::Infinity>();
      v.swap(vt);
      reducedResidual(y, vin, v, f, &gload);
      fnorm = ftnorm;
      const double update = alpha * dnorm;
      nr.iterations = it;
      nr.update_v = update;
      const double scale = std::max(v.lpNorm<Eigen::Infinity>(), vin_scale);
      double i_scale = 0.0;
      for (Eigen::Index j = 0; j < C; ++j) i_scale = std::max(i_scale, std::abs(spec.sense->load(v[j]).i_a));
      const bool small = update <= no.abs_tol_v + no.rel_tol * scale && di <= no.rel_tol * i_scale;
      if (it >= 2 && (small || (alpha == 1.0 && update <= no.floor_tol_v && update > 0.5 * prev_update))) {
        nr.converged = true;
        break;
      }
      prev_update = alpha == 1.0 ? update : std::numeric_limits<double>::infinity();
    }
    nr.residual_a = fnorm;
    nr.worst_node = reducedWorst(f);
    return finishNewton(nr);
  }

  /// Sense node with the largest residual of a port-reduced solve (the first non-finite one).
  std::string reducedWorst(const Eigen::VectorXd& f) const {
    return f.size() == 0 ? std::string() : topo.nodeName(topo.outNode(worstIndex(f)));
  }

  /// Sense-node voltages a cold start begins with (amplifier inputs at their virtual ground).
  Eigen::VectorXd restingSense() const {
    return Eigen::VectorXd::Constant(spec.cols, spec.sense->restingInput());
  }

  /// The full operating point of a port-reduced solve, when node voltages are asked for.
  void ensureNodeVoltages() {
    if (have_x || !lazy_x) return;
    const NativeReport kept = rep;
    newton(lazy_inputs);
    rep = kept;
  }

  /// NumericalError naming the first non-finite column current of input vector k.
  void requireFiniteCurrents(const Eigen::MatrixXd& out, Eigen::Index k) const {
    for (Eigen::Index j = 0; j < out.rows(); ++j)
      if (!std::isfinite(out(j, k)))
        throw NumericalError(fmt::format("native solver: current of column {} ({}) is {} for "
                                         "input vector {} (a cell current overflowed)",
                                         j, topo.nodeName(topo.outNode(j)), out(j, k), k));
  }

  void beginCall() {
    const std::string name = rep.factorization;
    const Eigen::Index unknowns = rep.unknowns;
    const std::size_t bytes = rep.factor_bytes;
    rep = NativeReport{};
    rep.factorization = name;
    rep.unknowns = unknowns;
    rep.factor_bytes = bytes;
  }

  void checkInputs(const Eigen::MatrixXd& x_v) const {
    if (x_v.rows() != spec.rows)
      throw Error(fmt::format("native solver: input has {} rows, the array has {} rows", x_v.rows(),
                              spec.rows));
    if (!x_v.allFinite()) throw Error("native solver: input voltages must be finite");
  }
};

NativeSolver::NativeSolver(CrossbarSpec spec, NativeOptions options)
    : impl_(std::make_unique<Impl>(std::move(spec), options)) {}
NativeSolver::~NativeSolver() = default;
NativeSolver::NativeSolver(NativeSolver&&) noexcept = default;
NativeSolver& NativeSolver::operator=(NativeSolver&&) noexcept = default;

const CrossbarSpec& NativeSolver::spec() const noexcept { return impl_->spec; }
const NativeReport& NativeSolver::report() const noexcept { return impl_->rep; }
void NativeSolver::resetWarmStart() noexcept {
  impl_->have_x = false;
  impl_->lazy_x = false;
}

Eigen::MatrixXd NativeSolver::effectiveWeights(double v_read_v) {
  Impl& m = *impl_;
  const auto t0 = Clock::now();
  m.beginCall();
  if (!std::isfinite(v_read_v)) throw Error("native solver: v_read_v must be finite");
  Eigen::MatrixXd gd;
  Eigen::VectorXd gload;
  Eigen::MatrixXd w;
  if (m.spec.isLinear()) {
    const Eigen::VectorXd vin = Eigen::VectorXd::Zero(m.spec.rows);
    m.jacobian(Eigen::VectorXd::Zero(m.topo.unknowns()), vin, gd, gload);
    if (m.use_grid) {
      m.factorize(gd, gload, false);  // the multiport matrix needs no stored factors
    } else if (!m.linear_factor_valid) {
      m.factorize(gd, gload, true);
      m.linear_factor_valid = true;
    }
    w = m.weights(gd, gload);
  } else if (m.portReduced()) {
    // Linear array, non-linear amplifiers: one factorization gives the multiport matrix;
    // Newton on the sense nodes only. The interior node voltages are not computed.
    const Eigen::VectorXd vin = Eigen::VectorXd::Constant(m.spec.rows, v_read_v);
    gd = m.spec.g_s;
    m.factorize(gd, Eigen::VectorXd(), false);
    Eigen::VectorXd v = m.restingSense();
    m.reducedNewton(m.grid->multiport(), vin, v);
    Eigen::VectorXd f;
    m.reducedResidual(m.grid->multiport(), vin, v, f, &gload);
    w = m.weights(gd, gload);
    m.have_x = false;
    m.lazy_x = true;
    m.lazy_inputs = vin;
  } else {
    const Eigen::VectorXd vin = Eigen::VectorXd::Constant(m.spec.rows, v_read_v);
    m.newton(vin);
    m.jacobian(m.x, vin, gd, gload);
    m.factorize(gd, gload, !m.use_grid);
    w = m.weights(gd, gload);
  }
  for (Eigen::Index i = 0; i < w.cols(); ++i)
    for (Eigen::Index j = 0; j < w.rows(); ++j)
      if (!std::isfinite(w(j, i)))
        throw NumericalError(fmt::format("native solver: W_eff [{}][{}] (output {}, input {}) is "
                                         "{} (ill-conditioned or overflowing circuit matrix)",
                                         j, i, j, i, w(j, i)));
  m.rep.total_s = since(t0);
  return w;
}

Eigen::VectorXd NativeSolver::currents(const Eigen::VectorXd& x_v) {
  Eigen::MatrixXd batch = x_v;
  return currentsBatch(batch).col(0);
}

Eigen::MatrixXd NativeSolver::currentsBatch(const Eigen::MatrixXd& x_v) {
  Impl& m = *impl_;
  const auto t0 = Clock::now();
  m.beginCall();
  m.checkInputs(x_v);
  Eigen::MatrixXd out(m.spec.cols, x_v.cols());
  if (m.use_grid && m.spec.cell == CellKind::OneR && m.spec.iv.isLinear() && x_v.cols() > 0 &&
      (m.opt.port_reduction || !m.topo.freeSense())) {
    const Eigen::Index R = m.spec.rows;
    const Eigen::Index C = m.spec.cols;
    if (!m.topo.freeSense() && x_v.cols() <= m.opt.iterative_max_vectors) {
      const detail::LineCgProblem p{1.0 / (m.spec.r_driver_ohm + m.spec.r_row_ohm),
                                    1.0 / m.spec.r_row_ohm, 1.0 / m.spec.r_col_ohm};
      Eigen::MatrixXd u, c;
      bool ok = true;
      for (Eigen::Index k = 0; k < x_v.cols() && ok; ++k) {
        const auto cg = detail::solveLineCg(p, m.spec.g_s, x_v.col(k), u, c, kCgMaxIterations, kCgRelTol);
        m.rep.cg_iterations += cg.iterations;
        ok = cg.converged;
        out.col(k) = p.g_col * c.row(R - 1).transpose();
      }
      if (ok && out.allFinite()) {
        m.x.resize(m.topo.unknowns());
        for (Eigen::Index i = 0; i < R; ++i)
          for (Eigen::Index j = 0; j < C; ++j) {
            m.x[m.topo.rowNode(i, j)] = u(i, j);
            m.x[m.topo.colNode(i, j)] = c(i, j);
          }
        m.have_x = true;
        m.lazy_x = false;
        m.x_inputs = x_v.col(x_v.cols() - 1);
        m.rep.total_s = since(t0);
        return out;
      }
    }
    m.factorize(m.spec.g_s, Eigen::VectorXd(), false);
    const Eigen::MatrixXd& y = m.grid->multiport();
    if (!m.topo.freeSense()) {
      out.noalias() = -y.bottomLeftCorner(C, R) * x_v;
    } else {
      Eigen::VectorXd v = m.restingSense();
      for (Eigen::Index k = 0; k < x_v.cols(); ++k) {
        const Eigen::VectorXd vin = x_v.col(k);
        m.reducedNewton(y, vin, v);
        for (Eigen::Index j = 0; j < C; ++j) out(j, k) = m.spec.sense->load(v[j]).i_a;
      }
    }
    m.have_x = false;
    m.lazy_x = true;
    m.lazy_inputs = x_v.col(x_v.cols() - 1);
    for (Eigen::Index k = 0; k < out.cols(); ++k) m.requireFiniteCurrents(out, k);
    m.rep.total_s = since(t0);
    return out;
  }
  for (Eigen::Index k = 0; k < x_v.cols(); ++k) {
    const Eigen::VectorXd vin = x_v.col(k);
    m.newton(vin);
    out.col(k) = m.senseCurrents(m.x, vin);
    m.requireFiniteCurrents(out, k);
  }
  m.rep.total_s = since(t0);
  return out;
}

Eigen::VectorXd NativeSolver::arrayPower(const Eigen::MatrixXd& x_v) {
  Impl& m = *impl_;
  m.checkInputs(x_v);
  Eigen::VectorXd p(x_v.cols());
  for (Eigen::Index k = 0; k < x_v.cols(); ++k) {
    const Eigen::VectorXd x = x_v.col(k);
    (void)currents(x);
    p[k] = m.sourcePower(m.operatingPoint(), x);
    if (!std::isfinite(p[k]))
      throw NumericalError(fmt::format("native solver: array power is {} for input vector {}",
                                       p[k], k));
  }
  return p;
}

Eigen::MatrixXd NativeSolver::powerMatrix(double v_read_v) {
  Impl& m = *impl_;
  if (!(v_read_v > 0.0) || !std::isfinite(v_read_v))
    throw Error("native solver: the power matrix needs v_read_v > 0");
  const Eigen::Index R = m.spec.rows;
  const Eigen::Index C = m.spec.cols;
  Eigen::MatrixXd mat;
  if (m.use_grid && m.spec.cell == CellKind::OneR && m.spec.iv.isLinear()) {
    // Dissipation of the linear multiport Y on [drivers, sense nodes]: [x; v]ᵀ Y [x; v].
    m.beginCall();
    m.factorize(m.spec.g_s, Eigen::VectorXd(), false);
    const Eigen::MatrixXd& y = m.grid->multiport();
    if (!m.topo.freeSense()) {
      mat = y.topLeftCorner(R, R);
    } else {
      // Sense nodes linearized at the read point: v ≈ S x, S = −(Y_ss + diag g_load)⁻¹ Y_sd.
      const Eigen::VectorXd vin = Eigen::VectorXd::Constant(R, v_read_v);
      Eigen::VectorXd v = m.restingSense();
      m.reducedNewton(y, vin, v);
      Eigen::VectorXd f, gload;
      m.reducedResidual(y, vin, v, f, &gload);
      Eigen::MatrixXd yss = y.bottomRightCorner(C, C);
      yss.diagonal() += gload;
      Eigen::LLT<Eigen::MatrixXd> llt(yss);
      if (llt.info() != Eigen::Success)
        throw NumericalError("native solver: sense-node system is not positive definite");
      Eigen::MatrixXd t(R + C, R);
      t.topRows(R).setIdentity();
      t.bottomRows(C) = -llt.solve(y.bottomLeftCorner(C, R));
      mat = t.transpose() * y * t;
      m.have_x = false;
      m.lazy_x = false;
    }
  } else {
    // One-hot reads at v_read_v: column k of A is I_drv(v_read e_k)/v_read (the sense term
    // likewise), M = (A + Aᵀ)/2; exact for linear circuits.
    Eigen::MatrixXd a(R, R);
    Eigen::MatrixXd s(C, R), w(C, R);
    for (Eigen::Index k = 0; k < R; ++k) {
      Eigen::VectorXd x = Eigen::VectorXd::Zero(R);
      x[k] = v_read_v;
      (void)currents(x);
      a.col(k) = m.driverCurrents(m.operatingPoint(), x) / v_read_v;
      if (m.topo.freeSense())
        for (Eigen::Index j = 0; j < C; ++j) {
          const double v = m.x[m.topo.outNode(j)];
          s(j, k) = v / v_read_v;
          w(j, k) = m.spec.sense->load(v).i_a / v_read_v;
        }
    }
    mat = a;
    if (m.topo.freeSense()) mat -= s.transpose() * w;
  }
  const Eigen::MatrixXd sym = 0.5 * (mat + mat.transpose());
  if (!sym.allFinite()) throw NumericalError("native solver: the power matrix is not finite");
  return sym;
}

Eigen::MatrixXd NativeSolver::leastSquaresWeights(const Eigen::MatrixXd& inputs_v) {
  if (inputs_v.cols() == 0) throw Error("native solver: least-squares weights need input vectors");
  const auto t0 = Clock::now();
  const Eigen::MatrixXd cur = currentsBatch(inputs_v);  // C×K
  // min_W ||cur − W X||_F  <=>  Xᵀ Wᵀ = curᵀ in the least-squares sense.
  Eigen::CompleteOrthogonalDecomposition<Eigen::MatrixXd> cod(inputs_v.transpose());
  Eigen::MatrixXd w = cod.solve(cur.transpose()).transpose();
  impl_->rep.total_s = since(t0);
  return w;
}

void NativeSolver::updateConductances(const Eigen::MatrixXd& g_s) {
  Impl& m = *impl_;
  CrossbarSpec next = m.spec;
  next.g_s = g_s;
  next.validate();
  m.spec.g_s = g_s;
  m.linear_factor_valid = false;
  m.chord_factors_valid = false;
  m.lazy_x = false;
}

Eigen::MatrixXd NativeSolver::rowNodeVoltages() const {
  Impl& m = *impl_;
  m.ensureNodeVoltages();
  if (!m.have_x) throw Error("native solver: no operating point solved yet");
  Eigen::MatrixXd v(m.spec.rows, m.spec.cols);
  for (Eigen::Index i = 0; i < m.spec.rows; ++i)
    for (Eigen::Index j = 0; j < m.spec.cols; ++j) v(i, j) = m.volt(m.topo.rowNode(i, j), m.x, m.x_inputs);
  return v;
}

Eigen::MatrixXd NativeSolver::columnNodeVoltages() const {
  Impl& m = *impl_;
  m.ensureNodeVoltages();
  if (!m.have_x) throw Error("native solver: no operating point solved yet");
  Eigen::MatrixXd v(m.spec.rows, m.spec.cols);
  for (Eigen::Index i = 0; i < m.spec.rows; ++i)
    for (Eigen::Index j = 0; j < m.spec.cols; ++j) v(i, j) = m.volt(m.topo.colNode(i, j), m.x, m.x_inputs);
  return v;
}

Eigen::VectorXd NativeSolver::senseNodeVoltages() const {
  Impl& m = *impl_;
  m.ensureNodeVoltages();
  if (!m.have_x) throw Error("native solver: no operating point solved yet");
  Eigen::VectorXd v(m.spec.cols);
  for (Eigen::Index j = 0; j < m.spec.cols; ++j) v[j] = m.volt(m.topo.outNode(j), m.x, m.x_inputs);
  return v;
}

}  // namespace xbarsim::circuit
