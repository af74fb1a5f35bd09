// SPDX-License-Identifier: MIT
#include "xbarsim/sweep/sweep_file.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <limits>
#include <numeric>
#include <sstream>

#include "xbarsim/core/error.hpp"
#include "xbarsim/extract/result_file.hpp"

namespace xbarsim::sweep {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

bool endsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string lastPart(const std::string& key) {
  const auto dot = key.rfind('.');
  return dot == std::string::npos ? key : key.substr(dot + 1);
}

std::vector<std::int64_t> iota(std::size_t n) {
  std::vector<std::int64_t> v(n);
  std::iota(v.begin(), v.end(), 0);
  return v;
}

std::vector<std::size_t> fieldShape(const SweepPlan& plan, const Field& field) {
  std::vector<std::size_t> shape{plan.size()};
  for (const std::string& dim : field.dims) shape.push_back(plan.max_extent.at(dim));
  return shape;
}

void attachPoint(io::H5File& h5, const std::string& path, const std::string& coordinates) {
  h5.attachDimensionScale(path, "/point", 0);
  if (!coordinates.empty()) h5.setAttribute(path, "coordinates", coordinates);
}

}  // namespace

std::string unitsOfKey(const std::string& key) {
  const std::string name = lastPart(key);
  if (endsWith(name, "_ohm")) return "ohm";
  if (endsWith(name, "_v")) return "V";
  if (endsWith(name, "_a")) return "A";
  if (endsWith(name, "_hz")) return "Hz";
  if (endsWith(name, "_s")) return name.rfind("g_", 0) == 0 ? "S" : "s";
  return "1";
}

std::vector<std::string> splitNames(const std::string& attribute_text) {
  std::istringstream in(attribute_text);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

void writeSweepLayout(io::H5File& h5, const SweepPlan& plan, const std::string& command_line,
                      const ShardSpec& shard) {
  const std::size_t n = plan.size();
  extract::writeRunHeader(h5, "sweep", command_line, plan.base,
                          static_cast<std::uint64_t>(plan.base.integer("run.seed")));
  std::vector<std::string> axis_names, field_names;
  for (const auto& [key, kind] : plan.axes) axis_names.push_back(key);
  for (const Field& f : plan.fields) field_names.push_back(f.name);
  const std::string coordinates = fmt::format("{}", fmt::join(axis_names, " "));
  h5.setAttribute("/", "backend", plan.backend);
  h5.setAttribute("/", "sweep_job", plan.job);
  h5.setAttribute("/", "sweep_points", static_cast<std::int64_t>(n));
  h5.setAttribute("/", "sweep_axes", coordinates);
  // Tied axes ("a|b"): one dimension of the grid, one coordinate per key, each labelled.
  const std::vector<std::string> ties = tiedGroups(plan.spec);
  if (!ties.empty())
    h5.setAttribute("/", "sweep_tied_axes", fmt::format("{}", fmt::join(ties, " ")));
  h5.setAttribute("/", "sweep_fields", fmt::format("{}", fmt::join(field_names, " ")));
  h5.setAttribute("/", "sweep_fingerprint", plan.fingerprint);
  h5.setAttribute("/", "sweep_inputs", inputManifest(plan));
  if (shard.active()) {
    h5.setAttribute("/", "shard_index", static_cast<std::int64_t>(shard.index));
    h5.setAttribute("/", "shard_count", static_cast<std::int64_t>(shard.count));
  }

  h5.writeInts("/point", iota(n), "1");
  h5.setAttribute("/point", "long_name", "sweep point index");
  h5.makeDimensionScale("/point", "point");
  for (const Dim& dim : plan.dims) {
    const std::string path = "/" + dim.name;
    const std::size_t extent = plan.max_extent.at(dim.name);
    if (!dim.values.empty()) {
      h5.writeVector(path, Eigen::Map<const Eigen::VectorXd>(dim.values.data(),
                                                              static_cast<Eigen::Index>(dim.values.size())),
                     dim.units);
    } else {
      h5.writeInts(path, iota(extent), "1");
    }
    h5.setAttribute(path, "long_name", dim.description);
    h5.makeDimensionScale(path, dim.name);
  }

  std::vector<std::int64_t> blocks;
  for (const Point& p : plan.points) blocks.push_back(static_cast<std::int64_t>(p.block));
  h5.writeInts("/block", blocks, "1");
  h5.setAttribute("/block", "long_name", "[[sweep]] block of the point (0-based, file order)");
  attachPoint(h5, "/block", coordinates);

  for (std::size_t a = 0; a < plan.axes.size(); ++a) {
    const auto& [key, kind] = plan.axes[a];
    const std::string path = "/" + key;
    const auto& values = plan.coordinates[a];
    switch (kind) {
      case AxisKind::Integer:
      case AxisKind::Boolean: {
        std::vector<std::int64_t> v;
        for (const AxisValue& x : values)
          v.push_back(kind == AxisKind::Integer ? std::get<std::int64_t>(x) : std::get<bool>(x) ? 1 : 0);
        h5.writeInts(path, v, unitsOfKey(key));
        break;
      }
      case AxisKind::Real: {
        Eigen::VectorXd v(static_cast<Eigen::Index>(values.size()));
        for (std::size_t k = 0; k < values.size(); ++k) v(static_cast<Eigen::Index>(k)) = std::get<double>(values[k]);
        h5.writeVector(path, v, unitsOfKey(key));
        break;
      }
      case AxisKind::String: {
        std::vector<std::string> v;
        for (const AxisValue& x : values) v.push_back(std::get<std::string>(x));
        h5.writeStrings(path, v);
        break;
      }
    }
    std::string description = "sweep axis";
    if (const core::KeySpec* spec = plan.base.schema().find(key)) description = spec->description;
    else if (key.rfind(kParamAxisPrefix, 0) == 0) description = ".param of the user netlist (NaN: the deck's value)";
    h5.setAttribute(path, "long_name", description);
    h5.setAttribute(path, "sweep_key", key);
    for (const std::string& group : ties)
      if (fmt::format("|{}|", group).find(fmt::format("|{}|", key)) != std::string::npos) {
        h5.setAttribute(path, "sweep_tied", group);
        h5.setAttribute(path, "long_name",
                        fmt::format("{} (tied axis {}: the keys take the same "
                                    "value at every point)",
                                    description, group));
      }
    h5.attachDimensionScale(path, "/point", 0);
  }

  h5.writeStrings("/point_config", plan.point_toml);
  h5.setAttribute("/point_config", "long_name", "resolved configuration of the point (TOML)");
  attachPoint(h5, "/point_config", coordinates);

  h5.createFilledInts("/status", {n}, static_cast<std::int64_t>(PointStatus::Pending), "1");
  h5.setIntsAttribute("/status", "flag_values", {0, 1, 2});
  h5.setAttribute("/status", "flag_meanings", "pending done failed");
  h5.setAttribute("/status", "long_name", "point status: 0 pending, 1 done, 2 failed");
  attachPoint(h5, "/status", coordinates);
  h5.createFilledStrings("/message", n);
  h5.setAttribute("/message", "long_name", "error message of a failed point");
  attachPoint(h5, "/message", coordinates);

  for (const Dim& dim : plan.dims) {
    std::vector<std::int64_t> counts;
    for (const auto& extents : plan.extents) {
      const auto it = extents.find(dim.name);
      counts.push_back(static_cast<std::int64_t>(it == extents.end() ? plan.max_extent.at(dim.name) : it->second));
    }
    const std::string path = "/" + dim.name + "_count";
    h5.writeInts(path, counts, "1");
    h5.setAttribute(path, "long_name", fmt::format("extent of dimension {} at the point", dim.name));
    attachPoint(h5, path, coordinates);
  }

  for (const Field& field : plan.fields) {
    const std::string path = "/" + field.name;
    h5.createFilledReals(path, fieldShape(plan, field), kNaN, field.units);
    h5.setAttribute(path, "long_name", field.description);
    attachPoint(h5, path, coordinates);
    for (std::size_t d = 0; d < field.dims.size(); ++d)
      h5.attachDimensionScale(path, "/" + field.dims[d], static_cast<unsigned>(d + 1));
  }

  h5.createFilledReals("/provenance/point_wall_s", {n}, kNaN, "s");
  h5.setAttribute("/provenance/point_wall_s", "long_name", "wall time of the point");
  h5.attachDimensionScale("/provenance/point_wall_s", "/point", 0);
  h5.createFilledInts("/provenance/point_rank", {n}, -1, "1");
  h5.setAttribute("/provenance/point_rank", "long_name", "MPI rank that computed the point");
  h5.attachDimensionScale("/provenance/point_rank", "/point", 0);
  writeCounts(h5, Counts{0, 0, n});
}

void writeOutcomes(io::H5File& h5, const SweepPlan& plan,
                   const std::vector<PointOutcome>& outcomes) {
  std::vector<std::size_t> indices, done;
  std::vector<std::int64_t> status, rank;
  std::vector<std::string> messages;
  std::vector<double> wall_s;
  for (const PointOutcome& o : outcomes) {
    if (o.index >= plan.size()) throw Error(fmt::format("sweep: point {} out of range", o.index));
    indices.push_back(o.index);
    status.push_back(static_cast<std::int64_t>(o.status));
    messages.push_back(o.message);
    wall_s.push_back(o.wall_s);
    rank.push_back(o.rank);
    if (o.status == PointStatus::Done) done.push_back(o.index);
  }
  h5.writeIntsAt("/status", indices, status);
  h5.writeStringsAt("/message", indices, messages);
  for (const Field& field : plan.fields) {
    std::vector<std::size_t> shape = fieldShape(plan, field);
    shape.erase(shape.begin());
    std::size_t size = 1;
    for (const std::size_t d : shape) size *= d;
    // The rows of the points done, one after another (failed points keep their row).
    std::vector<double> rows;
    rows.reserve(done.size() * size);
    for (const PointOutcome& o : outcomes) {
      if (o.status != PointStatus::Done) continue;
      rows.resize(rows.size() + size, kNaN);
      const auto row = rows.end() - static_cast<std::ptrdiff_t>(size);
      const auto it = std::find_if(o.fields.begin(), o.fields.end(),
                                   [&](const FieldValue& v) { return v.name == field.name; });
      if (it == o.fields.end()) continue;
      if (it->shape.size() != shape.size())
        throw Error(fmt::format("sweep: field {} of point {} has rank {}, expected {}", field.name,
                                o.index, it->shape.size(), shape.size()));
      for (std::size_t d = 0; d < shape.size(); ++d)
        if (it->shape[d] > shape[d])
          throw Error(
              fmt::format("sweep: field {} of point {} exceeds the layout", field.name, o.index));
      // Copy the point's (smaller) block into the padded row, row-major.
      for (std::size_t flat = 0; flat < it->data.size(); ++flat) {
        std::size_t rest = flat, target = 0, stride = 1;
        for (std::size_t d = shape.size(); d-- > 0;) {
          const std::size_t idx = rest % it->shape[d];
          rest /= it->shape[d];
          target += idx * stride;
          stride *= shape[d];
        }
        row[static_cast<std::ptrdiff_t>(target)] = it->data[flat];
      }
    }
    h5.writeRealsRows("/" + field.name, done, rows);
  }
  h5.writeRealsRows("/provenance/point_wall_s", indices, wall_s);
  h5.writeIntsAt("/provenance/point_rank", indices, rank);
}

std::vector<std::size_t> assignShards(const std::vector<double>& costs, std::size_t count) {
  std::vector<std::size_t> order(costs.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return costs[a] > costs[b]; });
  std::vector<double> load(std::max<std::size_t>(count, 1), 0.0);
  std::vector<std::size_t> shard(costs.size(), 0);
  for (const std::size_t k : order) {
    const auto least = static_cast<std::size_t>(std::min_element(load.begin(), load.end()) - load.begin());
    shard[k] = least;
    load[least] += costs[k];
  }
  return shard;
}

void writeCounts(io::H5File& h5, const Counts& c) {
  h5.setAttribute("/", "points_done", static_cast<std::int64_t>(c.done));
  h5.setAttribute("/", "points_failed", static_cast<std::int64_t>(c.failed));
  h5.setAttribute("/", "points_pending", static_cast<std::int64_t>(c.pending));
}

}  // namespace xbarsim::sweep
