// SPDX-License-Identifier: MIT
// The evaluate job: DNN accuracy vs time on the analog hardware of each sweep point.
#include "evaluate_job.hpp"

#include <fmt/format.h>

#include <fstream>
#include <map>
#include <sstream>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "detail/fields.hpp"
#include "xbarsim/core/error.hpp"
#include "xbarsim/dnn/dataset.hpp"
#include "xbarsim/dnn/evaluate.hpp"
#include "xbarsim/dnn/network.hpp"
#include "xbarsim/extract/backend.hpp"
#include "xbarsim/extract/ngspice_backend.hpp"

namespace xbarsim::sweep {
namespace {

class EvaluateJob final : public Job {
 public:
  EvaluateJob(JobOptions options, const core::Config& base) : options_(std::move(options)) {
    if (options_.model.empty())
      throw ConfigError(base.sourceName(), 0, "--model", "job evaluate needs a network: --model model.h5");
    if (options_.backend.empty()) options_.backend = "native";
    if (options_.backend != "ngspice" && options_.backend != "native")
      throw ConfigError(base.sourceName(), 0, "--backend",
                        fmt::format("unknown backend \"{}\": choose ngspice or native", options_.backend));
    backend_ = extract::makeBackend(options_.backend);  // for its version
    // the input scaling (dnn.input_scale / dnn.input_offset; an ONNX model needs it) is applied
    // per point: a sweep may have it as an axis
    net_ = dnn::loadNetwork(options_.model);
    // Compensations of the base configuration name the extra accuracy fields.
    const dnn::EvaluationSpec spec = dnn::evaluationSpecFromConfig(base, options_.backend);
    for (std::size_t c = 1; c < spec.compensations.size(); ++c)
      extra_.push_back(std::string(dnn::toString(spec.compensations[c])));
#ifdef _OPENMP
    if (options_.threads > 0) omp_set_num_threads(options_.threads);
#endif
  }

  std::string_view name() const noexcept override { return "evaluate"; }
  std::string backend() const override { return options_.backend; }
  std::string backendVersion() const override { return version_; }
  std::vector<std::filesystem::path> inputFiles() const override { return {options_.model}; }

  std::vector<Field> fields() const override {
    std::vector<Field> f{
        {"accuracy", "1", "test accuracy per time and Monte Carlo repeat (primary compensation)", {"time", "repeat"}},
        {"accuracy_mean", "1", "mean accuracy over repeats", {"time"}},
        {"accuracy_std", "1", "standard deviation of accuracy over repeats", {"time"}},
        {"accuracy_float", "1", "accuracy of the float network", {}}};
    for (const std::string& c : extra_)
      f.push_back({"accuracy_" + fieldName(c), "1", fmt::format("test accuracy with compensation {}", c),
                   {"time", "repeat"}});
    return f;
  }

  std::vector<Dim> dims(const core::Config& base) const override {
    return {{"time", "s", "time after programming", base.reals("dnn.times_s")},
            {"repeat", "1", "Monte Carlo programming draw", {}}};
  }

  std::map<std::string, std::size_t> prepare(const core::Config& point) const override {
    const dnn::EvaluationSpec spec = dnn::evaluationSpecFromConfig(point, options_.backend);
    (void)dataset(point.string("dnn.dataset"));  // loads (and checks) the data set once
    return {{"time", spec.times_s.size()}, {"repeat", static_cast<std::size_t>(spec.repeats)}};
  }

  double cost(const core::Config& point) const override {
    return static_cast<double>(point.integer("dnn.repeats")) *
           static_cast<double>(point.reals("dnn.times_s").size());
  }

  std::vector<FieldValue> run(const core::Config& point) override {
    dnn::EvaluationSpec spec = dnn::evaluationSpecFromConfig(point, options_.backend);
    spec.energy.enabled = false;  // the sweep records accuracies only
    if (options_.backend == "ngspice") extract::applyNgspiceLimits(point);
    const std::string& name = point.string("dnn.dataset");
    const dnn::Dataset& test = dataset(name);
    const dnn::Dataset* calibration = nullptr;
    for (const dnn::Compensation c : spec.compensations)
      if (c == dnn::Compensation::BnRecalibration) calibration = &dataset(name, dnn::Split::Train);
    dnn::Network net = net_;  // the point's dnn.input_scale / dnn.input_offset, when swept
    dnn::applyInputScaling(net, point, options_.model.string());
    const dnn::EvaluationResult r = dnn::evaluateNetwork(net, test, calibration, spec);
    if (version_.empty()) version_ = extract::provenanceVersion(*backend_);
    std::vector<FieldValue> out;
    const Eigen::MatrixXd& acc = r.accuracy.front();
    out.push_back(detail::matrixField("accuracy", acc));
    const dnn::AccuracyStatistics stats = dnn::accuracyStatistics(acc);
    out.push_back(detail::vectorField("accuracy_mean", stats.mean));
    out.push_back(detail::vectorField("accuracy_std", stats.std));
    out.push_back(detail::scalarField("accuracy_float", r.accuracy_float));
    for (std::size_t c = 1; c < spec.compensations.size() && c < r.accuracy.size(); ++c)
      out.push_back(detail::matrixField(
          "accuracy_" + fieldName(std::string(dnn::toString(spec.compensations[c]))), r.accuracy[c]));
    return out;
  }


 private:
  static std::string fieldName(std::string name) {
    for (char& c : name)
      if (c == '-') c = '_';
    return name;
  }

  const dnn::Dataset& dataset(const std::string& name, dnn::Split split = dnn::Split::Test) const {
    const auto key = std::make_pair(name, split == dnn::Split::Test);
    auto it = datasets_.find(key);
    if (it == datasets_.end()) it = datasets_.emplace(key, dnn::loadDataset(name, split)).first;
    return it->second;
  }

  JobOptions options_;
  dnn::Network net_;
  std::vector<std::string> extra_;
  mutable std::map<std::pair<std::string, bool>, dnn::Dataset> datasets_;
  std::unique_ptr<extract::Backend> backend_;
  std::string version_;
};

}  // namespace

std::unique_ptr<Job> makeEvaluateJob(const SweepSpec&, const JobOptions& options, const core::Config& base) {
  return std::make_unique<EvaluateJob>(options, base);
}

}  // namespace xbarsim::sweep
