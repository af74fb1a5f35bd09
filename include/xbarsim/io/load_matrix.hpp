// SPDX-License-Identifier: MIT
#pragma once
/// @file Loading a matrix named in a configuration file.

#include <Eigen/Core>
#include <filesystem>
#include <string>

namespace xbarsim::io {

/// Loads the matrix that a configuration value names:
/// - `"G.csv"` (any name without an HDF5 extension): a CSV/whitespace text matrix (csv.hpp);
/// - `"file.h5:/group/dataset"`: a 2-D (or 1-D, as a column) numeric dataset of an HDF5 file.
///   The file part must end in `.h5`, `.hdf5`, `.he5` or `.nc` (case-insensitive); the split is
///   at the first `:` after such a name; a missing leading `/` in the dataset path is implied.
/// Relative file paths are resolved against `relative_to` (the configuration file's directory).
/// @throws ConfigError for an empty spec, an HDF5 file without a dataset part, a missing file
/// and all CSV problems; @throws IoError for HDF5 failures (unreadable file, missing dataset,
/// wrong rank or type), naming the file and dataset.
[[nodiscard]] Eigen::MatrixXd loadMatrix(const std::string& spec,
                                         const std::filesystem::path& relative_to);

}  // namespace xbarsim::io
