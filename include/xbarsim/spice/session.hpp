// SPDX-License-Identifier: MIT
#pragma once
/// @file The process's ngspice session (docs/architecture.md §2 `spice`, §5.1 backend `ngspice`).
///
/// ngspice runs in a worker process that this class starts on first use and watches
/// (src/spice/worker.cpp); every call below is forwarded to it and waits for its answer.
/// Why: libngspice keeps all of its state in globals, cannot be re-initialised after a fatal
/// error, and some decks crash it (SIGSEGV on `.func f(x) {f(x)+1}`) or make it run for ever.
///  - A crash, a call that exceeds the time limit (Limits::timeout_s) or an exit of the worker
///    throws spice::WorkerError for that call (a hang is ended with SIGKILL); the next call
///    starts a fresh worker, so a batch (sweep) goes on. After an ngspice fatal error that
///    leaves libngspice unusable the worker is replaced too (noted in takeWarnings()). A
///    replaced worker holds no circuit and no plots.
///  - The worker is confined: its address space is limited (Limits::memory_mb above the size
///    of this process), it cannot start programs (seccomp: execve fails, so ngspice's `shell`
///    and similar commands do nothing), its working directory and HOME are a private
///    directory that holds only an empty `.spiceinit` of ours while libngspice starts (so the
///    user's ~/.spiceinit, which ngSpice_Init finds through the passwd database whatever
///    $HOME says, is never read) and is removed right after (relative paths resolve
///    nowhere), and it never writes to this process's stdout/stderr.
/// The class is bound to the thread that first calls Session::instance().
///
/// What the worker's session does about the shared API's traps (docs/ngspice-notes.md §3,
/// plus experiments with Debian's libngspice 39.3 made for this module):
///  - Return codes do not signal errors (§3.2): every call captures ngspice's output through
///    the SendChar callback and throws xbarsim::SpiceError, carrying ngspice's own lines, when
///    they contain an error report (list in src/spice/detail/output.hpp). Warnings are kept
///    for takeWarnings(); banner and "Note: No compatibility mode selected!" are plain output.
///    Nothing is printed to stdout/stderr.
///  - Memory grows per circuit unless removed (§3.3): loadCircuit() and clear() run
///    `destroy all` + `remcirc` until no circuit is left.
///  - Vector pointers are borrowed (§3.4): realVector()/complexVector() copy at once.
///  - `quit` and fatal errors arrive through ControlledExit and longjmp back into the API
///    call (§3.6). `quit`/`exit` are refused by command() and removed from .control blocks
///    of loaded netlists. After a fatal error (e.g. `.lib` file missing, `source` of a missing
///    file) the session clears itself and loads a one-resistor self-test deck: if that works
///    the session stays usable (with no circuit loaded); if not — e.g. after an undefined
///    `{param}`, which leaves ngspice's numparam state broken for every later deck — the
///    worker is replaced by a fresh one (libngspice 39 cannot be re-initialised in-process).
///  - Numbers: ngspice's numparam parser uses the C library's locale-dependent conversion, so
///    under a comma-decimal locale (de_DE) `.param r=1.5k` is a "Number format error" and a
///    fatal exit. Every call into libngspice runs with the C locale for the calling thread
///    only (uselocale), so the host program's locale is left alone.
///  - Commands longer than 1023 characters are refused (libngspice copies them into a
///    1024-byte buffer with strncpy, sharedspice.c runc()).
///  - Some malformed commands make ngspice loop for ever (e.g. `dc v1 0 1` without a step):
///    the time limit ends them; build commands programmatically.
///
/// ngspice semantics to keep in mind: the first netlist line is always the title (an element
/// there is silently ignored); `.include` paths are relative to the working directory; a
/// resistor of value 0 becomes 1 mΩ without any message; options and `set` variables are
/// global and persist across circuits; every analysis adds a plot (op1, op2, ...) that lives
/// until clear() or `destroy all`; ngSpice_Init sources `.spiceinit` from the working
/// directory if present, else from the passwd home directory (the worker's is its own).

#include <complex>
#include <memory>
#include <string>
#include <vector>

#include "xbarsim/core/error.hpp"

namespace xbarsim::spice {

/// The ngspice worker process crashed, exceeded its time limit or could not be started: the
/// call's run is lost (not a problem of the input that ngspice reported; exit status 2).
class WorkerError : public Error {
 public:
  using Error::Error;
};

struct CoSimRequest;
struct CoSimResult;

class Session {
 public:
  /// The process's session; binds it to the calling thread on the first call (the worker
  /// starts, and runs ngSpice_Init, at the first call that needs ngspice). Throws xbarsim::Error when called from any
  /// other thread (the library is not re-entrant, docs/ngspice-notes.md §3.1).
  static Session& instance();

  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  /// Limits of the worker process. Programs set them from their configuration
  /// (`run.ngspice_timeout_s`, `run.ngspice_memory_mb`) with resolve(); the environment
  /// variables XBARSIM_NGSPICE_TIMEOUT_S and XBARSIM_NGSPICE_MEMORY_MB, when set, override
  /// both the defaults and the configuration.
  struct Limits {
    /// Longest time one call may take (s) before the worker is killed. The default (one hour)
    /// is far above any legitimate run of the test suite.
    double timeout_s = 3600.0;
    /// Address space the worker may add to the size of this process (MB; 0: unlimited).
    /// Default: the machine's physical memory.
    double memory_mb = 0.0;
    /// Where timeout_s came from, for the message of a call that exceeds it: a configuration
    /// key, an environment variable or "default".
    std::string timeout_origin = "default";
    /// `timeout_s` and `memory_mb` (0: the machine's physical memory), each replaced by its
    /// environment variable when that is set; `origin` names where the values come from (e.g.
    /// "run.ngspice_timeout_s"). Throws xbarsim::Error on a malformed environment value.
    static Limits resolve(double timeout_s, double memory_mb, const std::string& origin);
    /// The defaults with the environment's overrides.
    static Limits defaults();
  };
  /// Sets the limits for the following calls (a new memory limit restarts the worker).
  void setLimits(const Limits& limits);
  [[nodiscard]] const Limits& limits() const noexcept;
  /// How many times a worker was replaced after a crash, a time-out or a fatal error.
  [[nodiscard]] unsigned restarts() const noexcept;
  /// Process id of the current worker (0 when none is running: before the first call and
  /// after a crash until the next one).
  [[nodiscard]] int workerPid() const noexcept;

  /// Replaces the current circuit: clear(), then ngSpice_Circ with the netlist split into
  /// lines (first line = title; `.end` appended if missing; lines after `.end` ignored;
  /// `quit`/`exit` in .control blocks removed with a warning). A .control block runs during
  /// the load, so its output and errors belong to this call. Throws xbarsim::SpiceError with
  /// ngspice's error lines (and "netlist line N: ..." when the offending line can be
  /// identified) if ngspice reports an error or ends up without a circuit; the session is
  /// then left without a circuit. Note that ngspice accepts some malformed lines silently:
  /// a resistor without value is only reported when an analysis runs ("resistance to low",
  /// an error here), a capacitor or source without value is taken as 0.
  void loadCircuit(const std::string& netlist);

  /// Runs one interactive ngspice command synchronously (e.g. "op", "dc v1 0 1 0.1",
  /// "tran 1u 1m", "alter r1 2k", "alterparam rv=3k", "reset"). Throws xbarsim::SpiceError
  /// if ngspice's output during the call contains an error report (unknown command,
  /// "... simulation(s) aborted", "Timestep too small", missing vector, ...), and refuses
  /// `quit`/`exit`, `bg_*`, multi-line and over-long commands. Warnings are kept for
  /// takeWarnings().
  void command(const std::string& cmd);

  /// Loads `netlist`, runs `analysis` (one command, e.g. "op" or "dc vsel 0 7 1") and removes
  /// the circuit again, all inside a `.control` block of the deck itself; the analysis' plot
  /// stays readable with realVector()/complexVector() until the next load or clear(). Errors
  /// as loadCircuit() (parse) and command() (analysis; lastSolveDiagnostics() is set). The
  /// point: no top-level ngspice command per circuit. ngspice 39 keeps ~130 bytes of every
  /// top-level command for the life of the process (frontend/control.c: cp_evloop appends a
  /// control block that nothing frees), which adds up over the 10 000s of circuits of a
  /// batch job; .control blocks of a deck are freed after they run.
  void runDeck(const std::string& netlist, const std::vector<std::string>& commands);
  void runDeck(const std::string& netlist, const std::string& analysis) {
    runDeck(netlist, std::vector<std::string>{analysis});
  }

  /// Names of the plots ngspice holds, newest first (e.g. "ac3", "ac2", "ac1", "const"); a
  /// vector of another plot than the current one reads as "<plot>.<vector>".
  [[nodiscard]] std::vector<std::string> plotNames() const;

  /// What ngspice said about the equation solve of the last command() or runDeck() call.
  struct SolveDiagnostics {
    /// Nodes ngspice named as trouble spots, most telling first (detail::troubleNodes:
    /// "singular matrix: check node x", "trouble with node x", non-converged rows of its
    /// "Last Node Voltages" table). Lower case, as ngspice prints them.
    std::vector<std::string> trouble_nodes;
    /// ngspice reported a singular matrix. gmin/source stepping or its transient operating
    /// point may still return numbers, which for a floating node (no DC path to ground) are
    /// arbitrary: callers that need a DC answer must treat this as a failure.
    bool singular_matrix = false;
  };
  /// Diagnostics of the last command() (also when it threw; then the SpiceError's messages
  /// end with "ngspice names node(s): ..." when ngspice named any).
  [[nodiscard]] const SolveDiagnostics& lastSolveDiagnostics() const noexcept;

  /// Copy of a real vector of the current plot, e.g. "out", "v(out)", "i(v1)" or "v1#branch"
  /// (names are case-insensitive; a source current is "<name>#branch"). Units are ngspice's:
  /// V, A, s. Throws xbarsim::SpiceError if the vector is missing, empty or complex.
  [[nodiscard]] std::vector<double> realVector(const std::string& name) const;

  /// Copy of a vector as complex numbers (AC results; ngspice stores the AC "frequency"
  /// scale as complex too). A real vector is returned with zero imaginary parts. Throws
  /// xbarsim::SpiceError if the vector is missing or empty.
  [[nodiscard]] std::vector<std::complex<double>> complexVector(const std::string& name) const;

  /// Names of the vectors in the current plot (empty when no analysis ran since clear()).
  [[nodiscard]] std::vector<std::string> vectorNames() const;

  /// Frees all plots and circuits (`destroy all`, then `remcirc` until none is left): keeps
  /// memory flat over many circuits (docs/ngspice-notes.md §3.3). The constants plot survives.
  void clear();

  /// All output lines captured since the last call (prefixes "stdout "/"stderr " removed),
  /// oldest first. At most the newest 10000 lines are kept.
  std::vector<std::string> takeOutput();

  /// Warning lines (ngspice's, and this class's own notes) since the last call. At most the
  /// newest 1000 are kept.
  std::vector<std::string> takeWarnings();

  /// The library's version as printed in its banner, e.g. "ngspice-39".
  [[nodiscard]] std::string version() const;

  /// True when ngspice has a circuit loaded (asked live with `setcirc`).
  [[nodiscard]] bool hasCircuit() const;


 private:
  friend CoSimResult coSimulate(Session& session, const CoSimRequest& request);
  friend class Pool;  // owns further sessions, one per helper thread (spice/pool.hpp)
  Session();
  ~Session();
  /// Appends `warnings` to the ones takeWarnings() returns next (a helper session's, Pool).
  void addWarnings(std::vector<std::string> warnings);

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace xbarsim::spice
