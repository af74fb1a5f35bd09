// SPDX-License-Identifier: MIT
// The workflow a new user follows: `xbarsim` alone, every command's --help and its example (run
// as printed, from a copy of the repository layout), `xbarsim config` at 80 columns, --set on
// every command that takes a configuration, tied sweep axes in the result file, and the
// evaluate summary. The README walkthrough itself is test_readme.cpp.
#define BOOST_TEST_MODULE cli_workflow
#include <fmt/format.h>

#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "run_command.hpp"

namespace fs = std::filesystem;
using xbarsim::test::runCommand;
using xbarsim::test::shellQuote;
using xbarsim::test::TempDir;

namespace {

const std::vector<std::string> kCommands = {"extract",  "netlist", "demo",     "config",
                                            "validate", "device",  "train",    "evaluate",
                                            "sweep",    "merge",   "inspect",  "convert"};

std::string binary() {
  const char* path = std::getenv("XBARSIM_BINARY");
  BOOST_REQUIRE_MESSAGE(path != nullptr, "XBARSIM_BINARY is not set (run through ctest)");
  return fs::absolute(path).string();
}

fs::path sourceDir() {
  const char* source = std::getenv("XBARSIM_SOURCE_DIR");
  BOOST_REQUIRE_MESSAGE(source != nullptr, "XBARSIM_SOURCE_DIR is not set (run through ctest)");
  return source;
}

/// A working directory that looks like the repository root for the commands of the
/// documentation: build/xbarsim, and the folders they read, linked from the source tree.
struct RepositoryCopy {
  TempDir dir;
  RepositoryCopy() {
    fs::create_directories(dir / "build");
    fs::create_symlink(binary(), dir / "build" / "xbarsim");
    for (const char* folder : {"data", "devices", "examples", "netlists", "tools", "tests"})
      fs::create_directory_symlink(sourceDir() / folder, dir / folder);
  }
  /// Runs `command` with sh in the copy (stderr joined to stdout).
  [[nodiscard]] xbarsim::test::CommandResult run(const std::string& command) const {
    return runCommand(fmt::format("cd {} && XBARSIM_NO_MPI=1 sh -c {} 2>&1",
                                  shellQuote(dir.path().string()), shellQuote(command)));
  }
};

/// The example line of a command's --help ("" if there is none).
std::string exampleOf(const std::string& help) {
  const auto at = help.find("Example (from the repository root):\n");
  if (at == std::string::npos) return "";
  std::istringstream rest(help.substr(at));
  std::string line;
  std::getline(rest, line);
  std::getline(rest, line);
  return line.substr(line.find_first_not_of(' '));
}

std::string h5Value(const RepositoryCopy& repo, const std::string& python) {
  const auto run = repo.run(
      fmt::format("/usr/bin/python3 -c {}", shellQuote("import h5py, numpy as np\n" + python)));
  BOOST_TEST_REQUIRE(run.status == 0, run.output);
  return run.output;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cli_workflow)

BOOST_AUTO_TEST_CASE(xbarsim_alone_lists_the_commands_with_exit_1) {
  const auto run = runCommand(binary() + " 2>&1");
  BOOST_TEST(run.status == 1);
  for (const std::string& command : kCommands)
    BOOST_TEST(run.output.find("\n  " + command + " ") != std::string::npos, command);
  BOOST_TEST(run.output.find("Example") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(every_help_has_defaults_and_an_example_that_runs) {
  // Every example runs as printed (the slowest, evaluate on 1000 images, takes seconds); each
  // must exit 0 and write what it names.
  RepositoryCopy repo;
  for (const std::string& command : kCommands) {
    BOOST_TEST_CONTEXT(command) {
      const auto help = runCommand(fmt::format("{} {} --help 2>&1", binary(), command));
      BOOST_TEST(help.status == 0);
      BOOST_TEST(help.output.find("Usage: xbarsim " + command) != std::string::npos, help.output);
      const std::string example = exampleOf(help.output);
      BOOST_TEST_REQUIRE(!example.empty(), help.output);
      BOOST_TEST(example.find("build/xbarsim " + command) != std::string::npos, example);
      if (command == "demo") {
        BOOST_TEST(help.output.find("=xbarsim-demo.h5") != std::string::npos,
                   help.output);  // default
      }
      const auto run = repo.run(example);
      BOOST_TEST_MESSAGE(command << ": " << example);
      BOOST_TEST(run.status == 0, example << "\n" << run.output);
    }
  }
  // Defaults are shown where an option has one.
  const auto device = runCommand(binary() + " device --help");
  BOOST_TEST(device.output.find("=rram_stanford") != std::string::npos, device.output);
  const auto train = runCommand(binary() + " train --help");
  BOOST_TEST(train.output.find("=fashion-mnist") != std::string::npos, train.output);
  // What the examples wrote.
  for (const char* file : {"w.h5", "x.cir", "demo.h5", "iv.h5", "m.h5", "e.h5", "wire.h5"})
    BOOST_TEST(fs::exists(repo.dir / file), file);
}

BOOST_AUTO_TEST_CASE(config_lists_unit_default_and_range_in_80_columns) {
  const auto run = runCommand(fmt::format("COLUMNS=80 {} config", binary()));
  BOOST_TEST_REQUIRE(run.status == 0);
  std::istringstream lines(run.output);
  for (std::string line; std::getline(lines, line);) {
    // Longer only where one word (a file name) does not fit after the indentation.
    const auto words = line.find(' ', line.find_first_not_of(' '));
    BOOST_TEST((line.size() <= 80 || words == std::string::npos), line);
  }
  for (const char* entry :
       {"  rows = 8 [integer, >= 1 and <= 65536]\n", "  r_row_ohm = 2.5 [number in ohm, >= 0]\n",
        "  cell = \"1R\" [1R | 1T1R | 1S1R]\n",
        "  v_gate_v (not set by default) [number in V, >= -10 and <= 10]\n",
        "      resistance of one row-wire segment in ohm (0 = ideal wire)\n"})
    BOOST_TEST(run.output.find(entry) != std::string::npos, entry);
  // A wide terminal: no line broken inside the description of r_row_ohm.
  const auto wide = runCommand(fmt::format("COLUMNS=200 {} config", binary()));
  BOOST_TEST(wide.output.find("cell kind: 1R (memory element), 1S1R (selector in series, "
                              "array.selector_card), 1T1R") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(set_overrides_the_file_on_every_configured_command) {
  RepositoryCopy repo;
  { std::ofstream(repo.dir / "c.toml") << "[array]\nrows = 4\ncols = 3\nr_row_ohm = 1.0\n"; }
  // config --check: the resolved file carries the override (a later --set wins).
  const auto check = repo.run(
      "build/xbarsim config --check c.toml --set array.r_row_ohm=7.5 "
      "--set device.model=sinh --set array.rows=5 --set array.rows=6");
  BOOST_TEST_REQUIRE(check.status == 0, check.output);
  BOOST_TEST(check.output.find("rows = 6\n") != std::string::npos, check.output);
  BOOST_TEST(check.output.find("r_row_ohm = 7.5\n") != std::string::npos, check.output);
  BOOST_TEST(check.output.find("model = \"sinh\"\n") != std::string::npos, check.output);
  // config --check of a sweep file checks its [sweep] too (a tied axis included).
  BOOST_TEST(repo.run("build/xbarsim config --check examples/wire_sweep.toml").status == 0);
  // netlist: the deck has the overridden shape (one source per row, one probe per column).
  const auto deck =
      repo.run("build/xbarsim netlist -c c.toml --set array.rows=2 --set array.cols=5");
  BOOST_TEST_REQUIRE(deck.status == 0, deck.output);
  BOOST_TEST(deck.output.find("\nvin1 ") != std::string::npos, deck.output);
  BOOST_TEST(deck.output.find("\nvin2 ") == std::string::npos, deck.output);
  BOOST_TEST(deck.output.find("\nvout4 ") != std::string::npos, deck.output);
  // extract: --set gives the same file as writing the value in the configuration.
  { std::ofstream(repo.dir / "d.toml") << "[array]\nrows = 4\ncols = 3\nr_row_ohm = 3.25\n"; }
  BOOST_TEST_REQUIRE(
      repo.run("build/xbarsim extract -c c.toml --set array.r_row_ohm=3.25 -o a.h5").status == 0);
  BOOST_TEST_REQUIRE(repo.run("build/xbarsim extract -c d.toml -o b.h5").status == 0);
  BOOST_TEST(h5Value(repo,
                     "a, b = h5py.File('a.h5'), h5py.File('b.h5')\n"
                     "print(np.array_equal(a['weff'][...], b['weff'][...]), "
                     "a['config'].attrs['toml'] == b['config'].attrs['toml'])") == "True True\n");
  // validate and evaluate take it too (checked before any work).
  const auto validate =
      repo.run("build/xbarsim validate -c c.toml --set array.cols=2 --set sense.kind=tia");
  BOOST_TEST(validate.status == 0, validate.output);
  BOOST_TEST(validate.output.find("4x2 crossbar") != std::string::npos, validate.output);
  const auto evaluate =
      repo.run("build/xbarsim evaluate -m data/models/mlp_hwa.h5 --set dnn.repeatz=1 -o e.h5");
  BOOST_TEST(evaluate.status == 1);
  BOOST_TEST(evaluate.output.find("--set: dnn.repeatz: unknown key; did you mean dnn.repeats?") !=
                 std::string::npos,
             evaluate.output);
  // Without --config: one note line on stderr saying the defaults are used.
  const auto note = repo.run("build/xbarsim extract --set array.rows=2 -o n.h5 2>&1 >/dev/null");
  BOOST_TEST(note.output ==
             "xbarsim: note: no --config: using the defaults (`xbarsim config` lists "
             "them) with the --set values\n");
}

BOOST_AUTO_TEST_CASE(tied_sweep_axis_sets_both_keys_and_is_labelled) {
  RepositoryCopy repo;
  const auto sweep = repo.run(
      "build/xbarsim sweep -q -c examples/wire_sweep.toml -b native --set "
      "array.cols=4 -o t.h5");
  BOOST_TEST_REQUIRE(sweep.status == 0, sweep.output);
  // One dimension of the product: 3 tied values x 2 row counts = 6 points, both keys equal.
  BOOST_TEST(h5Value(repo,
                     "f = h5py.File('t.h5')\n"
                     "r, c = f['array.r_row_ohm'][...], f['array.r_col_ohm'][...]\n"
                     "print(len(r), list(r) == list(c), list(r), list(f['array.rows'][...]))\n"
                     "print(f.attrs['sweep_tied_axes'], f['array.r_col_ohm'].attrs['sweep_tied'])\n"
                     "print(f.attrs['sweep_axes'])") ==
             "6 True [0.5, 0.5, 2.0, 2.0, 5.0, 5.0] [4, 8, 4, 8, 4, 8]\n"
             "array.r_row_ohm|array.r_col_ohm array.r_row_ohm|array.r_col_ohm\n"
             "array.r_row_ohm array.r_col_ohm array.rows\n");
  // Point 3 (2 ohm, 8 rows) is the circuit of extract with both keys set: the same error
  // against G^T. extract takes the sweep's own file, ignoring [sweep] with one note line.
  const auto point = repo.run(
      "build/xbarsim extract -b native -c examples/wire_sweep.toml --set array.cols=4 "
      "--set array.rows=8 --set array.r_row_ohm=2.0 --set array.r_col_ohm=2.0 -o p.h5 "
      "2>note.txt");
  BOOST_TEST_REQUIRE(point.status == 0, point.output);
  BOOST_TEST(repo.run("cat note.txt").output ==
             "xbarsim: note: [sweep] of examples/wire_sweep.toml is ignored by extract: one "
             "point with the base values (`xbarsim sweep` runs the sweep)\n");
  BOOST_TEST(h5Value(repo,
                     "a, b = h5py.File('t.h5'), h5py.File('p.h5')\n"
                     "print(a['target_error'][3] == b['weff_relative_error'][()])\n"
                     "print('sweep' in b['config'].attrs['toml'])") == "True\nFalse\n");
  // The other single-point commands take it too.
  for (const char* command : {"netlist -o p.cir", "validate",
                              "evaluate -m data/models/mlp_hwa.h5 --set "
                              "dnn.test_samples=50 --set dnn.repeats=1 --set "
                              "dnn.times_s=[1.0] -o e.h5"}) {
    const auto other = repo.run(fmt::format(
        "build/xbarsim {} -c examples/wire_sweep.toml --set array.cols=4 2>&1 >/dev/null",
        command));
    BOOST_TEST(other.status == 0, command << ": " << other.output);
    BOOST_TEST(other.output.find("xbarsim: note: [sweep] of examples/wire_sweep.toml is "
                                 "ignored by ") == 0,
               command << ": " << other.output);
  }
  // xarray reads the tied coordinates like any other.
  const auto xr = repo.run(
      "/usr/bin/python3 -c \"import xarray as x; d = x.open_dataset('t.h5', "
      "engine='h5netcdf'); print(d['target_error'].coords['array.r_col_ohm'].values)\"");
  BOOST_TEST(xr.status == 0, xr.output);
  BOOST_TEST(xr.output.find("[0.5 0.5 2.  2.  5.  5. ]") != std::string::npos, xr.output);
  const auto inspect = repo.run("build/xbarsim inspect t.h5");
  BOOST_TEST(inspect.output.find(
                 "array.r_col_ohm [tied: array.r_row_ohm|array.r_col_ohm] (ohm): 3 values") !=
                 std::string::npos,
             inspect.output);
}

BOOST_AUTO_TEST_CASE(evaluate_summary_per_layer_and_no_spread_with_one_repeat) {
  RepositoryCopy repo;
  const auto run = repo.run(
      "build/xbarsim evaluate -m data/models/mlp_hwa.h5 --set dnn.test_samples=200 "
      "--set dnn.repeats=1 --set dnn.times_s=[1.0,3600.0] -o e.h5");
  BOOST_TEST_REQUIRE(run.status == 0, run.output);
  BOOST_TEST(run.output.find("±") == std::string::npos, run.output);
  BOOST_TEST(run.output.find("layer    type    in x out tiles") != std::string::npos, run.output);
  BOOST_TEST(run.output.find("dense     784x128") != std::string::npos, run.output);
  const auto two = repo.run(
      "build/xbarsim evaluate -m data/models/mlp_hwa.h5 --set dnn.test_samples=200 "
      "--set dnn.repeats=2 --set dnn.times_s=[1.0] -o e2.h5");
  BOOST_TEST(two.output.find("±") != std::string::npos, two.output);
}

BOOST_AUTO_TEST_CASE(evaluate_shows_array_progress_on_a_terminal_only) {
  // A pseudo-terminal from script(1) (util-linux): stderr is a terminal there.
  BOOST_TEST_REQUIRE(runCommand("command -v script >/dev/null").status == 0,
                     "script(1) is missing");
  RepositoryCopy repo;
  const std::string command =
      "build/xbarsim evaluate -m data/models/mlp_hwa.h5 --set dnn.test_samples=100 "
      "--set dnn.repeats=1 --set dnn.times_s=[1.0] -o e.h5";
  const auto tty = repo.run(fmt::format("script -qec {} /dev/null", shellQuote(command)));
  BOOST_TEST_REQUIRE(tty.status == 0, tty.output);
  // 3 layers of 4 + 1 + 1 tiles, 2 arrays each, solved when programmed and at the one time.
  BOOST_TEST(tty.output.find("W_eff: solving array 1 of 24 (layer 001)") != std::string::npos,
             tty.output);
  BOOST_TEST(tty.output.find("W_eff: 24/24 arrays (layer 003), elapsed") != std::string::npos,
             tty.output);
  BOOST_TEST(tty.output.find("ETA 0 s") != std::string::npos, tty.output);
  const auto pipe = repo.run(command);
  BOOST_TEST(pipe.status == 0);
  BOOST_TEST(pipe.output.find("W_eff: solving") == std::string::npos, pipe.output);
}

BOOST_AUTO_TEST_SUITE_END()
