// Optimizer factory (see optim/optimizer.h): OptimConfig::kind -> Sgd or Adam (coupled L2) or Adam (decoupled, AdamW);
// gradient_flow has no optimizer (the trainer integrates the flow) and is refused.
// The learning rate and weight decay come from the ranges (already resolved from optim.groups); warmup is the
// caller's lr_multiplier. Accepts everything validate() accepts (and PyTorch's wider domain: lr 0, eps 0,
// momentum >= 1); rejects what PyTorch's constructors reject.
#include <memory>
#include <utility>

#include "grokscope/core/error.h"
#include "grokscope/optim/adam.h"
#include "grokscope/optim/optimizer.h"
#include "grokscope/optim/sgd.h"

namespace grokscope {

template <class T>
std::unique_ptr<Optimizer<T>> make_optimizer(const OptimConfig& config, std::vector<ParamRange> ranges,
                                             int64_t total_size) {
  switch (config.kind) {
    case OptimKind::sgd:
      return std::make_unique<Sgd<T>>(std::move(ranges), total_size, config.momentum, config.nesterov);
    case OptimKind::adam:
    case OptimKind::adamw: {
      const AdamOptions options{.beta1 = config.beta1,
                                .beta2 = config.beta2,
                                .eps = config.eps,
                                .decoupled = config.kind == OptimKind::adamw};
      return std::make_unique<Adam<T>>(std::move(ranges), total_size, options);
    }
    case OptimKind::gradient_flow:  // the trainer integrates the flow itself (train/flow_stepper.h)
      throw ConfigError("optim.kind", "\"gradient_flow\"",
                        "is not a step-by-step optimizer: the trainer integrates the flow (theory/gradient_flow.h)");
  }
  GS_CHECK(false && "unknown OptimKind");
  return nullptr;
}

template std::unique_ptr<Optimizer<float>> make_optimizer<float>(const OptimConfig&, std::vector<ParamRange>, int64_t);
template std::unique_ptr<Optimizer<double>> make_optimizer<double>(const OptimConfig&, std::vector<ParamRange>,
                                                                   int64_t);

}  // namespace grokscope
