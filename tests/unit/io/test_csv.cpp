// SPDX-License-Identifier: MIT
#include <fmt/format.h>

#include <boost/test/unit_test.hpp>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "io_test_util.hpp"
#include "xbarsim/core/error.hpp"
#include "xbarsim/io/csv.hpp"

namespace io = xbarsim::io;
using io::readCsvMatrix;
using io::test::contains;
using io::test::TempDir;
using io::test::thrownMessage;
using io::test::writeText;
using xbarsim::ConfigError;

namespace {

Eigen::MatrixXd readText(const TempDir& dir, std::string_view text) {
  const auto file = dir / "in.csv";
  writeText(file, text);
  return readCsvMatrix(file);
}

Eigen::MatrixXd expected2x3() {
  Eigen::MatrixXd m(2, 3);
  m << 1.0, 2.0, 3.0, 4.0, 5.5, -6e-3;
  return m;
}

bool equal(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() && (a.array() == b.array()).all();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(csv)

BOOST_AUTO_TEST_CASE(comments_blank_lines_and_spaces) {
  TempDir dir;
  const auto m = readText(dir,
                          "# target conductances, S\n"
                          "\n"
                          "1,2,3\n"
                          "   # indented comment\n"
                          " 4 , 5.5 ,\t-6e-3   # trailing comment\n"
                          "\n");
  BOOST_TEST(equal(m, expected2x3()), m);
}

BOOST_AUTO_TEST_CASE(with_and_without_trailing_newline) {
  TempDir dir;
  BOOST_TEST(equal(readText(dir, "1,2,3\n4,5.5,-6e-3\n"), expected2x3()));
  BOOST_TEST(equal(readText(dir, "1,2,3\n4,5.5,-6e-3"), expected2x3()));
}

BOOST_AUTO_TEST_CASE(crlf_line_ends_and_byte_order_mark) {
  TempDir dir;
  BOOST_TEST(equal(readText(dir, "1,2,3\r\n4,5.5,-6e-3\r\n"), expected2x3()));
  BOOST_TEST(
      equal(readText(dir, "\xEF\xBB\xBF# excel\r\n1,2,3\r\n\r\n4,5.5,-6e-3"), expected2x3()));
}

BOOST_AUTO_TEST_CASE(whitespace_separated_and_number_forms) {
  TempDir dir;
  BOOST_TEST(equal(readText(dir, "1 2\t3\n  4   5.5 -6e-3\n"), expected2x3()));
  Eigen::MatrixXd forms(1, 6);
  forms << 1.0, 0.5, 5.0, 1e-6, -0.0, 1.5;
  const auto m = readText(dir, "+1, .5, 5., 1E-6, -0, +1.5e0\n");
  BOOST_TEST(equal(m, forms), m);
  BOOST_TEST(std::signbit(m(0, 4)));
  const auto single = readText(dir, "42\n");
  BOOST_TEST(single.rows() == 1);
  BOOST_TEST(single.cols() == 1);
  const auto column = readText(dir, "1\n2\n3\n");
  BOOST_TEST(column.rows() == 3);
}

BOOST_AUTO_TEST_CASE(bad_inputs_name_file_line_and_column) {
  struct Case {
    const char* text;
    long line;
    const char* part;  ///< expected in the message
  };
  const std::vector<Case> cases{
      {"1,2\n3,abc\n", 2, "column 1 (0-based): not a number: 'abc'"},
      {"# c\n1,2\nnan,3\n", 3, "column 0 (0-based): non-finite value 'nan'"},
      {"1,inf\n", 1, "column 1 (0-based): non-finite value 'inf'"},
      {"1,-Infinity\n", 1, "non-finite"},
      {"1,2\n3\n", 2, "row has 1 columns but the first row (line 1) has 2"},
      {"1,2,3\n\n4,5\n", 3, "row has 2 columns"},
      {"1,,2\n", 1, "column 1 (0-based): empty field"},
      {"1,2,\n", 1, "column 2 (0-based): empty field (trailing comma?)"},
      {"1;2\n", 1, "semicolons are not separators"},
      {"1,5;2,5\n", 1, "semicolons"},
      {"G0,G1\n1,2\n", 1, "comment a header line out with '#'"},
      {"1e999,1\n", 1, "out of the range of a double"},
      {"1,2\n3 4,5\n", 2, "separated by commas"},
      {"1 2\n3,4\n", 2, "separated by whitespace"},
      {"0x10,1\n", 1, "not a number: '0x10'"},
      {"1,2\r\n3,x\r\n", 2, "'x'"},
  };
  TempDir dir;
  const auto file = dir / "bad.csv";
  for (const Case& c : cases) {
    BOOST_TEST_CONTEXT("input: " << c.text) {
      writeText(file, c.text);
      long line = -1;
      std::string msg;
      try {
        (void)readCsvMatrix(file);
      } catch (const ConfigError& e) {
        msg = e.what();
        line = e.line();
      }
      BOOST_TEST(line == c.line);
      BOOST_TEST(contains(msg, fmt::format("{}:{}: ", file.string(), c.line)), msg);
      BOOST_TEST(contains(msg, c.part), msg);
    }
  }
}

BOOST_AUTO_TEST_CASE(empty_missing_and_directory_inputs) {
  TempDir dir;
  const auto file = dir / "empty.csv";
  for (const char* text : {"", "\n\n", "# only a comment\n  \n"}) {
    writeText(file, text);
    const std::string msg = thrownMessage<ConfigError>([&] { (void)readCsvMatrix(file); });
    BOOST_TEST(contains(msg, file.string()));
    BOOST_TEST(contains(msg, "no data"));
  }
  const auto missing = dir / "missing.csv";
  std::string msg = thrownMessage<ConfigError>([&] { (void)readCsvMatrix(missing); });
  BOOST_TEST(contains(msg, missing.string()));
  BOOST_TEST(contains(msg, "No such file or directory"));
  msg = thrownMessage<ConfigError>([&] { (void)readCsvMatrix(dir.path()); });
  BOOST_TEST(contains(msg, "directory"));
}

BOOST_AUTO_TEST_CASE(parse_text_names_its_source) {
  const std::string msg =
      thrownMessage<ConfigError>([] { (void)io::parseCsvMatrix("1,2\n3,?\n", "inline"); });
  BOOST_TEST(contains(msg, "inline:2: column 1 (0-based)"));
  BOOST_TEST(equal(io::parseCsvMatrix("1,2,3\n4,5.5,-6e-3", "inline"), expected2x3()));
}

BOOST_AUTO_TEST_CASE(write_then_read_is_bit_exact) {
  TempDir dir;
  const auto file = dir / "out.csv";
  Eigen::MatrixXd m(3, 4);
  m << 0.1, 1.0 / 3.0, 1e-300, -2.5e10,                                               //
      std::numeric_limits<double>::denorm_min(), std::nextafter(1.0, 2.0), 0.0, 7.0,  //
      -1e-6, 123456789.123, std::numeric_limits<double>::max(), 2e-9;
  io::writeMatrixCsv(file, m);
  const Eigen::MatrixXd back = readCsvMatrix(file);
  BOOST_TEST(equal(back, m), back);
  BOOST_TEST(std::distance(std::filesystem::directory_iterator(dir.path()),
                           std::filesystem::directory_iterator{}) == 1);  // no temporary left
}

BOOST_AUTO_TEST_CASE(write_rejects_non_finite_values_and_bad_directories) {
  TempDir dir;
  const auto file = dir / "nan.csv";
  Eigen::MatrixXd m = Eigen::MatrixXd::Ones(2, 2);
  m(1, 0) = std::numeric_limits<double>::quiet_NaN();
  const std::string msg =
      thrownMessage<xbarsim::NumericalError>([&] { io::writeMatrixCsv(file, m); });
  BOOST_TEST(contains(msg, "(1, 0)"));
  BOOST_TEST(!std::filesystem::exists(file));
  BOOST_CHECK_THROW(io::writeMatrixCsv(dir / "no_dir" / "x.csv", Eigen::MatrixXd::Ones(1, 1)),
                    xbarsim::IoError);
}

BOOST_AUTO_TEST_SUITE_END()
