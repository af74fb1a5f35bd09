// SPDX-License-Identifier: MIT
#include "xbarsim/extract/ngspice_backend.hpp"

#include <fmt/format.h>

#include <chrono>
#include <complex>

#include "xbarsim/circuit/crossbar_netlist.hpp"
#include "xbarsim/core/error.hpp"
#include "xbarsim/core/numbers.hpp"
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

WeightResult weightsByDcSweep(spice::Session& session, const CrossbarSpec& spec, double v_read_v) {
  WeightResult result{Eigen::MatrixXd(spec.cols, spec.rows), "dc-sweep", {}};
  auto start = Clock::now();
  circuit::NetlistOptions options;
  options.mode = circuit::InputMode::OneHotSweep;
  options.v_read_v = v_read_v;
  options.control_block = false;
  session.loadCircuit(circuit::crossbarNetlist(spec, options));
  result.timing.setup_s = secondsSince(start);

  start = Clock::now();
  session.command(fmt::format("dc vsel 0 {} 1", spec.rows - 1));
  for (Index j = 0; j < spec.cols; ++j) {
    const std::vector<double> values = session.realVector(circuit::outputCurrentVector(j));
    if (static_cast<Index>(values.size()) != spec.rows)
      throw SpiceError("dc vsel", {fmt::format("sweep returned {} points for {} rows",
                                               values.size(), spec.rows)});
    for (Index i = 0; i < spec.rows; ++i)
      result.weff_s(j, i) = values[static_cast<std::size_t>(i)] / v_read_v;
  }
  session.clear();
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
    session.command("op");
    Eigen::VectorXd column(spec.cols);
    readColumnCurrents(session, spec.cols, 0, column);
    result.weff_s.col(i) = column / v_read_v;
    session.command("destroy all");  // drop the op plot; keep the circuit
  }
  session.clear();
  result.timing.solve_s = secondsSince(start);
  return result;
}

WeightResult crossbarWeightsByAc(spice::Session& session, const CrossbarSpec& spec,
                                 double v_read_v) {
  auto start = Clock::now();
  circuit::NetlistOptions options;
  options.v_read_v = v_read_v;  // operating point: every row at v_read_v
  options.control_block = false;
  session.loadCircuit(circuit::crossbarNetlist(spec, options));
  const double setup_s = secondsSince(start);
  std::vector<std::string> inputs;
  std::vector<std::string> outputs;
  for (Index i = 0; i < spec.rows; ++i) inputs.push_back(fmt::format("vin{}", i));
  for (Index j = 0; j < spec.cols; ++j) outputs.push_back(circuit::outputCurrentVector(j));
  WeightResult result = acTransferConductances(session, inputs, outputs);
  result.timing.setup_s += setup_s;
  session.clear();
  return result;
}

}  // namespace

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
    session.command("ac lin 1 1 1");
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

WeightResult NgspiceBackend::effectiveWeights(const CrossbarSpec& spec, double v_read_v) {
  spec.validate();
  if (!(v_read_v > 0.0)) throw Error(fmt::format("v_read_v = {} must be > 0", v_read_v));
  spice::Session& session = spice::Session::instance();
  NgspiceWeightMethod method = method_;
  if (method == NgspiceWeightMethod::Auto)
    method = spec.isLinear() ? NgspiceWeightMethod::DcSweep : NgspiceWeightMethod::Ac;
  if (method != NgspiceWeightMethod::Ac && !spec.isLinear())
    throw Error("the dc-sweep and alter-op methods give W_eff only for linear circuits; use ac");
  switch (method) {
    case NgspiceWeightMethod::DcSweep: return weightsByDcSweep(session, spec, v_read_v);
    case NgspiceWeightMethod::AlterOp: return weightsByAlterOp(session, spec, v_read_v);
    default: return crossbarWeightsByAc(session, spec, v_read_v);
  }
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
  session.loadCircuit(circuit::crossbarNetlist(spec, options));
  result.timing.setup_s = secondsSince(start);
  start = Clock::now();
  session.command("op");
  readColumnCurrents(session, spec.cols, 0, result.currents_a);
  session.clear();
  result.timing.solve_s = secondsSince(start);
  return result;
}

}  // namespace xbarsim::extract
