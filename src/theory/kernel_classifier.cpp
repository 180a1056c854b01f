// The kernel (NTK) max-margin classifier at initialization (see theory/kernel_classifier.h).
#include "grokscope/theory/kernel_classifier.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "grokscope/data/chunks.h"
#include "grokscope/theory/kernel_predictor.h"

namespace grokscope::theory {

template <class T>
KernelClassifier<T>::KernelClassifier(const Model<T>& model, const T* params0, const Dataset<T>& train)
    : model_(model), params0_(params0, params0 + model.layout().total_size()) {
  if (model.output_dim() != 1)
    throw std::invalid_argument(
        fmt::format("[kernel_classifier] needs a model with one output, got {}", model.output_dim()));
  if (train.generated()) throw std::invalid_argument("[kernel_classifier] the train set must be stored, not generated");
  if (static_cast<int64_t>(train.labels.size()) != train.n)
    throw std::invalid_argument(
        fmt::format("[kernel_classifier] needs binary labels ({} rows), got {}", train.n, train.labels.size()));
  Eigen::VectorXd y(train.n);
  for (int64_t i = 0; i < train.n; ++i) {
    const int32_t label = train.labels[static_cast<size_t>(i)];
    if (label != 1 && label != -1)
      throw std::invalid_argument(fmt::format("[kernel_classifier] label {} of row {} is not +-1", label, i));
    y[i] = label;
  }
  const Eigen::MatrixXd z = y.asDiagonal() * output_jacobian(model, params0_.data(), train);   // rows y_i phi_i
  const MaxMargin mm = max_l2_margin_dual(z * z.transpose());
  h_ = z.transpose() * mm.dual / (mm.margin * mm.margin);
  dual_ = mm.dual;
  margin_ = mm.margin;
  support_ = mm.support;
  train_min_margin_ = (z * h_).minCoeff();
  auto ws = model.make_workspace(train.n);
  const T* f0 = model.forward(params0_.data(), train.batch(), *ws);
  for (int64_t i = 0; i < train.n; ++i) init_output_max_ = std::max(init_output_max_, std::abs(double(f0[i])));
}

template <class T>
Eigen::VectorXd KernelClassifier<T>::predict(const Dataset<T>& set) const {
  Eigen::VectorXd f(set.n);
  const auto n_params = static_cast<size_t>(model_.layout().total_size());
  auto ws = model_.make_workspace(1);
  std::vector<T> grad(n_params);
  const auto tpr = static_cast<size_t>(set.tokens_per_row);
  const int64_t chunk = std::clamp<int64_t>((int64_t{1} << 22) / std::max(set.dim, 1), 1, 256);   // <= 4M values
  for_each_chunk(set, chunk, [&](int64_t first, const InputBatch<T>& rows, const int32_t*) {
    for (int64_t r = 0; r < rows.n; ++r) {
      const auto rr = static_cast<size_t>(r);
      const InputBatch<T> x{.n = 1, .dim = rows.dim, .tokens_per_row = rows.tokens_per_row,
                            .tokens = rows.tokens ? rows.tokens + rr * tpr : nullptr,
                            .dense = rows.dense ? rows.dense + rr * static_cast<size_t>(rows.dim) : nullptr};
      model_.forward(params0_.data(), x, *ws);
      T d_out = T(1);
      model_.backward(params0_.data(), x, &d_out, grad.data(), *ws);
      double dot = 0.0;
      for (size_t j = 0; j < n_params; ++j) dot += static_cast<double>(grad[j]) * h_[static_cast<Eigen::Index>(j)];
      f[first + r] = dot;
    }
  });
  return f;
}

template class KernelClassifier<float>;
template class KernelClassifier<double>;

}  // namespace grokscope::theory
