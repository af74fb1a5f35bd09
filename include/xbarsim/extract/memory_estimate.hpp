// SPDX-License-Identifier: MIT
#pragma once
/// @file Memory needed by a crossbar run, checked before any work: an absurd array is refused
/// with one line giving the estimate and the memory available, instead of being killed by the
/// OOM killer (or dying in std::bad_alloc) half-way.
///
/// The estimates are rough but honest: they count what the code holds at its peak, for R rows,
/// C columns, with constants fitted to the peak resident size measured on this code (2026-12,
/// /usr/bin/time, minus the 20 MB of an empty run; the native estimate is checked against it in
/// tests/integration/cli/test_memory_estimate.cpp):
///  - every backend: the R×C cell conductances and their copies (spec, solver, Jacobian) and
///    the C×R W_eff with its copies for the result file: 8 bytes × 8·R·C;
///  - native, grid multifrontal (both wire resistances > 0): the dense root front on
///    [drivers, sense nodes, root separator], n = R + C + min(R, C), the Schur complements of
///    its two children, the (R+C)² multiport matrix and the fronts of the subtree running on
///    the other thread: 8 bytes × 6·n² (measured 540, 536, 504 bytes per cell at 256², 512²,
///    1024²; estimate 496); a non-linear circuit (sinh cells or TIA) also keeps the
///    nested-dissection factors for its Newton solves, 8 bytes × 16·R·C·log2(max(R, C))
///    (sinh 512²: measured 375 MB, estimate 412 MB);
///  - native, sparse LDLᵀ (a zero-ohm wire): the factor and its AMD ordering, 8 bytes × 64·R·C,
///    and the blocks of right-hand sides for W_eff (at most 2^24 doubles) (512², r_row = 0:
///    measured 184 MB, estimate 146 MB);
///  - ngspice: per cell site (one cell and two wire resistors, two nodes) the deck text, the
///    parsed cards, the device instances and the sparse-matrix elements, about 4 KB; a linear
///    circuit is measured by one DC sweep over the R rows that keeps every node voltage at
///    every sweep point, 8 bytes × 2·R·C·R (64²: measured 26 MB, estimate 20 MB);
///  - netlist: the deck text, about 200 bytes per cell site.
/// The memory available is MemAvailable (/proc/meminfo), lowered by a cgroup memory.max and by
/// RLIMIT_AS where those are set; physical memory when /proc is missing.

#include <cstdint>
#include <string>
#include <string_view>

#include "xbarsim/core/config.hpp"

namespace xbarsim::extract {

/// What decides the memory of one crossbar solve.
struct ArrayShape {
  std::int64_t rows = 0;
  std::int64_t cols = 0;
  bool linear = true;        ///< linear cells and ideal sense (no Newton, no stored factors)
  bool ideal_wires = false;  ///< a wire resistance is 0 (native: sparse LDLᵀ instead of the grid)
  bool weights = true;       ///< W_eff (ngspice: a DC sweep over the rows); false: one MVM
};

/// Shape of the array a configuration describes (array.*, device.model, sense.kind).
[[nodiscard]] ArrayShape arrayShapeOf(const core::Config& config, bool weights = true);

/// Estimated peak memory in bytes of W_eff (or MVM currents) of `shape` with `backend`
/// ("native", "ngspice", or "netlist" for writing the deck only). See the file comment.
[[nodiscard]] double estimateMemoryBytes(const ArrayShape& shape, std::string_view backend);

/// Memory this process can still allocate, in bytes (see the file comment).
[[nodiscard]] double availableMemoryBytes();

/// "1.5 GB", "64 TB", "812 kB" (powers of 1024).
[[nodiscard]] std::string formatBytes(double bytes);

/// Refuses (ConfigError on array.rows, naming the file and line) an array whose estimate for
/// `backend` (W_eff, or one MVM when `weights` is false) exceeds `available_bytes` (default:
/// availableMemoryBytes()), e.g.
/// "array 65536x65536: needs about 1.9 TB with the native solver; this machine has 21 GB
/// available; reduce array.rows / array.cols".
void checkArrayMemory(const core::Config& config, std::string_view backend, bool weights = true,
                      double available_bytes = -1.0);

}  // namespace xbarsim::extract
