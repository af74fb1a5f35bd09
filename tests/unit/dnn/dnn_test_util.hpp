// SPDX-License-Identifier: MIT
#pragma once
// Helpers for the dnn unit tests: small seeded networks (TempDir from tests/support).

#include <unistd.h>

#include <filesystem>
#include <random>
#include <string>

#include "temp_dir.hpp"
#include "xbarsim/dnn/network.hpp"

namespace dnn_test {

using xbarsim::dnn::Index;
using xbarsim::dnn::Layer;
using xbarsim::dnn::LayerKind;
using xbarsim::dnn::Matrix;
using xbarsim::dnn::Network;
using xbarsim::dnn::Vector;

using xbarsim::test::TempDir;

inline Matrix randomMatrix(Index rows, Index cols, unsigned seed, float scale = 1.0f) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> u(-scale, scale);
  Matrix m(rows, cols);
  for (Index j = 0; j < cols; ++j)
    for (Index i = 0; i < rows; ++i) m(i, j) = u(gen);
  return m;
}

inline Layer dense(Index in, Index out, bool relu, unsigned seed) {
  Layer l;
  l.kind = LayerKind::Dense;
  l.weight = randomMatrix(out, in, seed, 0.5f);
  l.bias = randomMatrix(out, 1, seed + 1, 0.1f).col(0);
  l.activation = relu ? xbarsim::dnn::Activation::Relu : xbarsim::dnn::Activation::None;
  return l;
}

inline Layer simple(LayerKind kind) {
  Layer l;
  l.kind = kind;
  return l;
}

/// flatten → dense(in, hidden, relu) → dense(hidden, classes)
inline Network mlp(xbarsim::dnn::Shape input, Index hidden, Index classes, unsigned seed) {
  Network net;
  net.input_shape = input;
  net.input_scale = 1.0 / 255.0;
  net.layers.push_back(simple(LayerKind::Flatten));
  net.layers.push_back(dense(input.size(), hidden, true, seed));
  net.layers.push_back(dense(hidden, classes, false, seed + 10));
  for (std::size_t i = 0; i < net.layers.size(); ++i) net.layers[i].name = "00" + std::to_string(i);
  net.resolveShapes("test");
  return net;
}

}  // namespace dnn_test
