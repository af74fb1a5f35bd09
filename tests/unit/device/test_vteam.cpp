// SPDX-License-Identifier: MIT
// VTEAM native face vs closed forms of docs/device-models.md §7 at the default card (R_on = 50,
// R_off = 1000 ohm, w in [0, 3 nm], k_off = 5e-4 m/s, alpha_off = 1, v_off = 0.02 V, k_on = -10
// m/s, alpha_on = 3, v_on = -0.2 V): I-V at fixed w (linear and exponential), the rate at given
// v, the thresholds, the Kvatinsky window, the anti-windup, the registry entry and the defaults
// of the SPICE face.
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <memory>
#include <regex>
#include <sstream>
#include <string>

#include "xbarsim/core/error.hpp"
#include "xbarsim/device/device_card.hpp"
#include "xbarsim/device/registry.hpp"
#include "xbarsim/device/vteam.hpp"

namespace tt = boost::test_tools;
using namespace xbarsim::device;

namespace {

Vteam withParams(std::initializer_list<std::pair<const char*, double>> values) {
  ParamSet set(vteamParameters());
  for (const auto& [name, value] : values) set.set(name, value);
  return Vteam(set);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(vteam)

BOOST_AUTO_TEST_CASE(linear_iv_at_fixed_state) {
  const Vteam m;
  // R(w) = R_on + (R_off - R_on)(w - w_on)/(w_off - w_on): 50, 525, 1000 ohm at 0, 1.5, 3 nm.
  BOOST_TEST(m.resistance(0.0) == 50.0, tt::tolerance(1e-15));
  BOOST_TEST(m.resistance(1.5e-9) == 525.0, tt::tolerance(1e-14));
  BOOST_TEST(m.resistance(3e-9) == 1000.0, tt::tolerance(1e-15));
  BOOST_TEST(m.resistance(4e-9) == 1000.0, tt::tolerance(1e-15));  // clamped to the bounds
  BOOST_TEST(m.current(0.1, 1.5e-9) == 0.1 / 525.0, tt::tolerance(1e-14));
  BOOST_TEST(m.current(-0.7, 0.75e-9) == -0.7 / 287.5, tt::tolerance(1e-14));
  // Linear in v at a fixed state: dI/dV = 1/R everywhere, the read conductance too.
  for (const double v : {-1.0, -0.1, 0.0, 0.05, 2.0})
    BOOST_TEST(m.conductance(v, 1.5e-9) == 1.0 / 525.0, tt::tolerance(1e-14));
  BOOST_TEST(m.readConductance(0.0) == 1.0 / 50.0, tt::tolerance(1e-15));
}

BOOST_AUTO_TEST_CASE(exponential_iv_at_fixed_state) {
  const Vteam m = withParams({{"iv_relation", 1.0}});
  // i = v exp(-ln(R_off/R_on) s)/R_on: R = 50 * 20^s, s = 1/2 -> 50 sqrt(20) = 223.6068 ohm.
  BOOST_TEST(m.resistance(0.0) == 50.0, tt::tolerance(1e-14));
  BOOST_TEST(m.resistance(1.5e-9) == 50.0 * std::sqrt(20.0), tt::tolerance(1e-14));
  BOOST_TEST(m.resistance(1.5e-9) == 223.6068, tt::tolerance(1e-7));
  BOOST_TEST(m.resistance(3e-9) == 1000.0, tt::tolerance(1e-13));
  BOOST_TEST(m.current(0.3, 1.5e-9) == 0.3 / (50.0 * std::sqrt(20.0)), tt::tolerance(1e-14));
}

BOOST_AUTO_TEST_CASE(rate_at_given_voltage) {
  const Vteam m;
  const double w = 1.5e-9;
  // OFF: k_off (v/v_off - 1)^1 = 5e-4 * 1.5 at 0.05 V; 5e-4 * 49 at 1 V.
  BOOST_TEST(m.stateRate(0.05, w) == 7.5e-4, tt::tolerance(1e-13));
  BOOST_TEST(m.stateRate(1.0, w) == 0.0245, tt::tolerance(1e-13));
  // ON: k_on (v/v_on - 1)^3 = -10 at -0.4 V, -10 * 0.125 at -0.3 V, -10 * 64 at -1 V.
  BOOST_TEST(m.stateRate(-0.4, w) == -10.0, tt::tolerance(1e-13));
  BOOST_TEST(m.stateRate(-0.3, w) == -1.25, tt::tolerance(1e-13));
  BOOST_TEST(m.stateRate(-1.0, w) == -640.0, tt::tolerance(1e-13));
  // Non-integer exponent.
  const Vteam q = withParams({{"alpha_off", 2.5}});
  BOOST_TEST(q.stateRate(0.1, w) == 5e-4 * std::pow(4.0, 2.5), tt::tolerance(1e-13));
  BOOST_TEST(q.stateRate(0.1, w) == 0.016, tt::tolerance(1e-13));
}

BOOST_AUTO_TEST_CASE(thresholds) {
  const Vteam m;
  const double w = 1.5e-9;
  for (const double v : {-0.2, -0.19, -0.1, 0.0, 0.01, 0.0199, 0.02})
    BOOST_TEST(m.stateRate(v, w) == 0.0, "v = " << v);
  BOOST_TEST(m.stateRate(0.0201, w) > 0.0);  // OFF: w grows towards w_off (R grows)
  BOOST_TEST(m.stateRate(-0.201, w) < 0.0);  // ON: w shrinks towards w_on
  BOOST_TEST(m.stateRate(0.0201, w) == 5e-4 * 0.005, tt::tolerance(1e-9));
}

BOOST_AUTO_TEST_CASE(kvatinsky_window_values) {
  const Vteam none;
  BOOST_TEST(none.windowOff(2.9e-9) == 1.0);
  BOOST_TEST(none.windowOn(0.1e-9) == 1.0);
  const Vteam m = withParams({{"window_type", 1.0}, {"a_off_m", 1.2e-9}, {"a_on_m", 2e-9}});
  const double wc = 107e-12;
  // f_off = exp(-exp((w - a_off)/w_c)), f_on = exp(-exp(-(w - a_on)/w_c)).
  BOOST_TEST(m.windowOff(1.2e-9) == std::exp(-1.0), tt::tolerance(1e-12));
  BOOST_TEST(m.windowOff(1.2e-9 + wc) == std::exp(-std::exp(1.0)), tt::tolerance(1e-11));
  BOOST_TEST(m.windowOff(1.2e-9 - 2 * wc) == std::exp(-std::exp(-2.0)), tt::tolerance(1e-11));
  BOOST_TEST(m.windowOn(2e-9) == std::exp(-1.0), tt::tolerance(1e-12));
  BOOST_TEST(m.windowOn(2e-9 - wc) == std::exp(-std::exp(1.0)), tt::tolerance(1e-11));
  BOOST_TEST(m.windowOn(2e-9 + 3 * wc) == std::exp(-std::exp(-3.0)), tt::tolerance(1e-11));
  // The window multiplies the rate.
  BOOST_TEST(m.stateRate(0.05, 1.2e-9) == 7.5e-4 * std::exp(-1.0), tt::tolerance(1e-12));
  BOOST_TEST(m.stateRate(-0.4, 2e-9) == -10.0 * std::exp(-1.0), tt::tolerance(1e-12));
  // Far from the edge the window goes to 1 or 0.
  BOOST_TEST(m.windowOff(0.0) == std::exp(-std::exp(-1.2e-9 / wc)), tt::tolerance(1e-14));
  BOOST_TEST(m.windowOff(0.0) > 0.9999);
  BOOST_TEST(m.windowOff(3e-9) == 0.0);
}

BOOST_AUTO_TEST_CASE(anti_windup_at_the_bounds) {
  const Vteam m;
  // Within clamp_width = 1 pm of the bound it moves to, the rate fades linearly; beyond, it
  // reverses.
  BOOST_TEST(m.stateRate(0.05, 3e-9 - 0.5e-12) == 0.5 * 7.5e-4, tt::tolerance(1e-6));
  BOOST_TEST(m.stateRate(0.05, 3e-9) == 0.0);
  BOOST_TEST(m.stateRate(0.05, 3e-9 + 2e-12) == -7.5e-4, tt::tolerance(1e-13));
  BOOST_TEST(m.stateRate(-0.4, 0.0) == 0.0);
  BOOST_TEST(m.stateRate(-0.4, 0.25e-12) == -0.25 * 10.0, tt::tolerance(1e-6));
  // Moving away from a bound is not slowed.
  BOOST_TEST(m.stateRate(0.05, 0.0) == 7.5e-4, tt::tolerance(1e-13));
  BOOST_TEST(m.stateRate(-0.4, 3e-9) == -10.0, tt::tolerance(1e-13));
}

BOOST_AUTO_TEST_CASE(state_and_parameter_checks) {
  const Vteam m;
  const StateInfo s = m.stateInfo();
  BOOST_TEST(s.min == 0.0);
  BOOST_TEST(s.max == 3e-9);
  BOOST_TEST(m.initialState() == 0.0);
  BOOST_TEST(withParams({{"w_on_m", 1e-9}, {"w_ini_m", 0.0}}).initialState() == 1e-9);
  BOOST_CHECK_THROW((void)withParams({{"iv_relation", 0.5}}), xbarsim::Error);
  BOOST_CHECK_THROW((void)withParams({{"window_type", 0.5}}), xbarsim::Error);
  BOOST_CHECK_THROW((void)withParams({{"w_on_m", 3e-9}}), xbarsim::Error);
  BOOST_CHECK_THROW((void)withParams({{"r_off_ohm", 40.0}}), xbarsim::Error);
  BOOST_CHECK_THROW((void)withParams({{"k_on_m_per_s", 1.0}}), xbarsim::Error);  // out of range
  BOOST_CHECK_THROW((void)withParams({{"v_off_v", -0.1}}), xbarsim::Error);
  BOOST_CHECK_THROW((void)Vteam(ParamSet(modelKinds().get("rram_stanford").parameters)),
                    xbarsim::Error);
}

BOOST_AUTO_TEST_CASE(registered_with_both_faces) {
  const ModelKind& kind = modelKinds().get("vteam");
  BOOST_TEST((kind.role == KindRole::Memory));
  BOOST_TEST(kind.compact != nullptr);
  BOOST_TEST(kind.linearRead());
  BOOST_TEST(kind.spice_library == "vteam.lib");
  const DeviceCard card = builtinCard("vteam");
  const std::unique_ptr<DeviceModel> model = makeDeviceModel(card);
  BOOST_TEST(model->info().name == "vteam");
  BOOST_TEST(model->current(0.1, 1.5e-9) == 0.1 / 525.0, tt::tolerance(1e-14));
  const std::string inst = model->spiceInstance("1", "a", "b", 1e-9);
  BOOST_TEST(inst.rfind("x1 a b vteam ron=50 ", 0) == 0, inst);
  BOOST_TEST(inst.find(" w_ini=") != std::string::npos, inst);
}

BOOST_AUTO_TEST_CASE(spice_face_defaults_equal_the_table) {
  const Vteam m;
  const std::string lib(m.spiceLibrary());
  const auto begin = lib.find(".subckt vteam te be ");
  BOOST_REQUIRE(begin != std::string::npos);
  // The header: the .subckt line and its + continuation lines, joined with spaces.
  std::istringstream in(lib.substr(begin));
  std::string line, header;
  std::getline(in, line);
  header = line + ' ';
  while (std::getline(in, line) && !line.empty() && line.front() == '+') {
    line.front() = ' ';
    header += line + ' ';
  }
  for (const ParamInfo& p : vteamParameters()) {
    std::string pattern(" ");
    pattern.append(p.spice).append("=([^ ]+) ");
    std::smatch match;
    BOOST_TEST_CONTEXT(p.name) {
      BOOST_REQUIRE(std::regex_search(header, match, std::regex(pattern)));
      BOOST_TEST(std::stod(match[1].str()) == p.default_value, tt::tolerance(1e-15));
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
