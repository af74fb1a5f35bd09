// SPDX-License-Identifier: MIT
#pragma once
/// @file Energy and latency of one inference on the analog tiles (docs/energy.md §4).
///
/// Array energy per read from the solved circuit: the power of a read is a quadratic form of
/// the row voltages, P = v_read²·x_nᵀ M x_n (circuit::NativeSolver::powerMatrix; exact for
/// linear arrays), so an image costs a product per tile read, not a solve. The periphery from
/// the registered models (extract/periphery.hpp): DACs per row conversion, sense bias per
/// column read, ADC per differential output conversion. Latency per layer: its reads of one
/// image in series (every tile of the layer in parallel), each t_dac + pulse + k·t_adc with k
/// the columns sharing an ADC. The same figures under NeuroSim's assumptions are computed side
/// by side: bit-serial inputs (one read per input bit, 1-bit drivers, no DAC), one SAR ADC
/// conversion per column per cycle with NeuroSim's fitted SAR model, no separate sense
/// amplifier (docs/energy.md §5).

#include <Eigen/Core>
#include <string>
#include <vector>

#include "xbarsim/dnn/analog.hpp"
#include "xbarsim/dnn/dataset.hpp"
#include "xbarsim/extract/periphery.hpp"
#include "xbarsim/io/hdf5_file.hpp"

namespace xbarsim::dnn {

struct EnergySpec {
  bool enabled = true;
  double pulse_s = 10e-9;          ///< read pulse (read.pulse_s)
  extract::Periphery periphery;    ///< the configured models (empty: energy not reported)
  int neurosim_node_nm = 22;       ///< node of NeuroSim's SAR fit for the side-by-side figures
  Index samples = 1000;            ///< test images of the energy pass (first N)
};

/// Per image, one layer.
struct LayerEnergy {
  std::string name;
  Index tiles = 0;
  double reads = 0.0;    ///< tile reads (MVMs) per image, in series
  double macs = 0.0;     ///< multiply-accumulates per image
  double array_j = 0.0, dac_j = 0.0, sense_j = 0.0, adc_j = 0.0, latency_s = 0.0;
  // NeuroSim's assumptions
  double ns_array_j = 0.0, ns_adc_j = 0.0, ns_latency_s = 0.0;
  [[nodiscard]] double totalJ() const noexcept { return array_j + dac_j + sense_j + adc_j; }
  [[nodiscard]] double neurosimTotalJ() const noexcept { return ns_array_j + ns_adc_j; }
};

struct EnergyReport {
  std::vector<LayerEnergy> layers;
  Index images = 0;          ///< test images the figures are averaged over
  int input_cycles = 0;      ///< NeuroSim: bit-serial input cycles per read
  double time_s = 0.0;       ///< the evaluation time whose conductances were used
  std::string dac_model, sense_model, adc_model, neurosim_adc_model, array_model;
  [[nodiscard]] LayerEnergy total() const;  ///< sums over layers (name "total")
};

/// Conductances (S, rows × cols) of one tile's two arrays.
struct TileConductances {
  Eigen::MatrixXd pos, neg;
};

/// The power matrix M (rows × rows, S) of one array: diag(Σ_j G_ij) for an ideal circuit,
/// else the native solver's (the used block alone, as for W_eff).
[[nodiscard]] Eigen::MatrixXd arrayPowerMatrix(const AnalogOptions& options,
                                               const Eigen::MatrixXd& g_s);

/// Runs the first spec.samples test images through `analog` (its compensation as set) and
/// measures the energy and latency per image. `conductances[a][k]` belongs to
/// mappings[a].tiles[k].
[[nodiscard]] EnergyReport inferenceEnergy(
    const Network& net, const Dataset& test, const AnalogOptions& options, const EnergySpec& spec,
    const AnalogNetwork& analog, const std::vector<LayerMapping>& mappings,
    const std::vector<std::vector<TileConductances>>& conductances, Index batch);

/// /energy/... datasets (per layer and per inference, ours and NeuroSim-style) with the model of
/// every component in attributes.
void writeEnergy(io::H5File& h5, const EnergySpec& spec, const EnergyReport& report);

/// Console lines: per layer and per inference, energy (pJ), latency (ns), TOPS/W, ours and
/// NeuroSim-style.
[[nodiscard]] std::string formatEnergy(const EnergyReport& report);

}  // namespace xbarsim::dnn
