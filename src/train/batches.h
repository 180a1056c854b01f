// Internal to the trainer: minibatch sampling and chunked evaluation of datasets.
#pragma once

#include <memory>
#include <vector>

#include "grokscope/core/rng.h"
#include "grokscope/data/dataset.h"
#include "grokscope/nn/loss.h"
#include "grokscope/nn/model.h"
#include "grokscope/train/config.h"

namespace grokscope::detail {

// A batch with its targets, pointing either into a dataset or into the sampler's own buffers.
template <class T>
struct LabeledBatch {
  InputBatch<T> x;
  const int32_t* labels = nullptr;
  const T* targets = nullptr;
};

template <class T>
LabeledBatch<T> whole(const Dataset<T>& ds) {
  return {ds.batch(), ds.labels.empty() ? nullptr : ds.labels.data(), ds.targets.empty() ? nullptr : ds.targets.data()};
}

// Minibatches without replacement: every epoch is a fresh permutation of the training rows (like PyTorch's
// DataLoader with shuffle=True, drop_last=False); the last batch of an epoch may be smaller.
template <class T>
class MinibatchSampler {
 public:
  MinibatchSampler(const Dataset<T>& train, int64_t batch_size, int output_dim, uint64_t seed);
  LabeledBatch<T> next();

 private:
  const Dataset<T>& train_;
  int64_t batch_size_;
  int output_dim_;
  Rng rng_;
  std::vector<int64_t> order_;
  int64_t cursor_ = 0;
  std::vector<int32_t> tokens_, labels_;
  std::vector<T> dense_, targets_;
};

// Evaluates a model's objective on a whole dataset. A generated set is generated once and kept when its inputs take
// at most kCacheBytes (1 GiB: the 2000 x 1e5 test set of the misgrokking zoo config in f32); a larger one (Lyu's
// 10^4 x 10^5) is regenerated in chunks at every evaluation.
inline constexpr int64_t kCacheBytes = int64_t{1} << 30;
template <class T>
class SetEvaluator {
 public:
  SetEvaluator(const Model<T>& model, const Dataset<T>& set, const LossConfig& loss, TargetKind target);
  BatchStats evaluate(const T* params);
  int64_t chunk_rows() const { return chunk_; }

 private:
  const Model<T>& model_;
  const Dataset<T>& set_;
  LossConfig loss_;
  TargetKind target_;
  int64_t chunk_ = 0;
  std::unique_ptr<Workspace> ws_;
  std::vector<T> dense_, targets_;   // chunk buffers (generated sets), or the whole set when it was cached
  std::vector<int32_t> labels_;
  bool cached_ = false;              // a generated set small enough was generated once, at construction
};

}  // namespace grokscope::detail
