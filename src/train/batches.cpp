// Minibatch sampling and chunked evaluation (see batches.h).
#include "batches.h"

#include <algorithm>

#include "grokscope/core/error.h"
#include "grokscope/nn/objective.h"

namespace grokscope::detail {

template <class T>
MinibatchSampler<T>::MinibatchSampler(const Dataset<T>& train, int64_t batch_size, int output_dim, uint64_t seed)
    : train_(train), batch_size_(batch_size), output_dim_(output_dim), rng_(seed) {
  GS_CHECK(!train.generated());
  order_.resize(static_cast<size_t>(train.n));
  const auto b = static_cast<size_t>(batch_size);
  tokens_.resize(b * static_cast<size_t>(train.tokens_per_row));
  if (train.tokens_per_row == 0) dense_.resize(b * static_cast<size_t>(train.dim));
  if (!train.labels.empty()) labels_.resize(b);
  if (!train.targets.empty()) targets_.resize(b * static_cast<size_t>(output_dim));
}

template <class T>
LabeledBatch<T> MinibatchSampler<T>::next() {
  if (cursor_ == 0 || cursor_ >= train_.n) {
    for (int64_t i = 0; i < train_.n; ++i) order_[static_cast<size_t>(i)] = i;
    rng_.shuffle(order_);
    cursor_ = 0;
  }
  const int64_t n = std::min(batch_size_, train_.n - cursor_);
  const int tpr = train_.tokens_per_row;
  for (int64_t k = 0; k < n; ++k) {
    const auto row = static_cast<size_t>(order_[static_cast<size_t>(cursor_ + k)]);
    const auto kk = static_cast<size_t>(k);
    if (tpr > 0) std::copy_n(train_.tokens.begin() + row * tpr, tpr, tokens_.begin() + kk * tpr);
    else std::copy_n(train_.dense.begin() + row * train_.dim, train_.dim, dense_.begin() + kk * train_.dim);
    if (!labels_.empty()) labels_[kk] = train_.labels[row];
    if (!targets_.empty())
      std::copy_n(train_.targets.begin() + row * output_dim_, output_dim_, targets_.begin() + kk * output_dim_);
  }
  cursor_ += n;
  LabeledBatch<T> b;
  b.x = InputBatch<T>{.n = n, .dim = train_.dim, .tokens_per_row = tpr,
                      .tokens = tpr > 0 ? tokens_.data() : nullptr, .dense = tpr > 0 ? nullptr : dense_.data()};
  b.labels = labels_.empty() ? nullptr : labels_.data();
  b.targets = targets_.empty() ? nullptr : targets_.data();
  return b;
}

template <class T>
SetEvaluator<T>::SetEvaluator(const Model<T>& model, const Dataset<T>& set, const LossConfig& loss, TargetKind target)
    : model_(model), set_(set), loss_(loss), target_(target) {
  if (!set.generated()) {
    chunk_ = std::max<int64_t>(set.n, 1);
  } else if (set.n * set.dim * static_cast<int64_t>(sizeof(T)) <= kCacheBytes) {
    cached_ = true;
    chunk_ = std::max<int64_t>(set.n, 1);
    dense_.resize(static_cast<size_t>(set.n * set.dim));
    if (target == TargetKind::regression) targets_.resize(static_cast<size_t>(set.n * model.output_dim()));
    else labels_.resize(static_cast<size_t>(set.n));
    set.generate(0, set.n, dense_.data(), labels_.empty() ? nullptr : labels_.data(),
                 targets_.empty() ? nullptr : targets_.data());
  } else {
    // About 16M input values (64 MB in f32) per chunk.
    chunk_ = std::clamp<int64_t>((int64_t{1} << 24) / std::max(set.dim, 1), 1, std::max<int64_t>(set.n, 1));
    dense_.resize(static_cast<size_t>(chunk_ * set.dim));
    if (target == TargetKind::regression) targets_.resize(static_cast<size_t>(chunk_ * model.output_dim()));
    else labels_.resize(static_cast<size_t>(chunk_));
  }
  ws_ = model.make_workspace(chunk_);
}

template <class T>
BatchStats SetEvaluator<T>::evaluate(const T* params) {
  const int k = model_.output_dim();
  if (!set_.generated()) {
    const auto b = whole(set_);
    const T* out = model_.forward(params, b.x, *ws_);
    return compute_objective<T>(loss_, target_, out, set_.n, k, b.labels, b.targets, nullptr);
  }
  BatchStats total;
  for (int64_t first = 0; first < set_.n; first += chunk_) {
    const int64_t n = std::min(chunk_, set_.n - first);
    if (!cached_)
      set_.generate(first, n, dense_.data(), labels_.empty() ? nullptr : labels_.data(),
                    targets_.empty() ? nullptr : targets_.data());
    const InputBatch<T> x{.n = n, .dim = set_.dim, .tokens_per_row = 0, .tokens = nullptr, .dense = dense_.data()};
    const T* out = model_.forward(params, x, *ws_);
    total.merge(compute_objective<T>(loss_, target_, out, n, k, labels_.empty() ? nullptr : labels_.data(),
                                     targets_.empty() ? nullptr : targets_.data(), nullptr));
  }
  return total;
}

template class MinibatchSampler<float>;
template class MinibatchSampler<double>;
template class SetEvaluator<float>;
template class SetEvaluator<double>;

}  // namespace grokscope::detail
