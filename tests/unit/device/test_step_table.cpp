// SPDX-License-Identifier: MIT
// Step tables of compact models and the table-step update model (docs/device-models.md §8.8):
// the pulse integrator against exact pulse responses (pcm_pulse's closed form, VTEAM's
// trapezoid integral), the walk against the NeuroSim curve and the physics' monotonicity, the
// table model against the compact model pulse by pulse from states off the walk, the registry
// faces and the cache. Derivation times are printed (--log_level=message), not asserted.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "xbarsim/core/error.hpp"
#include "xbarsim/core/rng.hpp"
#include "xbarsim/device/device_card.hpp"
#include "xbarsim/device/pcm_pulse.hpp"
#include "xbarsim/device/registry.hpp"
#include "xbarsim/device/step_table.hpp"
#include "xbarsim/device/vteam.hpp"

namespace tt = boost::test_tools;
using namespace xbarsim::device;

namespace {

std::shared_ptr<const DeviceModel> compactOf(const std::string& card) {
  return makeDeviceModel(builtinCard(card));
}

const TableStepModel& tableModel(const UpdateModel& m) {
  return dynamic_cast<const TableStepModel&>(m);
}

/// No variation and no noise: the table alone.
ParamSet quietSet(const std::string& kind) {
  ParamSet set(updateParameters(kind));
  for (const char* name : {"dw_min_dtod", "dw_min_std", "up_down_dtod", "w_max_dtod", "w_min_dtod"})
    set.set(name, 0.0);
  return set;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(step_tables)

BOOST_AUTO_TEST_CASE(pcm_pulse_integrator_equals_the_closed_form) {
  // pcm_pulse's dG/dt is linear in G at constant V: PcmPulse::pulseResponse is exact.
  const auto model = compactOf("pcm_pulse_gst");
  const auto& pcm = dynamic_cast<const PcmPulse&>(*model);
  const double range = pcm.gMax() - pcm.gMin();
  for (const double f : {0.0, 0.2, 0.5, 0.8})
    for (const auto& [v, width] :
         {std::pair{1.0, 6e-6}, {0.8, 2e-6}, {3.0, 125e-9}, {2.0, 50e-9}}) {
      const double g = pcm.gMin() + f * range;
      const double got = pulseState(pcm, g, {v, width, 0.0});
      // Local tolerance 1e-8 of the range per step: a few 1e-7 per pulse at most.
      BOOST_TEST(std::abs(got - pcm.pulseResponse(g, v, width)) <= 1e-6 * range);
    }
}

BOOST_AUTO_TEST_CASE(vteam_trapezoid_equals_the_closed_form) {
  // Flat top k_off·(A/v_off − 1)^α·t_w, each edge k_off·t_e·v_off·(A/v_off − 1)^(α+1)/((α+1)·A)
  // (docs/device-models.md §7.3): 5.0304e-10 m at 0.5 V, 40 ns, 2 ns edges.
  const auto model = compactOf("vteam");
  const double k = 5e-4, v_off = 0.02, a = 0.5, tw = 40e-9, te = 2e-9;
  const double expected = k * (a / v_off - 1.0) * tw +
                          2.0 * k * te * v_off * std::pow(a / v_off - 1.0, 2.0) / (2.0 * a);
  BOOST_TEST(expected == 5.0304e-10, tt::tolerance(1e-12));
  for (const double w0 : {0.0, 1e-9, 2e-9}) {
    const double got = pulseState(*model, w0, {a, tw, te}) - w0;
    BOOST_TEST(std::abs(got - expected) <= 1e-6 * 3e-9);  // of the state range
  }
}

BOOST_AUTO_TEST_CASE(pcm_walk_follows_the_neurosim_curve) {
  const auto model = compactOf("pcm_pulse_gst");
  const auto& pcm = dynamic_cast<const PcmPulse&>(*model);
  StepTableOptions o;
  o.up = {pcm.setAmplitude(), pcm.setWidth(), 0.0};
  o.down = {pcm.resetAmplitude(), pcm.resetWidth(), 0.0};
  const StepTable t = deriveStepTable(pcm, o);
  BOOST_TEST_MESSAGE("pcm_pulse_gst: " << t.g_up_s.size() << " up, " << t.g_down_s.size()
                                       << " down pulses in " << t.derive_s << " s");
  const double range = pcm.gMax() - pcm.gMin();
  // G_k = G_min + (G_sat − G_min)(1 − e^(−k/A)) until the anti-windup zone below G_max.
  for (std::size_t k = 0; k < t.g_up_s.size() && t.g_up_s[k] < pcm.gMax() - 0.01 * range; ++k)
    BOOST_TEST(std::abs(t.g_up_s[k] - pcm.curve(static_cast<double>(k))) <= 1e-6 * range);
  BOOST_TEST(t.up_saturated);
  BOOST_TEST(t.g_high_s == pcm.gMax(), tt::tolerance(1e-6));
  // RESET is abrupt: one pulse back to G_min (within e^(−10) of the range), then nothing.
  BOOST_TEST(t.g_down_s.size() == 2U);
  BOOST_TEST(std::abs(t.g_down_s[1] - pcm.gMin()) <= 1e-4 * range);
  BOOST_TEST(t.down_saturated);
}

BOOST_AUTO_TEST_CASE(walks_are_monotone_and_saturate) {
  for (const char* card : {"pcm_pulse_gst", "rram_stanford", "vteam"}) {
    BOOST_TEST_CONTEXT(card) {
      const auto model = makeUpdateModel(card);
      const StepTable& t = tableModel(*model).table();
      BOOST_TEST_MESSAGE(card << ": " << t.g_up_s.size() << " up, " << t.g_down_s.size()
                              << " down pulses, G in [" << t.g_low_s << ", " << t.g_high_s
                              << "] S, derived in " << t.derive_s << " s");
      BOOST_TEST(t.up_saturated);
      BOOST_TEST(t.down_saturated);
      BOOST_TEST(t.g_up_s.size() > 1U);
      BOOST_TEST(t.g_down_s.size() > 1U);
      // A SET pulse never lowers G, a RESET pulse never raises it; G before pulse k+1 is G
      // before pulse k plus its change (the state carries over).
      for (std::size_t k = 0; k < t.g_up_s.size(); ++k) {
        BOOST_TEST(t.dg_up_s[k] >= 0.0);
        if (k + 1 < t.g_up_s.size())
          BOOST_TEST(t.g_up_s[k + 1] == t.g_up_s[k] + t.dg_up_s[k], tt::tolerance(1e-12));
      }
      for (std::size_t k = 0; k < t.g_down_s.size(); ++k) {
        BOOST_TEST(t.dg_down_s[k] <= 0.0);
        if (k + 1 < t.g_down_s.size())
          BOOST_TEST(t.g_down_s[k + 1] == t.g_down_s[k] + t.dg_down_s[k], tt::tolerance(1e-12));
      }
      BOOST_TEST(t.g_down_s.front() == t.g_up_s.back() + t.dg_up_s.back(), tt::tolerance(1e-12));
    }
  }
}

BOOST_AUTO_TEST_CASE(table_reproduces_the_compact_model_pulse_by_pulse) {
  // From states off the walk, k pulses through the compact model and through the table
  // (normalized u = (G − G_low)/(G_high − G_low)) agree within the interpolation error of the
  // table, which accumulates: the largest difference in u over the first 10 and the first 50
  // pulses, per model, is printed and bounded.
  struct Case {
    const char* card;
    double tolerance_10, tolerance_50;  // in u
  };
  for (const auto& [card, tolerance_10, tolerance_50] :
       {Case{"pcm_pulse_gst", 1e-6, 5e-4}, Case{"rram_stanford", 2e-3, 2e-2},
        Case{"vteam", 1e-4, 2e-4}}) {
    BOOST_TEST_CONTEXT(card) {
      const auto update = makeUpdateModel(card);
      const TableStepModel& m = tableModel(*update);
      const DeviceModel& c = m.compact();
      const StepTable& t = m.table();
      const StepTableOptions o = m.options();
      const double span = t.g_high_s - t.g_low_s;
      double worst_10 = 0.0, worst_50 = 0.0;
      for (const int direction : {+1, -1})
        for (const double u0 : {0.013, 0.1, 0.37, 0.62, 0.9}) {
          double x = stateForConductance(c, t.g_low_s + u0 * span);
          double u = (c.readConductance(x) - t.g_low_s) / span;
          for (int k = 0; k < 50; ++k) {
            x = pulseState(c, x, direction > 0 ? o.up : o.down);
            u = std::clamp(u + m.tableStep(u, direction), 0.0, 1.0);
            const double error = std::abs(u - (c.readConductance(x) - t.g_low_s) / span);
            worst_50 = std::max(worst_50, error);
            if (k < 10) worst_10 = std::max(worst_10, error);
          }
        }
      BOOST_TEST_MESSAGE(card << ": table vs compact, largest |du| over 10 pulses " << worst_10
                              << ", over 50 pulses " << worst_50);
      BOOST_TEST(worst_10 <= tolerance_10);
      BOOST_TEST(worst_50 <= tolerance_50);
    }
  }
}

BOOST_AUTO_TEST_CASE(table_model_walks_the_table_exactly_without_noise) {
  // From b_min, quiet up pulses land on the walk's samples: w_k = b_min + u_k·(b_max − b_min).
  for (const char* card : {"pcm_pulse_gst", "rram_stanford", "vteam"}) {
    BOOST_TEST_CONTEXT(card) {
      const auto model = makeUpdateModel(card, quietSet(card));
      const StepTable& t = tableModel(*model).table();
      const UpdateDevice dev = model->nominalDevice();
      const double span = t.g_high_s - t.g_low_s;
      xbarsim::RngStream rng(1, xbarsim::StreamPurpose::Variation, 0);
      double w = dev.w_min;
      for (std::size_t k = 0; k < t.g_up_s.size(); ++k) {
        const double u = (t.g_up_s[k] - t.g_low_s) / span;
        BOOST_TEST(std::abs(w - (dev.w_min + u * (dev.w_max - dev.w_min))) <= 1e-9);
        w = model->pulse(dev, w, +1, rng);
      }
      // dw_min is the mean up step.
      BOOST_TEST(model->common().dw_min > 0.0);
      BOOST_TEST(model->common().dw_min * static_cast<double>(t.g_up_s.size() - 1) ==
                     (dev.w_max - dev.w_min) *
                         (t.g_up_s.back() + t.dg_up_s.back() - t.g_up_s.front()) / span,
                 tt::tolerance(1e-12));
    }
  }
}

BOOST_AUTO_TEST_CASE(device_to_device_gain_scales_the_table_step) {
  const auto model = makeUpdateModel("vteam");
  const auto& m = tableModel(*model);
  const UpdateDevice dev = model->deviceFrom({0.5, 0.3, -1.0, 0.7, 0.0, 0.0});
  const double range = dev.w_max - dev.w_min;
  for (const double w : {dev.w_min, -0.1, 0.0, 0.25, dev.w_max}) {
    const double u = std::clamp((w - dev.w_min) / range, 0.0, 1.0);
    BOOST_TEST(model->meanStep(dev, w, +1) ==
                   range * m.tableStep(u, +1) * dev.step_up / model->common().dw_min,
               tt::tolerance(1e-12));
    BOOST_TEST(model->meanStep(dev, w, -1) ==
                   range * m.tableStep(u, -1) * dev.step_down / model->common().dw_min,
               tt::tolerance(1e-12));
  }
}

BOOST_AUTO_TEST_CASE(registry_faces_cards_and_cache) {
  for (const char* kind : {"pcm_pulse", "rram_stanford", "vteam"}) {
    BOOST_TEST_CONTEXT(kind) {
      const ModelKind& k = modelKinds().get(kind);
      BOOST_TEST((k.update != nullptr && k.compact != nullptr));
      BOOST_TEST((k.role == KindRole::Memory));
      BOOST_TEST(k.updateParameters().data() == tableStepParameters(kind).data());
      BOOST_TEST(makeUpdateModel(kind)->name() == std::string(kind));
      // A set of the compact parameters works too (pulses and variation at their defaults).
      ParamSet compact_set(k.parameters);
      BOOST_TEST(makeUpdateModel(kind, compact_set)->name() == std::string(kind));
    }
  }
  BOOST_TEST(makeUpdateModel("pcm_pulse_gst")->name() == "pcm_pulse");
  BOOST_TEST(updateParameters("pcm_pulse_gst").data() == tableStepParameters("pcm_pulse").data());
  BOOST_CHECK_THROW((void)makeUpdateModel("linear"), xbarsim::Error);
  BOOST_CHECK_THROW((void)makeUpdateModel("no_such_model"), xbarsim::Error);
  // The same parameters share one table; the derivation is deterministic.
  const auto a = makeUpdateModel("rram_stanford");
  const auto b = makeUpdateModel("rram_stanford");
  BOOST_TEST(&tableModel(*a).table() == &tableModel(*b).table());
  const StepTable again = deriveStepTable(tableModel(*a).compact(), tableModel(*a).options());
  BOOST_TEST(again.g_up_s == tableModel(*a).table().g_up_s);
  BOOST_TEST(again.dg_down_s == tableModel(*a).table().dg_down_s);
  // Another pulse is another table.
  ParamSet set(updateParameters("rram_stanford"));
  set.set("width_up_s", 2e-9);
  const auto c = makeUpdateModel("rram_stanford", set);
  BOOST_TEST(&tableModel(*c).table() != &tableModel(*a).table());
  BOOST_TEST(tableModel(*c).table().g_up_s.size() < tableModel(*a).table().g_up_s.size());
}

BOOST_AUTO_TEST_CASE(wrong_pulses_are_refused) {
  const auto vteam = compactOf("vteam");
  StepTableOptions o;
  o.up = {0.5, 10e-9, 0.0};  // raises w: lowers G
  o.down = {0.5, 1e-9, 0.0};
  BOOST_CHECK_THROW((void)deriveStepTable(*vteam, o), xbarsim::Error);
  o.up = {-0.1, 10e-9, 0.0};  // within the thresholds: nothing moves
  BOOST_CHECK_THROW((void)deriveStepTable(*vteam, o), xbarsim::Error);
}

BOOST_AUTO_TEST_SUITE_END()
