// SPDX-License-Identifier: MIT
#pragma once
// Text of devices/*.lib and devices/*.toml, compiled into the library (src/device/CMakeLists.txt).
#include <string_view>

namespace xbarsim::device::detail {
extern const std::string_view kRramStanfordLib;
extern const std::string_view kPcmLib;
extern const std::string_view kAccessLib;
extern const std::string_view kCardPcmJoshi2020;
extern const std::string_view kCardPcmHermes;
extern const std::string_view kCardPcmPulseGst;
extern const std::string_view kCardRramStanford;
extern const std::string_view kCardRramCmo;
extern const std::string_view kCardSelector;
extern const std::string_view kCardNmosAccess;
}  // namespace xbarsim::device::detail
