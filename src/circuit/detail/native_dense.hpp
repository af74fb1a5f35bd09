// SPDX-License-Identifier: MIT
#pragma once
/// @file Dense kernels of the native solver's fronts (private header).
///
/// The kernel is compiled twice: for the baseline ISA of the build and, on x86-64, for
/// AVX2+FMA (in its own translation unit, with Eigen's namespace renamed so the two
/// instantiations never mix). The AVX2 version is chosen at run time when the CPU has it.

#include <Eigen/Core>

namespace xbarsim::circuit::detail::dense {

/// Partial Cholesky of the symmetric n×n matrix at m (column-major, leading dimension n; only
/// the lower triangle is read or written): M11 = L Lᵀ (k×k, in place), M21 <- M21 L⁻ᵀ
/// ((n-k)×k), M22 <- M22 - M21 M21ᵀ. Returns false if M11 is not positive definite.
bool choleskyEliminate(double* m, Eigen::Index n, Eigen::Index k);

/// Name of the kernel variant in use ("avx2-fma" or "baseline").
const char* kernelName() noexcept;

// Raw kernels (same contract), one per variant.
bool eliminateBaseline(double* m, long n, long k);
bool eliminateAvx2(double* m, long n, long k);
bool haveAvx2Kernel() noexcept;

}  // namespace xbarsim::circuit::detail::dense
