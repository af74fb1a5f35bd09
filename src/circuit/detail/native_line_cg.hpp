// SPDX-License-Identifier: MIT
#pragma once
/// @file Iterative solve of one linear crossbar operating point (private header).
///
/// A linear grid crossbar (1R cells, r_row > 0, r_col > 0, ideal sense nodes at 0 V) has two
/// layers of nodes: the row nodes u (R chains along j, driven at j = 0) and the column nodes
/// c (C chains along i, grounded through the last segment at i = R-1), coupled only by the
/// cells D = diag(g):
///
///     [Ar + D   -D    ] [u]   [b]
///     [ -D     Ac + D ] [c] = [0],   b = g_first·x at the nodes (i, 0).
///
/// Eliminating u leaves the column-layer Schur complement S = Ac + D - D (Ar + D)⁻¹ D, solved by
/// conjugate gradients preconditioned with P = Ac + D (a tridiagonal solve per column; S is
/// applied with a tridiagonal solve per row). The eigenvalues of P⁻¹S lie in (1 - μ², 1] with
/// μ < 1 the coupling of the layers, so the iteration count depends on the IR drop, not on the
/// array size. One MVM costs O(RC) per iteration instead of a nested-dissection factorization.

#include <Eigen/Core>

namespace xbarsim::circuit::detail {

struct LineCgProblem {
  double g_first = 0.0;  ///< driver -> row node (i, 0)
  double g_row = 0.0;    ///< row segment
  double g_col = 0.0;    ///< column segment (also column node (R-1, j) -> sense node)
};

struct LineCgResult {
  bool converged = false;
  int iterations = 0;
};

/// Solves for the row-node (u) and column-node (c) voltages, both R×C, for row inputs x_v
/// (size R) and column terminals at col_v (size C; empty = the sense nodes at 0 V): the
/// right-hand side gains g_col·col_v at the nodes (R-1, j). Stops when a CG update changes no column voltage by more than rel_tol·max|c|
/// (the error left is below that: the contraction per step is < 1/2 for the arrays of
/// interest); gives up (converged = false) after max_iterations.
LineCgResult solveLineCg(const LineCgProblem& p, const Eigen::MatrixXd& g_s, const Eigen::VectorXd& x_v,
                         Eigen::MatrixXd& u, Eigen::MatrixXd& c, int max_iterations, double rel_tol,
                         const Eigen::VectorXd& col_v = Eigen::VectorXd());

}  // namespace xbarsim::circuit::detail
