// SPDX-License-Identifier: MIT
#include "detail/h5_array.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <hdf5.h>

#include <algorithm>

#include "xbarsim/core/error.hpp"

namespace xbarsim::dnn::detail {
namespace {

/// Turns off HDF5's printing of errors for the scope (errors become exceptions here).
class Silence {
 public:
  Silence() noexcept {
    H5Eget_auto2(H5E_DEFAULT, &func_, &data_);
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  }
  ~Silence() { H5Eset_auto2(H5E_DEFAULT, func_, data_); }
  Silence(const Silence&) = delete;
  Silence& operator=(const Silence&) = delete;

 private:
  H5E_auto2_t func_ = nullptr;
  void* data_ = nullptr;
};

/// Closes an HDF5 handle of any kind on scope exit.
class Handle {
 public:
  explicit Handle(hid_t id = -1) noexcept : id_(id) {}
  ~Handle() {
    if (id_ >= 0) {
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
    }
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  [[nodiscard]] hid_t get() const noexcept { return id_; }

 private:
  hid_t id_;
};

[[noreturn]] void fail(const std::filesystem::path& file, const std::string& object,
                       const std::string& problem) {
  throw IoError(fmt::format("{}:{}: {}", file.string(), object, problem));
}

hid_t checked(hid_t id, const std::filesystem::path& file, const std::string& object,
              const std::string& what) {
  if (id < 0) fail(file, object, what);
  return id;
}

hid_t openFile(const std::filesystem::path& file, unsigned flags) {
  if (!std::filesystem::exists(file)) fail(file, "/", "file not found");
  if (H5Fis_hdf5(file.c_str()) <= 0) fail(file, "/", "not an HDF5 file");
  return checked(H5Fopen(file.c_str(), flags, H5P_DEFAULT), file, "/", "cannot open the file");
}

herr_t collectName(hid_t, const char* name, const H5L_info_t*, void* out) {
  static_cast<std::vector<std::string>*>(out)->emplace_back(name);
  return 0;
}

}  // namespace

std::vector<std::string> listGroup(const std::filesystem::path& file, const std::string& group) {
  Silence silence;
  Handle f(openFile(file, H5F_ACC_RDONLY));
  if (H5Lexists(f.get(), group.c_str(), H5P_DEFAULT) <= 0) fail(file, group, "group not found");
  Handle g(checked(H5Gopen2(f.get(), group.c_str(), H5P_DEFAULT), file, group,
                   "is not a group"));
  std::vector<std::string> names;
  if (H5Literate(g.get(), H5_INDEX_NAME, H5_ITER_INC, nullptr, collectName, &names) < 0)
    fail(file, group, "cannot list the group members");
  std::sort(names.begin(), names.end());
  return names;
}

NdArray readArray(const std::filesystem::path& file, const std::string& dataset) {
  Silence silence;
  Handle f(openFile(file, H5F_ACC_RDONLY));
  if (H5Lexists(f.get(), dataset.c_str(), H5P_DEFAULT) <= 0 ||
      H5Oexists_by_name(f.get(), dataset.c_str(), H5P_DEFAULT) <= 0)
    fail(file, dataset, "dataset not found");
  Handle d(checked(H5Dopen2(f.get(), dataset.c_str(), H5P_DEFAULT), file, dataset,
                   "is not a dataset"));
  Handle type(checked(H5Dget_type(d.get()), file, dataset, "cannot read the type"));
  const H5T_class_t cls = H5Tget_class(type.get());
  if (cls != H5T_FLOAT && cls != H5T_INTEGER) fail(file, dataset, "is not numeric");
  Handle space(checked(H5Dget_space(d.get()), file, dataset, "cannot read the shape"));
  const int rank = H5Sget_simple_extent_ndims(space.get());
  if (rank < 0) fail(file, dataset, "cannot read the shape");
  NdArray out;
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  if (rank > 0) H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
  // The declared shape costs the writer nothing (unwritten data reads as the fill value), so it
  // is bounded before allocating: every dimension, and the product of the non-zero ones.
  std::uint64_t extent = 1;
  for (hsize_t d0 : dims) {
    extent *= std::max<hsize_t>(d0, 1);  // both factors <= kMaxArrayElements: no overflow
    if (d0 > kMaxArrayElements || extent > kMaxArrayElements)
      fail(file, dataset,
           fmt::format("has shape ({}): too large (at most {} elements are read)",
                       fmt::join(dims, ", "), kMaxArrayElements));
  }
  std::size_t n = 1;
  for (hsize_t d0 : dims) {
    out.dims.push_back(d0);
    n *= static_cast<std::size_t>(d0);
  }
  out.data.resize(n);
  if (n > 0 && H5Dread(d.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT,
                       out.data.data()) < 0)
    fail(file, dataset, "cannot read the data (truncated or corrupt file?)");
  return out;
}

ArrayWriter::ArrayWriter(const std::filesystem::path& file) : path_(file) {
  Silence silence;
  id_ = openFile(file, H5F_ACC_RDWR);
}

ArrayWriter::~ArrayWriter() {
  if (id_ >= 0) H5Fclose(static_cast<hid_t>(id_));
}

void ArrayWriter::close() {
  if (id_ < 0) return;
  Silence silence;
  const herr_t status = H5Fclose(static_cast<hid_t>(id_));
  id_ = -1;
  if (status < 0) fail(path_, "/", "cannot close the file");
}

void ArrayWriter::writeFloat32(const std::string& dataset, const std::vector<std::uint64_t>& dims,
                               const std::vector<float>& data) {
  Silence silence;
  const auto f = static_cast<hid_t>(id_);
  std::vector<hsize_t> h(dims.begin(), dims.end());
  std::size_t n = 1;
  for (hsize_t d0 : h) n *= static_cast<std::size_t>(d0);
  if (n != data.size()) fail(path_, dataset, "shape and data size differ");
  Handle lcpl(checked(H5Pcreate(H5P_LINK_CREATE), path_, dataset, "H5Pcreate"));
  H5Pset_create_intermediate_group(lcpl.get(), 1);
  Handle dcpl(checked(H5Pcreate(H5P_DATASET_CREATE), path_, dataset, "H5Pcreate"));
  if (n * sizeof(float) > 64 * 1024 && !h.empty()) {
    // chunk along the first axis, about 256 KiB per chunk
    std::vector<hsize_t> chunk = h;
    const std::size_t row = n / static_cast<std::size_t>(h[0]);
    chunk[0] = std::max<hsize_t>(1, std::min<hsize_t>(h[0], (256 * 1024 / sizeof(float)) /
                                                                 std::max<std::size_t>(1, row)));
    H5Pset_chunk(dcpl.get(), static_cast<int>(chunk.size()), chunk.data());
    H5Pset_shuffle(dcpl.get());
    H5Pset_deflate(dcpl.get(), 4);
  }
  Handle space(checked(H5Screate_simple(static_cast<int>(h.size()), h.data(), nullptr), path_,
                       dataset, "cannot create the dataspace"));
  Handle d(checked(H5Dcreate2(f, dataset.c_str(), H5T_IEEE_F32LE, space.get(), lcpl.get(),
                              dcpl.get(), H5P_DEFAULT),
                   path_, dataset, "cannot create the dataset"));
  if (n > 0 &&
      H5Dwrite(d.get(), H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, data.data()) < 0)
    fail(path_, dataset, "cannot write the data");
}

void ArrayWriter::writeIntsAttribute(const std::string& object, const std::string& name,
                                     const std::vector<std::int64_t>& values) {
  Silence silence;
  const auto f = static_cast<hid_t>(id_);
  const hsize_t n = values.size();
  Handle space(checked(H5Screate_simple(1, &n, nullptr), path_, object, "H5Screate_simple"));
  if (H5Aexists_by_name(f, object.c_str(), name.c_str(), H5P_DEFAULT) > 0)
    H5Adelete_by_name(f, object.c_str(), name.c_str(), H5P_DEFAULT);
  Handle a(checked(H5Acreate_by_name(f, object.c_str(), name.c_str(), H5T_STD_I64LE, space.get(),
                                     H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
                   path_, object, "cannot create attribute " + name));
  if (H5Awrite(a.get(), H5T_NATIVE_INT64, values.data()) < 0)
    fail(path_, object, "cannot write attribute " + name);
}

}  // namespace xbarsim::dnn::detail
