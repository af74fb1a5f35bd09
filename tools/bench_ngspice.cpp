// SPDX-License-Identifier: MIT
// Timings of the ngspice backend per array size: one operating point, and full W_eff by each
// method (dc-sweep selector, alter + op, ac). Wall and process CPU seconds, one run each.
//
//   build/tools/bench_ngspice [N ...]            (default 8 16 32 48 64)
//   build/tools/bench_ngspice --max-alter 32 ... (skip alter+op/ac above this size)
//   build/tools/bench_ngspice --overhead [N] [K]  (the worker process's cost: K W_eff
//     dc-sweep extractions of an N×N array through spice::Session, i.e. the worker, against
//     the same deck run and vector reads on libngspice in this process; default 32, 7)
//   build/tools/bench_ngspice --pool [N] [W] [K] [dc|ac|both]  (W_eff of an N×N array through
//     the pool of ngspice workers: 1 worker against W workers, K times each alternately, bitwise
//     compare, worker CPU times; default 48 2 3 both)
#include <fmt/format.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>

#include "spice/detail/engine.hpp"
#include "xbarsim/circuit/crossbar_netlist.hpp"
#include "xbarsim/circuit/crossbar_spec.hpp"
#include "xbarsim/spice/pool.hpp"
#include "xbarsim/spice/session.hpp"
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

/// CPU seconds (user + system) of process `pid` so far, from /proc (10 ms resolution).
double processCpuSeconds(int pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  std::istringstream fields(text.substr(text.rfind(')') + 2));
  std::string field;
  double ticks = 0.0;
  for (int k = 3; k <= 15 && fields >> field; ++k)
    if (k == 14 || k == 15) ticks += std::stod(field);
  return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

/// Worker first (it must be forked before libngspice is initialised in this process), then
/// the in-process engine on the same deck.
int overhead(Eigen::Index n, int repeats) {
  const auto spec = benchSpec(n);
  const auto start = timed([] { (void)xbarsim::spice::Session::instance().version(); });
  std::vector<double> worker, local;
  // One warm-up extraction starts the worker before libngspice is initialised here; then
  // the two alternate, so that the machine's load affects both alike.
  (void)NgspiceBackend(NgspiceWeightMethod::DcSweep).effectiveWeights(spec, 0.2);
  double init_s = 0.0;
  std::unique_ptr<xbarsim::spice::detail::Engine> engine;
  init_s = timed([&] { engine = std::make_unique<xbarsim::spice::detail::Engine>(); }).first;
  auto& session = xbarsim::spice::Session::instance();
  const int pid = session.workerPid();
  double worker_cpu = 0.0, local_cpu = 0.0;
  for (int k = 0; k < repeats; ++k) {
    const double child_before = processCpuSeconds(pid);
    const auto w = timed([&] {
      (void)NgspiceBackend(NgspiceWeightMethod::DcSweep).effectiveWeights(spec, 0.2);
    });
    worker.push_back(w.first);
    worker_cpu += w.second + processCpuSeconds(pid) - child_before;
    const auto l = timed([&] {
      xbarsim::circuit::NetlistOptions options;
      options.mode = xbarsim::circuit::InputMode::OneHotSweep;
      options.v_read_v = 0.2;
      options.control_block = false;
      const std::string deck = xbarsim::circuit::crossbarNetlist(spec, options);
      engine->runDeck(deck, {fmt::format("dc vsel 0 {} 1", n - 1)});
      for (Eigen::Index j = 0; j < n; ++j)
        (void)engine->realVector(xbarsim::circuit::outputCurrentVector(j));
    });
    local.push_back(l.first);
    local_cpu += l.second;
  }
  // The round trip of one call (a vector of N values) in isolation.
  const std::string probe = xbarsim::circuit::outputCurrentVector(0);
  session.loadCircuit("* probe\nv1 out 0 1\nr1 out 0 1k\n.end\n");
  session.command("op");
  constexpr int kCalls = 2000;
  const double call_s = timed([&] {
    for (int k = 0; k < kCalls; ++k) (void)session.realVector("v1#branch");
  }).first / kCalls;
  session.clear();
  const double w = median(worker);
  const double l = median(local);
  fmt::print("W_eff dc-sweep {}x{}, median of {}: worker {:.4f} s, in-process {:.4f} s, "
             "overhead {:+.2f} % ({:+.2f} ms per extraction)\n",
             n, n, repeats, w, l, 100.0 * (w - l) / l, 1e3 * (w - l));
  fmt::print("CPU (worker + parent vs in-process), total of {}: {:.3f} s vs {:.3f} s, overhead {:+.2f} %\n",
             repeats, worker_cpu, local_cpu, 100.0 * (worker_cpu - local_cpu) / local_cpu);
  fmt::print("one call's round trip: {:.1f} us; an extraction makes {} calls: {:.3f} ms = {:.3f} % "
             "of the in-process time\n",
             1e6 * call_s, n + 1, 1e3 * call_s * static_cast<double>(n + 1),
             100.0 * call_s * static_cast<double>(n + 1) / l);
  fmt::print("worker start (fork + ngSpice_Init, once per process and after a crash): {:.4f} s; "
             "ngSpice_Init in-process {:.4f} s\n",
             start.first, init_s);
  return 0;
}

std::string loadAverage() {
  std::ifstream in("/proc/loadavg");
  double a = 0, b = 0, c = 0;
  in >> a >> b >> c;
  return fmt::format("{:.2f} {:.2f} {:.2f}", a, b, c);
}

/// W_eff through 1 worker and through `workers`, alternately; identical bits required.
int pool(Eigen::Index n, unsigned workers, int repeats, const std::string& which) {
  if (workers < 2) {
    fmt::print(stderr, "bench_ngspice --pool: compare with at least 2 workers\n");
    return 1;
  }
  const auto spec = benchSpec(n);
  auto& pool = xbarsim::spice::Pool::instance();
  int status = 0;
  for (const auto method : {NgspiceWeightMethod::DcSweep, NgspiceWeightMethod::Ac}) {
    const char* name = method == NgspiceWeightMethod::Ac ? "ac" : "dc-sweep";
    if (which != "both" && which != (method == NgspiceWeightMethod::Ac ? "ac" : "dc")) continue;
    Eigen::MatrixXd reference;
    std::vector<double> one, many, one_cpu, many_cpu;
    pool.setWorkers(workers);  // warm-up: starts every worker
    (void)NgspiceBackend(method).effectiveWeights(benchSpec(4), 0.2);
    fmt::print("load average before: {}\n", loadAverage());
    if (method == NgspiceWeightMethod::DcSweep) {
      // The whole sweep in one deck run (one ordering), as before the blocks: its CPU time is
      // what blocks add to a one-worker extraction.
      auto& session = xbarsim::spice::Session::instance();
      xbarsim::circuit::NetlistOptions options;
      options.mode = xbarsim::circuit::InputMode::OneHotSweep;
      options.v_read_v = 0.2;
      options.control_block = false;
      const std::string deck = xbarsim::circuit::crossbarNetlist(spec, options);
      const int pid = session.workerPid();
      const double before = processCpuSeconds(pid);
      const double wall = timed([&] {
        session.runDeck(deck, fmt::format("dc vsel 0 {} 1", n - 1));
      }).first;
      fmt::print("one dc sweep over all {} rows (one block): {:.3f} s wall, worker CPU {:.3f} s\n",
                 n, wall, processCpuSeconds(pid) - before);
      session.clear();
    }
    for (int k = 0; k < repeats; ++k)
      for (const unsigned w : {1U, workers}) {
        pool.setWorkers(w);
        Eigen::MatrixXd weff;
        // CPU seconds of every worker during the run: the longest is the critical path on an
        // idle machine with one core per worker, whatever the load of a shared one.
        std::vector<int> pids = pool.helperPids();
        pids.insert(pids.begin(), xbarsim::spice::Session::instance().workerPid());
        std::vector<double> cpu_before;
        for (const int pid : pids) cpu_before.push_back(pid > 0 ? processCpuSeconds(pid) : 0.0);
        const auto t = timed([&] { weff = NgspiceBackend(method).effectiveWeights(spec, 0.2).weff_s; });
        // A worker that started during the run (none before it) counts all of its CPU time.
        std::vector<int> pids_after = pool.helperPids();
        pids_after.insert(pids_after.begin(), xbarsim::spice::Session::instance().workerPid());
        double cpu_sum = 0.0, cpu_max = 0.0;
        for (std::size_t q = 0; q < pids_after.size(); ++q) {
          if (pids_after[q] <= 0) continue;
          const bool same = q < pids.size() && pids[q] == pids_after[q];
          const double used = processCpuSeconds(pids_after[q]) - (same ? cpu_before[q] : 0.0);
          cpu_sum += used;
          cpu_max = std::max(cpu_max, used);
        }
        (w == 1 ? one : many).push_back(t.first);
        (w == 1 ? one_cpu : many_cpu).push_back(cpu_max);
        if (reference.size() == 0) reference = weff;
        const bool same = weff.size() == reference.size() &&
                          std::memcmp(weff.data(), reference.data(),
                                      sizeof(double) * static_cast<std::size_t>(weff.size())) == 0;
        if (!same) status = 1;
        fmt::print("W_eff {} {}x{} on {} worker(s): {:.3f} s wall, xbarsim CPU {:.3f} s, worker "
                   "CPU {:.3f} s total, {:.3f} s the busiest{}\n",
                   name, n, n, w, t.first, t.second, cpu_sum, cpu_max,
                   same ? ", identical bits" : ", DIFFERENT from the first run");
        std::fflush(stdout);
      }
    fmt::print("W_eff {} {}x{}: median {:.3f} s on 1 worker, {:.3f} s on {}: {:.2f}x faster "
               "(wall); busiest worker's CPU {:.3f} s vs {:.3f} s: {:.2f}x; load average after: "
               "{}\n",
               name, n, n, median(one), median(many), workers, median(one) / median(many),
               median(one_cpu), median(many_cpu), median(one_cpu) / median(many_cpu),
               loadAverage());
  }
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 2 && std::string(argv[1]) == "--pool")
    return pool(argc >= 3 ? std::atol(argv[2]) : 48,
                argc >= 4 ? static_cast<unsigned>(std::atoi(argv[3])) : 2U,
                argc >= 5 ? std::atoi(argv[4]) : 3, argc >= 6 ? argv[5] : "both");
  if (argc >= 2 && std::string(argv[1]) == "--overhead")
    return overhead(argc >= 3 ? std::atol(argv[2]) : 32, argc >= 4 ? std::atoi(argv[3]) : 7);
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
