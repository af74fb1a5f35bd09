// SPDX-License-Identifier: MIT
#pragma once
/// @file General sparse LU of the crossbar's nodal matrix with non-symmetric cell stamps
/// (private header). Used for 1T1R cells, whose gate is held at an absolute voltage: the
/// linearized cell current dI = g_a·dV_a − g_b·dV_b has g_b ≠ g_a, so the Jacobian is not
/// symmetric and the Cholesky/LDLᵀ factorizations do not apply. Eigen SparseLU, COLAMD order
/// computed once.

#include <Eigen/Core>
#include <Eigen/SparseCore>
#include <memory>
#include <vector>

#include "detail/native_topology.hpp"

namespace xbarsim::circuit::detail {

class SparseNodalLU {
 public:
  explicit SparseNodalLU(const Topology& topo);
  ~SparseNodalLU();
  SparseNodalLU(const SparseNodalLU&) = delete;
  SparseNodalLU& operator=(const SparseNodalLU&) = delete;

  /// g_a, g_b: R×C cell linearization (dI = g_a dV_row − g_b dV_col); g_load: per TIA sense
  /// node (empty for ideal sense). Throws NumericalError if the matrix is singular.
  void factorize(const Eigen::MatrixXd& g_a, const Eigen::MatrixXd& g_b, const Eigen::VectorXd& g_load);
  /// Solves J x = b in place (b: unknowns × m).
  void solve(Eigen::MatrixXd& b) const;
  std::size_t factorNonZeros() const noexcept;

 private:
  struct Impl;
  const Topology& topo_;
  Eigen::SparseMatrix<double> a_;
  std::vector<int> cell_slots_;   // 4 per cell (aa, ab, ba, bb) or -1
  std::vector<int> wire_slots_;   // 4 per wire
  std::vector<int> load_slots_;   // 1 per column (TIA)
  std::unique_ptr<Impl> impl_;
};

}  // namespace xbarsim::circuit::detail
