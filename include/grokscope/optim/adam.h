// torch.optim.Adam (L2 weight decay added to the gradient) and torch.optim.AdamW (decoupled weight decay) over a
// flat parameter buffer, single-tensor (foreach=False), non-capturable, amsgrad=False path. See optimizer.h for the
// update rule and src/optim/adam.cpp for the exact operation order.
#pragma once

#include <cstdint>
#include <vector>

#include "grokscope/optim/optimizer.h"

namespace grokscope {

struct AdamOptions {
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  bool decoupled = false;  // false: Adam (coupled L2), true: AdamW
};

template <class T>
class Adam final : public Optimizer<T> {
 public:
  // ranges: disjoint sub-ranges of [0, total_size). betas in [0, 1), eps >= 0 (as PyTorch).
  // Throws ConfigError for a bad hyperparameter, std::logic_error (GS_CHECK) for bad range geometry.
  Adam(std::vector<ParamRange> ranges, int64_t total_size, AdamOptions options = {});

  void step(T* params, const T* grads, double lr_multiplier) override;

  const std::vector<ParamRange>& ranges() const { return ranges_; }
  int64_t total_size() const { return total_size_; }
  const AdamOptions& options() const { return options_; }
  // PyTorch's state['exp_avg'] and state['exp_avg_sq'] for the whole flat buffer, indexed like params (zero outside
  // the ranges).
  const std::vector<T>& exp_avg() const { return exp_avg_; }
  const std::vector<T>& exp_avg_sq() const { return exp_avg_sq_; }

 private:
  std::vector<ParamRange> ranges_;
  int64_t total_size_ = 0;
  AdamOptions options_;
  std::vector<T> exp_avg_;
  std::vector<T> exp_avg_sq_;
};

extern template class Adam<float>;
extern template class Adam<double>;

}  // namespace grokscope
