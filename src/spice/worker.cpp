// SPDX-License-Identifier: MIT
// The ngspice worker process: sandbox set-up and the request loop around detail::Engine.
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstddef>
#include <cstdlib>
#include <memory>
#include <new>
#include <string>
#include <string_view>

#include "spice/detail/engine.hpp"
#include "spice/detail/wire.hpp"

namespace xbarsim::spice::detail {
namespace {

bool readExact(int fd, char* p, std::size_t n, std::chrono::steady_clock::time_point deadline,
               bool timed, bool& timed_out) {
  while (n > 0) {
    if (timed) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                            deadline - std::chrono::steady_clock::now())
                            .count();
      if (left <= 0) {
        timed_out = true;
        return false;
      }
      pollfd pfd{fd, POLLIN, 0};
      const int ready = ::poll(&pfd, 1, static_cast<int>(std::min<long long>(left, 60000)));
      if (ready < 0 && errno == EINTR) continue;
      if (ready < 0) return false;
      if (ready == 0) continue;
    }
    const ssize_t got = ::read(fd, p, n);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return false;
    p += got;
    n -= static_cast<std::size_t>(got);
  }
  return true;
}

/// Kernel filter: execve/execveat (and x32-ABI system calls) fail with EPERM.
void refuseProgramExecution() {
#if defined(__x86_64__)
  constexpr unsigned kArch = AUDIT_ARCH_X86_64;
#elif defined(__aarch64__)
  constexpr unsigned kArch = AUDIT_ARCH_AARCH64;
#else
  constexpr unsigned kArch = 0;
#endif
  if constexpr (kArch == 0) return;
  sock_filter filter[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, kArch, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000U, 3, 0),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_execve, 2, 0),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_execveat, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA)),
  };
  sock_fprog program{static_cast<unsigned short>(sizeof filter / sizeof filter[0]), filter};
  if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
      ::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &program) != 0)
    _exit(121);  // the parent reports "could not start"; never run ngspice unconfined
}

/// The worker's private directory while libngspice starts (see workerMain); "" once removed.
std::string g_private_dir;

/// Removes the private directory and its `.spiceinit` (once ngSpice_Init has run, or failed).
void leavePrivateDirectory() {
  if (g_private_dir.empty()) return;
  ::unlink((g_private_dir + "/" + kInitFileName).c_str());
  ::rmdir(g_private_dir.c_str());
  g_private_dir.clear();
}

}  // namespace

bool sendAll(int fd, const std::string& data) {
  std::size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::send(fd, data.data() + done, data.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

ReadResult readMessage(int fd, std::string& out, long long deadline_ms) {
  const bool timed = deadline_ms >= 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timed ? deadline_ms : 0);
  bool timed_out = false;
  std::uint32_t n = 0;
  if (!readExact(fd, reinterpret_cast<char*>(&n), sizeof n, deadline, timed, timed_out))
    return timed_out ? ReadResult::TimedOut : ReadResult::Closed;
  if (n > kMaxMessageBytes) return ReadResult::Closed;
  out.assign(n, '\0');
  if (!readExact(fd, out.data(), n, deadline, timed, timed_out))
    return timed_out ? ReadResult::TimedOut : ReadResult::Closed;
  return ReadResult::Ok;
}

void serveRequests(int fd) {
  std::unique_ptr<Engine> engine;
  std::string request;
  while (readMessage(fd, request, -1) == ReadResult::Ok) {
    Writer w;
    Writer payload;
    Status status = Status::Ok;
    std::string what;
    std::vector<std::string> messages;
    try {
      if (!engine) {
        struct Leave {
          ~Leave() { leavePrivateDirectory(); }
        } leave;
        engine = std::make_unique<Engine>();  // ngSpice_Init: reads ./.spiceinit, ours
      }
      Reader r(request);
      switch (static_cast<Op>(r.u8())) {
        case Op::LoadCircuit: engine->loadCircuit(r.str()); break;
        case Op::Command: engine->command(r.str()); break;
        case Op::RunDeck: {
          const std::string netlist = r.str();
          engine->runDeck(netlist, r.strs());
          break;
        }
        case Op::PlotNames: payload.strs(engine->plotNames()); break;
        case Op::RealVector: payload.doubles(engine->realVector(r.str())); break;
        case Op::ComplexVector: payload.complexes(engine->complexVector(r.str())); break;
        case Op::VectorNames: payload.strs(engine->vectorNames()); break;
        case Op::Clear: engine->clear(); break;
        case Op::TakeOutput: payload.strs(engine->takeOutput()); break;
        case Op::TakeWarnings: payload.strs(engine->takeWarnings()); break;
        case Op::Version: payload.str(engine->version()); break;
        case Op::HasCircuit: payload.u8(engine->hasCircuit() ? 1 : 0); break;
        case Op::CoSimulate: {
          const std::string netlist = r.str();
          const std::string analysis = r.str();
          Engine::CoSimArray array;
          array.row_nodes = r.strs();
          array.col_nodes = r.strs();
          array.w = r.doubles();
          array.m = r.doubles();
          const std::vector<double> o = r.doubles();
          if (o.size() != 4) throw Error("spice: malformed co-simulation request");
          Engine::CoSimOptions options;
          options.max_step_s = o[0];
          options.current_tol = o[1];
          options.current_abs_a = o[2];
          options.extrapolate = o[3] != 0.0;
          const std::vector<std::string> names = r.strs();
          std::vector<std::vector<double>> values;
          const auto stats = engine->coSimulate(netlist, analysis, array, options, names, values);
          payload.doubles({static_cast<double>(stats.exchanges),
                           static_cast<double>(stats.shortened), static_cast<double>(stats.loads),
                           stats.exchange_s});
          for (const auto& v : values) payload.doubles(v);
          break;
        }
        default: throw Error("spice: unknown request to the ngspice worker");
      }
    } catch (const SpiceError& e) {
      status = Status::Spice;
      what = e.what();
      messages = e.messages();
    } catch (const NumericalError& e) {
      status = Status::Numerical;
      what = e.what();
    } catch (const std::bad_alloc&) {
      _exit(kOutOfMemoryExitStatus);
    } catch (const std::exception& e) {
      status = Status::Other;
      what = e.what();
    }
    const bool alive = engine && engine->isAlive();
    w.u8(static_cast<std::uint8_t>(status));
    w.u8(alive ? 1 : 0);
    w.str(what);
    w.strs(messages);
    w.strs(engine ? engine->lastSolveDiagnostics().trouble_nodes : std::vector<std::string>{});
    w.u8(engine && engine->lastSolveDiagnostics().singular_matrix ? 1 : 0);
    w.append(payload);
    const std::string message = w.framed();
    if (!sendAll(fd, message)) return;
    if (!alive) return;  // a fatal ngspice error: the parent starts a fresh worker
  }
}

[[noreturn]] void workerMain(int fd, const std::string& dir,
                             unsigned long long address_space_bytes) {
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  for (const int sig : {SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGQUIT}) std::signal(sig, SIG_IGN);
  for (const int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGCHLD}) std::signal(sig, SIG_DFL);
  const int null = ::open("/dev/null", O_RDWR);
  if (null >= 0) {
    ::dup2(null, 0);
    ::dup2(null, 1);
    ::dup2(null, 2);
  }
  if (::dup2(fd, 3) != 3) _exit(122);
  ::close_range(4, ~0U, 0);
  const rlimit no_core{0, 0};
  ::setrlimit(RLIMIT_CORE, &no_core);
  if (address_space_bytes > 0) {
    const rlimit as{address_space_bytes, address_space_bytes};
    ::setrlimit(RLIMIT_AS, &as);
  }
  // ngSpice_Init (libngspice 39, sharedspice.c) sources ./.spiceinit if there is one, else
  // <home>/.spiceinit with <home> taken from the passwd database (getpwuid), not from $HOME:
  // only a .spiceinit of our own in the working directory keeps the user's from being read.
  // It holds a comment only and is removed, with the directory, once ngSpice_Init has run.
  if (::chdir(dir.c_str()) != 0) _exit(123);
  g_private_dir = dir;
  const int init = ::open(kInitFileName, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (init < 0) _exit(123);
  constexpr std::string_view kInitText = "* xbarsim: no user .spiceinit is read\n";
  const bool written = ::write(init, kInitText.data(), kInitText.size()) ==
                       static_cast<ssize_t>(kInitText.size());
  if (::close(init) != 0 || !written) _exit(123);
  ::setenv("HOME", dir.c_str(), 1);
  ::unsetenv("SPICE_SCRIPTS");
  refuseProgramExecution();
  serveRequests(3);
  _exit(0);
}

}  // namespace xbarsim::spice::detail
