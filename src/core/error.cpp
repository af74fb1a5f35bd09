// SPDX-License-Identifier: MIT
#include "xbarsim/core/error.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <utility>

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

std::vector<std::string> similarNames(std::string_view name,
                                      const std::vector<std::string>& candidates, std::size_t max) {
  auto lower = [](std::string_view text) {
    std::string out(text);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
  };
  // Levenshtein distance, case-insensitive (one row of the table at a time).
  auto distance = [](const std::string& a, const std::string& b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
      std::size_t diagonal = row[0];
      row[0] = i;
      for (std::size_t j = 1; j <= b.size(); ++j) {
        const std::size_t above = row[j];
        row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
        diagonal = above;
      }
    }
    return row[b.size()];
  };
  const std::string wanted = lower(name.substr(0, 256));
  const std::size_t limit = std::max<std::size_t>(2, wanted.size() / 3);
  std::vector<std::pair<std::size_t, std::string>> near;
  for (const std::string& candidate : candidates) {
    const std::string c = lower(candidate);
    std::size_t d = distance(wanted, c);
    if (d > limit && wanted.size() >= 3 &&
        (c.find(wanted) != std::string::npos || wanted.find(c) != std::string::npos))
      d = limit;  // a part of the name, or the name with something extra
    if (d <= limit) near.emplace_back(d, candidate);
  }
  std::stable_sort(near.begin(), near.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> out;
  for (std::size_t k = 0; k < near.size() && k < max; ++k) out.push_back(near[k].second);
  return out;
}

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
