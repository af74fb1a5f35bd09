// SPDX-License-Identifier: MIT
// Stateful cells (Stanford RRAM through DeviceCells) in 1R, 1S1R and 1T1R arrays: the native
// transient against the standalone ngspice running the deck of crossbarNetlist (Transient mode).
#include <boost/test/unit_test.hpp>

#include <memory>
#include <random>

#include "native_reference.hpp"
#include "ngspice_runner.hpp"
#include "xbarsim/circuit/sense_integrator.hpp"
#include "xbarsim/circuit/crossbar_netlist.hpp"
#include "xbarsim/circuit/device_cells.hpp"
#include "xbarsim/circuit/native_transient.hpp"
#include "xbarsim/core/error.hpp"
#include "xbarsim/device/pcm_pulse.hpp"
#include "xbarsim/device/rram_stanford.hpp"

using namespace xbarsim;
using circuit::CellKind;
using circuit::PwlWaveform;

namespace {

/// Pulse of v volts from t0: 5 ns edges, `width` flat.
PwlWaveform pulse(double v, double t0, double width) {
  return PwlWaveform{{t0, t0 + 5e-9, t0 + 5e-9 + width, t0 + 10e-9 + width}, {0.0, v, v, 0.0}};
}

struct Run {
  Eigen::MatrixXd native_a, spice_a;  // C×T column currents
  Eigen::MatrixXd native_x, spice_x;  // (R·C)×1 final states (state units), with a cell model
  double moved = 0.0;                 // largest |final − initial state| (native)
};

/// The native transient and ngspice on the generated deck (Transient mode, the same grid).
Run compare(const circuit::CrossbarSpec& spec, const circuit::TransientSpec& ts) {
  const auto res = circuit::simulateTransient(spec, ts);
  circuit::NetlistOptions o;
  o.mode = circuit::InputMode::Transient;
  o.transient = &ts;
  o.control_block = false;
  std::string deck = circuit::crossbarNetlist(spec, o);
  deck.erase(deck.rfind(".end"));
  std::string outputs;
  for (Eigen::Index j = 0; j < spec.cols; ++j) outputs += fmt::format(" i(vout{})", j);
  const Eigen::Index cells = spec.rows * spec.cols;
  if (ts.cell_model)
    for (Eigen::Index c = 0; c < cells; ++c) outputs += fmt::format(" v(xcell{}_{}.x)", c / spec.cols, c % spec.cols);
  // reltol = 1e-8: with 1e-6 ngspice's own time-step error reaches 2.6e-3 of the peak during
  // the fast RESET (1R, 2.2 V); the native result moves by < 1e-5 from rel_tol 1e-7 to 1e-9.
  deck += ".options reltol=1e-8 abstol=1e-15 vntol=1e-9 chgtol=1e-20 method=gear\n"
          ".control\nset wr_singlescale\noption numdgt=17\nrun\nlinearize" + outputs +
          "\nwrdata @TABLE@" + outputs + "\n.endc\n.end\n";
  const auto rows = test::runNgspice(deck);
  const auto points = static_cast<std::size_t>(ts.output_points);
  BOOST_REQUIRE_EQUAL(rows.size(), points);
  Run r;
  r.native_a = res.currents_a;
  r.spice_a.resize(spec.cols, res.currents_a.cols());
  for (std::size_t k = 0; k < points; ++k)
    for (Eigen::Index j = 0; j < spec.cols; ++j) r.spice_a(j, static_cast<Eigen::Index>(k)) = rows[k][static_cast<std::size_t>(1 + j)];
  if (ts.cell_model) {
    r.native_x = res.final_state;
    r.spice_x.resize(cells, 1);
    Eigen::MatrixXd x0(cells, 1);
    for (Eigen::Index c = 0; c < cells; ++c) {
      r.spice_x(c, 0) = rows.back()[static_cast<std::size_t>(1 + spec.cols + c)];
      ts.cell_model->initialState(c / spec.cols, c % spec.cols, &x0(c, 0));
    }
    r.moved = (r.native_x - x0).cwiseAbs().maxCoeff();
  }
  BOOST_TEST_MESSAGE(circuit::toString(spec.cell) << ": " << res.stats.steps << " steps, "
                     << res.stats.wall_s << " s; largest state change " << r.moved);
  return r;
}

/// Stateful cells, 2 fF lines, 201 output points to t_stop, tight tolerances.
circuit::TransientSpec stateful(const circuit::DeviceCells& cells, double t_stop_s, double state_abs_tol) {
  circuit::TransientSpec ts;
  ts.capacitance = {2e-15, 2e-15, 0.0};
  ts.cell_model = &cells;
  ts.t_stop_s = t_stop_s;
  ts.output_points = 201;
  ts.rel_tol = 1e-7;
  ts.abs_tol_v = 1e-10;
  ts.state_abs_tol = state_abs_tol;
  return ts;
}

/// 4×4 array of Stanford RRAM cells of `kind`: a SET pulse (v_set) on row 0, a pulse of v_row1
/// on row 1, reads on rows 2 and 3, overlapping; 200 ns on a 1 ns grid.
Run stanford(CellKind kind, double v_set, double v_row1) {
  auto spec = test::randomSpec(4, 4, 5.0, 5.0, 20.0, 51);
  spec.cell = kind;
  spec.v_gate_v = 1.8;
  std::mt19937_64 gen(52);
  std::uniform_real_distribution<double> gap(0.4e-9, 1.6e-9);
  Eigen::MatrixXd x0(4, 4);
  for (Eigen::Index k = 0; k < x0.size(); ++k) x0(k) = gap(gen);
  const circuit::DeviceCells cells(std::make_shared<device::StanfordRram>(), x0);
  circuit::TransientSpec ts = stateful(cells, 200e-9, 1e-8);  // nm
  ts.inputs = {pulse(v_set, 10e-9, 40e-9), pulse(v_row1, 20e-9, 40e-9), pulse(0.2, 30e-9, 100e-9),
               pulse(0.2, 90e-9, 60e-9)};
  return compare(spec, ts);
}

void checkAgreement(const Run& r, const std::string& what, double state_tol) {
  const double peak = r.spice_a.cwiseAbs().maxCoeff();
  const double err = (r.native_a - r.spice_a).cwiseAbs().maxCoeff() / peak;
  BOOST_TEST_MESSAGE(what << " vs ngspice: max current error " << err << " of the peak " << peak << " A");
  BOOST_TEST(err < 1e-3, what << ": " << err);
  if (r.native_x.size()) {
    const double xerr = (r.native_x - r.spice_x).cwiseAbs().maxCoeff();
    BOOST_TEST_MESSAGE(what << ": final states within " << xerr);
    BOOST_TEST(xerr < state_tol, what << ": " << xerr);
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(device_cells_vs_ngspice)

BOOST_AUTO_TEST_CASE(stanford_rram_arrays_1r_1s1r_1t1r) {
  // SET and RESET pulses; the selector takes most of the voltage of a 1S1R cell. 1T1R: with a
  // negative row voltage the drain of the access transistor falls below its source; the MOS1
  // card has is = 0 (no bulk junction), as the native square law (device::NmosAccess).
  const struct {
    CellKind kind;
    double v_set, v_row1;
  } cases[] = {{CellKind::OneR, 2.2, -2.2}, {CellKind::OneS1R, 4.0, -4.0}, {CellKind::OneT1R, 2.2, -2.2}};
  for (const auto& c : cases) {
    const Run r = stanford(c.kind, c.v_set, c.v_row1);
    BOOST_TEST(r.moved > 0.2);  // nm: the pulses switch cells, the comparison is about dynamics
    checkAgreement(r, fmt::format("Stanford RRAM {}", circuit::toString(c.kind)), 1e-3);
  }
}

BOOST_AUTO_TEST_CASE(pcm_pulse_array_1r) {
  // Three SET pulses (1 V, 6 us) on row 0, a RESET (3 V, 125 ns) on row 1, reads.
  auto spec = test::randomSpec(3, 3, 5.0, 5.0, 20.0, 54);
  auto model = std::make_shared<device::PcmPulse>();
  Eigen::MatrixXd g0(3, 3);
  g0 << 20e-6, 60e-6, 120e-6, 180e-6, 100e-6, 40e-6, 80e-6, 30e-6, 150e-6;
  const circuit::DeviceCells cells(model, g0);
  circuit::TransientSpec ts = stateful(cells, 30e-6, 1e-6);  // uS
  ts.inputs = {PwlWaveform{{1e-6, 1.01e-6, 7.01e-6, 7.02e-6, 9e-6, 9.01e-6, 15.01e-6, 15.02e-6,
                            17e-6, 17.01e-6, 23.01e-6, 23.02e-6},
                           {0.0, 1.0, 1.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0, 1.0, 0.0}},
               pulse(3.0, 2e-6, 115e-9), pulse(0.2, 0.5e-6, 25e-6)};
  const Run r = compare(spec, ts);
  BOOST_TEST(r.moved > 5.0);  // uS
  checkAgreement(r, "PCM pulse 1R", 1e-2);
}

BOOST_AUTO_TEST_CASE(static_sinh_access_cells) {
  // No state: the access-cell transient with the static law, TIA sense.
  for (const CellKind kind : {CellKind::OneS1R, CellKind::OneT1R}) {
    auto spec = test::randomSpec(3, 4, 20.0, 10.0, 0.0, 55, 10e-6, 200e-6);
    spec.iv.kind = device::IvKind::Sinh;
    spec.cell = kind;
    // Outputs within the rails: the virtual ground holds and no access transistor has its drain
    // below its source (with r_feedback = 2 kOhm the rails break it, and the MOS1 junction of
    // the note above makes a 1.8e-3 difference).
    spec.sense = circuit::makeTia({.open_loop_gain = 1e3, .r_feedback_ohm = 500.0});
    circuit::TransientSpec ts;
    ts.inputs = {PwlWaveform::step(1.5, 1e-9, 2e-9), pulse(1.0, 3e-9, 4e-9),
                 PwlWaveform{{2e-9, 6e-9, 12e-9}, {0.0, 1.2, 0.3}}};
    ts.capacitance = {50e-15, 80e-15, 20e-15};
    ts.t_stop_s = 20e-9;
    ts.output_points = 201;
    ts.rel_tol = 1e-7;
    ts.abs_tol_v = 1e-10;
    checkAgreement(compare(spec, ts), fmt::format("static sinh {}", circuit::toString(kind)), 0.0);
  }
}

BOOST_AUTO_TEST_CASE(transient_deck_runs_in_standalone_ngspice) {
  auto spec = test::randomSpec(2, 3, 5.0, 0.0, 0.0, 53);
  spec.cell = CellKind::OneS1R;
  spec.sense = circuit::makeTia({});
  const circuit::DeviceCells cells(std::make_shared<device::StanfordRram>(),
                                   Eigen::MatrixXd::Constant(2, 3, 1.2e-9));
  circuit::TransientSpec ts;
  ts.inputs = {pulse(3.0, 1e-9, 5e-9), PwlWaveform::constant(0.1)};
  ts.capacitance = {1e-15, 2e-15, 3e-15};
  ts.cell_model = &cells;
  ts.t_stop_s = 20e-9;
  ts.output_points = 21;
  circuit::NetlistOptions o;
  o.mode = circuit::InputMode::Transient;
  o.transient = &ts;
  const std::string deck = circuit::crossbarNetlist(spec, o);
  // Names: the model's subcircuit in every cell with its own initial state, capacitances on
  // unknown nodes only (r_col = 0 with a TIA: the column is the amplifier input node).
  BOOST_TEST(deck.find(".subckt rram_stanford te be") != std::string::npos);
  BOOST_TEST(deck.find("xcell1_2 m1_2 out2 rram_stanford ") != std::string::npos);
  BOOST_TEST(deck.find("gap_ini=1.2e-09") != std::string::npos);
  BOOST_TEST(deck.find("vin1 in1 0 dc 0.1\n") != std::string::npos);
  BOOST_TEST(deck.find("crow0_1 r0_1 0 1e-15\n") != std::string::npos);
  BOOST_TEST(deck.find("ccol1_2 out2 0 2e-15\n") != std::string::npos);
  BOOST_TEST(deck.find("csense2 s2 0 3e-15\n") != std::string::npos);
  BOOST_TEST(deck.find(" v(xcell0_0.x)") != std::string::npos);
  BOOST_TEST(deck.find(".tran 1e-09 2e-08 0 1e-10\n") != std::string::npos);
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / fmt::format("xbarsim_tran_deck_{}", ::getpid());
  fs::create_directories(dir);
  std::ofstream(dir / "deck.cir") << deck;
  const std::string cmd = fmt::format("cd '{}' && ngspice -b deck.cir 2>&1", dir.string());
  FILE* pipe = ::popen(cmd.c_str(), "r");
  BOOST_REQUIRE(pipe);
  std::string out;
  char buf[4096];
  while (std::fgets(buf, sizeof buf, pipe)) out += buf;
  const int status = ::pclose(pipe);
  fs::remove_all(dir);
  BOOST_TEST(status == 0, "ngspice -b exit status " << status << ":\n" << out);
  BOOST_TEST(out.find("rror") == std::string::npos, out);
  BOOST_TEST(out.find("i(vout2)") != std::string::npos);
}

// The integrating sense amplifier through both faces (sense_integrator.cpp and
// netlists/integrator.lib): a static array whose column currents charge the feedback
// capacitors from the discharged state. Its DC deck is refused: it has no operating point.
BOOST_AUTO_TEST_CASE(integrator_sense_both_faces) {
  auto spec = test::randomSpec(3, 2, 5.0, 5.0, 0.0, 61, 5e-6, 50e-6);
  // A = 1e3: with 1e4 ngspice's time step collapses at the input corner at 16 ns ("timestep too
  // small" in the op-amp's output source); the native solver handles both.
  spec.sense = circuit::makeIntegrator({.c_feedback_f = 2e-12, .open_loop_gain = 1e3, .rail_v = 1.5});
  circuit::TransientSpec ts;
  ts.inputs = {PwlWaveform::step(0.2, 1e-9, 2e-9), pulse(0.1, 2e-9, 4e-9), PwlWaveform::constant(0.05)};
  ts.capacitance = {10e-15, 10e-15, 5e-15};
  ts.t_stop_s = 20e-9;
  ts.output_points = 201;
  ts.rel_tol = 1e-7;
  ts.abs_tol_v = 1e-10;
  checkAgreement(compare(spec, ts), "integrator sense", 0.0);
  circuit::NetlistOptions dc;
  BOOST_CHECK_THROW((void)circuit::crossbarNetlist(spec, dc), Error);
}

BOOST_AUTO_TEST_SUITE_END()
