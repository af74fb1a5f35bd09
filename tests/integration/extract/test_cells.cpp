// SPDX-License-Identifier: MIT
// 1S1R and 1T1R arrays: the native backend (condensed cells) against the ngspice backend
// (libngspice on the generated deck: devices/access.lib selector, MOS level 1 transistor), and
// the generated decks in standalone `ngspice -b`.
#include <fmt/format.h>

#include <boost/test/unit_test.hpp>
#include <fstream>

#include "run_command.hpp"
#include "xbarsim/circuit/crossbar_config.hpp"
#include "xbarsim/circuit/crossbar_netlist.hpp"
#include "xbarsim/circuit/native_solver.hpp"
#include "xbarsim/core/config.hpp"
#include "xbarsim/core/error.hpp"
#include "xbarsim/core/rng.hpp"
#include "xbarsim/extract/backend.hpp"
#include "xbarsim/extract/config_schema.hpp"
#include "xbarsim/extract/ngspice_backend.hpp"
#include "xbarsim/spice/session.hpp"

using xbarsim::circuit::CellKind;
using xbarsim::circuit::CrossbarSpec;
using xbarsim::test::maxRelativeError;
using Eigen::Index;

namespace {

CrossbarSpec cellSpec(CellKind kind, xbarsim::device::IvKind law, std::uint64_t seed) {
  CrossbarSpec spec;
  spec.rows = 8;
  spec.cols = 6;
  spec.r_row_ohm = 2.5;
  spec.r_col_ohm = 2.5;
  spec.r_driver_ohm = 10.0;
  spec.cell = kind;
  spec.iv.kind = law;
  spec.iv.v0_v = 0.25;
  spec.g_s.resize(spec.rows, spec.cols);
  xbarsim::RngStream rng(seed, xbarsim::StreamPurpose::Conductances);
  for (Index i = 0; i < spec.rows; ++i)
    for (Index j = 0; j < spec.cols; ++j) spec.g_s(i, j) = rng.uniform(10e-6, 500e-6);
  return spec;
}

Eigen::VectorXd randomInputs(Index rows, std::uint64_t seed) {
  xbarsim::RngStream rng(seed, xbarsim::StreamPurpose::Conductances);
  Eigen::VectorXd x(rows);
  for (Index i = 0; i < rows; ++i) x[i] = rng.uniform(-0.2, 0.6);  // both polarities
  return x;
}

/// The generated deck with tight ngspice tolerances, so that ngspice's Newton stopping rule
/// (default reltol = 1e-3) does not limit the comparison.
std::string tightDeck(const CrossbarSpec& spec, const Eigen::VectorXd& x) {
  xbarsim::circuit::NetlistOptions o;
  o.inputs_v = x;
  o.control_block = false;
  std::string deck = xbarsim::circuit::crossbarNetlist(spec, o);
  deck.insert(deck.rfind(".end"), ".options reltol=1e-12 abstol=1e-18 vntol=1e-15 gmin=1e-30\n");
  return deck;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(access_cells)

BOOST_AUTO_TEST_CASE(native_matches_ngspice_for_1s1r_and_1t1r) {
  auto native = xbarsim::extract::makeBackend("native");
  auto ngspice = xbarsim::extract::makeBackend("ngspice");
  auto& session = xbarsim::spice::Session::instance();
  std::uint64_t seed = 70;
  for (auto kind : {CellKind::OneS1R, CellKind::OneT1R})
    for (auto law : {xbarsim::device::IvKind::Linear, xbarsim::device::IvKind::Sinh}) {
      const CrossbarSpec spec = cellSpec(kind, law, ++seed);
      const double v_read = kind == CellKind::OneS1R ? 0.5 : 0.2;
      const Eigen::VectorXd x = randomInputs(spec.rows, ++seed);
      const std::string what = fmt::format("{} {}", xbarsim::circuit::toString(kind),
                                           xbarsim::device::toString(law));
      // Product path: both backends as `xbarsim extract` runs them (ngspice default options).
      const Eigen::MatrixXd w_nat = native->effectiveWeights(spec, v_read).weff_s;
      const Eigen::VectorXd i_nat = native->currents(spec, x).currents_a;
      const double w_default = maxRelativeError(w_nat, ngspice->effectiveWeights(spec, v_read).weff_s);
      const double i_default = maxRelativeError(i_nat, ngspice->currents(spec, x).currents_a);
      // Tight ngspice tolerances on the same generated deck.
      Eigen::VectorXd i_ng(spec.cols);
      session.loadCircuit(tightDeck(spec, x));
      xbarsim::extract::runAnalysis(session, "op");
      for (Index j = 0; j < spec.cols; ++j)
        i_ng[j] = session.realVector(xbarsim::circuit::outputCurrentVector(j)).at(0);
      session.clear();
      session.loadCircuit(tightDeck(spec, Eigen::VectorXd::Constant(spec.rows, v_read)));
      std::vector<std::string> inputs, outputs;
      for (Index i = 0; i < spec.rows; ++i) inputs.push_back(fmt::format("vin{}", i));
      for (Index j = 0; j < spec.cols; ++j) outputs.push_back(xbarsim::circuit::outputCurrentVector(j));
      const Eigen::MatrixXd w_ng = xbarsim::extract::acTransferConductances(session, inputs, outputs).weff_s;
      session.clear();
      const double w_err = maxRelativeError(w_nat, w_ng);
      const double i_err = maxRelativeError(i_nat, i_ng);
      BOOST_TEST_MESSAGE(what << " 8x6: native vs ngspice max rel err: W_eff " << w_err
                              << ", I " << i_err << " (tight options); W_eff " << w_default
                              << ", I " << i_default << " (ngspice defaults)");
      BOOST_TEST_CONTEXT(what) {
        BOOST_TEST(w_err < 1e-9);
        BOOST_TEST(i_err < 1e-9);
        BOOST_TEST(w_default < 1e-6);
        BOOST_TEST(i_default < 1e-6);
        // The access device matters: a 1R array with the same conductances differs.
        CrossbarSpec one_r = spec;
        one_r.cell = CellKind::OneR;
        BOOST_TEST(maxRelativeError(native->currents(one_r, x).currents_a, i_ng) > 1e-3);
      }
    }
}

BOOST_AUTO_TEST_CASE(generated_decks_run_in_standalone_ngspice) {
  for (auto kind : {CellKind::OneS1R, CellKind::OneT1R}) {
    const CrossbarSpec spec = cellSpec(kind, xbarsim::device::IvKind::Sinh, 90);
    const Eigen::VectorXd x = randomInputs(spec.rows, 91);
    xbarsim::circuit::NetlistOptions o;
    o.inputs_v = x;
    xbarsim::test::TempDir dir;
    std::ofstream(dir / "deck.cir") << xbarsim::circuit::crossbarNetlist(spec, o);
    const auto run = xbarsim::test::runCommand(fmt::format("ngspice -b {} 2>&1", (dir / "deck.cir").string()));
    BOOST_TEST_CONTEXT(xbarsim::circuit::toString(kind) << ":\n" << run.output) {
      BOOST_TEST(run.status == 0);
      const auto printed = xbarsim::test::parsePrinted(run.output);
      xbarsim::circuit::NativeSolver solver(spec);
      const Eigen::VectorXd i_nat = solver.currents(x);
      for (Index j = 0; j < spec.cols; ++j) {
        const auto it = printed.find(fmt::format("i(vout{})", j));
        BOOST_REQUIRE(it != printed.end());
        // Standalone decks keep ngspice's default tolerances (reltol = 1e-3).
        BOOST_TEST(it->second == i_nat[j], boost::test_tools::tolerance(1e-5));
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(config_keys_of_access_cells) {
  xbarsim::test::TempDir dir;
  auto load = [&](const std::string& text) {
    std::ofstream(dir / "c.toml") << text;
    return xbarsim::core::Config::load((dir / "c.toml").string(), xbarsim::extract::configSchema());
  };
  auto spec = xbarsim::circuit::crossbarFromConfig(
      load("[array]\nrows = 2\ncols = 3\ncell = \"1T1R\"\nv_gate_v = 1.5\n"), 1);
  BOOST_TEST(static_cast<int>(spec.cell) == static_cast<int>(CellKind::OneT1R));
  BOOST_TEST(spec.v_gate_v == 1.5);
  spec = xbarsim::circuit::crossbarFromConfig(load("[array]\ncell = \"1T1R\"\n"), 1);
  BOOST_TEST(spec.v_gate_v == 1.2);  // the card's default
  std::ofstream(dir / "sel.toml") << "[card]\nmodel = \"selector\"\nname = \"strong\"\n"
                                     "citation = \"test\"\n[params]\nnl = 1000.0\n";
  spec = xbarsim::circuit::crossbarFromConfig(
      load("[array]\ncell = \"1S1R\"\nselector_card = \"sel.toml\"\n"), 1);
  BOOST_TEST(static_cast<int>(spec.cell) == static_cast<int>(CellKind::OneS1R));
  BOOST_TEST(spec.selector.nonlinearity() == 1000.0, boost::test_tools::tolerance(1e-9));
  BOOST_CHECK_THROW(xbarsim::circuit::crossbarFromConfig(
                        load("[array]\ncell = \"1S1R\"\nselector_card = \"nmos_access\"\n"), 1),
                    xbarsim::ConfigError);
  BOOST_CHECK_THROW(load("[array]\ncell = \"2T2R\"\n"), xbarsim::ConfigError);
  BOOST_CHECK_THROW(load("[array]\nv_gate_v = 20.0\n"), xbarsim::ConfigError);
}

BOOST_AUTO_TEST_SUITE_END()
