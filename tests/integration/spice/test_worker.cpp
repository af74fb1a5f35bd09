// SPDX-License-Identifier: MIT
// The ngspice worker process: a crash, a hang or a forbidden command fails one call, and the
// session goes on with a fresh worker; the worker reads no .spiceinit and runs no program.
#define BOOST_TEST_MODULE spice_worker
#include <boost/test/unit_test.hpp>

#include <dlfcn.h>
#include <pwd.h>
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

// libngspice 39's ngSpice_Init reads <home>/.spiceinit with <home> from the passwd database
// (getpwuid(getuid())->pw_dir), whatever $HOME says. This executable defines getpwuid, which
// the dynamic linker binds libngspice's call to (checked below), so a test can give the
// current user a home directory it controls; every other use gets the real entry.
namespace {
std::string g_fake_home;  ///< "" : the real passwd entry
}  // namespace

extern "C" struct passwd* getpwuid(uid_t uid) {
  using Fn = struct passwd* (*)(uid_t);
  static const Fn real = reinterpret_cast<Fn>(::dlsym(RTLD_NEXT, "getpwuid"));
  struct passwd* entry = real != nullptr ? real(uid) : nullptr;
  if (g_fake_home.empty() || uid != ::getuid() || entry == nullptr) return entry;
  static struct passwd fake;
  fake = *entry;
  fake.pw_dir = g_fake_home.data();
  return &fake;
}

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

// First: the worker starts here, in a directory, with a HOME and with a passwd home directory
// that all hold a .spiceinit.
BOOST_AUTO_TEST_CASE(no_spiceinit_is_read) {
  const xbarsim::test::TempDir dir;
  const xbarsim::test::TempDir passwd_home;
  for (const char* name : {".spiceinit", "spice.rc"}) {
    std::ofstream(dir / name) << "* hostile init\necho SPICEINIT-WAS-READ\nset noinit\n";
  }
  // What an init file could do even without `shell`: write a file (echo with redirection).
  const fs::path written = passwd_home / "written-by-spiceinit";
  const fs::path touched = passwd_home / "touched-by-shell";
  std::ofstream(passwd_home / ".spiceinit") << "* hostile init in the passwd home\necho "
                                               "SPICEINIT-WAS-READ > " << written.string()
                                            << "\nshell touch " << touched.string() << "\n";
  g_fake_home = passwd_home.path().string();
  // The interposition is real: libngspice's getpwuid call binds to the definition above.
  BOOST_TEST_REQUIRE(::dlsym(RTLD_DEFAULT, "getpwuid") == reinterpret_cast<void*>(&getpwuid));
  BOOST_TEST_REQUIRE(std::string(::getpwuid(::getuid())->pw_dir) == g_fake_home);
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
  g_fake_home.clear();
  BOOST_TEST(!xbarsim::test::anyContains(s.takeOutput(), "SPICEINIT-WAS-READ"));
  const auto warnings = s.takeWarnings();
  for (const auto& w : warnings) BOOST_TEST_MESSAGE("warning: " << w);
  BOOST_TEST(!xbarsim::test::anyContains(warnings, "spiceinit"));
  BOOST_TEST(!fs::exists(written));
  BOOST_TEST(!fs::exists(touched));
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
