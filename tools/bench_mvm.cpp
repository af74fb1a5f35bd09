// SPDX-License-Identifier: MIT
// bench_mvm: MVMs at the cost of the physics (issue 17, items 1, 4 and 5). Not a test.
//
//   bench_mvm [--size N] [--mvms K] [--tiles T] [--weff-only REPEATS]
//
// Prints, for a fresh N×N linear array with wires (default 512; G uniform in [1, 25] µS,
// r_row = r_col = 2.5 Ω, ideal driver and sense):
//   - W_eff time (one grid factorization; the multiport matrix gives W_eff),
//   - one MVM (currents of one input vector) and K MVMs (default 100) on a fresh solver,
//     their ratios to W_eff and their max relative difference to W_eff·x;
// and the evaluator's share: the W_eff of one tile of the demo's circuit (256×256, 1 Ω wires,
// TIA sense, 1 thread) by the full Newton (before) and through the multiport (now), and T tiles
// (default 24) through dnn::WeffSolver on 1 thread and on all cores, with the largest
// difference between the two (0: bit-identical). --weff-only repeats the tile W_eff (profiling).
#ifdef _OPENMP
#include <omp.h>
#else
inline int omp_get_max_threads() { return 1; }
inline void omp_set_num_threads(int) {}
#endif

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "xbarsim/circuit/native_solver.hpp"
#include "xbarsim/circuit/sense_tia.hpp"
#include "xbarsim/dnn/analog.hpp"

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
  long n = 512, k = 100, weff_only = 0, tiles = 24;
  for (int a = 1; a < argc; ++a) {
    const std::string arg = argv[a];
    if (arg == "--size" && a + 1 < argc) n = std::atol(argv[++a]);
    else if (arg == "--mvms" && a + 1 < argc) k = std::atol(argv[++a]);
    else if (arg == "--weff-only" && a + 1 < argc) weff_only = std::atol(argv[++a]);
    else if (arg == "--tiles" && a + 1 < argc) tiles = std::atol(argv[++a]);
    else {
      std::fprintf(stderr, "usage: bench_mvm [--size N] [--mvms K] [--tiles T] [--weff-only N]\n");
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
  int cg_iterations = 0;
  {
    NativeSolver s(spec);
    one = s.currents(x.col(0));
    cg_iterations = s.report().cg_iterations;
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
  std::printf("1 MVM           %8.3f s   ratio to W_eff %.3f (goal <= 0.2)   max rel. diff to W_eff x %.1e"
              "   (%d CG iterations)\n", one_s, one_s / weff_s, err1, cg_iterations);
  std::printf("%ld MVMs        %8.3f s   ratio to W_eff %.3f (goal <= 1)     max rel. diff to W_eff x %.1e\n",
              k, many_s, many_s / weff_s, errk);
  // The evaluator's share: W_eff of tiles of the demo's circuit (256×256, 1 Ω, TIA sense).
  const auto tile = wireSpec(256, 1.0, true);
  std::printf("\ndemo tiles: %ldx%ld, 1 ohm wires, TIA sense (r_f = 2 kohm), W_eff at 0.2 V\n", 256L, 256L);
  for (bool reduced : {false, true}) {
    NativeOptions o;
    o.threads = 1;
    o.port_reduction = reduced;
    t0 = Clock::now();
    NativeSolver ts(tile, o);
    (void)ts.effectiveWeights(0.2);
    std::printf("  one tile, 1 thread, %-46s %8.3f s (%d factorizations, %d Newton iterations)\n",
                reduced ? "multiport + Newton on the sense nodes (now):" : "full Newton on every node (before):",
                since(t0), ts.report().factorizations, ts.report().newton_iterations);
  }
  xbarsim::dnn::AnalogOptions ao;
  ao.circuit = tile;
  ao.v_read_v = 0.2;
  std::vector<Eigen::MatrixXd> gs;
  for (unsigned t = 0; t < static_cast<unsigned>(tiles); ++t) gs.push_back(randomG(256, 256, 100 + t));
  std::vector<Eigen::MatrixXd> results[2];
  double seconds[2] = {0.0, 0.0};
  const int threads[2] = {1, omp_get_max_threads()};
  for (int pass = 0; pass < 2; ++pass) {
    omp_set_num_threads(threads[pass]);
    xbarsim::dnn::WeffSolver solver(ao);
    t0 = Clock::now();
    results[pass] = solver.effectiveWeights(gs);
    seconds[pass] = since(t0);
  }
  omp_set_num_threads(threads[1]);
  double diff = 0.0;
  for (std::size_t t = 0; t < gs.size(); ++t)
    diff = std::max(diff, (results[0][t] - results[1][t]).cwiseAbs().maxCoeff());
  std::printf("  %ld tiles through dnn::WeffSolver: one after the other (%d OpenMP thread; the "
              "factorization threaded) %.3f s, %d tiles at a time (1 factorization thread each) "
              "%.3f s (%.2fx); max |difference| %.1e S (0 = bit-identical)\n",
              tiles, threads[0], seconds[0], threads[1], seconds[1], seconds[0] / seconds[1], diff);
  return 0;
}
