// SPDX-License-Identifier: MIT
#pragma once
/// @file ngspice netlist of the canonical crossbar (docs/architecture.md §4).
///
/// Names (documented in netlists/README.md; all lower case, deterministic order):
///   nodes    in<i> row i at the driver, d<i> source side of r_driver, r<i>_<j> row node of
///            cell (i,j), c<i>_<j> column node of cell (i,j), out<j> sense node of column j,
///            s<j>/o<j> TIA input/output, m<i>_<j> internal node of a 1S1R/1T1R cell, wl
///            1T1R word line (all gates)
///   elements vin<i> row source, rdrv<i> driver resistance, rrow<i>_<j> row segment feeding
///            cell (i,j), rcol<i>_<j> column segment below cell (i,j), rcell<i>_<j> / bcell<i>_<j>
///            memory element, xsel<i>_<j> 1S1R selector, macc<i>_<j> 1T1R access transistor,
///            vwl gate source, vout<j> 0 V probe whose current is I_j, xtia<j> amplifier;
///            transient decks: xcell<i>_<j> stateful memory element (state node
///            xcell<i>_<j>.x), crow<i>_<j> / ccol<i>_<j> / csense<j> line capacitances
/// A zero resistance merges its two nodes. Numbers are written with round-trip precision.

#include <Eigen/Core>
#include <string>

#include "xbarsim/circuit/crossbar_spec.hpp"
#include "xbarsim/circuit/native_transient.hpp"

namespace xbarsim::circuit {

enum class InputMode {
  Dc,           ///< vin<i> dc <inputs_v[i]> (ac 0): one operating point, alter-able
  OneHotSweep,  ///< bin<i> = pwl(v(sel)): "dc vsel 0 R-1 1" sweeps one-hot inputs of v_read_v
  /// The circuit of simulateTransient (NetlistOptions::transient): PWL row sources, the line
  /// capacitances (as the native transient: none on a node held by a source), stateful memory
  /// elements through the SPICE face of TransientSpec::cell_model, and `.tran` over the output
  /// grid (step t_stop/(output_points − 1), tmax a tenth of it). Ideal or TIA sense only.
  Transient,
};

struct NetlistOptions {
  InputMode mode = InputMode::Dc;
  Eigen::VectorXd inputs_v;    ///< Dc: row voltages (V); empty = every row at v_read_v
  double v_read_v = 0.2;       ///< read voltage (V)
  const TransientSpec* transient = nullptr;  ///< Transient mode only; not owned
  bool control_block = true;   ///< append .control (op / run, print I_j) for standalone `ngspice -b`
  std::string title;           ///< first line (default: a description of the array)
  /// Also keep the row-source currents i(vin<i>) and the sense nodes v(s<j>) of amplifiers that
  /// do not hold their input in the plots: what the array power needs (docs/energy.md §1).
  bool save_power = false;
};

/// ngspice's relative tolerance (`.options reltol`) in every generated DC / one-hot deck, with
/// abstol 1e-18 A and vntol 1e-12 V: operating points converged far below ngspice's defaults
/// (1e-3, 1 pA, 1 uV), so that both backends agree to about 1e-10. Transient decks keep the
/// defaults (their time-step control is the accuracy limit).
inline constexpr double kDeckRelTol = 1e-10;

/// The complete deck (title to .end). Throws xbarsim::Error if the spec is invalid.
[[nodiscard]] std::string crossbarNetlist(const CrossbarSpec& spec, const NetlistOptions& options);

/// Name of the ngspice vector holding I_j ("vout<j>#branch").
[[nodiscard]] std::string outputCurrentVector(Eigen::Index j);

}  // namespace xbarsim::circuit
