// SPDX-License-Identifier: MIT
#include "xbarsim/circuit/device_cells.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "xbarsim/core/error.hpp"

namespace xbarsim::circuit {
namespace {

// Central-difference steps: state (SPICE units, O(1)) and voltage (V).
double stateStep(double x) { return 1e-6 * std::max(1.0, std::abs(x)); }
double voltageStep(double v) { return 1e-6 * std::max(1.0, std::abs(v)); }

}  // namespace

DeviceCells::DeviceCells(std::shared_ptr<const device::DeviceModel> model, Eigen::MatrixXd x0)
    : model_(std::move(model)), x0_(std::move(x0)) {
  if (!model_) throw Error("device cells: no device model");
  if (model_->variationStep() > 0.0)
    throw Error(fmt::format("device cells: the {} parameter set has dynamic variation (variation "
                            "step {:.3g} s), which the crossbar transient does not integrate",
                            model_->spiceSubcircuit(), model_->variationStep()));
  scale_ = model_->stateInfo().spice_scale;
  if (!(scale_ > 0.0)) throw Error("device cells: the model's state scale must be > 0");
  for (Eigen::Index k = 0; k < x0_.size(); ++k) {
    if (!std::isfinite(x0_(k))) throw Error("device cells: initial state is not finite");
    x0_(k) = model_->clampState(x0_(k));
  }
}

void DeviceCells::initialState(Eigen::Index i, Eigen::Index j, double* x) const {
  if (i < 0 || j < 0 || i >= x0_.rows() || j >= x0_.cols())
    throw Error(fmt::format("device cells: no initial state for cell ({},{}) in a {}x{} matrix", i, j,
                            x0_.rows(), x0_.cols()));
  x[0] = x0_(i, j) / scale_;
}

double DeviceCells::current(Eigen::Index, Eigen::Index, double v, const double* x, double* di_dv,
                            double* di_dx) const {
  const double xs = x[0] * scale_;
  *di_dv = model_->conductance(v, xs);
  if (di_dx) {
    const double h = stateStep(x[0]);
    di_dx[0] = (model_->current(v, (x[0] + h) * scale_) - model_->current(v, (x[0] - h) * scale_)) / (2.0 * h);
  }
  return model_->current(v, xs);
}

double DeviceCells::scaledRate(double v, double x) const { return model_->stateRate(v, x * scale_) / scale_; }

void DeviceCells::stateRate(Eigen::Index, Eigen::Index, double v, const double* x, double* rate,
                            double* drate_dv, double* drate_dx) const {
  rate[0] = scaledRate(v, x[0]);
  const double hv = voltageStep(v), hx = stateStep(x[0]);
  drate_dv[0] = (scaledRate(v + hv, x[0]) - scaledRate(v - hv, x[0])) / (2.0 * hv);
  drate_dx[0] = (scaledRate(v, x[0] + hx) - scaledRate(v, x[0] - hx)) / (2.0 * hx);
}

std::string DeviceCells::spiceLibrary() const {
  return fmt::format("* ---- devices/{} ----\n{}\n* ---- end of devices/{} ----\n",
                     model_->spiceLibraryFile(), model_->spiceLibrary(), model_->spiceLibraryFile());
}

std::string DeviceCells::spiceInstance(Eigen::Index i, Eigen::Index j, std::string_view name,
                                       std::string_view te, std::string_view be) const {
  double x = 0.0;
  initialState(i, j, &x);  // checks (i,j)
  return model_->spiceInstance(name, te, be, x0_(i, j));
}

std::string DeviceCells::spiceStateNode(int k) const { return k == 0 ? "x" : ""; }

}  // namespace xbarsim::circuit
