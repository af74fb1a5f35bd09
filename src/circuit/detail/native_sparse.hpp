// SPDX-License-Identifier: MIT
#pragma once
/// @file General sparse LDLᵀ of the crossbar's nodal matrix (private header).
///
/// Works for every topology (any combination of zero-ohm wires), on the unknowns of a
/// Topology. The pattern (lower triangle, CSC) and the value slot of every stamp are built once;
/// factorize() refills the values and runs Eigen's SimplicialLDLT numeric factorization on the
/// AMD ordering computed once by analyzePattern.

#include <Eigen/Core>
#include <Eigen/SparseCore>
#include <algorithm>
#include <memory>
#include <vector>

#include "detail/native_topology.hpp"

namespace xbarsim::circuit::detail {

/// Index in the value array of entry (row, col) of a compressed column-major matrix whose
/// pattern holds that entry (the "slot" a stamp writes to).
inline int cscSlot(const Eigen::SparseMatrix<double>& a, int row, int col) {
  const int* inner = a.innerIndexPtr();
  const int* outer = a.outerIndexPtr();
  const int* p = std::lower_bound(inner + outer[col], inner + outer[col + 1], row);
  return static_cast<int>(p - inner);
}

class SparseNodal {
 public:
  explicit SparseNodal(const Topology& topo);
  ~SparseNodal();
  SparseNodal(const SparseNodal&) = delete;
  SparseNodal& operator=(const SparseNodal&) = delete;

  /// g_cell: R×C small-signal cell conductances; g_load: per unknown TIA sense node (size C,
  /// empty for ideal sense). Throws NumericalError naming the node if the matrix is singular.
  void factorize(const Eigen::MatrixXd& g_cell, const Eigen::VectorXd& g_load);
  /// Solves J x = b in place (b: unknowns × m); fixed nodes at 0 V.
  void solve(Eigen::MatrixXd& b) const;
  /// The assembled matrix (lower triangle) of the last factorize().
  const Eigen::SparseMatrix<double>& matrix() const noexcept { return a_; }
  std::size_t factorNonZeros() const noexcept;

  /// Nodes that are connected to no fixed node or load through positive conductances.
  static std::vector<int> floatingNodes(const Topology& topo, const Eigen::MatrixXd& g_cell,
                                        const Eigen::VectorXd& g_load);

 private:
  struct Impl;
  const Topology& topo_;
  Eigen::SparseMatrix<double> a_;
  std::vector<int> cell_slots_;   // 3 per cell (aa, bb, ab) or -1
  std::vector<int> wire_slots_;   // 3 per wire
  std::vector<int> load_slots_;   // 1 per column (TIA)
  std::unique_ptr<Impl> impl_;
};

}  // namespace xbarsim::circuit::detail
