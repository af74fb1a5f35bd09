// SPDX-License-Identifier: MIT
#include "xbarsim/core/error.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace xbarsim {
namespace {
std::string configMessage(const std::string& file, long line, const std::string& key,
                          const std::string& problem) {
  std::string where = file.empty() ? std::string("<config>") : file;
  if (line > 0) where += fmt::format(":{}", line);
  return key.empty() ? fmt::format("{}: {}", where, problem)
                     : fmt::format("{}: {}: {}", where, key, problem);
}
}  // namespace

ConfigError::ConfigError(std::string file, long line, std::string key, const std::string& problem)
    : Error(configMessage(file, line, key, problem)),
      file_(std::move(file)),
      line_(line),
      key_(std::move(key)) {}

SpiceError::SpiceError(const std::string& command, std::vector<std::string> messages)
    : Error(fmt::format("ngspice: '{}' failed: {}", command, fmt::join(messages, " | "))),
      messages_(std::move(messages)) {}

}  // namespace xbarsim
