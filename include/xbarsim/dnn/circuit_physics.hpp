// SPDX-License-Identifier: MIT
#pragma once
/// @file Training with the crossbar circuit in the loop (`[train] circuit = "circuit"`,
/// docs/training.md §5): every forward read, backward read and stochastic update slot of a
/// layer goes through circuit::TrainingCrossbar tiles holding the layer's conductances.
///
/// Mapping (one conductance state per layer and mini-batch): a layer's W (out × in, network
/// units) is split into tiles of tile_rows inputs × tile_cols outputs as the evaluator tiles
/// (crossbar row = input j, column = output i), each tile a differential pair of crossbars
/// G⁺, G⁻ of that size (as the evaluator and the PCM pair of Burr et al. 2015). With
/// w_hi = max|W| over the layer and k = (g_max − g_min)/w_hi (S per weight unit),
///   G⁺_ij = g_min + max(W_ij, 0)·k,   G⁻_ij = g_min + max(−W_ij, 0)·k,
///   forward   rows of both at v = a·x (a = v_read / max|x|), y = (I⁺_col − I⁻_col) / (a k),
///   backward  columns of both at v = a·δ, d = (I⁺_row − I⁻_row) / (a k),
/// summed over the tiles of a row (column) block digitally. With ideal wires both are exactly
/// W x and Wᵀ δ; with wire resistance they carry the IR drop of each solved crossbar.
///
/// Update (stochastic pulse trains, slot by slot): the slot's firing rows and columns are
/// pulsed in up to four phases (row sign × column sign); a phase that moves W up SET-pulses
/// G⁺, one that moves it down SET-pulses G⁻: the selected lines of that crossbar are biased by
/// biasTerminals (V/2 or V/3, polarity +1), the voltage of every cell comes from
/// TrainingCrossbar::cellVoltages (ladder approximation by default, exact selectable) and its
/// step fraction from the PulseEfficiency law: fully-selected cells get
/// ≈ ±1 less their IR drop, half-selected and unselected cells the efficiency of their voltage
/// (0 below the threshold), with the sign of the phase. Fractions of the phases add. (The
/// device model still holds one weight per cell; the pair only places the update's pulses.)
///
/// Held fixed within a mini-batch: the conductances (and w_hi) of the forward read. The
/// backward read and every update slot of that mini-batch solve the same state; the next
/// forward read of a changed W remaps and refactorizes. Layers are told apart by their shape
/// (out × in): two arrays of one shape read alternately remap at every switch.

#include <array>
#include <map>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "xbarsim/circuit/training_crossbar.hpp"
#include "xbarsim/dnn/analog_array.hpp"

namespace xbarsim::dnn {

struct CircuitPhysicsOptions {
  Index tile_rows = 256;      ///< inputs per tile (crossbar rows)
  Index tile_cols = 256;      ///< outputs per tile (crossbar columns, + 1 reference column)
  double r_wire_ohm = 1.0;    ///< every row and column segment (0 = ideal wires)
  double g_min_s = 1e-6;      ///< conductance of W = -w_hi
  double g_max_s = 25e-6;     ///< conductance of W = +w_hi
  double v_read_v = 0.2;      ///< largest read input voltage
  circuit::UpdateBias bias;   ///< V/2 or V/3 and V_p
  circuit::PulseEfficiency efficiency;  ///< threshold law (its V_p = bias.v_pulse_v)
  circuit::UpdateCircuitMode update_mode = circuit::UpdateCircuitMode::Ladder;
  int ladder_sweeps = 2;
  /// Solve every cell of an update phase (half-selected and unselected ones included); false:
  /// the fully-selected cells only (ladder mode, O(|rows|·C + |cols|·R) per phase), i.e. the
  /// others are taken below the threshold, as they are with ideal wires when V_th > V_p/2.
  bool half_select = true;
  /// Throws ConfigError on an inconsistent value.
  void validate() const;
};

class CircuitPhysics final : public ArrayPhysics {
 public:
  explicit CircuitPhysics(CircuitPhysicsOptions options);
  ~CircuitPhysics() override;
  void forward(const Matrix& w, const Matrix& x, Matrix& y, std::uint64_t stream) const override;
  void backward(const Matrix& w, const Matrix& delta, Matrix& d,
                std::uint64_t stream) const override;
  /// True with ideal wires when half-selected and unselected cells stay below the threshold:
  /// the update is then exactly the ideal coincidence update.
  [[nodiscard]] bool idealUpdate() const override;
  void pulseEfficiency(const std::vector<std::int8_t>& row_sign,
                       const std::vector<std::int8_t>& col_sign, Matrix& factor) const override;

  /// One tile of the current state of the layer of shape out × in: its first input and output,
  /// and its two crossbars (rows × cols each): xb[0] holds G⁺, xb[1] G⁻.
  struct Tile {
    Index row0 = 0, rows = 0, col0 = 0, cols = 0;
    std::array<std::unique_ptr<circuit::TrainingCrossbar>, 2> xb;
  };
  /// The tiles holding `w` (mapped now if `w` differs from the held state).
  [[nodiscard]] const std::vector<Tile>& tiles(const Matrix& w) const;
  /// S per weight unit of the state holding `w`.
  [[nodiscard]] double siemensPerWeight(const Matrix& w) const;
  [[nodiscard]] const CircuitPhysicsOptions& options() const noexcept { return o_; }

 private:
  struct State {
    Matrix w;          // the mapped weights
    double k_s = 0.0;  // S per weight unit
    std::vector<Tile> tiles;
  };
  State& state(const Matrix& w) const;
  CircuitPhysicsOptions o_;
  mutable std::map<std::pair<Index, Index>, State> states_;
  mutable std::mutex mutex_;
};

}  // namespace xbarsim::dnn
