// SPDX-License-Identifier: MIT
// The xbarsim program with ngspice in its worker process: a deck that crashes or hangs
// ngspice fails its run with exit 2 and one line, a sweep containing such a point finishes
// with that point failed (and --resume does not die on it), and no deck runs a command.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <signal.h>
#include <sys/wait.h>

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "sweep_test_util.hpp"

namespace fs = std::filesystem;
using xbarsim::io::H5File;
using xbarsim::test::runCommand;
using xbarsim::test::runXbarsim;
using xbarsim::test::TempDir;
using xbarsim::test::writeText;

namespace {

const char* const kOkDeck = "* ok\nVIN0 a 0 dc 0\nVOUT0 b 0 dc 0\nR1 a b 2k\n.end\n";
/// Unbounded recursion in numparam: ngspice 39 dies with SIGSEGV while loading it.
const char* const kCrashDeck =
    "* crash\n.func f(x) {f(x)+1}\nVIN0 a 0 dc 0\nVOUT0 b 0 dc 0\nR1 a b {f(1)}\n.end\n";

/// Nested subcircuits expanding to 4^10 resistors: ngspice needs minutes to load it.
std::string slowDeck() {
  std::string deck = "* slow\n.subckt s0 a b\nr1 a b 1k\n.ends\n";
  for (int k = 1; k <= 10; ++k)
    deck += fmt::format(".subckt s{0} a b\nx1 a m s{1}\nx2 m b s{1}\nx3 a m s{1}\nx4 m b s{1}\n.ends\n", k, k - 1);
  return deck + "VIN0 in 0 dc 0\nVOUT0 o 0 dc 0\nx0 in o s10\n.end\n";
}

std::size_t lineCount(const std::string& text) {
  std::size_t n = 0;
  for (const char c : text) n += c == '\n' ? 1 : 0;
  return n;
}

/// Runs `xbarsim extract -n <deck>` and checks: exit `status`, exactly one output line (the
/// error), containing `expect`, no result file.
void expectOneLineFailure(const fs::path& dir, const std::string& env, const std::string& deck, int status,
                          const std::string& expect) {
  const auto r = runCommand(fmt::format("cd '{}' && {} XBARSIM_NO_MPI=1 '{}' extract -n {} -o out.h5 2>&1",
                                        dir.string(), env, xbarsim::test::xbarsimBinary(), deck));
  BOOST_TEST(r.status == status, r.output);
  BOOST_TEST(lineCount(r.output) == 1U, r.output);
  BOOST_TEST(r.output.rfind("xbarsim: error: ", 0) == 0U, r.output);
  BOOST_TEST(r.output.find(expect) != std::string::npos, r.output);
  BOOST_TEST(!fs::exists(dir / "out.h5"));
}

}  // namespace

BOOST_AUTO_TEST_CASE(crashing_deck_is_exit_2_and_one_line) {
  const TempDir dir;
  writeText(dir / "crash.cir", kCrashDeck);
  expectOneLineFailure(dir.path(), "", "crash.cir", 2, "ngspice crashed (killed by SIGSEGV;");
}

BOOST_AUTO_TEST_CASE(hanging_deck_meets_the_time_limit) {
  const TempDir dir;
  writeText(dir / "slow.cir", slowDeck());
  expectOneLineFailure(dir.path(), "XBARSIM_NGSPICE_TIMEOUT_S=1", "slow.cir", 2,
                       "ngspice did not finish");
}

BOOST_AUTO_TEST_CASE(hanging_deck_meets_the_configured_time_limit) {
  const TempDir dir;
  writeText(dir / "slow.cir", slowDeck());
  writeText(dir / "c.toml", "[run]\nngspice_timeout_s = 2\n");
  expectOneLineFailure(dir.path(), "", "slow.cir -c c.toml", 2,
                       "within 2 s, the time limit (from run.ngspice_timeout_s of c.toml; "
                       "environment XBARSIM_NGSPICE_TIMEOUT_S overrides it)");
  // The environment variable wins over the configuration.
  expectOneLineFailure(dir.path(), "XBARSIM_NGSPICE_TIMEOUT_S=1", "slow.cir -c c.toml", 2,
                       "within 1 s, the time limit (from environment XBARSIM_NGSPICE_TIMEOUT_S)");
  // A limit far above the run's time changes nothing.
  writeText(dir / "ok.cir", kOkDeck);
  writeText(dir / "long.toml", "[run]\nngspice_timeout_s = 600\nngspice_memory_mb = 4096\n");
  const auto r = runXbarsim(dir.path(), "extract -c long.toml -n ok.cir -o w.h5");
  BOOST_TEST(r.status == 0, r.output);
  BOOST_TEST(H5File::openReadOnly(dir / "w.h5").readReals("/weff").at(0) == 5e-4,
             boost::test_tools::tolerance(1e-9));
}

namespace {

/// Process ids of the direct children of `pid` (of every thread of it), from /proc.
std::vector<std::string> childrenOf(pid_t pid) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(fmt::format("/proc/{}/task", pid))) {
    std::ifstream in(e.path() / "children");
    std::string child;
    while (in >> child) out.push_back(child);
  }
  return out;
}

/// True once process `pid` is gone or a zombie (within 10 s): a worker dies with its parent
/// (PR_SET_PDEATHSIG) and is reaped by init, or stays a zombie until then.
bool processEnds(const std::string& pid) {
  const fs::path stat = "/proc/" + pid + "/stat";
  for (int k = 0; k < 200; ++k) {
    std::string pid_text, name, state;
    std::ifstream in(stat);
    if (!(in >> pid_text >> name >> state) || state == "Z" || state == "X") return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

/// Sends SIGINT to xbarsim `pid`, which must end by that signal at once (well within 20 s).
void expectEndsBySigint(pid_t pid) {
  const auto start = std::chrono::steady_clock::now();
  ::kill(pid, SIGINT);
  int status = 0;
  ::waitpid(pid, &status, 0);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  BOOST_TEST_MESSAGE("xbarsim ended " << seconds << " s after SIGINT");
  BOOST_TEST((WIFSIGNALED(status) && WTERMSIG(status) == SIGINT));
  BOOST_TEST(seconds < 20.0);
}

}  // namespace

BOOST_AUTO_TEST_CASE(ctrl_c_stops_a_long_ngspice_call_at_once) {
  // SIGINT while the worker loads a deck that takes about a minute: xbarsim ends by SIGINT at
  // once (the worker killed with it), leaving no output, no temporary and no worker directory.
  const TempDir dir;
  const TempDir tmp;  // TMPDIR of the run: where the worker's private directory is made
  writeText(dir / "slow.cir", slowDeck());
  const pid_t pid = xbarsim::test::spawnXbarsim(dir.path(), "extract -n slow.cir -o out.h5",
                                                "TMPDIR='" + tmp.path().string() + "'");
  // Wait for the worker (a child of xbarsim) to be busy with the deck.
  const fs::path children = fmt::format("/proc/{0}/task/{0}/children", pid);
  std::string worker;
  for (int k = 0; k < 600 && worker.empty(); ++k) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    std::ifstream(children) >> worker;
  }
  BOOST_TEST_REQUIRE(!worker.empty(), "no ngspice worker started");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  expectEndsBySigint(pid);  // the deck alone takes about a minute
  // The worker dies with its parent (PR_SET_PDEATHSIG); reaped by init, or a zombie until then.
  BOOST_TEST(processEnds(worker), "the ngspice worker " << worker << " outlived xbarsim");
  std::vector<std::string> left;
  for (const fs::path& d : {dir.path(), tmp.path()})
    for (const auto& e : fs::directory_iterator(d))
      if (e.path().filename() != "slow.cir") left.push_back(e.path().string());
  BOOST_TEST(left.empty(), fmt::format("{}", fmt::join(left, ", ")));
}

BOOST_AUTO_TEST_CASE(ctrl_c_stops_every_worker_of_the_pool_at_once) {
  // A 64x64 W_eff through ngspice on two workers (each sweeps half of the rows, tens of
  // seconds): SIGINT while both are busy ends xbarsim at once and both workers with it.
  const TempDir dir;
  const TempDir tmp;
  const pid_t pid = xbarsim::test::spawnXbarsim(
      dir.path(),
      "extract --backend ngspice --set array.rows=64 --set array.cols=64 --set "
      "array.r_row_ohm=2.5 --set array.r_col_ohm=2.5 -o out.h5",
      "XBARSIM_NGSPICE_WORKERS=2 TMPDIR='" + tmp.path().string() + "'");
  std::vector<std::string> workers;
  for (int k = 0; k < 600 && workers.size() < 2; ++k) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    workers = childrenOf(pid);
  }
  BOOST_TEST_REQUIRE(workers.size() == 2U, "ngspice workers: " << fmt::format("{}", fmt::join(workers, ", ")));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  expectEndsBySigint(pid);
  for (const std::string& worker : workers)
    BOOST_TEST(processEnds(worker), "the ngspice worker " << worker << " outlived xbarsim");
  std::vector<std::string> left;
  for (const fs::path& d : {dir.path(), tmp.path()})
    for (const auto& e : fs::directory_iterator(d)) left.push_back(e.path().string());
  BOOST_TEST(left.empty(), fmt::format("{}", fmt::join(left, ", ")));
}

BOOST_AUTO_TEST_CASE(fatal_ngspice_error_is_one_line_naming_the_deck_line) {
  // An undefined {parameter}: a fatal error in libngspice (the worker is replaced). It is the
  // deck's fault, so it is bad input (exit 1) naming the file and line.
  const TempDir dir;
  writeText(dir / "fatal.cir", "* fatal\nVIN0 a 0 dc 0\nVOUT0 b 0 dc 0\nR1 a b {undefined_rf}\n.end\n");
  expectOneLineFailure(dir.path(), "", "fatal.cir", 1, "fatal.cir:4");
}

BOOST_AUTO_TEST_CASE(control_blocks_in_includes_and_lib_sections_run_nothing) {
  const TempDir dir;
  fs::create_directories(dir / "lib");
  const fs::path pwned_include = dir / "pwned_include";
  const fs::path pwned_lib = dir / "pwned_lib";
  writeText(dir / "deck.cir", "* includes\n.include lib/parts.inc\n.lib \"lib/models.lib\" typical\n"
                              "VIN0 a 0 dc 0\nVOUT0 b 0 dc 0\nx1 a b rdiv\n.end\n");
  writeText(dir / "lib/parts.inc", fmt::format("* parts\n.control\nshell touch {}\n.endc\n"
                                               ".subckt rdiv p n\nr1 p n {{rval}}\n.ends\n",
                                               pwned_include.string()));
  writeText(dir / "lib/models.lib", fmt::format("* models\n.lib typical\n.param rval=2k\n.control\n"
                                                "shell touch {}\n.endc\n.endl\n.lib slow\n"
                                                ".param rval=5k\n.endl\n",
                                                pwned_lib.string()));
  const auto r = runXbarsim(dir.path(), "extract -n deck.cir -o w.h5");
  BOOST_TEST(r.status == 0, r.output);
  BOOST_TEST(!fs::exists(pwned_include));
  BOOST_TEST(!fs::exists(pwned_lib));
  // The typical section's 2 kΩ, not the slow one's 5 kΩ: W = 1 / 2 kΩ.
  const auto h5 = H5File::openReadOnly(dir / "w.h5");
  BOOST_TEST(h5.readReals("/weff").at(0) == 5e-4, boost::test_tools::tolerance(1e-9));
}

BOOST_AUTO_TEST_CASE(source_name_with_a_command_separator_is_refused) {
  const TempDir dir;
  writeText(dir / "ok.cir", kOkDeck);
  writeText(dir / "c.toml", "[netlist]\ninputs = [\"vin0;shell\"]\n");
  const auto r = runXbarsim(dir.path(), "extract -c c.toml -n ok.cir -o w.h5");
  BOOST_TEST(r.status == 1, r.output);
  BOOST_TEST(lineCount(r.output) == 1U, r.output);
  BOOST_TEST(r.output.find("c.toml:2: netlist.inputs") != std::string::npos, r.output);
  BOOST_TEST(r.output.find("not a valid SPICE source name") != std::string::npos, r.output);
}

BOOST_AUTO_TEST_CASE(sweep_with_a_crashing_point_finishes_the_others) {
  const TempDir dir;
  writeText(dir / "a.cir", kOkDeck);
  writeText(dir / "crash.cir", kCrashDeck);
  writeText(dir / "b.cir", "* ok b\nVIN0 a 0 dc 0\nVOUT0 b 0 dc 0\nR1 a b 4k\n.end\n");
  writeText(dir / "s.toml", "[netlist]\nfile = \"a.cir\"\n[sweep]\n\"netlist.file\" = [\"a.cir\", \"crash.cir\", \"b.cir\"]\n");
  for (const std::string& extra : {std::string(), std::string(" --resume")}) {
    BOOST_TEST_CONTEXT(extra) {
      const auto r = runXbarsim(dir.path(), "sweep -c s.toml -o s.h5" + extra);
      BOOST_TEST(r.status == 4, r.output);
      BOOST_TEST(r.output.find("2 done, 1 failed") != std::string::npos, r.output);
      const auto h5 = H5File::openReadOnly(dir / "s.h5");
      BOOST_TEST(h5.readInts("/status") == (std::vector<std::int64_t>{1, 2, 1}));
      const auto messages = h5.readStrings("/message");
      BOOST_TEST(messages.at(1).find("ngspice crashed") != std::string::npos, messages.at(1));
    }
  }
}

BOOST_AUTO_TEST_CASE(sweep_point_over_the_configured_time_limit_fails_alone) {
  const TempDir dir;
  writeText(dir / "a.cir", kOkDeck);
  writeText(dir / "slow.cir", slowDeck());
  writeText(dir / "b.cir", "* ok b\nVIN0 a 0 dc 0\nVOUT0 b 0 dc 0\nR1 a b 4k\n.end\n");
  writeText(dir / "s.toml", "[run]\nngspice_timeout_s = 2\n[netlist]\nfile = \"a.cir\"\n[sweep]\n"
                            "\"netlist.file\" = [\"a.cir\", \"slow.cir\", \"b.cir\"]\n");
  const auto r = runXbarsim(dir.path(), "sweep -c s.toml -o s.h5");
  BOOST_TEST(r.status == 4, r.output);
  const auto h5 = H5File::openReadOnly(dir / "s.h5");
  BOOST_TEST(h5.readInts("/status") == (std::vector<std::int64_t>{1, 2, 1}));
  const std::string message = h5.readStrings("/message").at(1);
  BOOST_TEST(message.find("within 2 s, the time limit (from run.ngspice_timeout_s") != std::string::npos,
             message);
}
