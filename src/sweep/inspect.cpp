// SPDX-License-Identifier: MIT
// xbarsim inspect: a summary of a result file for people (h5py/xarray for everything else).
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <sstream>

#include "xbarsim/core/error.hpp"
#include "xbarsim/core/numbers.hpp"
#include "xbarsim/io/hdf5_file.hpp"
#include "xbarsim/sweep/runner.hpp"
#include "xbarsim/sweep/sweep_file.hpp"
#include "xbarsim/sweep/spec.hpp"

namespace xbarsim::sweep {
namespace {

std::vector<std::string> lines(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> out;
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

std::string attr(const io::H5File& h5, const std::string& object, const std::string& name) {
  if (!h5.hasAttribute(object, name)) return "";
  try {
    return h5.readStringAttribute(object, name);
  } catch (const IoError&) {
    try {
      return fmt::format("{}", h5.readIntAttribute(object, name));
    } catch (const IoError&) {
      return formatExact(h5.readDoubleAttribute(object, name));
    }
  }
}

std::string shapeText(const std::vector<std::size_t>& dims) {
  return dims.empty() ? "()" : fmt::format("({})", fmt::join(dims, ", "));
}

/// Lines of `toml` that differ from the defaults (with their section headers).
std::string nonDefault(const std::string& toml) {
  const std::vector<std::string> defaults = lines(core::Config::defaults(sweepSchema()).toToml());
  std::string section, out;
  bool section_printed = false;
  for (const std::string& line : lines(toml)) {
    if (line.empty()) continue;
    if (line.front() == '[') {
      section = line;
      section_printed = false;
      continue;
    }
    const bool is_default = std::find(defaults.begin(), defaults.end(), line) != defaults.end() &&
                            section.rfind("[sweep", 0) != 0;
    if (is_default) continue;
    if (!section_printed) out += "  " + section + "\n";
    section_printed = true;
    out += "    " + line + "\n";
  }
  return out;
}

}  // namespace

void inspectFile(const std::filesystem::path& file, std::FILE* out, bool full_config) {
  // A file that is not HDF5 (or not readable as such) is bad input: exit 1, one line.
  const auto h5 = [&] {
    try {
      return io::H5File::openReadOnly(file);
    } catch (const IoError& e) {
      throw ConfigError(file.string(), 0, "",
                        fmt::format("not a readable HDF5 file: {}", e.what()));
    }
  }();
  const std::string command = attr(h5, "/", "command");
  fmt::print(out, "{}: xbarsim {} result (xbarsim {}, created {}, backend {})\n", file.string(),
             command.empty() ? "?" : command, attr(h5, "/", "xbarsim_version"), attr(h5, "/", "created"),
             attr(h5, "/", "backend"));
  fmt::print(out, "command line: {}\n", attr(h5, "/", "command_line"));
  if (h5.hasAttribute("/config", "toml")) {
    const std::string toml = h5.readStringAttribute("/config", "toml");
    if (full_config) {
      fmt::print(out, "config:\n{}", toml);
    } else {
      fmt::print(out, "config (keys that differ from the defaults; --full-config prints all):\n{}",
                 nonDefault(toml));
    }
  }
  if (command != "sweep" || !h5.exists("/status")) {
    fmt::print(out, "datasets:\n");
    for (const std::string& name : h5.listGroup("/")) {
      if (name == "config" || name == "provenance") continue;
      if (!h5.exists("/" + name)) continue;
      try {
        const auto dims = h5.shape("/" + name);
        std::string line = fmt::format("  {:<24} {:<14} {}", name, shapeText(dims), attr(h5, "/" + name, "units"));
        if (dims.empty()) line += fmt::format("  = {:.6g}", h5.readScalar("/" + name));
        fmt::print(out, "{}\n", line);
      } catch (const IoError&) {
        fmt::print(out, "  {}/\n", name);
      }
    }
    return;
  }
  const auto status = h5.readInts("/status");
  const std::size_t n = status.size();
  const auto count = [&](std::int64_t code) {
    return static_cast<std::size_t>(std::count(status.begin(), status.end(), code));
  };
  std::size_t done = count(1), failed = count(2), pending = count(0);
  std::string shard;
  if (h5.hasAttribute("/", "shard_index")) {
    // A shard holds its own share of the points; its counts are the root attributes.
    done = static_cast<std::size_t>(h5.readIntAttribute("/", "points_done"));
    failed = static_cast<std::size_t>(h5.readIntAttribute("/", "points_failed"));
    pending = static_cast<std::size_t>(h5.readIntAttribute("/", "points_pending"));
    shard = fmt::format(" in shard {}/{} ({} in other shards)", attr(h5, "/", "shard_index"),
                        attr(h5, "/", "shard_count"), n - done - failed - pending);
  }
  fmt::print(out, "sweep job {}: {} points{}: {} done, {} failed, {} pending\n", attr(h5, "/", "sweep_job"), n,
             shard, done, failed, pending);
  fmt::print(out, "axes:\n");
  for (const std::string& axis : splitNames(attr(h5, "/", "sweep_axes"))) {
    std::vector<std::string> values;
    try {
      std::set<double> unique;
      for (const double x : h5.readReals("/" + axis)) unique.insert(x);
      for (const double x : unique) values.push_back(formatExact(x));
    } catch (const IoError&) {
      std::set<std::string> unique;
      for (const auto& s : h5.readStrings("/" + axis)) unique.insert(s);
      values.assign(unique.begin(), unique.end());
    }
    const std::size_t shown = std::min<std::size_t>(values.size(), 10);
    const std::string tied = attr(h5, "/" + axis, "sweep_tied");
    fmt::print(out, "  {}{} ({}): {} value{}: {}{}\n", axis,
               tied.empty() ? "" : " [tied: " + tied + "]", attr(h5, "/" + axis, "units"),
               values.size(), values.size() == 1 ? "" : "s",
               fmt::join(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(shown), ", "),
               values.size() > shown ? ", ..." : "");
  }
  fmt::print(out, "results (over done points):\n");
  for (const std::string& field : splitNames(attr(h5, "/", "sweep_fields"))) {
    std::vector<std::size_t> dims;
    const std::vector<double> data = h5.readReals("/" + field, &dims);
    const std::string units = attr(h5, "/" + field, "units");
    if (dims.size() == 1) {
      double lo = INFINITY, hi = -INFINITY, sum = 0;
      std::size_t m = 0;
      for (std::size_t k = 0; k < n; ++k)
        if (status[k] == 1 && std::isfinite(data[k])) {
          lo = std::min(lo, data[k]);
          hi = std::max(hi, data[k]);
          sum += data[k];
          ++m;
        }
      if (m == 0) fmt::print(out, "  {:<24} {:<4} no values yet\n", field, units);
      else
        fmt::print(out, "  {:<24} {:<4} min {:.4g}  mean {:.4g}  max {:.4g}\n", field, units, lo,
                   sum / static_cast<double>(m), hi);
    } else {
      fmt::print(out, "  {:<24} {:<4} shape {} (point, {})\n", field, units, shapeText(dims),
                 attr(h5, "/" + field, "long_name"));
    }
  }
  if (count(2) > 0) {
    const auto messages = h5.readStrings("/message");
    const auto configs = h5.readStrings("/point_config");
    fmt::print(out, "failed points:\n");
    std::size_t shown = 0;
    for (std::size_t k = 0; k < n && shown < 10; ++k)
      if (status[k] == 2) {
        fmt::print(out, "  point {}: {}\n", k, messages[k]);
        ++shown;
      }
  }
  if (h5.hasAttribute("/provenance", "wall_time_s"))
    fmt::print(out, "provenance: {} s wall time, {} {} ({}), host {}\n", attr(h5, "/provenance", "wall_time_s"),
               attr(h5, "/provenance", "ranks"), "processes", attr(h5, "/provenance", "runner"),
               attr(h5, "/provenance", "host"));
}

}  // namespace xbarsim::sweep
