// SPDX-License-Identifier: MIT
// Fuzz body: the TOML configuration loader and the crossbar built from it. Any input must give a
// valid configuration or xbarsim::Error (ConfigError); never a crash, a hang or another
// exception type.
#include <string_view>

#include "fuzz_bodies.hpp"
#include "xbarsim/circuit/crossbar_config.hpp"
#include "xbarsim/core/error.hpp"
#include "xbarsim/extract/config_schema.hpp"

namespace xbarsim::fuzz {

void fuzzConfig(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    auto config = core::Config::parse(text, "fuzz.toml", extract::configSchema());
    (void)config.toToml();
    // Keep the array small: the fuzzer must not measure the allocator.
    if (config.integer("array.rows") * config.integer("array.cols") <= 4096 &&
        !config.has("device.conductances")) {
      const auto spec = circuit::crossbarFromConfig(config, 1);
      spec.validate();
    }
  } catch (const Error&) {
  }
}

}  // namespace xbarsim::fuzz
