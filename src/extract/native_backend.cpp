// SPDX-License-Identifier: MIT
#include "xbarsim/extract/native_backend.hpp"

#include <fmt/format.h>

#include <chrono>

#include "xbarsim/core/error.hpp"
#include "xbarsim/core/provenance.hpp"

namespace xbarsim::extract {
namespace {
using Clock = std::chrono::steady_clock;
double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}
}  // namespace

std::string NativeBackend::version() const { return std::string(versionString()); }

WeightResult NativeBackend::effectiveWeights(const circuit::CrossbarSpec& spec, double v_read_v) {
  if (!(v_read_v > 0.0)) throw Error(fmt::format("v_read_v = {} must be > 0", v_read_v));
  const auto start = Clock::now();
  circuit::NativeSolver solver(spec, options_);
  const double setup_s = secondsSince(start);
  WeightResult result{solver.effectiveWeights(v_read_v), "", {}};
  report_ = solver.report();
  result.method = report_.factorization;
  result.timing = {setup_s, secondsSince(start) - setup_s};
  requireFinite(result.weff_s, "W_eff", "output", "input");
  return result;
}

CurrentResult NativeBackend::currents(const circuit::CrossbarSpec& spec, const Eigen::VectorXd& x_v) {
  if (x_v.size() != spec.rows)
    throw Error(fmt::format("input vector has {} values for {} rows", x_v.size(), spec.rows));
  const auto start = Clock::now();
  circuit::NativeSolver solver(spec, options_);
  const double setup_s = secondsSince(start);
  CurrentResult result{solver.currents(x_v), {}};
  report_ = solver.report();
  if (arrayPower()) result.power_w = solver.arrayPower(x_v)[0];
  result.timing = {setup_s, secondsSince(start) - setup_s};
  requireFinite(result.currents_a, "column current", "output");
  return result;
}

BatchCurrentResult NativeBackend::currentsBatch(const circuit::CrossbarSpec& spec,
                                                const Eigen::MatrixXd& x_v) {
  if (x_v.rows() != spec.rows)
    throw Error(fmt::format("input vectors have {} values for {} rows", x_v.rows(), spec.rows));
  const auto start = Clock::now();
  circuit::NativeSolver solver(spec, options_);
  const double setup_s = secondsSince(start);
  BatchCurrentResult result{solver.currentsBatch(x_v), {}, {}};
  report_ = solver.report();
  if (arrayPower()) result.power_w = solver.arrayPower(x_v);  // per vector, with its node voltages
  result.timing = {setup_s, secondsSince(start) - setup_s};
  requireFinite(result.currents_a, "column current", "output", "vector");
  return result;
}

}  // namespace xbarsim::extract
