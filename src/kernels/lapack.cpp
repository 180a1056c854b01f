// The LAPACK seam (see kernels/lapack.h).
#include "grokscope/kernels/lapack.h"

#include <algorithm>
#include <cstddef>
#include <limits>
#include <vector>

#include "grokscope/kernels/blas.h"

// LAPACK's Fortran interface as OpenBLAS exports it (gfortran ABI: a hidden length after the character argument).
extern "C" void dgesdd_(const char* jobz, const int* m, const int* n, double* a, const int* lda, double* s, double* u,
                        const int* ldu, double* vt, const int* ldvt, double* work, const int* lwork, int* iwork,
                        int* info, std::size_t jobz_len);

namespace grokscope::kernels {

bool singular_values_lapack(double* a, int64_t m64, int64_t n64, double* s) {
  constexpr int64_t kMax = std::numeric_limits<int>::max();
  if (m64 <= 0 || n64 <= 0) return true;
  if (m64 > kMax || n64 > kMax || m64 * n64 > kMax) return false;   // LAPACK's 32-bit sizes
  detail::ensure_blas_configured();   // single-threaded, as every BLAS call of grokscope
  const int m = static_cast<int>(m64), n = static_cast<int>(n64), lda = m, one = 1;
  std::vector<int> iwork(static_cast<size_t>(8 * std::min(m, n)));
  double unused = 0.0, query = 0.0;
  int lwork = -1, info = 0;
  dgesdd_("N", &m, &n, a, &lda, s, &unused, &one, &unused, &one, &query, &lwork, iwork.data(), &info, 1);
  if (info != 0) return false;
  lwork = static_cast<int>(query);
  std::vector<double> work(static_cast<size_t>(std::max(lwork, 1)));
  dgesdd_("N", &m, &n, a, &lda, s, &unused, &one, &unused, &one, work.data(), &lwork, iwork.data(), &info, 1);
  return info == 0;
}

}  // namespace grokscope::kernels
