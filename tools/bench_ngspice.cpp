// SPDX-License-Identifier: MIT
// Timings of the ngspice backend per array size: one operating point, and full W_eff by each
// method (dc-sweep selector, alter + op, ac). Wall and process CPU seconds, one run each.
//
//   build/tools/bench_ngspice [N ...]            (default 8 16 32 48 64)
//   build/tools/bench_ngspice --max-alter 32 ... (skip alter+op/ac above this size)
#include <fmt/format.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

#include "xbarsim/circuit/crossbar_spec.hpp"
#include "xbarsim/core/rng.hpp"
#include "xbarsim/extract/ngspice_backend.hpp"

namespace {

using xbarsim::extract::NgspiceBackend;
using xbarsim::extract::NgspiceWeightMethod;

double cpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

double peakRssMb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

xbarsim::circuit::CrossbarSpec benchSpec(Eigen::Index n) {
  xbarsim::circuit::CrossbarSpec spec;
  spec.rows = spec.cols = n;
  spec.r_row_ohm = spec.r_col_ohm = 2.5;
  spec.g_s.resize(n, n);
  xbarsim::RngStream rng(1, xbarsim::StreamPurpose::Conductances);
  for (Eigen::Index i = 0; i < n; ++i)
    for (Eigen::Index j = 0; j < n; ++j) spec.g_s(i, j) = rng.uniform(1e-6, 25e-6);
  return spec;
}

template <typename F>
std::pair<double, double> timed(F&& f) {
  const auto wall = std::chrono::steady_clock::now();
  const double cpu = cpuSeconds();
  f();
  return {std::chrono::duration<double>(std::chrono::steady_clock::now() - wall).count(),
          cpuSeconds() - cpu};
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<Eigen::Index> sizes;
  Eigen::Index max_alter = 32;
  for (int k = 1; k < argc; ++k) {
    const std::string arg = argv[k];
    if (arg == "--help" || arg == "-h") {
      fmt::print("usage: bench_ngspice [--max-alter N] [N ...]\n");
      return 0;
    }
    if (arg == "--max-alter" && k + 1 < argc) {
      max_alter = std::atol(argv[++k]);
      continue;
    }
    sizes.push_back(std::atol(arg.c_str()));
  }
  if (sizes.empty()) sizes = {8, 16, 32, 48, 64};
  fmt::print("{:>5} | {:>18} | {:>18} | {:>18} | {:>18} | {:>9}\n", "N", "op wall/cpu s",
             "W_eff dc-sweep s", "W_eff alter+op s", "W_eff ac s", "peak MB");
  for (const Eigen::Index n : sizes) {
    const auto spec = benchSpec(n);
    const Eigen::VectorXd x = Eigen::VectorXd::Constant(n, 0.2);
    const auto op = timed([&] { (void)NgspiceBackend().currents(spec, x); });
    const auto sweep = timed([&] { (void)NgspiceBackend(NgspiceWeightMethod::DcSweep).effectiveWeights(spec, 0.2); });
    std::string alter = "-", ac = "-";
    if (n <= max_alter) {
      const auto a = timed([&] { (void)NgspiceBackend(NgspiceWeightMethod::AlterOp).effectiveWeights(spec, 0.2); });
      const auto c = timed([&] { (void)NgspiceBackend(NgspiceWeightMethod::Ac).effectiveWeights(spec, 0.2); });
      alter = fmt::format("{:.3f}/{:.3f}", a.first, a.second);
      ac = fmt::format("{:.3f}/{:.3f}", c.first, c.second);
    }
    fmt::print("{:>5} | {:>18} | {:>18} | {:>18} | {:>18} | {:>9.1f}\n", n,
               fmt::format("{:.3f}/{:.3f}", op.first, op.second),
               fmt::format("{:.3f}/{:.3f}", sweep.first, sweep.second), alter, ac, peakRssMb());
    std::fflush(stdout);
  }
  return 0;
}
