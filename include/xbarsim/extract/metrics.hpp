// SPDX-License-Identifier: MIT
#pragma once
/// @file How far an array computes from its ideal: the error metrics every command, sweep job
/// and test report, defined once.

#include <Eigen/Core>

#include "xbarsim/circuit/crossbar_spec.hpp"
#include "xbarsim/extract/backend.hpp"

namespace xbarsim::extract {

/// ‖actual − reference‖_F / ‖reference‖_F (vectors: Euclidean norms). NaN when the reference
/// is zero: the relative error is then undefined.
[[nodiscard]] double relativeError(const Eigen::MatrixXd& actual, const Eigen::MatrixXd& reference);

/// Total error of an array against its programmed conductances, ‖W_eff − Gᵀ‖_F / ‖Gᵀ‖_F, for
/// W_eff (C×R) and g_s (R×C): IR drop, the cells' non-linearity (a sinh cell read at V has the
/// slope g·cosh(V/V0), not g), access devices, drivers and sense amplifiers together.
[[nodiscard]] double weffRelativeError(const Eigen::MatrixXd& weff_s, const Eigen::MatrixXd& g_s);

/// The same per output j: ‖W_eff[j,:] − G[:,j]‖ / ‖G[:,j]‖ (C values; NaN for a zero column).
[[nodiscard]] Eigen::VectorXd columnRelativeErrors(const Eigen::MatrixXd& weff_s,
                                                   const Eigen::MatrixXd& g_s);

/// Per output j, ‖actual[j,:] − reference[j,:]‖ / ‖reference[j,:]‖ for two C×R weight matrices
/// (NaN for a zero reference row).
[[nodiscard]] Eigen::VectorXd outputRelativeErrors(const Eigen::MatrixXd& actual_s,
                                                   const Eigen::MatrixXd& reference_s);

/// The ideal-wire twin of an array: the same cells, drivers and sense amplifiers with row and
/// column wire segments of 0 Ω. W_eff of the array against W_eff of its twin is the IR drop in
/// the wires alone; the twin against Gᵀ is everything else (cell slope, access devices, sense).
[[nodiscard]] circuit::CrossbarSpec idealWireTwin(const circuit::CrossbarSpec& spec);

/// W_eff of the array and of its ideal-wire twin (the same matrix, not solved twice, when the
/// array's wires are ideal already), with the two relative errors a sweep reports.
struct WeightErrors {
  WeightResult weights;             ///< W_eff of the array (C×R)
  Eigen::MatrixXd ideal_wire_weff_s;  ///< W_eff of the ideal-wire twin (C×R)
  double ir_drop = 0.0;             ///< ‖W_eff − W_ideal‖_F / ‖W_ideal‖_F
  double target = 0.0;              ///< ‖W_eff − Gᵀ‖_F / ‖Gᵀ‖_F (weffRelativeError)
  Eigen::VectorXd ir_drop_columns;  ///< outputRelativeErrors(W_eff, W_ideal)
  Eigen::VectorXd target_columns;   ///< columnRelativeErrors(W_eff, G)
};
[[nodiscard]] WeightErrors weightErrors(Backend& backend, const circuit::CrossbarSpec& spec,
                                        double v_read_v);

/// Error of a real MVM: relativeError(currents, Gᵀx) for the column currents of inputs x_v.
[[nodiscard]] double mvmRelativeError(const Eigen::VectorXd& currents_a, const Eigen::MatrixXd& g_s,
                                      const Eigen::VectorXd& x_v);

/// max_k |a_k − b_k| / max_k |b_k| (divided by 1 when b is zero): how far two solutions of the
/// same circuit are apart, with b the reference (`xbarsim validate`).
[[nodiscard]] double maxRelativeDifference(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b);

/// maxRelativeDifference(a, b) and the entry where it is reached (the first in column-major
/// order when several are), so that a disagreement names its element and both values.
struct LargestDifference {
  double relative = 0.0;  ///< max_k |a_k − b_k| / max_k |b_k|
  Eigen::Index row = 0;   ///< entry (row, col) of the largest |a − b|
  Eigen::Index col = 0;
  double value = 0.0;      ///< a(row, col)
  double reference = 0.0;  ///< b(row, col)
};
[[nodiscard]] LargestDifference largestDifference(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b);

/// One circuit solved by two backends (`xbarsim validate`): the results of each and
/// largestDifference(other, reference) (W_eff: row = output j, col = input i; currents: row = j).
struct WeightComparison {
  WeightResult reference;
  WeightResult other;
  LargestDifference difference;
};
struct CurrentComparison {
  CurrentResult reference;
  CurrentResult other;
  LargestDifference difference;
};
[[nodiscard]] WeightComparison compareWeights(Backend& reference, Backend& other,
                                              const circuit::CrossbarSpec& spec, double v_read_v);
[[nodiscard]] CurrentComparison compareCurrents(Backend& reference, Backend& other,
                                                const circuit::CrossbarSpec& spec,
                                                const Eigen::VectorXd& x_v);

/// The same for K input vectors (x_v: R×K); difference: row = output j, col = vector k.
struct BatchCurrentComparison {
  BatchCurrentResult reference;
  BatchCurrentResult other;
  LargestDifference difference;
};
[[nodiscard]] BatchCurrentComparison compareCurrentsBatch(Backend& reference, Backend& other,
                                                          const circuit::CrossbarSpec& spec,
                                                          const Eigen::MatrixXd& x_v);

/// How close two backends must agree by default, from the solvers' own tolerances: ten times
/// the larger of ngspice's relative tolerance in generated decks (circuit::kDeckRelTol, 1e-10)
/// and the native Newton's (circuit::NewtonOptions::rel_tol, 1e-12), i.e. 1e-9; for a linear
/// circuit (both solve the same linear system once) the same 1e-9 bounds the round-off.
[[nodiscard]] double defaultAgreementTolerance(const circuit::CrossbarSpec& spec) noexcept;

}  // namespace xbarsim::extract
