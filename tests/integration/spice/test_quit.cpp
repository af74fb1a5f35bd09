// SPDX-License-Identifier: MIT
// `quit` reaching ngspice (here via `source` of a deck that quits) tears libngspice down;
// the session must report it, replace its worker and go on.
#define BOOST_TEST_MODULE spice_quit
#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

#include "spice_test_util.hpp"
#include "temp_dir.hpp"
#include "xbarsim/core/error.hpp"
#include "xbarsim/spice/session.hpp"

using xbarsim::spice::Session;

BOOST_AUTO_TEST_CASE(quit_replaces_the_worker) {
  const xbarsim::test::TempDir dir;
  const auto deck = dir / "quit.cir";
  {
    std::ofstream file(deck);
    file << "* quitting deck\nv1 in 0 dc 1\nr1 in 0 1k\n.control\nop\nquit\n.endc\n.end\n";
  }
  Session& s = Session::instance();
  try {
    s.command("source " + deck.string());
    BOOST_FAIL("no error");
  } catch (const xbarsim::SpiceError& e) {
    BOOST_TEST_MESSAGE(e.what());
    BOOST_TEST(xbarsim::test::mentions(e, "ngspice quit"));
  }
  // Measured: after quit, ngSpice_Circ segfaults in libngspice 39.3. The worker that quit
  // is replaced; the next call runs on a fresh one.
  BOOST_TEST(s.restarts() == 1U);
  s.loadCircuit(xbarsim::test::kDivider);
  s.command("op");
  BOOST_TEST(s.realVector("out").at(0) == 0.75, boost::test_tools::tolerance(1e-12));
}
