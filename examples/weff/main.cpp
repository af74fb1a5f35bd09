// SPDX-License-Identifier: MIT
// Effective weights of a 4x3 crossbar with wire resistance, through the native solver, next to
// the ideal weights G^T. Usage: weff [r_wire_ohm] (row and column wire segment, default 2.5).
// Built against an installed xbarsim (CMakeLists.txt); tests/integration/package runs it.
#include <cstdlib>
#include <iostream>

#include <Eigen/Core>

#include "xbarsim/circuit/crossbar_spec.hpp"
#include "xbarsim/circuit/native_solver.hpp"
#include "xbarsim/device/device_card.hpp"

int main(int argc, char** argv) {
  const double r_wire_ohm = argc > 1 ? std::atof(argv[1]) : 2.5;

  xbarsim::circuit::CrossbarSpec spec;  // linear 1R cells, ideal (0 V) sense amplifiers
  spec.rows = 4;
  spec.cols = 3;
  spec.r_row_ohm = r_wire_ohm;
  spec.r_col_ohm = r_wire_ohm;
  spec.g_s.resize(spec.rows, spec.cols);  // R×C cell conductances, 1 to 25 uS
  for (Eigen::Index i = 0; i < spec.rows; ++i)
    for (Eigen::Index j = 0; j < spec.cols; ++j) spec.g_s(i, j) = 1e-6 * (1 + 2 * i + 8 * j);

  xbarsim::circuit::NativeSolver solver(spec);
  const Eigen::MatrixXd w_eff = solver.effectiveWeights();  // C×R, W_eff[j][i] = dI_j/dV_i (S)
  const Eigen::MatrixXd ideal = spec.g_s.transpose();

  const Eigen::IOFormat rows(Eigen::FullPrecision, 0, " ", "\n");
  std::cout << "r_wire_ohm " << r_wire_ohm << "\ng_s\n"
            << spec.g_s.format(rows) << "\nw_eff\n"
            << w_eff.format(rows) << "\nmax_relative_deviation_from_ideal "
            << (w_eff - ideal).cwiseAbs().maxCoeff() / ideal.cwiseAbs().maxCoeff() << "\n";
  // The device cards of devices/ are compiled into the library: no source tree needed.
  std::cout << "builtin_device_cards " << xbarsim::device::builtinCardNames().size() << "\n";
}
