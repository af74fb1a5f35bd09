// SPDX-License-Identifier: MIT
#pragma once
/// @file Locale-independent number text.

#include <string>

namespace xbarsim {

/// Shortest text that reads back to exactly the same double (fmt's Dragonbox, never the
/// locale, never std::to_string, which prints 6 decimals: 2e-9 -> "0.000000").
[[nodiscard]] std::string formatExact(double x);

/// formatExact for values written into SPICE decks; throws xbarsim::Error on NaN/inf.
[[nodiscard]] std::string spiceNumber(double x);

}  // namespace xbarsim
