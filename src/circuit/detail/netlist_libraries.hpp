// SPDX-License-Identifier: MIT
#pragma once
// Text of netlists/*.lib (the sense-amplifier macro-models), compiled into the library
// (src/circuit/CMakeLists.txt).
#include "xbarsim/core/embedded_file.hpp"

namespace xbarsim::circuit::detail {

using core::EmbeddedFile;

/// Every embedded netlists/*.lib, in file-name order.
const std::vector<EmbeddedFile>& netlistLibraries();

/// The text of netlists/<name>; throws xbarsim::Error if it is not embedded.
std::string_view netlistLibrary(std::string_view name);

}  // namespace xbarsim::circuit::detail
