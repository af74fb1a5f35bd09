// SPDX-License-Identifier: MIT
#include "xbarsim/sweep/plan.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <sstream>

#include "xbarsim/core/error.hpp"
#include "xbarsim/io/path_guard.hpp"
#include "xbarsim/sweep/journal.hpp"

namespace xbarsim::sweep {

SweepPlan makePlan(const core::Config& base, const Job& job) {
  SweepPlan plan{.base = base, .spec = parseSweep(base)};
  plan.points = expandPoints(plan.spec);
  plan.axes = axisKeys(plan.spec);
  plan.coordinates.assign(plan.axes.size(), {});
  plan.job = std::string(job.name());
  plan.backend = job.backend();
  plan.fields = job.fields();
  std::vector<std::filesystem::path> files = job.inputFiles();
  std::set<std::filesystem::path> seen_files;
  for (const std::filesystem::path& f : files) seen_files.insert(f.lexically_normal());
  for (std::size_t k = 0; k < plan.points.size(); ++k) {
    const Point& point = plan.points[k];
    std::map<std::string, std::size_t> extents;
    core::Config config = base;
    try {
      config = pointConfig(base, point);
      extents = job.prepare(config);
    } catch (const ConfigError& e) {
      const std::string problem = e.key().empty() ? e.what() : e.key() + ": " + problemOf(e);
      throw ConfigError(base.sourceName(), plan.spec.blocks[point.block].line, "sweep",
                        fmt::format("point {} ({}) is not valid: {}", k, describe(point), problem));
    } catch (const Error& e) {
      throw ConfigError(base.sourceName(), plan.spec.blocks[point.block].line, "sweep",
                        fmt::format("point {} ({}) is not valid: {}", k, describe(point), e.what()));
    }
    for (std::size_t a = 0; a < plan.axes.size(); ++a)
      plan.coordinates[a].push_back(settingOf(config, plan.axes[a].first, plan.axes[a].second));
    for (std::filesystem::path& f : io::configInputFiles(config))
      if (seen_files.insert(f.lexically_normal()).second) files.push_back(std::move(f));
    plan.point_toml.push_back(config.toToml());
    plan.costs.push_back(job.cost(config));
    for (const auto& [dim, n] : extents) plan.max_extent[dim] = std::max(plan.max_extent[dim], n);
    plan.extents.push_back(std::move(extents));
  }
  plan.dims = job.dims(base);
  for (Dim& dim : plan.dims) {
    if (!dim.values.empty()) plan.max_extent[dim.name] = std::max(plan.max_extent[dim.name], dim.values.size());
    plan.max_extent.try_emplace(dim.name, 0);
  }
  // Paths absolute (a resume from another directory names the same files); the fingerprint
  // holds the digests only, so shards run where the files have other paths still merge.
  std::string digests;
  for (const std::filesystem::path& f : files) {
    io::registerInput(f);  // no output of the sweep may replace it
    std::error_code ec;
    std::filesystem::path absolute = std::filesystem::weakly_canonical(std::filesystem::absolute(f), ec);
    if (ec) absolute = std::filesystem::absolute(f).lexically_normal();
    plan.inputs.emplace_back(absolute, io::fileDigest(f));
    digests += plan.inputs.back().second + "\n";
  }
  // The ngspice workers' limits and number change no result: a sweep resumes with others.
  core::Config results_base = base;
  for (const char* key : {"run.ngspice_timeout_s", "run.ngspice_memory_mb", "run.ngspice_workers"})
    if (const core::KeySpec* spec = base.schema().find(key); spec != nullptr && !spec->optional)
      results_base.set(key, spec->default_value);
  const std::string text = fmt::format("job={}\nbackend={}\n{}\n{}\n{}", plan.job, plan.backend,
                                       results_base.toToml(), job.fingerprintText(), digests);
  plan.fingerprint = fmt::format("{:016x}{:016x}", fnv1a64(text), fnv1a64(text, 0x84222325cbf29ce4ULL));
  return plan;
}

namespace {

/// "input <digest> <path>" lines, by path.
std::map<std::string, std::string> inputDigests(const std::string& manifest) {
  std::map<std::string, std::string> out;
  std::istringstream in(manifest);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("input ", 0) != 0) continue;
    const auto space = line.find(' ', 6);
    if (space != std::string::npos) out[line.substr(space + 1)] = line.substr(6, space - 6);
  }
  return out;
}

}  // namespace

std::string changedInput(const std::string& before, const std::string& now) {
  const auto old_digests = inputDigests(before);
  for (const auto& [file, digest] : inputDigests(now)) {
    const auto it = old_digests.find(file);
    if (it != old_digests.end() && it->second != digest) return file;
  }
  return {};
}

std::string inputManifest(const SweepPlan& plan) {
  std::string text;
  for (const auto& [path, digest] : plan.inputs) text += fmt::format("input {} {}\n", digest, path.string());
  return text;
}

}  // namespace xbarsim::sweep
