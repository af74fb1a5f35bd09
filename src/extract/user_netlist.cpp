// SPDX-License-Identifier: MIT
#include "xbarsim/extract/user_netlist.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <utility>

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

std::string trimmed(const std::string& s) {
  const auto a = s.find_first_not_of(" \t");
  return a == std::string::npos ? std::string() : s.substr(a, s.find_last_not_of(" \t") - a + 1);
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

/// "a,b" of "v(a,b)" for f = 'v' (name in lower case); nullopt when name is not f(...).
std::optional<std::string> argumentOf(const std::string& name, char f) {
  if (name.size() > 3 && name[0] == f && name[1] == '(' && name.back() == ')')
    return name.substr(2, name.size() - 3);
  return std::nullopt;
}

std::string clipped(const std::string& text) {
  return text.size() > 60 ? text.substr(0, 60) + "..." : text;
}

/// The names of one `[netlist]` entry: brace ranges `{a..b}` expanded, several in step.
/// Returns the problem instead when the entry is malformed.
std::vector<std::string> expandEntry(const std::string& entry, std::string& problem) {
  static const std::regex range(R"(\{\s*(\d{1,9})\s*\.\.\s*(\d{1,9})\s*\})");
  struct Range {
    std::size_t at;
    std::size_t length;
    long from;
    long to;
  };
  std::vector<Range> ranges;
  std::string rest;
  std::size_t previous = 0;
  for (std::sregex_iterator it(entry.begin(), entry.end(), range), end; it != end; ++it) {
    const auto at = static_cast<std::size_t>(it->position());
    ranges.push_back({at, static_cast<std::size_t>(it->length()), std::stol((*it)[1].str()),
                      std::stol((*it)[2].str())});
    rest += entry.substr(previous, at - previous);
    previous = at + ranges.back().length;
  }
  rest += entry.substr(previous);
  if (rest.find_first_of("{}") != std::string::npos) {
    problem =
        fmt::format("'{}' has a brace that is not a range {{a..b}} of integers", clipped(entry));
    return {};
  }
  if (ranges.empty()) return {entry};
  const long count = std::abs(ranges.front().to - ranges.front().from) + 1;
  for (const Range& r : ranges)
    if (std::abs(r.to - r.from) + 1 != count) {
      problem = fmt::format("'{}': ranges in one name run in step and need the same length",
                            clipped(entry));
      return {};
    }
  if (count > 1'000'000) {
    problem = fmt::format("'{}' names more than a million sources", clipped(entry));
    return {};
  }
  std::vector<std::string> names;
  for (long k = 0; k < count; ++k) {
    std::string name;
    std::size_t from = 0;
    for (const Range& r : ranges) {
      name += entry.substr(from, r.at - from);
      name += std::to_string(r.from <= r.to ? r.from + k : r.from - k);
      from = r.at + r.length;
    }
    names.push_back(name + entry.substr(from));
  }
  return names;
}

/// Dot cards that run or report analyses: xbarsim runs its own, so they are removed (a
/// `.tran` ngspice cannot parse must not block an extraction that never runs it). `.option`
/// lines stay (tolerances matter; HSPICE-only options such as `post` are ignored by ngspice).
constexpr std::array<std::string_view, 23> kAnalysisCards = {
    ".tran",  ".ac",    ".dc",      ".op",   ".noise",   ".tf",    ".sens", ".pz",
    ".disto", ".four",  ".fourier", ".meas", ".measure", ".print", ".plot", ".probe",
    ".save",  ".width", ".sp",      ".pss",  ".hb",      ".net",   ".graph"};

/// A card of the loaded deck: a line and its `+` continuations.
struct Card {
  std::size_t first = 0;  ///< physical line index into the loaded text
  std::size_t last = 0;
  std::size_t scope = 0;            ///< index into DeckModel's scopes (0 = top level)
  std::vector<std::string> tokens;  ///< lower case, comments cut, `a = b` glued to `a=b`
};

/// The top level or one `.subckt` definition.
struct Scope {
  std::string name;
  std::size_t parent = 0;
  std::vector<std::string> ports;
  std::map<std::string, std::size_t> elements;  ///< element name -> card
  std::set<std::string> words;                  ///< every word of its cards (node look-up)
};

/// The loaded deck's structure, enough to resolve hierarchical names the way ngspice 39
/// flattens them (measured): a device `vout0` in instance `x1` of instance `xlayer1` is
/// `v.xlayer1.x1.vout0` (its current `v.xlayer1.x1.vout0#branch`), an internal node `n` is
/// `xlayer1.x1.n`, and a port is the node it is connected to outside.
class DeckModel {
 public:
  explicit DeckModel(std::vector<std::string>& lines) : lines_(lines) {
    parseCards();
    parseScopes();
  }

  const std::vector<Card>& cards() const { return cards_; }
  const Scope& top() const { return scopes_.front(); }

  /// Comments out every analysis/output card (continuations included).
  void dropAnalysisCards() {
    for (const Card& card : cards_) {
      if (std::find(kAnalysisCards.begin(), kAnalysisCards.end(), card.tokens.front()) ==
          kAnalysisCards.end())
        continue;
      commentOut(card, fmt::format("* (xbarsim: {} ignored for extraction)", card.tokens.front()));
    }
  }

  /// Replaces each `.ic v(node)=value` by a source holding the node at its value: W_eff is
  /// taken with the state held there (a memristor's state capacitor has no DC path), as
  /// ngspice holds `.ic` nodes for a transient's initial operating point.
  void pinInitialConditions(const std::vector<DeckLineOrigin>& origins) {
    static const std::regex assignment(R"(^v\(([^(),]+)\)=(.+)$)");
    auto fail = [&](std::size_t line, const std::string& problem) {
      throw ConfigError(origins[line].file.string(), origins[line].line, "", problem);
    };
    auto terms = [&](const Card& card) {
      std::vector<std::pair<std::string, std::string>> out;  // node, value
      for (std::size_t k = 1; k < card.tokens.size(); ++k) {
        std::smatch m;
        if (!std::regex_match(card.tokens[k], m, assignment))
          fail(card.first, fmt::format("cannot read .ic term '{}' (expected v(node)=value)",
                                       clipped(card.tokens[k])));
        out.emplace_back(m[1].str(), m[2].str());
      }
      return out;
    };
    std::map<std::pair<std::size_t, std::string>, std::size_t> local;  // (scope, node) -> line
    for (const Card& card : cards_)
      if (card.tokens.front() == ".ic" && card.scope != 0)
        for (const auto& [node, value] : terms(card)) local.emplace(std::pair{card.scope, node}, card.first);
    for (const Card& card : cards_) {
      if (card.tokens.front() != ".ic") continue;
      for (const auto& [node, value] : terms(card)) {
        std::string pinned = node;
        if (card.scope == 0 && node.find('.') != std::string::npos) {
          // A node inside an instance: held by its flattened name (a port is the node outside).
          std::vector<std::string> path;
          std::string part;
          for (std::istringstream in(node); std::getline(in, part, '.');) path.push_back(part);
          const std::string last = path.back();
          path.pop_back();
          std::vector<std::size_t> scopes;
          std::vector<std::size_t> instances;
          std::string problem;
          if (!walk(path, scopes, instances, problem))
            fail(card.first, fmt::format(".ic v({}): {}", node, problem));
          if (const auto it = local.find({scopes.back(), last}); it != local.end())
            fail(card.first,
                 fmt::format(".ic v({}): its subcircuit holds node {} already (.ic at {}:{})", node,
                             last, origins[it->second].file.string(), origins[it->second].line));
          pinned = flatNode(path, scopes, instances, last);
          if (pinned.empty()) fail(card.first, fmt::format(".ic v({}): that node is ground", node));
        }
        insertions_[card.first].push_back(
            fmt::format("vxbarsim_ic{} {} 0 dc {}", pins_++, pinned, value));
      }
      commentOut(card, "* (xbarsim: .ic node(s) held by the source(s) above)");
    }
  }

  /// Resolves the instance path `path` (x-names, outermost first): the scope of each depth
  /// (path.size() + 1 of them) and the instance cards; false with `problem` set if it fails.
  bool walk(const std::vector<std::string>& path, std::vector<std::size_t>& scopes,
            std::vector<std::size_t>& instances, std::string& problem) const {
    scopes = {0};
    instances.clear();
    for (const std::string& name : path) {
      const Scope& scope = scopes_[scopes.back()];
      const auto it = scope.elements.find(name);
      if (name.empty() || name[0] != 'x' || it == scope.elements.end()) {
        problem = fmt::format("no subcircuit instance {}{}", name,
                              scope.name.empty() ? std::string(" at the top level")
                                                 : fmt::format(" in .subckt {}", scope.name));
        return false;
      }
      const std::vector<std::string> connections = instanceNodes(cards_[it->second]);
      const std::string subckt = connections.empty() ? std::string() : connections.back();
      const auto def = subckts_.find(subckt);
      if (def == subckts_.end()) {
        problem = fmt::format("instance {} uses subcircuit '{}', which the deck does not define",
                              name, subckt);
        return false;
      }
      scopes.push_back(def->second);
      instances.push_back(it->second);
    }
    return true;
  }

  const Scope& scope(std::size_t index) const { return scopes_[index]; }

  /// ngspice's name of node `node` seen inside the instances `path` (empty for ground).
  std::string flatNode(const std::vector<std::string>& path, const std::vector<std::size_t>& scopes,
                       const std::vector<std::size_t>& instances, std::string node) const {
    std::size_t depth = path.size();
    while (depth > 0) {
      const std::vector<std::string>& ports = scopes_[scopes[depth]].ports;
      const auto it = std::find(ports.begin(), ports.end(), node);
      if (it == ports.end()) break;
      const std::vector<std::string> connections = instanceNodes(cards_[instances[depth - 1]]);
      const auto k = static_cast<std::size_t>(it - ports.begin());
      if (k + 1 >= connections.size()) break;  // fewer connections than ports: ngspice reports it
      node = connections[k];
      --depth;
    }
    if (node == "0" || node == "gnd") return {};
    if (depth == 0 || globals_.count(node) > 0) return node;
    std::string flat;
    for (std::size_t d = 0; d < depth; ++d) flat += path[d] + ".";
    return flat + node;
  }

  /// Puts a 0 V source in series with the first terminal of element card `card`, named
  /// `probe` (so its branch current is the current into that terminal). Throws if the first
  /// node is not on the card's first line.
  void addSeriesProbe(std::size_t card_index, const std::string& probe,
                      const std::vector<DeckLineOrigin>& origins) {
    if (!probed_.insert(card_index).second) return;
    const Card& card = cards_[card_index];
    std::string& line = lines_[card.first];
    const auto name_at = line.find_first_not_of(" \t");
    const auto name_end = line.find_first_of(" \t", name_at);
    const auto node_at =
        name_end == std::string::npos ? name_end : line.find_first_not_of(" \t", name_end);
    if (node_at == std::string::npos)
      throw ConfigError(
          origins[card.first].file.string(), origins[card.first].line, "",
          "to measure this element's current, write its first node on its first line");
    const auto node_end = std::min(line.find_first_of(" \t(=", node_at), line.size());
    const std::string node = line.substr(node_at, node_end - node_at);
    const std::string inner = "xbarsim_i_" + probe.substr(std::string_view("vxbarsim_i_").size());
    line = line.substr(0, node_at) + inner + line.substr(node_end);
    insertions_[card.first].push_back(fmt::format("{} {} {} dc 0", probe, node, inner));
  }

  /// The loaded text with the added lines, and their origins.
  void rebuild(UserDeck& deck) const {
    std::string text;
    std::vector<DeckLineOrigin> origins;
    for (std::size_t k = 0; k < lines_.size(); ++k) {
      if (const auto it = insertions_.find(k); it != insertions_.end())
        for (const std::string& added : it->second) {
          text += added + "\n";
          origins.push_back(deck.origins[k]);
        }
      text += lines_[k] + "\n";
      origins.push_back(deck.origins[k]);
    }
    deck.text = std::move(text);
    deck.origins = std::move(origins);
  }

  /// Nodes of an instance card: its connections, then the subcircuit name last.
  static std::vector<std::string> instanceNodes(const Card& card) {
    std::vector<std::string> nodes;
    for (std::size_t k = 1; k < card.tokens.size(); ++k) {
      const std::string& t = card.tokens[k];
      if (t.find('=') != std::string::npos || t == "params:") break;
      nodes.push_back(t);
    }
    return nodes;
  }

 private:
  static std::string code(const std::string& line) {
    std::string text = line;
    const auto first = text.find_first_not_of(" \t");
    if (first == std::string::npos || text[first] == '*') return {};
    if (const auto at = text.find(';'); at != std::string::npos) text.resize(at);
    for (std::size_t k = 1; k < text.size(); ++k)
      if ((text[k] == '$' || (text[k] == '/' && k + 1 < text.size() && text[k + 1] == '/')) &&
          (text[k - 1] == ' ' || text[k - 1] == '\t')) {
        text.resize(k);
        break;
      }
    // `a = b` -> `a=b`
    std::string glued;
    glued.reserve(text.size());
    for (std::size_t k = 0; k < text.size(); ++k) {
      const char c = text[k];
      if (c == '=') {
        while (!glued.empty() && (glued.back() == ' ' || glued.back() == '\t')) glued.pop_back();
        glued += '=';
        while (k + 1 < text.size() && (text[k + 1] == ' ' || text[k + 1] == '\t')) ++k;
        continue;
      }
      glued += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return glued;
  }

  void parseCards() {
    for (std::size_t k = 1; k < lines_.size(); ++k) {  // line 0 is the title
      const std::string text = code(lines_[k]);
      std::vector<std::string> t = tokens(text);
      if (t.empty()) continue;
      if (t.front()[0] == '+') {
        if (cards_.empty()) continue;
        t.front().erase(0, 1);
        if (t.front().empty()) t.erase(t.begin());
        cards_.back().last = k;
        cards_.back().tokens.insert(cards_.back().tokens.end(), t.begin(), t.end());
        continue;
      }
      cards_.push_back({k, k, 0, std::move(t)});
    }
  }

  void parseScopes() {
    scopes_.push_back({});
    std::size_t current = 0;
    for (std::size_t c = 0; c < cards_.size(); ++c) {
      Card& card = cards_[c];
      const std::string& head = card.tokens.front();
      if (head == ".end" && current == 0) {
        cards_.resize(c);
        break;
      }
      card.scope = current;
      for (const std::string& t : card.tokens) {
        std::size_t from = 0;
        for (std::size_t k = 0; k <= t.size(); ++k)
          if (k == t.size() || std::string_view("()=,{}'\"").find(t[k]) != std::string_view::npos) {
            if (k > from) scopes_[current].words.insert(t.substr(from, k - from));
            from = k + 1;
          }
      }
      if (head == ".subckt" && card.tokens.size() >= 2) {
        Scope def;
        def.name = card.tokens[1];
        def.parent = current;
        for (std::size_t k = 2; k < card.tokens.size(); ++k) {
          if (card.tokens[k].find('=') != std::string::npos || card.tokens[k] == "params:") break;
          def.ports.push_back(card.tokens[k]);
        }
        scopes_.push_back(std::move(def));
        current = scopes_.size() - 1;
        subckts_[scopes_.back().name] = current;
      } else if (head == ".ends") {
        current = scopes_[current].parent;
      } else if (head == ".global") {
        globals_.insert(card.tokens.begin() + 1, card.tokens.end());
      } else if (head[0] != '.') {
        scopes_[current].elements.emplace(head, c);
      }
    }
  }

  void commentOut(const Card& card, const std::string& note) {
    for (std::size_t k = card.first; k <= card.last; ++k) {
      if (code(lines_[k]).empty()) continue;
      lines_[k] = k == card.first ? note : "* (xbarsim: continuation of the card above)";
    }
  }

  std::vector<std::string>& lines_;
  std::vector<Card> cards_;
  std::vector<Scope> scopes_;
  std::map<std::string, std::size_t> subckts_;
  std::set<std::string> globals_;
  std::map<std::size_t, std::vector<std::string>> insertions_;  ///< added before line k
  std::set<std::size_t> probed_;
  int pins_ = 0;
};

/// True if a V source card sets 0 V for DC (no value, `0`, `dc 0`, with or without `ac ...`).
bool isZeroVoltSource(const Card& card) {
  std::size_t k = 3;
  std::string value;
  if (k < card.tokens.size() && card.tokens[k] == "dc") ++k;
  if (k < card.tokens.size() && card.tokens[k].rfind("dc=", 0) == 0)
    value = card.tokens[k].substr(3);
  else if (k < card.tokens.size())
    value = card.tokens[k];
  if (value.empty() || value == "ac" || value.rfind("ac=", 0) == 0) return true;
  char* end = nullptr;
  const double v = std::strtod(value.c_str(), &end);
  if (end == value.c_str()) return false;
  for (const char* c = end; *c != '\0'; ++c)
    if (!std::isalpha(static_cast<unsigned char>(*c))) return false;  // "0v", "0mv"
  return v == 0.0;
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

/// An element named as ngspice flattens it, `q.x1.q1` (letter, instances, name), in a message.
const std::regex& flattenedName() {
  static const std::regex name(
      R"((?:^|\s)([a-z])\.((?:[a-z0-9_$\[\]<>:#-]+\.)+)([a-z0-9_$\[\]<>:#-]+)(?:\s|$))");
  return name;
}

/// Index (0-based) into the loaded text of the line a parse error is about: the line ngspice
/// quotes (alone, or at the end of its message: "mal formed G line: gs 0 s ..."), an element
/// it names by its flattened name ("q.x1.q1": card q1 of the subcircuit of instance x1), the
/// first expression using an undefined parameter ("Undefined parameter [zz]", which ngspice
/// places at "line no. 0" inside subcircuits), else the "line N" it names; none if neither.
std::optional<std::size_t> errorLine(const UserDeck& deck, const std::vector<std::string>& messages) {
  std::vector<std::string> raw;
  std::istringstream in(deck.text);
  for (std::string line; std::getline(in, line);) raw.push_back(line);
  std::vector<std::string> lines;
  for (const std::string& line : raw) lines.push_back(lower(trimmed(line)));
  auto isCode = [&](std::size_t k) { return !lines[k].empty() && lines[k][0] != '*'; };
  for (const std::string& m : messages) {
    const std::string text = lower(trimmed(m));
    if (text.empty()) continue;
    for (std::size_t k = 1; k < lines.size(); ++k)  // line 1 is the title
      if (lines[k] == text) return k;
    if (text.rfind("netlist line ", 0) == 0) continue;  // the session's guess: last resort
    for (std::size_t k = 1; k < lines.size(); ++k)
      if (isCode(k) && lines[k].size() >= 4 && text.size() > lines[k].size() &&
          text.ends_with(lines[k]) && text[text.size() - lines[k].size() - 1] == ' ')
        return k;
  }
  DeckModel model(raw);
  const std::regex& flat_name = flattenedName();
  static const std::regex undefined(R"(undefined parameter \[([a-z_][a-z0-9_]*)\])");
  for (const std::string& m : messages) {
    const std::string text = lower(m);
    std::smatch match;
    if (std::regex_search(text, match, flat_name)) {
      std::vector<std::string> path;
      std::string part;
      const std::string dotted = match[2].str();
      for (std::istringstream parts(dotted.substr(0, dotted.size() - 1));
           std::getline(parts, part, '.');)
        path.push_back(part);
      std::vector<std::size_t> scopes;
      std::vector<std::size_t> instances;
      std::string problem;
      if (model.walk(path, scopes, instances, problem)) {
        const Scope& scope = model.scope(scopes.back());
        if (const auto it = scope.elements.find(match[3].str()); it != scope.elements.end())
          return model.cards()[it->second].first;
      }
    }
    if (std::regex_search(text, match, undefined)) {
      const std::regex use("\\{[^}]*\\b" + match[1].str() + "\\b");
      for (const Card& card : model.cards())
        if (card.tokens.front() != ".param")
          for (std::size_t k = card.first; k <= card.last; ++k)
            if (std::regex_search(lines[k], use)) return k;
    }
  }
  // ngspice's own numbers count the non-blank lines it was given (a deck loaded through the
  // shared library; a file read by ngspice counts every line): map them back.
  static const std::regex ngspice_line(R"((?:error on line|netlist line no\.) (\d+))");
  for (const std::string& m : messages) {
    std::smatch match;
    const std::string text = lower(m);
    if (!std::regex_search(text, match, ngspice_line)) continue;
    long n = std::stol(match[1].str());
    for (std::size_t k = 0; k < lines.size() && n > 0; ++k)
      if (!lines[k].empty() && --n == 0) return k;
  }
  static const std::regex session_line(R"(^netlist line (\d+):)");
  for (const std::string& m : messages) {
    std::smatch match;
    if (std::regex_search(m, match, session_line)) {
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
        for (std::string& part : parts) {
          if (std::regex_search(lower(part), flattenedName())) {
            part = "<the included line, flattened>";  // ngspice's copy of it, renamed
            continue;
          }
          if (!quoted.empty())
            for (std::size_t pos; (pos = part.find(quoted)) != std::string::npos;)
              part.replace(pos, quoted.size(), "<the included line>");
        }
      }
    }
    // ngspice's and the session's line numbers count lines of the loaded text, not the user's:
    // they become the line of the error's own file:line (or go, when it has none).
    static const std::regex internal_number(R"((error on line|netlist line) \d+)", std::regex::icase);
    static const std::regex no_line(R"(^netlist line no\. \d+:?$)", std::regex::icase);
    std::erase_if(parts, [](const std::string& part) { return std::regex_match(part, no_line); });
    const std::string replacement = line > 0 ? fmt::format("$1 {}", line) : std::string("$1");
    for (std::string& part : parts) part = std::regex_replace(part, internal_number, replacement);
    throw ConfigError(file, line, "",
                      fmt::format("ngspice cannot load the deck: {}", fmt::join(parts, " | ")));
  }
}

}  // namespace

std::vector<std::string> expandNamePatterns(const core::Config& config, const std::string& key) {
  std::vector<std::string> names;
  for (const std::string& entry : config.strings(key)) {
    std::string problem;
    std::vector<std::string> expanded = expandEntry(entry, problem);
    if (!problem.empty()) config.fail(key, problem);
    names.insert(names.end(), expanded.begin(), expanded.end());
  }
  if (names.empty()) config.fail(key, "list at least one name");
  return names;
}

UserDeck readUserDeck(const std::filesystem::path& file, const core::Config& config) {
  UserDeck deck;
  deck.file = file;
  DeckExpander(deck).expand(std::filesystem::absolute(file).lexically_normal(), "", 0, {}, 0);
  std::vector<std::string> lines;
  {
    std::istringstream in(deck.text);
    for (std::string line; std::getline(in, line);) lines.push_back(std::move(line));
  }
  DeckModel model(lines);
  model.dropAnalysisCards();
  model.pinInitialConditions(deck.origins);

  std::map<long, std::string> vin;
  std::map<long, std::string> vout;
  static const std::regex numbered(R"(^(vin|vout)(\d{1,9})$)");
  for (const Card& card : model.cards()) {
    if (card.tokens.front() == ".param")
      for (std::size_t k = 1; k < card.tokens.size(); ++k)
        if (const auto eq = card.tokens[k].find('='); eq != std::string::npos && eq > 0)
          deck.params.push_back(card.tokens[k].substr(0, eq));
  }
  for (const auto& [name, index] : model.top().elements) {
    (void)index;
    std::smatch m;
    if (std::regex_match(name, m, numbered))
      (m[1] == "vin" ? vin : vout)[std::stol(m[2].str())] = name;
  }

  // Hierarchical names: instances separated by dots, the element or node last.
  struct Located {
    std::vector<std::string> path;
    std::vector<std::size_t> scopes;
    std::vector<std::size_t> instances;
    std::string last;
  };
  const std::string shown = file.string();
  auto locate = [&](const std::string& key, const std::string& name) {
    Located l;
    std::string part;
    for (std::istringstream in(name); std::getline(in, part, '.');) l.path.push_back(part);
    if (l.path.empty()) config.fail(key, "empty name");
    l.last = l.path.back();
    l.path.pop_back();
    std::string problem;
    if (!model.walk(l.path, l.scopes, l.instances, problem))
      config.fail(key, fmt::format("{}: {} (looking for {})", shown, problem, clipped(name)));
    return l;
  };
  auto where = [&](const Located& l) {
    const Scope& scope = model.scope(l.scopes.back());
    return scope.name.empty() ? std::string() : fmt::format(" in .subckt {}", scope.name);
  };
  auto element = [&](const std::string& key, const std::string& name, const Located& l) {
    const Scope& scope = model.scope(l.scopes.back());
    const auto it = scope.elements.find(l.last);
    if (it == scope.elements.end())
      config.fail(key, fmt::format("{} has no element {}{}", shown, clipped(name), where(l)));
    return it->second;
  };
  auto flatName = [](const Located& l, const std::string& last) {
    if (l.path.empty()) return last;
    std::string flat(1, last[0]);
    for (const std::string& p : l.path) flat += "." + p;
    return flat + "." + last;
  };
  auto plainName = [&](const std::string& key, const std::string& name, const char* what) {
    if (!isPlainSpiceName(name))
      config.fail(key, fmt::format("'{}' is not a valid SPICE {} name (letters, digits and "
                                   "_.$[]<>:#- only, starting with a letter)",
                                   clipped(name), what));
    return lower(name);
  };
  auto lineOf = [&](std::size_t card) {
    const DeckLineOrigin& o = deck.origins[model.cards()[card].first];
    return fmt::format("{}:{}", o.file.string(), o.line);
  };

  // Inputs: V sources (any waveform; xbarsim sets their DC value).
  const std::vector<std::string> input_names = config.has("netlist.inputs")
                                                   ? expandNamePatterns(config, "netlist.inputs")
                                                   : conventionNames(vin, "vin", shown);
  for (const std::string& raw : input_names) {
    const std::string name = plainName("netlist.inputs", raw, "source");
    const Located l = locate("netlist.inputs", name);
    const std::size_t card = element("netlist.inputs", name, l);
    if (l.last[0] != 'v')
      config.fail(
          "netlist.inputs",
          fmt::format("{} ({}) is not a V source: inputs are voltage sources", name, lineOf(card)));
    const std::string flat = flatName(l, l.last);
    if (std::find(deck.input_sources.begin(), deck.input_sources.end(), flat) !=
        deck.input_sources.end())
      config.fail("netlist.inputs", fmt::format("{} is listed twice", name));
    deck.inputs.push_back(name);
    deck.input_sources.push_back(flat);
  }

  // Outputs: probe sources, i(element), v(node) or v(a,b).
  auto output = [&](const std::string& key, const std::string& raw) {
    const std::string name = lower(raw);
    DeckOutput out;
    auto inside = [&](char f) { return argumentOf(name, f); };
    if (const auto nodes = inside('v')) {
      std::vector<std::string> parts;
      std::string part;
      for (std::istringstream in(*nodes); std::getline(in, part, ',');) parts.push_back(part);
      if (parts.empty() || parts.size() > 2 || nodes->back() == ',')
        config.fail(key, fmt::format("'{}': expected v(node) or v(node,node)", clipped(raw)));
      static const std::regex node_name(R"(^[a-z0-9_][a-z0-9_.$\[\]<>:#-]*$)");
      for (std::size_t k = 0; k < parts.size(); ++k) {
        const std::string node = trimmed(parts[k]);
        if (!std::regex_match(node, node_name) || node.size() > 200)
          config.fail(key, fmt::format("'{}' is not a valid node name", clipped(node)));
        const Located l = locate(key, node);
        const Scope& scope = model.scope(l.scopes.back());
        const bool ground = l.path.empty() && (l.last == "0" || l.last == "gnd");
        if (!ground && scope.words.count(l.last) == 0 &&
            std::find(scope.ports.begin(), scope.ports.end(), l.last) == scope.ports.end())
          config.fail(key, fmt::format("{} has no node {}{}", shown, clipped(node), where(l)));
        const std::string flat = model.flatNode(l.path, l.scopes, l.instances, l.last);
        if (!flat.empty()) out.terms.emplace_back(k == 0 ? 1.0 : -1.0, flat);
      }
      if (out.terms.empty()) config.fail(key, fmt::format("'{}' is ground", clipped(raw)));
      return std::pair{DeckQuantity::Voltage, out};
    }
    const auto current = inside('i');
    const std::string target =
        plainName(key, current ? trimmed(*current) : raw, current ? "element" : "source");
    const Located l = locate(key, target);
    const std::size_t card = element(key, target, l);
    if (l.last[0] == 'v') {
      if (!current && !isZeroVoltSource(model.cards()[card]))
        config.fail(key, fmt::format("{} ({}) is not a 0 V source: an output probe is a 0 V "
                                     "source in series with what senses the output; for the "
                                     "current of any other source write i({})",
                                     target, lineOf(card), target));
      out.terms.emplace_back(1.0, flatName(l, l.last) + "#branch");
    } else if (!current) {
      config.fail(key, fmt::format("{} ({}) is not a V source; for the current through another "
                                   "element write i({})",
                                   target, lineOf(card), target));
    } else if (l.last[0] == 'x') {
      config.fail(key, fmt::format("i({}): a subcircuit instance has no single current; name an "
                                   "element inside it ({}.<element>)",
                                   target, target));
    } else {
      const std::string probe = "vxbarsim_i_" + l.last;
      model.addSeriesProbe(card, probe, deck.origins);
      out.terms.emplace_back(1.0, flatName(l, probe) + "#branch");
    }
    return std::pair{DeckQuantity::Current, out};
  };
  const std::vector<std::string> output_names = config.has("netlist.outputs")
                                                    ? expandNamePatterns(config, "netlist.outputs")
                                                    : conventionNames(vout, "vout", shown);
  std::optional<DeckQuantity> quantity;
  auto add = [&](const std::string& key, const std::string& name, DeckOutput& into, double sign) {
    auto [kind, out] = output(key, name);
    if (quantity && kind != *quantity)
      config.fail(key,
                  fmt::format("{} is a {} but the other outputs are {}s: outputs are all "
                              "currents or all voltages",
                              clipped(name), kind == DeckQuantity::Voltage ? "voltage" : "current",
                              *quantity == DeckQuantity::Voltage ? "voltage" : "current"));
    quantity = kind;
    for (auto& [s, vector] : out.terms) {
      const std::string source = vector.size() > 7 && vector.ends_with("#branch")
                                     ? vector.substr(0, vector.size() - 7)
                                     : std::string();
      if (!source.empty() && std::find(deck.input_sources.begin(), deck.input_sources.end(),
                                       source) != deck.input_sources.end())
        config.fail(key, fmt::format("{} is both an input and an output", clipped(name)));
      into.terms.emplace_back(sign * s, vector);
    }
  };
  for (const std::string& name : output_names) {
    DeckOutput out;
    add("netlist.outputs", name, out, 1.0);
    deck.outputs.push_back(lower(name));
    deck.output_terms.push_back(std::move(out));
  }
  if (config.has("netlist.outputs_negative")) {
    const std::vector<std::string> negative =
        expandNamePatterns(config, "netlist.outputs_negative");
    if (negative.size() != output_names.size())
      config.fail(
          "netlist.outputs_negative",
          fmt::format("names {} outputs but netlist.outputs names {}: one negative per output",
                      negative.size(), output_names.size()));
    for (std::size_t j = 0; j < negative.size(); ++j) {
      add("netlist.outputs_negative", negative[j], deck.output_terms[j], -1.0);
      deck.outputs[j] += " - " + lower(negative[j]);
    }
  }
  deck.quantity = quantity.value_or(DeckQuantity::Current);
  model.rebuild(deck);

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

DeckQuantity configuredQuantity(const core::Config& config) {
  if (!config.has("netlist.outputs")) return DeckQuantity::Current;
  const std::vector<std::string> names = expandNamePatterns(config, "netlist.outputs");
  if (names.empty()) return DeckQuantity::Current;
  return argumentOf(lower(names.front()), 'v') ? DeckQuantity::Voltage : DeckQuantity::Current;
}

std::string transferUnits(DeckQuantity quantity) {
  return quantity == DeckQuantity::Voltage ? "V/V" : "S";
}

std::string transferUnits(const UserDeck& deck) { return transferUnits(deck.quantity); }

std::string outputUnits(const UserDeck& deck) {
  return deck.quantity == DeckQuantity::Voltage ? "V" : "A";
}

namespace {

/// The distinct ngspice vectors the outputs read, and each output's terms as indices.
std::vector<std::string> outputVectors(const UserDeck& deck) {
  std::vector<std::string> vectors;
  for (const DeckOutput& out : deck.output_terms)
    for (const auto& term : out.terms)
      if (std::find(vectors.begin(), vectors.end(), term.second) == vectors.end())
        vectors.push_back(term.second);
  return vectors;
}

/// Rows of `per_vector` (one per outputVectors() entry) summed into one row per output.
Eigen::MatrixXd combineOutputs(const UserDeck& deck, const std::vector<std::string>& vectors,
                               const Eigen::MatrixXd& per_vector) {
  Eigen::MatrixXd out =
      Eigen::MatrixXd::Zero(static_cast<Index>(deck.output_terms.size()), per_vector.cols());
  for (std::size_t j = 0; j < deck.output_terms.size(); ++j)
    for (const auto& [sign, vector] : deck.output_terms[j].terms) {
      const auto k = std::find(vectors.begin(), vectors.end(), vector) - vectors.begin();
      out.row(static_cast<Index>(j)) += sign * per_vector.row(static_cast<Index>(k));
    }
  return out;
}

void setInputs(spice::Session& session, const UserDeck& deck, const Eigen::VectorXd& x_v) {
  for (std::size_t i = 0; i < deck.input_sources.size(); ++i)
    session.command(fmt::format("alter {} dc = {}", deck.input_sources[i],
                                spiceNumber(x_v[static_cast<Index>(i)])));
}

}  // namespace

WeightResult userDeckWeights(const UserDeck& deck, const std::map<std::string, double>& params,
                             double v_read_v) {
  spice::Session& session = spice::Session::instance();
  const auto start = Clock::now();
  (void)session.takeWarnings();  // of an earlier run that failed (its error was the report)
  loadDeck(session, deck);
  applyParams(session, deck, params);
  setInputs(session, deck,
            Eigen::VectorXd::Constant(static_cast<Index>(deck.input_sources.size()), v_read_v));
  const double setup_s = std::chrono::duration<double>(Clock::now() - start).count();
  const std::vector<std::string> vectors = outputVectors(deck);
  WeightResult result = acTransferConductances(session, deck.input_sources, vectors);
  result.weff_s = combineOutputs(deck, vectors, result.weff_s);
  result.timing.setup_s += setup_s;
  session.clear();
  reportWarnings(session);
  requireFinite(result.weff_s, "W_eff", "output", "input");
  return result;
}

CurrentResult userDeckCurrents(const UserDeck& deck, const std::map<std::string, double>& params,
                               const Eigen::VectorXd& x_v) {
  BatchCurrentResult batch = userDeckCurrentsBatch(deck, params, x_v);
  return {batch.currents_a.col(0), batch.timing};
}

BatchCurrentResult userDeckCurrentsBatch(const UserDeck& deck,
                                         const std::map<std::string, double>& params,
                                         const Eigen::MatrixXd& x_v) {
  const auto inputs = static_cast<Index>(deck.inputs.size());
  if (x_v.rows() != inputs)
    throw Error(fmt::format("input vectors have {} values; {} has {} inputs", x_v.rows(),
                            deck.file.string(), inputs));
  BatchCurrentResult result{Eigen::MatrixXd(static_cast<Index>(deck.outputs.size()), x_v.cols()),
                            {}};
  if (x_v.cols() == 0) return result;
  spice::Session& session = spice::Session::instance();
  auto start = Clock::now();
  (void)session.takeWarnings();  // of an earlier run that failed (its error was the report)
  loadDeck(session, deck);
  applyParams(session, deck, params);
  result.timing.setup_s = std::chrono::duration<double>(Clock::now() - start).count();
  start = Clock::now();
  const std::vector<std::string> vectors = outputVectors(deck);
  Eigen::MatrixXd values(static_cast<Index>(vectors.size()), x_v.cols());
  // One op per vector on the loaded deck; only the sources whose value changes are altered.
  for (Index k = 0; k < x_v.cols(); ++k) {
    for (Index i = 0; i < inputs; ++i)
      if (k == 0 || x_v(i, k) != x_v(i, k - 1))
        session.command(fmt::format("alter {} dc = {}",
                                    deck.input_sources[static_cast<std::size_t>(i)],
                                    spiceNumber(x_v(i, k))));
    runAnalysis(session, "op");
    for (std::size_t m = 0; m < vectors.size(); ++m)
      values(static_cast<Index>(m), k) = session.realVector(vectors[m]).at(0);
    session.command("destroy all");  // drop the op plot; keep the circuit
  }
  result.currents_a = combineOutputs(deck, vectors, values);
  session.clear();
  reportWarnings(session);
  result.timing.solve_s = std::chrono::duration<double>(Clock::now() - start).count();
  requireFinite(result.currents_a,
                deck.quantity == DeckQuantity::Voltage ? "output voltage" : "output current",
                "output", "vector");
  return result;
}

}  // namespace xbarsim::extract
