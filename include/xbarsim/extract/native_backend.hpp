// SPDX-License-Identifier: MIT
#pragma once
/// @file The native backend: sparse MNA of the canonical crossbar (circuit::NativeSolver).

#include "xbarsim/circuit/native_solver.hpp"
#include "xbarsim/extract/backend.hpp"

namespace xbarsim::extract {

class NativeBackend final : public Backend {
 public:
  explicit NativeBackend(circuit::NativeOptions options = {}) : options_(options) {}
  [[nodiscard]] std::string_view name() const noexcept override { return "native"; }
  [[nodiscard]] std::string version() const override;
  [[nodiscard]] WeightResult effectiveWeights(const circuit::CrossbarSpec& spec,
                                              double v_read_v) override;
  [[nodiscard]] CurrentResult currents(const circuit::CrossbarSpec& spec,
                                       const Eigen::VectorXd& x_v) override;
  /// One solver for all vectors: one factorization of a linear circuit, warm-started Newton
  /// solves otherwise.
  [[nodiscard]] BatchCurrentResult currentsBatch(const circuit::CrossbarSpec& spec,
                                                 const Eigen::MatrixXd& x_v) override;
  /// Solver statistics of the last call (factorization kind, Newton iterations, times).
  [[nodiscard]] const circuit::NativeReport& lastReport() const noexcept { return report_; }

 private:
  circuit::NativeOptions options_;
  circuit::NativeReport report_;
};

}  // namespace xbarsim::extract
