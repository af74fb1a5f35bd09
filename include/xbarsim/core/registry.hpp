// SPDX-License-Identifier: MIT
#pragma once
/// @file A registry of named kinds: device models, access devices, sense amplifiers, cell
/// layouts. One entry per kind, each defined in its own file; the registry is the only place
/// that maps a user-visible name to a kind, so no module compares model names itself (the
/// dispatcher idea of gnucap's `DISPATCHER<CARD>::INSTALL` and Xyce's device registration).
///
/// A `Kind` is a struct with a `std::string_view name` and a `std::string_view aliases`
/// (comma-separated other names accepted on input, e.g. "pcm" for "pcm_statistical"). Kinds
/// are listed explicitly (docs/architecture.md, "Extension points"): a list of accessor
/// functions in one file per registry, so static libraries never drop an entry.

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "xbarsim/core/error.hpp"

namespace xbarsim::core {

template <class Kind>
class Registry {
 public:
  /// `what` names the kind in messages ("device model", "sense amplifier").
  Registry(std::string_view what, std::vector<const Kind*> kinds) : what_(what), kinds_(std::move(kinds)) {
    for (std::size_t a = 0; a < kinds_.size(); ++a)
      for (const std::string_view name : namesOf(*kinds_[a]))
        for (std::size_t b = 0; b < a; ++b)
          if (matches(*kinds_[b], name))
            throw Error(fmt::format("registry of {}s: \"{}\" is registered twice", what_, name));
  }

  /// The kind called `name` (or one of its aliases); nullptr if none.
  [[nodiscard]] const Kind* find(std::string_view name) const {
    for (const Kind* kind : kinds_)
      if (matches(*kind, name)) return kind;
    return nullptr;
  }
  /// The kind called `name`; throws xbarsim::Error listing the known names.
  [[nodiscard]] const Kind& get(std::string_view name) const {
    if (const Kind* kind = find(name)) return *kind;
    throw Error(fmt::format("unknown {} \"{}\" (known: {})", what_, name, fmt::join(names(), ", ")));
  }
  [[nodiscard]] std::span<const Kind* const> all() const noexcept { return kinds_; }
  /// Primary names in registration order.
  [[nodiscard]] std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const Kind* kind : kinds_) out.emplace_back(kind->name);
    return out;
  }
  [[nodiscard]] std::string_view what() const noexcept { return what_; }
  /// The name and the aliases of every kind, in registration order (configuration choices).
  [[nodiscard]] std::vector<std::string> namesAndAliases() const {
    std::vector<std::string> out;
    for (const Kind* kind : kinds_)
      for (const std::string_view name : namesOf(*kind)) out.emplace_back(name);
    return out;
  }

 /// The name and every alias of a kind.
  [[nodiscard]] static std::vector<std::string_view> namesOf(const Kind& kind) {
    std::vector<std::string_view> out{kind.name};
    for (std::string_view rest = kind.aliases; !rest.empty();) {
      const std::size_t comma = rest.find(',');
      out.push_back(rest.substr(0, comma));
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    }
    return out;
  }

 private:
  static bool matches(const Kind& kind, std::string_view name) {
    for (const std::string_view n : namesOf(kind))
      if (n == name) return true;
    return false;
  }

  std::string_view what_;
  std::vector<const Kind*> kinds_;
};

}  // namespace xbarsim::core
