// SPDX-License-Identifier: MIT
#include "xbarsim/extract/result_file.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <variant>

#include "xbarsim/core/provenance.hpp"

namespace xbarsim::extract {

void writeRunHeader(io::H5File& file, const std::string& command, const std::string& command_line,
                    const core::Config& config, std::uint64_t seed) {
  file.setAttribute("/", "xbarsim_version", versionString());
  file.setAttribute("/", "schema_version", kSchemaVersion);
  file.setAttribute("/", "created", isoTimestampUtc());
  file.setAttribute("/", "git_commit", gitCommit());
  file.setAttribute("/", "command", command);
  file.setAttribute("/", "command_line", command_line);
  file.setAttribute("/", "seed", static_cast<std::int64_t>(seed));

  file.createGroup("/config");
  file.setAttribute("/config", "toml", config.toToml());
  for (const core::KeySpec& spec : config.schema().keys()) {
    if (!config.has(spec.key)) continue;
    switch (spec.type) {
      case core::ValueType::Integer: file.setAttribute("/config", spec.key, config.integer(spec.key)); break;
      case core::ValueType::Real: file.setAttribute("/config", spec.key, config.real(spec.key)); break;
      case core::ValueType::Boolean:
        file.setAttribute("/config", spec.key, std::int64_t{config.boolean(spec.key) ? 1 : 0});
        break;
      case core::ValueType::String: file.setAttribute("/config", spec.key, config.string(spec.key)); break;
      case core::ValueType::RealArray: file.setAttribute("/config", spec.key, config.reals(spec.key)); break;
      case core::ValueType::StringArray:
        file.setAttribute("/config", spec.key, fmt::format("{}", fmt::join(config.strings(spec.key), ",")));
        break;
      case core::ValueType::RealTable:
        for (const auto& [name, value] : config.realTable(spec.key))
          file.setAttribute("/config", spec.key + "." + name, value);
        break;
    }
  }
}

void writeProvenance(io::H5File& file, double wall_time_s, const std::string& backend_version) {
  file.createGroup("/provenance");
  file.setAttribute("/provenance", "host", hostName());
  file.setAttribute("/provenance", "finished", isoTimestampUtc());
  file.setAttribute("/provenance", "wall_time_s", wall_time_s);
  if (!backend_version.empty()) file.setAttribute("/provenance", "backend_version", backend_version);
}

}  // namespace xbarsim::extract
