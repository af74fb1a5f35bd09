// SPDX-License-Identifier: MIT
#pragma once
/// @file ONNX networks in and out (docs/architecture.md §7.1): importOnnx() reads what
/// torch.onnx.export writes (opsets 11–17) into a Network (a chain or a graph, model format v2);
/// exportOnnx() writes a Network as an ONNX ModelProto (opset 13) that PyTorch's ONNX runtime and
/// importOnnx() read back.
///
/// Imported ops: Gemm (alpha, beta, transB; transA = 0), MatMul (with a constant right operand;
/// a following Add of a constant folds into the bias), Conv (stride, symmetric padding,
/// dilations 1, group 1), BatchNormalization (inference), Relu (folded into the preceding dense
/// or conv2d layer where it is that layer's only consumer), MaxPool and AveragePool (no padding),
/// GlobalAveragePool, Add (two activations: residual; an activation and a constant: bias),
/// Flatten (axis 1), Reshape (to the flattened or the same shape), Identity, Dropout, Pad with
/// all-zero pads (PyTorch's AvgPool2d writes one). Constants
/// are folded: Constant, initializers used as inputs, and the shape arithmetic PyTorch leaves
/// behind (Shape, Gather, Unsqueeze, Squeeze, Concat, Slice, Cast, Reshape, Mul/Div/Add/Sub of
/// constants). Anything else is refused with a ConfigError naming the file, the node and its op
/// type.
///
/// The input scaling (pixels to network input) is not part of ONNX: exportOnnx() records it in
/// the model's metadata (`xbarsim.input_scale`, `xbarsim.input_offset`) and importOnnx() reads
/// it back; a file without it (PyTorch's) comes in with Network::input_scaling_known = false, to
/// be completed from dnn.input_scale / dnn.input_offset (applyInputScaling()).

#include <filesystem>

#include "xbarsim/dnn/network.hpp"

namespace xbarsim::dnn {

/// True if `path` ends in `.onnx` (any case): loadNetwork() reads it with importOnnx().
[[nodiscard]] bool isOnnxPath(const std::filesystem::path& path);

/// Reads an ONNX model. @throws IoError when the file cannot be read or is not a (complete)
/// ONNX ModelProto; ConfigError for a graph xbarsim cannot run (an unsupported op or attribute,
/// naming the node and its op type; shapes that do not fit).
[[nodiscard]] Network importOnnx(const std::filesystem::path& path);

/// Writes `network` as an ONNX model (opset 13, float32 weights, input "input" of shape
/// (batch, C, H, W), output "logits"), atomically.
void exportOnnx(const Network& network, const std::filesystem::path& path);

}  // namespace xbarsim::dnn
