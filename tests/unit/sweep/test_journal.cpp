// SPDX-License-Identifier: MIT
// The journal: fsync'd records survive, a torn tail is dropped, a foreign journal is refused.
#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>

#include "run_command.hpp"
#include "xbarsim/core/error.hpp"
#include "xbarsim/sweep/journal.hpp"

namespace sw = xbarsim::sweep;
namespace fs = std::filesystem;

namespace {
sw::PointOutcome outcome(std::size_t index, bool ok) {
  sw::PointOutcome o;
  o.index = index;
  o.status = ok ? sw::PointStatus::Done : sw::PointStatus::Failed;
  o.message = ok ? "" : "ngspice: singular matrix";
  if (ok) o.fields = {{"weff", {2, 3}, {1, 2, 3, 4, 5, 6.5e-300}}, {"err", {}, {0.25}}};
  o.wall_s = 0.5;
  o.rank = 3;
  return o;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(journal)

BOOST_AUTO_TEST_CASE(serialize_round_trip) {
  const sw::PointOutcome a = outcome(7, true);
  const sw::PointOutcome b = sw::deserialize(sw::serialize(a));
  BOOST_TEST(b.index == 7u);
  BOOST_TEST(b.rank == 3);
  BOOST_REQUIRE(b.fields.size() == 2u);
  BOOST_TEST(b.fields[0].shape == a.fields[0].shape);
  BOOST_TEST(b.fields[0].data == a.fields[0].data);
  std::string bytes = sw::serialize(a);
  bytes.pop_back();
  BOOST_CHECK_THROW((void)sw::deserialize(bytes), xbarsim::Error);
}

BOOST_AUTO_TEST_CASE(torn_tail_dropped_and_appending_continues) {
  xbarsim::test::TempDir dir;
  const fs::path path = dir / "out.h5.journal";
  {
    auto j = sw::Journal::create(path, "fp", 10);
    j.append(outcome(0, true));
    j.append(outcome(3, false));
    j.append(outcome(3, true));  // retried: the later record wins
    j.append(outcome(5, true));
  }
  // A SIGKILL in the middle of the last write: cut 9 bytes.
  fs::resize_file(path, fs::file_size(path) - 9);
  std::vector<sw::PointOutcome> records;
  {
    auto j = sw::Journal::resume(path, "fp", 10, records);
    BOOST_REQUIRE(records.size() == 2u);
    BOOST_TEST(records[0].index == 0u);
    BOOST_TEST(records[1].index == 3u);
    BOOST_TEST((records[1].status == sw::PointStatus::Done));
    j.append(outcome(9, false));
  }
  auto j = sw::Journal::resume(path, "fp", 10, records);
  BOOST_REQUIRE(records.size() == 3u);
  BOOST_TEST(records[2].index == 9u);
  BOOST_TEST(records[2].message == "ngspice: singular matrix");
}

BOOST_AUTO_TEST_CASE(foreign_journal_refused) {
  xbarsim::test::TempDir dir;
  const fs::path path = dir / "j";
  { auto j = sw::Journal::create(path, "fp", 10); }
  std::vector<sw::PointOutcome> records;
  BOOST_CHECK_THROW((void)sw::Journal::resume(path, "other", 10, records), xbarsim::ConfigError);
  BOOST_CHECK_THROW((void)sw::Journal::resume(path, "fp", 11, records), xbarsim::ConfigError);
  { std::ofstream(dir / "junk") << "not a journal"; }
  BOOST_CHECK_THROW((void)sw::Journal::resume(dir / "junk", "fp", 10, records), xbarsim::ConfigError);
  BOOST_CHECK_THROW((void)sw::Journal::resume(dir / "missing", "fp", 10, records), xbarsim::IoError);
}

BOOST_AUTO_TEST_SUITE_END()
