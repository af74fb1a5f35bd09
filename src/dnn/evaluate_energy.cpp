// SPDX-License-Identifier: MIT
#include "xbarsim/dnn/evaluate_energy.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <exception>
#include <limits>

#include "xbarsim/circuit/native_solver.hpp"
#include "xbarsim/core/error.hpp"

namespace xbarsim::dnn {
namespace {

/// What the energy pass accumulates per (chunk, layer).
struct Accum {
  double vectors = 0.0;    ///< input vectors (reads of the layer's tile set)
  double quad = 0.0;       ///< Σ over reads and tiles of x_nᵀ (M+ + M−) x_n (S)
  double quad_bits = 0.0;  ///< the same over the bit planes of |x_n| (NeuroSim)
  double bits_on = 0.0;    ///< ones in the bit planes
  double bits_total = 0.0;
};

/// Per tile: M+ + M− (float, rows × rows) and the column conductance sums of both arrays.
struct TilePower {
  Matrix m_sum;
  Eigen::VectorXd colsum_pos, colsum_neg;
};

float levelsOf(int bits) { return std::ldexp(1.0f, bits - 1) - 1.0f; }

/// Wraps the analog network: every multiply goes through it unchanged; the inputs of each
/// tile read (normalized and DAC-quantized as in AnalogNetwork::multiply) go into the sums.
class EnergyHook final : public AnalogHook {
 public:
  EnergyHook(const AnalogNetwork& inner, const AnalogOptions& options,
             const std::vector<const LayerMapping*>& maps,
             const std::vector<std::vector<TilePower>>& power, int planes, Index chunks)
      : inner_(inner), options_(options), maps_(maps), power_(power), planes_(planes),
        acc_(static_cast<std::size_t>(chunks), std::vector<Accum>(maps.size())) {}

  void multiply(std::size_t li, const Matrix& x, Matrix& out, std::uint64_t chunk) const override {
    inner_.multiply(li, x, out, chunk);
    const LayerMapping& m = *maps_[li];
    Accum& a = acc_[chunk][li];
    const Index n = x.cols();
    a.vectors += static_cast<double>(n);
    const float dac_levels = options_.dac_bits > 0 ? levelsOf(options_.dac_bits) : 0.0f;
    const float bit_levels = levelsOf(planes_ + 1);
    Index row0 = -1;
    Matrix xn, q, plane;
    for (std::size_t k = 0; k < m.tiles.size(); ++k) {
      const TileBlock& b = m.tiles[k];
      if (b.row0 != row0) {
        row0 = b.row0;
        Eigen::RowVectorXf s = x.middleRows(b.row0, b.rows).cwiseAbs().colwise().maxCoeff();
        for (Index c = 0; c < n; ++c)
          if (!(s(c) > 0.0f)) s(c) = 1.0f;
        xn = x.middleRows(b.row0, b.rows) * s.cwiseInverse().asDiagonal();
        if (dac_levels > 0.0f)
          xn = ((xn.array() * dac_levels).round().max(-dac_levels).min(dac_levels) / dac_levels)
                   .matrix();
        q = (xn.array().abs() * bit_levels).round().min(bit_levels).matrix();
      }
      const Matrix& msum = power_[li][k].m_sum;
      a.quad += static_cast<double>((xn.cwiseProduct(msum * xn)).sum());
      for (int p = 0; p < planes_; ++p) {
        plane = q.unaryExpr([p](float v) { return static_cast<float>((static_cast<int>(v) >> p) & 1); });
        a.quad_bits += static_cast<double>((plane.cwiseProduct(msum * plane)).sum());
        a.bits_on += static_cast<double>(plane.sum());
        a.bits_total += static_cast<double>(plane.size());
      }
    }
  }

  /// Sums over chunks, in chunk order (independent of the thread count).
  [[nodiscard]] Accum layer(std::size_t li) const {
    Accum t;
    for (const auto& c : acc_) {
      t.vectors += c[li].vectors;
      t.quad += c[li].quad;
      t.quad_bits += c[li].quad_bits;
      t.bits_on += c[li].bits_on;
      t.bits_total += c[li].bits_total;
    }
    return t;
  }

 private:
  const AnalogNetwork& inner_;
  const AnalogOptions& options_;
  const std::vector<const LayerMapping*>& maps_;
  const std::vector<std::vector<TilePower>>& power_;
  int planes_;
  mutable std::vector<std::vector<Accum>> acc_;
};

double tops(double macs, double energy_j) {
  return energy_j > 0.0 ? 2.0 * macs / energy_j * 1e-12 : 0.0;
}

}  // namespace

LayerEnergy EnergyReport::total() const {
  LayerEnergy t;
  t.name = "total";
  for (const LayerEnergy& l : layers) {
    t.tiles += l.tiles;
    t.reads += l.reads;
    t.macs += l.macs;
    t.array_j += l.array_j;
    t.dac_j += l.dac_j;
    t.sense_j += l.sense_j;
    t.adc_j += l.adc_j;
    t.latency_s += l.latency_s;
    t.ns_array_j += l.ns_array_j;
    t.ns_adc_j += l.ns_adc_j;
    t.ns_latency_s += l.ns_latency_s;
  }
  return t;
}

Eigen::MatrixXd arrayPowerMatrix(const AnalogOptions& options, const Eigen::MatrixXd& g_s) {
  if (options.idealCircuit()) return Eigen::MatrixXd(g_s.rowwise().sum().asDiagonal());
  circuit::CrossbarSpec spec = options.circuit;
  spec.rows = g_s.rows();
  spec.cols = g_s.cols();
  spec.g_s = g_s;
  circuit::NativeOptions native;
  native.threads = 1;  // arrays in parallel instead
  circuit::NativeSolver solver(spec, native);
  return solver.powerMatrix(options.v_read_v);
}

EnergyReport inferenceEnergy(const Network& net, const Dataset& test, const AnalogOptions& options,
                             const EnergySpec& spec, const AnalogNetwork& analog,
                             const std::vector<LayerMapping>& mappings,
                             const std::vector<std::vector<TileConductances>>& conductances,
                             Index batch) {
  const extract::Periphery& per = spec.periphery;
  if (!per.dac || !per.sense || !per.adc) throw Error("inferenceEnergy: periphery models not set");
  EnergyReport rep;
  // Power matrices of every array, in parallel.
  std::vector<std::pair<std::size_t, std::size_t>> arrays;
  for (std::size_t a = 0; a < mappings.size(); ++a)
    for (std::size_t k = 0; k < mappings[a].tiles.size(); ++k) arrays.emplace_back(a, k);
  std::vector<std::vector<TilePower>> power(net.layers.size());
  for (std::size_t a = 0; a < mappings.size(); ++a)
    power[mappings[a].layer_index].resize(mappings[a].tiles.size());
  std::exception_ptr error;
#pragma omp parallel for schedule(dynamic, 1)
  for (std::size_t t = 0; t < arrays.size(); ++t) {
    try {
      const auto [a, k] = arrays[t];
      const TileConductances& g = conductances[a][k];
      TilePower& p = power[mappings[a].layer_index][k];
      p.m_sum = (arrayPowerMatrix(options, g.pos) + arrayPowerMatrix(options, g.neg)).cast<float>();
      p.colsum_pos = g.pos.colwise().sum().transpose();
      p.colsum_neg = g.neg.colwise().sum().transpose();
    } catch (...) {
#pragma omp critical
      error = std::current_exception();
    }
  }
  if (error) std::rethrow_exception(error);

  // The energy pass over the first images.
  const int in_bits = options.dac_bits > 0 ? options.dac_bits : 8;
  const int planes = std::max(1, in_bits - 1);  // magnitude bits, one read each (NeuroSim)
  rep.input_cycles = planes;
  rep.images = std::min(spec.samples, test.size());
  const Index chunks = (rep.images + batch - 1) / batch;
  std::vector<const LayerMapping*> maps(net.layers.size(), nullptr);
  for (const LayerMapping& m : mappings) maps[m.layer_index] = &m;
  const EnergyHook hook(analog, options, maps, power, planes, chunks);
#pragma omp parallel for schedule(dynamic, 1)
  for (Index c = 0; c < chunks; ++c) {
    try {
      const Index first = c * batch;
      const Index count = std::min(batch, rep.images - first);
      (void)net.forward(net.prepareInputs(test.pixelBatch(first, count)), &hook,
                        static_cast<std::uint64_t>(c));
    } catch (...) {
#pragma omp critical
      error = std::current_exception();
    }
  }
  if (error) std::rethrow_exception(error);

  const double images = static_cast<double>(std::max<Index>(rep.images, 1));
  const double v2 = options.v_read_v * options.v_read_v;
  const extract::PeripheryUse dac_use{.bits = options.dac_bits, .v_read_v = options.v_read_v,
                                      .pulse_s = spec.pulse_s};
  const extract::PeripheryUse sense_use{.bits = 0, .v_read_v = options.v_read_v,
                                        .pulse_s = spec.pulse_s};
  extract::PeripheryUse adc_use{.bits = options.adc_bits > 0 ? options.adc_bits : 8,
                                .v_read_v = options.v_read_v, .pulse_s = spec.pulse_s};
  // A virtual-ground (ideal) sense is no amplifier: no bias energy.
  const bool sense_on = !options.circuit.sense->holdsInput();
  const extract::PeripheryModelPtr sar = extract::neurosimSarAdc(spec.neurosim_node_nm);
  rep.dac_model = per.dac->describe();
  rep.sense_model = sense_on ? per.sense->describe()
                             : "none: ideal sense (virtual ground), no amplifier energy";
  rep.adc_model = per.adc->describe();
  rep.neurosim_adc_model = sar->describe();
  rep.array_model = "P = v_read^2 x_n' M x_n per array read (M: power matrix of the solved circuit, "
                    "native solver), E = P x read.pulse_s";
  for (const LayerMapping& m : mappings) {
    const Accum acc = hook.layer(m.layer_index);
    LayerEnergy l;
    l.name = m.name;
    l.tiles = static_cast<Index>(m.tiles.size());
    l.reads = acc.vectors / images;
    l.macs = l.reads * static_cast<double>(m.weight.rows()) * static_cast<double>(m.weight.cols());
    double rows = 0.0, cols = 0.0;
    Index cols_max = 0;
    for (const TileBlock& b : m.tiles) {
      rows += static_cast<double>(b.rows);
      cols += static_cast<double>(b.cols);
      cols_max = std::max(cols_max, b.cols);
    }
    const double serial = static_cast<double>(std::min<Index>(per.columns_per_adc, cols_max));
    l.array_j = spec.pulse_s * v2 * acc.quad / images;
    l.dac_j = l.reads * rows * per.dac->energyJ(dac_use);
    l.sense_j = sense_on ? l.reads * 2.0 * cols * per.sense->energyJ(sense_use) : 0.0;
    l.adc_j = l.reads * cols * per.adc->energyJ(adc_use);
    l.latency_s = l.reads * (per.dac->timeS(dac_use) + spec.pulse_s + serial * per.adc->timeS(adc_use));
    // NeuroSim: bit-serial reads; each column of both arrays converted per cycle, its
    // equivalent resistance that of the cells whose input bit is on (mean activity).
    const double activity = acc.bits_total > 0.0 ? acc.bits_on / acc.bits_total : 0.0;
    double sar_j = 0.0;
    for (std::size_t k = 0; k < m.tiles.size(); ++k) {
      const TilePower& p = power[m.layer_index][k];
      for (const Eigen::VectorXd* colsum : {&p.colsum_pos, &p.colsum_neg})
        for (Index j = 0; j < colsum->size(); ++j) {
          const double g = activity * (*colsum)[j];
          adc_use.column_resistance_ohm = g > 0.0 ? 1.0 / g : std::numeric_limits<double>::infinity();
          sar_j += sar->energyJ(adc_use);
        }
    }
    l.ns_array_j = spec.pulse_s * v2 * acc.quad_bits / images;
    l.ns_adc_j = l.reads * planes * sar_j;
    l.ns_latency_s = l.reads * planes * (spec.pulse_s + serial * sar->timeS(adc_use));
    rep.layers.push_back(l);
  }
  return rep;
}

void writeEnergy(io::H5File& h5, const EnergySpec& spec, const EnergyReport& report) {
  auto write = [&](const std::string& group, const LayerEnergy& l) {
    auto scalar = [&](const char* name, double v, const char* unit) {
      h5.writeScalar(group + "/" + name, v, unit);
    };
    scalar("energy_pj", l.totalJ() * 1e12, "pJ");
    scalar("array_energy_pj", l.array_j * 1e12, "pJ");
    scalar("dac_energy_pj", l.dac_j * 1e12, "pJ");
    scalar("sense_energy_pj", l.sense_j * 1e12, "pJ");
    scalar("adc_energy_pj", l.adc_j * 1e12, "pJ");
    scalar("latency_ns", l.latency_s * 1e9, "ns");
    scalar("tops_per_w", tops(l.macs, l.totalJ()), "TOPS/W");
    scalar("reads", l.reads, "1");
    scalar("macs", l.macs, "1");
    scalar("neurosim_energy_pj", l.neurosimTotalJ() * 1e12, "pJ");
    scalar("neurosim_array_energy_pj", l.ns_array_j * 1e12, "pJ");
    scalar("neurosim_adc_energy_pj", l.ns_adc_j * 1e12, "pJ");
    scalar("neurosim_latency_ns", l.ns_latency_s * 1e9, "ns");
    scalar("neurosim_tops_per_w", tops(l.macs, l.neurosimTotalJ()), "TOPS/W");
  };
  h5.createGroup("/energy");
  write("/energy", report.total());
  h5.setAttribute("/energy", "description",
                  "energy and latency of one inference (per image, averaged over the images); "
                  "per layer under /layers/<name>/energy; ops = 2 MACs (TOPS/W = 2 MACs / "
                  "energy); neurosim_* = the same under NeuroSim's assumptions (bit-serial "
                  "inputs, SAR ADC per column and cycle, no DAC, no separate sense amplifier)");
  h5.setAttribute("/energy", "images", static_cast<std::int64_t>(report.images));
  h5.setAttribute("/energy", "time_s", report.time_s);
  h5.setAttribute("/energy", "read_pulse_s", spec.pulse_s);
  h5.setAttribute("/energy", "columns_per_adc", static_cast<std::int64_t>(spec.periphery.columns_per_adc));
  h5.setAttribute("/energy", "neurosim_input_cycles", static_cast<std::int64_t>(report.input_cycles));
  h5.setAttribute("/energy", "array_model", report.array_model);
  h5.setAttribute("/energy", "dac_model", report.dac_model);
  h5.setAttribute("/energy", "sense_model", report.sense_model);
  h5.setAttribute("/energy", "adc_model", report.adc_model);
  h5.setAttribute("/energy", "neurosim_adc_model", report.neurosim_adc_model);
  h5.setAttribute("/energy", "latency_model",
                  "per layer: reads in series, every tile in parallel; one read = t_dac + "
                  "read.pulse_s + min(adc.columns_per_adc, columns) t_adc; layers in series");
  for (const LayerEnergy& l : report.layers) {
    const std::string g = "/layers/" + l.name + "/energy";
    h5.createGroup(g);
    write(g, l);
  }
}

std::string formatEnergy(const EnergyReport& report) {
  std::string out = fmt::format(
      "energy per inference ({} images at t = {:g} s, repeat 1; component models in the "
      "/energy attributes):\n",
      report.images, report.time_s);
  out += fmt::format("{:>6} {:>6} {:>9} {:>8} {:>8} {:>8} {:>9} {:>10} {:>7} | {:>11} {:>10} {:>7}\n",
                     "layer", "reads", "array pJ", "DAC pJ", "sense pJ", "ADC pJ", "total pJ",
                     "latency ns", "TOPS/W", "NeuroSim pJ", "latency ns", "TOPS/W");
  auto line = [&](const LayerEnergy& l) {
    out += fmt::format("{:>6} {:>6.0f} {:>9.2f} {:>8.2f} {:>8.2f} {:>8.2f} {:>9.2f} {:>10.1f} "
                       "{:>7.2f} | {:>11.2f} {:>10.1f} {:>7.2f}\n",
                       l.name, l.reads, l.array_j * 1e12, l.dac_j * 1e12, l.sense_j * 1e12,
                       l.adc_j * 1e12, l.totalJ() * 1e12, l.latency_s * 1e9,
                       tops(l.macs, l.totalJ()), l.neurosimTotalJ() * 1e12, l.ns_latency_s * 1e9,
                       tops(l.macs, l.neurosimTotalJ()));
  };
  for (const LayerEnergy& l : report.layers) line(l);
  line(report.total());
  return out;
}

}  // namespace xbarsim::dnn
