// Fused loss, gradient and classification statistics (one pass over the logits). See nn/loss.h.
#include "grokscope/nn/loss.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace grokscope {

namespace {


template <class T>
void row_argmax_margin(const T* z, int n_classes, int32_t y, int& argmax, double& margin) {
  argmax = 0;
  T best_other = -std::numeric_limits<T>::infinity();
  for (int j = 0; j < n_classes; ++j) {
    if (z[j] > z[argmax]) argmax = j;
    if (j != y && z[j] > best_other) best_other = z[j];
  }
  margin = static_cast<double>(z[y]) - static_cast<double>(best_other);
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
  for (int64_t i = 0; i < n; ++i) {
    const T* z = logits + i * n_classes;
    const int32_t y = labels[i];
    int argmax = 0;
    double margin = 0.0;
    row_argmax_margin(z, n_classes, y, argmax, margin);
    stats.correct += (argmax == y);
    stats.min_margin = std::min(stats.min_margin, margin);
    if (loss.kind == LossKind::cross_entropy) {
      const T m = z[argmax];
      T* g = grad ? grad + i * n_classes : nullptr;
      T rest = T(0);  // sum over j != y of e^{z_j - m}
      T e_y = T(0);
      for (int j = 0; j < n_classes; ++j) {
        const T e = std::exp(z[j] - m);
        if (g) g[j] = e;
        if (j == y)
          e_y = e;
        else
          rest += e;
      }
      const T s = rest + e_y;
      if (argmax == y)
        loss_sum += std::log1p(static_cast<double>(rest));
      else
        loss_sum += static_cast<double>(m) - static_cast<double>(z[y]) + std::log(static_cast<double>(s));
      if (g) {
        const T scale = inv_n / s;
        for (int j = 0; j < n_classes; ++j) g[j] *= scale;
        g[y] = -rest * scale;  // softmax_y - 1 = -rest / s, without cancellation
      }
    } else {
      T* g = grad ? grad + i * n_classes : nullptr;
      double row = 0.0;
      for (int j = 0; j < n_classes; ++j) {
        const T diff = z[j] - (j == y ? T(1) : T(0));
        row += static_cast<double>(diff) * static_cast<double>(diff);
        if (g) g[j] = static_cast<T>(2.0 * mse_scale) * diff;
      }
      loss_sum += row;
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
