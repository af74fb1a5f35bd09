// SPDX-License-Identifier: MIT
// libFuzzer target: the TOML configuration loader (body in config_body.cpp).
#include "fuzz_bodies.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  xbarsim::fuzz::fuzzConfig(data, size);
  return 0;
}
