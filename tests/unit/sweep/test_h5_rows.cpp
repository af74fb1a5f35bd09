// SPDX-License-Identifier: MIT
// io additions for sweeps: filled datasets written row by row, strings by index, listing.
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <string>
#include <vector>

#include "run_command.hpp"
#include "xbarsim/core/error.hpp"
#include "xbarsim/io/hdf5_file.hpp"

using xbarsim::io::H5File;

BOOST_AUTO_TEST_SUITE(h5_rows)

BOOST_AUTO_TEST_CASE(filled_rows) {
  xbarsim::test::TempDir dir;
  const auto path = dir / "r.h5";
  {
    auto h5 = H5File::create(path);
    h5.createFilledReals("/a", {3, 2, 2}, std::nan(""), "S");
    h5.createFilledReals("/big", {4, 100, 100}, std::nan(""), "1");  // chunked + compressed
    h5.createFilledInts("/s", {3}, 0, "1");
    h5.createFilledStrings("/m", 3);
    h5.writeRealsRow("/a", 1, {1, 2, 3, 4});
    std::vector<double> row(10000, 0.5);
    h5.writeRealsRow("/big", 3, row);
    h5.writeIntAt("/s", 2, 7);
    h5.writeStringAt("/m", 1, "failed: x");
    h5.writeStringAt("/m", 1, "failed: y");
    h5.setIntsAttribute("/s", "flag_values", {0, 1, 2});
    BOOST_CHECK_THROW(h5.writeRealsRow("/a", 3, {1, 2, 3, 4}), xbarsim::IoError);
    BOOST_CHECK_THROW(h5.writeRealsRow("/a", 0, {1, 2, 3}), xbarsim::IoError);
    BOOST_CHECK_THROW(h5.writeIntAt("/a", 0, 1), xbarsim::IoError);
    h5.setAttribute("/", "x", "y");
    h5.removeAttribute("/", "x");
    h5.removeAttribute("/", "never");
    BOOST_TEST(!h5.hasAttribute("/", "x"));
    h5.close();
  }
  const auto h5 = H5File::openReadOnly(path);
  std::vector<std::size_t> dims;
  const auto a = h5.readReals("/a", &dims);
  BOOST_TEST(dims == (std::vector<std::size_t>{3, 2, 2}));
  BOOST_TEST(std::isnan(a[0]));
  BOOST_TEST(a[4] == 1.0);
  BOOST_TEST(a[7] == 4.0);
  BOOST_TEST(std::isnan(a[8]));
  const auto big = h5.readReals("/big");
  BOOST_TEST(std::isnan(big[0]));
  BOOST_TEST(big[3 * 10000 + 9999] == 0.5);
  BOOST_TEST(h5.readInts("/s") == (std::vector<std::int64_t>{0, 0, 7}));
  BOOST_TEST(h5.readStrings("/m") == (std::vector<std::string>{"", "failed: y", ""}));
  BOOST_TEST(h5.readStringAttribute("/a", "units") == "S");
  BOOST_TEST(h5.shape("/s") == (std::vector<std::size_t>{3}));
  BOOST_TEST(h5.listGroup("/") == (std::vector<std::string>{"a", "big", "m", "s"}));
  BOOST_TEST(h5.listGroup("/none").empty());
}

// Many rows per call (a sweep's flush): any order, runs and gaps, a repeated index (its last row
// wins), compared with the same rows written one at a time.
BOOST_AUTO_TEST_CASE(many_rows_at_once) {
  xbarsim::test::TempDir dir;
  const std::vector<std::size_t> indices{7, 2, 3, 9, 2, 0, 4};
  auto rowOf = [](std::size_t k) {  // row k of the batch: 2 x 3 values, all distinct
    std::vector<double> row(6);
    for (std::size_t e = 0; e < row.size(); ++e)
      row[e] = 100.0 * static_cast<double>(k) + static_cast<double>(e);
    return row;
  };
  std::vector<double> rows;
  std::vector<std::int64_t> ints;
  std::vector<std::string> strings;
  for (std::size_t k = 0; k < indices.size(); ++k) {
    const auto row = rowOf(k);
    rows.insert(rows.end(), row.begin(), row.end());
    ints.push_back(static_cast<std::int64_t>(10 + k));
    strings.push_back(k % 2 == 0 ? "" : "failed: " + std::to_string(k));
  }
  auto layout = [](H5File& h5) {
    h5.createFilledReals("/r", {12, 2, 3}, std::nan(""), "1");
    h5.createFilledReals("/big", {12, 3000}, std::nan(""), "1");  // chunked + compressed
    h5.createFilledInts("/i", {12}, -1, "1");
    h5.createFilledStrings("/m", 12);
  };
  {
    auto h5 = H5File::create(dir / "batch.h5");
    layout(h5);
    h5.writeRealsRows("/r", indices, rows);
    std::vector<double> big;
    for (std::size_t k = 0; k < indices.size(); ++k)
      big.insert(big.end(), 3000, static_cast<double>(k));
    h5.writeRealsRows("/big", indices, big);
    h5.writeIntsAt("/i", indices, ints);
    h5.writeStringsAt("/m", indices, strings);
    h5.writeRealsRows("/r", {}, {});  // nothing
    BOOST_CHECK_THROW(h5.writeRealsRows("/r", {1, 2}, std::vector<double>(6, 0.0)),
                      xbarsim::IoError);
    BOOST_CHECK_THROW(h5.writeIntsAt("/i", {1, 12}, {0, 0}), xbarsim::IoError);
    BOOST_CHECK_THROW(h5.writeStringsAt("/m", {1}, {"a", "b"}), xbarsim::IoError);
    h5.close();
  }
  {
    auto h5 = H5File::create(dir / "single.h5");
    layout(h5);
    for (std::size_t k = 0; k < indices.size(); ++k) {
      h5.writeRealsRow("/r", indices[k], rowOf(k));
      h5.writeRealsRow("/big", indices[k], std::vector<double>(3000, static_cast<double>(k)));
      h5.writeIntAt("/i", indices[k], ints[k]);
      h5.writeStringAt("/m", indices[k], strings[k]);
    }
    h5.close();
  }
  const auto batch = H5File::openReadOnly(dir / "batch.h5");
  const auto single = H5File::openReadOnly(dir / "single.h5");
  const auto r = batch.readReals("/r");
  const auto r_single = single.readReals("/r");
  for (std::size_t e = 0; e < r.size(); ++e) {
    BOOST_TEST(std::isnan(r[e]) == std::isnan(r_single[e]));
    if (!std::isnan(r[e])) BOOST_TEST(r[e] == r_single[e]);
  }
  BOOST_TEST(r[2 * 6 + 5] == 405.0);  // index 2: the later of its two rows (k = 4)
  BOOST_TEST(r[7 * 6 + 0] == 0.0);
  BOOST_TEST(std::isnan(r[1 * 6]));
  const auto big = batch.readReals("/big");
  BOOST_TEST(big[9 * 3000 + 2999] == 3.0);
  BOOST_TEST(big[2 * 3000] == 4.0);
  BOOST_TEST(std::isnan(big[11 * 3000]));
  BOOST_TEST(batch.readInts("/i") == single.readInts("/i"));
  BOOST_TEST(batch.readInts("/i") ==
             (std::vector<std::int64_t>{15, -1, 14, 12, 16, -1, -1, 10, -1, 13, -1, -1}));
  BOOST_TEST(batch.readStrings("/m") == single.readStrings("/m"));
  BOOST_TEST(batch.readStrings("/m")[3].empty());
  BOOST_TEST(batch.readStrings("/m")[0] == "failed: 5");
  BOOST_TEST(batch.readStrings("/m")[9] == "failed: 3");
}

BOOST_AUTO_TEST_SUITE_END()
