// Objective dispatch, logistic and squared losses (see nn/objective.h).
#include "grokscope/nn/objective.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "grokscope/core/error.h"

namespace grokscope {

void BatchStats::merge(const BatchStats& o) {
  if (o.n == 0) return;
  if (n == 0) {
    *this = o;
    return;
  }
  const double total = static_cast<double>(n + o.n);
  loss = (loss * static_cast<double>(n) + o.loss * static_cast<double>(o.n)) / total;
  correct += o.correct;
  min_margin = std::min(min_margin, o.min_margin);
  n += o.n;
}

namespace {

// log(1 + e^x) without overflow, and exact for very negative x.
double softplus(double x) { return x > 0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x)); }

template <class T>
BatchStats logistic_loss(const T* f, int64_t n, const int32_t* labels, T* grad) {
  BatchStats s;
  s.n = n;
  s.min_margin = std::numeric_limits<double>::infinity();
  double sum = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    const double y = labels[i];
    const double yf = y * static_cast<double>(f[i]);
    sum += softplus(-yf);
    s.correct += yf > 0 ? 1.0 : (yf == 0 ? 0.5 : 0.0);
    s.min_margin = std::min(s.min_margin, yf);
    // d/df softplus(-y f) = -y * sigmoid(-y f)
    if (grad) grad[i] = static_cast<T>(-y / (1.0 + std::exp(yf)) / static_cast<double>(n));
  }
  s.loss = n > 0 ? sum / static_cast<double>(n) : 0.0;
  if (n == 0) s.min_margin = 0.0;
  return s;
}

template <class T>
BatchStats squared_loss(const T* f, int64_t n, int k, const T* targets, T* grad) {
  BatchStats s;
  s.n = n;
  const int64_t m = n * k;
  double sum = 0.0;
  const double scale = m > 0 ? 1.0 / static_cast<double>(m) : 0.0;
  for (int64_t i = 0; i < m; ++i) {
    const double diff = static_cast<double>(f[i]) - static_cast<double>(targets[i]);
    sum += diff * diff;
    if (grad) grad[i] = static_cast<T>(2.0 * scale * diff);
  }
  s.loss = sum * scale;
  s.correct = std::numeric_limits<double>::quiet_NaN();
  s.min_margin = std::numeric_limits<double>::quiet_NaN();
  return s;
}

}  // namespace

template <class T>
BatchStats compute_objective(const LossConfig& loss, TargetKind target, const T* outputs, int64_t n, int output_dim,
                             const int32_t* labels, const T* targets, T* grad) {
  switch (target) {
    case TargetKind::classes:
      GS_CHECK(loss.kind == LossKind::cross_entropy || loss.kind == LossKind::mse);
      return classification_loss<T>(loss, outputs, n, output_dim, labels, grad);
    case TargetKind::binary:
      GS_CHECK(loss.kind == LossKind::logistic && output_dim == 1);
      return logistic_loss<T>(outputs, n, labels, grad);
    case TargetKind::regression:
      GS_CHECK(loss.kind == LossKind::squared);
      return squared_loss<T>(outputs, n, output_dim, targets, grad);
  }
  GS_CHECK(false);
  return {};
}

template BatchStats compute_objective<float>(const LossConfig&, TargetKind, const float*, int64_t, int,
                                             const int32_t*, const float*, float*);
template BatchStats compute_objective<double>(const LossConfig&, TargetKind, const double*, int64_t, int,
                                              const int32_t*, const double*, double*);

}  // namespace grokscope
