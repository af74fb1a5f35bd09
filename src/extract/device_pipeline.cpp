// SPDX-License-Identifier: MIT
#include "xbarsim/extract/device_pipeline.hpp"

#include <fmt/format.h>

#include "xbarsim/core/error.hpp"
#include "xbarsim/core/rng.hpp"
#include "xbarsim/device/device_card.hpp"
#include "xbarsim/device/inference_model.hpp"
#include "xbarsim/device/registry.hpp"

namespace xbarsim::extract {

bool hasDeviceStep(const core::Config& config) {
  return device::modelKinds().get(config.string("device.model")).statistical != nullptr;
}

DeviceStep applyDeviceStep(const core::Config& config, circuit::CrossbarSpec& spec, std::uint64_t seed) {
  const std::string& model_name = config.string("device.model");
  const device::ModelKind& kind = device::modelKinds().get(model_name);
  if (kind.statistical == nullptr)
    config.fail("device.model", fmt::format("\"{}\" has no statistical device step", model_name));
  device::DeviceCard card = device::cardForKind(kind, config, "device.card");
  for (const char* key : {"prog_noise_scale", "drift_scale", "read_noise_scale"})
    if (card.params.contains(key))
      card.params.set(key, card.params.get(key) * config.real(fmt::format("device.{}", key)));
  const auto model = kind.statistical(card);

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
