// SPDX-License-Identifier: MIT
// bench_train_circuit: the cost of training through the circuit (issue 14, item 2). Not a test.
//
//   bench_train_circuit [--size N] [--batch B] [--bl L] [--r-wire OHM] [--tiles T]
//                       [--batches K] [--check-slots S] [--sweeps W]
//
// For one N×N tile (default 256; G uniform in [1, 25] µS, r_row = r_col = 1 Ω, ideal driver and
// sense) prints the time of: the factorization of one conductance state, a forward read of a
// batch of B (default 128) vectors, a backward read of B vectors, and the update of one
// mini-batch of B samples by stochastic pulse coincidence (L = 31 slots per sample, two polarity
// phases per slot, V/2 biasing, cell voltages of the selected cells by the ladder
// approximation, threshold efficiency law), plus the rebuild of the ladders for a new state
// (per sample, if an engine refreshes them). Then the ladder's error against the exact solve
// on S slots of that mini-batch, the exact and iterative per-slot times, and the estimate of a
// Fashion-MNIST epoch: K mini-batches (default 469 = 60000/128) × T tiles (default 6: the
// 784-256-128-10 MLP on 256×256 tiles is 4 + 1 + 1), on 1 core and on 2 (two tiles at once,
// measured with two threads), and the same from the MLP's actual tile shapes. Times are CPU times
// of the measuring thread (the machine may be shared), except the wall time of the two-thread run.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "xbarsim/circuit/training_crossbar.hpp"

using namespace xbarsim::circuit;
using Clock = std::chrono::steady_clock;

namespace {

double since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

/// CPU time of the calling thread (s): the cost on a machine that other jobs share.
double threadCpu() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

CrossbarSpec tileSpec(Eigen::Index rows, Eigen::Index cols, double r_wire_ohm, unsigned seed) {
  CrossbarSpec s;
  s.rows = rows;
  s.cols = cols;
  s.r_row_ohm = s.r_col_ohm = r_wire_ohm;
  s.g_s.resize(rows, cols);
  std::mt19937_64 gen(seed);
  std::uniform_real_distribution<double> d(1e-6, 25e-6);
  for (Eigen::Index k = 0; k < s.g_s.size(); ++k) s.g_s.data()[k] = d(gen);
  return s;
}

/// One pulse-slot phase: selected rows/columns and the polarity.
struct Phase {
  std::vector<Eigen::Index> rows, cols;
  int polarity = 1;
};

/// The phases of a mini-batch: per sample, activations x (half of them zero, the rest uniform in
/// (0,1]) and errors δ ~ N(0,1); per slot row i fires with probability x_i/max x, column j with
/// |δ_j|/max|δ| (aihwkit's stochastic rounding with the learning rate folded into the
/// amplitudes); Δw = −η x δ, so the columns with δ < 0 fire in the positive phase and those with
/// δ > 0 in the negative one.
std::vector<Phase> miniBatchPhases(Eigen::Index n, Eigen::Index m, int batch, int bl,
                                   std::mt19937_64& gen) {
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::normal_distribution<double> nd(0.0, 1.0);
  std::vector<Phase> phases;
  phases.reserve(static_cast<std::size_t>(batch * bl * 2));
  Eigen::VectorXd x(n), d(m);
  for (int b = 0; b < batch; ++b) {
    for (Eigen::Index i = 0; i < n; ++i) x[i] = u(gen) < 0.5 ? 0.0 : u(gen);
    for (Eigen::Index j = 0; j < m; ++j) d[j] = nd(gen);
    const double xm = std::max(x.maxCoeff(), 1e-30), dm = d.cwiseAbs().maxCoeff();
    for (int t = 0; t < bl; ++t) {
      Phase pos, neg;
      pos.polarity = 1;
      neg.polarity = -1;
      std::vector<Eigen::Index> rows;
      for (Eigen::Index i = 0; i < n; ++i)
        if (u(gen) < x[i] / xm) rows.push_back(i);
      for (Eigen::Index j = 0; j < m; ++j)
        if (u(gen) < std::abs(d[j]) / dm) (d[j] < 0.0 ? pos : neg).cols.push_back(j);
      pos.rows = neg.rows = rows;
      if (!rows.empty() && !pos.cols.empty()) phases.push_back(std::move(pos));
      if (!rows.empty() && !neg.cols.empty()) phases.push_back(std::move(neg));
    }
  }
  return phases;
}

/// Applies the phases (ladder voltages of the selected cells, threshold efficiency) and
/// accumulates the signed step fractions per cell; returns the number of cell pulses.
long applyPhases(TrainingCrossbar& xb, const std::vector<Phase>& phases, const UpdateBias& bias,
                 const PulseEfficiency& eff, Eigen::MatrixXd& acc) {
  long pulses = 0;
  const Eigen::Index n = xb.rows();
  for (const Phase& ph : phases) {
    const auto t = biasTerminals(bias, n, xb.cols(), ph.rows, ph.cols, ph.polarity);
    const Eigen::MatrixXd v = xb.selectedCellVoltages(ph.rows, ph.cols, t.rows_v, t.cols_v);
    for (std::size_t b = 0; b < ph.cols.size(); ++b)
      for (std::size_t a = 0; a < ph.rows.size(); ++a)
        acc(ph.rows[a], ph.cols[b]) +=
            eff(v(static_cast<Eigen::Index>(a), static_cast<Eigen::Index>(b)));
    pulses += static_cast<long>(ph.rows.size() * ph.cols.size());
  }
  return pulses;
}

/// One training step of one tile: new state, forward, backward, update. Returns its CPU time.
double tileStep(TrainingCrossbar& xb, const Eigen::MatrixXd& g, const Eigen::MatrixXd& x,
                const Eigen::MatrixXd& d, const std::vector<Phase>& phases, Eigen::MatrixXd& acc) {
  const double c0 = threadCpu();
  xb.setConductances(g);
  const Eigen::MatrixXd y = xb.forward(x);
  const Eigen::MatrixXd z = xb.backward(d);
  (void)applyPhases(xb, phases, UpdateBias{}, PulseEfficiency{}, acc);
  acc(0, 0) += 1e-30 * (y(0, 0) + z(0, 0));  // keep the results alive
  return threadCpu() - c0;
}

}  // namespace

int main(int argc, char** argv) {
  long n = 256, batch = 128, bl = 31, tiles = 6, batches = 469, check_slots = 6, sweeps = 2;
  double r_wire = 1.0;
  for (int a = 1; a < argc; ++a) {
    const std::string arg = argv[a];
    if (arg == "--size" && a + 1 < argc)
      n = std::atol(argv[++a]);
    else if (arg == "--batch" && a + 1 < argc)
      batch = std::atol(argv[++a]);
    else if (arg == "--bl" && a + 1 < argc)
      bl = std::atol(argv[++a]);
    else if (arg == "--tiles" && a + 1 < argc)
      tiles = std::atol(argv[++a]);
    else if (arg == "--batches" && a + 1 < argc)
      batches = std::atol(argv[++a]);
    else if (arg == "--check-slots" && a + 1 < argc)
      check_slots = std::atol(argv[++a]);
    else if (arg == "--r-wire" && a + 1 < argc)
      r_wire = std::atof(argv[++a]);
    else if (arg == "--sweeps" && a + 1 < argc)
      sweeps = std::atol(argv[++a]);
    else {
      std::fprintf(stderr,
                   "usage: bench_train_circuit [--size N] [--batch B] [--bl L] [--r-wire OHM] "
                   "[--tiles T] [--batches K] [--check-slots S] [--sweeps W]\n");
      return 2;
    }
  }
  std::printf(
      "bench_train_circuit: %ldx%ld tile, r_row = r_col = %g ohm, G in [1,25] uS, batch %ld, "
      "BL %ld, V/2, %ld ladder sweeps, 1 thread per tile\n",
      n, n, r_wire, batch, bl, sweeps);
  const auto spec = tileSpec(n, n, r_wire, 42);
  TrainingCrossbarOptions opt;
  opt.ladder_sweeps = static_cast<int>(sweeps);
  TrainingCrossbar xb(spec, opt);
  std::mt19937_64 gen(7);
  const Eigen::MatrixXd x = (Eigen::MatrixXd::Random(n, batch).array() + 1.0) * 0.1;
  const Eigen::MatrixXd d = Eigen::MatrixXd::Random(n, batch) * 0.1;

  // Factorization of a conductance state (forward and backward share it).
  const int reps = 3;
  double c0 = threadCpu();
  for (int r = 0; r < reps; ++r) {
    xb.setConductances(spec.g_s * (1.0 + 0.01 * r));
    (void)xb.forwardMatrix();
  }
  const double t_fact = (threadCpu() - c0) / reps;
  c0 = threadCpu();
  for (int r = 0; r < reps; ++r) (void)xb.forward(x);
  const double t_fwd = (threadCpu() - c0) / reps;
  c0 = threadCpu();
  for (int r = 0; r < reps; ++r) (void)xb.backward(d);
  const double t_bwd = (threadCpu() - c0) / reps;

  // Update of one mini-batch.
  const auto phases = miniBatchPhases(n, n, static_cast<int>(batch), static_cast<int>(bl), gen);
  Eigen::MatrixXd acc = Eigen::MatrixXd::Zero(n, n);
  c0 = threadCpu();
  const long pulses = applyPhases(xb, phases, UpdateBias{}, PulseEfficiency{}, acc);
  const double t_upd = threadCpu() - c0;
  double sel_rows = 0.0, sel_cols = 0.0;
  for (const Phase& ph : phases) {
    sel_rows += static_cast<double>(ph.rows.size());
    sel_cols += static_cast<double>(ph.cols.size());
  }
  const double nph = static_cast<double>(std::max<std::size_t>(phases.size(), 1));
  // Rebuild for a new state (setConductances + the lines' factors and Green's functions).
  c0 = threadCpu();
  for (int r = 0; r < reps; ++r) {
    xb.setConductances(spec.g_s * (1.0 + 0.01 * r));
    (void)xb.selectedCellVoltages({0}, {0}, Eigen::VectorXd::Zero(n), Eigen::VectorXd::Zero(n));
  }
  const double t_ladder = (threadCpu() - c0) / reps;
  std::printf("factorization %.4f s | forward batch %ld %.4f s | backward batch %ld %.4f s\n",
              t_fact, batch, t_fwd, batch, t_bwd);
  std::printf(
      "update of a mini-batch: %zu phases (mean %.1f rows x %.1f columns selected), %ld cell "
      "pulses, %.4f s (%.1f us per phase); line data rebuild per state %.5f s\n",
      phases.size(), sel_rows / nph, sel_cols / nph, pulses, t_upd, 1e6 * t_upd / nph, t_ladder);

  // Accuracy of the ladder against the exact solve on a few phases of this mini-batch, and the
  // per-slot cost of the exact and iterative modes.
  xb.setConductances(spec.g_s);
  double worst = 0.0, drop = 0.0, t_exact = 0.0, t_iter = 0.0;
  int iters = 0;
  const long step =
      std::max<long>(1, static_cast<long>(phases.size()) / std::max<long>(check_slots, 1));
  long checked = 0;
  for (long k = 0; k < static_cast<long>(phases.size()) && checked < check_slots;
       k += step, ++checked) {
    const Phase& ph = phases[static_cast<std::size_t>(k)];
    const auto t = biasTerminals(UpdateBias{}, n, n, ph.rows, ph.cols, ph.polarity);
    double c1 = threadCpu();
    const Eigen::MatrixXd ex = xb.cellVoltages(t.rows_v, t.cols_v);
    if (checked > 0) t_exact += threadCpu() - c1;  // the first call factorizes with stored factors
    c1 = threadCpu();
    const Eigen::MatrixXd it = xb.cellVoltages(t.rows_v, t.cols_v, UpdateCircuitMode::Iterative);
    t_iter += threadCpu() - c1;
    iters = std::max(iters, xb.lastCgIterations());
    const Eigen::MatrixXd ap = xb.selectedCellVoltages(ph.rows, ph.cols, t.rows_v, t.cols_v);
    for (std::size_t b = 0; b < ph.cols.size(); ++b)
      for (std::size_t a = 0; a < ph.rows.size(); ++a) {
        const double e = ex(ph.rows[a], ph.cols[b]);
        worst = std::max(
            worst, std::abs(ap(static_cast<Eigen::Index>(a), static_cast<Eigen::Index>(b)) - e));
        drop = std::max(drop, std::abs(ph.polarity - e));
      }
    (void)it;
  }
  std::printf(
      "%ld phases checked: IR drop on selected cells up to %.4f V_p, ladder error up to %.4f V_p; "
      "exact %.4f s per slot, iterative %.4f s per slot (<= %d CG iterations)\n",
      checked, drop, worst, t_exact / std::max<long>(checked - 1, 1),
      t_iter / std::max<long>(checked, 1), iters);

  // Epoch estimate, 1 core: batches × tiles × (factorization + forward + backward + update).
  const double t_tile = t_fact + t_fwd + t_bwd + t_upd;
  const double epoch_1 = static_cast<double>(batches * tiles) * t_tile;
  // 2 cores: two tiles at once, each on its own thread (measured).
  TrainingCrossbar xb2(spec, opt);
  Eigen::MatrixXd acc2 = Eigen::MatrixXd::Zero(n, n);
  double t_a = 0.0, t_b = 0.0;
  const auto t0 = Clock::now();
  std::thread th([&] { t_b = tileStep(xb2, spec.g_s * 1.02, x, d, phases, acc2); });
  t_a = tileStep(xb, spec.g_s * 1.03, x, d, phases, acc);
  th.join();
  const double t_pair = since(t0);
  const double epoch_2 =
      static_cast<double>(batches) * static_cast<double>((tiles + 1) / 2) * t_pair;
  const double epoch_2cpu =
      static_cast<double>(batches) * static_cast<double>((tiles + 1) / 2) * std::max(t_a, t_b);
  std::printf(
      "tile step (1 thread, CPU) %.3f s; two tiles on two threads: wall %.3f s, CPU %.3f and %.3f "
      "s\n",
      t_tile, t_pair, t_a, t_b);
  std::printf(
      "epoch estimate (%ld mini-batches x %ld tiles): %.1f min on 1 core (CPU time); 2 cores: "
      "%.1f min from the threads' CPU time, %.1f min from the wall time of this run (load %s)\n",
      batches, tiles, epoch_1 / 60.0, epoch_2cpu / 60.0, epoch_2 / 60.0, "shared machine");

  // The Fashion-MNIST MLP 784-256-128-10 on tiles of at most N×N (N = 256): 784 rows = 3 full
  // tiles + one of 16 rows, then 256×128 and 128×10. One training step per tile and mini-batch
  // (no backward read is needed for the first layer; it is counted anyway). 2 cores: the tiles
  // of a step spread over two threads, largest first (each tile on one thread).
  const std::vector<std::pair<Eigen::Index, Eigen::Index>> shapes = {
      {n, n}, {n, n}, {n, n}, {784 - 3 * n > 0 ? 784 - 3 * n : 1, n}, {n, 128}, {128, 10}};
  std::vector<double> t_shape;
  unsigned seed = 100;
  for (const auto& [r, c] : shapes) {
    const auto s = tileSpec(r, c, r_wire, seed++);
    TrainingCrossbar tile(s, opt);
    const auto ph = miniBatchPhases(r, c, static_cast<int>(batch), static_cast<int>(bl), gen);
    Eigen::MatrixXd a = Eigen::MatrixXd::Zero(r, c);
    const Eigen::MatrixXd xs = (Eigen::MatrixXd::Random(r, batch).array() + 1.0) * 0.1;
    const Eigen::MatrixXd ds = Eigen::MatrixXd::Random(c, batch) * 0.1;
    t_shape.push_back(tileStep(tile, s.g_s, xs, ds, ph, a));
  }
  std::vector<double> sorted = t_shape;
  std::sort(sorted.begin(), sorted.end(), std::greater<>());
  double core[2] = {0.0, 0.0}, total = 0.0;
  for (const double t : sorted) {
    core[core[0] <= core[1] ? 0 : 1] += t;
    total += t;
  }
  std::printf("MLP 784-256-128-10 step per mini-batch (CPU):");
  for (std::size_t k = 0; k < shapes.size(); ++k)
    std::printf(" %ldx%ld %.3f s%s", static_cast<long>(shapes[k].first),
                static_cast<long>(shapes[k].second), t_shape[k],
                k + 1 < shapes.size() ? "," : "\n");
  std::printf(
      "MLP epoch (%ld mini-batches): %.1f min on 1 core, %.1f min on 2 cores (tiles spread "
      "over two threads)\n",
      batches, static_cast<double>(batches) * total / 60.0,
      static_cast<double>(batches) * std::max(core[0], core[1]) / 60.0);
  return acc.allFinite() && acc2.allFinite() ? 0 : 1;
}
