// SPDX-License-Identifier: MIT
// Bounded input reads (core/input_file.hpp), the TOML nesting bound (core/config.hpp) and the
// clipping of echoed values (core/error.hpp).
#include "xbarsim/core/input_file.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <fstream>
#include <string>

#include "xbarsim/core/config.hpp"
#include "xbarsim/core/error.hpp"

namespace fs = std::filesystem;
using xbarsim::ConfigError;
using namespace xbarsim::core;

namespace {

struct Folder {
  fs::path path = fs::temp_directory_path() / ("xbarsim_input_file_" + std::to_string(::getpid()));
  Folder() { fs::create_directories(path); }
  ~Folder() { fs::remove_all(path); }
};

template <typename F>
std::string messageOf(F&& f) {
  try {
    f();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no ConfigError";
}

std::string nested(int parts) {
  std::string key = "a";
  for (int k = 1; k < parts; ++k) key += ".a";
  return key + " = 1\n";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(input_file)

BOOST_AUTO_TEST_CASE(reads_a_regular_file_within_the_limit) {
  Folder dir;
  const fs::path file = dir.path / "c.toml";
  std::ofstream(file) << "x = 1\n";
  BOOST_TEST(readInputFile(file, 6, "configuration file") == "x = 1\n");
  BOOST_TEST(checkInputFile(file, 6, "configuration file") == 6u);
  const std::string msg = messageOf([&] { (void)readInputFile(file, 5, "configuration file"); });
  BOOST_TEST(msg.find("c.toml") != std::string::npos);
  BOOST_TEST(msg.find("above the 5 bytes limit of a configuration file") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(refuses_fifo_device_directory_and_missing_file) {
  Folder dir;
  const fs::path fifo = dir.path / "pipe";
  BOOST_REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  // No writer: a blocking open would never return.
  BOOST_TEST(messageOf([&] { (void)readInputFile(fifo, kNoSizeLimit, "CSV matrix"); })
                 .find("is a FIFO (named pipe); a CSV matrix must be a regular file") !=
             std::string::npos);
  BOOST_TEST(messageOf([&] { (void)checkInputFile(fifo, kNoSizeLimit, "HDF5 file"); })
                 .find("FIFO") != std::string::npos);
  BOOST_TEST(messageOf([&] { (void)readInputFile("/dev/zero", kNoSizeLimit, "x"); })
                 .find("/dev/zero: is a character device") != std::string::npos);
  BOOST_TEST(messageOf([&] { (void)readInputFile(dir.path, kNoSizeLimit, "x"); })
                 .find("is a directory") != std::string::npos);
  BOOST_TEST(messageOf([&] { (void)readInputFile(dir.path / "none", kNoSizeLimit, "x"); })
                 .find("cannot open x: No such file or directory") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(blocks_stop_at_the_size_the_file_had_when_opened) {
  Folder dir;
  const fs::path file = dir.path / "deck.inc";
  std::ofstream(file) << std::string(100000, 'r');  // two blocks of 64 KiB
  std::string seen;
  readInputBlocks(file, kNoSizeLimit, "sweep input", [&](std::string_view b) { seen += b; }, true);
  BOOST_TEST(seen == std::string(100000, 'r'));
  // A writer appends while the file is read: refused, not read for ever.
  std::uintmax_t read_bytes = 0;
  const std::string msg = messageOf([&] {
    readInputBlocks(file, kNoSizeLimit, "sweep input", [&](std::string_view b) {
      read_bytes += b.size();
      std::ofstream(file, std::ios::app) << std::string(1 << 20, 'g');
    }, true);
  });
  BOOST_TEST(msg.find("deck.inc: grew while being read") != std::string::npos, msg);
  BOOST_TEST(read_bytes <= 100000u);
}

BOOST_AUTO_TEST_CASE(byte_counts_print_as_limits) {
  BOOST_TEST(formatBytes(512) == "512 bytes");
  BOOST_TEST(formatBytes(kTomlFileMaxBytes) == "16 MiB");
  BOOST_TEST(formatBytes(kTextMatrixMaxBytes) == "1 GiB");
  BOOST_TEST(formatBytes(1536) == "1.5 KiB");
}

BOOST_AUTO_TEST_CASE(toml_nesting_is_bounded_at_64_levels) {
  BOOST_CHECK_NO_THROW(checkTomlNesting(nested(64), "t.toml"));
  BOOST_TEST(messageOf([] { checkTomlNesting(nested(65), "t.toml"); })
                 .find("t.toml:1: keys nested deeper than 64 levels") != std::string::npos);
  BOOST_TEST(messageOf([] { checkTomlNesting("x = 1\n\n" + nested(40000), "t.toml"); })
                 .find("t.toml:3:") != std::string::npos);
  // Dots inside strings, values and comments do not count.
  std::string text = "x = \"" + std::string(200, '.') + "\"  # " + std::string(200, '.') + "\n";
  text += "y = [" + std::string(100, '1') + ".5, 2.5]\n\"" + std::string(100, '.') + "\" = 1\n";
  text += "z = '''\n" + std::string(100, '.') + "\n'''\n";
  BOOST_CHECK_NO_THROW(checkTomlNesting(text, "t.toml"));
  // Table headers, inline tables and arrays add up.
  std::string header = "[a";
  for (int k = 1; k < 65; ++k) header += ".a";
  BOOST_TEST(messageOf([&] { checkTomlNesting(header + "]\n", "t.toml"); }).find("64 levels") !=
             std::string::npos);
  std::string inline_tables = "x = ";
  for (int k = 0; k < 40; ++k) inline_tables += "{ a.b = ";
  BOOST_TEST(messageOf([&] { checkTomlNesting(inline_tables + "1\n", "t.toml"); })
                 .find("64 levels") != std::string::npos);
  BOOST_TEST(messageOf([] { checkTomlNesting("x = " + std::string(70, '[') + "\n", "t.toml"); })
                 .find("64 levels") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(echoed_values_are_clipped) {
  BOOST_TEST(xbarsim::clipForMessage("short") == "short");
  const std::string long_value(1'000'000, 'x');
  BOOST_TEST(xbarsim::clipForMessage(long_value) ==
             std::string(80, 'x') + "… (1000000 bytes)");
  const ConfigError e("c.toml", 2, "device.model", "bad value \"" + long_value + "\"");
  BOOST_TEST(std::string(e.what()).size() < 1100u);
  // A multi-byte character is never split.
  const std::string accents = std::string(79, 'x') + "é" + std::string(10, 'x');
  BOOST_TEST(xbarsim::clipForMessage(accents).rfind(std::string(79, 'x') + "…", 0) == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
