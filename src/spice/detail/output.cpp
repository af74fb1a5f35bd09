// SPDX-License-Identifier: MIT
#include "spice/detail/output.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>

namespace xbarsim::spice::detail {
namespace {

char lowerChar(char c) {
  return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), lowerChar);
  return out;
}

bool isSpace(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && isSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && isSpace(s.back())) s.remove_suffix(1);
  return s;
}

/// `low` must already be lower case; `pattern` is given in lower case.
bool startsWith(std::string_view low, std::string_view pattern) {
  return low.substr(0, pattern.size()) == pattern;
}
bool contains(std::string_view low, std::string_view pattern) {
  return low.find(pattern) != std::string_view::npos;
}
bool endsWith(std::string_view low, std::string_view pattern) {
  return low.size() >= pattern.size() && low.substr(low.size() - pattern.size()) == pattern;
}

std::string_view firstToken(std::string_view s) {
  s = trim(s);
  const auto end = std::find_if(s.begin(), s.end(), isSpace);
  return s.substr(0, static_cast<std::size_t>(end - s.begin()));
}

// stderr lines that are failure reports (lower case). See the list in output.hpp.
constexpr std::array kErrorPrefixes = {
    std::string_view("error"), std::string_view("fatal"), std::string_view("doanalyses:"),
    std::string_view("usage:"), std::string_view("pterror"),
    std::string_view("warning from checkvalid")};
constexpr std::array kErrorFragments = {
    std::string_view("simulation(s) aborted"),
    std::string_view("timestep too small"),
    std::string_view("iteration limit reached"),
    std::string_view("no such command available"),
    std::string_view("resistance to low, set to 1 mohm"),
    std::string_view("could not find a valid modelname"),
    std::string_view("unable to find definition of model"),
    std::string_view("unknown parameter"),
    std::string_view("unimplemented control card"),
    std::string_view("parameters for subcircuit"),
    std::string_view("undefined parameter"),
    std::string_view("cannot compute substitute"),
    std::string_view("please check your input netlist"),
    std::string_view("cannot recover and awaits to be detached"),
    std::string_view("no such vector"),
    std::string_view("too few args"),
    std::string_view("' failed"),
    std::string_view("no such file or directory"),
    std::string_view("permission denied"),
    std::string_view("cannot execute"),
    std::string_view("simulation not started"),
    std::string_view("interrupted"),
};
// stderr lines that are progress notes, never part of an error report.
constexpr std::array kNotePrefixes = {std::string_view("note:"), std::string_view("trying gmin"),
                                      std::string_view("supplies reduced")};

bool isNote(std::string_view low) {
  return std::any_of(kNotePrefixes.begin(), kNotePrefixes.end(),
                     [&](std::string_view p) { return startsWith(low, p); });
}

}  // namespace

OutputLine splitPrefix(std::string_view raw) {
  OutputLine line;
  if (raw.substr(0, 7) == "stdout ") {
    line.stream = Stream::Out;
    raw.remove_prefix(7);
  } else if (raw.substr(0, 7) == "stderr ") {
    line.stream = Stream::Err;
    raw.remove_prefix(7);
  }
  while (!raw.empty() && (raw.back() == '\n' || raw.back() == '\r')) raw.remove_suffix(1);
  // A line flushed on '\r' may carry further '\r'-separated updates; keep the last one.
  if (const auto cr = raw.rfind('\r'); cr != std::string_view::npos) raw.remove_prefix(cr + 1);
  line.text = std::string(raw);
  return line;
}

Severity classify(const OutputLine& line) {
  const std::string low = lower(trim(line.text));
  if (low.empty()) return Severity::Info;
  if (line.stream != Stream::Err) {
    // stdout carries user output (print/echo/show): only a few fixed failure reports.
    if ((startsWith(low, "meas") && endsWith(low, "failed!")) ||
        startsWith(low, "dc solution failed") || startsWith(low, "no matching instances or models"))
      return Severity::Error;
    return Severity::Info;
  }
  if (isNote(low)) {
    // e.g. "Trying gmin =   1.0000E-03 Warning: Further gmin increment"
    return contains(low, "warning") ? Severity::Warning : Severity::Info;
  }
  const bool error =
      std::any_of(kErrorPrefixes.begin(), kErrorPrefixes.end(),
                  [&](std::string_view p) { return startsWith(low, p); }) ||
      std::any_of(kErrorFragments.begin(), kErrorFragments.end(),
                  [&](std::string_view p) { return contains(low, p); });
  if (error) return Severity::Error;
  if (contains(low, "warning")) return Severity::Warning;
  return Severity::Info;
}

std::vector<std::string> collectErrors(const std::vector<OutputLine>& lines,
                                       std::size_t max_lines) {
  std::vector<std::string> out;
  std::size_t dropped = 0;
  bool in_report = false;
  auto add = [&](const std::string& text) {
    if (out.size() < max_lines)
      out.emplace_back(trim(text));
    else
      ++dropped;
  };
  for (const auto& line : lines) {
    const Severity severity = classify(line);
    if (severity == Severity::Error) {
      add(line.text);
      in_report = true;
    } else if (in_report && line.stream == Stream::Err && severity == Severity::Info &&
               !isNote(lower(trim(line.text))) && !trim(line.text).empty()) {
      add(line.text);  // continuation of the report above
    } else {
      in_report = false;
    }
  }
  if (dropped > 0) out.push_back("... " + std::to_string(dropped) + " more error lines");
  return out;
}

std::vector<std::string> troubleNodes(const std::vector<OutputLine>& lines) {
  std::vector<std::string> trouble;   // "trouble with node x": where the solve gave up
  std::vector<std::string> singular;  // "singular matrix: check node(s) ..."
  // Non-converged rows of "Last Node Voltages": "<node> <last> <previous> *".
  struct Unsettled {
    std::string node;
    double change;
  };
  std::vector<Unsettled> unsettled;
  auto clean = [](std::string_view name) {
    name = trim(name);
    while (!name.empty() && (name.front() == '"' || name.front() == '\''))
      name.remove_prefix(1);
    while (!name.empty() &&
           (name.back() == '"' || name.back() == '\'' || name.back() == ',' || name.back() == '.'))
      name.remove_suffix(1);
    return std::string(name);
  };
  auto tokensOf = [](std::string_view rest) {
    std::vector<std::string_view> tokens;
    while (!(rest = trim(rest)).empty()) {
      const std::string_view token = firstToken(rest);
      tokens.push_back(token);
      rest.remove_prefix(static_cast<std::size_t>(rest.find(token) + token.size()));
    }
    return tokens;
  };
  bool in_table = false;
  for (const auto& line : lines) {
    const std::string low = lower(trim(line.text));
    if (const auto at = low.find("check node"); at != std::string::npos && contains(low, "singular")) {
      std::string_view rest = std::string_view(low).substr(at + 10);
      if (!rest.empty() && rest.front() == 's') rest.remove_prefix(1);  // "check nodes a and b"
      for (const std::string_view token : tokensOf(rest))
        if (token != "and") singular.push_back(clean(token));
    }
    if (const auto at = low.find("trouble with node"); at != std::string::npos)
      trouble.push_back(clean(firstToken(std::string_view(low).substr(at + 17))));
    if (startsWith(low, "last node voltages")) {
      in_table = true;
      continue;
    }
    if (in_table) {
      if (low.empty() || startsWith(low, "node") || startsWith(low, "----")) continue;
      const auto tokens = tokensOf(low);
      if (tokens.size() < 3) {
        in_table = false;
        continue;
      }
      if (tokens.size() >= 4 && tokens[3] == "*") {
        double last = 0.0, previous = 0.0;
        const auto a = std::from_chars(tokens[1].data(), tokens[1].data() + tokens[1].size(), last);
        const auto b = std::from_chars(tokens[2].data(), tokens[2].data() + tokens[2].size(), previous);
        const double change =
            (a.ec == std::errc() && b.ec == std::errc()) ? std::abs(last - previous) : 0.0;
        unsettled.push_back({clean(tokens[0]), change});
      }
    }
  }
  std::stable_sort(unsettled.begin(), unsettled.end(),
                   [](const Unsettled& x, const Unsettled& y) { return x.change > y.change; });
  std::vector<std::string> named;
  auto add = [&](const std::string& name) {
    if (!name.empty() && std::find(named.begin(), named.end(), name) == named.end())
      named.push_back(name);
  };
  for (const auto& n : trouble) add(n);
  for (const auto& u : unsettled) add(u.node);
  for (const auto& n : singular) add(n);
  // Nodes before branch currents ("vout0#branch"), which name a source, not a node.
  std::stable_partition(named.begin(), named.end(), [](const std::string& n) {
    return n.find('#') == std::string::npos;
  });
  return named;
}

bool reportsSingularMatrix(const std::vector<OutputLine>& lines) {
  return std::any_of(lines.begin(), lines.end(), [](const OutputLine& l) {
    return contains(lower(l.text), "singular matrix");
  });
}

PreparedNetlist prepareNetlist(std::string_view netlist) {
  PreparedNetlist result;
  std::vector<std::string> lines;
  std::size_t pos = 0;
  while (pos <= netlist.size()) {
    const std::size_t nl = netlist.find('\n', pos);
    std::string_view line =
        netlist.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    while (!line.empty() && (line.back() == '\r')) line.remove_suffix(1);
    lines.emplace_back(line);
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  while (!lines.empty() && trim(lines.back()).empty()) lines.pop_back();
  if (lines.empty()) return result;

  bool in_control = false;
  bool has_end = false;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    std::string& line = lines[i];
    const std::string token = lower(firstToken(line));
    if (i == 0) {  // title line: never interpreted
      result.lines.push_back(line);
      continue;
    }
    if (token == ".control") {
      in_control = true;
    } else if (token == ".endc") {
      in_control = false;
    } else if (in_control && (token == "quit" || token == "exit")) {
      result.notes.push_back("netlist line " + std::to_string(i + 1) + ": '" +
                             std::string(trim(line)) +
                             "' in a .control block removed (it would unload libngspice)");
      line = "* xbarsim: removed " + token;
    } else if (!in_control && token == ".end") {
      result.lines.push_back(line);
      has_end = true;
      std::size_t ignored = 0;
      for (std::size_t k = i + 1; k < lines.size(); ++k)
        if (!trim(lines[k]).empty()) ++ignored;
      if (ignored > 0)
        result.notes.push_back(std::to_string(ignored) + " netlist line(s) after .end ignored");
      break;
    }
    result.lines.push_back(line);
  }
  if (!has_end) result.lines.emplace_back(".end");
  return result;
}

std::optional<std::size_t> locateNetlistLine(const std::vector<std::string>& netlist,
                                             const std::vector<std::string>& errors) {
  std::vector<std::string> names;
  std::vector<std::size_t> numbers;
  auto addName = [&](std::string_view name) {
    name = trim(name);
    while (!name.empty() && (name.back() == ')' || name.back() == ',' || name.back() == ':'))
      name.remove_suffix(1);
    if (!name.empty()) names.push_back(lower(name));
  };
  auto numberAfter = [&](std::string_view low, std::string_view key) {
    const auto at = low.find(key);
    if (at == std::string_view::npos) return;
    std::string_view rest = low.substr(at + key.size());
    std::size_t value = 0;
    const auto [ptr, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), value);
    if (ec == std::errc() && ptr != rest.data()) numbers.push_back(value);
  };
  for (const auto& message : errors) {
    const std::string low = lower(trim(message));
    if (const auto at = low.find("unknown subckt:"); at != std::string::npos)
      addName(firstToken(std::string_view(low).substr(at + 15)));
    if (const auto at = low.find("(instance:"); at != std::string::npos) {
      const std::string_view inst = firstToken(std::string_view(low).substr(at + 10));
      addName(inst);
      if (inst.size() > 2 && inst.substr(0, 2) == "xx") addName(inst.substr(1));
    }
    numberAfter(low, "error on line ");
    numberAfter(low, "line no. ");
    addName(firstToken(low));  // continuation lines echo the offending card
  }
  // Element/dot-card names only: drop the words ngspice's own messages start with.
  constexpr std::array kWords = {"error", "warning", "fatal", "in", "netlist", "could",
                                 "unable", "unknown", "please", "undefined", "cannot", "too",
                                 "check", "this", "command", "numparam"};
  names.erase(std::remove_if(names.begin(), names.end(),
                             [&](const std::string& n) {
                               return std::find(kWords.begin(), kWords.end(), n) != kWords.end();
                             }),
              names.end());
  for (std::size_t i = 1; i < netlist.size(); ++i) {
    const std::string token = lower(firstToken(netlist[i]));
    if (token.empty() || token[0] == '*' || token == ".end") continue;
    if (std::find(names.begin(), names.end(), token) != names.end()) return i;
  }
  for (const std::size_t n : numbers)
    if (n >= 1 && n <= netlist.size()) return n - 1;
  return std::nullopt;
}

}  // namespace xbarsim::spice::detail
