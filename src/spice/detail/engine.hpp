// SPDX-License-Identifier: MIT
#pragma once
/// @file The libngspice session itself, as run inside the ngspice worker process
/// (src/spice/worker.cpp). Its behaviour, traps handled and error reports are those documented
/// for spice::Session (include/xbarsim/spice/session.hpp), which forwards every call here
/// through the worker's pipe. One Engine per process (libngspice keeps its state in globals).

#include <complex>
#include <memory>
#include <string>
#include <vector>

#include "xbarsim/spice/session.hpp"

namespace xbarsim::spice::detail {

using SolveDiagnostics = Session::SolveDiagnostics;

class Engine {
 public:
  /// Initialises libngspice (ngSpice_Init) in the calling process and thread; at most once
  /// per process.
  Engine();
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  void loadCircuit(const std::string& netlist);
  void command(const std::string& cmd);
  void runDeck(const std::string& netlist, const std::vector<std::string>& commands);
  [[nodiscard]] std::vector<std::string> plotNames() const;
  [[nodiscard]] const SolveDiagnostics& lastSolveDiagnostics() const noexcept;
  [[nodiscard]] std::vector<double> realVector(const std::string& name) const;
  [[nodiscard]] std::vector<std::complex<double>> complexVector(const std::string& name) const;
  [[nodiscard]] std::vector<std::string> vectorNames() const;
  void clear();
  std::vector<std::string> takeOutput();
  std::vector<std::string> takeWarnings();
  [[nodiscard]] std::string version() const;
  [[nodiscard]] bool hasCircuit() const;
  [[nodiscard]] bool isAlive() const noexcept;

  /// The array side of a lock-step co-simulation (docs/cosim.md): the linear multiport of
  /// the crossbar seen from its R row ports and C column ports, reduced by the native solver
  /// in the parent process. Port currents (out of the periphery node into the array):
  ///   rows    I_r = M·(v_r − v̄),   columns  I_c = −W·(v_r − v̄) + diag(W·1)·(v_c − v̄),
  /// v̄ the mean column-port voltage.
  struct CoSimArray {
    std::vector<std::string> row_nodes;  ///< R periphery nodes the rows attach to
    std::vector<std::string> col_nodes;  ///< C periphery nodes the columns attach to
    std::vector<double> w;               ///< C×R effective weights, row-major (S)
    std::vector<double> m;               ///< R×R input admittance, row-major (S)
  };
  struct CoSimOptions {
    double max_step_s = 0.0;       ///< largest time step ngspice may take (0 = ngspice's)
    double current_tol = 1e-3;     ///< step control: relative change of the port currents
    double current_abs_a = 1e-12;  ///< ... plus this absolute floor (A)
    bool extrapolate = true;       ///< extrapolate the currents linearly within a step
  };
  struct CoSimStats {
    long long exchanges = 0;  ///< accepted time points at which the currents were updated
    long long shortened = 0;  ///< steps shortened by the coupling's step control
    long long loads = 0;      ///< external-source evaluations (ngspice loads × ports)
    double exchange_s = 0.0;  ///< wall time spent in the array evaluation
  };
  /// Loads `netlist` (the periphery; .end last) with the coupling elements added, runs
  /// `analysis` (a `tran` command) with the array exchanged at every accepted time point,
  /// and returns the requested vectors. Afterwards the session retires (isAlive() false):
  /// libngspice 39 keeps the sync hooks installed for good, so the worker is replaced.
  CoSimStats coSimulate(const std::string& netlist, const std::string& analysis,
                        const CoSimArray& array, const CoSimOptions& options,
                        const std::vector<std::string>& vectors,
                        std::vector<std::vector<double>>& values);

 private:
  void loadDeck(const std::string& netlist, const std::vector<std::string>& control);

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace xbarsim::spice::detail
