// SPDX-License-Identifier: MIT
// bench_native: timings of the native crossbar solver (issue 3). Not a test.
//
//   bench_native [--sizes 16,32,64,...] [--threads T] [--no-sinh] [--compare] [--compare-max N]
//
// For each N (an N×N array, G uniform in [1, 25] µS, r_row = r_col = 2.5 Ω, ideal driver and
// sense; each size in a forked child so that its peak RSS is its own) it prints: linear W_eff
// (one grid factorization; the multiport matrix gives W_eff), the factorization alone with the
// factors kept, one linear MVM, W_eff and one MVM of the sinh circuit (V0 = 0.25 V, read at
// 0.2 V; Newton iterations), and the peak RSS. --compare also times the candidate solvers on
// the same nodal matrix: Eigen SimplicialLDLT (AMD) + R solves, CHOLMOD supernodal + R solves,
// KLU + R solves, SimplicialLDLT with the boundary nodes ordered last + Schur complement
// (the baseline of docs/ngspice-notes.md §2.4), and the grid multifrontal.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <Eigen/CholmodSupport>
#include <Eigen/Dense>
#include <Eigen/KLUSupport>
#include <Eigen/OrderingMethods>
#include <Eigen/SparseCholesky>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "detail/native_dense.hpp"
#include "detail/native_grid.hpp"
#include "detail/native_sparse.hpp"
#include "detail/native_topology.hpp"
#include "xbarsim/circuit/native_solver.hpp"

using namespace xbarsim::circuit;
using Clock = std::chrono::steady_clock;

namespace {

double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

double peakRssMb() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return static_cast<double>(ru.ru_maxrss) / 1024.0;
}

CrossbarSpec makeSpec(Eigen::Index n, bool sinh) {
  CrossbarSpec s;
  s.rows = s.cols = n;
  s.r_row_ohm = s.r_col_ohm = 2.5;
  s.g_s.resize(n, n);
  std::mt19937_64 gen(42);
  std::uniform_real_distribution<double> d(1e-6, 25e-6);
  for (Eigen::Index j = 0; j < n; ++j)
    for (Eigen::Index i = 0; i < n; ++i) s.g_s(i, j) = d(gen);
  if (sinh) {
    s.iv.kind = xbarsim::device::IvKind::Sinh;
    s.iv.v0_v = 0.25;
  }
  return s;
}

int g_leaf = 0;  // 0: the solver's default

void runSize(Eigen::Index n, int threads, bool sinh) {
  NativeOptions opt;
  opt.threads = threads;
  if (g_leaf > 0) opt.leaf_size = g_leaf;
  const auto spec = makeSpec(n, false);
  auto t0 = Clock::now();
  NativeSolver lin(spec, opt);
  const double setup = since(t0);
  t0 = Clock::now();
  const Eigen::MatrixXd w = lin.effectiveWeights();
  const double weff = since(t0);
  const double weff_rss = peakRssMb();
  Eigen::VectorXd x(n);
  std::mt19937_64 gen(7);
  std::uniform_real_distribution<double> d(0.0, 0.2);
  for (Eigen::Index i = 0; i < n; ++i) x[i] = d(gen);
  t0 = Clock::now();
  const Eigen::VectorXd cur = lin.currents(x);
  const double mvm_first = since(t0);
  const double factor_keep = lin.report().factor_s;
  const double factor_mb = static_cast<double>(lin.report().factor_bytes) / 1048576.0;
  t0 = Clock::now();
  (void)lin.currents(x * 0.5);
  const double mvm_next = since(t0);
  const double mvm_err = (cur - w * x).cwiseAbs().maxCoeff() / cur.cwiseAbs().maxCoeff();
  double s_weff = -1, s_mvm = -1;
  int s_it = 0, s_it2 = 0;
  lin = NativeSolver(makeSpec(1, false), opt);  // free the linear factors
  if (sinh) {
    NativeSolver nl(makeSpec(n, true), opt);
    t0 = Clock::now();
    (void)nl.effectiveWeights(0.2);
    s_weff = since(t0);
    s_it = nl.report().newton_iterations;
    nl.resetWarmStart();
    Eigen::VectorXd xs = x * 2.5;  // inputs in [0, 0.5] V
    t0 = Clock::now();
    (void)nl.currents(xs);
    s_mvm = since(t0);
    s_it2 = nl.report().newton_iterations;
  }
  std::printf("%6ld %9ld %8.3f %9.3f %8.0f %9.3f %9.3f %9.4f %8.1f %9.2e %9.3f %3d %9.3f %3d %9.0f\n",
              static_cast<long>(n), static_cast<long>(2 * n * n), setup, weff, weff_rss, factor_keep,
              mvm_first, mvm_next, factor_mb, mvm_err, s_weff, s_it, s_mvm, s_it2, peakRssMb());
  std::fflush(stdout);
}

// ---- solver comparison on the same SPD nodal matrix -------------------------------------
using SpMat = Eigen::SparseMatrix<double>;

template <class Solver>
Eigen::MatrixXd weightsBySolves(const Solver& solver, Eigen::Index n, Eigen::Index unknowns,
                                double g_first, double g_col) {
  Eigen::MatrixXd w(n, n);
  const Eigen::Index block = 64;
  for (Eigen::Index i0 = 0; i0 < n; i0 += block) {
    const Eigen::Index nb = std::min(block, n - i0);
    Eigen::MatrixXd b = Eigen::MatrixXd::Zero(unknowns, nb);
    for (Eigen::Index t = 0; t < nb; ++t) b(2 * ((i0 + t) * n), t) = g_first;
    Eigen::MatrixXd z = solver.solve(b);
    for (Eigen::Index j = 0; j < n; ++j) w.block(j, i0, 1, nb) = g_col * z.row(2 * ((n - 1) * n + j) + 1);
  }
  return w;
}

void compareSize(Eigen::Index n, int threads) {
  const auto spec = makeSpec(n, false);
  detail::Topology topo(spec);
  detail::SparseNodal nodal(topo);
  nodal.factorize(spec.g_s, Eigen::VectorXd());
  SpMat lower = nodal.matrix();
  SpMat full = lower.selfadjointView<Eigen::Lower>();
  const Eigen::Index m = topo.unknowns();
  const double g = 1.0 / 2.5;
  std::printf("N=%ld (unknowns %ld)\n", static_cast<long>(n), static_cast<long>(m));
  Eigen::MatrixXd ref;
  auto report = [&](const char* name, double fact, double wtime, const Eigen::MatrixXd& w) {
    double err = ref.size() ? (w - ref).cwiseAbs().maxCoeff() / ref.cwiseAbs().maxCoeff() : 0.0;
    std::printf("  %-44s factor %9.3f s  W_eff %9.3f s  total %9.3f s  vs grid %.1e  RSS %6.0f MB\n",
                name, fact, wtime, fact + wtime, err, peakRssMb());
    std::fflush(stdout);
  };
  {
    detail::GridParams gp{n, n, g, g, g};
    detail::GridOptions go;
    go.threads = threads;
    detail::GridMultifrontal grid(gp, go);
    auto t0 = Clock::now();
    grid.factorize(spec.g_s, false);
    const double f = since(t0);
    ref = -grid.multiport().bottomLeftCorner(n, n);
    std::string name = std::string("grid multifrontal, ") + detail::dense::kernelName() +
                       ", threads " + std::to_string(threads);
    report(name.c_str(), f, 0.0, ref);
  }
  {
    detail::GridParams gp{n, n, g, g, g};
    detail::GridOptions go;
    go.threads = 1;
    detail::GridMultifrontal grid(gp, go);
    auto t0 = Clock::now();
    grid.factorize(spec.g_s, false);
    const double f = since(t0);
    report("grid multifrontal, 1 thread", f, 0.0, -grid.multiport().bottomLeftCorner(n, n));
  }
  {
    Eigen::SimplicialLDLT<SpMat, Eigen::Lower, Eigen::AMDOrdering<int>> s;
    auto t0 = Clock::now();
    s.compute(lower);
    const double f = since(t0);
    t0 = Clock::now();
    Eigen::MatrixXd w = weightsBySolves(s, n, m, g, g);
    report("Eigen SimplicialLDLT (AMD) + N solves", f, since(t0), w);
  }
  {
    Eigen::CholmodSupernodalLLT<SpMat, Eigen::Lower> s;
    auto t0 = Clock::now();
    s.compute(lower);
    const double f = since(t0);
    t0 = Clock::now();
    Eigen::MatrixXd w = weightsBySolves(s, n, m, g, g);
    report("CHOLMOD supernodal (ref. BLAS) + N solves", f, since(t0), w);
  }
  if (n <= 256) {
    Eigen::KLU<SpMat> s;
    auto t0 = Clock::now();
    s.compute(full);
    const double f = since(t0);
    t0 = Clock::now();
    Eigen::MatrixXd w = weightsBySolves(s, n, m, g, g);
    report("KLU + N solves", f, since(t0), w);
  }
  {
    // Boundary-last: B = row nodes (i,0) and column nodes (R-1,j); AMD on the interior.
    auto t0 = Clock::now();
    std::vector<char> isB(static_cast<std::size_t>(m), 0);
    std::vector<int> bnodes;
    for (Eigen::Index i = 0; i < n; ++i) bnodes.push_back(static_cast<int>(2 * (i * n)));
    for (Eigen::Index j = 0; j < n; ++j) bnodes.push_back(static_cast<int>(2 * ((n - 1) * n + j) + 1));
    for (int b : bnodes) isB[b] = 1;
    std::vector<int> interior;
    for (int v = 0; v < m; ++v)
      if (!isB[v]) interior.push_back(v);
    std::vector<int> newIndex(static_cast<std::size_t>(m), -1);
    for (std::size_t t = 0; t < interior.size(); ++t) newIndex[interior[t]] = static_cast<int>(t);
    const int ni = static_cast<int>(interior.size());
    std::vector<Eigen::Triplet<double>> trip;
    for (int c = 0; c < full.outerSize(); ++c)
      for (SpMat::InnerIterator it(full, c); it; ++it)
        if (!isB[it.row()] && !isB[c]) trip.emplace_back(newIndex[it.row()], newIndex[c], 1.0);
    SpMat aii(ni, ni);
    aii.setFromTriplets(trip.begin(), trip.end());
    Eigen::PermutationMatrix<Eigen::Dynamic, Eigen::Dynamic, int> p;
    Eigen::AMDOrdering<int> amd;
    amd(aii, p);
    std::vector<int> order;  // order[k] = original unknown eliminated k-th
    for (int k = 0; k < ni; ++k) order.push_back(interior[p.indices()[k]]);
    for (int b : bnodes) order.push_back(b);
    Eigen::PermutationMatrix<Eigen::Dynamic, Eigen::Dynamic, int> perm(static_cast<int>(m));
    for (int k = 0; k < m; ++k) perm.indices()[order[k]] = k;  // new index of original node
    SpMat ap(m, m);
    ap.selfadjointView<Eigen::Lower>() = lower.selfadjointView<Eigen::Lower>().twistedBy(perm);
    Eigen::SimplicialLDLT<SpMat, Eigen::Lower, Eigen::NaturalOrdering<int>> s;
    s.compute(ap);
    const double f = since(t0);
    t0 = Clock::now();
    const int nb = static_cast<int>(bnodes.size());
    SpMat l = s.matrixL();
    Eigen::MatrixXd lbb = Eigen::MatrixXd(l.bottomRightCorner(nb, nb));
    Eigen::VectorXd dbb = s.vectorD().tail(nb);
    Eigen::MatrixXd sc = lbb * dbb.asDiagonal() * lbb.transpose();
    Eigen::MatrixXd sinv = sc.llt().solve(Eigen::MatrixXd::Identity(nb, nb));
    Eigen::MatrixXd w(n, n);
    for (Eigen::Index j = 0; j < n; ++j)
      for (Eigen::Index i = 0; i < n; ++i) w(j, i) = g * g * sinv(n + j, i);
    report("SimplicialLDLT boundary-last + Schur (docs/ngspice-notes.md §2.4)", f, since(t0), w);
  }
}

std::vector<long> parseList(const char* s) {
  std::vector<long> v;
  for (const char* p = s; *p;) {
    v.push_back(std::strtol(p, const_cast<char**>(&p), 10));
    if (*p == ',') ++p;
  }
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<long> sizes = {16, 32, 48, 64, 128, 256, 512, 1024};
  int threads = 0;
  bool sinh = true, compare = false, fork_each = true;
  long compare_max = 256;
  for (int a = 1; a < argc; ++a) {
    const std::string arg = argv[a];
    if (arg == "--sizes" && a + 1 < argc) sizes = parseList(argv[++a]);
    else if (arg == "--threads" && a + 1 < argc) threads = std::atoi(argv[++a]);
    else if (arg == "--no-sinh") sinh = false;
    else if (arg == "--leaf" && a + 1 < argc) g_leaf = std::atoi(argv[++a]);
    else if (arg == "--compare") compare = true;
    else if (arg == "--compare-max" && a + 1 < argc) compare_max = std::atol(argv[++a]);
    else if (arg == "--no-fork") fork_each = false;
    else {
      std::fprintf(stderr, "usage: bench_native [--sizes 16,32,...] [--threads T] [--no-sinh] "
                           "[--compare] [--compare-max N] [--no-fork]\n");
      return 2;
    }
  }
  auto run = [&](auto&& fn) {
    if (!fork_each) return fn();
    std::fflush(stdout);
    const pid_t pid = fork();
    if (pid == 0) {
      fn();
      std::fflush(stdout);
      _exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) std::printf("  (child failed)\n");
  };
  std::printf("native solver benchmark: dense kernel %s, threads %d (0 = all cores)\n",
              detail::dense::kernelName(), threads);
  std::printf("times in s (wall), memory in MB; linear: r_row = r_col = 2.5 ohm, G in [1,25] uS\n");
 std::printf("%6s %9s %8s %9s %8s %9s %9s %9s %8s %9s %9s %3s %9s %3s %9s\n", "N", "unknowns", "setup",
              "W_eff", "RSS_W", "factor", "MVM_1st", "MVM_next", "fact_MB", "MVM_err", "sinhWeff", "it",
              "sinhMVM", "it", "peakRSS");
  for (long n : sizes) run([&] { runSize(n, threads, sinh); });
  if (compare) {
    std::printf("\nsolver comparison (linear W_eff, same nodal matrix)\n");
    for (long n : sizes)
      if (n <= compare_max) run([&] { compareSize(n, threads > 0 ? threads : 2); });
  }
  return 0;
}
