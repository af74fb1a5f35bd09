// SPDX-License-Identifier: MIT
// Model format versions 1 (a chain) and 2 (a graph) (docs/architecture.md §7.1): reading and
// writing; `.onnx` paths go to the ONNX importer.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <type_traits>

#include "xbarsim/core/error.hpp"
#include "xbarsim/core/input_file.hpp"
#include "xbarsim/dnn/network.hpp"
#include "xbarsim/dnn/onnx_import.hpp"
#include "xbarsim/io/atomic_file.hpp"
#include "xbarsim/io/hdf5_file.hpp"

namespace xbarsim::dnn {
namespace {

namespace fs = std::filesystem;

/// Version 2 `inputs` entry that names the network input.
constexpr const char* kInputName = "input";

/// Largest dataset the reader reads (elements; 2 GiB as double), far above any model's layer.
/// The declared shape is checked against it before anything is allocated.
constexpr std::size_t kMaxArrayElements = std::size_t{1} << 28;

/// An N-D array in C (row-major) order.
struct NdArray {
  std::vector<std::size_t> dims;
  std::vector<double> data;
};

class Reader {
 public:
  Reader(const fs::path& path, const io::H5File& h5, std::size_t max_elements)
      : path_(path), h5_(h5), max_elements_(max_elements) {}

  [[noreturn]] void fail(const std::string& key, const std::string& problem) const {
    throw ConfigError(path_.string(), 0, key, problem);
  }

  NdArray array(const std::string& group, const std::string& name, std::size_t rank) const {
    const std::string p = group + "/" + name;
    if (!h5_.exists(p)) fail(p, "missing dataset (required by this layer type)");
    NdArray a;
    a.data = h5_.readArray<double>(p, &a.dims, max_elements_);
    if (a.dims.size() != rank)
      fail(p, fmt::format("has rank {}; expected rank {}", a.dims.size(), rank));
    // Layers compute in float32: a finite double outside its range would become infinite.
    for (double v : a.data) {
      if (!std::isfinite(v)) fail(p, "contains NaN or infinite values");
      if (std::abs(v) > std::numeric_limits<float>::max())
        fail(p, fmt::format("value {} is outside the float32 range", v));
    }
    return a;
  }

  Vector vector(const std::string& group, const std::string& name) const {
    const NdArray a = array(group, name, 1);
    Vector v(static_cast<Index>(a.data.size()));
    for (std::size_t i = 0; i < a.data.size(); ++i) v(static_cast<Index>(i)) = static_cast<float>(a.data[i]);
    return v;
  }

  /// Integer attribute given as a scalar or an (h, w) pair; `fallback` when absent (if >= 0).
  std::pair<Index, Index> pair(const std::string& group, const std::string& name,
                               Index fallback_h, Index fallback_w, bool required) const {
    if (!h5_.hasAttribute(group, name)) {
      if (required) fail(group + "@" + name, "missing attribute");
      return {fallback_h, fallback_w};
    }
    const std::vector<double> v = h5_.readDoubleVectorAttribute(group, name);
    if (v.empty() || v.size() > 2)
      fail(group + "@" + name, "expected one integer or an (h, w) pair");
    for (double x : v)
      if (x != std::floor(x) || x < 0 || x > 1e6)
        fail(group + "@" + name, fmt::format("{} is not a non-negative integer", x));
    return {static_cast<Index>(v[0]), static_cast<Index>(v.size() == 2 ? v[1] : v[0])};
  }

  Activation activation(const std::string& group) const {
    if (!h5_.hasAttribute(group, "activation")) return Activation::None;
    const std::string a = h5_.readStringAttribute(group, "activation");
    if (a == "relu") return Activation::Relu;
    if (a == "none" || a.empty()) return Activation::None;
    fail(group + "@activation", fmt::format("unknown activation \"{}\" (relu | none)", a));
  }

 private:
  const fs::path& path_;
  const io::H5File& h5_;
  std::size_t max_elements_;
};

Layer readLayer(const Reader& r, const io::H5File& h5, const std::string& name, int version) {
  const std::string g = "/layers/" + name;
  Layer l;
  l.name = name;
  if (!h5.hasAttribute(g, "type")) r.fail(g + "@type", "missing attribute \"type\"");
  const std::string type = h5.readStringAttribute(g, "type");
  if (type == "dense") {
    l.kind = LayerKind::Dense;
    const NdArray w = r.array(g, "weight", 2);
    l.weight.resize(static_cast<Index>(w.dims[0]), static_cast<Index>(w.dims[1]));
    for (Index i = 0; i < l.weight.rows(); ++i)
      for (Index j = 0; j < l.weight.cols(); ++j)
        l.weight(i, j) = static_cast<float>(w.data[static_cast<std::size_t>(i * l.weight.cols() + j)]);
    l.bias = r.vector(g, "bias");
    l.activation = r.activation(g);
  } else if (type == "conv2d") {
    l.kind = LayerKind::Conv2d;
    const NdArray w = r.array(g, "weight", 4);
    const auto out = static_cast<Index>(w.dims[0]);
    const auto k = static_cast<Index>(w.dims[1] * w.dims[2] * w.dims[3]);
    l.kernel_h = static_cast<Index>(w.dims[2]);
    l.kernel_w = static_cast<Index>(w.dims[3]);
    l.weight.resize(out, k);
    for (Index i = 0; i < out; ++i)
      for (Index j = 0; j < k; ++j)
        l.weight(i, j) = static_cast<float>(w.data[static_cast<std::size_t>(i * k + j)]);
    l.bias = r.vector(g, "bias");
    std::tie(l.stride_h, l.stride_w) = r.pair(g, "stride", 1, 1, false);
    std::tie(l.pad_h, l.pad_w) = r.pair(g, "padding", 0, 0, false);
    l.activation = r.activation(g);
  } else if (type == "maxpool2d" || type == "avgpool2d") {
    l.kind = type == "maxpool2d" ? LayerKind::MaxPool2d : LayerKind::AvgPool2d;
    std::tie(l.kernel_h, l.kernel_w) = r.pair(g, "kernel", 0, 0, true);
    std::tie(l.stride_h, l.stride_w) = r.pair(g, "stride", l.kernel_h, l.kernel_w, false);
  } else if (type == "batchnorm") {
    l.kind = LayerKind::BatchNorm;
    l.gamma = r.vector(g, "gamma");
    l.beta = r.vector(g, "beta");
    l.mean = r.vector(g, "mean");
    l.var = r.vector(g, "var");
    l.eps = h5.hasAttribute(g, "eps") ? h5.readDoubleAttribute(g, "eps") : 1e-5;
  } else if (type == "flatten") {
    l.kind = LayerKind::Flatten;
  } else if (type == "relu") {
    l.kind = LayerKind::Relu;
  } else if (type == "add" && version >= 2) {
    l.kind = LayerKind::Add;
  } else {
    r.fail(g + "@type", fmt::format("unknown layer type \"{}\" (dense | conv2d | maxpool2d | "
                                    "avgpool2d | batchnorm | relu | flatten{})",
                                    type, version >= 2 ? " | add" : ""));
  }
  return l;
}

std::vector<float> toFloats(const Matrix& m) {  // row-major copy
  std::vector<float> out(static_cast<std::size_t>(m.size()));
  for (Index i = 0; i < m.rows(); ++i)
    for (Index j = 0; j < m.cols(); ++j) out[static_cast<std::size_t>(i * m.cols() + j)] = m(i, j);
  return out;
}

/// A float32 dataset of shape `dims` (row-major `values`; a Matrix is copied to row-major).
template <typename Values>
void writeFloats(io::H5File& h5, const std::string& path, const std::vector<Index>& dims,
                 const Values& values) {
  std::vector<float> data;
  if constexpr (std::is_same_v<Values, Matrix>) {
    data = toFloats(values);
  } else {
    data.assign(values.data(), values.data() + values.size());
  }
  h5.writeArray<float>(path, {dims.begin(), dims.end()}, data);
}

/// (h, w) attribute: a scalar int64 when h == w, otherwise an int64 pair.
void writePair(io::H5File& h5, const std::string& g, const std::string& name, Index h, Index wd) {
  if (h == wd)
    h5.setAttribute(g, name, static_cast<std::int64_t>(h));
  else
    h5.setIntsAttribute(g, name, {static_cast<std::int64_t>(h), static_cast<std::int64_t>(wd)});
}

/// Version 2: each layer's `inputs` attribute, comma-separated names of earlier layers or
/// `input` (the network input); absent = the previous layer.
void readInputs(const Reader& r, const io::H5File& h5, const std::vector<std::string>& names,
                Network& net) {
  std::map<std::string, std::ptrdiff_t> index;
  for (std::size_t i = 0; i < names.size(); ++i) {
    const std::string g = "/layers/" + names[i];
    Layer& l = net.layers[i];
    if (h5.hasAttribute(g, "inputs")) {
      const std::string list = h5.readStringAttribute(g, "inputs");
      std::size_t at = 0;
      while (true) {
        const std::size_t comma = list.find(',', at);
        std::string item = list.substr(at, comma == std::string::npos ? std::string::npos : comma - at);
        item.erase(0, item.find_first_not_of(' '));
        item.erase(item.find_last_not_of(' ') + 1);
        if (item == kInputName) {
          l.inputs.push_back(kNetworkInput);
        } else if (const auto it = index.find(item); it != index.end()) {
          l.inputs.push_back(it->second);
        } else {
          r.fail(g + "@inputs", fmt::format("\"{}\" is not an earlier layer or \"{}\" (layers are "
                                            "listed in topological name order)",
                                            item, kInputName));
        }
        if (comma == std::string::npos) break;
        at = comma + 1;
      }
    } else {
      l.inputs.push_back(static_cast<std::ptrdiff_t>(i) - 1);
    }
    index[names[i]] = static_cast<std::ptrdiff_t>(i);
  }
}

/// The network of an open model file; `max_elements` bounds every dataset.
Network readNetwork(const fs::path& path, const io::H5File& h5, std::size_t max_elements) {
  const Reader r(path, h5, max_elements);
  if (!h5.hasAttribute("/", "format"))
    r.fail("format", "not an xbarsim model: the root attribute format = \"xbarsim-model\" is "
                     "missing");
  const std::string format = h5.readStringAttribute("/", "format");
  if (format != "xbarsim-model")
    r.fail("format", fmt::format("not an xbarsim model (format = \"{}\")", format));
  if (!h5.hasAttribute("/", "version")) r.fail("version", "missing root attribute version");
  const double version = h5.readDoubleAttribute("/", "version");
  if (version != 1.0 && version != 2.0)
    r.fail("version", fmt::format("model format version {} is not supported (this build reads "
                                  "versions 1 and 2)",
                                  version));
  Network net;
  if (!h5.hasAttribute("/", "input_shape")) r.fail("input_shape", "missing root attribute");
  const std::vector<double> shape = h5.readDoubleVectorAttribute("/", "input_shape");
  if (shape.size() != 3)
    r.fail("input_shape", fmt::format("has {} values; expected (C, H, W)", shape.size()));
  for (double v : shape)
    if (v < 1 || v != std::floor(v) || v > 1e7)
      r.fail("input_shape", fmt::format("{} is not a positive integer", v));
  net.input_shape = Shape{static_cast<Index>(shape[0]), static_cast<Index>(shape[1]),
                          static_cast<Index>(shape[2])};
  for (const char* key : {"input_scale", "input_offset"})
    if (!h5.hasAttribute("/", key)) r.fail(key, "missing root attribute");
  net.input_scale = h5.readDoubleAttribute("/", "input_scale");
  net.input_offset = h5.readDoubleAttribute("/", "input_offset");
  if (!std::isfinite(net.input_scale) || !std::isfinite(net.input_offset))
    r.fail("input_scale", "input_scale and input_offset must be finite");
  for (const char* key : {"producer", "training"})
    if (h5.hasAttribute("/", key)) net.string_attributes[key] = h5.readStringAttribute("/", key);
  if (!h5.exists("/layers")) r.fail("/layers", "missing group /layers");
  const std::vector<std::string> names = h5.listGroup("/layers");  // sorted by name
  if (names.empty()) r.fail("/layers", "the model has no layers");
  for (const std::string& name : names)
    net.layers.push_back(readLayer(r, h5, name, static_cast<int>(version)));
  if (version == 2.0) readInputs(r, h5, names, net);
  net.resolveShapes(path.string());
  return net;
}

}  // namespace

Network loadNetwork(const fs::path& path) {
  if (!fs::exists(path)) throw ConfigError(path.string(), 0, "", "model file not found");
  if (isOnnxPath(path)) return importOnnx(path);
  const std::uintmax_t file_bytes = core::checkInputFile(path, core::kNoSizeLimit, "model file");
  // A truncated file, one that is not HDF5 at all, or an object HDF5 cannot read (an attribute
  // of the wrong type, a link loop, a filter this build lacks) is bad input (exit 1), not a run
  // failure; the HDF5 message names the object.
  try {
    const io::H5File h5 = io::H5File::openReadOnly(path);
    // Declared shapes are bounded before allocation, also by what the file can hold.
    return readNetwork(path, h5, std::min(kMaxArrayElements, io::plausibleElements(file_bytes)));
  } catch (const IoError& e) {
    throw ConfigError(path.string(), 0, "", fmt::format("not a readable model file: {}", e.what()));
  }
}

Network loadNetwork(const fs::path& path, const core::Config& config) {
  Network net = loadNetwork(path);
  applyInputScaling(net, config, path.string());
  return net;
}

void saveNetwork(const Network& net, const fs::path& path, int version) {
  const bool chain = net.isChain();
  if (version == 0) version = chain ? 1 : 2;
  if (version != 1 && version != 2)
    throw Error(fmt::format("saveNetwork: no model format version {}", version));
  if (version == 1 && !chain)
    throw Error(fmt::format("{}: the network is a graph; model format version 1 holds chains only "
                            "(write version 2)",
                            path.string()));
  io::AtomicFile out(path);
  io::H5File h5 = io::H5File::create(out.tempPath());
  h5.setAttribute("/", "format", "xbarsim-model");
  h5.setAttribute("/", "version", std::int64_t{version});
  h5.setAttribute("/", "input_scale", net.input_scale);
  h5.setAttribute("/", "input_offset", net.input_offset);
  for (const auto& [k, v] : net.string_attributes) h5.setAttribute("/", k, std::string_view(v));
  for (const auto& [k, v] : net.number_attributes) h5.setAttribute("/", k, v);
  h5.setIntsAttribute("/", "input_shape",
                      {net.input_shape.c, net.input_shape.h, net.input_shape.w});
  h5.createGroup("/layers");
  for (std::size_t i = 0; i < net.layers.size(); ++i) {
    const Layer& l = net.layers[i];
    const std::string g = fmt::format("/layers/{:03d}", i);
    h5.createGroup(g);
    h5.setAttribute(g, "type", std::string_view(toString(l.kind)));
    if (version == 2) {
      std::string list;
      for (std::ptrdiff_t p : net.producers(i)) {
        if (!list.empty()) list += ",";
        list += p == kNetworkInput ? std::string(kInputName) : fmt::format("{:03d}", p);
      }
      h5.setAttribute(g, "inputs", std::string_view(list));
    }
    if (l.isAnalog())
      h5.setAttribute(g, "activation", l.activation == Activation::Relu ? "relu" : "none");
    if (l.kind == LayerKind::Dense) {
      writeFloats(h5, g + "/weight", {l.weight.rows(), l.weight.cols()}, l.weight);
      writeFloats(h5, g + "/bias", {l.bias.size()}, l.bias);
    } else if (l.kind == LayerKind::Conv2d) {
      const Index in_ch = l.weight.cols() / (l.kernel_h * l.kernel_w);
      writeFloats(h5, g + "/weight", {l.weight.rows(), in_ch, l.kernel_h, l.kernel_w}, l.weight);
      writeFloats(h5, g + "/bias", {l.bias.size()}, l.bias);
      writePair(h5, g, "stride", l.stride_h, l.stride_w);
      writePair(h5, g, "padding", l.pad_h, l.pad_w);
    } else if (l.kind == LayerKind::MaxPool2d || l.kind == LayerKind::AvgPool2d) {
      writePair(h5, g, "kernel", l.kernel_h, l.kernel_w);
      writePair(h5, g, "stride", l.stride_h, l.stride_w);
    } else if (l.kind == LayerKind::BatchNorm) {
      h5.setAttribute(g, "eps", l.eps);
      writeFloats(h5, g + "/gamma", {l.gamma.size()}, l.gamma);
      writeFloats(h5, g + "/beta", {l.beta.size()}, l.beta);
      writeFloats(h5, g + "/mean", {l.mean.size()}, l.mean);
      writeFloats(h5, g + "/var", {l.var.size()}, l.var);
    }
  }
  h5.close();
  out.commit();
}

}  // namespace xbarsim::dnn
