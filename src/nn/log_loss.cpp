// Cross-entropy in log space (see nn/log_loss.h). Two passes over the rows: the per-row log losses, then (once
// log L is known) the gradient. Rows are split over the thread team in fixed chunks and the reductions over rows
// run serially in row order, so the bits do not depend on the number of threads.
#include "grokscope/nn/log_loss.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "grokscope/kernels/parallel.h"

namespace grokscope {

namespace {

constexpr int64_t kChunkRows = 64;

struct RowLog {
  double a = 0.0;        // log sum_{j != y} e^{z_j - z_y}
  double loss = 0.0;     // l = softplus(a) (may underflow to 0)
  double log_loss = 0.0; // log l
  double margin = 0.0;   // z_y - max_{j != y} z_j
  bool correct = false;  // argmax (first index on ties) is y
};

double softplus(double a) { return a > 35.0 ? a + std::log1p(std::exp(-a)) : std::log1p(std::exp(a)); }

// Runs fn(r0, r1) over fixed chunks of rows on the thread team.
template <class F>
void for_row_chunks(int64_t n, int n_classes, F&& fn) {
  const int64_t n_chunks = (n + kChunkRows - 1) / kChunkRows;
  const int64_t max_threads = std::max<int64_t>(1, n * n_classes / (int64_t{1} << 13));
  const int threads = static_cast<int>(std::min<int64_t>({kernels::num_threads(), n_chunks, max_threads}));
  kernels::parallel(threads, [&](int t, int nt) {
    const auto [c0, c1] = kernels::partition(n_chunks, t, nt);
    for (int64_t c = c0; c < c1; ++c) fn(c * kChunkRows, std::min(n, (c + 1) * kChunkRows));
  });
}

}  // namespace

double log_softplus(double a) {
  if (a > 35.0) return std::log(a + std::log1p(std::exp(-a)));
  if (a > -35.0) return std::log(std::log1p(std::exp(a)));
  return a - 0.5 * std::exp(a);  // log(e^a - e^{2a}/2 + O(e^{3a})); the next term is below 1e-30 here
}

template <class T>
BatchStats cross_entropy_log_loss(const T* logits, int64_t n, int n_classes, const int32_t* labels, T* grad,
                                  double* log_loss) {
  BatchStats stats;
  stats.n = n;
  const int C = n_classes;
  std::vector<RowLog> rows(static_cast<size_t>(n));
  for_row_chunks(n, C, [&](int64_t r0, int64_t r1) {
    for (int64_t i = r0; i < r1; ++i) {
      const T* z = logits + i * C;
      const int y = labels[i];
      const double zy = z[y];
      double lo = -std::numeric_limits<double>::infinity(), hi = lo;  // max over j < y, over j > y
      for (int j = 0; j < y; ++j) lo = std::max(lo, static_cast<double>(z[j]));
      for (int j = y + 1; j < C; ++j) hi = std::max(hi, static_cast<double>(z[j]));
      const double others = std::max(lo, hi);
      double s = 0.0;  // sum_{j != y} e^{z_j - others}, in [1, C - 1]
      for (int j = 0; j < C; ++j)
        if (j != y) s += std::exp(static_cast<double>(z[j]) - others);
      RowLog& r = rows[static_cast<size_t>(i)];
      r.a = (others - zy) + std::log(s);
      r.loss = softplus(r.a);
      r.log_loss = log_softplus(r.a);
      r.margin = zy - others;
      r.correct = zy > lo && zy >= hi;
    }
  });
  double max_log = -std::numeric_limits<double>::infinity();
  stats.min_margin = std::numeric_limits<double>::infinity();
  for (const RowLog& r : rows) {
    max_log = std::max(max_log, r.log_loss);
    stats.correct += r.correct ? 1.0 : 0.0;
    stats.min_margin = std::min(stats.min_margin, r.margin);
  }
  double sum = 0.0;
  for (const RowLog& r : rows) sum += std::exp(r.log_loss - max_log);
  const double log_n = std::log(static_cast<double>(n));
  const double log_mean = n > 0 && std::isfinite(max_log) ? max_log + std::log(sum) - log_n : max_log;
  *log_loss = n > 0 ? log_mean : std::nan("");
  stats.loss = n > 0 ? std::exp(log_mean) : 0.0;
  if (grad && n > 0 && std::isfinite(log_mean)) {
    const double shift = log_n + log_mean;
    for_row_chunks(n, C, [&](int64_t r0, int64_t r1) {
      for (int64_t i = r0; i < r1; ++i) {
        const T* z = logits + i * C;
        T* g = grad + i * C;
        const int y = labels[i];
        const RowLog& r = rows[static_cast<size_t>(i)];
        const double base = static_cast<double>(z[y]) + r.loss + shift;  // log(n L) + log-sum-exp of row i
        for (int j = 0; j < C; ++j) g[j] = static_cast<T>(std::exp(static_cast<double>(z[j]) - base));
        g[y] = static_cast<T>(-std::exp(r.a - r.loss - shift));
      }
    });
  }
  return stats;
}

template BatchStats cross_entropy_log_loss<float>(const float*, int64_t, int, const int32_t*, float*, double*);
template BatchStats cross_entropy_log_loss<double>(const double*, int64_t, int, const int32_t*, double*, double*);

}  // namespace grokscope
