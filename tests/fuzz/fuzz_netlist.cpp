// SPDX-License-Identifier: MIT
// libFuzzer target: netlist generator round trip (body in netlist_body.cpp).
#include "fuzz_bodies.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  xbarsim::fuzz::fuzzNetlist(data, size);
  return 0;
}
