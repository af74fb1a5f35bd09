// SPDX-License-Identifier: MIT
#pragma once
/// @file Structured multifrontal Cholesky of the crossbar's two-layer grid (private header).
///
/// The crossbar with r_row > 0 and r_col > 0 is a two-layer grid: site (i,j) holds a row node and
/// a column node joined by the cell; row wires join row nodes horizontally, column wires join
/// column nodes vertically. Contracting each site gives an R×C grid graph, so nested dissection
/// by recursive bisection of the site rectangle is the natural ordering.
///
/// Every wire cut by a bisection is split into two halves with a midpoint node (exact: two
/// conductances 2g in series). A domain (rectangle of sites) then talks to the rest of the
/// circuit only through its "ports": the midpoints of the wires that cross its edges, plus the
/// row drivers (left edge of the array) and the sense nodes (bottom edge). Processing the domain
/// tree bottom-up, each domain eliminates its interior and hands the dense Schur complement on
/// its ports to its parent, which adds its two children (extend-add), eliminates the shared
/// midpoints (a dense Cholesky block), and so on. The root's Schur complement is the
/// (R+C)×(R+C) multiport conductance matrix Y on [drivers, sense nodes]: for an ideal sense
/// amplifier W_eff = -Y(outs, drivers) directly, with no solve and no inverse.
///
/// All dense work uses Eigen's blocked kernels (LLT, TRSM, SYRK). Independent subtrees run on
/// separate threads; the arithmetic of each front is independent of the thread count, so the
/// results are bitwise identical for any number of threads.
///
/// The network is a weighted Laplacian with zero row sums on every domain (drivers and sense
/// nodes are kept as ports, loads are applied at the root only), so the diagonal of each Schur
/// complement is recomputed as minus the sum of its off-diagonal entries (as in the
/// Grassmann-Taksar-Heyman algorithm): no cancellation in the small (device-size) diagonal terms.

#include <Eigen/Core>
#include <cstddef>
#include <memory>
#include <vector>

namespace xbarsim::circuit::detail {

struct GridParams {
  Eigen::Index rows = 0;
  Eigen::Index cols = 0;
  double g_first = 0.0;  ///< row driver -> row node (i,0): 1/(r_driver + r_row)
  double g_row = 0.0;    ///< one row segment 1/r_row
  double g_col = 0.0;    ///< one column segment 1/r_col (also column node (R-1,j) -> sense node)
};

struct GridOptions {
  int leaf_rows = 2;  ///< 2×2-site leaves: fastest and smallest stored factors (measured)
  int leaf_cols = 2;
  int threads = 1;
  bool laplacian_diagonal = true;
};

class GridMultifrontal {
 public:
  GridMultifrontal(const GridParams& params, const GridOptions& options);
  ~GridMultifrontal();
  GridMultifrontal(const GridMultifrontal&) = delete;
  GridMultifrontal& operator=(const GridMultifrontal&) = delete;

  /// Numeric factorization for cell conductances g_cell (R×C). With keep_factors the per-front
  /// factors are stored for solve(); without, only the multiport matrix is kept (less memory).
  /// Throws NumericalError if a front is not positive definite.
  void factorize(const Eigen::MatrixXd& g_cell, bool keep_factors);

  /// (R+C)×(R+C) multiport conductance matrix on [drivers 0..R-1, sense nodes 0..C-1]:
  /// currents injected into the network = Y · port voltages.
  const Eigen::MatrixXd& multiport() const noexcept { return multiport_; }

  /// Loads from the sense nodes to ground (size C), used by solve(); empty = sense nodes held at
  /// 0 V (ideal). With loads the sense nodes are unknowns 2RC..2RC+C-1.
  void setOutLoads(const Eigen::VectorXd& g_load);

  /// Solves J x = b in place (b: unknowns × m), drivers at 0 V. Needs factorize(..., true).
  void solve(Eigen::MatrixXd& b) const;

  Eigen::Index unknowns() const noexcept;
  std::size_t factorBytes() const noexcept { return factor_bytes_; }
  std::size_t peakFrontBytes() const noexcept { return peak_front_bytes_; }
  int fronts() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  Eigen::MatrixXd multiport_;
  std::size_t factor_bytes_ = 0;
  std::size_t peak_front_bytes_ = 0;
};

}  // namespace xbarsim::circuit::detail
