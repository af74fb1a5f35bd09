// SPDX-License-Identifier: MIT
#include "device_command.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <unistd.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "xbarsim/core/error.hpp"
#include "xbarsim/core/provenance.hpp"
#include "xbarsim/device/device_card.hpp"
#include "xbarsim/device/device_model.hpp"
#include "xbarsim/device/registry.hpp"
#include "xbarsim/device/step_table.hpp"
#include "xbarsim/extract/backend.hpp"
#include "xbarsim/extract/device_circuit.hpp"
#include "xbarsim/extract/result_file.hpp"
#include "xbarsim/io/atomic_file.hpp"
#include "xbarsim/io/hdf5_file.hpp"

namespace xbarsim::cli {
namespace {

using Clock = std::chrono::steady_clock;

struct DeviceRequest {
  std::string card = "rram_stanford";
  std::vector<std::string> overrides;  ///< name=value
  std::string mode = "iv";             ///< iv | ramp | pulses | states | steps
  std::string backend = "native";
  std::string out_path;
  double state = NAN;                  ///< initial state (state units); NaN = the card's
  double v_v = 2.0;                    ///< iv: sweep end; ramp: end voltage; pulses: amplitude
  double v_min_v = NAN;                ///< iv: sweep start (default −v)
  int points = 401;
  double t_stop_s = 2e-3;              ///< ramp duration
  double width_s = 100e-9;             ///< pulses
  double edge_s = 10e-12;
  int count = 1;
  int states = 21;                     ///< states: initial states spanning the state range
  double v_up_v = NAN;                 ///< steps: up (SET) pulse; NaN = the kind's default
  double width_up_s = NAN;
  double v_down_v = NAN;               ///< steps: down (RESET) pulse
  double width_down_s = NAN;
  bool edge_given = false;             ///< steps: --edge given (else the kind's default, 0)
  int max_pulses = 0;                  ///< steps: 0 = the kind's default
  double stop_fraction = NAN;
  std::string csv_path;                ///< steps: the walk as CSV too
  double period_s = 0.0;               ///< 0: 2·(width + 2·edge)
  double r_series_ohm = 0.0;           ///< ramp/pulses: source resistance in series with the device
  double rel_tol = 0.0;                ///< ramp/pulses: integrator tolerance; 0: 1e-3 ramp, 1e-6 pulses
};

std::unique_ptr<device::DeviceModel> modelOf(const DeviceRequest& r) {
  device::DeviceCard card = device::resolveCard(r.card, std::filesystem::current_path());
  for (const std::string& o : r.overrides) {
    const auto eq = o.find('=');
    if (eq == std::string::npos) throw ConfigError("--set", 0, o, "expected name=value");
    const std::string name = o.substr(0, eq);
    double value = 0.0;
    try {
      std::size_t used = 0;
      value = std::stod(o.substr(eq + 1), &used);
      if (used != o.size() - eq - 1) throw std::invalid_argument("trailing text");
    } catch (const std::exception&) {
      throw ConfigError("--set", 0, name, fmt::format("\"{}\" is not a number", o.substr(eq + 1)));
    }
    try {
      card.params.set(name, value);
    } catch (const Error& e) {
      throw ConfigError("--set", 0, name, e.what());
    }
  }
  return device::makeDeviceModel(card);
}

/// The step table of a pulse train (mode states): for each initial state x, the read conductance
/// G(x) (at 0 V) and its change dG = G(x') - G(x) over the train, x' the state after it, as
/// datasets indexed by the initial state. Returns the summary line.
std::string writeStepTable(io::H5File& h5, const device::DeviceModel& model,
                           const Eigen::VectorXd& before, const Eigen::VectorXd& after, int count) {
  const device::StateInfo si = model.stateInfo();
  Eigen::VectorXd g(before.size());
  Eigen::VectorXd dg(before.size());
  for (Eigen::Index k = 0; k < before.size(); ++k) {
    g[k] = model.readConductance(before[k]);
    dg[k] = model.readConductance(after[k]) - g[k];
  }
  h5.writeVector("/state", before, si.unit);
  h5.writeVector("/state_after", after, si.unit);
  h5.writeVector("/g_s", g, "S");
  h5.writeVector("/dg_s", dg, "S");
  h5.makeDimensionScale("/state", "state");
  for (const char* d : {"/state_after", "/g_s", "/dg_s"}) h5.attachDimensionScale(d, "/state", 0);
  return fmt::format("step table of {}: {} pulse(s) from {} states of {} in [{:.6g}, {:.6g}] {}; "
                     "G in [{:.6g}, {:.6g}] S, dG in [{:.6g}, {:.6g}] S",
                     model.info().name, count, before.size(), si.name, si.min, si.max, si.unit,
                     g.minCoeff(), g.maxCoeff(), dg.minCoeff(), dg.maxCoeff());
}

/// Pulses and walk options of mode steps: the kind's update-face defaults (device/step_table.hpp),
/// overridden by the command line.
device::StepTableOptions stepOptions(const DeviceRequest& r, const device::DeviceModel& model) {
  const std::span<const device::ParamInfo> table = device::tableStepParameters(model.info().name);
  const device::ParamSet defaults(table);
  const auto pick = [&](double given, const char* name, const char* option) {
    if (!std::isnan(given)) return given;
    if (table.empty())
      throw ConfigError(option, 0, option,
                        fmt::format("{} has no default programming pulse: give {}",
                                    model.info().name, option));
    return defaults.get(name);
  };
  device::StepTableOptions o;
  const double edge = r.edge_given ? r.edge_s : (table.empty() ? 0.0 : defaults.get("edge_s"));
  o.up = {pick(r.v_up_v, "v_up_v", "--v-up"), pick(r.width_up_s, "width_up_s", "--width-up"), edge};
  o.down = {pick(r.v_down_v, "v_down_v", "--v-down"),
            pick(r.width_down_s, "width_down_s", "--width-down"), edge};
  if (r.max_pulses > 0) o.max_pulses = r.max_pulses;
  else if (!table.empty()) o.max_pulses = static_cast<int>(defaults.get("max_pulses"));
  if (!std::isnan(r.stop_fraction)) o.stop_fraction = r.stop_fraction;
  else if (!table.empty()) o.stop_fraction = defaults.get("stop_fraction");
  return o;
}

/// Mode steps: the pulse-by-pulse walk up and back (device/step_table.hpp) to HDF5 (and CSV),
/// with an excerpt printed. Returns the summary line.
std::string writeStepWalk(io::H5File& h5, const DeviceRequest& r, const device::DeviceModel& model) {
  const device::StepTableOptions o = stepOptions(r, model);
  const device::StepTable t = device::deriveStepTable(model, o);
  const device::StateInfo si = model.stateInfo();
  const auto vec = [](const std::vector<double>& v) {
    return Eigen::Map<const Eigen::VectorXd>(v.data(), static_cast<Eigen::Index>(v.size()));
  };
  for (const char* g : {"/up", "/down", "/table"}) h5.createGroup(g);
  h5.writeVector("/up/g_s", vec(t.g_up_s), "S");
  h5.writeVector("/up/dg_s", vec(t.dg_up_s), "S");
  h5.writeVector("/up/state", vec(t.x_up), std::string(si.unit));
  h5.writeVector("/down/g_s", vec(t.g_down_s), "S");
  h5.writeVector("/down/dg_s", vec(t.dg_down_s), "S");
  h5.writeVector("/down/state", vec(t.x_down), std::string(si.unit));
  h5.writeVector("/table/up_g_s", vec(t.up_g_s), "S");
  h5.writeVector("/table/up_dg_s", vec(t.up_dg_s), "S");
  h5.writeVector("/table/down_g_s", vec(t.down_g_s), "S");
  h5.writeVector("/table/down_dg_s", vec(t.down_dg_s), "S");
  for (const auto& [name, p] : {std::pair{"up", o.up}, {"down", o.down}}) {
    const std::string g = fmt::format("/{}", name);
    h5.setAttribute(g, "pulse_v", p.v_v);
    h5.setAttribute(g, "pulse_width_s", p.width_s);
    h5.setAttribute(g, "pulse_edge_s", p.edge_s);
  }
  h5.setAttribute("/up", "saturated", static_cast<std::int64_t>(t.up_saturated));
  h5.setAttribute("/down", "saturated", static_cast<std::int64_t>(t.down_saturated));
  h5.setAttribute("/", "g_low_s", t.g_low_s);
  h5.setAttribute("/", "g_high_s", t.g_high_s);
  h5.setAttribute("/", "max_pulses", static_cast<std::int64_t>(o.max_pulses));
  h5.setAttribute("/", "stop_fraction", o.stop_fraction);
  h5.setAttribute("/", "derive_s", t.derive_s);
  if (!r.csv_path.empty()) {
    std::string text = fmt::format("direction,pulse,state_{},g_s,dg_s\n", si.unit);
    const auto rows = [&](const char* d, const std::vector<double>& x, const std::vector<double>& g,
                          const std::vector<double>& dg) {
      for (std::size_t k = 0; k < g.size(); ++k)
        text += fmt::format("{},{},{:.17g},{:.17g},{:.17g}\n", d, k, x[k], g[k], dg[k]);
    };
    rows("up", t.x_up, t.g_up_s, t.dg_up_s);
    rows("down", t.x_down, t.g_down_s, t.dg_down_s);
    io::AtomicFile csv(r.csv_path);
    {
      std::ofstream out(csv.tempPath());
      out << text;
      if (!out) throw Error(fmt::format("cannot write {}", r.csv_path));
    }
    csv.commit();
  }
  // An excerpt on the console: about 10 rows per direction.
  const auto excerpt = [&](const char* d, const std::vector<double>& x, const std::vector<double>& g,
                           const std::vector<double>& dg) {
    const std::size_t every = std::max<std::size_t>(1, g.size() / 10);
    for (std::size_t k = 0; k < g.size(); ++k)
      if (k % every == 0 || k + 1 == g.size())
        fmt::print("  {:>4} {:>6} {:>14.6g} {:>14.6g} {:>14.6g}\n", d, k, x[k], g[k], dg[k]);
  };
  fmt::print("  {:>4} {:>6} {:>14} {:>14} {:>14}\n", "dir", "pulse",
             fmt::format("{} ({})", si.name, si.unit), "G (S)", "dG (S)");
  excerpt("up", t.x_up, t.g_up_s, t.dg_up_s);
  excerpt("down", t.x_down, t.g_down_s, t.dg_down_s);
  return fmt::format(
      "step table of {}: {} up pulse(s) of {} V, {} s ({}), {} down pulse(s) of {} V, {} s ({}); "
      "G in [{:.6g}, {:.6g}] S; derived in {:.3g} s",
      model.info().name, t.g_up_s.size(), o.up.v_v, o.up.width_s,
      t.up_saturated ? "saturated" : "max_pulses reached", t.g_down_s.size(), o.down.v_v,
      o.down.width_s, t.down_saturated ? "saturated" : "max_pulses reached", t.g_low_s,
      t.g_high_s, t.derive_s);
}

int runDevice(const DeviceRequest& r, const std::string& command_line) {
  const auto start = Clock::now();
  if (r.points < 2) throw ConfigError("--points", 0, "--points", "need at least 2 points");
  const std::shared_ptr<const device::DeviceModel> model = modelOf(r);
  const device::StateInfo si = model->stateInfo();
  const double x0 = std::isnan(r.state) ? model->initialState() : r.state;
  io::AtomicFile out(r.out_path);
  auto h5 = io::H5File::create(out.tempPath());
  h5.setAttribute("/", "xbarsim_version", versionString());
  h5.setAttribute("/", "schema_version", extract::kSchemaVersion);
  h5.setAttribute("/", "created", isoTimestampUtc());
  h5.setAttribute("/", "git_commit", gitCommit());
  h5.setAttribute("/", "command", "device");
  h5.setAttribute("/", "command_line", command_line);
  h5.setAttribute("/", "backend", r.backend);
  h5.setAttribute("/", "mode", r.mode);
  h5.setAttribute("/", "model", std::string(model->info().name));
  h5.setAttribute("/", "citation", std::string(model->info().citation));
  h5.setAttribute("/", "state_name", std::string(si.name));
  h5.setAttribute("/", "state_unit", std::string(si.unit));
  h5.setAttribute("/", "initial_state", x0);
  h5.createGroup("/params");
  for (const auto& [name, value] : model->params().values()) h5.setAttribute("/params", name, value);

  std::string summary;
  if (r.mode == "iv") {
    const double lo = std::isnan(r.v_min_v) ? -r.v_v : r.v_min_v;
    const Eigen::VectorXd v = Eigen::VectorXd::LinSpaced(r.points, lo, r.v_v);
    const Eigen::VectorXd i = r.backend == "ngspice" ? extract::ivSweepNgspice(*model, x0, v)
                                                     : extract::ivSweepNative(*model, x0, v);
    Eigen::VectorXd g(v.size());
    for (Eigen::Index k = 0; k < v.size(); ++k) g[k] = model->conductance(v[k], x0);
    h5.writeVector("/v", v, "V");
    h5.writeVector("/i", i, "A");
    h5.writeVector("/di_dv", g, "S");
    h5.makeDimensionScale("/v", "voltage");
    h5.attachDimensionScale("/i", "/v", 0);
    h5.attachDimensionScale("/di_dv", "/v", 0);
    summary = fmt::format("I-V of {} at {} = {:.6g} {}: {} points in [{}, {}] V, I({} V) = {:.6g} A",
                          model->info().name, si.name, x0, si.unit, r.points, lo, r.v_v, r.v_v,
                          i[i.size() - 1]);
  } else if (r.mode == "steps") {
    if (r.backend != "native")
      throw ConfigError("--backend", 0, "--backend",
                        "mode steps walks the native face (device/step_table.hpp); the ngspice "
                        "face is compared with it by --mode pulses");
    summary = writeStepWalk(h5, r, *model);
  } else if (r.mode == "ramp" || r.mode == "pulses" || r.mode == "states") {
    const bool steps = r.mode == "states";
    extract::DeviceArrayCircuit c;
    c.model = model;
    c.x0 = Eigen::MatrixXd::Constant(1, 1, x0);
    if (steps) {
      // One row of `states` devices, each at its own initial state, all under the same pulse
      // train (an ideal row source, the series resistance on each device's own column): one
      // transient gives the state change of the train at every state of the range.
      if (r.states < 2) throw ConfigError("--states", 0, "--states", "need at least 2 states");
      c.cols = r.states;
      c.x0 = Eigen::RowVectorXd::LinSpaced(r.states, si.min, si.max);
    }
    extract::DeviceTransientOptions o;
    o.points = r.points;
    // Ramps: SPICE's default accuracy (reltol 1e-3, states to 1e-4 nm or uS). A slow RRAM
    // reset ramp makes the gap slide along the field threshold, where the rate drops to zero
    // discontinuously; at the transient's own 1e-6 an integrator follows it with ps steps
    // (minutes, or IDA's step limit), at 1e-3 in about a second (ngspice: seconds).
    const double rel_tol = r.rel_tol > 0.0 ? r.rel_tol : (r.mode == "ramp" ? 1e-3 : o.rel_tol);
    if (rel_tol != o.rel_tol) {
      o.abs_tol_state *= rel_tol / o.rel_tol;
      o.rel_tol = rel_tol;
    }
    extract::Pwl w;
    if (r.mode == "ramp") {
      w = extract::Pwl{{0.0, r.t_stop_s}, {0.0, r.v_v}};
      o.t_stop_s = r.t_stop_s;
    } else {
      if (r.count < 1) throw ConfigError("--count", 0, "--count", "need at least one pulse");
      const double period = r.period_s > 0.0 ? r.period_s : 2.0 * (r.width_s + 2.0 * r.edge_s);
      if (period < r.width_s + 2.0 * r.edge_s)
        throw ConfigError("--period", 0, "--period", "shorter than one pulse (width + 2 edges)");
      w.t_s.push_back(0.0);
      w.v_v.push_back(0.0);
      for (int p = 0; p < r.count; ++p) {
        const double t0 = p * period + 0.25 * (period - r.width_s - 2.0 * r.edge_s);
        for (const auto& [t, v] : {std::pair{t0, 0.0}, {t0 + r.edge_s, r.v_v},
                                   {t0 + r.edge_s + r.width_s, r.v_v}, {t0 + 2 * r.edge_s + r.width_s, 0.0}}) {
          if (t > w.t_s.back()) {
            w.t_s.push_back(t);
            w.v_v.push_back(v);
          }
        }
      }
      o.t_stop_s = r.count * period;
      // The train as run, so that a reader finds pulse p in [p·period, (p+1)·period).
      h5.setAttribute("/", "pulse_count", static_cast<std::int64_t>(r.count));
      h5.setAttribute("/", "pulse_period_s", period);
      h5.setAttribute("/", "pulse_width_s", r.width_s);
      h5.setAttribute("/", "pulse_edge_s", r.edge_s);
      h5.setAttribute("/", "pulse_v", r.v_v);
    }
    h5.setAttribute("/", "r_series_ohm", r.r_series_ohm);  // /v is the source, behind it
    c.row_drive = {w};
    c.row_driver_ohm = {steps ? 0.0 : r.r_series_ohm};
    c.col_drive.assign(static_cast<std::size_t>(c.cols), extract::Pwl::constant(0.0));
    if (steps) c.col_driver_ohm.assign(static_cast<std::size_t>(c.cols), r.r_series_ohm);
    // Progress with an ETA on a terminal (native: per output point; ngspice runs in one call).
    const bool tty = ::isatty(STDERR_FILENO) == 1;
    if (tty && r.backend == "native") {
      const auto began = Clock::now();
      auto last = began;
      o.progress = [&, began, last](double t_s) mutable {
        const auto now = Clock::now();
        if (now - last < std::chrono::milliseconds(500) && t_s < o.t_stop_s) return;
        last = now;
        const double elapsed = std::chrono::duration<double>(now - began).count();
        const double fraction = t_s / o.t_stop_s;
        fmt::print(stderr, "\r{} {:5.1f} % of {:.3g} s, ETA {:.0f} s   ", r.mode, 100.0 * fraction,
                   o.t_stop_s, fraction > 0.0 ? elapsed * (1.0 / fraction - 1.0) : 0.0);
      };
    } else if (tty) {
      fmt::print(stderr, "{} of {:.3g} s through ngspice (no progress until it ends)...", r.mode,
                 o.t_stop_s);
    }
    extract::DeviceTransientResult t;
    try {
      t = extract::transient(r.backend, c, o);
    } catch (const NumericalError& e) {
      if (tty) fmt::print(stderr, "\n");
      throw NumericalError(fmt::format(
          "{}; a slow {} can make a state slide along a switching threshold (rram_stanford: the "
          "gap follows the field threshold during a reset), which needs tiny steps at a tight "
          "tolerance: keep the default --rel-tol 1e-3 of ramps or shorten --t-stop",
          e.what(), r.mode));
    }
    if (tty) fmt::print(stderr, "\n");
    if (steps) {
      summary = writeStepTable(h5, *model, c.x0.row(0).transpose(),
                               t.final_state.row(0).transpose(), r.count);
    } else {
      Eigen::VectorXd v(t.t_s.size());
      for (Eigen::Index k = 0; k < v.size(); ++k) v[k] = w.at(t.t_s[k]);
      h5.writeVector("/t", t.t_s, "s");
      h5.writeVector("/v", v, "V");
      h5.writeVector("/i", t.row_current_a.col(0), "A");
      h5.writeVector("/state", t.state.col(0), si.unit);
      h5.makeDimensionScale("/t", "time");
      for (const char* d : {"/v", "/i", "/state"}) h5.attachDimensionScale(d, "/t", 0);
      summary = fmt::format("{} of {}: {} = {:.6g} -> {:.6g} {} over {:.6g} s ({} points)", r.mode,
                            model->info().name, si.name, x0, t.final_state(0, 0), si.unit, o.t_stop_s,
                            r.points);
    }
  } else {
    throw ConfigError("--mode", 0, "--mode", fmt::format("unknown mode \"{}\"", r.mode));
  }
  extract::writeProvenance(h5, std::chrono::duration<double>(Clock::now() - start).count(),
                           extract::provenanceVersion(*extract::makeBackend(r.backend)));
  h5.close();
  out.commit();
  fmt::print("{}\n{} backend -> {}\n", summary, r.backend, r.out_path);
  return 0;
}

}  // namespace

void addDeviceCommand(CLI::App& app, Options& options) {
  auto r = std::make_shared<DeviceRequest>();
  CLI::App* cmd = app.add_subcommand(
      "device", "I-V sweep or pulse transient of one device (native face or ngspice subcircuit) to HDF5");
  std::vector<std::string> compact_cards;
  for (const std::string_view name : device::builtinCardNames())
    if (const auto* kind = device::modelKinds().find(device::builtinCard(name).model);
        kind != nullptr && kind->compact != nullptr)
      compact_cards.emplace_back(name);
  cmd->add_option("--card,--model", r->card,
                  fmt::format("device card of a compact model: built-in name ({}) or TOML file",
                              fmt::join(compact_cards, ", ")))
      ->capture_default_str();
  cmd->add_option("--set", r->overrides,
                  "override a parameter of the card, name=value (repeatable; `xbarsim config "
                  "--models` lists them), e.g. --set g0_m=2.5e-10")
      ->type_name("NAME=VALUE");
  cmd->add_option("--mode,-m", r->mode, "iv (static sweep at the state), ramp (0 -> --v over "
                                        "--t-stop), pulses (--count pulses of --v, --width), "
                                        "states (the change of read conductance dG vs G over "
                                        "that pulse train, from --states states), steps (the "
                                        "step table: up pulses pulse by pulse from the low to "
                                        "the high state and down pulses back, dG before each "
                                        "pulse; what training on the device uses)")
      ->check(CLI::IsMember({"iv", "ramp", "pulses", "states", "steps"}))
      ->capture_default_str();
  cmd->add_option("--backend,-b", r->backend, "device face")
      ->check(CLI::IsMember({"native", "ngspice"}))
      ->capture_default_str();
  cmd->add_option("--out,-o", r->out_path, "result file (HDF5)")->required();
  cmd->add_option("--state", r->state, "initial state in the model's unit (gap in m, G in S)");
  cmd->add_option("--v", r->v_v, "iv: sweep end; ramp: end voltage; pulses: amplitude (V)")
      ->capture_default_str();
  cmd->add_option("--v-min", r->v_min_v, "iv: sweep start (V, default -v)");
  cmd->add_option("--points", r->points, "output points")->capture_default_str();
  cmd->add_option("--t-stop", r->t_stop_s, "ramp duration (s)")->check(CLI::PositiveNumber)->capture_default_str();
  cmd->add_option("--width", r->width_s, "pulse width (s)")->check(CLI::PositiveNumber)->capture_default_str();
  cmd->add_option("--edge", r->edge_s, "pulse rise/fall time (s; steps: default 0, rectangular)")->check(CLI::PositiveNumber)->capture_default_str();
  cmd->add_option("--count", r->count, "number of pulses")->capture_default_str();
  cmd->add_option("--states", r->states,
                  "states: initial states, evenly spaced over the model's state range")
      ->capture_default_str();
  cmd->add_option("--r-series", r->r_series_ohm,
                  "ramp/pulses/states: resistance in series with the source (ohm; 0 = ideal "
                  "source; states: one per device). A "
                  "current limit as on a bench: a set ramp of rram_stanford with 1e3 stops at "
                  "about 1.5 mA instead of 60 mA; a reset needs the device voltage, so keep it "
                  "well below the LRS resistance (~80 ohm) there")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_option("--rel-tol", r->rel_tol,
                  "ramp/pulses: relative tolerance of the transient (default 1e-3 for ramps, "
                  "SPICE's default: a slow rram_stanford reset slides along its field threshold "
                  "and needs ps steps at 1e-6; 1e-6 for pulses)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--period", r->period_s, "pulse period (s; default 2 x (width + 2 edges))");
  // Mode steps: defaults from the kind's update face (docs/device-models.md §8.8).
  std::vector<std::string> pulse_defaults;  // the update faces of the compact kinds
  for (const char* kind : {"pcm_pulse", "rram_stanford", "vteam"}) {
    const device::ParamSet d(device::tableStepParameters(kind));
    pulse_defaults.push_back(fmt::format("{} {} V/{} s up, {} V/{} s down", kind, d.get("v_up_v"),
                                         d.get("width_up_s"), d.get("v_down_v"),
                                         d.get("width_down_s")));
  }
  const std::string defaults = fmt::format(" (defaults: {})", fmt::join(pulse_defaults, "; "));
  cmd->add_option("--v-up", r->v_up_v, "steps: amplitude of the up (SET) pulse (V)" + defaults);
  cmd->add_option("--width-up", r->width_up_s, "steps: flat top of the up pulse (s)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--v-down", r->v_down_v, "steps: amplitude of the down (RESET) pulse (V)");
  cmd->add_option("--width-down", r->width_down_s, "steps: flat top of the down pulse (s)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--max-pulses", r->max_pulses, "steps: most pulses per direction (default 20000)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--stop-fraction", r->stop_fraction,
                  "steps: a direction ends after a pulse moving the state by less than this "
                  "fraction of its range (default 1e-4)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--csv", r->csv_path, "steps: also write the walk as CSV "
                                        "(direction,pulse,state,g_s,dg_s)");
  // The first line is the one the CLI workflow test runs; the second shows mode steps.
  setExample(*cmd,
             "build/xbarsim device --card rram_stanford --mode iv --v 1.5 --points 101 --out iv.h5\n"
             "  build/xbarsim device --model rram_stanford --mode steps --v-up 1.5 --width-up 1e-9 "
             "--out steps.h5 --csv steps.csv");
  auto* edge = cmd->get_option("--edge");
  cmd->callback([&options, r, edge] {
    r->edge_given = edge->count() > 0;
    options.run = [&options, r] { return runDevice(*r, options.command_line); };
  });
}

}  // namespace xbarsim::cli
