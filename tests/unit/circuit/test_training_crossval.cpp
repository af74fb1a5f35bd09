// SPDX-License-Identifier: MIT
// TrainingCrossbar against the standalone ngspice (decks written by the test helper): backward
// reads (columns driven, rows at virtual ground) and exact update-phase cell voltages.
#include <boost/test/unit_test.hpp>

#include "native_reference.hpp"
#include "ngspice_runner.hpp"
#include "xbarsim/circuit/training_crossbar.hpp"

using namespace xbarsim;
using test::num;
using test::relErr;

namespace {

const std::string kOptions = ".options numdgt=17 reltol=1e-12 abstol=1e-18 vntol=1e-15";

/// The crossbar deck with every row source at 0 V and the column sources vo<j> driven at
/// cols_v (they stand where the ideal sense sits in the forward read).
std::string drivenDeck(const circuit::CrossbarSpec& s, const Eigen::VectorXd& rows_v,
                       const Eigen::VectorXd& cols_v) {
  std::string text = test::crossbarElements(s, rows_v);
  for (Eigen::Index j = 0; j < s.cols; ++j) {
    const std::string dc = fmt::format("vo{} out{} 0 dc 0\n", j, j);
    const auto p = text.find(dc);
    if (p == std::string::npos) throw std::runtime_error("no column source in the deck");
    text.replace(p, dc.size(), fmt::format("vo{} out{} 0 dc {}\n", j, j, num(cols_v[j])));
  }
  return "* xbarsim training crossbar cross-validation\n" + text + kOptions + "\n";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(training_vs_ngspice)

// Backward read: column j driven at 1 V, rows at 0 V behind r_driver; I_row_i = i(vi<i>), the
// current from the row into its terminal.
BOOST_AUTO_TEST_CASE(backward_8x12) {
  const auto spec = test::randomSpec(8, 12, 2.0, 1.0, 30.0, 41);
  circuit::TrainingCrossbar xb(spec);
  const Eigen::MatrixXd b = xb.backward(Eigen::MatrixXd::Identity(12, 12));
  std::string deck = drivenDeck(spec, Eigen::VectorXd::Zero(8), Eigen::VectorXd::Zero(12));
  deck += ".control\nset wr_singlescale\nset appendwrite\noption numdgt=17\n";
  std::string vectors;
  for (Eigen::Index i = 0; i < 8; ++i) vectors += fmt::format(" i(vi{})", i);
  for (Eigen::Index k = 0; k < 12; ++k) {
    for (Eigen::Index j = 0; j < 12; ++j)
      deck += fmt::format("alter vo{} dc={}\n", j, j == k ? 1 : 0);
    deck += "op\nwrdata @TABLE@" + vectors + "\ndestroy all\n";
  }
  deck += ".endc\n.end\n";
  const auto rows = test::runNgspice(deck);
  BOOST_REQUIRE(rows.size() == 12u);
  Eigen::MatrixXd ref(8, 12);
  for (Eigen::Index k = 0; k < 12; ++k) {
    BOOST_REQUIRE(rows[k].size() == 9u);
    for (Eigen::Index i = 0; i < 8; ++i) ref(i, k) = rows[k][i + 1];
  }
  BOOST_TEST_MESSAGE("backward 8x12 vs ngspice: max rel err " << relErr(b, ref));
  BOOST_TEST(relErr(b, ref) < 1e-9);
}

// Update phase: a V/3 slot with IR drop; v(r<i>_<j>) − v(c<i>_<j>) of every cell.
BOOST_AUTO_TEST_CASE(update_cell_voltages_6x7) {
  const auto spec = test::randomSpec(6, 7, 3.0, 2.0, 50.0, 42, 50e-6, 500e-6);
  circuit::TrainingCrossbar xb(spec);
  const auto t =
      circuit::biasTerminals({circuit::BiasScheme::ThirdV, 1.5}, 6, 7, {1, 4}, {0, 3, 6}, 1);
  const Eigen::MatrixXd v = xb.cellVoltages(t.rows_v, t.cols_v);
  std::string vectors;
  for (Eigen::Index i = 0; i < 6; ++i)
    for (Eigen::Index j = 0; j < 7; ++j) vectors += fmt::format(" v(r{}_{}) v(c{}_{})", i, j, i, j);
  const std::string deck = drivenDeck(spec, t.rows_v, t.cols_v) +
                           ".control\nset wr_singlescale\noption numdgt=17\nop\nwrdata @TABLE@" +
                           vectors + "\n.endc\n.end\n";
  const auto rows = test::runNgspice(deck);
  BOOST_REQUIRE(rows.size() == 1u);
  BOOST_REQUIRE(rows[0].size() == 1u + 2u * 42u);
  Eigen::MatrixXd ref(6, 7);
  for (Eigen::Index i = 0; i < 6; ++i)
    for (Eigen::Index j = 0; j < 7; ++j) {
      const auto k = static_cast<std::size_t>(1 + 2 * (i * 7 + j));
      ref(i, j) = rows[0][k] - rows[0][k + 1];
    }
  const double err = (v - ref).cwiseAbs().maxCoeff();
  BOOST_TEST_MESSAGE("V/3 cell voltages 6x7 vs ngspice: max abs err "
                     << err << " V; selected cell (1,0) " << v(1, 0) << " V of 1.5");
  BOOST_TEST(err < 1e-9);
  BOOST_TEST(v(1, 0) < 1.45);  // a visible IR drop
  const Eigen::MatrixXd it =
      xb.cellVoltages(t.rows_v, t.cols_v, circuit::UpdateCircuitMode::Iterative);
  BOOST_TEST((it - ref).cwiseAbs().maxCoeff() < 1e-8);
}

BOOST_AUTO_TEST_SUITE_END()
