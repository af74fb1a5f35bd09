// SPDX-License-Identifier: MIT
#pragma once
/// @file All-or-nothing output files: write to a temporary next to the target, then rename.
///
/// Usage (declare the AtomicFile before the writer, so the writer is closed first):
/// @code
///   io::AtomicFile out(target);
///   auto h5 = io::H5File::create(out.tempPath());
///   ... write ...
///   h5.close();
///   out.commit();  // target now holds the complete file
/// @endcode
/// If anything throws before commit(), the destructor removes the temporary and the target is
/// untouched (an older target stays as it was). A process killed by a signal may leave the hidden
/// temporary `.<name>.tmp-<pid>-<n>` behind, never a half-written target.

#include <filesystem>

namespace xbarsim::io {

/// A temporary output file that becomes `target` on commit(). Move-only.
class AtomicFile {
 public:
  /// Creates the empty temporary `<dir>/.<name>.tmp-<pid>-<n>` in the target's directory (the
  /// rename is atomic only within one file system). @throws IoError naming the path and the
  /// system error (strerror) if the directory is missing or not writable.
  explicit AtomicFile(std::filesystem::path target);

  AtomicFile(AtomicFile&& other) noexcept;
  AtomicFile& operator=(AtomicFile&& other) noexcept;
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;
  /// Removes the temporary unless committed; never throws.
  ~AtomicFile();

  /// Where the final file will be.
  [[nodiscard]] const std::filesystem::path& target() const noexcept { return target_; }
  /// Where to write now. Writers may truncate or replace this file.
  [[nodiscard]] const std::filesystem::path& tempPath() const noexcept { return temp_; }
  /// True after a successful commit().
  [[nodiscard]] bool committed() const noexcept { return committed_; }

  /// Flushes the temporary to disk (fsync) and renames it onto the target, replacing an existing
  /// file. Close any writer on tempPath() first. @throws IoError (with strerror) on failure, or
  /// if already committed; the temporary is then still removed by the destructor.
  void commit();

 private:
  std::filesystem::path target_;
  std::filesystem::path temp_;
  bool committed_ = false;
};

}  // namespace xbarsim::io
