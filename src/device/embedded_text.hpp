// SPDX-License-Identifier: MIT
#pragma once
// Text of devices/*.lib and devices/*.toml, compiled into the library (src/device/CMakeLists.txt).
#include <string_view>
#include <vector>

namespace xbarsim::device::detail {

struct EmbeddedFile {
  std::string_view name;  ///< file name under devices/, e.g. "rram_stanford.lib"
  std::string_view text;
};

/// Every embedded file, in file-name order.
const std::vector<EmbeddedFile>& embeddedFiles();

}  // namespace xbarsim::device::detail
