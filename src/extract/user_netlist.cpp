// SPDX-License-Identifier: MIT
#include "xbarsim/extract/user_netlist.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <fstream>
#include <regex>
#include <sstream>

#include "xbarsim/core/error.hpp"
#include "xbarsim/core/numbers.hpp"
#include "xbarsim/extract/ngspice_backend.hpp"
#include "xbarsim/spice/session.hpp"

namespace xbarsim::extract {
namespace {

using Clock = std::chrono::steady_clock;
using Index = Eigen::Index;

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::string firstToken(const std::string& line) {
  std::istringstream in(line);
  std::string token;
  in >> token;
  return lower(token);
}

/// Makes the file argument of .include/.lib absolute (ngspice resolves it against the current
/// directory, not the deck's).
std::string absoluteInclude(const std::string& line, const std::filesystem::path& deck_dir) {
  static const std::regex include(R"(^(\s*\.(?:include|inc|lib)\s+)(["']?)([^"'\s]+)(["']?)(.*)$)",
                                  std::regex::icase);
  std::smatch m;
  if (!std::regex_match(line, m, include)) return line;
  std::filesystem::path path(m[3].str());
  if (path.is_relative()) path = deck_dir / path;
  return fmt::format("{}\"{}\"{}", m[1].str(), path.lexically_normal().string(), m[5].str());
}

/// Names numbered by the convention prefix<i>, checked to run 0..n-1.
std::vector<std::string> conventionNames(const std::map<long, std::string>& found,
                                         const std::string& prefix, const std::string& file) {
  const std::string upper = prefix == "vin" ? "VIN" : "VOUT";
  const std::string key = prefix == "vin" ? "inputs" : "outputs";
  std::vector<std::string> names;
  for (const auto& [index, name] : found) {
    if (index != static_cast<long>(names.size()))
      throw ConfigError(file, 0, "",
                        fmt::format("{}{} is missing: {} sources must be numbered 0..n-1", upper,
                                    names.size(), upper));
    names.push_back(name);
  }
  if (names.empty())
    throw ConfigError(file, 0, "",
                      fmt::format("no {}<n> sources found; name the deck's sources {}0, {}1, ... "
                                  "or list them in [netlist] {}",
                                  upper, upper, upper, key));
  return names;
}

void applyParams(spice::Session& session, const UserDeck& deck,
                 const std::map<std::string, double>& params) {
  if (params.empty()) return;
  for (const auto& [name, value] : params)
    session.command(fmt::format("alterparam {} = {}", lower(name), spiceNumber(value)));
  session.command("reset");
  (void)deck;
}

/// Line (1-based) of the deck a parse error is about: the deck line ngspice quotes, else the
/// "line N" it names; 0 if neither. The loaded text keeps the file's lines one to one.
long errorLine(const UserDeck& deck, const std::vector<std::string>& messages) {
  auto trim = [](const std::string& s) {
    const auto a = s.find_first_not_of(" \t");
    return a == std::string::npos ? std::string() : lower(s.substr(a, s.find_last_not_of(" \t") - a + 1));
  };
  std::vector<std::string> lines;
  std::istringstream in(deck.text);
  for (std::string line; std::getline(in, line);) lines.push_back(trim(line));
  for (const std::string& m : messages) {
    const std::string text = trim(m);
    if (text.empty()) continue;
    for (std::size_t k = 1; k < lines.size(); ++k)  // line 1 is the title
      if (lines[k] == text) return static_cast<long>(k + 1);
  }
  static const std::regex line_no(R"(line (\d+))");
  for (const std::string& m : messages) {
    std::smatch match;
    if (std::regex_search(m, match, line_no)) {
      const long n = std::stol(match[1].str());
      if (n >= 1 && n <= static_cast<long>(lines.size())) return n;
    }
  }
  return 0;
}

void loadDeck(spice::Session& session, const UserDeck& deck) {
  try {
    session.loadCircuit(deck.text);
  } catch (const SpiceError& e) {
    // The deck does not parse: bad input, named by file:line with ngspice's own message.
    std::vector<std::string> parts;
    for (const std::string& m : e.messages()) {
      const auto a = m.find_first_not_of(" \t");
      if (a != std::string::npos) parts.push_back(m.substr(a));
    }
    throw ConfigError(deck.file.string(), errorLine(deck, e.messages()), "",
                      fmt::format("ngspice cannot load the deck: {}", fmt::join(parts, " | ")));
  }
}

}  // namespace

UserDeck readUserDeck(const std::filesystem::path& file, const core::Config& config) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw ConfigError(file.string(), 0, "", "cannot open netlist");
  UserDeck deck;
  deck.file = file;
  const std::filesystem::path deck_dir = std::filesystem::absolute(file).parent_path();
  std::map<long, std::string> vin;
  std::map<long, std::string> vout;
  std::vector<std::string> sources;
  static const std::regex numbered(R"(^(vin|vout)(\d+)$)");
  static const std::regex param_assign(R"(([A-Za-z_][A-Za-z0-9_]*)\s*=)");
  std::string line;
  bool in_control = false;
  bool first = true;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const std::string token = firstToken(line);
    if (first) {  // the title line is never parsed as an element
      first = false;
      deck.text += line + "\n";
      continue;
    }
    if (token == ".control") in_control = true;
    if (in_control) {
      if (token == ".endc") in_control = false;
      deck.text += "* (control-block line removed by xbarsim)\n";
      continue;
    }
    if (token.rfind(".inc", 0) == 0 || token == ".lib") {
      deck.text += absoluteInclude(line, deck_dir) + "\n";
      continue;
    }
    if (token == ".param") {
      const std::string rest = line.substr(line.find_first_of(".") + 6);
      for (std::sregex_iterator it(rest.begin(), rest.end(), param_assign), end; it != end; ++it)
        deck.params.push_back(lower((*it)[1].str()));
    }
    if (!token.empty() && token[0] == 'v') {
      sources.push_back(token);
      std::smatch m;
      if (std::regex_match(token, m, numbered))
        (m[1] == "vin" ? vin : vout)[std::stol(m[2].str())] = token;
    }
    deck.text += line + "\n";
  }
  if (in_control) throw ConfigError(file.string(), 0, "", ".control without .endc");

  auto named = [&](const char* key) -> std::vector<std::string> {
    std::vector<std::string> names;
    for (const std::string& name : config.strings(key)) {
      const std::string source = lower(name);
      if (std::find(sources.begin(), sources.end(), source) == sources.end())
        config.fail(key, fmt::format("{} has no V source named {}", file.string(), name));
      names.push_back(source);
    }
    if (names.empty()) config.fail(key, "list at least one source");
    return names;
  };
  deck.inputs = config.has("netlist.inputs") ? named("netlist.inputs")
                                              : conventionNames(vin, "vin", file.string());
  deck.outputs = config.has("netlist.outputs") ? named("netlist.outputs")
                                                : conventionNames(vout, "vout", file.string());
  for (const auto& [name, value] : config.realTable("netlist.params")) {
    (void)value;
    if (std::find(deck.params.begin(), deck.params.end(), lower(name)) == deck.params.end())
      config.fail("netlist.params." + name,
                  fmt::format("{} has no .param {} (it has: {})", file.string(), name,
                              deck.params.empty() ? std::string("none")
                                                  : fmt::format("{}", fmt::join(deck.params, ", "))));
  }
  return deck;
}

WeightResult userDeckWeights(const UserDeck& deck, const std::map<std::string, double>& params,
                             double v_read_v) {
  spice::Session& session = spice::Session::instance();
  const auto start = Clock::now();
  loadDeck(session, deck);
  applyParams(session, deck, params);
  for (const std::string& input : deck.inputs)
    session.command(fmt::format("alter {} dc = {}", input, spiceNumber(v_read_v)));
  const double setup_s = std::chrono::duration<double>(Clock::now() - start).count();
  std::vector<std::string> output_vectors;
  for (const std::string& output : deck.outputs) output_vectors.push_back(output + "#branch");
  WeightResult result = acTransferConductances(session, deck.inputs, output_vectors);
  result.timing.setup_s += setup_s;
  session.clear();
  requireFinite(result.weff_s, "W_eff", "output", "input");
  return result;
}

CurrentResult userDeckCurrents(const UserDeck& deck, const std::map<std::string, double>& params,
                               const Eigen::VectorXd& x_v) {
  if (x_v.size() != static_cast<Index>(deck.inputs.size()))
    throw Error(fmt::format("input vector has {} values; {} has {} inputs", x_v.size(),
                            deck.file.string(), deck.inputs.size()));
  spice::Session& session = spice::Session::instance();
  auto start = Clock::now();
  CurrentResult result{Eigen::VectorXd(static_cast<Index>(deck.outputs.size())), {}};
  loadDeck(session, deck);
  applyParams(session, deck, params);
  for (std::size_t i = 0; i < deck.inputs.size(); ++i)
    session.command(fmt::format("alter {} dc = {}", deck.inputs[i], spiceNumber(x_v[static_cast<Index>(i)])));
  result.timing.setup_s = std::chrono::duration<double>(Clock::now() - start).count();
  start = Clock::now();
  runAnalysis(session, "op");
  for (std::size_t j = 0; j < deck.outputs.size(); ++j) {
    const std::vector<double> values = session.realVector(deck.outputs[j] + "#branch");
    result.currents_a[static_cast<Index>(j)] = values.at(0);
  }
  session.clear();
  result.timing.solve_s = std::chrono::duration<double>(Clock::now() - start).count();
  requireFinite(result.currents_a, "output current", "output");
  return result;
}

}  // namespace xbarsim::extract
