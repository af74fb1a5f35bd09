// SPDX-License-Identifier: MIT
#pragma once
// Text of netlists/*.lib (the sense-amplifier macro-models), compiled into the library
// (src/circuit/CMakeLists.txt).
#include <string_view>
#include <vector>

namespace xbarsim::circuit::detail {

struct EmbeddedFile {
  std::string_view name;  ///< file name under netlists/, e.g. "tia.lib"
  std::string_view text;
};

/// Every embedded netlists/*.lib, in file-name order.
const std::vector<EmbeddedFile>& netlistLibraries();

/// The text of netlists/<name>; throws xbarsim::Error if it is not embedded.
std::string_view netlistLibrary(std::string_view name);

}  // namespace xbarsim::circuit::detail
