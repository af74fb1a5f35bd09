// SPDX-License-Identifier: MIT
#pragma once
// Private to dnn: what io::H5File does not offer yet and the model format needs: N-D numeric
// datasets (conv2d weights are 4-D), float32 storage, int64 array attributes, and listing the
// members of a group. Every HDF5 call is checked; failures throw IoError "file:object: problem".
// (Candidates for io::H5File::readArray/writeArray/listGroup; this file then goes away.)

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace xbarsim::dnn::detail {

/// An N-D array in C (row-major) order.
struct NdArray {
  std::vector<std::uint64_t> dims;
  std::vector<double> data;
};

/// Names of the members of `group` (sorted by name). @throws IoError if it is not a group.
[[nodiscard]] std::vector<std::string> listGroup(const std::filesystem::path& file,
                                                 const std::string& group);
/// Largest dataset readArray reads (elements; 2 GiB as double), far above any model's layer.
inline constexpr std::uint64_t kMaxArrayElements = std::uint64_t{1} << 28;

/// Reads a numeric dataset of any rank, converted to double. @throws IoError naming file and
/// dataset if missing or not numeric, or if a dimension or the product of the non-zero ones
/// exceeds kMaxArrayElements.
[[nodiscard]] NdArray readArray(const std::filesystem::path& file, const std::string& dataset);

/// Writes float32 datasets and int64 array attributes into an existing file.
class ArrayWriter {
 public:
  explicit ArrayWriter(const std::filesystem::path& file);
  ~ArrayWriter();
  ArrayWriter(const ArrayWriter&) = delete;
  ArrayWriter& operator=(const ArrayWriter&) = delete;
  /// Writes `data` (C order) with shape `dims` as float32 (deflate-compressed when large);
  /// missing parent groups are created.
  void writeFloat32(const std::string& dataset, const std::vector<std::uint64_t>& dims,
                    const std::vector<float>& data);
  /// 1-D int64 attribute on an existing object.
  void writeIntsAttribute(const std::string& object, const std::string& name,
                          const std::vector<std::int64_t>& values);
  /// Closes the file, reporting errors.
  void close();

 private:
  std::filesystem::path path_;
  std::int64_t id_ = -1;
};

}  // namespace xbarsim::dnn::detail
