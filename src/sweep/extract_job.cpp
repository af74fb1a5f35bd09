// SPDX-License-Identifier: MIT
// The extract job: W_eff through a backend and its error metrics, per sweep point.
#include <fmt/format.h>

#include <Eigen/Core>
#include <algorithm>
#include <fstream>
#include <sstream>

#include "detail/fields.hpp"
#include "xbarsim/circuit/crossbar_config.hpp"
#include "xbarsim/circuit/sneak_read.hpp"
#include "xbarsim/core/error.hpp"
#include "xbarsim/core/rng.hpp"
#include "xbarsim/extract/backend.hpp"
#include "xbarsim/extract/memory_estimate.hpp"
#include "xbarsim/extract/metrics.hpp"
#include "xbarsim/extract/native_backend.hpp"
#include "xbarsim/extract/ngspice_backend.hpp"
#include "xbarsim/extract/user_netlist.hpp"
#include "xbarsim/io/path_guard.hpp"
#include "xbarsim/sweep/job.hpp"

namespace xbarsim::sweep {
namespace {

using detail::matrixField;
using detail::scalarField;
using detail::vectorField;

class ExtractJob final : public Job {
 public:
  ExtractJob(const SweepSpec& spec, JobOptions options, const core::Config& base)
      : options_(std::move(options)),
        store_weff_(spec.store_weff),
        sneak_read_(spec.sneak_read),
        mvm_inputs_(spec.mvm_inputs) {
    if (options_.backend.empty()) options_.backend = "ngspice";
    bool param_axis = false;
    bool file_axis = false;
    for (const auto& [key, kind] : axisKeys(spec)) {
      param_axis = param_axis || key.rfind(kParamAxisPrefix, 0) == 0;
      file_axis = file_axis || key == "netlist.file";
    }
    deck_mode_ = !options_.netlist.empty() || base.has("netlist.file") || file_axis;
    // The fields' units come from the outputs' names (before any deck is read): S for
    // currents, V/V for voltages; every point must measure the same kind (prepare).
    if (deck_mode_) quantity_ = extract::configuredQuantity(base);
    if (param_axis && !deck_mode_)
      throw ConfigError(base.sourceName(), 0, "sweep",
                        "netlist.params.* axes need a user netlist (--netlist or netlist.file)");
    if (deck_mode_ && options_.backend != "ngspice")
      throw ConfigError(base.sourceName(), 0, "--backend",
                        "user netlists are solved by the ngspice backend only");
    if (options_.backend != "ngspice" && options_.backend != "native")
      throw ConfigError(base.sourceName(), 0, "--backend",
                        fmt::format("unknown backend \"{}\": choose ngspice or native", options_.backend));
  }

  std::string_view name() const noexcept override { return "extract"; }
  std::string backend() const override { return options_.backend; }
  std::string backendVersion() const override { return version_; }
  std::string fingerprintText() const override {
    // The field names too: a journal written by a build with other metrics does not resume.
    std::string names;
    for (const Field& f : fields()) names += " " + f.name;
    return fmt::format("deck_mode={} store_weff={} sneak_read={} mvm_inputs={} fields={}",
                       deck_mode_, store_weff_, sneak_read_, mvm_inputs_, names);
  }
  std::vector<std::filesystem::path> inputFiles() const override {
    // The configuration's files (netlist.file with its includes, conductances, cards) are
    // added per point by the plan.
    if (deck_mode_ && !options_.netlist.empty()) return io::deckFiles(options_.netlist);
    return {};
  }

  std::vector<Field> fields() const override {
    std::vector<Field> f;
    if (deck_mode_) {
      const std::string units = extract::transferUnits(quantity_);
      f.push_back({"weff",
                   units,
                   quantity_ == extract::DeckQuantity::Voltage
                       ? "voltage transfer dV_j/dV_i of the user netlist"
                       : "effective weights dI_j/dV_i of the user netlist",
                   {"output", "input"}});
      f.push_back({"weff_column_sum", units, "sum over inputs of W_eff per output", {"output"}});
      return f;
    }
    // Two references: the ideal-wire twin (same cells, drivers and sense amplifiers, wires of
    // 0 ohm) isolates the IR drop in the wires; G^T adds the cells' slope at the read point, the
    // drivers and the sense amplifiers.
    f.push_back({"ir_drop_error", "1",
                 "IR drop alone: |W_eff - W_ideal|_F / |W_ideal|_F, W_ideal = W_eff of the same "
                 "circuit with ideal (0 ohm) wires",
                 {}});
    f.push_back({"ir_drop_column_error", "1",
                 "IR drop alone per column: |W_eff[j,:] - W_ideal[j,:]| / |W_ideal[j,:]|", {"output"}});
    f.push_back({"target_error", "1",
                 "total deviation from the programmed conductances: |W_eff - G^T|_F / |G^T|_F "
                 "(IR drop, cell non-linearity, access devices, drivers, sense amplifier)",
                 {}});
    f.push_back({"target_column_error", "1",
                 "total deviation per column: |W_eff[j,:] - G[:,j]| / |G[:,j]|", {"output"}});
    if (sneak_read_) {
      f.push_back({"sneak_read_error", "1",
                   "single-cell read with floating lines: (G_read - G) / G", {"input", "output"}});
      f.push_back({"sneak_read_error_mean", "1", "mean |sneak_read_error| over cells", {}});
      f.push_back({"sneak_read_error_max", "1", "max |sneak_read_error| over cells", {}});
    }
    if (mvm_inputs_ > 0)
      f.push_back({"mvm_relative_error", "1",
                   "mean over seeded random inputs x in [0, v_read]^R of |I(x) - G^T x| / |G^T x|", {}});
    if (store_weff_) {
      f.push_back({"weff", "S", "effective weights dI_j/dV_i at the read point", {"output", "input"}});
      f.push_back({"g_target", "S", "programmed conductances", {"input", "output"}});
    }
    return f;
  }

  std::vector<Dim> dims(const core::Config&) const override {
    return {{"input", "1", "row (word line) index", {}}, {"output", "1", "column (bit line) index", {}}};
  }

  std::map<std::string, std::size_t> prepare(const core::Config& point) const override {
    if (deck_mode_) {
      const extract::UserDeck deck = extract::readUserDeck(deckPath(point), point);
      // The sweep's fields are declared (in S or V/V) from the base configuration.
      if (deck.quantity != quantity_)
        point.fail("netlist.outputs",
                   fmt::format("every point of a sweep must measure the same kind of output: "
                               "the base configuration's outputs give W_eff in {}, this point's "
                               "in {}; sweep currents and voltages separately",
                               extract::transferUnits(quantity_), extract::transferUnits(deck)));
      return {{"input", deck.inputs.size()}, {"output", deck.outputs.size()}};
    }
    extract::checkArrayMemory(point, options_.backend);  // refused while planning, before any point
    const circuit::CrossbarSpec spec = circuit::crossbarFromConfig(point, seedOf(point));
    return {{"input", static_cast<std::size_t>(spec.rows)}, {"output", static_cast<std::size_t>(spec.cols)}};
  }

  double cost(const core::Config& point) const override {
    if (deck_mode_) return 1.0;
    const double r = static_cast<double>(point.integer("array.rows"));
    const double c = static_cast<double>(point.integer("array.cols"));
    return r * c * std::max(r, c);
  }

  std::vector<FieldValue> run(const core::Config& point) override {
    const double v_read = point.real("read.v_read_v");
    if (options_.backend == "ngspice") extract::applyNgspiceLimits(point);
    extract::Backend& solver = backend();  // also for user decks: its version is ngspice's
    std::vector<FieldValue> out;
    if (deck_mode_) {
      const extract::UserDeck deck = extract::readUserDeck(deckPath(point), point);
      const extract::WeightResult r = extract::userDeckWeights(deck, point.realTable("netlist.params"), v_read);
      noteVersion();
      out.push_back(matrixField("weff", r.weff_s));
      out.push_back(vectorField("weff_column_sum", r.weff_s.rowwise().sum()));
      return out;
    }
    const std::uint64_t seed = seedOf(point);
    const circuit::CrossbarSpec spec = circuit::crossbarFromConfig(point, seed);
    const extract::WeightErrors errors = extract::weightErrors(solver, spec, v_read);
    noteVersion();
    const Eigen::MatrixXd& w = errors.weights.weff_s;
    if (!w.allFinite() || !errors.ideal_wire_weff_s.allFinite())
      throw NumericalError("W_eff has non-finite entries");
    out.push_back(scalarField("ir_drop_error", errors.ir_drop));
    out.push_back(vectorField("ir_drop_column_error", errors.ir_drop_columns));
    out.push_back(scalarField("target_error", errors.target));
    out.push_back(vectorField("target_column_error", errors.target_columns));
    if (sneak_read_) {
      const Eigen::MatrixXd e = circuit::sneakReadError(spec);
      const circuit::SneakReadSummary summary = circuit::summarizeSneakRead(e);
      out.push_back(matrixField("sneak_read_error", e));
      out.push_back(scalarField("sneak_read_error_mean", summary.mean_abs));
      out.push_back(scalarField("sneak_read_error_max", summary.max_abs));
    }
    if (mvm_inputs_ > 0) {
      double sum = 0;
      for (std::int64_t k = 0; k < mvm_inputs_; ++k) {
        RngStream rng(seed, StreamPurpose::Inputs, static_cast<std::uint64_t>(k));
        Eigen::VectorXd x(spec.rows);
        for (Eigen::Index i = 0; i < spec.rows; ++i) x(i) = rng.uniform(0.0, v_read);
        sum += extract::mvmRelativeError(solver.currents(spec, x).currents_a, spec.g_s, x);
      }
      out.push_back(scalarField("mvm_relative_error", sum / static_cast<double>(mvm_inputs_)));
    }
    if (store_weff_) {
      out.push_back(matrixField("weff", w));
      out.push_back(matrixField("g_target", spec.g_s));
    }
    return out;
  }

 private:
  static std::uint64_t seedOf(const core::Config& c) {
    return static_cast<std::uint64_t>(c.integer("run.seed"));
  }

  std::filesystem::path deckPath(const core::Config& point) const {
    if (!options_.netlist.empty()) return options_.netlist;
    if (!point.has("netlist.file"))
      throw ConfigError(point.sourceName(), 0, "netlist.file", "this point has no user netlist");
    return point.baseDirectory() / point.string("netlist.file");
  }

  extract::Backend& backend() {
    if (!backend_) {
      if (options_.backend == "native") {
        circuit::NativeOptions native;
        native.threads = options_.threads;
        backend_ = std::make_unique<extract::NativeBackend>(native);
      } else {
        backend_ = extract::makeBackend(options_.backend);
      }
    }
    return *backend_;
  }

  /// The version of the backend that computed a point (recorded once one has).
  void noteVersion() {
    if (version_.empty()) version_ = extract::provenanceVersion(*backend_);
  }

  JobOptions options_;
  bool store_weff_;
  bool sneak_read_;
  std::int64_t mvm_inputs_;
  bool deck_mode_ = false;
  extract::DeckQuantity quantity_ = extract::DeckQuantity::Current;  ///< of the deck's outputs
  std::unique_ptr<extract::Backend> backend_;
  std::string version_;
};

}  // namespace

std::unique_ptr<Job> makeExtractJob(const SweepSpec& spec, const JobOptions& options,
                                    const core::Config& base) {
  return std::make_unique<ExtractJob>(spec, options, base);
}

}  // namespace xbarsim::sweep
