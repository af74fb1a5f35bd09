// SPDX-License-Identifier: MIT
// Pulsed update models (docs/device-models.md §8) against the published equations, written out
// here independently of the model code: the response curve (Δw against w for repeated up and
// down pulses, no noise) of each family, including the closed-form pulse trains of the constant
// step and of soft bounds; the device-to-device and cycle-to-cycle statistics against the
// parameters; bounds under noise; determinism from the seed; the registry entries.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "xbarsim/core/error.hpp"
#include "xbarsim/core/rng.hpp"
#include "xbarsim/device/random.hpp"
#include "xbarsim/device/registry.hpp"
#include "xbarsim/device/update_model.hpp"

namespace tt = boost::test_tools;
using namespace xbarsim::device;
using xbarsim::RngStream;
using xbarsim::StreamPurpose;

namespace {

/// The kind's model with some parameters changed from the table defaults.
std::unique_ptr<UpdateModel> model(const std::string& kind,
                                   std::initializer_list<std::pair<const char*, double>> values) {
  ParamSet set(modelKinds().get(kind).parameters);
  for (const auto& [name, value] : values) set.set(name, value);
  return makeUpdateModel(kind, set);
}

/// No variation and no noise: the response curve alone.
constexpr std::initializer_list<std::pair<const char*, double>> kQuiet = {{"dw_min_dtod", 0.0},
                                                                          {"dw_min_std", 0.0},
                                                                          {"up_down_dtod", 0.0},
                                                                          {"w_max_dtod", 0.0},
                                                                          {"w_min_dtod", 0.0}};

std::unique_ptr<UpdateModel> quiet(
    const std::string& kind, std::initializer_list<std::pair<const char*, double>> more = {}) {
  ParamSet set(modelKinds().get(kind).parameters);
  for (const auto& [name, value] : kQuiet) set.set(name, value);
  if (set.contains("pow_gamma_dtod")) set.set("pow_gamma_dtod", 0.0);
  for (const auto& [name, value] : more) set.set(name, value);
  return makeUpdateModel(kind, set);
}

struct Moments {
  double mean = 0.0;
  double sd = 0.0;
};

Moments moments(const std::vector<double>& x) {
  double s = 0.0;
  for (const double v : x) s += v;
  const double mean = s / static_cast<double>(x.size());
  double q = 0.0;
  for (const double v : x) q += (v - mean) * (v - mean);
  return {mean, std::sqrt(q / static_cast<double>(x.size() - 1))};
}

}  // namespace

BOOST_AUTO_TEST_SUITE(update_models)

BOOST_AUTO_TEST_CASE(registered_with_published_defaults) {
  for (const char* name : {"constant-step", "soft-bounds", "pow-step", "pcm-exp-step"}) {
    BOOST_TEST_CONTEXT(name) {
      const ModelKind& kind = modelKinds().get(name);
      BOOST_TEST((kind.role == KindRole::Update));
      BOOST_TEST((kind.update != nullptr));
      BOOST_TEST((kind.compact == nullptr && kind.statistical == nullptr));
      BOOST_TEST(!kind.citation.empty());
      BOOST_TEST(makeUpdateModel(name)->name() == std::string(name));
      const std::vector<std::string> memory = memoryModelNames();
      BOOST_TEST((std::find(memory.begin(), memory.end(), name) == memory.end()));
    }
  }
  BOOST_TEST(modelKinds().get("soft_bounds").name == "soft-bounds");
  // aihwkit PulsedDevice defaults (docs/device-models.md §8.1).
  const auto constant = makeUpdateModel("constant-step");
  const PulsedParams& c = constant->common();
  BOOST_TEST(c.dw_min == 0.001);
  BOOST_TEST(c.dw_min_dtod == 0.3);
  BOOST_TEST(c.dw_min_std == 0.3);
  BOOST_TEST(c.up_down == 0.0);
  BOOST_TEST(c.up_down_dtod == 0.01);
  BOOST_TEST(c.w_max == 0.6);
  BOOST_TEST(c.w_min == -0.6);
  BOOST_TEST(c.w_max_dtod == 0.3);
  // aihwkit PCMPresetDevice (Nandakumar 2020 fit).
  const ParamSet pcm(modelKinds().get("pcm-exp-step").parameters);
  BOOST_TEST(pcm.get("dw_min") == 0.01);
  BOOST_TEST(pcm.get("w_min") == 0.0);
  BOOST_TEST(pcm.get("w_max") == 2.0);
  BOOST_TEST(pcm.get("gamma_up") == 2.5);
  BOOST_TEST(pcm.get("a") == -1.0);
  BOOST_TEST(pcm.get("a_up") == -27.235);
  BOOST_TEST(pcm.get("dw_min_std") == 0.6);
  BOOST_TEST(pcm.get("dw_min_std_add") == 0.042);
  BOOST_TEST(pcm.get("dw_min_std_slope") == 0.108);
  BOOST_TEST(ParamSet(modelKinds().get("pow-step").parameters).get("pow_gamma_dtod") == 0.1);
}

BOOST_AUTO_TEST_CASE(invalid_parameters_are_refused) {
  ParamSet soft(modelKinds().get("soft-bounds").parameters);
  BOOST_CHECK_THROW(soft.set("w_min", 0.0), xbarsim::Error);  // soft bounds need b_min < 0
  ParamSet constant(modelKinds().get("constant-step").parameters);
  BOOST_CHECK_THROW(constant.set("w_max", 0.0), xbarsim::Error);  // b_min <= 0 < b_max
  BOOST_CHECK_THROW(constant.set("w_min", 0.1), xbarsim::Error);
  BOOST_CHECK_THROW((void)makeUpdateModel("linear"), xbarsim::Error);  // no update face
  const auto m = makeUpdateModel("constant-step");
  RngStream rng(1, StreamPurpose::Programming);
  BOOST_CHECK_THROW((void)m->applyPulses(m->nominalDevice(), 0.0, -1, 0, rng), xbarsim::Error);
}

// w_k = clip(b_min + k·dw_min·(1 + beta), b_max) going up, and back with dw_min·(1 - beta).
BOOST_AUTO_TEST_CASE(constant_step_train_is_linear_to_the_hard_bound) {
  const double beta = 0.2;
  const auto m = quiet("constant-step", {{"up_down", beta}});
  const UpdateDevice dev = m->nominalDevice();
  RngStream rng(7, StreamPurpose::Programming);
  double w = -0.6;
  for (int k = 1; k <= 1100; ++k) {
    w = m->pulse(dev, w, +1, rng);
    BOOST_TEST(w == std::min(-0.6 + k * 0.001 * (1 + beta), 0.6), tt::tolerance(1e-9));
  }
  const double top = w;
  for (int k = 1; k <= 600; ++k) {
    w = m->pulse(dev, w, -1, rng);
    BOOST_TEST(w == std::max(top - k * 0.001 * (1 - beta), -0.6), tt::tolerance(1e-9));
  }
}

// Soft bounds: w' = w + a+·(1 - w/b_max) gives b_max - w_k = (b_max - w_0)(1 - a+/b_max)^k;
// w' = w - a-·(1 - w/b_min) gives w_k - b_min = (w_0 - b_min)(1 - a-/|b_min|)^k.
BOOST_AUTO_TEST_CASE(soft_bounds_train_is_geometric) {
  const double beta = -0.3, b_max = 0.6, b_min = -0.4, dw = 0.01;
  const auto m = quiet("soft-bounds", {{"up_down", beta}, {"w_min", b_min}, {"dw_min", dw}});
  const UpdateDevice dev = m->nominalDevice();
  const double a_up = dw * (1 + beta), a_down = dw * (1 - beta);
  RngStream rng(7, StreamPurpose::Programming);
  double w = 0.1;
  for (int k = 1; k <= 500; ++k) {
    w = m->pulse(dev, w, +1, rng);
    BOOST_TEST(w == b_max - (b_max - 0.1) * std::pow(1 - a_up / b_max, k), tt::tolerance(1e-9));
  }
  BOOST_TEST(w < b_max);
  const double w0 = w;
  for (int k = 1; k <= 500; ++k) {
    w = m->pulse(dev, w, -1, rng);
    BOOST_TEST(w == b_min + (w0 - b_min) * std::pow(1 - a_down / -b_min, k), tt::tolerance(1e-9));
  }
  // Symmetry point, where up and down steps are equal: w* = (a+ - a-)/(a+/b_max - a-/b_min).
  const double w_star = (a_up - a_down) / (a_up / b_max - a_down / b_min);
  BOOST_TEST(m->meanStep(dev, w_star, +1) == -m->meanStep(dev, w_star, -1), tt::tolerance(1e-12));
}

// Power step: Δw+ = a+·omega^g+, Δw- = -a-·(1 - omega)^g-, omega = (b_max - w)/(b_max - b_min),
// then clipped to the bounds (for g < 1 the last step before a bound overshoots it).
BOOST_AUTO_TEST_CASE(pow_step_response_curve) {
  for (const double gamma : {0.5, 1.0, 2.0, 3.5}) {
    const double pud = 0.2, dw = 0.004;
    const auto m = quiet("pow-step", {{"pow_gamma", gamma}, {"pow_up_down", pud}, {"dw_min", dw}});
    const UpdateDevice dev = m->nominalDevice();
    const double g_up = gamma * (1 + pud), g_down = gamma * (1 - pud);
    RngStream rng(7, StreamPurpose::Programming);
    double w = -0.6;
    for (int k = 0; k < 800; ++k) {
      const double omega = (0.6 - w) / 1.2;
      const double next = m->pulse(dev, w, +1, rng);
      BOOST_TEST(next == std::min(w + dw * std::pow(omega, g_up), 0.6), tt::tolerance(1e-9));
      w = next;
    }
    for (int k = 0; k < 800; ++k) {
      const double omega = (0.6 - w) / 1.2;
      const double next = m->pulse(dev, w, -1, rng);
      BOOST_TEST(next == std::max(w - dw * std::pow(1 - omega, g_down), -0.6), tt::tolerance(1e-9));
      w = next;
    }
  }
  // gamma = 1 is soft bounds measured from the far bound: omega_k = omega_0 (1 - a/(b_max -
  // b_min))^k.
  const auto m = quiet("pow-step", {{"pow_gamma", 1.0}, {"dw_min", 0.01}});
  RngStream rng(7, StreamPurpose::Programming);
  double w = -0.6;
  for (int k = 0; k < 300; ++k) w = m->pulse(m->nominalDevice(), w, +1, rng);
  BOOST_TEST((0.6 - w) / 1.2 == std::pow(1 - 0.01 / 1.2, 300), tt::tolerance(1e-9));
}

// PCM preset (a = -1, b = 0, range [0, 2]: z = -w): Δw+ = dw_min·(1 + 27.235·e^(-2.5 w)),
// Δw- = -dw_min·(1 + 2.235·e^(2.5 w)), the SET curve of Nandakumar et al. 2020 as fitted by
// aihwkit; the step falls from 28.2·dw_min at w = 0 to 1.18·dw_min at w = 2.
BOOST_AUTO_TEST_CASE(pcm_exp_step_response_curve) {
  const auto m = quiet("pcm-exp-step", {{"dw_min_std_add", 0.0}, {"dw_min_std_slope", 0.0}});
  const UpdateDevice dev = m->nominalDevice();
  RngStream rng(7, StreamPurpose::Programming);
  double w = 0.0;
  int pulses = 0;
  while (w < 2.0 && pulses < 10000) {
    const double next = m->pulse(dev, w, +1, rng);
    const double expected = std::min(w + 0.01 * (1 + 27.235 * std::exp(-2.5 * w)), 2.0);
    BOOST_TEST(next == expected, tt::tolerance(1e-9));
    w = next;
    ++pulses;
  }
  BOOST_TEST(w == 2.0);
  // Saturation after about the integral of dw/Δw+ from 0 to 2, 100·(2 + 0.4·ln((1
  // + 27.235e^-5)/28.235)) = 73.1 pulses (the first steps, 0.28 wide, make the discrete count a
  // little lower).
  BOOST_TEST(std::abs(pulses - 100 * (2 + 0.4 * std::log((1 + 27.235 * std::exp(-5.0)) / 28.235))) <
             2);
  BOOST_TEST(m->meanStep(dev, 0.0, +1) == 0.01 * 28.235, tt::tolerance(1e-12));
  for (const double x : {0.0, 0.3, 1.0, 1.7})
    BOOST_TEST(m->meanStep(dev, x, -1) == -0.01 * (1 + 2.235 * std::exp(2.5 * x)),
               tt::tolerance(1e-12));
  // General a, b, A, gamma: z = 2a w/(b_max - b_min) + b; y+ = 1 - A+ e^(g+ z), y- = 1 - A- e^(-g-
  // z).
  const auto g = quiet("pcm-exp-step", {{"a", 0.244},
                                        {"b", 0.2425},
                                        {"a_up", 0.00081},
                                        {"a_down", 0.36833},
                                        {"gamma_up", 12.44625},
                                        {"gamma_down", 12.78785},
                                        {"w_min", -1.0},
                                        {"w_max", 1.0}});
  for (const double x : {-0.9, -0.3, 0.0, 0.4, 0.95}) {
    const double z = 2 * 0.244 * x / 2.0 + 0.2425;
    BOOST_TEST(g->meanStep(g->nominalDevice(), x, +1) ==
                   0.01 * std::max(0.0, 1 - 0.00081 * std::exp(12.44625 * z)),
               tt::tolerance(1e-12));
    BOOST_TEST(g->meanStep(g->nominalDevice(), x, -1) ==
                   -0.01 * std::max(0.0, 1 - 0.36833 * std::exp(-12.78785 * z)),
               tt::tolerance(1e-12));
  }
}

// Device-to-device: step_up/dw_min ~ 1 + beta + s·xi, beta ~ N(up_down, up_down_dtod), bounds
// b ~ w·N(1, w_dtod), gamma ~ g·N(1, g_dtod): moments over 20000 devices within 4 standard
// errors (the max(0, .) clamps move them by < 1e-4 at these spreads).
BOOST_AUTO_TEST_CASE(device_to_device_statistics) {
  const int n = 20000;
  const auto m = model(
      "pow-step",
      {{"up_down", 0.1}, {"up_down_dtod", 0.05}, {"pow_gamma", 2.0}, {"pow_gamma_dtod", 0.1}});
  RngStream rng(11, StreamPurpose::Conductances);
  std::vector<double> gain, beta, b_max, b_min, gamma_up;
  for (int k = 0; k < n; ++k) {
    const UpdateDevice d = m->drawDevice(rng);
    gain.push_back((d.step_up + d.step_down) / (2 * 0.001));  // 1 + s·xi_0
    beta.push_back((d.step_up - d.step_down) / (2 * 0.001));  // beta
    b_max.push_back(d.w_max);
    b_min.push_back(d.w_min);
    gamma_up.push_back(d.gamma_up);
  }
  const auto check = [n](const std::vector<double>& x, double mean, double sd) {
    const Moments got = moments(x);
    BOOST_TEST(std::abs(got.mean - mean) < 4 * sd / std::sqrt(n));
    BOOST_TEST(std::abs(got.sd / sd - 1) < 4 / std::sqrt(2.0 * n));
  };
  check(gain, 1.0, 0.3);
  check(beta, 0.1, 0.05);
  check(b_max, 0.6, 0.18);
  check(b_min, -0.6, 0.18);
  check(gamma_up, 2.0, 2.0 * 0.1);  // pow_up_down = 0: no gamma asymmetry
}

// Cycle-to-cycle: many single pulses from the same w on one device. Multiplicative noise:
// sd = dw_min_std·|mean step|; PCM: sd = dw_min_std·(|mean step| + add + slope·|w|).
BOOST_AUTO_TEST_CASE(cycle_to_cycle_statistics) {
  const int n = 40000;
  const auto sample = [n](const UpdateModel& m, double w, int direction) {
    RngStream rng(13, StreamPurpose::Programming);
    const UpdateDevice dev = m.nominalDevice();
    std::vector<double> dw;
    for (int k = 0; k < n; ++k) dw.push_back(m.pulse(dev, w, direction, rng) - w);
    return moments(dw);
  };
  const auto check = [n](Moments got, double mean, double sd) {
    BOOST_TEST(std::abs(got.mean - mean) < 4 * sd / std::sqrt(n));
    BOOST_TEST(std::abs(got.sd / sd - 1) < 4 / std::sqrt(2.0 * n));
  };
  const auto c = model("constant-step", {{"up_down", 0.25}});
  check(sample(*c, 0.0, +1), 0.00125, 0.3 * 0.00125);
  check(sample(*c, 0.0, -1), -0.00075, 0.3 * 0.00075);
  const auto s = model("soft-bounds", {{"dw_min_std", 0.5}});
  check(sample(*s, 0.3, +1), 0.0005, 0.5 * 0.0005);
  const auto p = model("pcm-exp-step", {});
  const double step = 0.01 * (1 + 27.235 * std::exp(-2.5 * 1.0));
  check(sample(*p, 1.0, +1), step, 0.6 * (step + 0.042 + 0.108 * 1.0));
}

// Under the default (strong) noise and variation the weight never leaves the device's bounds.
BOOST_AUTO_TEST_CASE(bounds_are_never_exceeded) {
  for (const char* name : {"constant-step", "soft-bounds", "pow-step", "pcm-exp-step"}) {
    const auto m = model(name, {{"dw_min", 0.05}});
    RngStream rng(17, StreamPurpose::Programming);
    bool inside = true;
    double highest = 0.0;  // largest (w - b_min)/(b_max - b_min) reached
    for (int d = 0; d < 100; ++d) {
      const UpdateDevice dev = m->drawDevice(rng);
      double w = 0.5 * (dev.w_min + dev.w_max);
      for (int k = 0; k < 300; ++k) {
        const int up = k < 150 ? 3 : static_cast<int>(rng.uniform() * 4);
        w = m->applyPulses(dev, w, up, static_cast<int>(rng.uniform() * 3), rng);
        inside = inside && w >= dev.w_min && w <= dev.w_max;
        highest = std::max(highest, (w - dev.w_min) / (dev.w_max - dev.w_min));
      }
    }
    BOOST_TEST(inside, name);
    BOOST_TEST(highest > 0.9, name);  // the pulse trains do press against the upper bound
  }
}

BOOST_AUTO_TEST_CASE(same_seed_same_devices_and_pulses) {
  const auto m = makeUpdateModel("pcm-exp-step");
  const auto run = [&m](std::uint64_t seed) {
    RngStream rng(seed, StreamPurpose::Programming, 3);
    std::vector<double> out;
    for (int d = 0; d < 10; ++d) {
      const UpdateDevice dev = m->drawDevice(rng);
      out.push_back(dev.step_up);
      out.push_back(m->applyPulses(dev, 0.0, 5, 2, rng));
    }
    return out;
  };
  BOOST_TEST(run(42) == run(42), tt::per_element());
  BOOST_TEST((run(42) != run(43)));
}

// applyPulses interleaves: 3 up and 2 down = up, down, up, down, up.
BOOST_AUTO_TEST_CASE(pulses_interleave) {
  const auto m = model("soft-bounds", {{"up_down", 0.4}});
  RngStream draw(5, StreamPurpose::Conductances);
  const UpdateDevice dev = m->drawDevice(draw);
  RngStream a(9, StreamPurpose::Programming), b(9, StreamPurpose::Programming);
  double w = 0.1;
  for (const int d : {+1, -1, +1, -1, +1}) w = m->pulse(dev, w, d, b);
  BOOST_TEST(m->applyPulses(dev, 0.1, 3, 2, a) == w);
}

// The polar-method normals of the fast path: mean 0, variance 1, kurtosis 3, and the tail
// fraction beyond 2 (0.0455) within sampling error.
BOOST_AUTO_TEST_CASE(polar_normals_are_standard) {
  RngStream rng(21, StreamPurpose::Programming);
  NormalPairs normal(rng);
  const int n = 200000;
  double s1 = 0, s2 = 0, s4 = 0, tail = 0;
  for (int k = 0; k < n; ++k) {
    const double x = normal();
    s1 += x;
    s2 += x * x;
    s4 += x * x * x * x;
    tail += std::abs(x) > 2.0 ? 1.0 : 0.0;
  }
  BOOST_TEST(std::abs(s1 / n) < 4 / std::sqrt(n));
  BOOST_TEST(std::abs(s2 / n - 1) < 4 * std::sqrt(2.0 / n));
  BOOST_TEST(std::abs(s4 / n - 3) < 4 * std::sqrt(96.0 / n));
  BOOST_TEST(std::abs(tail / n - 0.0455) < 4 * std::sqrt(0.0455 * 0.9545 / n));
}

// The fast path (closed forms, one Gaussian per call) against pulse by pulse through
// applyPulses: mean and standard deviation of the weight after n_up/n_down pulses agree within
// sampling error (4 standard errors) for the constant step (exact in distribution), soft bounds
// with strong asymmetry (exact moments) and the exponential step (pulse by pulse with other
// normals); the constant step also against its closed form n_up s_u - n_down s_d,
// σ² = dw_min_std² (n_up s_u² + n_down s_d²).
BOOST_AUTO_TEST_CASE(fast_path_matches_pulse_by_pulse) {
  const int n = 20000;
  struct Case {
    double w;
    int up, down;
  };
  const auto compare = [n](const UpdateModel& m, Case c) {
    const UpdateDevice dev = m.nominalDevice();
    RngStream a(5, StreamPurpose::Programming, 1), b(5, StreamPurpose::Programming, 2);
    NormalPairs normal(b);
    std::vector<double> slow, fast;
    for (int k = 0; k < n; ++k) {
      slow.push_back(m.applyPulses(dev, c.w, c.up, c.down, a));
      fast.push_back(m.applyPulsesFast(dev, c.w, c.up, c.down, normal));
    }
    const Moments ms = moments(slow), mf = moments(fast);
    BOOST_TEST_CONTEXT(m.name() << " w " << c.w << " up " << c.up << " down " << c.down) {
      BOOST_TEST(std::abs(ms.mean - mf.mean) < 4 * ms.sd * std::sqrt(2.0 / n));
      BOOST_TEST(std::abs(mf.sd / ms.sd - 1) < 4 * std::sqrt(1.0 / n));
    }
    return mf;
  };
  const std::vector<Case> cases{{0.0, 1, 0}, {0.1, 0, 1}, {0.0, 7, 0}, {0.2, 3, 5}, {-0.1, 20, 4}};
  const auto c = model("constant-step", {{"dw_min", 0.01}, {"up_down", 0.3}});
  BOOST_TEST((c->family() == UpdateModel::Family::Constant));
  for (const Case& k : cases) {
    const Moments got = compare(*c, k);
    const double su = 0.013, sd = 0.007;
    const double sigma = 0.3 * std::sqrt(k.up * su * su + k.down * sd * sd);
    BOOST_TEST(std::abs(got.mean - (k.w + k.up * su - k.down * sd)) < 4 * sigma / std::sqrt(n));
    BOOST_TEST(std::abs(got.sd / sigma - 1) < 4 * std::sqrt(1.0 / n));
  }
  const auto s = model("soft-bounds", {{"dw_min", 0.01}, {"up_down", 0.5}, {"dw_min_std", 0.5}});
  BOOST_TEST((s->family() == UpdateModel::Family::SoftBounds));
  for (const Case& k : cases) compare(*s, k);
  const auto p = model("pcm-exp-step", {{"dw_min_std", 0.3}});
  BOOST_TEST((p->family() == UpdateModel::Family::Generic));
  for (const Case& k : cases) compare(*p, {k.w + 0.3, k.up, k.down});
}

BOOST_AUTO_TEST_SUITE_END()
