// SPDX-License-Identifier: MIT
#include "detail/native_dense.hpp"

#include "detail/native_dense_kernel.inc"

namespace xbarsim::circuit::detail::dense {

bool eliminateBaseline(double* m, long n, long k) { return kernelBody(m, n, k); }

namespace {
bool useAvx2() noexcept {
#if defined(__x86_64__) && defined(XBARSIM_HAVE_AVX2_KERNEL)
  static const bool ok = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  return ok;
#else
  return false;
#endif
}
}  // namespace

bool haveAvx2Kernel() noexcept { return useAvx2(); }

const char* kernelName() noexcept { return useAvx2() ? "avx2-fma" : "baseline"; }

bool choleskyEliminate(double* m, Eigen::Index n, Eigen::Index k) {
#if defined(XBARSIM_HAVE_AVX2_KERNEL)
  if (useAvx2()) return eliminateAvx2(m, static_cast<long>(n), static_cast<long>(k));
#endif
  return eliminateBaseline(m, static_cast<long>(n), static_cast<long>(k));
}

}  // namespace xbarsim::circuit::detail::dense
