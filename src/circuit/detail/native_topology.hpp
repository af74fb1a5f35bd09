// SPDX-License-Identifier: MIT
#pragma once
/// @file Node graph of the canonical crossbar for the native solver (private header).
///
/// Zero-ohm wires merge nodes (union-find); the driver's output node is folded into the first
/// row segment (r_driver and r_row in series: one conductance 1/(r_driver + r_row)), so the
/// driver node of row i is the source terminal itself (a fixed node at V_i). Every remaining
/// node is either fixed (a driver, or an ideal sense node at 0 V) or an unknown.
///
/// Node references are encoded in one int: >= 0 an unknown index; -1-i the driver of row i;
/// -1-R-j the (ideal, 0 V) sense node of column j.
///
/// When r_row > 0 and r_col > 0 nothing merges and the unknowns have the canonical "grid"
/// layout: row node (i,j) = 2(iC+j), column node (i,j) = 2(iC+j)+1, and with a TIA the sense
/// node of column j = 2RC+j.

#include <Eigen/Core>
#include <algorithm>
#include <numeric>
#include <string>
#include <vector>

#include "xbarsim/circuit/crossbar_spec.hpp"

namespace xbarsim::circuit::detail {

/// Disjoint sets of node ids 0..n-1 with path halving; the smallest id of a set is its root.
class UnionFind {
 public:
  explicit UnionFind(std::size_t n) : parent_(n) { std::iota(parent_.begin(), parent_.end(), 0); }
  int find(int a) {
    while (parent_[a] != a) {
      parent_[a] = parent_[parent_[a]];
      a = parent_[a];
    }
    return a;
  }
  void unite(int a, int b) {
    a = find(a);
    b = find(b);
    if (a != b) parent_[std::max(a, b)] = std::min(a, b);
  }

 private:
  std::vector<int> parent_;
};

struct WireEdge {
  int a;     ///< encoded node
  int b;     ///< encoded node
  double g;  ///< conductance (S), > 0
};

class Topology {
 public:
  explicit Topology(const CrossbarSpec& spec);

  Eigen::Index rows() const noexcept { return rows_; }
  Eigen::Index cols() const noexcept { return cols_; }
  Eigen::Index unknowns() const noexcept { return unknowns_; }
  /// True when the sense nodes are unknowns (an amplifier that does not hold its input at 0 V).
  bool freeSense() const noexcept { return free_sense_; }
  /// True when the unknowns have the canonical grid layout (no merged nodes).
  bool gridLayout() const noexcept { return grid_; }

  static bool isUnknown(int node) noexcept { return node >= 0; }
  int driverNode(Eigen::Index i) const noexcept { return -1 - static_cast<int>(i); }
  int senseNode(Eigen::Index j) const noexcept { return -1 - static_cast<int>(rows_ + j); }
  /// For a fixed node: row index of its driver, or -1 for a sense node.
  int driverOf(int node) const noexcept {
    const int f = -1 - node;
    return f < rows_ ? f : -1;
  }

  /// Encoded node of the row side / column side of cell (i,j).
  int rowNode(Eigen::Index i, Eigen::Index j) const noexcept { return row_node_[i * cols_ + j]; }
  int colNode(Eigen::Index i, Eigen::Index j) const noexcept { return col_node_[i * cols_ + j]; }
  /// Encoded node of the sense node of column j (an unknown with a TIA, fixed otherwise).
  int outNode(Eigen::Index j) const noexcept { return out_node_[j]; }

  const std::vector<WireEdge>& wires() const noexcept { return wires_; }

  /// Name of an encoded node as in generated decks plus what it is, e.g.
  /// "c3_5 (column node of cell (3,5))", "in2 (row 2 wire, 8 merged nodes)".
  std::string nodeName(int node) const;

  /// Voltage of an encoded node given the unknowns x and the row inputs v_in.
  double voltage(int node, const double* x, const double* v_in) const noexcept {
    if (node >= 0) return x[node];
    const int f = -1 - node;
    return f < rows_ ? v_in[f] : 0.0;
  }

 private:
  Eigen::Index rows_ = 0;
  Eigen::Index cols_ = 0;
  Eigen::Index unknowns_ = 0;
  bool free_sense_ = false;
  bool grid_ = false;
  std::vector<int> row_node_;
  std::vector<int> col_node_;
  std::vector<int> out_node_;
  std::vector<WireEdge> wires_;
  /// Representative physical node of each unknown (for names) and its merged-node count.
  std::vector<int> repr_;
  std::vector<int> merged_count_;
};

}  // namespace xbarsim::circuit::detail
