// SPDX-License-Identifier: MIT
// The two static laws as device kinds: cells described only by a conductance (and V0).
#include "xbarsim/device/iv_law.hpp"

#include "xbarsim/device/registry.hpp"

namespace xbarsim::device {

const ModelKind& linearKind() {
  static const ModelKind kind{.name = "linear",
                              .description = "linear conductance: I = G V",
                              .citation = "Ohm's law",
                              .read_law = IvKind::Linear};
  return kind;
}

const ModelKind& sinhKind() {
  static const ModelKind kind{
      .name = "sinh",
      .description = "sub-threshold RRAM/PCM conduction: I = G V0 sinh(V/V0), V0 = device.v0_v",
      .citation = "Stanford-PKU RRAM model conduction law (X. Guan, S. Yu, H.-S. P. Wong, IEEE "
                  "EDL 33, 1405 (2012))",
      .read_law = IvKind::Sinh};
  return kind;
}

}  // namespace xbarsim::device
