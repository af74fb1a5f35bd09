// SPDX-License-Identifier: MIT
// Fuzz body: the ONNX importer (dnn::importOnnx) on raw bytes. The importer must refuse what it
// cannot read with xbarsim::Error (a truncated or corrupt protobuf: IoError; a graph it cannot
// run: ConfigError), and what it accepts must come back unchanged through exportOnnx +
// importOnnx.
#include <filesystem>
#include <fstream>

#include "fuzz_bodies.hpp"
#include "xbarsim/core/error.hpp"
#include "xbarsim/dnn/onnx_import.hpp"

namespace xbarsim::fuzz {
namespace {

namespace fs = std::filesystem;

struct TempOnnx : TempFile {
  explicit TempOnnx(const char* tag) : TempFile("onnx", tag, ".onnx") {}
};

bool sameLayers(const dnn::Network& a, const dnn::Network& b) {
  if (a.layers.size() != b.layers.size() || !(a.input_shape == b.input_shape)) return false;
  for (std::size_t i = 0; i < a.layers.size(); ++i) {
    const dnn::Layer& x = a.layers[i];
    const dnn::Layer& y = b.layers[i];
    if (x.kind != y.kind || a.producers(i) != b.producers(i) || !(x.out_shape == y.out_shape) ||
        x.weight != y.weight || x.bias != y.bias || x.activation != y.activation)
      return false;
  }
  return true;
}

}  // namespace

void fuzzOnnx(const std::uint8_t* data, std::size_t size) {
  const TempOnnx in("in");
  {
    std::ofstream f(in.path, std::ios::binary);
    f.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    if (!f) violated("onnx: cannot write the temporary file");
  }
  dnn::Network net;
  try {
    net = dnn::importOnnx(in.path);
  } catch (const Error&) {
    return;  // refused: fine
  }
  if (net.layers.empty()) violated("onnx: accepted a network without layers");
  const TempOnnx copy("copy");
  dnn::exportOnnx(net, copy.path);
  const dnn::Network back = dnn::importOnnx(copy.path);
  if (!sameLayers(net, back)) violated("onnx: export + import changed the network");
}

}  // namespace xbarsim::fuzz
