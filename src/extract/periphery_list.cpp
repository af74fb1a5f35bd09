// SPDX-License-Identifier: MIT
// The list of periphery energy models: one line per kind (extract/periphery.hpp). Each
// `X(name)` names the accessor `const PeripheryKind& nameKind()` defined in periphery_*.cpp.
#include <fmt/format.h>

#include <vector>

#include "xbarsim/extract/periphery.hpp"

#define XBARSIM_PERIPHERY_KINDS(X) \
  X(capacitiveDac)                 \
  X(biasSense)                     \
  X(waldenAdc)                     \
  X(neurosimSarAdc)

namespace xbarsim::extract {

#define XBARSIM_DECLARE_KIND(name) const PeripheryKind& name##Kind();
XBARSIM_PERIPHERY_KINDS(XBARSIM_DECLARE_KIND)
#undef XBARSIM_DECLARE_KIND

const core::Registry<PeripheryKind>& peripheryKinds() {
#define XBARSIM_LIST_KIND(name) &name##Kind(),
  static const core::Registry<PeripheryKind> registry("periphery model",
                                                      {XBARSIM_PERIPHERY_KINDS(XBARSIM_LIST_KIND)});
#undef XBARSIM_LIST_KIND
  return registry;
}

std::string_view toString(PeripheryRole role) noexcept {
  switch (role) {
    case PeripheryRole::Dac: return "dac";
    case PeripheryRole::Sense: return "sense";
    default: return "adc";
  }
}

namespace {

/// The configuration key that selects the model of a role, and its default kind.
struct RoleKey {
  PeripheryRole role;
  const char* key;
  const char* default_kind;
  const char* description;
};
constexpr RoleKey kRoleKeys[] = {
    {PeripheryRole::Dac, "dac.model", "capacitive", "energy model of the row DACs"},
    {PeripheryRole::Sense, "sense.power_model", "bias",
     "energy model of the column sense amplifiers"},
    {PeripheryRole::Adc, "adc.model", "walden", "energy model of the ADCs"},
};

std::vector<std::string> kindsOf(PeripheryRole role) {
  std::vector<std::string> out;
  for (const PeripheryKind* kind : peripheryKinds().all())
    if (kind->role == role) out.emplace_back(kind->name);
  return out;
}

}  // namespace

void addPeripheryKeys(core::Schema& schema, PeripheryRole role) {
  for (const RoleKey& r : kRoleKeys)
    if (r.role == role)
      schema.add({.key = r.key, .type = core::ValueType::String,
                  .default_value = std::string(r.default_kind),
                  .description = fmt::format("{} (docs/energy.md)", r.description),
                  .choices = kindsOf(r.role)});
  if (role == PeripheryRole::Adc)
    schema.add({.key = "adc.columns_per_adc", .type = core::ValueType::Integer,
                .default_value = std::int64_t{8},
                .description = "columns sharing one ADC (converted one after the other)",
                .min = 1, .max = 65536});
  for (const PeripheryKind* kind : peripheryKinds().all())
    if (kind->role == role && kind->add_keys) kind->add_keys(schema);
}

Periphery peripheryFromConfig(const core::Config& config) {
  Periphery p;
  for (const RoleKey& r : kRoleKeys) {
    const PeripheryKind& kind = peripheryKinds().get(config.string(r.key));
    if (kind.role != r.role)
      config.fail(r.key, fmt::format("\"{}\" is a {} model", kind.name, toString(kind.role)));
    PeripheryModelPtr model = kind.from_config(config);
    (r.role == PeripheryRole::Dac ? p.dac : r.role == PeripheryRole::Sense ? p.sense : p.adc) =
        std::move(model);
  }
  p.columns_per_adc = static_cast<int>(config.integer("adc.columns_per_adc"));
  return p;
}

}  // namespace xbarsim::extract
