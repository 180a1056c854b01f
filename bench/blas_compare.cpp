// OpenBLAS (grokscope's BLAS seam, kernels::gemm on one thread) against BLIS (Debian's libblis, its native typed
// API bli_?gemm, one thread) on the GEMM shapes a grokscope step actually runs, for choosing the library behind
// src/kernels/blas.cpp by measurement (issue 22; docs/performance.md, "OpenBLAS or BLIS").
//   shapes: the Lyu step's three GEMMs (n = 3763 rows, 97 classes; forward z = h W2^T, weight gradient
//   dW2 = delta^T h, hidden delta dh = delta W2) at widths 128, 512 and 1024, once over all rows and once in the
//   row blocks the MLP runs (nn/mlp.cpp: 16 blocks of 240 rows, dW2 accumulated); matrix completion's four
//   97 x 97 x 97 GEMMs (nn/matrix_factorization.cpp, dense path).
// Prints, per case, the best of 9 repetitions (ms) of each library and the ratio. Built only when BLIS is installed
// (scripts/install-deps.sh bench installs libblis-dev).
//
// BLIS is opened with dlopen(RTLD_LOCAL), not linked: it exports the same cblas_* and BLAS symbols as OpenBLAS, and a
// linked libblis listed first would silently take over the seam's own cblas_sgemm calls (seen: both columns then
// measured BLIS). blis.h supplies the types only.
//   usage: grokscope_blas_compare [path of libblis.so.4]
#include <blis.h>
#include <dlfcn.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "grokscope/kernels/blas.h"

namespace {

using grokscope::kernels::Trans;

// One row-major sgemm C = alpha op(A) op(B) + beta C through either library.
using Gemm = std::function<void(Trans, Trans, int, int, int, float, const float*, int, const float*, int, float,
                                float*, int)>;

void openblas_gemm(Trans ta, Trans tb, int m, int n, int k, float alpha, const float* a, int lda, const float* b,
                   int ldb, float beta, float* c, int ldc) {
  grokscope::kernels::gemm<float>(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

// The BLIS functions used, resolved from the dlopen'ed library.
struct Blis {
  decltype(&bli_sgemm) sgemm = nullptr;
  decltype(&bli_thread_set_num_threads) set_threads = nullptr;
  decltype(&bli_info_get_version_str) version = nullptr;
  decltype(&bli_arch_query_id) arch_id = nullptr;
  decltype(&bli_arch_string) arch_name = nullptr;
};
Blis g_blis;

bool open_blis(const char* path) {
  void* lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    std::fprintf(stderr, "grokscope_blas_compare: cannot open %s: %s\n", path, dlerror());
    return false;
  }
  g_blis.sgemm = reinterpret_cast<decltype(g_blis.sgemm)>(dlsym(lib, "bli_sgemm"));
  g_blis.set_threads = reinterpret_cast<decltype(g_blis.set_threads)>(dlsym(lib, "bli_thread_set_num_threads"));
  g_blis.version = reinterpret_cast<decltype(g_blis.version)>(dlsym(lib, "bli_info_get_version_str"));
  g_blis.arch_id = reinterpret_cast<decltype(g_blis.arch_id)>(dlsym(lib, "bli_arch_query_id"));
  g_blis.arch_name = reinterpret_cast<decltype(g_blis.arch_name)>(dlsym(lib, "bli_arch_string"));
  if (!g_blis.sgemm || !g_blis.set_threads || !g_blis.version || !g_blis.arch_id || !g_blis.arch_name) {
    std::fprintf(stderr, "grokscope_blas_compare: %s lacks a BLIS function (bli_sgemm ...)\n", path);
    return false;
  }
  return true;
}

void blis_gemm(Trans ta, Trans tb, int m, int n, int k, float alpha, const float* a, int lda, const float* b, int ldb,
               float beta, float* c, int ldc) {
  // Row-major storage: row stride = leading dimension, column stride 1; BLIS applies the transposition to it.
  g_blis.sgemm(ta == Trans::yes ? BLIS_TRANSPOSE : BLIS_NO_TRANSPOSE, tb == Trans::yes ? BLIS_TRANSPOSE : BLIS_NO_TRANSPOSE,
            m, n, k, &alpha, const_cast<float*>(a), lda, 1, const_cast<float*>(b), ldb, 1, &beta, c, ldc, 1);
}

template <class F>
double best_ms(F&& f) {
  f();  // warm-up
  double best = 1e30;
  for (int r = 0; r < 9; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    best = std::min(best, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  return best;
}

// The Lyu step's three GEMMs over `rows` rows in blocks of `block` rows (block >= rows: one call each).
double lyu_step_ms(const Gemm& g, int rows, int width, int classes, int block) {
  std::vector<float> h(static_cast<size_t>(rows) * width, 0.01f), w(static_cast<size_t>(classes) * width, 0.02f),
      d(static_cast<size_t>(rows) * classes, 0.03f), z(d.size()), gw(w.size()), dh(h.size());
  return best_ms([&] {
    for (int r0 = 0; r0 < rows; r0 += block) {
      const int m = std::min(block, rows - r0);
      g(Trans::no, Trans::yes, m, classes, width, 1.f, h.data() + r0 * width, width, w.data(), width, 0.f,
        z.data() + r0 * classes, classes);
    }
    for (int r0 = 0; r0 < rows; r0 += block) {
      const int m = std::min(block, rows - r0);
      g(Trans::yes, Trans::no, classes, width, m, 1.f, d.data() + r0 * classes, classes, h.data() + r0 * width, width,
        r0 == 0 ? 0.f : 1.f, gw.data(), width);
      g(Trans::no, Trans::no, m, width, classes, 1.f, d.data() + r0 * classes, classes, w.data(), width, 0.f,
        dh.data() + r0 * width, width);
    }
  });
}

double mc_step_ms(const Gemm& g, int d) {
  std::vector<float> u(static_cast<size_t>(d) * d, 0.1f), v(u.size(), 0.2f), s(u.size(), 0.3f), w(u.size()),
      gu(u.size()), gv(u.size());
  return best_ms([&] {
    for (int rep = 0; rep < 20; ++rep) {
      g(Trans::no, Trans::yes, d, d, d, 1.f, u.data(), d, u.data(), d, 0.f, w.data(), d);
      g(Trans::no, Trans::yes, d, d, d, -1.f, v.data(), d, v.data(), d, 1.f, w.data(), d);
      g(Trans::no, Trans::no, d, d, d, 1.f, s.data(), d, u.data(), d, 0.f, gu.data(), d);
      g(Trans::no, Trans::no, d, d, d, -1.f, s.data(), d, v.data(), d, 0.f, gv.data(), d);
    }
  }) / 20.0;
}

}  // namespace

int main(int argc, char** argv) {
  if (!open_blis(argc > 1 ? argv[1] : "libblis.so.4")) return 1;
  grokscope::kernels::set_blas_threads(1);
  g_blis.set_threads(1);
  std::printf("OpenBLAS: %s (kernel set %s)\n", grokscope::kernels::blas_name(), grokscope::kernels::blas_core());
  std::printf("BLIS: %s (kernel set %s)\n", g_blis.version(), g_blis.arch_name(g_blis.arch_id()));
  std::printf("one thread each; best of 9 repetitions; ratio = BLIS time / OpenBLAS time (> 1: OpenBLAS faster)\n\n");
  std::printf("%-38s %12s %10s %7s\n", "step GEMMs", "OpenBLAS ms", "BLIS ms", "ratio");
  const Gemm ob = openblas_gemm, bl = blis_gemm;
  double total_ob = 0.0, total_bl = 0.0;
  auto row = [&](const std::string& name, double a, double b) {
    total_ob += a;
    total_bl += b;
    std::printf("%-38s %12.3f %10.3f %6.2fx\n", name.c_str(), a, b, b / a);
  };
  for (int width : {128, 512, 1024}) {
    row("Lyu W=" + std::to_string(width) + ", one call per GEMM", lyu_step_ms(ob, 3763, width, 97, 1 << 30),
        lyu_step_ms(bl, 3763, width, 97, 1 << 30));
    row("Lyu W=" + std::to_string(width) + ", 240-row blocks", lyu_step_ms(ob, 3763, width, 97, 240),
        lyu_step_ms(bl, 3763, width, 97, 240));
  }
  row("matrix completion d=97, 4 GEMMs", mc_step_ms(ob, 97), mc_step_ms(bl, 97));
  std::printf("%-38s %12.3f %10.3f %6.2fx\n", "sum", total_ob, total_bl, total_bl / total_ob);
  return 0;
}
