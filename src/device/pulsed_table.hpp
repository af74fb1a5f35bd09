// SPDX-License-Identifier: MIT
#pragma once
// Parameter-table entries shared by the pulsed update models (update_model.cpp, step_table.cpp):
// the step size, its variation and the bounds of aihwkit's PulsedDevice
// (docs/device-models.md §8.1), with per-family defaults and source.

#include <array>
#include <string_view>

#include "xbarsim/device/param_table.hpp"
#include "xbarsim/device/update_model.hpp"

namespace xbarsim::device {

inline constexpr std::string_view kAihwkitPulsed =
    "IBM aihwkit PulsedDevice default (simulator/configs/devices.py); docs/device-models.md §8.1";
inline constexpr std::string_view kAihwkitPcm =
    "IBM aihwkit PCMPresetDevice, a fit to Nandakumar et al., Front. Neurosci. 14, 406 (2020) "
    "(simulator/presets/devices.py); docs/device-models.md §8.5";

/// Defaults of the shared parameters of one family, and where they come from.
struct PulsedDefaults {
  PulsedParams values;
  std::string_view source;
  double w_min_upper = 0.0;  ///< largest accepted w_min (soft bounds need b_min < 0)
};

inline constexpr PulsedDefaults kAihwkitDefaults{.values = PulsedParams{},
                                                 .source = kAihwkitPulsed};
inline constexpr PulsedDefaults kPcmDefaults{.values = PulsedParams{.dw_min = 0.01,
                                                                    .dw_min_dtod = 0.2,
                                                                    .dw_min_std = 0.6,
                                                                    .up_down = 0.0,
                                                                    .up_down_dtod = 0.05,
                                                                    .w_max = 2.0,
                                                                    .w_max_dtod = 0.1,
                                                                    .w_min = 0.0,
                                                                    .w_min_dtod = 0.0},
                                             .source = kAihwkitPcm};

/// The table entries of the variation and bounds (every shared parameter but dw_min), then the
/// family's own `extra` entries.
template <class P, std::size_t M>
constexpr std::array<BoundParam<P>, 8 + M> variationEntries(
    const PulsedDefaults& d, const std::array<BoundParam<P>, M>& extra) {
  const PulsedParams& v = d.values;
  const std::string_view s = d.source;
  std::array<BoundParam<P>, 8 + M> out{{
      {{"dw_min_dtod", "1", v.dw_min_dtod, 0.0, 10.0,
        "device-to-device spread of the step (relative, Gaussian)", s, ""},
       &P::dw_min_dtod},
      {{"dw_min_std", "1", v.dw_min_std, 0.0, 10.0,
        "cycle-to-cycle spread of the step (relative, per pulse)", s, ""},
       &P::dw_min_std},
      {{"up_down", "1", v.up_down, -1.0, 1.0,
        "up/down asymmetry beta: up step x (1 + beta), down step x (1 - beta)", s, ""},
       &P::up_down},
      {{"up_down_dtod", "1", v.up_down_dtod, 0.0, 10.0,
        "device-to-device spread of beta (absolute)", s, ""},
       &P::up_down_dtod},
      {{"w_max", "1", v.w_max, 1e-9, 1e3, "upper weight bound b_max", s, ""}, &P::w_max},
      {{"w_max_dtod", "1", v.w_max_dtod, 0.0, 10.0, "device-to-device spread of b_max (relative)",
        s, ""},
       &P::w_max_dtod},
      {{"w_min", "1", v.w_min, -1e3, d.w_min_upper, "lower weight bound b_min", s, ""}, &P::w_min},
      {{"w_min_dtod", "1", v.w_min_dtod, 0.0, 10.0, "device-to-device spread of b_min (relative)",
        s, ""},
       &P::w_min_dtod},
  }};
  for (std::size_t k = 0; k < M; ++k) out[8 + k] = extra[k];
  return out;
}

/// The table entries of the shared parameters (dw_min first), then the family's own `extra`.
template <class P, std::size_t M>
constexpr std::array<BoundParam<P>, 9 + M> pulsedEntries(
    const PulsedDefaults& d, const std::array<BoundParam<P>, M>& extra) {
  const std::array<BoundParam<P>, 8 + M> rest = variationEntries(d, extra);
  std::array<BoundParam<P>, 9 + M> out{};
  out[0] = {
      {"dw_min", "1", d.values.dw_min, 1e-9, 10.0, "mean weight step of one pulse", d.source, ""},
      &P::dw_min};
  for (std::size_t k = 0; k < 8 + M; ++k) out[1 + k] = rest[k];
  return out;
}

}  // namespace xbarsim::device
