// SPDX-License-Identifier: MIT
#pragma once
// Private: a job's results as FieldValues (row-major, as the result file stores them).

#include <Eigen/Core>
#include <string>
#include <utility>

#include "xbarsim/sweep/job.hpp"

namespace xbarsim::sweep::detail {

inline FieldValue scalarField(std::string name, double value) {
  return {std::move(name), {}, {value}};
}

inline FieldValue vectorField(std::string name, const Eigen::VectorXd& v) {
  return {std::move(name), {static_cast<std::size_t>(v.size())}, {v.data(), v.data() + v.size()}};
}

inline FieldValue matrixField(std::string name, const Eigen::MatrixXd& m) {
  using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  const RowMajor r = m;
  return {std::move(name),
          {static_cast<std::size_t>(m.rows()), static_cast<std::size_t>(m.cols())},
          {r.data(), r.data() + r.size()}};
}

}  // namespace xbarsim::sweep::detail
