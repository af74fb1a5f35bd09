// SPDX-License-Identifier: MIT
// spice::Session: the parent's side of the ngspice worker process (src/spice/worker.cpp).
#include "xbarsim/spice/session.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#include "spice/detail/output.hpp"
#include "spice/detail/wire.hpp"
#include "xbarsim/circuit/native_solver.hpp"
#include "xbarsim/core/temp_cleanup.hpp"
#include "xbarsim/spice/cosim.hpp"

namespace xbarsim::spice {
namespace {

using detail::Op;
using detail::Reader;
using detail::Status;
using detail::Writer;

/// A positive finite number from the environment, else `fallback`.
double envNumber(const char* name, double fallback) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0') return fallback;
  char* end = nullptr;
  const double v = std::strtod(text, &end);
  if (end == text || *end != '\0' || !(v > 0.0) || !std::isfinite(v))
    throw Error(fmt::format("environment variable {}={} must be a positive number", name, text));
  return v;
}

/// Address space of this process now (bytes): the worker starts as a copy of it.
unsigned long long currentAddressSpace() {
  std::ifstream statm("/proc/self/statm");
  unsigned long long pages = 0;
  statm >> pages;
  return pages * static_cast<unsigned long long>(::sysconf(_SC_PAGESIZE));
}

std::string firstLine(const std::string& text) {
  std::string line = text.substr(0, text.find('\n'));
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.size() > 80) line = line.substr(0, 80) + "...";
  return line;
}

std::string signalName(int sig) {
  const char* abbrev = ::sigabbrev_np(sig);
  return abbrev != nullptr ? fmt::format("SIG{}", abbrev) : fmt::format("signal {}", sig);
}

/// Where a time limit came from and how to change it, for the message of a time-out.
std::string limitSource(const std::string& origin) {
  if (origin == "default")
    return "default; set run.ngspice_timeout_s or environment XBARSIM_NGSPICE_TIMEOUT_S";
  if (origin.rfind("environment ", 0) == 0) return "from " + origin;
  return "from " + origin + "; environment XBARSIM_NGSPICE_TIMEOUT_S overrides it";
}

}  // namespace

Session::Limits Session::Limits::resolve(double timeout_s, double memory_mb,
                                         const std::string& origin) {
  Limits limits;
  limits.timeout_s = envNumber("XBARSIM_NGSPICE_TIMEOUT_S", timeout_s);
  const char* env = std::getenv("XBARSIM_NGSPICE_TIMEOUT_S");
  limits.timeout_origin =
      env != nullptr && *env != '\0' ? "environment XBARSIM_NGSPICE_TIMEOUT_S" : origin;
  if (memory_mb <= 0.0) {
    const double ram_mb = static_cast<double>(::sysconf(_SC_PHYS_PAGES)) *
                          static_cast<double>(::sysconf(_SC_PAGESIZE)) / (1024.0 * 1024.0);
    memory_mb = ram_mb > 0 ? ram_mb : 4096.0;
  }
  limits.memory_mb = envNumber("XBARSIM_NGSPICE_MEMORY_MB", memory_mb);
  return limits;
}

Session::Limits Session::Limits::defaults() {
  const Limits plain;
  return resolve(plain.timeout_s, 0.0, "default");
}

struct Session::Impl {
  std::thread::id owner = std::this_thread::get_id();
  Limits limits = Limits::defaults();
  pid_t pid = -1;
  int fd = -1;
  std::string version = "ngspice-unknown";
  bool version_known = false;
  bool spawn_failed = false;
  std::string spawn_error;
  SolveDiagnostics last_solve;
  std::vector<std::string> pending_warnings;  ///< this side's notes (worker restarts, helpers)
  unsigned restarts = 0;

  /// Adds to pending_warnings, keeping the newest kMaxWarnings.
  void note(std::vector<std::string> lines) {
    for (auto& line : lines) pending_warnings.push_back(std::move(line));
    if (pending_warnings.size() > detail::kMaxWarnings)
      pending_warnings.erase(
          pending_warnings.begin(),
          pending_warnings.end() - static_cast<std::ptrdiff_t>(detail::kMaxWarnings));
  }

  Impl() = default;
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;
  ~Impl() {
    (void)stop(/*kill_first=*/false);
    removeDir();
  }

  void requireOwnerThread() const {
    if (std::this_thread::get_id() != owner)
      throw Error(
          "spice: the ngspice session belongs to the thread that created it; libngspice is "
          "not re-entrant (docs/ngspice-notes.md §3.1)");
  }

  /// Ends the worker (closing the connection makes it exit; SIGKILL if asked or if it does
  /// not) and returns how it ended, as text ("" for a normal exit).
  std::string stop(bool kill_first) {
    if (pid <= 0) return {};
    if (kill_first) ::kill(pid, SIGKILL);
    if (fd >= 0) ::close(fd);
    fd = -1;
    int status = 0;
    pid_t got = 0;
    rusage usage{};
    for (int i = 0; i < 200; ++i) {  // up to 2 s for a clean exit
      got = ::wait4(pid, &status, WNOHANG, &usage);
      if (got != 0) break;
      ::usleep(10000);
    }
    if (got == 0) {
      ::kill(pid, SIGKILL);
      got = ::wait4(pid, &status, 0, &usage);
    }
    pid = -1;
    if (got < 0) return "could not be waited for";
    // Peak resident memory tells a worker that ran into its memory limit (allocation
    // failures end in SIGSEGV or SIGABRT inside libngspice, in kOutOfMemoryExitStatus in
    // C++ code) from other crashes.
    const std::string peak = fmt::format(
        "peak memory {:.0f} MB, limit {:.0f} MB above the parent's size (run.ngspice_memory_mb)",
        static_cast<double>(usage.ru_maxrss) / 1024.0, limits.memory_mb);
    if (WIFSIGNALED(status))
      return fmt::format("killed by {}; {}", signalName(WTERMSIG(status)), peak);
    if (WIFEXITED(status) && WEXITSTATUS(status) == detail::kOutOfMemoryExitStatus)
      return fmt::format("out of memory; {}", peak);
    if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
      return fmt::format("exited with status {}; {}", WEXITSTATUS(status), peak);
    return {};
  }

  void start() {
    if (pid > 0) return;
    const char* tmp = std::getenv("TMPDIR");
    std::string dir = fmt::format("{}/xbarsim-ngspice-XXXXXX", tmp != nullptr && *tmp != '\0' ? tmp : "/tmp");
    if (::mkdtemp(dir.data()) == nullptr) {
      dir = "/tmp/xbarsim-ngspice-XXXXXX";
      if (::mkdtemp(dir.data()) == nullptr)
        throw Error(fmt::format("spice: cannot create a working directory for ngspice: {}",
                                std::strerror(errno)));
    }
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) {
      ::rmdir(dir.c_str());
      throw Error(fmt::format("spice: cannot create the ngspice worker's pipe: {}", std::strerror(errno)));
    }
    const double budget = limits.memory_mb * 1024.0 * 1024.0;
    const unsigned long long address_space =
        limits.memory_mb > 0 ? currentAddressSpace() + static_cast<unsigned long long>(budget) : 0;
    const pid_t child = ::fork();
    if (child < 0) {
      ::close(fds[0]);
      ::close(fds[1]);
      ::rmdir(dir.c_str());
      throw Error(fmt::format("spice: cannot start the ngspice worker process: {}", std::strerror(errno)));
    }
    if (child == 0) {
      ::close(fds[0]);
      detail::workerMain(fds[1], dir, address_space);  // never returns
    }
    ::close(fds[1]);
    pid = child;
    fd = fds[0];
    // The worker removes the directory once libngspice has started; removeDir() is for a
    // worker that failed before that (harmless otherwise), and a signal that ends this
    // process removes it too (the worker dies with this process).
    dir_ = dir;
    dir_slots_[0] = core::registerTempPath(dir + "/" + detail::kInitFileName);
    dir_slots_[1] = core::registerTempPath(dir);
  }

  /// Sends one request and returns the reply's payload reader state. Throws the worker's
  /// exception; WorkerError when the worker crashed, hung or could not start.
  std::string call(const Writer& request, const std::string& label, bool record_diagnostics) {
    requireOwnerThread();
    start();
    const std::string message = request.framed();
    std::string reply;
    detail::ReadResult result = detail::ReadResult::Closed;
    if (detail::sendAll(fd, message)) {
      const auto ms = static_cast<long long>(std::ceil(limits.timeout_s * 1000.0));
      result = detail::readMessage(fd, reply, ms);
    }
    if (result != detail::ReadResult::Ok) {
      const bool timed_out = result == detail::ReadResult::TimedOut;
      std::string how = stop(timed_out);
      removeDir();
      ++restarts;
      last_solve = {};
      if (timed_out)
        throw WorkerError(fmt::format(
            "ngspice did not finish '{}' within {:g} s, the time limit ({}); it was stopped",
            label, limits.timeout_s, limitSource(limits.timeout_origin)));
      throw WorkerError(fmt::format(
          "ngspice crashed ({}) during '{}'; the run failed (a fresh ngspice serves the next one)",
          how.empty() ? "ended without answering" : how, label));
    }
    Reader r(reply);
    const auto status = static_cast<Status>(r.u8());
    const bool alive = r.u8() != 0;
    std::string what = r.str();
    std::vector<std::string> messages = r.strs();
    SolveDiagnostics diag;
    diag.trouble_nodes = r.strs();
    diag.singular_matrix = r.u8() != 0;
    if (record_diagnostics) last_solve = diag;
    std::string payload = reply.substr(r.consumed());
    if (!alive) {
      (void)stop(false);
      removeDir();
      ++restarts;
      // A worker that retires after a successful call (a co-simulation) is replaced quietly.
      if (status != Status::Ok)
        note({"xbarsim: ngspice was restarted after a fatal error (" + firstLine(what) + ")"});
    }
    switch (status) {
      case Status::Ok: return payload;
      case Status::Spice: {
        // SpiceError's text is "ngspice: '<command>' failed: <messages joined>".
        const std::string joined = fmt::format("{}", fmt::join(messages, " | "));
        constexpr std::string_view head = "ngspice: '";
        constexpr std::string_view tail = "' failed: ";
        std::string command = what;
        if (what.size() >= head.size() + tail.size() + joined.size())
          command = what.substr(head.size(), what.size() - head.size() - tail.size() - joined.size());
        throw SpiceError(command, std::move(messages));
      }
      case Status::Numerical: throw NumericalError(what);
      default: throw Error(what);
    }
  }

  void removeDir() {
    if (dir_.empty()) return;
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
    dir_.clear();
    for (int& slot : dir_slots_) {
      core::unregisterTempPath(slot);
      slot = -1;
    }
  }

  std::string dir_;
  int dir_slots_[2] = {-1, -1};  ///< core::registerTempPath slots of dir_ and its .spiceinit

};

// ---- public API ---------------------------------------------------------------------------

Session::Session() : impl_(std::make_unique<Impl>()) {}

Session::~Session() = default;

Session& Session::instance() {
  static Session session;
  session.impl_->requireOwnerThread();
  return session;
}

void Session::setLimits(const Limits& limits) {
  if (!(limits.timeout_s > 0.0) || !std::isfinite(limits.timeout_s))
    throw Error(fmt::format("ngspice time limit {} s must be a positive number", limits.timeout_s));
  if (!(limits.memory_mb >= 0.0) || !std::isfinite(limits.memory_mb))
    throw Error(fmt::format("ngspice memory limit {} MB must be >= 0", limits.memory_mb));
  const bool memory_changed = limits.memory_mb != impl_->limits.memory_mb;
  impl_->limits = limits;
  if (memory_changed) {  // applies from the next worker
    (void)impl_->stop(false);
    impl_->removeDir();
  }
}

const Session::Limits& Session::limits() const noexcept { return impl_->limits; }

void Session::loadCircuit(const std::string& netlist) {
  Writer w;
  w.u8(static_cast<std::uint8_t>(Op::LoadCircuit));
  w.str(netlist);
  (void)impl_->call(w, "loadCircuit(" + firstLine(netlist) + ")", true);
}

void Session::command(const std::string& cmd) {
  Writer w;
  w.u8(static_cast<std::uint8_t>(Op::Command));
  w.str(cmd);
  (void)impl_->call(w, cmd.size() > 200 ? cmd.substr(0, 200) + "..." : cmd, true);
}

void Session::runDeck(const std::string& netlist, const std::vector<std::string>& commands) {
  Writer w;
  w.u8(static_cast<std::uint8_t>(Op::RunDeck));
  w.str(netlist);
  w.strs(commands);
  const std::string label = commands.empty() ? "runDeck" : commands.back();
  (void)impl_->call(w, label + " on " + firstLine(netlist), true);
}

namespace {
Writer request(Op op, const std::string* text = nullptr) {
  Writer w;
  w.u8(static_cast<std::uint8_t>(op));
  if (text != nullptr) w.str(*text);
  return w;
}
}  // namespace

std::vector<std::string> Session::plotNames() const {
  const std::string payload = impl_->call(request(Op::PlotNames), "plot names", false);
  return Reader(payload).strs();
}

const Session::SolveDiagnostics& Session::lastSolveDiagnostics() const noexcept {
  return impl_->last_solve;
}

std::vector<double> Session::realVector(const std::string& name) const {
  const std::string payload = impl_->call(request(Op::RealVector, &name), "vector " + name, false);
  return Reader(payload).doubles();
}

std::vector<std::complex<double>> Session::complexVector(const std::string& name) const {
  const std::string payload = impl_->call(request(Op::ComplexVector, &name), "vector " + name, false);
  return Reader(payload).complexes();
}

std::vector<std::string> Session::vectorNames() const {
  const std::string payload = impl_->call(request(Op::VectorNames), "vector names", false);
  return Reader(payload).strs();
}

void Session::clear() {
  if (impl_->pid <= 0) return;  // a fresh worker holds nothing
  (void)impl_->call(request(Op::Clear), "clear", false);
}

std::vector<std::string> Session::takeOutput() {
  impl_->requireOwnerThread();
  if (impl_->pid <= 0) return {};
  return Reader(impl_->call(request(Op::TakeOutput), "output", false)).strs();
}

std::vector<std::string> Session::takeWarnings() {
  impl_->requireOwnerThread();
  std::vector<std::string> warnings = std::move(impl_->pending_warnings);
  impl_->pending_warnings.clear();
  if (impl_->pid > 0) {
    auto more = Reader(impl_->call(request(Op::TakeWarnings), "warnings", false)).strs();
    warnings.insert(warnings.end(), more.begin(), more.end());
  }
  return warnings;
}

std::string Session::version() const {
  impl_->requireOwnerThread();
  if (!impl_->version_known) {
    impl_->version = Reader(impl_->call(request(Op::Version), "version", false)).str();
    impl_->version_known = true;
  }
  return impl_->version;
}

bool Session::hasCircuit() const {
  impl_->requireOwnerThread();
  if (impl_->pid <= 0) return false;
  return Reader(impl_->call(request(Op::HasCircuit), "setcirc", false)).u8() != 0;
}

void Session::addWarnings(std::vector<std::string> warnings) { impl_->note(std::move(warnings)); }

unsigned Session::restarts() const noexcept { return impl_->restarts; }

int Session::workerPid() const noexcept { return impl_->pid > 0 ? static_cast<int>(impl_->pid) : 0; }

CoSimResult coSimulate(Session& session, const CoSimRequest& request) {
  const auto start = std::chrono::steady_clock::now();
  const circuit::CrossbarSpec& spec = request.array;
  spec.validate();
  if (spec.cell != circuit::CellKind::OneR || !spec.isLinear() || spec.sense->kind() != "ideal")
    throw Error(
        "co-simulation: the array must be linear (1R cells with the linear I-V law) with the "
        "ideal sense in its spec (the periphery deck holds the sense amplifiers); non-linear "
        "cells are not coupled yet");
  const auto rows = static_cast<std::size_t>(spec.rows);
  const auto cols = static_cast<std::size_t>(spec.cols);
  std::vector<std::string> row_nodes = request.row_nodes;
  std::vector<std::string> col_nodes = request.col_nodes;
  if (row_nodes.empty())
    for (std::size_t i = 0; i < rows; ++i) row_nodes.push_back(fmt::format("in{}", i));
  if (col_nodes.empty())
    for (std::size_t j = 0; j < cols; ++j) col_nodes.push_back(fmt::format("out{}", j));
  if (row_nodes.size() != rows || col_nodes.size() != cols)
    throw Error(fmt::format("co-simulation: {} row and {} column nodes given for a {}x{} array",
                            row_nodes.size(), col_nodes.size(), rows, cols));
  // The array's multiport on [row drivers, column sense nodes] from the native solver:
  // I_c = W·v_r with the columns at 0 V, I_r = M·v_r (M the input admittance).
  circuit::NativeSolver solver(spec);
  const Eigen::MatrixXd w = solver.effectiveWeights(0.0);
  const Eigen::MatrixXd m = solver.powerMatrix(1.0);  // exact and input-independent (linear)
  std::vector<double> w_flat(rows * cols), m_flat(rows * rows);
  for (std::size_t j = 0; j < cols; ++j)
    for (std::size_t i = 0; i < rows; ++i)
      w_flat[j * rows + i] = w(static_cast<Eigen::Index>(j), static_cast<Eigen::Index>(i));
  for (std::size_t i = 0; i < rows; ++i)
    for (std::size_t k = 0; k < rows; ++k)
      m_flat[i * rows + k] = m(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(k));
  CoSimResult result;
  result.reduce_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  Writer wr;
  wr.u8(static_cast<std::uint8_t>(Op::CoSimulate));
  wr.str(request.periphery);
  wr.str(request.analysis);
  wr.strs(row_nodes);
  wr.strs(col_nodes);
  wr.doubles(w_flat);
  wr.doubles(m_flat);
  wr.doubles({request.max_step_s, request.current_tol, request.current_abs_a,
              request.extrapolate ? 1.0 : 0.0});
  wr.strs(request.vectors);
  const std::string reply = session.impl_->call(
      wr, "co-simulation " + request.analysis + " on " + firstLine(request.periphery), true);
  Reader r(reply);  // reads from `reply`, which must outlive it
  const std::vector<double> stats = r.doubles();
  if (stats.size() != 4) throw Error("spice: malformed co-simulation reply");
  result.exchanges = static_cast<long long>(stats[0]);
  result.shortened = static_cast<long long>(stats[1]);
  result.loads = static_cast<long long>(stats[2]);
  result.exchange_s = stats[3];
  for (std::size_t k = 0; k < request.vectors.size(); ++k) result.values.push_back(r.doubles());
  result.total_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace xbarsim::spice
