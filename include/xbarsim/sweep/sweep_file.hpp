// SPDX-License-Identifier: MIT
#pragma once
/// @file The HDF5 layout of a sweep result (data/hdf5_schema.md, "sweep"), written point by point.
///
/// All at the root, so that `xarray.open_dataset(f, engine="h5netcdf")` labels everything:
///  - `point` (N) int64 dimension scale; every per-point dataset has `point` as first dimension.
///  - one coordinate variable per axis, named by its dotted key (`array.r_row_ohm`), holding
///    the point's resolved value (also for points of blocks that do not sweep it); every
///    per-point dataset lists the axes in its CF `coordinates` attribute.
///  - `status` (N) int64: 0 pending, 1 done, 2 failed (CF flag_values/flag_meanings);
///    `message` (N) string: the error of a failed point; `block` (N): its [[sweep]] block;
///    `point_config` (N) string: the point's full resolved configuration (TOML).
///  - per-point dimensions as dimension scales (`input`, `output`, `time`, ...) of the largest
///    extent, and `<dim>_count` (N): each point's own extent. Results (point, dims...) float64
///    with `units`, padded with NaN beyond a point's extent and NaN for pending/failed points.
///  - `/provenance/point_wall_s`, `/provenance/point_rank` (N): run-dependent.

#include <cstddef>
#include <string>
#include <vector>

#include "xbarsim/io/hdf5_file.hpp"
#include "xbarsim/sweep/plan.hpp"

namespace xbarsim::sweep {

/// Shard i of n (job arrays); which points it holds is decided by assignShards().
struct ShardSpec {
  std::size_t index = 0;
  std::size_t count = 1;
  [[nodiscard]] bool active() const noexcept { return count > 1; }
};

/// The shard of every point: points taken by decreasing estimated cost (ties: lower index
/// first), each dealt to the shard with the least cost so far (ties: lower shard). Depends only
/// on the plan, so every shard of a job array computes the same assignment.
[[nodiscard]] std::vector<std::size_t> assignShards(const std::vector<double>& costs, std::size_t count);

struct Counts {
  std::size_t done = 0, failed = 0, pending = 0;
};

/// Writes the whole layout with no point done (status pending, results NaN).
void writeSweepLayout(io::H5File& h5, const SweepPlan& plan, const std::string& command_line,
                      const ShardSpec& shard);
/// Writes the points' status, message, results (padded; a failed point keeps its result rows)
/// and provenance rows, in order (a point given twice ends as its last outcome). One write per
/// dataset for all of them: a sweep flushes its points in batches, and a compressed chunk
/// rewritten per point made each flush cost milliseconds per point.
/// @throws Error if a field's shape exceeds the layout.
void writeOutcomes(io::H5File& h5, const SweepPlan& plan,
                   const std::vector<PointOutcome>& outcomes);
/// The names of a "sweep_axes" or "sweep_fields" root attribute (space-separated).
[[nodiscard]] std::vector<std::string> splitNames(const std::string& attribute_text);
/// Root attributes points_done, points_failed, points_pending.
void writeCounts(io::H5File& h5, const Counts& counts);

/// Unit of a configuration key from its suffix (_ohm → ohm, _v → V, _s → s or S for
/// conductances, _a → A, none → 1).
[[nodiscard]] std::string unitsOfKey(const std::string& key);

}  // namespace xbarsim::sweep
