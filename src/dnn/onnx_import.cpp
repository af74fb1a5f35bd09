// SPDX-License-Identifier: MIT
// ONNX import (dnn/onnx_import.hpp): walks the nodes of a ModelProto in their (topological)
// order, folding constants and turning each op into layers of a Network.
#include "xbarsim/dnn/onnx_import.hpp"

#include <fmt/format.h>
#include <onnx/onnx_pb.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "xbarsim/core/error.hpp"
#include "xbarsim/core/input_file.hpp"

namespace xbarsim::dnn {
namespace {

namespace fs = std::filesystem;

/// Largest constant the importer reads (elements), far above any layer of a network it runs.
constexpr std::int64_t kMaxElements = std::int64_t{1} << 28;
/// Largest padding or pooling window side accepted (far above any image).
constexpr std::int64_t kMaxPad = 1 << 20;
/// Stands for the batch dimension in folded shape arithmetic (Shape of an activation).
constexpr std::int64_t kBatch = -(std::int64_t{1} << 40);

/// A constant tensor (row-major), integers and floats alike held as double.
struct Constant {
  std::vector<std::int64_t> dims;
  std::vector<double> values;
  bool integer = false;
  [[nodiscard]] std::int64_t size() const { return static_cast<std::int64_t>(values.size()); }
};

/// A batch of activations (a tensor computed from the network input): the output of layer
/// `producer` (kNetworkInput: the network input).
struct Tensor {
  std::ptrdiff_t producer = kNetworkInput;
  Shape shape;
  int rank = 4;         ///< 4: (N, C, H, W); 2: (N, features)
  bool direct = false;  ///< the producer's own output (not through Identity, Dropout, ...)
};

using Value = std::variant<Constant, Tensor>;

const char* const kSupported =
    "Gemm, MatMul, Conv, BatchNormalization, Relu, MaxPool, AveragePool, GlobalAveragePool, Add, "
    "Flatten, Reshape, Identity, Dropout, Pad (zero), and constant shape arithmetic";

class Importer {
 public:
  Importer(const fs::path& path, const onnx::ModelProto& model) : path_(path), model_(model) {}

  Network run() {
    const onnx::GraphProto& g = model_.graph();
    for (const onnx::TensorProto& t : g.initializer())
      values_[t.name()] = tensor(t, "initializer " + t.name());
    for (const onnx::NodeProto& n : g.node())
      for (const std::string& in : n.input()) ++uses_[in];
    for (const onnx::ValueInfoProto& o : g.output()) ++uses_[o.name()];
    readInput(g);
    for (const onnx::NodeProto& n : g.node()) node(n);
    if (g.output_size() != 1)
      fail("graph", fmt::format("has {} outputs; xbarsim runs networks with one", g.output_size()));
    const Value& out = value(g.output(0).name(), "graph output");
    if (!std::holds_alternative<Tensor>(out) || std::get<Tensor>(out).producer == kNetworkInput)
      fail("graph", "the output is not computed from the input by any layer");
    prune(static_cast<std::size_t>(std::get<Tensor>(out).producer));
    net_.input_scaling_known = false;
    for (const onnx::StringStringEntryProto& p : model_.metadata_props()) {
      if (p.key() == "xbarsim.input_scale") scale_ = number(p.value(), p.key());
      if (p.key() == "xbarsim.input_offset") offset_ = number(p.value(), p.key());
    }
    if (scale_ && offset_) {
      net_.input_scale = *scale_;
      net_.input_offset = *offset_;
      net_.input_scaling_known = true;
    }
    net_.string_attributes["producer"] =
        model_.producer_name().empty() ? "onnx" : model_.producer_name() + " (onnx)";
    net_.resolveShapes(path_.string());
    return std::move(net_);
  }

 private:
  [[noreturn]] void fail(const std::string& key, const std::string& problem) const {
    throw ConfigError(path_.string(), 0, key, problem);
  }
  [[noreturn]] void failNode(const onnx::NodeProto& n, const std::string& problem) const {
    fail(fmt::format("node \"{}\" ({})", n.name(), n.op_type()), problem);
  }

  double number(const std::string& text, const std::string& key) const {
    try {
      std::size_t used = 0;
      const double v = std::stod(text, &used);
      if (used == text.size() && std::isfinite(v)) return v;
    } catch (const std::exception&) {
    }
    fail(key, fmt::format("\"{}\" is not a finite number", text));
  }

  Constant tensor(const onnx::TensorProto& t, const std::string& what) const {
    if (t.data_location() == onnx::TensorProto::EXTERNAL)
      fail(what, "external tensor data is not supported (save the model as one file)");
    Constant c;
    std::int64_t n = 1;
    for (std::int64_t d : t.dims()) {
      if (d < 0 || (d > 0 && n > kMaxElements / d)) fail(what, "invalid or too large dimensions");
      n *= d;
      c.dims.push_back(d);
    }
    const std::string& raw = t.raw_data();
    auto fromRaw = [&]<typename T>(T) {
      if (raw.size() != static_cast<std::size_t>(n) * sizeof(T))
        fail(what, fmt::format("raw data of {} bytes for {} elements", raw.size(), n));
      c.values.resize(static_cast<std::size_t>(n));
      for (std::int64_t i = 0; i < n; ++i) {
        T v;
        std::memcpy(&v, raw.data() + i * static_cast<std::int64_t>(sizeof(T)), sizeof(T));
        c.values[static_cast<std::size_t>(i)] = static_cast<double>(v);
      }
    };
    auto check = [&](std::int64_t count) {
      if (count != n) fail(what, fmt::format("{} values for {} elements", count, n));
    };
    switch (t.data_type()) {
      case onnx::TensorProto::FLOAT:
        if (!raw.empty()) {
          fromRaw(float{});
        } else {
          check(t.float_data_size());
          c.values.assign(t.float_data().begin(), t.float_data().end());
        }
        break;
      case onnx::TensorProto::DOUBLE:
        if (!raw.empty()) {
          fromRaw(double{});
        } else {
          check(t.double_data_size());
          c.values.assign(t.double_data().begin(), t.double_data().end());
        }
        break;
      case onnx::TensorProto::INT64:
        c.integer = true;
        if (!raw.empty()) {
          fromRaw(std::int64_t{});
        } else {
          check(t.int64_data_size());
          for (std::int64_t v : t.int64_data()) c.values.push_back(static_cast<double>(v));
        }
        break;
      case onnx::TensorProto::INT32:
      case onnx::TensorProto::BOOL:
        c.integer = true;
        if (!raw.empty()) {
          if (t.data_type() == onnx::TensorProto::BOOL)
            fromRaw(std::uint8_t{});
          else
            fromRaw(std::int32_t{});
        } else {
          check(t.int32_data_size());
          for (std::int32_t v : t.int32_data()) c.values.push_back(static_cast<double>(v));
        }
        break;
      default:
        fail(what, fmt::format("tensor data type {} is not supported (float, double, int64, "
                               "int32, bool)",
                               t.data_type()));
    }
    for (double v : c.values)
      if (!std::isfinite(v) || std::abs(v) > std::numeric_limits<float>::max())
        if (!c.integer) fail(what, "contains NaN, infinite or out-of-float32-range values");
    return c;
  }

  void readInput(const onnx::GraphProto& g) {
    const onnx::ValueInfoProto* input = nullptr;
    for (const onnx::ValueInfoProto& v : g.input()) {
      if (values_.count(v.name()) != 0) continue;  // an initializer listed as an input
      if (input) fail("graph", "has more than one input; xbarsim runs networks with one");
      input = &v;
    }
    if (!input) fail("graph", "has no input");
    const std::string key = fmt::format("input \"{}\"", input->name());
    if (!input->type().has_tensor_type() ||
        input->type().tensor_type().elem_type() != onnx::TensorProto::FLOAT)
      fail(key, "is not a float tensor");
    const onnx::TensorShapeProto& s = input->type().tensor_type().shape();
    std::vector<Index> d;
    for (int k = 1; k < s.dim_size(); ++k) {
      if (!s.dim(k).has_dim_value() || s.dim(k).dim_value() < 1 || s.dim(k).dim_value() > 1 << 24)
        fail(key, fmt::format("dimension {} is not a fixed positive size", k));
      d.push_back(static_cast<Index>(s.dim(k).dim_value()));
    }
    Tensor a;
    if (s.dim_size() == 4) {
      a.shape = Shape{d[0], d[1], d[2]};
    } else if (s.dim_size() == 2) {
      a.shape = Shape{d[0], 1, 1};
      a.rank = 2;
    } else {
      fail(key, fmt::format("has rank {}; expected (batch, C, H, W) or (batch, features)",
                            s.dim_size()));
    }
    net_.input_shape = a.shape;
    values_[input->name()] = a;
  }

  const Value& value(const std::string& name, const std::string& what) const {
    const auto it = values_.find(name);
    if (it == values_.end())
      fail(what, fmt::format("tensor \"{}\" is not defined before use", name));
    return it->second;
  }

  // ---- attributes ------------------------------------------------------------------------------

  static const onnx::AttributeProto* attribute(const onnx::NodeProto& n, const char* name) {
    for (const onnx::AttributeProto& a : n.attribute())
      if (a.name() == name) return &a;
    return nullptr;
  }
  static std::int64_t intAttr(const onnx::NodeProto& n, const char* name, std::int64_t fallback) {
    const onnx::AttributeProto* a = attribute(n, name);
    return a ? a->i() : fallback;
  }
  static double floatAttr(const onnx::NodeProto& n, const char* name, double fallback) {
    const onnx::AttributeProto* a = attribute(n, name);
    return a ? static_cast<double>(a->f()) : fallback;
  }
  static std::vector<std::int64_t> intsAttr(const onnx::NodeProto& n, const char* name) {
    const onnx::AttributeProto* a = attribute(n, name);
    if (!a) return {};
    return {a->ints().begin(), a->ints().end()};
  }

  // ---- values ----------------------------------------------------------------------------------

  bool isConstant(const std::string& name) const {
    const auto it = values_.find(name);
    return it != values_.end() && std::holds_alternative<Constant>(it->second);
  }
  const Constant& constant(const onnx::NodeProto& n, int k) const {
    if (k >= n.input_size() || n.input(k).empty())
      failNode(n, fmt::format("input {} is missing", k));
    const Value& v = value(n.input(k), fmt::format("node \"{}\"", n.name()));
    if (!std::holds_alternative<Constant>(v))
      failNode(n, fmt::format("input {} (\"{}\") must be a constant", k, n.input(k)));
    return std::get<Constant>(v);
  }
  const Tensor& activation(const onnx::NodeProto& n, int k) const {
    if (k >= n.input_size() || n.input(k).empty())
      failNode(n, fmt::format("input {} is missing", k));
    const Value& v = value(n.input(k), fmt::format("node \"{}\"", n.name()));
    if (!std::holds_alternative<Tensor>(v))
      failNode(n, fmt::format("input {} (\"{}\") must be computed from the network input", k,
                              n.input(k)));
    return std::get<Tensor>(v);
  }
  bool hasInput(const onnx::NodeProto& n, int k) const {
    return k < n.input_size() && !n.input(k).empty();
  }
  void unusedOutputs(const onnx::NodeProto& n, int from) const {
    for (int k = from; k < n.output_size(); ++k)
      if (!n.output(k).empty() && uses_.count(n.output(k)) != 0 && uses_.at(n.output(k)) > 0)
        failNode(
            n, fmt::format("output {} (\"{}\") is used; only the inference output is supported", k,
                           n.output(k)));
  }
  void setOutput(const onnx::NodeProto& n, Value v) {
    if (n.output_size() < 1) failNode(n, "has no output");
    values_[n.output(0)] = std::move(v);
  }

  Tensor addLayer(Layer l, const std::vector<std::ptrdiff_t>& from, Shape out, int rank) {
    l.inputs = from;
    l.name = fmt::format("{:03d}", net_.layers.size());
    net_.layers.push_back(std::move(l));
    return Tensor{static_cast<std::ptrdiff_t>(net_.layers.size()) - 1, out, rank, true};
  }

  /// Layer `a.producer` when `a` is its own output, read by this node only, and of `kind` with no
  /// activation: the node's bias or ReLU can fold into it.
  Layer* foldTarget(const onnx::NodeProto& n, const Tensor& a) {
    if (a.producer == kNetworkInput || !a.direct || uses_[n.input(0)] != 1) return nullptr;
    Layer& l = net_.layers[static_cast<std::size_t>(a.producer)];
    if (!l.isAnalog() || l.activation != dnn::Activation::None) return nullptr;
    return &l;
  }

  // ---- constant folding ------------------------------------------------------------------------

  /// An integer constant's value (clamped far inside int64: INT64_MAX as a slice end is a double
  /// that does not convert back).
  static std::int64_t toInt(double v) {
    return static_cast<std::int64_t>(std::clamp(v, -4e18, 4e18));
  }
  /// The values of constant input k, which must be integers (shapes, axes, indices).
  std::vector<std::int64_t> ints(const onnx::NodeProto& n, int k) const {
    const Constant& c = constant(n, k);
    if (!c.integer) failNode(n, fmt::format("input {} must be an integer tensor", k));
    std::vector<std::int64_t> out;
    for (double v : c.values) out.push_back(toInt(v));
    return out;
  }

  static std::int64_t axisOf(std::int64_t axis, std::size_t rank) {
    return axis < 0 ? axis + static_cast<std::int64_t>(rank) : axis;
  }

  bool foldConstant(const onnx::NodeProto& n) {
    const std::string& op = n.op_type();
    for (int k = 0; k < n.input_size(); ++k)
      if (!n.input(k).empty() && !isConstant(n.input(k)) && op != "Shape") return false;
    Constant out;
    if (op == "Constant") {
      const onnx::AttributeProto* a = nullptr;
      if ((a = attribute(n, "value"))) {
        out = tensor(a->t(), fmt::format("node \"{}\" (Constant)", n.name()));
      } else if ((a = attribute(n, "value_float"))) {
        out.values = {static_cast<double>(a->f())};
      } else if ((a = attribute(n, "value_floats"))) {
        out.values.assign(a->floats().begin(), a->floats().end());
        out.dims = {static_cast<std::int64_t>(out.values.size())};
      } else if ((a = attribute(n, "value_int"))) {
        out.values = {static_cast<double>(a->i())};
        out.integer = true;
      } else if ((a = attribute(n, "value_ints"))) {
        for (std::int64_t v : a->ints()) out.values.push_back(static_cast<double>(v));
        out.dims = {static_cast<std::int64_t>(out.values.size())};
        out.integer = true;
      } else {
        failNode(n, "a Constant without a supported value attribute");
      }
    } else if (op == "Shape") {
      if (n.input_size() < 1) failNode(n, "Shape without an input");
      const Value& v = value(n.input(0), fmt::format("node \"{}\"", n.name()));
      std::vector<std::int64_t> dims;
      if (const auto* c = std::get_if<Constant>(&v)) {
        dims = c->dims;
      } else {
        const Tensor& a = std::get<Tensor>(v);
        dims = a.rank == 4 ? std::vector<std::int64_t>{kBatch, a.shape.c, a.shape.h, a.shape.w}
                           : std::vector<std::int64_t>{kBatch, a.shape.c};
      }
      const auto r = static_cast<std::int64_t>(dims.size());
      const std::int64_t start =
          std::clamp(axisOf(intAttr(n, "start", 0), dims.size()), std::int64_t{0}, r);
      const std::int64_t end = std::clamp(axisOf(intAttr(n, "end", r), dims.size()), start, r);
      for (std::int64_t k = start; k < end; ++k)
        out.values.push_back(static_cast<double>(dims[static_cast<std::size_t>(k)]));
      out.dims = {end - start};
      out.integer = true;
    } else if (op == "Gather") {
      const Constant& data = constant(n, 0);
      const Constant& idx = constant(n, 1);
      if (data.dims.size() != 1 || axisOf(intAttr(n, "axis", 0), 1) != 0)
        failNode(n, "constant Gather is supported on one-dimensional data only");
      for (std::int64_t k : ints(n, 1)) {
        if (k < 0) k += data.size();
        if (k < 0 || k >= data.size()) failNode(n, "index out of range");
        out.values.push_back(data.values[static_cast<std::size_t>(k)]);
      }
      out.dims = idx.dims;
      out.integer = data.integer;
    } else if (op == "Unsqueeze" || op == "Squeeze") {
      out = constant(n, 0);
      std::vector<std::int64_t> axes = intsAttr(n, "axes");
      if (hasInput(n, 1))
        for (std::int64_t v : ints(n, 1)) axes.push_back(v);
      std::vector<std::int64_t> dims = out.dims;
      if (op == "Unsqueeze") {
        const std::size_t rank = dims.size() + axes.size();
        for (std::int64_t& a : axes) a = axisOf(a, rank);
        std::sort(axes.begin(), axes.end());
        for (std::int64_t a : axes) {
          if (a < 0 || a > static_cast<std::int64_t>(dims.size())) failNode(n, "axis out of range");
          dims.insert(dims.begin() + a, 1);
        }
      } else {
        std::vector<std::int64_t> kept;
        for (std::size_t k = 0; k < dims.size(); ++k) {
          const bool listed = std::any_of(axes.begin(), axes.end(), [&](std::int64_t a) {
            return axisOf(a, dims.size()) == static_cast<std::int64_t>(k);
          });
          if (!(axes.empty() ? dims[k] == 1 : listed)) kept.push_back(dims[k]);
        }
        dims = kept;
      }
      out.dims = dims;
    } else if (op == "Concat") {
      out.integer = true;
      for (int k = 0; k < n.input_size(); ++k) {
        const Constant& c = constant(n, k);
        if (c.dims.size() != 1)
          failNode(n, "constant Concat is supported on one-dimensional data only");
        out.values.insert(out.values.end(), c.values.begin(), c.values.end());
        out.integer = out.integer && c.integer;
      }
      out.dims = {out.size()};
    } else if (op == "Slice") {
      const Constant& data = constant(n, 0);
      if (data.dims.size() != 1)
        failNode(n, "constant Slice is supported on one-dimensional data only");
      std::vector<std::int64_t> starts = intsAttr(n, "starts"), ends = intsAttr(n, "ends");
      std::int64_t step = 1;
      if (hasInput(n, 1)) starts = ints(n, 1);
      if (hasInput(n, 2)) ends = ints(n, 2);
      if (hasInput(n, 4)) step = ints(n, 4).empty() ? 0 : ints(n, 4)[0];
      if (starts.size() != 1 || ends.size() != 1 || step == 0) failNode(n, "unsupported slice");
      const std::int64_t size = data.size();
      auto clampIndex = [&](std::int64_t i, std::int64_t lo, std::int64_t hi) {
        if (i < 0) i += size;
        return std::clamp(i, lo, hi);
      };
      std::int64_t b = clampIndex(starts[0], step > 0 ? 0 : -1, step > 0 ? size : size - 1);
      const std::int64_t e = clampIndex(ends[0], step > 0 ? 0 : -1, step > 0 ? size : size - 1);
      for (; step > 0 ? b < e : b > e; b += step)
        out.values.push_back(data.values[static_cast<std::size_t>(b)]);
      out.dims = {out.size()};
      out.integer = data.integer;
    } else if (op == "Cast") {
      out = constant(n, 0);
      const std::int64_t to = intAttr(n, "to", onnx::TensorProto::FLOAT);
      out.integer = to != onnx::TensorProto::FLOAT && to != onnx::TensorProto::DOUBLE;
      if (out.integer)
        for (double& v : out.values) v = std::trunc(v);
    } else if (op == "Identity" || op == "Reshape" || op == "Flatten") {
      out = constant(n, 0);
      if (op == "Reshape") {
        const std::vector<std::int64_t> shape = ints(n, 1);
        std::int64_t known = 1, unknown = -1;
        out.dims.clear();
        for (std::size_t k = 0; k < shape.size(); ++k) {
          std::int64_t d = shape[k];
          if (d == 0 && k < constant(n, 0).dims.size()) d = constant(n, 0).dims[k];
          if (d == -1) {
            unknown = static_cast<std::int64_t>(k);
          } else {
            if (d < 0 || d > kMaxElements) failNode(n, "invalid shape");
            known *= d;
            if (known > kMaxElements) failNode(n, "invalid shape");
          }
          out.dims.push_back(d);
        }
        if (unknown >= 0 && known > 0)
          out.dims[static_cast<std::size_t>(unknown)] = out.size() / known;
      } else if (op == "Flatten") {
        out.dims = {out.dims.empty() ? 1 : out.dims[0],
                    out.dims.empty() ? 1 : out.size() / std::max<std::int64_t>(out.dims[0], 1)};
      }
    } else if (op == "Mul" || op == "Div" || op == "Add" || op == "Sub") {
      const Constant& a = constant(n, 0);
      const Constant& b = constant(n, 1);
      if (a.size() != b.size() && a.size() != 1 && b.size() != 1)
        failNode(n, "constant arithmetic with broadcasting other than by a scalar");
      out = a.size() >= b.size() ? a : b;
      out.integer = a.integer && b.integer;
      for (std::int64_t k = 0; k < out.size(); ++k) {
        const double x = a.values[static_cast<std::size_t>(a.size() == 1 ? 0 : k)];
        const double y = b.values[static_cast<std::size_t>(b.size() == 1 ? 0 : k)];
        if (x == static_cast<double>(kBatch) || y == static_cast<double>(kBatch))
          failNode(n, "arithmetic on the batch size is not supported");
        double r = op == "Mul" ? x * y : op == "Add" ? x + y : op == "Sub" ? x - y : x / y;
        if (out.integer && op == "Div") r = std::trunc(r);
        out.values[static_cast<std::size_t>(k)] = r;
      }
    } else {
      return false;
    }
    if (out.values.size() > static_cast<std::size_t>(kMaxElements))
      failNode(n, "constant too large");
    setOutput(n, std::move(out));
    return true;
  }

  // ---- layers ----------------------------------------------------------------------------------

  void node(const onnx::NodeProto& n) {
    const std::string& op = n.op_type();
    if (!n.domain().empty() && n.domain() != "ai.onnx")
      failNode(n, fmt::format("op type {} of domain \"{}\" is not supported (xbarsim imports {})",
                              op, n.domain(), kSupported));
    if (foldConstant(n)) return;
    if (op == "Identity" || op == "Dropout") {
      if (op == "Dropout") {
        unusedOutputs(n, 1);
        if (hasInput(n, 2) && !constant(n, 2).values.empty() && constant(n, 2).values[0] != 0.0)
          failNode(n, "training_mode = true is not inference");
      }
      Tensor a = activation(n, 0);
      a.direct = false;
      setOutput(n, a);
    } else if (op == "Pad") {
      Tensor a = activation(n, 0);
      std::vector<std::int64_t> pads = intsAttr(n, "pads");
      if (hasInput(n, 1))
        for (std::int64_t v : ints(n, 1)) pads.push_back(v);
      if (std::any_of(pads.begin(), pads.end(), [](std::int64_t p) { return p != 0; }))
        failNode(n, "padding other than zero is supported inside Conv only");
      a.direct = false;
      setOutput(n, a);
    } else if (op == "Relu") {
      const Tensor a = activation(n, 0);
      if (Layer* target = foldTarget(n, a)) {
        target->activation = dnn::Activation::Relu;
        setOutput(n, a);
      } else {
        Layer relu;
        relu.kind = LayerKind::Relu;
        setOutput(n, addLayer(std::move(relu), {a.producer}, a.shape, a.rank));
      }
    } else if (op == "Flatten") {
      const Tensor a = activation(n, 0);
      if (axisOf(intAttr(n, "axis", 1), static_cast<std::size_t>(a.rank)) != 1)
        failNode(n, "only axis = 1 (flatten each sample) is supported");
      flatten(n, a);
    } else if (op == "Reshape") {
      const Tensor a = activation(n, 0);
      const std::vector<std::int64_t> d = ints(n, 1);
      if (d.empty()) failNode(n, "reshape to a scalar");
      const bool batch_first =
          !d.empty() && (d[0] == kBatch || d[0] == 0 || d[0] == -1 ||
                         (d[0] > 0 && std::count(d.begin(), d.end(), -1) == 1));
      std::int64_t rest = 1;
      bool infer = false;
      for (std::size_t k = 1; k < d.size(); ++k) {
        if (d[k] == -1) {
          infer = true;
        } else if (d[k] > 0 && d[k] <= kMaxElements) {
          rest *= d[k];
          if (rest > kMaxElements) failNode(n, "reshape to too many values");
        } else {
          failNode(n, "reshape with zero or symbolic dimensions after the first");
        }
      }
      if (d[0] == -1 && infer) failNode(n, "two inferred (-1) dimensions");
      const auto size = static_cast<std::int64_t>(a.shape.size());
      if (!batch_first || (!infer && rest != size) || (infer && size % rest != 0))
        failNode(n, fmt::format("reshape of samples {} to {} values per sample is not supported",
                                toString(a.shape), d.size() > 1 ? rest : 0));
      if (d.size() == 2) {
        flatten(n, a);
      } else if (d.size() == 4 && d[1] == a.shape.c && d[2] == a.shape.h && d[3] == a.shape.w) {
        Tensor same = a;
        same.direct = false;
        same.rank = 4;
        setOutput(n, same);
      } else {
        failNode(n, "only reshapes that flatten each sample (or keep its shape) are supported");
      }
    } else if (op == "Gemm" || op == "MatMul") {
      dense(n);
    } else if (op == "Conv") {
      conv(n);
    } else if (op == "MaxPool" || op == "AveragePool") {
      pool(n);
    } else if (op == "GlobalAveragePool") {
      const Tensor a = activation(n, 0);
      if (a.rank != 4) failNode(n, "needs a (batch, C, H, W) input");
      Layer l;
      l.kind = LayerKind::AvgPool2d;
      l.kernel_h = l.stride_h = a.shape.h;
      l.kernel_w = l.stride_w = a.shape.w;
      setOutput(n, addLayer(std::move(l), {a.producer}, Shape{a.shape.c, 1, 1}, 4));
    } else if (op == "BatchNormalization") {
      batchNorm(n);
    } else if (op == "Add") {
      add(n);
    } else {
      failNode(n, fmt::format("op type {} is not supported (xbarsim imports {})", op, kSupported));
    }
  }

  void flatten(const onnx::NodeProto& n, const Tensor& a) {
    if (a.rank == 2) {  // already (batch, features)
      Tensor same = a;
      same.direct = false;
      setOutput(n, same);
      return;
    }
    Layer l;
    l.kind = LayerKind::Flatten;
    setOutput(n, addLayer(std::move(l), {a.producer}, Shape{a.shape.size(), 1, 1}, 2));
  }

  static Vector toVector(const Constant& c, double scale = 1.0) {
    Vector v(static_cast<Index>(c.values.size()));
    for (std::size_t i = 0; i < c.values.size(); ++i)
      v(static_cast<Index>(i)) = static_cast<float>(c.values[i] * scale);
    return v;
  }

  void dense(const onnx::NodeProto& n) {
    const bool gemm = n.op_type() == "Gemm";
    const Tensor a = activation(n, 0);
    const Constant& b = constant(n, 1);
    if (a.rank != 2) failNode(n, "needs a (batch, features) input (flatten first)");
    if (gemm && intAttr(n, "transA", 0) != 0) failNode(n, "transA = 1 is not supported");
    const bool trans_b = gemm && intAttr(n, "transB", 0) != 0;
    const double alpha = gemm ? floatAttr(n, "alpha", 1.0) : 1.0;
    const double beta = gemm ? floatAttr(n, "beta", 1.0) : 1.0;
    if (b.dims.size() != 2) failNode(n, "the weight must be a matrix");
    const std::int64_t out = trans_b ? b.dims[0] : b.dims[1];
    const std::int64_t in = trans_b ? b.dims[1] : b.dims[0];
    if (in != a.shape.size())
      failNode(n, fmt::format("weight takes {} inputs but the input has {} features", in,
                              a.shape.size()));
    Layer l;
    l.kind = LayerKind::Dense;
    l.weight.resize(out, in);
    for (std::int64_t i = 0; i < out; ++i)
      for (std::int64_t j = 0; j < in; ++j)
        l.weight(i, j) = static_cast<float>(
            alpha * b.values[static_cast<std::size_t>(trans_b ? i * in + j : j * out + i)]);
    l.bias = Vector::Zero(out);
    if (gemm && hasInput(n, 2)) {
      const Constant& c = constant(n, 2);
      if (c.size() == out)
        l.bias = toVector(c, beta);
      else if (c.size() == 1)
        l.bias = Vector::Constant(out, static_cast<float>(c.values[0] * beta));
      else
        failNode(n, fmt::format("bias of {} values for {} outputs", c.size(), out));
    }
    setOutput(n, addLayer(std::move(l), {a.producer}, Shape{out, 1, 1}, 2));
  }

  std::pair<Index, Index> stridesOf(const onnx::NodeProto& n) const {
    std::vector<std::int64_t> s = intsAttr(n, "strides");
    if (s.empty()) s = {1, 1};
    if (s.size() != 2 || s[0] < 1 || s[1] < 1 || s[0] > kMaxPad || s[1] > kMaxPad)
      failNode(n, "strides must be two positive values");
    return {s[0], s[1]};
  }

  void checkPlain(const onnx::NodeProto& n, bool pads_allowed) const {
    const std::vector<std::int64_t> dil = intsAttr(n, "dilations");
    if (std::any_of(dil.begin(), dil.end(), [](std::int64_t d) { return d != 1; }))
      failNode(n, "dilations other than 1 are not supported");
    if (const onnx::AttributeProto* p = attribute(n, "auto_pad");
        p && p->s() != "NOTSET" && p->s() != "VALID")
      failNode(n, fmt::format("auto_pad = {} is not supported (give pads)", p->s()));
    const std::vector<std::int64_t> pads = intsAttr(n, "pads");
    if (!pads_allowed &&
        std::any_of(pads.begin(), pads.end(), [](std::int64_t p) { return p != 0; }))
      failNode(n, "padding is not supported in pooling");
  }

  void conv(const onnx::NodeProto& n) {
    const Tensor a = activation(n, 0);
    const Constant& w = constant(n, 1);
    if (a.rank != 4) failNode(n, "needs a (batch, C, H, W) input");
    if (intAttr(n, "group", 1) != 1)
      failNode(n,
               fmt::format("group = {} is not supported (group = 1 only)", intAttr(n, "group", 1)));
    checkPlain(n, true);
    if (w.dims.size() != 4) failNode(n, "the weight must be (out, in, kh, kw)");
    if (w.dims[1] != a.shape.c)
      failNode(n,
               fmt::format("weight takes {} channels but the input has {}", w.dims[1], a.shape.c));
    std::vector<std::int64_t> pads = intsAttr(n, "pads");
    if (pads.empty()) pads = {0, 0, 0, 0};
    if (pads.size() != 4 || pads[0] != pads[2] || pads[1] != pads[3] || pads[0] < 0 || pads[1] < 0)
      failNode(n, "pads must be symmetric (top = bottom, left = right)");
    if (pads[0] > kMaxPad || pads[1] > kMaxPad) failNode(n, "padding too large");
    Layer l;
    l.kind = LayerKind::Conv2d;
    l.kernel_h = w.dims[2];
    l.kernel_w = w.dims[3];
    std::tie(l.stride_h, l.stride_w) = stridesOf(n);
    l.pad_h = pads[0];
    l.pad_w = pads[1];
    const Index k = w.dims[1] * w.dims[2] * w.dims[3];
    l.weight.resize(w.dims[0], k);
    for (Index i = 0; i < w.dims[0]; ++i)
      for (Index j = 0; j < k; ++j)
        l.weight(i, j) = static_cast<float>(w.values[static_cast<std::size_t>(i * k + j)]);
    l.bias = Vector::Zero(w.dims[0]);
    if (hasInput(n, 2)) {
      const Constant& b = constant(n, 2);
      if (b.size() != w.dims[0]) failNode(n, "bias size differs from the output channels");
      l.bias = toVector(b);
    }
    const Index oh = (a.shape.h + 2 * l.pad_h - l.kernel_h) / l.stride_h + 1;
    const Index ow = (a.shape.w + 2 * l.pad_w - l.kernel_w) / l.stride_w + 1;
    if (a.shape.h + 2 * l.pad_h < l.kernel_h || a.shape.w + 2 * l.pad_w < l.kernel_w)
      failNode(n, "the kernel does not fit the input");
    setOutput(n, addLayer(std::move(l), {a.producer}, Shape{w.dims[0], oh, ow}, 4));
  }

  void pool(const onnx::NodeProto& n) {
    const Tensor a = activation(n, 0);
    if (a.rank != 4) failNode(n, "needs a (batch, C, H, W) input");
    unusedOutputs(n, 1);
    checkPlain(n, false);
    const std::vector<std::int64_t> k = intsAttr(n, "kernel_shape");
    if (k.size() != 2 || k[0] < 1 || k[1] < 1 || k[0] > kMaxPad || k[1] > kMaxPad)
      failNode(n, "kernel_shape must be two positive values");
    Layer l;
    l.kind = n.op_type() == "MaxPool" ? LayerKind::MaxPool2d : LayerKind::AvgPool2d;
    l.kernel_h = k[0];
    l.kernel_w = k[1];
    std::tie(l.stride_h, l.stride_w) = stridesOf(n);
    if (a.shape.h < l.kernel_h || a.shape.w < l.kernel_w)
      failNode(n, "the kernel does not fit the input");
    const Index span_h = a.shape.h - l.kernel_h, span_w = a.shape.w - l.kernel_w;
    if (intAttr(n, "ceil_mode", 0) != 0 && (span_h % l.stride_h != 0 || span_w % l.stride_w != 0))
      failNode(n, "ceil_mode = 1 with a partial last window is not supported");
    setOutput(n, addLayer(std::move(l), {a.producer},
                          Shape{a.shape.c, span_h / l.stride_h + 1, span_w / l.stride_w + 1}, 4));
  }

  void batchNorm(const onnx::NodeProto& n) {
    const Tensor a = activation(n, 0);
    if (intAttr(n, "training_mode", 0) != 0) failNode(n, "training_mode = 1 is not inference");
    unusedOutputs(n, 1);
    Layer l;
    l.kind = LayerKind::BatchNorm;
    l.gamma = toVector(constant(n, 1));
    l.beta = toVector(constant(n, 2));
    l.mean = toVector(constant(n, 3));
    l.var = toVector(constant(n, 4));
    l.eps = floatAttr(n, "epsilon", 1e-5);
    if (l.gamma.size() != a.shape.c)
      failNode(n, fmt::format("{} channels of statistics for an input of {} channels",
                              l.gamma.size(), a.shape.c));
    setOutput(n, addLayer(std::move(l), {a.producer}, a.shape, a.rank));
  }

  void add(const onnx::NodeProto& n) {
    if (n.input_size() != 2) failNode(n, "Add takes two inputs");
    const bool c0 = isConstant(n.input(0)), c1 = isConstant(n.input(1));
    if (!c0 && !c1) {
      const Tensor& x = activation(n, 0);
      const Tensor& y = activation(n, 1);
      if (!(x.shape == y.shape))
        failNode(n, fmt::format("inputs of different shapes {} and {} (no broadcasting)",
                                toString(x.shape), toString(y.shape)));
      Layer l;
      l.kind = LayerKind::Add;
      setOutput(n, addLayer(std::move(l), {x.producer, y.producer}, x.shape, x.rank));
      return;
    }
    // activation + constant: a bias, folded into the dense or conv2d layer before it
    const int ai = c0 ? 1 : 0;
    const Tensor a = activation(n, ai);
    const Constant& c = constant(n, 1 - ai);
    Layer* l = nullptr;
    if (a.producer != kNetworkInput && a.direct && uses_[n.input(ai)] == 1) {
      Layer& p = net_.layers[static_cast<std::size_t>(a.producer)];
      if (p.isAnalog() && p.activation == dnn::Activation::None) l = &p;
    }
    const Index channels = a.shape.c;
    const bool per_channel =
        c.size() == channels &&
        (a.rank == 2 ||
         (c.dims.size() >= 3 && c.dims[c.dims.size() - 1] == 1 && c.dims[c.dims.size() - 2] == 1));
    if (!l || !(per_channel || c.size() == 1))
      failNode(n,
               "adding a constant is supported as the bias of the dense or conv layer right "
               "before it only");
    for (Index i = 0; i < l->bias.size(); ++i)
      l->bias(i) += static_cast<float>(c.values[static_cast<std::size_t>(c.size() == 1 ? 0 : i)]);
    setOutput(n, a);
  }

  // ---- finishing -------------------------------------------------------------------------------

  /// Drops layers the output does not depend on and renumbers the rest.
  void prune(std::size_t output) {
    std::vector<bool> keep(net_.layers.size(), false);
    keep[output] = true;
    for (std::size_t i = output + 1; i-- > 0;)
      if (keep[i])
        for (std::ptrdiff_t p : net_.layers[i].inputs)
          if (p != kNetworkInput) keep[static_cast<std::size_t>(p)] = true;
    std::vector<std::ptrdiff_t> renumber(net_.layers.size(), kNetworkInput);
    std::vector<Layer> kept;
    for (std::size_t i = 0; i <= output; ++i) {
      if (!keep[i]) continue;
      Layer l = std::move(net_.layers[i]);
      for (std::ptrdiff_t& p : l.inputs)
        if (p != kNetworkInput) p = renumber[static_cast<std::size_t>(p)];
      renumber[i] = static_cast<std::ptrdiff_t>(kept.size());
      l.name = fmt::format("{:03d}", kept.size());
      kept.push_back(std::move(l));
    }
    net_.layers = std::move(kept);
    // A chain needs no explicit inputs (model format version 1 holds it).
    if (net_.isChain())
      for (Layer& l : net_.layers) l.inputs.clear();
  }

  const fs::path& path_;
  const onnx::ModelProto& model_;
  Network net_;
  std::map<std::string, Value> values_;
  std::map<std::string, int> uses_;
  std::optional<double> scale_, offset_;
};

}  // namespace

bool isOnnxPath(const fs::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return ext == ".onnx";
}

Network importOnnx(const fs::path& path) {
  if (!fs::exists(path)) throw ConfigError(path.string(), 0, "", "model file not found");
  (void)core::checkInputFile(path, core::kNoSizeLimit, "ONNX model");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError(fmt::format("{}: cannot open the ONNX model", path.string()));
  onnx::ModelProto model;
  if (!model.ParseFromIstream(&in))
    throw IoError(fmt::format("{}: not a readable ONNX model (truncated or corrupt protobuf data)",
                              path.string()));
  if (!model.has_graph() || model.graph().node_size() == 0)
    throw IoError(fmt::format("{}: not an ONNX model (no graph nodes; truncated or not ONNX)",
                              path.string()));
  for (const onnx::OperatorSetIdProto& o : model.opset_import())
    if ((o.domain().empty() || o.domain() == "ai.onnx") && (o.version() < 7 || o.version() > 18))
      throw ConfigError(path.string(), 0, "opset_import",
                        fmt::format("opset {} is outside the supported 7..18 (PyTorch writes "
                                    "11..17)",
                                    o.version()));
  return Importer(path, model).run();
}

}  // namespace xbarsim::dnn
