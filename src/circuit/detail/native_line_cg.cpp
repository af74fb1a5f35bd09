// SPDX-License-Identifier: MIT
#include "detail/native_line_cg.hpp"

#include <cmath>

namespace xbarsim::circuit::detail {

namespace {

/// Factors of R independent tridiagonal chains along j (row layer) or C chains along i (column
/// layer), stored R×C: inverse pivots and elimination multipliers (Thomas algorithm).
struct Chains {
  Eigen::MatrixXd inv_pivot;
  Eigen::MatrixXd mult;
  double e = 0.0;  // the constant off-diagonal (-g of a segment)
};

/// Row chains: diag = g + g_row·(neighbours) + g_first at j = 0, off-diagonal -g_row.
Chains rowChains(const LineCgProblem& p, const Eigen::MatrixXd& g) {
  const Eigen::Index R = g.rows(), C = g.cols();
  Chains ch{Eigen::MatrixXd(R, C), Eigen::MatrixXd(R, C), -p.g_row};
  for (Eigen::Index j = 0; j < C; ++j)
    for (Eigen::Index i = 0; i < R; ++i) {
      double a = g(i, j) + (j == 0 ? p.g_first : p.g_row) + (j + 1 < C ? p.g_row : 0.0);
      double w = 0.0;
      if (j > 0) {
        w = ch.e * ch.inv_pivot(i, j - 1);
        a -= w * ch.e;
      }
      ch.mult(i, j) = w;
      ch.inv_pivot(i, j) = 1.0 / a;
    }
  return ch;
}

/// Column chains: diag = g + g_col·(neighbours, the sense node at i = R-1), off-diagonal -g_col.
Chains colChains(const LineCgProblem& p, const Eigen::MatrixXd& g) {
  const Eigen::Index R = g.rows(), C = g.cols();
  Chains ch{Eigen::MatrixXd(R, C), Eigen::MatrixXd(R, C), -p.g_col};
  for (Eigen::Index j = 0; j < C; ++j)
    for (Eigen::Index i = 0; i < R; ++i) {
      double a = g(i, j) + p.g_col + (i > 0 ? p.g_col : 0.0);
      double w = 0.0;
      if (i > 0) {
        w = ch.e * ch.inv_pivot(i - 1, j);
        a -= w * ch.e;
      }
      ch.mult(i, j) = w;
      ch.inv_pivot(i, j) = 1.0 / a;
    }
  return ch;
}

/// y <- (row chains)⁻¹ y, all rows at once (vectorised over i).
void solveRows(const Chains& ch, Eigen::MatrixXd& y) {
  const Eigen::Index C = y.cols();
  for (Eigen::Index j = 1; j < C; ++j) y.col(j) -= ch.mult.col(j).cwiseProduct(y.col(j - 1));
  y.col(C - 1) = y.col(C - 1).cwiseProduct(ch.inv_pivot.col(C - 1));
  for (Eigen::Index j = C - 2; j >= 0; --j)
    y.col(j) = (y.col(j) - ch.e * y.col(j + 1)).cwiseProduct(ch.inv_pivot.col(j));
}

/// y <- (column chains)⁻¹ y, one column after the other.
void solveCols(const Chains& ch, Eigen::MatrixXd& y) {
  const Eigen::Index R = y.rows(), C = y.cols();
  for (Eigen::Index j = 0; j < C; ++j) {
    double* v = y.col(j).data();
    const double* m = ch.mult.col(j).data();
    const double* d = ch.inv_pivot.col(j).data();
    for (Eigen::Index i = 1; i < R; ++i) v[i] -= m[i] * v[i - 1];
    v[R - 1] *= d[R - 1];
    for (Eigen::Index i = R - 2; i >= 0; --i) v[i] = (v[i] - ch.e * v[i + 1]) * d[i];
  }
}

}  // namespace

LineCgResult solveLineCg(const LineCgProblem& p, const Eigen::MatrixXd& g, const Eigen::VectorXd& x_v,
                         Eigen::MatrixXd& u, Eigen::MatrixXd& c, int max_iterations, double rel_tol,
                         const Eigen::VectorXd& col_v) {
  const Eigen::Index R = g.rows(), C = g.cols();
  const Chains rows = rowChains(p, g);
  const Chains cols = colChains(p, g);
  // S v = (Ac + D) v - D (Ar + D)⁻¹ D v.
  Eigen::MatrixXd t(R, C);
  auto applyS = [&](const Eigen::MatrixXd& v, Eigen::MatrixXd& out) {
    t = g.cwiseProduct(v);
    solveRows(rows, t);
    out = g.cwiseProduct(v - t);  // D v - D (Ar + D)⁻¹ D v
    // + Ac v: column chains (segments between i-1 and i, the last one to the sense node)
    out.row(R - 1) += p.g_col * v.row(R - 1);
    out.bottomRows(R - 1) += p.g_col * (v.bottomRows(R - 1) - v.topRows(R - 1));
    out.topRows(R - 1) += p.g_col * (v.topRows(R - 1) - v.bottomRows(R - 1));
  };
  // Right-hand side: D (Ar + D)⁻¹ b.
  Eigen::MatrixXd ub = Eigen::MatrixXd::Zero(R, C);
  ub.col(0) = p.g_first * x_v;
  solveRows(rows, ub);
  Eigen::MatrixXd r = g.cwiseProduct(ub);
  if (col_v.size() > 0) r.row(R - 1) += p.g_col * col_v.transpose();  // driven column terminals
  c.setZero(R, C);
  Eigen::MatrixXd z = r;
  solveCols(cols, z);
  Eigen::MatrixXd d = z, q(R, C);
  double rz = (r.array() * z.array()).sum();
  LineCgResult res;
  double prev_step = 0.0;
  for (int it = 1; it <= max_iterations && rz > 0.0; ++it) {
    applyS(d, q);
    const double dq = (d.array() * q.array()).sum();
    if (!(dq > 0.0)) break;
    const double alpha = rz / dq;
    c += alpha * d;
    r -= alpha * q;
    res.iterations = it;
    const double step = std::abs(alpha) * d.cwiseAbs().maxCoeff();
    const double scale = c.cwiseAbs().maxCoeff();
    // Two small updates in a row: the error left is below the last one.
    if (step <= rel_tol * scale && prev_step <= 1e3 * rel_tol * scale) {
      res.converged = true;
      break;
    }
    prev_step = step;
    z = r;
    solveCols(cols, z);
    const double rz_new = (r.array() * z.array()).sum();
    d = z + (rz_new / rz) * d;
    rz = rz_new;
  }
  if (rz == 0.0) res.converged = true;  // zero inputs
  // Row nodes: u = (Ar + D)⁻¹ (b + D c) = ub + (Ar + D)⁻¹ D c.
  u = g.cwiseProduct(c);
  solveRows(rows, u);
  u += ub;
  return res;
}

}  // namespace xbarsim::circuit::detail
