// SPDX-License-Identifier: MIT
#pragma once
/// @file The sense amplifier at the bottom of every column (docs/architecture.md §4.1): one
/// element with a native face (used by the native DC solver and the native transient) and a
/// SPICE face (used by the netlist writer), so both backends solve the same amplifier.
///
/// Kinds (registered in src/circuit/sense_amp_list.cpp, one file each):
///   ideal       0 V virtual ground; I_j is the current of a 0 V source (sense_ideal.cpp)
///   tia         transimpedance amplifier macro-model, netlists/tia.lib (sense_tia.hpp)
///   integrator  op-amp with a feedback capacitor, netlists/integrator.lib; transients only
///               (sense_integrator.hpp)
/// Adding one (docs/architecture.md §14.2): a class implementing SenseAmp and a SenseAmpKind in
/// its own file, its macro-model in netlists/<name>.lib, and one line in sense_amp_list.cpp.
///
/// Conventions. The amplifier's input is the column's sense node `out_j`; the column current
/// I_j flows from the column into the amplifier. An amplifier either holds its input at 0 V
/// (the node is then fixed, and I_j is whatever flows in), or its input node is an unknown of
/// the circuit loaded by a static current I(v_in) (TIA) and, in transients, by a feedback
/// capacitor C_f to its output vo(v_in) (integrator): I = C_f·d(v_in − vo(v_in))/dt.

#include <Eigen/Core>
#include <memory>
#include <string>
#include <string_view>

#include "xbarsim/core/config.hpp"
#include "xbarsim/core/registry.hpp"

namespace xbarsim::circuit {

/// The static current an amplifier draws from its input node, and its derivative.
struct SenseLoad {
  double i_a = 0.0;      ///< current from the input node into the amplifier
  double di_dv_s = 0.0;  ///< dI/dv_in
};

class SenseAmp {
 public:
  virtual ~SenseAmp() = default;
  /// Registered kind name ("ideal", "tia", ...).
  [[nodiscard]] virtual std::string_view kind() const noexcept = 0;

  // ---- native face ------------------------------------------------------------------------
  /// True when the amplifier holds its input at exactly 0 V (the sense node is not an unknown).
  [[nodiscard]] virtual bool holdsInput() const noexcept = 0;
  /// True when the amplifier has a DC operating point (false for an integrator: at DC its
  /// feedback capacitor is open and the column current has nowhere to go).
  [[nodiscard]] virtual bool hasDcFace() const noexcept { return true; }
  /// True when I_j is a linear function of the column's node voltages (W_eff is then exact).
  [[nodiscard]] virtual bool isLinear() const noexcept = 0;
  /// Static load of an amplifier that does not hold its input, at input voltage v_in_v. Not
  /// called when holdsInput().
  [[nodiscard]] virtual SenseLoad load(double v_in_v) const = 0;
  /// Output voltage at input v_in_v (0 for an amplifier without an output stage).
  [[nodiscard]] virtual double outputVoltage(double v_in_v) const = 0;
  /// dvo/dv_in at v_in_v.
  [[nodiscard]] virtual double outputSlope(double /*v_in_v*/) const { return 0.0; }
  /// Feedback capacitor from input to output (F; 0 = none). With one, a transient carries the
  /// capacitor voltage u = v_in − vo(v_in) per column and I_j = C_f·du/dt; it starts
  /// discharged (v_in = restingInput()).
  [[nodiscard]] virtual double feedbackCapacitance() const { return 0.0; }
  /// Input voltage with no current from the array, where Newton starts (from 0 V a high-gain
  /// amplifier with an offset starts deep in saturation).
  [[nodiscard]] virtual double restingInput() const = 0;

  // ---- SPICE face -------------------------------------------------------------------------
  /// Subcircuit library the instances need ("" = none), e.g. netlists/tia.lib.
  [[nodiscard]] virtual std::string_view spiceLibrary() const = 0;
  /// Element lines of column j's amplifier. The deck measures I_j as the current of a 0 V
  /// source `vout<j>` from `in_node` (the column's end) into the amplifier, whose output node
  /// is `o<j>`; every kind writes that source.
  [[nodiscard]] virtual std::string spiceInstance(Eigen::Index j, std::string_view in_node) const = 0;
  /// Initial-guess entries for a `.nodeset` line of column j ("" = none).
  [[nodiscard]] virtual std::string spiceNodeset(Eigen::Index /*j*/) const { return {}; }
  /// Initial-condition entries for an `.ic` line of column j (a discharged feedback capacitor
  /// of an integrator; "" = none).
  [[nodiscard]] virtual std::string spiceInitialCondition(Eigen::Index /*j*/) const { return {}; }
};

using SenseAmpPtr = std::shared_ptr<const SenseAmp>;

/// A registered kind of sense amplifier: its configuration keys (`sense.*`) and factory.
struct SenseAmpKind {
  std::string_view name;
  std::string_view aliases;       ///< other accepted names, comma-separated
  std::string_view description;   ///< one line, for `xbarsim config`
  bool linear = true;             ///< isLinear() of every amplifier of this kind
  bool dc = true;                 ///< hasDcFace() of every amplifier of this kind
  /// Adds the kind's keys to a schema (keys shared with another kind are added once).
  void (*add_keys)(core::Schema& schema) = nullptr;
  /// The amplifier described by a validated configuration.
  SenseAmpPtr (*from_config)(const core::Config& config) = nullptr;
};

/// Every registered kind (src/circuit/sense_amp_list.cpp).
[[nodiscard]] const core::Registry<SenseAmpKind>& senseAmpKinds();
/// The ideal virtual ground (the default of CrossbarSpec).
[[nodiscard]] SenseAmpPtr idealSense();

}  // namespace xbarsim::circuit
