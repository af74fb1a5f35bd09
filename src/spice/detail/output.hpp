// SPDX-License-Identifier: MIT
#pragma once
/// @file Pure text handling behind xbarsim::spice::Session (no libngspice calls here, so it
/// is testable on its own): splitting and classifying what libngspice prints through its
/// SendChar callback, and preparing a netlist for ngSpice_Circ.
///
/// ngspice 39 reports almost every failure only as text (its return codes are 0 even on
/// failure, docs/ngspice-notes.md §3.2), so the classification below is the error detection. The
/// patterns were collected by experiment against Debian's libngspice 39.3; see
/// classify() for the list.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace xbarsim::spice::detail {

/// Which stream ngspice wrote a line to. SendChar prefixes every complete line with
/// "stdout " or "stderr "; lines flushed on '\r' (progress counters) arrive without prefix.
enum class Stream { Out, Err, Raw };

enum class Severity { Info, Warning, Error };

/// Warning lines kept for Session::takeWarnings(), the newest ones: by the engine in the worker
/// and by the session for its own notes and the pool's helpers' warnings (a sweep that never
/// takes them must not grow without bound).
inline constexpr std::size_t kMaxWarnings = 1000;

struct OutputLine {
  Stream stream = Stream::Raw;
  std::string text;  ///< without the "stdout "/"stderr " prefix and trailing CR/LF
};

/// Splits the "stdout "/"stderr " prefix off one SendChar string.
[[nodiscard]] OutputLine splitPrefix(std::string_view raw);

/// Classifies one line. Errors are ngspice's own failure reports (on stderr unless noted):
///  - lines starting "Error" / "ERROR" / "Fatal" / "doAnalyses:" / "usage:" / "PTerror";
///  - "... simulation(s) aborted", "Timestep too small", "iteration limit reached";
///  - "<cmd>: no such command available in ngspice" (unknown command);
///  - "Warning from checkvalid: vector X is not available ..." (missing vector in print/let);
///  - "r1: resistance to low, set to 1 mOhm": printed only when a resistor has *no* value
///    (restemp.c), i.e. a malformed line that ngspice silently completed;
///  - parser/numparam diagnostics that come without an "Error" word: "could not find a valid
///    modelname", "Unable to find definition of model", "unknown parameter", "unimplemented
///    control card", "Too many parameters for subcircuit", "Undefined parameter", "Please
///    check your input netlist", "no such vector", "too few args";
///  - command failures: "Command 'source' failed:", "<file>: No such file or directory",
///    "Permission denied", "cannot execute ...", "simulation not started", "interrupted";
///  - on stdout: "meas ... failed!", "DC solution failed", "No matching instances or models".
/// Warnings: any other stderr line containing "warning" (e.g. "Warning: singular matrix:
/// check node x", after which gmin/source stepping may still succeed; if it does not, the
/// error lines above follow). Everything else is Info, including the banner, "Note: No
/// compatibility mode selected!", "Circuit: ...", "Doing analysis at TEMP = ...", "No. of
/// Data Rows", gmin-stepping notes and all stdout output of print/echo/show.
[[nodiscard]] Severity classify(const OutputLine& line);

/// The error lines of one call, each followed by its continuation lines (ngspice splits one
/// report over several stderr lines, e.g. "Error on line 3 or its substitute:" / "q9 in out"
/// / "could not find a valid modelname"). At most max_lines, then a "... N more" marker.
[[nodiscard]] std::vector<std::string> collectErrors(const std::vector<OutputLine>& lines,
                                                     std::size_t max_lines = 24);

/// Nodes ngspice names as the trouble spot of a failed or degraded solve, without duplicates,
/// in this order: "Timestep too small; trouble with node \"x\"" (where it gave up), the rows
/// of its "Last Node Voltages" table marked '*' (not converged; largest change between the
/// last two iterates first), "singular matrix:  check node x" / "check nodes a and b" (a
/// floating node, or a loop of voltage sources). Nodes come before source branch currents
/// ("vout0#branch"). Names are as ngspice prints them (lower case).
[[nodiscard]] std::vector<std::string> troubleNodes(const std::vector<OutputLine>& lines);

/// True when `lines` contain ngspice's "singular matrix" warning.
[[nodiscard]] bool reportsSingularMatrix(const std::vector<OutputLine>& lines);

/// A netlist prepared for ngSpice_Circ.
struct PreparedNetlist {
  std::vector<std::string> lines;  ///< CR stripped; ends with exactly one ".end"
  std::vector<std::string> notes;  ///< what was changed, for the warnings list
};

/// Splits on '\n', strips '\r', neutralises `quit`/`exit` inside .control blocks (they would
/// tear down libngspice, docs/ngspice-notes.md §3.6), drops lines after the first `.end` and appends
/// `.end` when it is missing (ngSpice_Circ needs it as its last line). The first line is
/// the title, as always in SPICE. Returns an empty line list for a blank netlist.
[[nodiscard]] PreparedNetlist prepareNetlist(std::string_view netlist);

/// 0-based index into `netlist` of the line an error report refers to, if it can be
/// identified: by the element name ngspice echoes (continuation line, "unknown subckt: x1
/// ...", "(instance: xx1)"), else by the line number in "Error on line N" / "line no. N".
[[nodiscard]] std::optional<std::size_t> locateNetlistLine(
    const std::vector<std::string>& netlist, const std::vector<std::string>& errors);

}  // namespace xbarsim::spice::detail
