// SPDX-License-Identifier: MIT
// AVX2+FMA build of the dense front kernel (compiled with -mavx2 -mfma). Eigen's namespace is
// renamed in this translation unit so that its template instantiations (compiled for AVX2)
// cannot be merged by the linker with the baseline ones used by the rest of the program.
#define Eigen xbarsim_eigen_avx2
#include "detail/native_dense_kernel.inc"
#undef Eigen

namespace xbarsim::circuit::detail::dense {
bool eliminateAvx2(double* m, long n, long k) { return kernelBody(m, n, k); }
}  // namespace xbarsim::circuit::detail::dense
