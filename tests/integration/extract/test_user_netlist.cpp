// SPDX-License-Identifier: MIT
// A designer's own deck (netlists/example_tia_deck.cir) through the extraction code.
#include <boost/test/unit_test.hpp>
#include <fstream>
#include <sstream>
#include <utility>
#include <vector>

#include "run_command.hpp"
#include "xbarsim/core/error.hpp"
#include "xbarsim/extract/config_schema.hpp"
#include "xbarsim/extract/ngspice_backend.hpp"
#include "xbarsim/extract/user_netlist.hpp"

using xbarsim::core::Config;
using xbarsim::extract::configSchema;
using xbarsim::test::maxRelativeError;

namespace {
const std::filesystem::path kDeck = std::filesystem::path(XBARSIM_TEST_SOURCE_DIR) / "netlists/example_tia_deck.cir";

Config configOf(const std::string& text) { return Config::parse(text, "test.toml", configSchema()); }

/// The same array as the example deck, as a canonical crossbar with ideal sense amplifiers.
xbarsim::circuit::CrossbarSpec idealTwin() {
  xbarsim::circuit::CrossbarSpec spec;
  spec.rows = 4;
  spec.cols = 4;
  spec.r_row_ohm = 5.0;
  spec.r_col_ohm = 5.0;
  spec.g_s.resize(4, 4);
  spec.g_s << 1 / 40e3, 1 / 100e3, 1 / 200e3, 1 / 50e3,  //
      1 / 66.6667e3, 1 / 40e3, 1 / 80e3, 1 / 125e3,      //
      1 / 200e3, 1 / 57.1429e3, 1 / 40e3, 1 / 100e3,     //
      1 / 50e3, 1 / 160e3, 1 / 66.6667e3, 1 / 44.4444e3;
  return spec;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(user_netlist)

BOOST_AUTO_TEST_CASE(finds_conventional_names_and_params) {
  const auto deck = xbarsim::extract::readUserDeck(kDeck, configOf(""));
  BOOST_TEST(deck.inputs == (std::vector<std::string>{"vin0", "vin1", "vin2", "vin3"}), boost::test_tools::per_element());
  BOOST_TEST(deck.outputs.size() == 4u);
  BOOST_TEST(deck.text.find(".control") == std::string::npos);
  BOOST_TEST((std::find(deck.params.begin(), deck.params.end(), "rf") != deck.params.end()));
}

BOOST_AUTO_TEST_CASE(non_ideal_tia_differs_from_ideal_and_params_recover_it) {
  const auto ideal = xbarsim::extract::NgspiceBackend().effectiveWeights(idealTwin(), 0.2);
  const auto deck = xbarsim::extract::readUserDeck(kDeck, configOf(""));
  const auto as_designed = xbarsim::extract::userDeckWeights(deck, {}, 0.2);
  const double difference = maxRelativeError(as_designed.weff_s, ideal.weff_s);
  BOOST_TEST_MESSAGE("example deck W_eff vs ideal sense: max relative difference " << difference);
  BOOST_TEST(difference > 1e-3);  // A = 500, rf = 20k: ~40 ohm at each virtual ground
  // Overriding the .params to an ideal amplifier gives the ideal array back.
  const Config ideal_params = configOf("[netlist.params]\naol = 1e10\nvos = 0\nrout = 1e-6\n");
  const auto recovered = xbarsim::extract::userDeckWeights(
      xbarsim::extract::readUserDeck(kDeck, ideal_params), ideal_params.realTable("netlist.params"), 0.2);
  BOOST_TEST(maxRelativeError(recovered.weff_s, ideal.weff_s) < 1e-6);
  // Currents at the deck's own DC point are consistent with its standalone run.
  const auto mvm = xbarsim::extract::userDeckCurrents(deck, {}, Eigen::VectorXd::Constant(4, 0.2));
  const auto run = xbarsim::test::runCommand("ngspice -b " + kDeck.string() + " 2>&1");
  const auto printed = xbarsim::test::parsePrinted(run.output);
  BOOST_REQUIRE(printed.count("i(vout0)") == 1u);
  BOOST_TEST(std::abs(mvm.currents_a[0] - printed.at("i(vout0)")) / printed.at("i(vout0)") < 1e-9);
}

BOOST_AUTO_TEST_CASE(bad_decks_and_params_are_reported) {
  BOOST_CHECK_THROW((void)xbarsim::extract::readUserDeck(kDeck, configOf("[netlist.params]\nnope = 1\n")),
                    xbarsim::ConfigError);
  BOOST_CHECK_THROW((void)xbarsim::extract::readUserDeck(kDeck, configOf("[netlist]\ninputs = [\"v_missing\"]\n")),
                    xbarsim::ConfigError);
  xbarsim::test::TempDir dir;
  std::ofstream(dir / "gap.cir") << "gap\nvin0 a 0 1\nvin2 b 0 1\nvout0 a 0 0\nr1 a b 1k\n.end\n";
  BOOST_CHECK_THROW((void)xbarsim::extract::readUserDeck(dir / "gap.cir", configOf("")), xbarsim::ConfigError);
  std::ofstream(dir / "broken.cir") << "broken\nvin0 a 0 1\nvout0 b 0 0\nr1 a b\nqbogus a b\n.end\n";
  const auto deck = xbarsim::extract::readUserDeck(dir / "broken.cir", configOf(""));
  // A deck ngspice cannot parse is bad input: file, the deck line, ngspice's own message.
  try {
    (void)xbarsim::extract::userDeckWeights(deck, {}, 0.2);
    BOOST_FAIL("a deck ngspice cannot parse was accepted");
  } catch (const xbarsim::ConfigError& e) {
    BOOST_TEST(e.line() >= 4, e.what());
    BOOST_TEST(std::string(e.what()).find("ngspice") != std::string::npos, e.what());
  }
}

BOOST_AUTO_TEST_CASE(includes_and_lib_sections_are_pasted_without_control_blocks) {
  xbarsim::test::TempDir dir;
  std::filesystem::create_directories(dir / "lib" / "more");
  std::ofstream(dir / "deck.cir") << "* deck\n.include lib/parts.inc\n.lib 'lib/models.lib' slow\n"
                                     "VIN0 a 0 dc 0\nVOUT0 b 0 dc 0\nx1 a b rdiv\n.control\nshell true\n.endc\n.end\n";
  std::ofstream(dir / "lib/parts.inc") << "* parts\n.include more/inner.inc\n.subckt rdiv p n\nr1 p n {rval}\n.ends\n";
  std::ofstream(dir / "lib/more/inner.inc") << "* inner\n.CONTROL\nshell true\n.ENDC\nqbogus a b\n";
  std::ofstream(dir / "lib/models.lib") << "* models\n.lib typical\n.param rval=2k\n.endl\n"
                                           ".lib slow\n.control\nshell true\n.endc\n.param rval=5k\n.endl\n";
  const auto deck = xbarsim::extract::readUserDeck(dir / "deck.cir", configOf(""));
  BOOST_TEST(deck.text.find("shell") == std::string::npos, deck.text);
  BOOST_TEST(deck.text.find(".include") == std::string::npos, deck.text);
  BOOST_TEST(deck.text.find("rval=5k") != std::string::npos, deck.text);
  BOOST_TEST(deck.text.find("rval=2k") == std::string::npos, deck.text);
  BOOST_TEST(deck.included_files.size() == 4U);
  // Every loaded line knows its file and line: qbogus is line 5 of lib/more/inner.inc.
  std::istringstream lines(deck.text);
  std::size_t k = 0;
  bool found = false;
  for (std::string line; std::getline(lines, line); ++k)
    if (line == "qbogus a b") {
      found = true;
      BOOST_TEST(deck.origins.at(k).file.filename() == "inner.inc");
      BOOST_TEST(deck.origins.at(k).line == 5);
    }
  BOOST_TEST(found);
  // ngspice's parse error is reported at that file and line.
  try {
    (void)xbarsim::extract::userDeckWeights(deck, {}, 0.2);
    BOOST_FAIL("a deck ngspice cannot parse was accepted");
  } catch (const xbarsim::ConfigError& e) {
    BOOST_TEST(e.file().find("inner.inc") != std::string::npos, e.what());
    BOOST_TEST(e.line() == 5, e.what());
  }
}

BOOST_AUTO_TEST_CASE(include_errors_name_the_including_line) {
  xbarsim::test::TempDir dir;
  std::ofstream(dir / "loop.cir") << "* loop\n.include loop.cir\n.end\n";
  std::ofstream(dir / "open.cir") << "* open control\nVIN0 a 0 dc 0\n.control\nop\n.end\n";
  std::ofstream(dir / "lib.cir") << "* lib\n.lib x.lib\n.end\n";
  for (const auto& [file, line] : std::vector<std::pair<std::string, long>>{{"loop.cir", 2}, {"open.cir", 3}, {"lib.cir", 2}}) {
    try {
      (void)xbarsim::extract::readUserDeck(dir / file, configOf(""));
      BOOST_FAIL(file + " accepted");
    } catch (const xbarsim::ConfigError& e) {
      BOOST_TEST_MESSAGE(e.what());
      BOOST_TEST(e.line() == line, e.what());
    }
  }
  for (const std::string name : {"vin0;shell", "vin0 shell", "$x", ""}) {
    const std::string config = "[netlist]\ninputs = [\"" + name + "\"]\n";
    BOOST_CHECK_THROW((void)xbarsim::extract::readUserDeck(kDeck, configOf(config)), xbarsim::ConfigError);
  }
}

BOOST_AUTO_TEST_SUITE_END()
