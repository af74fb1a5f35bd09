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

BOOST_AUTO_TEST_SUITE_END()
