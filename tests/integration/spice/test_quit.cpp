// SPDX-License-Identifier: MIT
// `quit` reaching ngspice (here via `source` of a deck that quits) tears libngspice down;
// the session must report it and refuse further work instead of crashing.
// Own executable: the session is one per process and cannot be revived.
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

BOOST_AUTO_TEST_CASE(quit_marks_the_session_dead) {
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
  BOOST_TEST(!s.isAlive());
  // Measured: after quit, ngSpice_Circ segfaults in libngspice 39.3. The session must not
  // call it any more.
  BOOST_CHECK_THROW(s.loadCircuit(xbarsim::test::kDivider), xbarsim::Error);
  BOOST_CHECK_THROW(s.command("op"), xbarsim::Error);
  BOOST_TEST(!s.hasCircuit());
}
