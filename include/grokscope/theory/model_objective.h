// The full-batch training loss of a model on a stored dataset as a callable (theta -> L(theta), grad L(theta)):
// the Gradient of theory/gradient_flow.h and of the other theory instruments. One forward and one backward per call,
// the objective of nn/objective.h (no weight decay: the flow adds it). Not for generated (on-demand) datasets.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "grokscope/data/dataset.h"
#include "grokscope/nn/loss.h"
#include "grokscope/nn/model.h"
#include "grokscope/core/run_config.h"

namespace grokscope::theory {

template <class T>
class ModelObjective {
 public:
  // model and set must outlive the objective. Throws std::invalid_argument for a generated set.
  ModelObjective(const Model<T>& model, const Dataset<T>& set, const LossConfig& loss, TargetKind target);

  // L(theta) (mean loss over the set); writes grad L(theta) when grad is not null.
  double operator()(const T* theta, T* grad);
  // Outputs (n x output_dim) of the last call, and its batch statistics (accuracy, margin).
  const T* outputs() const { return outputs_; }
  const BatchStats& last_stats() const { return stats_; }
  int64_t evaluations() const { return evaluations_; }

 private:
  const Model<T>& model_;
  const Dataset<T>& set_;
  LossConfig loss_;
  TargetKind target_;
  std::unique_ptr<Workspace> ws_;
  std::vector<T> d_out_;
  const T* outputs_ = nullptr;
  BatchStats stats_;
  int64_t evaluations_ = 0;
};

// A stored copy of a dataset: the rows of a generated set are generated once (n x dim values; labels for class and
// binary targets, targets for regression); a stored set is copied as is.
template <class T>
Dataset<T> materialize(const Dataset<T>& set, int output_dim, TargetKind target);

}  // namespace grokscope::theory
