// SPDX-License-Identifier: MIT
#include "commands.hpp"
#include "cosim_command.hpp"

#include "device_command.hpp"
#include "dnn_commands.hpp"
#include "sweep_commands.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <sys/ioctl.h>
#include <unistd.h>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <sstream>

#include "xbarsim/circuit/crossbar_config.hpp"
#include "xbarsim/circuit/crossbar_netlist.hpp"
#include "xbarsim/core/config.hpp"
#include "xbarsim/core/error.hpp"
#include "xbarsim/core/numbers.hpp"
#include "xbarsim/device/registry.hpp"
#include "xbarsim/extract/backend.hpp"
#include "xbarsim/extract/config_schema.hpp"
#include "xbarsim/extract/periphery.hpp"
#include "xbarsim/extract/device_pipeline.hpp"
#include "xbarsim/extract/memory_estimate.hpp"
#include "xbarsim/extract/metrics.hpp"
#include "xbarsim/extract/ngspice_backend.hpp"
#include "xbarsim/extract/result_file.hpp"
#include "xbarsim/extract/user_netlist.hpp"
#include "xbarsim/io/atomic_file.hpp"
#include "xbarsim/io/csv.hpp"
#include "xbarsim/io/hdf5_file.hpp"
#include "xbarsim/io/path_guard.hpp"
#include "xbarsim/sweep/spec.hpp"
#include "xbarsim/sweep/sweep_file.hpp"

namespace xbarsim::cli {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using Index = Eigen::Index;

core::Config loadConfig(const ConfigArgs& args, std::string_view command,
                        bool note_defaults = true) {
  core::Config config = loadPointConfig(args, command, note_defaults);
  extract::applyNgspiceLimits(config);
  return config;
}

std::uint64_t seedOf(const core::Config& config) {
  return static_cast<std::uint64_t>(config.integer("run.seed"));
}

/// One input vector from a CSV file: R values in one row or one column.
Eigen::VectorXd readInputVector(const std::string& path, Index rows) {
  const Eigen::MatrixXd m = io::readCsvMatrix(path, circuit::inputVoltageProblem);
  if (m.size() != rows || (m.rows() != 1 && m.cols() != 1))
    throw ConfigError(path, 0, "--input",
                      fmt::format("expected {} input voltages in one row or column, found a {}x{} "
                                  "matrix",
                                  rows, m.rows(), m.cols()));
  return Eigen::Map<const Eigen::VectorXd>(m.data(), m.size());
}

/// Input vectors from a CSV file, R×K (one vector per column): R values in one row or one
/// column (one vector, as readInputVector), or K rows of R values (one vector per row).
Eigen::MatrixXd readInputMatrix(const std::string& path, Index rows) {
  const Eigen::MatrixXd m = io::readCsvMatrix(path, circuit::inputVoltageProblem);
  if (m.size() == rows && (m.rows() == 1 || m.cols() == 1))
    return Eigen::Map<const Eigen::MatrixXd>(m.data(), rows, 1);
  if (m.cols() != rows)
    throw ConfigError(path, 0, "--input",
                      fmt::format("expected {} input voltages per row (one input vector per row) "
                                  "or in one column, found a {}x{} matrix",
                                  rows, m.rows(), m.cols()));
  return m.transpose();
}

/// Index vectors "input" (R) and "output" (C) as HDF5 dimension scales, for xarray labels.
void writeAxes(io::H5File& h5, Index rows, Index cols) {
  auto indices = [](Index n) {
    std::vector<std::int64_t> v(static_cast<std::size_t>(n));
    for (Index k = 0; k < n; ++k) v[static_cast<std::size_t>(k)] = k;
    return v;
  };
  h5.writeInts("/input", indices(rows), "1");
  h5.writeInts("/output", indices(cols), "1");
  h5.makeDimensionScale("/input", "input");
  h5.makeDimensionScale("/output", "output");
}

/// Input vectors x (R×K) and outputs y (C×K) as /inputs_v and `outputs` (e.g. /currents, in
/// `units`), plus /currents_ideal when `ideal` is given: 1-D (input) and (output) datasets for
/// one vector, (vector, input) and (vector, output) ones, one row per vector, for several.
void writeInputsAndOutputs(io::H5File& h5, const Eigen::MatrixXd& x, const std::string& outputs,
                           const Eigen::MatrixXd& y, const std::string& units,
                           const Eigen::MatrixXd* ideal = nullptr) {
  std::vector<std::pair<std::string, const Eigen::MatrixXd*>> datasets = {{outputs, &y}};
  if (ideal != nullptr) datasets.emplace_back("/currents_ideal", ideal);
  const bool one = x.cols() == 1;
  if (!one) {
    std::vector<std::int64_t> vectors(static_cast<std::size_t>(x.cols()));
    for (std::size_t k = 0; k < vectors.size(); ++k) vectors[k] = static_cast<std::int64_t>(k);
    h5.writeInts("/vector", vectors, "1");
    h5.makeDimensionScale("/vector", "vector");
  }
  auto write = [&](const std::string& name, const Eigen::MatrixXd& m, const std::string& unit,
                   const char* axis) {
    if (one) {
      h5.writeVector(name, m.col(0), unit);
      h5.attachDimensionScale(name, axis, 0);
    } else {
      h5.writeMatrix(name, m.transpose(), unit);
      h5.attachDimensionScale(name, "/vector", 0);
      h5.attachDimensionScale(name, axis, 1);
    }
  };
  write("/inputs_v", x, "V", "/input");
  for (const auto& [name, m] : datasets) write(name, *m, units, "/output");
}

/// /array_energy_j: the array energy of every read (docs/energy.md §1), a scalar for one input
/// vector, (vector) for several, with the read pulse and the sources counted as attributes.
void writeArrayEnergy(io::H5File& h5, const Eigen::VectorXd& energy_j, double pulse_s,
                      const circuit::CrossbarSpec& spec) {
  if (energy_j.size() == 1) {
    h5.writeScalar("/array_energy_j", energy_j[0], "J");
  } else {
    h5.writeVector("/array_energy_j", energy_j, "J");
    h5.attachDimensionScale("/array_energy_j", "/vector", 0);
  }
  h5.setAttribute("/array_energy_j", "pulse_s", pulse_s);
  h5.setAttribute("/array_energy_j", "description",
                  "DC power the array takes from its sources times read.pulse_s: the row drivers' "
                  "sum V_i I_i less the power the column currents deliver into the sense "
                  "amplifiers' inputs (sum v_j I_j, 0 at a virtual ground) = dissipation in "
                  "cells, wires and driver resistances, sneak paths and IR drop included");
  h5.setAttribute("/array_energy_j", "sources",
                  spec.sense->holdsInput()
                      ? std::string("row drivers vin<i>; sense amplifiers are virtual grounds "
                                    "(0 V, no power)")
                      : fmt::format("row drivers vin<i>, less v(s<j>) i(vout<j>) into the {} "
                                    "inputs; the amplifiers' own supplies are periphery",
                                    spec.sense->kind()));
}

void printModels() {
  for (const device::ModelKind* kind : device::modelKinds().all()) {
    std::vector<std::string_view> faces;
    if (kind->role == device::KindRole::Access) faces.push_back("access device");
    if (kind->role == device::KindRole::Memory)
      faces.push_back(kind->linearRead() ? "linear read" : "sinh read");
    if (kind->compact) faces.push_back("compact (native + SPICE)");
    if (kind->statistical) faces.push_back("statistical");
    if (kind->update) faces.push_back("pulsed update (training)");
    fmt::print("{}{}: {}\n  faces: {}\n  source: {}\n", kind->name,
               kind->aliases.empty() ? "" : fmt::format(" (also {})", kind->aliases),
               kind->description, fmt::join(faces, ", "), kind->citation);
    if (!kind->builtin_card.empty()) fmt::print("  built-in card: {}\n", kind->builtin_card);
    if (!kind->spice_library.empty()) fmt::print("  SPICE library: devices/{}\n", kind->spice_library);
    for (const device::ParamInfo& p : kind->parameters)
      fmt::print("    {} = {} {} [{}, {}]: {} ({})\n", p.name, p.default_value, p.unit, p.min,
                 p.max, p.description, p.source);
  }
  fmt::print("\nperiphery energy models (dac.model, sense.power_model, adc.model; docs/energy.md):\n");
  for (const extract::PeripheryKind* kind : extract::peripheryKinds().all())
    fmt::print("{} ({}): {}\n  source: {}\n", kind->name, extract::toString(kind->role),
               kind->description, kind->source);
}

struct ExtractRequest {
  ConfigArgs config;
  std::string out_path;
  std::string backend = "ngspice";
  std::string input_path;
  std::string netlist_path;
};

int runExtract(const ExtractRequest& request, const std::string& command_line) {
  const auto start = Clock::now();
  // A user deck is its own circuit: the defaults only name its sources (VIN<i>, VOUT<j>).
  const core::Config config = loadConfig(request.config, "extract", request.netlist_path.empty());
  const std::uint64_t seed = seedOf(config);
  const double v_read_v = config.real("read.v_read_v");
  // An absurd array is refused with a memory estimate before anything is allocated.
  if (request.netlist_path.empty() && !config.has("netlist.file"))
    extract::checkArrayMemory(config, request.backend, request.input_path.empty());
  if (!request.netlist_path.empty())
    for (const fs::path& file : io::deckFiles(request.netlist_path)) io::registerInput(file);
  io::AtomicFile out(request.out_path);  // before any work: an unwritable path fails early

  std::string netlist_path = request.netlist_path;
  if (netlist_path.empty() && config.has("netlist.file"))
    netlist_path = (config.baseDirectory() / config.string("netlist.file")).string();

  auto backend = extract::makeBackend(request.backend);
  backend->setArrayPower(true);  // /array_energy_j with --input
  auto h5 = io::H5File::create(out.tempPath());
  extract::writeRunHeader(h5, "extract", command_line, config, seed);
  std::string summary;
  std::string method;
  extract::Timing timing;
  if (!netlist_path.empty()) {
    if (request.backend != "ngspice")
      throw ConfigError(request.config.path, 0, "--backend",
                        "user netlists are solved by the ngspice backend only");
    const extract::UserDeck deck = extract::readUserDeck(netlist_path, config);
    const auto& params = config.realTable("netlist.params");
    writeAxes(h5, static_cast<Index>(deck.inputs.size()), static_cast<Index>(deck.outputs.size()));
    h5.writeStrings("/input_sources", deck.inputs);
    h5.writeStrings("/output_probes", deck.outputs);
    if (!request.input_path.empty()) {
      const Eigen::MatrixXd x =
          readInputMatrix(request.input_path, static_cast<Index>(deck.inputs.size()));
      const extract::BatchCurrentResult r = extract::userDeckCurrentsBatch(deck, params, x);
      // Voltage outputs (v(node)) are written as /voltages in V, currents as /currents in A.
      const bool voltages = deck.quantity == extract::DeckQuantity::Voltage;
      writeInputsAndOutputs(h5, x, voltages ? "/voltages" : "/currents", r.currents_a,
                            extract::outputUnits(deck));
      timing = r.timing;
      method = "op";
      const std::string quantity = voltages ? "voltages" : "currents";
      summary = x.cols() == 1 ? fmt::format("{} ({}): {}", quantity, extract::outputUnits(deck),
                                            fmt::join(r.currents_a.col(0), ", "))
                              : fmt::format("{} {} ({}) for {} input vectors", r.currents_a.rows(),
                                            quantity, extract::outputUnits(deck), x.cols());
    } else {
      // W_eff in S for current outputs, the voltage transfer in V/V for voltage outputs.
      const extract::WeightResult r = extract::userDeckWeights(deck, params, v_read_v);
      h5.writeMatrix("/weff", r.weff_s, extract::transferUnits(deck));
      h5.attachDimensionScale("/weff", "/output", 0);
      h5.attachDimensionScale("/weff", "/input", 1);
      timing = r.timing;
      method = r.method;
      summary = fmt::format("W_eff {}x{} ({}), max |W| = {:.6g} {}", r.weff_s.rows(),
                            r.weff_s.cols(), extract::transferUnits(deck),
                            r.weff_s.cwiseAbs().maxCoeff(), extract::transferUnits(deck));
    }
    h5.setAttribute("/", "netlist", fs::absolute(netlist_path).string());
  } else {
    circuit::CrossbarSpec spec = circuit::crossbarFromConfig(config, seed);
    // Stateful devices (pcm, rram_cmo): program the targets, age to read.t_s; the circuit then
    // holds the conductances read at that time.
    std::optional<extract::DeviceStep> step;
    if (extract::hasDeviceStep(config)) step = extract::applyDeviceStep(config, spec, seed);
    writeAxes(h5, spec.rows, spec.cols);
    h5.writeMatrix("/g_target", step ? step->g_target_s : spec.g_s, "S");
    if (step) extract::writeDeviceStep(h5, *step);
    h5.attachDimensionScale("/g_target", "/input", 0);
    h5.attachDimensionScale("/g_target", "/output", 1);
    if (!request.input_path.empty()) {
      const Eigen::MatrixXd x = readInputMatrix(request.input_path, spec.rows);
      const extract::BatchCurrentResult r = backend->currentsBatch(spec, x);
      const Eigen::MatrixXd ideal = spec.g_s.transpose() * x;
      writeInputsAndOutputs(h5, x, "/currents", r.currents_a, "A", &ideal);
      const double pulse_s = config.real("read.pulse_s");
      writeArrayEnergy(h5, r.power_w * pulse_s, pulse_s, spec);
      timing = r.timing;
      method = "op";
      summary = fmt::format("{} currents{}; relative deviation from ideal G^T x: {:.4g}; array "
                            "energy{} {:.6g} pJ over a {:g} ns read pulse",
                            r.currents_a.rows(),
                            x.cols() > 1 ? fmt::format(" for {} input vectors", x.cols()) : "",
                            extract::relativeError(r.currents_a, ideal),
                            x.cols() > 1 ? " (mean)" : "", r.power_w.mean() * pulse_s * 1e12,
                            pulse_s * 1e9);
    } else {
      const extract::WeightResult r = backend->effectiveWeights(spec, v_read_v);
      h5.writeMatrix("/weff", r.weff_s, "S");
      h5.attachDimensionScale("/weff", "/output", 0);
      h5.attachDimensionScale("/weff", "/input", 1);
      const double error = extract::weffRelativeError(r.weff_s, spec.g_s);
      h5.writeScalar("/weff_relative_error", error, "1");
      timing = r.timing;
      method = r.method;
      summary = fmt::format("W_eff {}x{} (S); deviation from G^T |W_eff - G^T|/|G^T| = {:.4g}",
                            r.weff_s.rows(), r.weff_s.cols(), error);
    }
  }
  h5.setAttribute("/", "backend", request.backend);
  extract::writeProvenance(h5, std::chrono::duration<double>(Clock::now() - start).count(),
                           extract::provenanceVersion(*backend));
  h5.setAttribute("/provenance", "method", method);
  h5.setAttribute("/provenance", "setup_s", timing.setup_s);
  h5.setAttribute("/provenance", "solve_s", timing.solve_s);
  h5.close();
  out.commit();
  fmt::print("{}\n{} backend ({}), setup {:.3f} s, solve {:.3f} s -> {}\n", summary,
             request.backend, method, timing.setup_s, timing.solve_s, request.out_path);
  return 0;
}

int runNetlist(const ConfigArgs& config_args, const std::string& out_path,
               const std::string& input_path, bool one_hot) {
  const core::Config config = loadConfig(config_args, "netlist");
  extract::checkArrayMemory(config, "netlist");
  const circuit::CrossbarSpec spec = circuit::crossbarFromConfig(config, seedOf(config));
  circuit::NetlistOptions options;
  options.v_read_v = config.real("read.v_read_v");
  options.mode = one_hot ? circuit::InputMode::OneHotSweep : circuit::InputMode::Dc;
  if (!input_path.empty()) options.inputs_v = readInputVector(input_path, spec.rows);
  const std::string deck = circuit::crossbarNetlist(spec, options);
  if (out_path.empty() || out_path == "-") {
    fmt::print("{}", deck);
    return 0;
  }
  io::AtomicFile out(out_path);
  {
    std::ofstream file(out.tempPath(), std::ios::binary);
    file << deck;
    if (!file.flush()) throw IoError(fmt::format("cannot write {}", out_path));
  }
  out.commit();
  fmt::print(stderr, "wrote {} ({} lines); run it with: ngspice -b {}\n", out_path,
             std::count(deck.begin(), deck.end(), '\n'), out_path);
  if (one_hot && !spec.isLinear())
    fmt::print(stderr, "note: a non-linear circuit: the one-hot currents are large-signal "
                       "currents, not W_eff times v_read_v (extract gives W_eff)\n");
  return 0;
}

int runDemo(const std::string& out_path, const std::string& command_line) {
  // Built-in default array: a 32x32 linear crossbar with 2.5 ohm wire segments, random
  // conductances in [1, 25] uS (seed 1), ideal sense, read at 0.2 V; extracted through ngspice.
  const auto dir = fs::temp_directory_path() / fmt::format("xbarsim-demo-{}", ::getpid());
  fs::create_directories(dir);
  const auto config_path = dir / "demo.toml";
  {
    std::ofstream file(config_path);
    file << "[array]\nrows = 32\ncols = 32\nr_row_ohm = 2.5\nr_col_ohm = 2.5\n"
            "[device]\nmodel = \"linear\"\n[read]\nv_read_v = 0.2\n[run]\nseed = 1\n";
  }
  fmt::print("xbarsim demo: 32x32 crossbar, 2.5 ohm wire segments, G uniform in [1, 25] uS, "
             "ideal sense amplifiers, ngspice backend\n");
  ExtractRequest request;
  request.config.path = config_path.string();
  request.out_path = out_path;
  const int status = runExtract(request, command_line);
  fs::remove_all(dir);
  return status;
}

/// Both backends on the same circuit: max relative difference (max |a-b| / max |b|) of W_eff
/// (and of the MVM currents with --input), both times; exit 3 beyond the tolerance.
int runValidate(const ConfigArgs& config_args, const std::string& input_path, double tolerance) {
  const core::Config config = loadConfig(config_args, "validate");
  extract::checkArrayMemory(config, "ngspice");  // one after the other: the larger must fit
  extract::checkArrayMemory(config, "native");
  const circuit::CrossbarSpec spec = circuit::crossbarFromConfig(config, seedOf(config));
  if (tolerance <= 0.0) tolerance = extract::defaultAgreementTolerance(spec);
  auto ngspice = extract::makeBackend("ngspice");
  auto native = extract::makeBackend("native");
  auto seconds = [](const extract::Timing& t) { return t.setup_s + t.solve_s; };
  fmt::print("{}x{} crossbar, {} cells, {} sense, tolerance {:.1e}\n", spec.rows, spec.cols,
             device::toString(spec.iv.kind), spec.sense->kind(), tolerance);
  const extract::WeightComparison w =
      extract::compareWeights(*ngspice, *native, spec, config.real("read.v_read_v"));
  // The worst element by name, with both values at round-trip precision.
  auto weightEntry = [](const extract::LargestDifference& d) {
    return fmt::format("W_eff[{}][{}] (output {}, input {}): ngspice {} S, native {} S", d.row,
                       d.col, d.row, d.col, spiceNumber(d.reference), spiceNumber(d.value));
  };
  extract::LargestDifference worst = w.difference;
  std::string worst_entry = weightEntry(w.difference);
  fmt::print("W_eff:    max relative difference {:.3e} at {}; ngspice {:.4f} s ({}), native {:.4f} s "
             "({}), speed-up {:.0f}x\n",
             w.difference.relative, worst_entry, seconds(w.reference.timing), w.reference.method,
             seconds(w.other.timing), w.other.method,
             seconds(w.reference.timing) / std::max(seconds(w.other.timing), 1e-9));
  if (!input_path.empty()) {
    const Eigen::MatrixXd x = readInputMatrix(input_path, spec.rows);
    const extract::BatchCurrentComparison i = extract::compareCurrentsBatch(*ngspice, *native, spec, x);
    auto currentEntry = [&x](const extract::LargestDifference& d) {
      return fmt::format("I[{}] (output {}{}): ngspice {} A, native {} A", d.row, d.row,
                         x.cols() > 1 ? fmt::format(", input vector {}", d.col) : "",
                         spiceNumber(d.reference), spiceNumber(d.value));
    };
    fmt::print("currents: max relative difference {:.3e} at {}; ngspice {:.4f} s, native {:.4f} s\n",
               i.difference.relative, currentEntry(i.difference), seconds(i.reference.timing),
               seconds(i.other.timing));
    if (i.difference.relative > worst.relative) {
      worst = i.difference;
      worst_entry = currentEntry(i.difference);
    }
  }
  if (!(worst.relative <= tolerance)) {
    fmt::print(stderr, "xbarsim: error: backends disagree: {:.3e} > tolerance {:.1e} at {}\n",
               worst.relative, tolerance, worst_entry);
    return 3;
  }
  fmt::print("agree within {:.1e}\n", tolerance);
  return 0;
}

/// Columns of the terminal on stdout (COLUMNS if set, else the window size), 80 otherwise.
std::size_t outputWidth() {
  if (const char* columns = std::getenv("COLUMNS"); columns != nullptr) {
    const long n = std::strtol(columns, nullptr, 10);
    if (n >= 40) return static_cast<std::size_t>(n);
  }
  winsize size{};
  if (::isatty(STDOUT_FILENO) == 1 && ::ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 &&
      size.ws_col >= 40)
    return size.ws_col;
  return 80;
}

/// `text` broken at spaces into lines of at most `width` columns (a longer word keeps its own
/// line), the first starting with `indent`, the others with `continuation`.
std::string wrapText(const std::string& text, std::size_t width, const std::string& indent,
                     const std::string& continuation) {
  std::string out, line;
  const std::string* prefix = &indent;
  std::istringstream words(text);
  for (std::string word; words >> word;) {
    if (!line.empty() && prefix->size() + line.size() + 1 + word.size() > width) {
      out += *prefix + line + "\n";
      line.clear();
      prefix = &continuation;
    }
    line += (line.empty() ? "" : " ") + word;
  }
  if (!line.empty()) out += *prefix + line + "\n";
  return out;
}

/// Every key: `name = default  [unit or type, range or choices]`, then its description wrapped
/// to the terminal (80 columns when not a terminal).
void printSchema() {
  const std::size_t width = outputWidth();
  fmt::print("{}", wrapText("Configuration keys (TOML; a file sets them by section, `--set "
                            "section.key=value` on the command line):",
                            width, "", ""));
  std::string section;
  for (const core::KeySpec& spec : extract::configSchema().keys()) {
    const std::string this_section = spec.key.substr(0, spec.key.find('.'));
    if (this_section != section) {
      fmt::print("\n[{}]\n", this_section);
      section = this_section;
    }
    std::string kind;
    switch (spec.type) {
      case core::ValueType::Integer:
      case core::ValueType::Real: {
        const std::string unit = sweep::unitsOfKey(spec.key);
        kind = fmt::format("{}{}, {}", spec.type == core::ValueType::Integer ? "integer" : "number",
                           unit == "1" ? "" : " in " + unit, core::rangeText(spec));
        break;
      }
      case core::ValueType::Boolean:
        kind = "true | false";
        break;
      case core::ValueType::String:
        kind = spec.choices.empty() ? "string" : fmt::format("{}", fmt::join(spec.choices, " | "));
        break;
      case core::ValueType::RealArray: {
        const std::string unit = sweep::unitsOfKey(spec.key);
        kind = fmt::format("array of numbers{}, each {}", unit == "1" ? "" : " in " + unit,
                           core::rangeText(spec));
        break;
      }
      case core::ValueType::StringArray:
        kind = "array of strings";
        break;
      case core::ValueType::RealTable:
        kind = "table of name = number";
        break;
    }
    const std::string name = spec.key.substr(spec.key.find('.') + 1);
    const std::string head =
        spec.optional ? fmt::format("{} (not set by default)", name)
                      : fmt::format("{} = {}", name, core::tomlValue(spec.default_value));
    fmt::print("{}", wrapText(fmt::format("{}  [{}]", head, kind), width, "  ", "        "));
    fmt::print("{}", wrapText(spec.description, width, "      ", "      "));
  }
  fmt::print("\n");
  for (const auto& [name, description] : sweep::sweepSchema().freeSections())
    fmt::print("{}", wrapText(fmt::format("[{}]: {}", name, description), width, "", "  "));
}

}  // namespace

void addConfigOptions(CLI::App& command, ConfigArgs& args, bool required) {
  CLI::Option* config =
      command
          .add_option("--config,-c", args.path,
                      required ? "configuration (TOML)"
                               : "configuration (TOML); default: the defaults of `xbarsim config`")
          ->check(CLI::ExistingFile);
  if (required) config->required();
  command
      .add_option("--set", args.overrides,
                  "override one configuration key, key=value (repeatable, applied after "
                  "--config, checked like the file): --set array.rows=64 --set "
                  "device.model=sinh --set netlist.params.rf=1e4")
      ->type_name("KEY=VALUE");
}

core::Config loadConfig(const ConfigArgs& args, const core::Schema& schema, bool note_defaults) {
  if (args.path.empty() && note_defaults)
    fmt::print(stderr,
               "xbarsim: note: no --config: using the defaults (`xbarsim config` lists "
               "them){}\n",
               args.overrides.empty() ? "" : " with the --set values");
  core::Config config =
      args.path.empty() ? core::Config::defaults(schema) : core::Config::load(args.path, schema);
  config.setFromText(args.overrides);
  io::registerConfigInputs(config);  // no output may replace a file the configuration names
  return config;
}

core::Config loadPointConfig(const ConfigArgs& args, std::string_view command, bool note_defaults) {
  core::Config config = loadConfig(args, sweep::sweepSchema(), note_defaults);
  if (config.freeSection("sweep") != nullptr) {
    fmt::print(stderr,
               "xbarsim: note: [sweep] of {} is ignored by {}: one point with the base values "
               "(`xbarsim sweep` runs the sweep)\n",
               args.path, command);
    config.removeFreeSections();
  }
  return config;
}

std::string joinCommandLine(int argc, char** argv) {
  std::vector<std::string> parts(argv, argv + argc);
  return fmt::format("{}", fmt::join(parts, " "));
}

void addCommands(CLI::App& app, Options& options) {
  auto extract_request = std::make_shared<ExtractRequest>();
  CLI::App* extract_cmd = app.add_subcommand(
      "extract", "Effective weights W_eff (or MVM currents with --input) of a crossbar or a user "
                 "netlist, written to HDF5");
  addConfigOptions(*extract_cmd, extract_request->config);
  extract_cmd->add_option("--out,-o", extract_request->out_path, "result file (HDF5)")->required();
  extract_cmd->add_option("--backend,-b", extract_request->backend, "circuit solver")
      ->check(CLI::IsMember({"ngspice", "native"}))
      ->capture_default_str();
  extract_cmd->add_option("--input,-i", extract_request->input_path,
                          "CSV input voltages: R values in one row or column, or one input vector "
                          "per row (K rows of R values): MVM currents instead of W_eff")
      ->check(CLI::ExistingFile);
  extract_cmd->add_option("--netlist,-n", extract_request->netlist_path,
                          "user ngspice deck (VIN<i> inputs, VOUT<j> 0 V output probes)")
      ->check(CLI::ExistingFile);
  setExample(*extract_cmd,
             "build/xbarsim extract --config examples/crossbar.toml --set "
             "array.r_row_ohm=1.0 --out w.h5");
  extract_cmd->callback([&options, extract_request] {
    options.run = [&options, extract_request] { return runExtract(*extract_request, options.command_line); };
  });

  auto netlist = std::make_shared<std::array<std::string, 3>>();
  auto netlist_config = std::make_shared<ConfigArgs>();
  auto one_hot = std::make_shared<bool>(false);
  CLI::App* netlist_cmd = app.add_subcommand(
      "netlist", "Write the ngspice deck of a configuration (runs unchanged in `ngspice -b`)");
  addConfigOptions(*netlist_cmd, *netlist_config);
  netlist_cmd->add_option("--out,-o", (*netlist)[1], "deck to write (default: stdout)");
  netlist_cmd->add_option("--input,-i", (*netlist)[2], "CSV with the row voltages (default: all v_read_v)")
      ->check(CLI::ExistingFile);
  netlist_cmd->add_flag("--one-hot", *one_hot,
                        "one-hot DC sweep deck: prints the column currents with one row at "
                        "v_read_v and the others at 0 V, i.e. the W_eff columns times v_read_v of "
                        "a linear circuit; with sinh cells, access cells or a TIA these are "
                        "large-signal currents, not the small-signal W_eff of `extract`");
  setExample(*netlist_cmd,
             "build/xbarsim netlist --config examples/crossbar.toml --set array.rows=4 "
             "--out x.cir && ngspice -b x.cir");
  netlist_cmd->callback([&options, netlist, netlist_config, one_hot] {
    options.run = [netlist, netlist_config, one_hot] {
      return runNetlist(*netlist_config, (*netlist)[1], (*netlist)[2], *one_hot);
    };
  });

  auto demo_out = std::make_shared<std::string>("xbarsim-demo.h5");
  auto demo_crossbar = std::make_shared<bool>(false);
  CLI::App* demo_cmd = app.add_subcommand(
      "demo", "Shipped MLP on Fashion-MNIST with PCM on a realistic crossbar: accuracy vs time");
  demo_cmd->add_option("--out,-o", *demo_out, "result file (HDF5)")->capture_default_str();
  demo_cmd->add_flag("--crossbar", *demo_crossbar,
                     "only the circuit part: W_eff of a 32x32 array through ngspice");
  setExample(*demo_cmd, "build/xbarsim demo --crossbar --out demo.h5");
  demo_cmd->callback([&options, demo_out, demo_crossbar] {
    options.run = [&options, demo_out, demo_crossbar] {
      return *demo_crossbar ? runDemo(*demo_out, options.command_line)
                            : runDnnDemo(*demo_out, options.command_line);
    };
  });

  auto validate = std::make_shared<std::pair<ConfigArgs, std::string>>();
  auto tolerance = std::make_shared<double>(0.0);
  CLI::App* validate_cmd = app.add_subcommand(
      "validate", "Solve the same circuit with ngspice and the native solver and compare (exit 3 "
                  "if they disagree)");
  addConfigOptions(*validate_cmd, validate->first);
  validate_cmd->add_option("--input,-i", validate->second, "CSV row voltages: compare MVM currents too")
      ->check(CLI::ExistingFile);
  validate_cmd
      ->add_option("--tolerance", *tolerance,
                   "max relative difference max|native - ngspice| / max|ngspice| (default: 1e-9, "
                   "ten times ngspice's reltol 1e-10 in generated decks; larger for big or "
                   "ill-conditioned arrays, as printed)")
      ->check(CLI::Validator(
          [](const std::string& text) {
            double x = 0.0;
            const bool ok = CLI::detail::lexical_cast(text, x) && std::isfinite(x) && x > 0.0;
            return ok ? std::string() : fmt::format("{} is not a positive finite number", text);
          },
          "POSITIVE"));
  setExample(*validate_cmd, "build/xbarsim validate --config examples/crossbar.toml");
  validate_cmd->callback([&options, validate, tolerance] {
    options.run = [validate, tolerance] { return runValidate(validate->first, validate->second, *tolerance); };
  });

  CLI::App* config_cmd = app.add_subcommand("config", "List every configuration key, or check a file");
  auto check = std::make_shared<ConfigArgs>();
  auto list_models = std::make_shared<bool>(false);
  config_cmd
      ->add_option("--check", check->path,
                   "validate this file (with any --set) and print it resolved")
      ->check(CLI::ExistingFile);
  config_cmd
      ->add_option("--set", check->overrides,
                   "with --check (or alone: on the defaults): override a key, key=value "
                   "(repeatable)")
      ->type_name("KEY=VALUE");
  config_cmd->add_flag("--models", *list_models,
                       "list the registered device models: faces, parameters with unit, default, "
                       "range and source, built-in cards");
  setExample(*config_cmd,
             "build/xbarsim config --check examples/crossbar.toml --set array.rows=64");
  config_cmd->callback([&options, check, list_models] {
    options.run = [check, list_models] {
      if (*list_models) {
        printModels();
      } else if (check->path.empty() && check->overrides.empty()) {
        printSchema();
      } else {
        // The check is the point of the command: no note about defaults.
        core::Config config = check->path.empty()
                                  ? core::Config::defaults(sweep::sweepSchema())
                                  : core::Config::load(check->path, sweep::sweepSchema());
        config.setFromText(check->overrides);
        if (config.freeSection("sweep") != nullptr) (void)sweep::parseSweep(config);
        fmt::print("{}", config.toToml());
      }
      return 0;
    };
  });
  addDeviceCommand(app, options);
  addCosimCommand(app, options);
  addDnnCommands(app, options);
  addSweepCommands(app, options);
}

}  // namespace xbarsim::cli
