// SPDX-License-Identifier: MIT
// ADC energy model "neurosim-sar" (extract/periphery.hpp, docs/energy.md §3.4).
#include <fmt/format.h>

#include <cmath>

#include "xbarsim/core/error.hpp"
#include "xbarsim/extract/periphery.hpp"

namespace xbarsim::extract {
namespace {

/// NeuroSim's SAR ADC (DNN+NeuroSim V1.3, SarADC.cpp; fitted by its authors to Cadence
/// simulations at a 0.5 V read): per column, power
///   P = (a·bits + b)·1 µW + c·exp(−d·log10(R_col·0.5 V / v_read))
/// over a conversion of (bits + 1) cycles of 1 ns: E = P·(bits + 1)·1 ns, t = (bits + 1) ns, at
/// 300 K. R_col is the equivalent resistance of the column's cells read in that cycle.
/// Coefficients (a, b, c, d) per node of the high-performance roadmap.
struct SarFit {
  int node_nm;
  double a, b, c, d;
};
constexpr SarFit kSarFits[] = {
    {130, 6.4806, 49.047, 0.207452, 2.367}, {90, 4.3474, 31.782, 0.164900, 2.345},
    {65, 2.9503, 22.047, 0.128483, 2.321},  {45, 2.1843, 11.931, 0.097754, 2.296},
    {32, 1.0157, 7.6286, 0.083709, 2.313},  {22, 0.7213, 3.3041, 0.084273, 2.311},
    {14, 0.4710, 1.9529, 0.060584, 2.311},  {10, 0.3076, 1.1543, 0.049418, 2.311},
    {7, 0.2008, 0.6823, 0.040310, 2.311},
};

const SarFit* findFit(int node_nm) {
  for (const SarFit& f : kSarFits)
    if (f.node_nm == node_nm) return &f;
  return nullptr;
}

class NeurosimSar final : public PeripheryModel {
 public:
  explicit NeurosimSar(const SarFit& fit) : fit_(fit) {}
  std::string_view kind() const noexcept override { return "neurosim-sar"; }
  double energyJ(const PeripheryUse& use) const override {
    const double cycles = use.bits + 1.0;
    double p = (fit_.a * use.bits + fit_.b) * 1e-6;
    const double r = use.column_resistance_ohm * 0.5 / use.v_read_v;
    if (r > 0.0 && std::isfinite(r)) p += fit_.c * std::exp(-fit_.d * std::log10(r));
    return p * cycles * 1e-9;
  }
  double timeS(const PeripheryUse& use) const override { return (use.bits + 1.0) * 1e-9; }
  std::string describe() const override {
    return fmt::format("NeuroSim SAR ADC ({} nm HP): P = ({} bits + {}) uW + {} exp(-{} "
                       "log10(R_col 0.5 V/v_read)), E = P (bits+1) ns, t = (bits+1) ns "
                       "(DNN+NeuroSim V1.3, SarADC.cpp; X. Peng et al., IEDM 2019)",
                       fit_.node_nm, fit_.a, fit_.b, fit_.c, fit_.d);
  }

 private:
  SarFit fit_;
};

PeripheryModelPtr makeSar(int node_nm) {
  const SarFit* fit = findFit(node_nm);
  if (fit == nullptr)
    throw Error(fmt::format("NeuroSim SAR ADC: no fit for a {} nm node (130, 90, 65, 45, 32, "
                            "22, 14, 10, 7)", node_nm));
  return std::make_shared<const NeurosimSar>(*fit);
}

}  // namespace

PeripheryModelPtr neurosimSarAdc(int node_nm) { return makeSar(node_nm); }

const PeripheryKind& neurosimSarAdcKind() {
  static const PeripheryKind kind{
      .name = "neurosim-sar",
      .role = PeripheryRole::Adc,
      .description = "NeuroSim's fitted SAR ADC (per-column power vs bits and column "
                     "resistance, (bits+1) 1-ns cycles)",
      .source = "X. Peng, S. Huang, Y. Luo, X. Sun, S. Yu, \"DNN+NeuroSim: An End-to-End "
                "Benchmarking Framework for Compute-in-Memory Accelerators\", IEDM 2019; "
                "coefficients of DNN+NeuroSim V1.3 SarADC.cpp",
      .add_keys =
          [](core::Schema& schema) {
            schema.add({.key = "adc.neurosim_node_nm", .type = core::ValueType::Integer,
                        .default_value = std::int64_t{22},
                        .description = "technology node of NeuroSim's SAR ADC fit in nm (130, "
                                       "90, 65, 45, 32, 22, 14, 10 or 7)",
                        .min = 7, .max = 130});
          },
      .from_config = [](const core::Config& config) -> PeripheryModelPtr {
        const auto node = static_cast<int>(config.integer("adc.neurosim_node_nm"));
        if (findFit(node) == nullptr)
          config.fail("adc.neurosim_node_nm",
                      fmt::format("no NeuroSim SAR fit for {} nm (130, 90, 65, 45, 32, 22, 14, "
                                  "10, 7)", node));
        return makeSar(node);
      }};
  return kind;
}

}  // namespace xbarsim::extract
