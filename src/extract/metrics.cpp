// SPDX-License-Identifier: MIT
#include "xbarsim/extract/metrics.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <limits>

#include "xbarsim/circuit/crossbar_netlist.hpp"
#include "xbarsim/circuit/native_solver.hpp"
#include "xbarsim/core/error.hpp"

namespace xbarsim::extract {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

void requireSameShape(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b, const char* what) {
  if (a.rows() != b.rows() || a.cols() != b.cols())
    throw Error(
        fmt::format("{}: {}x{} against {}x{}", what, a.rows(), a.cols(), b.rows(), b.cols()));
}

}  // namespace

double relativeError(const Eigen::MatrixXd& actual, const Eigen::MatrixXd& reference) {
  requireSameShape(actual, reference, "relativeError");
  const double norm = reference.norm();
  return norm > 0.0 ? (actual - reference).norm() / norm : kNaN;
}

double weffRelativeError(const Eigen::MatrixXd& weff_s, const Eigen::MatrixXd& g_s) {
  return relativeError(weff_s, g_s.transpose());
}

Eigen::VectorXd columnRelativeErrors(const Eigen::MatrixXd& weff_s, const Eigen::MatrixXd& g_s) {
  return outputRelativeErrors(weff_s, g_s.transpose());
}

Eigen::VectorXd outputRelativeErrors(const Eigen::MatrixXd& actual_s,
                                     const Eigen::MatrixXd& reference_s) {
  requireSameShape(actual_s, reference_s, "outputRelativeErrors");
  Eigen::VectorXd errors(actual_s.rows());
  for (Eigen::Index j = 0; j < actual_s.rows(); ++j) {
    const double norm = reference_s.row(j).norm();
    errors(j) = norm > 0.0 ? (actual_s.row(j) - reference_s.row(j)).norm() / norm : kNaN;
  }
  return errors;
}

circuit::CrossbarSpec idealWireTwin(const circuit::CrossbarSpec& spec) {
  circuit::CrossbarSpec twin = spec;
  twin.r_row_ohm = 0.0;
  twin.r_col_ohm = 0.0;
  return twin;
}

WeightErrors weightErrors(Backend& backend, const circuit::CrossbarSpec& spec, double v_read_v) {
  WeightErrors e;
  e.weights = backend.effectiveWeights(spec, v_read_v);
  const bool ideal_wires = spec.r_row_ohm == 0.0 && spec.r_col_ohm == 0.0;
  e.ideal_wire_weff_s = ideal_wires ? e.weights.weff_s
                                    : backend.effectiveWeights(idealWireTwin(spec), v_read_v).weff_s;
  e.ir_drop = relativeError(e.weights.weff_s, e.ideal_wire_weff_s);
  e.target = weffRelativeError(e.weights.weff_s, spec.g_s);
  e.ir_drop_columns = outputRelativeErrors(e.weights.weff_s, e.ideal_wire_weff_s);
  e.target_columns = columnRelativeErrors(e.weights.weff_s, spec.g_s);
  return e;
}

double mvmRelativeError(const Eigen::VectorXd& currents_a, const Eigen::MatrixXd& g_s,
                        const Eigen::VectorXd& x_v) {
  const Eigen::MatrixXd gt = g_s.transpose();
  return relativeError(currents_a, gt * x_v);
}

double maxRelativeDifference(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
  return largestDifference(a, b).relative;
}

LargestDifference largestDifference(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
  requireSameShape(a, b, "maxRelativeDifference");
  LargestDifference d;
  if (a.size() == 0) return d;
  const double scale = b.cwiseAbs().maxCoeff();
  const double largest = (a - b).cwiseAbs().maxCoeff(&d.row, &d.col);
  d.relative = largest / (scale > 0.0 ? scale : 1.0);
  d.value = a(d.row, d.col);
  d.reference = b(d.row, d.col);
  return d;
}

WeightComparison compareWeights(Backend& reference, Backend& other,
                                const circuit::CrossbarSpec& spec, double v_read_v) {
  WeightComparison c{reference.effectiveWeights(spec, v_read_v),
                     other.effectiveWeights(spec, v_read_v), {}};
  c.difference = largestDifference(c.other.weff_s, c.reference.weff_s);
  return c;
}

CurrentComparison compareCurrents(Backend& reference, Backend& other,
                                  const circuit::CrossbarSpec& spec, const Eigen::VectorXd& x_v) {
  CurrentComparison c{reference.currents(spec, x_v), other.currents(spec, x_v), {}};
  c.difference = largestDifference(c.other.currents_a, c.reference.currents_a);
  return c;
}

BatchCurrentComparison compareCurrentsBatch(Backend& reference, Backend& other,
                                            const circuit::CrossbarSpec& spec,
                                            const Eigen::MatrixXd& x_v) {
  BatchCurrentComparison c{reference.currentsBatch(spec, x_v), other.currentsBatch(spec, x_v), {}};
  c.difference = largestDifference(c.other.currents_a, c.reference.currents_a);
  return c;
}

double defaultAgreementTolerance(const circuit::CrossbarSpec& spec) noexcept {
  // Newton-converged operating points: each solver's relative tolerance, with a margin of ten
  // for the conditioning of the Jacobian (measured: at most 4e-11 on 16x16 1R/1S1R/1T1R arrays
  // with sinh cells and TIAs, 8e-12 on the README's 32x32 configuration).
  constexpr double kMargin = 10.0;
  const double nonlinear = kMargin * std::max(circuit::kDeckRelTol, circuit::NewtonOptions{}.rel_tol);
  // A linear circuit is one linear solve in both: round-off, far below the same bound.
  return spec.isLinear() ? 1e-9 : nonlinear;
}

}  // namespace xbarsim::extract
