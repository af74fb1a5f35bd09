// SPDX-License-Identifier: MIT
#include "xbarsim/io/hdf5_file.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <type_traits>
#include <utility>

#include "detail/h5_error.hpp"
#include "detail/h5_handle.hpp"
#include "detail/h5_wrappers.hpp"
#include "xbarsim/core/error.hpp"

namespace xbarsim::io {

static_assert(std::is_same_v<hid_t, std::int64_t>,
              "H5File stores hid_t as std::int64_t (true for HDF5 >= 1.10)");

namespace {

using detail::Handle;
using detail::Where;
namespace h5a = detail::h5a;
namespace h5d = detail::h5d;
namespace h5ds = detail::h5ds;
namespace h5f = detail::h5f;
namespace h5g = detail::h5g;
namespace h5l = detail::h5l;
namespace h5o = detail::h5o;
namespace h5p = detail::h5p;
namespace h5s = detail::h5s;
namespace h5t = detail::h5t;

using RowMajorMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

/// "/a/b" form: leading slash added, trailing slashes removed ("/" stays "/").
std::string normalize(const std::string& path) {
  if (path.empty()) throw std::invalid_argument("xbarsim::io: empty HDF5 object path");
  std::string p = path.front() == '/' ? path : "/" + path;
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  return p;
}

const char* className(H5T_class_t c) {
  switch (c) {
    case H5T_INTEGER:
      return "integer";
    case H5T_FLOAT:
      return "float";
    case H5T_TIME:
      return "time";
    case H5T_STRING:
      return "string";
    case H5T_BITFIELD:
      return "bitfield";
    case H5T_OPAQUE:
      return "opaque";
    case H5T_COMPOUND:
      return "compound";
    case H5T_REFERENCE:
      return "reference";
    case H5T_ENUM:
      return "enum";
    case H5T_VLEN:
      return "variable-length sequence";
    case H5T_ARRAY:
      return "array";
    default:
      return "unknown";
  }
}

std::string shapeText(const std::vector<hsize_t>& dims) {
  if (dims.empty()) return "()";
  std::string s = "(";
  for (std::size_t i = 0; i < dims.size(); ++i) {
    if (i > 0) s += ", ";
    s += fmt::format("{}", dims[i]);
  }
  return s + (dims.size() == 1 ? ",)" : ")");
}

/// True if every component of the normalized `path` exists, intermediate ones being groups.
bool objectExists(hid_t file, const std::string& path, const Where& w) {
  if (path == "/") return true;
  std::size_t pos = 0;
  while (true) {
    const std::size_t next = path.find('/', pos + 1);
    const std::string prefix = path.substr(0, next);
    if (!h5l::exists(file, prefix, w)) return false;
    if (next == std::string::npos) return h5o::existsByName(file, prefix, w);
    if (!h5o::existsByName(file, prefix, w)) return false;  // dangling soft link
    Handle obj = h5o::open(file, prefix, w);
    if (h5o::type(obj.get(), w) != H5I_GROUP) return false;  // "/dataset/x"
    pos = next;
  }
}

/// Link creation: create missing parent groups; UTF-8 names.
Handle makeLcpl(const Where& w) {
  Handle lcpl = h5p::create(H5P_LINK_CREATE, w);
  h5p::setCreateIntermediateGroup(lcpl.get(), w);
  h5p::setCharEncoding(lcpl.get(), H5T_CSET_UTF8, w);
  return lcpl;
}

/// About kChunkTargetBytes per chunk, whole trailing dimensions first (rows of a matrix).
std::vector<hsize_t> chunkShape(const std::vector<hsize_t>& dims, std::size_t element_bytes) {
  hsize_t budget = std::max<hsize_t>(1, kChunkTargetBytes / element_bytes);
  std::vector<hsize_t> chunk(dims.size(), 1);
  for (std::size_t i = dims.size(); i-- > 0;) {
    chunk[i] = std::clamp<hsize_t>(budget, 1, std::max<hsize_t>(dims[i], 1));
    budget = std::max<hsize_t>(1, budget / chunk[i]);
  }
  return chunk;
}

/// Dataset creation properties: contiguous (H5P_DEFAULT, returned as an invalid Handle) up to
/// kContiguousMaxBytes, otherwise chunked with shuffle + deflate.
Handle makeDcpl(const std::vector<hsize_t>& dims, std::size_t element_bytes, const Where& w) {
  hsize_t bytes = element_bytes;
  for (hsize_t d : dims) bytes *= d;
  if (bytes <= kContiguousMaxBytes) return {};
  Handle dcpl = h5p::create(H5P_DATASET_CREATE, w);
  h5p::setChunk(dcpl.get(), chunkShape(dims, element_bytes), w);
  h5p::setShuffle(dcpl.get(), w);
  h5p::setDeflate(dcpl.get(), kDeflateLevel, w);
  return dcpl;
}

hid_t orDefault(const Handle& h) { return h.valid() ? h.get() : H5P_DEFAULT; }

/// Throws a clear IoError if an existing ancestor of `path` is not a group (HDF5's own error
/// for that is a ten-frame stack ending in "message type not found").
void requireGroupAncestors(hid_t file, const std::string& path, const Where& w) {
  for (std::size_t slash = path.find('/', 1); slash != std::string::npos;
       slash = path.find('/', slash + 1)) {
    const std::string prefix = path.substr(0, slash);
    if (!objectExists(file, prefix, w)) return;  // created as groups on demand
    Handle obj = h5o::open(file, prefix, w);
    if (h5o::type(obj.get(), w) != H5I_GROUP) {
      detail::throwIoError(w, fmt::format("cannot create: '{}' is not a group", prefix));
    }
  }
}

/// Creates a new dataset (never replaces one) with parents as needed.
Handle createDataset(hid_t file, const std::string& path, hid_t type, hid_t space,
                     const Handle& dcpl, const Where& w) {
  if (objectExists(file, path, w)) detail::throwIoError(w, "already exists (not overwritten)");
  requireGroupAncestors(file, path, w);
  Handle lcpl = makeLcpl(w);
  return h5d::create(file, path, type, space, lcpl.get(), orDefault(dcpl), w);
}

void requireUnits(std::string_view units, const Where& w) {
  if (units.empty()) {
    throw std::invalid_argument(
        fmt::format("xbarsim::io: '{}': units must not be empty (use \"1\" if dimensionless)",
                    detail::describe(w)));
  }
}

void requireNoNul(std::string_view s, const Where& w) {
  if (s.find('\0') != std::string_view::npos) {
    detail::throwIoError(w, "string contains a NUL character (not storable as a C string)");
  }
}

/// (Re)creates attribute `name` on `object` and writes `buf`.
void writeAttribute(hid_t file, const std::string& object, const std::string& name, hid_t file_type,
                    hid_t mem_type, hid_t space, const void* buf, const Where& w) {
  if (h5a::exists(file, object, name, w)) h5a::remove(file, object, name, w);
  Handle attr = h5a::create(file, object, name, file_type, space, w);
  h5a::write(attr.get(), mem_type, buf, w);
  attr.close(w);
}

void writeStringAttribute(hid_t file, const std::string& object, const std::string& name,
                          std::string_view value, const Where& w) {
  requireNoNul(value, w);
  const std::string copy(value);
  const char* ptr = copy.c_str();
  Handle type = h5t::variableUtf8String(w);
  Handle space = h5s::createScalar(w);
  writeAttribute(file, object, name, type.get(), type.get(), space.get(), &ptr, w);
}

/// Frees the variable-length strings HDF5 allocated during a read, also on exceptions.
class VlenBuffer {
 public:
  VlenBuffer(hid_t type, hid_t space, std::size_t n) : type_(type), space_(space), ptrs_(n) {}
  VlenBuffer(const VlenBuffer&) = delete;
  VlenBuffer& operator=(const VlenBuffer&) = delete;
  ~VlenBuffer() {
    if (!filled_) return;
    detail::SilenceErrors silence;
    if (h5t::reclaimNoThrow(type_, space_, ptrs_.data()) < 0) H5Eclear2(H5E_DEFAULT);
  }
  void* data() noexcept { return ptrs_.data(); }
  void markFilled() noexcept { filled_ = true; }
  const std::vector<char*>& ptrs() const noexcept { return ptrs_; }

 private:
  hid_t type_;
  hid_t space_;
  std::vector<char*> ptrs_;
  bool filled_ = false;
};

/// Reads the n strings of a dataset or attribute whose file datatype is `file_type`; `read` does
/// the H5Dread/H5Aread into a buffer of the given memory type.
template <typename ReadFn>
std::vector<std::string> readStringData(hid_t file_type, hid_t space, std::size_t n, ReadFn&& read,
                                        const Where& w) {
  std::vector<std::string> out;
  out.reserve(n);
  if (n == 0) return out;
  Handle mem_type = h5t::copy(file_type, w);  // same size, padding and character set
  if (h5t::isVariableString(file_type, w)) {
    VlenBuffer buf(mem_type.get(), space, n);
    read(mem_type.get(), buf.data());
    buf.markFilled();
    for (const char* p : buf.ptrs()) out.emplace_back(p != nullptr ? p : "");
    return out;
  }
  const std::size_t size = h5t::getSize(file_type, w);
  const H5T_str_t pad = h5t::getStrpad(file_type, w);
  std::vector<char> raw(size * n);
  read(mem_type.get(), raw.data());
  for (std::size_t i = 0; i < n; ++i) {
    std::string_view s(raw.data() + i * size, size);
    if (pad == H5T_STR_SPACEPAD) {
      s = s.substr(0, s.find_last_not_of(' ') + 1);
    } else {
      s = s.substr(0, std::min(s.size(), s.find('\0')));
    }
    out.emplace_back(s);
  }
  return out;
}

bool isNumeric(H5T_class_t c) { return c == H5T_INTEGER || c == H5T_FLOAT; }

/// An open dataset with its dataspace, datatype and shape.
struct Dataset {
  Handle id;
  Handle space;
  Handle type;
  std::vector<hsize_t> dims;
  H5T_class_t type_class = H5T_NO_CLASS;

  [[nodiscard]] std::size_t size() const {
    std::size_t n = 1;
    for (hsize_t d : dims) n *= static_cast<std::size_t>(d);
    return n;
  }
};

Dataset openDataset(hid_t file, const std::string& path, const Where& w) {
  if (!objectExists(file, path, w)) detail::throwIoError(w, "no such dataset");
  Dataset d;
  d.id = h5o::open(file, path, w);
  if (h5o::type(d.id.get(), w) != H5I_DATASET) {
    detail::throwIoError(w, "is not a dataset (it is a group or a named datatype)");
  }
  d.space = h5d::getSpace(d.id.get(), w);
  if (h5s::type(d.space.get(), w) == H5S_NULL) detail::throwIoError(w, "has an empty dataspace");
  d.dims = h5s::dims(d.space.get(), w);
  d.type = h5d::getType(d.id.get(), w);
  d.type_class = h5t::getClass(d.type.get(), w);
  return d;
}

void requireNumeric(const Dataset& d, const Where& w) {
  if (!isNumeric(d.type_class)) {
    detail::throwIoError(
        w, fmt::format("holds {} data; expected integers or floats", className(d.type_class)));
  }
}

void requireRankAtMost1(const Dataset& d, const Where& w) {
  if (d.dims.size() > 1) {
    detail::throwIoError(w, fmt::format("has shape {}; expected a 1-D dataset", shapeText(d.dims)));
  }
}

/// An open attribute with its dataspace, datatype and element count.
struct Attribute {
  Handle id;
  Handle space;
  Handle type;
  std::vector<hsize_t> dims;
  H5T_class_t type_class = H5T_NO_CLASS;
  std::size_t size = 0;
};

Attribute openAttribute(hid_t file, const std::string& object, const std::string& name,
                        const Where& w) {
  if (!objectExists(file, object, w)) detail::throwIoError(w, "no such object");
  if (!h5a::exists(file, object, name, w)) {
    detail::throwIoError(w, fmt::format("has no attribute '{}'", name));
  }
  Attribute a;
  a.id = h5a::open(file, object, name, w);
  a.space = h5a::getSpace(a.id.get(), w);
  if (h5s::type(a.space.get(), w) == H5S_NULL) {
    detail::throwIoError(w, fmt::format("attribute '{}' has an empty dataspace", name));
  }
  a.dims = h5s::dims(a.space.get(), w);
  a.size = static_cast<std::size_t>(h5s::npoints(a.space.get(), w));
  a.type = h5a::getType(a.id.get(), w);
  a.type_class = h5t::getClass(a.type.get(), w);
  return a;
}

/// A numeric attribute with exactly one element.
Attribute openScalarAttribute(hid_t file, const std::string& object, const std::string& name,
                              bool integer_only, const Where& w) {
  Attribute a = openAttribute(file, object, name, w);
  const bool ok = integer_only ? a.type_class == H5T_INTEGER : isNumeric(a.type_class);
  if (!ok) {
    detail::throwIoError(
        w, fmt::format("attribute '{}' holds {} data; expected {}", name, className(a.type_class),
                       integer_only ? "an integer" : "a number"));
  }
  if (a.size != 1) {
    detail::throwIoError(w,
                         fmt::format("attribute '{}' has {} elements; expected one", name, a.size));
  }
  return a;
}

}  // namespace

// ---- lifetime -----------------------------------------------------------------------------------

H5File::H5File(std::int64_t id, std::filesystem::path path, bool writable) noexcept
    : id_(id), path_(std::move(path)), writable_(writable) {}

H5File H5File::create(const std::filesystem::path& path) {
  detail::SilenceErrors silence;
  const Where w{path.native(), {}};
  Handle fapl = h5p::create(H5P_FILE_ACCESS, w);
  // Lock as HDF5 does by default, but keep working on file systems without flock (Lustre, some
  // NFS); HDF5_USE_FILE_LOCKING=FALSE in the environment still overrides this.
  h5p::setFileLocking(fapl.get(), true, true, w);
  return H5File(h5f::create(path.native(), fapl.get(), w), path, true);
}

namespace {
hid_t openExisting(const std::filesystem::path& path, unsigned flags) {
  detail::SilenceErrors silence;
  const Where w{path.native(), {}};
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) detail::throwIoError(w, "cannot open file: no such file");
  Handle fapl = h5p::create(H5P_FILE_ACCESS, w);
  h5p::setFileLocking(fapl.get(), true, true, w);
  return h5f::open(path.native(), flags, fapl.get(), w);
}
}  // namespace

H5File H5File::openReadOnly(const std::filesystem::path& path) {
  return H5File(openExisting(path, H5F_ACC_RDONLY), path, false);
}

H5File H5File::openReadWrite(const std::filesystem::path& path) {
  return H5File(openExisting(path, H5F_ACC_RDWR), path, true);
}

H5File::H5File(H5File&& other) noexcept
    : id_(std::exchange(other.id_, -1)),
      path_(std::move(other.path_)),
      writable_(std::exchange(other.writable_, false)) {}

H5File& H5File::operator=(H5File&& other) noexcept {
  if (this != &other) {
    if (id_ >= 0) {
      detail::SilenceErrors silence;
      if (H5Fclose(id_) < 0) H5Eclear2(H5E_DEFAULT);
    }
    id_ = std::exchange(other.id_, -1);
    path_ = std::move(other.path_);
    writable_ = std::exchange(other.writable_, false);
  }
  return *this;
}

H5File::~H5File() {
  if (id_ >= 0) {
    detail::SilenceErrors silence;
    if (H5Fclose(id_) < 0) H5Eclear2(H5E_DEFAULT);  // a destructor cannot report; see close()
  }
}

void H5File::close() {
  requireOpen();
  detail::SilenceErrors silence;
  const hid_t id = std::exchange(id_, -1);
  h5f::close(id, Where{path_.native(), {}});
}

void H5File::flush() {
  requireOpen();
  detail::SilenceErrors silence;
  h5f::flush(id_, Where{path_.native(), {}});
}

void H5File::requireOpen() const {
  if (id_ < 0) {
    throw IoError(fmt::format("HDF5 '{}': file is closed", path_.native()));
  }
}

void H5File::requireWritable() const {
  requireOpen();
  if (!writable_) {
    throw IoError(fmt::format("HDF5 '{}': file is open read-only", path_.native()));
  }
}

void H5File::throwIntTooLarge() {
  throw std::out_of_range("xbarsim::io: integer attribute value does not fit in int64");
}

// ---- structure ----------------------------------------------------------------------------------

bool H5File::exists(const std::string& path) const {
  requireOpen();
  detail::SilenceErrors silence;
  const std::string p = normalize(path);
  return objectExists(id_, p, Where{path_.native(), p});
}

void H5File::createGroup(const std::string& path) {
  requireWritable();
  detail::SilenceErrors silence;
  const std::string p = normalize(path);
  const Where w{path_.native(), p};
  if (objectExists(id_, p, w)) {
    Handle obj = h5o::open(id_, p, w);
    if (h5o::type(obj.get(), w) != H5I_GROUP) detail::throwIoError(w, "exists and is not a group");
    return;
  }
  requireGroupAncestors(id_, p, w);
  Handle lcpl = makeLcpl(w);
  Handle group = h5g::create(id_, p, lcpl.get(), w);
  group.close(w);
}

// ---- writing datasets ---------------------------------------------------------------------------

void H5File::writeMatrix(const std::string& path, const Eigen::Ref<const Eigen::MatrixXd>& m,
                         std::string_view units) {
  requireWritable();
  detail::SilenceErrors silence;
  const std::string p = normalize(path);
  const Where w{path_.native(), p};
  requireUnits(units, w);
  const RowMajorMatrix row_major = m;  // HDF5 (C order) shape (rows, cols)
  const std::vector<hsize_t> dims{static_cast<hsize_t>(m.rows()), static_cast<hsize_t>(m.cols())};
  Handle space = h5s::createSimple(dims, w);
  Handle dcpl = makeDcpl(dims, sizeof(double), w);
  Handle dset = createDataset(id_, p, H5T_IEEE_F64LE, space.get(), dcpl, w);
  if (row_major.size() > 0) h5d::write(dset.get(), H5T_NATIVE_DOUBLE, row_major.data(), w);
  writeStringAttribute(id_, p, "units", units, w);
  dset.close(w);
}

void H5File::writeVector(const std::string& path, const Eigen::Ref<const Eigen::VectorXd>& v,
                         std::string_view units) {
  requireWritable();
  detail::SilenceErrors silence;
  const std::string p = normalize(path);
  const Where w{path_.native(), p};
  requireUnits(units, w);
  const Eigen::VectorXd contiguous = v;  // a Ref may have an inner stride
  const std::vector<hsize_t> dims{static_cast<hsize_t>(v.size())};
  Handle space = h5s::createSimple(dims, w);
  Handle dcpl = makeDcpl(dims, sizeof(double), w);
  Handle dset = createDataset(id_, p, H5T_IEEE_F64LE, space.get(), dcpl, w);
  if (contiguous.size() > 0) h5d::write(dset.get(), H5T_NATIVE_DOUBLE, contiguous.data(), w);
  writeStringAttribute(id_, p, "units", units, w);
  dset.close(w);
}

void H5File::writeScalar(const std::string& path, double value, std::string_view units) {
  requireWritable();
  detail::SilenceErrors silence;
  const std::string p = normalize(path);
  const Where w{path_.native(), p};
  requireUnits(units, w);
  Handle space = h5s::createScalar(w);
  Handle dset = createDataset(id_, p, H5T_IEEE_F64LE, space.get(), Handle{}, w);
  h5d::write(dset.get(), H5T_NATIVE_DOUBLE, &value, w);
  writeStringAttribute(id_, p, "units", units, w);
  dset.close(w);
}

void H5File::writeStrings(const std::string& path, const std::vector<std::string>& values) {
  requireWritable();
  detail::SilenceErrors silence;
  const std::string p = normalize(path);
  const Where w{path_.native(), p};
  std::vector<const char*> ptrs;
  ptrs.reserve(values.size());
  for (const std::string& s : values) {
    requireNoNul(s, w);
    ptrs.push_back(s.c_str());
  }
  Handle type = h5t::variableUtf8String(w);
  Handle space = h5s::createSimple({static_cast<hsize_t>(values.size())}, w);
  Handle dset = createDataset(id_, p, type.get(), space.get(), Handle{}, w);
  if (!ptrs.empty()) h5d::write(dset.get(), type.get(), ptrs.data(), w);
  dset.close(w);
}

void H5File::writeInts(const std::string& path, const std::vector<std::int64_t>& values,
                       std::string_view units) {
  requireWritable();
  detail::SilenceErrors silence;
  const std::string p = normalize(path);
  const Where w{path_.native(), p};
  const std::vector<hsize_t> dims{static_cast<hsize_t>(values.size())};
  Handle space = h5s::createSimple(dims, w);
  Handle dcpl = makeDcpl(dims, sizeof(std::int64_t), w);
  Handle dset = createDataset(id_, p, H5T_STD_I64LE, space.get(), dcpl, w);
  if (!values.empty()) h5d::write(dset.get(), H5T_NATIVE_INT64, values.data(), w);
  if (!units.empty()) writeStringAttribute(id_, p, "units", units, w);
  dset.close(w);
}

// ---- reading datasets ---------------------------------------------------------------------------

Eigen::MatrixXd H5File::readMatrix(const std::string& path) const {
  requireOpen();
  detail::SilenceErrors silence;
  const std::string p = normalize(path);
  const Where w{path_.native(), p};
  const Dataset d = openDataset(id_, p, w);
  requireNumeric(d, w);
  if (d.dims.empty() || d.dims.size() > 2) {
    detail::throwIoError(
        w, fmt::format("has shape {}; expected a 1-D or 2-D dataset", shapeText(d.dims)));
  }
  const auto rows = static_cast<Eigen::Index>(d.dims[0]);
  const auto cols = d.dims.size() == 2 ? static_cast<Eigen::Index>(d.dims[1]) : Eigen::Index{1};
  RowMajorMatrix m(rows, cols);
  if (m.size() > 0) h5d::read(d.id.get(), H5T_NATIVE_DOUBLE, m.data(), w);
  return m;
}

Eigen::VectorXd H5File::readVector(const std::string& path) const {
  requireOpen();
  detail::SilenceErrors silence;
  const std::string p = normalize(path);
  const Where w{path_.native(), p};
  const Dataset d = openDataset(id_, p, w);
  requireNumeric(d, w);
  if (d.dims.size() != 1) {
    detail::throwIoError(w, fmt::format("has shape {}; expected a 1-D dataset", shapeText(d.dims)));
  }
  Eigen::VectorXd v(static_cast<Eigen::Index>(d.dims[0]));
  if (v.size() > 0) h5d::read(d.id.get(), H5T_NATIVE_DOUBLE, v.data(), w);
  return v;
}

double H5File::readScalar(const std::string& path) const {
  requireOpen();
  detail::SilenceErrors silence;
  const std::string p = normalize(path);
  const Where w{path_.native(), p};
  const Dataset d = openDataset(id_, p, w);
  requireNumeric(d, w);
  if (d.size() != 1) {
    detail::throwIoError(w,
                         fmt::format("has shape {}; expected a single value", shapeText(d.dims)));
  }
  double value = 0.0;
  h5d::read(d.id.get(), H5T_NATIVE_DOUBLE, &value, w);
  return value;
}

std::vector<std::int64_t> H5File::readInts(const std::string& path) const {
  requireOpen();
  detail::SilenceErrors silence;
  const std::string p = normalize(path);
  const Where w{path_.native(), p};
  const Dataset d = openDataset(id_, p, w);
  if (d.type_class != H5T_INTEGER) {
    detail::throwIoError(w,
                         fmt::format("holds {} data; expected integers", className(d.type_class)));
  }
  requireRankAtMost1(d, w);
  std::vector<std::int64_t> values(d.size());
  if (!values.empty()) h5d::read(d.id.get(), H5T_NATIVE_INT64, values.data(), w);
  return values;
}

std::vector<std::string> H5File::readStrings(const std::string& path) const {
  requireOpen();
  detail::SilenceErrors silence;
  const std::string p = normalize(path);
  const Where w{path_.native(), p};
  const Dataset d = openDataset(id_, p, w);
  if (d.type_class != H5T_STRING) {
    detail::throwIoError(w,
                         fmt::format("holds {} data; expected strings", className(d.type_class)));
  }
  requireRankAtMost1(d, w);
  return readStringData(
      d.type.get(), d.space.get(), d.size(),
      [&](hid_t mem_type, void* buf) { h5d::read(d.id.get(), mem_type, buf, w); }, w);
}

// ---- attributes ---------------------------------------------------------------------------------

void H5File::setAttribute(const std::string& object, const std::string& name,
                          std::string_view value) {
  requireWritable();
  detail::SilenceErrors silence;
  const std::string p = normalize(object);
  if (!exists(p)) createGroup(p);
  writeStringAttribute(id_, p, name, value, Where{path_.native(), p});
}

void H5File::setAttribute(const std::string& object, const std::string& name, double value) {
  requireWritable();
  detail::SilenceErrors silence;
  const std::string p = normalize(object);
  const Where w{path_.native(), p};
  if (!exists(p)) createGroup(p);
  Handle space = h5s::createScalar(w);
  writeAttribute(id_, p, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, space.get(), &value, w);
}

void H5File::setAttribute(const std::string& object, const std::string& name, std::int64_t value) {
  requireWritable();
  detail::SilenceErrors silence;
  const std::string p = normalize(object);
  const Where w{path_.native(), p};
  if (!exists(p)) createGroup(p);
  Handle space = h5s::createScalar(w);
  writeAttribute(id_, p, name, H5T_STD_I64LE, H5T_NATIVE_INT64, space.get(), &value, w);
}

void H5File::setAttribute(const std::string& object, const std::string& name,
                          const std::vector<double>& values) {
  requireWritable();
  detail::SilenceErrors silence;
  const std::string p = normalize(object);
  const Where w{path_.native(), p};
  if (!exists(p)) createGroup(p);
  Handle space = h5s::createSimple({static_cast<hsize_t>(values.size())}, w);
  writeAttribute(id_, p, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, space.get(), values.data(), w);
}

bool H5File::hasAttribute(const std::string& object, const std::string& name) const {
  requireOpen();
  detail::SilenceErrors silence;
  const std::string p = normalize(object);
  const Where w{path_.native(), p};
  return objectExists(id_, p, w) && h5a::exists(id_, p, name, w);
}

std::string H5File::readStringAttribute(const std::string& object, const std::string& name) const {
  requireOpen();
  detail::SilenceErrors silence;
  const std::string p = normalize(object);
  const Where w{path_.native(), p};
  const Attribute a = openAttribute(id_, p, name, w);
  if (a.type_class != H5T_STRING) {
    detail::throwIoError(w, fmt::format("attribute '{}' holds {} data; expected a string", name,
                                        className(a.type_class)));
  }
  if (a.size != 1) {
    detail::throwIoError(w,
                         fmt::format("attribute '{}' has {} strings; expected one", name, a.size));
  }
  auto values = readStringData(
      a.type.get(), a.space.get(), 1,
      [&](hid_t mem_type, void* buf) { h5a::read(a.id.get(), mem_type, buf, w); }, w);
  return std::move(values.front());
}

double H5File::readDoubleAttribute(const std::string& object, const std::string& name) const {
  requireOpen();
  detail::SilenceErrors silence;
  const std::string p = normalize(object);
  const Where w{path_.native(), p};
  const Attribute a = openScalarAttribute(id_, p, name, false, w);
  double value = 0.0;
  h5a::read(a.id.get(), H5T_NATIVE_DOUBLE, &value, w);
  return value;
}

std::int64_t H5File::readIntAttribute(const std::string& object, const std::string& name) const {
  requireOpen();
  detail::SilenceErrors silence;
  const std::string p = normalize(object);
  const Where w{path_.native(), p};
  const Attribute a = openScalarAttribute(id_, p, name, true, w);
  std::int64_t value = 0;
  h5a::read(a.id.get(), H5T_NATIVE_INT64, &value, w);
  return value;
}

std::vector<double> H5File::readDoubleVectorAttribute(const std::string& object,
                                                      const std::string& name) const {
  requireOpen();
  detail::SilenceErrors silence;
  const std::string p = normalize(object);
  const Where w{path_.native(), p};
  const Attribute a = openAttribute(id_, p, name, w);
  if (!isNumeric(a.type_class)) {
    detail::throwIoError(w, fmt::format("attribute '{}' holds {} data; expected numbers", name,
                                        className(a.type_class)));
  }
  if (a.dims.size() > 1) {
    detail::throwIoError(
        w, fmt::format("attribute '{}' has shape {}; expected 1-D", name, shapeText(a.dims)));
  }
  std::vector<double> values(a.size);
  if (!values.empty()) h5a::read(a.id.get(), H5T_NATIVE_DOUBLE, values.data(), w);
  return values;
}

// ---- fixed-size datasets written per row --------------------------------------------------------

namespace {

std::vector<hsize_t> toHsize(const std::vector<std::size_t>& dims) {
  return {dims.begin(), dims.end()};
}

/// Creation properties with a fill value; chunked + compressed above kContiguousMaxBytes.
Handle makeFilledDcpl(const std::vector<hsize_t>& dims, std::size_t element_bytes, hid_t mem_type,
                      const void* fill, const Where& w) {
  Handle dcpl = makeDcpl(dims, element_bytes, w);
  if (!dcpl.valid()) dcpl = h5p::create(H5P_DATASET_CREATE, w);
  detail::check(H5Pset_fill_value(dcpl.get(), mem_type, fill), w, "set fill value",
                "H5Pset_fill_value");
  detail::check(H5Pset_fill_time(dcpl.get(), H5D_FILL_TIME_IFSET), w, "set fill time",
                "H5Pset_fill_time");
  return dcpl;
}

/// Selects [index, 0...] with extent (1, dims[1...]) in the dataset's space; returns the memory
/// space of the row. Throws if index is out of range or `elements` does not match.
Handle selectRow(const Dataset& d, std::size_t index, std::size_t elements, const Where& w) {
  if (d.dims.empty()) detail::throwIoError(w, "is a scalar; cannot write a row");
  if (index >= d.dims[0]) {
    detail::throwIoError(w, fmt::format("row {} is out of range for shape {}", index,
                                        shapeText(d.dims)));
  }
  std::vector<hsize_t> start(d.dims.size(), 0);
  std::vector<hsize_t> count = d.dims;
  start[0] = index;
  count[0] = 1;
  std::size_t n = 1;
  for (std::size_t k = 1; k < d.dims.size(); ++k) n *= static_cast<std::size_t>(d.dims[k]);
  if (n != elements) {
    detail::throwIoError(w, fmt::format("a row of shape {} has {} elements, got {}",
                                        shapeText(d.dims), n, elements));
  }
  detail::check(H5Sselect_hyperslab(d.space.get(), H5S_SELECT_SET, start.data(), nullptr,
                                    count.data(), nullptr),
                w, "select row", "H5Sselect_hyperslab");
  return h5s::createSimple({static_cast<hsize_t>(std::max<std::size_t>(n, 1))}, w);
}

}  // namespace

void H5File::createFilledReals(const std::string& path, const std::vector<std::size_t>& dims,
                               double fill, std::string_view units) {
  requireWritable();
  detail::SilenceErrors silence;
  const std::string p = normalize(path);
  const Where w{path_.native(), p};
  requireUnits(units, w);
  if (dims.empty()) detail::throwIoError(w, "a filled dataset needs rank >= 1");
  const std::vector<hsize_t> hdims = toHsize(dims);
  Handle space = h5s::createSimple(hdims, w);
  Handle dcpl = makeFilledDcpl(hdims, sizeof(double), H5T_NATIVE_DOUBLE, &fill, w);
  Handle dset = createDataset(id_, p, H5T_IEEE_F64LE, space.get(), dcpl, w);
  writeStringAttribute(id_, p, "units", units, w);
  dset.close(w);
}

void H5File::createFilledInts(const std::string& path, const std::vector<std::size_t>& dims,
                              std::int64_t fill, std::string_view units) {
  requireWritable();
  detail::SilenceErrors silence;
  const std::string p = normalize(path);
  const Where w{path_.native(), p};
  if (dims.empty()) detail::throwIoError(w, "a filled dataset needs rank >= 1");
  const std::vector<hsize_t> hdims = toHsize(dims);
  Handle space = h5s::createSimple(hdims, w);
  Handle dcpl = makeFilledDcpl(hdims, sizeof(std::int64_t), H5T_NATIVE_INT64, &fill, w);
  Handle dset = createDataset(id_, p, H5T_STD_I64LE, space.get(), dcpl, w);
  if (!units.empty()) writeStringAttribute(id_, p, "units", units, w);
  dset.close(w);
}

void H5File::createFilledStrings(const std::string& path, std::size_t n, std::string_view fill) {
  writeStrings(path, std::vector<std::string>(n, std::string(fill)));
}

void H5File::writeRealsRow(const std::string& path, std::size_t index,
                           const std::vector<double>& row) {
  requireWritable();
  detail::SilenceErrors silence;
  const std::string p = normalize(path);
  const Where w{path_.native(), p};
  const Dataset d = openDataset(id_, p, w);
  if (d.type_class != H5T_FLOAT) detail::throwIoError(w, "is not a float dataset");
  Handle mem = selectRow(d, index, row.size(), w);
  if (row.empty()) return;
  detail::check(H5Dwrite(d.id.get(), H5T_NATIVE_DOUBLE, mem.get(), d.space.get(), H5P_DEFAULT,
                         row.data()),
                w, "write row", "H5Dwrite");
}

void H5File::writeIntAt(const std::string& path, std::size_t index, std::int64_t value) {
  requireWritable();
  detail::SilenceErrors silence;
  const std::string p = normalize(path);
  const Where w{path_.native(), p};
  const Dataset d = openDataset(id_, p, w);
  if (d.type_class != H5T_INTEGER) detail::throwIoError(w, "is not an integer dataset");
  requireRankAtMost1(d, w);
  Handle mem = selectRow(d, index, 1, w);
  detail::check(H5Dwrite(d.id.get(), H5T_NATIVE_INT64, mem.get(), d.space.get(), H5P_DEFAULT,
                         &value),
                w, "write element", "H5Dwrite");
}

void H5File::writeStringAt(const std::string& path, std::size_t index, std::string_view value) {
  requireWritable();
  detail::SilenceErrors silence;
  const std::string p = normalize(path);
  const Where w{path_.native(), p};
  requireNoNul(value, w);
  const Dataset d = openDataset(id_, p, w);
  if (d.type_class != H5T_STRING || !h5t::isVariableString(d.type.get(), w)) {
    detail::throwIoError(w, "is not a variable-length string dataset");
  }
  requireRankAtMost1(d, w);
  Handle mem = selectRow(d, index, 1, w);
  const std::string copy(value);
  const char* ptr = copy.c_str();
  Handle type = h5t::variableUtf8String(w);
  detail::check(H5Dwrite(d.id.get(), type.get(), mem.get(), d.space.get(), H5P_DEFAULT, &ptr), w,
                "write element", "H5Dwrite");
}

std::vector<std::size_t> H5File::shape(const std::string& path) const {
  requireOpen();
  detail::SilenceErrors silence;
  const std::string p = normalize(path);
  const Where w{path_.native(), p};
  const Dataset d = openDataset(id_, p, w);
  return {d.dims.begin(), d.dims.end()};
}

std::vector<double> H5File::readReals(const std::string& path,
                                      std::vector<std::size_t>* dims) const {
  requireOpen();
  detail::SilenceErrors silence;
  const std::string p = normalize(path);
  const Where w{path_.native(), p};
  const Dataset d = openDataset(id_, p, w);
  requireNumeric(d, w);
  if (dims != nullptr) dims->assign(d.dims.begin(), d.dims.end());
  std::vector<double> values(d.size());
  if (!values.empty()) h5d::read(d.id.get(), H5T_NATIVE_DOUBLE, values.data(), w);
  return values;
}

std::vector<std::string> H5File::listGroup(const std::string& path) const {
  requireOpen();
  detail::SilenceErrors silence;
  const std::string p = normalize(path);
  const Where w{path_.native(), p};
  std::vector<std::string> names;
  if (!objectExists(id_, p, w)) return names;
  H5G_info_t info{};
  detail::check(H5Gget_info_by_name(id_, p.c_str(), &info, H5P_DEFAULT), w, "get group info",
                "H5Gget_info_by_name");
  for (hsize_t k = 0; k < info.nlinks; ++k) {
    const ssize_t size = detail::check(
        H5Lget_name_by_idx(id_, p.c_str(), H5_INDEX_NAME, H5_ITER_INC, k, nullptr, 0, H5P_DEFAULT),
        w, "get link name", "H5Lget_name_by_idx");
    std::string name(static_cast<std::size_t>(size) + 1, '\0');
    detail::check(H5Lget_name_by_idx(id_, p.c_str(), H5_INDEX_NAME, H5_ITER_INC, k, name.data(),
                                     name.size(), H5P_DEFAULT),
                  w, "get link name", "H5Lget_name_by_idx");
    name.resize(static_cast<std::size_t>(size));
    names.push_back(std::move(name));
  }
  return names;
}

void H5File::setIntsAttribute(const std::string& object, const std::string& name,
                              const std::vector<std::int64_t>& values) {
  requireWritable();
  detail::SilenceErrors silence;
  const std::string p = normalize(object);
  const Where w{path_.native(), p};
  if (!exists(p)) createGroup(p);
  Handle space = h5s::createSimple({static_cast<hsize_t>(values.size())}, w);
  writeAttribute(id_, p, name, H5T_STD_I64LE, H5T_NATIVE_INT64, space.get(), values.data(), w);
}

void H5File::removeAttribute(const std::string& object, const std::string& name) {
  requireWritable();
  detail::SilenceErrors silence;
  const std::string p = normalize(object);
  const Where w{path_.native(), p};
  if (objectExists(id_, p, w) && h5a::exists(id_, p, name, w)) h5a::remove(id_, p, name, w);
}

// ---- dimension scales ---------------------------------------------------------------------------

void H5File::makeDimensionScale(const std::string& path, std::string_view name) {
  requireWritable();
  detail::SilenceErrors silence;
  const std::string p = normalize(path);
  const Where w{path_.native(), p};
  const Dataset d = openDataset(id_, p, w);
  if (d.dims.size() != 1) {
    detail::throwIoError(
        w, fmt::format("has shape {}; a dimension scale must be 1-D", shapeText(d.dims)));
  }
  const std::string label(name);
  h5ds::setScale(d.id.get(), label.empty() ? nullptr : label.c_str(), w);
}

void H5File::attachDimensionScale(const std::string& dataset, const std::string& scale,
                                  unsigned dim_index) {
  requireWritable();
  detail::SilenceErrors silence;
  const std::string p = normalize(dataset);
  const std::string s = normalize(scale);
  const Where w{path_.native(), p};
  const Where ws{path_.native(), s};
  const Dataset d = openDataset(id_, p, w);
  const Dataset sc = openDataset(id_, s, ws);
  if (dim_index >= d.dims.size()) {
    detail::throwIoError(w, fmt::format("has shape {}; no dimension {} to attach '{}' to",
                                        shapeText(d.dims), dim_index, s));
  }
  if (sc.dims.size() != 1) {
    detail::throwIoError(
        ws, fmt::format("has shape {}; a dimension scale must be 1-D", shapeText(sc.dims)));
  }
  if (sc.dims[0] != d.dims[dim_index]) {
    detail::throwIoError(w, fmt::format("dimension {} has length {} but scale '{}' has {} values",
                                        dim_index, d.dims[dim_index], s, sc.dims[0]));
  }
  h5ds::attachScale(d.id.get(), sc.id.get(), dim_index, w);
}

void H5File::setDimensionLabel(const std::string& dataset, unsigned dim_index,
                               std::string_view label) {
  requireWritable();
  detail::SilenceErrors silence;
  const std::string p = normalize(dataset);
  const Where w{path_.native(), p};
  const Dataset d = openDataset(id_, p, w);
  if (dim_index >= d.dims.size()) {
    detail::throwIoError(
        w, fmt::format("has shape {}; no dimension {} to label", shapeText(d.dims), dim_index));
  }
  const std::string text(label);
  h5ds::setLabel(d.id.get(), dim_index, text.c_str(), w);
}

}  // namespace xbarsim::io
