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

/// IR-drop (and sense) error of an array, ‖W_eff − Gᵀ‖_F / ‖Gᵀ‖_F, for W_eff (C×R) and the
/// programmed conductances g_s (R×C).
[[nodiscard]] double weffRelativeError(const Eigen::MatrixXd& weff_s, const Eigen::MatrixXd& g_s);

/// The same per output j: ‖W_eff[j,:] − G[:,j]‖ / ‖G[:,j]‖ (C values; NaN for a zero column).
[[nodiscard]] Eigen::VectorXd columnRelativeErrors(const Eigen::MatrixXd& weff_s,
                                                   const Eigen::MatrixXd& g_s);

/// Error of a real MVM: relativeError(currents, Gᵀx) for the column currents of inputs x_v.
[[nodiscard]] double mvmRelativeError(const Eigen::VectorXd& currents_a, const Eigen::MatrixXd& g_s,
                                      const Eigen::VectorXd& x_v);

/// max_k |a_k − b_k| / max_k |b_k| (divided by 1 when b is zero): how far two solutions of the
/// same circuit are apart, with b the reference (`xbarsim validate`).
[[nodiscard]] double maxRelativeDifference(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b);

/// One circuit solved by two backends (`xbarsim validate`): the results of each and
/// maxRelativeDifference(other, reference).
struct WeightComparison {
  WeightResult reference;
  WeightResult other;
  double difference = 0.0;
};
struct CurrentComparison {
  CurrentResult reference;
  CurrentResult other;
  double difference = 0.0;
};
[[nodiscard]] WeightComparison compareWeights(Backend& reference, Backend& other,
                                              const circuit::CrossbarSpec& spec, double v_read_v);
[[nodiscard]] CurrentComparison compareCurrents(Backend& reference, Backend& other,
                                                const circuit::CrossbarSpec& spec,
                                                const Eigen::VectorXd& x_v);

/// How close two backends must agree by default: 1e-9 for a linear circuit (both solve the
/// same linear system), 1e-6 otherwise (Newton's tolerance).
[[nodiscard]] double defaultAgreementTolerance(const circuit::CrossbarSpec& spec) noexcept;

}  // namespace xbarsim::extract
