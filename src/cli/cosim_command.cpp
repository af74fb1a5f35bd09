// SPDX-License-Identifier: MIT
// `xbarsim cosim`: a transient MVM read (row DACs, integrators, single-slope ADC in ngspice) with
// the array in the native solver, coupled in lock-step (docs/cosim.md); optionally compared
// with the monolithic ngspice deck of the same array and periphery.
#include "cosim_command.hpp"

#include <fmt/format.h>

#include <memory>
#include <random>

#include "xbarsim/circuit/crossbar_config.hpp"
#include "xbarsim/circuit/native_solver.hpp"
#include "xbarsim/extract/config_schema.hpp"
#include "xbarsim/extract/cosim_read.hpp"
#include "xbarsim/spice/session.hpp"

namespace xbarsim::cli {
namespace {

struct CosimArgs {
  ConfigArgs config;
  int inputs = 1;
  bool monolithic = false;
  double max_step_s = 0.0;
  double current_tol = 1e-3;
  bool no_extrapolate = false;
  extract::ReadPeriphery periphery;
};

int runCosim(const CosimArgs& args) {
  const core::Config config = loadPointConfig(args.config, "cosim");
  const auto seed = static_cast<std::uint64_t>(config.integer("run.seed"));
  const circuit::CrossbarSpec spec = circuit::crossbarFromConfig(config, seed);
  extract::ReadPeriphery p = args.periphery;
  p.v_read_v = config.real("read.v_read_v");
  if (!(p.c_int_f > 0.0)) {
    circuit::NativeSolver solver(spec);
    p.c_int_f = extract::sizeIntegrator(solver.effectiveWeights(0.0), p);
  }
  fmt::print("cosim: {}x{} array, {} input(s), integrators C_f = {:.4g} F, {}-bit single-slope "
             "ADC, {}\n",
             spec.rows, spec.cols, args.inputs, p.c_int_f, p.adc_bits, extract::readAnalysis(p));
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  auto& session = spice::Session::instance();
  long long equal = 0, total = 0;
  double t_cosim = 0.0, t_mono = 0.0, max_dv = 0.0;
  for (int k = 0; k < args.inputs; ++k) {
    Eigen::VectorXd x(spec.rows);
    for (Eigen::Index i = 0; i < spec.rows; ++i) x(i) = unit(rng);
    const auto co = extract::readCoSim(session, spec, x, p, args.max_step_s, args.current_tol,
                                        !args.no_extrapolate);
    t_cosim += co.wall_s;
    fmt::print("input {}: co-simulation {:.3f} s, {} points, codes", k, co.wall_s, co.time_points);
    for (const int c : co.codes) fmt::print(" {}", c);
    fmt::print("\n");
    if (args.monolithic) {
      const auto mono = extract::readMonolithic(session, spec, x, p);
      t_mono += mono.wall_s;
      int same = 0;
      for (std::size_t j = 0; j < co.codes.size(); ++j) same += co.codes[j] == mono.codes[j] ? 1 : 0;
      equal += same;
      total += static_cast<long long>(co.codes.size());
      const double dv = (co.v_int - mono.v_int).cwiseAbs().maxCoeff();
      max_dv = std::max(max_dv, dv);
      fmt::print("input {}: monolithic {:.3f} s, {} points, {} of {} codes equal, max |dV_int| "
                 "{:.3g} V\n",
                 k, mono.wall_s, mono.time_points, same, co.codes.size(), dv);
    }
  }
  if (args.monolithic)
    fmt::print("summary: {} of {} codes equal ({:.2f} %), max |dV_int| {:.3g} V (LSB {:.3g} V), "
               "time co-simulation {:.3f} s, monolithic {:.3f} s, ratio {:.1f}\n",
               equal, total, 100.0 * static_cast<double>(equal) / static_cast<double>(total),
               max_dv, p.full_scale_v / std::ldexp(1.0, p.adc_bits), t_cosim, t_mono,
               t_mono / t_cosim);
  return 0;
}

}  // namespace

void addCosimCommand(CLI::App& app, Options& options) {
  auto args = std::make_shared<CosimArgs>();
  CLI::App* cmd = app.add_subcommand(
      "cosim", "Transient MVM read: ngspice periphery (row DACs, integrators, single-slope ADC) "
               "in lock-step with the native array solver; ADC codes per column");
  addConfigOptions(*cmd, args->config);
  cmd->add_option("--inputs", args->inputs, "random input vectors (uniform in [0, 1] x v_read_v, "
                                            "seeded by run.seed)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_flag("--monolithic", args->monolithic,
                "also run the monolithic ngspice deck (generated array + the same periphery) and "
                "compare codes, integrator voltages and run times");
  cmd->add_option("--max-step", args->max_step_s, "largest time step (s; 0 = ngspice's choice)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_option("--current-tol", args->current_tol,
                  "coupling step control: relative change of the port currents per step")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_flag("--no-extrapolate", args->no_extrapolate,
                "hold the exchanged currents constant within a step (first order) instead of "
                "extrapolating them linearly");
  cmd->add_option("--t-max", args->periphery.t_max_s,
                  "ngspice's largest step, the 4th `tran` argument (s; 0 = its default)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  cmd->add_option("--t-edge", args->periphery.t_edge_s, "rise/fall time of the row pulses (s)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--bits", args->periphery.adc_bits, "ADC resolution")
      ->check(CLI::Range(1, 16))
      ->capture_default_str();
  cmd->add_option("--t-read", args->periphery.t_read_s, "integration window (s)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--t-clock", args->periphery.t_clock_s, "ADC counter clock period (s)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  cmd->add_option("--c-int", args->periphery.c_int_f,
                  "integrator feedback capacitor (F; 0 = sized so that all inputs at 1 reach 90 % "
                  "of the full scale)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  setExample(*cmd, "build/xbarsim cosim --set array.rows=32 --set array.cols=32 --set "
                   "array.r_row_ohm=1 --set array.r_col_ohm=1 --inputs 2 --monolithic");
  cmd->callback([&options, args] { options.run = [args] { return runCosim(*args); }; });
}

}  // namespace xbarsim::cli
