// SPDX-License-Identifier: MIT
#include "spice/detail/engine.hpp"

#include <fmt/format.h>
#include <ngspice/sharedspice.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cctype>
#include <csignal>
#include <cstring>
#include <deque>
#include <exception>
#include <locale.h>  // newlocale, uselocale (POSIX)
#include <thread>
#include <utility>

#include "spice/detail/output.hpp"
#include "xbarsim/core/error.hpp"

namespace xbarsim::spice::detail {
namespace {


/// Runs its scope with the "C" locale for the calling thread only (uselocale), so that
/// ngspice's strtod/atof/printf see '.' as the decimal point whatever the host set with
/// setlocale. Measured: under de_DE.UTF-8, `.param rv=1.5k` gives numparam "Number format
/// error" and a fatal ControlledExit.
class CLocaleScope {
 public:
  CLocaleScope() {
    static const locale_t c_locale = newlocale(LC_ALL_MASK, "C", static_cast<locale_t>(nullptr));
    if (c_locale == static_cast<locale_t>(nullptr))
      throw Error("spice: cannot create the C locale for ngspice calls");
    previous_ = uselocale(c_locale);
  }
  ~CLocaleScope() { uselocale(previous_); }
  CLocaleScope(const CLocaleScope&) = delete;
  CLocaleScope& operator=(const CLocaleScope&) = delete;

 private:
  locale_t previous_;
};

std::string trimmed(std::string_view s) {
  const auto space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return std::string(s);
}

/// "ngspice names node(s): a, b, ..." (at most 8) after the messages of a failed solve.
void appendTroubleNodes(std::vector<std::string>& errors, const std::vector<std::string>& nodes) {
  if (nodes.empty()) return;
  std::string named = "ngspice names node(s): " + nodes.front();
  for (std::size_t k = 1; k < nodes.size() && k < 8; ++k) named += ", " + nodes[k];
  if (nodes.size() > 8) named += ", ...";
  errors.push_back(std::move(named));
}

std::string lowerFirstToken(std::string_view s) {
  std::string t = trimmed(s);
  t = t.substr(0, t.find_first_of(" \t"));
  std::transform(t.begin(), t.end(), t.begin(),
                 [](char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); });
  return t;
}

bool mentions(const std::vector<OutputLine>& lines, std::string_view text) {
  return std::any_of(lines.begin(), lines.end(), [&](const OutputLine& l) {
    return l.text.find(text) != std::string::npos;
  });
}

/// `setcirc` lists the loaded circuits ("Current\t1\t* title") or prints "Error: there
/// aren't any circuits loaded." (also after a parse error: "circuit not parsed").
bool listsCurrentCircuit(const std::vector<OutputLine>& lines) {
  return std::any_of(lines.begin(), lines.end(), [](const OutputLine& l) {
    return l.stream == Stream::Out && l.text.rfind("Current", 0) == 0;
  });
}

constexpr std::size_t kMaxCapturedPerCall = 200000;
constexpr std::size_t kMaxOutput = 10000;
constexpr std::size_t kMaxCommandLength = 1023;
/// Echoed by a `.control` block that loadCircuit appends to every deck: ngspice runs it only
/// when the circuit was parsed, so its presence proves the load (ngSpice_Circ returns 0 even
/// on failure) without a top-level command (see Impl::clear() on why those are counted).
constexpr std::string_view kLoadedMarker = "xbarsim-circuit-loaded";  // sharedspice.c runc(): char buf[1024]

}  // namespace

/// State of one co-simulation (Engine::coSimulate), reached from the libngspice callbacks.
struct CoSimRun {
  std::size_t rows = 0, cols = 0;
  const Engine::CoSimArray* array = nullptr;
  Engine::CoSimOptions options;
  std::vector<std::string> port_names;  ///< R row nodes, then C column nodes
  std::vector<double> g;       ///< Norton conductance of every port (S)
  std::vector<double> v;       ///< port voltages at the last exchange (V)
  std::vector<double> f;       ///< port currents f(v) at the last exchange (A)
  std::vector<double> j;       ///< external source values J = f(v*) − g·v* (A)
  std::vector<double> j_prev;  ///< ... at the exchange before (extrapolation)
  double t_last = -1.0, t_prev = -1.0;
  Engine::CoSimStats stats;

  /// Port currents (out of the periphery into the array) for port voltages `volts`.
  void portCurrents(const std::vector<double>& volts, std::vector<double>& out) const {
    double mean_c = 0.0;
    for (std::size_t c = 0; c < cols; ++c) mean_c += volts[rows + c];
    mean_c /= static_cast<double>(cols);
    out.assign(rows + cols, 0.0);
    const auto& w = array->w;
    const auto& m = array->m;
    for (std::size_t r = 0; r < rows; ++r) {
      double s = 0.0;
      for (std::size_t k = 0; k < rows; ++k) s += m[r * rows + k] * (volts[k] - mean_c);
      out[r] = s;
    }
    for (std::size_t c = 0; c < cols; ++c) {
      double s = 0.0;
      for (std::size_t k = 0; k < rows; ++k) s += w[c * rows + k] * (volts[k] - mean_c);
      out[rows + c] = -s + g[rows + c] * (volts[rows + c] - mean_c);
    }
  }
};

struct Engine::Impl {
  enum class Mode { User, Internal };  // Internal: housekeeping, output not recorded

  struct ExitRequest {
    bool requested = false;
    int status = 0;
    bool quit = false;
  };

  struct CallResult {
    std::vector<OutputLine> lines;
    std::vector<std::string> errors;
  };

  std::thread::id owner = std::this_thread::get_id();
  bool initialised = false;
  bool alive = true;
  bool dirty = true;  ///< ngspice may hold circuits or plots (set by every load and command)
  std::vector<OutputLine> deck_lines;  ///< output of the .control commands of the last load
  int circuits = -1;  ///< circuits ngspice holds, if known (-1: unknown, probe when clearing)
  std::string death_reason;
  std::string version = "ngspice-unknown";

  // State of the libngspice call in progress (filled by the callbacks).
  std::vector<OutputLine> captured;
  std::size_t dropped = 0;
  std::exception_ptr callback_error;
  ExitRequest exit_request;

  // Diagnostics of the last command().
  SolveDiagnostics last_solve;

  // The co-simulation in progress (coSimulate), or none: the sync callbacks then do nothing.
  struct CoSimRun* cosim = nullptr;

  // History for takeOutput()/takeWarnings().
  std::deque<std::string> output;
  std::deque<std::string> warnings;

  Impl() = default;
  Impl(const Impl&) = delete;
  Impl& operator=(const Impl&) = delete;

  ~Impl() {
    // Best effort: free ngspice's circuits at exit so leak checkers see a clean heap.
    if (initialised && alive && owner == std::this_thread::get_id()) {
      try {
        (void)clearQuietly();
      } catch (...) {  // NOLINT(bugprone-empty-catch): nothing sensible to do at exit
      }
    }
  }

  // ---- libngspice callbacks: never let an exception cross the C boundary ----------------

  static int onSendChar(char* text, int /*id*/, void* user) {
    auto* self = static_cast<Impl*>(user);
    try {
      if (text == nullptr) return 0;
      if (self->captured.size() < kMaxCapturedPerCall)
        self->captured.push_back(splitPrefix(text));
      else
        ++self->dropped;
    } catch (...) {
      if (!self->callback_error) self->callback_error = std::current_exception();
    }
    return 0;
  }

  static int onSendStat(char* /*status*/, int /*id*/, void* /*user*/) { return 0; }

  /// ngspice asks to be unloaded: `quit` (quit = true) or a fatal error. It longjmps back
  /// into the API function after this returns. We only record the request: unloading from
  /// inside the callback is forbidden (docs/ngspice-notes.md §3.6), and we never unload at all.
  static int onControlledExit(int status, NG_BOOL /*immediate*/, NG_BOOL quit, int /*id*/,
                              void* user) {
    auto* self = static_cast<Impl*>(user);
    self->exit_request.requested = true;
    self->exit_request.status = status;
    self->exit_request.quit = quit;
    return 0;
  }

  static int onBackgroundThread(NG_BOOL /*running*/, int /*id*/, void* /*user*/) { return 0; }

  // Co-simulation hooks (ngSpice_Init_Sync): see coSimulate and docs/cosim.md.
  static int onGetVoltage(double* value, double /*t*/, char* /*name*/, int /*id*/, void* /*user*/) {
    if (value != nullptr) *value = 0.0;  // no EXTERNAL voltage source is ours
    return 0;
  }
  static int onGetCurrent(double* value, double t, char* name, int /*id*/, void* user);
  static int onSync(double t, double* delta, double old_delta, int redo, int /*id*/, int location,
                    void* user);

  // ---- plumbing --------------------------------------------------------------------------

  void requireOwnerThread() const {
    if (std::this_thread::get_id() != owner)
      throw Error(
          "spice: the ngspice session was used from a thread other than the one that created "
          "it; libngspice keeps global state and is not re-entrant (docs/ngspice-notes.md §3.1)");
  }

  void requireUsable() const {
    requireOwnerThread();
    if (!alive)
      throw Error("spice: the ngspice session is unusable (" + death_reason +
                  "); libngspice cannot be restarted in-process: restart the program");
  }

  /// One call into libngspice: C locale, output captured, callback exceptions rethrown.
  template <class F>
  std::vector<OutputLine> callNgspice(F&& f) {
    captured.clear();
    dropped = 0;
    callback_error = nullptr;
    {
      CLocaleScope c_locale;
      std::forward<F>(f)();
    }
    if (callback_error) std::rethrow_exception(std::exchange(callback_error, nullptr));
    std::vector<OutputLine> lines = std::exchange(captured, {});
    if (dropped > 0)
      lines.push_back({Stream::Raw,
                       "xbarsim: " + std::to_string(dropped) + " further output lines dropped"});
    return lines;
  }

  std::vector<OutputLine> rawCommand(const std::string& cmd) {
    std::string buffer = cmd;
    return callNgspice([&] { ngSpice_Command(buffer.data()); });
  }

  std::vector<OutputLine> rawCircuit(std::vector<std::string> lines) {
    std::vector<char*> pointers;
    pointers.reserve(lines.size() + 1);
    for (auto& line : lines) pointers.push_back(line.data());
    pointers.push_back(nullptr);
    return callNgspice([&] { ngSpice_Circ(pointers.data()); });  // copies every line
  }

  void pushCapped(std::deque<std::string>& queue, std::string text, std::size_t cap) {
    queue.push_back(std::move(text));
    while (queue.size() > cap) queue.pop_front();
  }

  void record(const std::vector<OutputLine>& lines) {
    for (const auto& line : lines) {
      if (line.text.find(kLoadedMarker) != std::string::npos) continue;  // loadCircuit's probe
      if (classify(line) == Severity::Warning) pushCapped(warnings, line.text, kMaxWarnings);
      pushCapped(output, line.text, kMaxOutput);
    }
  }

  void markDead(std::string reason) {
    alive = false;
    death_reason = std::move(reason);
  }

  /// `destroy all` + `remcirc` until ngspice says no circuit is left. Returns false if
  /// ngspice requested an exit or reported errors on the way.
  bool clearQuietly() {
    auto ok = [&](const std::vector<OutputLine>& lines) {
      return !exit_request.requested && collectErrors(lines).empty();
    };
    if (!ok(rawCommand("destroy all"))) return false;
    for (int i = 0; i < 10000; ++i) {
      const auto lines = rawCommand("remcirc");
      if (exit_request.requested) return false;
      if (mentions(lines, "there is no circuit loaded")) return true;
    }
    return false;
  }

  bool circuitLoaded() { return listsCurrentCircuit(rawCommand("setcirc")); }

  /// After a fatal (non-quit) ControlledExit: ngspice longjmp'ed out of the middle of its
  /// work. Some of those states are harmless (missing .lib, `source` of a missing file),
  /// others break every later deck (numparam, e.g. an undefined {param}: spicenum.c leaves
  /// its per-deck state uninitialised). Clear, then prove the parser works on a trivial deck.
  bool recover() {
    dirty = true;
    try {
      exit_request = {};
      if (!clearQuietly()) return false;
      const auto lines = rawCircuit({"* xbarsim self-test", "rselftest 1 0 1", ".end"});
      if (exit_request.requested || !collectErrors(lines).empty()) return false;
      if (!circuitLoaded() || exit_request.requested) return false;
      return clearQuietly();
    } catch (...) {
      return false;
    }
  }

  [[noreturn]] void failAfterExit(const std::string& label, std::vector<std::string> errors) {
    const ExitRequest request = std::exchange(exit_request, {});
    if (errors.empty())
      errors.push_back("ngspice requested a controlled exit (status " +
                       std::to_string(request.status) + ")");
    if (request.quit) {
      markDead("ngspice executed 'quit' during '" + label + "'");
      errors.push_back(
          "ngspice quit: libngspice is torn down; a fresh ngspice serves the next call");
    } else if (recover()) {
      errors.push_back(
          "ngspice reported a fatal error; the session was reset and has no circuit loaded");
    } else {
      markDead("fatal ngspice error during '" + label + "': " + errors.front());
      errors.push_back(
          "ngspice reported a fatal error and failed its self-test afterwards: the session is "
          "unusable; a fresh ngspice serves the next call");
    }
    throw SpiceError(label, std::move(errors));
  }

  /// A call on behalf of the user: records output and warnings, handles ControlledExit.
  template <class F>
  CallResult run(const std::string& label, Mode mode, F&& f) {
    requireUsable();
    CallResult result;
    result.lines = callNgspice(std::forward<F>(f));
    if (mode == Mode::User) record(result.lines);
    result.errors = collectErrors(result.lines);
    if (exit_request.requested) failAfterExit(label, std::move(result.errors));
    return result;
  }

  /// Frees every plot and circuit. ngspice 39 keeps a control block (~130 bytes) for every
  /// top-level ngSpice_Command for the life of the process (frontend/control.c cp_evloop
  /// appends and never frees), so this is one command ("a ; b" runs both), and none at all
  /// when nothing was loaded or run since the last clear.
  void clear() {
    requireUsable();
    if (!dirty) return;
    if (circuits == 0 || circuits == 1) {  // the usual case: one command, no probing
      const std::string text = circuits == 1 ? "destroy all ; remcirc" : "destroy all";
      const auto removed = run(text, Mode::Internal, [&] {
        std::string cmd = text;
        ngSpice_Command(cmd.data());
      });
      if (!removed.errors.empty()) throw SpiceError(text, removed.errors);
      circuits = 0;
      dirty = false;
      return;
    }
    static constexpr std::string_view kNone = "there is no circuit loaded";
    for (int i = 0; i < 1000; ++i) {
      // Usually one circuit is loaded: the first remcirc removes it, the second finds none.
      const std::string text = i == 0 ? "destroy all ; remcirc ; remcirc" : "remcirc ; remcirc ; remcirc ; remcirc";
      const auto removed = run(text, Mode::Internal, [&] {
        std::string cmd = text;
        ngSpice_Command(cmd.data());
      });
      std::vector<std::string> errors;
      for (auto& error : removed.errors)
        if (error.find(kNone) == std::string::npos) errors.push_back(std::move(error));
      if (!errors.empty()) throw SpiceError(i == 0 ? "destroy all, remcirc" : "remcirc", errors);
      if (mentions(removed.lines, kNone)) {
        circuits = 0;
        dirty = false;
        return;
      }
    }
    throw SpiceError("remcirc", {"circuits are still loaded after 4000 remcirc commands"});
  }

  /// ngSpice_Init must run at most once per process: a second call would re-initialise
  /// global state under circuits and plots that still exist. After ngSpice_Init nothing here
  /// throws; failures mark the session dead instead (then every call explains why).
  void init() {
    static bool attempted = false;
    if (std::exchange(attempted, true)) {
      markDead("an earlier initialisation of libngspice failed");
      return;
    }
    // Keep the host's SIGINT disposition: ngspice's sources install their own handler in
    // ngSpice_Init when built with threads (Debian's 39.3 was measured not to; be safe).
    struct SigintKeeper {
      struct sigaction saved {};
      SigintKeeper() { sigaction(SIGINT, nullptr, &saved); }
      ~SigintKeeper() { sigaction(SIGINT, &saved, nullptr); }
      SigintKeeper(const SigintKeeper&) = delete;
      SigintKeeper& operator=(const SigintKeeper&) = delete;
    };
    std::vector<OutputLine> lines;
    {
      const SigintKeeper keeper;
      lines = callNgspice([&] {
        ngSpice_Init(&onSendChar, &onSendStat, &onControlledExit, nullptr, nullptr,
                     &onBackgroundThread, this);
      });
    }
    initialised = true;
    record(lines);
    for (const auto& error : collectErrors(lines))  // e.g. spinit/code model trouble
      pushCapped(warnings, "xbarsim: ngspice start-up: " + error, kMaxWarnings);
    for (const auto& line : lines) {  // "** ngspice-39 shared library"
      const auto at = line.text.find("ngspice-");
      if (at != std::string::npos && line.text.find("shared library") != std::string::npos) {
        version = line.text.substr(at, line.text.find(' ', at) - at);
        break;
      }
    }
    if (exit_request.requested) {
      markDead("ngSpice_Init requested an exit");
      return;
    }
    // The user's .spiceinit is never read: the worker gives ngSpice_Init one of its own
    // (src/spice/worker.cpp).
    // No interactive prompts ("Do you want to quit?"), no "--more--" paging.
    for (const char* setting : {"set noaskquit", "set nomoremode"}) {
      const auto result = rawCommand(setting);
      if (exit_request.requested) {
        markDead(std::string("'") + setting + "' requested an exit");
        return;
      }
      for (const auto& error : collectErrors(result))
        pushCapped(warnings, std::string("xbarsim: '") + setting + "' failed: " + error,
                   kMaxWarnings);
    }
  }
};

// ---- public API ---------------------------------------------------------------------------

Engine::Engine() : impl_(std::make_unique<Impl>()) { impl_->init(); }

Engine::~Engine() = default;

void Engine::loadCircuit(const std::string& netlist) { loadDeck(netlist, {}); }

void Engine::runDeck(const std::string& netlist, const std::vector<std::string>& commands) {
  impl_->requireUsable();
  for (const auto& command : commands)
    if (command.empty() || command.find_first_of("\r\n") != std::string::npos ||
        lowerFirstToken(command) == "quit" || lowerFirstToken(command) == "exit")
      throw SpiceError("runDeck", {"refused by xbarsim: one ngspice command per entry, no quit"});
  if (commands.empty()) throw SpiceError("runDeck", {"refused by xbarsim: no command"});
  const std::string analysis =
      commands.size() == 1 ? commands.front()
                           : commands.back() + " (last of " + std::to_string(commands.size()) + " commands)";
  impl_->last_solve = {};  // a failed load leaves none
  std::vector<std::string> control{"destroy all"};
  control.insert(control.end(), commands.begin(), commands.end());
  control.emplace_back("remcirc");
  loadDeck(netlist, control);
  const auto& lines = impl_->deck_lines;
  impl_->last_solve.trouble_nodes = troubleNodes(lines);
  impl_->last_solve.singular_matrix = reportsSingularMatrix(lines);
  auto errors = collectErrors(lines);
  impl_->circuits = errors.empty() ? 0 : -1;  // after an error the remcirc may not have run
  if (errors.empty()) return;
  appendTroubleNodes(errors, impl_->last_solve.trouble_nodes);
  throw SpiceError(analysis, std::move(errors));
}

void Engine::loadDeck(const std::string& netlist, const std::vector<std::string>& control) {
  impl_->requireUsable();
  PreparedNetlist prepared = prepareNetlist(netlist);
  if (prepared.lines.empty()) throw SpiceError("loadCircuit", {"the netlist is empty"});
  const std::string label = "loadCircuit(" + trimmed(prepared.lines.front()) + ")";

  // Without a circuit, the deck's own `destroy all` frees the plots: no top-level command.
  if (control.empty() || impl_->circuits != 0) impl_->clear();
  std::vector<std::string> block{".control", "echo " + std::string(kLoadedMarker)};
  block.insert(block.end(), control.begin(), control.end());
  block.emplace_back(".endc");
  prepared.lines.insert(prepared.lines.end() - 1, block.begin(), block.end());
  for (auto& note : prepared.notes)
    impl_->pushCapped(impl_->warnings, "xbarsim: " + note, kMaxWarnings);

  // ngspice's messages, plus the netlist line they are about when it can be identified.
  const auto withNetlistLine = [&](std::vector<std::string> errors) {
    if (const auto index = locateNetlistLine(prepared.lines, errors))
      errors.push_back("netlist line " + std::to_string(*index + 1) + ": " +
                       trimmed(prepared.lines[*index]));
    return errors;
  };
  const auto fail = [&](std::vector<std::string> errors) {
    errors = withNetlistLine(std::move(errors));
    try {
      impl_->clear();  // never leave a half-parsed circuit behind
    } catch (...) {    // NOLINT(bugprone-empty-catch): the load error below is the news
    }
    throw SpiceError(label, std::move(errors));
  };

  Impl::CallResult result;
  try {
    impl_->dirty = true;
    impl_->circuits = -1;
    result = impl_->run(label, Impl::Mode::User, [&] {
      std::vector<char*> pointers;
      pointers.reserve(prepared.lines.size() + 1);
      for (auto& line : prepared.lines) pointers.push_back(line.data());
      pointers.push_back(nullptr);
      ngSpice_Circ(pointers.data());  // copies every line
    });
  } catch (const SpiceError& e) {  // fatal error (ControlledExit): session reset or dead
    throw SpiceError(label, withNetlistLine(e.messages()));
  }
  // Output up to the marker belongs to the load, the rest to the `control` commands.
  const auto marker = std::find_if(result.lines.begin(), result.lines.end(), [](const OutputLine& line) {
    return line.text.find(kLoadedMarker) != std::string::npos;
  });
  impl_->deck_lines.assign(marker == result.lines.end() ? marker : marker + 1, result.lines.end());
  if (auto errors = collectErrors({result.lines.begin(), marker}); !errors.empty())
    fail(std::move(errors));
  if (marker == result.lines.end()) {
    // e.g. a subcircuit expansion that gave up without an "Error" word: report whatever
    // ngspice said on stderr.
    std::vector<std::string> errors;
    for (const auto& line : result.lines)
      if (line.stream == Stream::Err && !trimmed(line.text).empty())
        errors.push_back(trimmed(line.text));
    errors.emplace_back("ngspice has no circuit after loading (\"circuit not parsed\")");
    fail(std::move(errors));
  }
  impl_->circuits = 1;
}

void Engine::command(const std::string& cmd) {
  impl_->requireUsable();
  const std::string verb = lowerFirstToken(cmd);
  // The label quotes the command; keep it readable for absurdly long input.
  const std::string label = cmd.size() > 200 ? cmd.substr(0, 200) + "..." : cmd;
  auto refuse = [&](const std::string& why) {
    throw SpiceError(label, {"refused by xbarsim: " + why});
  };
  if (verb.empty()) refuse("empty command");
  if (cmd.find_first_of("\r\n") != std::string::npos) refuse("one command per call, no newlines");
  if (cmd.size() > kMaxCommandLength)
    refuse("longer than " + std::to_string(kMaxCommandLength) +
           " characters (libngspice truncates commands at 1024 bytes)");
  if (verb == "quit" || verb == "exit")
    refuse("'quit' tears libngspice down for the rest of the process; use clear()");
  if (verb.rfind("bg_", 0) == 0) refuse("background-thread commands are not supported");

  impl_->last_solve = {};
  impl_->dirty = true;
  if (verb == "source" || verb == "circbyline" || verb == "remcirc" || verb == "setcirc")
    impl_->circuits = -1;  // may load, remove or switch circuits
  auto result = impl_->run(label, Impl::Mode::User, [&] {
    std::string buffer = cmd;
    ngSpice_Command(buffer.data());
  });
  impl_->last_solve.trouble_nodes = troubleNodes(result.lines);
  impl_->last_solve.singular_matrix = reportsSingularMatrix(result.lines);
  if (!result.errors.empty()) {
    appendTroubleNodes(result.errors, impl_->last_solve.trouble_nodes);
    throw SpiceError(label, result.errors);
  }
}

const SolveDiagnostics& Engine::lastSolveDiagnostics() const noexcept {
  return impl_->last_solve;
}

namespace {
/// Copies a vector out of ngspice while the borrowed pointer is valid (docs/ngspice-notes.md §3.4).
struct VectorCopy {
  bool found = false;
  bool complex = false;
  std::vector<double> real;
  std::vector<std::complex<double>> cplx;
};

VectorCopy copyVector(const std::string& name) {
  VectorCopy copy;
  std::string buffer = name;
  const pvector_info info = ngGet_Vec_Info(buffer.data());
  if (info == nullptr) return copy;
  copy.found = true;
  const auto length = static_cast<std::size_t>(std::max(info->v_length, 0));
  if (info->v_realdata != nullptr) {
    copy.real.assign(info->v_realdata, info->v_realdata + length);
  } else if (info->v_compdata != nullptr) {
    copy.complex = true;
    copy.cplx.reserve(length);
    for (std::size_t i = 0; i < length; ++i)
      copy.cplx.emplace_back(info->v_compdata[i].cx_real, info->v_compdata[i].cx_imag);
  }
  return copy;
}

/// Vector `name` copied inside the engine; SpiceError (ngspice's messages) if it has none.
template <class EngineImpl>
VectorCopy fetchVector(EngineImpl& impl, const std::string& label, const std::string& name) {
  VectorCopy copy;
  const auto result = impl.run(label, EngineImpl::Mode::User, [&] { copy = copyVector(name); });
  if (!copy.found)
    throw SpiceError(label, result.errors.empty() ? std::vector<std::string>{"no such vector"}
                                                  : result.errors);
  return copy;
}
}  // namespace

std::vector<double> Engine::realVector(const std::string& name) const {
  const std::string label = "vector " + name;
  VectorCopy copy = fetchVector(*impl_, label, name);
  if (copy.complex)
    throw SpiceError(label, {"vector '" + name + "' is complex; read it with complexVector()"});
  if (copy.real.empty()) throw SpiceError(label, {"vector '" + name + "' is empty"});
  return std::move(copy.real);
}

std::vector<std::complex<double>> Engine::complexVector(const std::string& name) const {
  const std::string label = "vector " + name;
  VectorCopy copy = fetchVector(*impl_, label, name);
  if (!copy.complex) copy.cplx.assign(copy.real.begin(), copy.real.end());
  if (copy.cplx.empty()) throw SpiceError(label, {"vector '" + name + "' is empty"});
  return std::move(copy.cplx);
}

std::vector<std::string> Engine::vectorNames() const {
  std::vector<std::string> names;
  (void)impl_->run("vector names", Impl::Mode::Internal, [&] {
    const char* plot = ngSpice_CurPlot();
    if (plot == nullptr || std::strcmp(plot, "const") == 0) return;  // constants plot
    std::string buffer = plot;
    char** vectors = ngSpice_AllVecs(buffer.data());
    for (; vectors != nullptr && *vectors != nullptr; ++vectors) names.emplace_back(*vectors);
  });
  return names;
}

std::vector<std::string> Engine::plotNames() const {
  std::vector<std::string> names;
  (void)impl_->run("plot names", Impl::Mode::Internal, [&] {
    for (char** plots = ngSpice_AllPlots(); plots != nullptr && *plots != nullptr; ++plots)
      names.emplace_back(*plots);
  });
  return names;
}

void Engine::clear() { impl_->clear(); }

std::vector<std::string> Engine::takeOutput() {
  impl_->requireOwnerThread();
  std::vector<std::string> lines(std::make_move_iterator(impl_->output.begin()),
                                 std::make_move_iterator(impl_->output.end()));
  impl_->output.clear();
  return lines;
}

std::vector<std::string> Engine::takeWarnings() {
  impl_->requireOwnerThread();
  std::vector<std::string> lines(std::make_move_iterator(impl_->warnings.begin()),
                                 std::make_move_iterator(impl_->warnings.end()));
  impl_->warnings.clear();
  return lines;
}

std::string Engine::version() const {
  impl_->requireOwnerThread();
  return impl_->version;
}

bool Engine::hasCircuit() const {
  impl_->requireOwnerThread();
  if (!impl_->alive) return false;
  const auto result = impl_->run("setcirc", Impl::Mode::Internal, [&] {
    std::string cmd = "setcirc";
    ngSpice_Command(cmd.data());
  });
  return listsCurrentCircuit(result.lines);
}

bool Engine::isAlive() const noexcept { return impl_->alive; }

// ---- lock-step co-simulation ---------------------------------------------------------------

int Engine::Impl::onGetCurrent(double* value, double t, char* name, int /*id*/, void* user) {
  auto* self = static_cast<Impl*>(user);
  try {
    if (value == nullptr) return 0;
    *value = 0.0;
    CoSimRun* run = self->cosim;
    if (run == nullptr || name == nullptr || self->callback_error) return 0;
    // Our sources are ixbp<k>; ngspice passes the instance name (any case).
    const std::size_t n = std::strlen(name);
    if (n < 5 || std::tolower(static_cast<unsigned char>(name[0])) != 'i' ||
        std::tolower(static_cast<unsigned char>(name[1])) != 'x' ||
        std::tolower(static_cast<unsigned char>(name[2])) != 'b' ||
        std::tolower(static_cast<unsigned char>(name[3])) != 'p')
      return 0;
    std::size_t k = 0;
    for (std::size_t c = 4; c < n; ++c) {
      if (!std::isdigit(static_cast<unsigned char>(name[c]))) return 0;
      k = k * 10 + static_cast<std::size_t>(name[c] - '0');
    }
    if (k >= run->j.size()) return 0;
    ++run->stats.loads;
    double j = run->j[k];
    // Linear extrapolation of the exchanged current from the last two accepted points:
    // second-order in the step for smooth inputs (docs/cosim.md §3).
    if (run->options.extrapolate && run->t_prev >= 0.0 && run->t_last > run->t_prev &&
        t > run->t_last)
      j += (t - run->t_last) * (run->j[k] - run->j_prev[k]) / (run->t_last - run->t_prev);
    *value = j;
  } catch (...) {
    if (!self->callback_error) self->callback_error = std::current_exception();
  }
  return 0;
}

int Engine::Impl::onSync(double t, double* delta, double old_delta, int redo, int /*id*/,
                         int location, void* user) {
  auto* self = static_cast<Impl*>(user);
  try {
    CoSimRun* run = self->cosim;
    if (run == nullptr || delta == nullptr || self->callback_error) return 0;
    if (location == 0 && redo == 0) {
      // After an accepted point: its port voltages are the last entries of the plot's
      // vectors. Exchange once per accepted time point.
      const auto start = std::chrono::steady_clock::now();
      std::vector<double> volts(run->port_names.size(), 0.0);
      for (std::size_t k = 0; k < volts.size(); ++k) {
        std::string name = run->port_names[k];
        pvector_info info = ngGet_Vec_Info(name.data());
        if (info == nullptr || info->v_realdata == nullptr || info->v_length < 1)
          throw Error("co-simulation: ngspice holds no vector for port node '" +
                      run->port_names[k] + "' during the transient");
        volts[k] = info->v_realdata[info->v_length - 1];
      }
      if (t > run->t_last) {
        std::vector<double> f;
        run->portCurrents(volts, f);
        double change = 0.0, scale = 0.0;
        for (std::size_t k = 0; k < f.size(); ++k) {
          change = std::max(change, std::abs(f[k] - run->f[k]));
          scale = std::max(scale, std::abs(f[k]));
        }
        run->j_prev = run->j;
        for (std::size_t k = 0; k < f.size(); ++k) run->j[k] = f[k] - run->g[k] * volts[k];
        run->t_prev = run->t_last;
        run->t_last = t;
        run->v = std::move(volts);
        run->f = std::move(f);
        ++run->stats.exchanges;
        // Step control: currents that moved by more than the tolerance over the last step
        // halve the next one (the explicit exchange lags by one step).
        if (old_delta > 0.0 &&
            change > run->options.current_tol * scale + run->options.current_abs_a &&
            *delta > 0.5 * old_delta) {
          *delta = 0.5 * old_delta;
          ++run->stats.shortened;
        }
      }
      run->stats.exchange_s +=
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }
    if (run->options.max_step_s > 0.0 && *delta > run->options.max_step_s)
      *delta = run->options.max_step_s;
  } catch (...) {
    if (!self->callback_error) self->callback_error = std::current_exception();
  }
  return 0;
}

Engine::CoSimStats Engine::coSimulate(const std::string& netlist, const std::string& analysis,
                                      const CoSimArray& array, const CoSimOptions& options,
                                      const std::vector<std::string>& vectors,
                                      std::vector<std::vector<double>>& values) {
  impl_->requireUsable();
  const std::size_t rows = array.row_nodes.size();
  const std::size_t cols = array.col_nodes.size();
  if (rows == 0 || cols == 0 || array.w.size() != rows * cols || array.m.size() != rows * rows)
    throw Error("co-simulation: the array's port matrices do not match its port lists");
  if (lowerFirstToken(analysis) != "tran")
    throw Error("co-simulation: the analysis must be a `tran` command, not '" + analysis + "'");
  const auto plain = [](const std::string& node) {
    return !node.empty() && std::all_of(node.begin(), node.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '.';
    });
  };
  CoSimRun run;
  run.rows = rows;
  run.cols = cols;
  run.array = &array;
  run.options = options;
  run.port_names = array.row_nodes;
  run.port_names.insert(run.port_names.end(), array.col_nodes.begin(), array.col_nodes.end());
  for (const auto& node : run.port_names)
    if (!plain(node) || node == "0")
      throw Error("co-simulation: port node '" + node +
                  "' must be a plain node name (letters, digits, _ .), not ground");
  const std::size_t ports = rows + cols;
  run.g.assign(ports, 0.0);
  for (std::size_t r = 0; r < rows; ++r) run.g[r] = std::max(0.0, array.m[r * rows + r]);
  for (std::size_t c = 0; c < cols; ++c) {
    double s = 0.0;
    for (std::size_t r = 0; r < rows; ++r) s += array.w[c * rows + r];
    run.g[rows + c] = std::max(0.0, s);
  }
  run.v.assign(ports, 0.0);
  run.f.assign(ports, 0.0);
  run.j.assign(ports, 0.0);
  run.j_prev.assign(ports, 0.0);

  // The coupling elements: per port a Norton conductance and an EXTERNAL current source.
  std::vector<std::string> lines;
  std::string save = ".save";
  for (std::size_t k = 0; k < ports; ++k) {
    if (run.g[k] > 0.0)
      lines.push_back(fmt::format("rxbp{} {} 0 {:.17g}", k, run.port_names[k], 1.0 / run.g[k]));
    // `external` alone: libngspice 39.3 crashes on "dc 0 external" (measured, docs/cosim.md).
    lines.push_back(fmt::format("ixbp{} {} 0 external", k, run.port_names[k]));
    save += " v(" + run.port_names[k] + ")";
  }
  for (const auto& name : vectors) save += " " + name;
  std::string deck = netlist;
  std::size_t end = std::string::npos;
  for (std::size_t at = 0; at < deck.size();) {  // the last line that is `.end`
    const std::size_t eol = std::min(deck.find('\n', at), deck.size());
    std::string line = trimmed(deck.substr(at, eol - at));
    std::transform(line.begin(), line.end(), line.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (line == ".end") end = at;
    at = eol + 1;
  }
  if (end == std::string::npos) throw Error("co-simulation: the periphery deck has no .end line");
  std::string coupling = "* xbarsim co-simulation coupling (docs/cosim.md)\n";
  for (const auto& line : lines) coupling += line + "\n";
  coupling += save + "\n";
  deck.insert(end, coupling);

  // libngspice 39 keeps sync hooks once installed (sharedspice.c sets `wantsync` for good,
  // which also changes how the last step before the final time is chosen), so the session
  // retires after this call whatever happens: the worker is replaced for the next deck.
  struct Retire {
    Impl& impl;
    ~Retire() {
      impl.cosim = nullptr;
      impl.markDead("retired after a co-simulation (libngspice keeps its sync hooks)");
    }
  } retire{*impl_};
  impl_->cosim = &run;
  ngSpice_Init_Sync(&Impl::onGetVoltage, &Impl::onGetCurrent, &Impl::onSync, nullptr,
                    impl_.get());
  loadCircuit(deck);
  command(analysis);
  values.clear();
  for (const auto& name : vectors) values.push_back(realVector(name));
  return run.stats;
}

}  // namespace xbarsim::spice::detail
