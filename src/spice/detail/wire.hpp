// SPDX-License-Identifier: MIT
#pragma once
/// @file The ngspice worker's message format (src/spice/session.cpp <-> src/spice/worker.cpp):
/// every message is a 4-byte length (host order: both ends are the same program) followed by
/// that many bytes of fields written by Writer and read back, in the same order, by Reader.
/// Strings and vectors are a 4-byte count followed by their elements.

#include <complex>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "xbarsim/core/error.hpp"

namespace xbarsim::spice::detail {

/// Request codes (parent -> worker), one per forwarded Session call.
enum class Op : std::uint8_t {
  LoadCircuit = 1,
  Command,
  RunDeck,
  PlotNames,
  RealVector,
  ComplexVector,
  VectorNames,
  Clear,
  TakeOutput,
  TakeWarnings,
  Version,
  HasCircuit,
  CoSimulate,
};

/// Reply status (worker -> parent): the call returned, or which exception it threw.
enum class Status : std::uint8_t { Ok = 0, Spice, Numerical, Other };

/// The file the worker puts in its private directory for ngSpice_Init to read (see workerMain).
constexpr const char* kInitFileName = ".spiceinit";

/// Exit status of a worker that ran out of memory (std::bad_alloc: its address-space limit);
/// libngspice's state is not trusted after that, so the worker ends and the parent reports it.
constexpr int kOutOfMemoryExitStatus = 124;

/// Largest message either side accepts (a 512×512 W_eff AC plot set is far below this).
constexpr std::uint32_t kMaxMessageBytes = 1U << 30;

class Writer {
 public:
  void u8(std::uint8_t v) { bytes_.push_back(static_cast<char>(v)); }
  void u32(std::uint32_t v) { raw(&v, sizeof v); }
  void str(const std::string& s) {
    u32(static_cast<std::uint32_t>(s.size()));
    bytes_.append(s);
  }
  void strs(const std::vector<std::string>& v) {
    u32(static_cast<std::uint32_t>(v.size()));
    for (const auto& s : v) str(s);
  }
  void doubles(const std::vector<double>& v) {
    u32(static_cast<std::uint32_t>(v.size()));
    raw(v.data(), v.size() * sizeof(double));
  }
  void complexes(const std::vector<std::complex<double>>& v) {
    u32(static_cast<std::uint32_t>(v.size()));
    raw(v.data(), v.size() * sizeof(std::complex<double>));
  }
  void append(const Writer& other) { bytes_ += other.bytes_; }
  /// The framed message: length prefix + fields.
  [[nodiscard]] std::string framed() const {
    std::string out(sizeof(std::uint32_t), '\0');
    const auto n = static_cast<std::uint32_t>(bytes_.size());
    std::memcpy(out.data(), &n, sizeof n);
    return out + bytes_;
  }

 private:
  void raw(const void* p, std::size_t n) { bytes_.append(static_cast<const char*>(p), n); }
  std::string bytes_;
};

class Reader {
 public:
  explicit Reader(const std::string& bytes) : bytes_(bytes) {}
  std::uint8_t u8() {
    need(1);
    return static_cast<std::uint8_t>(bytes_[at_++]);
  }
  std::uint32_t u32() {
    std::uint32_t v = 0;
    raw(&v, sizeof v);
    return v;
  }
  std::string str() {
    const std::uint32_t n = u32();
    need(n);
    std::string s = bytes_.substr(at_, n);
    at_ += n;
    return s;
  }
  std::vector<std::string> strs() {
    const std::uint32_t n = u32();
    std::vector<std::string> v;
    for (std::uint32_t k = 0; k < n; ++k) v.push_back(str());
    return v;
  }
  std::vector<double> doubles() {
    const std::uint32_t n = u32();
    need(std::size_t{n} * sizeof(double));
    std::vector<double> v(n);
    raw(v.data(), v.size() * sizeof(double));
    return v;
  }
  [[nodiscard]] std::size_t consumed() const noexcept { return at_; }
  std::vector<std::complex<double>> complexes() {
    const std::uint32_t n = u32();
    need(std::size_t{n} * sizeof(std::complex<double>));
    std::vector<std::complex<double>> v(n);
    raw(v.data(), v.size() * sizeof(std::complex<double>));
    return v;
  }

 private:
  void need(std::size_t n) const {
    if (bytes_.size() - at_ < n) throw Error("spice: malformed message from the ngspice worker");
  }
  void raw(void* p, std::size_t n) {
    need(n);
    std::memcpy(p, bytes_.data() + at_, n);
    at_ += n;
  }
  const std::string& bytes_;
  std::size_t at_ = 0;
};

/// Writes all of `data` to `fd` (MSG_NOSIGNAL: a dead peer is an error return, not SIGPIPE).
/// False when the peer is gone.
bool sendAll(int fd, const std::string& data);

/// Reads one framed message from `fd` into `out`. `deadline_ms` < 0: wait for ever; else
/// give up after that many milliseconds (steady clock). Returns Ok, Closed (peer gone or
/// malformed frame) or TimedOut.
enum class ReadResult { Ok, Closed, TimedOut };
ReadResult readMessage(int fd, std::string& out, long long deadline_ms);

/// The worker's request loop on `fd` (runs in the child; returns when the parent closes the
/// connection or the engine died).
void serveRequests(int fd);

}  // namespace xbarsim::spice::detail

namespace xbarsim::spice::detail {

/// The worker child's life after fork(): signals reset (SIGINT/SIGTERM/SIGHUP ignored: the
/// parent decides; killed when the parent dies), stdin/stdout/stderr on /dev/null, every
/// other inherited descriptor closed, no core dump, address space limited to
/// `address_space_bytes` (0: unlimited), working directory and HOME the private directory
/// `dir` holding only a `.spiceinit` of ours with a comment (so that ngSpice_Init reads that
/// one and never the user's ~/.spiceinit, which it finds through the passwd database); both
/// are removed once ngSpice_Init has run (nothing can then be written beside the decks),
/// program execution refused by the kernel (seccomp: execve fails with EPERM, so no `shell`
/// command or code path can start a program), then serveRequests() and _exit.
[[noreturn]] void workerMain(int fd, const std::string& dir,
                             unsigned long long address_space_bytes);

}  // namespace xbarsim::spice::detail
