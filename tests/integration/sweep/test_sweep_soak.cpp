// SPDX-License-Identifier: MIT
// Soak (issue "Reliability", item 4): a 24-hour batch job scaled down to minutes. One
// `xbarsim sweep` process computes 2400 points through ngspice (W_eff, a sneak-path read and two
// MVMs per point; one point in 40 fails on purpose), while the test samples its resident memory
// from /proc/<pid>/status. Memory must not grow: the peak over the last fifth of the run may
// exceed the peak over [20 %, 30 %] of the run by less than 5 MB. Labelled `slow`.
#define BOOST_TEST_MODULE sweep_soak
#include <fmt/format.h>

#include <boost/test/unit_test.hpp>
#include <algorithm>
#include <chrono>
#include <fstream>
#include <thread>

#include "process_memory.hpp"
#include "sweep_test_util.hpp"

using namespace xbarsim::test;

namespace {

long peakOf(const std::vector<long>& samples, double from, double to) {
  const auto n = static_cast<double>(samples.size());
  const auto first = samples.begin() + static_cast<std::ptrdiff_t>(from * n);
  const auto last = samples.begin() + static_cast<std::ptrdiff_t>(to * n);
  return first < last ? *std::max_element(first, last) : 0;
}

}  // namespace

BOOST_AUTO_TEST_CASE(long_sweep_keeps_memory_flat) {
  TempDir dir;
  // 60 seeds x 40 read voltages; v_read_v = 90 V overflows the sinh cells (a failing point).
  std::string voltages, seeds;
  for (int k = 0; k < 40; ++k) voltages += fmt::format("{}{}", k ? ", " : "", k == 17 ? 90.0 : 0.05 + 0.005 * k);
  for (int k = 1; k <= 60; ++k) seeds += fmt::format("{}{}", k > 1 ? ", " : "", k);
  writeText(dir / "soak.toml",
            fmt::format("[array]\nrows = 8\ncols = 8\nr_row_ohm = 2.5\nr_col_ohm = 2.5\n"
                        "[device]\nmodel = \"sinh\"\n[sweep]\nmode = \"product\"\nmvm_inputs = 2\n"
                        "\"run.seed\" = [{}]\n\"read.v_read_v\" = [{}]\n",
                        seeds, voltages));
  const std::string cmd = fmt::format("cd '{}' && XBARSIM_NO_MPI=1 exec '{}' sweep -c soak.toml -o soak.h5 -q",
                                      dir.path().string(), xbarsimBinary());
  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::execl("/bin/sh", "sh", "-c", cmd.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  std::vector<long> samples;
  int status = 0;
  while (::waitpid(pid, &status, WNOHANG) == 0) {
    if (const long kib = rssKiB(pid); kib > 0) samples.push_back(kib);
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  BOOST_REQUIRE(WIFEXITED(status));
  BOOST_TEST(WEXITSTATUS(status) == 4);  // finished, with the 60 intended failures
  BOOST_REQUIRE_GE(samples.size(), 50u);
  const long early = peakOf(samples, 0.2, 0.3);
  const long late = peakOf(samples, 0.8, 1.0);
  BOOST_TEST_MESSAGE(fmt::format(
      "2400-point sweep in {:.0f} s; VmRSS peak over [20 %, 30 %] of the run {} KiB, over the last "
      "20 % {} KiB: growth {} KiB ({} samples)",
      seconds, early, late, late - early, samples.size()));
  BOOST_TEST(late - early < 5 * 1024);

  const auto h5 = xbarsim::io::H5File::openReadOnly(dir / "soak.h5");
  const auto point_status = h5.readInts("/status");
  BOOST_TEST(point_status.size() == 2400u);
  BOOST_TEST(std::count(point_status.begin(), point_status.end(), 1) == 2340);
  BOOST_TEST(h5.readIntAttribute("/", "points_failed") == 60);
}
