// SPDX-License-Identifier: MIT
#include "xbarsim/io/atomic_file.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <charconv>
#include <limits>
#include <cerrno>
#include <cstdio>
#include <system_error>
#include <utility>

#include "xbarsim/core/error.hpp"
#include "xbarsim/core/temp_cleanup.hpp"
#include "xbarsim/io/path_guard.hpp"

namespace xbarsim::io {
namespace {

std::string errnoText(int err) { return std::generic_category().message(err); }

/// Distinguishes several AtomicFiles of one process aimed at the same target.
std::atomic<unsigned> g_temp_counter{0};

/// fsync of a file or directory; returns 0 or errno.
int syncPath(const std::filesystem::path& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return errno;
  const int rc = ::fsync(fd) == 0 ? 0 : errno;
  ::close(fd);
  return rc;
}

/// Removes `.<name>.tmp-<pid>-<n>` files of `target` whose process no longer exists (a run
/// ended by SIGKILL). A live pid (of this host) is left alone: it may be writing right now.
void removeStaleTemporaries(const std::filesystem::path& target) {
  const std::string prefix = "." + target.filename().native() + ".tmp-";
  const std::filesystem::path dir = target.parent_path().empty() ? "." : target.parent_path();
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().native();
    if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) continue;
    const std::string rest = name.substr(prefix.size());
    const auto dash = rest.find('-');
    if (dash == 0 || dash == std::string::npos ||
        rest.find_first_not_of("0123456789-") != std::string::npos)
      continue;
    long pid = 0;
    if (std::from_chars(rest.data(), rest.data() + dash, pid).ec != std::errc()) continue;
    if (pid <= 0 || pid > std::numeric_limits<pid_t>::max() || pid == ::getpid()) continue;
    if (::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;
    std::error_code ignored;
    std::filesystem::remove(it->path(), ignored);
  }
}

void removeTemp(const std::filesystem::path& temp, int& slot) {
  if (!temp.empty()) {
    std::error_code ec;
    std::filesystem::remove(temp, ec);  // best effort; nothing to report from a destructor
  }
  core::unregisterTempPath(std::exchange(slot, -1));
}

}  // namespace

AtomicFile::AtomicFile(std::filesystem::path target) : target_(std::move(target)) {
  if (target_.filename().empty()) {
    throw IoError(fmt::format("atomic output '{}': not a file name", target_.native()));
  }
  checkOutputPath(target_);
  removeStaleTemporaries(target_);
  const std::filesystem::path dir = target_.parent_path();
  // Create the temporary now (O_EXCL): this is the real writability test, and it also works
  // for root, for whom access(W_OK) says yes on read-only mounts.
  for (int attempt = 0;; ++attempt) {
    const std::string name = fmt::format(".{}.tmp-{}-{}", target_.filename().native(), ::getpid(),
                                         g_temp_counter.fetch_add(1));
    std::filesystem::path temp = dir.empty() ? std::filesystem::path(name) : dir / name;
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd >= 0) {
      cleanup_slot_ = core::registerTempPath(temp);
      ::close(fd);
      temp_ = std::move(temp);
      return;
    }
    const int err = errno;
    if (err != EEXIST || attempt >= 100) {
      throw IoError(fmt::format(
          "cannot write output '{}': cannot create '{}' in directory '{}': {}", target_.native(),
          temp.native(), dir.empty() ? std::string(".") : dir.native(), errnoText(err)));
    }
  }
}

AtomicFile::AtomicFile(AtomicFile&& other) noexcept
    : target_(std::move(other.target_)),
      temp_(std::exchange(other.temp_, {})),
      committed_(std::exchange(other.committed_, false)),
      cleanup_slot_(std::exchange(other.cleanup_slot_, -1)) {}

AtomicFile& AtomicFile::operator=(AtomicFile&& other) noexcept {
  if (this != &other) {
    if (!committed_) removeTemp(temp_, cleanup_slot_);
    target_ = std::move(other.target_);
    temp_ = std::exchange(other.temp_, {});
    committed_ = std::exchange(other.committed_, false);
    cleanup_slot_ = std::exchange(other.cleanup_slot_, -1);
  }
  return *this;
}

AtomicFile::~AtomicFile() {
  if (!committed_) removeTemp(temp_, cleanup_slot_);
}

void AtomicFile::commit(Durability durability) {
  if (committed_) {
    throw IoError(fmt::format("output '{}' already committed", target_.native()));
  }
  if (temp_.empty()) throw IoError("AtomicFile::commit on a moved-from object");
  checkOutputPath(target_);  // inputs read since the constructor are registered now
  const bool sync = durability == Durability::Synced;
  if (const int err = sync ? syncPath(temp_, O_RDONLY) : 0; err != 0) {
    throw IoError(fmt::format("cannot write output '{}': sync of '{}' failed: {}", target_.native(),
                              temp_.native(), errnoText(err)));
  }
  if (std::rename(temp_.c_str(), target_.c_str()) != 0) {
    const int err = errno;
    throw IoError(fmt::format("cannot write output '{}': rename from '{}' failed: {}",
                              target_.native(), temp_.native(), errnoText(err)));
  }
  committed_ = true;
  core::unregisterTempPath(std::exchange(cleanup_slot_, -1));
  // Make the rename itself durable; the data is already complete, so failure here is ignored.
  const std::filesystem::path dir = target_.parent_path();
  if (sync) (void)syncPath(dir.empty() ? std::filesystem::path(".") : dir, O_RDONLY | O_DIRECTORY);
}

}  // namespace xbarsim::io
