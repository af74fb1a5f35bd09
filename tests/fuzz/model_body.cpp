// SPDX-License-Identifier: MIT
// Fuzz body: the model file reader (dnn::loadNetwork), structure-aware. Raw bytes as an HDF5 file
// would mostly exercise libhdf5's parser of corrupt files; instead the bytes are decoded into a
// model description (root attributes, layers of every kind, datasets of any type, rank and shape
// including huge declared sizes, NaN/inf values, missing pieces, attributes of the wrong type or
// shape), written as a valid HDF5 file with the C API, and read with loadNetwork. The reader must
// return a network or throw xbarsim::Error. A returned network must be finite, run a forward pass
// when small, and come back unchanged from saveNetwork + loadNetwork.
//
// Decoding: every choice reads one byte (past the end of the input: 0), and choice 0 is always
// the well-formed one, so short inputs give valid models that the fuzzer then perturbs.
#include <fmt/format.h>
#include <hdf5.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "fuzz_bodies.hpp"
#include "xbarsim/core/error.hpp"
#include "xbarsim/dnn/network.hpp"

namespace xbarsim::fuzz {
namespace {

namespace fs = std::filesystem;
using dnn::Index;
using dnn::LayerKind;

/// Interesting integers for shape and pair attributes (bounds of the reader's checks, overflow).
constexpr std::int64_t kInts[] = {0,         1,          2,          3,
                                  4,         7,          255,        -1,
                                  1 << 16,   999'999,    1'000'000,  1'000'001,
                                  9'999'999, 10'000'000, 10'000'001, std::int64_t{1} << 31,
                                  std::int64_t{1} << 40, std::numeric_limits<std::int64_t>::max(),
                                  std::numeric_limits<std::int64_t>::min()};
/// Interesting dataset dimensions (declared only: data is written for small datasets only).
constexpr hsize_t kDims[] = {0,       1,           2,           3,           4,
                             5,       8,           1u << 16,    1u << 20,    (1u << 28) + 1,
                             1u << 31, hsize_t{1} << 32, hsize_t{1} << 33, hsize_t{1} << 40,
                             hsize_t{1} << 62, std::numeric_limits<hsize_t>::max() - 1};
/// Special values planted into weights.
constexpr double kSpecial[] = {std::numeric_limits<double>::quiet_NaN(),
                               std::numeric_limits<double>::infinity(),
                               -std::numeric_limits<double>::infinity(),
                               1e300,
                               -1e300,
                               std::numeric_limits<double>::denorm_min(),
                               -0.0};
/// Datasets with more elements are declared but not written (they read back as fill values).
constexpr std::size_t kMaxWritten = 4096;
/// Largest dataset the reader reads (dnn::detail::kMaxArrayElements, private to dnn).
constexpr hsize_t kReaderLimit = hsize_t{1} << 28;

template <typename T, std::size_t N>
const T& choose(const T (&table)[N], unsigned i) {
  return table[i % N];
}

/// Decodes the fuzz bytes; past the end every read gives 0.
class Bytes {
 public:
  Bytes(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  std::uint8_t byte() { return at_ < size_ ? data_[at_++] : 0; }
  /// 0 .. n-1.
  unsigned pick(unsigned n) { return byte() % n; }
  /// A raw bit pattern: NaN, inf and denormals all occur.
  double real() {
    double x = 0;
    if (at_ + sizeof x <= size_) std::memcpy(&x, data_ + at_, sizeof x);
    at_ += sizeof x;
    return x;
  }
  /// Up to `max_length` arbitrary bytes.
  std::string text(unsigned max_length) {
    std::string s(pick(max_length + 1), '\0');
    for (char& c : s) c = static_cast<char>(byte());
    return s;
  }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t at_ = 0;
};

/// Owns an HDF5 id of any kind.
class Id {
 public:
  explicit Id(hid_t id = -1) noexcept : id_(id) {}
  ~Id() { reset(); }
  Id(Id&& other) noexcept : id_(other.release()) {}
  Id& operator=(Id&& other) noexcept {
    if (this != &other) {
      reset();
      id_ = other.release();
    }
    return *this;
  }
  Id(const Id&) = delete;
  Id& operator=(const Id&) = delete;
  [[nodiscard]] hid_t get() const noexcept { return id_; }
  [[nodiscard]] bool ok() const noexcept { return id_ >= 0; }
  hid_t release() noexcept { return std::exchange(id_, -1); }

 private:
  void reset() noexcept {
    if (id_ < 0) return;
    switch (H5Iget_type(id_)) {
      case H5I_FILE: H5Fclose(id_); break;
      case H5I_GROUP: H5Gclose(id_); break;
      case H5I_DATASET: H5Dclose(id_); break;
      case H5I_DATASPACE: H5Sclose(id_); break;
      case H5I_DATATYPE: H5Tclose(id_); break;
      case H5I_ATTR: H5Aclose(id_); break;
      case H5I_GENPROP_LST: H5Pclose(id_); break;
      default: break;
    }
    id_ = -1;
  }

  hid_t id_;
};

Id space(const std::vector<hsize_t>& dims) {
  return Id(dims.empty() ? H5Screate(H5S_SCALAR)
                         : H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr));
}

Id stringType(std::size_t fixed_length, H5T_str_t pad) {
  Id t(H5Tcopy(H5T_C_S1));
  H5Tset_size(t.get(), fixed_length > 0 ? fixed_length : H5T_VARIABLE);
  H5Tset_strpad(t.get(), pad);
  H5Tset_cset(t.get(), H5T_CSET_UTF8);
  return t;
}

/// IEEE half precision, as numpy/h5py store float16.
Id halfType() {
  Id t(H5Tcopy(H5T_IEEE_F32LE));
  if (H5Tset_fields(t.get(), 15, 10, 5, 0, 10) < 0 || H5Tset_size(t.get(), 2) < 0 ||
      H5Tset_ebias(t.get(), 15) < 0)
    return Id(H5Tcopy(H5T_IEEE_F32LE));
  return t;
}

/// Writes attribute `name` of `object` (replacing one of that name). Failures are ignored: the
/// generator may ask for what HDF5 refuses, and the file stays valid without the attribute.
void writeAttribute(hid_t object, const std::string& name, hid_t file_type, hid_t mem_type,
                    const Id& shape, const void* values) {
  if (!shape.ok()) return;
  if (H5Aexists(object, name.c_str()) > 0) H5Adelete(object, name.c_str());
  Id a(H5Acreate2(object, name.c_str(), file_type, shape.get(), H5P_DEFAULT, H5P_DEFAULT));
  if (a.ok() && values != nullptr) H5Awrite(a.get(), mem_type, values);
}

void intsAttribute(hid_t object, const std::string& name, const std::vector<std::int64_t>& v,
                   std::vector<hsize_t> dims) {
  writeAttribute(object, name, H5T_STD_I64LE, H5T_NATIVE_INT64, space(dims), v.data());
}

void realsAttribute(hid_t object, const std::string& name, const std::vector<double>& v,
                    std::vector<hsize_t> dims) {
  writeAttribute(object, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, space(dims), v.data());
}

void textAttribute(hid_t object, const std::string& name, const std::string& value) {
  const char* p = value.c_str();
  const Id t = stringType(0, H5T_STR_NULLTERM);
  writeAttribute(object, name, t.get(), t.get(), space({}), &p);
}

/// The generator's idea of the current sample shape (kept small), so that most generated layers
/// chain; the reader computes its own.
struct Sample {
  Index c = 1, h = 1, w = 1;
  [[nodiscard]] Index size() const { return c * h * w; }
};

Index windowOut(Index in, Index kernel, Index stride, Index pad) {
  const Index span = in + 2 * pad - kernel;
  return std::max<Index>(1, span < 0 ? 1 : span / stride + 1);
}

class ModelWriter {
 public:
  ModelWriter(Bytes& in, hid_t file) : in_(in), file_(file) {}

  void write() {
    const Id root(H5Gopen2(file_, "/", H5P_DEFAULT));
    stringAttribute(root.get(), "format", "xbarsim-model");
    numberAttribute(root.get(), "version", 1.0);
    Sample s{1 + in_.pick(3), 1 + in_.pick(8), 1 + in_.pick(8)};
    inputShape(root.get(), s);
    numberAttribute(root.get(), "input_scale", 1.0 / 255.0);
    numberAttribute(root.get(), "input_offset", 0.0);
    for (const char* key : {"producer", "training"}) {
      switch (in_.pick(4)) {
        case 0: break;
        case 1: textAttribute(root.get(), key, in_.text(8)); break;
        case 2: realsAttribute(root.get(), key, {in_.real()}, {}); break;
        default: stringAttribute(root.get(), key, "fuzz"); break;
      }
    }
    Id layers;
    switch (in_.pick(8)) {
      case 5: return;  // no /layers
      case 6: dataset(root.get(), "layers", {2}, false); return;
      case 7: H5Lcreate_soft("/", root.get(), "layers", H5P_DEFAULT, H5P_DEFAULT); return;
      default: layers = Id(H5Gcreate2(root.get(), "layers", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    }
    if (!layers.ok()) return;
    const unsigned n = (in_.pick(8) + 1) % 8;  // 1..7 layers, or none
    for (unsigned i = 0; i < n; ++i) layer(layers.get(), i, s);
  }

 private:
  /// A string attribute holding `value`, or something else in its place.
  void stringAttribute(hid_t object, const std::string& name, const std::string& value) {
    switch (in_.pick(8)) {
      case 0: textAttribute(object, name, value); break;
      case 1:
      case 2: {  // fixed length, zero- or space-padded (as other writers store strings)
        const H5T_str_t pad = in_.pick(2) ? H5T_STR_SPACEPAD : H5T_STR_NULLPAD;
        const Id t = stringType(value.size() + in_.pick(4) + 1, pad);
        std::string buf(H5Tget_size(t.get()), pad == H5T_STR_SPACEPAD ? ' ' : '\0');
        std::copy(value.begin(), value.end(), buf.begin());
        writeAttribute(object, name, t.get(), t.get(), space({}), buf.data());
        break;
      }
      case 3: textAttribute(object, name, in_.text(16)); break;
      case 4: break;  // missing
      case 5: realsAttribute(object, name, {in_.real()}, {}); break;
      case 6: {  // two strings
        const char* p[2] = {value.c_str(), value.c_str()};
        const Id t = stringType(0, H5T_STR_NULLTERM);
        writeAttribute(object, name, t.get(), t.get(), space({2}), p);
        break;
      }
      default: {  // a null variable-length string
        const char* p = nullptr;
        const Id t = stringType(0, H5T_STR_NULLTERM);
        writeAttribute(object, name, t.get(), t.get(), space({}), &p);
      }
    }
  }

  /// A numeric scalar attribute holding `value`, or something else in its place.
  void numberAttribute(hid_t object, const std::string& name, double value) {
    switch (in_.pick(9)) {
      case 0:
        if (value == std::floor(value))
          intsAttribute(object, name, {static_cast<std::int64_t>(value)}, {});
        else
          realsAttribute(object, name, {value}, {});
        break;
      case 1: realsAttribute(object, name, {value}, {1}); break;
      case 2: realsAttribute(object, name, {in_.real()}, {}); break;
      case 3: intsAttribute(object, name, {choose(kInts, in_.byte())}, {}); break;
      case 4: textAttribute(object, name, fmt::format("{}", value)); break;
      case 5: break;  // missing
      case 6: realsAttribute(object, name, {value, value}, {2}); break;
      case 7:
        writeAttribute(object, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, Id(H5Screate(H5S_NULL)),
                       nullptr);
        break;
      default: {
        const std::uint8_t b = in_.byte();
        writeAttribute(object, name, H5T_STD_U8LE, H5T_NATIVE_UINT8, space({}), &b);
      }
    }
  }

  /// An (h, w) attribute (stride, padding, kernel) as the format allows it, or something else.
  void pairAttribute(hid_t object, const std::string& name, Index h, Index w) {
    switch (in_.pick(8)) {
      case 0:
        if (h == w)
          intsAttribute(object, name, {h}, {});
        else
          intsAttribute(object, name, {h, w}, {2});
        break;
      case 1:
        realsAttribute(object, name, {static_cast<double>(h), static_cast<double>(w)}, {2});
        break;
      case 2: break;  // missing (default)
      case 3: {
        std::vector<std::int64_t> v(in_.pick(4));
        for (auto& x : v) x = choose(kInts, in_.byte());
        intsAttribute(object, name, v, {v.size()});
        break;
      }
      case 4: {
        std::vector<double> v(in_.pick(4));
        for (auto& x : v) x = in_.real();
        realsAttribute(object, name, v, {v.size()});
        break;
      }
      case 5: textAttribute(object, name, fmt::format("{}", h)); break;
      case 6: intsAttribute(object, name, {h, w}, {1, 2}); break;
      default: {
        const std::uint8_t b = in_.byte();
        writeAttribute(object, name, H5T_STD_U8LE, H5T_NATIVE_UINT8, space({}), &b);
      }
    }
  }

  void inputShape(hid_t root, Sample& s) {
    const std::string name = "input_shape";
    switch (in_.pick(8)) {
      case 0:
      case 1: intsAttribute(root, name, {s.c, s.h, s.w}, {3}); break;
      case 2:
        realsAttribute(root, name,
                       {static_cast<double>(s.c), static_cast<double>(s.h),
                        static_cast<double>(s.w)},
                       {3});
        break;
      case 3: {  // interesting integers; the generator follows them while they are small
        std::vector<std::int64_t> v(in_.pick(5));
        for (auto& x : v) x = choose(kInts, in_.byte());
        intsAttribute(root, name, v, {v.size()});
        if (v.size() == 3) {
          auto small = [](std::int64_t x) { return x >= 1 && x <= 16 ? x : 1; };
          s = Sample{small(v[0]), small(v[1]), small(v[2])};
        }
        break;
      }
      case 4: {
        std::vector<double> v(in_.pick(5));
        for (auto& x : v) x = in_.real();
        realsAttribute(root, name, v, {v.size()});
        break;
      }
      case 5: break;  // missing
      case 6: textAttribute(root, name, "1, 28, 28"); break;
      default: intsAttribute(root, name, {s.c, s.h, s.w}, {3, 1});
    }
  }

  /// A numeric dataset of shape `dims` (values >= 0 if `non_negative`), or something else.
  void dataset(hid_t group, const char* name, std::vector<hsize_t> dims, bool non_negative) {
    switch (in_.pick(8)) {
      case 2: return;  // missing
      case 3:          // another rank, small dimensions
        dims.assign(in_.pick(6), 0);
        for (auto& d : dims) d = in_.pick(5);
        break;
      case 4:  // one dimension changed (maybe huge)
        if (!dims.empty())
          dims[in_.pick(static_cast<unsigned>(dims.size()))] = choose(kDims, in_.byte());
        break;
      case 5:  // every dimension from the table
        for (auto& d : dims) d = choose(kDims, in_.byte());
        break;
      case 6: {  // empty (null) dataspace
        const Id null_space(H5Screate(H5S_NULL));
        const Id created(H5Dcreate2(group, name, H5T_IEEE_F32LE, null_space.get(), H5P_DEFAULT,
                                    H5P_DEFAULT, H5P_DEFAULT));
        return;
      }
      case 7: {  // a group where a dataset belongs
        const Id created(H5Gcreate2(group, name, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
        return;
      }
      default: break;  // as asked
    }
    // Sizes between what is written and the reader's limit would only slow the fuzzer down (the
    // reader allocates and fills them); they are pushed beyond the limit instead.
    hsize_t extent = 1;
    for (hsize_t x : dims)
      if (__builtin_mul_overflow(extent, std::max<hsize_t>(x, 1), &extent))
        extent = kReaderLimit + 1;
    if (extent > kMaxWritten && extent <= kReaderLimit) dims.front() = kReaderLimit + 1;
    const unsigned type_choice = in_.pick(8);
    Id type;
    switch (type_choice) {
      case 0: type = Id(H5Tcopy(H5T_IEEE_F32LE)); break;
      case 1: type = Id(H5Tcopy(H5T_IEEE_F64LE)); break;
      case 2: type = Id(H5Tcopy(H5T_STD_I32LE)); break;
      case 3: type = Id(H5Tcopy(H5T_STD_U8LE)); break;
      case 4: type = halfType(); break;
      case 5: type = Id(H5Tcopy(H5T_IEEE_F64BE)); break;
      case 6: type = stringType(0, H5T_STR_NULLTERM); break;
      default: type = Id(H5Tcopy(H5T_STD_I64BE));
    }
    const Id dcpl(H5Pcreate(H5P_DATASET_CREATE));
    switch (in_.pick(4)) {
      case 0: break;  // contiguous
      case 3: H5Pset_layout(dcpl.get(), H5D_COMPACT); break;
      default: {
        std::vector<hsize_t> chunk(dims.size());
        for (std::size_t i = 0; i < dims.size(); ++i) chunk[i] = std::clamp<hsize_t>(dims[i], 1, 4);
        H5Pset_chunk(dcpl.get(), static_cast<int>(chunk.size()), chunk.data());
        H5Pset_deflate(dcpl.get(), 1);
      }
    }
    const Id shape = space(dims);
    if (!type.ok() || !shape.ok()) return;
    const Id d(H5Dcreate2(group, name, type.get(), shape.get(), H5P_DEFAULT, dcpl.get(),
                          H5P_DEFAULT));
    if (!d.ok()) return;
    std::size_t n = 1;
    for (hsize_t x : dims)
      if (__builtin_mul_overflow(n, static_cast<std::size_t>(x), &n)) return;
    if (n == 0 || n > kMaxWritten) return;  // declared only
    if (type_choice == 6) {
      const std::vector<const char*> text(n, "1.0");
      H5Dwrite(d.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, text.data());
      return;
    }
    std::vector<double> v(n, 0.0);
    const unsigned values = in_.pick(4);
    if (values == 1) {
      for (auto& x : v) x = in_.real();
    } else if (values != 3) {
      for (auto& x : v) x = (in_.byte() - 128) / 32.0;
      if (values == 2)
        v[in_.pick(static_cast<unsigned>(std::min<std::size_t>(n, 256)))] =
            choose(kSpecial, in_.byte());
    }
    if (non_negative && values == 0)
      for (auto& x : v) x = std::abs(x);
    H5Dwrite(d.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data());
  }

  void layer(hid_t layers, unsigned index, Sample& s) {
    std::string name;
    switch (in_.pick(4)) {
      case 2: name = fmt::format("{}", index * 5); break;  // "10" sorts before "5"
      case 3:
        name = in_.text(6);
        std::replace(name.begin(), name.end(), '/', '_');
        std::replace(name.begin(), name.end(), '\0', '_');
        if (name.empty() || name == ".") name.assign(1, '_');
        break;
      default: name = fmt::format("{:03d}", index);
    }
    if (H5Lexists(layers, name.c_str(), H5P_DEFAULT) != 0) name += fmt::format("~{}", index);
    Id object;
    switch (in_.pick(8)) {
      case 5: {  // a dataset where a group belongs
        const Id scalar = space({});
        object = Id(H5Dcreate2(layers, name.c_str(), H5T_IEEE_F64LE, scalar.get(), H5P_DEFAULT,
                               H5P_DEFAULT, H5P_DEFAULT));
        break;
      }
      case 6:  // a soft link to an earlier layer (or to nothing)
        H5Lcreate_soft(fmt::format("/layers/{:03d}", in_.pick(8)).c_str(), layers, name.c_str(),
                       H5P_DEFAULT, H5P_DEFAULT);
        return;
      case 7:  // a soft link to the root group
        H5Lcreate_soft("/", layers, name.c_str(), H5P_DEFAULT, H5P_DEFAULT);
        return;
      default:
        object = Id(H5Gcreate2(layers, name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
    }
    if (!object.ok()) return;
    const hid_t g = object.get();
    constexpr LayerKind kKinds[] = {LayerKind::Dense,     LayerKind::Conv2d,
                                    LayerKind::MaxPool2d, LayerKind::AvgPool2d,
                                    LayerKind::BatchNorm, LayerKind::Flatten,
                                    LayerKind::Relu};
    const unsigned kind_choice = in_.pick(8);
    if (kind_choice == 7) {
      stringAttribute(g, "type", in_.text(10));
      return;
    }
    const LayerKind kind = kKinds[kind_choice];
    stringAttribute(g, "type", std::string(dnn::toString(kind)));
    auto u = [](Index v) { return static_cast<hsize_t>(v); };
    switch (kind) {
      case LayerKind::Dense: {
        const Index out = 1 + in_.pick(6);
        dataset(g, "weight", {u(out), u(s.size())}, false);
        dataset(g, "bias", {u(out)}, false);
        stringAttribute(g, "activation", in_.pick(2) ? "none" : "relu");
        s = Sample{out, 1, 1};
        break;
      }
      case LayerKind::Conv2d: {
        const Index out = 1 + in_.pick(4), kh = 1 + in_.pick(3), kw = 1 + in_.pick(3);
        const Index sh = 1 + in_.pick(2), sw = 1 + in_.pick(2), ph = in_.pick(2), pw = in_.pick(2);
        dataset(g, "weight", {u(out), u(s.c), u(kh), u(kw)}, false);
        dataset(g, "bias", {u(out)}, false);
        pairAttribute(g, "stride", sh, sw);
        pairAttribute(g, "padding", ph, pw);
        stringAttribute(g, "activation", in_.pick(2) ? "none" : "relu");
        s = Sample{out, windowOut(s.h, kh, sh, ph), windowOut(s.w, kw, sw, pw)};
        break;
      }
      case LayerKind::MaxPool2d:
      case LayerKind::AvgPool2d: {
        const Index kh = 1 + in_.pick(3), kw = 1 + in_.pick(3);
        const Index sh = 1 + in_.pick(3), sw = 1 + in_.pick(3);
        pairAttribute(g, "kernel", kh, kw);
        pairAttribute(g, "stride", sh, sw);
        s = Sample{s.c, windowOut(s.h, kh, sh, 0), windowOut(s.w, kw, sw, 0)};
        break;
      }
      case LayerKind::BatchNorm:
        for (const char* key : {"gamma", "beta", "mean", "var"})
          dataset(g, key, {u(s.c)}, std::strcmp(key, "var") == 0);
        numberAttribute(g, "eps", 1e-5);
        break;
      case LayerKind::Flatten: s = Sample{s.size(), 1, 1}; break;
      case LayerKind::Relu:
      case LayerKind::Add: break;
    }
    // Keep the generator's shape small (a larger one would only make weights that are not written).
    s = Sample{std::min<Index>(s.c, 64), std::min<Index>(s.h, 16), std::min<Index>(s.w, 16)};
  }

  Bytes& in_;
  hid_t file_;
};

/// Removes the file on scope exit.
/// A temporary HDF5 file of this body.
struct ModelFile : TempFile {
  explicit ModelFile(const char* tag) : TempFile("model", tag, ".h5") {}
};

/// c·h·w, or -1 if it overflows.
Index checkedSize(const dnn::Shape& s) {
  Index n = 0;
  if (__builtin_mul_overflow(s.c, s.h, &n) || __builtin_mul_overflow(n, s.w, &n)) return -1;
  return n;
}

template <typename M>
bool same(const M& a, const M& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() && (a.array() == b.array()).all();
}

bool sameLayer(const dnn::Layer& a, const dnn::Layer& b) {
  return a.kind == b.kind && same(a.weight, b.weight) && same(a.bias, b.bias) &&
         a.activation == b.activation && a.kernel_h == b.kernel_h && a.kernel_w == b.kernel_w &&
         a.stride_h == b.stride_h && a.stride_w == b.stride_w && a.pad_h == b.pad_h &&
         a.pad_w == b.pad_w && same(a.gamma, b.gamma) && same(a.beta, b.beta) &&
         same(a.mean, b.mean) && same(a.var, b.var) && a.eps == b.eps &&
         a.in_shape == b.in_shape && a.out_shape == b.out_shape;
}

/// What a network returned by loadNetwork promises.
void checkNetwork(const dnn::Network& net, const fs::path& copy) {
  if (net.layers.empty()) violated("model: a network without layers was accepted");
  constexpr Index kSmall = Index{1} << 14;
  bool small = checkedSize(net.input_shape) <= kSmall;
  for (const dnn::Layer& l : net.layers) {
    if (!l.weight.allFinite() || !l.bias.allFinite() || !l.gamma.allFinite() ||
        !l.beta.allFinite() || !l.mean.allFinite() || !l.var.allFinite())
      violated("model: non-finite parameters were accepted");
    const Index out = checkedSize(l.out_shape);
    small = small && out >= 0 && out <= kSmall && l.weight.size() <= kSmall &&
            (l.kind != LayerKind::Conv2d || l.weight.size() * out <= (Index{1} << 22));
  }
  if (small) {
    const dnn::Matrix x = dnn::Matrix::Constant(net.input_shape.size(), 2, 0.5f);
    const dnn::Matrix y = net.forward(x);
    if (y.rows() != net.outputShape().size() || y.cols() != 2)
      violated("model: the forward pass gives the wrong output shape");
  }
  try {
    dnn::saveNetwork(net, copy);
    const dnn::Network back = dnn::loadNetwork(copy);
    bool equal = back.input_shape == net.input_shape && back.input_scale == net.input_scale &&
                 back.input_offset == net.input_offset &&
                 back.string_attributes == net.string_attributes &&
                 back.layers.size() == net.layers.size();
    for (std::size_t i = 0; equal && i < net.layers.size(); ++i)
      equal = sameLayer(net.layers[i], back.layers[i]);
    if (!equal) violated("model: save + load changed the network");
  } catch (const Error& e) {
    std::fprintf(stderr, "%s\n", e.what());
    violated("model: a network that was read cannot be saved and read back");
  }
}

}  // namespace

void fuzzModel(const std::uint8_t* data, std::size_t size) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);  // the generator's refused requests are expected
  const ModelFile file("in");
  {
    Id h5(H5Fcreate(file.path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT));
    if (!h5.ok()) violated("model: cannot create the temporary file");
    Bytes in(data, size);
    ModelWriter(in, h5.get()).write();
    if (H5Fclose(h5.release()) < 0) violated("model: cannot write the temporary file");
  }
  dnn::Network net;
  try {
    net = dnn::loadNetwork(file.path);
  } catch (const Error&) {
    return;  // refused: fine
  }
  const ModelFile copy("copy");
  checkNetwork(net, copy.path);
}

}  // namespace xbarsim::fuzz
