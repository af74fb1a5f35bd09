// SPDX-License-Identifier: MIT
#pragma once
/// @file A validated sweep: every point's configuration checked (Config::set and the job's
/// prepare()) before any work, extents of every per-point dimension, and a fingerprint of all
/// inputs the results depend on (used to match journals, resumed files and shards).

#include <cstddef>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "xbarsim/core/config.hpp"
#include "xbarsim/sweep/job.hpp"
#include "xbarsim/sweep/spec.hpp"

namespace xbarsim::sweep {

struct SweepPlan {
  core::Config base;                                        ///< as loaded, with [sweep]
  SweepSpec spec;
  std::vector<Point> points;
  std::vector<std::pair<std::string, AxisKind>> axes;       ///< union of the blocks' axes
  std::vector<std::vector<AxisValue>> coordinates;          ///< [axis][point] resolved values
  std::vector<std::string> point_toml;                      ///< resolved configuration per point
  std::vector<std::map<std::string, std::size_t>> extents;  ///< per point
  std::vector<double> costs;                                ///< per point (scheduling only)
  std::vector<Field> fields;
  std::vector<Dim> dims;                                    ///< with their largest extents:
  std::map<std::string, std::size_t> max_extent;
  std::string job;
  std::string backend;
  std::string fingerprint;                                  ///< hex
  /// Every file the results depend on (Job::inputFiles and io::configInputFiles of every
  /// point; absolute paths) with its io::fileDigest, in first-use order. The digests are part
  /// of the fingerprint, the paths are not (shards may see the files under other paths).
  std::vector<std::pair<std::filesystem::path, std::string>> inputs;

  [[nodiscard]] std::size_t size() const noexcept { return points.size(); }
  /// The configuration of point k (base without [sweep], settings applied).
  [[nodiscard]] core::Config config(std::size_t k) const { return pointConfig(base, points[k]); }
};

/// Parses [sweep], expands the points and validates each through the job.
/// @throws ConfigError (file, line, key; the point's settings for a point that does not fit).
[[nodiscard]] SweepPlan makePlan(const core::Config& base, const Job& job);

/// One line per input file, "input <digest> <path>\n" (the journal keeps it, so that a resume
/// can name the file that changed).
[[nodiscard]] std::string inputManifest(const SweepPlan& plan);

/// The first file of `now` (an inputManifest, or text holding its lines) listed in `before`
/// with other contents; "" if none.
[[nodiscard]] std::string changedInput(const std::string& before, const std::string& now);

}  // namespace xbarsim::sweep
