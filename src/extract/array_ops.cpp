// SPDX-License-Identifier: MIT
#include "xbarsim/extract/array_ops.hpp"

#include <fmt/format.h>

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

}  // namespace xbarsim::extract
