// SPDX-License-Identifier: MIT
// Fuzz body: user decks (extract::readUserDeck: .include/.lib expansion, .control removal, source
// and probe names). The bytes are split at NUL bytes into deck.cir, a.inc and b.lib in a fresh
// folder, so a fuzzed deck can include the others (and itself). Promises: the loaded text keeps
// no .control block and no file reference for ngspice, and every input and output name is a
// plain SPICE name (nothing that could end an ngspice command).
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "fuzz_bodies.hpp"
#include "xbarsim/core/config.hpp"
#include "xbarsim/core/error.hpp"
#include "xbarsim/extract/config_schema.hpp"
#include "xbarsim/extract/user_netlist.hpp"

namespace xbarsim::fuzz {
namespace {

std::string lowered(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

/// True when a line of the loaded deck is a dot card `name` (leading blanks allowed).
bool isCard(const std::string& line, const std::string& name) {
  const auto a = line.find_first_not_of(" \t");
  return a != std::string::npos && lowered(line.substr(a, name.size())) == name &&
         (line.size() == a + name.size() || std::isspace(static_cast<unsigned char>(line[a + name.size()])));
}

}  // namespace

void fuzzDeck(const std::uint8_t* data, std::size_t size) {
  namespace fs = std::filesystem;
  static int call = 0;
  const fs::path dir = fs::temp_directory_path() / ("xbarsim_fuzz_deck_" + std::to_string(::getpid()) + "_" +
                                                    std::to_string(call++));
  fs::create_directories(dir);
  const char* names[] = {"deck.cir", "a.inc", "b.lib"};
  std::size_t start = 0;
  for (int f = 0; f < 3; ++f) {
    std::size_t end = start;
    while (end < size && data[end] != 0) ++end;
    std::ofstream(dir / names[f], std::ios::binary)
        .write(reinterpret_cast<const char*>(data + std::min(start, size)),
               static_cast<std::streamsize>(std::min(end, size) - std::min(start, size)));
    start = end + 1;
  }
  try {
    static const core::Config config = core::Config::defaults(extract::configSchema());
    const extract::UserDeck deck = extract::readUserDeck(dir / "deck.cir", config);
    std::istringstream in(deck.text);
    for (std::string line; std::getline(in, line);)
      for (const char* card : {".control", ".endc", ".include", ".inc", ".lib"})
        if (isCard(line, card)) violated("deck: a .control block or a file reference reached ngspice");
    // Input sources are pasted into `alter` commands; output vectors are looked up by name.
    std::vector<std::string> vector_names = deck.input_sources;
    for (const extract::DeckOutput& output : deck.output_terms)
      for (const auto& term : output.terms) vector_names.push_back(term.second);
    for (const std::string& name : vector_names)
      if (name.empty() || name.find_first_of(" \t;\"'\n{}()") != std::string::npos)
        violated("deck: an input source or output vector that is not a plain SPICE name");
  } catch (const Error&) {
    // refused: fine
  }
  fs::remove_all(dir);
}

}  // namespace xbarsim::fuzz
