// SPDX-License-Identifier: MIT
#include "xbarsim/extract/ngspice_backend.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <complex>

#include "xbarsim/circuit/crossbar_netlist.hpp"
#include "xbarsim/core/config.hpp"
#include "xbarsim/core/error.hpp"
#include "xbarsim/core/numbers.hpp"
#include "xbarsim/spice/pool.hpp"
#include "xbarsim/spice/session.hpp"

namespace xbarsim::extract {
namespace {

using circuit::CrossbarSpec;
using Clock = std::chrono::steady_clock;
using Index = Eigen::Index;

double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

/// Reads I_j (all columns) from point `point` of the current plot's real vectors.
void readColumnCurrents(const spice::Session& session, Index cols, Index point,
                        Eigen::Ref<Eigen::VectorXd> out) {
  for (Index j = 0; j < cols; ++j) {
    const std::vector<double> values = session.realVector(circuit::outputCurrentVector(j));
    if (static_cast<Index>(values.size()) <= point)
      throw SpiceError("read " + circuit::outputCurrentVector(j),
                       {fmt::format("expected at least {} points, got {}", point + 1, values.size())});
    out[j] = values[static_cast<std::size_t>(point)];
  }
}

/// Array power of the operating point in the current plot (backend.hpp): the row sources'
/// power −Σ_i V_i·i(vin<i>) (ngspice's branch current flows into the + terminal), less
/// Σ_j v(s<j>)·I_j into amplifiers that do not hold their input (sense node s<j>, behind the
/// 0 V probe vout<j>). The amplifiers' own sources (op-amp outputs) are periphery, not array.
double readArrayPower(const spice::Session& session, const CrossbarSpec& spec,
                      const Eigen::VectorXd& x_v) {
  auto value = [&](const std::string& name) {
    const std::vector<double> values = session.realVector(name);
    if (values.empty()) throw SpiceError("read " + name, {"no value"});
    return values.front();
  };
  double p = 0.0;
  for (Index i = 0; i < spec.rows; ++i) p -= x_v[i] * value(fmt::format("vin{}#branch", i));
  if (!spec.sense->holdsInput())
    for (Index j = 0; j < spec.cols; ++j)
      p -= value(fmt::format("s{}", j)) * value(circuit::outputCurrentVector(j));
  return p;
}

/// Inputs [begin, end) of an extraction split into blocks, one work item each.
struct RowBlock {
  Index begin = 0;
  Index end = 0;
};

/// Fewest inputs of a dc-sweep block: each block orders the matrix once more, which at 48×48
/// costs about as much as 10 to 25 sweep points (docs/ngspice-notes.md §3.10).
constexpr Index kSweepBlockRows = 24;

/// `rows` inputs in `blocks` contiguous blocks of near-equal size (the first ones one larger).
std::vector<RowBlock> rowBlocks(Index rows, std::size_t blocks) {
  const auto n = std::clamp<Index>(static_cast<Index>(blocks), 1, std::max<Index>(rows, 1));
  std::vector<RowBlock> out;
  Index begin = 0;
  for (Index b = 0; b < n; ++b) {
    const Index size = rows / n + (b < rows % n ? 1 : 0);
    out.push_back({begin, begin + size});
    begin += size;
  }
  return out;
}

WeightResult weightsByDcSweep(spice::Pool& pool, const CrossbarSpec& spec, double v_read_v) {
  WeightResult result{Eigen::MatrixXd(spec.cols, spec.rows), "dc-sweep", {}};
  auto start = Clock::now();
  circuit::NetlistOptions options;
  options.mode = circuit::InputMode::OneHotSweep;
  options.v_read_v = v_read_v;
  options.control_block = false;
  const std::string netlist = circuit::crossbarNetlist(spec, options);
  result.timing.setup_s = secondsSince(start);

  start = Clock::now();
  // Each block is its own deck run sweeping the selector over the block's inputs only; the
  // matrix is ordered once per block. A point's last bits depend on where its sweep started,
  // so the blocks depend on the array alone, never on the number of workers
  // (docs/ngspice-notes.md §3.10).
  const std::vector<RowBlock> blocks =
      rowBlocks(spec.rows, static_cast<std::size_t>(std::max<Index>(1, spec.rows / kSweepBlockRows)));
  pool.run(blocks.size(), [&](std::size_t b, spice::Session& session) {
    const RowBlock block = blocks[b];
    const Index points = block.end - block.begin;
    runAnalysis(session, fmt::format("dc vsel {} {} 1", block.begin, block.end - 1), &netlist);
    for (Index j = 0; j < spec.cols; ++j) {
      const std::vector<double> values = session.realVector(circuit::outputCurrentVector(j));
      if (static_cast<Index>(values.size()) != points)
        throw SpiceError("dc vsel", {fmt::format("sweep returned {} points for {} rows",
                                                 values.size(), points)});
      for (Index i = 0; i < points; ++i)
        result.weff_s(j, block.begin + i) = values[static_cast<std::size_t>(i)] / v_read_v;
    }
  });
  result.timing.solve_s = secondsSince(start);
  return result;
}

WeightResult weightsByAlterOp(spice::Session& session, const CrossbarSpec& spec, double v_read_v) {
  WeightResult result{Eigen::MatrixXd(spec.cols, spec.rows), "alter-op", {}};
  auto start = Clock::now();
  circuit::NetlistOptions options;
  options.inputs_v = Eigen::VectorXd::Zero(spec.rows);
  options.control_block = false;
  session.loadCircuit(circuit::crossbarNetlist(spec, options));
  result.timing.setup_s = secondsSince(start);

  start = Clock::now();
  const std::string on = spiceNumber(v_read_v);
  for (Index i = 0; i < spec.rows; ++i) {
    if (i > 0) session.command(fmt::format("alter vin{} dc = 0", i - 1));
    session.command(fmt::format("alter vin{} dc = {}", i, on));
    runAnalysis(session, "op");
    Eigen::VectorXd column(spec.cols);
    readColumnCurrents(session, spec.cols, 0, column);
    result.weff_s.col(i) = column / v_read_v;
    session.command("destroy all");  // drop the op plot; keep the circuit
  }
  session.clear();
  result.timing.solve_s = secondsSince(start);
  return result;
}

WeightResult crossbarWeightsByAc(spice::Pool& pool, const CrossbarSpec& spec, double v_read_v) {
  auto start = Clock::now();
  circuit::NetlistOptions options;
  options.v_read_v = v_read_v;  // operating point: every row at v_read_v
  options.control_block = false;
  const std::string netlist = circuit::crossbarNetlist(spec, options);
  WeightResult result{Eigen::MatrixXd(spec.cols, spec.rows), "ac", {}};
  result.timing.setup_s = secondsSince(start);
  start = Clock::now();
  // The small-signal analyses of a block of inputs in one deck run (no top-level ngspice
  // command per input); every "ac" computes its own operating point from the same deck, from
  // scratch, so any split over the workers gives the same bits (docs/ngspice-notes.md §3.10).
  const std::vector<RowBlock> blocks = rowBlocks(spec.rows, pool.workers());
  pool.run(blocks.size(), [&](std::size_t b, spice::Session& session) {
    const RowBlock block = blocks[b];
    const Index points = block.end - block.begin;
    std::vector<std::string> commands;
    for (Index i = 0; i < spec.rows; ++i) commands.push_back(fmt::format("alter vin{} ac = 0", i));
    for (Index i = block.begin; i < block.end; ++i) {
      if (i > block.begin) commands.push_back(fmt::format("alter vin{} ac = 0", i - 1));
      commands.push_back(fmt::format("alter vin{} ac = 1", i));
      commands.emplace_back("ac lin 1 1 1");
    }
    runAnalyses(session, commands, &netlist);
    std::vector<std::string> ac_plots;  // newest first: the block's last input ... its first
    for (auto& plot : session.plotNames())
      if (plot.rfind("ac", 0) == 0) ac_plots.push_back(std::move(plot));
    if (static_cast<Index>(ac_plots.size()) != points)
      throw SpiceError("ac", {fmt::format("{} ac plots for {} inputs", ac_plots.size(), points)});
    for (Index i = 0; i < points; ++i)
      for (Index j = 0; j < spec.cols; ++j) {
        const std::string name = ac_plots[static_cast<std::size_t>(points - 1 - i)] + "." +
                                 circuit::outputCurrentVector(j);
        const auto values = session.complexVector(name);
        if (values.size() != 1)
          throw SpiceError("ac", {fmt::format("{} has {} points, expected 1", name, values.size())});
        result.weff_s(j, block.begin + i) = values.front().real();
      }
  });
  result.timing.solve_s = secondsSince(start);
  return result;
}

}  // namespace

void runAnalysis(spice::Session& session, const std::string& command, const std::string* netlist) {
  runAnalyses(session, {command}, netlist);
}

void runAnalyses(spice::Session& session, const std::vector<std::string>& commands,
                 const std::string* netlist) {
  const std::string command = commands.size() == 1 ? commands.front()
                                                   : fmt::format("{} (last of {} commands)",
                                                                 commands.back(), commands.size());
  auto nodeList = [](const std::vector<std::string>& nodes) {
    std::string text = nodes.front();
    for (std::size_t k = 1; k < nodes.size() && k < 4; ++k) text += ", " + nodes[k];
    if (nodes.size() > 4) text += fmt::format(" and {} more", nodes.size() - 4);
    return text;
  };
  try {
    if (netlist != nullptr)
      session.runDeck(*netlist, commands);
    else
      for (const auto& c : commands) session.command(c);
  } catch (const SpiceError& e) {
    const auto& diag = session.lastSolveDiagnostics();
    std::string detail;
    for (const auto& m : e.messages())
      if (m.rfind("ngspice names node", 0) != 0) detail += (detail.empty() ? "" : "; ") + m;
    if (diag.trouble_nodes.empty()) {
      // A device equation left its range ("Error: 999.5 out of range for sinh" / "in line
      // bcell1_0"): the operating point ran away in that element.
      const auto& m = e.messages();
      for (std::size_t k = 0; k + 1 < m.size(); ++k)
        if (m[k].find("out of range") != std::string::npos &&
            m[k + 1].find("in line ") != std::string::npos)
          throw NumericalError(fmt::format(
              "ngspice: '{}' failed: a device equation overflowed in element {} (the operating "
              "point ran away; ngspice: {})",
              command, m[k + 1].substr(m[k + 1].find("in line ") + 8), detail));
      throw;
    }
    throw NumericalError(fmt::format(
        "ngspice: '{}' did not converge{}: worst node {} (ngspice: {})", command,
        diag.singular_matrix ? " (singular matrix)" : "", nodeList(diag.trouble_nodes), detail));
  }
  const auto& diag = session.lastSolveDiagnostics();
  if (diag.singular_matrix)
    throw NumericalError(fmt::format(
        "ngspice: singular circuit matrix during '{}' at node {}: a floating node (no DC path "
        "to a source or ground) or a loop of voltage sources; ngspice's gmin/source stepping "
        "results are not used",
        command, diag.trouble_nodes.empty() ? std::string("(not named)") : nodeList(diag.trouble_nodes)));
}

WeightResult acTransferConductances(spice::Session& session, const std::vector<std::string>& inputs,
                                    const std::vector<std::string>& output_vectors) {
  const auto rows = static_cast<Index>(inputs.size());
  const auto cols = static_cast<Index>(output_vectors.size());
  WeightResult result{Eigen::MatrixXd(cols, rows), "ac", {}};
  const auto start = Clock::now();
  for (const std::string& input : inputs) session.command(fmt::format("alter {} ac = 0", input));
  for (Index k = 0; k < rows; ++k) {
    if (k > 0) session.command(fmt::format("alter {} ac = 0", inputs[static_cast<std::size_t>(k - 1)]));
    session.command(fmt::format("alter {} ac = 1", inputs[static_cast<std::size_t>(k)]));
    runAnalysis(session, "ac lin 1 1 1");
    for (Index j = 0; j < cols; ++j) {
      const auto values = session.complexVector(output_vectors[static_cast<std::size_t>(j)]);
      if (values.size() != 1)
        throw SpiceError("ac", {fmt::format("{} has {} points, expected 1",
                                            output_vectors[static_cast<std::size_t>(j)], values.size())});
      result.weff_s(j, k) = values.front().real();
    }
    session.command("destroy all");
  }
  result.timing.solve_s = secondsSince(start);
  return result;
}

void applyNgspiceLimits(const core::Config& config) {
  const std::string origin = config.isGiven("run.ngspice_timeout_s")
                                 ? fmt::format("run.ngspice_timeout_s of {}", config.sourceName())
                                 : std::string("default");
  spice::Pool& pool = spice::Pool::instance();
  pool.setLimits(spice::Session::Limits::resolve(config.real("run.ngspice_timeout_s"),
                                                 config.real("run.ngspice_memory_mb"), origin));
  pool.setWorkers(spice::Pool::resolveWorkers(
      static_cast<unsigned>(config.integer("run.ngspice_workers"))));
}

std::string NgspiceBackend::version() const { return spice::Session::instance().version(); }


WeightResult NgspiceBackend::effectiveWeights(const CrossbarSpec& spec, double v_read_v) {
  spec.validate();
  if (!(v_read_v > 0.0)) throw Error(fmt::format("v_read_v = {} must be > 0", v_read_v));
  NgspiceWeightMethod method = method_;
  if (method == NgspiceWeightMethod::Auto)
    method = spec.isLinear() ? NgspiceWeightMethod::DcSweep : NgspiceWeightMethod::Ac;
  if (method != NgspiceWeightMethod::Ac && !spec.isLinear())
    throw Error("the dc-sweep and alter-op methods give W_eff only for linear circuits; use ac");
  WeightResult result;
  switch (method) {
    case NgspiceWeightMethod::DcSweep:
      result = weightsByDcSweep(spice::Pool::instance(), spec, v_read_v);
      break;
    case NgspiceWeightMethod::AlterOp:
      result = weightsByAlterOp(spice::Session::instance(), spec, v_read_v);
      break;
    default: result = crossbarWeightsByAc(spice::Pool::instance(), spec, v_read_v); break;
  }
  requireFinite(result.weff_s, "W_eff", "output", "input");
  return result;
}

CurrentResult NgspiceBackend::currents(const CrossbarSpec& spec, const Eigen::VectorXd& x_v) {
  spec.validate();
  if (x_v.size() != spec.rows)
    throw Error(fmt::format("input vector has {} values for {} rows", x_v.size(), spec.rows));
  spice::Session& session = spice::Session::instance();
  CurrentResult result{Eigen::VectorXd(spec.cols), {}};
  auto start = Clock::now();
  circuit::NetlistOptions options;
  options.inputs_v = x_v;
  options.control_block = false;
  options.save_power = arrayPower();
  const std::string netlist = circuit::crossbarNetlist(spec, options);
  result.timing.setup_s = secondsSince(start);
  start = Clock::now();
  runAnalysis(session, "op", &netlist);
  readColumnCurrents(session, spec.cols, 0, result.currents_a);
  if (arrayPower()) result.power_w = readArrayPower(session, spec, x_v);
  result.timing.solve_s = secondsSince(start);
  requireFinite(result.currents_a, "column current", "output");
  return result;
}

BatchCurrentResult NgspiceBackend::currentsBatch(const CrossbarSpec& spec, const Eigen::MatrixXd& x_v) {
  spec.validate();
  if (x_v.rows() != spec.rows)
    throw Error(fmt::format("input vectors have {} values for {} rows", x_v.rows(), spec.rows));
  BatchCurrentResult result{Eigen::MatrixXd(spec.cols, x_v.cols()), {},
                            Eigen::VectorXd(arrayPower() ? x_v.cols() : 0)};
  if (x_v.cols() == 0) return result;
  spice::Session& session = spice::Session::instance();
  auto start = Clock::now();
  circuit::NetlistOptions options;
  options.inputs_v = x_v.col(0);
  options.control_block = false;
  options.save_power = arrayPower();
  session.loadCircuit(circuit::crossbarNetlist(spec, options));
  result.timing.setup_s = secondsSince(start);
  start = Clock::now();
  for (Index k = 0; k < x_v.cols(); ++k) {
    if (k > 0)
      for (Index i = 0; i < spec.rows; ++i)
        if (x_v(i, k) != x_v(i, k - 1))
          session.command(fmt::format("alter vin{} dc = {}", i, spiceNumber(x_v(i, k))));
    runAnalysis(session, "op");
    readColumnCurrents(session, spec.cols, 0, result.currents_a.col(k));
    if (arrayPower()) result.power_w[k] = readArrayPower(session, spec, x_v.col(k));
    session.command("destroy all");  // drop the op plot; keep the circuit
  }
  session.clear();
  result.timing.solve_s = secondsSince(start);
  requireFinite(result.currents_a, "column current", "output", "vector");
  return result;
}

}  // namespace xbarsim::extract
