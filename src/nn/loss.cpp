// Fused loss, gradient and classification statistics (one pass over the logits). See nn/loss.h.
// Rows are processed with Eigen array expressions so that max and exp are SIMD-vectorized. Sums are plain loops in
// a fixed order: Eigen's vectorized sum peels to the buffer's alignment, so its rounding would depend on where the
// allocator put the buffer, and the same seed must give the same bits in every run.
#include "grokscope/nn/loss.h"

// GCC 12 reports a false -Wmaybe-uninitialized inside Eigen's AVX-512 max reduction (_mm512_undefined_ps).
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace grokscope {

namespace {

template <class T>
using Row = Eigen::Map<Eigen::Array<T, Eigen::Dynamic, 1>>;
template <class T>
using ConstRow = Eigen::Map<const Eigen::Array<T, Eigen::Dynamic, 1>>;

// Max over the row without entry y (-inf for a one-class row).
template <class T>
T max_except(const ConstRow<T>& z, int y) {
  const int n = static_cast<int>(z.size());
  T best = -std::numeric_limits<T>::infinity();
  if (y > 0) best = z.head(y).maxCoeff();
  if (y + 1 < n) best = std::max(best, z.tail(n - y - 1).maxCoeff());
  return best;
}

}  // namespace

template <class T>
BatchStats classification_loss(const LossConfig& loss, const T* logits, int64_t n, int n_classes,
                               const int32_t* labels, T* grad) {
  BatchStats stats;
  stats.n = n;
  stats.min_margin = std::numeric_limits<double>::infinity();
  double loss_sum = 0.0;
  const T inv_n = T(1) / static_cast<T>(n);
  const double mse_scale =
      loss.mse_reduction == MseReduction::mean ? 1.0 / (static_cast<double>(n) * n_classes) : 1.0 / n;
  std::vector<T> scratch(grad ? 0 : static_cast<size_t>(n_classes));
  // exp is evaluated into this (aligned) buffer: Eigen peels unaligned leading elements of the destination to a
  // scalar exp that rounds differently from the SIMD one, so writing into an arbitrary row would make the bits
  // depend on the buffer's address.
  Eigen::Array<T, Eigen::Dynamic, 1> e(n_classes);
  for (int64_t i = 0; i < n; ++i) {
    const ConstRow<T> z(logits + i * n_classes, n_classes);
    const int y = labels[i];
    const T zy = z[y];
    const T others = max_except(z, y);
    // Correct when z_y is a strict maximum, or tied only with later classes (argmax takes the first index).
    const bool correct = zy > others || (zy == others && (y == 0 || z.head(y).maxCoeff() < zy));
    stats.correct += correct;
    stats.min_margin = std::min(stats.min_margin, static_cast<double>(zy) - static_cast<double>(others));
    Row<T> g(grad ? grad + i * n_classes : scratch.data(), n_classes);
    if (loss.kind == LossKind::cross_entropy) {
      const T m = std::max(zy, others);
      e = (z - m).exp();
      g = e;
      const T e_y = g[y];
      g[y] = T(0);
      T rest = T(0);  // sum over j != y of e^{z_j - m}, without the cancellation of s - e_y
      for (int j = 0; j < n_classes; ++j) rest += g[j];
      const T s = rest + e_y;
      if (zy >= others)
        loss_sum += std::log1p(static_cast<double>(rest));
      else
        loss_sum += static_cast<double>(m) - static_cast<double>(zy) + std::log(static_cast<double>(s));
      if (grad) {
        const T scale = inv_n / s;
        g *= scale;
        g[y] = -rest * scale;  // softmax_y - 1 = -rest / s
      }
    } else {
      g = z;
      g[y] -= T(1);
      for (int j = 0; j < n_classes; ++j) loss_sum += static_cast<double>(g[j]) * static_cast<double>(g[j]);
      if (grad) g *= static_cast<T>(2.0 * mse_scale);
    }
  }
  stats.loss = loss.kind == LossKind::cross_entropy ? loss_sum / static_cast<double>(n) : loss_sum * mse_scale;
  if (n == 0) stats.min_margin = 0.0;
  return stats;
}

template BatchStats classification_loss<float>(const LossConfig&, const float*, int64_t, int, const int32_t*, float*);
template BatchStats classification_loss<double>(const LossConfig&, const double*, int64_t, int, const int32_t*,
                                                double*);

}  // namespace grokscope
