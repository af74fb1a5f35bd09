// SPDX-License-Identifier: MIT
// Energy and latency per inference (docs/energy.md §3-5): the array energy of the energy pass
// (quadratic forms, no solves) against the array power of every read solved by the extract
// backends (native and ngspice) on the same tiles, and the periphery figures by hand.
#include <fmt/format.h>

#include <boost/test/unit_test.hpp>
#include <cmath>

#include "dnn_test_util.hpp"
#include "xbarsim/circuit/sense_tia.hpp"
#include "xbarsim/dnn/analog.hpp"
#include "xbarsim/dnn/evaluate_energy.hpp"
#include "xbarsim/extract/backend.hpp"
#include "xbarsim/extract/config_schema.hpp"
#include "xbarsim/extract/periphery.hpp"

using namespace dnn_test;
using namespace xbarsim::dnn;

namespace {

/// flatten → dense(64, 6): the analog layer's inputs are the prepared pixels.
Network oneLayer() {
  Network net;
  net.input_shape = {1, 8, 8};
  net.input_scale = 1.0 / 255.0;
  net.layers.push_back(simple(LayerKind::Flatten));
  net.layers.push_back(dense(64, 6, false, 3));
  for (std::size_t i = 0; i < net.layers.size(); ++i) net.layers[i].name = "00" + std::to_string(i);
  net.resolveShapes("test");
  return net;
}

AnalogOptions wired() {
  AnalogOptions o;
  o.tile_rows = 24;  // 64 inputs: row blocks of 24, 24, 16
  o.tile_cols = 4;   // 6 outputs: column blocks of 4, 2
  o.circuit.r_row_ohm = 20.0;
  o.circuit.r_col_ohm = 20.0;
  o.circuit.r_driver_ohm = 50.0;
  return o;
}

EnergySpec energySpec(Index samples) {
  const auto config = xbarsim::core::Config::parse("", "<test>", xbarsim::extract::configSchema());
  EnergySpec e;
  e.pulse_s = 10e-9;
  e.periphery = xbarsim::extract::peripheryFromConfig(config);
  e.samples = samples;
  return e;
}

struct Setup {
  Network net = oneLayer();
  AnalogOptions options;
  std::vector<LayerMapping> maps;
  AnalogNetwork analog;
  std::vector<std::vector<TileConductances>> g;
  explicit Setup(const AnalogOptions& o)
      : options(o), maps(mapNetwork(net, options)), analog(options, 1, net.layers.size()) {
    WeffSolver solver(options);
    g.resize(maps.size());
    for (std::size_t a = 0; a < maps.size(); ++a) {
      const LayerMapping& m = maps[a];
      analog.mappings()[m.layer_index] = &m;
      for (const TileBlock& b : m.tiles) {
        const Eigen::MatrixXd gp = m.targets(b, true, o.g_max_s), gn = m.targets(b, false, o.g_max_s);
        TileState t;
        t.w_n = ((solver.effectiveWeights(gp) - solver.effectiveWeights(gn)) / o.g_max_s).cast<float>();
        t.alpha = Eigen::VectorXf::Ones(b.cols);
        analog.tiles()[m.layer_index].push_back(t);
        g[a].push_back({gp, gn});
      }
    }
  }
};

/// Array energy per image from solves: every read of every tile through the backend, inputs
/// v_read·x_n with x_n = slice / max|slice| (ideal DAC), E = pulse·(P(G+) + P(G−)).
double solvedArrayEnergy(const Setup& s, const Dataset& data, Index images, double pulse_s,
                         const std::string& backend_name) {
  const auto backend = xbarsim::extract::makeBackend(backend_name);
  backend->setArrayPower(true);
  const Eigen::MatrixXd x = s.net.prepareInputs(data.pixelBatch(0, images)).cast<double>();
  double e = 0.0;
  const LayerMapping& m = s.maps.front();
  for (std::size_t k = 0; k < m.tiles.size(); ++k) {
    const TileBlock& b = m.tiles[k];
    Eigen::MatrixXd xn = x.middleRows(b.row0, b.rows);
    for (Index c = 0; c < xn.cols(); ++c) {
      const double mx = xn.col(c).cwiseAbs().maxCoeff();
      xn.col(c) /= mx > 0.0 ? mx : 1.0;
    }
    for (const Eigen::MatrixXd* g : {&s.g[0][k].pos, &s.g[0][k].neg}) {
      xbarsim::circuit::CrossbarSpec spec = s.options.circuit;
      spec.rows = g->rows();
      spec.cols = g->cols();
      spec.g_s = *g;
      const auto r = backend->currentsBatch(spec, s.options.v_read_v * xn);
      e += pulse_s * r.power_w.sum();
    }
  }
  return e / static_cast<double>(images);
}

double relative(double a, double b) { return std::abs(a - b) / std::abs(b); }

}  // namespace

BOOST_AUTO_TEST_SUITE(energy)

BOOST_AUTO_TEST_CASE(array_energy_matches_solved_reads) {
  const Dataset data = makeSynthetic({}, Split::Test);
  struct Case {
    const char* name;
    AnalogOptions options;
    double tolerance;
  };
  std::vector<Case> cases = {{"wired, ideal sense", wired(), 1e-6}, {"wired, TIA", wired(), 1e-5}};
  cases[1].options.circuit.sense = xbarsim::circuit::makeTia(
      {.open_loop_gain = 1e4, .offset_v = 0.0, .r_feedback_ohm = 2e3, .rail_v = 1.5});
  for (const Case& c : cases) {
    const Setup s(c.options);
    const Index images = 6;
    const EnergySpec es = energySpec(images);
    const EnergyReport rep = inferenceEnergy(s.net, data, s.options, es, s.analog, s.maps, s.g, 4);
    BOOST_TEST_REQUIRE(rep.layers.size() == 1u);
    BOOST_TEST(rep.images == images);
    for (const char* backend : {"native", "ngspice"}) {
      const double solved = solvedArrayEnergy(s, data, images, es.pulse_s, backend);
      BOOST_TEST_MESSAGE(fmt::format("{}: quadratic form {:.9e} J, {} solves {:.9e} J (rel {:.2e})",
                                     c.name, rep.layers[0].array_j, backend, solved,
                                     relative(rep.layers[0].array_j, solved)));
      BOOST_TEST(relative(rep.layers[0].array_j, solved) < c.tolerance, c.name << " vs " << backend);
    }
  }
}

// Counts, latency and periphery energies of the one-layer network by hand.
BOOST_AUTO_TEST_CASE(periphery_by_hand) {
  const Dataset data = makeSynthetic({}, Split::Test);
  AnalogOptions o = wired();
  o.dac_bits = 6;
  o.adc_bits = 7;
  o.circuit.sense = xbarsim::circuit::makeTia({});
  const Setup s(o);
  const EnergySpec es = energySpec(8);
  const EnergyReport rep = inferenceEnergy(s.net, data, s.options, es, s.analog, s.maps, s.g, 8);
  const LayerEnergy& l = rep.layers.at(0);
  const double v = o.v_read_v;
  // 3 row blocks × 2 column blocks = 6 tiles; one read per image.
  BOOST_TEST(l.tiles == 6);
  BOOST_TEST(l.reads == 1.0);
  BOOST_TEST(l.macs == 64.0 * 6.0);
  // DAC: 2 tiles per row block, 64 rows each -> 128 conversions of 2^6·1 fF·v².
  BOOST_TEST(relative(l.dac_j, 128 * 64 * 1e-15 * v * v) < 1e-12);
  // Sense: every tile has its own columns: 3 row blocks × 6 outputs = 18 differential
  // outputs, 36 amplifiers (one per array column) × 10 µW × 10 ns.
  BOOST_TEST(relative(l.sense_j, 36 * 10e-6 * 10e-9) < 1e-12);
  // ADC: 18 conversions of 5 fJ·2^7 (Walden).
  BOOST_TEST(relative(l.adc_j, 18 * 5e-15 * 128) < 1e-12);
  // Latency: t_dac 1 ns + pulse 10 ns + min(8, 4) conversions of 10 ns.
  BOOST_TEST(relative(l.latency_s, 1e-9 + 10e-9 + 4 * 10e-9) < 1e-12);
  // NeuroSim: 5 magnitude-bit cycles per read, each 10 ns + 4 SAR conversions of (7+1) ns.
  BOOST_TEST(rep.input_cycles == 5);
  BOOST_TEST(relative(l.ns_latency_s, 5 * (10e-9 + 4 * 8e-9)) < 1e-12);
}

// The ADC formulas at one point, by hand.
BOOST_AUTO_TEST_CASE(adc_formulas) {
  const auto config = xbarsim::core::Config::parse("", "<test>", xbarsim::extract::configSchema());
  const auto p = xbarsim::extract::peripheryFromConfig(config);
  xbarsim::extract::PeripheryUse use{.bits = 8, .v_read_v = 0.5, .pulse_s = 10e-9,
                                     .column_resistance_ohm = 1e4};
  BOOST_TEST(relative(p.adc->energyJ(use), 5e-15 * 256) < 1e-15);
  // NeuroSim 22 nm HP: P = (0.7213·8 + 3.3041) µW + 0.084273·exp(−2.311·log10(1e4)), 9 ns.
  const double power = (0.7213 * 8 + 3.3041) * 1e-6 + 0.084273 * std::exp(-2.311 * 4.0);
  const auto sar = xbarsim::extract::neurosimSarAdc(22);
  BOOST_TEST(relative(sar->energyJ(use), power * 9e-9) < 1e-12);
  BOOST_TEST(relative(sar->timeS(use), 9e-9) < 1e-15);
  BOOST_CHECK_THROW((void)xbarsim::extract::neurosimSarAdc(28), xbarsim::Error);
}

BOOST_AUTO_TEST_SUITE_END()
