// SPDX-License-Identifier: MIT
// The extract job: W_eff through a backend and its error metrics, per sweep point.
#include <fmt/format.h>

#include <Eigen/Core>
#include <Eigen/SparseCholesky>
#include <Eigen/SparseCore>
#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <numeric>
#include <sstream>

#include "xbarsim/circuit/crossbar_config.hpp"
#include "xbarsim/core/error.hpp"
#include "xbarsim/core/rng.hpp"
#include "xbarsim/extract/backend.hpp"
#include "xbarsim/extract/memory_estimate.hpp"
#include "xbarsim/extract/native_backend.hpp"
#include "xbarsim/extract/user_netlist.hpp"
#include "xbarsim/spice/session.hpp"
#include "xbarsim/sweep/job.hpp"

namespace xbarsim::sweep {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

FieldValue scalarField(std::string name, double value) { return {std::move(name), {}, {value}}; }

FieldValue vectorField(std::string name, const Eigen::VectorXd& v) {
  return {std::move(name), {static_cast<std::size_t>(v.size())}, {v.data(), v.data() + v.size()}};
}

FieldValue matrixField(std::string name, const Eigen::MatrixXd& m) {
  const RowMajor r = m;
  return {std::move(name),
          {static_cast<std::size_t>(m.rows()), static_cast<std::size_t>(m.cols())},
          {r.data(), r.data() + r.size()}};
}

/// File bytes (empty if unreadable): results depend on them, so resume and merge check them.
std::string fileText(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

class ExtractJob final : public Job {
 public:
  ExtractJob(const SweepSpec& spec, JobOptions options, const core::Config& base)
      : options_(std::move(options)),
        store_weff_(spec.store_weff),
        sneak_read_(spec.sneak_read),
        mvm_inputs_(spec.mvm_inputs) {
    if (options_.backend.empty()) options_.backend = "ngspice";
    bool param_axis = false;
    bool file_axis = false;
    for (const auto& [key, kind] : axisKeys(spec)) {
      param_axis = param_axis || key.rfind(kParamAxisPrefix, 0) == 0;
      file_axis = file_axis || key == "netlist.file";
    }
    deck_mode_ = !options_.netlist.empty() || base.has("netlist.file") || file_axis;
    if (param_axis && !deck_mode_)
      throw ConfigError(base.sourceName(), 0, "sweep",
                        "netlist.params.* axes need a user netlist (--netlist or netlist.file)");
    if (deck_mode_ && options_.backend != "ngspice")
      throw ConfigError(base.sourceName(), 0, "--backend",
                        "user netlists are solved by the ngspice backend only");
    if (options_.backend != "ngspice" && options_.backend != "native")
      throw ConfigError(base.sourceName(), 0, "--backend",
                        fmt::format("unknown backend \"{}\": choose ngspice or native", options_.backend));
    if (deck_mode_ && !options_.netlist.empty()) deck_text_ = fileText(options_.netlist);
    else if (base.has("netlist.file")) deck_text_ = fileText(base.baseDirectory() / base.string("netlist.file"));
    if (!deck_mode_ && base.has("device.conductances")) {
      std::string source = base.string("device.conductances");
      if (const auto colon = source.find(":/"); colon != std::string::npos) source.resize(colon);
      g_text_ = fileText(base.baseDirectory() / source);
    }
  }

  std::string_view name() const noexcept override { return "extract"; }
  std::string backend() const override { return options_.backend; }
  std::string backendVersion() const override { return version_; }
  std::string fingerprintText() const override {
    return fmt::format("deck_mode={} store_weff={} sneak_read={} mvm_inputs={}\n{}\n{}", deck_mode_,
                       store_weff_, sneak_read_, mvm_inputs_, deck_text_, g_text_);
  }

  std::vector<Field> fields() const override {
    std::vector<Field> f;
    if (deck_mode_) {
      f.push_back({"weff", "S", "effective weights dI_j/dV_i of the user netlist", {"output", "input"}});
      f.push_back({"weff_column_sum", "S", "sum over inputs of W_eff per output", {"output"}});
      return f;
    }
    f.push_back({"weff_relative_error", "1",
                 "IR-drop error |W_eff - G^T|_F / |G^T|_F", {}});
    f.push_back({"column_relative_error", "1",
                 "per-column error |W_eff[j,:] - G[:,j]| / |G[:,j]|", {"output"}});
    if (sneak_read_) {
      f.push_back({"sneak_read_error", "1",
                   "single-cell read with floating lines: (G_read - G) / G", {"input", "output"}});
      f.push_back({"sneak_read_error_mean", "1", "mean |sneak_read_error| over cells", {}});
      f.push_back({"sneak_read_error_max", "1", "max |sneak_read_error| over cells", {}});
    }
    if (mvm_inputs_ > 0)
      f.push_back({"mvm_relative_error", "1",
                   "mean over seeded random inputs x in [0, v_read]^R of |I(x) - G^T x| / |G^T x|", {}});
    if (store_weff_) {
      f.push_back({"weff", "S", "effective weights dI_j/dV_i at the read point", {"output", "input"}});
      f.push_back({"g_target", "S", "programmed conductances", {"input", "output"}});
    }
    return f;
  }

  std::vector<Dim> dims(const core::Config&) const override {
    return {{"input", "1", "row (word line) index", {}}, {"output", "1", "column (bit line) index", {}}};
  }

  std::map<std::string, std::size_t> prepare(const core::Config& point) const override {
    if (deck_mode_) {
      const extract::UserDeck deck = extract::readUserDeck(deckPath(point), point);
      return {{"input", deck.inputs.size()}, {"output", deck.outputs.size()}};
    }
    extract::checkArrayMemory(point, options_.backend);  // refused while planning, before any point
    const circuit::CrossbarSpec spec = circuit::crossbarFromConfig(point, seedOf(point));
    return {{"input", static_cast<std::size_t>(spec.rows)}, {"output", static_cast<std::size_t>(spec.cols)}};
  }

  double cost(const core::Config& point) const override {
    if (deck_mode_) return 1.0;
    const double r = static_cast<double>(point.integer("array.rows"));
    const double c = static_cast<double>(point.integer("array.cols"));
    return r * c * std::max(r, c);
  }

  std::vector<FieldValue> run(const core::Config& point) override {
    const double v_read = point.real("read.v_read_v");
    if (options_.backend == "ngspice") used_ngspice_ = true;
    std::vector<FieldValue> out;
    if (deck_mode_) {
      const extract::UserDeck deck = extract::readUserDeck(deckPath(point), point);
      const extract::WeightResult r = extract::userDeckWeights(deck, point.realTable("netlist.params"), v_read);
      noteVersion();
      out.push_back(matrixField("weff", r.weff_s));
      out.push_back(vectorField("weff_column_sum", r.weff_s.rowwise().sum()));
      return out;
    }
    const std::uint64_t seed = seedOf(point);
    const circuit::CrossbarSpec spec = circuit::crossbarFromConfig(point, seed);
    extract::Backend& solver = backend();
    const extract::WeightResult r = solver.effectiveWeights(spec, v_read);
    noteVersion();
    const Eigen::MatrixXd& w = r.weff_s;
    const Eigen::MatrixXd gt = spec.g_s.transpose();
    if (!w.allFinite()) throw NumericalError("W_eff has non-finite entries");
    const double norm = gt.norm();
    out.push_back(scalarField("weff_relative_error", norm > 0 ? (w - gt).norm() / norm : kNaN));
    Eigen::VectorXd columns(w.rows());
    for (Eigen::Index j = 0; j < w.rows(); ++j) {
      const double n = gt.row(j).norm();
      columns(j) = n > 0 ? (w.row(j) - gt.row(j)).norm() / n : kNaN;
    }
    out.push_back(vectorField("column_relative_error", columns));
    if (sneak_read_) {
      CrossbarGeometry geometry{static_cast<std::size_t>(spec.rows), static_cast<std::size_t>(spec.cols),
                                spec.r_row_ohm, spec.r_col_ohm, spec.r_driver_ohm};
      const RowMajor g = spec.g_s;
      std::vector<double> e = sneakReadError(geometry, {g.data(), g.data() + g.size()});
      double sum = 0, max = 0;
      std::size_t n = 0;
      for (const double x : e)
        if (std::isfinite(x)) {
          sum += std::abs(x);
          max = std::max(max, std::abs(x));
          ++n;
        }
      out.push_back({"sneak_read_error", {geometry.rows, geometry.cols}, std::move(e)});
      out.push_back(scalarField("sneak_read_error_mean", n > 0 ? sum / static_cast<double>(n) : kNaN));
      out.push_back(scalarField("sneak_read_error_max", n > 0 ? max : kNaN));
    }
    if (mvm_inputs_ > 0) {
      double sum = 0;
      for (std::int64_t k = 0; k < mvm_inputs_; ++k) {
        RngStream rng(seed, StreamPurpose::Inputs, static_cast<std::uint64_t>(k));
        Eigen::VectorXd x(spec.rows);
        for (Eigen::Index i = 0; i < spec.rows; ++i) x(i) = rng.uniform(0.0, v_read);
        const Eigen::VectorXd ideal = gt * x;
        const Eigen::VectorXd currents = solver.currents(spec, x).currents_a;
        sum += ideal.norm() > 0 ? (currents - ideal).norm() / ideal.norm() : 0.0;
      }
      out.push_back(scalarField("mvm_relative_error", sum / static_cast<double>(mvm_inputs_)));
    }
    if (store_weff_) {
      out.push_back(matrixField("weff", w));
      out.push_back(matrixField("g_target", spec.g_s));
    }
    return out;
  }

  bool healthy() const override {
    return !used_ngspice_ || spice::Session::instance().isAlive();
  }

 private:
  static std::uint64_t seedOf(const core::Config& c) {
    return static_cast<std::uint64_t>(c.integer("run.seed"));
  }

  std::filesystem::path deckPath(const core::Config& point) const {
    if (!options_.netlist.empty()) return options_.netlist;
    if (!point.has("netlist.file"))
      throw ConfigError(point.sourceName(), 0, "netlist.file", "this point has no user netlist");
    return point.baseDirectory() / point.string("netlist.file");
  }

  extract::Backend& backend() {
    if (!backend_) {
      if (options_.backend == "native") {
        circuit::NativeOptions native;
        native.threads = options_.threads;
        backend_ = std::make_unique<extract::NativeBackend>(native);
      } else {
        backend_ = extract::makeBackend(options_.backend);
      }
    }
    return *backend_;
  }

  void noteVersion() {
    if (used_ngspice_ && version_.empty()) version_ = spice::Session::instance().version();
  }

  JobOptions options_;
  bool store_weff_;
  bool sneak_read_;
  std::int64_t mvm_inputs_;
  bool deck_mode_ = false;
  std::string deck_text_;
  std::string g_text_;
  std::unique_ptr<extract::Backend> backend_;
  bool used_ngspice_ = false;
  std::string version_;
};

/// Disjoint sets with path halving.
struct UnionFind {
  std::vector<std::size_t> parent;
  explicit UnionFind(std::size_t n) : parent(n) { std::iota(parent.begin(), parent.end(), 0); }
  std::size_t find(std::size_t x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
  }
  void unite(std::size_t a, std::size_t b) { parent[find(a)] = find(b); }
};

}  // namespace

std::unique_ptr<Job> makeExtractJob(const SweepSpec& spec, const JobOptions& options,
                                    const core::Config& base) {
  return std::make_unique<ExtractJob>(spec, options, base);
}

std::vector<double> sneakReadError(const CrossbarGeometry& geo, const std::vector<double>& g) {
  const std::size_t R = geo.rows, C = geo.cols;
  if (g.size() != R * C) throw Error("sneakReadError: conductance matrix has the wrong size");
  // Raw nodes: in_i, d_i (after r_driver), row (i,j), column (i,j), out_j.
  const std::size_t in0 = 0, d0 = R, row0 = 2 * R, col0 = row0 + R * C, out0 = col0 + R * C;
  const std::size_t n_raw = out0 + C;
  struct Edge {
    std::size_t a, b;
    double g;
  };
  std::vector<Edge> edges;
  UnionFind merged(n_raw);  // zero-ohm wires merge their nodes
  auto wire = [&](std::size_t a, std::size_t b, double r) {
    if (r == 0.0) merged.unite(a, b);
    else edges.push_back({a, b, 1.0 / r});
  };
  for (std::size_t i = 0; i < R; ++i) {
    wire(in0 + i, d0 + i, geo.r_driver_ohm);
    for (std::size_t j = 0; j < C; ++j)
      wire(j == 0 ? d0 + i : row0 + i * C + j - 1, row0 + i * C + j, geo.r_row_ohm);
  }
  for (std::size_t j = 0; j < C; ++j)
    for (std::size_t i = 0; i < R; ++i)
      wire(col0 + i * C + j, i + 1 < R ? col0 + (i + 1) * C + j : out0 + j, geo.r_col_ohm);
  for (std::size_t i = 0; i < R; ++i)
    for (std::size_t j = 0; j < C; ++j)
      if (g[i * C + j] > 0) edges.push_back({row0 + i * C + j, col0 + i * C + j, g[i * C + j]});

  // Compress merged nodes; components (for floating sub-networks) over the remaining edges.
  std::vector<std::size_t> node_of(n_raw, SIZE_MAX);
  std::size_t n = 0;
  for (std::size_t k = 0; k < n_raw; ++k) {
    const std::size_t root = merged.find(k);
    if (node_of[root] == SIZE_MAX) node_of[root] = n++;
    node_of[k] = node_of[root];
  }
  UnionFind component(n);
  for (const Edge& e : edges) component.unite(node_of[e.a], node_of[e.b]);
  // One reference (grounded) node per component; the rest are unknowns.
  std::vector<std::ptrdiff_t> unknown(n, -1);
  std::vector<bool> is_reference(n, false);
  std::ptrdiff_t m = 0;
  for (std::size_t k = 0; k < n; ++k) {
    if (component.find(k) == k) is_reference[k] = true;
    else unknown[k] = m++;
  }
  std::vector<Eigen::Triplet<double>> triplets;
  for (const Edge& e : edges) {
    const std::ptrdiff_t a = unknown[node_of[e.a]], b = unknown[node_of[e.b]];
    if (node_of[e.a] == node_of[e.b]) continue;
    if (a >= 0) triplets.emplace_back(a, a, e.g);
    if (b >= 0) triplets.emplace_back(b, b, e.g);
    if (a >= 0 && b >= 0) {
      triplets.emplace_back(a, b, -e.g);
      triplets.emplace_back(b, a, -e.g);
    }
  }
  std::vector<double> error(R * C, std::numeric_limits<double>::quiet_NaN());
  // Terminals: in_i (rows) and out_j (columns).
  std::vector<std::size_t> terminals;
  for (std::size_t i = 0; i < R; ++i) terminals.push_back(node_of[in0 + i]);
  for (std::size_t j = 0; j < C; ++j) terminals.push_back(node_of[out0 + j]);
  const std::size_t T = terminals.size();
  Eigen::MatrixXd x_tt = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(T), static_cast<Eigen::Index>(T));
  if (m > 0) {
    Eigen::SparseMatrix<double> L(m, m);
    L.setFromTriplets(triplets.begin(), triplets.end());
    Eigen::SimplicialLDLT<Eigen::SparseMatrix<double>> solver(L);
    if (solver.info() != Eigen::Success) return error;
    Eigen::VectorXd rhs = Eigen::VectorXd::Zero(m);
    for (std::size_t t = 0; t < T; ++t) {
      const std::ptrdiff_t u = unknown[terminals[t]];
      if (u < 0) continue;  // reference: column of zeros
      rhs.setZero();
      rhs(u) = 1.0;
      const Eigen::VectorXd x = solver.solve(rhs);
      for (std::size_t s = 0; s < T; ++s) {
        const std::ptrdiff_t v = unknown[terminals[s]];
        if (v >= 0) x_tt(static_cast<Eigen::Index>(s), static_cast<Eigen::Index>(t)) = x(v);
      }
    }
  }
  for (std::size_t i = 0; i < R; ++i)
    for (std::size_t j = 0; j < C; ++j) {
      const double gij = g[i * C + j];
      if (!(gij > 0)) continue;
      const std::size_t a = terminals[i], b = terminals[R + j];
      if (component.find(a) != component.find(b)) {
        error[i * C + j] = -1.0;  // no path: nothing is read
        continue;
      }
      const auto ia = static_cast<Eigen::Index>(i), ib = static_cast<Eigen::Index>(R + j);
      const double r_eff = x_tt(ia, ia) + x_tt(ib, ib) - 2.0 * x_tt(ia, ib);
      error[i * C + j] = r_eff > 0 ? (1.0 / r_eff - gij) / gij : std::numeric_limits<double>::quiet_NaN();
    }
  return error;
}

}  // namespace xbarsim::sweep
