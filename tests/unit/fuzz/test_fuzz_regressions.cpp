// SPDX-License-Identifier: MIT
// Every seed input (tests/fuzz/corpus/<target>/) and every input that once crashed a fuzz target
// (tests/fuzz/regressions/<target>/, named after the bug) goes through the target's body. A body
// aborts on a broken promise and lets unexpected exceptions escape; both fail this test.
#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "fuzz_bodies.hpp"

namespace fs = std::filesystem;

namespace {

using Body = void (*)(const std::uint8_t*, std::size_t);

std::vector<fs::path> inputs(const std::string& folder) {
  const fs::path dir = fs::path(XBARSIM_TEST_SOURCE_DIR) / "tests" / "fuzz" / folder;
  std::vector<fs::path> files;
  if (fs::is_directory(dir))
    for (const auto& entry : fs::directory_iterator(dir))
      if (entry.is_regular_file()) files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

/// Runs every seed and regression input of `target`; returns how many seeds there were.
std::size_t runAll(const std::string& target, Body body) {
  std::size_t seeds = 0;
  for (const std::string& folder : {"corpus/" + target, "regressions/" + target}) {
    for (const fs::path& file : inputs(folder)) {
      std::ifstream in(file, std::ios::binary);
      const std::vector<char> bytes{std::istreambuf_iterator<char>(in), {}};
      BOOST_TEST_INFO("input " << folder << "/" << file.filename().string());
      BOOST_CHECK_NO_THROW(
          body(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
      if (folder.rfind("corpus/", 0) == 0) ++seeds;
    }
  }
  return seeds;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(fuzz_regressions)

BOOST_AUTO_TEST_CASE(config) { BOOST_TEST(runAll("config", xbarsim::fuzz::fuzzConfig) > 0u); }

BOOST_AUTO_TEST_CASE(csv) { BOOST_TEST(runAll("csv", xbarsim::fuzz::fuzzCsv) > 0u); }

BOOST_AUTO_TEST_CASE(netlist) { BOOST_TEST(runAll("netlist", xbarsim::fuzz::fuzzNetlist) > 0u); }

BOOST_AUTO_TEST_CASE(model) { BOOST_TEST(runAll("model", xbarsim::fuzz::fuzzModel) > 0u); }

BOOST_AUTO_TEST_CASE(deck) { BOOST_TEST(runAll("deck", xbarsim::fuzz::fuzzDeck) > 0u); }

BOOST_AUTO_TEST_CASE(onnx) { BOOST_TEST(runAll("onnx", xbarsim::fuzz::fuzzOnnx) > 0u); }

// An empty input is the first thing a fuzzer tries; every body must take it.
BOOST_AUTO_TEST_CASE(empty_input) {
  for (Body body : {xbarsim::fuzz::fuzzConfig, xbarsim::fuzz::fuzzCsv,
                    xbarsim::fuzz::fuzzNetlist, xbarsim::fuzz::fuzzModel, xbarsim::fuzz::fuzzDeck,
                    xbarsim::fuzz::fuzzOnnx})
    BOOST_CHECK_NO_THROW(body(nullptr, 0));
}

BOOST_AUTO_TEST_SUITE_END()
