// SPDX-License-Identifier: MIT
#include "xbarsim/extract/backend.hpp"

#include <fmt/format.h>

#include "xbarsim/core/error.hpp"
#include "xbarsim/extract/native_backend.hpp"
#include "xbarsim/extract/ngspice_backend.hpp"

namespace xbarsim::extract {

std::unique_ptr<Backend> makeBackend(std::string_view name) {
  if (name == "ngspice") return std::make_unique<NgspiceBackend>();
  if (name == "native") return std::make_unique<NativeBackend>();
  throw Error(fmt::format("unknown backend \"{}\": choose ngspice or native", name));
}

}  // namespace xbarsim::extract
