// SPDX-License-Identifier: MIT
// Dynamic variation of the Stanford RRAM model (model_switch = 1) through both faces: the code
// adds deltaGap0·ξ/(1 + exp((T_crit − T)/T_smth)) to the gap rate, one ξ ~ N(0,1) held per
// time_step (docs/device-models.md §3.1). At 0 V (no field-driven motion, T = T_ini) the gap therefore
// performs a Gaussian random walk whose increment over one time step has the closed-form
// standard deviation σ = deltaGap0·time_step/(1 + exp((T_crit − T_ini)/T_smth)). Both faces are
// held to that value (they draw different random numbers: native RngStream, ngspice trrandom).
#include <boost/test/unit_test.hpp>

#include <fmt/format.h>

#include <cmath>
#include <memory>

#include "xbarsim/device/rram_stanford.hpp"
#include "xbarsim/extract/device_circuit.hpp"

using namespace xbarsim;
using namespace xbarsim::extract;
using Eigen::Index;

namespace {

constexpr double kDeltaGap0 = 0.05;  // m/s (the authors' pulse deck)
constexpr double kTimeStep = 1e-9;   // s
constexpr int kSteps = 100;

std::shared_ptr<device::StanfordRram> variableModel() {
  device::ParamSet p(device::stanfordRramParameters());
  p.set("model_switch", 1.0);
  p.set("delta_gap0_m_per_s", kDeltaGap0);
  return std::make_shared<device::StanfordRram>(p);
}

/// rows×cols devices with every line at 0 V, mid-range gaps, sampled once per time step.
DeviceArrayCircuit unbiasedArray(std::shared_ptr<const device::DeviceModel> model, Index rows, Index cols) {
  DeviceArrayCircuit c;
  c.rows = rows;
  c.cols = cols;
  c.model = std::move(model);
  c.x0 = Eigen::MatrixXd::Constant(rows, cols, 0.95e-9);  // mid-way between the gap bounds
  c.row_drive.assign(static_cast<std::size_t>(rows), Pwl::constant(0.0));
  c.col_drive.assign(static_cast<std::size_t>(cols), Pwl::constant(0.0));
  return c;
}

DeviceTransientOptions perStepGrid(std::uint64_t seed) {
  DeviceTransientOptions o;
  o.t_stop_s = kSteps * kTimeStep;
  o.points = kSteps + 1;
  o.max_step_s = kTimeStep;
  o.seed = seed;
  return o;
}

struct IncrementStats {
  double mean = 0.0, sd = 0.0, kurtosis = 0.0;
  long count = 0;
};

/// Statistics of the per-step gap increments of every cell (state in m).
IncrementStats increments(const DeviceTransientResult& r) {
  IncrementStats s;
  double m2 = 0.0, m4 = 0.0;
  for (Index k = 1; k < r.state.rows(); ++k)
    for (Index c = 0; c < r.state.cols(); ++c) {
      s.mean += r.state(k, c) - r.state(k - 1, c);
      ++s.count;
    }
  s.mean /= static_cast<double>(s.count);
  for (Index k = 1; k < r.state.rows(); ++k)
    for (Index c = 0; c < r.state.cols(); ++c) {
      const double d = r.state(k, c) - r.state(k - 1, c) - s.mean;
      m2 += d * d;
      m4 += d * d * d * d;
    }
  m2 /= static_cast<double>(s.count);
  m4 /= static_cast<double>(s.count);
  s.sd = std::sqrt(m2);
  s.kurtosis = m4 / (m2 * m2);
  return s;
}

/// Closed form, computed here from the published parameters (not from the model class).
double expectedStepSd() {
  const double t_ini = 298.0, t_crit = 450.0, t_smth = 500.0;
  return kDeltaGap0 * kTimeStep / (1.0 + std::exp((t_crit - t_ini) / t_smth));
}

void checkRandomWalk(const DeviceTransientResult& r) {
  const IncrementStats s = increments(r);
  const double sigma = expectedStepSd();
  BOOST_TEST_MESSAGE(fmt::format("{}: {} increments, sd {:.5e} m vs closed form {:.5e} m ({:+.2f} %), "
                                 "mean {:.2e} sigma, kurtosis {:.3f}",
                                 r.backend, s.count, s.sd, sigma, 100.0 * (s.sd / sigma - 1.0), s.mean / sigma,
                                 s.kurtosis));
  // 16 000 samples: the sample sd has a relative standard error of 0.56 %; the mean of 0.8 %.
  BOOST_TEST(std::abs(s.sd / sigma - 1.0) < 0.03);
  BOOST_TEST(std::abs(s.mean / sigma) < 0.04);
  BOOST_TEST(std::abs(s.kurtosis - 3.0) < 0.25);  // Gaussian (sampling sd of kurtosis ≈ 0.04)
  BOOST_TEST(r.state.allFinite());
}

}  // namespace

BOOST_AUTO_TEST_SUITE(stanford_variation)

BOOST_AUTO_TEST_CASE(native_random_walk_matches_closed_form) {
  checkRandomWalk(transientNative(unbiasedArray(variableModel(), 16, 10), perStepGrid(7)));
}

BOOST_AUTO_TEST_CASE(ngspice_random_walk_matches_closed_form) {
  checkRandomWalk(transientNgspice(unbiasedArray(variableModel(), 16, 10), perStepGrid(7)));
}

BOOST_AUTO_TEST_CASE(native_draws_follow_the_seed_only) {
  const auto model = variableModel();
  const auto a = transientNative(unbiasedArray(model, 3, 2), perStepGrid(42));
  const auto b = transientNative(unbiasedArray(model, 3, 2), perStepGrid(42));
  const auto c = transientNative(unbiasedArray(model, 3, 2), perStepGrid(43));
  BOOST_TEST((a.state == b.state));
  BOOST_TEST(!(a.state == c.state));
  // Within one step the draw is held: the state moves on a straight line (two half steps).
  DeviceTransientOptions fine = perStepGrid(42);
  fine.points = 2 * kSteps + 1;
  const auto h = transientNative(unbiasedArray(model, 3, 2), fine);
  for (Index k = 0; k < 6; ++k)
    BOOST_TEST(h.state(2 * 10 + 1, k) - h.state(2 * 10, k) ==
                   0.5 * (a.state(11, k) - a.state(10, k)), boost::test_tools::tolerance(1e-6));
}

BOOST_AUTO_TEST_CASE(variation_off_is_deterministic_and_adds_no_steps) {
  const auto fixed = std::make_shared<device::StanfordRram>();
  BOOST_TEST(fixed->variationStep() == 0.0);
  const auto r = transientNative(unbiasedArray(fixed, 2, 2), perStepGrid(1));
  BOOST_TEST((r.state.array() == 0.95e-9).all());
}

BOOST_AUTO_TEST_SUITE_END()
