// SPDX-License-Identifier: MIT
// bench_mvm: MVMs at the cost of the physics (issue 17, items 1, 4 and 5). Not a test.
//
//   bench_mvm [--size N] [--mvms K] [--weff-only REPEATS]
//
// Prints, for a fresh N×N linear array with wires (default 512; G uniform in [1, 25] µS,
// r_row = r_col = 2.5 Ω, ideal driver and sense):
//   - W_eff time (one grid factorization; the multiport matrix gives W_eff),
//   - one MVM (currents of one input vector) and K MVMs (default 100) on a fresh solver,
//     their ratios to W_eff and their max relative difference to W_eff·x;
// and the W_eff of one tile of the demo's circuit (256×256, 1 Ω wires, TIA sense, 1 thread).
// --weff-only repeats only that tile W_eff (a profiling aid).
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
  std::printf("bench_mvm: %ldx%ld linear array, r_row = r_col = 2.5 ohm, G in [1,25] uS, ideal "
              "sense; fresh solver per measurement, threads = all cores\n", n, n);
  const auto spec = wireSpec(n, 2.5, false);
  std::mt19937_64 gen(7);
  std::uniform_real_distribution<double> d(0.0, 0.2);
  Eigen::MatrixXd x(n, k);
  for (Eigen::Index c = 0; c < x.cols(); ++c)
    for (Eigen::Index i = 0; i < n; ++i) x(i, c) = d(gen);
  auto t0 = Clock::now();
  Eigen::MatrixXd w;
  {
    NativeSolver s(spec);
    w = s.effectiveWeights();
  }
  const double weff_s = since(t0);
  t0 = Clock::now();
  Eigen::VectorXd one;
  {
    NativeSolver s(spec);
    one = s.currents(x.col(0));
  }
  const double one_s = since(t0);
  t0 = Clock::now();
  Eigen::MatrixXd many;
  {
    NativeSolver s(spec);
    many = s.currentsBatch(x);
  }
  const double many_s = since(t0);
  const Eigen::MatrixXd ref = w * x;
  const double err1 = (one - ref.col(0)).cwiseAbs().maxCoeff() / ref.col(0).cwiseAbs().maxCoeff();
  const double errk = (many - ref).cwiseAbs().maxCoeff() / ref.cwiseAbs().maxCoeff();
  std::printf("W_eff           %8.3f s\n", weff_s);
  std::printf("1 MVM           %8.3f s   ratio to W_eff %.3f (goal <= 0.2)   max rel. diff to W_eff x %.1e\n",
              one_s, one_s / weff_s, err1);
  std::printf("%ld MVMs        %8.3f s   ratio to W_eff %.3f (goal <= 1)     max rel. diff to W_eff x %.1e\n",
              k, many_s, many_s / weff_s, errk);
  // The evaluator's share: W_eff of the demo's tile circuit (TIA sense), 1 thread.
  const auto tile = wireSpec(256, 1.0, true);
  NativeOptions one_thread;
  one_thread.threads = 1;
  t0 = Clock::now();
  NativeSolver ts(tile, one_thread);
  (void)ts.effectiveWeights(0.2);
  std::printf("demo tile W_eff (256x256, 1 ohm, TIA, 1 thread) %8.3f s: %d factorization(s), %d "
              "Newton iterations on the sense nodes\n",
              since(t0), ts.report().factorizations, ts.report().newton_iterations);
  return 0;
}
