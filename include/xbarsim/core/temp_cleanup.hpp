// SPDX-License-Identifier: MIT
#pragma once
/// @file Temporary files removed when the process is ended by SIGINT, SIGTERM or SIGHUP.
///
/// A fixed table of paths (no allocation in the handler): the handler unlinks every registered
/// path, restores the default action and re-raises the signal, so the process still ends by
/// that signal (exit status 128 + n in a shell). The handlers are installed on the first
/// registration, and only for signals whose disposition is the default one (a SIGHUP ignored
/// by nohup stays ignored). A forked child that inherits the table never unlinks its parent's
/// files. SIGKILL cannot be caught: AtomicFile removes such leftovers on the next run.

#include <filesystem>

namespace xbarsim::core {

/// Registers `path` for removal on SIGINT/SIGTERM/SIGHUP: a file, or a directory (removed
/// after the files, so a directory whose files are all registered goes too). Returns a slot for
/// unregisterTempPath(), or -1 when the table is full or the path too long (the file is then
/// only removed by its owner or the next run).
[[nodiscard]] int registerTempPath(const std::filesystem::path& path) noexcept;

/// Forgets a slot returned by registerTempPath() (no-op for -1).
void unregisterTempPath(int slot) noexcept;

}  // namespace xbarsim::core
