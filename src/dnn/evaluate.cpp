// SPDX-License-Identifier: MIT
#include "xbarsim/dnn/evaluate.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <chrono>
#include <cmath>

#include "xbarsim/circuit/crossbar_config.hpp"
#include "xbarsim/core/error.hpp"
#include "xbarsim/core/rng.hpp"
#include "xbarsim/device/registry.hpp"

namespace xbarsim::dnn {
namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

constexpr std::uint64_t kMvmTag = 0x4d564d;  // "MVM"
constexpr std::uint64_t kGdcTag = 0x474443;  // "GDC"
/// Latest evaluation time, in s (about 300 years): beyond it the drift laws are extrapolated
/// past any measurement, and t^-nu of a huge t underflows.
constexpr double kMaxEvaluationTimeS = 1e10;

void checkFits(const Network& net, const Dataset& data) {
  if (data.shape.size() != net.input_shape.size())
    throw ConfigError(data.name, 0, "dnn.dataset",
                      fmt::format("images of shape {} do not fit the network input {}",
                                  toString(data.shape), toString(net.input_shape)));
  const Shape out = net.outputShape();
  if (out.size() < data.classes)
    throw ConfigError(data.name, 0, "dnn.dataset",
                      fmt::format("the network has {} outputs but {} has {} classes", out.size(),
                                  data.name, data.classes));
}

/// Correct predictions over the first `samples` images, chunks in parallel (deterministic: the
/// chunk index seeds per-MVM noise and integer counts are summed).
Index countCorrectAll(const Network& net, const Dataset& data, Index samples, Index batch,
                      const AnalogHook* hook) {
  const Index chunks = (samples + batch - 1) / batch;
  Index correct = 0;
  std::exception_ptr error;
#pragma omp parallel for schedule(dynamic, 1) reduction(+ : correct)
  for (Index c = 0; c < chunks; ++c) {
    try {
      const Index first = c * batch;
      const Index count = std::min(batch, samples - first);
      const Matrix logits =
          net.forward(net.prepareInputs(data.pixelBatch(first, count)), hook, static_cast<std::uint64_t>(c));
      correct += countCorrect(logits, data.labels, first);
    } catch (...) {
#pragma omp critical
      error = std::current_exception();
    }
  }
  if (error) std::rethrow_exception(error);
  return correct;
}

Matrix normalizedDifference(const Eigen::MatrixXd& pos, const Eigen::MatrixXd& neg, double g_max) {
  return ((pos - neg) / g_max).cast<float>();
}

struct ProgrammedTile {
  device::ProgrammedArray pos, neg;
  Eigen::VectorXd ref_readout;
};

}  // namespace

double floatAccuracy(const Network& net, const Dataset& test, Index samples, double* seconds,
                     Index batch) {
  checkFits(net, test);
  const Index n = samples > 0 ? std::min(samples, test.size()) : test.size();
  const auto start = Clock::now();
  const Index correct = countCorrectAll(net, test, n, batch, nullptr);
  if (seconds) *seconds = since(start);
  return static_cast<double>(correct) / static_cast<double>(n);
}

EvaluationResult evaluateNetwork(const Network& net, const Dataset& test,
                                 const Dataset* calibration, const EvaluationSpec& spec,
                                 const ProgressFn& progress,
                                 const ArrayProgressFn& array_progress) {
  const auto start = Clock::now();
  const AnalogOptions& opt = spec.analog;
  opt.validate();
  checkFits(net, test);
  if (spec.times_s.empty()) throw ConfigError("", 0, "dnn.times_s", "no times to evaluate");
  if (spec.repeats < 1) throw ConfigError("", 0, "dnn.repeats", "must be >= 1");
  if (spec.compensations.empty()) throw Error("evaluateNetwork: no compensation given");
  const bool needs_bn = std::find(spec.compensations.begin(), spec.compensations.end(),
                                  Compensation::BnRecalibration) != spec.compensations.end();
  Matrix calib_inputs;
  if (needs_bn) {
    const bool has_bn = std::any_of(net.layers.begin(), net.layers.end(),
                                    [](const Layer& l) { return l.kind == LayerKind::BatchNorm; });
    if (!has_bn)
      throw ConfigError("", 0, "dnn.compensation",
                        "bn-recal re-estimates batch-norm statistics, but the model has no "
                        "batchnorm layer (use gdc or per-column)");
    if (!calibration) throw Error("bn-recal needs a calibration data set");
    checkFits(net, *calibration);
    const Index n = std::min(spec.calibration_samples, calibration->size());
    calib_inputs = net.prepareInputs(calibration->pixelBatch(0, n));
  }

  EvaluationResult res;
  res.samples = spec.test_samples > 0 ? std::min(spec.test_samples, test.size()) : test.size();
  const auto samples_d = static_cast<double>(res.samples);
  {
    const auto t0 = Clock::now();
    const Index correct = countCorrectAll(net, test, res.samples, spec.batch, nullptr);
    res.float_inference_s = since(t0);
    res.accuracy_float = static_cast<double>(correct) / samples_d;
  }
  if (progress)
    progress(fmt::format("float accuracy {:.4f} on {} images ({:.2f} s)", res.accuracy_float,
                         res.samples, res.float_inference_s));

  const std::vector<LayerMapping> mappings = mapNetwork(net, opt);
  WeffSolver solver(opt);
  res.backend = solver.backendName();
  const std::unique_ptr<device::InferenceModel> device = opt.deviceModel();
  const double g_max = opt.g_max_s;
  const auto n_t = static_cast<Index>(spec.times_s.size());
  const auto n_r = static_cast<Index>(spec.repeats);
  for (std::size_t c = 0; c < spec.compensations.size(); ++c)
    res.accuracy.push_back(Eigen::MatrixXd::Zero(n_t, n_r));
  for (const LayerMapping& m : mappings) {
    LayerStats s;
    s.name = m.name;
    s.type = std::string(toString(net.layers[m.layer_index].kind));
    s.inputs = m.weight.cols();
    s.outputs = m.weight.rows();
    s.tiles = static_cast<Index>(m.tiles.size());
    s.weff_error = s.weff_error_compensated = s.circuit_error = Eigen::MatrixXd::Zero(n_t, n_r);
    res.layers.push_back(std::move(s));
    res.arrays += 2 * m.tiles.size();
  }

  const long points = static_cast<long>(n_t * n_r);
  long done = 0;
  // Every repeat solves each array once when programmed and once per time.
  const long arrays_total = static_cast<long>(res.arrays) * static_cast<long>(n_r * (1 + n_t));
  long arrays_done = 0;
  // W_eff of a layer's arrays: together (in parallel) on the native backend, one by one with a
  // progress tick each on ngspice (minutes per array at 256x256).
  auto solved = [&](const LayerMapping& m, const std::vector<Eigen::MatrixXd>& g) {
    if (array_progress && arrays_done == 0) array_progress(0, arrays_total, m.name);
    std::vector<Eigen::MatrixXd> w;
    if (solver.solvesInParallel()) {
      w = solver.effectiveWeights(g);
      arrays_done += static_cast<long>(g.size());
      if (array_progress) array_progress(arrays_done, arrays_total, m.name);
      return w;
    }
    for (const Eigen::MatrixXd& gk : g) {
      w.push_back(solver.effectiveWeights(gk));
      if (array_progress) array_progress(++arrays_done, arrays_total, m.name);
    }
    return w;
  };
  // Exact mode: the compensation's one-hot reads (x_n = e_i) go through the circuit too (R
  // solves per array; skipped when every compensation is "none", which reads nothing).
  const bool exact_reads = opt.circuit_mode == CircuitMode::Exact &&
                           std::any_of(spec.compensations.begin(), spec.compensations.end(),
                                       [](Compensation c) { return c != Compensation::None; });
  auto oneHotOutputs = [&](const Eigen::MatrixXd& g_pos, const Eigen::MatrixXd& g_neg) -> Matrix {
    return exactTileOutputs(opt, g_pos, g_neg, Eigen::MatrixXd::Identity(g_pos.rows(), g_pos.rows()))
        .cast<float>();
  };
  // Energy per inference: the arrays of the first (repeat, time), one extra pass over images.
  const bool energy_on = spec.energy.enabled && spec.energy.periphery.adc != nullptr;
  std::vector<std::vector<TileConductances>> energy_g(mappings.size());
  for (Index r = 0; r < n_r; ++r) {
    const auto ur = static_cast<std::uint64_t>(r);
    // programming: one draw per device, and the one-hot reference readout of every tile
    std::vector<std::vector<ProgrammedTile>> programmed(mappings.size());
    AnalogNetwork ref_net(opt, spec.seed, net.layers.size());
    for (std::size_t a = 0; a < mappings.size(); ++a) {
      const LayerMapping& m = mappings[a];
      std::vector<Eigen::MatrixXd> g_prog;  // (tile, sign) pairs, solved together below
      for (std::size_t k = 0; k < m.tiles.size(); ++k) {
        ProgrammedTile p;
        for (int sign = 0; sign < 2; ++sign) {
          RngStream rng(spec.seed, StreamPurpose::Programming,
                        streamIndex({ur, m.layer_index, k, static_cast<std::uint64_t>(sign)}));
          (sign == 0 ? p.pos : p.neg) = device->program(m.targets(m.tiles[k], sign == 0, g_max), rng);
        }
        g_prog.push_back(p.pos.g_prog_s);
        g_prog.push_back(p.neg.g_prog_s);
        programmed[a].push_back(std::move(p));
      }
      const std::vector<Eigen::MatrixXd> weff = solved(m, g_prog);
      for (std::size_t k = 0; k < m.tiles.size(); ++k) {
        TileState ref;
        ref.w_n = exact_reads ? oneHotOutputs(programmed[a][k].pos.g_prog_s, programmed[a][k].neg.g_prog_s)
                        : normalizedDifference(weff[2 * k], weff[2 * k + 1], g_max);
        programmed[a][k].ref_readout = ref_net.readout(ref, 0);
      }
    }
    for (Index ti = 0; ti < n_t; ++ti) {
      const double t = spec.times_s[static_cast<std::size_t>(ti)];
      const auto t_bits = std::bit_cast<std::uint64_t>(t);
      AnalogNetwork an(opt, spec.seed, net.layers.size());
      for (std::size_t a = 0; a < mappings.size(); ++a) {
        const LayerMapping& m = mappings[a];
        an.mappings()[m.layer_index] = &m;
        auto& tiles = an.tiles()[m.layer_index];
        double circuit_err2 = 0.0, g_norm2 = 0.0;
        // Conductances of every (tile, sign) at time t, then all W_eff together (in parallel).
        std::vector<Eigen::MatrixXd> g_now;
        const bool per_eval = opt.read_noise == ReadNoiseMode::PerEvaluation;
        for (std::size_t k = 0; k < m.tiles.size(); ++k)
          for (int sign = 0; sign < 2; ++sign) {
            const ProgrammedTile& p = programmed[a][k];
            RngStream rng(spec.seed, StreamPurpose::ReadNoise,
                          streamIndex({ur, t_bits, m.layer_index, k, static_cast<std::uint64_t>(sign)}));
            g_now.push_back(device->conductanceAt(sign == 0 ? p.pos : p.neg, t, rng, per_eval));
          }
        const std::vector<Eigen::MatrixXd> weff_now = solved(m, g_now);
        if (energy_on && r == 0 && ti == 0)
          for (std::size_t k = 0; k < m.tiles.size(); ++k)
            energy_g[a].push_back({g_now[2 * k], g_now[2 * k + 1]});
        for (std::size_t k = 0; k < m.tiles.size(); ++k) {
          const ProgrammedTile& p = programmed[a][k];
          TileState ts;
          Eigen::MatrixXd weff[2];
          Eigen::MatrixXd sigma2 = Eigen::MatrixXd::Zero(m.tiles[k].rows, m.tiles[k].cols);
          for (int sign = 0; sign < 2; ++sign) {
            const device::ProgrammedArray& st = sign == 0 ? p.pos : p.neg;
            const Eigen::MatrixXd& g = g_now[2 * k + static_cast<std::size_t>(sign)];
            weff[sign] = weff_now[2 * k + static_cast<std::size_t>(sign)];
            if (!opt.idealCircuit()) {
              circuit_err2 += (weff[sign] - g.transpose()).squaredNorm();
              g_norm2 += g.squaredNorm();
            }
            if (!per_eval)
              for (Index j = 0; j < g.cols(); ++j)
                for (Index i = 0; i < g.rows(); ++i) {
                  const double sd = device->readNoiseSigma(st.g_prog_s(i, j), g(i, j), t);
                  sigma2(i, j) += sd * sd;
                }
          }
          ts.w_n = normalizedDifference(weff[0], weff[1], g_max);
          if (opt.read_noise == ReadNoiseMode::PerMvm)
            ts.noise_var_n = (sigma2.transpose() / (g_max * g_max)).cast<float>();
          ts.stream = streamIndex({ur, t_bits, m.layer_index, k, kMvmTag});
          ts.ref_readout = p.ref_readout;
          if (opt.circuit_mode == CircuitMode::Exact) {
            ts.g_pos_s = g_now[2 * k];
            ts.g_neg_s = g_now[2 * k + 1];
          }
          if (exact_reads) {
            TileState probe;  // the one-hot responses in place of W_eff's columns
            probe.w_n = oneHotOutputs(ts.g_pos_s, ts.g_neg_s);
            probe.noise_var_n = ts.noise_var_n;
            ts.now_readout = an.readout(probe, streamIndex({ts.stream, kGdcTag}));
          } else {
            ts.now_readout = an.readout(ts, streamIndex({ts.stream, kGdcTag}));
          }
          ts.alpha = Eigen::VectorXf::Ones(ts.w_n.rows());
          tiles.push_back(std::move(ts));
        }
        LayerStats& ls = res.layers[a];
        ls.circuit_error(ti, r) = g_norm2 > 0.0 ? std::sqrt(circuit_err2 / g_norm2) : 0.0;
      }
      // W_eff error statistics (primary compensation)
      an.setCompensation(spec.compensations.front() == Compensation::BnRecalibration
                             ? Compensation::Gdc
                             : spec.compensations.front());
      for (std::size_t a = 0; a < mappings.size(); ++a) {
        const LayerMapping& m = mappings[a];
        const double norm = std::max(m.weight.norm(), 1e-300);
        res.layers[a].weff_error(ti, r) = (an.layerWeights(m.layer_index, false) - m.weight).norm() / norm;
        res.layers[a].weff_error_compensated(ti, r) =
            (an.layerWeights(m.layer_index, true) - m.weight).norm() / norm;
      }
      // inference with each compensation
      std::string summary;
      for (std::size_t c = 0; c < spec.compensations.size(); ++c) {
        const Compensation comp = spec.compensations[c];
        an.setCompensation(comp);
        const auto t0 = Clock::now();
        Index correct = 0;
        if (comp == Compensation::BnRecalibration) {
          const Network recal = recalibrateBatchNorm(net, calib_inputs, &an);
          correct = countCorrectAll(recal, test, res.samples, spec.batch, &an);
        } else {
          correct = countCorrectAll(net, test, res.samples, spec.batch, &an);
        }
        res.analog_inference_s += since(t0);
        ++res.analog_passes;
        const double acc = static_cast<double>(correct) / samples_d;
        res.accuracy[c](ti, r) = acc;
        summary += fmt::format(" {} {:.4f}", toString(comp), acc);
      }
      if (energy_on && r == 0 && ti == 0) {
        an.setCompensation(spec.compensations.front() == Compensation::BnRecalibration
                               ? Compensation::Gdc
                               : spec.compensations.front());
        EnergySpec es = spec.energy;
        // Exact mode solves every read through the circuit: a few images suffice.
        es.samples = std::min(es.samples, opt.circuit_mode == CircuitMode::Exact ? Index{50} : res.samples);
        res.energy = inferenceEnergy(net, test, opt, es, an, mappings, energy_g, spec.batch);
        res.energy.time_s = t;
      }
      ++done;
      if (progress) {
        const double elapsed = since(start);
        progress(fmt::format("[{}/{}] repeat {}/{}, t = {:g} s: accuracy{} (elapsed {:.0f} s, "
                             "ETA {:.0f} s)",
                             done, points, r + 1, n_r, t, summary, elapsed,
                             elapsed / static_cast<double>(done) * static_cast<double>(points - done)));
      }
    }
  }
  res.weff_solve_s = solver.solveSeconds();
  res.weff_solves = solver.solves();
  res.total_s = since(start);
  return res;
}

EvaluationSpec evaluationSpecFromConfig(const core::Config& config, const std::string& backend) {
  EvaluationSpec spec;
  AnalogOptions& a = spec.analog;
  a.tile_rows = config.integer("dnn.tile_rows");
  a.tile_cols = config.integer("dnn.tile_cols");
  a.scale = config.string("dnn.mapping") == "per-column" ? ScaleMode::PerColumn : ScaleMode::PerLayer;
  a.read_noise = config.string("dnn.read_noise") == "per-mvm" ? ReadNoiseMode::PerMvm
                                                               : ReadNoiseMode::PerEvaluation;
  a.dac_bits = static_cast<int>(config.integer("dac.bits"));
  a.adc_bits = static_cast<int>(config.integer("adc.bits"));
  a.adc_full_scale_a = config.real("adc.full_scale_a");
  a.v_read_v = config.real("read.v_read_v");
  a.g_max_s = config.real("dnn.g_max_s");
  a.device = device::resolveCard(config.string("dnn.device_card"), config.baseDirectory());
  if (device::modelKinds().get(a.device.model).statistical == nullptr)
    config.fail("dnn.device_card", fmt::format("card {} is a \"{}\" card, which has no statistical "
                                               "inference face", a.device.source, a.device.model));
  for (const char* scale : {"prog_noise_scale", "drift_scale", "read_noise_scale"})
    if (a.device.params.contains(scale))
      a.device.params.set(scale, a.device.params.get(scale) *
                                     config.real(fmt::format("dnn.pcm_{}", scale)));
  if (config.has("device.conductances"))
    config.fail("device.conductances", "not used by the DNN evaluator (targets come from the model)");
  spec.seed = static_cast<std::uint64_t>(config.integer("run.seed"));
  a.circuit = circuit::crossbarFromConfig(config, spec.seed);
  a.backend = backend;
  a.circuit_mode = config.string("dnn.circuit") == "exact" ? CircuitMode::Exact : CircuitMode::Weff;
  for (const char* bits : {"dac.bits", "adc.bits"})
    if (config.integer(bits) == 1) config.fail(bits, "1 bit leaves no level per sign; use 0 (ideal) or >= 2");
  spec.times_s = config.reals("dnn.times_s");
  if (spec.times_s.empty()) config.fail("dnn.times_s", "give at least one time");
  for (const double t : spec.times_s)
    if (!(t <= kMaxEvaluationTimeS))
      config.fail("dnn.times_s", fmt::format("time {} s is outside [0, {:g}] s (about 300 years, "
                                             "the range of the drift models)",
                                             t, kMaxEvaluationTimeS));
  spec.repeats = static_cast<int>(config.integer("dnn.repeats"));
  spec.compensations = {compensationFromString(config.string("dnn.compensation"))};
  spec.test_samples = config.integer("dnn.test_samples");
  spec.energy.pulse_s = config.real("read.pulse_s");
  spec.energy.periphery = extract::peripheryFromConfig(config);
  spec.energy.neurosim_node_nm = static_cast<int>(config.integer("adc.neurosim_node_nm"));
  spec.calibration_samples = config.integer("dnn.calibration_samples");
  return spec;
}

AccuracyStatistics accuracyStatistics(const Eigen::MatrixXd& accuracy) {
  AccuracyStatistics s{accuracy.rowwise().mean(), Eigen::VectorXd::Zero(accuracy.rows())};
  if (accuracy.cols() > 1)
    for (Index t = 0; t < accuracy.rows(); ++t)
      s.std(t) = std::sqrt((accuracy.row(t).array() - s.mean(t)).square().sum() /
                           static_cast<double>(accuracy.cols() - 1));
  return s;
}

InferenceCost inferenceCost(const EvaluationSpec& spec, const EvaluationResult& res) {
  InferenceCost c;
  if (res.analog_passes > 0)
    c.analog_s_per_pass = res.analog_inference_s / static_cast<double>(res.analog_passes);
  const double points = static_cast<double>(spec.times_s.size()) * spec.repeats;
  if (res.float_inference_s > 0) {
    c.analog_over_float = c.analog_s_per_pass / res.float_inference_s;
    c.with_weff_over_float =
        (c.analog_s_per_pass + res.weff_solve_s / points) / res.float_inference_s;
  }
  return c;
}

void writeEvaluation(io::H5File& h5, const EvaluationSpec& spec, const EvaluationResult& res) {
  const auto n_t = static_cast<Index>(spec.times_s.size());
  const Eigen::VectorXd times = Eigen::Map<const Eigen::VectorXd>(spec.times_s.data(), n_t);
  h5.writeVector("/times_s", times, "s");
  h5.makeDimensionScale("/times_s", "time");
  std::vector<std::int64_t> repeats(static_cast<std::size_t>(spec.repeats));
  for (std::size_t i = 0; i < repeats.size(); ++i) repeats[i] = static_cast<std::int64_t>(i);
  h5.writeInts("/repeat", repeats, "1");
  h5.makeDimensionScale("/repeat", "repeat");
  auto table = [&](const std::string& path, const Eigen::MatrixXd& m) {
    h5.writeMatrix(path, m, "1");
    h5.attachDimensionScale(path, "/times_s", 0);
    h5.attachDimensionScale(path, "/repeat", 1);
  };
  for (std::size_t c = 0; c < spec.compensations.size(); ++c) {
    const std::string name(toString(spec.compensations[c]));
    std::string suffix = name;
    std::replace(suffix.begin(), suffix.end(), '-', '_');
    const std::string path = c == 0 ? "/accuracy" : "/accuracy_" + suffix;
    table(path, res.accuracy[c]);
    h5.setAttribute(path, "compensation", std::string_view(name));
    h5.setAttribute(path, "description", "top-1 test accuracy per (time, repeat), fraction 0..1");
    if (c == 0) {
      const AccuracyStatistics stats = accuracyStatistics(res.accuracy[c]);
      h5.writeVector("/accuracy_mean", stats.mean, "1");
      h5.attachDimensionScale("/accuracy_mean", "/times_s", 0);
      h5.writeVector("/accuracy_std", stats.std, "1");
      h5.attachDimensionScale("/accuracy_std", "/times_s", 0);
    }
  }
  h5.writeScalar("/accuracy_float", res.accuracy_float, "1");
  h5.setAttribute("/", "samples", static_cast<std::int64_t>(res.samples));
  h5.setAttribute("/", "compensation", std::string_view(toString(spec.compensations.front())));
  for (const LayerStats& l : res.layers) {
    const std::string g = "/layers/" + l.name;
    h5.createGroup(g);
    h5.setAttribute(g, "type", std::string_view(l.type));
    h5.setAttribute(g, "inputs", static_cast<std::int64_t>(l.inputs));
    h5.setAttribute(g, "outputs", static_cast<std::int64_t>(l.outputs));
    h5.setAttribute(g, "tiles", static_cast<std::int64_t>(l.tiles));
    table(g + "/weff_relative_error", l.weff_error);
    table(g + "/weff_relative_error_compensated", l.weff_error_compensated);
    table(g + "/circuit_relative_error", l.circuit_error);
  }
  const InferenceCost cost = inferenceCost(spec, res);
  h5.setAttribute("/provenance", "float_inference_s", res.float_inference_s);
  h5.setAttribute("/provenance", "analog_inference_s_per_pass", cost.analog_s_per_pass);
  h5.setAttribute("/provenance", "analog_passes", static_cast<std::int64_t>(res.analog_passes));
  h5.setAttribute("/provenance", "weff_solve_s", res.weff_solve_s);
  h5.setAttribute("/provenance", "weff_solves", static_cast<std::int64_t>(res.weff_solves));
  h5.setAttribute("/provenance", "analog_over_float_inference", cost.analog_over_float);
  h5.setAttribute("/provenance", "analog_with_weff_over_float", cost.with_weff_over_float);
  h5.setAttribute("/provenance", "evaluation_s", res.total_s);
  h5.setAttribute("/provenance", "weff_backend", std::string_view(res.backend));
  if (!res.energy.layers.empty()) writeEnergy(h5, spec.energy, res.energy);
}

}  // namespace xbarsim::dnn
