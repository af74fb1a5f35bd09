// SPDX-License-Identifier: MIT
#include "xbarsim/io/hdf5_file.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <type_traits>
#include <utility>

#include "detail/h5_error.hpp"
#include "detail/h5_handle.hpp"
#include "detail/h5_types.hpp"
#include "detail/h5_wrappers.hpp"
#include "xbarsim/core/error.hpp"
#include "xbarsim/core/input_file.hpp"

namespace xbarsim::io {

static_assert(std::is_same_v<hid_t, std::int64_t>,
              "H5File stores hid_t as std::int64_t (true for HDF5 >= 1.10)");

namespace {

using detail::DataCalls;
using detail::Handle;
using detail::TypeInfo;
using detail::typeInfo;
using detail::Where;
namespace h5a = detail::h5a;
namespace h5d = detail::h5d;
namespace h5data = detail::h5data;
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

/// What every method does after checking the file's state: silence HDF5's printing of errors,
/// normalize the object path and name file and object for error messages.
class Call {
 public:
  Call(const std::filesystem::path& file, const std::string& object)
      : p(normalize(object)), w{file.native(), p} {}
  Call(const Call&) = delete;
  Call& operator=(const Call&) = delete;

  detail::SilenceErrors silence;
  const std::string p;  ///< normalized object path
  const Where w;        ///< refers to p
};

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

std::vector<hsize_t> toHsize(const std::vector<std::size_t>& dims) {
  return {dims.begin(), dims.end()};
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

/// True if the existing object `path` is a group.
bool isGroup(hid_t file, const std::string& path, const Where& w) {
  Handle obj = h5o::open(file, path, w);
  return h5o::type(obj.get(), w) == H5I_GROUP;
}

/// Link creation: create missing parent groups; UTF-8 names.
Handle makeLcpl(const Where& w) {
  Handle lcpl = h5p::create(H5P_LINK_CREATE, w);
  h5p::setCreateIntermediateGroup(lcpl.get(), w);
  h5p::setCharEncoding(lcpl.get(), H5T_CSET_UTF8, w);
  return lcpl;
}

/// Product of `dims` (1 for a scalar), saturating at the largest hsize_t / 2^16 (no element
/// type is larger than that, so a byte count computed from it does not wrap either).
hsize_t elementCount(const std::vector<hsize_t>& dims) {
  constexpr hsize_t kMax = std::numeric_limits<hsize_t>::max() >> 16;
  if (std::find(dims.begin(), dims.end(), hsize_t{0}) != dims.end()) return 0;
  hsize_t n = 1;
  for (hsize_t d : dims) {
    if (n > kMax / d) return kMax;
    n *= d;
  }
  return n;
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
  if (elementCount(dims) * element_bytes <= kContiguousMaxBytes) return {};
  Handle dcpl = h5p::create(H5P_DATASET_CREATE, w);
  h5p::setChunk(dcpl.get(), chunkShape(dims, element_bytes), w);
  h5p::setShuffle(dcpl.get(), w);
  h5p::setDeflate(dcpl.get(), kDeflateLevel, w);
  return dcpl;
}

hid_t orDefault(const Handle& h) { return h.valid() ? h.get() : H5P_DEFAULT; }

/// A scalar dataspace for empty `dims`, else a simple one.
Handle makeSpace(const std::vector<hsize_t>& dims, const Where& w) {
  return dims.empty() ? h5s::createScalar(w) : h5s::createSimple(dims, w);
}

/// Throws a clear IoError if an existing ancestor of `path` is not a group (HDF5's own error
/// for that is a ten-frame stack ending in "message type not found").
void requireGroupAncestors(hid_t file, const std::string& path, const Where& w) {
  for (std::size_t slash = path.find('/', 1); slash != std::string::npos;
       slash = path.find('/', slash + 1)) {
    const std::string prefix = path.substr(0, slash);
    if (!objectExists(file, prefix, w)) return;  // created as groups on demand
    if (!isGroup(file, prefix, w)) {
      detail::throwIoError(w, fmt::format("cannot create: '{}' is not a group", prefix));
    }
  }
}

/// Creates group `c.p` and missing parents.
void createGroupAt(hid_t file, const Call& c) {
  requireGroupAncestors(file, c.p, c.w);
  Handle lcpl = makeLcpl(c.w);
  Handle group = h5g::create(file, c.p, lcpl.get(), c.w);
  group.close(c.w);
}

/// The object an attribute goes on: created as a group if missing.
void ensureObject(hid_t file, const Call& c) {
  if (!objectExists(file, c.p, c.w)) createGroupAt(file, c);
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

/// (Re)creates attribute `name` of `object` with shape `dims` (empty: scalar) and writes `buf`.
void writeAttribute(hid_t file, const std::string& object, const std::string& name, hid_t file_type,
                    hid_t mem_type, const std::vector<hsize_t>& dims, const void* buf,
                    const Where& w) {
  if (h5a::exists(file, object, name, w)) h5a::remove(file, object, name, w);
  Handle space = makeSpace(dims, w);
  Handle attr = h5a::create(file, object, name, file_type, space.get(), w);
  h5data::write(detail::kAttributeCalls, attr.get(), mem_type, buf, w);
  attr.close(w);
}

void writeStringAttribute(hid_t file, const std::string& object, const std::string& name,
                          std::string_view value, const Where& w) {
  requireNoNul(value, w);
  const std::string copy(value);
  const char* ptr = copy.c_str();
  Handle type = h5t::variableUtf8String(w);
  writeAttribute(file, object, name, type.get(), type.get(), {}, &ptr, w);
}

/// Creates dataset `c.p` (never replacing one; parents as needed) with shape `dims` (empty:
/// scalar) and creation properties `dcpl`, writes `buf` unless null or the shape is empty, then
/// the `units` attribute unless empty, and closes it reporting errors.
void writeDataset(hid_t file, const Call& c, hid_t file_type, hid_t mem_type,
                  const std::vector<hsize_t>& dims, const Handle& dcpl, const void* buf,
                  std::string_view units) {
  if (objectExists(file, c.p, c.w)) detail::throwIoError(c.w, "already exists (not overwritten)");
  requireGroupAncestors(file, c.p, c.w);
  Handle space = makeSpace(dims, c.w);
  Handle lcpl = makeLcpl(c.w);
  Handle dset = h5d::create(file, c.p, file_type, space.get(), lcpl.get(), orDefault(dcpl), c.w);
  if (buf != nullptr && elementCount(dims) > 0) {
    h5data::write(detail::kDatasetCalls, dset.get(), mem_type, buf, c.w);
  }
  if (!units.empty()) writeStringAttribute(file, c.p, "units", units, c.w);
  dset.close(c.w);
}

/// Writes `n` values of type T with shape `dims` as dataset `c.p` (chunked when large).
template <typename T>
void writeValues(hid_t file, const Call& c, const std::vector<hsize_t>& dims, const T* data,
                 std::size_t n, std::string_view units) {
  const hsize_t expected = elementCount(dims);
  if (expected != n) {
    detail::throwIoError(
        c.w, fmt::format("shape {} has {} elements but {} values were given", shapeText(dims),
                         expected, n));
  }
  const TypeInfo t = typeInfo<T>();
  Handle dcpl = makeDcpl(dims, sizeof(T), c.w);
  writeDataset(file, c, t.file, t.memory, dims, dcpl, data, units);
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

bool isNumeric(H5T_class_t c) { return c == H5T_INTEGER || c == H5T_FLOAT; }

/// An open dataset or attribute with its dataspace, datatype and shape.
struct Data {
  const DataCalls* calls = nullptr;
  std::string label;  ///< "" for a dataset, "attribute 'name' " for an attribute (messages)
  Handle id;
  Handle space;
  Handle type;
  std::vector<hsize_t> dims;
  H5T_class_t type_class = H5T_NO_CLASS;

  void read(hid_t mem_type, void* buf, const Where& w) const {
    h5data::read(*calls, id.get(), mem_type, buf, w);
  }

  /// Number of elements, after checking the declared shape: every dimension and the product of
  /// the non-zero ones at most `max_elements` (the shape costs a writer nothing, so it is
  /// bounded before anything is allocated).
  [[nodiscard]] std::size_t size(const Where& w, std::size_t max_elements = kNoElementLimit) const {
    std::size_t extent = 1;
    bool has_zero = false;
    for (hsize_t d : dims) {
      const auto factor = static_cast<std::size_t>(std::max<hsize_t>(d, 1));
      if (d > max_elements || extent > max_elements / factor) {
        detail::throwIoError(
            w, fmt::format("{}has shape {}: too large (at most {} elements are read)", label,
                           shapeText(dims), max_elements));
      }
      extent *= factor;
      has_zero = has_zero || d == 0;
    }
    return has_zero ? 0 : extent;
  }
};

/// Fills in dataspace, shape and datatype of the open dataset or attribute `d.id`.
void describe(Data& d, const Where& w) {
  d.space = h5data::getSpace(*d.calls, d.id.get(), w);
  if (h5s::type(d.space.get(), w) == H5S_NULL) {
    detail::throwIoError(w, fmt::format("{}has an empty dataspace", d.label));
  }
  d.dims = h5s::dims(d.space.get(), w);
  d.type = h5data::getType(*d.calls, d.id.get(), w);
  d.type_class = h5t::getClass(d.type.get(), w);
}

/// Refuses a dataset stored with a filter this HDF5 library cannot apply (a compression plugin
/// that is not installed), naming it, instead of failing deep inside the read.
void requireAvailableFilters(hid_t dataset, const Where& w) {
  const detail::SilenceErrors quiet;
  const Handle dcpl(H5Dget_create_plist(dataset), H5Pclose);
  if (dcpl.get() < 0) return;  // the read reports what is wrong
  const int filters = H5Pget_nfilters(dcpl.get());
  for (int k = 0; k < filters; ++k) {
    unsigned flags = 0;
    unsigned config = 0;
    std::size_t n_values = 0;
    char name[128] = {};
    const H5Z_filter_t id =
        H5Pget_filter2(dcpl.get(), static_cast<unsigned>(k), &flags, &n_values, nullptr,
                       sizeof name, name, &config);
    if (id < 0 || H5Zfilter_avail(id) > 0) continue;
    H5Eclear2(H5E_DEFAULT);
    detail::throwIoError(
        w, fmt::format("is stored with HDF5 filter {}{}, which is not available here (its plugin "
                       "is not installed or not on HDF5_PLUGIN_PATH)",
                       id, name[0] != '\0' ? fmt::format(" ('{}')", name) : std::string()));
  }
}

Data openDataset(hid_t file, const std::string& path, const Where& w) {
  if (!objectExists(file, path, w)) detail::throwIoError(w, "no such dataset");
  Data d;
  d.calls = &detail::kDatasetCalls;
  d.id = h5o::open(file, path, w);
  if (h5o::type(d.id.get(), w) != H5I_DATASET) {
    detail::throwIoError(w, "is not a dataset (it is a group or a named datatype)");
  }
  describe(d, w);
  requireAvailableFilters(d.id.get(), w);
  return d;
}

Data openAttribute(hid_t file, const std::string& object, const std::string& name,
                   const Where& w) {
  if (!objectExists(file, object, w)) detail::throwIoError(w, "no such object");
  if (!h5a::exists(file, object, name, w)) {
    detail::throwIoError(w, fmt::format("has no attribute '{}'", name));
  }
  Data a;
  a.calls = &detail::kAttributeCalls;
  a.label = fmt::format("attribute '{}' ", name);
  a.id = h5a::open(file, object, name, w);
  describe(a, w);
  return a;
}

/// Checks that `d` can be read as T: integer data for integer T, any numbers for float T.
template <typename T>
void requireType(const Data& d, const Where& w) {
  const bool integer = typeInfo<T>().integer;
  if (integer ? d.type_class != H5T_INTEGER : !isNumeric(d.type_class)) {
    detail::throwIoError(w, fmt::format("{}holds {} data; expected {}", d.label,
                                        className(d.type_class),
                                        integer ? "integers" : "integers or floats"));
  }
}

void requireRankAtMost1(const Data& d, const Where& w) {
  if (d.dims.size() > 1) {
    detail::throwIoError(
        w, fmt::format("{}has shape {}; expected a 1-D {}", d.label, shapeText(d.dims),
                       d.label.empty() ? "dataset" : "attribute"));
  }
}

/// Reads all of `d` as T (type already checked), bounded by `max_elements`.
template <typename T>
std::vector<T> readValues(const Data& d, const Where& w,
                          std::size_t max_elements = kNoElementLimit) {
  std::vector<T> values(d.size(w, max_elements));
  if (!values.empty()) d.read(typeInfo<T>().memory, values.data(), w);
  return values;
}

/// The single value of a numeric dataset or attribute holding exactly one element.
template <typename T>
T readOne(const Data& d, const Where& w) {
  requireType<T>(d, w);
  if (d.size(w) != 1) {
    detail::throwIoError(w, fmt::format("{}has shape {} ({} elements); expected a single value",
                                        d.label, shapeText(d.dims), d.size(w)));
  }
  T value{};
  d.read(typeInfo<T>().memory, &value, w);
  return value;
}

/// Reads the strings of a dataset or attribute (variable- or fixed-length, any padding).
std::vector<std::string> readStringData(const Data& d, const Where& w) {
  if (d.type_class != H5T_STRING) {
    detail::throwIoError(w, fmt::format("{}holds {} data; expected strings", d.label,
                                        className(d.type_class)));
  }
  const std::size_t n = d.size(w);
  std::vector<std::string> out;
  out.reserve(n);
  if (n == 0) return out;
  Handle mem_type = h5t::copy(d.type.get(), w);  // same size, padding and character set
  if (h5t::isVariableString(d.type.get(), w)) {
    VlenBuffer buf(mem_type.get(), d.space.get(), n);
    d.read(mem_type.get(), buf.data(), w);
    buf.markFilled();
    for (const char* p : buf.ptrs()) out.emplace_back(p != nullptr ? p : "");
    return out;
  }
  const std::size_t size = h5t::getSize(d.type.get(), w);
  const H5T_str_t pad = h5t::getStrpad(d.type.get(), w);
  std::vector<char> raw(size * n);
  d.read(mem_type.get(), raw.data(), w);
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

void closeQuietly(hid_t file) noexcept {
  if (file < 0) return;
  detail::SilenceErrors silence;
  if (H5Fclose(file) < 0) H5Eclear2(H5E_DEFAULT);  // a destructor cannot report; see close()
}

/// No library shutdown at exit: every file is closed by its H5File, and after a failed close (a
/// full disk) HDF5 1.10's exit-time cleanup crashes (SIGSEGV in H5F__close_cb) on the file it
/// could not close. Set at static initialisation, before anything initialises the library
/// (even the H5F_ACC_* macros do).
[[maybe_unused]] const bool g_no_exit_cleanup = H5dont_atexit() >= 0;

/// Creates (H5F_ACC_TRUNC) or opens a file.
hid_t openFile(const std::filesystem::path& path, unsigned flags) {
  detail::SilenceErrors silence;
  const Where w{path.native(), {}};
  const bool create = flags == H5F_ACC_TRUNC;
  std::error_code ec;
  if (!create && !std::filesystem::exists(path, ec)) {
    detail::throwIoError(w, "cannot open file: no such file");
  }
  // A FIFO would block the open, a device could be read without end.
  if (!create) (void)core::checkInputFile(path, core::kNoSizeLimit, "HDF5 file");
  Handle fapl = h5p::create(H5P_FILE_ACCESS, w);
  // Lock as HDF5 does by default, but keep working on file systems without flock (Lustre, some
  // NFS); HDF5_USE_FILE_LOCKING=FALSE in the environment still overrides this.
  h5p::setFileLocking(fapl.get(), true, true, w);
  return create ? h5f::create(path.native(), fapl.get(), w)
                : h5f::open(path.native(), flags, fapl.get(), w);
}

}  // namespace

// ---- lifetime -----------------------------------------------------------------------------------

H5File::H5File(std::int64_t id, std::filesystem::path path, bool writable) noexcept
    : id_(id), path_(std::move(path)), writable_(writable) {}

H5File H5File::create(const std::filesystem::path& path) {
  return H5File(openFile(path, H5F_ACC_TRUNC), path, true);
}

H5File H5File::openReadOnly(const std::filesystem::path& path) {
  return H5File(openFile(path, H5F_ACC_RDONLY), path, false);
}

H5File H5File::openReadWrite(const std::filesystem::path& path) {
  return H5File(openFile(path, H5F_ACC_RDWR), path, true);
}

H5File::H5File(H5File&& other) noexcept
    : id_(std::exchange(other.id_, -1)),
      path_(std::move(other.path_)),
      writable_(std::exchange(other.writable_, false)) {}

H5File& H5File::operator=(H5File&& other) noexcept {
  if (this != &other) {
    closeQuietly(id_);
    id_ = std::exchange(other.id_, -1);
    path_ = std::move(other.path_);
    writable_ = std::exchange(other.writable_, false);
  }
  return *this;
}

H5File::~H5File() { closeQuietly(id_); }

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
  const Call c(path_, path);
  return objectExists(id_, c.p, c.w);
}

void H5File::createGroup(const std::string& path) {
  requireWritable();
  const Call c(path_, path);
  if (!objectExists(id_, c.p, c.w)) {
    createGroupAt(id_, c);
  } else if (!isGroup(id_, c.p, c.w)) {
    detail::throwIoError(c.w, "exists and is not a group");
  }
}

std::vector<std::string> H5File::listGroup(const std::string& path) const {
  requireOpen();
  const Call c(path_, path);
  std::vector<std::string> names;
  if (!objectExists(id_, c.p, c.w)) return names;
  if (!isGroup(id_, c.p, c.w)) detail::throwIoError(c.w, "is not a group");
  const hsize_t n = h5g::numLinks(id_, c.p, c.w);
  for (hsize_t k = 0; k < n; ++k) names.push_back(h5l::nameByIndex(id_, c.p, k, c.w));
  return names;
}

// ---- typed datasets -----------------------------------------------------------------------------

template <H5Number T>
void H5File::writeArray(const std::string& path, const std::vector<std::size_t>& dims,
                        std::span<const T> data, std::string_view units) {
  requireWritable();
  const Call c(path_, path);
  writeValues(id_, c, toHsize(dims), data.data(), data.size(), units);
}

template <H5Number T>
std::vector<T> H5File::readArray(const std::string& path, std::vector<std::size_t>* dims,
                                 std::size_t max_elements) const {
  requireOpen();
  const Call c(path_, path);
  const Data d = openDataset(id_, c.p, c.w);
  requireType<T>(d, c.w);
  std::vector<T> values = readValues<T>(d, c.w, max_elements);
  if (dims != nullptr) dims->assign(d.dims.begin(), d.dims.end());
  return values;
}

// ---- datasets of the common shapes --------------------------------------------------------------

void H5File::writeMatrix(const std::string& path, const Eigen::Ref<const Eigen::MatrixXd>& m,
                         std::string_view units) {
  requireWritable();
  const Call c(path_, path);
  requireUnits(units, c.w);
  const RowMajorMatrix row_major = m;  // HDF5 (C order) shape (rows, cols)
  writeValues(id_, c, {static_cast<hsize_t>(m.rows()), static_cast<hsize_t>(m.cols())},
              row_major.data(), static_cast<std::size_t>(row_major.size()), units);
}

void H5File::writeVector(const std::string& path, const Eigen::Ref<const Eigen::VectorXd>& v,
                         std::string_view units) {
  requireWritable();
  const Call c(path_, path);
  requireUnits(units, c.w);
  const Eigen::VectorXd contiguous = v;  // a Ref may have an inner stride
  writeValues(id_, c, {static_cast<hsize_t>(v.size())}, contiguous.data(),
              static_cast<std::size_t>(contiguous.size()), units);
}

void H5File::writeScalar(const std::string& path, double value, std::string_view units) {
  requireWritable();
  const Call c(path_, path);
  requireUnits(units, c.w);
  writeValues(id_, c, {}, &value, 1, units);
}

void H5File::writeInts(const std::string& path, const std::vector<std::int64_t>& values,
                       std::string_view units) {
  requireWritable();
  const Call c(path_, path);
  writeValues(id_, c, {static_cast<hsize_t>(values.size())}, values.data(), values.size(), units);
}

void H5File::writeStrings(const std::string& path, const std::vector<std::string>& values) {
  requireWritable();
  const Call c(path_, path);
  std::vector<const char*> ptrs;
  ptrs.reserve(values.size());
  for (const std::string& s : values) {
    requireNoNul(s, c.w);
    ptrs.push_back(s.c_str());
  }
  Handle type = h5t::variableUtf8String(c.w);
  writeDataset(id_, c, type.get(), type.get(), {static_cast<hsize_t>(values.size())}, Handle{},
               ptrs.data(), {});
}

Eigen::MatrixXd H5File::readMatrix(const std::string& path) const {
  requireOpen();
  const Call c(path_, path);
  const Data d = openDataset(id_, c.p, c.w);
  requireType<double>(d, c.w);
  if (d.dims.empty() || d.dims.size() > 2) {
    detail::throwIoError(
        c.w, fmt::format("has shape {}; expected a 1-D or 2-D dataset", shapeText(d.dims)));
  }
  (void)d.size(c.w);  // rows * cols fits in size_t
  const auto rows = static_cast<Eigen::Index>(d.dims[0]);
  const auto cols = d.dims.size() == 2 ? static_cast<Eigen::Index>(d.dims[1]) : Eigen::Index{1};
  RowMajorMatrix m(rows, cols);
  if (m.size() > 0) d.read(H5T_NATIVE_DOUBLE, m.data(), c.w);
  return m;
}

Eigen::VectorXd H5File::readVector(const std::string& path) const {
  requireOpen();
  const Call c(path_, path);
  const Data d = openDataset(id_, c.p, c.w);
  requireType<double>(d, c.w);
  if (d.dims.size() != 1) {
    detail::throwIoError(c.w,
                         fmt::format("has shape {}; expected a 1-D dataset", shapeText(d.dims)));
  }
  const std::vector<double> values = readValues<double>(d, c.w);
  return Eigen::Map<const Eigen::VectorXd>(values.data(), static_cast<Eigen::Index>(values.size()));
}

double H5File::readScalar(const std::string& path) const {
  requireOpen();
  const Call c(path_, path);
  return readOne<double>(openDataset(id_, c.p, c.w), c.w);
}

std::vector<std::int64_t> H5File::readInts(const std::string& path) const {
  requireOpen();
  const Call c(path_, path);
  const Data d = openDataset(id_, c.p, c.w);
  requireType<std::int64_t>(d, c.w);
  requireRankAtMost1(d, c.w);
  return readValues<std::int64_t>(d, c.w);
}

std::vector<std::string> H5File::readStrings(const std::string& path) const {
  requireOpen();
  const Call c(path_, path);
  const Data d = openDataset(id_, c.p, c.w);
  if (d.type_class == H5T_STRING) requireRankAtMost1(d, c.w);
  return readStringData(d, c.w);
}

std::vector<std::size_t> H5File::shape(const std::string& path) const {
  requireOpen();
  const Call c(path_, path);
  const Data d = openDataset(id_, c.p, c.w);
  return {d.dims.begin(), d.dims.end()};
}

std::vector<double> H5File::readReals(const std::string& path,
                                      std::vector<std::size_t>* dims) const {
  return readArray<double>(path, dims);
}

// ---- fixed-size datasets written per row --------------------------------------------------------

namespace {

/// Creates dataset `c.p` of shape `dims` (rank >= 1) filled with `fill` (of type T).
template <typename T>
void createFilled(hid_t file, const Call& c, const std::vector<std::size_t>& dims, const T& fill,
                  std::string_view units) {
  if (dims.empty()) detail::throwIoError(c.w, "a filled dataset needs rank >= 1");
  const std::vector<hsize_t> hdims = toHsize(dims);
  const TypeInfo t = typeInfo<T>();
  Handle dcpl = makeDcpl(hdims, sizeof(T), c.w);
  if (!dcpl.valid()) dcpl = h5p::create(H5P_DATASET_CREATE, c.w);
  h5p::setFillValue(dcpl.get(), t.memory, &fill, c.w);
  writeDataset(file, c, t.file, t.memory, hdims, dcpl, nullptr, units);
}

/// Writes rows `indices[k]` of dataset `d` ([index, ...] over all trailing dimensions) from
/// `buf`, which holds `elements` values of memory type `mem_type` (`element_bytes` each): the
/// rows in the order of `indices`. If an index repeats, its last row wins. One H5Dwrite over
/// the union of the rows, so a chunk of a chunked dataset is read, filtered and written once
/// per call, not once per row. Throws if out of range or of the wrong size.
void writeRows(const Data& d, const std::vector<std::size_t>& indices, hid_t mem_type,
               const void* buf, std::size_t elements, std::size_t element_bytes, const Where& w) {
  if (d.dims.empty()) detail::throwIoError(w, "is a scalar; cannot write a row");
  std::size_t n = 1;
  for (std::size_t k = 1; k < d.dims.size(); ++k) n *= static_cast<std::size_t>(d.dims[k]);
  if (n * indices.size() != elements) {
    detail::throwIoError(
        w, fmt::format("{} row{} of shape {} hold{} {} elements, got {}", indices.size(),
                       indices.size() == 1 ? "" : "s", shapeText(d.dims),
                       indices.size() == 1 ? "s" : "", n * indices.size(), elements));
  }
  for (const std::size_t index : indices) {
    if (index >= d.dims[0]) {
      detail::throwIoError(
          w, fmt::format("row {} is out of range for shape {}", index, shapeText(d.dims)));
    }
  }
  if (n == 0 || indices.empty()) return;
  // HDF5 transfers a selection in increasing file order: sort the rows by index, the last of
  // equal indices kept.
  std::vector<std::size_t> order(indices.size());
  for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return indices[a] < indices[b]; });
  const std::size_t row_bytes = n * element_bytes;
  const auto* source = static_cast<const unsigned char*>(buf);
  std::vector<std::size_t> kept;  // the distinct indices, increasing
  std::vector<unsigned char> sorted;
  sorted.reserve(order.size() * row_bytes);
  for (std::size_t k = 0; k < order.size(); ++k) {
    if (k + 1 < order.size() && indices[order[k + 1]] == indices[order[k]]) continue;
    kept.push_back(indices[order[k]]);
    const unsigned char* row = source + order[k] * row_bytes;
    sorted.insert(sorted.end(), row, row + row_bytes);
  }
  // One block per run of consecutive indices.
  std::vector<hsize_t> start(d.dims.size(), 0);
  std::vector<hsize_t> count = d.dims;
  for (std::size_t first = 0; first < kept.size();) {
    std::size_t last = first + 1;
    while (last < kept.size() && kept[last] == kept[last - 1] + 1) ++last;
    start[0] = kept[first];
    count[0] = last - first;
    h5s::selectHyperslab(d.space.get(), start, count, w,
                         first == 0 ? H5S_SELECT_SET : H5S_SELECT_OR);
    first = last;
  }
  Handle mem = h5s::createSimple({static_cast<hsize_t>(kept.size() * n)}, w);
  h5d::writeSelection(d.id.get(), mem_type, mem.get(), d.space.get(), sorted.data(), w);
}

}  // namespace

void H5File::createFilledReals(const std::string& path, const std::vector<std::size_t>& dims,
                               double fill, std::string_view units) {
  requireWritable();
  const Call c(path_, path);
  requireUnits(units, c.w);
  createFilled(id_, c, dims, fill, units);
}

void H5File::createFilledInts(const std::string& path, const std::vector<std::size_t>& dims,
                              std::int64_t fill, std::string_view units) {
  requireWritable();
  const Call c(path_, path);
  createFilled(id_, c, dims, fill, units);
}

void H5File::createFilledStrings(const std::string& path, std::size_t n, std::string_view fill) {
  writeStrings(path, std::vector<std::string>(n, std::string(fill)));
}

void H5File::writeRealsRow(const std::string& path, std::size_t index,
                           const std::vector<double>& row) {
  writeRealsRows(path, {index}, row);
}

void H5File::writeRealsRows(const std::string& path, const std::vector<std::size_t>& indices,
                            const std::vector<double>& rows) {
  requireWritable();
  const Call c(path_, path);
  const Data d = openDataset(id_, c.p, c.w);
  if (d.type_class != H5T_FLOAT) detail::throwIoError(c.w, "is not a float dataset");
  writeRows(d, indices, H5T_NATIVE_DOUBLE, rows.data(), rows.size(), sizeof(double), c.w);
}

void H5File::writeIntAt(const std::string& path, std::size_t index, std::int64_t value) {
  writeIntsAt(path, {index}, {value});
}

void H5File::writeIntsAt(const std::string& path, const std::vector<std::size_t>& indices,
                         const std::vector<std::int64_t>& values) {
  requireWritable();
  const Call c(path_, path);
  const Data d = openDataset(id_, c.p, c.w);
  if (d.type_class != H5T_INTEGER) detail::throwIoError(c.w, "is not an integer dataset");
  requireRankAtMost1(d, c.w);
  writeRows(d, indices, H5T_NATIVE_INT64, values.data(), values.size(), sizeof(std::int64_t), c.w);
}

void H5File::writeStringAt(const std::string& path, std::size_t index, std::string_view value) {
  writeStringsAt(path, {index}, {std::string(value)});
}

void H5File::writeStringsAt(const std::string& path, const std::vector<std::size_t>& indices,
                            const std::vector<std::string>& values) {
  requireWritable();
  const Call c(path_, path);
  for (const std::string& value : values) requireNoNul(value, c.w);
  const Data d = openDataset(id_, c.p, c.w);
  if (d.type_class != H5T_STRING || !h5t::isVariableString(d.type.get(), c.w)) {
    detail::throwIoError(c.w, "is not a variable-length string dataset");
  }
  requireRankAtMost1(d, c.w);
  std::vector<const char*> ptrs;
  ptrs.reserve(values.size());
  for (const std::string& value : values) ptrs.push_back(value.c_str());
  Handle type = h5t::variableUtf8String(c.w);
  writeRows(d, indices, type.get(), ptrs.data(), ptrs.size(), sizeof(const char*), c.w);
}

// ---- attributes ---------------------------------------------------------------------------------

void H5File::setAttribute(const std::string& object, const std::string& name,
                          std::string_view value) {
  requireWritable();
  const Call c(path_, object);
  ensureObject(id_, c);
  writeStringAttribute(id_, c.p, name, value, c.w);
}

void H5File::setAttribute(const std::string& object, const std::string& name, double value) {
  requireWritable();
  const Call c(path_, object);
  ensureObject(id_, c);
  writeAttribute(id_, c.p, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, {}, &value, c.w);
}

void H5File::setAttribute(const std::string& object, const std::string& name, std::int64_t value) {
  requireWritable();
  const Call c(path_, object);
  ensureObject(id_, c);
  writeAttribute(id_, c.p, name, H5T_STD_I64LE, H5T_NATIVE_INT64, {}, &value, c.w);
}

template <H5Number T>
void H5File::setArrayAttribute(const std::string& object, const std::string& name,
                               std::span<const T> values) {
  requireWritable();
  const Call c(path_, object);
  ensureObject(id_, c);
  const TypeInfo t = typeInfo<T>();
  writeAttribute(id_, c.p, name, t.file, t.memory, {static_cast<hsize_t>(values.size())},
                 values.data(), c.w);
}

void H5File::removeAttribute(const std::string& object, const std::string& name) {
  requireWritable();
  const Call c(path_, object);
  if (objectExists(id_, c.p, c.w) && h5a::exists(id_, c.p, name, c.w)) {
    h5a::remove(id_, c.p, name, c.w);
  }
}

bool H5File::hasAttribute(const std::string& object, const std::string& name) const {
  requireOpen();
  const Call c(path_, object);
  return objectExists(id_, c.p, c.w) && h5a::exists(id_, c.p, name, c.w);
}

std::string H5File::readStringAttribute(const std::string& object, const std::string& name) const {
  requireOpen();
  const Call c(path_, object);
  const Data a = openAttribute(id_, c.p, name, c.w);
  if (a.type_class == H5T_STRING && a.size(c.w) != 1) {
    detail::throwIoError(
        c.w, fmt::format("attribute '{}' has {} strings; expected one", name, a.size(c.w)));
  }
  return std::move(readStringData(a, c.w).front());
}

double H5File::readDoubleAttribute(const std::string& object, const std::string& name) const {
  requireOpen();
  const Call c(path_, object);
  return readOne<double>(openAttribute(id_, c.p, name, c.w), c.w);
}

std::int64_t H5File::readIntAttribute(const std::string& object, const std::string& name) const {
  requireOpen();
  const Call c(path_, object);
  return readOne<std::int64_t>(openAttribute(id_, c.p, name, c.w), c.w);
}

template <H5Number T>
std::vector<T> H5File::readArrayAttribute(const std::string& object,
                                          const std::string& name) const {
  requireOpen();
  const Call c(path_, object);
  const Data a = openAttribute(id_, c.p, name, c.w);
  requireType<T>(a, c.w);
  requireRankAtMost1(a, c.w);
  return readValues<T>(a, c.w);
}

// ---- dimension scales ---------------------------------------------------------------------------

void H5File::makeDimensionScale(const std::string& path, std::string_view name) {
  requireWritable();
  const Call c(path_, path);
  const Data d = openDataset(id_, c.p, c.w);
  if (d.dims.size() != 1) {
    detail::throwIoError(
        c.w, fmt::format("has shape {}; a dimension scale must be 1-D", shapeText(d.dims)));
  }
  const std::string label(name);
  h5ds::setScale(d.id.get(), label.empty() ? nullptr : label.c_str(), c.w);
}

void H5File::attachDimensionScale(const std::string& dataset, const std::string& scale,
                                  unsigned dim_index) {
  requireWritable();
  const Call c(path_, dataset);
  const Call cs(path_, scale);
  const Data d = openDataset(id_, c.p, c.w);
  const Data sc = openDataset(id_, cs.p, cs.w);
  if (dim_index >= d.dims.size()) {
    detail::throwIoError(c.w, fmt::format("has shape {}; no dimension {} to attach '{}' to",
                                          shapeText(d.dims), dim_index, cs.p));
  }
  if (sc.dims.size() != 1) {
    detail::throwIoError(
        cs.w, fmt::format("has shape {}; a dimension scale must be 1-D", shapeText(sc.dims)));
  }
  if (sc.dims[0] != d.dims[dim_index]) {
    detail::throwIoError(c.w, fmt::format("dimension {} has length {} but scale '{}' has {} values",
                                          dim_index, d.dims[dim_index], cs.p, sc.dims[0]));
  }
  h5ds::attachScale(d.id.get(), sc.id.get(), dim_index, c.w);
}

void H5File::setDimensionLabel(const std::string& dataset, unsigned dim_index,
                               std::string_view label) {
  requireWritable();
  const Call c(path_, dataset);
  const Data d = openDataset(id_, c.p, c.w);
  if (dim_index >= d.dims.size()) {
    detail::throwIoError(
        c.w, fmt::format("has shape {}; no dimension {} to label", shapeText(d.dims), dim_index));
  }
  const std::string text(label);
  h5ds::setLabel(d.id.get(), dim_index, text.c_str(), c.w);
}

// ---- the typed methods, for each element type ---------------------------------------------------

#define XBARSIM_H5_INSTANTIATE(T)                                                               \
  template void H5File::writeArray<T>(const std::string&, const std::vector<std::size_t>&,       \
                                      std::span<const T>, std::string_view);                     \
  template std::vector<T> H5File::readArray<T>(const std::string&, std::vector<std::size_t>*,    \
                                               std::size_t) const;                               \
  template void H5File::setArrayAttribute<T>(const std::string&, const std::string&,             \
                                             std::span<const T>);                                \
  template std::vector<T> H5File::readArrayAttribute<T>(const std::string&, const std::string&) \
      const;
XBARSIM_H5_INSTANTIATE(double)
XBARSIM_H5_INSTANTIATE(float)
XBARSIM_H5_INSTANTIATE(std::int64_t)
XBARSIM_H5_INSTANTIATE(std::int32_t)
XBARSIM_H5_INSTANTIATE(std::uint8_t)
#undef XBARSIM_H5_INSTANTIATE

}  // namespace xbarsim::io
