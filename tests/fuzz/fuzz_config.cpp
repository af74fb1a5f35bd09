// SPDX-License-Identifier: MIT
// libFuzzer target: the TOML configuration loader and the crossbar built from it. Any input
// must give a valid configuration or xbarsim::Error (ConfigError); never a crash, a hang or
// another exception type.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "xbarsim/circuit/crossbar_config.hpp"
#include "xbarsim/core/error.hpp"
#include "xbarsim/extract/config_schema.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    auto config = xbarsim::core::Config::parse(text, "fuzz.toml", xbarsim::extract::configSchema());
    (void)config.toToml();
    // Keep the array small: the fuzzer must not measure the allocator.
    if (config.integer("array.rows") * config.integer("array.cols") <= 4096 &&
        !config.has("device.conductances")) {
      const auto spec = xbarsim::circuit::crossbarFromConfig(config, 1);
      spec.validate();
    }
  } catch (const xbarsim::Error&) {
  }
  return 0;
}
