// SPDX-License-Identifier: MIT
#pragma once
/// @file Static law of one crossbar cell for the native solvers (private header).
///
/// A cell joins row node a to column node b; I flows a → b. 1R is the memory element alone.
/// 1S1R and 1T1R have an internal node m between the memory element and the access device;
/// m is eliminated per cell (static condensation): a scalar, bracketed Newton solves
/// KCL at m for given (V_a, V_b), so the global system keeps its R·C·2 unknowns.
///
/// Linearization: dI = g_a·dV_a − g_b·dV_b. Two-terminal cells (1R, 1S1R) have g_a = g_b =
/// g_1·g_2/(g_1 + g_2) for two elements in series. The 1T1R gate is held at an absolute
/// voltage, so V_b (the source) also moves V_gs: with the memory conductance g_mem, the
/// transistor's ∂I_d/∂V_d = g_d and −∂I_d/∂V_s = g_s (= g_d + g_m),
///   g_a = g_mem·g_d/(g_mem + g_d),   g_b = g_mem·g_s/(g_mem + g_d).

#include <algorithm>
#include <cmath>
#include <limits>

#include "xbarsim/circuit/crossbar_spec.hpp"

namespace xbarsim::circuit::detail {

struct CellEval {
  double i = 0.0;    ///< current a → b (A)
  double g_a = 0.0;  ///< ∂I/∂V_a (S)
  double g_b = 0.0;  ///< −∂I/∂V_b (S)
  double v_m = 0.0;  ///< internal node voltage (V, vs ground); V_a for 1R
  // Sensitivities of the memory voltage u (for stateful memory elements: the state enters
  // through I_mem(u, x), and u moves with x when an access device shares the current).
  double u = 0.0;        ///< voltage across the memory element (V)
  double g_mem = 0.0;    ///< ∂I_mem/∂u at u (S)
  double alpha_a = 1.0;  ///< ∂u/∂V_a
  double alpha_b = 1.0;  ///< −∂u/∂V_b
  double beta = 0.0;     ///< ∂u/∂p = −beta·∂I_mem/∂p for a parameter p of the memory element
};

/// Bracketed Newton for the root of a decreasing f on [lo, hi] (f(lo) >= 0 >= f(hi)), from x0.
/// Converges to the last representable digits: stops when a step no longer shrinks the
/// bracket or is below 2 ulp of the scale.
template <class F>
double bracketedNewton(F&& f, double lo, double hi, double x0) {
  const double scale = std::max({std::abs(lo), std::abs(hi), 1e-30});
  double x = std::clamp(x0, lo, hi);
  for (int it = 0; it < 200; ++it) {
    double df = 0.0;
    const double fx = f(x, df);
    if (fx == 0.0) return x;
    if (fx > 0.0) lo = x; else hi = x;
    double next = df < 0.0 ? x - fx / df : 0.5 * (lo + hi);
    if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
    const double step = std::abs(next - x);
    x = next;
    if (step <= 4.0 * std::numeric_limits<double>::epsilon() * scale ||
        hi - lo <= 4.0 * std::numeric_limits<double>::epsilon() * scale)
      break;
  }
  return x;
}

/// Evaluates a cell of `spec` whose memory element conducts memory(u, g) (the current at u,
/// its dI/du in g; increasing, memory(0) = 0) at terminal voltages (va, vb); g0 = dI/du at
/// u = 0 (initial guess of the internal node).
template <class Memory>
CellEval evalCellWith(const CrossbarSpec& spec, Memory&& memory, double g0, double va, double vb) {
  CellEval e;
  if (spec.cell == CellKind::OneR) {
    e.u = va - vb;
    e.i = memory(e.u, e.g_mem);
    e.g_a = e.g_b = e.g_mem;
    e.v_m = va;
    return e;
  }
  if (spec.cell == CellKind::OneS1R) {
    // a -selector- m -memory- b; unknown u = V_m − V_b in [min(0,V), max(0,V)].
    const auto& sel = spec.selector;
    const double v = va - vb;
    const auto f = [&](double u, double& df) {
      double gm = 0.0;
      const double im = memory(u, gm);
      df = -sel.conductance(v - u) - gm;
      return sel.current(v - u) - im;
    };
    const double gs0 = sel.conductance(0.0);
    const double u = bracketedNewton(f, std::min(0.0, v), std::max(0.0, v), v * gs0 / (gs0 + g0));
    const double gsel = sel.conductance(v - u);
    e.i = memory(u, e.g_mem);
    const double gmem = e.g_mem;
    e.g_a = e.g_b = gsel * gmem / (gsel + gmem);
    e.v_m = vb + u;
    e.u = u;
    e.alpha_a = e.alpha_b = gsel / (gsel + gmem);
    e.beta = 1.0 / (gsel + gmem);
    return e;
  }
  // 1T1R: a -memory- m = drain, source b, gate v_gate; unknown V_m in [min(va,vb), max(va,vb)].
  const auto& mos = spec.transistor;
  const double vg = spec.v_gate_v;
  const auto f = [&](double vm, double& df) {
    const device::MosCurrent id = mos.current(vg, vm, vb);
    double gm = 0.0;
    const double im = memory(va - vm, gm);
    df = -gm - id.gds_s;
    return im - id.id_a;
  };
  const double ron = mos.current(vg, vb, vb).gds_s;  // linear-region conductance at V_ds = 0
  const double x0 = ron > 0.0 ? vb + (va - vb) * g0 / (g0 + ron) : va;
  const double vm = bracketedNewton(f, std::min(va, vb), std::max(va, vb), x0);
  const device::MosCurrent id = mos.current(vg, vm, vb);
  e.i = memory(va - vm, e.g_mem);
  const double gmem = e.g_mem;
  const double gd = id.gds_s;              // ∂I_d/∂V_d
  const double gsrc = id.gds_s + id.gm_s;  // −∂I_d/∂V_s (see NmosAccess::current, both orientations)
  e.g_a = gmem * gd / (gmem + gd);
  e.g_b = gmem * gsrc / (gmem + gd);
  e.v_m = vm;
  e.u = va - vm;
  e.alpha_a = gd / (gmem + gd);
  e.alpha_b = gsrc / (gmem + gd);
  e.beta = 1.0 / (gmem + gd);
  return e;
}

/// Evaluates cell (i,j) of `spec` (static law, conductance g) at terminal voltages (va, vb).
inline CellEval evalCell(const CrossbarSpec& spec, double g, double va, double vb) {
  if (g == 0.0 && spec.cell != CellKind::OneR) {
    // open memory element: no current, m floats to the access-device side
    CellEval e;
    e.v_m = spec.cell == CellKind::OneS1R ? va : vb;
    return e;
  }
  const auto& law = spec.iv;
  const auto memory = [&](double u, double& gm) {
    gm = law.conductance(g, u);
    return law.current(g, u);
  };
  return evalCellWith(spec, memory, g, va, vb);
}

}  // namespace xbarsim::circuit::detail
