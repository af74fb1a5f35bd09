// SPDX-License-Identifier: MIT
#pragma once
// Private: owning RAII handle for an HDF5 identifier (dataset, group, dataspace, ...).

#include <hdf5.h>

#include <utility>

#include "detail/h5_error.hpp"

namespace xbarsim::io::detail {

/// Owns one hid_t and closes it with the matching H5?close in a noexcept destructor.
class Handle {
 public:
  using Closer = herr_t (*)(hid_t);

  Handle() noexcept = default;
  Handle(hid_t id, Closer closer) noexcept : id_(id), closer_(closer) {}
  Handle(Handle&& other) noexcept
      : id_(std::exchange(other.id_, H5I_INVALID_HID)), closer_(other.closer_) {}
  Handle& operator=(Handle&& other) noexcept {
    if (this != &other) {
      reset();
      id_ = std::exchange(other.id_, H5I_INVALID_HID);
      closer_ = other.closer_;
    }
    return *this;
  }
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  ~Handle() { reset(); }

  [[nodiscard]] hid_t get() const noexcept { return id_; }
  [[nodiscard]] bool valid() const noexcept { return id_ >= 0; }

  /// Closes now and reports failure (for the last handle of a write, where it matters).
  void close(const Where& where) {
    const hid_t id = std::exchange(id_, H5I_INVALID_HID);
    if (id >= 0 && closer_ != nullptr) check(closer_(id), where, "close object", "H5?close");
  }

 private:
  void reset() noexcept {
    if (id_ >= 0 && closer_ != nullptr) {
      SilenceErrors silence;
      if (closer_(id_) < 0) H5Eclear2(H5E_DEFAULT);  // nothing sensible to do in a destructor
    }
    id_ = H5I_INVALID_HID;
  }

  hid_t id_ = H5I_INVALID_HID;
  Closer closer_ = nullptr;
};

}  // namespace xbarsim::io::detail
