// SPDX-License-Identifier: MIT
// Array energy of a read (docs/energy.md §1-2): the array power of both backends against closed
// forms and against the source power of standalone `ngspice -b` on the generated deck, and
// the quadratic form P = xᵀ M x of the native solver against the solved power.
#include <fmt/format.h>

#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>

#include "run_command.hpp"
#include "temp_dir.hpp"
#include "xbarsim/circuit/crossbar_netlist.hpp"
#include "xbarsim/circuit/native_solver.hpp"
#include "xbarsim/circuit/sense_tia.hpp"
#include "xbarsim/core/rng.hpp"
#include "xbarsim/extract/backend.hpp"
#include "xbarsim/io/hdf5_file.hpp"

using xbarsim::circuit::CrossbarSpec;
using Eigen::Index;
namespace fs = std::filesystem;

namespace {

CrossbarSpec arraySpec(Index rows, Index cols, bool sinh, std::uint64_t seed) {
  CrossbarSpec spec;
  spec.rows = rows;
  spec.cols = cols;
  spec.r_row_ohm = 2.5;
  spec.r_col_ohm = 2.5;
  spec.r_driver_ohm = 10.0;
  if (sinh) {
    spec.iv.kind = xbarsim::device::IvKind::Sinh;
    spec.iv.v0_v = 0.25;
  }
  spec.g_s.resize(rows, cols);
  xbarsim::RngStream rng(seed, xbarsim::StreamPurpose::Conductances);
  for (Index i = 0; i < rows; ++i)
    for (Index j = 0; j < cols; ++j) spec.g_s(i, j) = rng.uniform(1e-6, 100e-6);
  return spec;
}

Eigen::MatrixXd randomInputs(Index rows, Index vectors, std::uint64_t seed) {
  xbarsim::RngStream rng(seed, xbarsim::StreamPurpose::Conductances);
  Eigen::MatrixXd x(rows, vectors);
  for (Index k = 0; k < vectors; ++k)
    for (Index i = 0; i < rows; ++i) x(i, k) = rng.uniform(-0.2, 0.4);
  return x;
}

double relative(double a, double b) { return std::abs(a - b) / std::abs(b); }

/// Source power of the generated deck at inputs x, from standalone `ngspice -b` (.op): the
/// row sources' −Σ V_i·i(vin<i>), less Σ v(s<j>)·i(vout<j>) into TIA inputs. Computed here
/// from ngspice's printed numbers, not through the backends.
double standalonePower(const CrossbarSpec& spec, const Eigen::VectorXd& x) {
  xbarsim::circuit::NetlistOptions o;
  o.inputs_v = x;
  o.save_power = true;
  std::string deck = xbarsim::circuit::crossbarNetlist(spec, o);
  std::string prints;
  for (Index i = 0; i < spec.rows; ++i) prints += fmt::format("print i(vin{})\n", i);
  if (!spec.sense->holdsInput())
    for (Index j = 0; j < spec.cols; ++j) prints += fmt::format("print v(s{})\n", j);
  const auto at = deck.find("if $?batchmode");
  BOOST_TEST_REQUIRE(at != std::string::npos);
  deck.insert(at, prints);
  xbarsim::test::TempDir dir;
  const fs::path file = dir.path() / "deck.cir";
  std::ofstream(file) << deck;
  const auto run = xbarsim::test::runCommand(fmt::format("ngspice -b {} 2>&1", file.string()));
  BOOST_TEST_REQUIRE(run.status == 0, run.output);
  const auto values = xbarsim::test::parsePrinted(run.output);
  auto value = [&](const std::string& name) {
    const auto it = values.find(name);
    BOOST_TEST_REQUIRE((it != values.end()), name + " not printed:\n" + run.output);
    return it->second;
  };
  double p = 0.0;
  for (Index i = 0; i < spec.rows; ++i) p -= x[i] * value(fmt::format("i(vin{})", i));
  if (!spec.sense->holdsInput())
    for (Index j = 0; j < spec.cols; ++j)
      p -= value(fmt::format("v(s{})", j)) * value(fmt::format("i(vout{})", j));
  return p;
}

bool haveNgspice() { return xbarsim::test::runCommand("ngspice -v >/dev/null 2>&1").status == 0; }

}  // namespace

BOOST_AUTO_TEST_SUITE(array_energy)

// 1×1 with driver and wire resistances: P = V²/(r_drv + r_row + 1/g + r_col).
BOOST_AUTO_TEST_CASE(one_cell_closed_form) {
  CrossbarSpec spec = arraySpec(1, 1, false, 1);
  spec.g_s(0, 0) = 40e-6;
  const double v = 0.3;
  const double expected = v * v / (10.0 + 2.5 + 1.0 / 40e-6 + 2.5);
  for (const char* name : {"native", "ngspice"}) {
    const auto backend = xbarsim::extract::makeBackend(name);
    backend->setArrayPower(true);
    const auto r = backend->currentsBatch(spec, Eigen::MatrixXd::Constant(1, 1, v));
    BOOST_TEST_MESSAGE(fmt::format("{}: {:.15e} W, closed form {:.15e} W", name, r.power_w[0], expected));
    BOOST_TEST(relative(r.power_w[0], expected) < 1e-9, name << ": " << r.power_w[0] << " vs " << expected);
  }
}

// 2×2 by hand: rows through r_driver + r_row to cell (i,0), r_row on to cell (i,1); columns
// straight into the virtual grounds (r_col = 0). Each row is a ladder: the driver sees
// R_i = r_d + r + (1/g_i0 ∥ (r + 1/g_i1)), P = Σ_i V_i²/R_i.
BOOST_AUTO_TEST_CASE(two_by_two_closed_form) {
  CrossbarSpec spec = arraySpec(2, 2, false, 2);
  spec.r_col_ohm = 0.0;
  spec.r_row_ohm = 1e3;  // large enough to matter
  spec.g_s << 50e-6, 20e-6, 10e-6, 80e-6;
  const Eigen::Vector2d x(0.25, -0.15);
  double expected = 0.0;
  for (Index i = 0; i < 2; ++i) {
    const double far = spec.r_row_ohm + 1.0 / spec.g_s(i, 1);
    const double near = 1.0 / spec.g_s(i, 0);
    const double r = spec.r_driver_ohm + spec.r_row_ohm + near * far / (near + far);
    expected += x[i] * x[i] / r;
  }
  for (const char* name : {"native", "ngspice"}) {
    const auto backend = xbarsim::extract::makeBackend(name);
    backend->setArrayPower(true);
    const auto r = backend->currentsBatch(spec, x);
    BOOST_TEST_MESSAGE(fmt::format("{}: {:.15e} W, closed form {:.15e} W", name, r.power_w[0], expected));
    BOOST_TEST(relative(r.power_w[0], expected) < 1e-9, name << ": " << r.power_w[0] << " vs " << expected);
  }
}

// The generated deck in standalone ngspice: linear, sinh and linear + TIA arrays.
BOOST_AUTO_TEST_CASE(backends_match_standalone_ngspice) {
  BOOST_TEST_REQUIRE(haveNgspice(), "ngspice is not on PATH");
  struct Case {
    const char* name;
    CrossbarSpec spec;
  };
  std::vector<Case> cases = {{"linear", arraySpec(12, 9, false, 3)},
                             {"sinh", arraySpec(12, 9, true, 4)},
                             {"linear+tia", arraySpec(12, 9, false, 5)}};
  cases[2].spec.sense = xbarsim::circuit::makeTia({.open_loop_gain = 1e4, .offset_v = 1e-3,
                                                  .r_feedback_ohm = 2e3, .rail_v = 1.5});
  for (const Case& c : cases) {
    const Eigen::MatrixXd x = randomInputs(c.spec.rows, 3, 7);
    const auto native_backend = xbarsim::extract::makeBackend("native");
    const auto ngspice_backend = xbarsim::extract::makeBackend("ngspice");
    native_backend->setArrayPower(true);
    ngspice_backend->setArrayPower(true);
    const auto native = native_backend->currentsBatch(c.spec, x);
    const auto ngspice = ngspice_backend->currentsBatch(c.spec, x);
    for (Index k = 0; k < x.cols(); ++k) {
      const double reference = standalonePower(c.spec, x.col(k));
      const double e_native = relative(native.power_w[k], reference);
      const double e_ngspice = relative(ngspice.power_w[k], reference);
      BOOST_TEST_MESSAGE(fmt::format("{} vector {}: standalone ngspice {:.12e} W; relative "
                                     "difference native {:.2e}, ngspice backend {:.2e}",
                                     c.name, k, reference, e_native, e_ngspice));
      BOOST_TEST(e_native < 1e-6, c.name << " native " << native.power_w[k] << " vs " << reference);
      BOOST_TEST(e_ngspice < 1e-6, c.name << " ngspice " << ngspice.power_w[k] << " vs " << reference);
    }
  }
}

// P = xᵀ M x against the solved power: exact for linear arrays (grid and ideal-wire paths),
// to the TIA's linearization otherwise.
BOOST_AUTO_TEST_CASE(power_matrix_matches_solved_power) {
  struct Case {
    const char* name;
    CrossbarSpec spec;
    double tolerance;
  };
  std::vector<Case> cases = {{"grid", arraySpec(16, 12, false, 8), 1e-10},
                             {"ideal wires", arraySpec(16, 12, false, 9), 1e-10},
                             {"grid+tia", arraySpec(16, 12, false, 10), 1e-5}};
  cases[1].spec.r_row_ohm = cases[1].spec.r_col_ohm = cases[1].spec.r_driver_ohm = 0.0;
  cases[2].spec.sense = xbarsim::circuit::makeTia({.open_loop_gain = 1e4, .offset_v = 0.0,
                                                  .r_feedback_ohm = 2e3, .rail_v = 1.5});
  for (const Case& c : cases) {
    xbarsim::circuit::NativeSolver solver(c.spec);
    const Eigen::MatrixXd m = solver.powerMatrix(0.2);
    BOOST_TEST((m - m.transpose()).norm() == 0.0);
    const Eigen::MatrixXd x = randomInputs(c.spec.rows, 4, 11);
    const Eigen::VectorXd p = solver.arrayPower(x);
    for (Index k = 0; k < x.cols(); ++k) {
      const double q = x.col(k).dot(m * x.col(k));
      BOOST_TEST_MESSAGE(fmt::format("{}: xᵀMx {:.12e} W, solved {:.12e} W", c.name, q, p[k]));
      BOOST_TEST(relative(q, p[k]) < c.tolerance, c.name << ": " << q << " vs " << p[k]);
    }
  }
  // Ideal wires and sense: M = diag(Σ_j G_ij) exactly.
  CrossbarSpec ideal = arraySpec(5, 4, false, 12);
  ideal.r_row_ohm = ideal.r_col_ohm = ideal.r_driver_ohm = 0.0;
  xbarsim::circuit::NativeSolver solver(ideal);
  const Eigen::MatrixXd expected = ideal.g_s.rowwise().sum().asDiagonal();
  BOOST_TEST((solver.powerMatrix(0.2) - expected).norm() <= 1e-15 * expected.norm());
}

// `xbarsim extract --input` writes /array_energy_j (J, one per vector) = power × read.pulse_s.
BOOST_AUTO_TEST_CASE(cli_writes_array_energy) {
  const char* binary = std::getenv("XBARSIM_BINARY");
  BOOST_TEST_REQUIRE(binary != nullptr, "XBARSIM_BINARY is not set");
  xbarsim::test::TempDir dir;
  std::ofstream(dir.path() / "a.toml")
      << "[array]\nrows = 4\ncols = 3\nr_row_ohm = 2.5\nr_col_ohm = 2.5\n[device]\n"
         "model = \"linear\"\n[read]\npulse_s = 20e-9\n";
  std::ofstream(dir.path() / "x.csv") << "0.1,0.2,-0.1,0.3\n0.2,0.2,0.2,0.2\n";
  const auto run = xbarsim::test::runCommand(
      fmt::format("{} extract -c {} --input {} --backend native -o {} 2>&1", binary,
                  (dir.path() / "a.toml").string(), (dir.path() / "x.csv").string(),
                  (dir.path() / "e.h5").string()));
  BOOST_TEST_REQUIRE(run.status == 0, run.output);
  const auto h5 = xbarsim::io::H5File::openReadOnly((dir.path() / "e.h5").string());
  const Eigen::VectorXd e = h5.readVector("/array_energy_j");
  BOOST_TEST(e.size() == 2);
  BOOST_TEST(h5.readStringAttribute("/array_energy_j", "units") == "J");
  BOOST_TEST(h5.readDoubleAttribute("/array_energy_j", "pulse_s") == 20e-9);
  const Eigen::MatrixXd x = h5.readMatrix("/inputs_v").transpose();
  // The same array through the solver: the configuration's seed draws the same conductances.
  const Eigen::MatrixXd g = h5.readMatrix("/g_target");
  CrossbarSpec spec = arraySpec(4, 3, false, 1);
  spec.r_driver_ohm = 0.0;
  spec.g_s = g;
  xbarsim::circuit::NativeSolver solver(spec);
  const Eigen::VectorXd p = solver.arrayPower(x);
  for (Index k = 0; k < 2; ++k) BOOST_TEST(relative(e[k], p[k] * 20e-9) < 1e-12);
}

BOOST_AUTO_TEST_SUITE_END()
