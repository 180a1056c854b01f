// torch.optim.SGD (dampening 0, optional momentum and Nesterov) over a flat parameter buffer; see optimizer.h for
// the update rule and src/optim/sgd.cpp for the exact operation order.
#pragma once

#include <cstdint>
#include <vector>

#include "grokscope/optim/optimizer.h"

namespace grokscope {

template <class T>
class Sgd final : public Optimizer<T> {
 public:
  // ranges: disjoint sub-ranges of [0, total_size). momentum >= 0; nesterov needs momentum > 0 (as PyTorch).
  // Throws ConfigError for a bad hyperparameter, std::logic_error (GS_CHECK) for bad range geometry.
  Sgd(std::vector<ParamRange> ranges, int64_t total_size, double momentum = 0.0, bool nesterov = false);

  void step(T* params, const T* grads, double lr_multiplier) override;

  const std::vector<ParamRange>& ranges() const { return ranges_; }
  int64_t total_size() const { return total_size_; }
  double momentum() const { return momentum_; }
  bool nesterov() const { return nesterov_; }
  // PyTorch's state['momentum_buffer'] for the whole flat buffer, indexed like params (empty when momentum == 0;
  // meaningful only inside the ranges and after the first step).
  const std::vector<T>& momentum_buffer() const { return buf_; }

 private:
  std::vector<ParamRange> ranges_;
  int64_t total_size_ = 0;
  double momentum_ = 0.0;
  bool nesterov_ = false;
  std::vector<T> buf_;
};

extern template class Sgd<float>;
extern template class Sgd<double>;

}  // namespace grokscope
