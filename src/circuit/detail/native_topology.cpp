// SPDX-License-Identifier: MIT
#include "detail/native_topology.hpp"

#include <fmt/format.h>

namespace xbarsim::circuit::detail {

// Physical node ids: driver i -> i; row node (i,j) -> R + iC + j; column node (i,j) ->
// R + RC + iC + j; sense node j -> R + 2RC + j.
Topology::Topology(const CrossbarSpec& spec)
    : rows_(spec.rows), cols_(spec.cols), free_sense_(!spec.sense->holdsInput()) {
  const int R = static_cast<int>(rows_);
  const int C = static_cast<int>(cols_);
  const int RC = R * C;
  const int n_phys = R + 2 * RC + C;
  auto drv = [](int i) { return i; };
  auto rn = [&](int i, int j) { return R + i * C + j; };
  auto cn = [&](int i, int j) { return R + RC + i * C + j; };
  auto on = [&](int j) { return R + 2 * RC + j; };

  const double r_first = spec.r_driver_ohm + spec.r_row_ohm;
  struct PhysEdge {
    int a, b;
    double g;
  };
  std::vector<PhysEdge> edges;
  UnionFind uf(static_cast<std::size_t>(n_phys));
  for (int i = 0; i < R; ++i) {
    if (r_first == 0.0) {
      uf.unite(drv(i), rn(i, 0));
    } else {
      edges.push_back({drv(i), rn(i, 0), 1.0 / r_first});
    }
    for (int j = 1; j < C; ++j) {
      if (spec.r_row_ohm == 0.0)
        uf.unite(rn(i, j - 1), rn(i, j));
      else
        edges.push_back({rn(i, j - 1), rn(i, j), 1.0 / spec.r_row_ohm});
    }
  }
  for (int j = 0; j < C; ++j) {
    for (int i = 0; i + 1 < R; ++i) {
      if (spec.r_col_ohm == 0.0)
        uf.unite(cn(i, j), cn(i + 1, j));
      else
        edges.push_back({cn(i, j), cn(i + 1, j), 1.0 / spec.r_col_ohm});
    }
    if (spec.r_col_ohm == 0.0)
      uf.unite(cn(R - 1, j), on(j));
    else
      edges.push_back({cn(R - 1, j), on(j), 1.0 / spec.r_col_ohm});
  }

  // Encode each merged group: fixed (driver / ideal sense) or a new unknown.
  constexpr int kUnassigned = 1 << 30;
  std::vector<int> code(static_cast<std::size_t>(n_phys), kUnassigned);
  for (int i = 0; i < R; ++i) code[uf.find(drv(i))] = -1 - i;
  if (!free_sense_)
    for (int j = 0; j < C; ++j) code[uf.find(on(j))] = -1 - R - j;
  int next = 0;
  auto assign = [&](int phys) {
    int& c = code[uf.find(phys)];
    if (c == kUnassigned) {
      c = next++;
      repr_.push_back(phys);
      merged_count_.push_back(0);
    }
    return c;
  };
  row_node_.resize(static_cast<std::size_t>(RC));
  col_node_.resize(static_cast<std::size_t>(RC));
  for (int i = 0; i < R; ++i)
    for (int j = 0; j < C; ++j) {
      row_node_[i * C + j] = assign(rn(i, j));
      col_node_[i * C + j] = assign(cn(i, j));
    }
  out_node_.resize(static_cast<std::size_t>(C));
  for (int j = 0; j < C; ++j) out_node_[j] = assign(on(j));
  unknowns_ = next;
  for (int p = 0; p < n_phys; ++p) {
    const int c = code[uf.find(p)];
    if (c >= 0 && c != kUnassigned) ++merged_count_[c];
  }
  for (const auto& e : edges) {
    const int a = code[uf.find(e.a)];
    const int b = code[uf.find(e.b)];
    if (a != b) wires_.push_back({a, b, e.g});
  }
  grid_ = spec.r_row_ohm > 0.0 && spec.r_col_ohm > 0.0;
}

std::string Topology::nodeName(int node) const {
  // Netlist names of generated decks (netlists/README.md): r<i>_<j>, c<i>_<j>, in<i>, out<j>.
  const int R = static_cast<int>(rows_);
  const int C = static_cast<int>(cols_);
  const int RC = R * C;
  if (node < 0) {
    const int f = -1 - node;
    return f < R ? fmt::format("in{} (driver of row {})", f, f)
                 : fmt::format("out{} (sense node of column {})", f - R, f - R);
  }
  const int p = repr_.at(static_cast<std::size_t>(node));
  const int merged = merged_count_.at(static_cast<std::size_t>(node));
  if (p < R + RC) {
    const int q = p - R;
    return merged > 1 ? fmt::format("in{} (row {} wire, {} merged nodes)", q / C, q / C, merged)
                      : fmt::format("r{}_{} (row node of cell ({},{}))", q / C, q % C, q / C, q % C);
  }
  if (p < R + 2 * RC) {
    const int q = p - R - RC;
    return merged > 1 ? fmt::format("out{} (column {} wire and sense node, {} merged nodes)", q % C,
                                    q % C, merged)
                      : fmt::format("c{}_{} (column node of cell ({},{}))", q / C, q % C, q / C, q % C);
  }
  const int j = p - R - 2 * RC;
  return fmt::format("out{} (sense node of column {})", j, j);
}

}  // namespace xbarsim::circuit::detail
