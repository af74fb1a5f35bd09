// SPDX-License-Identifier: MIT
// The xbarsim command: parses the command line, calls the library, maps errors to exit codes
// (0 ok; 1 bad input or usage; 2 run failure). Commands return their own statuses: 3 validate
// found the backends disagreeing, 4 a sweep finished with failed points.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <clocale>
#include <cstdio>
#include <exception>
#include <new>
#include <string>

#include "commands.hpp"
#include "xbarsim/core/error.hpp"
#include "xbarsim/core/provenance.hpp"
#include "xbarsim/io/path_guard.hpp"

namespace {

/// The error message on one line: line breaks (an HDF5 stack, several ngspice messages) become "; ".
/// The error as one readable line: line breaks joined, and at most 1000 bytes (an HDF5 error
/// stack or a long ngspice report is cut, with its length said).
std::string oneLine(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  for (auto pos = text.find_first_of("\r\n"); pos != std::string::npos; pos = text.find_first_of("\r\n", pos)) {
    const auto end = text.find_first_not_of("\r\n", pos);
    text.replace(pos, (end == std::string::npos ? text.size() : end) - pos, "; ");
  }
  return xbarsim::clipForMessage(text, 1000);
}

bool isOutputOption(const CLI::Option& option) {
  return option.get_lnames().size() == 1 && option.get_lnames()[0] == "out";
}

/// Every value given to the chosen command that names an existing file, except the output
/// itself, is an input: no output of the run may replace it. The output is checked at once
/// (io::checkOutputPath), before any input is read; AtomicFile checks it again against the
/// files the configuration names.
void guardCommandLinePaths(const CLI::App& app) {
  for (const CLI::App* command : app.get_subcommands()) {
    for (const CLI::Option* option : command->get_options())
      if (!isOutputOption(*option))
        for (const std::string& value : option->results()) xbarsim::io::registerInput(value);
    for (const CLI::Option* option : command->get_options())
      if (isOutputOption(*option))
        for (const std::string& value : option->results())
          if (!value.empty() && value != "-") xbarsim::io::checkOutputPath(value);
    guardCommandLinePaths(*command);
  }
}

}  // namespace

int main(int argc, char** argv) {
  // ngspice parses numbers with the C library; a comma-decimal locale would corrupt every
  // value. The whole process uses the C numeric locale.
  std::setlocale(LC_NUMERIC, "C");

  CLI::App app{"xbarsim: SPICE-accurate crossbar arrays for analog in-memory computing"};
  app.name("xbarsim");
  app.set_version_flag("--version", std::string(xbarsim::versionString()));
  app.require_subcommand(1);
  xbarsim::cli::Options options;
  options.command_line = xbarsim::cli::joinCommandLine(argc, argv);
  xbarsim::cli::addCommands(app, options);
  app.footer(
      "Every command has --help with its defaults and an example; exit status 0 ok, 1 bad "
      "input, 2 run failure.\nExample (from the repository root):\n  build/xbarsim demo "
      "--crossbar");

  // `xbarsim` alone: the command list on stdout, exit 1 (no command is a usage error, as git).
  if (argc <= 1) {
    fmt::print("{}", app.help());
    return 1;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    // One line, like every other error (CLI11 would add "Run with --help ...").
    fmt::print(stderr, "xbarsim: error: {} (see --help)\n", oneLine(e.what()));
    return 1;
  }
  try {
    guardCommandLinePaths(app);
    return options.run();
  } catch (const xbarsim::ConfigError& e) {
    fmt::print(stderr, "xbarsim: error: {}\n", oneLine(e.what()));
    return 1;
  } catch (const std::bad_alloc&) {
    fmt::print(stderr, "xbarsim: error: out of memory (std::bad_alloc); reduce the problem size\n");
    return 2;
  } catch (const std::exception& e) {
    fmt::print(stderr, "xbarsim: error: {}\n", oneLine(e.what()));
    return 2;
  }
}
