// The LAPACK seam: the one dense factorization the metrics need often. src/kernels/lapack.cpp is the only file that
// declares LAPACK symbols (OpenBLAS ships LAPACK), so another backend replaces it in one file.
#pragma once

#include <cstdint>

namespace grokscope::kernels {

// Singular values of the column-major m x n matrix a (leading dimension m), descending, into s[0 .. min(m, n)):
// LAPACK's dgesdd without vectors (the divide-and-conquer driver; values to high relative accuracy). `a` is
// overwritten. Returns false when LAPACK reports a failure (the caller falls back to another method).
// Measured against Eigen's BDCSVD on a 2-core Intel Xeon (AVX-512), one thread: 3-4x faster on the probes'
// shapes (128 x 194: 3.3 vs 12 ms; 1024 x 194: 11 vs 29 ms), values equal to 4e-15 relative.
bool singular_values_lapack(double* a, int64_t m, int64_t n, double* s);

}  // namespace grokscope::kernels
