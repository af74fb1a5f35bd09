// SPDX-License-Identifier: MIT
// libFuzzer target: the DNN model file reader, structure-aware (body in model_body.cpp).
#include "fuzz_bodies.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  xbarsim::fuzz::fuzzModel(data, size);
  return 0;
}
