// SPDX-License-Identifier: MIT
// The IDA driver on its own: an RC charge against its closed form with each linear solver,
// recoverable errors (IDA cuts the step and goes on), other exceptions and IDA failures (they
// reach the caller with their message).
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <stdexcept>
#include <string>

#include "xbarsim/circuit/ida_driver.hpp"
#include "xbarsim/core/error.hpp"

using namespace xbarsim;
using circuit::IdaDriver;
using circuit::IdaLinearSolver;
using circuit::IdaOptions;

namespace {

// V --R-- node v --C-- ground, with the source current i as a second (algebraic) unknown:
//   F0 = C v' − i = 0,   F1 = R i − (V − v) = 0;   v(t) = V (1 − e^{−t/RC}) from v(0) = 0.
class RcCharge : public circuit::IdaProblem {
 public:
  static constexpr double kR = 1e3, kC = 1e-9, kV = 0.7;  // tau = 1 us
  std::int64_t size() const override { return 2; }
  void residual(double t, const double* y, const double* yp, double* r) override {
    hook(t, y);
    r[0] = kC * yp[0] - y[1];
    r[1] = kR * y[1] - (kV - y[0]);
  }
  // J = dF/dy + cj dF/dy'; dense column-major, or CSC on the full 2x2 pattern (the same order).
  void jacobian(double t, double cj, const double* y, const double*, double* j) override {
    jacobian_hook(t, y);
    j[0] = kC * cj;  // (0,0)
    j[1] = 1.0;      // (1,0)
    j[2] = -1.0;     // (0,1)
    j[3] = kR;       // (1,1)
  }
  virtual void hook(double, const double*) {}
  virtual void jacobian_hook(double, const double*) {}
  static double exact(double t) { return kV * (1.0 - std::exp(-t / (kR * kC))); }
};

IdaOptions rcOptions(IdaLinearSolver solver, bool analytic) {
  IdaOptions o;
  o.linear_solver = solver;
  o.analytic_jacobian = analytic;
  if (solver == IdaLinearSolver::Klu) o.pattern = {{0, 2, 4}, {0, 1, 0, 1}};
  o.rel_tol = 1e-9;
  o.abs_tol = {1e-12, 1e-15};
  o.what = "rc test";
  return o;
}

/// Integrates to 5 tau with outputs every 0.5 tau; returns the worst |v − exact| / V.
double runRc(RcCharge& p, const IdaOptions& o) {
  const double y0[] = {0.0, 0.0}, yp0[] = {0.0, 0.0};
  IdaDriver ida(p, o, 0.0, y0, yp0);
  const double id[] = {1.0, 0.0};
  ida.setDifferential(id);
  ida.calcIc(1e-9);
  double worst = 0.0;
  for (int k = 1; k <= 10; ++k) {
    const double t = ida.solve(0.5e-6 * k);
    worst = std::max(worst, std::abs(ida.y()[0] - RcCharge::exact(t)) / RcCharge::kV);
  }
  return worst;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(ida_driver)

BOOST_AUTO_TEST_CASE(rc_charge_closed_form_with_every_linear_solver) {
  RcCharge p;
  for (const auto& [solver, analytic, name] :
       {std::tuple{IdaLinearSolver::Dense, false, "dense, difference quotients"},
        std::tuple{IdaLinearSolver::Dense, true, "dense, analytic"},
        std::tuple{IdaLinearSolver::Klu, true, "KLU"}}) {
    const double err = runRc(p, rcOptions(solver, analytic));
    BOOST_TEST_MESSAGE("RC charge, " << name << ": max error " << err << " of V");
    BOOST_TEST(err < 1e-6);
  }
}

BOOST_AUTO_TEST_CASE(initial_condition_and_reinit) {
  // Consistent i(0) = V/R from v(0) = 0, and a restart mid-way keeps the solution.
  RcCharge p;
  const double y0[] = {0.0, 0.0}, yp0[] = {0.0, 0.0};
  IdaDriver ida(p, rcOptions(IdaLinearSolver::Dense, false), 0.0, y0, yp0);
  const double id[] = {1.0, 0.0};
  ida.setDifferential(id);
  ida.calcIc(1e-9);
  BOOST_TEST(std::abs(ida.y()[1] - RcCharge::kV / RcCharge::kR) < 1e-12 * RcCharge::kV / RcCharge::kR);
  BOOST_TEST(std::abs(ida.yp()[0] - RcCharge::kV / (RcCharge::kR * RcCharge::kC)) < 1e-6 * 7e5);
  double t = ida.solve(1e-6);
  const long steps_before = ida.stats().steps;
  ida.reinit(t);
  ida.calcIc(t + 1e-9);
  ida.setStopTime(2e-6);
  t = ida.solve(3e-6);  // stops at the stop time
  BOOST_TEST(t == 2e-6);
  BOOST_TEST(std::abs(ida.y()[0] - RcCharge::exact(2e-6)) < 1e-6 * RcCharge::kV);
  BOOST_TEST(ida.stats().steps > steps_before);  // counters survive the restart
}

BOOST_AUTO_TEST_CASE(recoverable_error_cuts_the_step) {
  // The residual refuses to move more than 0.1 tau beyond the last time it accepted: IDA's
  // large steps fail recoverably, it retries with smaller ones and reaches 5 tau.
  struct Short final : RcCharge {
    double reached = 0.0;
    long refused = 0;
    void hook(double t, const double*) override {
      if (t > reached + 0.1e-6) {
        ++refused;
        throw RecoverableError("step too long for this test");
      }
      reached = std::max(reached, t);
    }
  } p;
  IdaOptions o = rcOptions(IdaLinearSolver::Dense, false);
  o.rel_tol = 1e-5;  // steps of ~0.3 tau on their own
  o.abs_tol = {1e-9, 1e-12};
  const double y0[] = {0.0, 0.0}, yp0[] = {0.0, 0.0};
  IdaDriver ida(p, o, 0.0, y0, yp0);
  const double id[] = {1.0, 0.0};
  ida.setDifferential(id);
  ida.calcIc(1e-9);
  const double t = ida.solve(5e-6);
  BOOST_TEST_MESSAGE("recoverable: " << p.refused << " refusals, " << ida.stats().steps << " steps");
  BOOST_TEST(t == 5e-6);
  BOOST_TEST(p.refused > 0);
  BOOST_TEST(ida.stats().recoverable_errors == p.refused);
  BOOST_TEST(std::abs(ida.y()[0] - RcCharge::exact(5e-6)) < 1e-4 * RcCharge::kV);
}

BOOST_AUTO_TEST_CASE(non_finite_residual_is_recoverable) {
  struct NanOnce final : RcCharge {
    bool nan_done = false;
    void residual(double t, const double* y, const double* yp, double* r) override {
      RcCharge::residual(t, y, yp, r);
      if (t > 2e-6 && !nan_done) {
        nan_done = true;
        r[0] = std::nan("");
      }
    }
  } p;
  const double err = runRc(p, rcOptions(IdaLinearSolver::Klu, true));
  BOOST_TEST(p.nan_done);
  BOOST_TEST(err < 1e-6);
}

BOOST_AUTO_TEST_CASE(other_exceptions_reach_the_caller_unchanged) {
  struct Throws final : RcCharge {
    void hook(double t, const double*) override {
      if (t > 1.5e-6) throw std::domain_error("residual: outside the model's domain");
    }
  } p;
  try {
    runRc(p, rcOptions(IdaLinearSolver::Dense, false));
    BOOST_FAIL("no exception");
  } catch (const std::domain_error& e) {
    BOOST_TEST(std::string(e.what()) == "residual: outside the model's domain");
  }
  struct JacobianThrows final : RcCharge {
    void jacobian_hook(double, const double*) override { throw ConfigError("card.toml", 3, "g0", "bad"); }
  } q;
  BOOST_CHECK_THROW(runRc(q, rcOptions(IdaLinearSolver::Klu, true)), ConfigError);
}

BOOST_AUTO_TEST_CASE(ida_failures_are_numerical_errors_with_ida_message) {
  RcCharge p;
  IdaOptions o = rcOptions(IdaLinearSolver::Dense, false);
  o.max_steps = 3;
  try {
    runRc(p, o);
    BOOST_FAIL("no exception");
  } catch (const NumericalError& e) {
    const std::string msg = e.what();
    BOOST_TEST_MESSAGE(msg);
    BOOST_TEST(msg.find("rc test: IDASolve failed (IDA flag -1)") == 0u);
    BOOST_TEST(msg.find("mxstep") != std::string::npos);  // IDA's own text
  }
  // Recoverable errors that never stop: IDA gives up, the last one is in the message.
  struct Always final : RcCharge {
    void hook(double t, const double*) override {
      if (t > 1e-6) throw RecoverableError("cell (2,3): gap out of range");
    }
  } q;
  try {
    runRc(q, rcOptions(IdaLinearSolver::Dense, false));
    BOOST_FAIL("no exception");
  } catch (const RecoverableError&) {
    BOOST_FAIL("a recoverable error must not escape as such");
  } catch (const NumericalError& e) {
    const std::string msg = e.what();
    BOOST_TEST_MESSAGE(msg);
    BOOST_TEST(msg.find("cell (2,3): gap out of range") != std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(bad_options_are_errors) {
  RcCharge p;
  const double y0[] = {0.0, 0.0};
  IdaOptions o = rcOptions(IdaLinearSolver::Dense, false);
  o.abs_tol = {1e-12};
  BOOST_CHECK_THROW(IdaDriver(p, o, 0.0, y0, y0), Error);
  o = rcOptions(IdaLinearSolver::Klu, true);
  o.pattern.col_ptr = {0, 2};
  BOOST_CHECK_THROW(IdaDriver(p, o, 0.0, y0, y0), Error);
  o = rcOptions(IdaLinearSolver::Dense, false);
  o.rel_tol = 0.0;
  BOOST_CHECK_THROW(IdaDriver(p, o, 0.0, y0, y0), Error);
}

BOOST_AUTO_TEST_SUITE_END()
