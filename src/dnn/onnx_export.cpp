// SPDX-License-Identifier: MIT
// ONNX export (dnn/onnx_import.hpp): one node (two for a layer with a ReLU) per layer, opset 13.
#include <fmt/format.h>
#include <onnx/onnx_pb.h>

#include <fstream>
#include <string>
#include <vector>

#include "xbarsim/core/error.hpp"
#include "xbarsim/dnn/onnx_import.hpp"
#include "xbarsim/io/atomic_file.hpp"

namespace xbarsim::dnn {
namespace {

constexpr std::int64_t kOpset = 13;

class Exporter {
 public:
  explicit Exporter(const Network& net) : net_(net) {}

  onnx::ModelProto run() {
    onnx::ModelProto model;
    model.set_ir_version(7);  // what opset 13 goes with
    model.set_producer_name("xbarsim");
    model.set_producer_version("1");
    onnx::OperatorSetIdProto* opset = model.add_opset_import();
    opset->set_domain("");
    opset->set_version(kOpset);
    for (const auto& [key, value] :
         {std::pair<std::string, double>{"xbarsim.input_scale", net_.input_scale},
          {"xbarsim.input_offset", net_.input_offset}}) {
      onnx::StringStringEntryProto* p = model.add_metadata_props();
      p->set_key(key);
      p->set_value(fmt::format("{:.17g}", value));
    }
    g_ = model.mutable_graph();
    g_->set_name("xbarsim");
    const Shape in = net_.input_shape;
    // (batch, features) for a feature-vector input that no layer reads as an image
    flat_input_ = in.h == 1 && in.w == 1;
    for (const Layer& l : net_.layers)
      if (l.kind == LayerKind::Conv2d || l.kind == LayerKind::MaxPool2d ||
          l.kind == LayerKind::AvgPool2d)
        flat_input_ = false;
    if (flat_input_)
      valueInfo(g_->add_input(), "input", {in.c});
    else
      valueInfo(g_->add_input(), "input", {in.c, in.h, in.w});
    std::vector<std::string> out(net_.layers.size());
    for (std::size_t i = 0; i < net_.layers.size(); ++i) {
      const Layer& l = net_.layers[i];
      std::vector<std::string> from;
      for (std::ptrdiff_t p : net_.producers(i))
        from.push_back(p == kNetworkInput ? "input" : out[static_cast<std::size_t>(p)]);
      const std::string name = "layer" + l.name;
      out[i] = layer(l, name, from);
    }
    // The last node writes "logits".
    onnx::NodeProto* last = g_->mutable_node(g_->node_size() - 1);
    for (int k = 0; k < g_->node_size(); ++k)
      for (int j = 0; j < g_->node(k).input_size(); ++j)
        if (g_->node(k).input(j) == last->output(0)) g_->mutable_node(k)->set_input(j, "logits");
    last->set_output(0, "logits");
    const Shape o = net_.outputShape();
    if (net_.layers.back().out_shape.h == 1 && net_.layers.back().out_shape.w == 1 &&
        rankOf(net_.layers.size() - 1) == 2)
      valueInfo(g_->add_output(), "logits", {o.c});
    else
      valueInfo(g_->add_output(), "logits", {o.c, o.h, o.w});
    return model;
  }

 private:
  /// 2 for (batch, features) outputs (after flatten or dense), 4 for (batch, C, H, W).
  int rankOf(std::size_t i) const {
    const Layer& l = net_.layers[i];
    if (l.kind == LayerKind::Dense || l.kind == LayerKind::Flatten) return 2;
    if (l.kind == LayerKind::Conv2d || l.kind == LayerKind::MaxPool2d ||
        l.kind == LayerKind::AvgPool2d)
      return 4;
    const std::ptrdiff_t p = net_.producers(i)[0];
    return p == kNetworkInput ? inputRank() : rankOf(static_cast<std::size_t>(p));
  }
  int inputRank() const { return flat_input_ ? 2 : 4; }

  static void valueInfo(onnx::ValueInfoProto* v, const std::string& name,
                        const std::vector<Index>& dims) {
    v->set_name(name);
    onnx::TypeProto_Tensor* t = v->mutable_type()->mutable_tensor_type();
    t->set_elem_type(onnx::TensorProto::FLOAT);
    onnx::TensorShapeProto* s = t->mutable_shape();
    s->add_dim()->set_dim_param("batch");
    for (Index d : dims) s->add_dim()->set_dim_value(d);
  }

  std::string initializer(const std::string& name, const std::vector<std::int64_t>& dims,
                          const float* data, std::size_t count) {
    onnx::TensorProto* t = g_->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::FLOAT);
    for (std::int64_t d : dims) t->add_dims(d);
    t->set_raw_data(std::string(reinterpret_cast<const char*>(data), count * sizeof(float)));
    return name;
  }
  std::string initializer(const std::string& name, const Vector& v) {
    return initializer(name, {v.size()}, v.data(), static_cast<std::size_t>(v.size()));
  }
  /// A row-major copy of a weight matrix with the given dims.
  std::string initializer(const std::string& name, const std::vector<std::int64_t>& dims,
                          const Matrix& m) {
    std::vector<float> rows(static_cast<std::size_t>(m.size()));
    for (Index i = 0; i < m.rows(); ++i)
      for (Index j = 0; j < m.cols(); ++j)
        rows[static_cast<std::size_t>(i * m.cols() + j)] = m(i, j);
    return initializer(name, dims, rows.data(), rows.size());
  }

  onnx::NodeProto* node(const std::string& op, const std::string& name,
                        const std::vector<std::string>& inputs, const std::string& output) {
    onnx::NodeProto* n = g_->add_node();
    n->set_op_type(op);
    n->set_name(name);
    for (const std::string& i : inputs) n->add_input(i);
    n->add_output(output);
    return n;
  }
  static void ints(onnx::NodeProto* n, const char* name, const std::vector<std::int64_t>& v) {
    onnx::AttributeProto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INTS);
    for (std::int64_t x : v) a->add_ints(x);
  }
  static void integer(onnx::NodeProto* n, const char* name, std::int64_t v) {
    onnx::AttributeProto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(v);
  }
  static void real(onnx::NodeProto* n, const char* name, double v) {
    onnx::AttributeProto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::FLOAT);
    a->set_f(static_cast<float>(v));
  }

  /// The nodes of one layer; returns the name of its output.
  std::string layer(const Layer& l, const std::string& name, const std::vector<std::string>& from) {
    std::string out = name + "_out";
    std::string x = from[0];
    switch (l.kind) {
      case LayerKind::Dense: {
        if (rankOfInput(l) == 4) {
          node("Flatten", name + "_flatten", {x}, name + "_flat");
          x = name + "_flat";
        }
        onnx::NodeProto* n =
            node("Gemm", name,
                 {x, initializer(name + ".weight", {l.weight.rows(), l.weight.cols()}, l.weight),
                  initializer(name + ".bias", l.bias)},
                 out);
        integer(n, "transB", 1);
        break;
      }
      case LayerKind::Conv2d: {
        const Index in_ch = l.weight.cols() / (l.kernel_h * l.kernel_w);
        onnx::NodeProto* n =
            node("Conv", name,
                 {x,
                  initializer(name + ".weight", {l.weight.rows(), in_ch, l.kernel_h, l.kernel_w},
                              l.weight),
                  initializer(name + ".bias", l.bias)},
                 out);
        ints(n, "kernel_shape", {l.kernel_h, l.kernel_w});
        ints(n, "strides", {l.stride_h, l.stride_w});
        ints(n, "pads", {l.pad_h, l.pad_w, l.pad_h, l.pad_w});
        break;
      }
      case LayerKind::MaxPool2d:
      case LayerKind::AvgPool2d: {
        onnx::NodeProto* n =
            node(l.kind == LayerKind::MaxPool2d ? "MaxPool" : "AveragePool", name, {x}, out);
        ints(n, "kernel_shape", {l.kernel_h, l.kernel_w});
        ints(n, "strides", {l.stride_h, l.stride_w});
        break;
      }
      case LayerKind::BatchNorm: {
        onnx::NodeProto* n =
            node("BatchNormalization", name,
                 {x, initializer(name + ".gamma", l.gamma), initializer(name + ".beta", l.beta),
                  initializer(name + ".mean", l.mean), initializer(name + ".var", l.var)},
                 out);
        real(n, "epsilon", l.eps);
        break;
      }
      case LayerKind::Relu:
        node("Relu", name, {x}, out);
        break;
      case LayerKind::Flatten: {
        onnx::NodeProto* n = node("Flatten", name, {x}, out);
        integer(n, "axis", 1);
        break;
      }
      case LayerKind::Add: {
        // ONNX Add takes two inputs: a chain of them for more.
        std::string sum = from[0];
        for (std::size_t k = 1; k < from.size(); ++k) {
          const std::string o = k + 1 == from.size() ? out : fmt::format("{}_sum{}", name, k);
          node("Add", k + 1 == from.size() ? name : fmt::format("{}_{}", name, k), {sum, from[k]},
               o);
          sum = o;
        }
        break;
      }
    }
    if (l.isAnalog() && l.activation == Activation::Relu) {
      node("Relu", name + "_relu", {out}, name + "_relu_out");
      out = name + "_relu_out";
    }
    return out;
  }

  /// Rank of a layer's input as exported.
  int rankOfInput(const Layer& l) const {
    for (std::size_t i = 0; i < net_.layers.size(); ++i)
      if (&net_.layers[i] == &l) {
        const std::ptrdiff_t p = net_.producers(i)[0];
        return p == kNetworkInput ? inputRank() : rankOf(static_cast<std::size_t>(p));
      }
    return inputRank();
  }

  const Network& net_;
  onnx::GraphProto* g_ = nullptr;
  bool flat_input_ = false;
};

}  // namespace

void exportOnnx(const Network& network, const std::filesystem::path& path) {
  if (network.layers.empty()) throw Error("exportOnnx: the network has no layers");
  const onnx::ModelProto model = Exporter(network).run();
  io::AtomicFile out(path);
  {
    std::ofstream f(out.tempPath(), std::ios::binary);
    if (!f || !model.SerializeToOstream(&f) || !f.flush())
      throw IoError(fmt::format("{}: cannot write the ONNX model", path.string()));
  }
  out.commit();
}

}  // namespace xbarsim::dnn
