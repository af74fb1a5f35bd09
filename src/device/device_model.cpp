// SPDX-License-Identifier: MIT
#include "xbarsim/device/device_model.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "xbarsim/core/numbers.hpp"

namespace xbarsim::device {

double DeviceModel::clampState(double x) const noexcept {
  const StateInfo s = stateInfo();
  return std::clamp(x, s.min, s.max);
}

std::string DeviceModel::spiceInstance(std::string_view name, std::string_view te,
                                       std::string_view be, double x0) const {
  std::string line = fmt::format("x{} {} {} {}", name, te, be, spiceSubcircuit());
  const std::string_view init = spiceInitialStateParam();
  for (const ParamInfo& p : params().table()) {
    if (p.spice.empty() || p.spice == init) continue;
    line += fmt::format(" {}={}", p.spice, spiceNumber(params().get(p.name)));
  }
  line += fmt::format(" {}={}", init, spiceNumber(x0));
  return line;
}

}  // namespace xbarsim::device
