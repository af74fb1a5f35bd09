// SPDX-License-Identifier: MIT
// Designers' decks as they are written (netlists/handwritten_4x4, generated_6x4, imac_layer):
// name patterns, hierarchical names, voltage, differential and element-current outputs,
// analysis cards, .ic states and the checks on outputs. Every number is compared with
// standalone ngspice (`ngspice -b` on a copy of the same deck with a .control block) at 1e-9.
#include <fmt/format.h>

#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "run_command.hpp"
#include "xbarsim/core/error.hpp"
#include "xbarsim/extract/config_schema.hpp"
#include "xbarsim/extract/user_netlist.hpp"
#include "xbarsim/io/hdf5_file.hpp"

namespace fs = std::filesystem;
using xbarsim::core::Config;
using xbarsim::test::maxRelativeError;
using xbarsim::test::TempDir;

namespace {

const fs::path kNetlists = fs::path(XBARSIM_TEST_SOURCE_DIR) / "netlists";
constexpr double kTolerance = 1e-9;

Config configOf(const std::string& text, const std::string& name = "test.toml") {
  return Config::parse(text, name, xbarsim::extract::configSchema());
}

std::string binary() {
  const char* path = std::getenv("XBARSIM_BINARY");
  BOOST_REQUIRE_MESSAGE(path != nullptr, "XBARSIM_BINARY is not set (run through ctest)");
  return path;
}

std::string lowerCase(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

/// What standalone ngspice prints for a deck: `op` with the inputs at x (one value per
/// expression), then, with every input at v_read, one `ac` per input k with unit magnitude on
/// k only (Re of each expression: the small-signal transfer, rows = expressions).
struct Standalone {
  Eigen::VectorXd op;
  Eigen::MatrixXd ac;
};

Standalone standalone(const fs::path& deck, const std::vector<std::string>& sources,
                      const Eigen::VectorXd& x, double v_read,
                      const std::vector<std::string>& expressions) {
  TempDir dir;
  for (const auto& entry : fs::directory_iterator(deck.parent_path()))
    if (entry.path().extension() == ".inc")
      fs::copy_file(entry.path(), dir.path() / entry.path().filename());
  std::ifstream in(deck);
  std::string text;
  bool control = false;
  for (std::string line; std::getline(in, line);) {
    const std::string low = lowerCase(line);
    if (low.rfind(".control", 0) == 0) control = true;
    const bool end = low == ".end" || low.rfind(".end ", 0) == 0;
    const bool skip = control || end;
    if (low.rfind(".endc", 0) == 0) control = false;
    if (!skip) text += line + "\n";
  }
  text += ".control\nset numdgt=15\n";
  for (std::size_t i = 0; i < sources.size(); ++i)
    text += fmt::format("alter {} dc = {:.17g}\n", sources[i], x[static_cast<Eigen::Index>(i)]);
  text += "op\n";
  for (std::size_t m = 0; m < expressions.size(); ++m)
    text += fmt::format("let y{} = {}\nprint y{}\n", m, expressions[m], m);
  for (const std::string& s : sources)
    text += fmt::format("alter {} dc = {:.17g}\nalter {} ac = 0\n", s, v_read, s);
  for (std::size_t k = 0; k < sources.size(); ++k) {
    if (k > 0) text += fmt::format("alter {} ac = 0\n", sources[k - 1]);
    text += fmt::format("alter {} ac = 1\nac lin 1 1 1\n", sources[k]);
    for (std::size_t m = 0; m < expressions.size(); ++m)
      text += fmt::format("let w{}_{} = real({})\nprint w{}_{}\n", m, k, expressions[m], m, k);
  }
  text += ".endc\n.end\n";
  std::ofstream(dir / "driver.cir") << text;
  const auto run =
      xbarsim::test::runCommand("cd " + dir.path().string() + " && ngspice -b driver.cir 2>&1");
  const auto printed = xbarsim::test::parsePrinted(run.output);
  Standalone result{Eigen::VectorXd(static_cast<Eigen::Index>(expressions.size())),
                    Eigen::MatrixXd(static_cast<Eigen::Index>(expressions.size()),
                                    static_cast<Eigen::Index>(sources.size()))};
  for (std::size_t m = 0; m < expressions.size(); ++m) {
    const std::string y = fmt::format("y{}", m);
    BOOST_REQUIRE_MESSAGE(printed.count(y) == 1, "standalone ngspice printed no " << expressions[m]
                                                                                  << ":\n"
                                                                                  << run.output);
    result.op[static_cast<Eigen::Index>(m)] = printed.at(y);
    for (std::size_t k = 0; k < sources.size(); ++k) {
      const std::string w = fmt::format("w{}_{}", m, k);
      BOOST_REQUIRE_MESSAGE(printed.count(w) == 1, "no " << w << ":\n" << run.output);
      result.ac(static_cast<Eigen::Index>(m), static_cast<Eigen::Index>(k)) = printed.at(w);
    }
  }
  return result;
}

/// `xbarsim extract --netlist deck --config <config text>` (W) and with `--input x`.
struct Extracted {
  Eigen::MatrixXd weff;
  std::string weff_units;
  Eigen::VectorXd outputs;
  std::string output_units;
  std::vector<std::string> probes;
};

Extracted extractWithCli(const fs::path& deck, const std::string& config,
                         const Eigen::VectorXd& x) {
  TempDir dir;
  std::ofstream(dir / "deck.toml") << config;
  {
    std::ofstream input(dir / "x.csv");
    for (const double v : x) input << fmt::format("{:.17g}\n", v);
  }
  const std::string base = fmt::format("{} extract --netlist {} --config {} ", binary(),
                                       deck.string(), (dir / "deck.toml").string());
  const auto w_run = xbarsim::test::runCommand(base + "--out " + (dir / "w.h5").string() + " 2>&1");
  BOOST_REQUIRE_MESSAGE(w_run.status == 0, w_run.output);
  const auto y_run = xbarsim::test::runCommand(base + "--input " + (dir / "x.csv").string() +
                                               " --out " + (dir / "y.h5").string() + " 2>&1");
  BOOST_REQUIRE_MESSAGE(y_run.status == 0, y_run.output);
  Extracted result;
  {
    const auto w = xbarsim::io::H5File::openReadOnly(dir / "w.h5");
    result.weff = w.readMatrix("/weff");
    result.weff_units = w.readStringAttribute("/weff", "units");
    result.probes = w.readStrings("/output_probes");
  }
  const auto y = xbarsim::io::H5File::openReadOnly(dir / "y.h5");
  const std::string dataset = y.exists("/voltages") ? "/voltages" : "/currents";
  result.outputs = y.readVector(dataset);
  result.output_units = y.readStringAttribute(dataset, "units");
  return result;
}

/// Rows a - b of two standalone results (differential outputs).
Eigen::MatrixXd difference(const Eigen::MatrixXd& m, Eigen::Index half) {
  return m.topRows(half) - m.bottomRows(half);
}

std::vector<std::string> numbered(const std::string& format, int from, int to) {
  std::vector<std::string> names;
  for (int k = from; k <= to; ++k) names.push_back(fmt::format(fmt::runtime(format), k));
  return names;
}

std::vector<std::string> concat(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

void checkAgainst(const Extracted& got, const Standalone& reference, const std::string& what) {
  const double w_error = maxRelativeError(got.weff, reference.ac);
  const double y_error = maxRelativeError(got.outputs, reference.op);
  BOOST_TEST_MESSAGE(what << ": W max relative error " << w_error << ", outputs " << y_error);
  BOOST_TEST(got.weff.rows() == reference.ac.rows());
  BOOST_TEST(w_error < kTolerance, what);
  BOOST_TEST(y_error < kTolerance, what);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(user_decks)

BOOST_AUTO_TEST_CASE(name_patterns_expand_in_order_and_in_step) {
  using xbarsim::extract::expandNamePatterns;
  auto names = [](const std::string& value) {
    return expandNamePatterns(configOf("[netlist]\ninputs = " + value + "\n"), "netlist.inputs");
  };
  BOOST_TEST(names("\"V{0..3}\"") == (std::vector<std::string>{"V0", "V1", "V2", "V3"}),
             boost::test_tools::per_element());
  BOOST_TEST(names("\"VS{12..10}\"") == (std::vector<std::string>{"VS12", "VS11", "VS10"}),
             boost::test_tools::per_element());
  BOOST_TEST(names("[\"vbias\", \"x1.v{1..2}\", \"v(p{1..2},n{3..4})\"]") ==
                 (std::vector<std::string>{"vbias", "x1.v1", "x1.v2", "v(p1,n3)", "v(p2,n4)"}),
             boost::test_tools::per_element());
  for (const std::string bad : {"\"V{0..}\"", "\"V{a..b}\"", "\"V{0..3\"", "\"V}\"",
                                "\"v(p{1..2},n{1..3})\"", "\"V{-1..2}\"", "[]"}) {
    try {
      (void)names(bad);
      BOOST_FAIL(bad + " accepted");
    } catch (const xbarsim::ConfigError& e) {
      BOOST_TEST_MESSAGE(e.what());
      BOOST_TEST(e.key() == "netlist.inputs", e.what());
      BOOST_TEST(e.file() == "test.toml", e.what());
    }
  }
}

BOOST_AUTO_TEST_CASE(handwritten_deck_with_one_based_names) {
  const fs::path deck = kNetlists / "handwritten_4x4.cir";
  std::ifstream config_file(kNetlists / "handwritten_4x4.toml");
  const std::string config((std::istreambuf_iterator<char>(config_file)), {});
  Eigen::VectorXd x(4);
  x << 0.2, -0.1, 0.3, 0.05;
  const auto inputs = numbered("v{}", 1, 4);
  const auto reference = standalone(deck, inputs, x, 0.2, numbered("vs{}#branch", 1, 4));
  const Extracted probes = extractWithCli(deck, config, x);
  checkAgainst(probes, reference, "handwritten 4x4, VS{1..4}");
  BOOST_TEST(probes.weff_units == "S");
  BOOST_TEST(probes.output_units == "A");
  BOOST_TEST(probes.probes == numbered("vs{}", 1, 4), boost::test_tools::per_element());
  // The same currents through the sense resistors, i(Rs{1..4}); ngspice's own @rs1[i].
  const auto by_element = standalone(deck, inputs, x, 0.2, numbered("@rs{}[i]", 1, 4));
  const Extracted sensed =
      extractWithCli(deck, "[netlist]\ninputs = \"V{1..4}\"\noutputs = \"i(Rs{1..4})\"\n", x);
  BOOST_TEST(maxRelativeError(sensed.outputs, by_element.op) < kTolerance);
  BOOST_TEST(maxRelativeError(sensed.weff, probes.weff) < kTolerance);
  // Voltages at the sense nodes: a V/V transfer.
  const auto nodes = standalone(deck, inputs, x, 0.2, numbered("v(c{})", 1, 4));
  const Extracted voltages =
      extractWithCli(deck, "[netlist]\ninputs = \"V{1..4}\"\noutputs = \"v(c{1..4})\"\n", x);
  checkAgainst(voltages, nodes, "handwritten 4x4, v(c{1..4})");
  BOOST_TEST(voltages.weff_units == "V/V");
  BOOST_TEST(voltages.output_units == "V");
}

BOOST_AUTO_TEST_CASE(generated_deck_with_the_array_in_an_included_subcircuit) {
  const fs::path deck = kNetlists / "generated_6x4.cir";
  std::ifstream config_file(kNetlists / "generated_6x4.toml");
  const std::string config((std::istreambuf_iterator<char>(config_file)), {});
  Eigen::VectorXd x(6);
  x << 0.1, 0.2, 0.0, -0.05, 0.15, 0.3;
  const auto inputs = numbered("vrow_{}", 0, 5);
  checkAgainst(extractWithCli(deck, config, x),
               standalone(deck, inputs, x, 0.2, numbered("v.x1.vbl{}#branch", 0, 3)),
               "generated 6x4, x1.vbl{0..3}");
  // Hierarchical nodes: internal (x1.c5_<j>), and a port (x1.out<j> is the top-level out<j>).
  const auto internal = standalone(
      deck, inputs, x, 0.2, concat(numbered("v(x1.c5_{})", 0, 3), numbered("v(out{})", 0, 3)));
  const Extracted nodes = extractWithCli(
      deck,
      "[netlist]\ninputs = \"Vrow_{0..5}\"\noutputs = [\"v(x1.c5_{0..3})\", \"v(x1.out{0..3})\"]\n",
      x);
  checkAgainst(nodes, internal, "generated 6x4, v(x1.c5_{0..3}) and v(x1.out{0..3})");
  // The current of a cell inside the instance, i(x1.rmem_0_<j>), against ngspice's @r[i];
  // and the current a probe gives minus that of the sense resistor in series (0 A).
  const auto cells = standalone(deck, inputs, x, 0.2, numbered("@r.x1.rmem_0_{}[i]", 0, 3));
  const Extracted cell = extractWithCli(
      deck, "[netlist]\ninputs = \"Vrow_{0..5}\"\noutputs = \"i(x1.rmem_0_{0..3})\"\n", x);
  BOOST_TEST(maxRelativeError(cell.outputs, cells.op) < kTolerance);
  const Extracted zero =
      extractWithCli(deck,
                     "[netlist]\ninputs = \"Vrow_{0..5}\"\noutputs = \"x1.vbl{0..3}\"\n"
                     "outputs_negative = \"i(Rsense{0..3})\"\n",
                     x);
  BOOST_TEST(zero.weff.cwiseAbs().maxCoeff() < 1e-12 * cell.weff.cwiseAbs().maxCoeff() + 1e-300);
}

BOOST_AUTO_TEST_CASE(imac_style_layer_with_differential_columns_and_pwl_inputs) {
  const fs::path deck = kNetlists / "imac_layer.cir";
  std::ifstream config_file(kNetlists / "imac_layer.toml");
  const std::string config((std::istreambuf_iterator<char>(config_file)), {});
  Eigen::VectorXd x(8);
  x << 0.0, 0.3, 0.5, 0.1, 0.6, 0.2, 0.4, 0.05;
  const auto inputs = numbered("v{}", 1, 8);
  // The amplifier outputs, measured as v(out<j>): V/V.
  const Extracted amplified = extractWithCli(deck, config, x);
  checkAgainst(amplified, standalone(deck, inputs, x, 0.2, numbered("v(out{})", 1, 4)),
               "imac layer, v(out{1..4})");
  BOOST_TEST(amplified.weff_units == "V/V");
  // Differential outputs: xbarsim's `outputs - outputs_negative` against standalone ngspice's
  // two vectors subtracted.
  auto differentialOutputs = [&](const std::string& positive, const std::string& negative,
                                 const std::string& ngspice_positive,
                                 const std::string& ngspice_negative) {
    const auto both =
        standalone(deck, inputs, x, 0.2,
                   concat(numbered(ngspice_positive, 1, 4), numbered(ngspice_negative, 1, 4)));
    const Extracted got = extractWithCli(
        deck,
        fmt::format(
            "[netlist]\ninputs = \"V{{1..8}}\"\noutputs = \"{}\"\noutputs_negative = \"{}\"\n",
            positive, negative),
        x);
    checkAgainst(got, Standalone{difference(both.op, 4), difference(both.ac, 4)},
                 "imac layer, " + positive + " - " + negative);
    return got;
  };
  // Column currents I+ - I- from the probes inside the layer instance.
  const Extracted differential = differentialOutputs(
      "xlayer1.vsp{1..4}", "xlayer1.vsn{1..4}", "v.xlayer1.vsp{}#branch", "v.xlayer1.vsn{}#branch");
  BOOST_TEST(differential.weff_units == "S");
  BOOST_TEST(differential.probes.front() == "xlayer1.vsp1 - xlayer1.vsn1");
  // Voltages after the current-to-voltage stage, V(tn) - V(tp) = V(out).
  const Extracted stage = differentialOutputs("v(xlayer1.tn{1..4})", "v(xlayer1.tp{1..4})",
                                              "v(xlayer1.tn{})", "v(xlayer1.tp{})");
  BOOST_TEST(maxRelativeError(stage.weff, amplified.weff) < kTolerance);
  // The analysis and output cards are gone from what ngspice loads; .option stays.
  const auto loaded = xbarsim::extract::readUserDeck(deck, configOf(config));
  for (const std::string card : {"\n.tran", "\n.meas", "\n.print", "\n.probe", "\n+ v(out3)"})
    BOOST_TEST(loaded.text.find(card) == std::string::npos, card);
  BOOST_TEST(loaded.text.find("\n.option post") != std::string::npos);
  BOOST_TEST(loaded.input_sources.front() == "v1");
}

// --input with one vector per row on a user deck: one ngspice op per vector on the loaded deck,
// written like a generated array's (/inputs_v (vector, input), /currents or /voltages (vector,
// output), a /vector dimension scale); each row against standalone ngspice with that vector.
BOOST_AUTO_TEST_CASE(input_matrix_gives_outputs_per_vector) {
  struct Case {
    std::string deck, config, dataset, units;
    std::vector<std::string> inputs, expressions;
    Eigen::MatrixXd x;  // K×R, one vector per row
  };
  Eigen::MatrixXd x_imac(3, 8), x_hand(4, 4);
  x_imac << 0.0, 0.3, 0.5, 0.1, 0.6, 0.2, 0.4, 0.05,  //
      0.0, 0.3, 0.1, 0.1, 0.6, 0.0, 0.4, 0.35,        // some inputs unchanged from vector 0
      0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2;
  x_hand << 0.2, -0.1, 0.3, 0.05,  //
      0.0, 0.0, 0.0, 0.0,          //
      0.2, -0.1, 0.3, 0.05,        // vector 0 again after zeros
      -0.3, 0.25, 0.0, 0.1;
  const std::vector<Case> cases = {
      {"imac_layer", "", "voltages", "V", numbered("v{}", 1, 8), numbered("v(out{})", 1, 4),
       x_imac},
      {"handwritten_4x4", "", "currents", "A", numbered("v{}", 1, 4), numbered("vs{}#branch", 1, 4),
       x_hand},
  };
  for (const Case& c : cases) {
    TempDir dir;
    {
      std::ofstream csv(dir / "x.csv");
      for (Eigen::Index k = 0; k < c.x.rows(); ++k)
        for (Eigen::Index i = 0; i < c.x.cols(); ++i)
          csv << fmt::format("{:.17g}{}", c.x(k, i), i + 1 < c.x.cols() ? "," : "\n");
    }
    const fs::path deck = kNetlists / (c.deck + ".cir");
    const auto run = xbarsim::test::runCommand(
        fmt::format("{} extract --netlist {} --config {} --input {} --out {} 2>&1", binary(),
                    deck.string(), (kNetlists / (c.deck + ".toml")).string(),
                    (dir / "x.csv").string(), (dir / "y.h5").string()));
    BOOST_REQUIRE_MESSAGE(run.status == 0, run.output);
    BOOST_TEST(run.output.find(fmt::format("4 {} ({}) for {} input vectors", c.dataset, c.units,
                                           c.x.rows())) != std::string::npos,
               run.output);
    const auto y = xbarsim::io::H5File::openReadOnly(dir / "y.h5");
    const Eigen::MatrixXd outputs = y.readMatrix("/" + c.dataset);  // K×C
    BOOST_TEST(y.readStringAttribute("/" + c.dataset, "units") == c.units);
    BOOST_TEST(maxRelativeError(y.readMatrix("/inputs_v"), c.x) == 0.0);
    BOOST_REQUIRE(outputs.rows() == c.x.rows());
    for (Eigen::Index k = 0; k < c.x.rows(); ++k) {
      const Eigen::VectorXd reference =
          standalone(deck, c.inputs, c.x.row(k).transpose(), 0.2, c.expressions).op;
      const double error = maxRelativeError(outputs.row(k).transpose(), reference);
      BOOST_TEST_MESSAGE(c.deck << " vector " << k << ": max relative error " << error);
      BOOST_TEST(error < kTolerance, c.deck << " vector " << k);
    }
    // The dimension scales, read as xarray and h5py see them.
    const auto dims = xbarsim::test::runCommand(fmt::format(
        "/usr/bin/python3 -c \"import h5py; f = h5py.File('{}'); d = f['{}']; "
        "print(d.dims[0][0].name, d.dims[1][0].name, f['inputs_v'].dims[1][0].name)\" 2>&1",
        (dir / "y.h5").string(), c.dataset));
    BOOST_TEST(dims.output == "/vector /output /input\n", dims.output);
  }
}

BOOST_AUTO_TEST_CASE(outputs_that_cannot_be_outputs_are_errors) {
  const fs::path deck = kNetlists / "generated_6x4.cir";
  const std::string inputs = "[netlist]\ninputs = \"Vrow_{0..5}\"\n";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"outputs = \"Vrow_0\"", "0 V"},                    // drives a row: not a probe
      {"outputs = \"i(Vrow_{0..1})\"", "both an input"},  // an input is no output
      {"outputs = [\"x1.vbl0\", \"v(out1)\"]", "all currents or all voltages"},
      {"outputs = \"x1.vbl{0..3}\"\noutputs_negative = \"x1.vbl{0..2}\"",
       "one negative per output"},
      {"outputs = \"x1.vbl{0..3}\"\noutputs_negative = \"v(out{0..3})\"",
       "all currents or all voltages"},
      {"outputs = \"x1.vbl9\"", "no element x1.vbl9 in .subckt crossbar_6x4"},
      {"outputs = \"x2.vbl0\"", "no subcircuit instance x2"},
      {"outputs = \"v(x1.nowhere)\"", "no node x1.nowhere"},
      {"outputs = \"i(x1)\"", "subcircuit instance has no single current"},
      {"outputs = \"Rsense0\"", "i(rsense0)"},
      {"outputs = \"v(0)\"", "ground"},
  };
  for (const auto& [lines, expected] : cases) {
    try {
      (void)xbarsim::extract::readUserDeck(deck, configOf(inputs + lines + "\n"));
      BOOST_FAIL(lines + " accepted");
    } catch (const xbarsim::ConfigError& e) {
      BOOST_TEST_MESSAGE(e.what());
      BOOST_TEST(std::string(e.what()).find(expected) != std::string::npos, e.what());
      BOOST_TEST(e.key().rfind("netlist.outputs", 0) == 0, e.what());
    }
  }
  try {
    (void)xbarsim::extract::readUserDeck(deck, configOf("[netlist]\ninputs = \"Vrow_{0..6}\"\n"));
    BOOST_FAIL("a missing input accepted");
  } catch (const xbarsim::ConfigError& e) {
    BOOST_TEST(std::string(e.what()).find("no element vrow_6") != std::string::npos, e.what());
    BOOST_TEST(e.key() == "netlist.inputs");
  }
}

BOOST_AUTO_TEST_CASE(inputs_inside_subcircuit_instances) {
  // Two drivers inside instances (one nested), a 1k and a 4k resistor into one probe: the
  // transfer is 1/1k and 1/4k, and --input currents are the sums; against closed form.
  TempDir dir;
  std::ofstream(dir / "drivers.inc") << "* drivers\n.subckt drv out\nvd out 0 dc 0\n.ends\n"
                                        ".subckt pair out\nx2 out drv\n.ends\n";
  std::ofstream(dir / "deck.cir") << "* deck\n.include drivers.inc\nx1 a drv\nxp c pair\nr1 a b 1k\nr2 c b 4k\n"
                                     "vsense b 0 0\n.end\n";
  const auto deck = xbarsim::extract::readUserDeck(
      dir / "deck.cir", configOf("[netlist]\ninputs = [\"x1.vd\", \"xp.x2.vd\"]\noutputs = \"vsense\"\n"));
  BOOST_TEST(deck.input_sources == (std::vector<std::string>{"v.x1.vd", "v.xp.x2.vd"}),
             boost::test_tools::per_element());
  const auto w = xbarsim::extract::userDeckWeights(deck, {}, 0.2).weff_s;
  BOOST_TEST(std::abs(w(0, 0) - 1e-3) < 1e-12);
  BOOST_TEST(std::abs(w(0, 1) - 0.25e-3) < 1e-12);
  Eigen::VectorXd x(2);
  x << 0.3, -0.2;
  const auto i = xbarsim::extract::userDeckCurrents(deck, {}, x).currents_a;
  BOOST_TEST(std::abs(i[0] - (0.3e-3 - 0.05e-3)) < 1e-15);
}

// A sweep over a deck with voltage outputs declares its fields in V/V (from the configured
// output names) and runs; each point's transfer against standalone ngspice's at its v_read.
BOOST_AUTO_TEST_CASE(sweeps_of_voltage_outputs_declare_v_per_v) {
  TempDir dir;
  std::ofstream(dir / "sweep.toml")
      << "[netlist]\ninputs = \"V{1..8}\"\noutputs = \"v(out{1..4})\"\n"
         "[sweep]\n\"read.v_read_v\" = [0.1, 0.3]\n";
  const fs::path deck = kNetlists / "imac_layer.cir";
  const auto run = xbarsim::test::runCommand(
      fmt::format("{} sweep -q --config {} --netlist {} --out {} 2>&1", binary(),
                  (dir / "sweep.toml").string(), deck.string(), (dir / "s.h5").string()));
  BOOST_REQUIRE_MESSAGE(run.status == 0, run.output);
  const auto h5 = xbarsim::io::H5File::openReadOnly(dir / "s.h5");
  BOOST_TEST(h5.readStringAttribute("/weff", "units") == "V/V");
  BOOST_TEST(h5.readStringAttribute("/weff_column_sum", "units") == "V/V");
  BOOST_TEST(h5.readStringAttribute("/weff", "long_name").find("dV_j/dV_i") != std::string::npos);
  std::vector<std::size_t> dims;
  const std::vector<double> weff = h5.readReals("/weff", &dims);
  BOOST_REQUIRE((dims == std::vector<std::size_t>{2, 4, 8}));
  const double v_read[] = {0.1, 0.3};
  for (std::size_t k = 0; k < 2; ++k) {
    const Eigen::MatrixXd got =
        Eigen::Map<const Eigen::Matrix<double, 4, 8, Eigen::RowMajor>>(weff.data() + k * 32);
    const Eigen::MatrixXd reference =
        standalone(deck, numbered("v{}", 1, 8), Eigen::VectorXd::Zero(8), v_read[k],
                   numbered("v(out{})", 1, 4))
            .ac;
    BOOST_TEST(maxRelativeError(got, reference) < kTolerance, "point " << k);
  }
  // Currents in the same sweep file layout stay in S.
  std::ofstream(dir / "currents.toml")
      << "[netlist]\ninputs = \"V{1..8}\"\noutputs = \"xlayer1.vsp{1..4}\"\n"
         "[sweep]\n\"read.v_read_v\" = [0.1, 0.3]\n";
  const auto currents = xbarsim::test::runCommand(
      fmt::format("{} sweep -q --config {} --netlist {} --out {} 2>&1", binary(),
                  (dir / "currents.toml").string(), deck.string(), (dir / "c.h5").string()));
  BOOST_REQUIRE_MESSAGE(currents.status == 0, currents.output);
  BOOST_TEST(
      xbarsim::io::H5File::openReadOnly(dir / "c.h5").readStringAttribute("/weff", "units") == "S");
}

BOOST_AUTO_TEST_CASE(memristor_state_on_a_capacitor_is_read_at_its_ic) {
  // A memristor whose state s lives on a capacitor: I = g0 (1 + s) V, ds/dt = k V. At DC the
  // state node has no DC path; W_eff is taken at the .ic state: dI/dV = g0 (1 + s0).
  TempDir dir;
  const std::string cell =
      ".subckt mem p n\nbm p n i=1e-5*(1+v(s))*v(p,n)\ngs 0 s cur='1e-3*v(p,n)'\n"
      "cs s 0 1\n.ends\n";
  std::ofstream(dir / "mem.cir") << "* memristor\n"
                                 << cell
                                 << "VIN0 a 0 dc 0.1\nx1 a b mem\nVOUT0 b 0 dc 0\n"
                                    ".ic v(x1.s)=0.5\n.tran 1n 1u uic\n.end\n";
  const auto deck = xbarsim::extract::readUserDeck(dir / "mem.cir", configOf(""));
  const auto w = xbarsim::extract::userDeckWeights(deck, {}, 0.2).weff_s;
  BOOST_TEST(std::abs(w(0, 0) - 1.5e-5) < 1e-9 * 1.5e-5, w(0, 0));
  const auto i =
      xbarsim::extract::userDeckCurrents(deck, {}, Eigen::VectorXd::Constant(1, 0.2)).currents_a;
  BOOST_TEST(std::abs(i[0] - 0.3e-5) < 1e-9 * 0.3e-5, i[0]);
  // The same .ic inside the subcircuit holds the state of every instance.
  std::ofstream(dir / "local.cir")
      << "* memristor, .ic in the subcircuit\n"
      << ".subckt mem p n\nbm p n i=1e-5*(1+v(s))*v(p,n)\n"
         "gs 0 s cur='1e-3*v(p,n)'\ncs s 0 1\n.ic v(s)=0.25\n.ends\n"
      << "VIN0 a 0 dc 0.1\nx1 a b mem\nx2 a b mem\nVOUT0 b 0 dc 0\n.end\n";
  const auto local = xbarsim::extract::userDeckWeights(
      xbarsim::extract::readUserDeck(dir / "local.cir", configOf("")), {}, 0.2);
  BOOST_TEST(std::abs(local.weff_s(0, 0) - 2.5e-5) < 1e-9 * 2.5e-5, local.weff_s(0, 0));
  // A top-level .ic on a node its subcircuit already holds is an error at the top-level line.
  std::ofstream(dir / "twice.cir") << "* memristor, two .ic\n"
                                   << ".subckt mem p n\nbm p n i=1e-5*(1+v(s))*v(p,n)\n"
                                      "gs 0 s cur='1e-3*v(p,n)'\ncs s 0 1\n.ic v(s)=0.25\n.ends\n"
                                   << "VIN0 a 0 dc 0.1\nx1 a b mem\nVOUT0 b 0 dc 0\n.ic v(x1.s)=0.5\n.end\n";
  try {
    (void)xbarsim::extract::readUserDeck(dir / "twice.cir", configOf(""));
    BOOST_FAIL("two .ic for one node accepted");
  } catch (const xbarsim::ConfigError& e) {
    BOOST_TEST(e.line() == 11, e.what());
    BOOST_TEST(std::string(e.what()).find("twice.cir:6") != std::string::npos, e.what());
  }
  // Without .ic the state node floats: a numerical error naming it.
  std::ofstream(dir / "float.cir") << "* memristor without .ic\n"
                                   << cell << "VIN0 a 0 dc 0.1\nx1 a b mem\nVOUT0 b 0 dc 0\n.end\n";
  BOOST_CHECK_THROW((void)xbarsim::extract::userDeckWeights(
                        xbarsim::extract::readUserDeck(dir / "float.cir", configOf("")), {}, 0.2),
                    xbarsim::NumericalError);
}

BOOST_AUTO_TEST_CASE(analysis_cards_ngspice_cannot_parse_do_not_block_extraction) {
  TempDir dir;
  std::ofstream(dir / "cards.cir")
      << "* cards\nVIN0 a 0 PULSE(0 1 1n 1n 1n 5n 10n)\nr1 a b 1k\n"
         "VOUT0 b 0 0\n.tran 1n\n.meas tran x avg i(VOUT0)\n+ from=0 to=\n"
         ".print tran i(VOUT0)\n.save i(VOUT0)\n.op\n.end\n";
  const auto deck = xbarsim::extract::readUserDeck(dir / "cards.cir", configOf(""));
  BOOST_TEST(deck.origins.size() == 11U);  // one per line, title and .end included
  const auto w = xbarsim::extract::userDeckWeights(deck, {}, 0.2).weff_s;
  BOOST_TEST(std::abs(w(0, 0) - 1e-3) < 1e-12);
  const auto i =
      xbarsim::extract::userDeckCurrents(deck, {}, Eigen::VectorXd::Constant(1, 0.4)).currents_a;
  BOOST_TEST(std::abs(i[0] - 0.4e-3) < 1e-15);
}

BOOST_AUTO_TEST_CASE(deck_errors_name_the_file_and_line_as_the_user_counts) {
  // Each deck fails in ngspice; the error names the file (the included one when the card is
  // there) and its 1-based line, also when ngspice names the element by its flattened name
  // (q.x1.q1), cites "line no. 0" (an undefined parameter in a subcircuit) or quotes the line
  // inside its message (a malformed G line).
  TempDir dir;
  std::ofstream(dir / "cells.inc") << "* cells\n.subckt bad p n\nr1 p n 1k\nq1 p n\n.ends\n";
  const std::string head = "* deck\nVIN0 a 0 dc 0.1\nVOUT0 b 0 dc 0\n";
  struct Case {
    std::string deck;
    std::string file;
    long line;
  };
  const std::vector<Case> cases = {
      {head + ".include cells.inc\nx1 a b bad\n.end\n", "cells.inc", 4},
      {head + ".subckt s p n\nr1 p n {zz}\n.ends\nx1 a b s\n.end\n", "deck.cir", 5},
      {head + "r1 a b 1k\ngs 0 b cur=1e-3*v(a)\n.end\n", "deck.cir", 5},
      {head + ".tran 1n\nr1 a b 1k\n.subckt m p n\nm1 p n 0 0 nosuchmodel\n.ends\nx7 a b m\n.end\n",
       "deck.cir", 7},
      // Through the shared library ngspice numbers only the non-blank lines ("Error on line 6"
      // for line 9 here); the message carries the user's number.
      {"* deck\n\n\nVIN0 a 0 dc 0.1\n\nVOUT0 b 0 dc 0\n* comment\nr1 a b 1k\nb1 a b v=foo(\n.end\n",
       "deck.cir", 9},
  };
  for (const Case& c : cases) {
    std::ofstream(dir / "deck.cir") << c.deck;
    try {
      const auto deck = xbarsim::extract::readUserDeck(dir / "deck.cir", configOf(""));
      (void)xbarsim::extract::userDeckWeights(deck, {}, 0.2);
      BOOST_FAIL("accepted:\n" + c.deck);
    } catch (const xbarsim::ConfigError& e) {
      BOOST_TEST_MESSAGE(e.what());
      BOOST_TEST(fs::path(e.file()).filename() == c.file, e.what());
      BOOST_TEST(e.line() == c.line, e.what());
      const std::string text = e.what();
      for (std::size_t at = text.find("line "); at != std::string::npos; at = text.find("line ", at + 1))
        if (std::isdigit(static_cast<unsigned char>(text[at + 5])))
          BOOST_TEST(std::stol(text.substr(at + 5)) == c.line, e.what());
      if (c.file != "deck.cir")  // the included file's text is never echoed
        BOOST_TEST(std::string(e.what()).find("q1 p n") == std::string::npos, e.what());
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
