// SPDX-License-Identifier: MIT
#include "xbarsim/core/numbers.hpp"

#include <fmt/format.h>

#include <cmath>

#include "xbarsim/core/error.hpp"

namespace xbarsim {

std::string formatExact(double x) { return fmt::format("{}", x); }

std::string spiceNumber(double x) {
  if (!std::isfinite(x)) throw Error(fmt::format("cannot write {} into a SPICE netlist", x));
  return formatExact(x);
}

}  // namespace xbarsim
