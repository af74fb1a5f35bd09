// SPDX-License-Identifier: MIT
#include "xbarsim/device/device_card.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <array>
#include <fstream>
#include <sstream>
#include <toml++/toml.h>
#include <utility>

#include "embedded_text.hpp"
#include "xbarsim/core/config.hpp"
#include "xbarsim/core/error.hpp"
#include "xbarsim/core/input_file.hpp"
#include "xbarsim/device/device_model.hpp"
#include "xbarsim/device/registry.hpp"

namespace xbarsim::device {
namespace {

constexpr std::string_view kCardSuffix = ".toml";

/// The embedded devices/<name>.toml, or nullptr.
const std::string_view* builtinCardText(std::string_view name) {
  const core::EmbeddedFile* file =
      core::findEmbeddedFile(detail::embeddedFiles(), std::string(name) + std::string(kCardSuffix));
  return file != nullptr ? &file->text : nullptr;
}

core::Schema cardSchema(std::span<const ParamInfo> table) {
  using core::ValueType;
  core::Schema schema;
  schema
      .add({.key = "card.model", .type = ValueType::String, .default_value = std::string(),
            .description = "model of the card",
            .choices = modelKinds().names()})
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

std::span<const ParamInfo> cardParameterTable(std::string_view model) {
  return modelKinds().get(model).parameters;
}

DeviceCard parseCard(std::string_view text, const std::string& source_name) {
  // Pass 1: which model (its table defines the [params] keys).
  std::string model;
  core::checkTomlNesting(text, source_name);
  try {
    const toml::table root = toml::parse(text, source_name);
    const auto value = root["card"]["model"].value<std::string>();
    if (!value) throw ConfigError(source_name, 0, "card.model", "missing: every card names its model");
    model = *value;
  } catch (const toml::parse_error& e) {
    throw ConfigError(source_name, static_cast<long>(e.source().begin.line), "",
                      std::string(e.description()));
  }
  const ModelKind* kind = modelKinds().find(model);
  if (kind == nullptr || kind->parameters.empty())
    throw ConfigError(source_name, 0, "card.model",
                      fmt::format("unknown model \"{}\" (cards exist for: {})", model,
                                  fmt::join(cardModelNames(), ", ")));
  // Cards name the kind by its primary name.
  model = std::string(kind->name);
  const std::span<const ParamInfo> table = kind->parameters;
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
  return parseCard(core::readInputFile(file, core::kTomlFileMaxBytes, "device card"),
                   file.string());
}

DeviceCard builtinCard(std::string_view name) {
  const std::string_view* text = builtinCardText(name);
  if (text == nullptr)
    throw Error(fmt::format("no built-in device card \"{}\" (built-in: {})", name,
                            fmt::join(builtinCardNames(), ", ")));
  DeviceCard card = parseCard(*text, fmt::format("devices/{}.toml", name));
  card.source = fmt::format("builtin:{}", name);
  return card;
}

std::vector<std::string_view> builtinCardNames() {
  std::vector<std::string_view> names;
  for (const detail::EmbeddedFile& file : detail::embeddedFiles())
    if (file.name.ends_with(kCardSuffix))
      names.push_back(file.name.substr(0, file.name.size() - kCardSuffix.size()));
  return names;
}

std::vector<std::string> cardModelNames() {
  std::vector<std::string> names;
  for (const ModelKind* kind : modelKinds().all())
    if (!kind->parameters.empty()) names.emplace_back(kind->name);
  return names;
}

DeviceCard resolveCard(const std::string& reference, const std::filesystem::path& base_dir) {
  if (builtinCardText(reference) != nullptr) return builtinCard(reference);
  std::filesystem::path path(reference);
  if (path.is_relative()) path = base_dir / path;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    const std::vector<std::string_view> builtin = builtinCardNames();
    const std::vector<std::string> names(builtin.begin(), builtin.end());
    const std::vector<std::string> near = similarNames(reference, names);
    throw ConfigError(
        path.string(), 0, "",
        fmt::format("no such device card: neither a file nor a built-in card{} "
                    "(built-in: {})",
                    near.empty() ? "" : fmt::format("; did you mean {}?", fmt::join(near, " or ")),
                    fmt::join(names, ", ")));
  }
  return loadCard(path);
}

std::unique_ptr<DeviceModel> makeDeviceModel(const DeviceCard& card) {
  const ModelKind& kind = modelKinds().get(card.model);
  if (kind.compact == nullptr) {
    std::vector<std::string> compact;
    for (const ModelKind* k : modelKinds().all())
      if (k->compact != nullptr) compact.emplace_back(k->name);
    throw Error(fmt::format("device card {} (model \"{}\") has no stateful compact model (use "
                            "one of: {})", card.source, card.model, fmt::join(compact, ", ")));
  }
  return kind.compact(card.params);
}

std::string_view builtinSpiceLibrary(std::string_view file) {
  if (const core::EmbeddedFile* embedded = core::findEmbeddedFile(detail::embeddedFiles(), file);
      embedded != nullptr && file.ends_with(".lib"))
    return embedded->text;
  throw Error(fmt::format("no built-in SPICE library \"{}\"", file));
}

DeviceCard cardForKind(const ModelKind& kind, const core::Config& config, const std::string& key) {
  if (kind.parameters.empty()) {
    if (config.has(key))
      config.fail(key, fmt::format("device model \"{}\" takes no card", kind.name));
    return DeviceCard{};
  }
  DeviceCard card = config.has(key) ? resolveCard(config.string(key), config.baseDirectory())
                                    : builtinCard(kind.builtin_card);
  if (card.model != kind.name)
    config.fail(key, fmt::format("card {} is a \"{}\" card; device model \"{}\" needs a \"{}\" card",
                                 card.source, card.model, kind.name, kind.name));
  return card;
}

}  // namespace xbarsim::device
