// SPDX-License-Identifier: MIT
#pragma once
// Text of devices/*.lib and devices/*.toml, compiled into the library (src/device/CMakeLists.txt).
#include "xbarsim/core/embedded_file.hpp"

namespace xbarsim::device::detail {

using core::EmbeddedFile;

/// Every embedded file, in file-name order.
const std::vector<EmbeddedFile>& embeddedFiles();

}  // namespace xbarsim::device::detail
