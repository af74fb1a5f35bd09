// SPDX-License-Identifier: MIT
#include "xbarsim/dnn/dataset.hpp"

#include <fmt/format.h>
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "xbarsim/core/error.hpp"
#include "xbarsim/core/rng.hpp"
#include "xbarsim/device/random.hpp"

namespace xbarsim::dnn {
namespace {

namespace fs = std::filesystem;

constexpr const char* kPackage = "dataset-fashion-mnist";

/// Whole decompressed content of a gzip file.
std::vector<unsigned char> readGzip(const fs::path& path) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) throw IoError(fmt::format("{}: cannot open", path.string()));
  std::vector<unsigned char> data;
  std::vector<unsigned char> buffer(1 << 20);
  for (;;) {
    const int n = gzread(f, buffer.data(), static_cast<unsigned>(buffer.size()));
    if (n < 0) {
      int code = 0;
      const std::string message = gzerror(f, &code);
      gzclose(f);
      throw IoError(fmt::format("{}: corrupt gzip data ({})", path.string(), message));
    }
    if (n == 0) break;
    data.insert(data.end(), buffer.begin(), buffer.begin() + n);
  }
  int code = 0;
  const std::string message = gzerror(f, &code);
  gzclose(f);
  if (code != Z_OK && code != Z_STREAM_END)
    throw IoError(fmt::format("{}: corrupt or truncated gzip data ({})", path.string(), message));
  return data;
}

std::uint32_t bigEndian(const std::vector<unsigned char>& d, std::size_t at) {
  return (std::uint32_t{d[at]} << 24) | (std::uint32_t{d[at + 1]} << 16) |
         (std::uint32_t{d[at + 2]} << 8) | std::uint32_t{d[at + 3]};
}

/// IDX file of unsigned bytes with `rank` dimensions: returns dims and the payload offset.
std::vector<std::size_t> idxHeader(const fs::path& path, const std::vector<unsigned char>& d,
                                   std::size_t rank) {
  if (d.size() < 4 + 4 * rank)
    throw IoError(fmt::format("{}: truncated IDX file ({} bytes)", path.string(), d.size()));
  if (d[0] != 0 || d[1] != 0 || d[2] != 0x08 || d[3] != rank)
    throw IoError(fmt::format("{}: not an IDX file of unsigned bytes with {} dimensions",
                              path.string(), rank));
  std::vector<std::size_t> dims;
  std::size_t n = 1;
  for (std::size_t k = 0; k < rank; ++k) {
    dims.push_back(bigEndian(d, 4 + 4 * k));
    n *= dims.back();
  }
  if (d.size() != 4 + 4 * rank + n)
    throw IoError(fmt::format("{}: truncated or oversized IDX file: header announces {} values, "
                              "file holds {}",
                              path.string(), n, d.size() - (4 + 4 * rank)));
  return dims;
}

}  // namespace

Matrix Dataset::pixelBatch(Index first, Index count) const {
  return pixels.middleCols(first, count).cast<float>();
}

Matrix Dataset::pixelBatch(const std::vector<Index>& indices) const {
  Matrix out(pixels.rows(), static_cast<Index>(indices.size()));
  for (std::size_t k = 0; k < indices.size(); ++k)
    out.col(static_cast<Index>(k)) = pixels.col(indices[k]).cast<float>();
  return out;
}

fs::path fashionMnistDirectory() {
  if (const char* env = std::getenv("XBARSIM_FASHION_MNIST_DIR"); env && *env) return env;
  return "/usr/share/datasets/fashion-mnist";
}

Dataset loadFashionMnist(Split split, const fs::path& dir) {
  const std::string prefix = split == Split::Train ? "train" : "t10k";
  const fs::path images = dir / (prefix + "-images-idx3-ubyte.gz");
  const fs::path labels = dir / (prefix + "-labels-idx1-ubyte.gz");
  for (const fs::path& p : {images, labels})
    if (!fs::exists(p))
      throw IoError(fmt::format("Fashion-MNIST: {} not found; install the Debian package {} "
                                "(apt-get install {}) or set XBARSIM_FASHION_MNIST_DIR",
                                p.string(), kPackage, kPackage));
  const std::vector<unsigned char> img = readGzip(images);
  const std::vector<unsigned char> lab = readGzip(labels);
  const std::vector<std::size_t> idims = idxHeader(images, img, 3);
  const std::vector<std::size_t> ldims = idxHeader(labels, lab, 1);
  if (idims[0] != ldims[0])
    throw IoError(fmt::format("{} holds {} images but {} holds {} labels", images.string(),
                              idims[0], labels.string(), ldims[0]));
  Dataset ds;
  ds.name = "fashion-mnist/" + std::string(split == Split::Train ? "train" : "test");
  ds.shape = Shape{1, static_cast<Index>(idims[1]), static_cast<Index>(idims[2])};
  ds.classes = 10;
  const auto n = static_cast<Index>(idims[0]);
  ds.pixels.resize(ds.shape.size(), n);
  std::copy(img.begin() + 16, img.end(), ds.pixels.data());  // row-major images = column per sample
  ds.labels.resize(static_cast<std::size_t>(n));
  for (Index i = 0; i < n; ++i) {
    const int y = lab[static_cast<std::size_t>(8 + i)];
    if (y >= ds.classes)
      throw IoError(fmt::format("{}: label {} of sample {} is out of range 0..9", labels.string(),
                                y, i));
    ds.labels[static_cast<std::size_t>(i)] = y;
  }
  return ds;
}

Dataset makeSynthetic(const SyntheticSpec& spec, Split split) {
  const Index features = spec.shape.size();
  RngStream proto_rng(spec.seed, StreamPurpose::Inputs, 0);
  Eigen::MatrixXd prototypes(features, spec.classes);
  for (Index c = 0; c < spec.classes; ++c)
    for (Index f = 0; f < features; ++f) prototypes(f, c) = proto_rng.uniform(0.0, 255.0);
  const Index n = split == Split::Train ? spec.train_samples : spec.test_samples;
  RngStream rng(spec.seed, StreamPurpose::Inputs, split == Split::Train ? 1 : 2);
  Dataset ds;
  ds.name = std::string("synthetic/") + (split == Split::Train ? "train" : "test");
  ds.shape = spec.shape;
  ds.classes = spec.classes;
  ds.pixels.resize(features, n);
  ds.labels.resize(static_cast<std::size_t>(n));
  for (Index s = 0; s < n; ++s) {
    const int y = static_cast<int>(s % spec.classes);
    ds.labels[static_cast<std::size_t>(s)] = y;
    for (Index f = 0; f < features; ++f) {
      const double v = prototypes(f, y) + spec.noise * device::standardNormal(rng);
      ds.pixels(f, s) = static_cast<std::uint8_t>(std::clamp(std::round(v), 0.0, 255.0));
    }
  }
  return ds;
}

Dataset loadDataset(const std::string& name, Split split) {
  if (name == "fashion-mnist") return loadFashionMnist(split);
  if (name == "synthetic") return makeSynthetic(SyntheticSpec{}, split);
  throw ConfigError("", 0, "dnn.dataset",
                    fmt::format("unknown dataset \"{}\" (fashion-mnist | synthetic)", name));
}

}  // namespace xbarsim::dnn
