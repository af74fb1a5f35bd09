// SPDX-License-Identifier: MIT
// libFuzzer target: user decks (body in deck_body.cpp).
#include "fuzz_bodies.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  xbarsim::fuzz::fuzzDeck(data, size);
  return 0;
}
