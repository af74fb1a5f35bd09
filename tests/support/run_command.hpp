// SPDX-License-Identifier: MIT
#pragma once
// Test helpers: run a shell command, capture its output; parse `print` lines of standalone
// ngspice ("i(vout0) = 1.2e-05").

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

#include "temp_dir.hpp"  // TempDir, for the tests that include only this header

namespace xbarsim::test {

struct CommandResult {
  int status = -1;     ///< exit status
  std::string output;  ///< stdout (and stderr if redirected in the command)
};

inline CommandResult runCommand(const std::string& command) {
  CommandResult result;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("popen failed: " + command);
  std::array<char, 4096> buffer{};
  std::size_t n = 0;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) result.output.append(buffer.data(), n);
  const int raw = ::pclose(pipe);
  result.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  return result;
}

/// `s` quoted for sh (single quotes; a quote inside becomes '\'').
inline std::string shellQuote(const std::string& s) {
  std::string q = "'";
  for (char ch : s) q += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
  return q + "'";
}

/// Values of `name = value` lines as printed by ngspice's `print` (real scalars only).
inline std::map<std::string, double> parsePrinted(const std::string& output) {
  std::map<std::string, double> values;
  static const std::regex line(R"(^\s*([a-z0-9_#().,]+)\s*=\s*([-+0-9.eE]+)\s*$)");
  std::istringstream in(output);
  std::string text;
  while (std::getline(in, text)) {
    std::smatch m;
    if (std::regex_match(text, m, line)) values[m[1].str()] = std::stod(m[2].str());
  }
  return values;
}

/// Max over entries of |a - b| divided by max |b| (the relative error of docs/architecture.md §5.3).
template <typename A, typename B>
double maxRelativeError(const A& a, const B& b) {
  const double scale = b.cwiseAbs().maxCoeff();
  return (a - b).cwiseAbs().maxCoeff() / (scale > 0 ? scale : 1.0);
}

}  // namespace xbarsim::test
