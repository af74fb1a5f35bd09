// SPDX-License-Identifier: MIT
#pragma once
/// @file The sweep journal: an append-only file next to the output (`<out>.journal`), one
/// checksummed record per finished point, written and fsync'd before the HDF5 file is updated.
/// It is the source of truth for --resume: a SIGKILL can tear the HDF5 file, never a complete
/// journal record (a torn last record is detected by its length/checksum and dropped).
///
/// Layout (host byte order): header "XBSWJRNL" u32 version, u64 length + fingerprint text,
/// u64 points, u64 FNV-1a of the header; then records: u32 magic "PNT1", u64 length, payload
/// (serialize(PointOutcome)), u64 FNV-1a of the payload. A later record for the same point
/// replaces an earlier one (a failed point retried on resume).
///
/// A sweep holds an exclusive flock on its journal while it runs: a second sweep writing the
/// same output is refused (ConfigError) instead of mixing journals and file versions.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "xbarsim/sweep/job.hpp"

namespace xbarsim::sweep {

/// 64-bit FNV-1a hash.
[[nodiscard]] std::uint64_t fnv1a64(std::string_view bytes, std::uint64_t seed = 0xcbf29ce484222325ULL) noexcept;

class Journal {
 public:
  /// "<out>.journal".
  [[nodiscard]] static std::filesystem::path pathFor(const std::filesystem::path& out);
  /// Creates (or truncates) the journal and writes its header. @throws IoError.
  [[nodiscard]] static Journal create(const std::filesystem::path& path, const std::string& fingerprint,
                                      std::size_t points);
  /// Opens an existing journal for appending; returns its complete records in `records` (the
  /// latest per point), cutting off a torn tail. @throws ConfigError if it belongs to another
  /// sweep (different fingerprint or point count), IoError if unreadable.
  [[nodiscard]] static Journal resume(const std::filesystem::path& path, const std::string& fingerprint,
                                      std::size_t points, std::vector<PointOutcome>& records);

  Journal(Journal&& other) noexcept;
  Journal& operator=(Journal&& other) noexcept;
  Journal(const Journal&) = delete;
  Journal& operator=(const Journal&) = delete;
  ~Journal();

  /// Appends one record and fsyncs it. @throws IoError.
  void append(const PointOutcome& outcome);
  [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }
  /// Closes the file (idempotent).
  void close() noexcept;

 private:
  Journal(int fd, std::filesystem::path path) noexcept : fd_(fd), path_(std::move(path)) {}
  int fd_ = -1;
  std::filesystem::path path_;
};

}  // namespace xbarsim::sweep
