// SPDX-License-Identifier: MIT
#pragma once
/// @file What a sweep computes at each point: a Job turns a point's configuration into named
/// arrays (fields). The result file stores each field as a dataset (point, dims...) padded with
/// NaN where a point's extent is smaller than the largest (e.g. W_eff when array size is swept).
///
/// A point's fields must depend only on its configuration (seed included): never on the rank,
/// the order of points or how many processes share the work. Jobs: `extract` (W_eff and its
/// error metrics, this module) and `evaluate` (network accuracy vs time, from the dnn module).

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "xbarsim/core/config.hpp"
#include "xbarsim/sweep/spec.hpp"

namespace xbarsim::sweep {

/// A per-point dimension of the fields ("input", "output", "time", ...).
struct Dim {
  std::string name;
  std::string units = "1";
  std::string description;
  /// Coordinate values (float64, `units`) for dimensions that are not plain indices; empty:
  /// the coordinate is the index 0..n-1.
  std::vector<double> values;
};

/// A per-point result array.
struct Field {
  std::string name;
  std::string units;
  std::string description;
  std::vector<std::string> dims;  ///< per-point dimensions (empty: one number per point)
};

/// The value of one field at one point (row-major).
struct FieldValue {
  std::string name;
  std::vector<std::size_t> shape;
  std::vector<double> data;
};

enum class PointStatus : std::int64_t { Pending = 0, Done = 1, Failed = 2 };

/// The outcome of one point, as journaled, sent between MPI ranks and written to the file.
struct PointOutcome {
  std::size_t index = 0;
  PointStatus status = PointStatus::Pending;
  std::string message;              ///< error text of a failed point
  std::vector<FieldValue> fields;   ///< empty for a failed point
  double wall_s = 0.0;              ///< run-dependent (written under /provenance)
  std::int64_t rank = 0;            ///< run-dependent (written under /provenance)
};

/// Serialization (host byte order) for the journal and MPI messages.
[[nodiscard]] std::string serialize(const PointOutcome& outcome);
/// @throws xbarsim::Error if `bytes` is not a serialized outcome.
[[nodiscard]] PointOutcome deserialize(std::string_view bytes);

class Job {
 public:
  virtual ~Job() = default;
  [[nodiscard]] virtual std::string_view name() const noexcept = 0;
  /// Fields every done point has, in file order.
  [[nodiscard]] virtual std::vector<Field> fields() const = 0;
  /// The dimensions the fields use (coordinates from the base configuration).
  [[nodiscard]] virtual std::vector<Dim> dims(const core::Config& base) const = 0;
  /// Checks a point's configuration as far as possible without solving (files, shapes, deck
  /// names) and returns the extent of every dimension. @throws ConfigError on bad input.
  [[nodiscard]] virtual std::map<std::string, std::size_t> prepare(const core::Config& point) const = 0;
  /// Relative cost of a point (for scheduling the expensive points first).
  [[nodiscard]] virtual double cost(const core::Config& point) const;
  /// Computes a point. Throws on failure (the runner records the message and goes on).
  [[nodiscard]] virtual std::vector<FieldValue> run(const core::Config& point) = 0;
  /// "ngspice" / "native".
  [[nodiscard]] virtual std::string backend() const = 0;
  /// extract::provenanceVersion() of the backend once a point ran, e.g. "ngspice-39" ("" for
  /// the native backend, or before any point).
  [[nodiscard]] virtual std::string backendVersion() const { return {}; }
  /// Settings the results depend on beyond the configuration, for the fingerprint.
  [[nodiscard]] virtual std::string fingerprintText() const { return {}; }
  /// Files from the command line the results depend on (the --netlist deck with its includes,
  /// the --model file); the plan adds the files each point's configuration names.
  [[nodiscard]] virtual std::vector<std::filesystem::path> inputFiles() const { return {}; }
};

/// Command-line inputs of a job.
struct JobOptions {
  std::string backend;                  ///< "ngspice" | "native"; "" = the job's default
                                        ///< (extract: ngspice, evaluate: native)
  std::filesystem::path netlist;        ///< --netlist (overrides netlist.file)
  std::filesystem::path model;          ///< --model (evaluate)
  int threads = 0;                      ///< native solver threads (0 = all cores)
};

/// The job named by spec.job. @throws ConfigError for bad options (e.g. evaluate without
/// --model, a user netlist with the native backend), and "job evaluate needs the dnn module"
/// when xbarsim was built without it.
[[nodiscard]] std::unique_ptr<Job> makeJob(const SweepSpec& spec, const JobOptions& options,
                                           const core::Config& base);

/// The extract job (W_eff; its error against the ideal-wire circuit, the IR drop alone, and
/// against Gᵀ, in total and per column; sneak-path read error of circuit/sneak_read.hpp).
[[nodiscard]] std::unique_ptr<Job> makeExtractJob(const SweepSpec& spec, const JobOptions& options,
                                                  const core::Config& base);

}  // namespace xbarsim::sweep
