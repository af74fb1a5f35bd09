// SPDX-License-Identifier: MIT
#pragma once
/// @file One interface, two circuit backends (docs/architecture.md §5): `ngspice` (the reference,
/// through libngspice) and `native` (sparse MNA). Both solve the same CrossbarSpec.
///
/// Effective weights: W_eff[j][i] = dI_j/dV_i at the read operating point (C×R, siemens).
/// For a linear circuit (linear cells, ideal sense) W_eff is exact and input-independent; it
/// is measured with one-hot inputs of amplitude v_read_v (W = I(v_read e_i)/v_read). For a
/// non-linear circuit (sinh cells, TIA) the read operating point is every row at v_read_v and
/// W_eff is the small-signal Jacobian there (ngspice: one AC analysis per input).

#include <Eigen/Core>
#include <memory>
#include <string>
#include <string_view>

#include "xbarsim/circuit/crossbar_spec.hpp"

namespace xbarsim::extract {

struct Timing {
  double setup_s = 0.0;  ///< netlist generation and circuit load / matrix assembly
  double solve_s = 0.0;  ///< analyses / factorizations and solves
};

struct WeightResult {
  Eigen::MatrixXd weff_s;  ///< C×R effective weights (S)
  std::string method;      ///< how they were obtained (e.g. "dc-sweep", "ac", "schur")
  Timing timing;
};

/// Array power of a read (docs/energy.md §1): the power the row drivers deliver, Σ_i V_i·I_i,
/// less the power the column currents deliver into amplifiers that do not hold their input
/// (Σ_j v_j·I_j; 0 for a virtual ground): the DC dissipation in cells, wires and driver
/// resistances at the operating point, sneak paths and IR drop included.
struct CurrentResult {
  Eigen::VectorXd currents_a;  ///< C column currents (A) for one input vector
  Timing timing;
  double power_w = 0.0;        ///< array power (W)
};

struct BatchCurrentResult {
  Eigen::MatrixXd currents_a;  ///< C×K column currents (A), one column per input vector
  Timing timing;
  Eigen::VectorXd power_w;     ///< K array powers (W), one per input vector
};

class Backend {
 public:
  virtual ~Backend() = default;
  /// "ngspice" or "native".
  [[nodiscard]] virtual std::string_view name() const noexcept = 0;
  /// Version of the solver the numbers come from: libngspice's, as its banner prints it
  /// ("ngspice-39"); for the native solver the version of this xbarsim build.
  [[nodiscard]] virtual std::string version() const = 0;
  /// W_eff of the circuit (see the file comment for the definition).
  [[nodiscard]] virtual WeightResult effectiveWeights(const circuit::CrossbarSpec& spec,
                                                      double v_read_v) = 0;
  /// Column currents for row voltages x_v (size R): the MVM the circuit really computes.
  [[nodiscard]] virtual CurrentResult currents(const circuit::CrossbarSpec& spec,
                                               const Eigen::VectorXd& x_v) = 0;
  /// Column currents for K input vectors x_v (R×K, one vector per column): C×K. The default
  /// solves one vector after the other; the native solver shares one factorization.
  [[nodiscard]] virtual BatchCurrentResult currentsBatch(const circuit::CrossbarSpec& spec,
                                                         const Eigen::MatrixXd& x_v);
  /// Also compute the array power of every read (power_w of the current results; empty /
  /// 0 when off, the default: the native solver then solves each vector's node voltages once
  /// more, and ngspice keeps the source currents in its plots).
  void setArrayPower(bool on) noexcept { array_power_ = on; }
  [[nodiscard]] bool arrayPower() const noexcept { return array_power_; }

 private:
  bool array_power_ = false;
};

/// Last guard before results leave a backend (and reach HDF5): throws NumericalError naming
/// the first non-finite entry, e.g. "W_eff [2][5] (output 2, input 5) is nan". `row_name` /
/// `col_name` label the indices ("output", "input"); a vector is a one-column matrix.
void requireFinite(const Eigen::MatrixXd& values, std::string_view what, std::string_view row_name,
                   std::string_view col_name = {});

/// What a result file records as /provenance backend_version: the version of a solver outside
/// xbarsim (ngspice); empty for the native solver, whose version is the file's xbarsim_version.
[[nodiscard]] std::string provenanceVersion(const Backend& backend);

/// "ngspice" or "native"; throws xbarsim::Error for any other name.
[[nodiscard]] std::unique_ptr<Backend> makeBackend(std::string_view name);

}  // namespace xbarsim::extract
