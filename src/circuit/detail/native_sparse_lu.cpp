// SPDX-License-Identifier: MIT
#include "detail/native_sparse_lu.hpp"

#include <fmt/format.h>

#include <Eigen/OrderingMethods>
#include <Eigen/SparseLU>
#include <algorithm>

#include "detail/native_sparse.hpp"
#include "xbarsim/core/error.hpp"

namespace xbarsim::circuit::detail {

struct SparseNodalLU::Impl {
  Eigen::SparseLU<Eigen::SparseMatrix<double>, Eigen::COLAMDOrdering<int>> lu;
  bool analyzed = false;
};

SparseNodalLU::SparseNodalLU(const Topology& topo) : topo_(topo), impl_(std::make_unique<Impl>()) {
  const Eigen::Index n = topo.unknowns();
  const Eigen::Index R = topo.rows();
  const Eigen::Index C = topo.cols();
  std::vector<Eigen::Triplet<double>> trip;
  auto addPair = [&](int a, int b) {
    if (a >= 0) trip.emplace_back(a, a, 0.0);
    if (b >= 0) trip.emplace_back(b, b, 0.0);
    if (a >= 0 && b >= 0) {
      trip.emplace_back(a, b, 0.0);
      trip.emplace_back(b, a, 0.0);
    }
  };
  for (Eigen::Index i = 0; i < R; ++i)
    for (Eigen::Index j = 0; j < C; ++j) addPair(topo.rowNode(i, j), topo.colNode(i, j));
  for (const auto& w : topo.wires()) addPair(w.a, w.b);
  for (int v = 0; v < n; ++v) trip.emplace_back(v, v, 0.0);
  a_.resize(n, n);
  a_.setFromTriplets(trip.begin(), trip.end());  // duplicates summed (all zero)
  a_.makeCompressed();
  auto slot = [&](int row, int col) { return cscSlot(a_, row, col); };
  auto slotsOf = [&](int a, int b, std::vector<int>& out) {
    out.push_back(a >= 0 ? slot(a, a) : -1);
    out.push_back(a >= 0 && b >= 0 ? slot(a, b) : -1);
    out.push_back(a >= 0 && b >= 0 ? slot(b, a) : -1);
    out.push_back(b >= 0 ? slot(b, b) : -1);
  };
  for (Eigen::Index i = 0; i < R; ++i)
    for (Eigen::Index j = 0; j < C; ++j) slotsOf(topo.rowNode(i, j), topo.colNode(i, j), cell_slots_);
  for (const auto& w : topo.wires()) slotsOf(w.a, w.b, wire_slots_);
  if (topo.freeSense())
    for (Eigen::Index j = 0; j < C; ++j) load_slots_.push_back(slot(topo.outNode(j), topo.outNode(j)));
}

SparseNodalLU::~SparseNodalLU() = default;

void SparseNodalLU::factorize(const Eigen::MatrixXd& g_a, const Eigen::MatrixXd& g_b,
                              const Eigen::VectorXd& g_load) {
  double* val = a_.valuePtr();
  std::fill(val, val + a_.nonZeros(), 0.0);
  // Row equation of a: +I(V_a, V_b); column equation of b: −I. J = ∂(KCL)/∂x.
  auto stamp = [val](const int* s, double ga, double gb) {
    if (s[0] >= 0) val[s[0]] += ga;   // (a, a)
    if (s[1] >= 0) val[s[1]] -= gb;   // (a, b)
    if (s[2] >= 0) val[s[2]] -= ga;   // (b, a)
    if (s[3] >= 0) val[s[3]] += gb;   // (b, b)
  };
  const Eigen::Index R = topo_.rows();
  const Eigen::Index C = topo_.cols();
  for (Eigen::Index i = 0; i < R; ++i)
    for (Eigen::Index j = 0; j < C; ++j)
      stamp(&cell_slots_[static_cast<std::size_t>(4 * (i * C + j))], g_a(i, j), g_b(i, j));
  const auto& wires = topo_.wires();
  for (std::size_t e = 0; e < wires.size(); ++e) stamp(&wire_slots_[4 * e], wires[e].g, wires[e].g);
  for (std::size_t j = 0; j < load_slots_.size(); ++j)
    val[load_slots_[j]] += g_load[static_cast<Eigen::Index>(j)];
  if (a_.rows() == 0) return;  // every node fixed (ideal wires): nothing to factorize
  if (!impl_->analyzed) {
    impl_->lu.analyzePattern(a_);
    impl_->analyzed = true;
  }
  impl_->lu.factorize(a_);
  if (impl_->lu.info() != Eigen::Success) {
    const auto floating = SparseNodal::floatingNodes(topo_, g_a, g_load);
    if (!floating.empty()) {
      std::string names = topo_.nodeName(floating.front());
      if (floating.size() > 1) names += fmt::format(" and {} more", floating.size() - 1);
      throw NumericalError(fmt::format(
          "native solver: singular circuit matrix: floating node {} (no conducting path to a "
          "driver or sense node; a 1T1R cell in cut-off conducts nothing)", names));
    }
    throw NumericalError(fmt::format("native solver: sparse LU failed: {}", impl_->lu.lastErrorMessage()));
  }
}

void SparseNodalLU::solve(Eigen::MatrixXd& b) const {
  if (a_.rows() == 0) return;
  b = impl_->lu.solve(b);
}

std::size_t SparseNodalLU::factorNonZeros() const noexcept {
  if (a_.rows() == 0) return 0;
  return static_cast<std::size_t>(impl_->lu.nnzL() + impl_->lu.nnzU());
}

}  // namespace xbarsim::circuit::detail
