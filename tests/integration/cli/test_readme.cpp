// SPDX-License-Identifier: MIT
// The README walkthrough as written, top to bottom: every command line of its ```sh blocks runs
// in a directory that looks like the repository root (build/xbarsim, and `xbarsim` on PATH),
// with the files its ```toml blocks name ("# wire.toml: ...") written there first, and its
// ```python blocks run after the commands before them. Skipped, and said so: lines that need
// tools/setup.sh or an installed tree (root, apt, cmake --install), and mpirun (the serial line
// beside it runs the same sweep). Any other line that fails fails the test.
#define BOOST_TEST_MODULE cli_readme
#include <fmt/format.h>

#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include "run_command.hpp"

namespace fs = std::filesystem;
using xbarsim::test::runCommand;
using xbarsim::test::shellQuote;
using xbarsim::test::TempDir;

namespace {

struct Block {
  std::string language;  ///< sh, toml, python
  std::string text;
  int line = 0;  ///< of the opening fence in README.md
};

fs::path sourceDir() {
  const char* source = std::getenv("XBARSIM_SOURCE_DIR");
  BOOST_REQUIRE_MESSAGE(source != nullptr, "XBARSIM_SOURCE_DIR is not set (run through ctest)");
  return source;
}

std::vector<Block> readmeBlocks() {
  std::ifstream in(sourceDir() / "README.md");
  BOOST_REQUIRE_MESSAGE(in, "cannot read README.md");
  std::vector<Block> blocks;
  bool inside = false;
  int number = 0;
  for (std::string line; std::getline(in, line);) {
    ++number;
    if (!inside && line.rfind("```", 0) == 0) {
      blocks.push_back({line.substr(3), "", number});
      inside = true;
    } else if (inside && line.rfind("```", 0) == 0) {
      inside = false;
    } else if (inside) {
      blocks.back().text += line + "\n";
    }
  }
  return blocks;
}

/// Why a README command line is not run here ("" = it is run).
std::string skipReason(const std::string& command) {
  if (command.find("tools/setup.sh") != std::string::npos)
    return "needs tools/setup.sh (root, apt)";
  if (command.find("examples/weff") != std::string::npos ||
      command.find("cmake --install") != std::string::npos)
    return "needs an installed tree (cmake --install)";
  if (command.rfind("mpirun", 0) == 0) return "mpirun (the serial line runs the same sweep)";
  if (command.rfind("sbatch", 0) == 0) return "needs SLURM";
  return "";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cli_readme)

BOOST_AUTO_TEST_CASE(walkthrough_runs_as_written) {
  const char* binary = std::getenv("XBARSIM_BINARY");
  BOOST_REQUIRE_MESSAGE(binary != nullptr, "XBARSIM_BINARY is not set (run through ctest)");
  TempDir dir;
  fs::create_directories(dir / "build");
  fs::create_directories(dir / "bin");
  fs::create_symlink(fs::absolute(binary), dir / "build" / "xbarsim");
  fs::create_symlink(fs::absolute(binary), dir / "bin" / "xbarsim");
  for (const char* folder : {"data", "devices", "examples", "netlists", "tools"})
    fs::create_directory_symlink(sourceDir() / folder, dir / folder);
  const bool python_ok =
      runCommand("/usr/bin/python3 -c 'import h5py, xarray, h5netcdf, matplotlib' 2>/dev/null")
          .status == 0;

  int ran = 0;
  std::string commands_run;  // every sh line run, for the check on the example decks
  std::vector<std::string> skipped;
  const std::regex toml_name(R"(^#\s*([A-Za-z0-9_.-]+\.toml)\b)");
  for (const Block& block : readmeBlocks()) {
    BOOST_TEST_CONTEXT("README.md:" << block.line) {
      if (block.language == "toml") {
        std::smatch m;
        if (std::regex_search(block.text, m, toml_name))
          std::ofstream(dir / m[1].str()) << block.text;
      } else if (block.language == "python") {
        if (!python_ok) {
          skipped.push_back(fmt::format(
              "README.md:{}: python (h5py, xarray, h5netcdf, matplotlib missing)", block.line));
          continue;
        }
        std::ofstream(dir / "block.py") << block.text;
        const auto run =
            runCommand(fmt::format("cd {} && MPLBACKEND=Agg /usr/bin/python3 block.py 2>&1",
                                   shellQuote(dir.path().string())));
        BOOST_TEST(run.status == 0, block.text << run.output);
        ++ran;
      } else if (block.language == "sh") {
        std::istringstream lines(block.text);
        for (std::string line; std::getline(lines, line);) {
          // A trailing "  # comment" is documentation, not part of the command.
          const auto comment = line.find(" #");
          const std::string command = line.substr(0, comment);
          const auto first = command.find_first_not_of(' ');
          if (first == std::string::npos || command[first] == '#') continue;
          if (const std::string why = skipReason(command); !why.empty()) {
            skipped.push_back(fmt::format("README.md:{}: {} ({})", block.line, command, why));
            continue;
          }
          if (command.find("plot_sweep.py") != std::string::npos && !python_ok) {
            skipped.push_back(
                fmt::format("README.md:{}: {} (matplotlib missing)", block.line, command));
            continue;
          }
          const auto run = runCommand(
              fmt::format("cd {} && PATH={}:$PATH XBARSIM_NO_MPI=1 MPLBACKEND=Agg sh -c {} 2>&1",
                          shellQuote(dir.path().string()), shellQuote((dir / "bin").string()),
                          shellQuote(command)));
          BOOST_TEST_MESSAGE("README.md:" << block.line << ": " << command << " -> " << run.status);
          BOOST_TEST(run.status == 0, command << "\n" << run.output);
          commands_run += command + "\n";
          ++ran;
        }
      }
    }
  }
  for (const std::string& s : skipped) BOOST_TEST_MESSAGE("skipped " << s);
  BOOST_TEST_MESSAGE(ran << " README commands and python blocks run, " << skipped.size()
                         << " skipped");
  BOOST_TEST(ran >= 5);
  // Every example deck with a configuration in netlists/ is run by a README command.
  for (const auto& entry : fs::directory_iterator(sourceDir() / "netlists"))
    if (entry.path().extension() == ".toml" &&
        fs::exists(fs::path(entry.path()).replace_extension(".cir")))
      BOOST_TEST(commands_run.find(entry.path().stem().string()) != std::string::npos,
                 "no README command runs netlists/" << entry.path().filename().string());
}

BOOST_AUTO_TEST_SUITE_END()
