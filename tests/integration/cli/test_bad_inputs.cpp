// SPDX-License-Identifier: MIT
// The bad-input corpus (bad_inputs/<case>/): every case is a folder with its input files and a
// case.toml giving the command line, the expected exit status and the substrings its error line
// must contain. Each case runs in a copy of its folder and must give exactly one line on stderr
// (besides "xbarsim: note: " lines, such as the one saying that the defaults are used)
// ("xbarsim: error: ..." naming the file, line, key or value), that exit status (1..127), and
// leave no output file and no temporary behind, and every file of the case folder unchanged.
//
// case.toml:
//   # what the case checks (first line)
//   args = ["extract", "-c", "c.toml", "-o", "{out}/out.h5"]   # after the xbarsim binary
//   status = 1
//   expect = ["c.toml:3", "array.rowz"]
//   fifos = ["pipe.toml"]   # optional: named pipes created in the copy (git cannot hold them)
// Placeholders in args and expect: {case} (the copy of the case folder, also the working
// directory), {out} (an empty output folder that must stay empty), {src} (the source tree).
#define BOOST_TEST_MODULE cli_bad_inputs
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <sys/stat.h>

#include <algorithm>
#include <boost/test/data/test_case.hpp>
#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <toml++/toml.h>
#include <vector>

#include "run_command.hpp"

namespace fs = std::filesystem;
using xbarsim::test::runCommand;
using xbarsim::test::shellQuote;
using xbarsim::test::TempDir;

namespace {

struct BadCase {
  std::string name;
  fs::path dir;
  std::string description;
  std::vector<std::string> args;
  int status = 1;
  std::vector<std::string> expect;
  std::vector<std::string> fifos;
};

std::ostream& operator<<(std::ostream& out, const BadCase& c) { return out << c.name; }

fs::path corpusDir() { return fs::path(XBARSIM_TEST_SOURCE_DIR) / "tests/integration/cli/bad_inputs"; }

std::vector<std::string> strings(const toml::table& t, std::string_view key, const fs::path& file) {
  const toml::array* a = t[key].as_array();
  if (a == nullptr) throw std::runtime_error(fmt::format("{}: '{}' must be an array of strings", file.string(), key));
  std::vector<std::string> out;
  for (const auto& v : *a) out.push_back(v.value<std::string>().value());
  return out;
}

std::vector<BadCase> loadCases() {
  std::vector<BadCase> cases;
  for (const auto& entry : fs::directory_iterator(corpusDir())) {
    const fs::path file = entry.path() / "case.toml";
    if (!entry.is_directory() || !fs::exists(file)) continue;
    const toml::table t = toml::parse_file(file.string());
    BadCase c;
    c.name = entry.path().filename().string();
    c.dir = entry.path();
    std::ifstream in(file);
    std::getline(in, c.description);
    c.args = strings(t, "args", file);
    c.status = t["status"].value_or(1);
    c.expect = strings(t, "expect", file);
    if (t.contains("fifos")) c.fifos = strings(t, "fifos", file);
    cases.push_back(std::move(c));
  }
  std::sort(cases.begin(), cases.end(), [](const BadCase& a, const BadCase& b) { return a.name < b.name; });
  return cases;
}

const std::vector<BadCase>& allCases() {
  static const std::vector<BadCase> cases = loadCases();
  return cases;
}

std::string binary() {
  const char* path = std::getenv("XBARSIM_BINARY");
  BOOST_REQUIRE_MESSAGE(path != nullptr, "XBARSIM_BINARY is not set (run through ctest)");
  return fs::absolute(path).string();  // the cases run in their own folder
}

std::string substitute(std::string text, const fs::path& case_dir, const fs::path& out_dir) {
  for (const auto& [key, value] : {std::pair<std::string, std::string>{"{case}", case_dir.string()},
                                   {"{out}", out_dir.string()},
                                   {"{src}", XBARSIM_TEST_SOURCE_DIR}})
    for (auto pos = text.find(key); pos != std::string::npos; pos = text.find(key, pos + value.size()))
      text.replace(pos, key.size(), value);
  return text;
}

std::string readText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

/// Relative paths of every file under `root`, sorted.
std::vector<std::string> listFiles(const fs::path& root) {
  std::vector<std::string> names;
  for (const auto& e : fs::recursive_directory_iterator(root)) names.push_back(fs::relative(e.path(), root).string());
  std::sort(names.begin(), names.end());
  return names;
}

/// Every regular file under `root` (relative path, then its bytes): inputs must stay as they were.
std::vector<std::string> fileContents(const fs::path& root) {
  std::vector<std::string> out;
  for (const std::string& name : listFiles(root))
    if (fs::is_regular_file(root / name)) out.push_back(name + "\n" + readText(root / name));
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cli_bad_inputs)

BOOST_AUTO_TEST_CASE(corpus_has_at_least_20_cases) {
  BOOST_TEST(allCases().size() >= 20u);
  for (const BadCase& c : allCases()) {
    BOOST_TEST_INFO(c.name);
    BOOST_TEST(c.description.rfind("# ", 0) == 0u);  // every case says what it checks
    BOOST_TEST(!c.expect.empty());
  }
}

BOOST_DATA_TEST_CASE(bad_input_gives_one_clear_line, boost::unit_test::data::make(allCases()), bad) {
  TempDir tmp;
  const fs::path case_dir = tmp / "case";
  const fs::path out_dir = tmp / "out";
  fs::copy(bad.dir, case_dir, fs::copy_options::recursive);
  for (const std::string& fifo : bad.fifos)
    BOOST_REQUIRE_MESSAGE(::mkfifo((case_dir / fifo).c_str(), 0600) == 0, "mkfifo " << fifo);
  fs::create_directories(out_dir);
  const std::vector<std::string> before = listFiles(case_dir);
  const std::vector<std::string> contents_before = fileContents(case_dir);

  std::string command = fmt::format("cd {} && timeout 120 {}", shellQuote(case_dir.string()), shellQuote(binary()));
  for (const std::string& arg : bad.args) command += " " + shellQuote(substitute(arg, case_dir, out_dir));
  command += fmt::format(" >{} 2>{}", shellQuote((tmp / "stdout").string()), shellQuote((tmp / "stderr").string()));
  const auto run = runCommand(command);
  // A "note" line (e.g. that the defaults are used without --config) is not part of the error.
  std::string err;
  {
    std::istringstream lines(readText(tmp / "stderr"));
    for (std::string line; std::getline(lines, line);)
      if (line.rfind("xbarsim: note: ", 0) != 0) err += line + "\n";
  }

  BOOST_TEST_INFO(bad.description);
  BOOST_TEST_INFO(command);
  BOOST_TEST_INFO("stderr: " << err);
  BOOST_TEST(run.status >= 1);
  BOOST_TEST(run.status <= 127);
  BOOST_TEST(run.status == bad.status);
  // Exactly one non-empty line.
  BOOST_TEST(std::count(err.begin(), err.end(), '\n') == 1);
  BOOST_TEST(err.size() > 1u);
  BOOST_TEST((!err.empty() && err.back() == '\n'));
  BOOST_TEST(err.rfind("xbarsim: error: ", 0) == 0u);
  for (const std::string& expect : bad.expect) {
    const std::string text = substitute(expect, case_dir, out_dir);
    BOOST_TEST(err.find(text) != std::string::npos, fmt::format("missing \"{}\"", text));
  }
  // No output file, no temporary: the output folder stays empty, the case folder unchanged.
  BOOST_TEST(listFiles(out_dir).empty(), fmt::format("{}", fmt::join(listFiles(out_dir), ", ")));
  BOOST_TEST(listFiles(case_dir) == before, fmt::format("{}", fmt::join(listFiles(case_dir), ", ")));
  BOOST_TEST((fileContents(case_dir) == contents_before), "an input file was modified");
}

BOOST_AUTO_TEST_SUITE_END()
