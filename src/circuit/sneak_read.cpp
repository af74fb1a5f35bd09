// SPDX-License-Identifier: MIT
#include "xbarsim/circuit/sneak_read.hpp"

#include <Eigen/SparseCholesky>
#include <Eigen/SparseCore>
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "detail/native_topology.hpp"
#include "xbarsim/core/error.hpp"

namespace xbarsim::circuit {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct Branch {
  int a, b;  ///< vertices
  double g;  ///< S
};

}  // namespace

Eigen::MatrixXd sneakReadError(const CrossbarSpec& spec) {
  const Eigen::Index R = spec.rows, C = spec.cols;
  if (spec.g_s.rows() != R || spec.g_s.cols() != C)
    throw Error("sneakReadError: conductance matrix has the wrong size");
  Eigen::MatrixXd error = Eigen::MatrixXd::Constant(R, C, kNaN);
  if (R == 0 || C == 0) return error;

  // The crossbar's node graph with its zero-ohm wires merged (the native solver's topology).
  // Here no node is held at a voltage: its unknowns, then the drivers and the ideal sense nodes
  // of its fixed nodes, are all vertices of one resistor network.
  const detail::Topology topology(spec);
  const int U = static_cast<int>(topology.unknowns());
  const int n = U + static_cast<int>(R + C);
  auto vertex = [U](int node) { return node >= 0 ? node : U - 1 - node; };
  std::vector<Branch> branches;
  for (const detail::WireEdge& w : topology.wires())
    branches.push_back({vertex(w.a), vertex(w.b), w.g});
  for (Eigen::Index i = 0; i < R; ++i)
    for (Eigen::Index j = 0; j < C; ++j)
      if (spec.g_s(i, j) > 0.0)
        branches.push_back(
            {vertex(topology.rowNode(i, j)), vertex(topology.colNode(i, j)), spec.g_s(i, j)});
  // Terminals: the input of row i (its driver) and the sense node of column j.
  std::vector<int> terminals;
  for (Eigen::Index i = 0; i < R; ++i) terminals.push_back(vertex(topology.driverNode(i)));
  for (Eigen::Index j = 0; j < C; ++j) terminals.push_back(vertex(topology.outNode(j)));

  // Floating sub-networks: one grounded reference vertex per connected component.
  detail::UnionFind component(static_cast<std::size_t>(n));
  for (const Branch& b : branches) component.unite(b.a, b.b);
  std::vector<int> unknown(static_cast<std::size_t>(n), -1);
  int m = 0;
  for (int v = 0; v < n; ++v)
    if (component.find(v) != v) unknown[v] = m++;
  std::vector<Eigen::Triplet<double>> triplets;
  for (const Branch& b : branches) {
    const int ua = unknown[b.a], ub = unknown[b.b];
    if (ua >= 0) triplets.emplace_back(ua, ua, b.g);
    if (ub >= 0) triplets.emplace_back(ub, ub, b.g);
    if (ua >= 0 && ub >= 0) {
      triplets.emplace_back(ua, ub, -b.g);
      triplets.emplace_back(ub, ua, -b.g);
    }
  }
  // Z(s, t): voltage at terminal s for a unit current into terminal t (references at 0 V).
  const auto T = static_cast<Eigen::Index>(terminals.size());
  Eigen::MatrixXd z = Eigen::MatrixXd::Zero(T, T);
  if (m > 0) {
    Eigen::SparseMatrix<double> laplacian(m, m);
    laplacian.setFromTriplets(triplets.begin(), triplets.end());
    const Eigen::SimplicialLDLT<Eigen::SparseMatrix<double>> solver(laplacian);
    if (solver.info() != Eigen::Success) return error;
    Eigen::VectorXd rhs = Eigen::VectorXd::Zero(m);
    for (Eigen::Index t = 0; t < T; ++t) {
      const int u = unknown[terminals[static_cast<std::size_t>(t)]];
      if (u < 0) continue;  // a reference: a column of zeros
      rhs.setZero();
      rhs(u) = 1.0;
      const Eigen::VectorXd x = solver.solve(rhs);
      for (Eigen::Index s = 0; s < T; ++s)
        if (const int v = unknown[terminals[static_cast<std::size_t>(s)]]; v >= 0) z(s, t) = x(v);
    }
  }
  for (Eigen::Index i = 0; i < R; ++i)
    for (Eigen::Index j = 0; j < C; ++j) {
      const double g = spec.g_s(i, j);
      if (!(g > 0.0)) continue;
      const int a = terminals[static_cast<std::size_t>(i)];
      const int b = terminals[static_cast<std::size_t>(R + j)];
      if (component.find(a) != component.find(b)) {
        error(i, j) = -1.0;  // no path: nothing is read
        continue;
      }
      const Eigen::Index ta = i, tb = R + j;
      const double r_eff = z(ta, ta) + z(tb, tb) - 2.0 * z(ta, tb);
      error(i, j) = r_eff > 0.0 ? (1.0 / r_eff - g) / g : kNaN;
    }
  return error;
}

SneakReadSummary summarizeSneakRead(const Eigen::MatrixXd& error) {
  double sum = 0.0, max = 0.0;
  Eigen::Index n = 0;
  for (Eigen::Index i = 0; i < error.rows(); ++i)
    for (Eigen::Index j = 0; j < error.cols(); ++j)
      if (const double e = std::abs(error(i, j)); std::isfinite(e)) {
        sum += e;
        max = std::max(max, e);
        ++n;
      }
  if (n == 0) return {kNaN, kNaN};
  return {sum / static_cast<double>(n), max};
}

}  // namespace xbarsim::circuit
