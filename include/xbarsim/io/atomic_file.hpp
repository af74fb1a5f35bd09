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
/// untouched (an older target stays as it was). The temporary is also removed when the process is
/// ended by SIGINT, SIGTERM or SIGHUP (core/temp_cleanup.hpp); one left by a SIGKILL'd run,
/// `.<name>.tmp-<pid>-<n>` with a pid that no longer runs, is removed by the next AtomicFile
/// aimed at the same target. Never a half-written target.
///
/// The target is checked (io/path_guard.hpp) when the AtomicFile is made and again before the
/// rename: it must not be an input of the run, nor an existing file that is not a regular file.

#include <filesystem>

namespace xbarsim::io {

/// A temporary output file that becomes `target` on commit(). Move-only.
class AtomicFile {
 public:
  /// Creates the empty temporary `<dir>/.<name>.tmp-<pid>-<n>` in the target's directory (the
  /// rename is atomic only within one file system). @throws ConfigError if the target is an
  /// input or not a regular file (checkOutputPath); IoError naming the path and the system error
  /// (strerror) if the directory is missing or not writable.
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

  /// What commit() guarantees beyond atomicity against a killed process.
  enum class Durability {
    Synced,    ///< fsync of the file and its directory: the target survives a power cut
    KillSafe,  ///< no fsync (for frequent versions whose durable record is kept elsewhere)
  };

  /// Flushes the temporary to disk (fsync, unless KillSafe) and renames it onto the target,
  /// replacing an existing file. Close any writer on tempPath() first. @throws IoError (with
  /// strerror) on failure, or if already committed; the temporary is then still removed by the
  /// destructor.
  void commit(Durability durability = Durability::Synced);

 private:
  std::filesystem::path target_;
  std::filesystem::path temp_;
  bool committed_ = false;
  int cleanup_slot_ = -1;  ///< core::registerTempPath slot of temp_
};

}  // namespace xbarsim::io
