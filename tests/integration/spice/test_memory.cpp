// SPDX-License-Identifier: MIT
// Reusing the session for many circuits keeps the ngspice worker's memory flat
// (docs/ngspice-notes.md §3.3).
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <string>

#include <fmt/format.h>

#include "spice_test_util.hpp"
#include "xbarsim/spice/session.hpp"

using xbarsim::spice::Session;

namespace {

/// n×n resistor mesh: node m<i>_<j>, horizontal and vertical resistors of varied value,
/// driven at the corner m0_0 by `v_in`, grounded at the opposite corner through 1 kΩ.
std::string mesh(int n, double v_in) {
  std::string netlist = fmt::format("* mesh {}x{}\nvin m0_0 0 dc {:.17g}\n", n, n, v_in);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) {
      if (j + 1 < n)
        netlist += fmt::format("rh{0}_{1} m{0}_{1} m{0}_{2} {3}\n", i, j, j + 1, 100 + 7 * ((i + j) % 5));
      if (i + 1 < n)
        netlist += fmt::format("rv{0}_{1} m{0}_{1} m{2}_{1} {3}\n", i, j, i + 1, 150 + 11 * ((i * j) % 3));
    }
  netlist += fmt::format("rload m{0}_{0} 0 1k\n.save v(m{0}_{0}) i(vin)\n.end\n", n - 1);
  return netlist;
}

}  // namespace

BOOST_AUTO_TEST_CASE(thousand_circuits_keep_memory_flat) {
  constexpr int kSize = 16;
  constexpr int kWarmup = 50;
  constexpr int kCircuits = 1000;
  Session& s = Session::instance();
  s.clear();
  const std::string probe = fmt::format("v(m{0}_{0})", kSize - 1);

  double reference = 0.0;  // v(out) at 1 V; the mesh is linear, so v(out) ∝ v_in
  long rss_after_warmup = 0;
  const auto start = std::chrono::steady_clock::now();
  for (int k = 0; k < kCircuits; ++k) {
    const double v_in = 1.0 + 0.001 * k;
    s.loadCircuit(mesh(kSize, v_in));
    s.command("op");
    const double v_out = s.realVector(probe).at(0);
    if (k == 0) reference = v_out / v_in;
    BOOST_TEST(v_out == reference * v_in, boost::test_tools::tolerance(1e-12));
    s.clear();
    (void)s.takeOutput();
    if (k + 1 == kWarmup) rss_after_warmup = xbarsim::test::rssKiB(s.workerPid());
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const long rss_end = xbarsim::test::rssKiB(s.workerPid());
  BOOST_TEST_MESSAGE(fmt::format(
      "{} circuits of a {}x{} resistor mesh ({} resistors) load+op+read+clear in {:.1f} s; "
      "VmRSS after {} warm-up circuits: {} KiB, at the end: {} KiB, growth {} KiB",
      kCircuits, kSize, kSize, 2 * kSize * (kSize - 1) + 1, seconds, kWarmup, rss_after_warmup,
      rss_end, rss_end - rss_after_warmup));
  BOOST_TEST(rss_after_warmup > 0);
  BOOST_TEST(rss_end - rss_after_warmup < 5 * 1024);  // < 5 MB
  BOOST_TEST(s.takeWarnings().empty());
}
