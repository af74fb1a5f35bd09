// SPDX-License-Identifier: MIT
#pragma once
// Private: one checked wrapper per HDF5 C call used by the io module, grouped by C module
// (HighFive's h5?_wrapper.hpp pattern). Each wrapper throws IoError (file, object, action, HDF5
// error stack) when the call fails, and returns owning Handles for new identifiers.

#include <H5DSpublic.h>
#include <hdf5.h>

#include <string>
#include <vector>

#include "detail/h5_error.hpp"
#include "detail/h5_handle.hpp"

namespace xbarsim::io::detail {

namespace h5f {
inline hid_t create(const std::string& name, hid_t fapl, const Where& w) {
  return check(H5Fcreate(name.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl), w, "create file",
               "H5Fcreate");
}
inline hid_t open(const std::string& name, unsigned flags, hid_t fapl, const Where& w) {
  return check(H5Fopen(name.c_str(), flags, fapl), w, "open file", "H5Fopen");
}
inline void flush(hid_t file, const Where& w) {
  check(H5Fflush(file, H5F_SCOPE_GLOBAL), w, "flush file", "H5Fflush");
}
inline void close(hid_t file, const Where& w) {
  check(H5Fclose(file), w, "close file", "H5Fclose");
}
}  // namespace h5f

namespace h5p {
inline Handle create(hid_t cls, const Where& w) {
  return {check(H5Pcreate(cls), w, "create property list", "H5Pcreate"), H5Pclose};
}
inline void setChunk(hid_t dcpl, const std::vector<hsize_t>& dims, const Where& w) {
  check(H5Pset_chunk(dcpl, static_cast<int>(dims.size()), dims.data()), w, "set chunk shape",
        "H5Pset_chunk");
}
inline void setShuffle(hid_t dcpl, const Where& w) {
  check(H5Pset_shuffle(dcpl), w, "enable shuffle filter", "H5Pset_shuffle");
}
inline void setDeflate(hid_t dcpl, unsigned level, const Where& w) {
  check(H5Pset_deflate(dcpl, level), w, "enable deflate filter", "H5Pset_deflate");
}
inline void setCreateIntermediateGroup(hid_t lcpl, const Where& w) {
  check(H5Pset_create_intermediate_group(lcpl, 1), w, "request intermediate groups",
        "H5Pset_create_intermediate_group");
}
inline void setCharEncoding(hid_t plist, H5T_cset_t cset, const Where& w) {
  check(H5Pset_char_encoding(plist, cset), w, "set name encoding", "H5Pset_char_encoding");
}
inline void setFillValue(hid_t dcpl, hid_t mem_type, const void* value, const Where& w) {
  check(H5Pset_fill_value(dcpl, mem_type, value), w, "set fill value", "H5Pset_fill_value");
  check(H5Pset_fill_time(dcpl, H5D_FILL_TIME_IFSET), w, "set fill time", "H5Pset_fill_time");
}
inline void setFileLocking(hid_t fapl, bool use, bool ignore_when_disabled, const Where& w) {
  check(H5Pset_file_locking(fapl, use, ignore_when_disabled), w, "set file locking",
        "H5Pset_file_locking");
}
}  // namespace h5p

namespace h5s {
inline Handle createScalar(const Where& w) {
  return {check(H5Screate(H5S_SCALAR), w, "create scalar dataspace", "H5Screate"), H5Sclose};
}
inline Handle createSimple(const std::vector<hsize_t>& dims, const Where& w) {
  return {check(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), w,
                "create dataspace", "H5Screate_simple"),
          H5Sclose};
}
inline std::vector<hsize_t> dims(hid_t space, const Where& w) {
  const int rank =
      check(H5Sget_simple_extent_ndims(space), w, "get rank", "H5Sget_simple_extent_ndims");
  std::vector<hsize_t> out(static_cast<std::size_t>(rank));
  if (rank > 0) {
    check(H5Sget_simple_extent_dims(space, out.data(), nullptr), w, "get shape",
          "H5Sget_simple_extent_dims");
  }
  return out;
}
/// Selects the block [start, start + count) of `space`; `op` H5S_SELECT_OR adds it to the
/// current selection.
inline void selectHyperslab(hid_t space, const std::vector<hsize_t>& start,
                            const std::vector<hsize_t>& count, const Where& w,
                            H5S_seloper_t op = H5S_SELECT_SET) {
  check(H5Sselect_hyperslab(space, op, start.data(), nullptr, count.data(), nullptr), w,
        "select hyperslab", "H5Sselect_hyperslab");
}
inline H5S_class_t type(hid_t space, const Where& w) {
  const H5S_class_t c = H5Sget_simple_extent_type(space);
  if (c == H5S_NO_CLASS) throwHdf5Error(w, "get dataspace class", "H5Sget_simple_extent_type");
  return c;
}
}  // namespace h5s

namespace h5t {
inline Handle copy(hid_t type, const Where& w) {
  return {check(H5Tcopy(type), w, "copy datatype", "H5Tcopy"), H5Tclose};
}
/// Variable-length, NUL-terminated UTF-8 string: what h5py writes for (and reads as) `str`.
inline Handle variableUtf8String(const Where& w) {
  Handle t = copy(H5T_C_S1, w);
  check(H5Tset_size(t.get(), H5T_VARIABLE), w, "make string type variable-length", "H5Tset_size");
  check(H5Tset_cset(t.get(), H5T_CSET_UTF8), w, "set UTF-8 encoding", "H5Tset_cset");
  return t;
}
inline H5T_class_t getClass(hid_t type, const Where& w) {
  const H5T_class_t c = H5Tget_class(type);
  if (c == H5T_NO_CLASS) throwHdf5Error(w, "get datatype class", "H5Tget_class");
  return c;
}
inline bool isVariableString(hid_t type, const Where& w) {
  return check(H5Tis_variable_str(type), w, "query string type", "H5Tis_variable_str") > 0;
}
inline std::size_t getSize(hid_t type, const Where& w) {
  const std::size_t size = H5Tget_size(type);
  if (size == 0) throwHdf5Error(w, "get datatype size", "H5Tget_size");
  return size;
}
inline H5T_str_t getStrpad(hid_t type, const Where& w) {
  const H5T_str_t pad = H5Tget_strpad(type);
  if (pad == H5T_STR_ERROR) throwHdf5Error(w, "get string padding", "H5Tget_strpad");
  return pad;
}
/// Frees the memory HDF5 allocated for variable-length data read into `buf`. H5Treclaim is
/// declared but not exported by 1.10.8, so 1.10 uses H5Dvlen_reclaim (deprecated in 1.12).
inline herr_t reclaimNoThrow(hid_t type, hid_t space, void* buf) noexcept {
#if H5_VERSION_GE(1, 12, 0)
  return H5Treclaim(type, space, H5P_DEFAULT, buf);
#else
  return H5Dvlen_reclaim(type, space, H5P_DEFAULT, buf);
#endif
}
}  // namespace h5t

namespace h5g {
inline Handle create(hid_t loc, const std::string& name, hid_t lcpl, const Where& w) {
  return {check(H5Gcreate2(loc, name.c_str(), lcpl, H5P_DEFAULT, H5P_DEFAULT), w, "create group",
                "H5Gcreate2"),
          H5Gclose};
}
inline hsize_t numLinks(hid_t loc, const std::string& name, const Where& w) {
  H5G_info_t info{};
  check(H5Gget_info_by_name(loc, name.c_str(), &info, H5P_DEFAULT), w, "get group info",
        "H5Gget_info_by_name");
  return info.nlinks;
}
}  // namespace h5g

namespace h5d {
inline Handle create(hid_t loc, const std::string& name, hid_t type, hid_t space, hid_t lcpl,
                     hid_t dcpl, const Where& w) {
  return {check(H5Dcreate2(loc, name.c_str(), type, space, lcpl, dcpl, H5P_DEFAULT), w,
                "create dataset", "H5Dcreate2"),
          H5Dclose};
}
/// Writes the selection `file_space` of a dataset from `mem_space` (rows of a sweep).
inline void writeSelection(hid_t dset, hid_t mem_type, hid_t mem_space, hid_t file_space,
                           const void* buf, const Where& w) {
  check(H5Dwrite(dset, mem_type, mem_space, file_space, H5P_DEFAULT, buf), w, "write selection",
        "H5Dwrite");
}
}  // namespace h5d

namespace h5a {
inline Handle create(hid_t loc, const std::string& object, const std::string& name, hid_t type,
                     hid_t space, const Where& w) {
  return {check(H5Acreate_by_name(loc, object.c_str(), name.c_str(), type, space, H5P_DEFAULT,
                                  H5P_DEFAULT, H5P_DEFAULT),
                w, "create attribute", "H5Acreate_by_name"),
          H5Aclose};
}
inline Handle open(hid_t loc, const std::string& object, const std::string& name, const Where& w) {
  return {check(H5Aopen_by_name(loc, object.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT), w,
                "open attribute", "H5Aopen_by_name"),
          H5Aclose};
}
inline bool exists(hid_t loc, const std::string& object, const std::string& name, const Where& w) {
  return check(H5Aexists_by_name(loc, object.c_str(), name.c_str(), H5P_DEFAULT), w,
               "query attribute", "H5Aexists_by_name") > 0;
}
inline void remove(hid_t loc, const std::string& object, const std::string& name, const Where& w) {
  check(H5Adelete_by_name(loc, object.c_str(), name.c_str(), H5P_DEFAULT), w, "delete attribute",
        "H5Adelete_by_name");
}
}  // namespace h5a

/// The C calls by which datasets and attributes hold data alike (HighFive's common base of
/// DataSet and Attribute); one table for each, used through the h5data functions.
struct DataCalls {
  hid_t (*get_space)(hid_t);
  hid_t (*get_type)(hid_t);
  herr_t (*read)(hid_t, hid_t, void*);
  herr_t (*write)(hid_t, hid_t, const void*);
  const char* names[4];  ///< the C functions, for error messages
};

inline constexpr DataCalls kDatasetCalls{
    H5Dget_space,
    H5Dget_type,
    [](hid_t d, hid_t t, void* b) { return H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, b); },
    [](hid_t d, hid_t t, const void* b) {
      return H5Dwrite(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, b);
    },
    {"H5Dget_space", "H5Dget_type", "H5Dread", "H5Dwrite"}};

inline constexpr DataCalls kAttributeCalls{
    H5Aget_space, H5Aget_type, H5Aread, H5Awrite,
    {"H5Aget_space", "H5Aget_type", "H5Aread", "H5Awrite"}};

namespace h5data {
inline Handle getSpace(const DataCalls& c, hid_t id, const Where& w) {
  return {check(c.get_space(id), w, "get dataspace", c.names[0]), H5Sclose};
}
inline Handle getType(const DataCalls& c, hid_t id, const Where& w) {
  return {check(c.get_type(id), w, "get datatype", c.names[1]), H5Tclose};
}
inline void read(const DataCalls& c, hid_t id, hid_t mem_type, void* buf, const Where& w) {
  check(c.read(id, mem_type, buf), w, "read data", c.names[2]);
}
inline void write(const DataCalls& c, hid_t id, hid_t mem_type, const void* buf, const Where& w) {
  check(c.write(id, mem_type, buf), w, "write data", c.names[3]);
}
}  // namespace h5data

namespace h5l {
inline bool exists(hid_t loc, const std::string& name, const Where& w) {
  return check(H5Lexists(loc, name.c_str(), H5P_DEFAULT), w, "query link", "H5Lexists") > 0;
}
/// Name of link `k` of group `group` in increasing name order.
inline std::string nameByIndex(hid_t loc, const std::string& group, hsize_t k, const Where& w) {
  auto call = [&](char* buf, std::size_t size) {
    return check(H5Lget_name_by_idx(loc, group.c_str(), H5_INDEX_NAME, H5_ITER_INC, k, buf, size,
                                    H5P_DEFAULT),
                 w, "get link name", "H5Lget_name_by_idx");
  };
  const auto size = static_cast<std::size_t>(call(nullptr, 0));
  std::string name(size + 1, '\0');
  call(name.data(), name.size());
  name.resize(size);
  return name;
}
}  // namespace h5l

namespace h5o {
inline Handle open(hid_t loc, const std::string& name, const Where& w) {
  return {check(H5Oopen(loc, name.c_str(), H5P_DEFAULT), w, "open object", "H5Oopen"), H5Oclose};
}
/// Type of an open object: H5I_GROUP, H5I_DATASET or H5I_DATATYPE.
inline H5I_type_t type(hid_t obj, const Where& w) {
  const H5I_type_t t = H5Iget_type(obj);
  if (t == H5I_BADID) throwHdf5Error(w, "get object type", "H5Iget_type");
  return t;
}
inline bool existsByName(hid_t loc, const std::string& name, const Where& w) {
  return check(H5Oexists_by_name(loc, name.c_str(), H5P_DEFAULT), w, "query object",
               "H5Oexists_by_name") > 0;
}
}  // namespace h5o

namespace h5ds {
inline void setScale(hid_t dset, const char* name, const Where& w) {
  check(H5DSset_scale(dset, name), w, "make dimension scale", "H5DSset_scale");
}
inline void attachScale(hid_t dset, hid_t scale, unsigned idx, const Where& w) {
  check(H5DSattach_scale(dset, scale, idx), w, "attach dimension scale", "H5DSattach_scale");
}
inline void setLabel(hid_t dset, unsigned idx, const char* label, const Where& w) {
  check(H5DSset_label(dset, idx, label), w, "set dimension label", "H5DSset_label");
}
}  // namespace h5ds

}  // namespace xbarsim::io::detail
