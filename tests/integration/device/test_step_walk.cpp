// SPDX-License-Identifier: MIT
// The step-table walk (device/step_table.hpp: one device, pulse by pulse, its own SDIRK2
// integrator) against the native device transient (extract/device_circuit.hpp: the same device
// in a 1x1 array under one PWL train of the same pulses, integrated by IDA): the state after
// every pulse of the first up and down pulses of each compact model's walk.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "xbarsim/device/device_card.hpp"
#include "xbarsim/device/step_table.hpp"
#include "xbarsim/extract/device_circuit.hpp"

using namespace xbarsim;

namespace {

/// States after each of `count` pulses from x0, through the native transient (IDA).
std::vector<double> transientStates(std::shared_ptr<const device::DeviceModel> model, double x0,
                                    const device::PulseShape& p, int count) {
  const double period = 2.0 * (p.width_s + 2.0 * p.edge_s);
  extract::Pwl w;
  w.t_s.push_back(0.0);
  w.v_v.push_back(0.0);
  for (int k = 0; k < count; ++k) {
    const double t0 = k * period + 0.25 * period;
    for (const auto& [t, v] : {std::pair{t0, 0.0},
                               {t0 + p.edge_s, p.v_v},
                               {t0 + p.edge_s + p.width_s, p.v_v},
                               {t0 + 2 * p.edge_s + p.width_s, 0.0}}) {
      w.t_s.push_back(t);
      w.v_v.push_back(v);
    }
  }
  extract::DeviceArrayCircuit c;
  c.model = std::move(model);
  c.x0 = Eigen::MatrixXd::Constant(1, 1, x0);
  c.row_drive = {w};
  c.row_driver_ohm = {0.0};
  c.col_drive = {extract::Pwl::constant(0.0)};
  c.col_driver_ohm = {0.0};
  extract::DeviceTransientOptions o;
  o.t_stop_s = count * period;
  o.points = count + 1;  // one output per period end: after each pulse
  o.rel_tol = 1e-8;
  o.abs_tol_state = 1e-8;
  const extract::DeviceTransientResult r = extract::transientNative(c, o);
  std::vector<double> states;
  for (int k = 1; k <= count; ++k) states.push_back(r.state(k, 0));
  return states;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(step_walk)

BOOST_AUTO_TEST_CASE(walk_equals_the_native_transient_pulse_by_pulse) {
  struct Case {
    const char* card;
    double edge_s;
    double tolerance;  // of the state range
  };
  for (const auto& [card, edge, tolerance] :
       {Case{"pcm_pulse_gst", 1e-9, 1e-6}, Case{"rram_stanford", 1e-11, 1e-4},
        Case{"vteam", 1e-11, 1e-5}}) {
    BOOST_TEST_CONTEXT(card) {
      const std::shared_ptr<const device::DeviceModel> model =
          device::makeDeviceModel(device::builtinCard(card));
      const device::ParamSet d(device::tableStepParameters(model->info().name));
      device::StepTableOptions o;
      o.up = {d.get("v_up_v"), d.get("width_up_s"), edge};
      o.down = {d.get("v_down_v"), d.get("width_down_s"), edge};
      const device::StepTable t = device::deriveStepTable(*model, o);
      const device::StateInfo si = model->stateInfo();
      const double range = si.max - si.min;
      double worst = 0.0;
      const auto compare = [&](const std::vector<double>& walk, const device::PulseShape& p) {
        const int count = std::min<int>(40, static_cast<int>(walk.size()) - 1);
        const std::vector<double> ida = transientStates(model, walk.front(), p, count);
        for (int k = 0; k < count; ++k)
          worst = std::max(worst, std::abs(ida[static_cast<std::size_t>(k)] -
                                           walk[static_cast<std::size_t>(k) + 1]) /
                                      range);
      };
      compare(t.x_up, o.up);
      compare(t.x_down, o.down);
      BOOST_TEST_MESSAGE(card << ": walk vs native transient, largest |dx|/range over 40 pulses = "
                              << worst);
      BOOST_TEST(worst <= tolerance);
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
