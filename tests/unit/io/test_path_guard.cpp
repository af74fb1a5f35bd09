// SPDX-License-Identifier: MIT
// io/path_guard: outputs never replace inputs (same inode, however spelled), never a non-regular
// file; the files a deck pulls in through .include/.lib; file digests.
#include <sys/stat.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <fstream>
#include <string>

#include "io_test_util.hpp"
#include "xbarsim/core/error.hpp"
#include "xbarsim/io/atomic_file.hpp"
#include "xbarsim/io/path_guard.hpp"

namespace io = xbarsim::io;
namespace fs = std::filesystem;
using io::test::contains;
using io::test::TempDir;
using io::test::thrownMessage;
using xbarsim::ConfigError;

namespace {

void write(const fs::path& path, const std::string& text) { std::ofstream(path) << text; }

/// Registered inputs are process-wide: each test starts and ends with none.
struct CleanRegistry {
  CleanRegistry() { io::clearRegisteredInputs(); }
  ~CleanRegistry() { io::clearRegisteredInputs(); }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(path_guard)

BOOST_FIXTURE_TEST_CASE(output_onto_an_input_is_refused_however_spelled, CleanRegistry) {
  TempDir dir;
  write(dir / "c.toml", "x = 1\n");
  fs::create_directory(dir / "sub");
  fs::create_symlink(dir / "c.toml", dir / "link.toml");
  fs::create_hard_link(dir / "c.toml", dir / "hard.toml");
  io::registerInput(dir / "c.toml");
  for (const fs::path& out : {dir / "c.toml", dir / "sub/../c.toml", dir / "link.toml", dir / "hard.toml"}) {
    BOOST_TEST_CONTEXT(out) {
      BOOST_CHECK_THROW(io::checkOutputPath(out), ConfigError);
      BOOST_CHECK_THROW(io::AtomicFile{out}, ConfigError);
      BOOST_TEST(contains(thrownMessage<ConfigError>([&] { io::checkOutputPath(out); }), out.string() + ": output: is an input"));
    }
  }
  BOOST_TEST(contains(thrownMessage<ConfigError>([&] { io::checkOutputPath(dir / "hard.toml"); }),
                      "the same file as '" + (dir / "c.toml").string() + "'"));
  io::checkOutputPath(dir / "other.h5");  // new paths and other files are fine
  write(dir / "old.h5", "old");
  io::checkOutputPath(dir / "old.h5");
  BOOST_TEST(io::fileDigest(dir / "c.toml") == io::fileDigest(dir / "hard.toml"));
}

BOOST_FIXTURE_TEST_CASE(an_input_registered_after_the_output_is_caught_at_commit, CleanRegistry) {
  TempDir dir;
  write(dir / "g.csv", "1e-5\n");
  io::AtomicFile out(dir / "g.csv");  // not yet known as an input
  write(out.tempPath(), "result");
  io::registerInput(dir / "g.csv");
  BOOST_CHECK_THROW(out.commit(), ConfigError);
  std::ifstream in(dir / "g.csv");
  std::string text;
  std::getline(in, text);
  BOOST_TEST(text == "1e-5");
}

BOOST_FIXTURE_TEST_CASE(non_regular_outputs_are_refused, CleanRegistry) {
  TempDir dir;
  BOOST_TEST(contains(thrownMessage<ConfigError>([] { io::checkOutputPath("/dev/null"); }), "character device"));
  BOOST_TEST(contains(thrownMessage<ConfigError>([&] { io::checkOutputPath(dir.path()); }), "a directory"));
  BOOST_REQUIRE(::mkfifo((dir / "fifo").c_str(), 0600) == 0);
  BOOST_TEST(contains(thrownMessage<ConfigError>([&] { io::checkOutputPath(dir / "fifo"); }), "a FIFO"));
}

BOOST_AUTO_TEST_CASE(deck_files_follow_includes_and_library_files_recursively) {
  TempDir dir;
  fs::create_directory(dir / "lib");
  write(dir / "deck.cir",
        "* title\n.include \"parts.inc\"\n.INC 'lib/models.lib'\n.lib lib/corner.lib tt\n"
        ".include parts.inc\n.include /no/such/file.inc\nR1 a b 1k\n.end\n");
  write(dir / "parts.inc", "* parts\n.include deck.cir\n");  // a cycle is followed once
  // inside lib/, names resolve against lib/ first (the including file's directory)
  write(dir / "lib/models.lib", ".lib tt\n.include nested.inc\n.endl tt\n");
  write(dir / "lib/nested.inc", ".param w=1\n");
  write(dir / "lib/corner.lib", ".lib tt\n.param c=1\n.endl\n");
  const auto files = io::deckFiles(dir / "deck.cir");
  std::vector<std::string> names;
  for (const auto& f : files) names.push_back(fs::relative(f, dir.path()).lexically_normal().string());
  BOOST_TEST(names.size() == 6u);  // the five files below and the missing one
  for (const char* e : {"deck.cir", "parts.inc", "lib/models.lib", "lib/corner.lib", "lib/nested.inc"})
    BOOST_TEST(std::count(names.begin(), names.end(), std::string(e)) == 1, e);
  BOOST_TEST(std::count(files.begin(), files.end(), fs::path("/no/such/file.inc")) == 1);
  BOOST_TEST(io::fileDigest("/no/such/file.inc") == "missing");
  BOOST_TEST(io::fileDigest("/dev/null") == "not a regular file");
  // FNV-1a 64 of "a" with the standard offset basis (published test vector af63dc4c8601ec8c),
  // then with the second seed.
  write(dir / "a.txt", "a");
  BOOST_TEST(io::fileDigest(dir / "a.txt").substr(0, 16) == "af63dc4c8601ec8c");
}

BOOST_AUTO_TEST_SUITE_END()
