// SPDX-License-Identifier: MIT
// ngspice on every core (spice::Pool): a W_eff extraction split over several workers gives the
// same bits as one worker; a worker that crashes fails only its own item and is replaced.
#include <fmt/format.h>

#include <boost/test/unit_test.hpp>
#include <atomic>
#include <cstring>
#include <vector>

#include "extract_test_util.hpp"
#include "xbarsim/core/error.hpp"
#include "xbarsim/extract/ngspice_backend.hpp"
#include "xbarsim/spice/pool.hpp"
#include "xbarsim/spice/session.hpp"

using xbarsim::circuit::CrossbarSpec;
using xbarsim::extract::NgspiceBackend;
using xbarsim::extract::NgspiceWeightMethod;
using xbarsim::spice::Pool;
using xbarsim::spice::Session;
using xbarsim::test::randomSpec;

namespace {

bool sameBits(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() &&
         std::memcmp(a.data(), b.data(), sizeof(double) * static_cast<std::size_t>(a.size())) == 0;
}

/// Restores the pool's worker count (the process default: one per core) at the end of a test.
struct WorkersGuard {
  ~WorkersGuard() { Pool::instance().setWorkers(0); }
};

constexpr const char* kOkDeck = "* ok\nv1 a 0 dc 1\nr1 a 0 2k\n.end\n";
constexpr const char* kCrashDeck = "* crash\n.func f(x) {f(x)+1}\nv1 a 0 dc 1\nr1 a 0 {f(1)}\n.end\n";

}  // namespace

BOOST_AUTO_TEST_SUITE(ngspice_pool)

BOOST_AUTO_TEST_CASE(weff_on_several_workers_has_the_bits_of_one_worker) {
  const WorkersGuard guard;
  Pool& pool = Pool::instance();
  // 50 rows: two dc-sweep blocks of 25 (their split depends on the array only); the ac
  // analyses split over the workers.
  CrossbarSpec linear = randomSpec(50, 5, 2.5, 4.0, 21);
  linear.r_driver_ohm = 20.0;
  CrossbarSpec sinh = randomSpec(7, 5, 2.5, 2.5, 22);
  sinh.iv = {xbarsim::device::IvKind::Sinh, 0.25};
  struct Case {
    const char* name;
    const CrossbarSpec* spec;
    NgspiceWeightMethod method;
  };
  for (const Case& c : {Case{"dc-sweep", &linear, NgspiceWeightMethod::DcSweep},
                        Case{"ac linear", &linear, NgspiceWeightMethod::Ac},
                        Case{"ac sinh", &sinh, NgspiceWeightMethod::Ac}}) {
    BOOST_TEST_CONTEXT(c.name) {
      pool.setWorkers(1);
      const Eigen::MatrixXd one = NgspiceBackend(c.method).effectiveWeights(*c.spec, 0.3).weff_s;
      for (const unsigned workers : {2U, 3U, 5U}) {
        pool.setWorkers(workers);
        BOOST_TEST(pool.workers() == workers);
        const Eigen::MatrixXd many = NgspiceBackend(c.method).effectiveWeights(*c.spec, 0.3).weff_s;
        BOOST_TEST(sameBits(one, many), "workers " << workers << ": max difference "
                                                   << (one - many).cwiseAbs().maxCoeff());
      }
    }
  }
  // The helpers really ran items: each has a worker process now.
  BOOST_TEST(pool.helperPids().size() >= 4U);
  for (const int pid : pool.helperPids()) BOOST_TEST(pid > 0);
}

BOOST_AUTO_TEST_CASE(items_run_once_each_and_the_lowest_failure_is_rethrown) {
  const WorkersGuard guard;
  Pool& pool = Pool::instance();
  pool.setWorkers(3);
  std::vector<std::atomic<int>> runs(40);
  pool.run(runs.size(), [&](std::size_t k, Session& session) {
    session.runDeck(kOkDeck, "op");
    BOOST_TEST_REQUIRE(session.realVector("v1#branch").front() == -5e-4);  // 1 V / 2 kΩ
    ++runs[k];
  });
  for (const auto& r : runs) BOOST_TEST(r.load() == 1);
  BOOST_CHECK_EXCEPTION(pool.run(6,
                                 [&](std::size_t k, Session&) {
                                   if (k == 2 || k == 4) throw xbarsim::Error(fmt::format("item {}", k));
                                 }),
                        xbarsim::Error, [](const xbarsim::Error& e) { return std::string(e.what()) == "item 2"; });
}

BOOST_AUTO_TEST_CASE(a_crashing_worker_fails_its_item_only_and_is_replaced) {
  const WorkersGuard guard;
  Pool& pool = Pool::instance();
  pool.setWorkers(2);
  const unsigned before = pool.helperRestarts() + Session::instance().restarts();
  std::vector<std::atomic<int>> done(2);
  BOOST_CHECK_EXCEPTION(
      pool.run(2,
               [&](std::size_t k, Session& session) {
                 session.runDeck(k == 0 ? kCrashDeck : kOkDeck, "op");
                 ++done[k];
               }),
      xbarsim::spice::WorkerError,
      [](const xbarsim::spice::WorkerError& e) {
        return std::string(e.what()).find("ngspice crashed (killed by SIGSEGV") != std::string::npos;
      });
  BOOST_TEST(done[0].load() == 0);
  BOOST_TEST(done[1].load() == 1);  // the other worker's item finished
  BOOST_TEST(pool.helperRestarts() + Session::instance().restarts() == before + 1);
  // Every worker serves again: a W_eff over both gives the one-worker bits.
  const CrossbarSpec spec = randomSpec(6, 4, 2.5, 2.5, 23);
  const NgspiceBackend ac(NgspiceWeightMethod::Ac);
  const Eigen::MatrixXd two = NgspiceBackend(ac).effectiveWeights(spec, 0.2).weff_s;
  pool.setWorkers(1);
  BOOST_TEST(sameBits(two, NgspiceBackend(ac).effectiveWeights(spec, 0.2).weff_s));
}

BOOST_AUTO_TEST_CASE(workers_from_the_environment) {
  ::setenv("XBARSIM_NGSPICE_WORKERS", "4", 1);
  BOOST_TEST(Pool::resolveWorkers(2) == 4U);
  ::setenv("XBARSIM_NGSPICE_WORKERS", "two", 1);
  BOOST_CHECK_THROW((void)Pool::resolveWorkers(2), xbarsim::Error);
  ::unsetenv("XBARSIM_NGSPICE_WORKERS");
  BOOST_TEST(Pool::resolveWorkers(2) == 2U);
}

BOOST_AUTO_TEST_SUITE_END()
