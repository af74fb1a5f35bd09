// SPDX-License-Identifier: MIT
#pragma once
/// @file A small RAII layer over the HDF5 C API (docs/architecture.md §8).
///
/// Every HDF5 call is checked; a failure throws xbarsim::IoError whose message names the file and
/// the object ("out.h5:/results/weff") and carries the HDF5 error stack on one line. HDF5's own
/// printing of errors to stderr is switched off while any method runs, and restored afterwards.
///
/// Conventions that readers (h5py, xarray/netCDF) rely on:
/// - Matrices are stored row-major with shape (rows, cols): h5py's `f[path][i, j]` equals the
///   Eigen `m(i, j)`.
/// - Numeric datasets carry a `units` attribute (`S`, `A`, `V`, `ohm`, `s`, `1`).
/// - Strings (datasets and attributes) are variable-length UTF-8, which h5py reads back as `str`.
/// - Datasets larger than kContiguousMaxBytes are chunked (about kChunkTargetBytes per chunk) and
///   compressed with shuffle + deflate level 4; smaller ones are contiguous.
///
/// Object paths are HDF5 paths inside the file ("/results/weff"; a path without a leading "/" is
/// taken from the root). Missing intermediate groups are created on write. An H5File is used
/// from one thread at a time (the design has a single writer thread).

#include <Eigen/Core>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace xbarsim::io {

/// Datasets up to this many bytes are stored contiguously; larger ones are chunked + compressed.
inline constexpr std::size_t kContiguousMaxBytes = 64 * 1024;
/// Approximate size of one chunk of a chunked dataset (below HDF5's default 1 MiB chunk cache).
inline constexpr std::size_t kChunkTargetBytes = 256 * 1024;
/// Deflate (gzip) level of chunked datasets.
inline constexpr unsigned kDeflateLevel = 4;
/// Default bound of the typed reads: as many elements as std::size_t can count.
inline constexpr std::size_t kNoElementLimit = std::numeric_limits<std::size_t>::max();

/// Most elements per byte of file a dataset of an input file may declare: deflate cannot compress
/// better than about 1032:1, and a declared shape beyond it (or data that was never written,
/// read back as the fill value) is refused before anything is allocated.
inline constexpr std::size_t kMaxCompressionRatio = 1100;

/// Most elements one dataset of an input file of `file_bytes` bytes can plausibly hold
/// (file_bytes * kMaxCompressionRatio, saturating).
[[nodiscard]] constexpr std::size_t plausibleElements(std::uintmax_t file_bytes) noexcept {
  return file_bytes > kNoElementLimit / kMaxCompressionRatio
             ? kNoElementLimit
             : static_cast<std::size_t>(file_bytes) * kMaxCompressionRatio;
}

/// Element types of typed datasets and attributes. In the file they are stored little-endian:
/// float64/float32 as IEEE floats, int64/int32/uint8 as integers (numpy `<f8 <f4 <i8 <i4 u1`).
/// The typed methods of H5File are compiled for exactly these types (in hdf5_file.cpp).
template <typename T>
concept H5Number = std::is_same_v<T, double> || std::is_same_v<T, float> ||
                   std::is_same_v<T, std::int64_t> || std::is_same_v<T, std::int32_t> ||
                   std::is_same_v<T, std::uint8_t>;

/// An open HDF5 file. Move-only; the destructor closes the file and never throws (call close()
/// to see errors of the final write-back).
class H5File {
 public:
  /// Creates `path`, truncating an existing file. @throws IoError naming the path.
  [[nodiscard]] static H5File create(const std::filesystem::path& path);
  /// Opens an existing file for reading. @throws ConfigError if it is not a regular file (a FIFO
  /// is refused without blocking); @throws IoError if missing or not HDF5.
  [[nodiscard]] static H5File openReadOnly(const std::filesystem::path& path);
  /// Opens an existing file for reading and writing; refused like openReadOnly.
  [[nodiscard]] static H5File openReadWrite(const std::filesystem::path& path);

  H5File(H5File&& other) noexcept;
  H5File& operator=(H5File&& other) noexcept;
  H5File(const H5File&) = delete;
  H5File& operator=(const H5File&) = delete;
  /// Closes the file if still open; errors are ignored (use close() to see them).
  ~H5File();

  /// The path the file was opened with.
  [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }
  /// False after close() and on a moved-from object.
  [[nodiscard]] bool isOpen() const noexcept { return id_ >= 0; }
  /// True when opened by create() or openReadWrite().
  [[nodiscard]] bool isWritable() const noexcept { return writable_; }

  /// Closes the file now, reporting errors. Further calls (except isOpen/path) throw IoError.
  void close();
  /// Writes all buffered data to disk (H5Fflush, global scope).
  void flush();

  /// True if `path` names an existing object ("/" always exists). Never throws for missing
  /// intermediate groups.
  [[nodiscard]] bool exists(const std::string& path) const;
  /// Creates a group and any missing parents; no-op if the group already exists.
  void createGroup(const std::string& path);

  // ---- typed N-D datasets ----------------------------------------------------------------------
  // The general form of the dataset methods below: any rank, any H5Number element type.

  /// Writes a dataset of element type T and shape `dims` (empty: a rank-0 scalar) from `data` in
  /// row-major (C) order; the `units` attribute is written when `units` is not empty. Missing
  /// parent groups are created. @throws IoError if `path` exists or `data.size()` differs from
  /// the product of `dims`.
  template <H5Number T>
  void writeArray(const std::string& path, const std::vector<std::size_t>& dims,
                  std::span<const T> data, std::string_view units = {});
  /// Reads a numeric dataset of any rank in row-major (C) order, converted to T by HDF5 (integer
  /// T accepts integer data only; out-of-range integers saturate). The declared shape is checked
  /// before anything is allocated: every dimension and the product of the non-zero ones must be
  /// at most `max_elements`. `dims` (if not null) receives the shape. @throws IoError naming file
  /// and dataset if missing, not numeric, or too large.
  template <H5Number T>
  [[nodiscard]] std::vector<T> readArray(const std::string& path,
                                         std::vector<std::size_t>* dims = nullptr,
                                         std::size_t max_elements = kNoElementLimit) const;

  // ---- datasets --------------------------------------------------------------------------------

  /// Writes a 2-D float64 dataset of shape (m.rows(), m.cols()), element (i, j) = m(i, j), with
  /// attribute `units`. @throws IoError if `path` already exists. @throws std::invalid_argument
  /// if `units` is empty (use "1" for dimensionless).
  void writeMatrix(const std::string& path, const Eigen::Ref<const Eigen::MatrixXd>& m,
                   std::string_view units);
  /// Writes a 1-D float64 dataset of shape (v.size(),) with attribute `units`.
  void writeVector(const std::string& path, const Eigen::Ref<const Eigen::VectorXd>& v,
                   std::string_view units);
  /// Writes a scalar (rank-0) float64 dataset with attribute `units`.
  void writeScalar(const std::string& path, double value, std::string_view units);
  /// Writes a 1-D dataset of variable-length UTF-8 strings. Strings must not contain '\0'.
  void writeStrings(const std::string& path, const std::vector<std::string>& values);
  /// Writes a 1-D int64 dataset; the `units` attribute is written only when `units` is not empty
  /// (integers are often codes or indices, such as `status`).
  void writeInts(const std::string& path, const std::vector<std::int64_t>& values,
                 std::string_view units = {});

  /// Reads a 2-D dataset, or a 1-D one as a column vector; any integer or float type is converted
  /// to double. @throws IoError naming file and dataset if missing, not numeric or of rank 0/>2.
  [[nodiscard]] Eigen::MatrixXd readMatrix(const std::string& path) const;
  /// Reads a 1-D numeric dataset (converted to double).
  [[nodiscard]] Eigen::VectorXd readVector(const std::string& path) const;
  /// Reads a numeric dataset holding exactly one element (rank 0 or any shape of size 1).
  [[nodiscard]] double readScalar(const std::string& path) const;
  /// Reads a rank-0 or 1-D integer dataset.
  [[nodiscard]] std::vector<std::int64_t> readInts(const std::string& path) const;
  /// Reads a rank-0 or 1-D string dataset (variable- or fixed-length, any padding).
  [[nodiscard]] std::vector<std::string> readStrings(const std::string& path) const;

  // ---- fixed-size datasets written element by element (sweeps: one point at a time) -------------
  // Created once with their final shape and a fill value, then written one index of the first
  // dimension (one "row") at a time and flushed; unwritten rows read back as the fill value.
  // Numeric ones larger than kContiguousMaxBytes are chunked and compressed like the rest.

  /// Creates a float64 dataset of shape `dims` (rank >= 1) filled with `fill` (e.g. NaN), with
  /// attribute `units`. @throws IoError if `path` exists; std::invalid_argument on empty units.
  void createFilledReals(const std::string& path, const std::vector<std::size_t>& dims,
                         double fill, std::string_view units);
  /// Creates an int64 dataset of shape `dims` filled with `fill`; `units` written if not empty.
  void createFilledInts(const std::string& path, const std::vector<std::size_t>& dims,
                        std::int64_t fill, std::string_view units = {});
  /// Creates a 1-D variable-length UTF-8 string dataset of `n` elements, all equal to `fill`.
  void createFilledStrings(const std::string& path, std::size_t n, std::string_view fill = {});
  /// Writes row `index` of a float64 dataset: the elements [index, ...] (all trailing
  /// dimensions; `row.size()` must equal their product). @throws IoError if out of range.
  void writeRealsRow(const std::string& path, std::size_t index, const std::vector<double>& row);
  /// Writes element `index` of a 1-D int64 dataset.
  void writeIntAt(const std::string& path, std::size_t index, std::int64_t value);
  /// Writes element `index` of a 1-D string dataset.
  void writeStringAt(const std::string& path, std::size_t index, std::string_view value);
  // The same for many rows at once (one dataset open and one write per call; several rows per
  // call keep a compressed chunk from being decompressed and recompressed once per row).
  // The rows follow one another in the order of `indices`; if an index repeats, its last row
  // wins. An empty `indices` writes nothing.

  /// Writes rows `indices[k]` of a float64 dataset from `rows` (indices.size() rows, each the
  /// product of the trailing dimensions long, row-major). @throws IoError if out of range.
  void writeRealsRows(const std::string& path, const std::vector<std::size_t>& indices,
                      const std::vector<double>& rows);
  /// Writes elements `indices[k]` = `values[k]` of a 1-D int64 dataset.
  void writeIntsAt(const std::string& path, const std::vector<std::size_t>& indices,
                   const std::vector<std::int64_t>& values);
  /// Writes elements `indices[k]` = `values[k]` of a 1-D string dataset.
  void writeStringsAt(const std::string& path, const std::vector<std::size_t>& indices,
                      const std::vector<std::string>& values);
  /// Shape of a dataset (empty for a scalar). @throws IoError if missing.
  [[nodiscard]] std::vector<std::size_t> shape(const std::string& path) const;
  /// Reads a numeric dataset of any rank as float64 in row-major (C) order; `dims` (if not
  /// null) receives its shape.
  [[nodiscard]] std::vector<double> readReals(const std::string& path,
                                              std::vector<std::size_t>* dims = nullptr) const;
  /// Names of the links in a group ("/" included), in HDF5's name order (byte-wise, as
  /// std::sort of the names). Empty for a missing group. @throws IoError if it is not a group.
  [[nodiscard]] std::vector<std::string> listGroup(const std::string& path) const;

  // ---- attributes (on any group or dataset, "/" included) ---------------------------------------
  // Setting an attribute replaces an existing one of the same name; if `object` does not exist it
  // is created as a group (e.g. "/config", "/provenance").

  /// Scalar variable-length UTF-8 string attribute (h5py reads it as `str`).
  void setAttribute(const std::string& object, const std::string& name, std::string_view value);
  /// Same as the std::string_view overload (needed so that a literal does not pick `bool`).
  void setAttribute(const std::string& object, const std::string& name, const char* value) {
    setAttribute(object, name, std::string_view(value));
  }
  /// Scalar float64 attribute.
  void setAttribute(const std::string& object, const std::string& name, double value);
  /// Scalar int64 attribute.
  void setAttribute(const std::string& object, const std::string& name, std::int64_t value);
  /// Any other integer type goes to the int64 overload (unsigned values above INT64_MAX throw
  /// std::out_of_range). Without this, `setAttribute(o, n, 42)` would be ambiguous.
  template <typename T>
  requires(std::is_integral_v<T> && !std::is_same_v<T, bool> &&
           !std::is_same_v<T, std::int64_t>) void setAttribute(const std::string& object,
                                                               const std::string& name, T value) {
    setAttribute(object, name, toInt64(value));
  }
  /// bool is rejected: store it as an explicit integer if that is what you mean.
  void setAttribute(const std::string& object, const std::string& name, bool value) = delete;
  /// 1-D attribute of element type T (HighFive-style typed form of the overloads around it).
  template <H5Number T>
  void setArrayAttribute(const std::string& object, const std::string& name,
                         std::span<const T> values);
  /// 1-D float64 attribute.
  void setAttribute(const std::string& object, const std::string& name,
                    const std::vector<double>& values) {
    setArrayAttribute<double>(object, name, values);
  }
  /// 1-D int64 attribute (e.g. CF `flag_values` of an int64 status dataset).
  void setIntsAttribute(const std::string& object, const std::string& name,
                        const std::vector<std::int64_t>& values) {
    setArrayAttribute<std::int64_t>(object, name, values);
  }

  /// Removes attribute `name` of `object` if present.
  void removeAttribute(const std::string& object, const std::string& name);

  /// True if `object` exists and has attribute `name`.
  [[nodiscard]] bool hasAttribute(const std::string& object, const std::string& name) const;
  /// Reads a string attribute (variable- or fixed-length). @throws IoError if missing/not string.
  [[nodiscard]] std::string readStringAttribute(const std::string& object,
                                                const std::string& name) const;
  /// Reads a numeric attribute with exactly one element, converted to double.
  [[nodiscard]] double readDoubleAttribute(const std::string& object,
                                           const std::string& name) const;
  /// Reads an integer attribute with exactly one element. Float attributes are rejected.
  [[nodiscard]] std::int64_t readIntAttribute(const std::string& object,
                                              const std::string& name) const;
  /// Reads a rank-0 or 1-D numeric attribute converted to T (integer T: integer data only).
  template <H5Number T>
  [[nodiscard]] std::vector<T> readArrayAttribute(const std::string& object,
                                                  const std::string& name) const;
  /// Reads a rank-0 or 1-D numeric attribute, converted to double.
  [[nodiscard]] std::vector<double> readDoubleVectorAttribute(const std::string& object,
                                                              const std::string& name) const {
    return readArrayAttribute<double>(object, name);
  }

  // ---- dimension scales (HDF5 HL H5DS; what xarray/netCDF use to label axes)
  // ---------------------

  /// Marks the 1-D dataset `path` as a dimension scale called `name` (may be empty).
  void makeDimensionScale(const std::string& path, std::string_view name);
  /// Attaches scale `scale` to dimension `dim_index` of `dataset`. @throws IoError if the scale
  /// is not 1-D, `dim_index` is out of range, or the lengths differ.
  void attachDimensionScale(const std::string& dataset, const std::string& scale,
                            unsigned dim_index);
  /// Sets the label of dimension `dim_index` of `dataset` (h5py: `f[dataset].dims[i].label`).
  void setDimensionLabel(const std::string& dataset, unsigned dim_index, std::string_view label);

 private:
  H5File(std::int64_t id, std::filesystem::path path, bool writable) noexcept;

  template <typename T>
  static std::int64_t toInt64(T value) {
    if constexpr (std::is_unsigned_v<T> && sizeof(T) >= sizeof(std::int64_t)) {
      if (value > static_cast<T>(std::numeric_limits<std::int64_t>::max())) throwIntTooLarge();
    }
    return static_cast<std::int64_t>(value);
  }
  [[noreturn]] static void throwIntTooLarge();

  void requireOpen() const;
  void requireWritable() const;

  std::int64_t id_ = -1;  ///< hid_t of the file (hid_t is int64_t in HDF5 >= 1.10)
  std::filesystem::path path_;
  bool writable_ = false;
};

}  // namespace xbarsim::io
