// SPDX-License-Identifier: MIT
#pragma once
// Independent reference for the native-solver tests: textbook modified nodal analysis of the
// canonical crossbar (docs/architecture.md §4.1) in long double, dense, with every 0-ohm wire and every
// ideal source as a voltage-source branch (no node merging, no series folding). Linear cells and
// ideal sense amplifiers only. Small arrays only (dense LU).

#include <Eigen/Dense>
#include <random>
#include <vector>

#include "xbarsim/circuit/crossbar_spec.hpp"

namespace xbarsim::test {

using LMatrix = Eigen::Matrix<long double, Eigen::Dynamic, Eigen::Dynamic>;
using LVector = Eigen::Matrix<long double, Eigen::Dynamic, 1>;

/// Column currents (C×K) of a linear crossbar with ideal sense for inputs v (R×K).
inline Eigen::MatrixXd referenceCurrentsBatch(const circuit::CrossbarSpec& s, const Eigen::MatrixXd& v) {
  const int R = static_cast<int>(s.rows), C = static_cast<int>(s.cols);
  // Nodes (ground excluded): src_i, drv_i, row(i,j), col(i,j), out_j.
  auto src = [&](int i) { return i; };
  auto drv = [&](int i) { return R + i; };
  auto row = [&](int i, int j) { return 2 * R + i * C + j; };
  auto col = [&](int i, int j) { return 2 * R + R * C + i * C + j; };
  auto out = [&](int j) { return 2 * R + 2 * R * C + j; };
  const int nodes = 2 * R + 2 * R * C + C;
  struct Branch { int a, b; long double r; };  // resistor (r > 0) or 0 V source (r == 0)
  std::vector<Branch> br;
  for (int i = 0; i < R; ++i) {
    br.push_back({src(i), drv(i), s.r_driver_ohm});
    br.push_back({drv(i), row(i, 0), s.r_row_ohm});
    for (int j = 1; j < C; ++j) br.push_back({row(i, j - 1), row(i, j), s.r_row_ohm});
  }
  for (int j = 0; j < C; ++j) {
    for (int i = 1; i < R; ++i) br.push_back({col(i - 1, j), col(i, j), s.r_col_ohm});
    br.push_back({col(R - 1, j), out(j), s.r_col_ohm});
  }
  int vsrc = 0;
  for (const auto& b : br) vsrc += b.r == 0.0L ? 1 : 0;
  const int n = nodes + R + C + vsrc;  // + input sources + sense sources + 0-ohm branches
  LMatrix A = LMatrix::Zero(n, n);
  LMatrix rhs = LMatrix::Zero(n, v.cols());
  auto conductance = [&](int a, int b, long double g) {
    A(a, a) += g; A(b, b) += g; A(a, b) -= g; A(b, a) -= g;
  };
  auto source = [&](int k, int a, int b) {  // v(a) - v(b) = rhs(k); b = -1: ground
    A(a, k) += 1; A(k, a) += 1;
    if (b >= 0) { A(b, k) -= 1; A(k, b) -= 1; }
  };
  for (int i = 0; i < R; ++i)
    for (int j = 0; j < C; ++j) conductance(row(i, j), col(i, j), s.g_s(i, j));
  int k = nodes;
  for (int i = 0; i < R; ++i) {
    for (Eigen::Index c = 0; c < v.cols(); ++c) rhs(k, c) = v(i, c);
    source(k++, src(i), -1);
  }
  const int sense0 = k;
  for (int j = 0; j < C; ++j) source(k++, out(j), -1);
  for (const auto& b : br) {
    if (b.r == 0.0L) source(k++, b.a, b.b);
    else conductance(b.a, b.b, 1.0L / b.r);
  }
  const LMatrix x = A.partialPivLu().solve(rhs);
  return x.middleRows(sense0, C).cast<double>();  // currents of the sense sources: into out_j
}

inline Eigen::VectorXd referenceCurrents(const circuit::CrossbarSpec& s, const Eigen::VectorXd& v) {
  return referenceCurrentsBatch(s, Eigen::MatrixXd(v)).col(0);
}

/// W_eff of a linear crossbar with ideal sense (C×R), one unit input at a time.
inline Eigen::MatrixXd referenceWeights(const circuit::CrossbarSpec& s) {
  return referenceCurrentsBatch(s, Eigen::MatrixXd::Identity(s.rows, s.rows));
}

/// A spec with uniform random conductances in [g_lo, g_hi] (fixed seed).
inline circuit::CrossbarSpec randomSpec(Eigen::Index rows, Eigen::Index cols, double r_row,
                                        double r_col, double r_driver, unsigned seed = 1,
                                        double g_lo = 1e-6, double g_hi = 25e-6) {
  circuit::CrossbarSpec s;
  s.rows = rows;
  s.cols = cols;
  s.r_row_ohm = r_row;
  s.r_col_ohm = r_col;
  s.r_driver_ohm = r_driver;
  std::mt19937_64 gen(seed);
  std::uniform_real_distribution<double> dist(g_lo, g_hi);
  s.g_s.resize(rows, cols);
  for (Eigen::Index j = 0; j < cols; ++j)
    for (Eigen::Index i = 0; i < rows; ++i) s.g_s(i, j) = dist(gen);
  return s;
}

/// max |a - b| / max |b|
inline double relErr(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
  return (a - b).cwiseAbs().maxCoeff() / b.cwiseAbs().maxCoeff();
}

}  // namespace xbarsim::test
