// SPDX-License-Identifier: MIT
#include "xbarsim/dnn/network.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "xbarsim/core/config.hpp"
#include "xbarsim/core/error.hpp"

namespace xbarsim::dnn {

std::string toString(const Shape& s) { return fmt::format("({}, {}, {})", s.c, s.h, s.w); }

std::string_view toString(LayerKind kind) noexcept {
  switch (kind) {
    case LayerKind::Dense: return "dense";
    case LayerKind::Conv2d: return "conv2d";
    case LayerKind::MaxPool2d: return "maxpool2d";
    case LayerKind::AvgPool2d: return "avgpool2d";
    case LayerKind::BatchNorm: return "batchnorm";
    case LayerKind::Relu: return "relu";
    case LayerKind::Flatten: return "flatten";
    case LayerKind::Add: return "add";
  }
  return "?";
}

namespace {

/// Most values one sample may have, at the input or after any layer: far above any real network,
/// and small enough that c·h·w and the sizes computed from it cannot overflow.
constexpr Index kMaxSampleSize = Index{1} << 31;

/// True if c·h·w is at most kMaxSampleSize (checked without overflow; c, h, w >= 0).
bool fitsSampleSize(const Shape& s) {
  Index n = 0;
  return !__builtin_mul_overflow(s.c, s.h, &n) && !__builtin_mul_overflow(n, s.w, &n) &&
         n <= kMaxSampleSize;
}

Index windowOut(Index in, Index kernel, Index stride, Index pad) {
  const Index span = in + 2 * pad - kernel;
  return span < 0 ? 0 : span / stride + 1;
}

void applyActivation(Activation a, Matrix& y) {
  if (a == Activation::Relu) y = y.cwiseMax(0.0f);
}

}  // namespace

void Network::resolveShapes(const std::string& source) {
  Shape s = input_shape;
  if (s.c < 1 || s.h < 1 || s.w < 1)
    throw ConfigError(source, 0, "input_shape", fmt::format("invalid input shape {}", toString(s)));
  if (!fitsSampleSize(s))
    throw ConfigError(source, 0, "input_shape",
                      fmt::format("input shape {} has more than {} values", toString(s),
                                  kMaxSampleSize));
  const bool chain = isChain();
  std::vector<bool> consumed(layers.size(), false);
  for (std::size_t i = 0; i < layers.size(); ++i) {
    Layer& l = layers[i];
    const std::string key = fmt::format("/layers/{}", l.name);
    auto bad = [&](const std::string& problem) {
      throw ConfigError(source, 0, key, fmt::format("{} layer: {}", toString(l.kind), problem));
    };
    if (!chain) {
      const std::vector<std::ptrdiff_t> from = producers(i);
      if (l.kind == LayerKind::Add ? from.size() < 2 : from.size() != 1)
        bad(fmt::format("has {} inputs; {}", from.size(),
                        l.kind == LayerKind::Add ? "add takes two or more" : "it takes one"));
      for (std::size_t k = 0; k < from.size(); ++k) {
        const std::ptrdiff_t p = from[k];
        if (p != kNetworkInput && (p < 0 || static_cast<std::size_t>(p) >= i))
          bad("an input is not an earlier layer (layers are stored in topological order)");
        if (p != kNetworkInput) consumed[static_cast<std::size_t>(p)] = true;
        const Shape in = p == kNetworkInput ? input_shape : layers[static_cast<std::size_t>(p)].out_shape;
        if (k == 0) s = in;
        if (!(in == s))
          bad(fmt::format("inputs of different shapes {} and {}", toString(s), toString(in)));
      }
    } else if (l.kind == LayerKind::Add) {
      bad("add needs two or more inputs (a graph, model format version 2)");
    }
    l.in_shape = s;
    switch (l.kind) {
      case LayerKind::Dense:
        if (l.weight.rows() < 1) bad("weight has 0 outputs (shape (0, n)); a layer needs >= 1");
        if (l.weight.cols() != s.size())
          bad(fmt::format("weight has {} inputs but the layer input {} has {} values",
                          l.weight.cols(), toString(s), s.size()));
        if (l.bias.size() != l.weight.rows())
          bad(fmt::format("bias has {} values, weight has {} outputs", l.bias.size(),
                          l.weight.rows()));
        s = Shape{l.weight.rows(), 1, 1};
        break;
      case LayerKind::Conv2d: {
        const Index k = l.kernel_h * l.kernel_w;
        if (l.weight.rows() < 1) bad("weight has 0 output channels; a layer needs >= 1");
        if (k < 1 || l.weight.cols() % k != 0 || l.weight.cols() / k != s.c)
          bad(fmt::format("weight has {} input channels but the layer input {} has {}",
                          k > 0 ? l.weight.cols() / k : 0, toString(s), s.c));
        if (l.bias.size() != l.weight.rows())
          bad(fmt::format("bias has {} values, weight has {} output channels", l.bias.size(),
                          l.weight.rows()));
        if (l.stride_h < 1 || l.stride_w < 1 || l.pad_h < 0 || l.pad_w < 0)
          bad("stride must be >= 1 and padding >= 0");
        const Index oh = windowOut(s.h, l.kernel_h, l.stride_h, l.pad_h);
        const Index ow = windowOut(s.w, l.kernel_w, l.stride_w, l.pad_w);
        if (oh < 1 || ow < 1)
          bad(fmt::format("kernel {}x{} does not fit the input {}", l.kernel_h, l.kernel_w,
                          toString(s)));
        s = Shape{l.weight.rows(), oh, ow};
        break;
      }
      case LayerKind::MaxPool2d:
      case LayerKind::AvgPool2d: {
        if (l.kernel_h < 1 || l.kernel_w < 1 || l.stride_h < 1 || l.stride_w < 1)
          bad("kernel and stride must be >= 1");
        const Index oh = windowOut(s.h, l.kernel_h, l.stride_h, 0);
        const Index ow = windowOut(s.w, l.kernel_w, l.stride_w, 0);
        if (oh < 1 || ow < 1)
          bad(fmt::format("kernel {}x{} does not fit the input {}", l.kernel_h, l.kernel_w,
                          toString(s)));
        s = Shape{s.c, oh, ow};
        break;
      }
      case LayerKind::BatchNorm:
        if (l.gamma.size() != s.c || l.beta.size() != s.c || l.mean.size() != s.c ||
            l.var.size() != s.c)
          bad(fmt::format("gamma/beta/mean/var must have {} values (channels of {})", s.c,
                          toString(s)));
        if ((l.var.array() < 0.0f).any()) bad("var has negative values");
        if (!(l.eps >= 0.0) || !std::isfinite(l.eps)) bad(fmt::format("eps = {} must be finite and >= 0", l.eps));
        for (Index c = 0; c < l.var.size(); ++c)
          if (!(static_cast<double>(l.var(c)) + l.eps > 0.0))
            bad(fmt::format("var = {} at channel {} with eps = {} divides by zero: var + eps must "
                            "be > 0",
                            l.var(c), c, l.eps));
        break;
      case LayerKind::Relu:
      case LayerKind::Add: break;
      case LayerKind::Flatten: s = Shape{s.size(), 1, 1}; break;
    }
    if (!fitsSampleSize(s))
      bad(fmt::format("output shape {} has more than {} values", toString(s), kMaxSampleSize));
    l.out_shape = s;
  }
  for (std::size_t i = 0; i + 1 < layers.size(); ++i)
    if (!chain && !consumed[i])
      throw ConfigError(source, 0, fmt::format("/layers/{}", layers[i].name),
                        fmt::format("{} layer: its output feeds no later layer (the last layer is "
                                    "the network output)",
                                    toString(layers[i].kind)));
}

bool Network::isChain() const {
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const std::vector<std::ptrdiff_t>& in = layers[i].inputs;
    const auto previous = static_cast<std::ptrdiff_t>(i) - 1;  // kNetworkInput for the first
    if (!in.empty() && !(in.size() == 1 && in[0] == previous)) return false;
  }
  return true;
}

std::vector<std::ptrdiff_t> Network::producers(std::size_t i) const {
  if (!layers[i].inputs.empty()) return layers[i].inputs;
  return {static_cast<std::ptrdiff_t>(i) - 1};
}

Shape Network::outputShape() const { return layers.empty() ? input_shape : layers.back().out_shape; }

std::vector<std::size_t> Network::analogLayers() const {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < layers.size(); ++i)
    if (layers[i].isAnalog()) out.push_back(i);
  return out;
}

Matrix Network::prepareInputs(const Matrix& pixels) const {
  Matrix x = (pixels.array() * static_cast<float>(input_scale) + static_cast<float>(input_offset))
                 .matrix();
  return x;
}

namespace {

/// Layer i of `net` on its input x (for add: x is the first input, `others` the rest).
Matrix applyLayer(const Network& net, std::size_t i, Matrix x,
                  const std::vector<const Matrix*>& others, const AnalogHook* hook,
                  std::uint64_t chunk) {
  const Layer& l = net.layers[i];
  if (l.kind == LayerKind::Add) {
    for (const Matrix* m : others) x += *m;
  } else if (l.kind == LayerKind::Dense) {
    Matrix y(l.weight.rows(), x.cols());
    if (hook) {
      hook->multiply(i, x, y, chunk);
    } else {
      y.noalias() = l.weight * x;
    }
    y.colwise() += l.bias;
    applyActivation(l.activation, y);
    x = std::move(y);
  } else if (l.kind == LayerKind::Conv2d) {
    Matrix patches;
    im2col(l, x, patches);
    Matrix products(l.weight.rows(), patches.cols());
    if (hook) {
      hook->multiply(i, patches, products, chunk);
    } else {
      products.noalias() = l.weight * patches;
    }
    Matrix y;
    col2output(l, products, y);
    applyActivation(l.activation, y);
    x = std::move(y);
  } else {
    x = applyDigital(l, x);
  }
  return x;
}

/// Runs a graph: every layer's output is kept until its last consumer has run.
Matrix forwardGraph(const Network& net, const Matrix& inputs, const AnalogHook* hook,
                    std::uint64_t chunk, const Network::LayerVisitor* before) {
  const std::size_t n = net.layers.size();
  if (n == 0) return inputs;
  std::vector<std::vector<std::ptrdiff_t>> from(n);
  std::vector<std::size_t> uses(n, 0);
  for (std::size_t i = 0; i < n; ++i) {
    from[i] = net.producers(i);
    for (std::ptrdiff_t p : from[i])
      if (p != kNetworkInput) ++uses[static_cast<std::size_t>(p)];
  }
  std::vector<Matrix> out(n);
  auto value = [&](std::ptrdiff_t p) -> const Matrix& {
    return p == kNetworkInput ? inputs : out[static_cast<std::size_t>(p)];
  };
  for (std::size_t i = 0; i < n; ++i) {
    std::vector<const Matrix*> others;
    for (std::size_t k = 1; k < from[i].size(); ++k) others.push_back(&value(from[i][k]));
    if (before) (*before)(i, value(from[i][0]));
    out[i] = applyLayer(net, i, value(from[i][0]), others, hook, chunk);
    for (std::ptrdiff_t p : from[i])
      if (p != kNetworkInput && --uses[static_cast<std::size_t>(p)] == 0)
        out[static_cast<std::size_t>(p)] = Matrix();
  }
  return std::move(out.back());
}

}  // namespace

Matrix Network::forward(const Matrix& inputs, const AnalogHook* hook, std::uint64_t chunk) const {
  if (!isChain()) return forwardGraph(*this, inputs, hook, chunk, nullptr);
  return forwardRange(inputs, 0, layers.size(), hook, chunk);
}

Matrix Network::forwardVisiting(const Matrix& inputs, const AnalogHook* hook, std::uint64_t chunk,
                                const LayerVisitor& before) {
  return forwardGraph(*this, inputs, hook, chunk, &before);
}

Matrix Network::forwardRange(const Matrix& inputs, std::size_t first, std::size_t last,
                             const AnalogHook* hook, std::uint64_t chunk) const {
  if (!isChain()) throw Error("Network::forwardRange: the network is a graph, not a chain");
  Matrix x = inputs;
  for (std::size_t i = first; i < last; ++i) x = applyLayer(*this, i, std::move(x), {}, hook, chunk);
  return x;
}

void applyInputScaling(Network& net, const core::Config& config, const std::string& model_name) {
  const bool scale = config.has("dnn.input_scale"), offset = config.has("dnn.input_offset");
  if (!net.input_scaling_known && !(scale && offset))
    config.fail(scale ? "dnn.input_offset" : "dnn.input_scale",
                fmt::format("the model {} does not say how pixels (0..255) become network "
                            "inputs (an ONNX file does not carry it): set dnn.input_scale and "
                            "dnn.input_offset (input = pixel·scale + offset; e.g. 0.00392156862745098 "
                            "and 0 for torchvision's ToTensor)",
                            model_name));
  if (scale) net.input_scale = config.real("dnn.input_scale");
  if (offset) net.input_offset = config.real("dnn.input_offset");
  net.input_scaling_known = true;
}

void im2col(const Layer& conv, const Matrix& inputs, Matrix& patches) {
  const Shape in = conv.in_shape;
  const Shape out = conv.out_shape;
  const Index kh = conv.kernel_h, kw = conv.kernel_w;
  const Index k_rows = in.c * kh * kw;
  const Index p = out.h * out.w;
  const Index n = inputs.cols();
  patches.resize(k_rows, n * p);
  for (Index s = 0; s < n; ++s) {
    const float* src = inputs.col(s).data();
    for (Index oy = 0; oy < out.h; ++oy) {
      for (Index ox = 0; ox < out.w; ++ox) {
        float* dst = patches.col(s * p + oy * out.w + ox).data();
        Index k = 0;
        for (Index c = 0; c < in.c; ++c) {
          for (Index ky = 0; ky < kh; ++ky) {
            const Index iy = oy * conv.stride_h - conv.pad_h + ky;
            for (Index kx = 0; kx < kw; ++kx, ++k) {
              const Index ix = ox * conv.stride_w - conv.pad_w + kx;
              dst[k] = (iy >= 0 && iy < in.h && ix >= 0 && ix < in.w)
                           ? src[(c * in.h + iy) * in.w + ix]
                           : 0.0f;
            }
          }
        }
      }
    }
  }
}

void col2output(const Layer& conv, const Matrix& products, Matrix& outputs) {
  const Index channels = conv.out_shape.c;
  const Index p = conv.out_shape.h * conv.out_shape.w;
  const Index n = products.cols() / p;
  outputs.resize(channels * p, n);
  for (Index s = 0; s < n; ++s) {
    for (Index q = 0; q < p; ++q) {
      for (Index c = 0; c < channels; ++c) {
        outputs(c * p + q, s) = products(c, s * p + q) + conv.bias(c);
      }
    }
  }
}

Matrix applyDigital(const Layer& l, const Matrix& x) {
  switch (l.kind) {
    case LayerKind::Relu: return x.cwiseMax(0.0f);
    case LayerKind::Flatten: return x;
    case LayerKind::BatchNorm: {
      const Index hw = l.in_shape.h * l.in_shape.w;
      Matrix y(x.rows(), x.cols());
      for (Index c = 0; c < l.in_shape.c; ++c) {
        const float scale =
            l.gamma(c) / static_cast<float>(std::sqrt(static_cast<double>(l.var(c)) + l.eps));
        const float shift = l.beta(c) - l.mean(c) * scale;
        y.middleRows(c * hw, hw) = (x.middleRows(c * hw, hw).array() * scale + shift).matrix();
      }
      return y;
    }
    case LayerKind::MaxPool2d:
    case LayerKind::AvgPool2d: {
      const Shape in = l.in_shape, out = l.out_shape;
      const bool is_max = l.kind == LayerKind::MaxPool2d;
      const float inv = 1.0f / static_cast<float>(l.kernel_h * l.kernel_w);
      Matrix y(out.size(), x.cols());
      for (Index s = 0; s < x.cols(); ++s) {
        for (Index c = 0; c < in.c; ++c) {
          for (Index oy = 0; oy < out.h; ++oy) {
            for (Index ox = 0; ox < out.w; ++ox) {
              float acc = is_max ? -std::numeric_limits<float>::infinity() : 0.0f;
              for (Index ky = 0; ky < l.kernel_h; ++ky) {
                for (Index kx = 0; kx < l.kernel_w; ++kx) {
                  const float v = x((c * in.h + oy * l.stride_h + ky) * in.w + ox * l.stride_w + kx, s);
                  acc = is_max ? std::max(acc, v) : acc + v;
                }
              }
              y((c * out.h + oy) * out.w + ox, s) = is_max ? acc : acc * inv;
            }
          }
        }
      }
      return y;
    }
    case LayerKind::Dense:
    case LayerKind::Conv2d:
    case LayerKind::Add: break;
  }
  throw Error("applyDigital called on an analog or add layer");
}

std::vector<int> argmaxColumns(const Matrix& logits) {
  std::vector<int> out(static_cast<std::size_t>(logits.cols()));
  for (Index s = 0; s < logits.cols(); ++s) {
    Index best = 0;
    logits.col(s).maxCoeff(&best);
    out[static_cast<std::size_t>(s)] = static_cast<int>(best);
  }
  return out;
}

Index countCorrect(const Matrix& logits, const std::vector<int>& labels, Index first) {
  Index correct = 0;
  for (Index s = 0; s < logits.cols(); ++s) {
    Index best = 0;
    logits.col(s).maxCoeff(&best);
    if (static_cast<int>(best) == labels[static_cast<std::size_t>(first + s)]) ++correct;
  }
  return correct;
}

}  // namespace xbarsim::dnn
