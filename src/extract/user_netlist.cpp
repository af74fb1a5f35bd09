// SPDX-License-Identifier: MIT
#include "xbarsim/extract/user_netlist.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <fstream>
#include <optional>
#include <utility>
#include <regex>
#include <set>
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

constexpr int kMaxIncludeDepth = 16;
constexpr std::uintmax_t kMaxIncludeBytes = std::uintmax_t{256} << 20;
constexpr std::string_view kRemovedControl = "* (control-block line removed by xbarsim)";

std::vector<std::string> tokens(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> out;
  for (std::string t; in >> t;) out.push_back(t);
  return out;
}

std::string unquoted(std::string text) {
  if (text.size() >= 2 && (text.front() == '"' || text.front() == '\'') && text.back() == text.front())
    text = text.substr(1, text.size() - 2);
  return text;
}

/// Text of the decks and libraries a user deck pulls in, read by xbarsim itself so that no
/// file reaches ngspice unchecked: `.include`/`.inc` files and `.lib <file> <section>`
/// sections are pasted in place (recursively, relative paths against the including file's
/// directory), and every `.control` ... `.endc` block, wherever it is, is replaced by comment
/// lines (ngspice would run its commands). Each output line remembers its file and line.
class DeckExpander {
 public:
  explicit DeckExpander(UserDeck& deck) : deck_(deck) {}

  /// Appends the lines of `file` (all of them, or only library section `section`).
  void expand(const std::filesystem::path& file, const std::string& section, int depth,
              const std::filesystem::path& from_file, long from_line) {
    const std::vector<std::string> lines = readLines(file, from_file, from_line);
    if (std::find(deck_.included_files.begin(), deck_.included_files.end(), file) ==
        deck_.included_files.end())
      deck_.included_files.push_back(file);
    const bool top = depth == 0;
    const std::filesystem::path& shown = top ? deck_.file : file;  // the user's spelling
    bool in_section = section.empty();
    bool found = section.empty();
    bool in_control = false;
    long control_line = 0;
    for (std::size_t k = 0; k < lines.size(); ++k) {
      const long number = static_cast<long>(k + 1);
      const std::string& line = lines[k];
      const std::vector<std::string> t = tokens(line);
      const std::string token = t.empty() ? std::string() : lower(t.front());
      if (!section.empty()) {  // a library file: only the named section counts
        if (!in_section) {
          if (token == ".lib" && t.size() == 2 && lower(unquoted(t[1])) == lower(section))
            in_section = found = true;
          continue;
        }
        if (token == ".endl") {
          in_section = false;
          continue;
        }
      }
      if (top && k == 0) {  // the title line is never parsed as an element
        const bool script = lower(line).rfind("*ng_script", 0) == 0;  // would run as commands
        emit(script ? "* " + line : line, shown, number);
        continue;
      }
      if (token == ".control") {
        in_control = true;
        control_line = number;
      }
      if (in_control) {
        if (token == ".endc") in_control = false;
        emit(std::string(kRemovedControl), shown, number);
        continue;
      }
      if (token.rfind(".inc", 0) == 0 || token == ".lib") {
        if (depth + 1 > kMaxIncludeDepth)
          throw ConfigError(shown.string(), number, "",
                            fmt::format("{} nested more than {} levels deep (a loop?)", token,
                                        kMaxIncludeDepth));
        if (t.size() < 2)
          throw ConfigError(shown.string(), number, "", fmt::format("{} without a file", token));
        if (token == ".lib" && t.size() == 2)
          throw ConfigError(shown.string(), number, "",
                            "'.lib <section>' outside a library file; use '.lib <file> <section>'");
        const std::string rest = line.substr(line.find_first_of(" \t", line.find_first_not_of(" \t")));
        std::string target;
        std::string lib_section;
        if (token == ".lib") {
          target = unquoted(t[1]);
          if (t.size() != 3)
            throw ConfigError(shown.string(), number, "", "expected '.lib <file> <section>'");
          lib_section = unquoted(t[2]);
        } else {
          target = unquoted(trimmed(rest));
        }
        std::filesystem::path path(target);
        if (path.is_relative()) path = file.parent_path() / path;
        path = path.lexically_normal();
        emit(lib_section.empty() ? fmt::format("* (xbarsim: {} pasted below)", path.string())
                                 : fmt::format("* (xbarsim: section {} of {} pasted below)",
                                               lib_section, path.string()),
             shown, number);
        expand(path, lib_section, depth + 1, shown, number);
        continue;
      }
      emit(line, shown, number);
    }
    if (in_control)
      throw ConfigError(shown.string(), control_line, "", ".control without .endc");
    if (!found)
      throw ConfigError(from_file.string(), from_line, "",
                        fmt::format("{} has no library section '{}'", file.string(), section));
  }

 private:
  static std::string trimmed(const std::string& s) {
    const auto a = s.find_first_not_of(" \t");
    return a == std::string::npos ? std::string() : s.substr(a, s.find_last_not_of(" \t") - a + 1);
  }

  std::vector<std::string> readLines(const std::filesystem::path& file,
                                     const std::filesystem::path& from_file, long from_line) {
    const std::string where = from_file.empty() ? deck_.file.string() : from_file.string();
    const long at = from_file.empty() ? 0 : from_line;
    std::error_code ec;
    if (!std::filesystem::exists(file, ec))
      throw ConfigError(where, at, "",
                        from_file.empty() ? "cannot open netlist (no such file)"
                                          : fmt::format("cannot include {}: no such file", file.string()));
    if (!std::filesystem::is_regular_file(file, ec))
      throw ConfigError(where, at, "",
                        from_file.empty() ? "cannot open netlist (not a regular file)"
                                          : fmt::format("cannot include {}: not a regular file",
                                                        file.string()));
    const auto size = std::filesystem::file_size(file, ec);
    total_bytes_ += ec ? 0 : size;
    if (total_bytes_ > kMaxIncludeBytes)
      throw ConfigError(where, at, "",
                        fmt::format("the deck and its includes exceed {} MiB", kMaxIncludeBytes >> 20));
    std::ifstream in(file, std::ios::binary);
    if (!in)
      throw ConfigError(where, at, "",
                        from_file.empty() ? "cannot open netlist"
                                          : fmt::format("cannot open included file {}", file.string()));
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      lines.push_back(std::move(line));
    }
    return lines;
  }

  void emit(std::string line, const std::filesystem::path& file, long number) {
    deck_.text += line + "\n";
    deck_.origins.push_back({file, number});
  }

  UserDeck& deck_;
  std::uintmax_t total_bytes_ = 0;
};

/// ngspice takes an element name up to the first separator and splits commands at ';': a
/// source named in the configuration must be a plain SPICE name (it is pasted into `alter`).
bool isPlainSpiceName(const std::string& name) {
  static const std::regex plain(R"(^[A-Za-z][A-Za-z0-9_.$\[\]<>:#-]*$)");
  return name.size() <= 200 && std::regex_match(name, plain);
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

/// ngspice's warnings about a user deck (and the session's own notes: a worker restarted, a
/// `quit` removed) after a successful run, on stderr, each text once per process. A failed run
/// reports its error instead (one line); its warnings are dropped with the worker's state.
void reportWarnings(spice::Session& session) {
  static std::set<std::string> shown;
  for (const std::string& warning : session.takeWarnings()) {
    if (shown.size() > 1000 || !shown.insert(warning).second) continue;
    fmt::print(stderr, "xbarsim: warning: {}\n",
               warning.size() > 300 ? warning.substr(0, 300) + "..." : warning);
  }
}

void applyParams(spice::Session& session, const UserDeck& deck,
                 const std::map<std::string, double>& params) {
  if (params.empty()) return;
  for (const auto& [name, value] : params)
    session.command(fmt::format("alterparam {} = {}", lower(name), spiceNumber(value)));
  session.command("reset");
  (void)deck;
}

/// Index (0-based) into the loaded text of the line a parse error is about: the line ngspice
/// quotes, else the "line N" it names; none if neither.
std::optional<std::size_t> errorLine(const UserDeck& deck, const std::vector<std::string>& messages) {
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
      if (lines[k] == text) return k;
  }
  static const std::regex line_no(R"(line (\d+))");
  for (const std::string& m : messages) {
    std::smatch match;
    if (std::regex_search(m, match, line_no)) {
      const long n = std::stol(match[1].str());
      if (n >= 1 && n <= static_cast<long>(lines.size())) return static_cast<std::size_t>(n - 1);
    }
  }
  return std::nullopt;
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
    std::string file = deck.file.string();
    long line = 0;
    if (const auto index = errorLine(deck, e.messages()); index && *index < deck.origins.size()) {
      file = deck.origins[*index].file.string();
      line = deck.origins[*index].line;
      // Never echo the content of an included file (`.include /etc/passwd` must not print a line
      // of it): the message names its file and line; ngspice's quotes of it are dropped.
      if (std::filesystem::absolute(deck.origins[*index].file).lexically_normal() !=
          std::filesystem::absolute(deck.file).lexically_normal()) {
        std::string quoted;
        std::istringstream in(deck.text);
        for (std::size_t k = 0; k <= *index && std::getline(in, quoted); ++k) {
        }
        const auto a = quoted.find_first_not_of(" \t");
        quoted = a == std::string::npos ? std::string() : quoted.substr(a, quoted.find_last_not_of(" \t") - a + 1);
        if (!quoted.empty())
          for (std::string& part : parts)
            for (std::size_t pos; (pos = part.find(quoted)) != std::string::npos;)
              part.replace(pos, quoted.size(), "<the included line>");
      }
    }
    throw ConfigError(file, line, "",
                      fmt::format("ngspice cannot load the deck: {}", fmt::join(parts, " | ")));
  }
}

}  // namespace

UserDeck readUserDeck(const std::filesystem::path& file, const core::Config& config) {
  UserDeck deck;
  deck.file = file;
  DeckExpander(deck).expand(std::filesystem::absolute(file).lexically_normal(), "", 0, {}, 0);
  std::map<long, std::string> vin;
  std::map<long, std::string> vout;
  std::vector<std::string> sources;
  static const std::regex numbered(R"(^(vin|vout)(\d+)$)");
  static const std::regex param_assign(R"(([A-Za-z_][A-Za-z0-9_]*)\s*=)");
  std::istringstream in(deck.text);
  std::string line;
  bool first = true;
  while (std::getline(in, line)) {
    if (std::exchange(first, false)) continue;  // the title
    const std::string token = firstToken(line);
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
  }

  auto named = [&](const char* key) -> std::vector<std::string> {
    std::vector<std::string> names;
    for (const std::string& name : config.strings(key)) {
      if (!isPlainSpiceName(name))
        config.fail(key, fmt::format("'{}' is not a valid SPICE source name (letters, digits and "
                                     "_.$[]<>:#- only, starting with a letter)",
                                     name.size() > 60 ? name.substr(0, 60) + "..." : name));
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
  (void)session.takeWarnings();  // of an earlier run that failed (its error was the report)
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
  reportWarnings(session);
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
  (void)session.takeWarnings();  // of an earlier run that failed (its error was the report)
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
  reportWarnings(session);
  result.timing.solve_s = std::chrono::duration<double>(Clock::now() - start).count();
  requireFinite(result.currents_a, "output current", "output");
  return result;
}

}  // namespace xbarsim::extract
