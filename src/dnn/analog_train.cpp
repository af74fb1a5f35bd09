// SPDX-License-Identifier: MIT
#include "xbarsim/dnn/analog_train.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <numbers>

#include "xbarsim/core/error.hpp"
#include "xbarsim/extract/config_schema.hpp"
#include "xbarsim/io/hdf5_file.hpp"

namespace xbarsim::dnn {
namespace {

using Clock = std::chrono::steady_clock;
using core::ValueType;

double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

/// Analog layers read through the physics during evaluation.
class PhysicsHook final : public AnalogHook {
 public:
  PhysicsHook(const Network& net, const ArrayPhysics& physics) : net_(net), physics_(physics) {}
  void multiply(std::size_t layer_index, const Matrix& inputs, Matrix& outputs,
                std::uint64_t chunk) const override {
    physics_.forward(net_.layers[layer_index].weight, inputs, outputs,
                     streamIndex({0x5445, layer_index, chunk}));
  }

 private:
  const Network& net_;
  const ArrayPhysics& physics_;
};

double testAccuracy(const Network& net, const ArrayPhysics& physics, const Dataset& test,
                    Index samples) {
  const PhysicsHook hook(net, physics);
  const Index n = samples > 0 ? std::min(samples, test.size()) : test.size();
  constexpr Index kChunk = 1000;
  Index correct = 0;
  for (Index first = 0; first < n; first += kChunk) {
    const Index count = std::min(kChunk, n - first);
    const Matrix logits = net.forward(net.prepareInputs(test.pixelBatch(first, count)), &hook,
                                      static_cast<std::uint64_t>(first / kChunk));
    correct += countCorrect(logits, test.labels, first);
  }
  return static_cast<double>(correct) / static_cast<double>(std::max<Index>(n, 1));
}

}  // namespace

const core::Schema& trainSchema() {
  static const core::Schema schema = [] {
    core::Schema s = extract::configSchema();
    std::vector<std::string> algorithms = algorithmNames();
    s.add({.key = "train.algorithm", .type = ValueType::String, .default_value = std::string("sgd"),
           .description = "sgd (float reference) | analog-sgd | mixed-precision | tiki-taka-v2 | "
                          "pcm-3t1c (docs/training.md)",
           .choices = algorithms})
        .add({.key = "train.device", .type = ValueType::String,
              .default_value = std::string("soft-bounds"),
              .description = "pulsed update model: constant-step | soft-bounds | pow-step | "
                             "pcm-exp-step | pcm-pair (a one-sided model is used as a pair), or a "
                             "compact model trained on its step table: pcm_pulse_gst | "
                             "rram_stanford | vteam"})
        .add({.key = "train.device_params", .type = ValueType::RealTable,
              .default_value = std::map<std::string, double>{},
              .description = "overrides of the device's parameters (name = value, `xbarsim "
                             "device` lists them), e.g. up_down = 0.5"})
        .add({.key = "train.circuit", .type = ValueType::String, .default_value = std::string("ideal"),
              .description = "ideal (reads are matrix products) | circuit (reads and update "
                             "slots through the crossbar tiles, docs/training.md §5)",
              .choices = {"ideal", "circuit"}})
        .add({.key = "train.tile_rows", .type = ValueType::Integer, .default_value = std::int64_t{256},
              .description = "circuit: inputs (crossbar rows) per tile", .min = 1})
        .add({.key = "train.tile_cols", .type = ValueType::Integer, .default_value = std::int64_t{256},
              .description = "circuit: outputs (crossbar columns) per tile, plus one reference "
                             "column",
              .min = 1})
        .add({.key = "train.r_wire_ohm", .type = ValueType::Real, .default_value = 1.0,
              .description = "circuit: resistance of every row and column wire segment", .min = 0})
        .add({.key = "train.g_min_s", .type = ValueType::Real, .default_value = 1e-6,
              .description = "circuit: conductance of the most negative weight", .min = 0,
              .min_exclusive = true})
        .add({.key = "train.g_max_s", .type = ValueType::Real, .default_value = 25e-6,
              .description = "circuit: conductance of the most positive weight", .min = 0,
              .min_exclusive = true})
        .add({.key = "train.update_bias", .type = ValueType::String,
              .default_value = std::string("half"),
              .description = "circuit: write biasing of the update, half (V/2) | third (V/3)",
              .choices = {"half", "third"}})
        .add({.key = "train.v_pulse_v", .type = ValueType::Real, .default_value = 1.0,
              .description = "circuit: update pulse amplitude V_p", .min = 0, .min_exclusive = true})
        .add({.key = "train.v_threshold_v", .type = ValueType::Real, .default_value = 0.6,
              .description = "circuit: write threshold V_th of the pulse efficiency law", .min = 0})
        .add({.key = "train.efficiency_alpha", .type = ValueType::Real, .default_value = 1.0,
              .description = "circuit: exponent of the pulse efficiency law", .min = 0,
              .min_exclusive = true})
        .add({.key = "train.update_circuit", .type = ValueType::String,
              .default_value = std::string("ladder"),
              .description = "circuit: cell voltages of an update slot, ladder (approximation) | "
                             "exact (one solve per phase, small arrays) | iterative",
              .choices = {"ladder", "exact", "iterative"}})
        .add({.key = "train.half_select", .type = ValueType::Boolean, .default_value = true,
              .description = "circuit: solve the voltages of every cell of an update phase "
                             "(false: the fully-selected cells only, ladder mode)"})
        .add({.key = "train.ladder_sweeps", .type = ValueType::Integer, .default_value = std::int64_t{2},
              .description = "circuit: block-Jacobi sweeps of the ladder approximation", .min = 1,
              .max = 100})
        .add({.key = "train.dataset", .type = ValueType::String,
              .default_value = std::string("fashion-mnist"), .description = "training data",
              .choices = {"fashion-mnist", "synthetic"}})
        .add({.key = "train.epochs", .type = ValueType::Integer, .default_value = std::int64_t{10},
              .description = "passes over the training set", .min = 1, .max = 100000})
        .add({.key = "train.batch_size", .type = ValueType::Integer, .default_value = std::int64_t{128},
              .description = "mini-batch size", .min = 1, .max = 1 << 20})
        .add({.key = "train.learning_rate", .type = ValueType::Real, .default_value = 0.05,
              .description = "learning rate eta (network weight units)", .min = 0,
              .min_exclusive = true})
        .add({.key = "train.lr_schedule", .type = ValueType::String,
              .default_value = std::string("constant"),
              .description = "constant | cosine (decay to 0 over the run)",
              .choices = {"constant", "cosine"}})
        .add({.key = "train.momentum", .type = ValueType::Real, .default_value = 0.0,
              .description = "momentum (sgd; analog-sgd keeps it in digital)", .min = 0, .max = 0.999})
        .add({.key = "train.seed", .type = ValueType::Integer, .default_value = std::int64_t{1},
              .description = "seed of initial weights, data order, devices and pulses", .min = 0})
        .add({.key = "train.shuffle", .type = ValueType::Boolean, .default_value = true,
              .description = "reshuffle the training set every epoch (else file order)"})
        .add({.key = "train.train_samples", .type = ValueType::Integer, .default_value = std::int64_t{0},
              .description = "first N training images (0 = all)", .min = 0})
        .add({.key = "train.test_samples", .type = ValueType::Integer, .default_value = std::int64_t{0},
              .description = "first N test images (0 = all)", .min = 0})
        .add({.key = "train.init_model", .type = ValueType::String,
              .description = "model file with the initial weights (relative to this file; "
                             "default: He initialisation from the seed)",
              .optional = true})
        .add({.key = "train.update", .type = ValueType::String,
              .default_value = std::string("stochastic"),
              .description = "outer-product update: stochastic (pulse trains, coincidences) | "
                             "deterministic (rounded pulse counts per batch)",
              .choices = {"stochastic", "deterministic"}})
        .add({.key = "train.bl", .type = ValueType::Integer, .default_value = std::int64_t{31},
              .description = "stochastic pulse train length (slots)", .min = 1, .max = 31})
        .add({.key = "train.update_management", .type = ValueType::Boolean, .default_value = true,
              .description = "balance row/column pulse probabilities"})
        .add({.key = "train.bl_management", .type = ValueType::Boolean, .default_value = true,
              .description = "use fewer slots for small updates"})
        .add({.key = "train.weight_scale", .type = ValueType::Real, .default_value = 0.0,
              .description = "network weight per device weight unit (0 = per layer: the largest "
                             "initial weight at half the device's w_max)",
              .min = 0})
        .add({.key = "train.read_noise", .type = ValueType::Real, .default_value = 0.0,
              .description = "ideal reads: Gaussian noise std relative to max|W|", .min = 0})
        .add({.key = "train.out_bound", .type = ValueType::Real, .default_value = 0.0,
              .description = "ideal reads: clip outputs to +-out_bound (0 = off)", .min = 0})
        .add({.key = "train.transfer_every", .type = ValueType::Integer, .default_value = std::int64_t{0},
              .description = "tiki-taka-v2, pcm-3t1c: mini-batches between transfers (0 = the "
                             "algorithm's default: 1 for tiki-taka-v2, 100 for pcm-3t1c)",
              .min = 0})
        .add({.key = "train.transfer_columns", .type = ValueType::Integer,
              .default_value = std::int64_t{32},
              .description = "tiki-taka-v2: columns of A read per transfer", .min = 1})
        .add({.key = "train.transfer_lr", .type = ValueType::Real, .default_value = 3.0,
              .description = "tiki-taka-v2: learning rate of the A -> H transfer, relative to "
                             "the current learning rate",
              .min = 0})
        .add({.key = "train.tt_gamma", .type = ValueType::Real, .default_value = 0.5,
              .description = "tiki-taka-v2: weight = C + gamma (A - A_ref)", .min = 0})
        .add({.key = "train.gain_f", .type = ValueType::Real, .default_value = 3.0,
              .description = "pcm-3t1c: gain F of the PCM pair, w = F (G+ - G-) + g", .min = 0,
              .min_exclusive = true})
        .add({.key = "train.cap_dw_min", .type = ValueType::Real, .default_value = 0.002,
              .description = "pcm-3t1c: capacitor step (device units)", .min = 0,
              .min_exclusive = true})
        .add({.key = "train.cap_bound", .type = ValueType::Real, .default_value = 3.0,
              .description = "pcm-3t1c: capacitor range +- (device units)", .min = 0,
              .min_exclusive = true})
        .add({.key = "train.refresh_every", .type = ValueType::Integer,
              .default_value = std::int64_t{100},
              .description = "PCM pairs: mini-batches between refresh checks (0 = never)", .min = 0})
        .add({.key = "train.refresh_fraction", .type = ValueType::Real, .default_value = 0.9,
              .description = "PCM pairs: refresh when a side passes this fraction of its range",
              .min = 0, .max = 1, .min_exclusive = true})
        .add({.key = "train.pair_baseline", .type = ValueType::Real, .default_value = 0.0,
              .description = "PCM pairs: reset level of both devices as a fraction of their "
                             "range (0 = the lower bound)",
              .min = 0, .max = 0.9})
        .add({.key = "train.tt_c_reference", .type = ValueType::Boolean, .default_value = true,
              .description = "tiki-taka-v2: read C relative to its symmetry point (a reference "
                             "array, as for A)"})
        .add({.key = "train.transfer_lr_scaled", .type = ValueType::Boolean, .default_value = true,
              .description = "tiki-taka-v2: transfer_lr relative to the current learning rate "
                             "(false: absolute)"})
        .add({.key = "train.keep_residual", .type = ValueType::Boolean, .default_value = true,
              .description = "pcm-3t1c: the capacitor keeps what the transfer's closed-loop "
                             "PCM programming missed (false: reset to 0)"})
        .add({.key = "train.fast_pulses", .type = ValueType::Boolean, .default_value = true,
              .description = "pulse counts in one call per device and update (closed forms, "
                             "docs/training.md §2); false: pulse by pulse (reference)"});
    return s;
  }();
  return schema;
}

AnalogTrainOptions analogTrainOptionsFromConfig(const core::Config& c, const TrainOptions& net) {
  AnalogTrainOptions o;
  o.net = net;
  o.net.epochs = static_cast<int>(c.integer("train.epochs"));
  o.net.batch = c.integer("train.batch_size");
  o.net.learning_rate = c.real("train.learning_rate");
  o.net.seed = static_cast<std::uint64_t>(c.integer("train.seed"));
  o.net.train_samples = c.integer("train.train_samples");
  o.net.momentum = c.real("train.momentum");
  o.test_samples = c.integer("train.test_samples");
  o.circuit = c.string("train.circuit");
  CircuitPhysicsOptions& co = o.circuit_options;
  co.tile_rows = c.integer("train.tile_rows");
  co.tile_cols = c.integer("train.tile_cols");
  co.r_wire_ohm = c.real("train.r_wire_ohm");
  co.g_min_s = c.real("train.g_min_s");
  co.g_max_s = c.real("train.g_max_s");
  co.bias.scheme = c.string("train.update_bias") == "third" ? circuit::BiasScheme::ThirdV
                                                           : circuit::BiasScheme::HalfV;
  co.bias.v_pulse_v = co.efficiency.v_pulse_v = c.real("train.v_pulse_v");
  co.efficiency.v_threshold_v = c.real("train.v_threshold_v");
  co.efficiency.alpha = c.real("train.efficiency_alpha");
  const std::string& mode = c.string("train.update_circuit");
  co.update_mode = mode == "exact"       ? circuit::UpdateCircuitMode::Exact
                   : mode == "iterative" ? circuit::UpdateCircuitMode::Iterative
                                         : circuit::UpdateCircuitMode::Ladder;
  co.ladder_sweeps = static_cast<int>(c.integer("train.ladder_sweeps"));
  co.half_select = c.boolean("train.half_select");
  co.v_read_v = c.real("read.v_read_v");
  if (o.circuit == "circuit") co.validate();
  o.lr_schedule = c.string("train.lr_schedule");
  o.shuffle = c.boolean("train.shuffle");
  o.read_noise = c.real("train.read_noise");
  o.out_bound = c.real("train.out_bound");
  if (c.has("train.init_model"))
    o.init_model = (c.baseDirectory() / c.string("train.init_model")).string();
  RuleOptions& r = o.rule;
  r.algorithm = c.string("train.algorithm");
  r.device = c.string("train.device");
  for (const auto& [name, value] : c.realTable("train.device_params"))
    r.device_params.emplace_back(name, value);
  r.update = c.string("train.update");
  r.pulses.bl = static_cast<int>(c.integer("train.bl"));
  r.pulses.update_management = c.boolean("train.update_management");
  r.pulses.bl_management = c.boolean("train.bl_management");
  r.momentum = o.net.momentum;
  r.weight_scale = c.real("train.weight_scale");
  r.transfer_every = static_cast<int>(c.integer("train.transfer_every"));
  r.transfer_columns = static_cast<int>(c.integer("train.transfer_columns"));
  r.transfer_lr = c.real("train.transfer_lr");
  r.tt_gamma = c.real("train.tt_gamma");
  r.gain_f = c.real("train.gain_f");
  r.cap_dw_min = c.real("train.cap_dw_min");
  r.cap_bound = c.real("train.cap_bound");
  r.refresh_every = static_cast<int>(c.integer("train.refresh_every"));
  r.refresh_fraction = c.real("train.refresh_fraction");
  r.pair_baseline = c.real("train.pair_baseline");
  r.fast_pulses = c.boolean("train.fast_pulses");
  r.keep_residual = c.boolean("train.keep_residual");
  r.tt_c_reference = c.boolean("train.tt_c_reference");
  r.transfer_lr_scaled = c.boolean("train.transfer_lr_scaled");
  r.seed = o.net.seed;
  if (r.algorithm != "sgd") (void)makeTrainingModel(r.device, r.device_params);  // fail early
  return o;
}

std::unique_ptr<ArrayPhysics> makeArrayPhysics(const AnalogTrainOptions& o) {
  if (o.circuit == "ideal")
    return std::make_unique<IdealPhysics>(o.read_noise, o.out_bound, o.net.seed);
  if (o.circuit == "circuit") return std::make_unique<CircuitPhysics>(o.circuit_options);
  throw ConfigError("", 0, "train.circuit",
                    fmt::format("\"{}\" is not ideal | circuit", o.circuit));
}

AnalogTrainResult trainAnalog(const AnalogTrainOptions& o, const Dataset& train,
                              const Dataset& test,
                              const std::function<void(const std::string&)>& progress) {
  if (train.shape != test.shape)
    throw ConfigError(train.name, 0, "train.dataset", "training and test images differ in shape");
  const auto physics = makeArrayPhysics(o);
  const auto start = Clock::now();
  const int eigen_threads = Eigen::nbThreads();
  Eigen::setNbThreads(1);  // as trainNetwork: small products, shared machine
  struct Restore {
    int n;
    ~Restore() { Eigen::setNbThreads(n); }
  } restore{eigen_threads};

  AnalogTrainResult res;
  if (o.init_model.empty()) {
    if (o.net.arch != "mlp")
      throw ConfigError("", 0, "--arch", "training with --config supports --arch mlp only");
    res.network = makeArchitecture(o.net, train.shape, train.classes);
  } else {
    res.network = loadNetwork(o.init_model);
  }
  Network& net = res.network;
  std::vector<std::unique_ptr<LayerRule>> rules(net.layers.size());
  for (std::size_t i = 0; i < net.layers.size(); ++i) {
    const Layer& l = net.layers[i];
    if (l.kind == LayerKind::Dense)
      rules[i] = makeLayerRule(o.rule, l.weight, i, *physics);
    else if (l.kind != LayerKind::Flatten && l.kind != LayerKind::Relu)
      throw ConfigError(o.init_model, 0, "train.init_model",
                        fmt::format("layer {} is {}: training supports flatten, dense and relu",
                                    l.name, toString(l.kind)));
  }
  std::size_t first_dense = net.layers.size();
  for (std::size_t i = 0; i < net.layers.size() && first_dense == net.layers.size(); ++i)
    if (rules[i]) first_dense = i;
  Index devices = 0;
  for (const auto& r : rules) devices += r ? r->devices() : 0;

  const Index n = o.net.train_samples > 0 ? std::min(o.net.train_samples, train.size()) : train.size();
  const Index batches = (n + o.net.batch - 1) / o.net.batch;
  const double total = static_cast<double>(batches * o.net.epochs);
  std::uint64_t step = 0;
  std::vector<Matrix> xs(net.layers.size()), ys(net.layers.size());
  auto last_line = Clock::now();
  for (int epoch = 0; epoch < o.net.epochs; ++epoch) {
    const auto epoch_start = Clock::now();
    std::vector<Index> order;
    if (o.shuffle) {
      order = epochOrder(n, o.net.seed, epoch);
    } else {
      order.resize(static_cast<std::size_t>(n));
      for (Index k = 0; k < n; ++k) order[static_cast<std::size_t>(k)] = k;
    }
    double loss = 0.0;
    for (Index b = 0; b < batches; ++b, ++step) {
      const Index first = b * o.net.batch, count = std::min(o.net.batch, n - first);
      const std::vector<Index> idx(order.begin() + first, order.begin() + first + count);
      std::vector<int> labels(idx.size());
      for (std::size_t k = 0; k < idx.size(); ++k)
        labels[k] = train.labels[static_cast<std::size_t>(idx[k])];
      const double lr = o.lr_schedule == "cosine"
                            ? o.net.learning_rate * 0.5 *
                                  (1.0 + std::cos(std::numbers::pi * static_cast<double>(step) / total))
                            : o.net.learning_rate;
      Matrix x = net.prepareInputs(train.pixelBatch(idx));
      for (std::size_t i = 0; i < net.layers.size(); ++i) {
        const Layer& l = net.layers[i];
        if (l.kind == LayerKind::Flatten) continue;
        if (l.kind == LayerKind::Relu) {
          x = x.cwiseMax(0.0f);
          ys[i] = x;
          continue;
        }
        xs[i] = std::move(x);
        physics->forward(rules[i]->weight(), xs[i], x, streamIndex({step, i}));
        x.colwise() += l.bias;
        if (l.activation == Activation::Relu) x = x.cwiseMax(0.0f);
        ys[i] = x;
      }
      Matrix d;
      loss += softmaxCrossEntropy(x, labels, d);
      for (std::size_t i = net.layers.size(); i-- > 0;) {
        Layer& l = net.layers[i];
        if (l.kind == LayerKind::Flatten) continue;
        if (l.kind == LayerKind::Relu || l.activation == Activation::Relu)
          d = d.cwiseProduct((ys[i].array() > 0.0f).cast<float>().matrix());
        if (l.kind == LayerKind::Relu) continue;
        Matrix dx;
        if (i > first_dense) physics->backward(rules[i]->weight(), d, dx, streamIndex({step, i, 1}));
        l.bias -= static_cast<float>(lr) * d.rowwise().sum();
        rules[i]->update(xs[i], d, lr, step);
        d = std::move(dx);
      }
      if (progress && since(last_line) > 2.0) {
        last_line = Clock::now();
        const double done = static_cast<double>(step + 1);
        progress(fmt::format("training: epoch {}/{}, batch {}/{}, ETA {:.0f} s", epoch + 1,
                             o.net.epochs, b + 1, batches, since(start) / done * (total - done)));
      }
    }
    res.epoch_s.push_back(since(epoch_start));
    for (std::size_t i = 0; i < net.layers.size(); ++i)
      if (rules[i]) net.layers[i].weight = rules[i]->weight();
    double pulses = 0.0, saturated = 0.0;
    for (const auto& r : rules)
      if (r) {
        pulses += r->pulses();
        saturated += r->saturatedFraction() * static_cast<double>(r->devices());
      }
    res.train_loss.push_back(loss / static_cast<double>(batches));
    res.test_accuracy.push_back(testAccuracy(net, *physics, test, o.test_samples));
    res.pulses_per_weight.push_back(pulses / static_cast<double>(std::max<Index>(devices, 1)));
    res.saturated_fraction.push_back(saturated / static_cast<double>(std::max<Index>(devices, 1)));
    if (progress) {
      const double elapsed = since(start);
      progress(fmt::format("epoch {}/{}: loss {:.4f}, test accuracy {:.4f}, pulses/device {:.1f}, "
                           "saturated {:.4f} ({:.1f} s/epoch, ETA {:.0f} s)",
                           epoch + 1, o.net.epochs, res.train_loss.back(),
                           res.test_accuracy.back(), res.pulses_per_weight.back(),
                           res.saturated_fraction.back(), res.epoch_s.back(),
                           elapsed / (epoch + 1) * (o.net.epochs - epoch - 1)));
    }
  }
  for (std::size_t i = 0; i < net.layers.size(); ++i)
    if (rules[i])
      res.layers.push_back({net.layers[i].name, net.layers[i].weight, net.layers[i].bias,
                            rules[i]->arrays()});
  res.seconds = since(start);
  return res;
}

void writeTrainResult(io::H5File& f, const AnalogTrainOptions& o, const AnalogTrainResult& r) {
  f.createGroup("/train");
  auto vec = [](const std::vector<double>& v) {
    return Eigen::Map<const Eigen::VectorXd>(v.data(), static_cast<Index>(v.size()));
  };
  std::vector<std::int64_t> epochs;
  for (std::size_t e = 0; e < r.test_accuracy.size(); ++e) epochs.push_back(static_cast<std::int64_t>(e + 1));
  f.writeInts("/train/epoch", epochs, "1");
  f.writeVector("/train/test_accuracy", vec(r.test_accuracy), "1");
  f.writeVector("/train/train_loss", vec(r.train_loss), "1");
  f.writeVector("/train/pulses_per_weight", vec(r.pulses_per_weight), "1");
  f.writeVector("/train/saturated_fraction", vec(r.saturated_fraction), "1");
  f.writeVector("/train/epoch_s", vec(r.epoch_s), "s");
  const RuleOptions& u = o.rule;
  f.setAttribute("/train", "algorithm", u.algorithm);
  f.setAttribute("/train", "device", u.device);
  for (const auto& [name, value] : u.device_params)
    f.setAttribute("/train", "device_param_" + name, value);
  f.setAttribute("/train", "circuit", o.circuit);
  if (o.circuit == "circuit") {
    const CircuitPhysicsOptions& co = o.circuit_options;
    f.setAttribute("/train", "tile_rows", static_cast<std::int64_t>(co.tile_rows));
    f.setAttribute("/train", "tile_cols", static_cast<std::int64_t>(co.tile_cols));
    f.setAttribute("/train", "r_wire_ohm", co.r_wire_ohm);
    f.setAttribute("/train", "g_min_s", co.g_min_s);
    f.setAttribute("/train", "g_max_s", co.g_max_s);
    f.setAttribute("/train", "update_bias",
                   std::string(co.bias.scheme == circuit::BiasScheme::ThirdV ? "third" : "half"));
    f.setAttribute("/train", "v_pulse_v", co.bias.v_pulse_v);
    f.setAttribute("/train", "v_threshold_v", co.efficiency.v_threshold_v);
    f.setAttribute("/train", "efficiency_alpha", co.efficiency.alpha);
    f.setAttribute("/train", "ladder_sweeps", static_cast<std::int64_t>(co.ladder_sweeps));
    f.setAttribute("/train", "half_select", static_cast<std::int64_t>(co.half_select ? 1 : 0));
    f.setAttribute("/train", "update_circuit",
                   std::string(co.update_mode == circuit::UpdateCircuitMode::Exact   ? "exact"
                               : co.update_mode == circuit::UpdateCircuitMode::Iterative
                                   ? "iterative"
                                   : "ladder"));
  }
  f.setAttribute("/train", "arch", o.net.arch);
  std::vector<std::int64_t> hidden(o.net.hidden.begin(), o.net.hidden.end());
  f.setIntsAttribute("/train", "hidden", hidden);
  f.setAttribute("/train", "epochs", static_cast<std::int64_t>(o.net.epochs));
  f.setAttribute("/train", "batch_size", static_cast<std::int64_t>(o.net.batch));
  f.setAttribute("/train", "learning_rate", o.net.learning_rate);
  f.setAttribute("/train", "lr_schedule", o.lr_schedule);
  f.setAttribute("/train", "momentum", u.momentum);
  f.setAttribute("/train", "seed", static_cast<std::int64_t>(o.net.seed));
  f.setAttribute("/train", "shuffle", static_cast<std::int64_t>(o.shuffle ? 1 : 0));
  f.setAttribute("/train", "train_samples", static_cast<std::int64_t>(o.net.train_samples));
  f.setAttribute("/train", "test_samples", static_cast<std::int64_t>(o.test_samples));
  f.setAttribute("/train", "update", u.update);
  f.setAttribute("/train", "bl", static_cast<std::int64_t>(u.pulses.bl));
  f.setAttribute("/train", "update_management", static_cast<std::int64_t>(u.pulses.update_management));
  f.setAttribute("/train", "bl_management", static_cast<std::int64_t>(u.pulses.bl_management));
  f.setAttribute("/train", "weight_scale", u.weight_scale);
  f.setAttribute("/train", "read_noise", o.read_noise);
  f.setAttribute("/train", "out_bound", o.out_bound);
  f.setAttribute("/train", "transfer_every", static_cast<std::int64_t>(u.transfer_every));
  f.setAttribute("/train", "transfer_columns", static_cast<std::int64_t>(u.transfer_columns));
  f.setAttribute("/train", "transfer_lr", u.transfer_lr);
  f.setAttribute("/train", "tt_gamma", u.tt_gamma);
  f.setAttribute("/train", "gain_f", u.gain_f);
  f.setAttribute("/train", "cap_dw_min", u.cap_dw_min);
  f.setAttribute("/train", "cap_bound", u.cap_bound);
  f.setAttribute("/train", "refresh_every", static_cast<std::int64_t>(u.refresh_every));
  f.setAttribute("/train", "refresh_fraction", u.refresh_fraction);
  f.setAttribute("/train", "pair_baseline", u.pair_baseline);
  f.setAttribute("/train", "fast_pulses", static_cast<std::int64_t>(u.fast_pulses));
  f.setAttribute("/train", "keep_residual", static_cast<std::int64_t>(u.keep_residual));
  f.setAttribute("/train", "tt_c_reference", static_cast<std::int64_t>(u.tt_c_reference));
  f.setAttribute("/train", "transfer_lr_scaled", static_cast<std::int64_t>(u.transfer_lr_scaled));
  f.setAttribute("/train", "init_model", o.init_model);
  f.setAttribute("/train", "seconds", r.seconds);
  f.createGroup("/arrays");
  for (const LayerArrays& l : r.layers) {
    const std::string g = "/arrays/" + l.name;
    f.createGroup(g);
    f.writeMatrix(g + "/weight", l.weight.cast<double>(), "1");
    f.writeVector(g + "/bias", l.bias.cast<double>(), "1");
    for (const auto& [name, m] : l.arrays) f.writeMatrix(g + "/" + name, m.cast<double>(), "1");
  }
}

}  // namespace xbarsim::dnn
