// SPDX-License-Identifier: MIT
#include "xbarsim/core/input_file.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

#include "xbarsim/core/error.hpp"

namespace xbarsim::core {
namespace {

std::string_view kindOf(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

std::string errnoText(int err) { return std::generic_category().message(err); }

[[noreturn]] void fail(const std::filesystem::path& path, const std::string& problem) {
  throw ConfigError(path.native(), 0, "", problem);
}

/// Refuses anything but a regular file of at most `max_bytes`.
void checkStat(const std::filesystem::path& path, const struct stat& st, std::uintmax_t max_bytes,
               std::string_view what) {
  if (!S_ISREG(st.st_mode))
    fail(path, fmt::format("is {}; a {} must be a regular file", kindOf(st.st_mode), what));
  const auto size = static_cast<std::uintmax_t>(st.st_size);
  if (size > max_bytes)
    fail(path, fmt::format("is {} ({} bytes), above the {} limit of a {}", formatBytes(size), size,
                           formatBytes(max_bytes), what));
}

}  // namespace

std::string formatBytes(std::uintmax_t bytes) {
  constexpr std::string_view kUnits[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
  std::size_t unit = 0;
  double value = static_cast<double>(bytes);
  while (value >= 1024.0 && unit + 1 < std::size(kUnits)) {
    value /= 1024.0;
    ++unit;
  }
  if (unit == 0) return fmt::format("{} bytes", bytes);
  return value == static_cast<double>(static_cast<std::uintmax_t>(value))
             ? fmt::format("{} {}", static_cast<std::uintmax_t>(value), kUnits[unit])
             : fmt::format("{:.1f} {}", value, kUnits[unit]);
}

std::uintmax_t checkInputFile(const std::filesystem::path& path, std::uintmax_t max_bytes,
                              std::string_view what) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    const int err = errno;
    fail(path, fmt::format("cannot open {}: {}", what, errnoText(err)));
  }
  checkStat(path, st, max_bytes, what);
  return static_cast<std::uintmax_t>(st.st_size);
}

void readInputBlocks(const std::filesystem::path& path, std::uintmax_t max_bytes,
                     std::string_view what, const std::function<void(std::string_view)>& consume,
                     bool up_to_opened_size) {
  // O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused right after.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    const int err = errno;
    fail(path, fmt::format("cannot open {}: {}", what, errnoText(err)));
  }
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    fail(path, fmt::format("cannot read {}: {}", what, errnoText(err)));
  }
  checkStat(path, st, max_bytes, what);
  const std::uintmax_t limit =
      up_to_opened_size ? static_cast<std::uintmax_t>(st.st_size) : max_bytes;
  std::uintmax_t total = 0;
  char buf[1 << 16];
  while (true) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      fail(path, fmt::format("cannot read {}: {}", what, errnoText(err)));
    }
    total += static_cast<std::uintmax_t>(n);
    if (total > limit)
      fail(path, up_to_opened_size
                     ? fmt::format("grew while being read (a {} must not change during the run)",
                                   what)
                     : fmt::format("grew above the {} limit of a {} while being read",
                                   formatBytes(max_bytes), what));
    consume(std::string_view(buf, static_cast<std::size_t>(n)));
  }
}

std::string readInputFile(const std::filesystem::path& path, std::uintmax_t max_bytes,
                          std::string_view what) {
  std::string text;
  readInputBlocks(path, max_bytes, what, [&](std::string_view block) { text.append(block); });
  return text;
}

}  // namespace xbarsim::core
