// SPDX-License-Identifier: MIT
#pragma once
/// @file Single-cell reads with every other line floating: how far sneak paths through the
/// unselected cells move the conductance a read of cell (i,j) measures.
///
/// Cell (i,j) is read with row i driven at its input (through r_driver and its row wire) and
/// column j held at 0 V at its sense node; every other row input and column sense node floats.
/// The network is the canonical crossbar (crossbar_spec.hpp) as a linear small-signal circuit:
/// every cell is a conductance g_s(i,j) (sinh cells linearised at 0 V, access devices left
/// out) and the sense node is ideal. The measured conductance is G_read = 1/R_eff, where R_eff
/// is the resistance between the two terminals.

#include <Eigen/Core>

#include "xbarsim/circuit/crossbar_spec.hpp"

namespace xbarsim::circuit {

/// Relative read error of every cell, R×C: (G_read(i,j) − g_s(i,j)) / g_s(i,j). −1 where row
/// i and column j are not connected at all (nothing is read), NaN where g_s(i,j) = 0 or the
/// network cannot be solved. @throws xbarsim::Error if g_s is not R×C.
[[nodiscard]] Eigen::MatrixXd sneakReadError(const CrossbarSpec& spec);

/// Mean and maximum of |error| over the cells where it is finite; NaN when there is none.
struct SneakReadSummary {
  double mean_abs;
  double max_abs;
};
[[nodiscard]] SneakReadSummary summarizeSneakRead(const Eigen::MatrixXd& error);

}  // namespace xbarsim::circuit
