// SPDX-License-Identifier: MIT
#include "xbarsim/extract/backend.hpp"

#include <fmt/format.h>

#include <cmath>

#include "xbarsim/core/error.hpp"
#include "xbarsim/core/provenance.hpp"
#include "xbarsim/extract/native_backend.hpp"
#include "xbarsim/extract/ngspice_backend.hpp"

namespace xbarsim::extract {

void requireFinite(const Eigen::MatrixXd& values, std::string_view what, std::string_view row_name,
                   std::string_view col_name) {
  for (Eigen::Index c = 0; c < values.cols(); ++c)
    for (Eigen::Index r = 0; r < values.rows(); ++r) {
      const double v = values(r, c);
      if (std::isfinite(v)) continue;
      const std::string where =
          values.cols() == 1 && col_name.empty()
              ? fmt::format("{} [{}] ({} {})", what, r, row_name, r)
              : fmt::format("{} [{}][{}] ({} {}, {} {})", what, r, c, row_name, r, col_name, c);
      throw NumericalError(fmt::format("{} is {}: the solve produced a non-finite result; it is "
                                       "not written", where, v));
    }
}

BatchCurrentResult Backend::currentsBatch(const circuit::CrossbarSpec& spec, const Eigen::MatrixXd& x_v) {
  BatchCurrentResult result{Eigen::MatrixXd(spec.cols, x_v.cols()), {},
                            Eigen::VectorXd(arrayPower() ? x_v.cols() : 0)};
  for (Eigen::Index k = 0; k < x_v.cols(); ++k) {
    const CurrentResult r = currents(spec, x_v.col(k));
    result.currents_a.col(k) = r.currents_a;
    if (arrayPower()) result.power_w[k] = r.power_w;
    result.timing.setup_s += r.timing.setup_s;
    result.timing.solve_s += r.timing.solve_s;
  }
  return result;
}

std::string provenanceVersion(const Backend& backend) {
  std::string version = backend.version();
  if (version == versionString()) version.clear();
  return version;
}

std::unique_ptr<Backend> makeBackend(std::string_view name) {
  if (name == "ngspice") return std::make_unique<NgspiceBackend>();
  if (name == "native") return std::make_unique<NativeBackend>();
  throw Error(fmt::format("unknown backend \"{}\": choose ngspice or native", name));
}

}  // namespace xbarsim::extract
