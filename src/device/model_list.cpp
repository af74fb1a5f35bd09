// SPDX-License-Identifier: MIT
// The list of device kinds: one line per kind (docs/architecture.md, "Adding a device model").
// Each `X(name)` names the accessor `const ModelKind& nameKind()` defined in the kind's own file.
#include <fmt/format.h>

#include "xbarsim/device/registry.hpp"

#define XBARSIM_DEVICE_KINDS(X) \
  X(linear)                     \
  X(sinh)                       \
  X(pcmStatistical)             \
  X(rramCmo)                    \
  X(pcmPulse)                   \
  X(rramStanford)               \
  X(vteam)                      \
  X(selector)                   \
  X(nmosAccess)                 \
  X(constantStep)               \
  X(softBounds)                 \
  X(powStep)                    \
  X(pcmExpStep)

namespace xbarsim::device {

#define XBARSIM_DECLARE_KIND(name) const ModelKind& name##Kind();
XBARSIM_DEVICE_KINDS(XBARSIM_DECLARE_KIND)
#undef XBARSIM_DECLARE_KIND

const core::Registry<ModelKind>& modelKinds() {
#define XBARSIM_LIST_KIND(name) &name##Kind(),
  static const core::Registry<ModelKind> registry("device model",
                                                  {XBARSIM_DEVICE_KINDS(XBARSIM_LIST_KIND)});
#undef XBARSIM_LIST_KIND
  return registry;
}

std::vector<std::string> memoryModelNames() {
  std::vector<std::string> names;
  for (const ModelKind* kind : modelKinds().all())
    if (kind->role == KindRole::Memory)
      for (const std::string_view name : core::Registry<ModelKind>::namesOf(*kind))
        names.emplace_back(name);
  return names;
}

}  // namespace xbarsim::device
