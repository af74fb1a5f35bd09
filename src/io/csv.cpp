// SPDX-License-Identifier: MIT
#include "xbarsim/io/csv.hpp"

#include <fmt/format.h>

#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <iterator>
#include <system_error>
#include <vector>

#include "xbarsim/core/error.hpp"
#include "xbarsim/core/input_file.hpp"
#include "xbarsim/io/atomic_file.hpp"

namespace xbarsim::io {
namespace {

std::string errnoText(int err) { return std::generic_category().message(err); }

bool isBlank(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && isBlank(s.front())) s.remove_prefix(1);
  while (!s.empty() && isBlank(s.back())) s.remove_suffix(1);
  return s;
}

enum class Mode { Unknown, Comma, Whitespace };

/// Why `token` is not a usable number, or empty if it is one (then `value` holds it).
std::string parseNumber(std::string_view token, Mode mode, bool first_row, double& value) {
  std::string_view digits = token;
  if (digits.size() > 1 && digits.front() == '+' && digits[1] != '-' && digits[1] != '+') {
    digits.remove_prefix(1);  // from_chars does not take a leading '+'
  }
  const char* end = digits.data() + digits.size();
  const auto [ptr, ec] = std::from_chars(digits.data(), end, value, std::chars_format::general);
  if (ec == std::errc::result_out_of_range) {
    return fmt::format("'{}' is out of the range of a double", clipForMessage(token));
  }
  if (ec != std::errc{} || ptr != end) {
    const auto has = [&](char c) { return token.find(c) != std::string_view::npos; };
    std::string_view hint;
    if (has(';')) {
      hint = " (semicolons are not separators; use commas)";
    } else if (mode == Mode::Comma && (has(' ') || has('\t'))) {
      hint = " (values must be separated by commas, as on the first data line)";
    } else if (mode == Mode::Whitespace && has(',')) {
      hint = " (values must be separated by whitespace, as on the first data line)";
    } else if (first_row && std::isalpha(static_cast<unsigned char>(token.front())) != 0) {
      hint = " (comment a header line out with '#')";
    }
    return fmt::format("not a number: '{}'{}", clipForMessage(token), hint);
  }
  if (!std::isfinite(value))
    return fmt::format("non-finite value '{}' is not allowed", clipForMessage(token));
  return {};
}

}  // namespace

Eigen::MatrixXd parseCsvMatrix(std::string_view text, const std::string& source,
                               const ValueCheck& check) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // UTF-8 byte-order mark

  Mode mode = Mode::Unknown;
  std::vector<double> values;  // row-major
  Eigen::Index cols = 0;
  Eigen::Index rows = 0;
  long first_data_line = 0;
  long line_no = 0;
  std::vector<std::string_view> fields;

  while (!text.empty()) {
    ++line_no;
    const std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (const std::size_t hash = line.find('#'); hash != std::string_view::npos) {
      line = line.substr(0, hash);
    }
    line = trim(line);
    if (line.empty()) continue;

    if (mode == Mode::Unknown) {
      mode = line.find(',') != std::string_view::npos ? Mode::Comma : Mode::Whitespace;
    }
    fields.clear();
    if (mode == Mode::Comma) {
      std::size_t start = 0;
      while (true) {
        const std::size_t comma = line.find(',', start);
        fields.push_back(trim(line.substr(start, comma - start)));
        if (comma == std::string_view::npos) break;
        start = comma + 1;
      }
    } else {
      std::size_t i = 0;
      while (i < line.size()) {
        while (i < line.size() && isBlank(line[i])) ++i;
        std::size_t j = i;
        while (j < line.size() && !isBlank(line[j])) ++j;
        if (j > i) fields.push_back(line.substr(i, j - i));
        i = j;
      }
    }

    for (std::size_t c = 0; c < fields.size(); ++c) {
      // Lines count from 1 (as editors do), matrix indices from 0 (as HDF5 results and netlists).
      const std::string column = fmt::format("column {} (0-based)", c);
      if (fields[c].empty()) {
        throw ConfigError(source, line_no, column,
                          c + 1 == fields.size() ? "empty field (trailing comma?)" : "empty field");
      }
      double v = 0.0;
      if (std::string problem = parseNumber(fields[c], mode, rows == 0, v); !problem.empty()) {
        throw ConfigError(source, line_no, column, problem);
      }
      if (check) {
        if (std::string problem = check(v); !problem.empty())
          throw ConfigError(source, line_no, column, problem);
      }
      values.push_back(v);
    }
    const auto n = static_cast<Eigen::Index>(fields.size());
    if (rows == 0) {
      cols = n;
      first_data_line = line_no;
    } else if (n != cols) {
      throw ConfigError(source, line_no, "",
                        fmt::format("row has {} columns but the first row (line {}) has {}", n,
                                    first_data_line, cols));
    }
    ++rows;
  }

  if (rows == 0) {
    throw ConfigError(source, 0, "",
                      "no data: the file is empty or holds only blank lines and '#' comments");
  }
  Eigen::MatrixXd m(rows, cols);
  m = Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
      values.data(), rows, cols);
  return m;
}

Eigen::MatrixXd readCsvMatrix(const std::filesystem::path& path, const ValueCheck& check) {
  return parseCsvMatrix(core::readInputFile(path, core::kTextMatrixMaxBytes, "CSV matrix"),
                        path.native(), check);
}

void writeMatrixCsv(const std::filesystem::path& path, const Eigen::Ref<const Eigen::MatrixXd>& m) {
  for (Eigen::Index i = 0; i < m.rows(); ++i) {
    for (Eigen::Index j = 0; j < m.cols(); ++j) {
      if (!std::isfinite(m(i, j))) {
        throw NumericalError(
            fmt::format("cannot write '{}': element ({}, {}) is {} (CSV input "
                        "rejects non-finite values)",
                        path.native(), i, j, m(i, j)));
      }
    }
  }
  fmt::memory_buffer text;
  for (Eigen::Index i = 0; i < m.rows(); ++i) {
    for (Eigen::Index j = 0; j < m.cols(); ++j) {
      if (j > 0) text.push_back(',');
      fmt::format_to(std::back_inserter(text), "{}", m(i, j));
    }
    text.push_back('\n');
  }

  AtomicFile out(path);
  std::FILE* f = std::fopen(out.tempPath().c_str(), "wb");
  if (f == nullptr) {
    const int err = errno;
    throw IoError(fmt::format("cannot write '{}': {}", out.tempPath().native(), errnoText(err)));
  }
  const std::size_t written = std::fwrite(text.data(), 1, text.size(), f);
  const int write_err = written == text.size() ? 0 : errno;
  const int close_err = std::fclose(f) == 0 ? 0 : errno;
  if (write_err != 0 || close_err != 0) {
    throw IoError(fmt::format("cannot write '{}': {}", out.tempPath().native(),
                              errnoText(write_err != 0 ? write_err : close_err)));
  }
  out.commit();
}

}  // namespace xbarsim::io
