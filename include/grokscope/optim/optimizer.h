// Optimizers over one flat parameter buffer, matching PyTorch's update rules to the letter (science.md §6.1).
// Each parameter tensor is a contiguous range [offset, offset + size) with its own learning rate and weight decay
// (resolved from parameter groups by the trainer). The learning-rate multiplier (warmup) is passed to step().
//
//   SGD   (torch.optim.SGD, dampening 0):  g = grad + wd*theta;  if momentum: buf = g at the first step, else
//         buf = momentum*buf + g;  g = nesterov ? g + momentum*buf : buf;  theta -= lr*g
//   Adam  (torch.optim.Adam, L2 coupled): g = grad + wd*theta;  m = b1*m + (1-b1)*g;  v = b2*v + (1-b2)*g^2;
//         theta -= (lr / (1-b1^t)) * m / (sqrt(v) / sqrt(1-b2^t) + eps)
//   AdamW (torch.optim.AdamW, decoupled):  theta *= 1 - lr*wd;  then the Adam step with g = grad
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "grokscope/core/run_config.h"

namespace grokscope {

struct ParamRange {
  int64_t offset = 0;
  int64_t size = 0;
  double lr = 0.0;            // base learning rate of this tensor (before the multiplier)
  double weight_decay = 0.0;
};

template <class T>
class Optimizer {
 public:
  virtual ~Optimizer() = default;
  // One update of params (in place) from grads. lr_multiplier scales every range's lr (warmup).
  virtual void step(T* params, const T* grads, double lr_multiplier) = 0;
  // Number of completed steps (PyTorch's state['step']).
  int64_t steps_taken() const { return steps_; }

 protected:
  int64_t steps_ = 0;
};

// The learning-rate multiplier of 0-based step `step` with optim.warmup_steps = warmup: min(step / warmup, 1), 1
// without warmup. PyTorch's LambdaLR(lambda s: min(s / warmup, 1)) stepped after each optimizer step (Nanda's and
// Power's schedules) gives the same: step 0 has lr 0 and moves only Adam's moments and step count.
inline double warmup_multiplier(int64_t step, int64_t warmup) {
  if (warmup <= 0) return 1.0;
  return step >= warmup ? 1.0 : static_cast<double>(step) / static_cast<double>(warmup);
}

// Builds the optimizer named by config.kind for a buffer of total_size parameters split into ranges.
template <class T>
std::unique_ptr<Optimizer<T>> make_optimizer(const OptimConfig& config, std::vector<ParamRange> ranges,
                                             int64_t total_size);

}  // namespace grokscope
