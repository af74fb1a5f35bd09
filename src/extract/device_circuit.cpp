// SPDX-License-Identifier: MIT
// Small device circuits through ngspice (SPICE faces of devices/*.lib) and natively (IDA).
#include "xbarsim/extract/device_circuit.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>

#include "xbarsim/circuit/native_transient.hpp"
#include "xbarsim/core/error.hpp"
#include "xbarsim/core/numbers.hpp"
#include "xbarsim/extract/backend.hpp"
#include "xbarsim/spice/session.hpp"

namespace xbarsim::extract {
namespace {

using Index = Eigen::Index;
using Clock = std::chrono::steady_clock;

std::string pwlText(const Pwl& w) {
  if (w.t_s.size() <= 1) return fmt::format("dc {}", spiceNumber(w.v_v.empty() ? 0.0 : w.v_v[0]));
  std::string s = "pwl(";
  for (std::size_t k = 0; k < w.t_s.size(); ++k)
    s += fmt::format("{}{} {}", k ? " " : "", spiceNumber(w.t_s[k]), spiceNumber(w.v_v[k]));
  return s + ")";
}

/// Deck node names of the cell terminals.
std::string rowNode(const DeviceArrayCircuit& c, Index i, Index j) {
  if (c.r_row_ohm == 0.0) return c.row_drive[static_cast<std::size_t>(i)] ? fmt::format("drv_r{}", i) : fmt::format("r{}", i);
  return fmt::format("r{}_{}", i, j);
}
std::string colNode(const DeviceArrayCircuit& c, Index i, Index j) {
  if (c.r_col_ohm == 0.0) return c.col_drive[static_cast<std::size_t>(j)] ? fmt::format("drv_c{}", j) : fmt::format("c{}", j);
  return fmt::format("c{}_{}", i, j);
}

}  // namespace

// ---- waveforms ----------------------------------------------------------------------------------

Pwl Pwl::constant(double v_v) { return Pwl{{0.0}, {v_v}}; }

Pwl Pwl::pulse(double v_v, double t0_s, double rise_s, double width_s, double fall_s) {
  Pwl w;
  if (t0_s > 0.0) {
    w.t_s.push_back(0.0);
    w.v_v.push_back(0.0);
  }
  w.t_s.insert(w.t_s.end(), {t0_s, t0_s + rise_s, t0_s + rise_s + width_s,
                             t0_s + rise_s + width_s + fall_s});
  w.v_v.insert(w.v_v.end(), {0.0, v_v, v_v, 0.0});
  return w;
}

double Pwl::at(double t) const { return circuit::pwlValue(t_s, v_v, t); }

Pwl Pwl::scaled(double factor) const {
  Pwl w = *this;
  for (double& v : w.v_v) v *= factor;
  return w;
}

void Pwl::validate(const std::string& what) const {
  if (t_s.size() != v_v.size()) throw Error(fmt::format("{}: waveform times and values differ in count", what));
  for (std::size_t k = 0; k < t_s.size(); ++k) {
    if (!std::isfinite(t_s[k]) || !std::isfinite(v_v[k]) || t_s[k] < 0.0)
      throw Error(fmt::format("{}: waveform point {} is not finite or t < 0", what, k));
    if (k > 0 && !(t_s[k] > t_s[k - 1]))
      throw Error(fmt::format("{}: waveform times must increase strictly (point {})", what, k));
  }
}

double DeviceArrayCircuit::rowDriverOhm(Index i) const {
  return row_driver_ohm.empty() ? 0.0 : row_driver_ohm[static_cast<std::size_t>(i)];
}
double DeviceArrayCircuit::colDriverOhm(Index j) const {
  return col_driver_ohm.empty() ? 0.0 : col_driver_ohm[static_cast<std::size_t>(j)];
}

void DeviceArrayCircuit::validate() const {
  if (rows < 1 || cols < 1) throw Error("device array: rows and cols must be >= 1");
  if (!model) throw Error("device array: no device model");
  if (!(r_row_ohm >= 0.0) || !(r_col_ohm >= 0.0) || !std::isfinite(r_row_ohm) || !std::isfinite(r_col_ohm))
    throw Error("device array: wire resistances must be finite and >= 0");
  if (x0.rows() != rows || x0.cols() != cols) throw Error("device array: x0 must be rows x cols");
  if (static_cast<Index>(row_drive.size()) != rows || static_cast<Index>(col_drive.size()) != cols)
    throw Error("device array: one drive entry per row and per column");
  for (Index k = 0; k < x0.size(); ++k)
    if (!std::isfinite(x0(k))) throw Error("device array: initial state is not finite");
  if ((!row_driver_ohm.empty() && static_cast<Index>(row_driver_ohm.size()) != rows) ||
      (!col_driver_ohm.empty() && static_cast<Index>(col_driver_ohm.size()) != cols))
    throw Error("device array: driver resistances: one per row / column (or none)");
  for (double r : row_driver_ohm) if (!(r >= 0.0) || !std::isfinite(r)) throw Error("device array: driver resistance must be >= 0");
  for (double r : col_driver_ohm) if (!(r >= 0.0) || !std::isfinite(r)) throw Error("device array: driver resistance must be >= 0");
  for (std::size_t i = 0; i < row_drive.size(); ++i)
    if (row_drive[i]) row_drive[i]->validate(fmt::format("row {} drive", i));
  for (std::size_t j = 0; j < col_drive.size(); ++j)
    if (col_drive[j]) col_drive[j]->validate(fmt::format("column {} drive", j));
  bool any = false;
  for (const auto& d : row_drive) any = any || d.has_value();
  for (const auto& d : col_drive) any = any || d.has_value();
  if (!any) throw Error("device array: at least one line must be driven");
}

// ---- ngspice ------------------------------------------------------------------------------------

std::string deviceArrayDeck(const DeviceArrayCircuit& c, const DeviceTransientOptions& o) {
  c.validate();
  const device::DeviceModel& m = *c.model;
  std::string deck = fmt::format("* xbarsim device array {}x{} of {} (r_row {} ohm, r_col {} ohm)\n",
                                 c.rows, c.cols, m.spiceSubcircuit(), spiceNumber(c.r_row_ohm),
                                 spiceNumber(c.r_col_ohm));
  deck += fmt::format("* ---- devices/{} ----\n{}\n* ---- end of devices/{} ----\n",
                      m.spiceLibraryFile(), m.spiceLibrary(), m.spiceLibraryFile());
  for (Index i = 0; i < c.rows; ++i)
    if (const auto& d = c.row_drive[static_cast<std::size_t>(i)]) {
      if (c.rowDriverOhm(i) > 0.0)
        deck += fmt::format("vr{} src_r{} 0 {}\nrdr{} src_r{} drv_r{} {}\n", i, i, pwlText(*d), i, i, i,
                            spiceNumber(c.rowDriverOhm(i)));
      else
        deck += fmt::format("vr{} drv_r{} 0 {}\n", i, i, pwlText(*d));
    }
  for (Index j = 0; j < c.cols; ++j)
    if (const auto& d = c.col_drive[static_cast<std::size_t>(j)]) {
      if (c.colDriverOhm(j) > 0.0)
        deck += fmt::format("vc{} src_c{} 0 {}\nrdc{} src_c{} drv_c{} {}\n", j, j, pwlText(*d), j, j, j,
                            spiceNumber(c.colDriverOhm(j)));
      else
        deck += fmt::format("vc{} drv_c{} 0 {}\n", j, j, pwlText(*d));
    }
  if (c.r_row_ohm > 0.0) {
    const std::string r = spiceNumber(c.r_row_ohm);
    for (Index i = 0; i < c.rows; ++i)
      for (Index j = 0; j < c.cols; ++j) {
        if (j == 0 && !c.row_drive[static_cast<std::size_t>(i)]) continue;
        const std::string a = j == 0 ? fmt::format("drv_r{}", i) : fmt::format("r{}_{}", i, j - 1);
        deck += fmt::format("rrow{}_{} {} r{}_{} {}\n", i, j, a, i, j, r);
      }
  }
  if (c.r_col_ohm > 0.0) {
    const std::string r = spiceNumber(c.r_col_ohm);
    for (Index j = 0; j < c.cols; ++j)
      for (Index i = 0; i < c.rows; ++i) {
        if (i == c.rows - 1 && !c.col_drive[static_cast<std::size_t>(j)]) continue;
        const std::string b = i == c.rows - 1 ? fmt::format("drv_c{}", j) : fmt::format("c{}_{}", i + 1, j);
        deck += fmt::format("rcol{}_{} c{}_{} {} {}\n", i, j, i, j, b, r);
      }
  }
  for (Index i = 0; i < c.rows; ++i)
    for (Index j = 0; j < c.cols; ++j)
      deck += m.spiceInstance(fmt::format("d{}_{}", i, j), rowNode(c, i, j), colNode(c, i, j),
                              c.x0(i, j)) + "\n";
  const double tstep = o.t_stop_s / (o.points - 1);
  // tmax = tstep/10: the linear interpolation onto the grid then stays accurate even where the
  // current grows exponentially with an edge of the drive.
  const double tmax = o.max_step_s > 0.0 ? o.max_step_s : tstep / 10.0;
  deck += fmt::format(".options reltol={} abstol=1e-15 vntol={} chgtol=1e-20 trtol=1 method=gear\n",
                      spiceNumber(o.rel_tol), spiceNumber(o.abs_tol_v));
  if (m.variationStep() > 0.0)  // the trrandom sources of the variation (ngspice seeds are >= 1)
    deck += fmt::format(".options seed={}\n", o.seed % 2147483646u + 1u);
  deck += fmt::format(".tran {} {} 0 {}\n.end\n", spiceNumber(tstep), spiceNumber(o.t_stop_s),
                      spiceNumber(tmax));
  return deck;
}

DeviceTransientResult transientNgspice(const DeviceArrayCircuit& c, const DeviceTransientOptions& o) {
  if (o.points < 2 || !(o.t_stop_s > 0.0)) throw Error("device transient: need t_stop > 0 and >= 2 points");
  const auto start = Clock::now();
  spice::Session& session = spice::Session::instance();
  session.loadCircuit(deviceArrayDeck(c, o));
  session.command("run");
  DeviceTransientResult r;
  r.backend = "ngspice";
  // ngspice's own `.options interp` shifts values by a fraction of a step (measured with
  // ngspice 39: v = 1.00028 V at t = 1 ms on a 1 V/ms ramp), so the raw time points are read
  // and interpolated linearly onto the uniform output grid here.
  const std::vector<double> t = session.realVector("time");
  const std::size_t raw = t.size();
  const Index n = o.points;
  r.t_s = Eigen::VectorXd::LinSpaced(n, 0.0, o.t_stop_s);
  std::vector<std::size_t> left(static_cast<std::size_t>(n));
  std::vector<double> weight(static_cast<std::size_t>(n));
  for (Index p = 0; p < n; ++p) {
    const double tp = r.t_s[p];
    const auto it = std::upper_bound(t.begin(), t.end(), tp);
    std::size_t k = it == t.begin() ? 0 : static_cast<std::size_t>(it - t.begin()) - 1;
    if (k + 1 >= raw) k = raw >= 2 ? raw - 2 : 0;
    left[static_cast<std::size_t>(p)] = k;
    weight[static_cast<std::size_t>(p)] =
        raw >= 2 ? std::clamp((tp - t[k]) / (t[k + 1] - t[k]), 0.0, 1.0) : 0.0;
  }
  r.row_current_a = Eigen::MatrixXd::Zero(n, c.rows);
  r.col_current_a = Eigen::MatrixXd::Zero(n, c.cols);
  r.state.resize(n, c.rows * c.cols);
  auto read = [&](const std::string& name, Eigen::Ref<Eigen::VectorXd> out, double scale) {
    const std::vector<double> v = session.realVector(name);
    if (v.size() != raw) throw SpiceError(name, {fmt::format("{} points, expected {}", v.size(), raw)});
    for (Index p = 0; p < n; ++p) {
      const std::size_t k = left[static_cast<std::size_t>(p)];
      const double w = weight[static_cast<std::size_t>(p)];
      out[p] = scale * (raw >= 2 ? (1.0 - w) * v[k] + w * v[k + 1] : v[0]);
    }
  };
  for (Index i = 0; i < c.rows; ++i)
    if (c.row_drive[static_cast<std::size_t>(i)]) read(fmt::format("vr{}#branch", i), r.row_current_a.col(i), -1.0);
  for (Index j = 0; j < c.cols; ++j)
    if (c.col_drive[static_cast<std::size_t>(j)]) read(fmt::format("vc{}#branch", j), r.col_current_a.col(j), 1.0);
  const double scale = c.model->stateInfo().spice_scale;
  for (Index i = 0; i < c.rows; ++i)
    for (Index j = 0; j < c.cols; ++j)
      read(fmt::format("v(xd{}_{}.x)", i, j), r.state.col(i * c.cols + j), scale);
  r.steps = static_cast<long>(raw);
  r.final_state.resize(c.rows, c.cols);
  for (Index i = 0; i < c.rows; ++i)
    for (Index j = 0; j < c.cols; ++j) r.final_state(i, j) = r.state(n - 1, i * c.cols + j);
  session.clear();
  r.wall_s = std::chrono::duration<double>(Clock::now() - start).count();
  return r;
}

DeviceTransientResult transient(std::string_view backend, const DeviceArrayCircuit& c,
                                const DeviceTransientOptions& o) {
  DeviceTransientResult r;
  if (backend == "ngspice")
    r = transientNgspice(c, o);
  else if (backend == "native")
    r = transientNative(c, o);
  else
    throw Error(fmt::format("unknown backend \"{}\": choose ngspice or native", backend));
  requireFinite(r.row_current_a, "transient row current", "time point", "row");
  requireFinite(r.col_current_a, "transient column current", "time point", "column");
  requireFinite(r.state, "transient cell state", "time point", "cell");
  return r;
}

// ---- static I-V ---------------------------------------------------------------------------------

Eigen::VectorXd ivSweepNative(const device::DeviceModel& model, double x, const Eigen::VectorXd& v_v) {
  Eigen::VectorXd i(v_v.size());
  for (Index k = 0; k < v_v.size(); ++k) i[k] = model.current(v_v[k], x);
  return i;
}

Eigen::VectorXd ivSweepNgspice(const device::DeviceModel& model, double x, const Eigen::VectorXd& v_v) {
  // One deck per sweep: a selector source steps through the voltages (pwl of a dummy node).
  if (v_v.size() < 1) return {};
  std::string deck = fmt::format("* xbarsim I-V sweep of {}\n", model.spiceSubcircuit());
  deck += fmt::format("{}\n", model.spiceLibrary());
  deck += "vsel sel 0 dc 0\nbin in 0 v = pwl(v(sel)";
  for (Index k = 0; k < v_v.size(); ++k) deck += fmt::format(", {}, {}", k, spiceNumber(v_v[k]));
  if (v_v.size() == 1) deck += fmt::format(", 1, {}", spiceNumber(v_v[0]));
  deck += ")\nvprobe in te dc 0\n";
  deck += model.spiceInstance("d", "te", "0", x) + "\n.options reltol=1e-9 abstol=1e-18 vntol=1e-12\n.end\n";
  spice::Session& session = spice::Session::instance();
  session.loadCircuit(deck);
  session.command(fmt::format("dc vsel 0 {} 1", std::max<Index>(v_v.size() - 1, 1)));
  const std::vector<double> i = session.realVector("vprobe#branch");
  if (static_cast<Index>(i.size()) < v_v.size())
    throw SpiceError("dc vsel", {fmt::format("{} points for {} voltages", i.size(), v_v.size())});
  Eigen::VectorXd out(v_v.size());
  for (Index k = 0; k < v_v.size(); ++k) out[k] = i[static_cast<std::size_t>(k)];
  session.clear();
  return out;
}

}  // namespace xbarsim::extract
