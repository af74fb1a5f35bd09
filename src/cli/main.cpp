// SPDX-License-Identifier: MIT
// The xbarsim command: parses the command line, calls the library, maps errors to exit codes
// (0 ok; 1 bad input or usage; 2 run failure).
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <clocale>
#include <cstdio>
#include <exception>

#include "commands.hpp"
#include "xbarsim/core/error.hpp"
#include "xbarsim/core/provenance.hpp"

int main(int argc, char** argv) {
  // ngspice parses numbers with the C library; a comma-decimal locale would corrupt every
  // value. The whole process uses the C numeric locale.
  std::setlocale(LC_NUMERIC, "C");

  CLI::App app{"xbarsim: SPICE-accurate crossbar arrays for analog in-memory computing"};
  app.set_version_flag("--version", std::string(xbarsim::versionString()));
  app.require_subcommand(1);
  xbarsim::cli::Options options;
  options.command_line = xbarsim::cli::joinCommandLine(argc, argv);
  xbarsim::cli::addCommands(app, options);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 1;
  }
  try {
    return options.run();
  } catch (const xbarsim::ConfigError& e) {
    fmt::print(stderr, "xbarsim: error: {}\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    fmt::print(stderr, "xbarsim: error: {}\n", e.what());
    return 2;
  }
}
