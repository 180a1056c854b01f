// OpenBLAS implementation of the BLAS seam.
//
// Threads: OpenBLAS itself always runs single-threaded; GEMMs big enough to split are partitioned by grokscope's
// thread team (kernels/parallel.h) into row or column panels of C, each computed by one single-threaded OpenBLAS
// call. Fused kernels (nn/mlp.cpp) call gemm from inside their own parallel regions, where it runs serially. One
// thread pool for everything means no second set of spinning threads competing for the cores.
//
// Kernel choice is OpenBLAS's (DYNAMIC_ARCH: by CPU, or by the OPENBLAS_CORETYPE environment variable); blas_core()
// reports it. The sgemm rate differs a lot between kernel sets on AVX-512 machines (docs/performance.md).
#include "grokscope/kernels/blas.h"

#include <cblas.h>

#include <mutex>
#include <string>

#include "grokscope/kernels/parallel.h"

namespace grokscope::kernels {

namespace detail {
void ensure_blas_configured() {
  static std::once_flag once;
  std::call_once(once, [] { openblas_set_num_threads(1); });
}
}  // namespace detail

namespace {

CBLAS_TRANSPOSE to_cblas(Trans t) { return t == Trans::yes ? CblasTrans : CblasNoTrans; }

void ensure_configured() { detail::ensure_blas_configured(); }

void gemm_call(Trans ta, Trans tb, int m, int n, int k, float alpha, const float* a, int lda, const float* b,
               int ldb, float beta, float* c, int ldc) {
  cblas_sgemm(CblasRowMajor, to_cblas(ta), to_cblas(tb), m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void gemm_call(Trans ta, Trans tb, int m, int n, int k, double alpha, const double* a, int lda, const double* b,
               int ldb, double beta, double* c, int ldc) {
  cblas_dgemm(CblasRowMajor, to_cblas(ta), to_cblas(tb), m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void gemv_call(Trans t, int rows, int cols, float alpha, const float* a, int lda, const float* x, int incx,
               float beta, float* y, int incy) {
  cblas_sgemv(CblasRowMajor, to_cblas(t), rows, cols, alpha, a, lda, x, incx, beta, y, incy);
}

void gemv_call(Trans t, int rows, int cols, double alpha, const double* a, int lda, const double* x, int incx,
               double beta, double* y, int incy) {
  cblas_dgemv(CblasRowMajor, to_cblas(t), rows, cols, alpha, a, lda, x, incx, beta, y, incy);
}

// One GEMM on the calling thread. A product with one column (n = 1) or one row (m = 1) goes to GEMV: OpenBLAS 0.3.21
// sgemm packs the whole matrix operand even then, which made the diagonal net's X w (256 x 10^5) three times slower
// than a GEMV that streams X once (docs/performance.md).
template <class T>
void gemm_serial(Trans ta, Trans tb, int m, int n, int k, T alpha, const T* a, int lda, const T* b, int ldb, T beta,
                 T* c, int ldc) {
  if (n == 1 && m > 1 && k > 0) {
    // c (m, stride ldc) = op(A) (m x k) * b (k elements: stride ldb, or contiguous when b is a transposed row)
    const int incx = tb == Trans::no ? ldb : 1;
    if (ta == Trans::no)
      gemv_call(Trans::no, m, k, alpha, a, lda, b, incx, beta, c, ldc);
    else
      gemv_call(Trans::yes, k, m, alpha, a, lda, b, incx, beta, c, ldc);
    return;
  }
  if (m == 1 && n > 1 && k > 0) {
    // c (1 x n) = a (k elements) * op(B) (k x n), i.e. c^T = op(B)^T a^T
    const int incx = ta == Trans::no ? 1 : lda;
    if (tb == Trans::no)
      gemv_call(Trans::yes, k, n, alpha, b, ldb, a, incx, beta, c, 1);
    else
      gemv_call(Trans::no, n, k, alpha, b, ldb, a, incx, beta, c, 1);
    return;
  }
  gemm_call(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

// Below this many multiply-adds a GEMM is not worth a parallel region.
constexpr double kMinParallelMacs = 1 << 19;

template <class T>
void gemm_any(Trans ta, Trans tb, int m, int n, int k, T alpha, const T* a, int lda, const T* b, int ldb, T beta,
              T* c, int ldc) {
  ensure_configured();
  const int threads = num_threads();
  const double macs = static_cast<double>(m) * n * k;
  if (threads <= 1 || macs < kMinParallelMacs || (m < 32 && n < 32)) {
    gemm_serial(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    return;
  }
  // Panels of C: rows when C is at least as tall as wide, else columns; boundaries on multiples of 16.
  const bool by_rows = m >= n;
  parallel(threads, [&](int t, int nt) {
    const auto [lo, hi] = partition(by_rows ? m : n, t, nt, 16);
    if (lo >= hi) return;
    const int len = static_cast<int>(hi - lo);
    if (by_rows) {
      const T* a_part = ta == Trans::no ? a + lo * lda : a + lo;
      gemm_serial(ta, tb, len, n, k, alpha, a_part, lda, b, ldb, beta, c + lo * ldc, ldc);
    } else {
      const T* b_part = tb == Trans::no ? b + lo : b + lo * ldb;
      gemm_serial(ta, tb, m, len, k, alpha, a, lda, b_part, ldb, beta, c + lo, ldc);
    }
  });
}

}  // namespace

template <>
void gemm<float>(Trans ta, Trans tb, int m, int n, int k, float alpha, const float* a, int lda, const float* b,
                 int ldb, float beta, float* c, int ldc) {
  gemm_any<float>(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

template <>
void gemm<double>(Trans ta, Trans tb, int m, int n, int k, double alpha, const double* a, int lda, const double* b,
                  int ldb, double beta, double* c, int ldc) {
  gemm_any<double>(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

int set_blas_threads(int threads) {
  ensure_configured();
  return set_num_threads(threads);
}

int blas_threads() { return num_threads(); }

const char* blas_name() {
  ensure_configured();
  return openblas_get_config();
}

const char* blas_core() {
  ensure_configured();
  return openblas_get_corename();
}

std::string preferred_blas_core() {
#if defined(__x86_64__) || defined(__i386__)
  const std::string core = blas_core();
  static const char* const kGeneric[] = {"Prescott", "Core2", "Penryn", "Dunnington", "Nehalem", "Atom",
                                         "Sandybridge", "Katmai", "Coppermine", "Northwood", "Banias"};
  bool generic = false;
  for (const char* g : kGeneric) generic = generic || core == g;
  if (!generic) return "";
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
      __builtin_cpu_supports("avx512dq"))
    return "SkylakeX";
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return "Haswell";
#endif
  return "";
}

}  // namespace grokscope::kernels
