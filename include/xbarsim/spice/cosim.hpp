// SPDX-License-Identifier: MIT
#pragma once
/// @file Lock-step co-simulation of an ngspice periphery deck with the native array solver
/// (docs/cosim.md).
///
/// ngspice simulates the periphery (row drivers, integrators, comparators, ...) with the
/// crossbar replaced, at each of its R row ports and C column ports, by a Norton equivalent:
/// a conductance g_k to ground and an EXTERNAL current source whose value the array side sets.
/// At every accepted time point the port voltages are read from ngspice and the array's port
/// currents f(v) are evaluated; the source then holds J_k = f_k(v*) − g_k·v*_k (extrapolated
/// linearly in time from the last two exchanges), so that the periphery sees
/// g_k·(v_k − v*_k) + f_k(v*) ≈ f_k(v). The error is controlled by the step: the coupling
/// halves ngspice's next step when the currents moved by more than the tolerance, and
/// `max_step_s` bounds every step.
///
/// The array side: the native solver reduces the crossbar to its port multiport in this
/// process (W_eff, C×R, and the input admittance M, R×R); the exchange itself runs inside the
/// ngspice worker process in the sync callback (no pipe round trip per time step). This needs
/// a linear array (1R linear cells, ideal sense in the spec: the periphery senses).
///
/// ```cpp
/// xbarsim::spice::CoSimRequest request;
/// request.periphery = deck;                // title ... .end; rows at in<i>, columns at out<j>
/// request.analysis = "tran 1n 2u";
/// request.array = spec;                    // circuit::CrossbarSpec
/// request.vectors = {"v(o0)", "time"};
/// auto result = xbarsim::spice::coSimulate(xbarsim::spice::Session::instance(), request);
/// ```
#include <string>
#include <vector>

#include "xbarsim/circuit/crossbar_spec.hpp"
#include "xbarsim/spice/session.hpp"

namespace xbarsim::spice {

struct CoSimRequest {
  std::string periphery;  ///< the periphery deck (first line title, `.end` last)
  std::string analysis;   ///< a `tran` command, e.g. "tran 1n 2u"
  circuit::CrossbarSpec array;
  /// Periphery nodes of the R rows and C columns (default: in<i> and out<j>, the array port
  /// names of generated decks).
  std::vector<std::string> row_nodes;
  std::vector<std::string> col_nodes;
  std::vector<std::string> vectors;  ///< ngspice vectors to return ("time", "v(o0)", ...)
  double max_step_s = 0.0;           ///< largest step (0: ngspice's own choice)
  double current_tol = 1e-3;         ///< step control: relative change of the port currents
  double current_abs_a = 1e-12;      ///< ... plus this absolute floor (A)
  bool extrapolate = true;           ///< linear extrapolation of the currents within a step
};

struct CoSimResult {
  std::vector<std::vector<double>> values;  ///< one per CoSimRequest::vectors
  long long exchanges = 0;  ///< accepted time points (one array evaluation each)
  long long shortened = 0;  ///< steps halved by the coupling's step control
  long long loads = 0;      ///< external-source evaluations
  double exchange_s = 0.0;  ///< time spent in the array evaluations (worker)
  double reduce_s = 0.0;    ///< time of the native multiport reduction (this process)
  double total_s = 0.0;     ///< wall time of the call
};

/// Runs the co-simulation in the session's worker (which is replaced afterwards: libngspice
/// keeps sync hooks installed). Throws xbarsim::Error for an array the coupling cannot take
/// (non-linear cells or sense), SpiceError for ngspice's errors in the deck.
[[nodiscard]] CoSimResult coSimulate(Session& session, const CoSimRequest& request);

}  // namespace xbarsim::spice
