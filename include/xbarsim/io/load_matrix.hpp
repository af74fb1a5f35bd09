// SPDX-License-Identifier: MIT
#pragma once
/// @file Loading a matrix named in a configuration file.

#include <Eigen/Core>
#include <cstddef>
#include <filesystem>
#include <string>

#include "xbarsim/io/csv.hpp"
#include "xbarsim/io/hdf5_file.hpp"

namespace xbarsim::io {

/// Loads the matrix that a configuration value names:
/// - `"G.csv"` (any name without an HDF5 extension): a CSV/whitespace text matrix (csv.hpp);
/// - `"file.h5:/group/dataset"`: a 2-D (or 1-D, as a column) numeric dataset of an HDF5 file.
///   The file part must end in `.h5`, `.hdf5`, `.he5` or `.nc` (case-insensitive); the split is
///   at the first `:` after such a name; a missing leading `/` in the dataset path is implied.
/// Relative file paths are resolved against `relative_to` (the configuration file's directory).
/// Bounded reads: the file must be a regular file (CSV: at most core::kTextMatrixMaxBytes); an
/// HDF5 dataset's declared shape is checked before anything is allocated against
/// `max_elements` (the caller knows the shape it expects; a CSV file is bounded by its size) and against the file size (at most
/// kMaxCompressionRatio elements per byte of file, see hdf5_file.hpp). Every element must be
/// finite and pass `check`.
/// @throws ConfigError for an empty spec, an HDF5 file without a dataset part, a missing file,
/// a non-regular or too large file, all CSV problems and values refused by `check`; @throws
/// IoError for HDF5 failures (not HDF5, missing dataset, wrong rank or type, shape too large),
/// naming the file and dataset.
[[nodiscard]] Eigen::MatrixXd loadMatrix(const std::string& spec,
                                         const std::filesystem::path& relative_to,
                                         std::size_t max_elements = kNoElementLimit,
                                         const ValueCheck& check = {});

}  // namespace xbarsim::io
