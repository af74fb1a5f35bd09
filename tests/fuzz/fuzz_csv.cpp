// SPDX-License-Identifier: MIT
// libFuzzer target: the CSV matrix reader (body in csv_body.cpp).
#include "fuzz_bodies.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  xbarsim::fuzz::fuzzCsv(data, size);
  return 0;
}
