// SPDX-License-Identifier: MIT
#include "xbarsim/core/config.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <toml++/toml.h>

#include "xbarsim/core/error.hpp"
#include "xbarsim/core/input_file.hpp"
#include "xbarsim/core/numbers.hpp"

namespace xbarsim::core {
namespace {

std::string_view typeName(ValueType type) {
  switch (type) {
    case ValueType::Integer: return "an integer";
    case ValueType::Real: return "a number";
    case ValueType::Boolean: return "a boolean";
    case ValueType::String: return "a string";
    case ValueType::RealArray: return "an array of numbers";
    case ValueType::StringArray: return "a string or an array of strings";
    case ValueType::RealTable: return "a table of numbers";
  }
  return "?";
}

/// A bound as written in the schema: an integer key's bounds print as integers (65536, not
/// 65536.0 or 9.223372036854776e+18).
std::string boundText(const KeySpec& spec, double bound) {
  constexpr double kInt64Range = 9223372036854775808.0;  // 2^63
  if (spec.type == ValueType::Integer && bound >= -kInt64Range && bound < kInt64Range)
    return fmt::format("{}", static_cast<std::int64_t>(bound));
  return fmt::format("{}", bound);
}

}  // namespace

std::string rangeText(const KeySpec& spec) {
  const bool has_min = std::isfinite(spec.min);
  const bool has_max = std::isfinite(spec.max);
  const std::string lo =
      fmt::format("{}{}", spec.min_exclusive ? "> " : ">= ", boundText(spec, spec.min));
  if (has_min && has_max) return fmt::format("{} and <= {}", lo, boundText(spec, spec.max));
  if (has_min) return lo;
  if (has_max) return fmt::format("<= {}", boundText(spec, spec.max));
  return "finite";
}

namespace {

/// Throws `error(problem)` unless `x` is finite and within the key's bounds; `text` is the value
/// as it is shown (an integer exactly).
template <typename MakeError>
void checkNumber(const KeySpec& spec, double x, MakeError&& error, const std::string& text) {
  const bool below = spec.min_exclusive ? !(x > spec.min) : x < spec.min;
  if (!std::isfinite(x) || below || x > spec.max)
    throw error(fmt::format("value {} out of range: must be {}", text, rangeText(spec)));
}
template <typename MakeError>
void checkNumber(const KeySpec& spec, double x, MakeError&& error) {
  checkNumber(spec, x, error, fmt::format("{}", x));
}

bool isBareKey(std::string_view key) {
  if (key.empty()) return false;
  for (const char c : key)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-')) return false;
  return true;
}

std::string tomlString(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20)
          out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
        else
          out += c;
    }
  }
  return out + "\"";
}

std::string tomlKey(std::string_view key) { return isBareKey(key) ? std::string(key) : tomlString(key); }

/// TOML float literal that reads back bit-exactly (always has '.' or an exponent).
std::string tomlReal(double x) {
  std::string text = formatExact(x);
  if (text.find_first_of(".e") == std::string::npos) text += ".0";
  return text;
}

}  // namespace

std::string tomlValue(const Value& value) {
  struct Visitor {
    std::string operator()(std::int64_t x) const { return fmt::format("{}", x); }
    std::string operator()(double x) const { return tomlReal(x); }
    std::string operator()(bool x) const { return x ? "true" : "false"; }
    std::string operator()(const std::string& x) const { return tomlString(x); }
    std::string operator()(const std::vector<double>& xs) const {
      std::vector<std::string> parts;
      for (const double x : xs) parts.push_back(tomlReal(x));
      return fmt::format("[{}]", fmt::join(parts, ", "));
    }
    std::string operator()(const std::vector<std::string>& xs) const {
      std::vector<std::string> parts;
      for (const auto& x : xs) parts.push_back(tomlString(x));
      return fmt::format("[{}]", fmt::join(parts, ", "));
    }
    std::string operator()(const std::map<std::string, double>& table) const {
      std::vector<std::string> parts;
      for (const auto& [k, x] : table) parts.push_back(fmt::format("{} = {}", tomlKey(k), tomlReal(x)));
      return fmt::format("{{ {} }}", fmt::join(parts, ", "));
    }
  };
  return std::visit(Visitor{}, value);
}

namespace {

ValueType typeOf(const Value& value) {
  return static_cast<ValueType>(value.index());
}

long lineOf(const toml::node& node) { return static_cast<long>(node.source().begin.line); }

std::string_view nodeTypeName(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a float";
    case toml::node_type::boolean: return "a boolean";
    default: return "a date/time";
  }
}

/// Converts one TOML node to a validated Value; `error(problem)` makes the exception to throw.
template <typename MakeError>
Value convert(const KeySpec& spec, const toml::node& node, MakeError&& error) {
  auto number = [&](const toml::node& n) -> double {
    if (n.is_integer()) return static_cast<double>(n.as_integer()->get());
    if (n.is_floating_point()) return n.as_floating_point()->get();
    throw error(fmt::format("expected {}, got {}", typeName(spec.type), nodeTypeName(n)));
  };
  switch (spec.type) {
    case ValueType::Integer: {
      if (!node.is_integer())
        throw error(fmt::format("expected an integer, got {}", nodeTypeName(node)));
      const std::int64_t x = node.as_integer()->get();
      checkNumber(spec, static_cast<double>(x), error, fmt::format("{}", x));
      return x;
    }
    case ValueType::Real: {
      const double x = number(node);
      checkNumber(spec, x, error);
      return x;
    }
    case ValueType::Boolean:
      if (!node.is_boolean()) throw error("expected a boolean (true or false)");
      return node.as_boolean()->get();
    case ValueType::String: {
      if (!node.is_string()) throw error("expected a string");
      std::string text = node.as_string()->get();
      if (!spec.choices.empty() &&
          std::find(spec.choices.begin(), spec.choices.end(), text) == spec.choices.end())
        throw error(fmt::format("\"{}\" is not allowed: choose one of {}", clipForMessage(text),
                         fmt::join(spec.choices, ", ")));
      return text;
    }
    case ValueType::RealArray: {
      if (!node.is_array()) throw error("expected an array of numbers");
      std::vector<double> xs;
      for (const toml::node& element : *node.as_array()) {
        xs.push_back(number(element));
        checkNumber(spec, xs.back(), error);
      }
      if (xs.empty()) throw error("array must not be empty");
      return xs;
    }
    case ValueType::StringArray: {
      if (node.is_string()) return std::vector<std::string>{node.as_string()->get()};  // one name
      if (!node.is_array()) throw error("expected a string or an array of strings");
      std::vector<std::string> xs;
      for (const toml::node& element : *node.as_array()) {
        if (!element.is_string()) throw error("expected an array of strings");
        xs.push_back(element.as_string()->get());
      }
      return xs;
    }
    case ValueType::RealTable: {
      if (!node.is_table()) throw error("expected a table of name = number");
      std::map<std::string, double> table;
      for (const auto& [k, v] : *node.as_table()) {
        const double x = number(v);
        if (!std::isfinite(x)) throw error(fmt::format("{}: value must be finite", k.str()));
        table.emplace(std::string(k.str()), x);
      }
      return table;
    }
  }
  throw error("unsupported type");
}

std::vector<std::string> keysInSection(const Schema& schema, std::string_view section) {
  std::vector<std::string> names;
  const std::string prefix = std::string(section) + ".";
  for (const KeySpec& spec : schema.keys())
    if (spec.key.rfind(prefix, 0) == 0) names.push_back(spec.key.substr(prefix.size()));
  return names;
}

/// Sections of the schema's keys, in schema order.
std::vector<std::string> sectionsOf(const Schema& schema) {
  std::vector<std::string> sections;
  for (const KeySpec& spec : schema.keys()) {
    const std::string section = spec.key.substr(0, spec.key.find('.'));
    if (std::find(sections.begin(), sections.end(), section) == sections.end())
      sections.push_back(section);
  }
  return sections;
}

/// "unknown key; did you mean ...? valid keys in [section]: ..." for a dotted key.
std::string unknownKeyProblem(const Schema& schema, std::string_view key) {
  std::vector<std::string> all;
  for (const KeySpec& spec : schema.keys()) all.push_back(spec.key);
  const std::vector<std::string> near = similarNames(key, all);
  const std::string guess =
      near.empty() ? std::string() : fmt::format("; did you mean {}?", fmt::join(near, " or "));
  const std::string section(key.substr(0, key.find('.')));
  if (schema.hasSection(section) && key.find('.') != std::string_view::npos)
    return fmt::format("unknown key{} valid keys in [{}]: {}", guess.empty() ? ";" : guess, section,
                       fmt::join(keysInSection(schema, section), ", "));
  return fmt::format("unknown key or section{} sections: {} (`xbarsim config` lists every key)",
                     guess.empty() ? ";" : guess, fmt::join(sectionsOf(schema), ", "));
}

std::string trimmed(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return "";
  return std::string(text.substr(first, text.find_last_not_of(" \t") - first + 1));
}

/// Converts a TOML node of a free section, keeping file order (toml++ tables iterate by key).
FreeNode toFreeNode(const toml::node& node, std::string name, const std::string& source_name) {
  FreeNode out;
  out.name = std::move(name);
  out.line = lineOf(node);
  switch (node.type()) {
    case toml::node_type::integer:
      out.kind = FreeNode::Kind::Integer;
      out.integer = node.as_integer()->get();
      break;
    case toml::node_type::floating_point:
      out.kind = FreeNode::Kind::Real;
      out.real = node.as_floating_point()->get();
      break;
    case toml::node_type::boolean:
      out.kind = FreeNode::Kind::Boolean;
      out.boolean = node.as_boolean()->get();
      break;
    case toml::node_type::string:
      out.kind = FreeNode::Kind::String;
      out.string = node.as_string()->get();
      break;
    case toml::node_type::array:
      out.kind = FreeNode::Kind::Array;
      for (const toml::node& element : *node.as_array())
        out.children.push_back(toFreeNode(element, "", source_name));
      break;
    case toml::node_type::table: {
      out.kind = FreeNode::Kind::Table;
      struct Entry {
        toml::source_position at;
        std::string key;
        const toml::node* node;
      };
      std::vector<Entry> entries;
      for (const auto& [k, v] : *node.as_table())
        entries.push_back({v.source().begin, std::string(k.str()), &v});
      std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
        return a.at.line != b.at.line ? a.at.line < b.at.line : a.at.column < b.at.column;
      });
      for (const Entry& e : entries) out.children.push_back(toFreeNode(*e.node, e.key, source_name));
      break;
    }
    default:
      throw ConfigError(source_name, out.line, out.name, "dates and times are not supported here");
  }
  return out;
}

/// Inline TOML of a free-section value.
std::string freeValueToml(const FreeNode& node) {
  switch (node.kind) {
    case FreeNode::Kind::Integer: return fmt::format("{}", node.integer);
    case FreeNode::Kind::Real: return tomlReal(node.real);
    case FreeNode::Kind::Boolean: return node.boolean ? "true" : "false";
    case FreeNode::Kind::String: return tomlString(node.string);
    case FreeNode::Kind::Array: {
      std::vector<std::string> parts;
      for (const FreeNode& child : node.children) parts.push_back(freeValueToml(child));
      return fmt::format("[{}]", fmt::join(parts, ", "));
    }
    case FreeNode::Kind::Table: {
      std::vector<std::string> parts;
      for (const FreeNode& child : node.children)
        parts.push_back(fmt::format("{} = {}", tomlKey(child.name), freeValueToml(child)));
      return parts.empty() ? "{}" : fmt::format("{{ {} }}", fmt::join(parts, ", "));
    }
  }
  return "";
}

/// `[name]` or `[[name]]` blocks of a free section.
std::string freeSectionToml(const std::string& name, const FreeNode& section) {
  auto body = [](const FreeNode& table) {
    std::string out;
    for (const FreeNode& child : table.children)
      out += fmt::format("{} = {}\n", tomlKey(child.name), freeValueToml(child));
    return out;
  };
  if (section.kind == FreeNode::Kind::Table) return fmt::format("[{}]\n{}", tomlKey(name), body(section));
  std::string out;
  for (const FreeNode& block : section.children) {
    if (!out.empty()) out += "\n";
    out += fmt::format("[[{}]]\n{}", tomlKey(name), body(block));
  }
  return out;
}


/// Deepest table nesting a TOML document may have before it is parsed: every key component of a
/// table header, a dotted key, an inline table or an array is one level. toml++ builds and frees
/// the tree recursively (a dotted key of 40 000 parts overflows the stack); real files use < 10.
constexpr int kMaxTomlDepth = 64;

/// Scans TOML text for its nesting depth without parsing it (strings and comments skipped, so a
/// dot in a quoted key or a value does not count). Malformed text is left to the parser.
class TomlDepthScanner {
 public:
  TomlDepthScanner(std::string_view text, const std::string& source) : text_(text), source_(source) {}

  void run() {
    while (pos_ < text_.size()) {
      if (contexts_.empty()) {
        lineStart();
      } else {
        valueChar();
      }
    }
  }

 private:
  enum class Context { InlineTable, Array };

  [[noreturn]] void tooDeep() const {
    throw ConfigError(source_, line_, "",
                      fmt::format("keys nested deeper than {} levels (dotted keys, table headers, "
                                  "inline tables and arrays); is the file generated by mistake?",
                                  kMaxTomlDepth));
  }

  void require(int depth) const {
    if (depth > kMaxTomlDepth) tooDeep();
  }

  char peek(std::size_t ahead = 0) const {
    return pos_ + ahead < text_.size() ? text_[pos_ + ahead] : '\0';
  }

  void newline() { ++line_; }

  /// Skips a string starting at pos_ (basic, literal, or their multi-line forms).
  void skipString() {
    const char quote = peek();
    const bool multi = peek(1) == quote && peek(2) == quote;
    pos_ += multi ? 3 : 1;
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c == '\n') {
        newline();
        if (!multi) return;  // unterminated: the parser reports it
      }
      if (c == '\\' && quote == '"') {
        pos_ += 2;
        continue;
      }
      if (c == quote && (!multi || (peek(1) == quote && peek(2) == quote))) {
        pos_ += multi ? 3 : 1;
        while (multi && peek() == quote) ++pos_;  // up to two quotes may end the content
        return;
      }
      ++pos_;
    }
  }

  void skipComment() {
    while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
  }

  /// Counts the components of a key up to `stop` (not consumed); returns the count.
  int keyComponents(std::string_view stops) {
    int parts = 1;
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (stops.find(c) != std::string_view::npos || c == '\n') break;
      if (c == '"' || c == '\'') {
        skipString();
        continue;
      }
      if (c == '.') require(++parts + base_);
      ++pos_;
    }
    return parts;
  }

  void lineStart() {
    while (peek() == ' ' || peek() == '\t' || peek() == '\r') ++pos_;
    const char c = peek();
    if (c == '\n') {
      ++pos_;
      newline();
      return;
    }
    if (c == '#') return skipComment();
    if (c == '[') {
      pos_ += peek(1) == '[' ? 2 : 1;
      base_ = 0;
      header_ = keyComponents("]#");
      while (peek() == ']') ++pos_;
      return;
    }
    base_ = header_;
    depth_ = base_ + keyComponents("=#");
    if (peek() == '=') ++pos_;
    contexts_.clear();
    valueRest();
  }

  /// The rest of a line's value: strings, comments, nested arrays and inline tables.
  void valueRest() {
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c == '\n' && contexts_.empty()) return;  // back to lineStart
      valueChar();
      if (contexts_.empty() && (pos_ >= text_.size() || text_[pos_] == '\n')) return;
    }
  }

  void valueChar() {
    const char c = text_[pos_];
    if (c == '"' || c == '\'') return skipString();
    if (c == '#') return skipComment();
    ++pos_;
    switch (c) {
      case '\n': newline(); break;
      case '[':
        contexts_.push_back({Context::Array, depth_});
        require(++depth_);
        break;
      case '{':
        contexts_.push_back({Context::InlineTable, depth_});
        inlineKey();
        break;
      case ',':
        if (!contexts_.empty() && contexts_.back().first == Context::InlineTable) inlineKey();
        break;
      case ']':
      case '}':
        if (!contexts_.empty()) {
          depth_ = contexts_.back().second;
          contexts_.pop_back();
        }
        break;
      default: break;
    }
  }

  /// A key inside an inline table: nested below the table's own depth.
  void inlineKey() {
    const int table_depth = contexts_.back().second + 1;
    while (peek() == ' ' || peek() == '\t') ++pos_;
    if (peek() == '}') return;
    base_ = table_depth;
    depth_ = table_depth + keyComponents("=}#,");
    require(depth_);
    if (peek() == '=') ++pos_;
  }

  std::string_view text_;
  const std::string& source_;
  std::size_t pos_ = 0;
  long line_ = 1;
  int header_ = 0;  ///< depth of the current [table] header
  int base_ = 0;    ///< depth above the key being scanned
  int depth_ = 0;   ///< depth of the value being scanned
  std::vector<std::pair<Context, int>> contexts_;  ///< open arrays/inline tables, depth outside
};
}  // namespace

void checkTomlNesting(std::string_view text, const std::string& source_name) {
  TomlDepthScanner(text, source_name).run();
}

const FreeNode* FreeNode::find(std::string_view key) const noexcept {
  if (kind != Kind::Table) return nullptr;
  for (const FreeNode& child : children)
    if (child.name == key) return &child;
  return nullptr;
}

Schema& Schema::addFreeSection(std::string name, std::string description) {
  if (!isFreeSection(name)) free_sections_.emplace_back(std::move(name), std::move(description));
  return *this;
}

bool Schema::isFreeSection(std::string_view name) const noexcept {
  for (const auto& [n, d] : free_sections_)
    if (n == name) return true;
  return false;
}

Schema& Schema::add(KeySpec spec) {
  keys_.push_back(std::move(spec));
  return *this;
}

const KeySpec* Schema::find(std::string_view key) const noexcept {
  for (const KeySpec& spec : keys_)
    if (spec.key == key) return &spec;
  return nullptr;
}

bool Schema::hasSection(std::string_view section) const noexcept {
  const std::string prefix = std::string(section) + ".";
  for (const KeySpec& spec : keys_)
    if (spec.key.rfind(prefix, 0) == 0) return true;
  return false;
}

Config::Config(const Schema& schema, std::string source_name)
    : schema_(&schema), source_name_(std::move(source_name)) {
  for (const KeySpec& spec : schema.keys())
    if (!spec.optional) values_.emplace(spec.key, spec.default_value);
}

Config Config::defaults(const Schema& schema) { return Config(schema, ""); }

Config Config::load(const std::filesystem::path& file, const Schema& schema) {
  return parse(readInputFile(file, kTomlFileMaxBytes, "configuration file"), file.string(),
               schema);
}

Config Config::parse(std::string_view text, const std::string& source_name, const Schema& schema) {
  Config config(schema, source_name);
  checkTomlNesting(text, source_name);
  toml::table root;
  try {
    root = toml::parse(text, source_name);
  } catch (const toml::parse_error& e) {
    throw ConfigError(source_name, static_cast<long>(e.source().begin.line), "",
                      fmt::format("TOML syntax error: {}", e.description()));
  }
  // Walk the tree: every leaf must be a schema key, every table a known section.
  auto walk = [&](auto&& self, const toml::table& table, const std::string& prefix) -> void {
    for (const auto& [k, node] : table) {
      const std::string key = prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
      const long line = lineOf(node);
      if (const KeySpec* spec = schema.find(key)) {
        auto error = [&](const std::string& problem) {
          return ConfigError(source_name, line, key, problem);
        };
        config.values_.insert_or_assign(key, convert(*spec, node, error));
        config.lines_[key] = line;
      } else if (prefix.empty() && schema.isFreeSection(key)) {
        bool ok = node.is_table();
        if (const toml::array* blocks = node.as_array()) {
          ok = !blocks->empty();
          for (const toml::node& block : *blocks) ok = ok && block.is_table();
        }
        if (!ok)
          throw ConfigError(source_name, line, key,
                            fmt::format("expected a table [{}] or tables [[{}]]", key, key));
        config.free_.insert_or_assign(key, toFreeNode(node, key, source_name));
      } else if (node.is_table() && schema.hasSection(key)) {
        self(self, *node.as_table(), key);
      } else {
        throw ConfigError(source_name, line, key, unknownKeyProblem(schema, key));
      }
    }
  };
  walk(walk, root, "");
  return config;
}

const Value& Config::value(std::string_view key, ValueType type) const {
  const KeySpec* spec = schema_->find(key);
  if (spec == nullptr || spec->type != type)
    throw Error(fmt::format("internal: configuration key '{}' read as {}", key, typeName(type)));
  const auto it = values_.find(key);
  if (it == values_.end()) throw ConfigError(source_name_, 0, std::string(key), "required key is not set");
  return it->second;
}

std::int64_t Config::integer(std::string_view key) const {
  return std::get<std::int64_t>(value(key, ValueType::Integer));
}
double Config::real(std::string_view key) const { return std::get<double>(value(key, ValueType::Real)); }
bool Config::boolean(std::string_view key) const { return std::get<bool>(value(key, ValueType::Boolean)); }
const std::string& Config::string(std::string_view key) const {
  return std::get<std::string>(value(key, ValueType::String));
}
const std::vector<double>& Config::reals(std::string_view key) const {
  return std::get<std::vector<double>>(value(key, ValueType::RealArray));
}
const std::vector<std::string>& Config::strings(std::string_view key) const {
  return std::get<std::vector<std::string>>(value(key, ValueType::StringArray));
}
const std::map<std::string, double>& Config::realTable(std::string_view key) const {
  return std::get<std::map<std::string, double>>(value(key, ValueType::RealTable));
}

bool Config::has(std::string_view key) const { return values_.find(key) != values_.end(); }
bool Config::isGiven(std::string_view key) const { return lines_.find(key) != lines_.end(); }

void Config::set(std::string_view key, Value new_value) {
  const KeySpec* spec = schema_->find(key);
  if (spec == nullptr) throw ConfigError(source_name_, 0, std::string(key), "unknown key");
  auto error = [&](const std::string& problem) {
    return ConfigError(source_name_, 0, std::string(key), problem);
  };
  // Integers are acceptable where a real is expected.
  if (spec->type == ValueType::Real && std::holds_alternative<std::int64_t>(new_value))
    new_value = static_cast<double>(std::get<std::int64_t>(new_value));
  if (typeOf(new_value) != spec->type) throw error(fmt::format("expected {}", typeName(spec->type)));
  // Re-validate through the same rules as the file.
  toml::table probe;
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::vector<double>>) {
          toml::array array;
          for (const double v : x) array.push_back(v);
          probe.insert("v", std::move(array));
        } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
          toml::array array;
          for (const auto& v : x) array.push_back(v);
          probe.insert("v", std::move(array));
        } else if constexpr (std::is_same_v<T, std::map<std::string, double>>) {
          toml::table table;
          for (const auto& [k, v] : x) table.insert(k, v);
          probe.insert("v", std::move(table));
        } else {
          probe.insert("v", x);
        }
      },
      new_value);
  values_.insert_or_assign(std::string(key), convert(*spec, *probe.get("v"), error));
  lines_.erase(std::string(key));
  origins_.erase(std::string(key));
}

void Config::setFromText(std::string_view assignment, const std::string& origin) {
  const auto eq = assignment.find('=');
  const std::string key = trimmed(assignment.substr(0, eq));
  if (eq == std::string_view::npos || key.empty())
    throw ConfigError(origin, 0, "",
                      fmt::format("\"{}\" is not key=value (e.g. array.r_row_ohm=2.5; "
                                  "`xbarsim config` lists the keys)",
                                  clipForMessage(assignment)));
  const std::string text = trimmed(assignment.substr(eq + 1));
  auto error = [&](const std::string& problem) { return ConfigError(origin, 0, key, problem); };
  const KeySpec* spec = schema_->find(key);
  std::string param;  // <table key>.<name>, e.g. netlist.params.<name>
  if (const auto dot = key.rfind('.'); spec == nullptr && dot != std::string::npos && dot > 0 &&
                                       dot + 1 < key.size()) {
    spec = schema_->find(key.substr(0, dot));
    if (spec != nullptr && spec->type == ValueType::RealTable)
      param = key.substr(dot + 1);
    else
      spec = nullptr;
  }
  if (spec == nullptr) throw error(unknownKeyProblem(*schema_, key));
  const ValueType type = param.empty() ? spec->type : ValueType::Real;
  // The value as a TOML node: strings may come unquoted from a shell.
  toml::table parsed;
  const bool quoted = !text.empty() && (text.front() == '"' || text.front() == '\'');
  if (type == ValueType::String && !quoted) {
    parsed.insert("v", text);
  } else if (type == ValueType::StringArray && !text.empty() && text.front() != '[') {
    toml::array array;
    for (std::size_t start = 0;;) {
      const auto comma = text.find(',', start);
      array.push_back(trimmed(std::string_view(text).substr(start, comma - start)));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    parsed.insert("v", std::move(array));
  } else {
    const std::string document = "v = " + text;
    if (text.empty() || text.find_first_of("\r\n") != std::string::npos)
      throw error(fmt::format("expected {} after '='", typeName(type)));
    checkTomlNesting(document, origin);
    try {
      parsed = toml::parse(document, origin);
    } catch (const toml::parse_error&) {
      throw error(
          fmt::format("\"{}\" is not {} (TOML syntax: 2.5, 1e-6, true, [0.1, 0.2], "
                      "\"text\")",
                      clipForMessage(text), typeName(type)));
    }
  }
  const toml::node& node = *parsed.get("v");
  if (param.empty()) {
    values_.insert_or_assign(key, convert(*spec, node, error));
  } else {
    KeySpec real_spec;
    real_spec.key = key;
    real_spec.type = ValueType::Real;
    const Value x = convert(real_spec, node, error);
    auto table = has(spec->key) ? realTable(spec->key) : std::map<std::string, double>{};
    table[param] = std::get<double>(x);
    values_.insert_or_assign(spec->key, Value(std::move(table)));
  }
  lines_.erase(spec->key);
  origins_.insert_or_assign(spec->key, origin);
}

void Config::setFromText(const std::vector<std::string>& assignments, const std::string& origin) {
  for (const std::string& assignment : assignments) setFromText(assignment, origin);
}

std::string Config::toToml() const {
  std::string out;
  std::string section;
  for (const KeySpec& spec : schema_->keys()) {
    const auto it = values_.find(spec.key);
    if (it == values_.end()) continue;
    const auto dot = spec.key.find('.');
    const std::string this_section = dot == std::string::npos ? "" : spec.key.substr(0, dot);
    const std::string name = dot == std::string::npos ? spec.key : spec.key.substr(dot + 1);
    if (this_section != section) {
      if (!out.empty()) out += "\n";
      out += fmt::format("[{}]\n", this_section);
      section = this_section;
    }
    out += fmt::format("{} = {}\n", tomlKey(name), tomlValue(it->second));
  }
  for (const auto& [name, description] : schema_->freeSections()) {
    const auto it = free_.find(name);
    if (it == free_.end()) continue;
    if (!out.empty()) out += "\n";
    out += freeSectionToml(name, it->second);
  }
  return out;
}

const FreeNode* Config::freeSection(std::string_view name) const {
  const auto it = free_.find(name);
  return it == free_.end() ? nullptr : &it->second;
}

void Config::removeFreeSections() noexcept { free_.clear(); }

std::filesystem::path Config::baseDirectory() const {
  if (source_name_.empty()) return std::filesystem::current_path();
  return std::filesystem::absolute(std::filesystem::path(source_name_)).parent_path();
}

void Config::fail(std::string_view key, const std::string& problem) const {
  if (const auto from = origins_.find(key); from != origins_.end())
    throw ConfigError(from->second, 0, std::string(key), problem);
  const auto it = lines_.find(key);
  throw ConfigError(source_name_, it == lines_.end() ? 0 : it->second, std::string(key), problem);
}

}  // namespace xbarsim::core
