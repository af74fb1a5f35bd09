// SPDX-License-Identifier: MIT
#pragma once
/// @file Evaluation and training data: Fashion-MNIST from the Debian package
/// dataset-fashion-mnist (IDX gzip files, Xiao, Rasul & Vollgraf 2017) and small seeded
/// synthetic sets for fast tests.

#include <Eigen/Core>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "xbarsim/dnn/network.hpp"

namespace xbarsim::dnn {

enum class Split { Train, Test };

/// Images as raw pixels (0..255), one sample per column in C, H, W order.
struct Dataset {
  std::string name;  ///< e.g. "fashion-mnist/test"
  Shape shape;
  int classes = 10;
  Eigen::Matrix<std::uint8_t, Eigen::Dynamic, Eigen::Dynamic> pixels;
  std::vector<int> labels;

  [[nodiscard]] Index size() const noexcept { return pixels.cols(); }
  /// Samples [first, first + count) as floats (pixel values, not yet scaled).
  [[nodiscard]] Matrix pixelBatch(Index first, Index count) const;
  /// Pixels of the samples `indices` (in that order) as floats.
  [[nodiscard]] Matrix pixelBatch(const std::vector<Index>& indices) const;
};

/// Directory of the Fashion-MNIST IDX files: $XBARSIM_FASHION_MNIST_DIR if set, else
/// /usr/share/datasets/fashion-mnist (Debian package dataset-fashion-mnist).
[[nodiscard]] std::filesystem::path fashionMnistDirectory();

/// Reads `{train,t10k}-{images-idx3,labels-idx1}-ubyte.gz`. @throws IoError naming the file and
/// the Debian package when the files are absent, and naming the file when one is truncated or
/// not an IDX file of the expected kind.
[[nodiscard]] Dataset loadFashionMnist(Split split,
                                       const std::filesystem::path& dir = fashionMnistDirectory());

/// A seeded synthetic classification set: one random prototype image per class, samples are
/// prototype + Gaussian pixel noise (clipped to 0..255), labels cycle through the classes.
struct SyntheticSpec {
  Shape shape{1, 8, 8};
  int classes = 4;
  Index train_samples = 2048;
  Index test_samples = 512;
  double noise = 60.0;     ///< pixel noise standard deviation
  std::uint64_t seed = 7;  ///< prototypes and samples derive from it only
};
[[nodiscard]] Dataset makeSynthetic(const SyntheticSpec& spec, Split split);

/// "fashion-mnist" or "synthetic" (default SyntheticSpec). @throws ConfigError for other names.
[[nodiscard]] Dataset loadDataset(const std::string& name, Split split);

}  // namespace xbarsim::dnn
