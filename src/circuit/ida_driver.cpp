// SPDX-License-Identifier: MIT
// SUNDIALS IDA behind RAII handles. The differences between SUNDIALS 6.x and 7.x are confined
// to this file (context creation, error handler); only 6.4 is built and tested here.
#include "xbarsim/circuit/ida_driver.hpp"

#include <fmt/format.h>
#include <ida/ida.h>
#include <nvector/nvector_serial.h>
#include <sundials/sundials_config.h>
#include <sundials/sundials_context.h>
#include <sunlinsol/sunlinsol_dense.h>
#include <sunlinsol/sunlinsol_klu.h>
#include <sunmatrix/sunmatrix_dense.h>
#include <sunmatrix/sunmatrix_sparse.h>

#include <algorithm>
#include <cmath>
#include <exception>

#include "xbarsim/core/error.hpp"

#if !defined(SUNDIALS_VERSION_MAJOR) || SUNDIALS_VERSION_MAJOR < 6 || SUNDIALS_VERSION_MAJOR > 7
#error "xbarsim needs SUNDIALS 6.x or 7.x"
#endif

namespace xbarsim::circuit {

void IdaProblem::jacobian(double, double, const double*, const double*, double*) {
  throw Error("IDA: this problem has no analytic Jacobian");
}

namespace {

// ---- owning handles of the SUNDIALS objects -------------------------------------------------
struct ContextDeleter {
  void operator()(SUNContext c) const { SUNContext_Free(&c); }
};
struct VectorDeleter {
  void operator()(_generic_N_Vector* v) const { N_VDestroy(v); }
};
struct MatrixDeleter {
  void operator()(_generic_SUNMatrix* m) const { SUNMatDestroy(m); }
};
struct SolverDeleter {
  void operator()(_generic_SUNLinearSolver* s) const { SUNLinSolFree(s); }
};
struct MemoryDeleter {
  void operator()(void* m) const { IDAFree(&m); }
};
using ContextHandle = std::unique_ptr<std::remove_pointer_t<SUNContext>, ContextDeleter>;
using VectorHandle = std::unique_ptr<_generic_N_Vector, VectorDeleter>;
using MatrixHandle = std::unique_ptr<_generic_SUNMatrix, MatrixDeleter>;
using SolverHandle = std::unique_ptr<_generic_SUNLinearSolver, SolverDeleter>;
using MemoryHandle = std::unique_ptr<void, MemoryDeleter>;

template <class T>
T created(T p, const char* what) {
  if (!p) throw NumericalError(fmt::format("IDA: {} failed", what));
  return p;
}

}  // namespace

struct IdaDriver::Impl {
  IdaProblem& problem;
  IdaOptions options;
  sunindextype n = 0;
  ContextHandle ctx;
  VectorHandle y, yp, work;
  MatrixHandle matrix;
  SolverHandle solver;
  MemoryHandle mem;
  std::exception_ptr pending;    ///< exception of a callback, rethrown after the IDA call
  std::string ida_message;       ///< first error reported by IDA during the current call
  std::string last_recoverable;  ///< message of the last RecoverableError
  IdaStats totals;               ///< counters of the runs before the last reinit

  Impl(IdaProblem& p, const IdaOptions& o) : problem(p), options(o), n(p.size()) {}

  /// Runs a callback body: 0 on success, 1 (IDA retries) for a RecoverableError, -1 (IDA stops)
  /// for any other exception, which is kept for rethrowing.
  template <class F>
  int guard(F&& body) noexcept {
    if (pending) return -1;
    try {
      return body();
    } catch (const RecoverableError& e) {
      last_recoverable = e.what();
      ++totals.recoverable_errors;
      return 1;
    } catch (...) {
      pending = std::current_exception();
      return -1;
    }
  }

  /// After an IDA call: rethrows a callback's exception, or turns a failure into NumericalError.
  void check(int flag, const std::string& what) {
    if (pending) {
      std::exception_ptr e = pending;
      pending = nullptr;
      std::rethrow_exception(e);
    }
    if (flag < 0) {
      std::string msg = fmt::format("{}: {} failed (IDA flag {})", options.what, what, flag);
      if (!ida_message.empty()) msg += ": " + ida_message;
      if (!last_recoverable.empty()) msg += fmt::format(" (last recoverable error: {})", last_recoverable);
      throw NumericalError(msg);
    }
  }

  /// Starts an IDA call: no message from an earlier one.
  void begin() { ida_message.clear(); }

  void accumulate() {
    long v = 0;
    IDAGetNumSteps(mem.get(), &v), totals.steps += v;
    IDAGetNumResEvals(mem.get(), &v), totals.residual_evals += v;
    IDAGetNumJacEvals(mem.get(), &v), totals.jacobian_evals += v;
    IDAGetNumNonlinSolvIters(mem.get(), &v), totals.nonlinear_iterations += v;
    IDAGetNumNonlinSolvConvFails(mem.get(), &v), totals.nonlinear_failures += v;
    IDAGetNumErrTestFails(mem.get(), &v), totals.error_test_failures += v;
  }

  void record(const char* where, const char* msg) {
    if (ida_message.empty()) ida_message = fmt::format("{}: {}", where ? where : "", msg ? msg : "");
  }
};

namespace {

using Impl = IdaDriver::Impl;

int residualFn(sunrealtype t, N_Vector y, N_Vector yp, N_Vector r, void* user) {
  auto* d = static_cast<Impl*>(user);
  return d->guard([&] {
    double* f = N_VGetArrayPointer(r);
    d->problem.residual(t, N_VGetArrayPointer(y), N_VGetArrayPointer(yp), f);
    for (sunindextype k = 0; k < d->n; ++k)
      if (!std::isfinite(f[k])) {
        ++d->totals.recoverable_errors;
        return 1;  // a smaller step may keep the iterate in range
      }
    return 0;
  });
}

int jacobianFn(sunrealtype t, sunrealtype cj, N_Vector y, N_Vector yp, N_Vector /*r*/, SUNMatrix jac,
               void* user, N_Vector, N_Vector, N_Vector) {
  auto* d = static_cast<Impl*>(user);
  return d->guard([&] {
    double* values = nullptr;
    if (d->options.linear_solver == IdaLinearSolver::Klu) {
      const auto& p = d->options.pattern;
      std::copy(p.col_ptr.begin(), p.col_ptr.end(), SUNSparseMatrix_IndexPointers(jac));
      std::copy(p.row_index.begin(), p.row_index.end(), SUNSparseMatrix_IndexValues(jac));
      values = SUNSparseMatrix_Data(jac);
      std::fill(values, values + p.row_index.size(), 0.0);
    } else {
      values = SUNDenseMatrix_Data(jac);
      std::fill(values, values + d->n * d->n, 0.0);
    }
    d->problem.jacobian(t, cj, N_VGetArrayPointer(y), N_VGetArrayPointer(yp), values);
    return 0;
  });
}

#if SUNDIALS_VERSION_MAJOR >= 7
void errorFn(int /*line*/, const char* func, const char* /*file*/, const char* msg, SUNErrCode code,
             void* user, SUNContext) {
  if (code < 0) static_cast<Impl*>(user)->record(func, msg);
}
#else
void errorFn(int code, const char* module, const char* function, char* msg, void* user) {
  if (code < 0) static_cast<Impl*>(user)->record(fmt::format("{}/{}", module ? module : "",
                                                             function ? function : "").c_str(), msg);
}
#endif

void validate(const IdaOptions& o, sunindextype n) {
  if (n < 1) throw Error(fmt::format("{}: the DAE has no unknowns", o.what));
  if (static_cast<sunindextype>(o.abs_tol.size()) != n)
    throw Error(fmt::format("{}: {} absolute tolerances for {} unknowns", o.what, o.abs_tol.size(), n));
  if (!(o.rel_tol > 0.0)) throw Error(fmt::format("{}: the relative tolerance must be > 0", o.what));
  for (double a : o.abs_tol)
    if (!(a > 0.0)) throw Error(fmt::format("{}: absolute tolerances must be > 0", o.what));
  if (o.linear_solver == IdaLinearSolver::Klu) {
    const auto& p = o.pattern;
    if (static_cast<sunindextype>(p.col_ptr.size()) != n + 1 || p.col_ptr.front() != 0 ||
        p.col_ptr.back() != static_cast<std::int64_t>(p.row_index.size()))
      throw Error(fmt::format("{}: malformed sparse Jacobian pattern", o.what));
  }
}

}  // namespace

IdaDriver::IdaDriver(IdaProblem& problem, const IdaOptions& options, double t0,
                     std::span<const double> y0, std::span<const double> yp0)
    : impl_(std::make_unique<Impl>(problem, options)) {
  Impl& d = *impl_;
  const sunindextype n = d.n;
  validate(options, n);
  if (static_cast<sunindextype>(y0.size()) != n || static_cast<sunindextype>(yp0.size()) != n)
    throw Error(fmt::format("{}: initial values of the wrong size", options.what));
  SUNContext ctx = nullptr;
#if SUNDIALS_VERSION_MAJOR >= 7
  if (SUNContext_Create(SUN_COMM_NULL, &ctx) != 0 || !ctx) throw NumericalError("IDA: SUNContext_Create failed");
  d.ctx.reset(ctx);
  // Replace the default handler (it prints to stderr) by the one that keeps the message.
  SUNContext_ClearErrHandlers(ctx);
  SUNContext_PushErrHandler(ctx, errorFn, &d);
#else
  if (SUNContext_Create(nullptr, &ctx) != 0 || !ctx) throw NumericalError("IDA: SUNContext_Create failed");
  d.ctx.reset(ctx);
#endif
  d.y.reset(created(N_VNew_Serial(n, ctx), "N_VNew_Serial"));
  d.yp.reset(created(N_VNew_Serial(n, ctx), "N_VNew_Serial"));
  d.work.reset(created(N_VNew_Serial(n, ctx), "N_VNew_Serial"));
  std::copy(y0.begin(), y0.end(), N_VGetArrayPointer(d.y.get()));
  std::copy(yp0.begin(), yp0.end(), N_VGetArrayPointer(d.yp.get()));
  if (options.linear_solver == IdaLinearSolver::Klu) {
    const auto nnz = static_cast<sunindextype>(options.pattern.row_index.size());
    d.matrix.reset(created(SUNSparseMatrix(n, n, nnz, CSC_MAT, ctx), "SUNSparseMatrix"));
    d.solver.reset(created(SUNLinSol_KLU(d.y.get(), d.matrix.get(), ctx), "SUNLinSol_KLU"));
  } else {
    d.matrix.reset(created(SUNDenseMatrix(n, n, ctx), "SUNDenseMatrix"));
    d.solver.reset(created(SUNLinSol_Dense(d.y.get(), d.matrix.get(), ctx), "SUNLinSol_Dense"));
  }
  d.mem.reset(created(IDACreate(ctx), "IDACreate"));
  void* mem = d.mem.get();
#if SUNDIALS_VERSION_MAJOR < 7
  d.check(IDASetErrHandlerFn(mem, errorFn, &d), "IDASetErrHandlerFn");
#endif
  d.begin();
  d.check(IDAInit(mem, residualFn, t0, d.y.get(), d.yp.get()), "IDAInit");
  std::copy(options.abs_tol.begin(), options.abs_tol.end(), N_VGetArrayPointer(d.work.get()));
  d.check(IDASVtolerances(mem, options.rel_tol, d.work.get()), "IDASVtolerances");
  d.check(IDASetUserData(mem, &d), "IDASetUserData");
  d.check(IDASetLinearSolver(mem, d.solver.get(), d.matrix.get()), "IDASetLinearSolver");
  if (options.linear_solver == IdaLinearSolver::Klu || options.analytic_jacobian)
    d.check(IDASetJacFn(mem, jacobianFn), "IDASetJacFn");
  d.check(IDASetMaxNumSteps(mem, options.max_steps), "IDASetMaxNumSteps");
  if (options.max_step_s > 0.0) d.check(IDASetMaxStep(mem, options.max_step_s), "IDASetMaxStep");
  if (options.max_iters_ic > 0) d.check(IDASetMaxNumItersIC(mem, options.max_iters_ic), "IDASetMaxNumItersIC");
  if (options.max_jacs_ic > 0) d.check(IDASetMaxNumJacsIC(mem, options.max_jacs_ic), "IDASetMaxNumJacsIC");
  if (options.max_steps_ic > 0) d.check(IDASetMaxNumStepsIC(mem, options.max_steps_ic), "IDASetMaxNumStepsIC");
}

IdaDriver::~IdaDriver() = default;

double* IdaDriver::y() noexcept { return N_VGetArrayPointer(impl_->y.get()); }
double* IdaDriver::yp() noexcept { return N_VGetArrayPointer(impl_->yp.get()); }
std::int64_t IdaDriver::size() const noexcept { return impl_->n; }

void IdaDriver::setDifferential(std::span<const double> id) {
  Impl& d = *impl_;
  if (static_cast<sunindextype>(id.size()) != d.n) throw Error(fmt::format("{}: IDASetId: wrong size", d.options.what));
  std::copy(id.begin(), id.end(), N_VGetArrayPointer(d.work.get()));
  d.begin();
  d.check(IDASetId(d.mem.get(), d.work.get()), "IDASetId");
}

void IdaDriver::calcIc(double t_out1, const std::string& what) {
  Impl& d = *impl_;
  d.begin();
  d.check(IDACalcIC(d.mem.get(), IDA_YA_YDP_INIT, t_out1), what);
  d.check(IDAGetConsistentIC(d.mem.get(), d.y.get(), d.yp.get()), "IDAGetConsistentIC");
}

void IdaDriver::reinit(double t0) {
  Impl& d = *impl_;
  d.accumulate();
  d.begin();
  d.check(IDAReInit(d.mem.get(), t0, d.y.get(), d.yp.get()), "IDAReInit");
}

void IdaDriver::setStopTime(double t_stop) {
  Impl& d = *impl_;
  d.begin();
  d.check(IDASetStopTime(d.mem.get(), t_stop), "IDASetStopTime");
}

double IdaDriver::solve(double t_out, const std::string& what) {
  Impl& d = *impl_;
  sunrealtype t_ret = 0.0;
  d.begin();
  d.check(IDASolve(d.mem.get(), t_out, &t_ret, d.y.get(), d.yp.get(), IDA_NORMAL), what);
  return t_ret;
}

IdaStats IdaDriver::stats() const {
  Impl& d = *impl_;
  const IdaStats saved = d.totals;
  d.accumulate();
  IdaStats s = d.totals;
  d.totals = saved;
  return s;
}

}  // namespace xbarsim::circuit
