// OpenBLAS implementation of the BLAS seam.
//
// Threads: OpenBLAS itself always runs single-threaded; GEMMs big enough to split are partitioned by grokscope's
// thread team (kernels/parallel.h) into row or column panels of C, each computed by one single-threaded OpenBLAS
// call. Fused kernels (nn/mlp.cpp) call gemm from inside their own parallel regions, where it runs serially. One
// thread pool for everything means no second set of spinning threads competing for the cores.
//
// Kernel choice: Debian's OpenBLAS 0.3.21 is a DYNAMIC_ARCH build that does not know recent AMD cores (Zen 4/5) and
// falls back to its AVX2 "Haswell" kernels even when the CPU has AVX-512. On a Zen 5 core the AVX-512 "SkylakeX"
// kernels run sgemm about 1.8x faster (docs/performance.md). So, once, before the first BLAS call, when the CPU has
// AVX-512 (F, BW, DQ, VL) and OpenBLAS picked Haswell or Zen kernels, the kernel table is switched to SkylakeX the
// same way OPENBLAS_CORETYPE=SKYLAKEX would at startup (gotoblas_dynamic_quit + gotoblas_dynamic_init, exported
// by DYNAMIC_ARCH builds; declared weak, so other builds of OpenBLAS just keep their choice). Control:
//   OPENBLAS_CORETYPE set by the user          -> OpenBLAS's own choice is kept
//   GROKSCOPE_OPENBLAS_CORETYPE=off            -> keep what OpenBLAS picked
//   GROKSCOPE_OPENBLAS_CORETYPE=<name>         -> force that OpenBLAS core name (e.g. HASWELL, SKYLAKEX)
//   unset or "auto"                            -> the rule above
#include "grokscope/kernels/blas.h"

#include <cblas.h>

#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>

#include "grokscope/kernels/parallel.h"

extern "C" {
void gotoblas_dynamic_init(void) __attribute__((weak));
void gotoblas_dynamic_quit(void) __attribute__((weak));
}

namespace grokscope::kernels {

namespace {

CBLAS_TRANSPOSE to_cblas(Trans t) { return t == Trans::yes ? CblasTrans : CblasNoTrans; }

bool cpu_has_avx512() {
#if defined(__x86_64__)
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl");
#else
  return false;
#endif
}

void choose_openblas_kernels() {
  if (std::getenv("OPENBLAS_CORETYPE") != nullptr) return;
  if (gotoblas_dynamic_init == nullptr || gotoblas_dynamic_quit == nullptr) return;
  const char* mode = std::getenv("GROKSCOPE_OPENBLAS_CORETYPE");
  std::string target;
  if (mode == nullptr || std::strcmp(mode, "auto") == 0 || *mode == '\0') {
    const std::string core = openblas_get_corename();
    if ((core == "Haswell" || core == "Zen") && cpu_has_avx512()) target = "SKYLAKEX";
  } else if (std::strcmp(mode, "off") != 0) {
    target = mode;
  }
  if (target.empty()) return;
  setenv("OPENBLAS_CORETYPE", target.c_str(), 1);
  gotoblas_dynamic_quit();
  gotoblas_dynamic_init();
  unsetenv("OPENBLAS_CORETYPE");
}

void ensure_configured() {
  static std::once_flag once;
  std::call_once(once, [] {
    choose_openblas_kernels();
    openblas_set_num_threads(1);
  });
}

void gemm_serial(Trans ta, Trans tb, int m, int n, int k, float alpha, const float* a, int lda, const float* b,
                 int ldb, float beta, float* c, int ldc) {
  cblas_sgemm(CblasRowMajor, to_cblas(ta), to_cblas(tb), m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void gemm_serial(Trans ta, Trans tb, int m, int n, int k, double alpha, const double* a, int lda, const double* b,
                 int ldb, double beta, double* c, int ldc) {
  cblas_dgemm(CblasRowMajor, to_cblas(ta), to_cblas(tb), m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
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

}  // namespace grokscope::kernels
