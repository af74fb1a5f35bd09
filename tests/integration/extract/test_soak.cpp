// SPDX-License-Identifier: MIT
// Long run (issue "Reliability", item 4): 10 000 crossbar circuits through the ngspice backend
// in one process. Every circuit is new (fresh conductances, inputs and read mode), every result
// is checked against the native solver, and resident memory must stay flat: < 5 MB of growth
// from the end of the warm-up to the end of the run. Labelled `slow` (about 3 minutes).
#define BOOST_TEST_MODULE extract_soak
#include <fmt/format.h>

#include <boost/test/unit_test.hpp>
#include <chrono>

#include "process_memory.hpp"
#include "run_command.hpp"
#include "xbarsim/core/rng.hpp"
#include "xbarsim/extract/native_backend.hpp"
#include "xbarsim/extract/ngspice_backend.hpp"

using xbarsim::circuit::CrossbarSpec;
using Eigen::Index;
using xbarsim::test::maxRelativeError;

namespace {

constexpr int kCircuits = 10'000;
constexpr int kWarmup = 200;

/// Circuit k of the run: an 8×8 crossbar with wires, its own conductances and inputs.
CrossbarSpec soakSpec(int k) {
  CrossbarSpec spec;
  spec.rows = 8;
  spec.cols = 8;
  spec.r_row_ohm = 1.0 + 0.5 * (k % 7);
  spec.r_col_ohm = 2.0 + 0.25 * (k % 5);
  spec.r_driver_ohm = (k % 3 == 0) ? 0.0 : 10.0;
  spec.g_s.resize(spec.rows, spec.cols);
  xbarsim::RngStream rng(2026, xbarsim::StreamPurpose::Conductances, static_cast<std::uint64_t>(k));
  for (Index i = 0; i < spec.rows; ++i)
    for (Index j = 0; j < spec.cols; ++j) spec.g_s(i, j) = rng.uniform(1e-6, 100e-6);
  return spec;
}

}  // namespace

BOOST_AUTO_TEST_CASE(ten_thousand_ngspice_circuits_keep_memory_flat) {
  xbarsim::extract::NgspiceBackend ngspice;
  xbarsim::extract::NativeBackend native;
  long rss_after_warmup = 0;
  long rss_peak = 0;
  double worst_error = 0.0;
  const auto start = std::chrono::steady_clock::now();
  for (int k = 0; k < kCircuits; ++k) {
    const CrossbarSpec spec = soakSpec(k);
    if (k % 10 == 0) {  // every tenth circuit: W_eff (one-hot dc sweep), else one MVM (op)
      const auto weights = ngspice.effectiveWeights(spec, 0.2);
      worst_error = std::max(worst_error,
                             maxRelativeError(weights.weff_s, native.effectiveWeights(spec, 0.2).weff_s));
    } else {
      xbarsim::RngStream rng(2026, xbarsim::StreamPurpose::Inputs, static_cast<std::uint64_t>(k));
      Eigen::VectorXd x_v(spec.rows);
      for (Index i = 0; i < spec.rows; ++i) x_v[i] = rng.uniform(-0.3, 0.3);
      const auto currents = ngspice.currents(spec, x_v);
      worst_error = std::max(worst_error,
                             maxRelativeError(currents.currents_a, native.currents(spec, x_v).currents_a));
    }
    const long rss = xbarsim::test::rssKiB();
    if (k + 1 == kWarmup) rss_after_warmup = rss;
    if (k >= kWarmup) rss_peak = std::max(rss_peak, rss);
    if ((k + 1) % 2000 == 0)
      BOOST_TEST_MESSAGE(fmt::format("{:>6} circuits: VmRSS {} KiB", k + 1, rss));
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const long rss_end = xbarsim::test::rssKiB();
  BOOST_TEST_MESSAGE(fmt::format(
      "{} circuits (8x8 crossbar, wires; 1 in 10 a W_eff dc sweep, else an op) in {:.1f} s; "
      "VmRSS after {} warm-up circuits {} KiB, peak {} KiB, end {} KiB: growth {} KiB; "
      "worst ngspice/native relative difference {:.2e}",
      kCircuits, seconds, kWarmup, rss_after_warmup, rss_peak, rss_end, rss_end - rss_after_warmup,
      worst_error));
  BOOST_TEST(rss_after_warmup > 0);
  BOOST_TEST(rss_peak - rss_after_warmup < 5 * 1024);  // < 5 MB, measured at every circuit
  BOOST_TEST(worst_error < 1e-9);
}
