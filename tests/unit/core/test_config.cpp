// SPDX-License-Identifier: MIT
#include "xbarsim/core/config.hpp"

#include <boost/test/unit_test.hpp>
#include <string>

#include "xbarsim/core/error.hpp"

using xbarsim::ConfigError;
using xbarsim::core::Config;
using xbarsim::core::Schema;
using xbarsim::core::ValueType;

namespace {
const Schema& testSchema() {
  static const Schema schema = [] {
    Schema s;
    s.add({.key = "array.rows", .type = ValueType::Integer, .default_value = std::int64_t{4},
           .description = "rows", .min = 1, .max = 1024})
        .add({.key = "array.r_row_ohm", .type = ValueType::Real, .default_value = 2.5,
              .description = "ohm", .min = 0})
        .add({.key = "array.cell", .type = ValueType::String, .default_value = std::string("1R"),
              .description = "cell", .choices = {"1R", "1T1R"}})
        .add({.key = "device.conductances", .type = ValueType::String, .description = "file",
              .optional = true})
        .add({.key = "dnn.times_s", .type = ValueType::RealArray,
              .default_value = std::vector<double>{1.0}, .description = "s", .min = 0})
        .add({.key = "netlist.params", .type = ValueType::RealTable,
              .default_value = std::map<std::string, double>{}, .description = "params"});
    return s;
  }();
  return schema;
}

/// Parses `text` and returns the ConfigError message (fails the test if none is thrown).
std::string errorOf(const std::string& text) {
  try {
    (void)Config::parse(text, "bad.toml", testSchema());
  } catch (const ConfigError& e) {
    return e.what();
  }
  BOOST_ERROR("no ConfigError for: " << text);
  return {};
}
}  // namespace

BOOST_AUTO_TEST_SUITE(config)

BOOST_AUTO_TEST_CASE(defaults_and_values) {
  const Config c = Config::parse("[array]\nrows = 16\nr_row_ohm = 1\n", "ok.toml", testSchema());
  BOOST_TEST(c.integer("array.rows") == 16);
  BOOST_TEST(c.real("array.r_row_ohm") == 1.0);  // an integer is accepted as a real
  BOOST_TEST(c.string("array.cell") == "1R");    // default
  BOOST_TEST(!c.has("device.conductances"));
  BOOST_TEST(c.isGiven("array.rows"));
  BOOST_TEST(!c.isGiven("array.cell"));
}

BOOST_AUTO_TEST_CASE(resolved_toml_round_trips) {
  Config c = Config::parse(
      "[array]\nrows = 3\nr_row_ohm = 0.1\n[netlist.params]\nrf = 1e4\n[dnn]\ntimes_s = [1, 3600.5]\n",
      "ok.toml", testSchema());
  const std::string text = c.toToml();
  const Config back = Config::parse(text, "resolved", testSchema());
  BOOST_TEST(back.toToml() == text);
  BOOST_TEST(back.real("array.r_row_ohm") == 0.1);
  BOOST_TEST(back.realTable("netlist.params").at("rf") == 1e4);
  BOOST_TEST(back.reals("dnn.times_s")[1] == 3600.5);
}

BOOST_AUTO_TEST_CASE(unknown_key_names_file_line_and_key) {
  const std::string msg = errorOf("[array]\nrows = 4\nrow = 5\n");
  BOOST_TEST(msg.find("bad.toml:3") != std::string::npos, msg);
  BOOST_TEST(msg.find("array.row") != std::string::npos, msg);
  BOOST_TEST(msg.find("valid keys") != std::string::npos, msg);
}

BOOST_AUTO_TEST_CASE(unknown_section) {
  const std::string msg = errorOf("[arrray]\nrows = 4\n");
  BOOST_TEST(msg.find("arrray") != std::string::npos, msg);
}

BOOST_AUTO_TEST_CASE(wrong_types) {
  BOOST_TEST(errorOf("[array]\nrows = 4.5\n").find("expected an integer") != std::string::npos);
  BOOST_TEST(errorOf("[array]\nr_row_ohm = \"x\"\n").find("expected a number") != std::string::npos);
  BOOST_TEST(errorOf("[array]\ncell = 1\n").find("expected a string") != std::string::npos);
  BOOST_TEST(errorOf("[dnn]\ntimes_s = 1\n").find("array") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(out_of_range_and_non_finite) {
  BOOST_TEST(errorOf("[array]\nr_row_ohm = -1\n").find("out of range") != std::string::npos);
  BOOST_TEST(errorOf("[array]\nrows = 0\n").find("bad.toml:2: array.rows") != std::string::npos);
  BOOST_TEST(errorOf("[array]\nr_row_ohm = nan\n").find("out of range") != std::string::npos);
  BOOST_TEST(errorOf("[array]\nr_row_ohm = inf\n").find("out of range") != std::string::npos);
  BOOST_TEST(errorOf("[dnn]\ntimes_s = [1, -2]\n").find("dnn.times_s") != std::string::npos);
  BOOST_TEST(errorOf("[dnn]\ntimes_s = []\n").find("empty") != std::string::npos);
  BOOST_TEST(errorOf("[array]\ncell = \"2R\"\n").find("1R, 1T1R") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(syntax_error_has_line) {
  const std::string msg = errorOf("[array]\nrows = = 4\n");
  BOOST_TEST(msg.find("bad.toml:2") != std::string::npos, msg);
  BOOST_TEST(msg.find("syntax") != std::string::npos, msg);
}

BOOST_AUTO_TEST_CASE(missing_file) {
  BOOST_CHECK_THROW((void)Config::load("/nonexistent/x.toml", testSchema()), ConfigError);
}

BOOST_AUTO_TEST_CASE(set_validates) {
  Config c = Config::defaults(testSchema());
  c.set("array.r_row_ohm", std::int64_t{3});
  BOOST_TEST(c.real("array.r_row_ohm") == 3.0);
  BOOST_CHECK_THROW(c.set("array.r_row_ohm", -1.0), ConfigError);
  BOOST_CHECK_THROW(c.set("array.nope", 1.0), ConfigError);
  BOOST_CHECK_THROW(c.set("array.rows", 2.5), ConfigError);
}

/// The message of the ConfigError setFromText() throws for `assignment` ("" if none).
std::string overrideError(const std::string& assignment) {
  Config c = Config::defaults(testSchema());
  try {
    c.setFromText(assignment);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

BOOST_AUTO_TEST_CASE(set_from_text_converts_like_the_file) {
  Config c =
      Config::parse("[array]\nrows = 16\n[netlist.params]\nrw = 1.0\n", "ok.toml", testSchema());
  c.setFromText(std::vector<std::string>{
      "array.rows=32", "array.r_row_ohm = 1e-1", "array.cell=1T1R", "dnn.times_s=[1, 3600.5]",
      "netlist.params.rf=2e4", "device.conductances=\"g file.csv\"", "array.rows=8"});
  BOOST_TEST(c.integer("array.rows") == 8);  // the later one wins
  BOOST_TEST(c.real("array.r_row_ohm") == 0.1);
  BOOST_TEST(c.string("array.cell") == "1T1R");
  BOOST_TEST((c.reals("dnn.times_s") == std::vector<double>{1.0, 3600.5}));
  BOOST_TEST(c.realTable("netlist.params").at("rw") == 1.0);  // the file's entry is kept
  BOOST_TEST(c.realTable("netlist.params").at("rf") == 2e4);
  BOOST_TEST(c.string("device.conductances") == "g file.csv");
  // The override is what the resolved TOML records, and it reads back the same.
  const Config again = Config::parse(c.toToml(), "again.toml", testSchema());
  BOOST_TEST(again.toToml() == c.toToml());
}

BOOST_AUTO_TEST_CASE(set_from_text_errors_name_set_and_the_key) {
  std::string msg = overrideError("array.rowz=3");
  BOOST_TEST(msg.rfind("--set: array.rowz: unknown key; did you mean array.rows?", 0) == 0u, msg);
  BOOST_TEST(msg.find("valid keys in [array]: rows, r_row_ohm, cell") != std::string::npos, msg);
  msg = overrideError("aray.rows=3");
  BOOST_TEST(msg.find("unknown key or section; did you mean array.rows?") != std::string::npos,
             msg);
  BOOST_TEST(msg.find("sections: array, device, dnn, netlist") != std::string::npos, msg);
  msg = overrideError("array.rows=0");
  BOOST_TEST(msg == "--set: array.rows: value 0 out of range: must be >= 1 and <= 1024", msg);
  msg = overrideError("array.rows=2.5");
  BOOST_TEST(msg == "--set: array.rows: expected an integer, got a float", msg);
  msg = overrideError("array.r_row_ohm=abc");
  BOOST_TEST(msg.find("--set: array.r_row_ohm: \"abc\" is not a number") == 0u, msg);
  msg = overrideError("array.r_row_ohm=nan");
  BOOST_TEST(msg.find("--set: array.r_row_ohm: value nan out of range") == 0u, msg);
  msg = overrideError("array.cell=2R");
  BOOST_TEST(msg.find("\"2R\" is not allowed: choose one of 1R, 1T1R") != std::string::npos, msg);
  msg = overrideError("array.rows");
  BOOST_TEST(msg.find("--set: \"array.rows\" is not key=value") == 0u, msg);
  msg = overrideError("netlist.params.rf=big");
  BOOST_TEST(msg.find("--set: netlist.params.rf: \"big\" is not a number") == 0u, msg);
  BOOST_TEST(overrideError("array.rows=1\n[dnn]").find("expected an integer") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(later_errors_about_an_overridden_key_name_set) {
  Config c = Config::parse("[array]\nr_row_ohm = 1.0\n", "c.toml", testSchema());
  c.setFromText("array.rows=5");
  try {
    c.fail("array.rows", "does not fit");
    BOOST_FAIL("no error");
  } catch (const ConfigError& e) {
    BOOST_TEST(std::string(e.what()) == "--set: array.rows: does not fit");
  }
  try {
    c.fail("array.r_row_ohm", "does not fit");
    BOOST_FAIL("no error");
  } catch (const ConfigError& e) {
    BOOST_TEST(std::string(e.what()) == "c.toml:2: array.r_row_ohm: does not fit");
  }
}

BOOST_AUTO_TEST_CASE(similar_names_are_the_near_misspellings) {
  const std::vector<std::string> names{"rows", "cols", "r_row_ohm", "r_col_ohm", "cell"};
  BOOST_TEST((xbarsim::similarNames("rowz", names) == std::vector<std::string>{"rows"}));
  BOOST_TEST((xbarsim::similarNames("R_ROW", names) == std::vector<std::string>{"r_row_ohm"}));
  BOOST_TEST(xbarsim::similarNames("voltage", names).empty());
}

BOOST_AUTO_TEST_SUITE_END()
