// SPDX-License-Identifier: MIT
#pragma once
// Helpers for the io tests: file writing, and running
// /usr/bin/python3 + h5py on a file to check what an analyst would see.

#include <fmt/format.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <boost/test/unit_test.hpp>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "temp_dir.hpp"

namespace xbarsim::io::test {

using xbarsim::test::TempDir;

inline void writeText(const std::filesystem::path& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  BOOST_REQUIRE_MESSAGE(out.good(), "cannot write test file " << path);
}

struct CommandResult {
  int status = -1;     ///< exit status, or -1 if it did not exit normally
  std::string output;  ///< stdout and stderr
};

inline CommandResult runCommand(const std::string& command) {
  CommandResult r;
  std::FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return r;
  char buf[4096];
  while (std::fgets(buf, sizeof buf, pipe) != nullptr) r.output += buf;
  const int raw = ::pclose(pipe);
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  return r;
}

inline constexpr const char* kPython = "/usr/bin/python3";

/// True if /usr/bin/python3 can import h5py (checked once).
inline bool havePythonH5py() {
  static const bool ok = [] {
    if (::access(kPython, X_OK) != 0) return false;
    return runCommand(fmt::format("{} -c 'import h5py, numpy'", kPython)).status == 0;
  }();
  return ok;
}

/// Runs `body` under python3 with `f` = h5py.File(file, 'r') (and sys, h5py, np imported);
/// the test fails with python's output if the script exits non-zero (e.g. a failed assert).
/// A missing python3 or h5py is a test failure (tools/setup.sh installs both).
inline void checkWithH5py(const std::filesystem::path& file, const std::string& body) {
  BOOST_REQUIRE_MESSAGE(havePythonH5py(),
                        kPython << " cannot import h5py (tools/setup.sh installs python3-h5py)");
  const std::filesystem::path script = file.parent_path() / (file.filename().string() + ".py");
  writeText(script, "import sys, h5py, numpy as np\nf = h5py.File(sys.argv[1], 'r')\n" + body +
                        "\nprint('ok')\n");
  const CommandResult r =
      runCommand(fmt::format("{} '{}' '{}'", kPython, script.string(), file.string()));
  BOOST_TEST(r.status == 0, "h5py check failed:\n" << r.output);
  std::filesystem::remove(script);
}

/// True if `what` contains `part`; for BOOST_CHECK_EXCEPTION predicates.
inline bool contains(std::string_view what, std::string_view part) {
  return what.find(part) != std::string_view::npos;
}

/// Runs `f`, expecting an exception of type E; returns its what() (empty, and a test error, if
/// nothing or something else was thrown).
template <typename E, typename F>
std::string thrownMessage(F&& f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  } catch (const std::exception& e) {
    BOOST_ERROR("unexpected exception type: " << e.what());
    return {};
  }
  BOOST_ERROR("no exception thrown");
  return {};
}

}  // namespace xbarsim::io::test
