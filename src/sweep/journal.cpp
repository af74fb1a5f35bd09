// SPDX-License-Identifier: MIT
#include "xbarsim/sweep/journal.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <utility>

#include "xbarsim/core/error.hpp"
#include "xbarsim/core/input_file.hpp"
#include "xbarsim/sweep/plan.hpp"

namespace xbarsim::sweep {
namespace {

/// Largest journal read back by --resume: a million points with long error messages.
constexpr std::uintmax_t kJournalMaxBytes = std::uintmax_t{1} << 30;
constexpr char kMagic[8] = {'X', 'B', 'S', 'W', 'J', 'R', 'N', 'L'};
constexpr std::uint32_t kVersion = 1;
constexpr std::uint32_t kRecordMagic = 0x31544e50;  // "PNT1"

template <typename T>
void put(std::string& out, const T& value) {
  out.append(reinterpret_cast<const char*>(&value), sizeof(T));
}

template <typename T>
bool take(std::string_view in, std::size_t& pos, T& value) {
  if (in.size() - pos < sizeof(T)) return false;
  std::memcpy(&value, in.data() + pos, sizeof(T));
  pos += sizeof(T);
  return true;
}

std::string header(const std::string& fingerprint, std::size_t points) {
  std::string h(kMagic, sizeof(kMagic));
  put(h, kVersion);
  put<std::uint64_t>(h, fingerprint.size());
  h += fingerprint;
  put<std::uint64_t>(h, points);
  put(h, fnv1a64(h));
  return h;
}

[[noreturn]] void systemError(const std::filesystem::path& path, const char* action) {
  throw IoError(fmt::format("sweep journal '{}': cannot {}: {}", path.string(), action, std::strerror(errno)));
}

void writeAll(int fd, std::string_view bytes, const std::filesystem::path& path) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      systemError(path, "write");
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

/// Opens the journal and takes an exclusive lock on it for the life of the descriptor: two
/// sweeps writing the same output would interleave their journals and file versions.
int openLocked(const std::filesystem::path& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC, 0644);
  if (fd < 0) systemError(path, "open");
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK) {
    ::close(fd);
    throw ConfigError(path.string(), 0, "--out",
                      "another xbarsim sweep is writing this output (its journal is locked); wait "
                      "for it to finish or choose another output");
  }
  return fd;  // other flock failures (file systems without locks) leave the journal unlocked
}

void syncDirectory(const std::filesystem::path& file) {
  const auto dir = std::filesystem::absolute(file).parent_path();
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd >= 0) {
    (void)::fsync(fd);
    ::close(fd);
  }
}

/// The fingerprint text stored in a journal header, or nullopt if the header is cut short.
std::optional<std::string> storedFingerprint(std::string_view bytes) {
  std::size_t pos = sizeof(kMagic);
  std::uint32_t version = 0;
  std::uint64_t length = 0;
  if (!take(bytes, pos, version) || !take(bytes, pos, length) || bytes.size() - pos < length)
    return std::nullopt;
  return std::string(bytes.substr(pos, length));
}

/// The refusal of a journal written by another sweep; names an input file whose contents
/// changed since the journal was made when that is the difference.
[[noreturn]] void differentSweep(const std::filesystem::path& path, std::string_view bytes,
                                 const std::string& fingerprint) {
  if (const auto stored = storedFingerprint(bytes)) {
    if (const std::string file = changedInput(*stored, fingerprint); !file.empty())
      throw ConfigError(file, 0, "--resume",
                        fmt::format("changed since the sweep in {} started (resuming would mix "
                                    "results of both versions); run without --resume to start again",
                                    path.string()));
  }
  throw ConfigError(path.string(), 0, "--resume",
                    "the journal belongs to a different sweep (configuration, netlist, options or "
                    "shard changed); run without --resume to start again");
}

}  // namespace

std::uint64_t fnv1a64(std::string_view bytes, std::uint64_t seed) noexcept {
  std::uint64_t h = seed;
  for (const char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

std::filesystem::path Journal::pathFor(const std::filesystem::path& out) {
  return std::filesystem::path(out.string() + ".journal");
}

Journal Journal::create(const std::filesystem::path& path, const std::string& fingerprint,
                        std::size_t points) {
  const int fd = openLocked(path, O_WRONLY | O_CREAT);
  Journal journal(fd, path);
  if (::ftruncate(fd, 0) != 0) systemError(path, "truncate");
  writeAll(fd, header(fingerprint, points), path);
  if (::fsync(fd) != 0) systemError(path, "fsync");
  syncDirectory(path);
  return journal;
}

Journal Journal::resume(const std::filesystem::path& path, const std::string& fingerprint,
                        std::size_t points, std::vector<PointOutcome>& records) {
  const int fd = openLocked(path, O_WRONLY);
  Journal journal(fd, path);
  const std::string bytes = core::readInputFile(path, kJournalMaxBytes, "sweep journal");
  const std::string expected = header(fingerprint, points);
  if (bytes.size() < sizeof(kMagic) || std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) != 0)
    throw ConfigError(path.string(), 0, "--resume", "not an xbarsim sweep journal");
  if (bytes.compare(0, expected.size(), expected) != 0) differentSweep(path, bytes, fingerprint);
  std::size_t pos = expected.size();
  std::size_t good = pos;
  std::map<std::size_t, PointOutcome> latest;
  while (pos < bytes.size()) {
    std::uint32_t magic = 0;
    std::uint64_t length = 0, hash = 0;
    if (!take(bytes, pos, magic) || magic != kRecordMagic || !take(bytes, pos, length)) break;
    if (bytes.size() - pos < length) break;
    const std::string_view payload(bytes.data() + pos, length);
    pos += length;
    if (!take(bytes, pos, hash) || hash != fnv1a64(payload)) break;
    PointOutcome outcome;
    try {
      outcome = deserialize(payload);
    } catch (const Error&) {
      break;
    }
    if (outcome.index >= points) break;
    latest[outcome.index] = std::move(outcome);
    good = pos;
  }
  if (good < bytes.size()) {  // torn tail of a killed run: cut it off before appending
    if (::ftruncate(fd, static_cast<off_t>(good)) != 0) systemError(path, "truncate");
    if (::fsync(fd) != 0) systemError(path, "fsync");
  }
  if (::lseek(fd, static_cast<off_t>(good), SEEK_SET) < 0) systemError(path, "seek");
  records.clear();
  for (auto& [index, outcome] : latest) records.push_back(std::move(outcome));
  return journal;
}

Journal::Journal(Journal&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), path_(std::move(other.path_)) {}

Journal& Journal::operator=(Journal&& other) noexcept {
  if (this != &other) {
    close();
    fd_ = std::exchange(other.fd_, -1);
    path_ = std::move(other.path_);
  }
  return *this;
}

Journal::~Journal() { close(); }

void Journal::close() noexcept {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

void Journal::append(const PointOutcome& outcome) {
  if (fd_ < 0) throw IoError(fmt::format("sweep journal '{}': closed", path_.string()));
  const std::string payload = serialize(outcome);
  std::string record;
  record.reserve(payload.size() + 20);
  put(record, kRecordMagic);
  put<std::uint64_t>(record, payload.size());
  record += payload;
  put(record, fnv1a64(payload));
  writeAll(fd_, record, path_);
  if (::fdatasync(fd_) != 0) systemError(path_, "fdatasync");
}

}  // namespace xbarsim::sweep
