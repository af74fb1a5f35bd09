// SPDX-License-Identifier: MIT
// Numerical robustness through both backends (issue "Reliability", item 5): zero-conductance
// columns, on/off ratio 1e6 with wire resistance, floating nodes and non-convergence in user
// decks, and the non-finite guard in front of every result.
#include <fmt/format.h>

#include <boost/test/unit_test.hpp>
#include <cmath>
#include <fstream>
#include <limits>
#include <random>

#include "run_command.hpp"
#include "xbarsim/circuit/sense_tia.hpp"
#include "xbarsim/core/error.hpp"
#include "extract_test_util.hpp"
#include "xbarsim/core/rng.hpp"
#include "xbarsim/extract/config_schema.hpp"
#include "xbarsim/extract/native_backend.hpp"
#include "xbarsim/extract/ngspice_backend.hpp"
#include "xbarsim/extract/user_netlist.hpp"
#include "xbarsim/spice/session.hpp"

using xbarsim::circuit::CrossbarSpec;
using xbarsim::extract::NativeBackend;
using xbarsim::extract::NgspiceBackend;
using xbarsim::extract::NgspiceWeightMethod;
using Eigen::Index;
using xbarsim::test::randomSpec;

namespace {

/// max over entries of |a - b| / |b| (an exact zero in b must be an exact zero in a).
double maxEntryRelErr(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
  double worst = 0.0;
  for (Index c = 0; c < b.cols(); ++c)
    for (Index r = 0; r < b.rows(); ++r)
      worst = std::max(worst, b(r, c) == 0.0 ? (a(r, c) == 0.0 ? 0.0 : 1.0)
                                             : std::abs(a(r, c) - b(r, c)) / std::abs(b(r, c)));
  return worst;
}

xbarsim::core::Config noConfig() {
  return xbarsim::core::Config::parse("", "test.toml", xbarsim::extract::configSchema());
}

}  // namespace

BOOST_AUTO_TEST_SUITE(robustness)

// A column whose cells are all 0 S: ngspice (every method) and native give exact zeros in that
// row of W_eff, the same non-zero rows, and no NaN; ideal wires and 2.5 Ω wires.
BOOST_AUTO_TEST_CASE(zero_conductance_column_is_exact_zero_in_both_backends) {
  for (double r_wire : {0.0, 2.5}) {
    for (int kind = 0; kind < 3; ++kind) {  // linear, sinh cells, linear cells + TIA
      const bool sinh = kind == 1;
      const bool tia = kind == 2;
      CrossbarSpec spec = randomSpec(6, 5, r_wire, r_wire, 11);
      spec.g_s.col(3).setZero();
      if (sinh) {
        spec.iv.kind = xbarsim::device::IvKind::Sinh;
        spec.iv.v0_v = 0.25;
      }
      if (tia) spec.sense = xbarsim::circuit::makeTia({});
      NativeBackend native;
      const Eigen::MatrixXd wn = native.effectiveWeights(spec, 0.2).weff_s;
      std::vector<NgspiceWeightMethod> methods{NgspiceWeightMethod::Ac};
      if (kind == 0) methods = {NgspiceWeightMethod::DcSweep, NgspiceWeightMethod::AlterOp, NgspiceWeightMethod::Ac};
      for (auto method : methods) {
        BOOST_TEST_CONTEXT("r_wire " << r_wire << " kind " << kind << " method " << static_cast<int>(method)) {
          const Eigen::MatrixXd ws = NgspiceBackend(method).effectiveWeights(spec, 0.2).weff_s;
          BOOST_TEST(ws.allFinite());
          BOOST_TEST(wn.allFinite());
          BOOST_TEST(ws.row(3).cwiseAbs().maxCoeff() == 0.0);
          BOOST_TEST(wn.row(3).cwiseAbs().maxCoeff() == 0.0);
          BOOST_TEST(ws.row(0).cwiseAbs().minCoeff() > 0.0);
          BOOST_TEST(xbarsim::test::maxRelativeError(wn, ws) < (kind == 0 ? 1e-9 : 1e-6));
        }
      }
      const Eigen::VectorXd x = Eigen::VectorXd::Constant(6, 0.2);
      const Eigen::VectorXd in = native.currents(spec, x).currents_a;
      const Eigen::VectorXd is = NgspiceBackend().currents(spec, x).currents_a;
      if (!tia) {  // with a TIA, I_3 is the amplifier's (tiny) input-offset current
        BOOST_TEST(in[3] == 0.0);
        BOOST_TEST(is[3] == 0.0);
      }
      BOOST_TEST(in.allFinite());
      BOOST_TEST(is.allFinite());
      BOOST_TEST(xbarsim::test::maxRelativeError(in, is) < (tia ? 1e-6 : 1e-9));
    }
  }
}

// on/off = 1e6 (1 mS and 1 nS cells) with 1 Ω wires: native (grid multifrontal and sparse
// LDLᵀ) and ngspice agree entry by entry, including the small, sneak-path-dominated entries.
BOOST_AUTO_TEST_CASE(on_off_ratio_1e6_with_wires_native_matches_ngspice) {
  for (std::uint64_t seed : {1u, 2u}) {
    CrossbarSpec spec = randomSpec(16, 16, 1.0, 1.0, seed);
    std::mt19937_64 gen(seed);
    std::bernoulli_distribution on(0.5);
    for (Index i = 0; i < 16; ++i)
      for (Index j = 0; j < 16; ++j) spec.g_s(i, j) = on(gen) ? 1e-3 : 1e-9;
    xbarsim::circuit::NativeOptions sparse;
    sparse.factorization = xbarsim::circuit::NativeFactorization::Sparse;
    const Eigen::MatrixXd wg = NativeBackend().effectiveWeights(spec, 0.2).weff_s;
    const Eigen::MatrixXd wsp = NativeBackend(sparse).effectiveWeights(spec, 0.2).weff_s;
    for (auto method : {NgspiceWeightMethod::DcSweep, NgspiceWeightMethod::AlterOp, NgspiceWeightMethod::Ac}) {
      const Eigen::MatrixXd ws = NgspiceBackend(method).effectiveWeights(spec, 0.2).weff_s;
      BOOST_TEST(ws.allFinite());
      const double eg = maxEntryRelErr(wg, ws);
      const double es = maxEntryRelErr(wsp, ws);
      BOOST_TEST_MESSAGE(fmt::format("on/off 1e6, 16x16, 1 ohm wires, seed {}, ngspice method {}: "
                                     "max entrywise rel. error grid {:.3g}, sparse {:.3g}; "
                                     "|W| spans {:.3g}",
                                     seed, static_cast<int>(method), eg, es,
                                     ws.cwiseAbs().maxCoeff() / ws.cwiseAbs().minCoeff()));
      BOOST_TEST(eg < 1e-9);
      BOOST_TEST(es < 1e-9);
    }
    BOOST_TEST(wg.cwiseAbs().maxCoeff() / wg.cwiseAbs().minCoeff() > 1e3);
  }
}

// A user deck with a node that has no DC path (only capacitors): ngspice reports "singular
// matrix: check node fl", rescues itself with its transient operating point and returns
// numbers; xbarsim refuses them with a NumericalError naming the node.
BOOST_AUTO_TEST_CASE(floating_node_in_a_user_deck_is_named) {
  xbarsim::test::TempDir dir;
  std::ofstream(dir / "float.cir") << "floating node\n"
                                      "vin0 in 0 dc 0 ac 0\n"
                                      "rload in 0 1k\n"
                                      "c1 in fl 1p\n"
                                      "c2 fl mid 1p\n"
                                      "vout0 mid 0 dc 0\n"
                                      ".end\n";
  const auto deck = xbarsim::extract::readUserDeck(dir / "float.cir", noConfig());
  for (int what = 0; what < 2; ++what) {
    try {
      if (what == 0)
        (void)xbarsim::extract::userDeckWeights(deck, {}, 0.2);
      else
        (void)xbarsim::extract::userDeckCurrents(deck, {}, Eigen::VectorXd::Constant(1, 0.2));
      BOOST_FAIL("expected a NumericalError");
    } catch (const xbarsim::NumericalError& e) {
      const std::string msg = e.what();
      BOOST_TEST_MESSAGE(msg);
      BOOST_TEST(msg.find("singular") != std::string::npos);
      BOOST_TEST(msg.find("node fl") != std::string::npos);
    }
  }
  // The session is usable afterwards: the same deck with a DC path to ground works.
  std::ofstream(dir / "fixed.cir") << "fixed\nvin0 in 0 dc 0 ac 0\nr1 in fl 1k\nr2 fl mid 1k\n"
                                      "vout0 mid 0 dc 0\n.end\n";
  const auto fixed = xbarsim::extract::readUserDeck(dir / "fixed.cir", noConfig());
  const auto w = xbarsim::extract::userDeckWeights(fixed, {}, 0.2).weff_s;
  BOOST_TEST(std::abs(w(0, 0) - 0.5e-3) < 1e-12);
}

// A deck without a DC solution (KCL: v² + 2v + 2 = 0): gmin stepping, source stepping and the
// transient operating point all fail; the error is a NumericalError naming ngspice's node.
BOOST_AUTO_TEST_CASE(ngspice_non_convergence_names_the_node) {
  xbarsim::test::TempDir dir;
  std::ofstream(dir / "nosol.cir") << "no dc solution\n"
                                      "vin0 in 0 dc 1\n"
                                      "r0 in a 1k\n"
                                      "b1 a 0 i = 1e-3*(v(a)*v(a)+3)\n"
                                      "vout0 a x dc 0\n"
                                      "r2 x 0 1k\n"
                                      ".end\n";
  const auto deck = xbarsim::extract::readUserDeck(dir / "nosol.cir", noConfig());
  try {
    (void)xbarsim::extract::userDeckCurrents(deck, {}, Eigen::VectorXd::Constant(1, 1.0));
    BOOST_FAIL("expected a NumericalError");
  } catch (const xbarsim::NumericalError& e) {
    const std::string msg = e.what();
    BOOST_TEST_MESSAGE(msg);
    BOOST_TEST(msg.find("did not converge") != std::string::npos);
    BOOST_TEST(msg.find("worst node a") != std::string::npos);
  }
  // A plain command() failure names the node too (SpiceError's last message).
  auto& session = xbarsim::spice::Session::instance();
  session.loadCircuit("no dc solution\nvin0 in 0 dc 1\nr0 in a 1k\nb1 a 0 i = 1e-3*(v(a)*v(a)+3)\n"
                      "r2 a 0 1k\n.end\n");
  try {
    session.command("op");
    BOOST_FAIL("expected a SpiceError");
  } catch (const xbarsim::SpiceError& e) {
    BOOST_TEST(e.messages().back().find("ngspice names node(s): a") != std::string::npos);
  }
  BOOST_TEST(session.lastSolveDiagnostics().trouble_nodes.front() == "a");
  session.clear();
}

// A sinh crossbar read far outside the law's range (10 V, V0 = 10 mV, ideal row wires): both
// backends fail with a NumericalError that names the cell, never NaN.
BOOST_AUTO_TEST_CASE(runaway_sinh_read_is_a_named_error_in_both_backends) {
  CrossbarSpec spec = randomSpec(2, 2, 0.0, 0.0, 4);
  spec.r_col_ohm = 2.5;
  spec.iv.kind = xbarsim::device::IvKind::Sinh;
  spec.iv.v0_v = 0.01;
  for (int backend = 0; backend < 2; ++backend) {
    try {
      const Eigen::MatrixXd w = backend == 0 ? NativeBackend().effectiveWeights(spec, 10.0).weff_s
                                             : NgspiceBackend().effectiveWeights(spec, 10.0).weff_s;
      BOOST_TEST(w.allFinite());  // converging would be fine too, NaN never
    } catch (const xbarsim::NumericalError& e) {
      const std::string msg = e.what();
      BOOST_TEST_MESSAGE(msg);
      BOOST_TEST(msg.find(backend == 0 ? "cell (" : "element bcell") != std::string::npos);
    }
  }
}

// The last guard: a non-finite entry becomes a NumericalError naming it.
BOOST_AUTO_TEST_CASE(non_finite_results_are_refused_with_their_entry) {
  Eigen::MatrixXd w = Eigen::MatrixXd::Ones(3, 4);
  BOOST_CHECK_NO_THROW(xbarsim::extract::requireFinite(w, "W_eff", "output", "input"));
  w(2, 1) = std::numeric_limits<double>::quiet_NaN();
  try {
    xbarsim::extract::requireFinite(w, "W_eff", "output", "input");
    BOOST_FAIL("expected a NumericalError");
  } catch (const xbarsim::NumericalError& e) {
    BOOST_TEST(std::string(e.what()).find("W_eff [2][1] (output 2, input 1) is nan") != std::string::npos);
  }
  Eigen::VectorXd i = Eigen::VectorXd::Zero(3);
  i[1] = std::numeric_limits<double>::infinity();
  BOOST_CHECK_THROW(xbarsim::extract::requireFinite(i, "current", "output"), xbarsim::NumericalError);
}

BOOST_AUTO_TEST_SUITE_END()
