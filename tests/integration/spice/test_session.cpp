// SPDX-License-Identifier: MIT
// The libngspice session on working circuits: op/alter/alterparam/dc/tran/ac, .control
// blocks, output capture, vectors, threads, locale.
#include <boost/test/unit_test.hpp>

#include <clocale>
#include <cmath>
#include <complex>
#include <numbers>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "spice_test_util.hpp"
#include "xbarsim/core/error.hpp"
#include "xbarsim/spice/session.hpp"

using xbarsim::spice::Session;
using xbarsim::test::anyContains;
using xbarsim::test::kDivider;

namespace {
struct Fresh {  // every test starts without a circuit and with empty capture buffers
  Fresh() {
    Session& s = Session::instance();
    s.clear();
    (void)s.takeOutput();
    (void)s.takeWarnings();
  }
};
}  // namespace

BOOST_FIXTURE_TEST_SUITE(spice_session, Fresh)

BOOST_AUTO_TEST_CASE(version_and_banner_are_not_errors) {
  Session& s = Session::instance();
  BOOST_TEST(s.version().rfind("ngspice-", 0) == 0);
  BOOST_TEST_MESSAGE("libngspice version: " << s.version());
  s.loadCircuit(kDivider);
  s.command("op");
  // "Note: No compatibility mode selected!", "Circuit: ...", "Doing analysis ..." are output,
  // not warnings.
  const auto warnings = s.takeWarnings();
  BOOST_TEST(warnings.empty(), "unexpected warnings: " << fmt::format("{}", fmt::join(warnings, " | ")));
  const auto output = s.takeOutput();
  BOOST_TEST(anyContains(output, "Circuit: * divider"));
  BOOST_TEST(anyContains(output, "No. of Data Rows : 1"));
}

BOOST_AUTO_TEST_CASE(divider_op_matches_closed_form) {
  Session& s = Session::instance();
  s.loadCircuit(kDivider);
  BOOST_TEST(s.hasCircuit());
  s.command("op");
  const auto out = s.realVector("v(out)");
  BOOST_TEST_REQUIRE(out.size() == 1U);
  BOOST_TEST(out[0] == 0.75);  // 1 V * 3k / (1k + 3k), exact in binary
  BOOST_TEST(s.realVector("out") == out);
  const auto current = s.realVector("i(v1)");
  BOOST_TEST(current[0] == -0.25e-3, boost::test_tools::tolerance(1e-14));
  BOOST_TEST(s.realVector("V1#BRANCH") == current);  // names are case-insensitive

  // A ratio that is not exact in binary: agree to the last few ulps.
  s.loadCircuit("* divider 2\nv1 in 0 dc 1.3\nr1 in out 4.7k\nr2 out 0 2.2k\n.end");
  s.command("op");
  BOOST_TEST(s.realVector("v(out)")[0] == 1.3 * 2.2e3 / (4.7e3 + 2.2e3),
             boost::test_tools::tolerance(1e-13));
}

BOOST_AUTO_TEST_CASE(vector_names_of_the_current_plot) {
  Session& s = Session::instance();
  BOOST_TEST(s.vectorNames().empty());  // only the constants plot after clear()
  s.loadCircuit(kDivider);
  s.command("op");
  const auto names = s.vectorNames();
  for (const char* expected : {"in", "out", "v1#branch"})
    BOOST_TEST(anyContains(names, expected), expected);
  s.clear();
  BOOST_TEST(!s.hasCircuit());
  BOOST_TEST(s.vectorNames().empty());
}

BOOST_AUTO_TEST_CASE(alter_resistor_and_rerun) {
  Session& s = Session::instance();
  s.loadCircuit(kDivider);
  s.command("op");
  BOOST_TEST(s.realVector("out")[0] == 0.75);
  s.command("alter r1 2k");
  s.command("op");
  BOOST_TEST(s.realVector("out")[0] == 3.0 / 5.0, boost::test_tools::tolerance(1e-14));
  s.command("alter r1 = 5k");  // the form the extract module uses
  s.command("alter v1 dc = 2");
  s.command("op");
  BOOST_TEST(s.realVector("out")[0] == 2.0 * 3.0 / 8.0, boost::test_tools::tolerance(1e-14));
}

BOOST_AUTO_TEST_CASE(alterparam_and_reset) {
  Session& s = Session::instance();
  s.loadCircuit("* param\n.param rv=1k\nv1 in 0 dc 1\nr1 in out {rv}\nr2 out 0 3k\n.end");
  s.command("op");
  BOOST_TEST(s.realVector("out")[0] == 0.75);
  s.command("alterparam rv=3k");
  s.command("reset");  // alterparam acts on the next parse
  s.command("op");
  BOOST_TEST(s.realVector("out")[0] == 0.5);
  s.command("alterparam rv = 7k");  // spaces around '=' are accepted too
  s.command("reset");
  s.command("op");
  BOOST_TEST(s.realVector("out")[0] == 0.3, boost::test_tools::tolerance(1e-14));
}

BOOST_AUTO_TEST_CASE(dc_sweep_vector_length_and_values) {
  Session& s = Session::instance();
  s.loadCircuit(kDivider);
  s.command("dc v1 0 1 0.125");
  const auto sweep = s.realVector("v-sweep");
  const auto out = s.realVector("out");
  BOOST_TEST_REQUIRE(sweep.size() == 9U);
  BOOST_TEST_REQUIRE(out.size() == 9U);
  for (std::size_t k = 0; k < sweep.size(); ++k) {
    BOOST_TEST(sweep[k] == 0.125 * static_cast<double>(k), boost::test_tools::tolerance(1e-12));
    BOOST_TEST(out[k] == 0.75 * sweep[k], boost::test_tools::tolerance(1e-12));
  }
}

BOOST_AUTO_TEST_CASE(tran_rc_discharge_follows_exponential) {
  Session& s = Session::instance();
  // C = 1 µF charged to 1 V discharging into R = 1 kΩ: v(t) = exp(-t / 1 ms).
  s.loadCircuit("* rc discharge\nc1 out 0 1u ic=1\nr1 out 0 1k\n.end");
  s.command("tran 10u 5m uic");  // ngspice defaults: reltol 1e-3, trapezoidal
  const auto time = s.realVector("time");
  const auto out = s.realVector("v(out)");
  BOOST_TEST_REQUIRE(time.size() == out.size());
  BOOST_TEST_REQUIRE(time.size() > 100U);
  BOOST_TEST(time.back() == 5e-3, boost::test_tools::tolerance(1e-12));
  double worst = 0.0;
  for (std::size_t k = 0; k < time.size(); ++k)
    worst = std::max(worst, std::abs(out[k] - std::exp(-time[k] / 1e-3)));
  BOOST_TEST_MESSAGE("tran RC: " << time.size() << " points, max |v - exp(-t/RC)| = " << worst
                                  << " V (peak 1 V)");
  BOOST_TEST(worst < 1e-3);
}

BOOST_AUTO_TEST_CASE(ac_results_are_complex) {
  Session& s = Session::instance();
  const double fc = 1.0 / (2.0 * std::numbers::pi * 1e3 * 1e-6);  // RC low-pass corner
  s.loadCircuit(fmt::format("* rc lowpass\nv1 in 0 dc 0 ac 1\nr1 in out 1k\nc1 out 0 1u\n"
                            ".end"));
  s.command(fmt::format("ac lin 1 {:.17g} {:.17g}", fc, fc));
  const auto h = s.complexVector("v(out)");
  BOOST_TEST_REQUIRE(h.size() == 1U);
  BOOST_TEST(h[0].real() == 0.5, boost::test_tools::tolerance(1e-9));  // 1 / (1 + j)
  BOOST_TEST(h[0].imag() == -0.5, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(s.complexVector("frequency")[0].real() == fc, boost::test_tools::tolerance(1e-12));
  // A complex vector is never silently truncated to its real part.
  BOOST_CHECK_THROW((void)s.realVector("v(out)"), xbarsim::SpiceError);
  // complexVector() promotes real vectors.
  s.command("op");
  BOOST_TEST(s.complexVector("v(in)")[0] == std::complex<double>(0.0, 0.0));
}

BOOST_AUTO_TEST_CASE(control_block_runs_during_load) {
  Session& s = Session::instance();
  s.loadCircuit(
      "* with control\nv1 in 0 dc 1\nr1 in out 1k\nr2 out 0 3k\n"
      ".control\nop\nprint v(out)\n.endc\n.end");
  BOOST_TEST(anyContains(s.takeOutput(), "v(out) = 7.500000e-01"));
  BOOST_TEST(s.realVector("out")[0] == 0.75);  // the plot made by the block is current
  BOOST_TEST(s.takeWarnings().empty());
}

BOOST_AUTO_TEST_CASE(quit_in_control_block_is_removed) {
  Session& s = Session::instance();
  s.loadCircuit(
      "* batch deck\nv1 in 0 dc 1\nr1 in out 1k\nr2 out 0 3k\n"
      ".control\nop\n  QUIT\n.endc\n.end");
  const auto warnings = s.takeWarnings();
  BOOST_TEST(anyContains(warnings, "'QUIT' in a .control block removed"));
  BOOST_TEST(s.realVector("out")[0] == 0.75);
  s.command("op");  // still usable
}

BOOST_AUTO_TEST_CASE(missing_end_is_appended_and_crlf_stripped) {
  Session& s = Session::instance();
  s.loadCircuit("* no end\r\nv1 in 0 dc 1\r\nr1 in out 1k\r\nr2 out 0 3k\r\n");
  s.command("op");
  BOOST_TEST(s.realVector("out")[0] == 0.75);
  s.loadCircuit("* trailing\nv1 in 0 dc 1\nr1 in out 1k\nr2 out 0 3k\n.end\nr9 in 0 1\n");
  BOOST_TEST(anyContains(s.takeWarnings(), "after .end ignored"));
  s.command("op");
  BOOST_TEST(s.realVector("out")[0] == 0.75);
}

BOOST_AUTO_TEST_CASE(print_output_is_captured_not_printed) {
  Session& s = Session::instance();
  s.loadCircuit(kDivider);
  s.command("op");
  (void)s.takeOutput();
  s.command("print out");
  const auto output = s.takeOutput();
  BOOST_TEST_REQUIRE(output.size() == 1U);
  BOOST_TEST(output[0] == "out = 7.500000e-01");
  BOOST_TEST(s.takeOutput().empty());
}

BOOST_AUTO_TEST_CASE(other_threads_are_refused) {
  Session& s = Session::instance();
  bool instance_refused = false;
  bool method_refused = false;
  std::thread worker([&] {
    try {
      (void)Session::instance();
    } catch (const xbarsim::Error& e) {
      instance_refused = std::string(e.what()).find("thread") != std::string::npos;
    }
    try {
      s.command("op");
    } catch (const xbarsim::Error&) {
      method_refused = true;
    }
  });
  worker.join();
  BOOST_TEST(instance_refused);
  BOOST_TEST(method_refused);
  s.loadCircuit(kDivider);  // the owner thread carries on
  s.command("op");
}

/// The first comma-decimal locale this system has, or nullptr; leaves the locale unchanged.
const char* commaDecimalLocale() {
  const std::string previous = std::setlocale(LC_ALL, nullptr);
  for (const char* name : {"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "de_DE", "fr_FR"}) {
    if (std::setlocale(LC_ALL, name) != nullptr) {
      std::setlocale(LC_ALL, previous.c_str());
      return name;
    }
  }
  return nullptr;
}

// Needs a comma-decimal locale (none by default on Debian: `localedef -i de_DE -f UTF-8
// de_DE.UTF-8`, or LOCPATH); without one Boost reports the case skipped.
BOOST_AUTO_TEST_CASE(comma_decimal_locale_does_not_leak_into_ngspice,
                     *boost::unit_test::precondition([](boost::unit_test::test_unit_id) {
                       boost::test_tools::assertion_result found(commaDecimalLocale() != nullptr);
                       found.message() << "no comma-decimal locale (de_DE, fr_FR) installed";
                       return found;
                     })) {
  // ngspice's numparam converts numbers with the C library, which honours LC_NUMERIC: under
  // de_DE ".param rv=1.5k" is a "Number format error" and a fatal exit. The session runs
  // every ngspice call in the C locale.
  const std::string previous = std::setlocale(LC_ALL, nullptr);
  const char* set = std::setlocale(LC_ALL, commaDecimalLocale());
  BOOST_REQUIRE(set != nullptr);
  BOOST_TEST_MESSAGE("running under locale " << set);
  Session& s = Session::instance();
  try {
    s.loadCircuit("* locale\n.param rv=1.5k\nv1 in 0 dc 1.5\nr1 in out {rv}\nr2 out 0 4.5k\n.end");
    s.command("op");
    BOOST_TEST(s.realVector("out")[0] == 1.125, boost::test_tools::tolerance(1e-14));
    s.command("alterparam rv=2.5k");
    s.command("reset");
    s.command("op");
    BOOST_TEST(s.realVector("out")[0] == 1.5 * 4.5 / 7.0, boost::test_tools::tolerance(1e-14));
  } catch (...) {
    std::setlocale(LC_ALL, previous.c_str());
    throw;
  }
  std::setlocale(LC_ALL, previous.c_str());
}

BOOST_AUTO_TEST_SUITE_END()
