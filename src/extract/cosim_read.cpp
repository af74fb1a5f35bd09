// SPDX-License-Identifier: MIT
#include "xbarsim/extract/cosim_read.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <sstream>

#include "xbarsim/circuit/crossbar_netlist.hpp"
#include "xbarsim/core/error.hpp"

namespace xbarsim::extract {
namespace {

void check(const ReadPeriphery& p) {
  if (!(p.v_read_v > 0.0) || !(p.t_edge_s > 0.0) || !(p.t_read_s > p.t_edge_s) ||
      !(p.opamp_gain > 0.0) || !(p.rail_v > 0.0) || p.adc_bits < 1 || p.adc_bits > 16 ||
      !(p.full_scale_v > 0.0) || !(p.t_clock_s > 0.0) || !(p.comparator_gain > 0.0) ||
      !(p.vdd_v > 0.0) || !(p.reltol > 0.0) || !(p.c_int_f >= 0.0))
    throw Error("read periphery: every time, voltage, gain and the ADC bits (1..16) must "
                      "be positive");
}

double lastBefore(const std::vector<double>& time, const std::vector<double>& v, double t) {
  // Linear interpolation of v at t.
  const auto it = std::lower_bound(time.begin(), time.end(), t);
  if (it == time.begin()) return v.front();
  if (it == time.end()) return v.back();
  const auto k = static_cast<std::size_t>(it - time.begin());
  const double a = (t - time[k - 1]) / (time[k] - time[k - 1]);
  return v[k - 1] + a * (v[k] - v[k - 1]);
}

}  // namespace

double sizeIntegrator(const Eigen::MatrixXd& w_eff, const ReadPeriphery& p, double margin) {
  const double i_max = w_eff.rowwise().sum().maxCoeff() * p.v_read_v;
  if (!(i_max > 0.0)) throw Error("read periphery: the array conducts no current");
  return i_max * p.t_read_s / (margin * p.full_scale_v);
}

double rampStart(const ReadPeriphery& p) { return p.t_read_s + 4.0 * p.t_edge_s; }

std::string readAnalysis(const ReadPeriphery& p) {
  const double t_stop = rampStart(p) + (std::ldexp(1.0, p.adc_bits) + 2.0) * p.t_clock_s;
  if (p.t_max_s > 0.0)
    return fmt::format("tran {:.6g} {:.9g} 0 {:.6g}", p.t_clock_s / 4.0, t_stop, p.t_max_s);
  return fmt::format("tran {:.6g} {:.9g}", p.t_clock_s / 4.0, t_stop);
}

std::string readPeripheryDeck(const Eigen::VectorXd& x, Eigen::Index cols, const ReadPeriphery& p) {
  check(p);
  if (!(p.c_int_f > 0.0)) throw Error("read periphery: c_int_f must be set (sizeIntegrator)");
  std::ostringstream d;
  d << fmt::format("* xbarsim read periphery: {} row DACs, {} integrators, {}-bit single-slope ADC\n",
                   x.size(), cols, p.adc_bits);
  d << fmt::format(".options reltol={:.3g}\n", p.reltol);
  const double t0 = p.t_edge_s, t1 = 2.0 * p.t_edge_s, t2 = p.t_read_s + p.t_edge_s,
               t3 = p.t_read_s + 2.0 * p.t_edge_s;
  for (Eigen::Index i = 0; i < x.size(); ++i) {
    const double v = x(i) * p.v_read_v;
    d << fmt::format("vrow{0} in{0} 0 pwl(0 0 {1:.9g} 0 {2:.9g} {5:.17g} {3:.9g} {5:.17g} {4:.9g} 0)\n",
                     i, t0, t1, t2, t3, v);
  }
  for (Eigen::Index j = 0; j < cols; ++j) {
    d << fmt::format("bamp{0} o{0} 0 v={1:.9g}*tanh({2:.9g}*(0-v(out{0}))/{1:.9g})\n", j, p.rail_v,
                     p.opamp_gain);
    d << fmt::format("cint{0} out{0} o{0} {1:.17g}\n", j, p.c_int_f);
  }
  const double ts = rampStart(p);
  const double te = ts + std::ldexp(1.0, p.adc_bits) * p.t_clock_s;
  d << fmt::format("vramp ramp 0 pwl(0 0 {:.9g} 0 {:.9g} {:.9g})\n", ts, te, p.full_scale_v);
  for (Eigen::Index j = 0; j < cols; ++j) {
    // Comparator: a steep tanh, then its output pole (tau = t_clock/4) at q<j>. The pole is
    // what ngspice's truncation-error control sees: it refines the steps around every flip.
    d << fmt::format("bcmp{0} p{0} 0 v={1:.9g}*(1+tanh({2:.9g}*(v(ramp)+v(o{0}))))\n", j,
                     0.5 * p.vdd_v, p.comparator_gain);
    d << fmt::format("rcmp{0} p{0} q{0} 1k\ncq{0} q{0} 0 {1:.9g}\n", j, p.t_clock_s / 4.0 / 1e3);
  }
  d << ".end\n";
  return d.str();
}

std::string monolithicReadDeck(const circuit::CrossbarSpec& spec, const std::string& periphery) {
  circuit::NetlistOptions options;
  options.control_block = false;
  const std::string array = circuit::crossbarNetlist(spec, options);
  std::ostringstream d;
  std::istringstream a(array), b(periphery);
  std::string line;
  bool first = true;
  while (std::getline(b, line)) {  // periphery title and options first
    if (first) {
      d << line << " (monolithic: with the generated array)\n";
      first = false;
      continue;
    }
    if (line.rfind(".options", 0) == 0) d << line << "\n";
  }
  first = true;
  while (std::getline(a, line)) {
    if (first) {  // title
      first = false;
      continue;
    }
    // The array only: no row sources, no sense probes, no analysis or options.
    if (line.rfind("vin", 0) == 0 || line.rfind("vout", 0) == 0 || line.rfind(".", 0) == 0)
      continue;
    d << line << "\n";
  }
  b.clear();
  b.seekg(0);
  first = true;
  while (std::getline(b, line)) {
    if (first || line.rfind(".options", 0) == 0 || line.rfind(".end", 0) == 0) {
      first = false;
      continue;
    }
    d << line << "\n";
  }
  d << ".end\n";
  return d.str();
}

std::vector<std::string> readVectors(Eigen::Index cols) {
  std::vector<std::string> v{"time"};
  for (Eigen::Index j = 0; j < cols; ++j) v.push_back(fmt::format("v(o{})", j));
  for (Eigen::Index j = 0; j < cols; ++j) v.push_back(fmt::format("v(q{})", j));
  return v;
}

std::vector<int> adcCodes(const std::vector<double>& time, const std::vector<std::vector<double>>& q,
                          const ReadPeriphery& p) {
  const double ts = rampStart(p);
  const int top = (1 << p.adc_bits) - 1;
  std::vector<int> codes;
  for (const auto& qj : q) {
    int code = top;
    for (std::size_t k = 1; k < time.size(); ++k) {
      if (time[k] <= ts) continue;
      const double half = 0.5 * p.vdd_v;
      if (qj[k] >= half && qj[k - 1] < half) {
        const double t = time[k - 1] + (half - qj[k - 1]) / (qj[k] - qj[k - 1]) * (time[k] - time[k - 1]);
        code = std::clamp(static_cast<int>(std::floor((t - ts) / p.t_clock_s)), 0, top);
        break;
      }
    }
    codes.push_back(code);
  }
  return codes;
}

namespace {
ReadResult finish(const std::vector<std::vector<double>>& values, Eigen::Index cols,
                  const ReadPeriphery& p) {
  ReadResult r;
  const auto& time = values.at(0);
  const auto c = static_cast<std::size_t>(cols);
  std::vector<std::vector<double>> q(values.begin() + 1 + cols, values.begin() + 1 + 2 * cols);
  r.codes = adcCodes(time, q, p);
  r.v_int.resize(cols);
  const double t_end = p.t_read_s + 3.0 * p.t_edge_s;
  for (std::size_t j = 0; j < c; ++j) r.v_int(static_cast<Eigen::Index>(j)) = lastBefore(time, values[1 + j], t_end);
  r.time_points = static_cast<long long>(time.size());
  return r;
}
}  // namespace

ReadResult readCoSim(spice::Session& session, const circuit::CrossbarSpec& spec,
                     const Eigen::VectorXd& x, const ReadPeriphery& p, double max_step_s,
                     double current_tol, bool extrapolate) {
  const auto start = std::chrono::steady_clock::now();
  spice::CoSimRequest request;
  request.periphery = readPeripheryDeck(x, spec.cols, p);
  request.analysis = readAnalysis(p);
  request.array = spec;
  request.vectors = readVectors(spec.cols);
  request.max_step_s = max_step_s;
  request.current_tol = current_tol;
  request.extrapolate = extrapolate;
  const auto result = spice::coSimulate(session, request);
  ReadResult r = finish(result.values, spec.cols, p);
  r.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return r;
}

ReadResult readMonolithic(spice::Session& session, const circuit::CrossbarSpec& spec,
                          const Eigen::VectorXd& x, const ReadPeriphery& p) {
  const auto start = std::chrono::steady_clock::now();
  const std::string deck = monolithicReadDeck(spec, readPeripheryDeck(x, spec.cols, p));
  const auto names = readVectors(spec.cols);
  std::string save = ".save";
  for (std::size_t k = 1; k < names.size(); ++k) save += " " + names[k];
  std::string with_save = deck;
  with_save.insert(with_save.rfind(".end"), save + "\n");
  session.runDeck(with_save, readAnalysis(p));
  std::vector<std::vector<double>> values;
  for (const auto& name : names) values.push_back(session.realVector(name));
  ReadResult r = finish(values, spec.cols, p);
  r.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return r;
}

}  // namespace xbarsim::extract
