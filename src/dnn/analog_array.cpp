// SPDX-License-Identifier: MIT
#include "xbarsim/dnn/analog_array.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cmath>

#include "xbarsim/core/error.hpp"
#include "xbarsim/device/random.hpp"
#include "xbarsim/device/registry.hpp"

namespace xbarsim::dnn {
namespace {

constexpr std::uint64_t kDeviceTag = 0x4432;  // d2d draws: (tag, array, cell)
constexpr std::uint64_t kCycleTag = 0x4332;   // c2c noise: (tag, array, step)
constexpr std::uint64_t kReadTag = 0x5244;    // read noise: (tag, stream)

/// BL_eff slot mask with each bit set with probability p (two 32-bit uniforms per draw).
std::uint32_t slotMask(double p, int slots, std::mt19937_64& engine) {
  if (p <= 0.0) return 0;
  const auto threshold = static_cast<std::uint64_t>(std::min(p, 1.0) * 4294967296.0);
  std::uint32_t mask = 0;
  for (int t = 0; t < slots; t += 2) {
    const std::uint64_t r = engine();
    if ((r & 0xffffffffULL) < threshold) mask |= 1u << t;
    if (t + 1 < slots && (r >> 32) < threshold) mask |= 1u << (t + 1);
  }
  return mask;
}

/// Slots and probability scales of one sample's pulse trains (bl = 0: nothing to do).
struct Train {
  int bl = 0;
  double cx = 0.0, cd = 0.0;
};

Train sampleTrain(const Matrix& x, const Matrix& delta, Index s, double lr_dev, double dw_min,
                  const PulseTrainOptions& o) {
  const double xmax = x.col(s).cwiseAbs().maxCoeff();
  const double dmax = delta.col(s).cwiseAbs().maxCoeff();
  if (xmax <= 0.0 || dmax <= 0.0) return {};
  const double total = lr_dev * xmax * dmax / dw_min;  // expected pulses at the largest cell
  Train t;
  t.bl = o.bl_management ? std::clamp(static_cast<int>(std::ceil(total)), 1, o.bl) : o.bl;
  const double c = lr_dev / (dw_min * t.bl);  // c_x c_d
  const double ratio = o.update_management ? std::sqrt(dmax / xmax) : 1.0;
  t.cx = std::sqrt(c) * ratio;
  t.cd = std::sqrt(c) / ratio;
  return t;
}

}  // namespace

// ---- physics ------------------------------------------------------------------------------------

void ArrayPhysics::pulseEfficiency(const std::vector<std::int8_t>& row_sign,
                                   const std::vector<std::int8_t>& col_sign,
                                   Matrix& factor) const {
  factor.setZero(static_cast<Index>(col_sign.size()), static_cast<Index>(row_sign.size()));
  for (std::size_t j = 0; j < row_sign.size(); ++j)
    if (row_sign[j] != 0)
      for (std::size_t i = 0; i < col_sign.size(); ++i)
        factor(static_cast<Index>(i), static_cast<Index>(j)) =
            -static_cast<float>(row_sign[j] * col_sign[i]);
}

IdealPhysics::IdealPhysics(double read_noise, double out_bound, std::uint64_t seed)
    : read_noise_(read_noise), out_bound_(out_bound), seed_(seed) {}

void IdealPhysics::perturb(const Matrix& w, Matrix& y, std::uint64_t stream) const {
  if (read_noise_ > 0.0) {
    RngStream rng(seed_, StreamPurpose::ReadNoise, streamIndex({kReadTag, stream}));
    const auto sd = static_cast<float>(read_noise_ * w.cwiseAbs().maxCoeff());
    float* p = y.data();
    for (Index k = 0; k < y.size(); ++k) p[k] += sd * static_cast<float>(device::standardNormal(rng));
  }
  if (out_bound_ > 0.0) {
    const auto b = static_cast<float>(out_bound_);
    y = y.cwiseMax(-b).cwiseMin(b);
  }
}

void IdealPhysics::forward(const Matrix& w, const Matrix& x, Matrix& y, std::uint64_t stream) const {
  y.noalias() = w * x;
  perturb(w, y, 2 * stream);
}

void IdealPhysics::backward(const Matrix& w, const Matrix& delta, Matrix& d,
                            std::uint64_t stream) const {
  d.noalias() = w.transpose() * delta;
  perturb(w, d, 2 * stream + 1);
}

// ---- pulse counts -------------------------------------------------------------------------------

long stochasticCounts(const Matrix& x, const Matrix& delta, double lr_dev, double dw_min,
                      const PulseTrainOptions& o, RngStream& rng, IntMatrix& up, IntMatrix& down) {
  if (o.bl < 1 || o.bl > 31) throw ConfigError("", 0, "train.bl", "must be in 1..31");
  const Index in = x.rows(), out = delta.rows();
  // Per slot, the firing rows and columns (index, sign): the coincidences of slot t are their
  // product set, so the work is the number of pulses, not in × out per sample.
  struct Fire {
    Index index;
    bool positive;
  };
  std::vector<std::vector<Fire>> rows(static_cast<std::size_t>(o.bl)), cols(rows.size());
  long slots_used = 0;
  for (Index s = 0; s < x.cols(); ++s) {
    const Train tr = sampleTrain(x, delta, s, lr_dev, dw_min, o);
    if (tr.bl == 0) continue;
    const int bl = tr.bl;
    const double cx = tr.cx, cd = tr.cd;
    slots_used += bl;
    for (int t = 0; t < bl; ++t) {
      rows[static_cast<std::size_t>(t)].clear();
      cols[static_cast<std::size_t>(t)].clear();
    }
    for (Index j = 0; j < in; ++j)
      for (std::uint32_t m = slotMask(cx * std::abs(x(j, s)), bl, rng.engine()); m != 0; m &= m - 1)
        rows[static_cast<std::size_t>(std::countr_zero(m))].push_back({j, x(j, s) > 0.0f});
    for (Index i = 0; i < out; ++i)
      for (std::uint32_t m = slotMask(cd * std::abs(delta(i, s)), bl, rng.engine()); m != 0;
           m &= m - 1)
        cols[static_cast<std::size_t>(std::countr_zero(m))].push_back({i, delta(i, s) > 0.0f});
    for (int t = 0; t < bl; ++t)
      for (const Fire& r : rows[static_cast<std::size_t>(t)]) {
        std::int32_t* u = up.col(r.index).data();
        std::int32_t* dn = down.col(r.index).data();
        // Δw = -lr x δ: same signs -> a down pulse.
        for (const Fire& c : cols[static_cast<std::size_t>(t)]) ++(r.positive == c.positive ? dn : u)[c.index];
      }
  }
  return slots_used;
}

long stochasticSlotUpdate(PulsedArray& a, const Matrix& x, const Matrix& delta, double lr_dev,
                          const PulseTrainOptions& o, const ArrayPhysics& physics, RngStream& rng) {
  const Index in = x.rows(), out = delta.rows();
  std::vector<std::uint32_t> xm(static_cast<std::size_t>(in)), dm(static_cast<std::size_t>(out));
  std::vector<std::int8_t> row_sign(xm.size()), col_sign(dm.size());
  Matrix factor;
  long slots_used = 0;
  for (Index s = 0; s < x.cols(); ++s) {
    const Train tr = sampleTrain(x, delta, s, lr_dev, a.dwMin(), o);
    if (tr.bl == 0) continue;
    slots_used += tr.bl;
    for (Index j = 0; j < in; ++j)
      xm[static_cast<std::size_t>(j)] = slotMask(tr.cx * std::abs(x(j, s)), tr.bl, rng.engine());
    for (Index i = 0; i < out; ++i)
      dm[static_cast<std::size_t>(i)] = slotMask(tr.cd * std::abs(delta(i, s)), tr.bl, rng.engine());
    for (int t = 0; t < tr.bl; ++t) {
      bool any = false;
      for (Index j = 0; j < in; ++j) {
        const bool on = ((xm[static_cast<std::size_t>(j)] >> t) & 1u) != 0;
        row_sign[static_cast<std::size_t>(j)] = on ? (x(j, s) > 0.0f ? 1 : -1) : 0;
        any = any || on;
      }
      for (Index i = 0; i < out; ++i) {
        const bool on = ((dm[static_cast<std::size_t>(i)] >> t) & 1u) != 0;
        col_sign[static_cast<std::size_t>(i)] = on ? (delta(i, s) > 0.0f ? 1 : -1) : 0;
        any = any || on;
      }
      if (!any) continue;
      physics.pulseEfficiency(row_sign, col_sign, factor);
      a.applyEfficiency(factor, rng);
    }
  }
  return slots_used;
}

void deterministicCounts(const Matrix& x, const Matrix& delta, double lr_dev, double dw_min,
                         IntMatrix& counts) {
  Matrix g;
  g.noalias() = delta * x.transpose();
  const auto f = static_cast<float>(-lr_dev / dw_min);
  counts = (g * f).array().round().cast<std::int32_t>().matrix();
}

void PulsedWeights::applySigned(const IntMatrix& counts, std::uint64_t step) {
  applyCounts(counts.cwiseMax(0), (-counts).cwiseMax(0), step);
}

// ---- one device per weight ----------------------------------------------------------------------

PulsedArray::PulsedArray(Index out, Index in, std::shared_ptr<const device::UpdateModel> model,
                         std::uint64_t seed, std::uint64_t array_id)
    : stream_seed(seed), model_(std::move(model)), w_(Matrix::Zero(out, in)), id_(array_id) {
  devices_.reserve(static_cast<std::size_t>(out * in));
  for (Index j = 0; j < in; ++j) {  // one stream per column (row j of the crossbar)
    RngStream rng(seed, StreamPurpose::Variation,
                  streamIndex({kDeviceTag, array_id, static_cast<std::uint64_t>(j)}));
    for (Index i = 0; i < out; ++i) devices_.push_back(model_->drawDevice(rng));
  }
  for (Index j = 0; j < in; ++j)
    for (Index i = 0; i < out; ++i)
      w_(i, j) = static_cast<float>(std::clamp(0.0, cell(i, j).w_min, cell(i, j).w_max));
}

void PulsedArray::pulseCell(Index i, Index j, int n, RngStream& rng) {
  if (n == 0) return;
  const device::UpdateDevice& dev = cell(i, j);
  w_(i, j) = static_cast<float>(
      model_->applyPulses(dev, w_(i, j), std::max(n, 0), std::max(-n, 0), rng));
  pulses_ += std::abs(n);
}

void PulsedArray::applyCounts(const IntMatrix& up, const IntMatrix& down, std::uint64_t step) {
  RngStream rng(stream_seed, StreamPurpose::Variation, streamIndex({kCycleTag, id_, step}));
  const Index n = w_.size();
  const std::int32_t* pu = up.data();
  const std::int32_t* pd = down.data();
  float* pw = w_.data();
  long total = 0;
  if (fast_pulses) {
    device::NormalPairs normal(rng);
    const device::UpdateModel& model = *model_;
    for (Index k = 0; k < n; ++k) {  // column-major, as the devices
      const int nu = pu[k], nd = pd[k];
      if ((nu | nd) == 0) continue;
      pw[k] = static_cast<float>(
          model.applyPulsesFast(devices_[static_cast<std::size_t>(k)], pw[k], nu, nd, normal));
      total += nu + nd;
    }
  } else {
    for (Index k = 0; k < n; ++k) {
      const int nu = pu[k], nd = pd[k];
      if ((nu | nd) == 0) continue;
      pw[k] = static_cast<float>(
          model_->applyPulses(devices_[static_cast<std::size_t>(k)], pw[k], nu, nd, rng));
      total += nu + nd;
    }
  }
  pulses_ += static_cast<double>(total);
}

void PulsedArray::applyEfficiency(const Matrix& factor, RngStream& rng) {
  for (Index j = 0; j < w_.cols(); ++j)
    for (Index i = 0; i < w_.rows(); ++i) {
      const float f = factor(i, j);
      if (f == 0.0f || (std::abs(f) < 1.0f && rng.uniform() >= std::abs(f))) continue;
      w_(i, j) = static_cast<float>(model_->pulse(cell(i, j), w_(i, j), f > 0 ? 1 : -1, rng));
      pulses_ += 1;
    }
}

void PulsedArray::program(const Matrix& target) {
  for (Index j = 0; j < w_.cols(); ++j)
    for (Index i = 0; i < w_.rows(); ++i) setCell(i, j, target(i, j));
}

void PulsedArray::setCell(Index i, Index j, double w) {
  const device::UpdateDevice& d = cell(i, j);
  w_(i, j) = static_cast<float>(std::clamp(w, std::min(d.w_min, d.w_max), d.w_max));
}

double PulsedArray::saturatedFraction() const {
  const double eps = model_->common().dw_min;
  long n = 0;
  for (Index j = 0; j < w_.cols(); ++j)
    for (Index i = 0; i < w_.rows(); ++i) {
      const device::UpdateDevice& d = cell(i, j);
      if (w_(i, j) >= d.w_max - eps || w_(i, j) <= d.w_min + eps) ++n;
    }
  return static_cast<double>(n) / static_cast<double>(std::max<Index>(1, w_.size()));
}

Matrix PulsedArray::symmetryPoints() const {
  Matrix sp(w_.rows(), w_.cols());
  for (Index j = 0; j < w_.cols(); ++j)
    for (Index i = 0; i < w_.rows(); ++i) {
      const device::UpdateDevice& d = cell(i, j);
      double lo = std::min(d.w_min, d.w_max), hi = d.w_max;
      // up + down is decreasing in w for every family with a symmetry point.
      auto net = [&](double w) { return model_->meanStep(d, w, 1) + model_->meanStep(d, w, -1); };
      const double n_lo = net(lo), n_hi = net(hi);
      if (n_lo <= 0.0 && n_hi >= 0.0) {  // no drift anywhere (symmetric constant step)
        sp(i, j) = static_cast<float>(std::clamp(0.0, lo, hi));
        continue;
      }
      if (n_lo <= 0.0) { sp(i, j) = static_cast<float>(lo); continue; }
      if (n_hi >= 0.0) { sp(i, j) = static_cast<float>(hi); continue; }
      for (int k = 0; k < 50; ++k) {
        const double mid = 0.5 * (lo + hi);
        (net(mid) > 0.0 ? lo : hi) = mid;
      }
      sp(i, j) = static_cast<float>(0.5 * (lo + hi));
    }
  return sp;
}

// ---- one-sided pair -----------------------------------------------------------------------------

PcmPair::PcmPair(Index out, Index in, std::shared_ptr<const device::UpdateModel> model,
                 std::uint64_t seed, std::uint64_t array_id, double refresh_fraction,
                 double baseline)
    : plus_(out, in, model, seed, 2 * array_id),
      minus_(out, in, model, seed, 2 * array_id + 1),
      refresh_fraction_(refresh_fraction),
      id_(array_id),
      granularity_(meanGranularity(plus_.model())),
      baseline_(baseline) {
  for (PulsedArray* side : {&plus_, &minus_})
    for (Index j = 0; j < in; ++j)
      for (Index i = 0; i < out; ++i) side->setCell(i, j, level(*side, i, j));
  update();
}

double PcmPair::level(const PulsedArray& side, Index i, Index j) const {
  const device::UpdateDevice& d = side.cell(i, j);
  return d.w_min + baseline_ * (d.w_max - d.w_min);
}

double PcmPair::cellWeight(Index i, Index j) const {
  return (plus_.weights()(i, j) - level(plus_, i, j)) - (minus_.weights()(i, j) - level(minus_, i, j));
}

double PcmPair::meanGranularity(const device::UpdateModel& model) {
  const device::UpdateDevice d = model.nominalDevice();
  long pulses = 0;
  for (double g = d.w_min; g < d.w_max - 1e-12 && pulses < 1000000; ++pulses) {
    const double step = model.meanStep(d, g, 1);
    if (step <= 0.0) break;
    g += step;
  }
  return pulses > 0 ? (d.w_max - d.w_min) / static_cast<double>(pulses) : model.common().dw_min;
}

void PcmPair::update() {
  w_.resize(plus_.rows(), plus_.cols());
  for (Index j = 0; j < w_.cols(); ++j)
    for (Index i = 0; i < w_.rows(); ++i) w_(i, j) = static_cast<float>(cellWeight(i, j));
}

void PcmPair::applyCounts(const IntMatrix& up, const IntMatrix& down, std::uint64_t step) {
  const IntMatrix none = IntMatrix::Zero(up.rows(), up.cols());
  plus_.applyCounts(up, none, step);
  minus_.applyCounts(down, none, step);
  update();
}

void PcmPair::addToCell(Index i, Index j, double amount, RngStream& rng) {
  const double target = w_(i, j) + amount;
  auto weight = [&] { return cellWeight(i, j); };
  // Closed loop: a SET pulse on the side that moves w toward the target, until the error is
  // below half that side's next step or its pulse-to-pulse spread, whichever is larger (a
  // tighter target is not reachable with such pulses); an overshoot is corrected from the other
  // side; at most kMaxPulses pulses.
  constexpr int kMaxPulses = 20;
  for (int k = 0; k < kMaxPulses; ++k) {
    const double err = target - weight();
    PulsedArray& side = err >= 0.0 ? plus_ : minus_;
    const double g = side.weights()(i, j);
    const double step = side.model().meanStep(side.cell(i, j), g, 1);
    const double spread = side.model().stepStd(side.cell(i, j), g, 1);
    if (step <= 0.0 || std::abs(err) < 0.5 * std::max(step, spread)) break;
    side.pulseCell(i, j, 1, rng);
  }
  w_(i, j) = static_cast<float>(weight());
}

void PcmPair::refreshCell(Index i, Index j, RngStream& rng) {
  const double w = w_(i, j);
  plus_.setCell(i, j, level(plus_, i, j));
  minus_.setCell(i, j, level(minus_, i, j));
  w_(i, j) = 0.0f;
  addToCell(i, j, w, rng);
  ++refreshes_;
}

void PcmPair::maintain(std::uint64_t step) {
  RngStream rng(plus_.stream_seed, StreamPurpose::Variation,
                streamIndex({0x5246, id_, step}));  // refresh programming noise
  for (Index j = 0; j < w_.cols(); ++j)
    for (Index i = 0; i < w_.rows(); ++i) {
      bool full = false;
      for (const PulsedArray* side : {&plus_, &minus_}) {
        const device::UpdateDevice& d = side->cell(i, j);
        full = full || side->weights()(i, j) > d.w_min + refresh_fraction_ * (d.w_max - d.w_min);
      }
      if (full) refreshCell(i, j, rng);
    }
}

void PcmPair::program(const Matrix& target) {
  RngStream rng(plus_.stream_seed, StreamPurpose::Programming, streamIndex({0x5047, id_}));
  w_ = target;
  for (Index j = 0; j < w_.cols(); ++j)
    for (Index i = 0; i < w_.rows(); ++i) {
      // Ideal programming of the initial weights: the nearest reachable value, no pulses.
      PulsedArray& side = target(i, j) >= 0.0f ? plus_ : minus_;
      PulsedArray& other = target(i, j) >= 0.0f ? minus_ : plus_;
      other.setCell(i, j, level(other, i, j));
      side.setCell(i, j, level(side, i, j) + std::abs(target(i, j)));
    }
  update();
}

double PcmPair::saturatedFraction() const {
  // A side at its lower bound is reset, not saturated: count the upper bound only.
  long n = 0;
  for (const PulsedArray* side : {&plus_, &minus_})
    for (Index j = 0; j < w_.cols(); ++j)
      for (Index i = 0; i < w_.rows(); ++i)
        if (side->weights()(i, j) >= side->cell(i, j).w_max - side->dwMin()) ++n;
  return static_cast<double>(n) / static_cast<double>(std::max<Index>(1, 2 * w_.size()));
}

// ---- factory ------------------------------------------------------------------------------------

std::shared_ptr<const device::UpdateModel> makeTrainingModel(
    const std::string& device, const std::vector<std::pair<std::string, double>>& params) {
  const std::string kind = device == "pcm-pair" ? "pcm-exp-step" : device;
  std::span<const device::ParamInfo> table;
  try {
    table = device::updateParameters(kind);  // update kinds, compact kinds and their cards
  } catch (const Error&) {
    throw ConfigError("", 0, "train.device",
                      fmt::format("\"{}\" has no pulsed update face (constant-step | soft-bounds "
                                  "| pow-step | pcm-exp-step | pcm-pair, or a compact model: "
                                  "pcm_pulse_gst | rram_stanford | vteam)",
                                  device));
  }
  device::ParamSet set(table);
  for (const auto& [name, value] : params) {
    try {
      set.set(name, value);
    } catch (const Error& e) {
      throw ConfigError("", 0, "train.device_params", e.what());
    }
  }
  return device::makeUpdateModel(kind, set);
}

std::unique_ptr<PulsedWeights> makePulsedWeights(
    const std::string& device, const std::vector<std::pair<std::string, double>>& params,
    Index out, Index in, std::uint64_t seed, std::uint64_t array_id, double refresh_fraction,
    double pair_baseline) {
  auto model = makeTrainingModel(device, params);
  if (device == "pcm-pair" || model->common().w_min >= 0.0)
    return std::make_unique<PcmPair>(out, in, std::move(model), seed, array_id, refresh_fraction,
                                     pair_baseline);
  return std::make_unique<PulsedArray>(out, in, std::move(model), seed, array_id);
}

}  // namespace xbarsim::dnn
