// SPDX-License-Identifier: MIT
#include "xbarsim/device/param_table.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cmath>

#include "xbarsim/core/error.hpp"

namespace xbarsim::device {

const ParamInfo* findParam(std::span<const ParamInfo> table, std::string_view name) noexcept {
  for (const ParamInfo& p : table)
    if (p.name == name) return &p;
  return nullptr;
}

ParamSet::ParamSet(std::span<const ParamInfo> table) : table_(table) {
  for (const ParamInfo& p : table) values_.emplace(std::string(p.name), p.default_value);
}

double ParamSet::get(std::string_view name) const {
  const auto it = values_.find(name);
  if (it == values_.end()) throw Error(fmt::format("unknown device parameter \"{}\"", name));
  return it->second;
}

bool ParamSet::contains(std::string_view name) const noexcept { return values_.find(name) != values_.end(); }

void ParamSet::set(std::string_view name, double value) {
  const ParamInfo* info = findParam(table_, name);
  if (info == nullptr) {
    std::vector<std::string> names;
    for (const ParamInfo& p : table_) names.emplace_back(p.name);
    const std::vector<std::string> near = similarNames(name, names);
    throw Error(
        fmt::format("unknown device parameter \"{}\"{}; parameters: {}", name,
                    near.empty() ? "" : fmt::format(" (did you mean {}?)", fmt::join(near, " or ")),
                    fmt::join(names, ", ")));
  }
  if (!std::isfinite(value) || value < info->min || value > info->max)
    throw Error(fmt::format("device parameter {} = {} {} out of range [{}, {}]", name, value,
                            info->unit, info->min, info->max));
  values_.find(name)->second = value;
}

void throwForeignSet(std::string_view model) {
  throw Error(fmt::format("{}: parameter set of another model", model));
}

std::vector<std::pair<std::string, double>> ParamSet::values() const {
  std::vector<std::pair<std::string, double>> out;
  out.reserve(table_.size());
  for (const ParamInfo& p : table_) out.emplace_back(std::string(p.name), get(p.name));
  return out;
}

}  // namespace xbarsim::device
