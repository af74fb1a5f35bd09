// SPDX-License-Identifier: MIT
#pragma once
/// @file Bounded reads of input files (configurations, CSV matrices, journals, decks).
///
/// Every file a user names is checked before it is read: it must be a regular file (a FIFO,
/// a device such as /dev/zero or a directory is refused without blocking), and not larger than a
/// limit that depends on what the file is. Errors are ConfigError (exit status 1) naming the file
/// and, for a size problem, the limit.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>

namespace xbarsim::core {

/// Limit of a TOML file (configuration, device card): far above any hand-written one.
inline constexpr std::uintmax_t kTomlFileMaxBytes = std::uintmax_t{16} << 20;
/// Limit of a text matrix (CSV): a 65536 x 65536 array's inputs, or 4096 x 4096 conductances
/// written with 17 significant digits, fit several times.
inline constexpr std::uintmax_t kTextMatrixMaxBytes = std::uintmax_t{1} << 30;
/// Limit of a SPICE deck with everything it includes.
inline constexpr std::uintmax_t kDeckMaxBytes = std::uintmax_t{64} << 20;
/// No size limit (the kind of file is still checked).
inline constexpr std::uintmax_t kNoSizeLimit = UINTMAX_MAX;

/// Checks that `path` (links followed) names a regular file of at most `max_bytes` bytes and
/// returns its size. `what` says what the file is ("configuration file"), for the message.
/// @throws ConfigError naming the file: missing, not a regular file, or above the limit.
std::uintmax_t checkInputFile(const std::filesystem::path& path, std::uintmax_t max_bytes,
                              std::string_view what);

/// The bytes of the regular file `path`, refused as by checkInputFile before anything is read
/// (a FIFO is opened without blocking and refused). A file that grows beyond `max_bytes` while
/// it is read is refused too. @throws ConfigError naming the file (with strerror on a failed
/// open or read).
[[nodiscard]] std::string readInputFile(const std::filesystem::path& path,
                                        std::uintmax_t max_bytes, std::string_view what);

/// Streams the regular file `path` to `consume` in blocks, checked as by readInputFile (kind and
/// size on the opened file; a FIFO is refused without blocking). Reads at most `max_bytes`, and
/// with `up_to_opened_size` at most the size the file had when it was opened: a file that grows
/// while it is read is refused instead of read for ever. @throws ConfigError naming the file.
void readInputBlocks(const std::filesystem::path& path, std::uintmax_t max_bytes,
                     std::string_view what, const std::function<void(std::string_view)>& consume,
                     bool up_to_opened_size = false);

/// "16 MiB", "1 GiB", "512 bytes": a byte count as people write limits.
[[nodiscard]] std::string formatBytes(std::uintmax_t bytes);

}  // namespace xbarsim::core
