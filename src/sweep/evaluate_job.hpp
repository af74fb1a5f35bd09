// SPDX-License-Identifier: MIT
#pragma once
// Private: the evaluate job (built when the dnn module is part of the build).

#include <memory>

#include "xbarsim/sweep/job.hpp"

namespace xbarsim::sweep {

/// Network accuracy vs time per point (dnn::evaluateNetwork with the point's configuration).
[[nodiscard]] std::unique_ptr<Job> makeEvaluateJob(const SweepSpec& spec, const JobOptions& options,
                                                   const core::Config& base);

}  // namespace xbarsim::sweep
