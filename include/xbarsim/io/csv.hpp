// SPDX-License-Identifier: MIT
#pragma once
/// @file Numeric matrices as text (CSV), for user inputs such as target conductance maps.
///
/// Accepted format (strict, so that a mistyped file fails loudly instead of being misread):
/// - One matrix row per line; every data row has the same number of columns.
/// - Separator: commas, with optional spaces/tabs around each field. A file whose first data line
///   has no comma is read as whitespace-separated (numpy.savetxt's default); the choice holds for
///   the whole file. Semicolons are not separators (a "1,5;2,5" decimal-comma file is rejected).
/// - `#` starts a comment that runs to the end of the line; blank lines are ignored; Windows
///   line ends (CRLF) and a leading UTF-8 byte-order mark are accepted.
/// - Numbers are parsed locale-independently (std::from_chars: `1`, `-2.5`, `.5`, `1e-6`,
///   leading `+` allowed). NaN, infinities, values out of double range, empty fields (`1,,2` or a
///   trailing comma) and header rows are errors (comment a header out with `#`).
///
/// Errors are xbarsim::ConfigError with message "file:line: column N: problem" (line 1-based).

#include <Eigen/Core>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

namespace xbarsim::io {

/// Why a value read from a file is not acceptable ("5e+06 S is above 1 S ..."), or empty if it
/// is. The readers call it on every finite element and report the problem where the value is
/// (file:line: column N, or file:/dataset: row i, column j). Empty function: any finite value.
using ValueCheck = std::function<std::string(double)>;

/// Reads a matrix from a CSV file (format above).
/// @throws ConfigError naming the file (and line and column where there is one) if the file is
/// missing, not a regular file, larger than core::kTextMatrixMaxBytes, unreadable, empty,
/// ragged, or holds a non-numeric or non-finite token or a value `check` refuses.
[[nodiscard]] Eigen::MatrixXd readCsvMatrix(const std::filesystem::path& path,
                                            const ValueCheck& check = {});

/// Parses CSV text as readCsvMatrix does; `source` names the text in error messages.
[[nodiscard]] Eigen::MatrixXd parseCsvMatrix(std::string_view text, const std::string& source,
                                             const ValueCheck& check = {});

/// Writes `m` as CSV, one row per line, values comma-separated in shortest round-trip form
/// (fmt "{}"), so readCsvMatrix gives back exactly the same doubles. The file is replaced
/// atomically (AtomicFile). @throws NumericalError if `m` holds NaN or infinity (the reader
/// rejects them); @throws IoError (with strerror) if the file cannot be written.
void writeMatrixCsv(const std::filesystem::path& path, const Eigen::Ref<const Eigen::MatrixXd>& m);

}  // namespace xbarsim::io
