// SPDX-License-Identifier: MIT
#include "xbarsim/extract/array_ops.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>

#include "xbarsim/core/error.hpp"

namespace xbarsim::extract {

using Index = Eigen::Index;

std::string_view toString(Bias bias) noexcept {
  switch (bias) {
    case Bias::HalfV: return "v/2";
    case Bias::ThirdV: return "v/3";
    case Bias::Floating: return "floating";
  }
  return "?";
}

Bias biasFromString(std::string_view text) {
  if (text == "v/2") return Bias::HalfV;
  if (text == "v/3") return Bias::ThirdV;
  if (text == "floating") return Bias::Floating;
  throw Error(fmt::format("unknown bias scheme \"{}\": choose v/2, v/3 or floating", text));
}

DeviceArrayCircuit biasedCircuit(const ArraySpec& a, Index row, Index col, Bias bias, const Pwl& shape,
                                 double v_v) {
  if (!a.model) throw Error("array operation: no device model");
  const Index R = a.x0.rows(), C = a.x0.cols();
  if (row < 0 || row >= R || col < 0 || col >= C)
    throw Error(fmt::format("array operation: cell ({}, {}) outside the {}x{} array", row, col, R, C));
  DeviceArrayCircuit c;
  c.rows = R;
  c.cols = C;
  c.r_row_ohm = a.r_row_ohm;
  c.r_col_ohm = a.r_col_ohm;
  c.model = a.model;
  c.x0 = a.x0;
  c.row_drive.resize(static_cast<std::size_t>(R));
  if (a.r_compliance_ohm > 0.0) {
    c.col_driver_ohm.assign(static_cast<std::size_t>(C), 0.0);
    c.col_driver_ohm[static_cast<std::size_t>(col)] = a.r_compliance_ohm;
  }
  c.col_drive.resize(static_cast<std::size_t>(C));
  const double row_other = bias == Bias::HalfV ? 0.5 : 1.0 / 3.0;
  const double col_other = bias == Bias::HalfV ? 0.5 : 2.0 / 3.0;
  for (Index i = 0; i < R; ++i) {
    if (i == row) c.row_drive[static_cast<std::size_t>(i)] = shape.scaled(v_v);
    else if (bias != Bias::Floating) c.row_drive[static_cast<std::size_t>(i)] = shape.scaled(row_other * v_v);
  }
  for (Index j = 0; j < C; ++j) {
    if (j == col) c.col_drive[static_cast<std::size_t>(j)] = Pwl::constant(0.0);
    else if (bias != Bias::Floating) c.col_drive[static_cast<std::size_t>(j)] = shape.scaled(col_other * v_v);
  }
  return c;
}

WriteDisturbResult writeDisturb(std::string_view backend, const ArraySpec& a, Index row, Index col,
                                Bias bias, double v_v, double width_s, double edge_s,
                                const DeviceTransientOptions& options) {
  const Pwl shape = Pwl::pulse(1.0, edge_s, edge_s, width_s, edge_s);
  const DeviceArrayCircuit c = biasedCircuit(a, row, col, bias, shape, v_v);
  WriteDisturbResult r;
  r.transient = transient(backend, c, options);
  r.dx = r.transient.final_state - a.x0;
  for (Index i = 0; i < a.x0.rows(); ++i)
    for (Index j = 0; j < a.x0.cols(); ++j) {
      const double d = std::abs(r.dx(i, j));
      if (i == row && j == col) {
        r.selected_dx = r.dx(i, j);
      } else if (i == row || j == col) {
        r.max_half_selected_dx = std::max(r.max_half_selected_dx, d);
        ++r.half_selected;
      } else {
        r.max_unselected_dx = std::max(r.max_unselected_dx, d);
      }
    }
  return r;
}

ReadResult readCell(std::string_view backend, const ArraySpec& a, Index row, Index col, Bias bias,
                    double v_read_v) {
  const DeviceArrayCircuit c = biasedCircuit(a, row, col, bias, Pwl::constant(1.0), v_read_v);
  DeviceTransientOptions o;
  o.t_stop_s = 1e-9;
  o.points = 2;
  const DeviceTransientResult t = transient(backend, c, o);
  ReadResult r;
  r.current_a = t.col_current_a(t.col_current_a.rows() - 1, col);
  r.cell_current_a = a.model->current(v_read_v, a.x0(row, col));
  r.relative_error = r.cell_current_a != 0.0 ? r.current_a / r.cell_current_a - 1.0 : 0.0;
  return r;
}

ProgramArrayResult programArray(std::string_view backend, const ArraySpec& a,
                                const Eigen::MatrixXd& target_g_s, const ProgramArrayOptions& opt) {
  if (!a.model) throw Error("programArray: no device model");
  const Index R = a.x0.rows(), C = a.x0.cols();
  if (target_g_s.rows() != R || target_g_s.cols() != C)
    throw Error(fmt::format("programArray: target is {}x{}, the array {}x{}", target_g_s.rows(),
                            target_g_s.cols(), R, C));
  if (!(target_g_s.array() > 0.0).all() || !target_g_s.allFinite())
    throw Error("programArray: target conductances must be positive and finite");
  if (!(opt.v_read_v > 0.0) || !(opt.tolerance > 0.0) || opt.max_pulses < 0 || !(opt.width_s > 0.0) ||
      !(opt.edge_s > 0.0) || !(opt.v_set_v > 0.0) || !(opt.v_reset_v > 0.0) || !(opt.v_step_v >= 0.0) ||
      !(opt.v_max_v > 0.0) || !(opt.width_shrink > 0.0 && opt.width_shrink <= 1.0) ||
      !(opt.min_width_fraction > 0.0 && opt.min_width_fraction <= 1.0))
    throw Error("programArray: invalid options (positive voltages, widths and tolerance; "
                "width_shrink and min_width_fraction in (0, 1])");
  const auto t0 = std::chrono::steady_clock::now();
  const device::DeviceModel& m = *a.model;
  const auto readG = [&](double x) { return m.current(opt.v_read_v, x) / opt.v_read_v; };

  ArraySpec work = a;
  ProgramArrayResult r;
  r.verify_g_s = Eigen::MatrixXd::Zero(R, C);
  r.verify_error = Eigen::MatrixXd::Zero(R, C);
  r.pulses = Eigen::MatrixXi::Zero(R, C);
  r.converged = Eigen::MatrixXi::Zero(R, C);
  for (Index i = 0; i < R; ++i)
    for (Index j = 0; j < C; ++j) {
      const double target = target_g_s(i, j);
      int polarity = 0, run = 0, reversals = 0, n = 0;
      double g = readG(work.x0(i, j));
      while (std::abs(g / target - 1.0) > opt.tolerance && n < opt.max_pulses) {
        const int want = g < target ? 1 : -1;
        if (want == polarity) {
          ++run;
        } else {
          if (polarity != 0) ++reversals;
          polarity = want;
          run = 0;
        }
        const double start = polarity > 0 ? opt.v_set_v : opt.v_reset_v;
        const double v = polarity * std::min(start + opt.v_step_v * run, opt.v_max_v);
        const double width =
            opt.width_s * std::max(std::pow(opt.width_shrink, reversals), opt.min_width_fraction);
        DeviceTransientOptions to = opt.transient;
        to.t_stop_s = width + 4.0 * opt.edge_s;
        const WriteDisturbResult w = writeDisturb(backend, work, i, j, opt.bias, v, width, opt.edge_s, to);
        r.max_disturb_dx = std::max({r.max_disturb_dx, w.max_half_selected_dx, w.max_unselected_dx});
        work.x0 = w.transient.final_state;
        ++n;
        g = readG(work.x0(i, j));
      }
      r.pulses(i, j) = n;
      r.total_pulses += n;
      r.verify_g_s(i, j) = g;
      r.verify_error(i, j) = g / target - 1.0;
      r.converged(i, j) = std::abs(g / target - 1.0) <= opt.tolerance ? 1 : 0;
    }
  r.final_state = work.x0;
  r.read_g_s = r.final_state.unaryExpr(readG);
  r.final_error = (r.read_g_s.array() / target_g_s.array() - 1.0).matrix();
  r.max_verify_error = r.verify_error.cwiseAbs().maxCoeff();
  r.max_final_error = r.final_error.cwiseAbs().maxCoeff();
  r.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

}  // namespace xbarsim::extract
