// SPDX-License-Identifier: MIT
#include "detail/native_grid.hpp"

#include <fmt/format.h>

#include <Eigen/Cholesky>
#include <algorithm>
#include <atomic>
#include <exception>
#include <thread>

#include "detail/native_dense.hpp"
#include "xbarsim/core/error.hpp"

namespace xbarsim::circuit::detail {

namespace {

struct Front {
  int i0 = 0, i1 = 0, j0 = 0, j1 = 0;
  int child[2] = {-1, -1};
  bool vertical_cut = false;  ///< the cut between the children runs between two columns
  int k = 0;                  ///< eliminated nodes (leaf: interior nodes; merge: cut midpoints)
  std::vector<int> ports;     ///< kept nodes (global port ids), in canonical side order
  std::vector<int> map[2];    ///< child port index -> index in this front
  Eigen::MatrixXd L;          ///< k×k Cholesky factor of the eliminated block (lower)
  Eigen::MatrixXd Xt;         ///< r×k, F(ports, eliminated) · L^-T
  Eigen::MatrixXd S;          ///< r×r Schur complement on the ports (lower triangle), until the
                              ///< parent takes it
  bool leaf() const noexcept { return child[0] < 0; }
  int r() const noexcept { return static_cast<int>(ports.size()); }
};

}  // namespace

struct GridMultifrontal::Impl {
  GridParams p;
  GridOptions o;
  int R = 0, C = 0;
  std::vector<Front> fronts;
  int root = -1;
  int spawn_depth = 0;
  Eigen::VectorXd loads;
  Eigen::LLT<Eigen::MatrixXd> root_llt;  // (Y_OO + diag(loads)) when loads are set
  bool factors_kept = false;
  std::vector<std::size_t> work_offset;  // per front, into the solve workspace (k + r rows)
  std::size_t work_rows = 0;
  std::atomic<std::size_t> factor_bytes{0};
  std::atomic<std::size_t> peak_front{0};

  // Global port ids: driver i -> i; sense j -> R + j; row-wire midpoint left of site (i,j),
  // j >= 1 -> R + C + i(C-1) + j-1; column-wire midpoint above site (i,j), i >= 1 ->
  // R + C + R(C-1) + (i-1)C + j.
  int portD(int i) const { return i; }
  int portO(int j) const { return R + j; }
  int portMR(int i, int j) const { return R + C + i * (C - 1) + (j - 1); }
  int portMC(int i, int j) const { return R + C + R * (C - 1) + (i - 1) * C + j; }
  int portCount() const { return R + C + R * (C - 1) + (R - 1) * C; }

  std::vector<int> portsOf(int i0, int i1, int j0, int j1) const {
    std::vector<int> ports;
    for (int i = i0; i < i1; ++i) ports.push_back(j0 == 0 ? portD(i) : portMR(i, j0));
    if (j1 < C)
      for (int i = i0; i < i1; ++i) ports.push_back(portMR(i, j1));
    if (i0 > 0)
      for (int j = j0; j < j1; ++j) ports.push_back(portMC(i0, j));
    for (int j = j0; j < j1; ++j) ports.push_back(i1 == R ? portO(j) : portMC(i1, j));
    return ports;
  }

  int build(int i0, int i1, int j0, int j1, std::vector<int>& pos) {
    const int h = i1 - i0;
    const int w = j1 - j0;
    Front f;
    f.i0 = i0;
    f.i1 = i1;
    f.j0 = j0;
    f.j1 = j1;
    f.ports = portsOf(i0, i1, j0, j1);
    if (h <= o.leaf_rows && w <= o.leaf_cols) {
      f.k = 2 * h * w;
      fronts.push_back(std::move(f));
      return static_cast<int>(fronts.size()) - 1;
    }
    // Cut the dimension that exceeds its leaf size by the larger factor.
    const bool vertical = static_cast<double>(w) / o.leaf_cols >= static_cast<double>(h) / o.leaf_rows;
    int c0, c1;
    std::vector<int> cut;
    if (vertical) {
      const int jm = j0 + w / 2;
      c0 = build(i0, i1, j0, jm, pos);
      c1 = build(i0, i1, jm, j1, pos);
      for (int i = i0; i < i1; ++i) cut.push_back(portMR(i, jm));
    } else {
      const int im = i0 + h / 2;
      c0 = build(i0, im, j0, j1, pos);
      c1 = build(im, i1, j0, j1, pos);
      for (int j = j0; j < j1; ++j) cut.push_back(portMC(im, j));
    }
    f.vertical_cut = vertical;
    f.child[0] = c0;
    f.child[1] = c1;
    f.k = static_cast<int>(cut.size());
    for (int t = 0; t < f.k; ++t) pos[cut[t]] = t;
    for (int q = 0; q < f.r(); ++q) pos[f.ports[q]] = f.k + q;
    for (int c = 0; c < 2; ++c) {
      const Front& ch = fronts[f.child[c]];
      f.map[c].resize(ch.ports.size());
      for (std::size_t q = 0; q < ch.ports.size(); ++q) {
        const int idx = pos[ch.ports[q]];
        if (idx < 0) throw Error("native grid solver: internal error (port not in parent front)");
        f.map[c][q] = idx;
      }
    }
    for (int id : cut) pos[id] = -1;
    for (int id : f.ports) pos[id] = -1;
    fronts.push_back(std::move(f));
    return static_cast<int>(fronts.size()) - 1;
  }

  void stampLeaf(const Front& f, const Eigen::MatrixXd& g_cell, Eigen::Map<Eigen::MatrixXd>& M) const {
    const int h = f.i1 - f.i0;
    const int w = f.j1 - f.j0;
    auto rl = [w](int ii, int jj) { return 2 * (ii * w + jj); };
    auto stamp = [&M](int a, int b, double g) {  // lower triangle only (a < b)
      M(a, a) += g;
      M(b, b) += g;
      M(b, a) -= g;
    };
    for (int jj = 0; jj < w; ++jj)
      for (int ii = 0; ii < h; ++ii) {
        const int r = rl(ii, jj);
        stamp(r, r + 1, g_cell(f.i0 + ii, f.j0 + jj));
        if (jj > 0) stamp(rl(ii, jj - 1), r, p.g_row);
        if (ii > 0) stamp(rl(ii - 1, jj) + 1, r + 1, p.g_col);
      }
    int q = f.k;
    for (int ii = 0; ii < h; ++ii) stamp(rl(ii, 0), q++, f.j0 == 0 ? p.g_first : 2.0 * p.g_row);
    if (f.j1 < C)
      for (int ii = 0; ii < h; ++ii) stamp(rl(ii, w - 1), q++, 2.0 * p.g_row);
    if (f.i0 > 0)
      for (int jj = 0; jj < w; ++jj) stamp(rl(0, jj) + 1, q++, 2.0 * p.g_col);
    for (int jj = 0; jj < w; ++jj)
      stamp(rl(h - 1, jj) + 1, q++, f.i1 == R ? p.g_col : 2.0 * p.g_col);
  }

  /// Assembles front fi in the workspace (lower triangle only), eliminates its k first nodes and
  /// leaves the Schur complement on its ports in f.S (lower triangle valid).
  void eliminate(int fi, const Eigen::MatrixXd& g_cell, bool keep, std::vector<double>& ws) {
    Front& f = fronts[fi];
    const Eigen::Index k = f.k;
    const Eigen::Index r = f.r();
    const Eigen::Index n = k + r;
    if (ws.size() < static_cast<std::size_t>(n * n)) ws.resize(static_cast<std::size_t>(n * n));
    Eigen::Map<Eigen::MatrixXd> M(ws.data(), n, n);
    for (Eigen::Index b = 0; b < n; ++b) std::fill(&M(b, b), &M(b, b) + (n - b), 0.0);
    if (f.leaf()) {
      stampLeaf(f, g_cell, M);
    } else {
      for (int c = 0; c < 2; ++c) {
        Front& ch = fronts[f.child[c]];
        const int* map = f.map[c].data();
        const Eigen::Index rc = ch.r();
        for (Eigen::Index b = 0; b < rc; ++b) {
          const int mb = map[b];
          const double* src = ch.S.col(b).data();
          double* dst = &M(0, mb);
          for (Eigen::Index a = b; a < rc; ++a) {
            const int ma = map[a];
            if (ma >= mb)
              dst[ma] += src[a];
            else
              M(mb, ma) += src[a];
          }
        }
        ch.S.resize(0, 0);
      }
    }
    // Track the peak dense front (the largest allocation of the factorization).
    const std::size_t bytes = static_cast<std::size_t>(n * n) * sizeof(double);
    std::size_t prev = peak_front.load();
    while (bytes > prev && !peak_front.compare_exchange_weak(prev, bytes)) {
    }
    if (k > 0) {
      if (!dense::choleskyEliminate(M.data(), n, k)) {
        throw NumericalError(fmt::format(
            "native solver: circuit matrix is not positive definite in the domain rows {}..{}, "
            "columns {}..{} (a floating node or a non-physical conductance)",
            f.i0, f.i1 - 1, f.j0, f.j1 - 1));
      }
      if (keep) {
        f.L.resize(k, k);
        f.L.triangularView<Eigen::Lower>() = M.topLeftCorner(k, k);
        f.Xt = M.bottomLeftCorner(r, k);
        factor_bytes += static_cast<std::size_t>(k * k + k * r) * sizeof(double);
      }
    }
    f.S.resize(r, r);
    f.S.triangularView<Eigen::Lower>() = M.bottomRightCorner(r, r);
    if (o.laplacian_diagonal) {
      // Zero row sums: diagonal = -(sum of the off-diagonal entries of its row/column).
      std::vector<double> off(static_cast<std::size_t>(r), 0.0);
      for (Eigen::Index b = 0; b < r; ++b) {
        const double* col = f.S.col(b).data();
        double sb = 0.0;
        for (Eigen::Index a = b + 1; a < r; ++a) {
          sb += col[a];
          off[a] += col[a];
        }
        off[b] += sb;
      }
      for (Eigen::Index b = 0; b < r; ++b) f.S(b, b) = -off[b];
    }
  }

  void process(int fi, int depth, const Eigen::MatrixXd& g_cell, bool keep, std::vector<double>& ws) {
    Front& f = fronts[fi];
    if (!f.leaf()) {
      if (depth < spawn_depth) {
        std::exception_ptr err;
        std::thread t([&] {
          try {
            std::vector<double> ws0;  // this thread's own workspace
            process(f.child[0], depth + 1, g_cell, keep, ws0);
          } catch (...) {
            err = std::current_exception();
          }
        });
        std::exception_ptr err1;
        try {
          process(f.child[1], depth + 1, g_cell, keep, ws);
        } catch (...) {
          err1 = std::current_exception();
        }
        t.join();
        if (err) std::rethrow_exception(err);
        if (err1) std::rethrow_exception(err1);
      } else {
        process(f.child[0], depth + 1, g_cell, keep, ws);
        process(f.child[1], depth + 1, g_cell, keep, ws);
      }
    }
    eliminate(fi, g_cell, keep, ws);
  }
};

GridMultifrontal::GridMultifrontal(const GridParams& params, const GridOptions& options)
    : impl_(std::make_unique<Impl>()) {
  Impl& m = *impl_;
  m.p = params;
  m.o = options;
  m.o.leaf_rows = std::max(1, m.o.leaf_rows);
  m.o.leaf_cols = std::max(1, m.o.leaf_cols);
  m.R = static_cast<int>(params.rows);
  m.C = static_cast<int>(params.cols);
  if (m.R < 1 || m.C < 1) throw Error("native grid solver: empty array");
  if (!(params.g_first > 0.0 && params.g_row > 0.0 && params.g_col > 0.0))
    throw Error("native grid solver: needs positive row and column wire resistances");
  std::vector<int> pos(static_cast<std::size_t>(m.portCount()), -1);
  m.fronts.reserve(static_cast<std::size_t>(2 * (m.R / m.o.leaf_rows + 1) * (m.C / m.o.leaf_cols + 1)));
  m.root = m.build(0, m.R, 0, m.C, pos);
  m.work_offset.resize(m.fronts.size());
  for (std::size_t f = 0; f < m.fronts.size(); ++f) {
    m.work_offset[f] = m.work_rows;
    m.work_rows += static_cast<std::size_t>(m.fronts[f].k + m.fronts[f].r());
  }
  int threads = std::max(1, options.threads);
  while ((1 << (m.spawn_depth + 1)) <= threads) ++m.spawn_depth;
}

GridMultifrontal::~GridMultifrontal() = default;

void GridMultifrontal::factorize(const Eigen::MatrixXd& g_cell, bool keep_factors) {
  Impl& m = *impl_;
  if (g_cell.rows() != m.R || g_cell.cols() != m.C)
    throw Error("native grid solver: conductance matrix has the wrong size");
  m.factor_bytes = 0;
  m.peak_front = 0;
  m.factors_kept = false;
  for (auto& f : m.fronts) {
    f.L.resize(0, 0);
    f.Xt.resize(0, 0);
    f.S.resize(0, 0);
  }
  {
    std::vector<double> ws;
    m.process(m.root, 0, g_cell, keep_factors, ws);
  }
  multiport_ = std::move(m.fronts[m.root].S);
  m.fronts[m.root].S.resize(0, 0);
  multiport_.triangularView<Eigen::StrictlyUpper>() = multiport_.transpose();
  m.factors_kept = keep_factors;
  factor_bytes_ = m.factor_bytes;
  peak_front_bytes_ = m.peak_front;
  if (m.loads.size() > 0) setOutLoads(m.loads);
}

void GridMultifrontal::setOutLoads(const Eigen::VectorXd& g_load) {
  Impl& m = *impl_;
  if (g_load.size() != 0 && g_load.size() != m.C)
    throw Error("native grid solver: sense loads have the wrong size");
  m.loads = g_load;
  if (g_load.size() == 0 || multiport_.size() == 0) return;
  Eigen::MatrixXd yoo = multiport_.bottomRightCorner(m.C, m.C);
  yoo.diagonal() += g_load;
  m.root_llt.compute(yoo);
  if (m.root_llt.info() != Eigen::Success)
    throw NumericalError("native solver: sense-node system is not positive definite");
}

Eigen::Index GridMultifrontal::unknowns() const noexcept {
  const Impl& m = *impl_;
  return 2 * static_cast<Eigen::Index>(m.R) * m.C + (m.loads.size() > 0 ? m.C : 0);
}

int GridMultifrontal::fronts() const noexcept { return static_cast<int>(impl_->fronts.size()); }

namespace {

struct SolveContext {
  const std::vector<Front>* fronts;
  const std::vector<std::size_t>* offset;
  double* buf;
  Eigen::Index nrhs;
  int C;
  int spawn_depth;
  Eigen::MatrixXd* b;
  Eigen::Map<Eigen::MatrixXd> work(int fi) const {
    const Front& f = (*fronts)[fi];
    return Eigen::Map<Eigen::MatrixXd>(buf + (*offset)[fi] * nrhs, f.k + f.r(), nrhs);
  }
  /// Runs fn(child0) and fn(child1), in two threads near the root.
  template <class Fn>
  void children(const Front& f, int depth, Fn&& fn) const {
    if (depth < spawn_depth) {
      std::exception_ptr err;
      std::thread t([&] {
        try {
          fn(f.child[0]);
        } catch (...) {
          err = std::current_exception();
        }
      });
      std::exception_ptr err1;
      try {
        fn(f.child[1]);
      } catch (...) {
        err1 = std::current_exception();
      }
      t.join();
      if (err) std::rethrow_exception(err);
      if (err1) std::rethrow_exception(err1);
    } else {
      fn(f.child[0]);
      fn(f.child[1]);
    }
  }
  // Forward: y = L^-1 rhs on the eliminated nodes, port rhs -= Xt y, up the tree.
  void forward(int fi, int depth) const {
    const Front& f = (*fronts)[fi];
    if (!f.leaf()) children(f, depth, [&](int c) { forward(c, depth + 1); });
    auto w = work(fi);
    const Eigen::Index k = f.k;
    const Eigen::Index r = f.r();
    if (f.leaf()) {
      const int wd = f.j1 - f.j0;
      for (int ii = 0; ii < f.i1 - f.i0; ++ii)
        for (int jj = 0; jj < wd; ++jj) {
          const Eigen::Index g = 2 * (static_cast<Eigen::Index>(f.i0 + ii) * C + f.j0 + jj);
          w.row(2 * (ii * wd + jj)) = b->row(g);
          w.row(2 * (ii * wd + jj) + 1) = b->row(g + 1);
        }
    } else {
      for (int c = 0; c < 2; ++c) {
        const Front& ch = (*fronts)[f.child[c]];
        const auto wc = work(f.child[c]);
        for (int q = 0; q < ch.r(); ++q) w.row(f.map[c][q]) += wc.row(ch.k + q);
      }
    }
    if (k > 0) {
      f.L.triangularView<Eigen::Lower>().solveInPlace(w.topRows(k));
      w.bottomRows(r).noalias() -= f.Xt * w.topRows(k);
    }
  }
  // Backward: x_k = L^-T (y - Xt^T x_ports), down the tree.
  void backward(int fi, int depth) const {
    const Front& f = (*fronts)[fi];
    auto w = work(fi);
    const Eigen::Index k = f.k;
    const Eigen::Index r = f.r();
    if (k > 0) {
      w.topRows(k).noalias() -= f.Xt.transpose() * w.bottomRows(r);
      f.L.triangularView<Eigen::Lower>().transpose().solveInPlace(w.topRows(k));
    }
    if (f.leaf()) {
      const int wd = f.j1 - f.j0;
      for (int ii = 0; ii < f.i1 - f.i0; ++ii)
        for (int jj = 0; jj < wd; ++jj) {
          const Eigen::Index g = 2 * (static_cast<Eigen::Index>(f.i0 + ii) * C + f.j0 + jj);
          b->row(g) = w.row(2 * (ii * wd + jj));
          b->row(g + 1) = w.row(2 * (ii * wd + jj) + 1);
        }
      return;
    }
    for (int c = 0; c < 2; ++c) {
      const Front& ch = (*fronts)[f.child[c]];
      auto wc = work(f.child[c]);
      for (int q = 0; q < ch.r(); ++q) wc.row(ch.k + q) = w.row(f.map[c][q]);
    }
    children(f, depth, [&](int c) { backward(c, depth + 1); });
  }
};

}  // namespace

void GridMultifrontal::solve(Eigen::MatrixXd& b) const {
  const Impl& m = *impl_;
  if (!m.factors_kept) throw Error("native grid solver: solve() needs factorize(..., true)");
  if (b.rows() != unknowns()) throw Error("native grid solver: right-hand side has the wrong size");
  const Eigen::Index nrhs = b.cols();
  std::vector<double> buf(m.work_rows * static_cast<std::size_t>(nrhs), 0.0);
  SolveContext ctx{&m.fronts, &m.work_offset, buf.data(), nrhs, m.C, m.spawn_depth, &b};
  ctx.forward(m.root, 0);
  // Root: drivers at 0 V; sense nodes at 0 V (ideal) or solved with their loads.
  {
    const Front& f = m.fronts[m.root];
    auto w = ctx.work(m.root);
    auto xb = w.bottomRows(f.r());
    if (m.loads.size() > 0) {
      Eigen::MatrixXd rhs = xb.bottomRows(m.C) + b.bottomRows(m.C);
      m.root_llt.solveInPlace(rhs);
      xb.setZero();
      xb.bottomRows(m.C) = rhs;
      b.bottomRows(m.C) = rhs;
    } else {
      xb.setZero();
    }
  }
  ctx.backward(m.root, 0);
}

}  // namespace xbarsim::circuit::detail
