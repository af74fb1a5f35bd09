// SPDX-License-Identifier: MIT
#pragma once
// Helpers of the sweep integration tests: run the xbarsim program, compare result files.

#include <fmt/format.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <cmath>
#include <thread>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "run_command.hpp"
#include "xbarsim/core/error.hpp"
#include "xbarsim/io/hdf5_file.hpp"

namespace xbarsim::test {

inline std::string xbarsimBinary() {
  const char* b = std::getenv("XBARSIM_BINARY");
  BOOST_REQUIRE_MESSAGE(b != nullptr, "XBARSIM_BINARY is not set (run through ctest)");
  return b;
}

inline void writeText(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path) << text;
}

inline std::string readText(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

/// Runs `xbarsim <args>` in `dir`, stdout and stderr captured.
inline CommandResult runXbarsim(const std::filesystem::path& dir, const std::string& args) {
  return runCommand(fmt::format("cd '{}' && XBARSIM_NO_MPI=1 '{}' {} 2>&1", dir.string(), xbarsimBinary(), args));
}

/// Names of the datasets at the root of a file.
inline std::vector<std::string> rootDatasets(const io::H5File& h5) {
  std::vector<std::string> out;
  for (const auto& name : h5.listGroup("/"))
    if (name != "config" && name != "provenance") out.push_back(name);
  return out;
}

/// Every dataset outside /provenance equal (numbers bit for bit, NaN == NaN), and /config.
/// Returns "" or the first difference.
inline std::string compareSweepFiles(const std::filesystem::path& a, const std::filesystem::path& b) {
  const auto fa = io::H5File::openReadOnly(a);
  const auto fb = io::H5File::openReadOnly(b);
  const auto names = rootDatasets(fa);
  if (names != rootDatasets(fb)) return "different dataset lists";
  if (fa.readStringAttribute("/config", "toml") != fb.readStringAttribute("/config", "toml")) return "/config differs";
  for (const auto& name : names) {
    const std::string path = "/" + name;
    std::vector<std::size_t> da, db;
    std::vector<double> va, vb;
    try {
      va = fa.readReals(path, &da);
    } catch (const IoError&) {
      if (fa.readStrings(path) != fb.readStrings(path)) return name + " (strings) differs";
      continue;
    }
    vb = fb.readReals(path, &db);
    if (da != db) return name + ": shapes differ";
    for (std::size_t k = 0; k < va.size(); ++k) {
      const bool same = (std::isnan(va[k]) && std::isnan(vb[k])) || va[k] == vb[k];
      if (!same) return fmt::format("{}[{}]: {} vs {}", name, k, va[k], vb[k]);
    }
    if (fa.hasAttribute(path, "units") != fb.hasAttribute(path, "units")) return name + ": units differ";
  }
  return "";
}

/// Starts `xbarsim <args>` (serial, output discarded) in `dir` with the environment
/// assignments `env` ("NAME=value ..."); returns its pid (the xbarsim process itself).
inline pid_t spawnXbarsim(const std::filesystem::path& dir, const std::string& args, const std::string& env = "") {
  const std::string cmd = fmt::format("cd '{}' && XBARSIM_NO_MPI=1 {} exec '{}' {} >/dev/null 2>&1", dir.string(),
                                      env, xbarsimBinary(), args);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  return pid;
}

/// Starts `xbarsim <args>` (serial) in `dir`, waits until `journal` holds more than `bytes`,
/// then SIGKILLs it. False if it exited on its own first.
inline bool killWhenJournaled(const std::filesystem::path& dir, const std::string& args,
                              const std::filesystem::path& journal, std::uintmax_t bytes) {
  const pid_t pid = spawnXbarsim(dir, args);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  std::error_code ec;
  while (!(std::filesystem::exists(journal, ec) && std::filesystem::file_size(journal, ec) > bytes) &&
         std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
}

/// A wire resistance x array size sweep, small enough for the ngspice backend in tests.
inline std::string wireBySizeConfig(const std::string& extra = "") {
  return "[array]\nrows = 8\ncols = 8\n[device]\nmodel = \"linear\"\n[run]\nseed = 11\n" + extra +
         "[sweep]\nmode = \"product\"\n\"array.r_row_ohm\" = [0.5, 1.0, 2.0, 5.0]\n"
         "\"array.rows\" = [4, 8, 12, 16]\n\"array.cols\" = [8, 16]\n";
}

}  // namespace xbarsim::test
