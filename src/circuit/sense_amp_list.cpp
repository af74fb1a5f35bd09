// SPDX-License-Identifier: MIT
// The list of sense-amplifier kinds: one line per kind (docs/architecture.md §14.2). Each
// `X(name)` names the accessor `const SenseAmpKind& nameSenseKind()` defined in sense_<name>.cpp.
#include <fmt/format.h>

#include "detail/netlist_libraries.hpp"
#include "xbarsim/circuit/sense_amp.hpp"
#include "xbarsim/core/error.hpp"

#define XBARSIM_SENSE_KINDS(X) \
  X(ideal)                     \
  X(tia)                       \
  X(integrator)

namespace xbarsim::circuit {

#define XBARSIM_DECLARE_KIND(name) const SenseAmpKind& name##SenseKind();
XBARSIM_SENSE_KINDS(XBARSIM_DECLARE_KIND)
#undef XBARSIM_DECLARE_KIND

const core::Registry<SenseAmpKind>& senseAmpKinds() {
#define XBARSIM_LIST_KIND(name) &name##SenseKind(),
  static const core::Registry<SenseAmpKind> registry("sense amplifier",
                                                     {XBARSIM_SENSE_KINDS(XBARSIM_LIST_KIND)});
#undef XBARSIM_LIST_KIND
  return registry;
}

std::string_view detail::netlistLibrary(std::string_view name) {
  if (const core::EmbeddedFile* file = core::findEmbeddedFile(netlistLibraries(), name))
    return file->text;
  throw Error(fmt::format("no built-in netlist library \"{}\"", name));
}

}  // namespace xbarsim::circuit
