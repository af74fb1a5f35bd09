// SPDX-License-Identifier: MIT
// [sweep] parsing: axes, modes, blocks, ranges, validation before any work.
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <string>

#include "xbarsim/core/error.hpp"
#include "xbarsim/sweep/spec.hpp"
#include "xbarsim/sweep/sweep_file.hpp"

using xbarsim::ConfigError;
using xbarsim::core::Config;
namespace sw = xbarsim::sweep;

namespace {
Config load(const std::string& text) { return Config::parse(text, "s.toml", sw::sweepSchema()); }

std::string errorOf(const std::string& text) {
  try {
    (void)sw::parseSweep(load(text));
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "no error";
}
}  // namespace

BOOST_AUTO_TEST_SUITE(spec)

BOOST_AUTO_TEST_CASE(product_is_c_order) {
  const Config base = load("[sweep]\n\"array.r_row_ohm\" = [0.5, 1, 2]\n\"array.rows\" = [4, 8]\n");
  const sw::SweepSpec spec = sw::parseSweep(base);
  BOOST_TEST(spec.job == "extract");
  BOOST_REQUIRE(spec.blocks.size() == 1u);
  const auto points = sw::expandPoints(spec);
  BOOST_REQUIRE(points.size() == 6u);
  // first axis slowest, last fastest
  BOOST_TEST(sw::describe(points[0]) == "array.r_row_ohm = 0.5, array.rows = 4");
  BOOST_TEST(sw::describe(points[1]) == "array.r_row_ohm = 0.5, array.rows = 8");
  BOOST_TEST(sw::describe(points[5]) == "array.r_row_ohm = 2, array.rows = 8");
  const Config c = sw::pointConfig(base, points[3]);
  BOOST_TEST(c.real("array.r_row_ohm") == 1.0);
  BOOST_TEST(c.integer("array.rows") == 8);
  BOOST_TEST(c.freeSection("sweep") == nullptr);
  BOOST_TEST(c.toToml().find("[sweep]") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(tied_axis_is_one_dimension_setting_every_key) {
  const Config base = load(
      "[sweep]\n\"array.r_row_ohm | array.r_col_ohm\" = [0.5, 2]\n"
      "\"array.rows\" = [4, 8, 16]\n");
  const sw::SweepSpec spec = sw::parseSweep(base);
  BOOST_REQUIRE(spec.blocks.at(0).axes.size() == 2u);
  BOOST_TEST(spec.blocks[0].axes[0].key == "array.r_row_ohm");
  BOOST_TEST((spec.blocks[0].axes[0].tied == std::vector<std::string>{"array.r_col_ohm"}));
  const auto points = sw::expandPoints(spec);
  BOOST_REQUIRE(points.size() == 6u);  // 2 x 3, not 2 x 2 x 3
  BOOST_TEST(sw::describe(points[4]) == "array.r_row_ohm = 2, array.r_col_ohm = 2, array.rows = 8");
  const Config c = sw::pointConfig(base, points[4]);
  BOOST_TEST(c.real("array.r_row_ohm") == 2.0);
  BOOST_TEST(c.real("array.r_col_ohm") == 2.0);
  const auto keys = sw::axisKeys(spec);
  BOOST_REQUIRE(keys.size() == 3u);
  BOOST_TEST(keys[1].first == "array.r_col_ohm");
  BOOST_TEST((sw::tiedGroups(spec) == std::vector<std::string>{"array.r_row_ohm|array.r_col_ohm"}));
  // Errors: keys of different kinds, a key twice, an empty part, a value out of one key's range.
  BOOST_TEST(errorOf("[sweep]\n\"array.rows|array.r_row_ohm\" = [4]\n").find("same kind") !=
             std::string::npos);
  BOOST_TEST(errorOf("[sweep]\n\"array.rows|array.cols\" = [4]\n\"array.cols\" = [2]\n")
                 .find("array.cols is swept twice") != std::string::npos);
  BOOST_TEST(errorOf("[sweep]\n\"array.rows|\" = [4]\n").find("no empty part") !=
             std::string::npos);
  const std::string range = errorOf("[sweep]\n\"array.r_row_ohm|array.r_driver_ohm\" = [-1.0]\n");
  BOOST_TEST(range.find("s.toml:2") != std::string::npos, range);
  BOOST_TEST(range.find("array.r_row_ohm") != std::string::npos, range);
}

BOOST_AUTO_TEST_CASE(zip_blocks_nested_keys_and_ranges) {
  const Config base = load(
      "[[sweep]]\nmode = \"zip\"\n\"array.rows\" = [4, 8]\n\"array.cols\" = [5, 9]\n"
      "[[sweep]]\narray.r_col_ohm = [1.0, 2.0]\n\"read.v_read_v\" = { start = 0.1, stop = 0.4, num = 4 }\n"
      "[[sweep]]\n\"device.g_max_s\" = { start = 1e-5, stop = 1e-3, num = 3, scale = \"log\" }\n");
  const sw::SweepSpec spec = sw::parseSweep(base);
  BOOST_REQUIRE(spec.blocks.size() == 3u);
  const auto points = sw::expandPoints(spec);
  BOOST_REQUIRE(points.size() == 2u + 8u + 3u);
  BOOST_TEST(sw::describe(points[1]) == "array.rows = 8, array.cols = 9");
  BOOST_TEST(points[2].block == 1u);
  BOOST_TEST(sw::describe(points[2]) == "array.r_col_ohm = 1, read.v_read_v = 0.1");
  BOOST_TEST(sw::describe(points[5]) == "array.r_col_ohm = 1, read.v_read_v = 0.4");  // exact end point
  BOOST_TEST(std::get<double>(points[11].settings[0].second) == 1e-4, boost::test_tools::tolerance(1e-12));
  BOOST_TEST(std::get<double>(points[12].settings[0].second) == 1e-3);
  const auto keys = sw::axisKeys(spec);
  BOOST_REQUIRE(keys.size() == 5u);
  BOOST_TEST(keys[2].first == "array.r_col_ohm");
  // a point of block 0 has the base value of block 1's axis
  const Config c = sw::pointConfig(base, points[0]);
  BOOST_TEST(std::get<double>(sw::settingOf(c, "array.r_col_ohm", sw::AxisKind::Real)) == 2.5);
}

BOOST_AUTO_TEST_CASE(params_axis_edits_the_table) {
  const Config base = load("[netlist]\nparams = { rw = 5.0 }\n[sweep]\n\"netlist.params.rf\" = [1e4, 2e4]\n");
  const auto points = sw::expandPoints(sw::parseSweep(base));
  const Config c = sw::pointConfig(base, points[1]);
  BOOST_TEST(c.realTable("netlist.params").at("rf") == 2e4);
  BOOST_TEST(c.realTable("netlist.params").at("rw") == 5.0);
  BOOST_TEST(std::isnan(std::get<double>(sw::settingOf(c, "netlist.params.zz", sw::AxisKind::Real))));
}

BOOST_AUTO_TEST_CASE(options) {
  const sw::SweepSpec spec = sw::parseSweep(
      load("[[sweep]]\njob = \"extract\"\nstore_weff = false\nmvm_inputs = 3\n\"array.rows\" = [4]\n"
           "[[sweep]]\nstore_weff = false\n\"array.cols\" = [4]\n"));
  BOOST_TEST(!spec.store_weff);
  BOOST_TEST(spec.sneak_read);
  BOOST_TEST(spec.mvm_inputs == 3);
}

BOOST_AUTO_TEST_CASE(errors_name_file_line_and_key) {
  BOOST_TEST(errorOf("[array]\nrows = 4\n").find("no [sweep] section") != std::string::npos);
  BOOST_TEST(errorOf("[sweep]\n\n\"array.r_row_hm\" = [1.0]\n").find("s.toml:3: sweep.\"array.r_row_hm\": unknown configuration key") == 0);
  BOOST_TEST(errorOf("[sweep]\n\"array.r_row_ohm\" = [1.0, -2.0]\n").find("out of range") != std::string::npos);
  BOOST_TEST(errorOf("[sweep]\n\"array.rows\" = [4.5]\n").find("integer") != std::string::npos);
  BOOST_TEST(errorOf("[sweep]\n\"array.rows\" = []\n").find("at least one value") != std::string::npos);
  BOOST_TEST(errorOf("[sweep]\n\"array.rows\" = 4\n").find("array of values") != std::string::npos);
  BOOST_TEST(errorOf("[sweep]\n\"array.cell\" = [\"1R\", \"2R\"]\n").find("not allowed") != std::string::npos);
  BOOST_TEST(errorOf("[sweep]\nmode = \"zip\"\n\"array.rows\" = [4]\n\"array.cols\" = [4, 8]\n").find("equal length") != std::string::npos);
  BOOST_TEST(errorOf("[sweep]\nmode = \"grid\"\n\"array.rows\" = [4]\n").find("product or zip") != std::string::npos);
  BOOST_TEST(errorOf("[sweep]\nfoo = 1\n\"array.rows\" = [4]\n").find("unknown sweep option") != std::string::npos);
  BOOST_TEST(errorOf("[sweep]\nmode = \"zip\"\n").find("at least one axis") != std::string::npos);
  BOOST_TEST(errorOf("[sweep]\n\"dnn.times_s\" = [1.0]\n").find("can be swept") != std::string::npos);
  BOOST_TEST(errorOf("[sweep]\n\"array.rows\" = [4]\n\"array\" = { rows = [8] }\n").find("twice") != std::string::npos);
  BOOST_TEST(errorOf("[[sweep]]\njob = \"extract\"\n\"array.rows\" = [4]\n[[sweep]]\njob = \"evaluate\"\n\"array.cols\" = [4]\n")
                 .find("whole sweep") != std::string::npos);
  BOOST_TEST(errorOf("[sweep]\n\"array.r_row_ohm\" = { start = 0.0, stop = 1.0, num = 3, scale = \"log\" }\n")
                 .find("log range") != std::string::npos);
  BOOST_TEST(errorOf("[sweep]\n\"array.cols\" = { start = 1, stop = 2, num = 2 }\n").find("real value") !=
             std::string::npos);
  BOOST_TEST(errorOf("[sweep]\n\"array.rows\" = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\n\"array.cols\" = [1, 2, 3, 4, 5, 6, "
                     "7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]\n\"read.v_read_v\" = { start = 0.1, "
                     "stop = 0.2, num = 100000 }\n")
                 .find("more than 10000000 points") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(shards_balance_estimated_cost) {
  // one expensive point and many cheap ones: the expensive one gets a shard to itself
  const std::vector<double> costs{1, 1, 1, 1, 8, 1, 1, 1, 1};
  const auto shard = sw::assignShards(costs, 2);
  BOOST_TEST(shard[4] == 0u);
  double load[2] = {0, 0};
  for (std::size_t k = 0; k < costs.size(); ++k) load[shard[k]] += costs[k];
  BOOST_TEST(load[0] == 8.0);
  BOOST_TEST(load[1] == 8.0);
  BOOST_TEST(sw::assignShards(costs, 1) == std::vector<std::size_t>(costs.size(), 0));
  BOOST_TEST(sw::unitsOfKey("array.r_row_ohm") == "ohm");
  BOOST_TEST(sw::unitsOfKey("device.g_max_s") == "S");
  BOOST_TEST(sw::unitsOfKey("read.t_s") == "s");
  BOOST_TEST(sw::unitsOfKey("read.v_read_v") == "V");
  BOOST_TEST(sw::unitsOfKey("array.rows") == "1");
}

BOOST_AUTO_TEST_SUITE_END()
