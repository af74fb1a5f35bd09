// SPDX-License-Identifier: MIT
#pragma once
/// @file Error hierarchy. Every error carries the context a user needs to fix the input
/// (file, line, key, allowed range) in its one-line what() message.

#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace xbarsim {

/// Longest value echoed in an error message (a value from a file, a token, a name).
inline constexpr std::size_t kMaxEchoChars = 80;

/// `text` if it has at most `max_chars` bytes, else its start (cut at a UTF-8 character
/// boundary) followed by "… (N bytes)": a 50 MB value must not become a 50 MB error line.
[[nodiscard]] std::string clipForMessage(std::string_view text,
                                         std::size_t max_chars = kMaxEchoChars);

/// The names in `candidates` that look like a misspelling of `name` (edit distance at most a
/// third of its length, at least 2; or one contains the other), closest first, at most `max`:
/// for "unknown X; did you mean Y?" messages.
[[nodiscard]] std::vector<std::string> similarNames(std::string_view name,
                                                    const std::vector<std::string>& candidates,
                                                    std::size_t max = 3);

/// Root of all xbarsim errors.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Bad configuration or input data: message is "file:line:col: key: problem". The file name and
/// key are clipped to 256 bytes and the problem to 1000 (clipForMessage).
class ConfigError : public Error {
 public:
  ConfigError(std::string file, long line, std::string key, const std::string& problem);
  const std::string& file() const noexcept { return file_; }
  long line() const noexcept { return line_; }
  const std::string& key() const noexcept { return key_; }

 private:
  std::string file_;
  long line_;
  std::string key_;
};

/// ngspice reported an error (its own text, captured from the output callback).
class SpiceError : public Error {
 public:
  SpiceError(const std::string& command, std::vector<std::string> messages);
  const std::vector<std::string>& messages() const noexcept { return messages_; }

 private:
  std::vector<std::string> messages_;
};

/// HDF5 or file-system failure (with the HDF5 error stack where there is one).
class IoError : public Error {
 public:
  using Error::Error;
};

/// A numerical method failed: singular matrix, non-convergence, NaN.
class NumericalError : public Error {
 public:
  using Error::Error;
};

/// A failure a smaller step may cure, thrown by a callback of a time integrator (a model
/// evaluated outside its domain by a trial iterate, a non-finite intermediate value). The
/// integrator (circuit::IdaDriver) cuts the step and retries instead of stopping; anywhere else
/// it is an ordinary NumericalError.
class RecoverableError : public NumericalError {
 public:
  using NumericalError::NumericalError;
};

}  // namespace xbarsim
