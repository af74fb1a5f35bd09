// SPDX-License-Identifier: MIT
#include "xbarsim/extract/memory_estimate.hpp"

#include <fmt/format.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <fstream>
#include <sstream>

#include "xbarsim/core/error.hpp"
#include "xbarsim/circuit/sense_amp.hpp"
#include "xbarsim/device/registry.hpp"

namespace xbarsim::extract {
namespace {

constexpr double kDouble = 8.0;

/// First number of the /proc/meminfo line `key` ("MemAvailable:   23258924 kB"), in bytes.
double meminfoBytes(const std::string& key) {
  std::ifstream in("/proc/meminfo");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(key + ":", 0) != 0) continue;
    std::istringstream fields(line.substr(key.size() + 1));
    double kb = 0.0;
    if (fields >> kb) return kb * 1024.0;
  }
  return -1.0;
}

/// cgroup v2 memory.max of this process's cgroup minus its current use; -1 if unlimited/none.
double cgroupHeadroomBytes() {
  std::ifstream max_file("/sys/fs/cgroup/memory.max");
  std::string max_text;
  if (!(max_file >> max_text) || max_text == "max") return -1.0;
  std::ifstream current_file("/sys/fs/cgroup/memory.current");
  double current = 0.0;
  current_file >> current;
  try {
    return std::max(0.0, std::stod(max_text) - current);
  } catch (const std::exception&) {
    return -1.0;
  }
}

std::string backendName(std::string_view backend) {
  if (backend == "native") return "the native solver";
  if (backend == "ngspice") return "ngspice";
  if (backend == "netlist") return "the netlist";
  return std::string(backend);
}

}  // namespace

ArrayShape arrayShapeOf(const core::Config& config, bool weights) {
  ArrayShape shape;
  shape.weights = weights;
  shape.rows = config.integer("array.rows");
  shape.cols = config.integer("array.cols");
  shape.linear = device::modelKinds().get(config.string("device.model")).linearRead() &&
                 circuit::senseAmpKinds().get(config.string("sense.kind")).linear;
  shape.ideal_wires = config.real("array.r_row_ohm") == 0.0 || config.real("array.r_col_ohm") == 0.0;
  return shape;
}

double estimateMemoryBytes(const ArrayShape& shape, std::string_view backend) {
  const double r = static_cast<double>(shape.rows);
  const double c = static_cast<double>(shape.cols);
  const double sites = r * c;
  if (backend == "netlist") return kDouble * 2.0 * sites + 200.0 * sites;
  const double common = kDouble * 8.0 * sites;  // conductances, Jacobian, W_eff and copies
  if (backend == "ngspice") {
    const double sweep = shape.linear && shape.weights ? kDouble * 2.0 * sites * r : kDouble * 4.0 * sites;
    return common + 4096.0 * sites + sweep;
  }
  // native
  if (shape.ideal_wires)
    return common + kDouble * 64.0 * sites + kDouble * std::min(sites + c, 16777216.0);
  const double front = r + c + std::min(r, c);
  double bytes = common + kDouble * 6.0 * front * front;
  if (!shape.linear) bytes += kDouble * 16.0 * sites * std::log2(std::max({r, c, 2.0}));
  return bytes;
}

double availableMemoryBytes() {
  double bytes = meminfoBytes("MemAvailable");
  if (bytes < 0.0) {
    const long pages = ::sysconf(_SC_PHYS_PAGES);
    const long page = ::sysconf(_SC_PAGESIZE);
    bytes = pages > 0 && page > 0 ? static_cast<double>(pages) * static_cast<double>(page) : 0.0;
  }
  if (const double cgroup = cgroupHeadroomBytes(); cgroup >= 0.0) bytes = std::min(bytes, cgroup);
  rlimit limit{};
  if (::getrlimit(RLIMIT_AS, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY)
    bytes = std::min(bytes, static_cast<double>(limit.rlim_cur));
  return bytes;
}

std::string formatBytes(double bytes) {
  static constexpr std::array<const char*, 7> kUnits{"bytes", "kB", "MB", "GB", "TB", "PB", "EB"};
  std::size_t unit = 0;
  while (bytes >= 1024.0 && unit + 1 < kUnits.size()) {
    bytes /= 1024.0;
    ++unit;
  }
  return unit == 0 ? fmt::format("{:.0f} bytes", bytes)
                   : fmt::format("{:.{}f} {}", bytes, bytes < 10.0 ? 1 : 0, kUnits[unit]);
}

void checkArrayMemory(const core::Config& config, std::string_view backend, bool weights,
                      double available_bytes) {
  const ArrayShape shape = arrayShapeOf(config, weights);
  const double need = estimateMemoryBytes(shape, backend);
  const double have = available_bytes >= 0.0 ? available_bytes : availableMemoryBytes();
  if (need <= have) return;
  config.fail("array.rows",
              fmt::format("array {}x{}: needs about {} with {}; this machine has {} available; "
                          "reduce array.rows / array.cols",
                          shape.rows, shape.cols, formatBytes(need), backendName(backend),
                          formatBytes(have)));
}

}  // namespace xbarsim::extract
