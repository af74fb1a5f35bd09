// SPDX-License-Identifier: MIT
#include "xbarsim/core/error.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace xbarsim {
namespace {
/// Longest problem text of a ConfigError: room for a list of valid keys, never a whole file.
constexpr std::size_t kMaxProblemChars = 1000;
/// Longest file name or key in a ConfigError.
constexpr std::size_t kMaxNameChars = 256;

std::string configMessage(const std::string& file, long line, const std::string& key_text,
                          const std::string& problem_text) {
  const std::string key = clipForMessage(key_text, kMaxNameChars);
  const std::string problem = clipForMessage(problem_text, kMaxProblemChars);
  std::string where = file.empty() ? std::string("<config>") : clipForMessage(file, kMaxNameChars);
  if (line > 0) where += fmt::format(":{}", line);
  return key.empty() ? fmt::format("{}: {}", where, problem)
                     : fmt::format("{}: {}: {}", where, key, problem);
}
}  // namespace

std::string clipForMessage(std::string_view text, std::size_t max_chars) {
  if (text.size() <= max_chars) return std::string(text);
  std::size_t cut = max_chars;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;  // UTF-8
  return fmt::format("{}… ({} bytes)", text.substr(0, cut), text.size());
}

ConfigError::ConfigError(std::string file, long line, std::string key, const std::string& problem)
    : Error(configMessage(file, line, key, problem)),
      file_(std::move(file)),
      line_(line),
      key_(std::move(key)) {}

SpiceError::SpiceError(const std::string& command, std::vector<std::string> messages)
    : Error(fmt::format("ngspice: '{}' failed: {}", command, fmt::join(messages, " | "))),
      messages_(std::move(messages)) {}

}  // namespace xbarsim
