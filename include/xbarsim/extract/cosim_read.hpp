// SPDX-License-Identifier: MIT
#pragma once
/// @file A transient MVM read as a chip does it (docs/cosim.md §4): row DACs (ideal voltage
/// pulses of amplitude x_i·v_read_v), one integrating sense amplifier per column (behavioural
/// op-amp, feedback capacitor) and a single-slope ADC per column (a shared ramp, a behavioural
/// comparator per column; the counter is digital: the code is the number of clock periods
/// before the comparator flips). Everything is plain SPICE (B-sources, no XSPICE), so the same
/// periphery runs in a monolithic deck (with the generated array) and in the co-simulation.
///
/// Node names of the periphery: in<i> row port, out<j> column port (integrator input), o<j>
/// integrator output, ramp, q<j> comparator output (0 .. vdd).
#include <Eigen/Dense>
#include <string>
#include <vector>

#include "xbarsim/circuit/crossbar_spec.hpp"
#include "xbarsim/spice/cosim.hpp"

namespace xbarsim::extract {

struct ReadPeriphery {
  double v_read_v = 0.2;       ///< row amplitude for input 1 (V)
  double t_edge_s = 1e-9;      ///< rise and fall time of the row pulses (s)
  double t_read_s = 1e-6;      ///< integration window: rows held at x_i·v_read_v (s)
  double c_int_f = 0.0;        ///< feedback capacitor (F); 0: sized by sizeIntegrator()
  double opamp_gain = 1e4;     ///< open-loop gain of the integrator's op-amp
  double rail_v = 1.5;         ///< op-amp output rail (V)
  int adc_bits = 8;            ///< ADC resolution
  double full_scale_v = 1.0;   ///< ramp end voltage = integrator output for the top code (V)
  double t_clock_s = 1e-9;     ///< counter clock: the ramp rises one LSB per period (s)
  double comparator_gain = 1e4;  ///< per volt: tanh slope of the comparator
  double vdd_v = 1.0;          ///< comparator output swing (V)
  double reltol = 1e-6;        ///< ngspice .options reltol of the periphery deck
  double t_max_s = 10e-9;      ///< ngspice's largest step, 4th `tran` argument (0: t_clock/4)
};

/// The feedback capacitor that maps the largest column charge for all inputs at 1 (W_eff·1 ·
/// v_read · t_read) to `margin` of the full scale.
[[nodiscard]] double sizeIntegrator(const Eigen::MatrixXd& w_eff, const ReadPeriphery& p,
                                    double margin = 0.9);

/// The periphery deck (title to .end) for inputs x (size R; row i at x_i·v_read_v), C columns.
[[nodiscard]] std::string readPeripheryDeck(const Eigen::VectorXd& x, Eigen::Index cols,
                                            const ReadPeriphery& p);
/// The `tran` command of the read (integration, then the ramp conversion).
[[nodiscard]] std::string readAnalysis(const ReadPeriphery& p);
/// Time at which the conversion ramp starts (s).
[[nodiscard]] double rampStart(const ReadPeriphery& p);
/// The monolithic deck: the generated array (crossbarNetlist, rows at in<i>, columns at
/// out<j>) and the periphery in one deck.
[[nodiscard]] std::string monolithicReadDeck(const circuit::CrossbarSpec& spec,
                                             const std::string& periphery);
/// Vectors a read returns: "time", then v(o<j>) and v(q<j>) for every column.
[[nodiscard]] std::vector<std::string> readVectors(Eigen::Index cols);
/// ADC codes from the comparator waveforms (time, q_j): the clock periods counted from the
/// ramp start until q_j first rises through vdd/2 (2^bits − 1 when it never does).
[[nodiscard]] std::vector<int> adcCodes(const std::vector<double>& time,
                                        const std::vector<std::vector<double>>& q,
                                        const ReadPeriphery& p);

struct ReadResult {
  std::vector<int> codes;                 ///< per column
  Eigen::VectorXd v_int;                  ///< integrator outputs at the end of integration (V)
  double wall_s = 0.0;
  long long time_points = 0;
};
/// One read through the co-simulation (array in the native solver) or the monolithic deck.
[[nodiscard]] ReadResult readCoSim(spice::Session& session, const circuit::CrossbarSpec& spec,
                                   const Eigen::VectorXd& x, const ReadPeriphery& p,
                                   double max_step_s = 0.0, double current_tol = 1e-3,
                                   bool extrapolate = true);
[[nodiscard]] ReadResult readMonolithic(spice::Session& session, const circuit::CrossbarSpec& spec,
                                        const Eigen::VectorXd& x, const ReadPeriphery& p);

}  // namespace xbarsim::extract
