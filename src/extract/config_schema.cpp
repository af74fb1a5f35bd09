// SPDX-License-Identifier: MIT
#include "xbarsim/extract/config_schema.hpp"

#include <map>
#include <string>
#include <vector>

#include "xbarsim/circuit/crossbar_config.hpp"
#include "xbarsim/extract/periphery.hpp"

namespace xbarsim::extract {

using core::ValueType;

const core::Schema& configSchema() {
  static const core::Schema schema = [] {
    core::Schema s;
    circuit::addCrossbarKeys(s);
    addPeripheryKeys(s, PeripheryRole::Sense);  // next to the other sense.* keys (one table)
    s.add({.key = "read.v_read_v", .type = ValueType::Real, .default_value = 0.2,
           .description = "read voltage in V; W_eff = dI/dV at the read point", .min = 0,
           .max = 100, .min_exclusive = true})
        .add({.key = "read.t_s", .type = ValueType::Real, .default_value = 0.0,
              .description = "time since programming at which the array is read, in s", .min = 0})
        .add({.key = "read.pulse_s", .type = ValueType::Real, .default_value = 10e-9,
              .description = "duration of one read pulse in s: array energy = DC array power "
                             "x pulse; also the integration time of a read",
              .min = 0, .max = 1, .min_exclusive = true})
        .add({.key = "dac.bits", .type = ValueType::Integer, .default_value = std::int64_t{0},
              .description = "input DAC resolution in bits (0 = ideal)", .min = 0, .max = 32});
    addPeripheryKeys(s, PeripheryRole::Dac);
    s.add({.key = "adc.bits", .type = ValueType::Integer, .default_value = std::int64_t{0},
           .description = "output ADC resolution in bits (0 = ideal)", .min = 0, .max = 32})
        .add({.key = "adc.full_scale_a", .type = ValueType::Real, .default_value = 0.0,
              .description = "ADC input range +/- I in A, clipped beyond (0 = 12 g_max v_read)",
              .min = 0});
    addPeripheryKeys(s, PeripheryRole::Adc);
    s.add({.key = "dnn.dataset", .type = ValueType::String,
              .default_value = std::string("fashion-mnist"), .description = "evaluation data set",
              .choices = {"fashion-mnist", "synthetic"}})
        .add({.key = "dnn.times_s", .type = ValueType::RealArray,
              .default_value = std::vector<double>{1.0, 3600.0, 86400.0},
              .description = "times after programming to evaluate, in s", .min = 0})
        .add({.key = "dnn.compensation", .type = ValueType::String,
              .default_value = std::string("gdc"),
              .description = "drift compensation (bn-recal = gdc + batch-norm statistics "
                             "re-estimated on calibration images)",
              .choices = {"none", "gdc", "per-column", "bn-recal"}})
        .add({.key = "dnn.repeats", .type = ValueType::Integer, .default_value = std::int64_t{5},
              .description = "Monte Carlo programming draws", .min = 1, .max = 1e6})
        .add({.key = "dnn.tile_rows", .type = ValueType::Integer, .default_value = std::int64_t{256},
              .description = "tile rows (inputs)", .min = 1, .max = 65536})
        .add({.key = "dnn.tile_cols", .type = ValueType::Integer, .default_value = std::int64_t{256},
              .description = "tile columns (outputs)", .min = 1, .max = 65536})
        .add({.key = "dnn.mapping", .type = ValueType::String,
              .default_value = std::string("per-layer"),
              .description = "weight-to-conductance scale g_max/max|W| per layer or per column",
              .choices = {"per-layer", "per-column"}})
        .add({.key = "dnn.read_noise", .type = ValueType::String,
              .default_value = std::string("per-evaluation"),
              .description = "1/f read noise drawn once per (time, repeat) or per MVM",
              .choices = {"per-evaluation", "per-mvm"}})
        .add({.key = "dnn.circuit", .type = ValueType::String,
              .default_value = std::string("weff"),
              .description = "MVMs of the tiles: weff = multiply by each array's W_eff (the "
                             "Jacobian at the read point); exact = solve every input vector "
                             "through the circuit (native backend; sinh, 1S1R, 1T1R, TIA "
                             "non-linearities included; much slower)",
              .choices = {"weff", "exact"}})
        .add({.key = "dnn.calibration_samples", .type = ValueType::Integer,
              .default_value = std::int64_t{500},
              .description = "training images for bn-recal batch-norm statistics", .min = 1,
              .max = 1e7})
        .add({.key = "dnn.test_samples", .type = ValueType::Integer, .default_value = std::int64_t{0},
              .description = "evaluate on the first N test images (0 = all)", .min = 0, .max = 1e9})
        .add({.key = "dnn.g_max_s", .type = ValueType::Real, .default_value = 25e-6,
              .description = "mapping conductance range g_max in S", .min = 0,
              .min_exclusive = true})
        .add({.key = "dnn.device_card", .type = ValueType::String,
              .default_value = std::string("pcm_joshi2020"),
              .description = "statistical device of the evaluator's arrays: a card of a model with "
                             "a statistical face (pcm_statistical, rram_cmo), built-in name or "
                             "TOML file relative to this file; its g_max_s is set to dnn.g_max_s"})
        .add({.key = "dnn.input_scale", .type = ValueType::Real,
              .description = "network input = pixel (0..255) * input_scale + input_offset; "
                             "overrides the model's (an ONNX model needs it: 1/255 for "
                             "torchvision's ToTensor)",
              .min = -1e6, .max = 1e6, .optional = true})
        .add({.key = "dnn.input_offset", .type = ValueType::Real,
              .description = "see dnn.input_scale (e.g. -mean/std of a Normalize)", .min = -1e6,
              .max = 1e6, .optional = true})
        .add({.key = "dnn.pcm_prog_noise_scale", .type = ValueType::Real, .default_value = 1.0,
              .description = "PCM programming-noise scale (0 = none)", .min = 0, .max = 100})
        .add({.key = "dnn.pcm_drift_scale", .type = ValueType::Real, .default_value = 1.0,
              .description = "PCM drift-exponent scale (0 = no drift)", .min = 0, .max = 100})
        .add({.key = "dnn.pcm_read_noise_scale", .type = ValueType::Real, .default_value = 1.0,
              .description = "PCM 1/f read-noise scale (0 = none)", .min = 0, .max = 100})
        .add({.key = "run.seed", .type = ValueType::Integer, .default_value = std::int64_t{1},
              .description = "seed of every random stream", .min = 0})
        .add({.key = "run.ngspice_timeout_s", .type = ValueType::Real, .default_value = 3600.0,
              .description = "longest time one ngspice call may take, in s, before its worker "
                             "process is stopped and the run (sweep point) fails; environment "
                             "XBARSIM_NGSPICE_TIMEOUT_S overrides it",
              .min = 0, .max = 1e7, .min_exclusive = true})
        .add({.key = "run.ngspice_memory_mb", .type = ValueType::Real, .default_value = 0.0,
              .description = "address space the ngspice worker may add to xbarsim's, in MB (0 = "
                             "the machine's physical memory); environment "
                             "XBARSIM_NGSPICE_MEMORY_MB overrides it",
              .min = 0, .max = 1e9})
        .add({.key = "run.ngspice_workers", .type = ValueType::Integer,
              .default_value = std::int64_t{0},
              .description = "ngspice worker processes that share a W_eff extraction's "
                             "analyses (0 = one per core); results do not depend on it; "
                             "environment XBARSIM_NGSPICE_WORKERS overrides it",
              .min = 0, .max = 4096})
        .add({.key = "netlist.file", .type = ValueType::String,
              .description = "user ngspice deck (relative to this file); --netlist overrides",
              .optional = true})
        .add({.key = "netlist.inputs", .type = ValueType::StringArray,
              .description = "input V sources in row order: names or patterns \"V{1..32}\", "
                             "hierarchical x1.vin0 (default: VIN0, VIN1, ...)",
              .optional = true})
        .add({.key = "netlist.outputs", .type = ValueType::StringArray,
              .description = "outputs in column order: 0 V probes \"VS{1..32}\", i(element), "
                             "v(node) or v(a,b); hierarchical x1.vout0 (default: VOUT0, VOUT1, ...)",
              .optional = true})
        .add({.key = "netlist.outputs_negative", .type = ValueType::StringArray,
              .description = "differential outputs: one per output, subtracted from it (same kind)",
              .optional = true})
        .add({.key = "netlist.params", .type = ValueType::RealTable,
              .default_value = std::map<std::string, double>{},
              .description = ".param overrides of the user deck (name = value)"});
    return s;
  }();
  return schema;
}

}  // namespace xbarsim::extract
