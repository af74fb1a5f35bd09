// SPDX-License-Identifier: MIT
#pragma once
/// @file The device step of the extraction pipeline (docs/architecture.md §3): program the target
/// conductances with a statistical device model, age them to the read time, and hand the read
/// conductances to the circuit solve (either backend).
///
///   device.model = "pcm"       PCM, card device.card (default builtin pcm_joshi2020; pcm_hermes)
///   device.model = "rram_cmo"  CMO/HfOx ReRAM, card default builtin rram_cmo
/// Targets are the crossbar's g_s (R×C, from device.conductances or the seeded draw). Random
/// streams: programming from RngStream(run.seed, Programming, 0), read noise from
/// RngStream(run.seed, ReadNoise, 0), elements in column-major order of the R×C matrix, so the
/// result is a deterministic function of the configuration and the seed. read.t_s is the time
/// after programming (s). device.{prog_noise,drift,read_noise}_scale multiply the card's scales.
///
/// ```cpp
/// circuit::CrossbarSpec spec = circuit::crossbarFromConfig(config, seed);
/// std::optional<extract::DeviceStep> step;
/// if (extract::hasDeviceStep(config)) step = extract::applyDeviceStep(config, spec, seed);
/// auto w = backend->effectiveWeights(spec, v_read);      // spec.g_s now holds g(t)
/// if (step) extract::writeDeviceStep(h5, *step);          // /device/... datasets
/// ```

#include <Eigen/Core>
#include <cstdint>
#include <string>

#include "xbarsim/circuit/crossbar_spec.hpp"
#include "xbarsim/core/config.hpp"
#include "xbarsim/io/hdf5_file.hpp"

namespace xbarsim::extract {

struct DeviceStep {
  std::string model;          ///< device.model
  std::string card;           ///< card source ("builtin:pcm_joshi2020" or a path)
  std::string citation;
  double t_s = 0.0;           ///< read time after programming
  Eigen::MatrixXd g_target_s; ///< R×C
  Eigen::MatrixXd g_prog_s;   ///< R×C after programming (write-verify residual included)
  Eigen::MatrixXd nu;         ///< R×C drift exponents (0 for models without drift)
  Eigen::MatrixXd g_read_s;   ///< R×C at t_s with read noise: what the circuit sees
};

/// True when device.model has a statistical device step (pcm, rram_cmo).
[[nodiscard]] bool hasDeviceStep(const core::Config& config);

/// Runs the device step on spec.g_s (targets) and replaces spec.g_s by the read conductances.
/// Throws ConfigError for a card of the wrong model, xbarsim::Error for bad targets.
[[nodiscard]] DeviceStep applyDeviceStep(const core::Config& config, circuit::CrossbarSpec& spec,
                                         std::uint64_t seed);

/// Writes /device/g_target, /device/g_prog, /device/nu, /device/g_read (R×C, units S / 1) with
/// attributes model, card, citation, t_s.
void writeDeviceStep(io::H5File& file, const DeviceStep& step);

}  // namespace xbarsim::extract
