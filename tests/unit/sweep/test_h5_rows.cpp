// SPDX-License-Identifier: MIT
// io additions for sweeps: filled datasets written row by row, strings by index, listing.
#include <boost/test/unit_test.hpp>
#include <cmath>

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

BOOST_AUTO_TEST_SUITE_END()
