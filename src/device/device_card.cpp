// SPDX-License-Identifier: MIT
#include "xbarsim/device/device_card.hpp"

#include <fmt/format.h>

#include <array>
#include <fstream>
#include <sstream>
#include <toml++/toml.h>
#include <utility>

#include "embedded_text.hpp"
#include "xbarsim/core/config.hpp"
#include "xbarsim/core/error.hpp"
#include "xbarsim/device/access_device.hpp"
#include "xbarsim/device/inference_model.hpp"
#include "xbarsim/device/pcm_pulse.hpp"
#include "xbarsim/device/pcm_statistical.hpp"
#include "xbarsim/device/rram_stanford.hpp"

namespace xbarsim::device {
namespace {

constexpr std::array<std::string_view, 6> kModels = {
    "pcm_statistical", "pcm_pulse", "rram_stanford", "rram_cmo", "selector", "nmos_access"};

constexpr std::array<std::pair<std::string_view, const std::string_view*>, 7> kBuiltinCards = {{
    {"pcm_joshi2020", &detail::kCardPcmJoshi2020},
    {"pcm_hermes", &detail::kCardPcmHermes},
    {"pcm_pulse_gst", &detail::kCardPcmPulseGst},
    {"rram_stanford", &detail::kCardRramStanford},
    {"rram_cmo", &detail::kCardRramCmo},
    {"selector", &detail::kCardSelector},
    {"nmos_access", &detail::kCardNmosAccess},
}};

core::Schema cardSchema(std::span<const ParamInfo> table) {
  using core::ValueType;
  core::Schema schema;
  schema
      .add({.key = "card.model", .type = ValueType::String, .default_value = std::string(),
            .description = "model of the card",
            .choices = std::vector<std::string>(kModels.begin(), kModels.end())})
      .add({.key = "card.variant", .type = ValueType::String, .default_value = std::string(),
            .description = "model-specific variant"})
      .add({.key = "card.name", .type = ValueType::String, .default_value = std::string(),
            .description = "name of the parameter set"})
      .add({.key = "card.description", .type = ValueType::String, .default_value = std::string(),
            .description = "one line"})
      .add({.key = "card.citation", .type = ValueType::String, .default_value = std::string(),
            .description = "source of the values"});
  for (const ParamInfo& p : table)
    schema.add({.key = fmt::format("params.{}", p.name), .type = ValueType::Real,
                .default_value = p.default_value,
                .description = fmt::format("{} ({})", p.description, p.unit), .min = p.min,
                .max = p.max});
  return schema;
}

}  // namespace

std::span<const std::string_view> cardModels() noexcept { return kModels; }

std::span<const ParamInfo> cardParameterTable(std::string_view model) {
  if (model == "pcm_statistical") return pcmStatisticalParameters();
  if (model == "pcm_pulse") return pcmPulseParameters();
  if (model == "rram_stanford") return stanfordRramParameters();
  if (model == "rram_cmo") return rramCmoParameters();
  if (model == "selector") return selectorParameters();
  if (model == "nmos_access") return nmosAccessParameters();
  throw Error(fmt::format("unknown device model \"{}\"", model));
}

DeviceCard parseCard(std::string_view text, const std::string& source_name) {
  // Pass 1: which model (its table defines the [params] keys).
  std::string model;
  try {
    const toml::table root = toml::parse(text, source_name);
    const auto value = root["card"]["model"].value<std::string>();
    if (!value) throw ConfigError(source_name, 0, "card.model", "missing: every card names its model");
    model = *value;
  } catch (const toml::parse_error& e) {
    throw ConfigError(source_name, static_cast<long>(e.source().begin.line), "",
                      std::string(e.description()));
  }
  std::span<const ParamInfo> table;
  try {
    table = cardParameterTable(model);
  } catch (const Error&) {
    throw ConfigError(source_name, 0, "card.model",
                      fmt::format("unknown model \"{}\"", model));
  }
  // Pass 2: full validation against the model's table.
  const core::Schema schema = cardSchema(table);
  const core::Config config = core::Config::parse(text, source_name, schema);
  if (config.string("card.citation").empty())
    config.fail("card.citation", "every card cites the source of its values");
  DeviceCard card{model,
                  config.string("card.variant"),
                  config.string("card.name"),
                  config.string("card.description"),
                  config.string("card.citation"),
                  source_name,
                  ParamSet(table)};
  for (const ParamInfo& p : table) card.params.set(p.name, config.real(fmt::format("params.{}", p.name)));
  return card;
}

DeviceCard loadCard(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw ConfigError(file.string(), 0, "", "cannot open device card");
  std::ostringstream text;
  text << in.rdbuf();
  return parseCard(text.str(), file.string());
}

DeviceCard builtinCard(std::string_view name) {
  for (const auto& [card_name, text] : kBuiltinCards)
    if (card_name == name) {
      DeviceCard card = parseCard(*text, fmt::format("devices/{}.toml", name));
      card.source = fmt::format("builtin:{}", name);
      return card;
    }
  throw Error(fmt::format("no built-in device card \"{}\"", name));
}

std::vector<std::string_view> builtinCardNames() {
  std::vector<std::string_view> names;
  for (const auto& entry : kBuiltinCards) names.push_back(entry.first);
  return names;
}

DeviceCard resolveCard(const std::string& reference, const std::filesystem::path& base_dir) {
  for (const auto& entry : kBuiltinCards)
    if (entry.first == reference) return builtinCard(reference);
  std::filesystem::path path(reference);
  if (path.is_relative()) path = base_dir / path;
  return loadCard(path);
}

std::unique_ptr<DeviceModel> makeDeviceModel(const DeviceCard& card) {
  if (card.model == "rram_stanford") return std::make_unique<StanfordRram>(card.params);
  if (card.model == "pcm_pulse") return std::make_unique<PcmPulse>(card.params);
  throw Error(fmt::format("device card {} (model \"{}\") has no stateful compact model (use "
                          "rram_stanford or pcm_pulse)", card.source, card.model));
}

std::string_view builtinSpiceLibrary(std::string_view file) {
  if (file == "rram_stanford.lib") return detail::kRramStanfordLib;
  if (file == "pcm.lib") return detail::kPcmLib;
  if (file == "access.lib") return detail::kAccessLib;
  throw Error(fmt::format("no built-in SPICE library \"{}\"", file));
}

}  // namespace xbarsim::device
