// SPDX-License-Identifier: MIT
#include "dnn_commands.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <sstream>

#include "xbarsim/core/config.hpp"
#include "xbarsim/core/error.hpp"
#include "xbarsim/dnn/analog_train.hpp"
#include "xbarsim/dnn/dataset.hpp"
#include "xbarsim/dnn/evaluate.hpp"
#include "xbarsim/dnn/network.hpp"
#include "xbarsim/dnn/onnx_import.hpp"
#include "xbarsim/dnn/post_train.hpp"
#include "xbarsim/dnn/train.hpp"
#include "xbarsim/extract/backend.hpp"
#include "xbarsim/extract/config_schema.hpp"
#include "xbarsim/extract/ngspice_backend.hpp"
#include "xbarsim/extract/result_file.hpp"
#include "xbarsim/io/atomic_file.hpp"
#include "xbarsim/io/hdf5_file.hpp"
#include "xbarsim/io/path_guard.hpp"

#ifndef XBARSIM_DATA_DIR
#define XBARSIM_DATA_DIR "data"
#endif

namespace xbarsim::cli {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

/// Progress lines: rewritten in place on stderr when it is a terminal; otherwise one line each
/// on stdout (a log), so that stderr, when captured, holds nothing but an error line.
void progressLine(const std::string& text) {
  static const bool tty = ::isatty(STDERR_FILENO) != 0;
  if (tty) {
    fmt::print(stderr, "\r\033[K{}", text);
    if (text.rfind("float", 0) == 0 || text.rfind("epoch", 0) == 0) fmt::print(stderr, "\n");
    std::fflush(stderr);
  } else {
    fmt::print("{}\n", text);
    std::fflush(stdout);
  }
}

void endProgress() {
  if (::isatty(STDERR_FILENO) != 0) fmt::print(stderr, "\n");
}

std::string formatTime(double t) {
  if (t >= 365.0 * 86400.0 * 0.999) return fmt::format("{:g} y", t / (365.0 * 86400.0));
  if (t >= 30.0 * 86400.0 * 0.999) return fmt::format("{:g} mo", t / (30.0 * 86400.0));
  if (t >= 86400.0) return fmt::format("{:g} d", t / 86400.0);
  if (t >= 3600.0) return fmt::format("{:g} h", t / 3600.0);
  return fmt::format("{:g} s", t);
}

struct EvaluateRequest {
  ConfigArgs config;
  std::string model_path;
  std::string out_path;
  std::string backend = "native";
};

int evaluateAndWrite(const core::Config& config, const dnn::EvaluationSpec& spec,
                     const std::string& model_path, const std::string& out_path,
                     const std::string& command, const std::string& command_line) {
  const auto start = Clock::now();
  io::AtomicFile out(out_path);  // fails early on an unwritable path
  const dnn::Network net = dnn::loadNetwork(model_path, config);
  const std::string& dataset = config.string("dnn.dataset");
  const dnn::Dataset test = dnn::loadDataset(dataset, dnn::Split::Test);
  const bool bn = std::find(spec.compensations.begin(), spec.compensations.end(),
                            dnn::Compensation::BnRecalibration) != spec.compensations.end();
  std::unique_ptr<dnn::Dataset> calibration;
  if (bn) calibration = std::make_unique<dnn::Dataset>(dnn::loadDataset(dataset, dnn::Split::Train));
  // Per-array progress with an ETA on a terminal when the arrays go through a circuit solver
  // (an ngspice-backed run spends minutes there before the first accuracy line).
  dnn::ArrayProgressFn array_progress;
  if (::isatty(STDERR_FILENO) != 0 && !spec.analog.idealCircuit()) {
    auto last = Clock::now() - std::chrono::seconds(1);
    const auto began = Clock::now();
    array_progress = [last, began](long done, long total, const std::string& layer) mutable {
      const auto now = Clock::now();
      if (now - last < std::chrono::milliseconds(500) && done < total) return;
      last = now;
      const double elapsed = std::chrono::duration<double>(now - began).count();
      if (done == 0) {
        fmt::print(stderr, "\r\033[KW_eff: solving array 1 of {} (layer {}) through the circuit...",
                   total, layer);
      } else {
        fmt::print(stderr, "\r\033[KW_eff: {}/{} arrays (layer {}), elapsed {:.0f} s, ETA {:.0f} s",
                   done, total, layer, elapsed,
                   elapsed / static_cast<double>(done) * static_cast<double>(total - done));
      }
      std::fflush(stderr);
    };
  }
  const dnn::EvaluationResult res =
      dnn::evaluateNetwork(net, test, calibration.get(), spec, progressLine, array_progress);
  endProgress();

  auto h5 = io::H5File::create(out.tempPath());
  extract::writeRunHeader(h5, command, command_line, config, spec.seed);
  h5.setAttribute("/", "model", fs::absolute(model_path).string());
  h5.setAttribute("/", "backend", spec.analog.backend);
  h5.setAttribute("/", "dataset", test.name);
  const std::string backend_version =
      spec.analog.idealCircuit()
          ? ""
          : extract::provenanceVersion(*extract::makeBackend(spec.analog.backend));
  extract::writeProvenance(h5, since(start), backend_version);
  dnn::writeEvaluation(h5, spec, res);
  h5.close();
  out.commit();

  // summary table
  fmt::print("{} on {} ({} images): float accuracy {:.4f}\n", fs::path(model_path).filename().string(),
             test.name, res.samples, res.accuracy_float);
  // Mean ± sample standard deviation over repeats; the mean alone with one repeat.
  const bool spread = spec.repeats > 1;
  std::string header = fmt::format("{:>10}", "time");
  for (dnn::Compensation c : spec.compensations)
    header +=
        fmt::format("  {:>{}}", fmt::format("accuracy ({})", dnn::toString(c)), spread ? 22 : 14);
  fmt::print("{}\n", header);
  std::vector<dnn::AccuracyStatistics> stats;
  for (const Eigen::MatrixXd& accuracy : res.accuracy)
    stats.push_back(dnn::accuracyStatistics(accuracy));
  for (std::size_t t = 0; t < spec.times_s.size(); ++t) {
    std::string line = fmt::format("{:>10}", formatTime(spec.times_s[t]));
    for (const dnn::AccuracyStatistics& s : stats) {
      const auto ti = static_cast<Eigen::Index>(t);
      line += spread ? fmt::format("  {:>14.4f} ± {:.4f}", s.mean(ti), s.std(ti))
                     : fmt::format("  {:>14.4f}", s.mean(ti));
    }
    fmt::print("{}\n", line);
  }
  // Per layer: its arrays, and the errors of its weights averaged over repeats at the first and
  // the last time (circuit: W_eff against the programmed G; weights: against the float W).
  if (!res.layers.empty()) {
    const auto last = static_cast<Eigen::Index>(spec.times_s.size()) - 1;
    fmt::print("{:>6} {:>7} {:>11} {:>5}  {:>13}  {:>25}\n", "layer", "type", "in x out", "tiles",
               "circuit err",
               fmt::format("weight err ({} .. {})", formatTime(spec.times_s.front()),
                           formatTime(spec.times_s.back())));
    for (const dnn::LayerStats& l : res.layers)
      fmt::print("{:>6} {:>7} {:>11} {:>5}  {:>13.3e}  {:>12.3e} {:>12.3e}\n", l.name, l.type,
                 fmt::format("{}x{}", l.inputs, l.outputs), l.tiles, l.circuit_error.mean(),
                 l.weff_error_compensated.row(0).mean(), l.weff_error_compensated.row(last).mean());
  }
  if (!res.energy.layers.empty()) fmt::print("{}", dnn::formatEnergy(res.energy));
  const dnn::InferenceCost cost = dnn::inferenceCost(spec, res);
  fmt::print("W_eff: {} arrays per point via {} ({} solves, {:.1f} s); inference {:.3f} s per "
             "pass vs float {:.3f} s ({:.2f}x; with W_eff {:.2f}x) -> {}\n",
             res.arrays, res.backend, res.weff_solves, res.weff_solve_s, cost.analog_s_per_pass,
             res.float_inference_s, cost.analog_over_float, cost.with_weff_over_float,
             out_path);
  return 0;
}

int runEvaluate(const EvaluateRequest& r, const std::string& command_line) {
  const core::Config config = loadPointConfig(r.config, "evaluate");
  const dnn::EvaluationSpec spec = dnn::evaluationSpecFromConfig(config, r.backend);
  if (spec.analog.backend == "ngspice") extract::applyNgspiceLimits(config);
  return evaluateAndWrite(config, spec, r.model_path, r.out_path, "evaluate", command_line);
}

struct TrainRequest {
  dnn::TrainOptions options;
  std::string hidden = "256,128";
  std::string dataset = "fashion-mnist";
  std::string out_path;
  ConfigArgs config;            ///< --config/--set: training on analog arrays ([train])
  std::string model_out_path;   ///< --model-out (with --config)
  std::vector<std::string> legacy_flags_given;  ///< flags of the float trainer that were given
};

int runAnalogTrain(const TrainRequest& r, const std::string& command_line);

int runTrain(TrainRequest r, const std::string& command_line) {
  r.options.hidden.clear();
  std::stringstream ss(r.hidden);
  for (std::string item; std::getline(ss, item, ',');) {
    try {
      const long v = std::stol(item);
      if (v < 1) throw std::invalid_argument("");
      r.options.hidden.push_back(v);
    } catch (const std::exception&) {
      throw ConfigError("command line", 0, "--hidden", fmt::format("\"{}\" is not a list of positive sizes", r.hidden));
    }
  }
  if (!r.config.path.empty() || !r.config.overrides.empty()) return runAnalogTrain(r, command_line);
  if (!r.model_out_path.empty())
    throw ConfigError("command line", 0, "--model-out",
                      "needs --config: without it, --out is the model file");
  io::AtomicFile probe(r.out_path);  // unwritable output fails before training
  const dnn::Dataset train = dnn::loadDataset(r.dataset, dnn::Split::Train);
  const dnn::Dataset test = dnn::loadDataset(r.dataset, dnn::Split::Test);
  dnn::TrainResult res = dnn::trainNetwork(r.options, train, test, progressLine);
  const dnn::TrainOptions& o = r.options;
  res.network.string_attributes["producer"] = "xbarsim train";
  res.network.string_attributes["command_line"] = command_line;
  res.network.string_attributes["dataset"] = r.dataset;
  res.network.string_attributes["training"] = fmt::format(
      "arch={} optimizer={} lr={} epochs={} batch={} weight_noise={} clip_sigma={} "
      "weight_decay={} seed={} {} train_samples={}",
      o.arch, o.optimizer, o.learning_rate, o.epochs, o.batch, o.weight_noise, o.clip_sigma,
      o.weight_decay, o.seed,
      o.arch == "mlp" ? "hidden=" + r.hidden
                      : fmt::format("channels={} dense={}", fmt::join(o.channels, ","), o.cnn_dense),
      o.train_samples);
  res.network.number_attributes["test_accuracy"] = res.test_accuracy;
  res.network.number_attributes["training_s"] = res.seconds;
  dnn::saveNetwork(res.network, r.out_path);
  fmt::print("trained {} on {}: test accuracy {:.4f} in {:.0f} s -> {}\n", o.arch, r.dataset,
             res.test_accuracy, res.seconds, r.out_path);
  return 0;
}

struct ConvertRequest {
  ConfigArgs config;
  std::string in_path;
  std::string out_path;
  int version = 2;
};

int runConvert(const ConvertRequest& r) {
  const core::Config config = loadConfig(r.config, extract::configSchema(), false);
  const dnn::Network net = dnn::loadNetwork(r.in_path, config);
  if (dnn::isOnnxPath(r.out_path)) {
    dnn::exportOnnx(net, r.out_path);
  } else {
    if (r.version == 1 && !net.isChain())
      throw ConfigError("command line", 0, "--format-version",
                        "the network is a graph (residual connections); version 1 holds chains "
                        "only: write version 2");
    dnn::saveNetwork(net, r.out_path, r.version);
  }
  fmt::print("{} ({} layers, {}, input {} x {:g} + {:g}) -> {} ({})\n", r.in_path,
             net.layers.size(), net.isChain() ? "chain" : "graph",
             dnn::toString(net.input_shape), net.input_scale, net.input_offset, r.out_path,
             dnn::isOnnxPath(r.out_path) ? "ONNX" : fmt::format("model format v{}", r.version));
  return 0;
}

/// `train --config`: the [train] algorithms on analog arrays; --out is the result file and
/// --model-out the trained model.
int runAnalogTrain(const TrainRequest& r, const std::string& command_line) {
  if (!r.legacy_flags_given.empty())
    throw ConfigError("command line", 0, r.legacy_flags_given.front(),
                      fmt::format("with --config, set this through [train] (or --set train.<key>=...): "
                                  "{} are flags of the float trainer (without --config)",
                                  fmt::join(r.legacy_flags_given, ", ")));
  const auto start = Clock::now();
  const core::Config config = loadConfig(r.config, dnn::trainSchema());
  const dnn::AnalogTrainOptions o = dnn::analogTrainOptionsFromConfig(config, r.options);
  (void)dnn::makeArrayPhysics(o);  // an unavailable circuit mode fails before anything runs
  io::AtomicFile out(r.out_path);  // unwritable outputs fail before training
  std::unique_ptr<io::AtomicFile> model_out;
  if (!r.model_out_path.empty()) model_out = std::make_unique<io::AtomicFile>(r.model_out_path);
  const std::string& dataset = config.string("train.dataset");
  const dnn::Dataset train = dnn::loadDataset(dataset, dnn::Split::Train);
  const dnn::Dataset test = dnn::loadDataset(dataset, dnn::Split::Test);
  fmt::print("xbarsim train: {} on {} ({}), {} {}, {} epochs of batch {}, lr {}\n",
             o.rule.algorithm, o.rule.algorithm == "sgd" ? "float weights" : o.rule.device,
             o.circuit, dataset, o.init_model.empty() ? "MLP " + r.hidden : "model " + o.init_model,
             o.net.epochs, o.net.batch, o.net.learning_rate);
  dnn::AnalogTrainResult res = dnn::trainAnalog(o, train, test, progressLine);
  endProgress();

  auto h5 = io::H5File::create(out.tempPath());
  extract::writeRunHeader(h5, "train", command_line, config, o.net.seed);
  h5.setAttribute("/", "dataset", dataset);
  extract::writeProvenance(h5, since(start), "");
  dnn::writeTrainResult(h5, o, res);
  h5.close();
  out.commit();
  if (model_out) {
    res.network.string_attributes["producer"] = "xbarsim train --config";
    res.network.string_attributes["command_line"] = command_line;
    res.network.string_attributes["dataset"] = dataset;
    res.network.string_attributes["training"] =
        fmt::format("algorithm={} device={} circuit={} lr={} epochs={} batch={} seed={}",
                    o.rule.algorithm, o.rule.device, o.circuit, o.net.learning_rate,
                    o.net.epochs, o.net.batch, o.net.seed);
    res.network.number_attributes["test_accuracy"] = res.test_accuracy.back();
    res.network.number_attributes["training_s"] = res.seconds;
    dnn::saveNetwork(res.network, model_out->tempPath());
    model_out->commit();
  }
  fmt::print("trained {} ({}): test accuracy {:.4f} in {:.0f} s ({:.2f} s/epoch) -> {}{}\n",
             o.rule.algorithm, o.rule.algorithm == "sgd" ? "float" : o.rule.device,
             res.test_accuracy.back(), res.seconds,
             res.seconds / static_cast<double>(res.test_accuracy.size()), r.out_path,
             r.model_out_path.empty() ? "" : ", model " + r.model_out_path);
  return 0;
}

struct PostTrainRequest {
  ConfigArgs config;
  dnn::PostTrainOptions options;
  std::string model_path;
  std::string out_path;
};

int runPostTrain(const PostTrainRequest& r, const std::string& command_line) {
  r.options.validate();
  if (!fs::exists(r.model_path))
    throw IoError(fmt::format("{}: model file not found", r.model_path));
  const core::Config config = loadConfig(r.config, extract::configSchema(), false);
  const dnn::EvaluationSpec spec = dnn::evaluationSpecFromConfig(config, "native");
  io::AtomicFile probe(r.out_path);  // unwritable output fails before training
  const dnn::Network net = dnn::loadNetwork(r.model_path, config);
  const std::string& dataset = config.string("dnn.dataset");
  const dnn::Dataset train = dnn::loadDataset(dataset, dnn::Split::Train);
  dnn::PostTrainResult res = dnn::postTrain(net, train, spec.analog, r.options, progressLine);
  const dnn::PostTrainOptions& o = r.options;
  res.network.string_attributes["producer"] = "xbarsim post-train";
  res.network.string_attributes["command_line"] = command_line;
  res.network.string_attributes["dataset"] = dataset;
  res.network.string_attributes["post_training"] = fmt::format(
      "from={} data_fraction={} samples={} epochs={} batch={} lr={} clip_sigma={} "
      "weight_noise={} ({}) t_ref_s={} seed={}",
      fs::path(r.model_path).filename().string(), o.data_fraction, res.samples, o.epochs, o.batch,
      o.learning_rate, o.clip_sigma, res.weight_noise, o.weight_noise > 0 ? "given" : "matched",
      o.t_ref_s, o.seed);
  res.network.number_attributes["post_training_s"] = res.seconds;
  dnn::saveNetwork(res.network, r.out_path, res.network.isChain() ? 1 : 2);
  fmt::print("post-trained {} with {} images ({:g} of {}), weight noise {:.4f} x max|W|, in {:.1f} "
             "s -> {}\n",
             r.model_path, res.samples, o.data_fraction, train.name, res.weight_noise, res.seconds,
             r.out_path);
  return 0;
}

fs::path demoModel() {
  if (const char* env = std::getenv("XBARSIM_DATA_DIR"); env && *env)
    return fs::path(env) / "models" / "mlp_hwa.h5";
  return fs::path(XBARSIM_DATA_DIR) / "models" / "mlp_hwa.h5";
}

}  // namespace

/// Configuration of the DNN demo (also a template for users).
constexpr const char* kDemoConfig = R"(# xbarsim DNN demo
[array]
r_row_ohm = 1.0          # wire segment between neighbouring cells
r_col_ohm = 1.0
cell = "1R"
[device]
model = "linear"
[sense]
kind = "tia"             # transimpedance amplifier macro-model
open_loop_gain = 1e4
r_feedback_ohm = 2e3
rail_v = 1.5
[read]
v_read_v = 0.2
[dac]
bits = 8
[adc]
bits = 8
[dnn]
dataset = "fashion-mnist"
times_s = [1.0, 3600.0, 86400.0, 2592000.0, 31536000.0]
compensation = "gdc"
repeats = 5
tile_rows = 256
tile_cols = 256
[run]
seed = 1
)";

int runDnnDemo(const std::string& out_path, const std::string& command_line) {
  const fs::path model = demoModel();
  if (!fs::exists(model))
    throw IoError(fmt::format("{}: demo model not found (set XBARSIM_DATA_DIR to the data/ "
                              "folder of the source tree)",
                              model.string()));
  const core::Config config = core::Config::parse(kDemoConfig, "<demo>", extract::configSchema());
  dnn::EvaluationSpec spec = dnn::evaluationSpecFromConfig(config, "native");
  spec.compensations = {dnn::Compensation::Gdc, dnn::Compensation::None};
  fmt::print("xbarsim demo: {} on Fashion-MNIST, PCM (Joshi 2020 statistics) on 256x256 tiles, "
             "1 ohm wire segments, TIA sense, 8-bit DAC/ADC, native backend, {} repeats\n",
             model.filename().string(), spec.repeats);
  return evaluateAndWrite(config, spec, model.string(), out_path, "demo", command_line);
}

void addDnnCommands(CLI::App& app, Options& options) {
  auto ev = std::make_shared<EvaluateRequest>();
  CLI::App* ev_cmd = app.add_subcommand(
      "evaluate", "Accuracy of a network (model format v1/v2 or ONNX) on PCM crossbars over time, "
                  "Monte Carlo over programming draws, written to HDF5");
  addConfigOptions(*ev_cmd, ev->config);
  ev_cmd->add_option("--model,-m", ev->model_path,
                     "network: HDF5 model format v1/v2, or ONNX (*.onnx; set dnn.input_scale and "
                     "dnn.input_offset)")
      ->required()
      ->check(CLI::ExistingFile);
  ev_cmd->add_option("--out,-o", ev->out_path, "result file (HDF5)")->required();
  ev_cmd->add_option("--backend,-b", ev->backend, "circuit solver for non-ideal arrays")
      ->check(CLI::IsMember({"native", "ngspice"}))
      ->capture_default_str();
  setExample(*ev_cmd,
             "build/xbarsim evaluate --model data/models/mlp_hwa.h5 --set "
             "dnn.test_samples=1000 --set dnn.repeats=1 --out e.h5");
  ev_cmd->callback([&options, ev] {
    options.run = [&options, ev] { return runEvaluate(*ev, options.command_line); };
  });

  auto cv = std::make_shared<ConvertRequest>();
  CLI::App* cv_cmd = app.add_subcommand(
      "convert", "Convert a network between ONNX (*.onnx, e.g. from torch.onnx.export) and the "
                 "HDF5 model format (v1 chain, v2 graph)");
  addConfigOptions(*cv_cmd, cv->config);
  cv_cmd->add_option("--in,-i", cv->in_path, "network to read: model format v1/v2 or *.onnx")
      ->required()
      ->check(CLI::ExistingFile);
  cv_cmd->add_option("--out,-o", cv->out_path,
                     "file to write: *.onnx (opset 13, input scaling in its metadata) or the HDF5 "
                     "model format")
      ->required();
  cv_cmd->add_option("--format-version", cv->version, "HDF5 model format version to write")
      ->check(CLI::IsMember({1, 2}))
      ->capture_default_str();
  setExample(*cv_cmd,
             "build/xbarsim convert --in tests/data/onnx/cnn.onnx --set dnn.input_scale=0.00784313725490196 "
             "--set dnn.input_offset=-1 --out cnn.h5");
  cv_cmd->callback([&options, cv] { options.run = [cv] { return runConvert(*cv); }; });

  auto tr = std::make_shared<TrainRequest>();
  CLI::App* tr_cmd = app.add_subcommand(
      "train", "Train an MLP or a small CNN (SGD/Adam, hardware-aware noise injection) and "
               "write it in the model format; with --config/--set, train an MLP on pulsed "
               "analog arrays ([train] section, docs/training.md) and write a result file");
  tr_cmd->add_option("--out,-o", tr->out_path,
                     "without --config: the model file to write (HDF5); with --config: the "
                     "training result file (HDF5, per-epoch accuracy/loss/pulse statistics, "
                     "final arrays)")
      ->required();
  addConfigOptions(*tr_cmd, tr->config);
  tr_cmd->add_option("--model-out", tr->model_out_path,
                     "with --config: also write the trained network as a model file");
  tr_cmd->add_option("--arch", tr->options.arch, "architecture")->check(CLI::IsMember({"mlp", "cnn"}));
  tr_cmd->add_option("--dataset", tr->dataset, "training data")
      ->check(CLI::IsMember({"fashion-mnist", "synthetic"}));
  tr_cmd->add_option("--hidden", tr->hidden, "MLP hidden sizes, comma separated");
  tr_cmd->add_option("--epochs", tr->options.epochs, "passes over the training set");
  tr_cmd->add_option("--batch", tr->options.batch, "mini-batch size");
  tr_cmd->add_option("--optimizer", tr->options.optimizer, "adam | sgd (momentum 0.9)")
      ->check(CLI::IsMember({"adam", "sgd"}));
  tr_cmd->add_option("--lr", tr->options.learning_rate, "initial learning rate (cosine decay)");
  tr_cmd->add_option("--weight-noise", tr->options.weight_noise,
                     "injected weight noise, std relative to max|W| (e.g. 0.03)");
  tr_cmd->add_option("--clip-sigma", tr->options.clip_sigma,
                     "clip weights to +-k std(W) after each step (0 = off, e.g. 2.5)");
  tr_cmd->add_option("--weight-decay", tr->options.weight_decay, "L2 weight decay");
  tr_cmd->add_option("--train-samples", tr->options.train_samples, "first N training images (0 = all)");
  tr_cmd->add_option("--seed", tr->options.seed, "seed of initialisation, data order and noise");
  for (CLI::Option* option : tr_cmd->get_options())
    if (option->get_lnames() != std::vector<std::string>{"out"} &&
        option->get_lnames() != std::vector<std::string>{"help"} &&
        option->get_lnames() != std::vector<std::string>{"config"} &&
        option->get_lnames() != std::vector<std::string>{"set"} &&
        option->get_lnames() != std::vector<std::string>{"model-out"})
      option->capture_default_str();
  setExample(*tr_cmd,
             "build/xbarsim train --dataset synthetic --hidden 32 --epochs 2 --out m.h5\n  "
             "build/xbarsim train --hidden 32 --set train.dataset=synthetic --set "
             "train.algorithm=mixed-precision --set train.epochs=2 --out t.h5 --model-out m.h5");
  tr_cmd->callback([&options, tr, tr_cmd] {
    for (const char* flag : {"--dataset", "--epochs", "--batch", "--optimizer", "--lr",
                             "--weight-noise", "--clip-sigma", "--weight-decay", "--train-samples",
                             "--seed"})
      if (tr_cmd->count(flag) > 0) tr->legacy_flags_given.emplace_back(flag);
    options.run = [&options, tr] { return runTrain(*tr, options.command_line); };
  });

  auto pt = std::make_shared<PostTrainRequest>();
  CLI::App* pt_cmd = app.add_subcommand(
      "post-train", "Analog-aware post-training: make a float-trained network robust to the "
                    "hardware (clipping, fine-tuning with weight noise matched to the device "
                    "model, batch-norm statistics) with a small fraction of the training set");
  addConfigOptions(*pt_cmd, pt->config);
  pt_cmd->add_option("--model,-m", pt->model_path, "network to post-train (model format or ONNX)")
      ->required();
  pt_cmd->add_option("--out,-o", pt->out_path, "model file to write (HDF5)")->required();
  pt_cmd->add_option("--data-fraction", pt->options.data_fraction,
                     "fraction of the training set (dnn.dataset) used, in (0, 1]");
  pt_cmd->add_option("--epochs", pt->options.epochs, "passes over that fraction");
  pt_cmd->add_option("--batch", pt->options.batch, "mini-batch size");
  pt_cmd->add_option("--lr", pt->options.learning_rate, "initial Adam learning rate (cosine decay)");
  pt_cmd->add_option("--clip-sigma", pt->options.clip_sigma,
                     "clip weights to +-k std(W) (0 = off)");
  pt_cmd->add_option("--weight-noise", pt->options.weight_noise,
                     "injected weight noise, std relative to max|W|; 0 = matched to the device "
                     "model of the configuration at --t-ref");
  pt_cmd->add_option("--t-ref", pt->options.t_ref_s, "time after programming (s) of the matched noise");
  pt_cmd->add_option("--seed", pt->options.seed, "seed of noise, data order and the matching draw");
  for (CLI::Option* option : pt_cmd->get_options())
    if (!option->get_required() && option->get_lnames() != std::vector<std::string>{"help"} &&
        option->get_lnames() != std::vector<std::string>{"set"} &&
        option->get_lnames() != std::vector<std::string>{"config"})
      option->capture_default_str();
  setExample(*pt_cmd, "build/xbarsim post-train --model float.h5 --data-fraction 0.01 "
                      "--out float_pt.h5 && build/xbarsim evaluate --model float_pt.h5 --out e.h5");
  pt_cmd->callback([&options, pt] {
    options.run = [&options, pt] { return runPostTrain(*pt, options.command_line); };
  });
}

}  // namespace xbarsim::cli
