// SPDX-License-Identifier: MIT
// Step tables of compact models and the table-step update model (include/xbarsim/device/
// step_table.hpp; docs/device-models.md §8.8): the pulse integrator, the walk, the cache, the
// parameter tables of the compact kinds' update faces.
#include "xbarsim/device/step_table.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <mutex>
#include <string>
#include <utility>

#include "pulsed_table.hpp"
#include "xbarsim/core/error.hpp"
#include "xbarsim/device/device_card.hpp"
#include "xbarsim/device/registry.hpp"

namespace xbarsim::device {
namespace {

// ---- the pulse integrator -----------------------------------------------------------------------

/// dx/dt = f(t, x) over one segment of a pulse, V(t) linear from v0 to v1.
class Segment {
 public:
  Segment(const DeviceModel& m, double v0, double v1, double duration_s, double tol)
      : m_(m), v0_(v0), v1_(v1), duration_(duration_s), tol_(tol) {
    const StateInfo si = m.stateInfo();
    range_ = si.max - si.min;
  }

  /// The state at the end of the segment from x.
  double run(double x) const {
    if (duration_ <= 0.0) return x;
    double t = 0.0;
    double h = duration_ / 16.0;
    const double h_min = duration_ * 1e-12;
    while (t < duration_ * (1.0 - 1e-14)) {
      h = std::min(h, duration_ - t);
      double full = 0.0, half = 0.0;
      bool ok = step(t, x, h, full);
      if (ok) ok = step(t, x, 0.5 * h, half) && step(t + 0.5 * h, half, 0.5 * h, half);
      if (!ok) {
        if (h > h_min) {
          h *= 0.25;
          continue;
        }
        // A rate discontinuous in x (a field threshold) can leave the implicit stage without a
        // solution at any step: cross it with one explicit Euler step of the smallest size.
        x = m_.clampState(x + h * rate(t, x));
        t += h;
        continue;
      }
      const double err = std::abs(half - full) / 3.0;  // step doubling, order 2
      const double tol = tol_ * range_;
      if (err <= tol || h <= h_min) {
        t += h;
        x = half;
        const double grow = err > 0.0 ? 0.9 * std::cbrt(tol / err) : 5.0;
        h *= std::clamp(grow, 0.2, 5.0);
      } else {
        h *= std::clamp(0.9 * std::cbrt(tol / err), 0.1, 0.9);
      }
    }
    return x;
  }

 private:
  double voltage(double t) const { return v0_ + (v1_ - v0_) * (t / duration_); }
  double rate(double t, double x) const { return m_.stateRate(voltage(t), x); }

  /// X = a + c·f(tau, X) by Newton (derivative by a difference quotient).
  bool solveStage(double tau, double a, double c, double& X) const {
    const double v = voltage(tau);
    const double dx = 1e-7 * range_;
    X = a;
    for (int it = 0; it < 30; ++it) {
      const double f = m_.stateRate(v, X);
      const double r = X - a - c * f;
      const double dfdx = (m_.stateRate(v, X + dx) - f) / dx;
      const double jac = 1.0 - c * dfdx;
      if (!(jac > 0.0) || !std::isfinite(r)) return false;
      const double delta = r / jac;
      X -= delta;
      if (std::abs(delta) <= 1e-6 * tol_ * range_ + 1e-300) return std::isfinite(X);
    }
    return false;
  }

  /// One step of the L-stable SDIRK2 (Alexander): gamma = 1 - 1/sqrt(2), stiffly accurate.
  bool step(double t, double x, double h, double& out) const {
    constexpr double g = 1.0 - 0.70710678118654752440;
    double x1 = 0.0;
    if (!solveStage(t + g * h, x, g * h, x1)) return false;
    const double k1 = (x1 - x) / (g * h);
    return solveStage(t + h, x + (1.0 - g) * h * k1, g * h, out);
  }

  const DeviceModel& m_;
  double v0_, v1_, duration_, tol_;
  double range_ = 1.0;
};

}  // namespace

double pulseState(const DeviceModel& model, double x, const PulseShape& pulse, double rel_tol) {
  if (!(pulse.width_s >= 0.0) || !(pulse.edge_s >= 0.0) || !(rel_tol > 0.0))
    throw Error("step table: pulse width and edge must be >= 0, the tolerance > 0");
  x = model.clampState(x);
  x = Segment(model, 0.0, pulse.v_v, pulse.edge_s, rel_tol).run(x);
  x = Segment(model, pulse.v_v, pulse.v_v, pulse.width_s, rel_tol).run(x);
  return Segment(model, pulse.v_v, 0.0, pulse.edge_s, rel_tol).run(x);
}

// ---- the walk -----------------------------------------------------------------------------------

StepTable deriveStepTable(const DeviceModel& model, const StepTableOptions& o) {
  const auto start = std::chrono::steady_clock::now();
  if (o.max_pulses < 1 || !(o.stop_fraction > 0.0))
    throw Error("step table: need max_pulses >= 1 and stop_fraction > 0");
  const StateInfo si = model.stateInfo();
  const double g_a = model.readConductance(si.min);
  const double g_b = model.readConductance(si.max);
  const double span = std::abs(g_b - g_a);
  if (!(span > 0.0))
    throw Error(fmt::format("step table of {}: the read conductance does not depend on the state",
                            model.info().name));
  const double threshold = o.stop_fraction * (si.max - si.min);  // in state units
  StepTable t;
  // One direction: pulses from x until one moves G by less than the threshold.
  const auto walk = [&](double x, const PulseShape& pulse, int direction, std::vector<double>& g,
                        std::vector<double>& dg, std::vector<double>& xs, bool& saturated) {
    double g_now = model.readConductance(x);
    for (int k = 0; k < o.max_pulses; ++k) {
      const double x_next = pulseState(model, x, pulse, o.rel_tol);
      const double g_next = model.readConductance(x_next);
      g.push_back(g_now);
      dg.push_back(g_next - g_now);
      xs.push_back(x);
      if (k == 0 && !(direction * (g_next - g_now) > 0.0 && std::abs(x_next - x) >= threshold))
        throw Error(fmt::format(
            "step table of {}: the first {} pulse ({} V, {} s) moves G by {:.4g} S from {:.4g} "
            "S (wrong polarity, below threshold or too short)",
            model.info().name, direction > 0 ? "up" : "down", pulse.v_v, pulse.width_s,
            g_next - g_now, g_now));
      x = x_next;
      g_now = g_next;
      if (std::abs(x_next - xs.back()) < threshold) {
        saturated = true;
        break;
      }
    }
    return x;
  };
  const double x_low = g_a <= g_b ? si.min : si.max;
  const double x_top = walk(x_low, o.up, +1, t.g_up_s, t.dg_up_s, t.x_up, t.up_saturated);
  const double x_end = walk(x_top, o.down, -1, t.g_down_s, t.dg_down_s, t.x_down, t.down_saturated);
  t.g_low_s =
      std::min(*std::min_element(t.g_up_s.begin(), t.g_up_s.end()), model.readConductance(x_end));
  t.g_high_s = std::max(t.g_up_s.back() + t.dg_up_s.back(),
                        *std::max_element(t.g_down_s.begin(), t.g_down_s.end()));
  // The interpolated tables: the walk, refined where neighbours are more than max_gap apart.
  const double gap = o.max_gap * (t.g_high_s - t.g_low_s);
  const auto refine = [&](const std::vector<double>& g, const std::vector<double>& dg,
                          const PulseShape& pulse, std::vector<double>& out_g,
                          std::vector<double>& out_dg) {
    std::vector<std::pair<double, double>> samples;
    for (std::size_t k = 0; k < g.size(); ++k) samples.emplace_back(g[k], dg[k]);
    std::sort(samples.begin(), samples.end());
    const std::size_t walked = samples.size();
    for (std::size_t k = 0; k + 1 < walked; ++k) {
      const double lo = samples[k].first, hi = samples[k + 1].first;
      const int n = gap > 0.0 ? static_cast<int>(std::ceil((hi - lo) / gap)) : 1;
      for (int j = 1; j < n; ++j) {
        const double x = stateForConductance(model, lo + (hi - lo) * j / n);
        const double g_x = model.readConductance(x);
        samples.emplace_back(g_x,
                             model.readConductance(pulseState(model, x, pulse, o.rel_tol)) - g_x);
      }
    }
    std::sort(samples.begin(), samples.end());
    for (const auto& [g_k, dg_k] : samples) {
      out_g.push_back(g_k);
      out_dg.push_back(dg_k);
    }
  };
  refine(t.g_up_s, t.dg_up_s, o.up, t.up_g_s, t.up_dg_s);
  refine(t.g_down_s, t.dg_down_s, o.down, t.down_g_s, t.down_dg_s);
  t.derive_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return t;
}

double stateForConductance(const DeviceModel& model, double g_s) {
  const StateInfo si = model.stateInfo();
  double lo = si.min, hi = si.max;
  const bool rising = model.readConductance(hi) > model.readConductance(lo);
  for (int k = 0; k < 100 && hi - lo > 1e-15 * (si.max - si.min); ++k) {
    const double mid = 0.5 * (lo + hi);
    if ((model.readConductance(mid) < g_s) == rising)
      lo = mid;
    else
      hi = mid;
  }
  return 0.5 * (lo + hi);
}

std::shared_ptr<const StepTable> cachedStepTable(const DeviceModel& model,
                                                 const StepTableOptions& o) {
  std::string key = fmt::format("{}|", model.info().name);
  for (const auto& [name, value] : model.params().values())
    key += fmt::format("{}={:.17g};", name, value);
  for (const PulseShape& p : {o.up, o.down})
    key += fmt::format("{:.17g},{:.17g},{:.17g};", p.v_v, p.width_s, p.edge_s);
  key += fmt::format("{}:{:.17g}:{:.17g}:{:.17g}", o.max_pulses, o.stop_fraction, o.rel_tol,
                     o.max_gap);
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<const StepTable>, std::less<>> cache;
  const std::lock_guard lock(mutex);
  auto& entry = cache[key];
  if (!entry) entry = std::make_shared<const StepTable>(deriveStepTable(model, o));
  return entry;
}

// ---- the update model ---------------------------------------------------------------------------

namespace {

/// Linear interpolation of y(x) on ascending x, constant beyond the ends.
double interpolate(const std::vector<double>& x, const std::vector<double>& y, double at) {
  if (at <= x.front()) return y.front();
  if (at >= x.back()) return y.back();
  const auto hi = static_cast<std::size_t>(std::upper_bound(x.begin(), x.end(), at) - x.begin());
  const std::size_t lo = hi - 1;
  const double dx = x[hi] - x[lo];
  return dx > 0.0 ? y[lo] + (y[hi] - y[lo]) * (at - x[lo]) / dx : y[hi];
}

StepTableOptions optionsOf(const TableStepParams& p) {
  StepTableOptions o;
  o.up = {p.v_up_v, p.width_up_s, p.edge_s};
  o.down = {p.v_down_v, p.width_down_s, p.edge_s};
  o.max_pulses = static_cast<int>(p.max_pulses);
  o.stop_fraction = p.stop_fraction;
  return o;
}

/// p with dw_min the mean up step of the table in weight units.
TableStepParams withDerivedStep(TableStepParams p, const StepTable& t) {
  const double span = t.g_high_s - t.g_low_s;
  const double moved = t.g_up_s.back() + t.dg_up_s.back() - t.g_up_s.front();
  const auto pulses = static_cast<double>(t.up_saturated ? t.g_up_s.size() - 1 : t.g_up_s.size());
  p.dw_min = (p.w_max - p.w_min) * (moved / span) / std::max(1.0, pulses);
  return p;
}

}  // namespace

TableStepModel::TableStepModel(std::shared_ptr<const DeviceModel> compact, const TableStepParams& p)
    : TableStepModel(compact, p, cachedStepTable(*compact, optionsOf(p))) {}

TableStepModel::TableStepModel(std::shared_ptr<const DeviceModel> compact, const TableStepParams& p,
                               std::shared_ptr<const StepTable> table)
    : UpdateModel(withDerivedStep(p, *table)),
      compact_(std::move(compact)),
      p_(withDerivedStep(p, *table)),
      table_(std::move(table)) {
  const double span = table_->g_high_s - table_->g_low_s;
  const auto normalize = [&](const std::vector<double>& g, const std::vector<double>& dg,
                             std::vector<double>& u, std::vector<double>& du) {
    for (std::size_t k = 0; k < g.size(); ++k) {
      u.push_back((g[k] - table_->g_low_s) / span);
      du.push_back(dg[k] / span);
    }
  };
  normalize(table_->up_g_s, table_->up_dg_s, u_up_, du_up_);
  normalize(table_->down_g_s, table_->down_dg_s, u_down_, du_down_);
}

std::string_view TableStepModel::name() const noexcept { return compact_->info().name; }

StepTableOptions TableStepModel::options() const { return optionsOf(p_); }

double TableStepModel::tableStep(double u, int direction) const {
  return direction > 0 ? interpolate(u_up_, du_up_, u) : interpolate(u_down_, du_down_, u);
}

double TableStepModel::meanStep(const UpdateDevice& dev, double w, int direction) const {
  const double range = dev.w_max - dev.w_min;
  if (range <= 0.0) return 0.0;
  const double u = std::clamp((w - dev.w_min) / range, 0.0, 1.0);
  const double gain = (direction > 0 ? dev.step_up : dev.step_down) / common().dw_min;
  return range * tableStep(u, direction) * gain;
}

// ---- parameter tables and the update faces of the compact kinds ---------------------------------

namespace {

using T = TableStepParams;

/// The pulse entries of a kind's update face with its defaults and their source.
constexpr std::array<BoundParam<T>, 7> pulseEntries(double v_up, double width_up, double v_down,
                                                    double width_down, std::string_view source) {
  constexpr std::string_view kOurs = "xbarsim step-table derivation, docs/device-models.md §8.8";
  return {{
      {{"v_up_v", "V", v_up, -100.0, 100.0, "amplitude of the up (SET) pulse", source, ""},
       &T::v_up_v},
      {{"width_up_s", "s", width_up, 1e-15, 1.0, "flat top of the up pulse", source, ""},
       &T::width_up_s},
      {{"v_down_v", "V", v_down, -100.0, 100.0, "amplitude of the down (RESET) pulse", source, ""},
       &T::v_down_v},
      {{"width_down_s", "s", width_down, 1e-15, 1.0, "flat top of the down pulse", source, ""},
       &T::width_down_s},
      {{"edge_s", "s", 0.0, 0.0, 1e-3, "rise and fall time of both pulses (0: rectangular)", kOurs,
        ""},
       &T::edge_s},
      {{"max_pulses", "1", 20000.0, 1.0, 1e6, "most pulses per direction of the walk", kOurs, ""},
       &T::max_pulses},
      {{"stop_fraction", "1", 1e-4, 1e-12, 0.5,
        "the walk ends after a pulse moving the state by less than this fraction of its range",
        kOurs, ""},
       &T::stop_fraction},
  }};
}

constexpr std::string_view kPcmPulses =
    "card pcm_pulse_gst: v_set_pulse_v, t_set_s (NeuroSim 6 us SET), v_reset_pulse_v, t_reset_s";
constexpr std::string_view kStanfordPulses =
    "xbarsim choice for rram_stanford: about 165 SET and 165 RESET steps, docs/device-models.md "
    "§8.8";
constexpr std::string_view kVteamPulses =
    "xbarsim choice for vteam: about 240 ON and 250 OFF steps, docs/device-models.md §8.8";

constexpr auto kPcmTable = ParamTable<T, 15>(
    variationEntries(kPcmDefaults, pulseEntries(1.0, 6e-6, 3.0, 125e-9, kPcmPulses)));
constexpr auto kStanfordTable = ParamTable<T, 15>(
    variationEntries(kAihwkitDefaults, pulseEntries(1.5, 1e-9, -1.5, 1e-9, kStanfordPulses)));
constexpr auto kVteamTable = ParamTable<T, 15>(
    variationEntries(kAihwkitDefaults, pulseEntries(-0.21, 10e-9, 0.5, 1e-9, kVteamPulses)));

const ParamTable<T, 15>* tableOf(std::string_view kind) {
  if (kind == "pcm_pulse") return &kPcmTable;
  if (kind == "rram_stanford") return &kStanfordTable;
  if (kind == "vteam") return &kVteamTable;
  return nullptr;
}

}  // namespace

std::span<const ParamInfo> tableStepParameters(std::string_view kind) {
  const ParamTable<T, 15>* table = tableOf(kind);
  return table ? table->infos() : std::span<const ParamInfo>();
}

std::unique_ptr<UpdateModel> makeTableStepModel(std::shared_ptr<const DeviceModel> compact,
                                                const ParamSet& params) {
  const std::string_view kind = compact->info().name;
  const ParamTable<T, 15>* table = tableOf(kind);
  if (table == nullptr)
    throw Error(fmt::format("device model \"{}\" has no step-table update face", kind));
  return std::make_unique<TableStepModel>(std::move(compact), table->bind(params, kind));
}

/// The update face of compact kind `kind` (registry.hpp): `params` is either a set of its update
/// table (the compact model then takes the kind's built-in card) or a set of its compact
/// parameters (the pulses and variation then take their defaults).
std::unique_ptr<UpdateModel> compactUpdateFace(std::string_view kind_name, const ParamSet& params) {
  const ModelKind& kind = modelKinds().get(kind_name);
  if (params.table().data() == kind.parameters.data())
    return makeTableStepModel(kind.compact(params), ParamSet(tableStepParameters(kind_name)));
  return makeTableStepModel(makeDeviceModel(builtinCard(kind.builtin_card)), params);
}

}  // namespace xbarsim::device
