// SPDX-License-Identifier: MIT
// An unrecoverable ngspice error: after it the session is dead but nothing crashes.
// Own executable: the session is one per process and cannot be revived.
#define BOOST_TEST_MODULE spice_fatal
#include <boost/test/unit_test.hpp>

#include <string>

#include "spice_test_util.hpp"
#include "xbarsim/core/error.hpp"
#include "xbarsim/spice/session.hpp"

using xbarsim::spice::Session;

BOOST_AUTO_TEST_CASE(undefined_parameter_kills_the_session) {
  Session& s = Session::instance();
  s.loadCircuit(xbarsim::test::kDivider);
  s.command("op");

  // numparam: "Undefined parameter [foo]" -> nupa_done() calls controlled_exit before it
  // resets its per-deck state, so every later deck fails too (ngspice 39.3). The self-test
  // notices and the session declares itself dead.
  try {
    s.loadCircuit("* t\nv1 in 0 dc 1\nr1 in out {foo}\nr2 out 0 3k\n.end");
    BOOST_FAIL("no error");
  } catch (const xbarsim::SpiceError& e) {
    BOOST_TEST_MESSAGE(e.what());
    BOOST_TEST(xbarsim::test::mentions(e, "Undefined parameter [foo]"));
    BOOST_TEST(xbarsim::test::mentions(e, "session is unusable"));
    BOOST_TEST(xbarsim::test::mentions(e, "netlist line 3: r1 in out {foo}"));
  }
  BOOST_TEST(!s.isAlive());
  BOOST_TEST(!s.hasCircuit());

  // Every later call throws xbarsim::Error (not SpiceError: no point retrying per item).
  auto expectDead = [](auto&& f) {
    try {
      f();
      BOOST_FAIL("no error");
    } catch (const xbarsim::SpiceError& e) {
      BOOST_FAIL(std::string("SpiceError instead of Error: ") + e.what());
    } catch (const xbarsim::Error& e) {
      BOOST_TEST(std::string(e.what()).find("unusable") != std::string::npos, e.what());
    }
  };
  expectDead([&] { s.loadCircuit(xbarsim::test::kDivider); });
  expectDead([&] { s.command("op"); });
  expectDead([&] { (void)s.realVector("out"); });
  expectDead([&] { (void)s.vectorNames(); });
  expectDead([&] { s.clear(); });
  BOOST_TEST(!s.takeOutput().empty());  // the captured text is still there
  BOOST_TEST(s.version().rfind("ngspice-", 0) == 0);
}
