// Fused loss, gradient and classification statistics (one pass over the logits). See nn/loss.h.
//
// Rows are independent, so they are processed in fixed chunks of kChunkRows rows split over grokscope's thread team;
// each chunk's loss sum, correct count and minimum margin are combined in chunk order at the end, so the result does
// not depend on the number of threads. The per-row arithmetic is the kernel kernels/loss_rows.h (whose reductions
// do not depend on buffer alignment either).
#include "grokscope/nn/loss.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "grokscope/kernels/loss_rows.h"
#include "grokscope/kernels/parallel.h"

namespace grokscope {

namespace {

constexpr int64_t kChunkRows = 64;
using kernels::AlignedArray;
using ChunkStats = kernels::LossRowStats;

}  // namespace

template <class T>
BatchStats classification_loss(const LossConfig& loss, const T* logits, int64_t n, int n_classes,
                               const int32_t* labels, T* grad) {
  BatchStats stats;
  stats.n = n;
  if (n == 0) return stats;
  const T inv_n = T(1) / static_cast<T>(n);
  const double mse_scale =
      loss.mse_reduction == MseReduction::mean ? 1.0 / (static_cast<double>(n) * n_classes) : 1.0 / n;
  const int64_t n_chunks = (n + kChunkRows - 1) / kChunkRows;
  std::vector<ChunkStats> chunks(static_cast<size_t>(n_chunks));
  // About 16k logits per thread at least, or a region costs more than it saves.
  const int64_t max_threads = std::max<int64_t>(1, n * n_classes / (int64_t{1} << 14));
  const int threads = static_cast<int>(std::min<int64_t>({kernels::num_threads(), n_chunks, max_threads}));
  kernels::parallel(threads, [&](int t, int nt) {
    AlignedArray<T> e(n_classes);
    const auto [c0, c1] = kernels::partition(n_chunks, t, nt);
    for (int64_t c = c0; c < c1; ++c) {
      const int64_t r0 = c * kChunkRows, r1 = std::min(n, r0 + kChunkRows);
      chunks[static_cast<size_t>(c)] =
          kernels::loss_rows<T>(loss.kind, logits, r0, r1, n_classes, labels, grad, inv_n, mse_scale, e);
    }
  });
  double loss_sum = 0.0;
  stats.min_margin = std::numeric_limits<double>::infinity();
  for (const ChunkStats& c : chunks) {
    loss_sum += c.loss_sum;
    stats.correct += c.correct;
    stats.min_margin = std::min(stats.min_margin, c.min_margin);
  }
  stats.loss = loss.kind == LossKind::cross_entropy ? loss_sum / static_cast<double>(n) : loss_sum * mse_scale;
  return stats;
}

template BatchStats classification_loss<float>(const LossConfig&, const float*, int64_t, int, const int32_t*, float*);
template BatchStats classification_loss<double>(const LossConfig&, const double*, int64_t, int, const int32_t*,
                                                double*);

}  // namespace grokscope
