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

 private:
  void loadDeck(const std::string& netlist, const std::vector<std::string>& control);

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace xbarsim::spice::detail
