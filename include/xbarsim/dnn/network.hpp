// SPDX-License-Identifier: MIT
#pragma once
/// @file Feed-forward networks in the xbarsim model format (version 1, docs/architecture.md §7.1) and
/// their float inference (the reference every analog result is compared with).
///
/// Data layout: a batch is a float matrix with one sample per column; a sample of shape
/// (C, H, W) is stored in C, H, W order (PyTorch's flatten order), so `flatten` is free.
/// Layers: dense (y = W x + b), conv2d (im2col: one MVM of the (out_ch, in_ch·kh·kw) weight
/// matrix per output pixel), maxpool2d / avgpool2d (no padding, floor mode), batchnorm
/// (inference form with running statistics), relu, flatten. Dense and conv2d are the analog
/// layers; an AnalogHook replaces their matrix products (the bias and activation stay digital).
///
/// Model file (HDF5): `/` attributes `format = "xbarsim-model"`, `version = 1`, `input_shape`
/// (C, H, W), `input_scale`, `input_offset` (network input = pixel·scale + offset);
/// `/layers/NNN` groups applied in name order with attribute `type` and the datasets/attributes
/// listed in docs/architecture.md §7.1. Accepted extensions: a standalone `relu` layer; `stride`,
/// `padding`, `kernel` as a scalar or an (h, w) pair. Weights may be stored in any float or
/// integer type.

#include <Eigen/Core>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

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

enum class LayerKind { Dense, Conv2d, MaxPool2d, AvgPool2d, BatchNorm, Relu, Flatten };
enum class Activation { None, Relu };

[[nodiscard]] std::string_view toString(LayerKind kind) noexcept;

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

  /// Checks every layer against its input shape and fills in_shape/out_shape.
  /// @throws ConfigError naming `source` and the layer when shapes do not fit.
  void resolveShapes(const std::string& source = "network");
  [[nodiscard]] Shape outputShape() const;
  /// Indices of the analog layers (dense, conv2d) in `layers`.
  [[nodiscard]] std::vector<std::size_t> analogLayers() const;

  /// Network inputs for pixels (features × samples, values 0..255): pixel·scale + offset.
  [[nodiscard]] Matrix prepareInputs(const Matrix& pixels) const;
  /// Runs every layer on a batch of network inputs; with a hook, analog layers use it.
  [[nodiscard]] Matrix forward(const Matrix& inputs, const AnalogHook* hook = nullptr,
                               std::uint64_t chunk = 0) const;
  /// Runs layers [first, last) only (used by batch-norm recalibration).
  [[nodiscard]] Matrix forwardRange(const Matrix& inputs, std::size_t first, std::size_t last,
                                    const AnalogHook* hook, std::uint64_t chunk) const;
};

/// Reads a model file. @throws IoError (not HDF5, missing file) or ConfigError (wrong format,
/// version, missing layer data, shape mismatch), naming the file and the layer.
[[nodiscard]] Network loadNetwork(const std::filesystem::path& path);
/// Writes a model file (float32 datasets) atomically (temporary file, then rename).
void saveNetwork(const Network& network, const std::filesystem::path& path);

// ---- layer kernels (also used by training) -----------------------------------------------------

/// im2col of a batch: inputs (C·H·W × N) → patches (C·kh·kw × N·P), P = out_h·out_w, column
/// n·P + p is the receptive field of output pixel p of sample n (zero padding).
void im2col(const Layer& conv, const Matrix& inputs, Matrix& patches);
/// Rearranges conv outputs (out_ch × N·P) into samples (out_ch·P × N) and adds the bias.
void col2output(const Layer& conv, const Matrix& products, Matrix& outputs);
/// Applies a non-analog layer (pooling, batch-norm, relu, flatten) to a batch.
[[nodiscard]] Matrix applyDigital(const Layer& layer, const Matrix& inputs);

/// Number of columns of `logits` (classes × N) whose largest entry is at labels[first + n].
[[nodiscard]] Index countCorrect(const Matrix& logits, const std::vector<int>& labels,
                                 Index first = 0);
/// Index of the largest entry of each column.
[[nodiscard]] std::vector<int> argmaxColumns(const Matrix& logits);

}  // namespace xbarsim::dnn
