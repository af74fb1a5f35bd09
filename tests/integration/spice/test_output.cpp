// SPDX-License-Identifier: MIT
// The text rules behind the session (no ngspice needed): the lines are verbatim ngspice 39.3
// output recorded while building this module.
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "spice/detail/output.hpp"

namespace d = xbarsim::spice::detail;

namespace {
d::OutputLine err(std::string text) { return {d::Stream::Err, std::move(text)}; }
d::OutputLine out(std::string text) { return {d::Stream::Out, std::move(text)}; }
}  // namespace

BOOST_AUTO_TEST_SUITE(spice_output_rules)

BOOST_AUTO_TEST_CASE(prefixes_are_split) {
  const auto e = d::splitPrefix("stderr Error: circuit not parsed.");
  BOOST_TEST((e.stream == d::Stream::Err));
  BOOST_TEST(e.text == "Error: circuit not parsed.");
  const auto o = d::splitPrefix("stdout out = 7.500000e-01\n");
  BOOST_TEST((o.stream == d::Stream::Out));
  BOOST_TEST(o.text == "out = 7.500000e-01");
  const auto r = d::splitPrefix(" Reference value :  1.0e-03\r Reference value :  2.0e-03\r");
  BOOST_TEST((r.stream == d::Stream::Raw));
  BOOST_TEST(r.text == " Reference value :  2.0e-03");
}

BOOST_AUTO_TEST_CASE(errors) {
  for (const auto& line : {
           err("Error: there aren't any circuits loaded."),
           err("Error on line 3 or its substitute:"),
           err("bogus_command: no such command available in ngspice"),
           err("Warning from checkvalid: vector nonexist is not available or has zero length."),
           err("Warning: r1: resistance to low, set to 1 mOhm"),
           err("doAnalyses: OP:  Timestep too small; cause unrecorded."),
           err("op simulation(s) aborted"),
           err("Fatal error: DC Transfer Function: Voltage source, current source, or resistor "
               "named \"vbogus\" is not in the circuit"),
           err("Too many parameters for subcircuit type \"foo\" (instance: xx1)"),
           err("    Please check your input netlist."),
           err("ERROR, library file /x.lib not found"),
           err("usage: alter dev param = expression"),
           err("alterparam: too few args."),
           err("/nonexistent/dir/x.raw: No such file or directory"),
           err("Command 'source' failed:"),
           out("meas op x find v(out) at=0 failed!"),
           out("DC solution failed -"),
       })
    BOOST_TEST((d::classify(line) == d::Severity::Error), line.text);
}

BOOST_AUTO_TEST_CASE(warnings_and_noise) {
  for (const auto& line : {err("Warning: singular matrix:  check node x"),
                           err("warning, can't find model 'out' from line"),
                           err("Trying gmin =   9.9996E-03 Warning: Last gmin step failed"),
                           err("Warning: Dynamic gmin stepping failed")})
    BOOST_TEST((d::classify(line) == d::Severity::Warning), line.text);
  for (const auto& line :
       {out("** ngspice-39 shared library"), out("Note: No compatibility mode selected!"),
        out("Circuit: * divider"), out("Doing analysis at TEMP = 27.000000 and TNOM = 27.000000"),
        out("No. of Data Rows : 1"), err("Note: Starting dynamic gmin stepping"),
        err("Trying gmin =   1.0000E-03 Note: One successful gmin step"),
        // user output on stdout is never an error, whatever it says
        out("error = 1.000000e+00"), out("hello Error"), err("q9 in out")})
    BOOST_TEST((d::classify(line) == d::Severity::Info), line.text);
}

BOOST_AUTO_TEST_CASE(error_reports_keep_their_continuation_lines) {
  const std::vector<d::OutputLine> lines = {
      out("Note: No compatibility mode selected!"),
      err("warning, can't find model 'out' from line"),
      err("q9 in out"),
      out("Circuit: * bad"),
      err("Error on line 3 or its substitute:"),
      err("q9 in out"),
      err("could not find a valid modelname"),
      err("Note: something unrelated"),
      err("not a continuation"),
  };
  const auto errors = d::collectErrors(lines);
  BOOST_TEST(errors == (std::vector<std::string>{"Error on line 3 or its substitute:", "q9 in out",
                                                 "could not find a valid modelname"}),
             boost::test_tools::per_element());
  std::vector<d::OutputLine> flood(100, err("Error: again"));
  const auto capped = d::collectErrors(flood, 10);
  BOOST_TEST(capped.size() == 11U);
  BOOST_TEST(capped.back() == "... 90 more error lines");
}

BOOST_AUTO_TEST_CASE(netlist_preparation) {
  const auto p = d::prepareNetlist(
      "* title\r\nv1 a 0 1\n.control\nop\n quit \n.endc\n.END\nr9 a 0 1\n");
  BOOST_TEST(p.lines == (std::vector<std::string>{"* title", "v1 a 0 1", ".control", "op",
                                                  "* xbarsim: removed quit", ".endc", ".END"}),
             boost::test_tools::per_element());
  BOOST_TEST(p.notes.size() == 2U);
  const auto appended = d::prepareNetlist("* t\nr1 a 0 1");
  BOOST_TEST(appended.lines.back() == ".end");
  BOOST_TEST(appended.notes.empty());
  // .ends / .endc are not .end; the title line is never interpreted
  const auto sub = d::prepareNetlist(".end\n.subckt s a\nr a 0 1\n.ends\n");
  BOOST_TEST(sub.lines.size() == 5U);
  BOOST_TEST(d::prepareNetlist(" \n \r\n").lines.empty());
}

BOOST_AUTO_TEST_CASE(netlist_line_location) {
  const std::vector<std::string> netlist = {"* t", "v1 in 0 dc 1", "X1 in out nosuch",
                                            "r2 out 0 3k", ".end"};
  const auto at = [&](std::vector<std::string> errors) {
    return d::locateNetlistLine(netlist, errors).value_or(99);
  };
  BOOST_TEST(at({"Error: unknown subckt: x1 in out nosuch"}) == 2U);
  BOOST_TEST(at({"Error on line 4 or its substitute:", "r2 out 0 3k", "unknown parameter"}) == 3U);
  BOOST_TEST(at({"Netlist line no. 2:", "Undefined parameter [foo]"}) == 1U);
  BOOST_TEST(at({"Too many parameters for subcircuit type \"foo\" (instance: xx1)"}) == 2U);
  BOOST_TEST(at({"Error: there aren't any circuits loaded."}) == 99U);
}

BOOST_AUTO_TEST_SUITE_END()
