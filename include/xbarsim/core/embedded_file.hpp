// SPDX-License-Identifier: MIT
#pragma once
/// @file A text file compiled into the library (tools/cmake/embed_files.cmake): devices/*.lib and
/// devices/*.toml (device module), netlists/*.lib (circuit module), found by file name.

#include <string_view>
#include <vector>

namespace xbarsim::core {

struct EmbeddedFile {
  std::string_view name;  ///< file name without folder, e.g. "rram_stanford.lib"
  std::string_view text;
};

/// The file called `name` in `files`, or nullptr.
[[nodiscard]] inline const EmbeddedFile* findEmbeddedFile(const std::vector<EmbeddedFile>& files,
                                                          std::string_view name) noexcept {
  for (const EmbeddedFile& file : files)
    if (file.name == name) return &file;
  return nullptr;
}

}  // namespace xbarsim::core
