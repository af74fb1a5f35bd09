// SPDX-License-Identifier: MIT
// mpirun -np 2 and -np 3: the same numbers as a serial run, failures recorded, resume works.
#include <unistd.h>

#include <boost/test/unit_test.hpp>

#include "sweep_test_util.hpp"

namespace fs = std::filesystem;
using xbarsim::io::H5File;
using namespace xbarsim::test;

namespace {

std::string mpirun(int ranks) {
  const char* exe = std::getenv("MPIEXEC");
  const std::string mpiexec = exe != nullptr && *exe != '\0' ? exe : "mpirun";
  return fmt::format("{} -np {} --oversubscribe{}", mpiexec, ranks, ::geteuid() == 0 ? " --allow-run-as-root" : "");
}

CommandResult xbarsimMpi(const fs::path& dir, int ranks, const std::string& args) {
  return runCommand(fmt::format("cd '{}' && {} '{}' {} 2>&1", dir.string(), mpirun(ranks), xbarsimBinary(), args));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(sweep_mpi)

BOOST_AUTO_TEST_CASE(any_rank_count_gives_the_serial_numbers) {
  TempDir dir;
  writeText(dir / "sweep.toml", wireBySizeConfig());
  const auto serial = runXbarsim(dir.path(), "sweep -c sweep.toml -o serial.h5");
  BOOST_REQUIRE_MESSAGE(serial.status == 0, serial.output);
  for (const int ranks : {2, 3}) {
    BOOST_TEST_CONTEXT(ranks << " ranks") {
      const std::string out = fmt::format("mpi{}.h5", ranks);
      const auto r = xbarsimMpi(dir.path(), ranks, "sweep -c sweep.toml -o " + out);
      BOOST_REQUIRE_MESSAGE(r.status == 0, r.output);
      BOOST_TEST(r.output.find(fmt::format("{} processes", ranks)) != std::string::npos, r.output);
      BOOST_TEST(compareSweepFiles(dir / "serial.h5", dir / out) == "");
      const auto h5 = H5File::openReadOnly(dir / out);
      BOOST_TEST(h5.readIntAttribute("/provenance", "ranks") == ranks);
      // the work was shared: more than one rank computed points
      const auto point_ranks = h5.readInts("/provenance/point_rank");
      BOOST_TEST(std::count(point_ranks.begin(), point_ranks.end(), 0) < 32);
    }
  }
}

BOOST_AUTO_TEST_CASE(failing_point_and_bad_input_under_mpi) {
  TempDir dir;
  writeText(dir / "fail.toml",
            "[array]\nrows = 4\ncols = 4\n[device]\nmodel = \"sinh\"\n[sweep]\nmode = \"zip\"\n"
            "\"read.v_read_v\" = [0.2, 90.0, 0.3, 0.25]\n");
  const auto r = xbarsimMpi(dir.path(), 2, "sweep -c fail.toml -o f.h5");
  BOOST_TEST(r.status == 4, r.output);
  const auto h5 = H5File::openReadOnly(dir / "f.h5");
  BOOST_TEST(h5.readInts("/status") == (std::vector<std::int64_t>{1, 2, 1, 1}));
  BOOST_TEST(!h5.readStrings("/message")[1].empty());
  // bad input: one error report (from rank 0), exit 1, no file
  writeText(dir / "bad.toml", "[sweep]\n\"array.r_row_ohm\" = [-1.0]\n");
  const auto bad = xbarsimMpi(dir.path(), 2, "sweep -c bad.toml -o bad.h5");
  BOOST_TEST(bad.status == 1, bad.output);
  std::size_t reports = 0;
  for (std::size_t at = bad.output.find("xbarsim: error"); at != std::string::npos;
       at = bad.output.find("xbarsim: error", at + 1))
    ++reports;
  BOOST_TEST(reports == 1u, bad.output);
  BOOST_TEST(!fs::exists(dir / "bad.h5"));
}

BOOST_AUTO_TEST_CASE(crashing_ngspice_fails_its_points_and_every_rank_goes_on) {
  // Decks that crash ngspice (SIGSEGV in its worker) on several points: each rank records those
  // points failed and computes the others with a fresh worker; nothing is left pending.
  TempDir dir;
  const std::string crash =
      "* crash\n.func f(x) {f(x)+1}\nVIN0 a 0 dc 0\nVOUT0 b 0 dc 0\nR1 a b {f(1)}\n.end\n";
  for (const char* name : {"crash1.cir", "crash2.cir", "crash3.cir"}) writeText(dir / name, crash);
  for (const int r : {1, 2, 4})
    writeText(dir / fmt::format("r{}k.cir", r),
              fmt::format("* r\nVIN0 a 0 dc 0\nVOUT0 b 0 dc 0\nR1 a b {}k\n.end\n", r));
  writeText(dir / "s.toml",
            "[netlist]\nfile = \"r1k.cir\"\n[sweep]\n\"netlist.file\" = [\"crash1.cir\", "
            "\"r1k.cir\", \"crash2.cir\", \"r2k.cir\", \"crash3.cir\", \"r4k.cir\"]\n");
  const auto r = xbarsimMpi(dir.path(), 2, "sweep -c s.toml -o s.h5");
  BOOST_TEST(r.status == 4, r.output);
  BOOST_TEST(r.output.find("3 done, 3 failed") != std::string::npos, r.output);
  const auto h5 = H5File::openReadOnly(dir / "s.h5");
  BOOST_TEST(h5.readInts("/status") == (std::vector<std::int64_t>{2, 1, 2, 1, 2, 1}));
  const auto messages = h5.readStrings("/message");
  for (const std::size_t k : {0u, 2u, 4u})
    BOOST_TEST(messages.at(k).find("ngspice crashed") != std::string::npos, messages.at(k));
  const auto weff = h5.readReals("/weff");
  BOOST_TEST(weff.at(1) == 1e-3, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(weff.at(3) == 5e-4, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(weff.at(5) == 2.5e-4, boost::test_tools::tolerance(1e-9));
}

BOOST_AUTO_TEST_CASE(killed_serial_run_resumed_under_mpi) {
  TempDir dir;
  writeText(dir / "sweep.toml", wireBySizeConfig());
  const auto serial = runXbarsim(dir.path(), "sweep -c sweep.toml -o s.h5");
  BOOST_REQUIRE_MESSAGE(serial.status == 0, serial.output);
  BOOST_REQUIRE_MESSAGE(killWhenJournaled(dir.path(), "sweep -c sweep.toml -o m.h5", dir / "m.h5.journal", 6000),
                        "the sweep finished before it could be killed");
  const auto resumed = xbarsimMpi(dir.path(), 2, "sweep -c sweep.toml -o m.h5 --resume --progress");
  BOOST_REQUIRE_MESSAGE(resumed.status == 0, resumed.output);
  BOOST_TEST(resumed.output.find("resuming") != std::string::npos, resumed.output);
  BOOST_TEST(compareSweepFiles(dir / "s.h5", dir / "m.h5") == "");
}

BOOST_AUTO_TEST_SUITE_END()
