// SPDX-License-Identifier: MIT
#pragma once
/// @file The native backend (docs/architecture.md §5.2): DC solves of the canonical crossbar by
/// modified nodal analysis, without ngspice.
///
/// ```cpp
/// xbarsim::circuit::CrossbarSpec spec;            // rows, cols, wires, g_s, sense ...
/// xbarsim::circuit::NativeSolver solver(spec);
/// Eigen::MatrixXd w = solver.effectiveWeights(0.2);   // C×R, siemens
/// Eigen::VectorXd i = solver.currents(x);              // C column currents (A) for R inputs (V)
/// ```
///
/// Definitions (shared with the ngspice backend): W_eff[j][i] = ∂I_j/∂V_i at the read operating
/// point. For a linear circuit (linear cells, ideal sense) it is exact and input-independent and
/// the read voltage is ignored; otherwise the operating point is every row at v_read_v and W_eff
/// is the Jacobian there (one Newton solve, one factorization).
///
/// Method: with r_row > 0 and r_col > 0 the nodal matrix is factorized by a structured
/// multifrontal Cholesky (nested dissection of the two-layer grid; the root front yields the
/// multiport conductance matrix on [drivers, sense nodes], so W_eff needs no solves); with any
/// zero-ohm wire (merged nodes) by a general sparse LDLᵀ (Eigen SimplicialLDLT, AMD).
/// Non-linear circuits use a damped Newton method with the analytic Jacobian and warm starts;
/// chord steps reuse the factors of an earlier Jacobian (of this solve or the previous input
/// vector) while each shrinks the KCL residual fivefold, else the Jacobian is refreshed.
/// Linear arrays with resistive wires need no interior solve: MVMs of many vectors are
/// I = -Y(outs, drivers) x from the multiport matrix, a few vectors are solved by conjugate
/// gradients preconditioned with the wires (no factorization), and non-linear sense amplifiers
/// (TIA) reduce the Newton method to the C sense-node voltages of the multiport (W_eff: one
/// factorization whatever the iteration count).
/// 1S1R and 1T1R cells (CrossbarSpec::cell) are condensed per cell: their internal node is
/// solved by a scalar Newton inside every evaluation, so the unknowns stay the row/column
/// nodes. 1T1R cells (gate at an absolute voltage) make the Jacobian non-symmetric and always
/// use a sparse LU (COLAMD) instead of the grid or LDLᵀ factorizations.
/// Results do not depend on the number of threads. A zero-conductance cell or column is a
/// legitimate circuit (exact zeros in W_eff). Failures — singular matrix (floating node),
/// Newton non-convergence, conductance overflow, a non-finite result — are NumericalErrors that
/// name the node or cell in deck names (netlists/README.md); no NaN is ever returned.

#include <Eigen/Core>
#include <cstddef>
#include <memory>
#include <string>

#include "xbarsim/circuit/crossbar_spec.hpp"

namespace xbarsim::circuit {

enum class NativeFactorization {
  Auto,    ///< grid multifrontal when r_row > 0 and r_col > 0, else sparse LDLᵀ
  Grid,    ///< structured multifrontal (Error if a wire resistance is 0)
  Sparse,  ///< general sparse LDLᵀ (any topology; slower for large arrays)
};

struct NewtonOptions {
  int max_iterations = 100;
  /// Converged when max|Δx| <= abs_tol_v + rel_tol·max|x| ...
  double abs_tol_v = 1e-12;
  double rel_tol = 1e-12;
  /// ... or when a full step below floor_tol_v no longer halves the update (round-off floor).
  double floor_tol_v = 1e-9;
  /// Damping: the largest change of any node voltage in one iteration (V).
  double max_step_v = 0.5;
  /// Step halvings allowed per iteration while the KCL residual grows.
  int max_backtracks = 30;
};

struct NativeOptions {
  NativeFactorization factorization = NativeFactorization::Auto;
  /// Threads for the factorization (0 = all cores). The results are identical for any count.
  int threads = 0;
  /// Grid multifrontal leaf size (sites per side); 2 was measured fastest with the least memory.
  int leaf_size = 2;
  NewtonOptions newton;
  /// Chord (modified) Newton for non-linear circuits: steps reuse the factors of an earlier
  /// Jacobian (of this solve or the previous input vector) while each halves the KCL residual;
  /// otherwise the iteration is redone with a fresh Jacobian. Same convergence test.
  bool chord = true;
  /// Linear 1R arrays with r_row > 0, r_col > 0 and an ideal sense: batches of at most this
  /// many input vectors are solved by conjugate gradients preconditioned with the column
  /// wires (no factorization; O(RC) per iteration), larger ones through the multiport
  /// factorization. 0 = never iterate.
  int iterative_max_vectors = 4;
  /// Linear 1R grid arrays read by non-linear amplifiers: W_eff and MVMs through the multiport
  /// matrix with Newton on the sense nodes (false: full Newton on every node; benchmarks).
  bool port_reduction = true;
};

/// Convergence of one Newton solve.
struct NewtonReport {
  int iterations = 0;
  bool converged = false;
  int backtracks = 0;        ///< step halvings (line search) over all iterations
  double residual_a = 0.0;   ///< max |KCL residual| at the returned point (A)
  double update_v = 0.0;     ///< max |Δx| of the last iteration (V)
  /// Node with the largest residual at the returned point, named as in generated decks
  /// (netlists/README.md), e.g. "c3_7 (column node of cell (3,7))".
  std::string worst_node;
};

/// What the last public call did.
struct NativeReport {
  std::string factorization;      ///< "grid-multifrontal (avx2-fma)", "sparse-ldlt (amd)", ...
  Eigen::Index unknowns = 0;      ///< node-voltage unknowns
  int factorizations = 0;
  int solves = 0;                 ///< right-hand sides solved
  int newton_solves = 0;          ///< Newton solves (one per input vector)
  int newton_iterations = 0;      ///< summed over those solves
  int chord_steps = 0;            ///< of those, steps with the factors of an earlier Jacobian
  int cg_iterations = 0;          ///< conjugate-gradient iterations (iterative MVMs)
  NewtonReport newton;            ///< the last Newton solve
  double factor_s = 0.0;          ///< wall time in numeric factorizations
  double solve_s = 0.0;           ///< wall time in triangular solves
  double total_s = 0.0;           ///< wall time of the call
  std::size_t factor_bytes = 0;   ///< stored factor size of the last factorization
};

/// One solver per circuit topology; it keeps the elimination tree / pattern, the last
/// factorization and the last operating point (warm start). Not safe for concurrent calls on
/// one object (use one solver per thread); the factorization itself uses options.threads.
class NativeSolver {
 public:
  /// Validates the spec (xbarsim::Error if invalid) and builds the pattern / elimination tree.
  explicit NativeSolver(CrossbarSpec spec, NativeOptions options = {});
  ~NativeSolver();
  NativeSolver(NativeSolver&&) noexcept;
  NativeSolver& operator=(NativeSolver&&) noexcept;
  NativeSolver(const NativeSolver&) = delete;
  NativeSolver& operator=(const NativeSolver&) = delete;

  const CrossbarSpec& spec() const noexcept;

  /// C×R effective weights (S) at the read point (all rows at v_read_v; ignored when linear).
  Eigen::MatrixXd effectiveWeights(double v_read_v = 0.0);
  /// Column currents I (A, size C) for row inputs x_v (V, size R).
  Eigen::VectorXd currents(const Eigen::VectorXd& x_v);
  /// Column currents for a batch: x_v is R×K (one input per column), the result C×K. Each
  /// Newton solve starts from the previous solution. Linear 1R cells with r_row > 0 and
  /// r_col > 0 (grid): one factorization yields the multiport matrix Y on [drivers, sense
  /// nodes]; an ideal sense gives I = W_eff x directly, other amplifiers a Newton on the C
  /// sense nodes per vector. The node voltages are then solved only when asked for. With an
  /// ideal sense and at most NativeOptions::iterative_max_vectors vectors, conjugate gradients
  /// instead (no factorization; falls back to the multiport if they do not converge).
  Eigen::MatrixXd currentsBatch(const Eigen::MatrixXd& x_v);
  /// Best linear surrogate over a set of inputs (R×K): the C×R matrix W minimizing
  /// Σ_k ||I(x_k) − W x_k||² (minimum-norm solution when the inputs do not span R^R).
  Eigen::MatrixXd leastSquaresWeights(const Eigen::MatrixXd& inputs_v);
  /// Power the circuit takes from its sources at each input vector (W, size K for R×K
  /// inputs): P = Σ_i x_i·I_i − Σ_j v_j·I_j, with I_i the current row driver i delivers (the
  /// sum of row i's cell currents: the row wire's far end is open) and v_j·I_j the power the
  /// column current delivers into an amplifier that does not hold its input (0 for a virtual
  /// ground). By Tellegen's theorem this is the dissipation in the cells, the wires and the
  /// driver resistances (docs/energy.md §1). Every vector is solved on its own (node voltages
  /// included).
  Eigen::VectorXd arrayPower(const Eigen::MatrixXd& x_v);
  /// The R×R symmetric matrix M of the power as a quadratic form of the inputs, P(x) = xᵀMx
  /// (docs/energy.md §2): exact for a linear array read by an ideal sense (M is then the input
  /// admittance of the multiport with the sense nodes grounded); with a TIA the sense nodes
  /// follow v = S·x linearized at the read point (all rows at v_read_v); for non-linear cells
  /// the secant M_ik from one-hot reads at v_read_v (an approximation: use arrayPower()).
  Eigen::MatrixXd powerMatrix(double v_read_v);
  /// Replaces the cell conductances (R×C); keeps the pattern / elimination tree.
  void updateConductances(const Eigen::MatrixXd& g_s);
  /// Forgets the warm-start solution (the next Newton solve starts from 0 V).
  void resetWarmStart() noexcept;

  /// Node voltages of the last solved operating point (R×C; C for the sense nodes). After a
  /// port-reduced solve (see currentsBatch) they are computed here by a full solve.
  Eigen::MatrixXd rowNodeVoltages() const;
  Eigen::MatrixXd columnNodeVoltages() const;
  Eigen::VectorXd senseNodeVoltages() const;

  const NativeReport& report() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace xbarsim::circuit
