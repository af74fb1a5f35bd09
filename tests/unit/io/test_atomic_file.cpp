// SPDX-License-Identifier: MIT
#include <sys/stat.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <stdexcept>
#include <string>

#include "io_test_util.hpp"
#include "xbarsim/core/error.hpp"
#include "xbarsim/io/atomic_file.hpp"
#include "xbarsim/io/hdf5_file.hpp"

namespace io = xbarsim::io;
namespace fs = std::filesystem;
using io::AtomicFile;
using io::H5File;
using io::test::contains;
using io::test::TempDir;
using io::test::thrownMessage;
using xbarsim::IoError;

namespace {

std::size_t entryCount(const fs::path& dir) {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir)) ++n;
  return n;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(atomic_file)

BOOST_AUTO_TEST_CASE(commit_renames_temporary_onto_target) {
  TempDir dir;
  const auto target = dir / "run.h5";
  AtomicFile out(target);
  BOOST_TEST(out.target() == target);
  BOOST_TEST(out.tempPath().parent_path() == dir.path());
  BOOST_TEST(out.tempPath().filename().string().rfind(".run.h5.tmp-", 0) == 0u,
             out.tempPath().filename().string());
  BOOST_TEST(fs::exists(out.tempPath()));
  {
    auto h5 = H5File::create(out.tempPath());
    h5.writeScalar("/x", 3.0, "1");
    BOOST_TEST(!fs::exists(target));  // nothing at the target while writing
    h5.close();
  }
  out.commit();
  BOOST_TEST(out.committed());
  BOOST_TEST(fs::exists(target));
  BOOST_TEST(!fs::exists(out.tempPath()));
  BOOST_TEST(H5File::openReadOnly(target).readScalar("/x") == 3.0);
  BOOST_CHECK_THROW(out.commit(), IoError);  // only once
}

BOOST_AUTO_TEST_CASE(commit_replaces_an_existing_target) {
  TempDir dir;
  const auto target = dir / "G.csv";
  io::test::writeText(target, "old\n");
  {
    AtomicFile out(target);
    io::test::writeText(out.tempPath(), "new\n");
    out.commit();
  }
  std::ifstream in(target);
  std::string line;
  std::getline(in, line);
  BOOST_TEST(line == "new");
  BOOST_TEST(entryCount(dir.path()) == 1u);
}

BOOST_AUTO_TEST_CASE(no_commit_leaves_no_file) {
  TempDir dir;
  const auto target = dir / "run.h5";
  fs::path temp;
  try {
    AtomicFile out(target);
    temp = out.tempPath();
    auto h5 = H5File::create(out.tempPath());
    h5.writeScalar("/x", 1.0, "1");
    throw std::runtime_error("simulated failure mid-run");
  } catch (const std::runtime_error&) {
  }
  BOOST_TEST(!temp.empty());
  BOOST_TEST(!fs::exists(temp));
  BOOST_TEST(!fs::exists(target));
  BOOST_TEST(entryCount(dir.path()) == 0u);

  // An existing target stays as it was.
  io::test::writeText(target, "previous run\n");
  {
    AtomicFile out(target);
    io::test::writeText(out.tempPath(), "half-written");
  }
  BOOST_TEST(fs::file_size(target) == std::string("previous run\n").size());
  BOOST_TEST(entryCount(dir.path()) == 1u);
}

BOOST_AUTO_TEST_CASE(moved_from_object_does_not_remove_or_commit) {
  TempDir dir;
  AtomicFile a(dir / "x.txt");
  const fs::path temp = a.tempPath();
  AtomicFile b(std::move(a));
  BOOST_TEST(b.tempPath() == temp);
  BOOST_TEST(fs::exists(temp));
  BOOST_CHECK_THROW(a.commit(), IoError);  // NOLINT(bugprone-use-after-move)
  b.commit();
  BOOST_TEST(fs::exists(dir / "x.txt"));
}

BOOST_AUTO_TEST_CASE(two_outputs_for_one_target_get_distinct_temporaries) {
  TempDir dir;
  AtomicFile a(dir / "out.h5");
  AtomicFile b(dir / "out.h5");
  BOOST_TEST(a.tempPath() != b.tempPath());
}

BOOST_AUTO_TEST_CASE(unwritable_directory_throws_io_error_with_path_and_reason) {
  TempDir dir;
  const auto missing_dir = dir / "no_such_dir";
  std::string msg = thrownMessage<IoError>([&] { AtomicFile out(missing_dir / "run.h5"); });
  BOOST_TEST(contains(msg, missing_dir.string()));
  BOOST_TEST(contains(msg, "No such file or directory"));

  const auto regular = dir / "a_file";
  io::test::writeText(regular, "x");
  msg = thrownMessage<IoError>([&] { AtomicFile out(regular / "run.h5"); });
  BOOST_TEST(contains(msg, regular.string()));
  BOOST_TEST(contains(msg, "Not a directory"));

  BOOST_CHECK_THROW(AtomicFile(dir.path() / ""), IoError);  // a directory, not a file name
}

// Root may write anywhere: the case cannot run as root, and Boost reports it skipped.
BOOST_AUTO_TEST_CASE(read_only_directory_throws_io_error_with_path_and_reason,
                     *boost::unit_test::precondition([](boost::unit_test::test_unit_id) {
                       boost::test_tools::assertion_result running_as_user(::geteuid() != 0);
                       running_as_user.message() << "running as root, who may write anywhere";
                       return running_as_user;
                     })) {
  TempDir dir;
  const auto ro = dir / "read_only";
  fs::create_directory(ro);
  fs::permissions(ro, fs::perms::owner_read | fs::perms::owner_exec);
  const std::string msg = thrownMessage<IoError>([&] { AtomicFile out(ro / "run.h5"); });
  BOOST_TEST(contains(msg, ro.string()));
  BOOST_TEST(contains(msg, "Permission denied"));
}

BOOST_AUTO_TEST_SUITE_END()
