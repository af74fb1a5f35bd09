// SPDX-License-Identifier: MIT
#include "xbarsim/io/load_matrix.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <string_view>
#include <vector>

#include "xbarsim/core/error.hpp"
#include "xbarsim/core/input_file.hpp"
#include "xbarsim/io/csv.hpp"
#include "xbarsim/io/hdf5_file.hpp"

namespace xbarsim::io {
namespace {

bool hasHdf5Extension(std::string_view name) {
  constexpr std::array<std::string_view, 4> kExtensions{".h5", ".hdf5", ".he5", ".nc"};
  return std::any_of(kExtensions.begin(), kExtensions.end(), [&](std::string_view ext) {
    if (name.size() <= ext.size()) return false;
    const std::string_view tail = name.substr(name.size() - ext.size());
    return std::equal(tail.begin(), tail.end(), ext.begin(), [](char a, char b) {
      return std::tolower(static_cast<unsigned char>(a)) == b;
    });
  });
}

std::filesystem::path resolve(std::string_view file, const std::filesystem::path& relative_to) {
  const std::filesystem::path p(file);
  return p.is_absolute() || relative_to.empty() ? p : relative_to / p;
}

/// A 1-D (as a column) or 2-D dataset, its shape bounded before anything is allocated.
Eigen::MatrixXd readHdf5Matrix(const std::filesystem::path& path, const std::string& dataset,
                               std::size_t max_elements, const ValueCheck& check) {
  std::vector<std::size_t> dims;
  const std::vector<double> values =
      H5File::openReadOnly(path).readArray<double>(dataset, &dims, max_elements);
  const std::string where = fmt::format("{}:{}", path.native(), dataset);
  if (dims.empty() || dims.size() > 2)
    throw ConfigError(where, 0, "",
                      fmt::format("has rank {}; expected a 1-D or 2-D dataset", dims.size()));
  const auto rows = static_cast<Eigen::Index>(dims[0]);
  const auto cols = dims.size() == 2 ? static_cast<Eigen::Index>(dims[1]) : Eigen::Index{1};
  Eigen::MatrixXd m(rows, cols);
  for (Eigen::Index i = 0; i < rows; ++i) {
    for (Eigen::Index j = 0; j < cols; ++j) {
      const double v = values[static_cast<std::size_t>(i * cols + j)];
      std::string problem = std::isfinite(v) ? (check ? check(v) : std::string())
                                             : fmt::format("non-finite value {}", v);
      if (!problem.empty())
        throw ConfigError(where, 0, fmt::format("row {}, column {} (0-based)", i, j), problem);
      m(i, j) = v;
    }
  }
  return m;
}

}  // namespace

Eigen::MatrixXd loadMatrix(const std::string& spec, const std::filesystem::path& relative_to,
                           std::size_t max_elements, const ValueCheck& check) {
  if (spec.empty()) throw ConfigError("", 0, "", "empty matrix file name");

  // "file.h5:/dataset": split at the first ':' that follows an HDF5 file name.
  for (std::size_t colon = spec.find(':'); colon != std::string::npos;
       colon = spec.find(':', colon + 1)) {
    const std::string_view file = std::string_view(spec).substr(0, colon);
    if (!hasHdf5Extension(file)) continue;
    std::string dataset = spec.substr(colon + 1);
    if (dataset.empty() || dataset == "/") {
      throw ConfigError(
          std::string(file), 0, "",
          fmt::format("matrix spec '{}' names no dataset (use 'file.h5:/dataset')", spec));
    }
    if (dataset.front() != '/') dataset.insert(0, 1, '/');
    const std::filesystem::path path = resolve(file, relative_to);
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
      throw ConfigError(path.native(), 0, "", "no such file");
    }
    const std::uintmax_t file_bytes = core::checkInputFile(path, core::kNoSizeLimit, "HDF5 file");
    return readHdf5Matrix(path, dataset, std::min(max_elements, plausibleElements(file_bytes)),
                          check);
  }

  if (hasHdf5Extension(spec)) {
    throw ConfigError(resolve(spec, relative_to).native(), 0, "",
                      "an HDF5 matrix needs a dataset: write 'file.h5:/dataset'");
  }
  return readCsvMatrix(resolve(spec, relative_to), check);  // bounded by its size in bytes
}

}  // namespace xbarsim::io
