// SPDX-License-Identifier: MIT
#pragma once
// Private: HDF5 error handling for the io module. A failed HDF5 call becomes an IoError that
// names the file and object and carries the HDF5 error stack (HighFive's pattern).

#include <hdf5.h>

#include <string>
#include <string_view>

namespace xbarsim::io::detail {

/// Where an HDF5 call operated: shown as "file:object" in error messages.
struct Where {
  std::string_view file;
  std::string_view object;
};

/// "file:object", or "file" when object is empty.
[[nodiscard]] std::string describe(const Where& where);

/// Reads and clears this thread's HDF5 error stack, outermost frame first, as one line
/// ("H5Dopen2(): unable to open dataset; ...; H5G__loc_find_cb(): object 'x' doesn't exist").
/// Empty if the stack is empty.
[[nodiscard]] std::string takeErrorStack();

/// Throws IoError "HDF5 'file:object': cannot <action> [<c_call>]: <error stack>".
[[noreturn]] void throwHdf5Error(const Where& where, std::string_view action,
                                 std::string_view c_call);

/// Throws IoError "'file:object': <problem>" (no HDF5 stack: a check of ours failed).
[[noreturn]] void throwIoError(const Where& where, std::string_view problem);

/// Checks the result of an HDF5 C call: negative (hid_t, herr_t, htri_t, hssize_t) is failure.
template <typename R>
R check(R result, const Where& where, std::string_view action, std::string_view c_call) {
  if (result < 0) throwHdf5Error(where, action, c_call);
  return result;
}

/// RAII: turns off HDF5's automatic printing of the error stack to stderr for this thread
/// (the stack is still recorded for takeErrorStack) and restores the previous handler.
class SilenceErrors {
 public:
  SilenceErrors() noexcept;
  ~SilenceErrors();
  SilenceErrors(const SilenceErrors&) = delete;
  SilenceErrors& operator=(const SilenceErrors&) = delete;

 private:
  H5E_auto2_t func_ = nullptr;
  void* client_data_ = nullptr;
  bool restore_ = false;
};

}  // namespace xbarsim::io::detail
