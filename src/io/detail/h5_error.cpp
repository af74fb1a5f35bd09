// SPDX-License-Identifier: MIT
#include "detail/h5_error.hpp"

#include <fmt/format.h>

#include <vector>

#include "xbarsim/core/error.hpp"

namespace xbarsim::io::detail {
namespace {

struct Frame {
  std::string func;
  std::string desc;
};

// Called by H5Ewalk2 from C: must not throw. Only copies; formatting happens after the walk.
herr_t collectFrame(unsigned /*n*/, const H5E_error2_t* err, void* data) noexcept {
  try {
    auto* frames = static_cast<std::vector<Frame>*>(data);
    frames->push_back(Frame{err->func_name != nullptr ? err->func_name : "",
                            err->desc != nullptr ? err->desc : ""});
    return 0;
  } catch (...) {
    return -1;  // stop walking; what was collected so far is still reported
  }
}

}  // namespace

std::string describe(const Where& where) {
  if (where.object.empty()) return std::string(where.file);
  return fmt::format("{}:{}", where.file, where.object);
}

std::string takeErrorStack() {
  std::vector<Frame> frames;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, collectFrame, &frames);
  H5Eclear2(H5E_DEFAULT);
  std::string out;
  const std::string* previous_desc = nullptr;
  for (const Frame& f : frames) {
    if (previous_desc != nullptr && *previous_desc == f.desc) continue;  // repeated context
    if (!out.empty()) out += "; ";
    out += f.func.empty() ? f.desc : fmt::format("{}(): {}", f.func, f.desc);
    previous_desc = &f.desc;
  }
  return out;
}

void throwHdf5Error(const Where& where, std::string_view action, std::string_view c_call) {
  std::string stack = takeErrorStack();
  if (stack.empty()) stack = "no HDF5 error stack";
  throw IoError(
      fmt::format("HDF5 '{}': cannot {} [{}]: {}", describe(where), action, c_call, stack));
}

void throwIoError(const Where& where, std::string_view problem) {
  throw IoError(fmt::format("HDF5 '{}': {}", describe(where), problem));
}

SilenceErrors::SilenceErrors() noexcept {
  if (H5Eget_auto2(H5E_DEFAULT, &func_, &client_data_) >= 0) {
    restore_ = func_ != nullptr;
    if (restore_) H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  }
}

SilenceErrors::~SilenceErrors() {
  if (restore_) H5Eset_auto2(H5E_DEFAULT, func_, client_data_);
}

}  // namespace xbarsim::io::detail
