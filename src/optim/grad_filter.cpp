// Grokfast gradient filters: see optim/grad_filter.h for the rules and the reference they match.
// Operation order as the reference's tensor expressions, the scalars cast to T first as PyTorch casts a Python float
// for a float32 tensor. (Under -march=native GCC may fuse a product and a sum into one FMA, a last-bit difference
// that the PyTorch golden test's 1e-10 relative tolerance allows, as for the optimizers.)
#include "grokscope/optim/grad_filter.h"

#include <algorithm>
#include <cstring>

#include "grokscope/core/error.h"

namespace grokscope {

template <class T>
EmaGradFilter<T>::EmaGradFilter(int64_t n, double alpha, double lamb)
    : alpha_(alpha), lamb_(lamb), ema_(static_cast<size_t>(n)) {}

template <class T>
void EmaGradFilter<T>::apply(T* g) {
  const auto n = static_cast<int64_t>(ema_.size());
  T* h = ema_.data();
  if (this->steps_ == 0) std::memcpy(h, g, sizeof(T) * ema_.size());   // grads = {n: p.grad} on the first call
  const T a = static_cast<T>(alpha_), b = static_cast<T>(1.0 - alpha_), l = static_cast<T>(lamb_);
  for (int64_t i = 0; i < n; ++i) {
    h[i] = h[i] * a + g[i] * b;   // grads[n] = grads[n] * alpha + p.grad * (1 - alpha)
    g[i] = g[i] + h[i] * l;       // p.grad = p.grad + grads[n] * lamb
  }
  ++this->steps_;
}

template <class T>
MaGradFilter<T>::MaGradFilter(int64_t n, int64_t window, double lamb, MaFilter type, bool warmup)
    : n_(n), window_(window), lamb_(lamb), type_(type), warmup_(warmup) {
  GS_CHECK(window >= 1 && n >= 0);
  ring_.resize(static_cast<size_t>(window * n));
  avg_.resize(static_cast<size_t>(n));
}

template <class T>
void MaGradFilter<T>::apply(T* g) {
  const int64_t k = this->steps_++;
  std::memcpy(ring_.data() + (k % window_) * n_, g, sizeof(T) * static_cast<size_t>(n_));   // deque.append
  const int64_t len = std::min(k + 1, window_);
  if (warmup_ && len != window_) return;
  // sum(deque): oldest first (0 + d0 is d0 exactly), then / len for "mean".
  const int64_t oldest = k + 1 - len;
  T* avg = avg_.data();
  std::memcpy(avg, ring_.data() + (oldest % window_) * n_, sizeof(T) * static_cast<size_t>(n_));
  for (int64_t j = oldest + 1; j <= k; ++j) {
    const T* d = ring_.data() + (j % window_) * n_;
    for (int64_t i = 0; i < n_; ++i) avg[i] = avg[i] + d[i];
  }
  if (type_ == MaFilter::mean) {
    const T count = static_cast<T>(len);
    for (int64_t i = 0; i < n_; ++i) avg[i] = avg[i] / count;
  }
  const T l = static_cast<T>(lamb_);
  for (int64_t i = 0; i < n_; ++i) g[i] = g[i] + avg[i] * l;   // p.grad = p.grad + avg * lamb
}

template <class T>
std::unique_ptr<GradFilter<T>> make_grad_filter(const OptimConfig& c, int64_t n) {
  switch (c.grad_filter) {
    case GradFilterKind::none: return nullptr;
    case GradFilterKind::ema: return std::make_unique<EmaGradFilter<T>>(n, c.ema_alpha, c.ema_lamb);
    case GradFilterKind::ma: return std::make_unique<MaGradFilter<T>>(n, c.ma_window, c.ma_lamb, c.ma_filter, c.ma_warmup);
  }
  return nullptr;
}

int64_t grad_filter_copies(const OptimConfig& c) {
  switch (c.grad_filter) {
    case GradFilterKind::none: return 0;
    case GradFilterKind::ema: return 1;
    case GradFilterKind::ma: return c.ma_window + 1;
  }
  return 0;
}

template class EmaGradFilter<float>;
template class EmaGradFilter<double>;
template class MaGradFilter<float>;
template class MaGradFilter<double>;
template std::unique_ptr<GradFilter<float>> make_grad_filter<float>(const OptimConfig&, int64_t);
template std::unique_ptr<GradFilter<double>> make_grad_filter<double>(const OptimConfig&, int64_t);

}  // namespace grokscope
