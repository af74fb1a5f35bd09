// SPDX-License-Identifier: MIT
#pragma once
/// @file The one SUNDIALS IDA driver of xbarsim (variable-order BDF for F(t, y, y') = 0), used
/// by every native transient: the crossbar (native_transient.hpp) and the device arrays
/// (extract/device_circuit.hpp). It owns every SUNDIALS object (context, vectors, matrix, linear
/// solver, IDA memory) and hides them: this header includes no SUNDIALS header.
///
/// Linear solvers: dense LU (IDA's difference-quotient Jacobian, or the problem's) or sparse KLU
/// on a fixed CSC pattern (the problem's analytic Jacobian).
///
/// Callback exceptions: every C callback catches everything. A RecoverableError (core/error.hpp)
/// or a non-finite residual returns 1 to IDA, which cuts the step and retries; any other
/// exception is stored, returns -1 (IDA stops), and is rethrown unchanged when the IDA call
/// returns. An IDA failure becomes a NumericalError carrying IDA's own message (captured by the
/// error handler) and the last recoverable error, if any.
///
/// Builds against SUNDIALS 6.x and 7.x.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace xbarsim::circuit {

/// The DAE F(t, y, y') = 0 of size() unknowns. Not thread-safe: one driver calls it at a time.
class IdaProblem {
 public:
  virtual ~IdaProblem() = default;
  [[nodiscard]] virtual std::int64_t size() const = 0;
  /// r = F(t, y, y'). Throw RecoverableError when a smaller step may succeed.
  virtual void residual(double t, const double* y, const double* yp, double* r) = 0;
  /// Iteration matrix J = ∂F/∂y + cj·∂F/∂y' at (t, y, y'), added into `values` (zeroed by the
  /// driver): dense, the n×n matrix column-major; sparse, one value per entry of
  /// IdaOptions::pattern in CSC order. Needed with IdaLinearSolver::Klu or
  /// IdaOptions::analytic_jacobian; the default throws.
  virtual void jacobian(double t, double cj, const double* y, const double* yp, double* values);
};

enum class IdaLinearSolver {
  Dense,  ///< SUNDenseMatrix + SUNLinSol_Dense
  Klu,    ///< SUNSparseMatrix (CSC, IdaOptions::pattern) + SUNLinSol_KLU; analytic Jacobian
};

/// Sparsity pattern of the iteration matrix in compressed sparse columns: the rows of column c
/// are row_index[col_ptr[c] .. col_ptr[c+1]), increasing.
struct IdaPattern {
  std::vector<std::int64_t> col_ptr;    ///< n + 1
  std::vector<std::int64_t> row_index;  ///< nnz
};

struct IdaOptions {
  IdaLinearSolver linear_solver = IdaLinearSolver::Dense;
  IdaPattern pattern;               ///< Klu only
  bool analytic_jacobian = false;   ///< Dense: use IdaProblem::jacobian (else difference quotients)
  double rel_tol = 1e-6;
  std::vector<double> abs_tol;      ///< per component, size n, all > 0
  double max_step_s = 0.0;          ///< 0 = no limit
  long max_steps = 500;             ///< per call of solve() (IDA's mxstep)
  int max_iters_ic = 0;             ///< IDACalcIC Newton iterations (0 = IDA's default)
  int max_jacs_ic = 0;              ///< IDACalcIC Jacobian evaluations (0 = default)
  int max_steps_ic = 0;             ///< IDACalcIC pseudo-steps towards t_out1 (0 = default)
  std::string what = "IDA";         ///< prefix of error messages, e.g. "transient"
};

/// Counters summed over every (re)initialisation of the driver.
struct IdaStats {
  long steps = 0;
  long residual_evals = 0;
  long jacobian_evals = 0;
  long nonlinear_iterations = 0;
  long nonlinear_failures = 0;
  long error_test_failures = 0;
  long recoverable_errors = 0;  ///< callbacks that returned 1 (RecoverableError, non-finite F)
};

class IdaDriver {
 public:
  /// Creates the SUNDIALS objects and calls IDAInit at (t0, y0, yp0) (each of size n) with the
  /// options. Throws xbarsim::Error on bad options, NumericalError if SUNDIALS fails.
  IdaDriver(IdaProblem& problem, const IdaOptions& options, double t0, std::span<const double> y0,
            std::span<const double> yp0);
  ~IdaDriver();
  IdaDriver(const IdaDriver&) = delete;
  IdaDriver& operator=(const IdaDriver&) = delete;

  /// Current solution y and y' (n values each; written by calcIc and solve).
  [[nodiscard]] double* y() noexcept;
  [[nodiscard]] double* yp() noexcept;
  [[nodiscard]] std::int64_t size() const noexcept;

  /// Differential (1) / algebraic (0) flag of each unknown (IDASetId).
  void setDifferential(std::span<const double> id);
  /// Consistent initial values (IDACalcIC, IDA_YA_YDP_INIT: algebraic y and differential y'
  /// from the current values), written into y() and yp(); t_out1 is the first output time.
  void calcIc(double t_out1, const std::string& what = "IDACalcIC");
  /// Restarts at (t0, y(), yp()) (IDAReInit), keeping the options; counters are kept.
  void reinit(double t0);
  /// Integration never passes t_stop (IDASetStopTime).
  void setStopTime(double t_stop);
  /// Integrates to t_out (IDA_NORMAL; or the stop time if that comes first); returns the time
  /// reached. y() and yp() then hold the solution there.
  double solve(double t_out, const std::string& what = "IDASolve");

  [[nodiscard]] IdaStats stats() const;

  struct Impl;  ///< SUNDIALS state; named here only for the C callbacks in ida_driver.cpp

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace xbarsim::circuit
