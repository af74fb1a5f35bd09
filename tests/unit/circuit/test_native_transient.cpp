// SPDX-License-Identifier: MIT
// Native transient (SUNDIALS IDA): closed-form RC charge, integrator, a stateful cell model,
// callback exceptions.
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <stdexcept>

#include "native_reference.hpp"
#include "xbarsim/circuit/native_transient.hpp"
#include "xbarsim/circuit/sense_integrator.hpp"
#include "xbarsim/core/error.hpp"

using namespace xbarsim;
using circuit::PwlWaveform;
using circuit::TransientSpec;

BOOST_AUTO_TEST_SUITE(native_transient)

// One cell, r_row = 0 (the row node is one node behind r_driver), r_col = 0 (the column is the
// ideal sense node): V --R1-- node(C) --g-- 0 V. With a ramp u(t) = V t/tr (t <= tr), then V:
// tau = C/(1/R1 + g), k = (1/R1)/(1/R1 + g); v = kV/tr (t - tau (1 - e^{-t/tau})) while ramping,
// then v = kV + (v(tr) - kV) e^{-(t - tr)/tau}; I = g v.
BOOST_AUTO_TEST_CASE(single_rc_closed_form) {
  auto spec = test::randomSpec(1, 1, 0.0, 0.0, 1e3);
  const double g = 1e-3, r1 = 1e3, c = 1e-9, v = 0.5, tr = 0.2e-6;
  spec.g_s(0, 0) = g;
  TransientSpec ts;
  ts.inputs = {PwlWaveform{{0.0, tr}, {0.0, v}}};
  ts.capacitance.c_row_f = c;
  ts.t_stop_s = 3e-6;
  ts.output_points = 151;
  ts.rel_tol = 1e-8;
  ts.abs_tol_v = 1e-12;
  const auto res = circuit::simulateTransient(spec, ts);
  const double tau = c / (1.0 / r1 + g), k = (1.0 / r1) / (1.0 / r1 + g);
  auto exact = [&](double t) {
    if (t <= tr) return g * k * v / tr * (t - tau * (1.0 - std::exp(-t / tau)));
    const double vtr = k * v / tr * (tr - tau * (1.0 - std::exp(-tr / tau)));
    return g * (k * v + (vtr - k * v) * std::exp(-(t - tr) / tau));
  };
  double worst = 0.0;
  for (Eigen::Index q = 0; q < res.t_s.size(); ++q)
    worst = std::max(worst, std::abs(res.currents_a(0, q) - exact(res.t_s[q])));
  const double peak = g * k * v;
  BOOST_TEST_MESSAGE("single RC: max error " << worst / peak << " of peak; " << res.stats.steps
                     << " steps, " << res.stats.restarts << " restarts");
  BOOST_TEST(worst / peak < 1e-5);
  BOOST_TEST(res.stats.restarts == 1);
}

BOOST_AUTO_TEST_CASE(dc_input_stays_at_the_operating_point) {
  const auto spec = test::randomSpec(4, 3, 2.5, 2.5, 0.0, 3);
  TransientSpec ts;
  Eigen::VectorXd x(4);
  x << 0.1, 0.2, 0.0, 0.15;
  for (int i = 0; i < 4; ++i) ts.inputs.push_back(PwlWaveform::constant(x[i]));
  ts.capacitance = {1e-15, 2e-15, 0.0};
  ts.t_stop_s = 1e-9;
  ts.output_points = 5;
  ts.record_node_voltages = true;
  const auto res = circuit::simulateTransient(spec, ts);
  const Eigen::VectorXd ref = test::referenceCurrents(spec, x);
  for (Eigen::Index q = 0; q < res.t_s.size(); ++q)
    BOOST_TEST(test::relErr(res.currents_a.col(q), ref) < 1e-9);
  BOOST_TEST(res.row_voltages.size() == 5u);
  BOOST_TEST(std::abs(res.row_voltages[2](1, 0) - 0.2) < 1e-3);
}

// Integrator with a (nearly) ideal op-amp: the input stays at 0 V, the cell current
// I = V/(r_s + 1/g) flows into C_f, vo = -I t / C_f (until the rail).
BOOST_AUTO_TEST_CASE(integrator_ramps_its_output) {
  auto spec = test::randomSpec(1, 1, 2.5, 2.5, 0.0);
  spec.g_s(0, 0) = 1e-5;
  TransientSpec ts;
  ts.inputs = {PwlWaveform::constant(0.2)};
  spec.sense = circuit::makeIntegrator({.c_feedback_f = 1e-12, .open_loop_gain = 1e7, .rail_v = 1.5});
  ts.t_stop_s = 0.5e-6;
  ts.output_points = 11;
  ts.rel_tol = 1e-8;
  ts.abs_tol_v = 1e-12;
  const auto res = circuit::simulateTransient(spec, ts);
  const double i = 0.2 / (5.0 + 1e5);
  for (Eigen::Index q = 1; q < res.t_s.size(); ++q) {
    BOOST_TEST(std::abs(res.currents_a(0, q) - i) / i < 1e-5);
    const double vo = -i * res.t_s[q] / 1e-12;
    BOOST_TEST(std::abs(res.sense_out_v(0, q) - vo) < 1e-5 * std::abs(vo) + 1e-9);
  }
}

namespace {
// Toy stateful cell: conductance x decays as dx/dt = -x/tau_d; I = x v.
class DecayingCell final : public circuit::CellModel {
 public:
  explicit DecayingCell(double tau, double fail_after = -1.0) : tau_(tau), fail_after_(fail_after) {}
  int stateSize() const override { return 1; }
  void initialState(Eigen::Index, Eigen::Index j, double* x) const override { x[0] = 1e-4 * (1 + j); }
  double current(Eigen::Index, Eigen::Index, double v, const double* x, double* di_dv,
                 double* di_dx) const override {
    if (fail_after_ > 0.0 && x[0] < fail_after_) throw std::domain_error("decaying cell: below limit");
    *di_dv = x[0];
    di_dx[0] = v;
    return x[0] * v;
  }
  void stateRate(Eigen::Index, Eigen::Index, double, const double* x, double* rate, double* drate_dv,
                 double* drate_dx) const override {
    rate[0] = -x[0] / tau_;
    drate_dv[0] = 0.0;
    drate_dx[0] = -1.0 / tau_;
  }

 private:
  double tau_, fail_after_;
};
}  // namespace

BOOST_AUTO_TEST_CASE(stateful_cell_model_plugs_in) {
  const auto spec = test::randomSpec(1, 2, 0.0, 0.0, 0.0);  // ideal wires: I_j = x_j(t) V
  const DecayingCell model(1e-6);
  TransientSpec ts;
  ts.inputs = {PwlWaveform::constant(0.3)};
  ts.cell_model = &model;
  ts.t_stop_s = 3e-6;
  ts.output_points = 31;
  ts.rel_tol = 1e-8;
  ts.state_abs_tol = 1e-14;
  const auto res = circuit::simulateTransient(spec, ts);
  for (Eigen::Index q = 0; q < res.t_s.size(); ++q)
    for (int j = 0; j < 2; ++j) {
      const double exact = 1e-4 * (1 + j) * std::exp(-res.t_s[q] / 1e-6) * 0.3;
      BOOST_TEST(std::abs(res.currents_a(j, q) - exact) < 1e-6 * 3e-5);
    }
  BOOST_TEST(res.final_state.rows() == 2);
  BOOST_TEST(std::abs(res.final_state(1, 0) - 2e-4 * std::exp(-3.0)) < 1e-6 * 2e-4);
}

BOOST_AUTO_TEST_CASE(cell_model_exceptions_reach_the_caller) {
  auto spec = test::randomSpec(2, 2, 2.5, 2.5, 0.0);
  const DecayingCell model(1e-6, 5e-5);  // throws once the conductance decays below 50 uS
  TransientSpec ts;
  ts.inputs = {PwlWaveform::constant(0.3), PwlWaveform::constant(0.1)};
  ts.capacitance.c_col_f = 1e-15;
  ts.cell_model = &model;
  ts.t_stop_s = 3e-6;
  BOOST_CHECK_THROW(circuit::simulateTransient(spec, ts), std::domain_error);
}

BOOST_AUTO_TEST_CASE(bad_transient_inputs_are_errors) {
  const auto spec = test::randomSpec(2, 2, 2.5, 2.5, 0.0);
  TransientSpec ts;
  ts.inputs = {PwlWaveform::constant(0.1)};
  ts.t_stop_s = 1e-6;
  BOOST_CHECK_THROW(circuit::simulateTransient(spec, ts), Error);  // one waveform for 2 rows
  ts.inputs.push_back(PwlWaveform{{0.0, 0.0}, {0.0, 1.0}});
  BOOST_CHECK_THROW(circuit::simulateTransient(spec, ts), Error);  // times not increasing
  ts.inputs[1] = PwlWaveform::constant(0.0);
  ts.t_stop_s = 0.0;
  BOOST_CHECK_THROW(circuit::simulateTransient(spec, ts), Error);
}

BOOST_AUTO_TEST_SUITE_END()
