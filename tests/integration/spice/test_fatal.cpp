// SPDX-License-Identifier: MIT
// An unrecoverable ngspice error: the call fails with ngspice's messages, the worker is
// replaced, and the next call works again on a fresh libngspice.
#define BOOST_TEST_MODULE spice_fatal
#include <boost/test/unit_test.hpp>

#include <string>

#include "spice_test_util.hpp"
#include "xbarsim/core/error.hpp"
#include "xbarsim/spice/session.hpp"

using xbarsim::spice::Session;

BOOST_AUTO_TEST_CASE(undefined_parameter_replaces_the_worker) {
  Session& s = Session::instance();
  s.loadCircuit(xbarsim::test::kDivider);
  s.command("op");
  const unsigned restarts = s.restarts();

  // numparam: "Undefined parameter [foo]" -> nupa_done() calls controlled_exit before it
  // resets its per-deck state, so every later deck would fail too (ngspice 39.3). The
  // self-test notices and the worker is replaced.
  try {
    s.loadCircuit("* t\nv1 in 0 dc 1\nr1 in out {foo}\nr2 out 0 3k\n.end");
    BOOST_FAIL("no error");
  } catch (const xbarsim::SpiceError& e) {
    BOOST_TEST_MESSAGE(e.what());
    BOOST_TEST(xbarsim::test::mentions(e, "Undefined parameter [foo]"));
    BOOST_TEST(xbarsim::test::mentions(e, "a fresh ngspice serves the next call"));
    BOOST_TEST(xbarsim::test::mentions(e, "netlist line 3: r1 in out {foo}"));
  }
  BOOST_TEST(s.restarts() == restarts + 1);
  BOOST_TEST(!s.hasCircuit());
  BOOST_TEST(xbarsim::test::anyContains(s.takeWarnings(), "restarted after a fatal error"));

  // The next deck runs on a fresh libngspice: v(out) = 0.75 V.
  s.loadCircuit(xbarsim::test::kDivider);
  s.command("op");
  BOOST_TEST(s.realVector("out").at(0) == 0.75, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(s.version().rfind("ngspice-", 0) == 0);
}
