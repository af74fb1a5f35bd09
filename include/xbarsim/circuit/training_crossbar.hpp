// SPDX-License-Identifier: MIT
#pragma once
/// @file The three phases of training through the canonical crossbar (docs/training-circuit.md):
/// forward reads, backward (transposed) reads and the parallel pulse-coincidence update.
///
/// ```cpp
/// xbarsim::circuit::TrainingCrossbar xb(spec);        // linear 1R, ideal sense, wires
/// Eigen::MatrixXd i_cols = xb.forward(v_rows);        // R×K V  -> C×K A
/// Eigen::MatrixXd i_rows = xb.backward(v_cols);       // C×K V  -> R×K A
/// auto t = biasTerminals({BiasScheme::HalfV, 1.0}, R, C, sel_rows, sel_cols, +1);
/// Eigen::MatrixXd v_cell = xb.cellVoltages(t.rows_v, t.cols_v);   // R×C, exact (one solve)
/// Eigen::MatrixXd v_sel = xb.selectedCellVoltages(sel_rows, sel_cols, t.rows_v, t.cols_v);
/// Eigen::MatrixXd f = xb.coincidenceStepFractions(bias, sel_rows, sel_cols, +1, efficiency);
/// xb.setConductances(g_new);                          // next state: refactorized lazily
/// ```
///
/// Terminations (the canonical crossbar of docs/architecture.md §4; r_driver in series with
/// the first row segment, every column terminal behind its last segment r_col):
///   forward   rows driven at V_i, column terminals at 0 V (virtual ground);
///             I_col_j = current from column j into its terminal.
///   backward  column terminals driven at V_j, row terminals (behind r_driver) at 0 V
///             (virtual ground); I_row_i = current from row i into its terminal.
///   update    every row terminal (behind r_driver) and column terminal driven.
/// Reciprocity: with these terminations the backward transfer matrix B (R×C) is exactly the
/// transpose of the forward one F (C×R), B = Fᵀ, since both are off-diagonal blocks of the
/// symmetric multiport conductance matrix of a linear resistive network. It fails when a phase
/// changes a termination (e.g. a backward driver with an output resistance the forward sense
/// lacks).

#include <Eigen/Core>
#include <memory>
#include <vector>

#include "xbarsim/circuit/crossbar_spec.hpp"

namespace xbarsim::circuit {

/// Write biasing of the pulse-coincidence update (Liang & Wong, IEEE TED 57(10), 2010;
/// Gokmen & Vlasov, Front. Neurosci. 10:333, 2016). Written symmetric about 0 V; only the
/// differences matter (every terminal is driven, so a common shift changes no cell voltage).
/// Polarity p = ±1, write amplitude V_p:
///   HalfV   selected row +p·V_p/2, selected column −p·V_p/2, others 0:
///           selected cell p·V_p, half-selected p·V_p/2, unselected 0.
///   ThirdV  selected row +p·V_p/2, selected column −p·V_p/2, unselected rows −p·V_p/6,
///           unselected columns +p·V_p/6 (= V_p, 0, V_p/3, 2V_p/3 shifted by −V_p/2):
///           selected cell p·V_p, half-selected p·V_p/3, unselected −p·V_p/3.
enum class BiasScheme { HalfV, ThirdV };

struct UpdateBias {
  BiasScheme scheme = BiasScheme::HalfV;
  double v_pulse_v = 1.0;  ///< V_p, the voltage a selected cell sees with ideal wires
};

/// Terminal voltages of one pulse slot.
struct TerminalVoltages {
  Eigen::VectorXd rows_v;  ///< R row-terminal voltages (V)
  Eigen::VectorXd cols_v;  ///< C column-terminal voltages (V)
};

/// Terminal voltages of a slot in which `rows` and `cols` (indices) fire with polarity p = ±1
/// (+1: the selected cells see +V_p, row above column). Throws xbarsim::Error on an index
/// out of range or p not ±1.
[[nodiscard]] TerminalVoltages biasTerminals(const UpdateBias& bias, Eigen::Index n_rows,
                                             Eigen::Index n_cols,
                                             const std::vector<Eigen::Index>& rows,
                                             const std::vector<Eigen::Index>& cols, int polarity);

/// Fraction of a nominal device step that a pulse of cell voltage v delivers (threshold law):
///   f(v) = sign(v) · ((|v| − V_th) / (V_p − V_th))^α  for |v| > V_th,   0 otherwise.
/// f(±V_p) = ±1; a positive fraction is a step in the direction of a positive pulse. V_th is
/// the write threshold of the device (a pulse below it does not switch: the premise of the
/// half-select schemes, Liang & Wong 2010), α the steepness (1 = linear above threshold).
struct PulseEfficiency {
  double v_pulse_v = 1.0;      ///< V_p (> v_threshold_v)
  double v_threshold_v = 0.6;  ///< V_th (>= 0); 0.6·V_p keeps V/2 half-selects below it
  double alpha = 1.0;          ///< exponent (> 0)
  /// Throws xbarsim::Error when V_th < 0, V_p <= V_th or α <= 0.
  void validate() const;
  [[nodiscard]] double operator()(double v) const noexcept;
};

/// How the update phase computes cell voltages.
enum class UpdateCircuitMode {
  Exact,      ///< one solve of the array's nodal equations per slot (the factorization reused)
  Iterative,  ///< the same equations by conjugate gradients on the column layer, preconditioned
              ///< by the lines (no factorization; O(R·C) per iteration, to cg_rel_tol)
  Ladder,     ///< line-by-line (block-Jacobi) approximation (docs/training-circuit.md): O(R·C)
              ///< per sweep; the selected cells alone after one sweep O(|rows|·C + |cols|·R)
};

struct TrainingCrossbarOptions {
  int threads = 1;  ///< threads of the grid factorization (results identical for any count)
  double cg_rel_tol = 1e-9;      ///< Iterative mode: stop when an update moves no node by more
                                 ///< than this times the largest column-node voltage
  int cg_max_iterations = 1000;  ///< Iterative mode: xbarsim::NumericalError beyond
  /// Ladder mode: block-Jacobi sweeps between the row and the column layer (>= 1). 1 = every
  /// line alone with the crossing lines at their terminal voltages; each sweep more shrinks
  /// the error by about the coupling of the layers (docs/training-circuit.md §2.2).
  int ladder_sweeps = 2;
};

/// A linear resistive crossbar under training: one factorization per conductance state serves
/// every forward and backward vector and the exact update solves (a first Exact update call
/// after a read refactorizes once to keep the factors). Not safe for concurrent calls on one
/// object: one object per tile and thread.
class TrainingCrossbar {
 public:
  /// Needs linear 1R cells and an ideal (virtual-ground) sense; r_row_ohm and r_col_ohm both
  /// > 0 (grid solver) or both 0 (ideal wires: closed forms). Throws xbarsim::Error otherwise
  /// or if the spec is invalid.
  explicit TrainingCrossbar(CrossbarSpec spec, TrainingCrossbarOptions options = {});
  ~TrainingCrossbar();
  TrainingCrossbar(TrainingCrossbar&&) noexcept;
  TrainingCrossbar& operator=(TrainingCrossbar&&) noexcept;
  TrainingCrossbar(const TrainingCrossbar&) = delete;
  TrainingCrossbar& operator=(const TrainingCrossbar&) = delete;

  [[nodiscard]] Eigen::Index rows() const noexcept;
  [[nodiscard]] Eigen::Index cols() const noexcept;
  [[nodiscard]] const CrossbarSpec& spec() const noexcept;
  /// Replaces the R×C conductances (S); the next call refactorizes. Throws xbarsim::Error on a
  /// wrong size or an implausible value.
  void setConductances(const Eigen::MatrixXd& g_s);
  [[nodiscard]] const Eigen::MatrixXd& conductances() const noexcept;

  /// Forward transfer F (C×R, S): I_col = F · V_rows (= W_eff of the native solver).
  [[nodiscard]] const Eigen::MatrixXd& forwardMatrix();
  /// Column currents (C×K, A) for row voltages (R×K, V).
  [[nodiscard]] Eigen::MatrixXd forward(const Eigen::MatrixXd& v_rows);
  /// Row currents (R×K, A) for column voltages (C×K, V): Fᵀ · V_cols (reciprocity, above).
  [[nodiscard]] Eigen::MatrixXd backward(const Eigen::MatrixXd& v_cols);

  /// Voltage across every cell (R×C, V; row node minus column node) with every terminal
  /// driven (update phase), including the IR drop along the lines.
  [[nodiscard]] Eigen::MatrixXd cellVoltages(const Eigen::VectorXd& rows_v,
                                             const Eigen::VectorXd& cols_v,
                                             UpdateCircuitMode mode = UpdateCircuitMode::Exact);
  /// Exact cell voltages (UpdateCircuitMode::Exact) of K slots in one multi-right-hand-side solve:
  /// rows_v R×K, cols_v C×K; result (R·C)×K, column k the R×C matrix of slot k in column-major
  /// order.
  [[nodiscard]] Eigen::MatrixXd cellVoltagesBatch(const Eigen::MatrixXd& rows_v,
                                                  const Eigen::MatrixXd& cols_v);
  /// Ladder-approximation voltages of the cells (rows[a], cols[b]) only: |rows|×|cols|, the
  /// same numbers as cellVoltages(..., Ladder) there (to round-off). With two-level terminals
  /// (as biasTerminals writes them) and at most 2 sweeps they come from the lines' Green's
  /// functions in O(|rows|·C + |cols|·R); otherwise from line solves after full sweeps
  /// (O(R·C) per sweep). For coincidence updates, where only the selected cells pass V_th.
  /// Throws xbarsim::Error on an index out of range or repeated.
  [[nodiscard]] Eigen::MatrixXd selectedCellVoltages(const std::vector<Eigen::Index>& rows,
                                                     const std::vector<Eigen::Index>& cols,
                                                     const Eigen::VectorXd& rows_v,
                                                     const Eigen::VectorXd& cols_v);

  /// Signed step fractions of one coincidence phase, |rows|×|cols|: the terminals of
  /// biasTerminals(bias, R, C, rows, cols, polarity), the selected cells' voltages
  /// (selectedCellVoltages) and efficiency(v) of each.
  [[nodiscard]] Eigen::MatrixXd coincidenceStepFractions(const UpdateBias& bias,
                                                         const std::vector<Eigen::Index>& rows,
                                                         const std::vector<Eigen::Index>& cols,
                                                         int polarity,
                                                         const PulseEfficiency& efficiency);

  /// Factorizations done since construction (one per conductance state that was read).
  [[nodiscard]] int factorizations() const noexcept;
  /// Conjugate-gradient iterations of the last Iterative cellVoltages call.
  [[nodiscard]] int lastCgIterations() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace xbarsim::circuit
