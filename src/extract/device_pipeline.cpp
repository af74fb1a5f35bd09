// SPDX-License-Identifier: MIT
#include "xbarsim/extract/device_pipeline.hpp"

#include <fmt/format.h>

#include "xbarsim/core/error.hpp"
#include "xbarsim/core/rng.hpp"
#include "xbarsim/device/device_card.hpp"
#include "xbarsim/device/inference_model.hpp"

namespace xbarsim::extract {
namespace {

std::string_view cardModelOf(std::string_view device_model) {
  if (device_model == "pcm") return "pcm_statistical";
  if (device_model == "rram_cmo") return "rram_cmo";
  return "";
}

std::string_view defaultCard(std::string_view device_model) {
  return device_model == "pcm" ? "pcm_joshi2020" : "rram_cmo";
}

}  // namespace

bool hasDeviceStep(const core::Config& config) {
  return !cardModelOf(config.string("device.model")).empty();
}

DeviceStep applyDeviceStep(const core::Config& config, circuit::CrossbarSpec& spec, std::uint64_t seed) {
  const std::string& model_name = config.string("device.model");
  const std::string_view card_model = cardModelOf(model_name);
  if (card_model.empty())
    config.fail("device.model", fmt::format("\"{}\" has no statistical device step", model_name));
  device::DeviceCard card = config.has("device.card")
                                ? device::resolveCard(config.string("device.card"), config.baseDirectory())
                                : device::builtinCard(defaultCard(model_name));
  if (card.model != card_model)
    config.fail("device.card", fmt::format("card {} is a \"{}\" card; device.model = \"{}\" needs a "
                                           "\"{}\" card", card.source, card.model, model_name, card_model));
  for (const char* key : {"prog_noise_scale", "drift_scale", "read_noise_scale"})
    card.params.set(key, card.params.get(key) * config.real(fmt::format("device.{}", key)));
  const auto model = device::makeInferenceModel(card);

  DeviceStep step;
  step.model = model_name;
  step.card = card.source;
  step.citation = card.citation;
  step.t_s = config.real("read.t_s");
  step.g_target_s = spec.g_s;
  RngStream programming(seed, StreamPurpose::Programming, 0);
  const device::ProgrammedArray programmed = model->program(spec.g_s, programming);
  RngStream read(seed, StreamPurpose::ReadNoise, 0);
  step.g_prog_s = programmed.g_prog_s;
  step.nu = programmed.nu;
  step.g_read_s = model->conductanceAt(programmed, step.t_s, read, true);
  spec.g_s = step.g_read_s;
  return step;
}

void writeDeviceStep(io::H5File& file, const DeviceStep& step) {
  file.writeMatrix("/device/g_target", step.g_target_s, "S");
  file.writeMatrix("/device/g_prog", step.g_prog_s, "S");
  file.writeMatrix("/device/nu", step.nu, "1");
  file.writeMatrix("/device/g_read", step.g_read_s, "S");
  file.setAttribute("/device", "model", step.model);
  file.setAttribute("/device", "card", step.card);
  file.setAttribute("/device", "citation", step.citation);
  file.setAttribute("/device", "t_s", step.t_s);
}

}  // namespace xbarsim::extract
