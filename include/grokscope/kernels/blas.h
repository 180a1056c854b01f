// The BLAS seam: row-major GEMM and thread control. The only place that includes cblas.h is src/kernels/blas.cpp,
// so a GPU backend or another BLAS can replace it in one file.
#pragma once

#include <string>

namespace grokscope::kernels {

enum class Trans { no, yes };

// C (m x n) = alpha * op(A) (m x k) * op(B) (k x n) + beta * C, all row-major with leading dimensions lda, ldb, ldc.
// Split into panels over the thread team when big enough; serial when called inside a parallel region.
template <class T>
void gemm(Trans trans_a, Trans trans_b, int m, int n, int k, T alpha, const T* a, int lda, const T* b, int ldb,
          T beta, T* c, int ldc);

// Threads for GEMMs and the other kernels: sets the size of grokscope's thread team (kernels/parallel.h); 0 means all
// cores. The BLAS library itself runs single-threaded inside the team's panels (see src/kernels/blas.cpp). Returns
// the count now in effect.
int set_blas_threads(int threads);
int blas_threads();
// Name and configuration of the BLAS in use (for reports), and the name of the kernel set it runs (OpenBLAS core).
const char* blas_name();
const char* blas_core();
// OpenBLAS picks its kernels from the CPU model; a virtual machine that hides the model ("Intel Xeon Processor")
// gets the generic SSE3 kernels ("Prescott") however wide its vectors. Returns the OPENBLAS_CORETYPE that matches
// the CPU's features ("SkylakeX" with AVX-512, "Haswell" with AVX2 + FMA) when OpenBLAS chose one of the pre-AVX2
// fallbacks, else "". Measured on such a VM (2-core Xeon with AVX-512): 1.8x faster training at width 256.
std::string preferred_blas_core();

namespace detail {
// OpenBLAS runs single-threaded inside grokscope's team (set once, before the first BLAS or LAPACK call), so that
// results do not depend on OpenBLAS's own thread count.
void ensure_blas_configured();
}  // namespace detail

}  // namespace grokscope::kernels
