// SPDX-License-Identifier: MIT
#include "detail/native_sparse.hpp"

#include <fmt/format.h>

#include <Eigen/OrderingMethods>
#include <Eigen/SparseCholesky>
#include <algorithm>

#include "xbarsim/core/error.hpp"

namespace xbarsim::circuit::detail {

struct SparseNodal::Impl {
  Eigen::SimplicialLDLT<Eigen::SparseMatrix<double>, Eigen::Lower, Eigen::AMDOrdering<int>> ldlt;
  bool analyzed = false;
};

namespace {
struct Entry {
  int row, col;
};
}  // namespace

SparseNodal::SparseNodal(const Topology& topo) : topo_(topo), impl_(std::make_unique<Impl>()) {
  const Eigen::Index n = topo.unknowns();
  const Eigen::Index R = topo.rows();
  const Eigen::Index C = topo.cols();
  // Collect the lower-triangle coordinates of every stamp, then build the CSC pattern.
  std::vector<Entry> entries;
  auto addPair = [&](int a, int b) {
    if (a >= 0) entries.push_back({a, a});
    if (b >= 0) entries.push_back({b, b});
    if (a >= 0 && b >= 0) entries.push_back({std::max(a, b), std::min(a, b)});
  };
  for (Eigen::Index i = 0; i < R; ++i)
    for (Eigen::Index j = 0; j < C; ++j) addPair(topo.rowNode(i, j), topo.colNode(i, j));
  for (const auto& w : topo.wires()) addPair(w.a, w.b);
  for (int v = 0; v < n; ++v) entries.push_back({v, v});  // every diagonal exists
  std::sort(entries.begin(), entries.end(), [](const Entry& x, const Entry& y) {
    return x.col != y.col ? x.col < y.col : x.row < y.row;
  });
  entries.erase(std::unique(entries.begin(), entries.end(),
                            [](const Entry& x, const Entry& y) {
                              return x.col == y.col && x.row == y.row;
                            }),
                entries.end());
  std::vector<Eigen::Triplet<double>> trip;
  trip.reserve(entries.size());
  for (const auto& e : entries) trip.emplace_back(e.row, e.col, 0.0);
  a_.resize(n, n);
  a_.setFromTriplets(trip.begin(), trip.end());
  a_.makeCompressed();
  auto slot = [&](int row, int col) { return cscSlot(a_, row, col); };
  auto slotsOf = [&](int a, int b, std::vector<int>& out) {
    out.push_back(a >= 0 ? slot(a, a) : -1);
    out.push_back(b >= 0 ? slot(b, b) : -1);
    out.push_back(a >= 0 && b >= 0 ? slot(std::max(a, b), std::min(a, b)) : -1);
  };
  for (Eigen::Index i = 0; i < R; ++i)
    for (Eigen::Index j = 0; j < C; ++j) slotsOf(topo.rowNode(i, j), topo.colNode(i, j), cell_slots_);
  for (const auto& w : topo.wires()) slotsOf(w.a, w.b, wire_slots_);
  if (topo.freeSense())
    for (Eigen::Index j = 0; j < C; ++j) load_slots_.push_back(slot(topo.outNode(j), topo.outNode(j)));
}

SparseNodal::~SparseNodal() = default;

std::vector<int> SparseNodal::floatingNodes(const Topology& topo, const Eigen::MatrixXd& g_cell,
                                            const Eigen::VectorXd& g_load) {
  const int n = static_cast<int>(topo.unknowns());
  std::vector<std::vector<int>> adj(static_cast<std::size_t>(n));
  std::vector<char> seen(static_cast<std::size_t>(n), 0);
  std::vector<int> stack;
  auto link = [&](int a, int b, double g) {
    if (!(g > 0.0)) return;
    if (a >= 0 && b >= 0) {
      adj[a].push_back(b);
      adj[b].push_back(a);
    } else if (a >= 0 && !seen[a]) {
      seen[a] = 1;
      stack.push_back(a);
    } else if (b >= 0 && !seen[b]) {
      seen[b] = 1;
      stack.push_back(b);
    }
  };
  for (Eigen::Index i = 0; i < topo.rows(); ++i)
    for (Eigen::Index j = 0; j < topo.cols(); ++j)
      link(topo.rowNode(i, j), topo.colNode(i, j), g_cell(i, j));
  for (const auto& w : topo.wires()) link(w.a, w.b, w.g);
  if (topo.freeSense())
    for (Eigen::Index j = 0; j < topo.cols(); ++j)
      if (g_load.size() > j && g_load[j] > 0.0 && !seen[topo.outNode(j)]) {
        seen[topo.outNode(j)] = 1;
        stack.push_back(topo.outNode(j));
      }
  while (!stack.empty()) {
    const int v = stack.back();
    stack.pop_back();
    for (int u : adj[v])
      if (!seen[u]) {
        seen[u] = 1;
        stack.push_back(u);
      }
  }
  std::vector<int> floating;
  for (int v = 0; v < n; ++v)
    if (!seen[v]) floating.push_back(v);
  return floating;
}

void SparseNodal::factorize(const Eigen::MatrixXd& g_cell, const Eigen::VectorXd& g_load) {
  double* val = a_.valuePtr();
  std::fill(val, val + a_.nonZeros(), 0.0);
  auto stamp = [val](const int* s, double g) {
    if (s[0] >= 0) val[s[0]] += g;
    if (s[1] >= 0) val[s[1]] += g;
    if (s[2] >= 0) val[s[2]] -= g;
  };
  const Eigen::Index R = topo_.rows();
  const Eigen::Index C = topo_.cols();
  for (Eigen::Index i = 0; i < R; ++i)
    for (Eigen::Index j = 0; j < C; ++j) stamp(&cell_slots_[3 * (i * C + j)], g_cell(i, j));
  const auto& wires = topo_.wires();
  for (std::size_t e = 0; e < wires.size(); ++e) stamp(&wire_slots_[3 * e], wires[e].g);
  for (std::size_t j = 0; j < load_slots_.size(); ++j) val[load_slots_[j]] += g_load[static_cast<Eigen::Index>(j)];
  if (!impl_->analyzed) {
    impl_->ldlt.analyzePattern(a_);
    impl_->analyzed = true;
  }
  impl_->ldlt.factorize(a_);
  bool ok = impl_->ldlt.info() == Eigen::Success;
  if (ok) {
    const auto d = impl_->ldlt.vectorD();
    ok = (d.array() > 0.0).all() && d.allFinite();
  }
  if (!ok) {
    const auto floating = floatingNodes(topo_, g_cell, g_load);
    if (!floating.empty()) {
      std::string names = topo_.nodeName(floating.front());
      if (floating.size() > 1) names += fmt::format(" and {} more", floating.size() - 1);
      throw NumericalError(fmt::format(
          "native solver: singular circuit matrix: floating node {} (no conducting path to a "
          "driver or sense node)", names));
    }
    throw NumericalError("native solver: circuit matrix is not positive definite (non-finite or "
                         "extreme conductances)");
  }
}

void SparseNodal::solve(Eigen::MatrixXd& b) const { b = impl_->ldlt.solve(b); }

std::size_t SparseNodal::factorNonZeros() const noexcept {
  return static_cast<std::size_t>(impl_->ldlt.matrixL().nestedExpression().nonZeros());
}

}  // namespace xbarsim::circuit::detail
