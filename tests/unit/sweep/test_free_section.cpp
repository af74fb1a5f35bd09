// SPDX-License-Identifier: MIT
// core::Config free sections ([sweep]): kept as written, in file order, round-tripped by toToml().
#include <boost/test/unit_test.hpp>
#include <string>

#include "xbarsim/core/config.hpp"
#include "xbarsim/core/error.hpp"

using xbarsim::ConfigError;
using xbarsim::core::Config;
using xbarsim::core::FreeNode;
using xbarsim::core::Schema;
using xbarsim::core::ValueType;

namespace {
const Schema& schema() {
  static const Schema s = [] {
    Schema x;
    x.add({.key = "array.rows", .type = ValueType::Integer, .default_value = std::int64_t{4},
           .description = "rows", .min = 1, .max = 1024})
        .add({.key = "array.r_row_ohm", .type = ValueType::Real, .default_value = 2.5,
              .description = "ohm", .min = 0});
    x.addFreeSection("sweep", "sweep axes");
    return x;
  }();
  return s;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(free_section)

BOOST_AUTO_TEST_CASE(table_kept_in_file_order_with_lines) {
  const Config c = Config::parse(
      "[array]\nrows = 8\n[sweep]\nmode = \"zip\"\n\"array.r_row_ohm\" = [0.5, 1e-3]\n\"array.rows\" = [4, 8]\n",
      "t.toml", schema());
  BOOST_TEST(c.integer("array.rows") == 8);
  const FreeNode* sweep = c.freeSection("sweep");
  BOOST_REQUIRE(sweep != nullptr);
  BOOST_TEST((sweep->kind == FreeNode::Kind::Table));
  BOOST_REQUIRE(sweep->children.size() == 3u);
  BOOST_TEST(sweep->children[0].name == "mode");  // file order, not toml++'s key order
  BOOST_TEST(sweep->children[1].name == "array.r_row_ohm");
  BOOST_TEST(sweep->children[1].line == 5);
  BOOST_TEST(sweep->children[1].children[1].real == 1e-3);
  BOOST_TEST(sweep->find("array.rows")->children[1].integer == 8);
}

BOOST_AUTO_TEST_CASE(array_of_tables_and_round_trip) {
  const std::string text =
      "[[sweep]]\n\"array.rows\" = [4, 8]\nnested = { start = 0.1, stop = 0.30000000000000004, num = 3 }\n"
      "[[sweep]]\nmode = \"zip\"\nflag = true\n\"x y\" = [\"a\", \"b\\\"c\"]\n";
  const Config c = Config::parse(text, "t.toml", schema());
  const FreeNode* sweep = c.freeSection("sweep");
  BOOST_REQUIRE(sweep != nullptr);
  BOOST_TEST((sweep->kind == FreeNode::Kind::Array));
  BOOST_TEST(sweep->children.size() == 2u);
  const std::string toml = c.toToml();
  BOOST_TEST(toml.find("[[sweep]]") != std::string::npos);
  const Config again = Config::parse(toml, "again.toml", schema());
  BOOST_TEST(again.toToml() == toml);
  BOOST_TEST(again.freeSection("sweep")->children[0].find("nested")->find("stop")->real == 0.30000000000000004);
  BOOST_TEST(again.freeSection("sweep")->children[1].find("x y")->children[1].string == "b\"c");
}

BOOST_AUTO_TEST_CASE(no_free_section_keeps_old_behaviour) {
  const Config c = Config::parse("[array]\nrows = 8\n", "t.toml", schema());
  BOOST_TEST(c.freeSection("sweep") == nullptr);
  BOOST_TEST(c.toToml().find("sweep") == std::string::npos);
  BOOST_CHECK_THROW((void)Config::parse("[sweepx]\na = 1\n", "t.toml", schema()), ConfigError);
  BOOST_CHECK_THROW((void)Config::parse("sweep = 3\n", "t.toml", schema()), ConfigError);
  BOOST_CHECK_THROW((void)Config::parse("sweep = [1, 2]\n", "t.toml", schema()), ConfigError);
  // a schema without the free section rejects it
  Schema plain;
  plain.add({.key = "array.rows", .type = ValueType::Integer, .default_value = std::int64_t{4}, .description = "r"});
  BOOST_CHECK_THROW((void)Config::parse("[sweep]\na = 1\n", "t.toml", plain), ConfigError);
}

BOOST_AUTO_TEST_CASE(remove_free_sections) {
  Config c = Config::parse("[sweep]\n\"array.rows\" = [4]\n", "t.toml", schema());
  c.removeFreeSections();
  BOOST_TEST(c.freeSection("sweep") == nullptr);
  BOOST_TEST(c.toToml().find("sweep") == std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
