// SPDX-License-Identifier: MIT
// A sweep killed at random moments (SIGKILL, SIGINT, SIGTERM, SIGHUP) always leaves a sweep
// file that reads whole (h5py and the HDF5 C API), with status consistent with the counts and
// the data, no temporary after a catchable signal, and a --resume that completes with the
// results of an uninterrupted run. XBARSIM_KILLS sets the number of kills (default 3; the
// `slow` test runs 20). The file is updated after every point (XBARSIM_SWEEP_UPDATE_MS=0), so
// most kills land in or near an update.
#include <boost/test/unit_test.hpp>
#include <random>

#include "sweep_test_util.hpp"

namespace fs = std::filesystem;
using xbarsim::io::H5File;
using namespace xbarsim::test;

namespace {

int killCount() {
  const char* text = std::getenv("XBARSIM_KILLS");
  return text != nullptr ? std::atoi(text) : 3;
}

/// Starts the sweep, sends `sig` after `delay`; the process's wait status.
int runAndSignal(const fs::path& dir, const std::string& args, std::chrono::microseconds delay, int sig) {
  const pid_t pid = spawnXbarsim(dir, args, "XBARSIM_SWEEP_UPDATE_MS=0");
  std::this_thread::sleep_for(delay);
  ::kill(pid, sig);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return status;
}

std::vector<std::string> temporaries(const fs::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().filename().string().find(".tmp-") != std::string::npos) out.push_back(e.path().filename().string());
  return out;
}

/// "" if every root dataset reads through the C API and status agrees with the counts.
std::string readWholeWithCApi(const fs::path& file) {
  try {
    const auto h5 = H5File::openReadOnly(file);
    for (const auto& name : h5.listGroup("/")) {
      if (name == "config" || name == "provenance") continue;
      try {
        (void)h5.readReals("/" + name);
      } catch (const xbarsim::IoError&) {
        (void)h5.readStrings("/" + name);
      }
    }
    const auto status = h5.readInts("/status");
    const auto done = std::count(status.begin(), status.end(), 1);
    if (h5.readIntAttribute("/", "points_done") != done) return "points_done disagrees with status";
    return "";
  } catch (const std::exception& e) {
    return e.what();
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(sweep_kill)

BOOST_AUTO_TEST_CASE(killed_at_random_moments_leaves_a_whole_file_and_resumes) {
  TempDir dir;
  writeText(dir / "sweep.toml", wireBySizeConfig());
  // The reference, and the duration of a whole run with an update per point.
  const auto start = std::chrono::steady_clock::now();
  const auto ref = runCommand(fmt::format("cd '{}' && XBARSIM_NO_MPI=1 XBARSIM_SWEEP_UPDATE_MS=0 '{}' sweep -c sweep.toml -o ref.h5 2>&1",
                                          dir.path().string(), xbarsimBinary()));
  const auto run_us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start);
  BOOST_REQUIRE_MESSAGE(ref.status == 0, ref.output);

  const bool have_h5py = runCommand(fmt::format("/usr/bin/python3 '{}' '{}' 2>&1", XBARSIM_CHECK_SWEEP_PY,
                                                (dir / "ref.h5").string())).status == 0;
  BOOST_WARN_MESSAGE(have_h5py, "h5py is not available: files are read with the HDF5 C API only");

  std::mt19937 rng(20261207);
  const int kills = killCount();
  const std::array<int, 4> signals{SIGKILL, SIGINT, SIGTERM, SIGHUP};
  int hit = 0;
  for (int k = 0; k < kills; ++k) {
    // Every third kill a catchable signal; the moment uniform over the run (process start
    // included, so some land before the file exists).
    const int sig = k % 3 == 2 ? signals[1 + (k / 3) % 3] : SIGKILL;
    const auto delay = std::chrono::microseconds(std::uniform_int_distribution<long>(0, run_us.count())(rng));
    const std::string out = fmt::format("k{}.h5", k);
    const int status = runAndSignal(dir.path(), "sweep -c sweep.toml -o " + out, delay, sig);
    BOOST_TEST_CONTEXT("kill " << k << " signal " << sig << " after " << delay.count() << " us") {
      if (!WIFSIGNALED(status)) continue;  // finished before the signal: nothing to check
      ++hit;
      BOOST_TEST(WTERMSIG(status) == sig);  // catchable signals are re-raised after the cleanup
      if (sig != SIGKILL) BOOST_TEST(temporaries(dir.path()).empty());
      if (fs::exists(dir / out)) {
        BOOST_TEST(readWholeWithCApi(dir / out) == "");
        if (have_h5py) {
          const auto py = runCommand(fmt::format("/usr/bin/python3 '{}' '{}' 2>&1", XBARSIM_CHECK_SWEEP_PY,
                                                 (dir / out).string()));
          BOOST_TEST(py.status == 0, py.output);
        }
      }
      const auto resumed = runXbarsim(dir.path(), "sweep -c sweep.toml -q --resume -o " + out);
      BOOST_TEST(resumed.status == 0, resumed.output);
      if (resumed.status == 0) BOOST_TEST(compareSweepFiles(dir / "ref.h5", dir / out) == "");
      BOOST_TEST(temporaries(dir.path()).empty());  // a SIGKILL's leftover is removed by the resume
    }
  }
  BOOST_TEST_MESSAGE(fmt::format("{} of {} kills landed during the run ({} us)", hit, kills, run_us.count()));
  BOOST_TEST(hit >= 1);
}

BOOST_AUTO_TEST_CASE(a_second_sweep_on_the_same_output_is_refused) {
  // The running sweep holds its journal locked; a second writer must not truncate it or rename
  // its own versions over the first one's file.
  TempDir dir;
  writeText(dir / "sweep.toml", wireBySizeConfig());
  const pid_t first = spawnXbarsim(dir.path(), "sweep -q -c sweep.toml -o o.h5", "XBARSIM_SWEEP_UPDATE_MS=0");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  std::error_code ec;
  while (!(fs::exists(dir / "o.h5", ec) && fs::exists(dir / "o.h5.journal", ec)) &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  const auto second = runXbarsim(dir.path(), "sweep -q -c sweep.toml -o o.h5");
  int status = 0;
  const bool first_running = ::waitpid(first, &status, WNOHANG) == 0;
  ::kill(first, SIGKILL);
  ::waitpid(first, &status, 0);
  BOOST_REQUIRE_MESSAGE(first_running, "the first sweep finished before the second started");
  BOOST_TEST(second.status == 1, second.output);
  BOOST_TEST(second.output.find("another xbarsim sweep is writing this output") != std::string::npos, second.output);
  const auto resumed = runXbarsim(dir.path(), "sweep -q -c sweep.toml -o o.h5 --resume");
  BOOST_TEST(resumed.status == 0, resumed.output);
}

BOOST_AUTO_TEST_SUITE_END()
