// SPDX-License-Identifier: MIT
#pragma once
/// @file Feed-forward networks in the xbarsim model format (versions 1 and 2,
/// docs/architecture.md §7.1) and their float inference (the reference every analog result is
/// compared with).
///
/// Data layout: a batch is a float matrix with one sample per column; a sample of shape
/// (C, H, W) is stored in C, H, W order (PyTorch's flatten order), so `flatten` is free.
/// Layers: dense (y = W x + b), conv2d (im2col: one MVM of the (out_ch, in_ch·kh·kw) weight
/// matrix per output pixel), maxpool2d / avgpool2d (no padding, floor mode), batchnorm
/// (inference form with running statistics), relu, flatten, add (sum of two or more inputs of one
/// shape: residual connections). Dense and conv2d are the analog layers; an AnalogHook replaces
/// their matrix products (the bias and activation stay digital).
///
/// Topology: version 1 is a chain (each layer takes the previous one's output); version 2 is a
/// directed acyclic graph whose layers name their inputs (Layer::inputs), stored in topological
/// order, the last layer being the output.
///
/// Model file (HDF5): `/` attributes `format = "xbarsim-model"`, `version` (1 or 2),
/// `input_shape` (C, H, W), `input_scale`, `input_offset` (network input = pixel·scale + offset);
/// `/layers/NNN` groups in name order with attribute `type` (version 2: and `inputs`) and the
/// datasets/attributes listed in docs/architecture.md §7.1. Accepted extensions: a standalone
/// `relu` layer; `stride`, `padding`, `kernel` as a scalar or an (h, w) pair. Weights may be
/// stored in any float or integer type. A path ending in `.onnx` is read as ONNX instead
/// (dnn/onnx_import.hpp).

#include <Eigen/Core>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace xbarsim::core {
class Config;
}

namespace xbarsim::dnn {

using Index = Eigen::Index;
/// A batch of samples (features × samples) or a weight matrix, in single precision.
using Matrix = Eigen::MatrixXf;
using Vector = Eigen::VectorXf;

/// Shape of one sample (channels, height, width); a feature vector is (n, 1, 1).
struct Shape {
  Index c = 1;
  Index h = 1;
  Index w = 1;
  [[nodiscard]] Index size() const noexcept { return c * h * w; }
  friend bool operator==(const Shape&, const Shape&) = default;
};
[[nodiscard]] std::string toString(const Shape& s);

enum class LayerKind { Dense, Conv2d, MaxPool2d, AvgPool2d, BatchNorm, Relu, Flatten, Add };
enum class Activation { None, Relu };

[[nodiscard]] std::string_view toString(LayerKind kind) noexcept;

/// Layer::inputs entry that names the network input.
inline constexpr std::ptrdiff_t kNetworkInput = -1;

/// One layer. Only the members of its kind are used.
struct Layer {
  LayerKind kind = LayerKind::Dense;
  std::string name;                 ///< group name in the model file ("000", ...)
  // dense / conv2d
  Matrix weight;                    ///< dense (out, in); conv2d (out_ch, in_ch·kh·kw)
  Vector bias;                      ///< (out) or (out_ch)
  Activation activation = Activation::None;
  // conv2d / pooling
  Index kernel_h = 1, kernel_w = 1;
  Index stride_h = 1, stride_w = 1;
  Index pad_h = 0, pad_w = 0;
  // batchnorm (per channel)
  Vector gamma, beta, mean, var;
  double eps = 1e-5;
  /// Producers of the layer's inputs (graphs, model format version 2): indices of earlier
  /// layers, or kNetworkInput; `add` takes two or more, every other kind one. Empty: the previous
  /// layer (the network input for the first), as in a chain (version 1).
  std::vector<std::ptrdiff_t> inputs;
  // resolved by Network::resolveShapes()
  Shape in_shape;
  Shape out_shape;

  /// True for dense and conv2d (mapped onto crossbar tiles).
  [[nodiscard]] bool isAnalog() const noexcept {
    return kind == LayerKind::Dense || kind == LayerKind::Conv2d;
  }
};

/// Replaces the matrix product of analog layers. `inputs` holds one input vector per column
/// (the layer input for dense, the im2col patches for conv2d); the hook writes weight·inputs
/// (without bias) to `outputs` (rows = weight rows). `chunk` numbers the batch so that noise
/// drawn per MVM can be seeded independently of the thread that runs it.
class AnalogHook {
 public:
  virtual ~AnalogHook() = default;
  virtual void multiply(std::size_t layer_index, const Matrix& inputs, Matrix& outputs,
                        std::uint64_t chunk) const = 0;
};

class Network {
 public:
  Shape input_shape;
  double input_scale = 1.0;
  double input_offset = 0.0;
  std::vector<Layer> layers;
  /// Root attributes other than the format keys (provenance, e.g. "producer"), kept on save.
  std::map<std::string, std::string> string_attributes;
  std::map<std::string, double> number_attributes;
  /// False when the source did not say how pixels become network inputs (an ONNX file from
  /// PyTorch): input_scale = 1 and input_offset = 0 are placeholders until applyInputScaling().
  bool input_scaling_known = true;

  /// Checks every layer against its input shape and fills in_shape/out_shape; in a graph also
  /// that every layer takes earlier layers only and feeds a later one (but the last, the output).
  /// @throws ConfigError naming `source` and the layer when shapes or connections do not fit.
  void resolveShapes(const std::string& source = "network");
  [[nodiscard]] Shape outputShape() const;
  /// Indices of the analog layers (dense, conv2d) in `layers`.
  [[nodiscard]] std::vector<std::size_t> analogLayers() const;
  /// True if every layer takes the previous one's output (version 1 can hold the network).
  [[nodiscard]] bool isChain() const;
  /// The producers of layer i's inputs (Layer::inputs, or the previous layer when empty).
  [[nodiscard]] std::vector<std::ptrdiff_t> producers(std::size_t i) const;

  /// Network inputs for pixels (features × samples, values 0..255): pixel·scale + offset.
  [[nodiscard]] Matrix prepareInputs(const Matrix& pixels) const;
  /// Runs every layer on a batch of network inputs; with a hook, analog layers use it.
  [[nodiscard]] Matrix forward(const Matrix& inputs, const AnalogHook* hook = nullptr,
                               std::uint64_t chunk = 0) const;
  /// Runs layers [first, last) of a chain only. @throws Error on a graph (use forwardVisiting).
  [[nodiscard]] Matrix forwardRange(const Matrix& inputs, std::size_t first, std::size_t last,
                                    const AnalogHook* hook, std::uint64_t chunk) const;
  /// Called with (layer index, the layer's input) before each layer runs (for add: its first
  /// input); it may change that layer of this network (batch-norm recalibration does).
  using LayerVisitor = std::function<void(std::size_t, const Matrix&)>;
  /// forward() that shows each layer's input to `before` first.
  Matrix forwardVisiting(const Matrix& inputs, const AnalogHook* hook, std::uint64_t chunk,
                         const LayerVisitor& before);
};

/// Reads a model file: HDF5 model format version 1 or 2, or ONNX when the name ends in `.onnx`
/// (importOnnx(); then input_scaling_known may be false). @throws ConfigError (missing file,
/// not a model, wrong format, version, missing layer data, shape mismatch, unsupported ONNX node)
/// or IoError (an unreadable ONNX file), naming the file and the layer or node.
[[nodiscard]] Network loadNetwork(const std::filesystem::path& path);
/// loadNetwork() followed by applyInputScaling() with `config`.
[[nodiscard]] Network loadNetwork(const std::filesystem::path& path, const core::Config& config);
/// Sets input_scale / input_offset from the configuration keys dnn.input_scale and
/// dnn.input_offset where given (they override the model's values).
/// @throws ConfigError when the model does not carry its scaling (input_scaling_known is false)
/// and the configuration does not give both keys.
void applyInputScaling(Network& network, const core::Config& config,
                       const std::string& model_name);
/// Writes a model file (float32 datasets) atomically (temporary file, then rename) in format
/// `version`: 1 (a chain only), 2, or 0 = the lowest version that holds the network.
/// @throws Error when version 1 is asked for a graph.
void saveNetwork(const Network& network, const std::filesystem::path& path, int version = 0);

// ---- layer kernels (also used by training) -----------------------------------------------------

/// im2col of a batch: inputs (C·H·W × N) → patches (C·kh·kw × N·P), P = out_h·out_w, column
/// n·P + p is the receptive field of output pixel p of sample n (zero padding).
void im2col(const Layer& conv, const Matrix& inputs, Matrix& patches);
/// Rearranges conv outputs (out_ch × N·P) into samples (out_ch·P × N) and adds the bias.
void col2output(const Layer& conv, const Matrix& products, Matrix& outputs);
/// Applies a non-analog layer of one input (pooling, batch-norm, relu, flatten) to a batch.
[[nodiscard]] Matrix applyDigital(const Layer& layer, const Matrix& inputs);

/// Number of columns of `logits` (classes × N) whose largest entry is at labels[first + n].
[[nodiscard]] Index countCorrect(const Matrix& logits, const std::vector<int>& labels,
                                 Index first = 0);
/// Index of the largest entry of each column.
[[nodiscard]] std::vector<int> argmaxColumns(const Matrix& logits);

}  // namespace xbarsim::dnn
