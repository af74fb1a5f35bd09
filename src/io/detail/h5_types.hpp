// SPDX-License-Identifier: MIT
#pragma once
// Private: the element types of typed datasets and attributes (io::H5Number) mapped to HDF5
// datatypes, HighFive's AtomicType pattern: the type of the values in memory (native) and the
// type stored in the file (fixed little-endian, so a file is the same on every machine).

#include <hdf5.h>

#include <cstdint>

namespace xbarsim::io::detail {

struct TypeInfo {
  hid_t memory;   ///< H5T_NATIVE_*: what the C++ values are
  hid_t file;     ///< what the file stores
  bool integer;   ///< integer types read integer data only (no silent float truncation)
};

/// The datatypes of T; specialized for each io::H5Number type.
template <typename T>
TypeInfo typeInfo() = delete;
template <>
inline TypeInfo typeInfo<double>() { return {H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, false}; }
template <>
inline TypeInfo typeInfo<float>() { return {H5T_NATIVE_FLOAT, H5T_IEEE_F32LE, false}; }
template <>
inline TypeInfo typeInfo<std::int64_t>() { return {H5T_NATIVE_INT64, H5T_STD_I64LE, true}; }
template <>
inline TypeInfo typeInfo<std::int32_t>() { return {H5T_NATIVE_INT32, H5T_STD_I32LE, true}; }
template <>
inline TypeInfo typeInfo<std::uint8_t>() { return {H5T_NATIVE_UINT8, H5T_STD_U8LE, true}; }

}  // namespace xbarsim::io::detail
