// SPDX-License-Identifier: MIT
// The ngspice worker process: a crash, a hang or a forbidden command fails one call, and the
// session goes on with a fresh worker; the worker reads no .spiceinit and runs no program.
#define BOOST_TEST_MODULE spice_worker
#include <boost/test/unit_test.hpp>

#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "spice_test_util.hpp"
#include "temp_dir.hpp"
#include "xbarsim/core/error.hpp"
#include "xbarsim/spice/session.hpp"

namespace fs = std::filesystem;
using xbarsim::spice::Session;
using xbarsim::spice::WorkerError;

namespace {

void expectDividerWorks(Session& s) {
  s.loadCircuit(xbarsim::test::kDivider);
  s.command("op");
  BOOST_TEST(s.realVector("out").at(0) == 0.75, boost::test_tools::tolerance(1e-12));
}

/// Nested subcircuits that expand to 4^10 resistors: ngspice takes minutes to load it.
std::string slowDeck() {
  std::string deck = "* slow: 4^10 resistors\n.subckt s0 a b\nr1 a b 1k\n.ends\n";
  for (int k = 1; k <= 10; ++k)
    deck += "* level\n.subckt s" + std::to_string(k) + " a b\nx1 a m s" + std::to_string(k - 1) +
            "\nx2 m b s" + std::to_string(k - 1) + "\nx3 a m s" + std::to_string(k - 1) +
            "\nx4 m b s" + std::to_string(k - 1) + "\n.ends\n";
  return deck + "v1 in 0 1\nx0 in 0 s10\n.end\n";
}

}  // namespace

// First: the worker starts here, in a directory and with a HOME that both hold a .spiceinit.
BOOST_AUTO_TEST_CASE(no_spiceinit_is_read) {
  const xbarsim::test::TempDir dir;
  for (const char* name : {".spiceinit", "spice.rc"}) {
    std::ofstream(dir / name) << "* hostile init\necho SPICEINIT-WAS-READ\nset noinit\n";
  }
  const fs::path before = fs::current_path();
  const char* home = std::getenv("HOME");
  const std::string saved_home = home != nullptr ? home : "";
  fs::current_path(dir.path());
  ::setenv("HOME", dir.path().c_str(), 1);
  Session& s = Session::instance();
  BOOST_TEST(s.workerPid() == 0);  // nothing started yet
  expectDividerWorks(s);
  fs::current_path(before);
  ::setenv("HOME", saved_home.c_str(), 1);
  BOOST_TEST(!xbarsim::test::anyContains(s.takeOutput(), "SPICEINIT-WAS-READ"));
  BOOST_TEST(!xbarsim::test::anyContains(s.takeWarnings(), "spiceinit"));
}

BOOST_AUTO_TEST_CASE(shell_commands_run_nothing) {
  const xbarsim::test::TempDir dir;
  const fs::path pwned = dir / "pwned";
  Session& s = Session::instance();
  try {
    s.loadCircuit("* deck that runs a program\nv1 in 0 1\nr1 in 0 1k\n.control\nshell touch " +
                  pwned.string() + "\n.endc\n.end\n");
  } catch (const xbarsim::Error& e) {
    BOOST_TEST_MESSAGE(e.what());
  }
  try {
    s.command("shell touch " + pwned.string());
  } catch (const xbarsim::Error& e) {
    BOOST_TEST_MESSAGE(e.what());
  }
  ::usleep(200000);
  BOOST_TEST(!fs::exists(pwned));
  expectDividerWorks(s);
}

BOOST_AUTO_TEST_CASE(crash_fails_one_call_and_the_next_works) {
  Session& s = Session::instance();
  expectDividerWorks(s);
  const unsigned restarts = s.restarts();
  const int pid = s.workerPid();
  try {
    // Unbounded recursion in numparam: a stack overflow (SIGSEGV) in libngspice 39.
    s.loadCircuit("* recursive func\n.func f(x) {f(x)+1}\nv1 in 0 1\nr1 in 0 {f(1)}\n.end\n");
    BOOST_FAIL("no error");
  } catch (const WorkerError& e) {
    BOOST_TEST_MESSAGE(e.what());
    BOOST_TEST(std::string(e.what()).find("ngspice crashed (killed by SIGSEGV;") != std::string::npos,
               e.what());
  }
  BOOST_TEST(s.restarts() == restarts + 1);
  BOOST_TEST(s.workerPid() == 0);
  BOOST_TEST(::kill(pid, 0) != 0);  // reaped
  expectDividerWorks(s);
  BOOST_TEST(s.workerPid() != pid);
}

BOOST_AUTO_TEST_CASE(time_limit_stops_a_hang) {
  Session& s = Session::instance();
  const Session::Limits saved = s.limits();
  Session::Limits limits = saved;
  limits.timeout_s = 1.0;
  s.setLimits(limits);
  try {
    s.loadCircuit(slowDeck());
    BOOST_FAIL("no error");
  } catch (const WorkerError& e) {
    BOOST_TEST_MESSAGE(e.what());
    BOOST_TEST(std::string(e.what()).find("did not finish") != std::string::npos, e.what());
    BOOST_TEST(std::string(e.what()).find("within 1 s") != std::string::npos, e.what());
  }
  s.setLimits(saved);
  expectDividerWorks(s);
}

BOOST_AUTO_TEST_CASE(memory_limit_fails_the_call) {
  Session& s = Session::instance();
  const Session::Limits saved = s.limits();
  Session::Limits limits = saved;
  limits.memory_mb = 64;  // the 4^10-resistor deck needs far more
  s.setLimits(limits);
  try {
    s.loadCircuit(slowDeck());
    BOOST_FAIL("no error");
  } catch (const WorkerError& e) {
    BOOST_TEST_MESSAGE(e.what());
    BOOST_TEST(std::string(e.what()).find("limit 64 MB") != std::string::npos, e.what());
  }
  s.setLimits(saved);
  expectDividerWorks(s);
}
