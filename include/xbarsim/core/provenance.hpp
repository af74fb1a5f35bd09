// SPDX-License-Identifier: MIT
#pragma once
/// @file Version and run provenance (docs/architecture.md §12: run-dependent values go under
/// /provenance; the root holds version, commit, creation time, command line, seed).

#include <string>
#include <string_view>

namespace xbarsim {

[[nodiscard]] std::string_view versionString() noexcept;
[[nodiscard]] std::string_view gitCommit() noexcept;

/// Current UTC time, ISO 8601 with seconds ("2026-11-22T05:10:00Z").
[[nodiscard]] std::string isoTimestampUtc();
/// Host name of this machine ("unknown" if it cannot be read).
[[nodiscard]] std::string hostName();

}  // namespace xbarsim
