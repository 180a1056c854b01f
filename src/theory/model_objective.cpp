// Full-batch objective of a model on a stored dataset (see theory/model_objective.h).
#include "grokscope/theory/model_objective.h"

#include <cmath>
#include <stdexcept>

#include "grokscope/nn/objective.h"

namespace grokscope::theory {

template <class T>
ModelObjective<T>::ModelObjective(const Model<T>& model, const Dataset<T>& set, const LossConfig& loss,
                                  TargetKind target)
    : model_(model), set_(set), loss_(loss), target_(target) {
  if (set.generated())
    throw std::invalid_argument("[model_objective] a generated dataset is not supported (store the rows first)");
  ws_ = model.make_workspace(set.n);
  d_out_.resize(static_cast<size_t>(set.n * model.output_dim()));
}

template <class T>
double ModelObjective<T>::operator()(const T* theta, T* grad) {
  ++evaluations_;
  const InputBatch<T> x = set_.batch();
  outputs_ = model_.forward(theta, x, *ws_);
  stats_ = compute_objective<T>(loss_, target_, outputs_, set_.n, model_.output_dim(),
                                set_.labels.empty() ? nullptr : set_.labels.data(),
                                set_.targets.empty() ? nullptr : set_.targets.data(), grad ? d_out_.data() : nullptr);
  if (grad && std::isfinite(stats_.loss)) model_.backward(theta, x, d_out_.data(), grad, *ws_);
  return stats_.loss;
}

template <class T>
Dataset<T> materialize(const Dataset<T>& set, int output_dim, TargetKind target) {
  Dataset<T> out = set;
  if (!set.generated()) return out;
  out.generate = nullptr;
  out.dense.resize(static_cast<size_t>(set.n * set.dim));
  if (target == TargetKind::regression)
    out.targets.resize(static_cast<size_t>(set.n * output_dim));
  else
    out.labels.resize(static_cast<size_t>(set.n));
  set.generate(0, set.n, out.dense.data(), out.labels.empty() ? nullptr : out.labels.data(),
               out.targets.empty() ? nullptr : out.targets.data());
  return out;
}

template class ModelObjective<float>;
template class ModelObjective<double>;
template Dataset<float> materialize(const Dataset<float>&, int, TargetKind);
template Dataset<double> materialize(const Dataset<double>&, int, TargetKind);

}  // namespace grokscope::theory
