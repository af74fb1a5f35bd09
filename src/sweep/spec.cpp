// SPDX-License-Identifier: MIT
#include "xbarsim/sweep/spec.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

#include "xbarsim/core/error.hpp"
#include "xbarsim/core/numbers.hpp"
#include "xbarsim/extract/config_schema.hpp"

namespace xbarsim::sweep {
namespace {

using core::FreeNode;

constexpr std::size_t kMaxPoints = 10'000'000;

[[noreturn]] void fail(const core::Config& config, long line, const std::string& key,
                       const std::string& problem) {
  std::string where = "sweep";
  if (!key.empty()) where += key.find('.') == std::string::npos ? "." + key : ".\"" + key + "\"";
  throw ConfigError(config.sourceName(), line, where, problem);
}

std::string_view kindName(AxisKind kind) {
  switch (kind) {
    case AxisKind::Integer: return "an integer";
    case AxisKind::Real: return "a number";
    case AxisKind::Boolean: return "a boolean";
    case AxisKind::String: return "a string";
  }
  return "?";
}

bool isParamAxis(std::string_view key) {
  return key.size() > kParamAxisPrefix.size() && key.substr(0, kParamAxisPrefix.size()) == kParamAxisPrefix;
}

}  // namespace

std::string problemOf(const ConfigError& e) {
  const std::string text = e.what();
  const std::string marker = e.key().empty() ? std::string() : ": " + e.key() + ": ";
  if (!marker.empty()) {
    const auto at = text.find(marker);
    if (at != std::string::npos) return text.substr(at + marker.size());
  }
  return text;
}

namespace {

/// The kind of an axis key, from the schema. Throws for unknown and non-scalar keys.
AxisKind axisKind(const core::Config& base, const std::string& key, long line) {
  if (isParamAxis(key)) return AxisKind::Real;
  if (key.rfind("sweep.", 0) == 0) fail(base, line, key, "the sweep section cannot sweep itself");
  const core::KeySpec* spec = base.schema().find(key);
  if (spec == nullptr) {
    std::string hint;
    if (key.rfind("netlist.params", 0) == 0) hint = "; a .param is swept as \"netlist.params.<name>\"";
    std::vector<std::string> keys;
    for (const core::KeySpec& k : base.schema().keys()) keys.push_back(k.key);
    if (const auto near = similarNames(key, keys); !near.empty())
      hint += fmt::format("; did you mean {}?", fmt::join(near, " or "));
    fail(base, line, key,
         fmt::format("unknown configuration key '{}' (`xbarsim config` lists them){}", key, hint));
  }
  switch (spec->type) {
    case core::ValueType::Integer: return AxisKind::Integer;
    case core::ValueType::Real: return AxisKind::Real;
    case core::ValueType::Boolean: return AxisKind::Boolean;
    case core::ValueType::String: return AxisKind::String;
    default:
      fail(base, line, key, "only keys with one number, string or boolean can be swept");
  }
}

AxisValue convertValue(const core::Config& base, const std::string& key, AxisKind kind,
                       const FreeNode& node) {
  using K = FreeNode::Kind;
  switch (kind) {
    case AxisKind::Integer:
      if (node.kind == K::Integer) return node.integer;
      break;
    case AxisKind::Real:
      if (node.kind == K::Integer) return static_cast<double>(node.integer);
      if (node.kind == K::Real) {
        if (!std::isfinite(node.real)) fail(base, node.line, key, "values must be finite");
        return node.real;
      }
      break;
    case AxisKind::Boolean:
      if (node.kind == K::Boolean) return node.boolean;
      break;
    case AxisKind::String:
      if (node.kind == K::String) return node.string;
      break;
  }
  fail(base, node.line, key, fmt::format("expected an array of values each {}", kindName(kind)));
}

/// `{ start, stop, num, scale }`: num values from start to stop (inclusive), linear or log.
bool isRange(const FreeNode& node) {
  if (node.kind != FreeNode::Kind::Table || node.find("num") == nullptr) return false;
  return std::all_of(node.children.begin(), node.children.end(), [](const FreeNode& c) {
    return c.name == "start" || c.name == "stop" || c.name == "num" || c.name == "scale";
  });
}

std::vector<AxisValue> rangeValues(const core::Config& base, const std::string& key,
                                   AxisKind kind, const FreeNode& node) {
  if (kind != AxisKind::Real)
    fail(base, node.line, key, "a { start, stop, num } range needs a key with a real value");
  auto number = [&](const char* name) {
    const FreeNode* n = node.find(name);
    if (n == nullptr) fail(base, node.line, key, fmt::format("range needs '{}'", name));
    if (n->kind == FreeNode::Kind::Integer) return static_cast<double>(n->integer);
    if (n->kind == FreeNode::Kind::Real && std::isfinite(n->real)) return n->real;
    fail(base, n->line, key, fmt::format("range '{}' must be a finite number", name));
  };
  const FreeNode* num = node.find("num");
  if (num->kind != FreeNode::Kind::Integer || num->integer < 1 || num->integer > 1'000'000)
    fail(base, num->line, key, "range 'num' must be an integer in 1..1000000");
  const double start = number("start");
  const double stop = number("stop");
  bool log = false;
  if (const FreeNode* scale = node.find("scale")) {
    if (scale->kind != FreeNode::Kind::String || (scale->string != "linear" && scale->string != "log"))
      fail(base, scale->line, key, "range 'scale' must be \"linear\" or \"log\"");
    log = scale->string == "log";
  }
  if (log && !(start > 0 && stop > 0)) fail(base, node.line, key, "a log range needs start, stop > 0");
  std::vector<AxisValue> values;
  const auto n = num->integer;
  for (std::int64_t k = 0; k < n; ++k) {
    const double t = n == 1 ? 0.0 : static_cast<double>(k) / static_cast<double>(n - 1);
    double x = log ? start * std::pow(stop / start, t) : start + (stop - start) * t;
    if (k == 0) x = start;
    if (k == n - 1 && n > 1) x = stop;  // exact end points
    values.emplace_back(x);
  }
  return values;
}

struct RawAxis {
  std::string key;
  const FreeNode* node;
};

/// Flattens nested tables (unquoted dotted keys) into dotted axis keys.
void collectAxes(const core::Config& base, const FreeNode& table, const std::string& prefix,
                 std::vector<RawAxis>& out) {
  for (const FreeNode& child : table.children) {
    const std::string key = prefix.empty() ? child.name : prefix + "." + child.name;
    if (child.kind == FreeNode::Kind::Table && !isRange(child)) {
      collectAxes(base, child, key, out);
    } else if (key.find('.') != std::string::npos) {
      out.push_back({key, &child});  // keys without a dot are options (parseBlock)
    }
  }
}

Block parseBlock(const core::Config& base, const FreeNode& table, SweepSpec& spec,
                 std::map<std::string, long>& options_seen) {
  Block block;
  block.line = table.line;
  std::vector<RawAxis> raw;
  for (const FreeNode& child : table.children) {
    const std::string& name = child.name;
    if (name.find('.') != std::string::npos || child.kind == FreeNode::Kind::Table) continue;
    auto needString = [&] {
      if (child.kind != FreeNode::Kind::String) fail(base, child.line, name, "expected a string");
      return child.string;
    };
    auto needBool = [&] {
      if (child.kind != FreeNode::Kind::Boolean) fail(base, child.line, name, "expected true or false");
      return child.boolean;
    };
    // Sweep-wide options must agree between blocks.
    auto global = [&](auto& slot, auto value) {
      const auto seen = options_seen.find(name);
      if (seen != options_seen.end() && slot != value)
        fail(base, child.line, name,
             fmt::format("differs from the value given on line {}; it applies to the whole sweep",
                         seen->second));
      slot = value;
      options_seen.emplace(name, child.line);
    };
    if (name == "mode") {
      const std::string mode = needString();
      if (mode != "product" && mode != "zip")
        fail(base, child.line, name, fmt::format("\"{}\" is not allowed: choose product or zip", mode));
      block.mode = mode == "zip" ? Mode::Zip : Mode::Product;
    } else if (name == "job") {
      const std::string job = needString();
      if (job != "extract" && job != "evaluate")
        fail(base, child.line, name, fmt::format("\"{}\" is not allowed: choose extract or evaluate", job));
      global(spec.job, job);
    } else if (name == "store_weff") {
      global(spec.store_weff, needBool());
    } else if (name == "sneak_read") {
      global(spec.sneak_read, needBool());
    } else if (name == "mvm_inputs") {
      if (child.kind != FreeNode::Kind::Integer || child.integer < 0 || child.integer > 100000)
        fail(base, child.line, name, "expected an integer in 0..100000");
      global(spec.mvm_inputs, child.integer);
    } else {
      fail(base, child.line, name,
           "unknown sweep option; valid: job, mode, store_weff, sneak_read, mvm_inputs, and axes "
           "as quoted dotted keys such as \"array.r_row_ohm\" = [1.0, 2.0]");
    }
  }
  collectAxes(base, table, "", raw);
  // collectAxes also sees top-level option names; they have no dot and were skipped above.
  std::vector<std::string> keys_seen;
  for (const RawAxis& r : raw) {
    Axis axis;
    axis.line = r.node->line;
    // "a|b|c": one axis setting several keys (tied).
    std::vector<std::string> keys;
    for (std::size_t start = 0;;) {
      const auto bar = r.key.find('|', start);
      std::string part =
          r.key.substr(start, bar == std::string::npos ? std::string::npos : bar - start);
      part.erase(0, part.find_first_not_of(' '));
      part.erase(part.find_last_not_of(' ') + 1);
      if (part.empty())
        fail(base, axis.line, r.key, "a tied axis is \"key1|key2\" with no empty part");
      keys.push_back(std::move(part));
      if (bar == std::string::npos) break;
      start = bar + 1;
    }
    for (const std::string& key : keys) {
      if (std::find(keys_seen.begin(), keys_seen.end(), key) != keys_seen.end())
        fail(base, axis.line, r.key, fmt::format("{} is swept twice in one block", key));
      keys_seen.push_back(key);
    }
    axis.key = keys.front();
    axis.tied.assign(keys.begin() + 1, keys.end());
    axis.kind = axisKind(base, axis.key, axis.line);
    for (const std::string& key : axis.tied)
      if (axisKind(base, key, axis.line) != axis.kind)
        fail(base, axis.line, r.key,
             fmt::format("tied keys must take the same kind of value: {} takes {}, {} takes {}",
                         axis.key, kindName(axis.kind), key,
                         kindName(axisKind(base, key, axis.line))));
    if (isRange(*r.node)) {
      axis.values = rangeValues(base, r.key, axis.kind, *r.node);
    } else if (r.node->kind == FreeNode::Kind::Array) {
      if (r.node->children.empty()) fail(base, axis.line, r.key, "an axis needs at least one value");
      for (const FreeNode& v : r.node->children)
        axis.values.push_back(convertValue(base, axis.key, axis.kind, v));
    } else {
      fail(base, axis.line, r.key,
           "an axis is an array of values, e.g. [0.5, 1.0], or a range { start, stop, num }");
    }
    block.axes.push_back(std::move(axis));
  }
  if (block.axes.empty())
    fail(base, block.line, "", "a sweep block needs at least one axis, e.g. \"array.r_row_ohm\" = [1.0, 2.0]");
  if (block.mode == Mode::Zip) {
    for (const Axis& axis : block.axes)
      if (axis.values.size() != block.axes.front().values.size())
        fail(base, axis.line, axis.key,
             fmt::format("zip mode needs axes of equal length: {} has {} values, {} has {}", axis.key,
                         axis.values.size(), block.axes.front().key, block.axes.front().values.size()));
  }
  // Every value must fit its key (type, range, choices): checked now, before any work.
  core::Config probe = base;
  probe.removeFreeSections();
  for (const Axis& axis : block.axes)
    for (const AxisValue& value : axis.values)
      for (std::size_t k = 0; k <= axis.tied.size(); ++k) {
        const std::string& key = k == 0 ? axis.key : axis.tied[k - 1];
        try {
          core::Config copy = probe;
          applySetting(copy, key, value);
        } catch (const ConfigError& e) {
          const std::string problem = problemOf(e);
          const std::string text = toString(value);
          fail(base, axis.line, key,
               problem.find(text) != std::string::npos
                   ? problem
                   : fmt::format("value {}: {}", text, problem));
        }
      }
  return block;
}

}  // namespace

const core::Schema& sweepSchema() {
  static const core::Schema schema = [] {
    core::Schema s = extract::configSchema();
    s.addFreeSection("sweep", "sweep axes and options (xbarsim sweep)");
    return s;
  }();
  return schema;
}

std::size_t Block::size() const {
  if (axes.empty()) return 0;
  if (mode == Mode::Zip) return axes.front().values.size();
  std::size_t n = 1;
  for (const Axis& axis : axes) {
    if (n > kMaxPoints) return n;
    n *= axis.values.size();
  }
  return n;
}

SweepSpec parseSweep(const core::Config& config) {
  const FreeNode* section = config.freeSection("sweep");
  if (section == nullptr)
    throw ConfigError(config.sourceName(), 0, "sweep",
                      "no [sweep] section: add one with at least one axis, e.g. [sweep] "
                      "\"array.r_row_ohm\" = [1.0, 2.0]");
  SweepSpec spec;
  std::map<std::string, long> options_seen;
  if (section->kind == FreeNode::Kind::Table) {
    spec.blocks.push_back(parseBlock(config, *section, spec, options_seen));
  } else {
    for (const FreeNode& block : section->children)
      spec.blocks.push_back(parseBlock(config, block, spec, options_seen));
  }
  // Axes shared by several blocks must have one kind (they have: the schema decides).
  std::size_t total = 0;
  for (const Block& block : spec.blocks) {
    total += block.size();
    if (total > kMaxPoints)
      fail(config, block.line, "", fmt::format("more than {} points", kMaxPoints));
  }
  return spec;
}

std::vector<Point> expandPoints(const SweepSpec& spec) {
  std::vector<Point> points;
  for (std::size_t b = 0; b < spec.blocks.size(); ++b) {
    const Block& block = spec.blocks[b];
    const std::size_t n = block.size();
    for (std::size_t k = 0; k < n; ++k) {
      Point point;
      point.block = b;
      auto set = [&point](const Axis& axis, const AxisValue& value) {
        point.settings.emplace_back(axis.key, value);
        for (const std::string& key : axis.tied) point.settings.emplace_back(key, value);
      };
      if (block.mode == Mode::Zip) {
        for (const Axis& axis : block.axes) set(axis, axis.values[k]);
      } else {
        // C order: the last axis varies fastest.
        std::vector<std::size_t> index(block.axes.size());
        std::size_t rest = k;
        for (std::size_t a = block.axes.size(); a-- > 0;) {
          index[a] = rest % block.axes[a].values.size();
          rest /= block.axes[a].values.size();
        }
        for (std::size_t a = 0; a < block.axes.size(); ++a)
          set(block.axes[a], block.axes[a].values[index[a]]);
      }
      points.push_back(std::move(point));
    }
  }
  return points;
}

std::vector<std::pair<std::string, AxisKind>> axisKeys(const SweepSpec& spec) {
  std::vector<std::pair<std::string, AxisKind>> keys;
  for (const Block& block : spec.blocks)
    for (const Axis& axis : block.axes)
      for (std::size_t k = 0; k <= axis.tied.size(); ++k) {
        const std::string& key = k == 0 ? axis.key : axis.tied[k - 1];
        if (std::none_of(keys.begin(), keys.end(), [&](const auto& e) { return e.first == key; }))
          keys.emplace_back(key, axis.kind);
      }
  return keys;
}

std::vector<std::string> tiedGroups(const SweepSpec& spec) {
  std::vector<std::string> groups;
  for (const Block& block : spec.blocks)
    for (const Axis& axis : block.axes) {
      if (axis.tied.empty()) continue;
      const std::string group = fmt::format("{}|{}", axis.key, fmt::join(axis.tied, "|"));
      if (std::find(groups.begin(), groups.end(), group) == groups.end()) groups.push_back(group);
    }
  return groups;
}

void applySetting(core::Config& config, const std::string& key, const AxisValue& value) {
  if (isParamAxis(key)) {
    auto table = config.realTable("netlist.params");
    table[key.substr(kParamAxisPrefix.size())] = std::get<double>(value);
    config.set("netlist.params", std::move(table));
    return;
  }
  std::visit([&](const auto& v) { config.set(key, core::Value(v)); }, value);
}

core::Config pointConfig(const core::Config& base, const Point& point) {
  core::Config config = base;
  config.removeFreeSections();
  for (const auto& [key, value] : point.settings) applySetting(config, key, value);
  return config;
}

AxisValue settingOf(const core::Config& config, const std::string& key, AxisKind kind) {
  if (isParamAxis(key)) {
    const auto& table = config.realTable("netlist.params");
    const auto it = table.find(key.substr(kParamAxisPrefix.size()));
    return it == table.end() ? std::numeric_limits<double>::quiet_NaN() : it->second;
  }
  switch (kind) {
    case AxisKind::Integer: return config.integer(key);
    case AxisKind::Real: return config.real(key);
    case AxisKind::Boolean: return config.boolean(key);
    case AxisKind::String: return config.has(key) ? config.string(key) : std::string();
  }
  return 0.0;
}

std::string toString(const AxisValue& value) {
  struct Visitor {
    std::string operator()(std::int64_t x) const { return fmt::format("{}", x); }
    std::string operator()(double x) const { return formatExact(x); }
    std::string operator()(bool x) const { return x ? "true" : "false"; }
    std::string operator()(const std::string& x) const { return fmt::format("\"{}\"", x); }
  };
  return std::visit(Visitor{}, value);
}

std::string describe(const Point& point) {
  std::vector<std::string> parts;
  for (const auto& [key, value] : point.settings) parts.push_back(fmt::format("{} = {}", key, toString(value)));
  return fmt::format("{}", fmt::join(parts, ", "));
}

}  // namespace xbarsim::sweep
