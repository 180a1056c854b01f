// The machine's measured single-precision GEMM rate, through grokscope's GEMM seam (kernels::gemm: OpenBLAS with
// the kernel set it runs here, split over grokscope's thread team), for the benchmark's "share of the GEMM rate".
// Prints one JSON object: the BLAS, and for each thread count the best GFLOP/s of square sgemm (n = 2048, 4096)
// and of the three GEMM shapes of a Lyu step (n = 3763 rows, 97 classes; forward, weight gradient, hidden delta) at
// widths 128, 512 and 1024 ("step_shapes": width -> [fwd, dw, dh] GFLOP/s; step_fwd/dw/dh: width 1024); and the
// BLAS time of one step of the two small benchmark models ("kernel_ms"): the diagonal net's two GEMVs over its
// 256 x 10^5 data (X w and X^T g) and the four d = 97 GEMMs of matrix completion's dense path (U U^T, V V^T, S U, S V).
//   usage: grokscope_gemm_peak [max_threads]
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "grokscope/kernels/blas.h"

using grokscope::kernels::gemm;
using grokscope::kernels::Trans;

namespace {

double process_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

// Best CPU time of the process over the repetitions of the last square_gflops call (1 thread: the rate the core
// delivers while it runs, whatever else shares the machine).
double g_best_cpu = 0.0;

template <class F>
double best_seconds(F&& f, int reps) {
  f();  // warm-up (page faults, OpenBLAS buffers)
  double best = 1e30;
  g_best_cpu = 1e30;
  for (int r = 0; r < reps; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    const double c0 = process_cpu_seconds();
    f();
    g_best_cpu = std::min(g_best_cpu, process_cpu_seconds() - c0);
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  return best;
}

// {wall-clock GFLOP/s, CPU-time GFLOP/s} of the best repetition.
std::pair<double, double> square_gflops(int n) {
  std::vector<float> a(static_cast<size_t>(n) * n, 0.5f), b(a.size(), 0.25f), c(a.size());
  const double s = best_seconds([&] { gemm<float>(Trans::no, Trans::no, n, n, n, 1.f, a.data(), n, b.data(), n, 0.f, c.data(), n); }, n >= 4096 ? 3 : 7);
  const double flops = 2.0 * n * n * n;
  return {flops / s / 1e9, flops / g_best_cpu / 1e9};
}

struct Shapes {
  double fwd, dw, dh;
};

Shapes step_shapes(int rows, int width, int classes) {
  std::vector<float> h(static_cast<size_t>(rows) * width, 0.01f), w(static_cast<size_t>(classes) * width, 0.02f),
      d(static_cast<size_t>(rows) * classes, 0.03f), z(d.size()), gw(w.size()), dh(h.size());
  const double flops = 2.0 * rows * width * classes;
  Shapes r{};
  r.fwd = flops / best_seconds([&] { gemm<float>(Trans::no, Trans::yes, rows, classes, width, 1.f, h.data(), width, w.data(), width, 0.f, z.data(), classes); }, 15) / 1e9;
  r.dw = flops / best_seconds([&] { gemm<float>(Trans::yes, Trans::no, classes, width, rows, 1.f, d.data(), classes, h.data(), width, 0.f, gw.data(), width); }, 15) / 1e9;
  r.dh = flops / best_seconds([&] { gemm<float>(Trans::no, Trans::no, rows, width, classes, 1.f, d.data(), classes, w.data(), width, 0.f, dh.data(), width); }, 15) / 1e9;
  return r;
}

// Milliseconds of the best repetition of the diagonal net's two GEMVs: z = X w, g_w = X^T g (n x d data).
double diag_gemv_ms(int n, int d) {
  std::vector<float> x(static_cast<size_t>(n) * d, 0.01f), w(static_cast<size_t>(d), 0.5f), z(static_cast<size_t>(n)),
      g(static_cast<size_t>(n), 0.25f), gw(static_cast<size_t>(d));
  return 1e3 * best_seconds([&] {
    gemm<float>(Trans::no, Trans::no, n, 1, d, 1.f, x.data(), d, w.data(), 1, 0.f, z.data(), 1);
    gemm<float>(Trans::yes, Trans::no, d, 1, n, 1.f, x.data(), d, g.data(), 1, 0.f, gw.data(), 1);
  }, 15);
}

// Milliseconds of the four d x d x d GEMMs of a matrix-completion step (nn/matrix_factorization.cpp, dense path).
double mc_gemm_ms(int d) {
  std::vector<float> u(static_cast<size_t>(d) * d, 0.1f), v(u.size(), 0.2f), s(u.size(), 0.3f), w(u.size()),
      gu(u.size()), gv(u.size());
  return 1e3 * best_seconds([&] {
    gemm<float>(Trans::no, Trans::yes, d, d, d, 1.f, u.data(), d, u.data(), d, 0.f, w.data(), d);
    gemm<float>(Trans::no, Trans::yes, d, d, d, -1.f, v.data(), d, v.data(), d, 1.f, w.data(), d);
    gemm<float>(Trans::no, Trans::no, d, d, d, 1.f, s.data(), d, u.data(), d, 0.f, gu.data(), d);
    gemm<float>(Trans::no, Trans::no, d, d, d, -1.f, s.data(), d, v.data(), d, 0.f, gv.data(), d);
  }, 51);
}

}  // namespace

int main(int argc, char** argv) {
  const int max_threads = argc > 1 ? std::atoi(argv[1]) : 2;
  grokscope::kernels::set_blas_threads(1);
  std::printf("{\"blas\": \"%s\", \"core\": \"%s\", \"results\": [", grokscope::kernels::blas_name(),
              grokscope::kernels::blas_core());
  for (int t = 1; t <= max_threads; ++t) {
    grokscope::kernels::set_blas_threads(t);
    const auto [s2048, c2048] = square_gflops(2048);
    const auto [s4096, c4096] = square_gflops(4096);
    const Shapes sh = step_shapes(3763, 1024, 97);
    const Shapes s128 = step_shapes(3763, 128, 97), s512 = step_shapes(3763, 512, 97);
    const double diag_ms = diag_gemv_ms(256, 100000), mc_ms = mc_gemm_ms(97);
    // peak_cpu: GFLOP/s per CPU-second (total over the threads), the per-core rate times the thread count only
    // when the threads scale.
    std::printf("%s\n  {\"threads\": %d, \"square_2048\": %.1f, \"square_4096\": %.1f, \"peak\": %.1f, "
                "\"peak_cpu\": %.1f, \"step_fwd\": %.1f, \"step_dw\": %.1f, \"step_dh\": %.1f, "
                "\"step_shapes\": {\"128\": [%.1f, %.1f, %.1f], \"512\": [%.1f, %.1f, %.1f], "
                "\"1024\": [%.1f, %.1f, %.1f]}, \"kernel_ms\": {\"diag\": %.4f, \"mc\": %.4f}}",
                t > 1 ? "," : "", t, s2048, s4096, std::max(s2048, s4096), std::max(c2048, c4096), sh.fwd, sh.dw,
                sh.dh, s128.fwd, s128.dw, s128.dh, s512.fwd, s512.dw, s512.dh, sh.fwd, sh.dw, sh.dh, diag_ms, mc_ms);
  }
  std::printf("\n]}\n");
  return 0;
}
