// SPDX-License-Identifier: MIT
#pragma once
/// @file The ngspice backend: generated netlists solved through libngspice (one session per
/// process, spice::Session; a W_eff extraction shares its analyses among the workers of
/// spice::Pool, with the same bits whatever their number).

#include <string>
#include <vector>

#include "xbarsim/extract/backend.hpp"

namespace xbarsim::core {
class Config;
}
namespace xbarsim::spice {
class Session;
}

namespace xbarsim::extract {

/// Small-signal transfer conductances of the circuit loaded in `session`: for each input
/// source k (a V source), one AC analysis with unit magnitude on k only (all other AC
/// magnitudes 0); W[j][k] = Re of output current vector j. ngspice linearises every device at
/// the DC operating point of the deck, so this is the exact Jacobian dI/dV there.
[[nodiscard]] WeightResult acTransferConductances(spice::Session& session,
                                                  const std::vector<std::string>& input_sources,
                                                  const std::vector<std::string>& output_vectors);

/// Runs one analysis command ("op", "dc ...", "ac ...") in `session` and makes sure ngspice
/// really solved the circuit. Throws NumericalError naming ngspice's trouble node when the
/// analysis failed to converge with a node named (time step too small, iteration limit) and
/// whenever ngspice reported a singular matrix, even if gmin/source stepping or its transient
/// operating point then returned numbers: a node without a DC path to a source has no
/// defined voltage. Other failures stay SpiceError.
/// With `netlist`, the deck is loaded and run in one go (spice::Session::runDeck: no
/// top-level ngspice command, so long runs stay flat in memory) and removed again.
void runAnalysis(spice::Session& session, const std::string& command,
                 const std::string* netlist = nullptr);
/// runAnalysis() of several commands (e.g. alter ..., ac ...), in one deck run with `netlist`.
void runAnalyses(spice::Session& session, const std::vector<std::string>& commands,
                 const std::string* netlist = nullptr);

/// Sets the limits of the process's ngspice workers (spice::Pool::setLimits) from
/// `config`: `run.ngspice_timeout_s` and `run.ngspice_memory_mb`, each overridden by its
/// environment variable when set (spice::Session::Limits::resolve), and their number
/// (`run.ngspice_workers`, spice::Pool::resolveWorkers). Call it, in the thread
/// that runs ngspice, wherever a configuration is loaded for a run that may use ngspice.
/// Throws xbarsim::Error on a malformed environment value.
void applyNgspiceLimits(const core::Config& config);

/// How the ngspice backend measures W_eff.
enum class NgspiceWeightMethod {
  Auto,     ///< DcSweep for linear circuits, Ac otherwise
  DcSweep,  ///< one "dc" sweep of a selector driving one-hot B-source inputs (one ordering)
  AlterOp,  ///< per input: alter the row sources, "op" (re-orders the matrix every time)
  Ac,       ///< op at the read point, then one "ac" small-signal analysis per input
};

class NgspiceBackend final : public Backend {
 public:
  explicit NgspiceBackend(NgspiceWeightMethod method = NgspiceWeightMethod::Auto) : method_(method) {}
  [[nodiscard]] std::string_view name() const noexcept override { return "ngspice"; }
  /// The version of the process's libngspice session (starts the session, in the calling
  /// thread, if nothing has yet).
  [[nodiscard]] std::string version() const override;
  [[nodiscard]] WeightResult effectiveWeights(const circuit::CrossbarSpec& spec,
                                              double v_read_v) override;
  [[nodiscard]] CurrentResult currents(const circuit::CrossbarSpec& spec,
                                       const Eigen::VectorXd& x_v) override;
  /// Several input vectors: one deck, loaded once; each further vector `alter`s the input
  /// sources and runs another operating point.
  [[nodiscard]] BatchCurrentResult currentsBatch(const circuit::CrossbarSpec& spec,
                                                 const Eigen::MatrixXd& x_v) override;

 private:
  NgspiceWeightMethod method_;
};

}  // namespace xbarsim::extract
